"""Configuration checks: every schema violation reported at once, in the user's terms."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, validators

from lmfootprint.core.config_values import value_problems
from lmfootprint.core.errors import ConfigError

# libyaml's loader where PyYAML was built with it: the schema and a 1,000-model config are
# read while every `snakemake` command parses the workflow (0.5 s -> 0.05 s)
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str) -> Any:
    return yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)


def load_schema(path: str | Path) -> dict[str, Any]:
    return read_yaml(Path(path).read_text(encoding="utf-8"))


def _where(error) -> str:
    parts = [str(p) for p in error.absolute_path]
    return ".".join(parts) if parts else "<top level>"


def _explain(error) -> str:
    where = _where(error)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return f"{where}: unknown key(s) {extra}; allowed keys: {allowed}"
    if error.validator == "type":
        return (
            f"{where}: expected {error.validator_value}, got {type(error.instance).__name__} "
            f"{error.instance!r}"
        )
    if error.validator == "enum":
        return f"{where}: {error.instance!r} is not one of {error.validator_value}"
    if error.validator == "required":
        return f"{where}: {error.message}"
    if error.validator == "uniqueItems" and isinstance(error.instance, list):
        seen: set[str] = set()
        twice = []
        for item in error.instance:
            key = repr(item)
            if key in seen and key not in twice:
                twice.append(key)
            seen.add(key)
        return f"{where}: listed more than once: {', '.join(twice)}"
    return f"{where}: {error.message}"


TRUE_WORDS = {"true", "yes", "on", "1"}
FALSE_WORDS = {"false", "no", "off", "0"}


def _is_boolean(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return kind == "boolean" or (isinstance(kind, list) and "boolean" in kind)


def coerce_booleans(config: Any, schema: dict[str, Any]) -> Any:
    """`--config online=true` arrives as the string 'true': read the spellings people type
    (true/false, yes/no, on/off, 1/0, any case) as booleans where the schema wants one."""
    if not isinstance(config, dict):
        return config
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    for key, value in list(config.items()):
        sub = props.get(key, extra if isinstance(extra, dict) else None)
        if not isinstance(sub, dict):
            continue
        if _is_boolean(sub) and isinstance(value, str | int) and not isinstance(value, bool):
            word = str(value).strip().lower()
            if word in TRUE_WORDS:
                config[key] = True
            elif word in FALSE_WORDS:
                config[key] = False
        elif isinstance(value, dict):
            coerce_booleans(value, sub)
    return config


def check_config(config: Any, schema: dict[str, Any]) -> None:
    """Raise one ConfigError listing every problem, each naming its key and what is allowed."""
    if not isinstance(config, dict):
        raise ConfigError(f"the configuration must be a mapping, got {type(config).__name__}")
    errors = sorted(Draft202012Validator(schema).iter_errors(config), key=lambda e: list(e.path))
    if errors:
        lines = "\n".join(f"  - {_explain(e)}" for e in errors)
        raise ConfigError(f"invalid configuration ({len(errors)} problem(s)):\n{lines}")


def _with_defaults(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def set_defaults(validator, properties, instance, schema):
        if isinstance(instance, dict):
            for name, sub in properties.items():
                if "default" in sub and name not in instance:
                    instance[name] = copy.deepcopy(sub["default"])
        yield from validate_properties(validator, properties, instance, schema)

    return validators.extend(validator_class, {"properties": set_defaults})


def apply_defaults(config: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Fill defaults at every level (nested objects included), in place."""
    for _ in _with_defaults(Draft202012Validator)(schema).iter_errors(config):
        pass
    return config


def _duplicate_keys(node: yaml.Node, path: str = "") -> Iterator[tuple[int, str]]:
    """Each key written twice in one mapping (YAML keeps the last silently), with its line."""
    stack: list[tuple[yaml.Node, str]] = [(node, path)]
    seen_nodes: set[int] = set()
    while stack:
        current, where = stack.pop()
        if id(current) in seen_nodes:  # an alias: its node was walked already
            continue
        seen_nodes.add(id(current))
        if isinstance(current, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key, value in current.value:
                name = str(key.value) if isinstance(key, yaml.ScalarNode) else None
                child = f"{where}.{name}" if where else str(name)
                if name is not None:
                    line = key.start_mark.line + 1
                    if (key.tag, name) in first:
                        yield (
                            line,
                            f"key {child!r} is written twice (first on line "
                            f"{first[key.tag, name]}); YAML would keep only the last value",
                        )
                    else:
                        first[key.tag, name] = line
                stack.append((value, child))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend((item, f"{where}[{i}]") for i, item in enumerate(current.value))


def check_yaml_file(path: str | Path) -> None:
    """Fail on malformed YAML with the file, line and column (Snakemake only says 'not valid'),
    and on a key written twice in one mapping (YAML keeps the last one without a word)."""
    path = Path(path)
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=SAFE_LOADER)
        read_yaml(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise ConfigError(f"{where}: malformed YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: malformed YAML: {exc}") from None
    twice = sorted(_duplicate_keys(node)) if node is not None else []
    if twice:
        raise ConfigError("\n".join(f"{path}:{line}: {problem}" for line, problem in twice))


def check_parsed(
    config: dict[str, Any],
    *,
    hardware_csv: str | Path | None = None,
    env: Mapping[str, str] | None = None,
    checks: Sequence[Callable[[dict[str, Any]], list[str]]] = (),
) -> None:
    """After the schema and its defaults: what each value must mean (core.config_values) and
    what each later stage checks (``checks``: the benchmark's engines), every problem in one
    ConfigError."""
    problems = [
        *value_problems(config, hardware_csv=hardware_csv, env=env),
        *(problem for check in checks for problem in check(config)),
    ]
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        raise ConfigError(f"invalid configuration ({len(problems)} problem(s)):\n{lines}")


def benchmark_threads(config: dict[str, Any]) -> int:
    """Threads of a benchmark job: the configured number, else the physical cores (logical
    siblings share one core's execution units, so they add contention, not speed)."""
    import os

    import psutil

    configured = config.get("benchmark", {}).get("threads")
    if configured:
        return int(configured)
    return psutil.cpu_count(logical=False) or os.cpu_count() or 1
