"""A terminal a person can read: one line per job (what runs, on what, and why, shortened),
progress, warnings and errors. Snakemake's default prints each job's whole input list (the
15-30 source files a job's code is, for the code-change trigger) and whole parameter dicts as
reasons: 140 KB for one cold run. The details stay where they were: each job's log under
logs/, and Snakemake's own log under .snakemake/log/.

Selected by the default profile (``logger: [lmfootprint]``); ``--logger`` with no value, or
``--workflow-profile none``, gives Snakemake's own output back.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from snakemake.logging import DefaultFormatter, is_quiet_about, timestamp
from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.settings import LogHandlerSettingsBase

from lmfootprint.core.terminal import error_lines, job_line

__all__ = ["LogHandler", "LogHandlerSettings"]


class LogHandlerSettings(LogHandlerSettingsBase):
    """No settings: the plugin only changes how jobs are shown."""


class BriefFormatter(DefaultFormatter):
    """Snakemake's formatter, with jobs and job errors in a line or a few."""

    def format_job_info(self, msg: dict[str, Any]) -> str:
        reason = None if is_quiet_about(self.quiet, "reason") else msg.get("reason")
        return job_line(msg, str(reason) if reason else None)

    def format_job_error(self, msg: dict[str, Any]) -> str:
        lines = [timestamp().strip(), *error_lines(msg)]
        if self.show_failed_logs and msg.get("log"):
            from snakemake.logging import show_logs

            lines.extend(show_logs(msg["log"]))
        return "\n".join(lines)

    def format_job_finished(self, msg: dict[str, Any]) -> str:
        return ""


class LogHandler(LogHandlerBase):
    """Writes to stderr through Snakemake's own filter, with the brief formatter."""

    def __post_init__(self) -> None:
        quiet = getattr(self.common_settings, "quiet", None)
        self.setFormatter(
            BriefFormatter(quiet, getattr(self.common_settings, "show_failed_logs", False))
        )
        # as Snakemake's own handler: stdout when asked (a dry run), else stderr
        self.stream = sys.stdout if getattr(self.common_settings, "stdout", False) else sys.stderr

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        if text:
            self.stream.write(text + "\n")
            self.stream.flush()

    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return False

    @property
    def has_formatter(self) -> bool:
        return True

    @property
    def needs_rulegraph(self) -> bool:
        return False
