"""Results -> the plain text report (what a pipe or a CI log shows)."""
from __future__ import annotations

from typing import List, Sequence

from triage.cli.render.common import STDIN, apply_command, printable, severity, solution_lines, where
from triage.i18n.words import ENGLISH, Words
from triage.model import Diagnosis, LogResult


def text_reports(results: Sequence[LogResult], version: str, verbose: bool = False, words: Words = ENGLISH) -> str:
    return "\n".join(text_report(r, verbose, words) for r in results)


def text_report(result: LogResult, verbose: bool = False, words: Words = ENGLISH) -> str:
    _ = words.gettext
    out: List[str] = []
    if not result.diagnoses:
        out.append(_("triage: no known problem found in {source}.").format(source=result.source))
        if result.likely_failure:
            out.append(_("The line that most looks like the failure (a place to start):"))
            out.append(f"  {where_line(result.likely_failure.line, words)}: {printable(result.likely_failure.text)}")
        return "\n".join(out) + "\n"
    n = len(result.diagnoses)
    out.append(words.ngettext("triage: {n} known problem in {source}, most likely first",
                              "triage: {n} known problems in {source}, most likely first", n)
               .format(n=n, source=result.source))
    for i, d in enumerate(result.diagnoses, 1):
        out += [""] + diagnosis_lines(i, d, verbose or i == 1, result.source, words)
    if result.doctor is not None:
        from triage.cli.render.doctor import doctor_lines

        out += [""] + doctor_lines(result.doctor, result.elsewhere)
    return "\n".join(out) + "\n"


def where_line(line: int, words: Words = ENGLISH) -> str:
    return words.gettext("line {line}").format(line=line)


def confidence_text(d: Diagnosis, words: Words = ENGLISH) -> str:
    """`(confidence 0.97, error)`: how sure, and how bad."""
    return words.gettext("(confidence {confidence}, {severity})").format(confidence=f"{d.confidence:.2f}",
                                                                          severity=severity(d, words))


def diagnosis_lines(i: int, d: Diagnosis, full: bool, source: str = STDIN, words: Words = ENGLISH) -> List[str]:
    _ = words.gettext
    out = [f"{i}. {d.id}: {d.title}  {confidence_text(d, words)}"]
    out += [f"   {where(ev, words)}: {printable(ev.text)}" for ev in d.evidence]
    if not full:
        out.append("   " + _("run `triage explain {id}` for the fixes").format(id=d.id))
        return out
    out.append("   " + _("Why: {summary}").format(summary=printable(d.summary, 1000)))
    for j, s in enumerate(d.solutions, 1):
        out += ["   " + line for line in solution_lines(j, s, words=words)]
    out += ["   " + _("Note: {note}").format(note=note) for note in d.notes]
    out += ["   " + _("See: {ref}").format(ref=ref) for ref in d.refs[:3]]
    if d.fixable:
        out.append("   " + _("triage can apply a fix itself: {command}   (shows the change; --apply writes it)")
                   .format(command=apply_command(d, source)))
    return out
