"""Model identifiers: Hub ids, local paths, and the wildcard-safe slug that carries them.

The slug writes ``/`` as ``--`` (as the Hub cache does) so that a model id can travel as a
Snakemake wildcard and a file name. It must stay a valid file name: outputs are named
``<slug>.parquet`` and written through ``.<slug>.parquet.<random>.tmp``, and a path component
has at most 255 bytes. Hub ids are at most 96 + 1 + 96 characters; a local folder name can be
longer, so it is cut and given a short digest of the whole name (stable and still unique).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from lmfootprint.core.errors import ConfigError
from lmfootprint.core.paths import not_a_file, pathvar_problem

# Hub rules: org and name of letters, digits, '-', '_', '.'; no '--' or '..' inside a part.
_HUB_PART = r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?"
HUB_ID_RE = re.compile(rf"^{_HUB_PART}/{_HUB_PART}$")
# <org>--<name>; also the {model} wildcard's constraint in the workflow
SLUG_PATTERN = r"[A-Za-z0-9][A-Za-z0-9._-]*--[A-Za-z0-9._-]*[A-Za-z0-9]"
SLUG_RE = re.compile(f"^{SLUG_PATTERN}$")
LOCAL_PREFIX = "local"
LOCAL_NAME_MAX = 96  # as a Hub name part; slug 'local--<name>' <= 103 characters
DIGEST_CHARS = 10  # hex digits of sha256: 40 bits, collisions among one's folders unlikely


@dataclass(frozen=True)
class ModelRef:
    """A configured model: the id as the user wrote it, its slug, and where it lives."""

    model_id: str
    slug: str
    local_dir: Path | None = None

    @property
    def is_local(self) -> bool:
        return self.local_dir is not None


def is_hub_id(entry: str) -> bool:
    """True for ``org/name`` that the Hub would accept (no '..', no '--' separators)."""
    if not HUB_ID_RE.match(entry):
        return False
    return ".." not in entry and "--" not in entry


def slug_of_hub_id(hub_id: str) -> str:
    if not is_hub_id(hub_id):
        raise ConfigError(
            f"models: {hub_id!r} is not a Hub id of the form 'org/name' "
            "(letters, digits, '.', '_', '-'; no '..' or '--')"
        )
    return hub_id.replace("/", "--")


def hub_id_of_slug(slug: str) -> str:
    if not SLUG_RE.match(slug) or slug.count("--") != 1:
        raise ValueError(f"not a model slug: {slug!r}")
    return slug.replace("--", "/")


def local_name(dir_name: str) -> str:
    """The slug part of a local folder: unsafe characters as '_', and a name longer than
    LOCAL_NAME_MAX cut to fit with '-' and a digest of the full name, so that two long names
    sharing a prefix stay apart and the same folder gets the same slug on every run."""
    name = re.sub(r"[^A-Za-z0-9._-]", "_", dir_name).strip("._-") or "model"
    if len(name) <= LOCAL_NAME_MAX:
        return name
    digest = hashlib.sha256(dir_name.encode("utf-8", "surrogateescape")).hexdigest()
    head = name[: LOCAL_NAME_MAX - DIGEST_CHARS - 1].rstrip("._-")
    return f"{head}-{digest[:DIGEST_CHARS]}"


def parse_model_entry(entry: str, base_dir: Path) -> ModelRef:
    """Turn one ``models:`` entry into a ModelRef.

    An entry is a local directory (it exists, relative to ``base_dir`` or absolute, or
    starts with ``./``, ``../``, ``/`` or ``~``) or else a Hub id.
    """
    if not isinstance(entry, str) or not entry.strip():
        raise ConfigError(f"models: entry {entry!r} must be a non-empty string")
    entry = entry.strip()
    looks_like_path = entry.startswith(("./", "../", "/", "~")) or entry.count("/") > 1
    candidate = Path(entry).expanduser()
    if not candidate.is_absolute():
        candidate = base_dir / candidate
    if looks_like_path or (candidate.is_dir() and (candidate / "config.json").is_file()):
        problem = not_a_file(candidate / "config.json")
        if problem is not None:
            raise ConfigError(
                f"models: {entry!r} looks like a local path, but {candidate}/config.json "
                f"{problem}. Give a directory holding a config.json file, or a Hub id "
                "'org/name'."
            )
        folder = candidate.resolve()
        problem = pathvar_problem(folder / "config.json", f"models: {entry!r}: the path")
        if problem is not None:
            raise ConfigError(problem)
        return ModelRef(entry, f"{LOCAL_PREFIX}--{local_name(folder.name)}", folder)
    return ModelRef(entry, slug_of_hub_id(entry))


def parse_model_entries(entries: list[str], base_dir: Path) -> dict[str, ModelRef]:
    """Parse all entries; slugs must be unique (two local dirs with one name collide)."""
    refs: dict[str, ModelRef] = {}
    for entry in entries:
        ref = parse_model_entry(entry, base_dir)
        if ref.slug in refs:
            raise ConfigError(
                f"models: {entry!r} and {refs[ref.slug].model_id!r} map to the same "
                f"name {ref.slug!r}; list each model once (rename one local directory)."
            )
        refs[ref.slug] = ref
    return refs


def key_part(text: str) -> str:
    """A key part from free text, as the headlines table keys its rows by scenario and serving
    mode: 'h100-cloud · throughput' -> 'h100_cloud_throughput', '<3B' -> 'under_3b'. Two
    configured names with one key part would collide there, so the config check compares them
    by it."""
    text = text.lower().replace("<", " under ").replace(">", " over ")
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def device_slug(device: str) -> str:
    """``cuda:0`` -> ``cuda0``: a device as it appears in output paths."""
    return device.replace(":", "")


def shard_of(slug: str, shards: int) -> int:
    """A model's metadata shard: a digest of its slug, so it never moves when models are added
    or removed (adding one re-runs its shard only)."""
    return int.from_bytes(hashlib.sha256(slug.encode("utf-8")).digest()[:8], "big") % shards
