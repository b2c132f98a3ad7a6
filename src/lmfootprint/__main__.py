"""``python -m lmfootprint check-config FILE...``: the workflow's config checks, without a run;
``python -m lmfootprint readme-answer``: README.md's answer table from a run's headlines.

Snakemake reads ``--configfile`` files before the workflow's own preflight and reports
malformed YAML only as "Config file is not valid JSON or YAML". This names the file, line and
column (and any key written twice), then checks the config a run would see
(``config/config.yaml`` overlaid with each file, as Snakemake merges them) as the workflow
does before its first job: the schema, every problem at once, then what the values must mean
and the engines the benchmark workloads need.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

from lmfootprint.benchmark.registry import missing_engines
from lmfootprint.core.config import (
    apply_defaults,
    check_config,
    check_parsed,
    check_yaml_file,
    coerce_booleans,
    load_schema,
)
from lmfootprint.core.errors import ConfigError, LmFootprintError
from lmfootprint.core.ids import parse_model_entries

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
    # what the workflow checks next, before any job runs: the values' meaning, the engines the
    # workloads need, and the model entries (local paths from the working directory)
    apply_defaults(config, schema)
    check_parsed(config, hardware_csv=hardware_csv(), checks=[missing_engines])
    parse_model_entries(config["models"], Path.cwd())
    return config


def hardware_csv() -> Path:
    """The hardware table the run reads: the working directory's, else the workflow's."""
    local = Path("resources/hardware.csv")
    return local if local.is_file() else DEFAULT_SCHEMA.parents[2] / "resources/hardware.csv"


def readme_answer(readme: Path, headlines: Path) -> int:
    from lmfootprint.present.readme_answer import write

    try:
        changed = write(readme, headlines)
    except (LmFootprintError, OSError) as exc:
        print(f"lmfootprint: {exc}", file=sys.stderr)
        return 1
    state = "rewritten" if changed else "already current"
    print(f"{readme}: answer table {state} from {headlines}")
    return 0


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
    readme = sub.add_parser(
        "readme-answer", help="rewrite README.md's answer table from a run's headlines"
    )
    readme.add_argument("--headlines", type=Path, default=Path("results/headlines.parquet"))
    readme.add_argument("--readme", type=Path, default=Path("README.md"))
    args = parser.parse_args(argv)
    if args.command == "readme-answer":
        return readme_answer(args.readme, args.headlines)
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
