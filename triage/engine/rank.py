"""Hits -> ordered, de-duplicated diagnoses, in bounded memory.

Order: confidence (specificity and corroboration raise it), then the entry's priority,
then where it first appears, then id. A declared root cause always precedes what it causes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Dict, List, Mapping, Optional, Set, Tuple

from triage.engine.match import Hit
from triage.engine.normalize import Line
from triage.limits import DRAFT_CONFIDENCE_CAP
from triage.model import Diagnosis, Entry, Evidence, Solution

MAX_EVIDENCE = 8  # distinct messages kept per diagnosis; repeats are counted, not listed
MAX_RANKS = 64  # ranks remembered per message
MAX_NUMBERS = 10_000  # line numbers remembered per message; beyond, only later lines count
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_DIGITS = re.compile(r"\d+")


@dataclass
class _Message:
    line: Line
    signature: str
    kind: str
    score: Optional[float]
    first: int
    last: int
    count: int = 0
    ranks: Set[str] = field(default_factory=set)
    numbers: Set[int] = field(default_factory=set)  # for de-duplication, capped at MAX_NUMBERS


@dataclass
class _Found:
    entry: Entry
    best: float = 0.0
    signatures: Set[str] = field(default_factory=set)
    corroborated: bool = False
    first_line: int = 1 << 62
    variables: Dict[str, Tuple[float, str]] = field(default_factory=dict)
    messages: Dict[str, _Message] = field(default_factory=dict)


class Accumulator:
    """Folds hits into one record per entry as they arrive, chunk after chunk."""

    def __init__(self) -> None:
        self.found: Dict[str, _Found] = {}

    def add(self, hit: Hit) -> None:
        if hit.entry.lookup is not None and not hit.entry.lookup.speaks_for(hit.variables):
            return  # an entry whose table does not list the captured key says nothing about it
        f = self.found.setdefault(hit.entry.id, _Found(hit.entry))
        f.best = max(f.best, hit.confidence)
        if hit.kind == "regex":
            f.signatures.add(hit.signature)
        f.corroborated |= bool(hit.support)
        f.first_line = min(f.first_line, hit.lines[0].number)
        strength = hit.confidence + (1.0 if hit.kind == "regex" else 0.0)
        for key, value in hit.variables.items():
            if key not in f.variables or strength > f.variables[key][0]:
                f.variables[key] = (strength, value.strip())
        for line in hit.lines:
            self._message(f, line, hit.signature, hit)
        for line in hit.support:
            self._message(f, line, hit.signature + ":corroboration", hit)

    def _message(self, f: _Found, line: Line, signature: str, hit: Hit) -> None:
        # one message printed by many ranks differs only in numbers (GPU 3, rank 3, pid ...)
        key = _DIGITS.sub("#", line.text.strip())
        msg = f.messages.get(key)
        if msg is None:
            if len(f.messages) >= MAX_EVIDENCE:
                return
            msg = f.messages[key] = _Message(line, signature, hit.kind, hit.score, line.number, line.number)
        n = line.number
        if n in msg.numbers or (len(msg.numbers) >= MAX_NUMBERS and n <= msg.last):
            return
        if len(msg.numbers) < MAX_NUMBERS:
            msg.numbers.add(n)
        msg.count += 1
        msg.first, msg.last = min(msg.first, n), max(msg.last, n)
        if line.rank is not None and len(msg.ranks) < MAX_RANKS:
            msg.ranks.add(line.rank)

    def diagnoses(self) -> List[Diagnosis]:
        scored = demote_consequences({eid: confidence_of(f) for eid, f in self.found.items()},
                                     {eid: f.entry for eid, f in self.found.items()})
        order = sorted(self.found, key=lambda eid: (-scored[eid], -self.found[eid].entry.priority,
                                                    self.found[eid].first_line, eid))
        return [diagnosis_of(self.found[eid], scored[eid]) for eid in order]


def confidence_of(f: _Found) -> float:
    extra = 0.04 * max(0, len(f.signatures) - 1) + (0.03 if f.corroborated else 0.0)
    return round(min(DRAFT_CONFIDENCE_CAP if f.entry.draft else 0.99, f.best + extra), 3)


def demote_consequences(scored: Dict[str, float], entries: Mapping[str, Entry]) -> Dict[str, float]:
    """A consequence never outranks a root cause found in the same log."""
    scored = dict(scored)
    for _ in range(len(scored)):
        changed = False
        for eid, entry in entries.items():
            for target in entry.causes:
                if target in scored and scored[target] >= scored[eid]:
                    scored[target] = round(max(0.01, scored[eid] - 0.01), 3)
                    changed = True
        if not changed:
            break
    return scored


def diagnosis_of(f: _Found, confidence: float) -> Diagnosis:
    entry = f.entry
    variables = {k: v for k, (_, v) in f.variables.items()}
    values = values_of(entry, variables)
    return Diagnosis(
        id=entry.id, title=entry.title, confidence=confidence, evidence=evidence_of(f), variables=variables,
        solutions=tuple(render_solution(s, values) for s in entry.solutions),
        fixable=entry.fix is not None, summary=fill(entry.summary.strip(), values), severity=entry.severity,
        tags=entry.tags, notes=entry.notes, refs=entry.refs, draft=entry.draft,
    )


def values_of(entry: Entry, variables: Mapping[str, str]) -> Dict[str, str]:
    """What solutions are filled with: captures, over the row the entry's lookup finds for a
    captured key, over the entry's defaults. Defaults and table cells may name other variables
    ({module}, {package}); they are filled a few rounds deep, captures never."""
    row: Mapping[str, str] = {}
    if entry.lookup is not None and entry.lookup.key in variables:
        row = entry.lookup.row(variables[entry.lookup.key]) or {}
    values = {**entry.defaults, **row, **variables}
    for _ in range(3):
        values = {k: v if k in variables else fill(v, values) for k, v in values.items()}
    return values


def evidence_of(f: _Found) -> Tuple[Evidence, ...]:
    out = [Evidence(line=m.first, text=m.line.raw, signature=m.signature, kind=m.kind, score=m.score,
                    count=m.count, last_line=m.last if m.count > 1 else None,
                    ranks=tuple(sorted(m.ranks, key=_rank_key)))
           for m in f.messages.values()]
    return tuple(sorted(out, key=lambda e: e.line))


def _rank_key(rank: str) -> Tuple[int, str]:
    return (int(rank), "") if rank.isdigit() else (1 << 30, rank)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace {name} with a captured (or default) value; unknown names stay as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def render_solution(solution: Solution, values: Mapping[str, str]) -> Solution:
    return replace(solution, title=fill(solution.title, values), why=fill(solution.why, values),
                   steps=tuple(step for step in (fill(s, values) for s in solution.steps) if step.strip()),
                   when=fill(solution.when, values) if solution.when else None)
