"""Every output format behind one table: `render(fmt, results, version)` -> the text to print.

Renderers are pure functions of the results (no I/O, no rich or click). The rich terminal view
is cli/console.py; this table is what pipes, files and CI read.
"""
from __future__ import annotations

from typing import Callable, Dict, Sequence

from triage.i18n.words import ENGLISH, Words
from triage.model import LogResult

Renderer = Callable[[Sequence[LogResult], str, Words], str]
FORMATS = ("text", "json", "sarif", "github", "markdown", "junit")


def _table() -> Dict[str, Renderer]:
    # imported on use: printing one format does not pay for the others (start-up time)
    from triage.cli.render.github import github_report
    from triage.cli.render.jsonout import json_report
    from triage.cli.render.junit import junit_report
    from triage.cli.render.markdown import markdown_report
    from triage.cli.render.sarif import sarif_report
    from triage.cli.render.text import text_reports

    return {"text": lambda results, version, words: text_reports(results, version, False, words), "json": json_report, "sarif": sarif_report, "github": github_report,
            "markdown": markdown_report, "junit": junit_report}


def render(fmt: str, results: Sequence[LogResult], version: str, verbose: bool = False,
           words: Words = ENGLISH) -> str:
    """One of FORMATS for every log's result, in the language of `words` (the results' KB prose
    is already in it: triage.i18n.localize); ValueError for an unknown format."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if fmt == "text":
        from triage.cli.render.text import text_reports

        return text_reports(results, version, verbose, words)
    return _table()[fmt](results, version, words)
