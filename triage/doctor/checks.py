"""Check KB entries on a machine: all that declare a check, chosen ids, or a log's diagnoses."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from triage.doctor.verdict import evaluate
from triage.errors import TriageError
from triage.model import CheckResult, Diagnosis, KnowledgeBase

NO_CHECK = "this entry declares no check (no doctor: block in its KB file)"


@dataclass(frozen=True)
class DoctorReport:
    """What `triage doctor` prints: the facts found and each check's verdict."""

    facts: Mapping[str, str]
    checks: Tuple[CheckResult, ...] = ()
    notes: Tuple[str, ...] = field(default=())  # what was looked at (interpreter, --live or not)


def check_entries(kb: KnowledgeBase, facts: Mapping[str, str], ids: Sequence[str] = ()) -> List[CheckResult]:
    """The verdict of each entry with a check (or of each id asked for, in that order)."""
    if not ids:
        return [evaluate(e.id, e.doctor, facts) for e in kb.entries if e.doctor is not None]
    unknown = [i for i in ids if kb.get(i) is None]
    if unknown:
        raise TriageError(f"no KB entry named {', '.join(unknown)} (see `triage kb list`)")
    out = []
    for entry_id in dict.fromkeys(ids):
        entry = kb.get(entry_id)
        check = entry.doctor if entry else None
        out.append(evaluate(entry_id, check, facts) if check else CheckResult(entry_id, "unknown", NO_CHECK))
    return out


def check_diagnoses(kb: KnowledgeBase, facts: Mapping[str, str], diagnoses: Sequence[Diagnosis]) -> List[CheckResult]:
    """Each diagnosis whose entry declares a check, with the log's captures as log:<name> facts."""
    out = []
    for d in diagnoses:
        entry = kb.get(d.id)
        if entry is not None and entry.doctor is not None:
            out.append(evaluate(d.id, entry.doctor, with_log(facts, d.variables)))
    return out


def with_log(facts: Mapping[str, str], variables: Optional[Mapping[str, str]]) -> Dict[str, str]:
    merged = dict(facts)
    merged.update({f"log:{k}": v for k, v in (variables or {}).items() if v})
    return merged


def scenario_failures(kb: KnowledgeBase) -> List[str]:
    """Each `doctor:` scenario whose facts do not lead to the verdict it states (for `triage kb lint`)."""
    out = []
    for entry in kb.entries:
        check = entry.doctor
        if check is None:
            continue
        for i, scenario in enumerate(check.scenarios):
            got = evaluate(entry.id, check, with_log(scenario.facts, scenario.variables))
            if got.verdict != scenario.verdict:
                out.append(f"{entry.path}: {entry.id}::doctor[{i}]: {got.verdict}, not {scenario.verdict} ({got.reason})")
    return out
