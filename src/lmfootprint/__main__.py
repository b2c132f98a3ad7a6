"""``python -m lmfootprint check-config FILE...``: the workflow's config checks, without a run.

Snakemake reads ``--configfile`` files before the workflow's own preflight and reports
malformed YAML only as "Config file is not valid JSON or YAML". This names the file, line and
column, then checks the config a run would see (``config/config.yaml`` overlaid with each
file, as Snakemake merges them) against the workflow's schema, every problem at once.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from lmfootprint.core.config import check_config, check_yaml_file, coerce_booleans, load_schema
from lmfootprint.core.errors import ConfigError, LmFootprintError

# src/lmfootprint/__main__.py -> the checkout that ships workflow/schemas/
DEFAULT_SCHEMA = Path(__file__).resolve().parents[2] / "workflow/schemas/config.schema.yaml"


def merged(base: dict[str, Any], overlay: dict[str, Any]) -> dict[str, Any]:
    """Snakemake's rule: nested mappings merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


def check_files(files: list[Path], schema_path: Path, base: Path | None) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for path in ([base] if base else []) + files:
        if not path.is_file():
            raise ConfigError(f"{path}: no such config file")
        check_yaml_file(path)
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ConfigError(f"{path}: a config file must be a mapping of keys to values")
        config = merged(config, loaded)
    schema = load_schema(schema_path)
    coerce_booleans(config, schema)
    check_config(config, schema)
    return config


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lmfootprint")
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check-config", help="check config files as a run would see them")
    check.add_argument("files", nargs="*", type=Path, help="--configfile files, in order")
    check.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA)
    check.add_argument(
        "--base",
        type=Path,
        default=Path("config/config.yaml"),
        help="the workflow's configfile, read first when it exists (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    base = args.base if args.base.is_file() and args.base not in args.files else None
    try:
        config = check_files(args.files, args.schema, base)
    except LmFootprintError as exc:
        print(f"lmfootprint: {exc}", file=sys.stderr)
        return 1
    read = [str(p) for p in ([base] if base else []) + args.files]
    print(f"config ok: {', '.join(read)} ({len(config.get('models', []))} models)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
