"""Keep the documentation true to the workflow.

``python -m lmfootprint.core.docs rulegraph docs/architecture.md`` replaces the block between
the ``rulegraph:start`` and ``rulegraph:end`` markers with ``snakemake --rulegraph mermaid-js``;
a test fails when the picture and the workflow drift apart.

``stale_references`` lists what README.md and ``docs/`` name that does not exist: a ``make``
target the Makefile lacks, a repository path, a ``--configfile`` or ``--workflow-profile``, an
``lmfootprint.*`` module or object, a relative link. Only code (spans and fenced blocks) is
read for commands and paths, so prose can say "make" freely. Standard library only.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

START = "<!-- rulegraph:start (make dag) -->"
END = "<!-- rulegraph:end -->"
DAG_PAGE = "docs/architecture.md"

# top-level folders whose paths, named in the docs, must exist (results/, logs/... are outputs)
CHECKED_ROOTS = ("config", "bench", "resources", "tests", "workflow", "profiles", "requirements")
CHECKED_ROOTS += ("src", ".ci")
ROOTS_ALT = "|".join(map(re.escape, CHECKED_ROOTS))
PATH_RE = re.compile(rf"(?<![\w./~$-])((?:{ROOTS_ALT})/[^\s`'\"()|\\]*)")
MAKE_RE = re.compile(r"(?<![\w-])make\s+(?:-C\s+\S+\s+)?((?:[A-Z_]+=\S+\s+)*)([a-z][\w-]*)")
OPTION_RE = re.compile(r"--(configfile|workflow-profile)[ =]+([^\s`'\"]+)")
MODULE_RE = re.compile(r"(?<![\w./-])(lmfootprint(?:\.\w+)+)")
FILE_SUFFIXES = {"yaml", "yml", "py", "json", "md", "csv", "parquet", "toml", "html", "txt"}
LINK_RE = re.compile(r"\]\(([^)\s]+)\)")
FENCE_RE = re.compile(r"^[ \t]*(```|~~~)[^\n]*\n(.*?)^[ \t]*\1[ \t]*$", re.S | re.M)
SPAN_RE = re.compile(r"(`+)(.+?)\1", re.S)


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


def marked_block(text: str) -> str:
    """The mermaid block between the rulegraph markers of a page."""
    start, end = text.index(START), text.index(END)
    block = text[start + len(START) : end].strip()
    return block.removeprefix("```mermaid").removesuffix("```").strip()


def update_page(path: str | Path, workdir: str | Path = ".") -> None:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = text.index(START), text.index(END)
    block = f"{START}\n```mermaid\n{rulegraph_mermaid(workdir)}\n```\n"
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


def code_of(markdown: str) -> list[str]:
    """The code a page shows: fenced blocks (mermaid left out) and inline code spans."""
    fences = FENCE_RE.finditer(markdown)
    blocks = [m.group(2) for m in fences if not m.group(0).lstrip(" \t`~").startswith("mermaid")]
    prose = FENCE_RE.sub("", markdown)
    return blocks + [m.group(2) for m in SPAN_RE.finditer(prose)]


def makefile_targets(makefile: str) -> set[str]:
    return set(re.findall(r"^([a-z][\w-]*)\s*:(?!=)", makefile, flags=re.M))


def _module_exists(dotted: str, root: Path) -> bool:
    """A dotted lmfootprint name is a module, or an object a module defines, found in the
    sources (nothing is imported)."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        base = root / "src" / Path(*parts[:n])
        source = base / "__init__.py" if base.is_dir() else base.with_suffix(".py")
        if not source.is_file():
            continue
        rest = parts[n:]
        if not rest:
            return True
        text = source.read_text(encoding="utf-8")
        name = re.escape(rest[0])
        pattern = rf"^\s*(?:async def|def|class)\s+{name}\b|^{name}\s*[:=]"
        return re.search(pattern, text, flags=re.M) is not None
    return False


def _plain(path: str) -> bool:
    """A concrete path, not a pattern (`<org>--<name>`, `*.smk`, `{a,b}`, `...`)."""
    return not any(c in path for c in "<>*{}[]") and "..." not in path


def stale_references(markdown: str, root: str | Path, *, page: str = "page") -> list[str]:
    """What a page names that does not exist in the repository at ``root``."""
    root = Path(root)
    targets = makefile_targets((root / "Makefile").read_text(encoding="utf-8"))
    problems: list[str] = []
    for code in code_of(markdown):
        for _, target in MAKE_RE.findall(code):
            if target not in targets:
                problems.append(f"{page}: `make {target}`: no such target in the Makefile")
        for raw in PATH_RE.findall(code):
            path = raw.rstrip(".,:;")
            if _plain(path) and not (root / path).exists():
                problems.append(f"{page}: `{path}` does not exist")
        for option, value in OPTION_RE.findall(code):
            # a repository file (config/local.yaml), not a placeholder for the user's (my.yaml)
            if "/" in value and _plain(value) and not (root / value).exists():
                problems.append(f"{page}: `--{option} {value}`: {value} does not exist")
        for dotted in MODULE_RE.findall(code):
            if dotted.rsplit(".", 1)[1] in FILE_SUFFIXES:
                continue
            if not _module_exists(dotted, root):
                problems.append(f"{page}: `{dotted}` is no module or object of the package")
    for link in LINK_RE.findall(FENCE_RE.sub("", markdown)):
        target = link.split("#", 1)[0]
        if not target or re.match(r"^[a-z]+:", target):
            continue
        if not (root / page).parent.joinpath(target).exists():
            problems.append(f"{page}: link ({link}) points at nothing")
    return problems


def stale_in_docs(root: str | Path) -> list[str]:
    """stale_references over README.md and every page under docs/."""
    root = Path(root)
    pages = [root / "README.md", *sorted((root / "docs").rglob("*.md"))]
    return [
        problem
        for page in pages
        for problem in stale_references(
            page.read_text(encoding="utf-8"), root, page=str(page.relative_to(root))
        )
    ]


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "rulegraph":
        raise SystemExit(f"usage: python -m lmfootprint.core.docs rulegraph {DAG_PAGE}")
    update_page(sys.argv[2])
