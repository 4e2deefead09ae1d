"""Results -> GitHub Actions workflow commands (annotations)."""
from __future__ import annotations

from typing import List, Optional, Sequence

from triage.cli.render.common import STDIN, first_evidence, level, printable, solution_lines
from triage.i18n.words import ENGLISH, Words
from triage.model import Diagnosis, LogResult

_GH_COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def github_report(results: Sequence[LogResult], version: str, words: Words = ENGLISH) -> str:
    """One `::error|warning|notice file=,line=,title=::message` per diagnosis.

    A log with no known problem gets one `::notice` pointing at its likely failure line (nothing
    when there is none). Logs read from stdin carry no file/line (there is no file to annotate).
    GitHub shows at most 10 annotations of each kind per step; the top-ranked come first.
    """
    _ = words.gettext
    lines: List[str] = []
    for result in results:
        for d in result.diagnoses:
            ev = first_evidence(d)
            lines.append(workflow_command(_GH_COMMANDS[level(d)], result.source, ev.line if ev else None,
                                          d.title, github_message(d, words)))
        if not result.diagnoses and result.likely_failure:
            lf = result.likely_failure
            lines.append(workflow_command("notice", result.source, lf.line, _("triage: no known problem"),
                                          _("The line that most looks like the failure: {text}")
                                          .format(text=printable(lf.text))))
    return "".join(line + "\n" for line in lines)


def github_message(d: Diagnosis, words: Words = ENGLISH) -> str:
    _ = words.gettext
    ev = first_evidence(d)
    out = [_("{id} (confidence {confidence})").format(id=d.id, confidence=f"{d.confidence:.2f}")]
    if ev:
        out.append(_("line {line}").format(line=ev.line) + f": {printable(ev.text)}")
    if d.solutions:
        out += [line.strip() for line in solution_lines(1, d.solutions[0], max_steps=1, words=words) if line.strip()]
    return "\n".join(out)


def workflow_command(cmd: str, source: str, line: Optional[int], title: str, message: str) -> str:
    props: List[str] = []
    if source != STDIN:
        props.append(f"file={escape_property(source)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={escape_property(title)}")
    return f"::{cmd} {','.join(props)}::{escape_data(message)}"


def escape_data(value: str) -> str:
    """As @actions/core's escapeData."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """As @actions/core's escapeProperty."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
