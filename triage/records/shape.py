"""LogResult -> dicts: the JSON output's shape, declared once for the CLI and the API alike."""
from __future__ import annotations

from typing import Any, Dict

from triage.model import Diagnosis, Evidence, LogResult


def diagnosis_dict(d: Diagnosis) -> Dict[str, Any]:
    return {
        "id": d.id, "title": d.title, "confidence": d.confidence, "severity": d.severity,
        "tags": list(d.tags), "summary": d.summary,
        "evidence": [evidence_dict(ev) for ev in d.evidence],
        "variables": dict(d.variables),
        "solutions": [{"title": s.title, "why": s.why, "steps": list(s.steps), "when": s.when,
                       "applies": s.applies, "applies_reason": s.applies_reason} for s in d.solutions],
        "fixable": d.fixable, "notes": list(d.notes), "refs": list(d.refs),
        **({"draft": True} if d.draft else {}),  # only on a draft entry's diagnosis (triage learn)
    }


def evidence_dict(ev: Evidence) -> Dict[str, Any]:
    return {"line": ev.line, "last_line": ev.last_line or ev.line, "count": ev.count, "text": ev.text,
            "signature": ev.signature, "kind": ev.kind, "score": ev.score, "ranks": list(ev.ranks)}


def result_dict(result: LogResult) -> Dict[str, Any]:
    """The body of a result (`triage --format json` lists these under "results")."""
    lf = result.likely_failure
    out: Dict[str, Any] = {"source": result.source, "diagnoses": [diagnosis_dict(d) for d in result.diagnoses],
                           "likely_failure": evidence_dict(lf) if lf else None,
                           "facts": dict(sorted(result.facts.items()))}
    if result.doctor is not None:  # `triage LOG --doctor`: the diagnoses checked on this machine
        out["doctor"] = [{"id": c.id, "verdict": c.verdict, "reason": c.reason, "facts": list(c.facts)}
                         for c in result.doctor]
        out["elsewhere"] = list(result.elsewhere)
    return out


def scan_record(result: LogResult) -> Dict[str, Any]:
    """One log's record, a line of `triage scan --format json`: path, error and the result body."""
    return {"path": result.source, "error": result.error, **result_dict(result)}
