"""Results -> Markdown, for an issue or pull-request comment."""
from __future__ import annotations

import re
from typing import List, Sequence

from triage.cli.render.common import first_evidence, inline_code, md_escape, printable, severity, solution_lines
from triage.i18n.words import ENGLISH, Words
from triage.model import Diagnosis, LogResult


def markdown_report(results: Sequence[LogResult], version: str, words: Words = ENGLISH) -> str:
    """A compact report for an issue or pull-request comment."""
    out: List[str] = []
    for result in results:
        out += markdown_result(result, words)
    out.append(f"<sub>triage {md_escape(version)}</sub>")
    return "\n".join(out) + "\n"


def markdown_result(result: LogResult, words: Words = ENGLISH) -> List[str]:
    _ = words.gettext
    out = [f"### triage: {md_escape(result.source)}", ""]
    if not result.diagnoses:
        out.append(_("No known problem found."))
        if result.likely_failure:
            lf = result.likely_failure
            out += [_("The line that most looks like the failure (line {line}):").format(line=lf.line), ""]
            out += fenced(lf.text)
        return out + [""]
    out += [_("| # | id | title | confidence | line |"), "|---|---|---|---|---|"]
    for i, d in enumerate(result.diagnoses, 1):
        ev = first_evidence(d)
        line = ev.line if ev else ""
        out.append(f"| {i} | {inline_code(d.id)} | {md_escape(d.title)} | {d.confidence:.2f} | {line} |")
    for i, d in enumerate(result.diagnoses, 1):
        out += [""] + markdown_diagnosis(i, d, words)
    return out + [""]


def markdown_diagnosis(i: int, d: Diagnosis, words: Words = ENGLISH) -> List[str]:
    out = [f"#### {i}. {md_escape(d.title)} ({inline_code(d.id)}, {severity(d, words)})", ""]
    if d.summary:
        out += [md_escape(d.summary), ""]
    if d.evidence:
        line = words.gettext("line {line}")
        out += fenced("\n".join(f"{line.format(line=ev.line)}: {ev.text}" for ev in d.evidence)) + [""]
    for j, s in enumerate(d.solutions, 1):
        out += solution_lines(j, s, markdown=True, words=words) + [""]
    return out


def fenced(text: str) -> List[str]:
    """A code block whose fence is longer than any backtick run inside, so nothing breaks out."""
    lines = [printable(line, 500) for line in text.splitlines()] or [""]
    longest = max((len(run) for run in re.findall("`+", "\n".join(lines))), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + "text"] + lines + [fence]
