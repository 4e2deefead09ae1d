"""Hits -> ordered, de-duplicated diagnoses.

Order: confidence (specificity and corroboration raise it), then the entry's priority,
then where it first appears, then id. A declared root cause always precedes what it causes.
"""
from __future__ import annotations

from typing import Dict, List, Mapping, Sequence, Tuple

import regex

from .match import Document, Hit
from .model import Diagnosis, Entry, Evidence, RenderedSolution, Solution

MAX_EVIDENCE = 8  # distinct messages kept per diagnosis; repeats are counted, not listed
_PLACEHOLDER = regex.compile(r"\{(\w+)\}")


def rank(hits: Sequence[Hit], doc: Document) -> List[Diagnosis]:
    groups: Dict[str, List[Hit]] = {}
    for hit in hits:
        groups.setdefault(hit.entry.id, []).append(hit)
    scored = {eid: confidence_of(group) for eid, group in groups.items()}
    scored = demote_consequences(scored, {eid: g[0].entry for eid, g in groups.items()})
    order = sorted(groups, key=lambda eid: (-scored[eid], -groups[eid][0].entry.priority,
                                            min(h.lines[0] for h in groups[eid]), eid))
    return [diagnosis_of(groups[eid], scored[eid], doc) for eid in order]


def confidence_of(group: Sequence[Hit]) -> float:
    best = max(h.confidence for h in group)
    distinct = len({h.signature for h in group if h.kind == "regex"})
    corroborated = any(h.support for h in group)
    return round(min(0.99, best + 0.04 * max(0, distinct - 1) + (0.03 if corroborated else 0.0)), 3)


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


def diagnosis_of(group: Sequence[Hit], confidence: float, doc: Document) -> Diagnosis:
    entry = group[0].entry
    ordered = sorted(group, key=lambda h: (h.kind != "regex", -h.confidence, h.lines[0]))
    variables: Dict[str, str] = {}
    for hit in ordered:
        for key, value in hit.variables.items():
            variables.setdefault(key, value.strip())
    values = {**entry.defaults, **variables}
    return Diagnosis(
        id=entry.id, title=entry.title, confidence=confidence,
        evidence=evidence_of(ordered, doc), variables=variables,
        solutions=tuple(render_solution(s, values) for s in entry.solutions),
        fixable=entry.fix is not None, summary=fill(entry.summary.strip(), values), severity=entry.severity,
        tags=entry.tags, notes=entry.notes, refs=entry.refs,
    )


def evidence_of(hits: Sequence[Hit], doc: Document) -> Tuple[Evidence, ...]:
    found: Dict[str, Dict] = {}
    for hit in hits:
        lines = [(i, hit.signature) for i in hit.lines] + [(i, hit.signature + ":corroboration") for i in hit.support]
        for i, signature in lines:
            line = doc.lines[i]
            key = line.text.strip()
            item = found.get(key)
            if item is None:
                if len(found) >= MAX_EVIDENCE:
                    continue
                item = found[key] = {"line": line, "signature": signature, "hit": hit, "numbers": set(), "ranks": set()}
            item["numbers"].add(line.number)
            if line.rank is not None:
                item["ranks"].add(line.rank)
    out = []
    for item in found.values():
        line, hit = item["line"], item["hit"]
        numbers = sorted(item["numbers"])
        out.append(Evidence(line=numbers[0], text=line.raw, signature=item["signature"], kind=hit.kind,
                            score=hit.score, count=len(numbers),
                            last_line=numbers[-1] if len(numbers) > 1 else None,
                            ranks=tuple(sorted(item["ranks"], key=_rank_key))))
    return tuple(sorted(out, key=lambda e: e.line))


def _rank_key(rank: str) -> Tuple[int, str]:
    return (int(rank), "") if rank.isdigit() else (1 << 30, rank)


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace {name} with a captured (or default) value; unknown names stay as written."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def render_solution(solution: Solution, values: Mapping[str, str]) -> RenderedSolution:
    return RenderedSolution(title=fill(solution.title, values), why=fill(solution.why, values),
                            steps=tuple(fill(s, values) for s in solution.steps),
                            when=fill(solution.when, values) if solution.when else None)
