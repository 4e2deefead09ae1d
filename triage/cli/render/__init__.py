"""Every output format behind one table: `render(fmt, results, version)` -> the text to print.

Renderers are pure functions of the results (no I/O, no rich or click). The rich terminal view
is cli/console.py; this table is what pipes, files and CI read.
"""
from __future__ import annotations

from typing import Callable, Dict, Sequence

from triage.model import LogResult

Renderer = Callable[[Sequence[LogResult], str], str]
FORMATS = ("text", "json", "sarif", "github", "markdown", "junit")


def _table() -> Dict[str, Renderer]:
    # imported on use: printing one format does not pay for the others (start-up time)
    from triage.cli.render.github import github_report
    from triage.cli.render.jsonout import json_report
    from triage.cli.render.junit import junit_report
    from triage.cli.render.markdown import markdown_report
    from triage.cli.render.sarif import sarif_report
    from triage.cli.render.text import text_reports

    return {"text": text_reports, "json": json_report, "sarif": sarif_report, "github": github_report,
            "markdown": markdown_report, "junit": junit_report}


def render(fmt: str, results: Sequence[LogResult], version: str, verbose: bool = False) -> str:
    """One of FORMATS for every log's result; ValueError for an unknown format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "text":
        from triage.cli.render.text import text_reports

        return text_reports(results, version, verbose)
    return _table()[fmt](results, version)
