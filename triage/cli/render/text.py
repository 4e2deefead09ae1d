"""Results -> the plain text report (what a pipe or a CI log shows)."""
from __future__ import annotations

from typing import List, Sequence

from triage.cli.render.common import STDIN, apply_command, printable, solution_lines, where
from triage.model import Diagnosis, LogResult


def text_reports(results: Sequence[LogResult], version: str, verbose: bool = False) -> str:
    return "\n".join(text_report(r, verbose) for r in results)


def text_report(result: LogResult, verbose: bool = False) -> str:
    out: List[str] = []
    if not result.diagnoses:
        out.append(f"triage: no known problem found in {result.source}.")
        if result.likely_failure:
            out.append("The line that most looks like the failure (a place to start):")
            out.append(f"  line {result.likely_failure.line}: {printable(result.likely_failure.text)}")
        return "\n".join(out) + "\n"
    n = len(result.diagnoses)
    out.append(f"triage: {n} known problem{'s' if n > 1 else ''} in {result.source}, most likely first")
    for i, d in enumerate(result.diagnoses, 1):
        out += [""] + diagnosis_lines(i, d, verbose or i == 1, result.source)
    if result.doctor is not None:
        from triage.cli.render.doctor import doctor_lines

        out += [""] + doctor_lines(result.doctor, result.elsewhere)
    return "\n".join(out) + "\n"


def diagnosis_lines(i: int, d: Diagnosis, full: bool, source: str = STDIN) -> List[str]:
    out = [f"{i}. {d.id}: {d.title}  (confidence {d.confidence:.2f}, {d.severity})"]
    out += [f"   {where(ev)}: {printable(ev.text)}" for ev in d.evidence]
    if not full:
        out.append(f"   run `triage explain {d.id}` for the fixes")
        return out
    out.append(f"   Why: {printable(d.summary, 1000)}")
    for j, s in enumerate(d.solutions, 1):
        out += ["   " + line for line in solution_lines(j, s)]
    out += [f"   Note: {note}" for note in d.notes]
    out += [f"   See: {ref}" for ref in d.refs[:3]]
    if d.fixable:
        out.append(f"   triage can apply a fix itself: {apply_command(d, source)}   (shows the change; --apply writes it)")
    return out
