"""Bounds on what one input may ask of a job, and the job's memory cap.

A config.json is small data that can describe an impossible object (a billion layers, a
trillion-wide hidden state); these bounds refuse it with its field named before anything is
built. The memory cap turns a runaway that slips past them into one clear message instead of
a machine swapping until the scheduler kills it.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

from lmfootprint.core.errors import LmFootprintError

# config.json: real ones are a few kB (multimodal ones with label maps a few hundred kB)
MAX_CONFIG_BYTES = 4 * 1024 * 1024
MAX_JSON_DEPTH = 32  # real configs nest 3-4 levels; transformers deep-copies them recursively

# shapes: far above any published model, far below what overflows a tensor size or a build
MAX_PARAMS = 10**14  # also the models table's bound on params_total
MAX_LAYERS = 10_000  # counts of repeated modules (layers, experts): each one is built
MAX_DIM = 2**31  # any width, vocabulary or position count

# file names: 255 bytes per path component on ext4, xfs, btrfs, NTFS and APFS
MAX_NAME_BYTES = 255

MIB = 1024 * 1024


class ResourceLimitError(LmFootprintError):
    """A job needed more memory than its rule's mem_mb resource grants."""


def _rlimit() -> tuple[object, int] | None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits
        return None
    # RLIMIT_DATA caps the private writable memory (heap, anonymous maps) that a runaway build
    # grows, as a scheduler's mem_mb means; RLIMIT_AS would also count shared libraries and the
    # per-thread address space that thread pools reserve but never touch, and so fail on many-
    # core nodes before any real memory is used
    kind = getattr(resource, "RLIMIT_DATA", None)
    return None if kind is None else (resource, kind)


@contextlib.contextmanager
def memory_limit(mem_mb: int | float | None, what: str, rule: str = "RULE") -> Iterator[None]:
    """Cap this process's memory at ``mem_mb`` MiB for the block; running out inside it raises
    one ResourceLimitError naming ``what`` and the limit (no limit when mem_mb is unset/0)."""
    found = _rlimit() if mem_mb else None
    if found is None:
        yield
        return
    resource, kind = found
    soft, hard = resource.getrlimit(kind)
    want = int(float(mem_mb) * MIB)
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    if soft != resource.RLIM_INFINITY:
        want = min(want, soft)  # never loosen a tighter limit set from outside
    resource.setrlimit(kind, (want, hard))
    ran_out = False
    try:
        yield
    except MemoryError:
        ran_out = True  # handled below, outside this block, so the frames holding the
        # half-built objects are released before the message is written
    finally:
        resource.setrlimit(kind, (soft, hard))
    if ran_out:
        gc.collect()
        raise ResourceLimitError(
            f"{what}: ran out of memory at the job's limit of mem_mb={float(mem_mb):g} MiB and "
            "was stopped; nothing was written. The input asks for more than this job needs for "
            "any real model; check it, or raise the rule's mem_mb "
            f"(--set-resources {rule}:mem_mb=...) if it is right."
        )
