"""The vega_bundle job under a low address-space limit: a clear line in its log naming the
signal and the limit, not a SIGTRAP with an empty log."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lmfootprint.present.engine import EngineError, last_words, run_engine

ROOT = Path(__file__).resolve().parents[3]
# how the job runs workflow/scripts/vega_bundle.py: Snakemake injects `snakemake`
JOB = (
    "import runpy, sys, types; "
    "job = types.SimpleNamespace(log=[sys.argv[1]], output=[sys.argv[2]]); "
    "runpy.run_path(sys.argv[3], init_globals={'snakemake': job})"
)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS as Linux applies it")
def test_vega_bundle_under_ulimit_v_names_the_signal_and_the_limit(tmp_path: Path) -> None:
    log, out = tmp_path / "vega_bundle.log", tmp_path / "vega-embed.js"
    script = ROOT / "workflow/scripts/vega_bundle.py"
    proc = subprocess.run(
        [
            "bash",
            "-c",
            'ulimit -v 20000000 && exec "$@"',
            "bash",
            sys.executable,
            "-c",
            JOB,
            str(log),
            str(out),
            str(script),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode != 0 and not out.exists()
    text = log.read_text()
    assert "the vl-convert engine (V8) was killed by SIGTRAP" in text, text
    assert "RLIMIT_AS" in text and "ulimit -v 20000000" in text and "19.1 GiB" in text
    assert "Traceback" not in text
    assert "lmfootprint: building the Vega bundle" in proc.stderr


def test_an_engine_exiting_with_an_error_says_what_it_said() -> None:
    with pytest.raises(EngineError, match=r"exited with status 3\. It said: boom"):
        run_engine("import sys; print('boom', file=sys.stderr); sys.exit(3)", "test")
    assert run_engine("print('ok', end='')", "test") == "ok"


def test_last_words_leave_out_stack_frames() -> None:
    stderr = "\n\n#\n# Fatal process out of memory: cage\n#\n==== C stack trace ===\n    frame\n"
    assert last_words(stderr) == "Fatal process out of memory: cage"
