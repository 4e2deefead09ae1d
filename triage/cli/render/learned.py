"""`triage learn`'s summary: clusters found, logs per cluster, drafts written, logs left alone."""
from __future__ import annotations

from typing import Dict

from triage.cli.render.common import printable
from triage.learn.plan import Learned, Outcome

MAX_ROWS = 30  # clusters listed; the rest are counted


def learn_summary(report: Learned, status: Dict[str, str], out: str, healthy_logs: int) -> str:
    undiagnosed = report.logs - report.diagnosed - len(report.unreadable)
    messages = sum(len(c.members) for c in report.clusters)
    lines = [f"triage learn: {report.logs} logs, {report.diagnosed} diagnosed by the KB, {undiagnosed} not "
             f"({messages} with a failure line, {len(report.no_failure)} without)"
             + (f", {len(report.unreadable)} unreadable" if report.unreadable else "")]
    if report.clusters:
        lines += [f"{messages} failure messages in {len(report.clusters)} clusters:", "  logs  cluster"]
        lines += [_row(c, status) for c in report.clusters[:MAX_ROWS]]
        if len(report.clusters) > MAX_ROWS:
            rest = report.clusters[MAX_ROWS:]
            lines.append(f"     …  {len(rest)} more clusters of {sum(len(c.members) for c in rest)} logs")
    written = [i for i, s in status.items() if s == "written"]
    left = sum(len(c.members) for c in report.clusters if c.draft is None)
    lines.append(f"{len(written)} draft{'s' * (len(written) != 1)} written to {out}"
                 + (f" ({len(status) - len(written)} already there)" if len(status) > len(written) else "")
                 + f"; logs left alone: {left} in clusters not drafted, {len(report.no_failure)} without a failure "
                   f"line, {len(report.unreadable)} unreadable.")
    if not healthy_logs:
        lines.append("No healthy logs to take no_match lines from and check the regexes on: pass --healthy.")
    if report.drafts:
        lines.append(f"Next: edit them, `triage kb lint --kb {out}`, then `triage --kb {out} LOG`.")
    return "\n".join(lines) + "\n"


def _row(c: Outcome, status: Dict[str, str]) -> str:
    n = len(c.members)
    if c.draft is None:
        return f"  {n:4}  {printable(c.title, 90)}  (not drafted: {c.why_not})"
    near = f"; extend entry {c.draft.near.entry}? ({c.draft.near.score:.0f}% similar)" if c.draft.near else ""
    near += "; generic: little constant text besides the names" if c.draft.generic else ""
    return f"  {n:4}  {c.draft.id}  ({status.get(c.draft.id, 'not written')}{near})\n" \
           f"        {printable(c.draft.title, 100)}"
