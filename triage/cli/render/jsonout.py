"""Results -> JSON (`triage --format json`, and the records of `triage scan --format json`)."""
from __future__ import annotations

import json
from typing import Any, Dict, Sequence

from triage.model import Diagnosis, Evidence, LogResult

JSON_SCHEMA_VERSION = 1


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


def result_dict(result: LogResult) -> Dict[str, Any]:
    lf = result.likely_failure
    out: Dict[str, Any] = {"source": result.source, "diagnoses": [diagnosis_dict(d) for d in result.diagnoses],
                           "likely_failure": evidence_dict(lf) if lf else None}
    if result.doctor is not None:  # `triage LOG --doctor`: the diagnoses checked on this machine
        out["doctor"] = [{"id": c.id, "verdict": c.verdict, "reason": c.reason, "facts": list(c.facts)}
                         for c in result.doctor]
        out["elsewhere"] = list(result.elsewhere)
    return out


def json_report(results: Sequence[LogResult], version: str) -> str:
    doc = {"schema": JSON_SCHEMA_VERSION, "triage_version": version,
           "results": [result_dict(r) for r in results]}
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def json_lines(results: Sequence[LogResult]) -> str:
    """One JSON object per log (`triage scan --format json`): path, error and the result body."""
    return "".join(json.dumps({"path": r.source, "error": r.error, **result_dict(r)}, ensure_ascii=False) + "\n"
                   for r in results)
