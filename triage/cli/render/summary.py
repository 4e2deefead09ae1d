"""`triage scan`'s plain-text dashboard: known problems by frequency, unknown failures, unreadable logs."""
from __future__ import annotations

from typing import List, Sequence

from triage.cli.batch import problem_counts
from triage.cli.render.common import printable
from triage.i18n.words import ENGLISH, Words
from triage.model import LogResult


def summary_text(results: Sequence[LogResult], words: Words = ENGLISH) -> str:
    _ = words.gettext
    rows = problem_counts(results)
    unknown = [r for r in results if not r.error and not r.diagnoses]
    broken = [r for r in results if r.error]
    out: List[str] = []
    if rows:
        width = max(len(r[0]) for r in rows)
        out.append(_("Known problems (logs: any diagnosis / top one)"))
        any_, top = _("any"), _("top")
        out.append(f"  {any_:>5} {top:>5}  {'id':<{width}}  " + _("title  [example]"))
        out += [f"  {n:>5} {t:>5}  {i:<{width}}  {printable(title, 80)}  [{ex}]" for i, n, t, title, ex in rows]
    if unknown:
        out += ["", _("No known problem ({n} logs; the likely failure line):").format(n=len(unknown))]
        out += [_unknown_line(r, words) for r in unknown]
    if broken:
        out += ["", _("Unreadable ({n} logs):").format(n=len(broken))]
        out += [f"  {r.source}: {r.error}" for r in broken]
    known = len(results) - len(unknown) - len(broken)
    out += ["", _("Totals: {logs} logs, {known} with a known problem ({distinct} distinct), "
                  "{none} with none, {broken} unreadable").format(logs=len(results), known=known, distinct=len(rows),
                                                                   none=len(unknown), broken=len(broken))]
    return "\n".join(out).lstrip("\n") + "\n"


def _unknown_line(result: LogResult, words: Words = ENGLISH) -> str:
    lf = result.likely_failure
    if lf is None:
        return f"  {result.source}: " + words.gettext("(no line looks like a failure)")
    return f"  {result.source}:{lf.line}: {printable(lf.text, 120)}"
