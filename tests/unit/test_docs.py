from pathlib import Path

from lmfootprint.docs import readme_block, rulegraph_mermaid

ROOT = Path(__file__).resolve().parents[2]


def test_readme_dag_matches_workflow() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_block(readme) == rulegraph_mermaid(ROOT), "run `make dag` to refresh README.md"


def test_readme_shows_the_two_commands_first() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```bash", 1)[1].split("```", 1)[0]
    assert "make run" in first_block and "make test" in first_block
