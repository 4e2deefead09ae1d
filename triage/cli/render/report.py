"""`triage report`: one log's diagnosis as a Markdown bundle to paste into a GitHub issue.

Pure: the command reads the log and the KB; this builds the text. Every piece of log text goes
through the run's Redactor, and the top of the report says what was masked (counts, not values).
"""
from __future__ import annotations

from typing import List, Sequence

from triage.cli.render.common import inline_code, md_escape, solution_lines, where
from triage.cli.render.markdown import fenced
from triage.model import Diagnosis, Evidence, LogResult
from triage.redact import Redactor, redact_result


def report_markdown(result: LogResult, lines: Sequence[str], redactor: Redactor, version: str, kb_hash: str,
                    kb_size: int, context: int = 3) -> str:
    """The report for `result`, whose log's lines are `lines` (raw, numbered from 1)."""
    safe = redact_result(result, redactor)
    body: List[str] = []
    for i, (raw, d) in enumerate(zip(result.diagnoses, safe.diagnoses), 1):
        body += diagnosis_section(i, raw, d, lines, redactor, context)
    shown = {ev.line for d in result.diagnoses for ev in d.evidence}
    if result.likely_failure and safe.likely_failure and result.likely_failure.line not in shown:
        body += ["## The line that most looks like the failure", ""]
        body += evidence_block(result.likely_failure, safe.likely_failure, lines, redactor, context)
    if not result.diagnoses:
        body = ["No known problem was found in this log.", ""] + body
    head = [f"# triage report: {md_escape(safe.source)}", "",
            f"triage {md_escape(version)}, knowledge base {inline_code(kb_hash)} ({kb_size} entries), "
            f"{len(result.diagnoses)} known problem{'' if len(result.diagnoses) == 1 else 's'} found.", ""]
    return "\n".join(head + masked_section(redactor) + body).rstrip("\n") + "\n"


def masked_section(redactor: Redactor) -> List[str]:
    out = ["## What was masked", ""]
    counts = redactor.masked()
    if not counts:
        return out + ["Nothing in the text below looked like a secret; it is shown as in the log.", ""]
    out += ["Replaced before this report was written (how many, never the values):", "",
            "| what | replaced |", "|---|---|"]
    out += [f"| {inline_code(name)} | {n} |" for name, n in counts.items()]
    return out + [""]


def diagnosis_section(i: int, raw: Diagnosis, d: Diagnosis, lines: Sequence[str], redactor: Redactor,
                      context: int) -> List[str]:
    out = [f"## {i}. {md_escape(d.title)}", "",
           f"{inline_code(d.id)}, {d.severity}, confidence {d.confidence:.2f}", ""]
    if d.summary:
        out += [md_escape(d.summary), ""]
    for raw_ev, ev in zip(raw.evidence, d.evidence):
        out += evidence_block(raw_ev, ev, lines, redactor, context)
    for j, s in enumerate(d.solutions, 1):
        out += solution_lines(j, s, markdown=True) + [""]
    if d.refs:
        out += ["See: " + ", ".join(d.refs[:3]), ""]
    return out


def evidence_block(raw: Evidence, ev: Evidence, lines: Sequence[str], redactor: Redactor, context: int) -> List[str]:
    """The evidence line with `context` lines either side, numbered, redacted as one block
    (so a secret that spans lines, a private key, is seen whole)."""
    first = max(1, raw.line - context)
    last = min(len(lines), (raw.last_line or raw.line) + context)
    if first > last:  # the line is not in `lines` (should not happen): show the evidence alone
        return [f"{where(ev)}:", ""] + fenced(ev.text) + [""]
    block = redactor.text("\n".join(lines[first - 1:last])).split("\n")
    # "17 > " marks the evidence line, "16 | " its context (a fence strips leading spaces)
    numbered = [f"{n} {'>' if n in (raw.line, raw.last_line) else '|'} {text}"
                for n, text in zip(range(first, last + 1), block)]
    return [f"{where(ev)}:", ""] + fenced("\n".join(numbered)) + [""]
