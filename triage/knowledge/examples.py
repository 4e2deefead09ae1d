"""Run a KB entry's own examples: `match` snippets must be diagnosed as the entry (with the
variables they list), `no_match` near-misses must not. Shared by `triage kb lint` and the tests."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterator, List, Optional, Tuple

from triage.api import diagnose
from triage.model import Diagnosis, Entry, Example, KnowledgeBase


@dataclass(frozen=True)
class ExampleCase:
    entry: Entry
    kind: str  # match, no_match, todo_match
    index: int
    example: Example

    @property
    def name(self) -> str:
        return f"{self.entry.id}::{self.kind}[{self.index}]"


def cases(kb: KnowledgeBase) -> Iterator[ExampleCase]:
    for entry in kb.entries:
        for kind in ("match", "no_match", "todo_match"):
            for i, example in enumerate(getattr(entry.examples, kind)):
                yield ExampleCase(entry, kind, i, example)


def check(case: ExampleCase, kb: KnowledgeBase) -> Optional[str]:
    """None when the example agrees with the entry, else what went wrong."""
    return verdict(case, {d.id: d for d in diagnose(case.example.text, kb)})


def verdict(case: ExampleCase, found: Dict[str, Diagnosis]) -> Optional[str]:
    mine = found.get(case.entry.id)
    if case.kind == "no_match":
        if mine is None:
            return None
        lines = "; ".join(f"line {e.line}: {e.text.strip()[:100]}" for e in mine.evidence)
        return f"near-miss was diagnosed as {case.entry.id} ({lines})"
    if mine is None:
        return f"not diagnosed as {case.entry.id}; got {list(found) or 'nothing'}"
    wrong = [f"{k}={mine.variables.get(k)!r} (want {v!r})"
             for k, v in case.example.variables.items() if mine.variables.get(k) != v]
    return f"wrong variables: {', '.join(wrong)}" if wrong else None


def run_all(kb: KnowledgeBase) -> Tuple[List[str], List[str]]:
    """(failures, overlaps): each example that disagrees with its entry, and each `match` example
    on which other entries fire too (so an author sees a collision before a user does)."""
    failures, overlaps = [], []
    for case in cases(kb):
        if case.kind == "todo_match":
            continue
        found = {d.id: d for d in diagnose(case.example.text, kb)}
        problem = verdict(case, found)
        if problem:
            failures.append(f"{case.entry.path}: {case.name}: {problem}")
        others = [i for i in found if i != case.entry.id]
        if case.kind == "match" and others:
            overlaps.append(f"{case.name}: also {', '.join(others)}")
    return failures, overlaps
