from pathlib import Path

from lmfootprint.core.docs import readme_block, rulegraph_mermaid

ROOT = Path(__file__).resolve().parents[2]


def test_readme_dag_matches_workflow() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_block(readme) == rulegraph_mermaid(ROOT), "run `make dag` to refresh README.md"


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block


def test_every_job_writes_a_log_and_a_benchmark_record() -> None:
    """The README promises a log under logs/ and a benchmarks/ record for every job."""
    import re

    rules = {}
    for smk in sorted((ROOT / "workflow/rules").glob("*.smk")):
        text = smk.read_text()
        for m in re.finditer(r"^rule (\w+):\n(.*?)(?=^rule |\Z)", text, re.S | re.M):
            rules[m.group(1)] = m.group(2)
    assert len(rules) > 20
    missing = {n: [d for d in ("log:", "benchmark:") if d not in b] for n, b in rules.items()}
    assert not {n: d for n, d in missing.items() if d}


def test_conda_env_pins_are_the_lock() -> None:
    """workflow/envs/lmfootprint.yaml installs exactly requirements/base.lock (make env)."""
    import yaml

    from lmfootprint.core.conda_env import pins, render_env

    lock = (ROOT / "requirements/base.lock").read_text(encoding="utf-8")
    env_text = (ROOT / "workflow/envs/lmfootprint.yaml").read_text(encoding="utf-8")
    assert env_text == render_env(lock), "run `make env` to regenerate the conda environment"
    env = yaml.safe_load(env_text)
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert [p for p in pip if "==" in p] == pins(lock)
    assert "torch==2.13.0" in pip and "-e ../.." in pip
    # the CPU build, from an index a user's machine reaches (no +cpu on the package index)
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip
