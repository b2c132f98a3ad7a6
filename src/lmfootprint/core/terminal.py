"""What the terminal says about a job: one line (rule, wildcards, why) and, for a failure, the
rule, its wildcards and its log. Used by the project's Snakemake logger plugin."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

# Snakemake's reason clauses (snakemake.jobs.Reason.__str__), in words that fit a line
CLAUSES = {
    "Missing output files": "new",
    "Incomplete output files": "incomplete before",
    "Updated input files": "inputs changed",
    "Input files updated by another job": "inputs rebuilt",
    "Set of input files has changed since last execution": "input set changed",
    "Code has changed since last execution": "code changed",
    "Params have changed since last execution": "settings changed",
    "Software environment definition has changed since last execution": "environment changed",
    "Forced execution": "forced",
}


def short_reason(reason: str, files_shown: int = 2) -> str:
    """``Missing output files: a, b; Params have changed ...: {...}`` -> ``new; settings
    changed``; changed inputs keep their first file names, the rest counted."""
    parts = []
    for clause in reason.split("; "):
        label, _, rest = clause.partition(": ")
        short = CLAUSES.get(label.strip())
        if short is None:
            parts.append(clause if len(clause) <= 60 else clause[:57] + "...")
            continue
        if label.startswith(("Updated input", "Input files updated")) and rest:
            files = [f for f in rest.split(", ") if f]
            names = ", ".join(PurePath(f).name for f in files[:files_shown])
            more = f" +{len(files) - files_shown}" if len(files) > files_shown else ""
            short = f"{short} ({names}{more})"
        parts.append(short)
    if "new" in parts:  # a job that makes its outputs for the first time: nothing else matters
        return "new"
    return "; ".join(dict.fromkeys(parts))


def wildcard_text(wildcards: Any) -> str:
    items = wildcards.items() if hasattr(wildcards, "items") else []
    return " ".join(f"{v}" for _, v in items)


def job_line(msg: dict[str, Any], reason: str | None) -> str:
    """``[12] benchmark_inference EleutherAI--pythia-14m cpu short: new``"""
    what = " ".join(
        part for part in (msg.get("rule_name", "?"), wildcard_text(msg.get("wildcards"))) if part
    )
    why = f": {short_reason(reason)}" if reason else ""
    return f"[{msg.get('jobid', '?')}] {what}{why}"


def error_lines(msg: dict[str, Any]) -> list[str]:
    """The failed job and where its details are; the log itself follows when Snakemake is
    asked to show failed logs (the default profile does)."""
    what = " ".join(
        part for part in (msg.get("rule_name", "?"), wildcard_text(msg.get("wildcards"))) if part
    )
    lines = [f"Error in {what} (job {msg.get('jobid', '?')})"]
    if msg.get("rule_msg"):
        lines.append(f"    message: {msg['rule_msg']}")
    logs = msg.get("log") or []
    if logs:
        lines.append(f"    log: {', '.join(logs)}")
    if msg.get("shellcmd"):
        lines.append(f"    shell: {msg['shellcmd']}")
    for key, value in (msg.get("aux") or {}).items():
        lines.append(f"    {key}: {value}")
    return lines
