"""Running the vl-convert engine (a V8) where its death can be reported.

V8 reserves tens of GiB of virtual address space when it starts (about 64 GiB measured on
Linux x86-64, whatever it then uses). Under a lower address-space limit (``ulimit -v``,
RLIMIT_AS, as some clusters set) it dies with SIGTRAP inside native code, before Python can
log anything: the job's log stays empty. Run in a child process, the parent survives to name
the signal and the limit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from lmfootprint.core.errors import LmFootprintError

# measured: V8 in vl-convert 1.9 starts under `ulimit -v 70000000` (KiB), not 60000000
V8_ADDRESS_SPACE_GIB = 64
GIB = 1024**3


class EngineError(LmFootprintError):
    """The vl-convert engine died or failed; the message says why, where it can tell."""


def address_space_limit() -> int | None:
    """This process's soft RLIMIT_AS in bytes (inherited by its children); None if unlimited."""
    try:
        import resource
    except ImportError:  # Windows: no rlimits
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    return None if soft == resource.RLIM_INFINITY else soft


def describe_limit(limit: int | None) -> str:
    if limit is None:
        return "no address-space limit is set (ulimit -v: unlimited)"
    return (
        f"the job's address-space limit (RLIMIT_AS, `ulimit -v`) is {limit / GIB:.1f} GiB "
        f"(ulimit -v {limit // 1024}), and V8 reserves about {V8_ADDRESS_SPACE_GIB} GiB of "
        "address space when it starts: raise the limit for this job (`ulimit -v unlimited`, or "
        "the scheduler's virtual-memory cap), it is not memory the job uses"
    )


def last_words(stderr: str, lines: int = 3) -> str:
    """The child's last few message lines, without V8's stack frames and banners."""
    kept = [
        line.strip("# ").strip()
        for line in stderr.splitlines()
        if line.strip("#= ") and not line.startswith((" ", "\t")) and "stack trace" not in line
    ]
    return " | ".join(kept[-lines:])


def run_engine(code: str, what: str) -> str:
    """Run ``code`` (Python that writes its result to stdout) in a child; its stdout, or an
    EngineError naming the signal or the exit status, the address-space limit and the
    child's last words."""
    env = {
        **os.environ,
        "PYTHONIOENCODING": "utf-8",
        # the child imports lmfootprint as this process does (editable install or a path)
        "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
    }
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env)
    if proc.returncode == 0:
        return proc.stdout.decode("utf-8")
    words = last_words(proc.stderr.decode("utf-8", "replace"))
    last = f" It said: {words}" if words else " It wrote nothing."
    if proc.returncode < 0:
        try:
            name = signal.Signals(-proc.returncode).name
        except ValueError:
            name = f"signal {-proc.returncode}"
        raise EngineError(
            f"{what}: the vl-convert engine (V8) was killed by {name}; "
            f"{describe_limit(address_space_limit())}.{last}"
        )
    raise EngineError(f"{what}: the vl-convert engine exited with status {proc.returncode}.{last}")
