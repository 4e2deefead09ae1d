"""`triage scan`'s plain-text dashboard: known problems by frequency, unknown failures, unreadable logs."""
from __future__ import annotations

from typing import List, Sequence

from triage.cli.batch import problem_counts
from triage.cli.render.common import printable
from triage.model import LogResult


def summary_text(results: Sequence[LogResult]) -> str:
    rows = problem_counts(results)
    unknown = [r for r in results if not r.error and not r.diagnoses]
    broken = [r for r in results if r.error]
    out: List[str] = []
    if rows:
        width = max(len(r[0]) for r in rows)
        out.append("Known problems (logs: any diagnosis / top one)")
        out.append(f"  {'any':>5} {'top':>5}  {'id':<{width}}  title  [example]")
        out += [f"  {n:>5} {t:>5}  {i:<{width}}  {printable(title, 80)}  [{ex}]" for i, n, t, title, ex in rows]
    if unknown:
        out += ["", f"No known problem ({len(unknown)} logs; the likely failure line):"]
        out += [_unknown_line(r) for r in unknown]
    if broken:
        out += ["", f"Unreadable ({len(broken)} logs):"]
        out += [f"  {r.source}: {r.error}" for r in broken]
    known = len(results) - len(unknown) - len(broken)
    out += ["", f"Totals: {len(results)} logs, {known} with a known problem ({len(rows)} distinct), "
                f"{len(unknown)} with none, {len(broken)} unreadable"]
    return "\n".join(out).lstrip("\n") + "\n"


def _unknown_line(result: LogResult) -> str:
    lf = result.likely_failure
    if lf is None:
        return f"  {result.source}: (no line looks like a failure)"
    return f"  {result.source}:{lf.line}: {printable(lf.text, 120)}"
