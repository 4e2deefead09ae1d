"""The `doctor:` block of a KB entry: how `triage doctor` checks the problem on a machine.

Data, not code: an ordered list of rules, each a verdict (confirmed / ruled_out), conditions on
facts (`{torch_cuda} > {cuda_driver}`) and a one-line reason; plus scenarios (facts -> verdict)
that run as tests, at least one that confirms and one that rules out. The facts themselves are
collected by triage/doctor/, which the KB never imports: this module only checks the shape.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Tuple

from triage.knowledge.schema import (
    DOCTOR_CONDITION,
    DOCTOR_KEYS,
    DOCTOR_RULE_KEYS,
    DOCTOR_SCENARIO_KEYS,
    DOCTOR_VERDICTS,
    FACT_NAME,
    Checker,
)

_FACT = re.compile(FACT_NAME)
_PLACEHOLDER = re.compile(r"\{([^{}\s]+)\}")


@dataclass(frozen=True)
class DoctorRule:
    """One way an entry's check can end: when every condition holds, `verdict` with `reason`.
    A condition is `{fact} OP value` (see knowledge/schema.py DOCTOR_CONDITION)."""

    verdict: str  # confirmed or ruled_out
    conditions: Tuple[str, ...]
    reason: str  # may hold {fact} placeholders


@dataclass(frozen=True)
class DoctorScenario:
    """A machine described by its facts (and the log's captures) and the verdict it must get."""

    verdict: str
    facts: Mapping[str, str] = field(default_factory=dict)
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DoctorCheck:
    """How `triage doctor` checks an entry on a machine: rules tried in order, the first that holds
    decides; none holding means `unknown`. Scenarios run as tests like examples."""

    rules: Tuple[DoctorRule, ...]
    facts: Tuple[str, ...] = ()  # the facts shown with the verdict (default: those the rules read)
    unknown: Optional[str] = None  # the reason given when no rule decides (default: the facts missing)
    scenarios: Tuple[DoctorScenario, ...] = ()


def parse_doctor(check: Checker, raw: Any) -> DoctorCheck:
    check.keys(raw, DOCTOR_KEYS, "doctor")
    rules = tuple(_rule(check, item, i) for i, item in enumerate(check.list(raw, "rules", "doctor")))
    if not rules:
        check.fail("doctor.rules", "needs at least one rule (verdict, if, reason)")
    facts = tuple(check.strings(raw, "facts", "doctor"))
    for j, name in enumerate(facts):
        if not _FACT.fullmatch(name):
            check.fail(f"doctor.facts[{j}]", f"'{name}' is not a fact name (torch_cuda, package:torch, log:glibcxx)")
    unknown = check.optional_text(raw, "unknown", "doctor")
    scenarios = tuple(_scenario(check, item, i) for i, item in enumerate(check.list(raw, "scenarios", "doctor")))
    missing = [v for v in DOCTOR_VERDICTS if v not in {s.verdict for s in scenarios}]
    if missing:
        check.fail("doctor.scenarios", f"needs a scenario for each verdict; none ends {', '.join(missing)}")
    return DoctorCheck(rules=rules, facts=facts or read_facts(rules), unknown=unknown, scenarios=scenarios)


def read_facts(rules: Tuple[DoctorRule, ...]) -> Tuple[str, ...]:
    """Every fact the rules' conditions read, in order of first use."""
    seen: List[str] = []
    for rule in rules:
        for condition in rule.conditions:
            m = DOCTOR_CONDITION.fullmatch(condition)
            for name in (m.group("left"), m.group("right_fact")) if m else ():
                if name and name not in seen:
                    seen.append(name)
    return tuple(seen)


def _verdict(check: Checker, raw: Mapping[str, Any], where: str) -> str:
    verdict = raw.get("verdict")
    if verdict not in DOCTOR_VERDICTS:
        check.fail(f"{where}.verdict", f"must be one of {', '.join(DOCTOR_VERDICTS)}")
    return str(verdict)


def _rule(check: Checker, raw: Any, i: int) -> DoctorRule:
    where = f"doctor.rules[{i}]"
    check.keys(raw, DOCTOR_RULE_KEYS, where)
    verdict = _verdict(check, raw, where)
    conditions = check.strings(raw, "if", where)
    if not conditions:
        check.fail(f"{where}.if", "needs at least one condition such as '{torch_cuda} == none'")
    for j, condition in enumerate(conditions):
        if not DOCTOR_CONDITION.fullmatch(condition.strip()):
            check.fail(f"{where}.if[{j}]", "must read '{fact} OP value' with OP one of ==, !=, <, <=, >, >=, "
                                           "has, lacks and value a word or another {fact}")
    reason = check.text(raw, "reason", where)
    for name in _PLACEHOLDER.findall(reason):
        if not _FACT.fullmatch(name):
            check.fail(f"{where}.reason", f"'{{{name}}}' is not a fact name")
    return DoctorRule(verdict=verdict, conditions=tuple(c.strip() for c in conditions), reason=reason.strip())


def _scenario(check: Checker, raw: Any, i: int) -> DoctorScenario:
    where = f"doctor.scenarios[{i}]"
    check.keys(raw, DOCTOR_SCENARIO_KEYS, where)
    verdict = raw.get("verdict")
    if verdict not in (*DOCTOR_VERDICTS, "unknown"):
        check.fail(f"{where}.verdict", "must be confirmed, ruled_out or unknown")
    return DoctorScenario(verdict=str(verdict), facts=_strings(check.mapping(raw, "facts", where)),
                          variables=_strings(check.mapping(raw, "vars", where)))


def _strings(values: Mapping[str, Any]) -> Dict[str, str]:
    return {str(k): str(v) for k, v in values.items()}
