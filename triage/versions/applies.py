"""Whether a solution applies: its `applies_if` checked against facts -> True, False or None.

Three-valued: a condition whose fact is unknown leaves the answer unknown (None) unless another
condition already fails. A diagnosis' solutions are then ordered: those that apply, the unknown,
those that do not (shown as such, never dropped); the KB's order is kept within each group, so
checking again with more facts (the machine's) orders them afresh.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from triage.model import AppliesIf, Diagnosis, Solution
from triage.versions.ranges import dist_name, satisfies

Verdict = Tuple[Optional[bool], Optional[str]]  # (applies, the facts that decided it or what is missing)
_FLAGS = {"true": "true", "yes": "true", "1": "true", "false": "false", "no": "false", "0": "false"}


def normal_facts(facts: Mapping[str, object]) -> Dict[str, str]:
    """Facts with package names as PEP 503 compares them and flags as true/false, whoever made them."""
    out: Dict[str, str] = {}
    for key, value in facts.items():
        if value is None:
            continue
        text = str(value).strip()
        if key.startswith("package:"):
            out["package:" + dist_name(key[len("package:"):])] = text
        elif key in ("conda", "container"):
            out[key] = _FLAGS.get(text.lower(), text.lower())
        else:
            out[key] = text.lower() if key == "platform" else text
    return out


def merged(log: Mapping[str, str], extra: Optional[Mapping[str, object]]) -> Dict[str, str]:
    """The log's facts, overridden by facts from elsewhere (the machine itself, the caller)."""
    return {**normal_facts(log), **normal_facts(extra or {})}


def evaluate(cond: Optional[AppliesIf], facts: Mapping[str, str]) -> Verdict:
    if cond is None:
        return None, None
    held: List[str] = []
    missing: List[str] = []
    checks = [(f"package:{dist_name(name)}", name, spec) for name, spec in cond.packages.items()]
    if cond.python:
        checks.append(("python", "Python", cond.python))
    for key, label, spec in checks:
        version = facts.get(key)
        if version is None:
            missing.append(f"{label} version")
        elif not satisfies(version, spec):
            return False, f"{label} {version} (wants {spec})"
        else:
            held.append(f"{label} {version}")
    for key, wanted, shown in _flags(cond):
        have = facts.get(key)
        if have is None:
            missing.append(key)
        elif have not in wanted:
            return False, f"{key} {have} (wants {shown})"
        else:
            held.append(f"{key} {have}" if key == "platform" else f"{key}: {have}")
    if missing:
        return None, ", ".join(missing) + " unknown"
    return True, ", ".join(held)


def _flags(cond: AppliesIf) -> List[Tuple[str, Sequence[str], str]]:
    out: List[Tuple[str, Sequence[str], str]] = []
    if cond.platform:
        out.append(("platform", cond.platform, " or ".join(cond.platform)))
    for key, flag in (("conda", cond.conda), ("container", cond.container)):
        if flag is not None:
            out.append((key, ["true" if flag else "false"], "true" if flag else "false"))
    return out


_ORDER = {True: 0, None: 1, False: 2}


def checked(solutions: Sequence[Solution], facts: Mapping[str, str]) -> Tuple[Solution, ...]:
    """Each solution with `applies` set, those that apply first and those that do not last."""
    out = []
    for s in solutions:
        applies, reason = evaluate(s.applies_if, facts)
        out.append(replace(s, applies=applies, applies_reason=reason))
    return tuple(sorted(out, key=lambda s: (_ORDER[s.applies], s.position)))


def annotate(diagnoses: Sequence[Diagnosis], facts: Mapping[str, str]) -> List[Diagnosis]:
    return [replace(d, solutions=checked(d.solutions, facts)) for d in diagnoses]
