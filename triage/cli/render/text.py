"""Diagnoses -> plain text and JSON. Pure functions returning strings; no rich here."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence

from triage.model import Diagnosis, Evidence

JSON_SCHEMA_VERSION = 1
_CONTROL = {c: None for c in range(32) if c not in (9,)}


@dataclass(frozen=True)
class Result:
    """What triage found in one log."""

    source: str
    diagnoses: Sequence[Diagnosis]
    likely_failure: Optional[Evidence] = None


def printable(text: str, limit: int = 300) -> str:
    """One display line: no control characters (a log's ESC codes must not drive the terminal)."""
    text = text.replace("\r", " ").replace("\n", " ⏎ ").translate(_CONTROL).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def where(ev: Evidence) -> str:
    span = f"line {ev.line}"
    if ev.last_line and ev.count > 1:
        span += f" (and {ev.count - 1} more, last {ev.last_line})"
    if ev.ranks:
        span += f" [ranks {', '.join(ev.ranks)}]"
    if ev.kind == "fuzzy":
        span += f" [fuzzy, {ev.score:.0f}% similar]"
    return span


def text_report(result: Result, verbose: bool = False) -> str:
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
        out += [""] + diagnosis_lines(i, d, verbose or i == 1)
    return "\n".join(out) + "\n"


def diagnosis_lines(i: int, d: Diagnosis, full: bool) -> List[str]:
    out = [f"{i}. {d.id}: {d.title}  (confidence {d.confidence:.2f}, {d.severity})"]
    out += [f"   {where(ev)}: {printable(ev.text)}" for ev in d.evidence]
    if not full:
        out.append(f"   run `triage explain {d.id}` for the fixes")
        return out
    out.append(f"   Why: {printable(d.summary, 1000)}")
    for j, s in enumerate(d.solutions, 1):
        when = f"  (when: {s.when})" if s.when else ""
        out.append(f"   Fix {j}: {s.title}{when}")
        out.append(f"      {s.why}")
        out += [f"      $ {step}" for step in s.steps]
    out += [f"   Note: {note}" for note in d.notes]
    out += [f"   See: {ref}" for ref in d.refs[:3]]
    if d.fixable:
        out.append(f"   An automatic fix exists: triage fix {d.id}")
    return out


def diagnosis_dict(d: Diagnosis) -> Dict[str, Any]:
    return {
        "id": d.id, "title": d.title, "confidence": d.confidence, "severity": d.severity,
        "tags": list(d.tags), "summary": d.summary,
        "evidence": [evidence_dict(ev) for ev in d.evidence],
        "variables": dict(d.variables),
        "solutions": [{"title": s.title, "why": s.why, "steps": list(s.steps), "when": s.when}
                      for s in d.solutions],
        "fixable": d.fixable, "notes": list(d.notes), "refs": list(d.refs),
    }


def evidence_dict(ev: Evidence) -> Dict[str, Any]:
    return {"line": ev.line, "last_line": ev.last_line or ev.line, "count": ev.count, "text": ev.text,
            "signature": ev.signature, "kind": ev.kind, "score": ev.score, "ranks": list(ev.ranks)}


def result_dict(result: Result) -> Dict[str, Any]:
    lf = result.likely_failure
    return {"source": result.source, "diagnoses": [diagnosis_dict(d) for d in result.diagnoses],
            "likely_failure": evidence_dict(lf) if lf else None}


def json_report(results: Sequence[Result], version: str) -> str:
    doc = {"schema": JSON_SCHEMA_VERSION, "triage_version": version,
           "results": [result_dict(r) for r in results]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
