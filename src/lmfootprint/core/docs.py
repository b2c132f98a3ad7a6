"""Keep the README's DAG picture equal to Snakemake's own rule graph.

``python -m lmfootprint.core.docs rulegraph README.md`` replaces the block between the
``rulegraph:start`` and ``rulegraph:end`` markers with ``snakemake --rulegraph mermaid-js``.
A test fails when the README and the workflow drift apart.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

START = "<!-- rulegraph:start (make dag) -->"
END = "<!-- rulegraph:end -->"


def rulegraph_mermaid(workdir: str | Path = ".") -> str:
    # drawn with one metadata rule (metadata_shards: 0): the shipped config's 4 shards are
    # the same rule 4 times (model_metadata_0000...), a scaling detail, not a stage
    out = subprocess.run(
        [
            *(sys.executable, "-m", "snakemake", "--rulegraph", "mermaid-js", "--cores", "1"),
            *("--config", "metadata_shards=0"),
        ],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    # Snakemake numbers nodes and orders edges differently from run to run: name nodes by
    # their rule and sort, so that the picture changes only when the workflow does
    names = dict(re.findall(r"^\s*(id\d+)\[([^\]]+)\]", out, flags=re.M))
    edges = re.findall(r"^\s*(id\d+) --> (id\d+)", out, flags=re.M)
    lines = ["flowchart TB"]
    lines += [f"    {name}[{name}]" for name in sorted(names.values())]
    lines += sorted(f"    {names[a]} --> {names[b]}" for a, b in edges)
    return "\n".join(lines)


def readme_block(readme: str) -> str:
    start, end = readme.index(START), readme.index(END)
    block = readme[start + len(START) : end].strip()
    return block.removeprefix("```mermaid").removesuffix("```").strip()


def update_readme(path: str | Path, workdir: str | Path = ".") -> None:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END)
    block = f"{START}\n```mermaid\n{rulegraph_mermaid(workdir)}\n```\n"
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "rulegraph":
        raise SystemExit("usage: python -m lmfootprint.core.docs rulegraph README.md")
    update_readme(sys.argv[2])
