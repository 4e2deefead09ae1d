"""An entry's `doctor:` rules against facts: confirmed, ruled_out or unknown, with a reason.

Three-valued: a condition that reads a fact not known here is neither true nor false. The first
rule whose conditions all hold decides; when none does the verdict is `unknown`, and the reason
names the facts that were missing (or the entry's own `unknown` text).
"""
from __future__ import annotations

import re
from typing import List, Mapping, Optional, Tuple

from triage.knowledge.doctorspec import DoctorCheck
from triage.knowledge.schema import DOCTOR_CONDITION
from triage.model import CheckResult

_VERSION = re.compile(r"v?(\d+(?:\.\d+)*)")
_PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")
UNKNOWN_VALUE = "(unknown)"


def evaluate(entry_id: str, check: DoctorCheck, facts: Mapping[str, str]) -> CheckResult:
    """The verdict of one entry's check; `facts` may hold log:<name> captures of the diagnosis."""
    missing: List[str] = []
    for rule in check.rules:
        results = [holds(c, facts) for c in rule.conditions]
        if all(r is True for r in results):
            return CheckResult(entry_id, rule.verdict, fill(rule.reason, facts), shown(check, facts))
        if False not in results:
            missing += [n for c in rule.conditions for n in names(c) if n not in facts and n not in missing]
    # the entry's own words, unless they quote a fact not known here (then say which are missing)
    known = check.unknown and all(n in facts for n in _PLACEHOLDER.findall(check.unknown))
    reason = fill(check.unknown, facts) if check.unknown and known else _unknown_reason(missing)
    return CheckResult(entry_id, "unknown", reason, shown(check, facts))


def holds(condition: str, facts: Mapping[str, str]) -> Optional[bool]:
    """True, False, or None when a fact it reads is not known."""
    m = DOCTOR_CONDITION.fullmatch(condition)
    if not m:
        return None
    left = facts.get(m.group("left"))
    right = facts.get(m.group("right_fact")) if m.group("right_fact") else m.group("right")
    if left is None or right is None:
        return None
    op = m.group("op")
    if op in ("has", "lacks"):
        present = right.lower() in (w.lower() for w in left.split())
        return present if op == "has" else not present
    a, b = version(left), version(right)
    if op in ("==", "!="):
        same = a == b if a is not None and b is not None else left.strip().lower() == right.strip().lower()
        return same if op == "==" else not same
    if a is None or b is None:
        return None
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def version(text: str) -> Optional[Tuple[int, ...]]:
    """A version's release numbers, padded so 12.1 == 12.1.0; None for a word such as 'none'."""
    m = _VERSION.fullmatch(text.strip().split("+")[0]) or _VERSION.match(text.strip())
    if not m or (m.end() < len(text.strip()) and text.strip()[m.end()] not in "+-~abcrdp."):
        return None
    parts = tuple(int(p) for p in m.group(1).split("."))
    return parts + (0,) * (4 - len(parts)) if len(parts) < 4 else parts


def names(condition: str) -> List[str]:
    m = DOCTOR_CONDITION.fullmatch(condition)
    return [n for n in (m.group("left"), m.group("right_fact")) if n] if m else []


def fill(template: str, facts: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: facts.get(m.group(1), UNKNOWN_VALUE), template)


def shown(check: DoctorCheck, facts: Mapping[str, str]) -> Tuple[str, ...]:
    return tuple(f"{name}={facts.get(name, UNKNOWN_VALUE)}" for name in check.facts)


def _unknown_reason(missing: List[str]) -> str:
    from_log = [n[4:] for n in missing if n.startswith("log:")]
    here = [n for n in missing if not n.startswith("log:")]
    parts = ([f"not known here: {', '.join(here)}"] if here else []) + \
            ([f"needs the log's {', '.join(from_log)} (run `triage LOG --doctor`)"] if from_log else [])
    return "; ".join(parts) or "no rule decides with the facts found here"
