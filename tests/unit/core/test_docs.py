from pathlib import Path

from lmfootprint.core.docs import (
    DAG_PAGE,
    marked_block,
    rulegraph_mermaid,
    stale_in_docs,
    stale_references,
)

ROOT = Path(__file__).resolve().parents[3]


def test_docs_dag_matches_workflow() -> None:
    page = (ROOT / DAG_PAGE).read_text(encoding="utf-8")
    assert marked_block(page) == rulegraph_mermaid(ROOT), f"run `make dag` to refresh {DAG_PAGE}"


def test_no_command_or_path_in_readme_or_docs_is_stale() -> None:
    """Every `make` target, repository path, --configfile / --workflow-profile, lmfootprint
    module and relative link that README.md and docs/ name exists."""
    problems = stale_in_docs(ROOT)
    assert not problems, "\n".join(problems)


def test_the_staleness_check_catches_each_kind() -> None:
    page = "\n".join(
        [
            "Run `make run` then `make no-such-target`; see [the guide](docs/nowhere.md).",
            "```bash",
            "make -C ~/clone install-dev && make run CONFIG=config/nope.yaml",
            "snakemake --configfile config/gone.yaml --workflow-profile profiles/none",
            ".venv/bin/python bench/vanished.py  # then python -m lmfootprint.core.nothing",
            "```",
            "`resources/hub/<org>--<name>/config.json` is a pattern; `make` in prose is not code;",
            "`lmfootprint.core.docs.stale_references` and `config/local.yaml` exist.",
        ]
    )
    problems = "\n".join(stale_references(page, ROOT, page="README.md"))
    for stale in (
        "make no-such-target",
        "config/nope.yaml",
        "--configfile config/gone.yaml",
        "--workflow-profile profiles/none",
        "bench/vanished.py",
        "lmfootprint.core.nothing",
        "docs/nowhere.md",
    ):
        assert stale in problems
    # config/gone.yaml and profiles/none are named twice: as paths and as options
    assert len(problems.splitlines()) == 9
    assert "install-dev" not in problems and "make run`" not in problems


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block


def test_every_job_writes_a_log_and_a_benchmark_record() -> None:
    """The docs (outputs.md) promise a log under logs/ and a benchmarks/ record for every job."""
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
