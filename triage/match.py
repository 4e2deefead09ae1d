"""Lines -> hits: a literal prefilter, then each signature's regex and its conditions."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Pattern, Sequence, Tuple

import regex

from .model import Condition, Entry, KnowledgeBase, Signature
from .normalize import Line


@dataclass(frozen=True)
class Hit:
    entry: Entry
    signature: str
    kind: str  # "regex" or "fuzzy"
    confidence: float
    lines: Tuple[int, ...]  # indices into the normalized lines
    variables: Mapping[str, str] = field(default_factory=dict)
    score: Optional[float] = None
    support: Tuple[int, ...] = ()  # lines of the conditions that corroborated it


class Matcher:
    """The KB compiled for scanning: literal -> signatures, plus one prefilter regex."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.by_literal: Dict[str, List[Tuple[Entry, Signature]]] = {}
        self.unfiltered: List[Tuple[Entry, Signature]] = []
        for entry in kb.entries:
            for sig in entry.signatures:
                if not sig.literals:
                    self.unfiltered.append((entry, sig))
                for lit in sig.literals:
                    self.by_literal.setdefault(lit, []).append((entry, sig))
        alternation = "|".join(regex.escape(lit) for lit in sorted(self.by_literal, key=len, reverse=True))
        self.prefilter: Optional[Pattern[str]] = regex.compile(alternation) if alternation else None

    def candidates(self, doc: "Document") -> List[int]:
        """Indices of lines that hold at least one literal (all lines if some signature has none)."""
        if self.unfiltered:
            return list(range(len(doc.lines)))
        if self.prefilter is None:
            return []
        starts = doc.lower_starts
        found = {bisect_right(starts, m.start()) - 1 for m in self.prefilter.finditer(doc.lower)}
        return sorted(found)

    def scan(self, doc: "Document") -> List[Hit]:
        hits: Dict[Tuple[str, int], Hit] = {}
        for i in self.candidates(doc):
            lower = doc.lines[i].text.lower()
            tried = set()
            pairs = [p for lit, ps in self.by_literal.items() if lit in lower for p in ps]
            for entry, sig in pairs + self.unfiltered:
                if id(sig) in tried:
                    continue
                tried.add(id(sig))
                hit = match_signature(doc, i, entry, sig)
                if hit is not None:
                    hits.setdefault((sig.name, hit.lines[0]), hit)
        return list(hits.values())


REGEX_TIMEOUT = 0.25  # seconds one signature may spend on one window
_CAPTURE_REF = regex.compile(r"\{\{(\w+)\}\}")


def bind(cond: Condition, variables: Mapping[str, str]) -> Condition:
    """A condition may name the hit's captures as {{name}}: they are matched literally."""
    source = cond.pattern.pattern
    if "{{" not in source:
        return cond
    filled = _CAPTURE_REF.sub(lambda m: regex.escape(variables.get(m.group(1), "\x00never")), source)
    return Condition(_compile(filled, cond.pattern.flags), cond.within)


@lru_cache(maxsize=1024)
def _compile(source: str, flags: int) -> Pattern[str]:
    return regex.compile(source, flags)


class Document:
    """Normalized lines plus the joined text that whole-log searches run on."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = list(lines)
        self.starts: List[int] = []
        pos = 0
        for line in self.lines:
            self.starts.append(pos)
            pos += len(line.text) + 1
        self.text = "\n".join(line.text for line in self.lines)
        lowered = [line.text.lower() for line in self.lines]
        self.lower = "\n".join(lowered)
        # str.lower() can change a length ('İ'), so the lowered text keeps its own offsets
        self.lower_starts = self.starts
        if len(self.lower) != len(self.text):
            self.lower_starts = [0]
            for low in lowered[:-1]:
                self.lower_starts.append(self.lower_starts[-1] + len(low) + 1)
        self._condition_lines: Dict[Pattern[str], List[int]] = {}

    def line_at(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def lines_matching(self, pattern: Pattern[str]) -> List[int]:
        """Indices of lines where `pattern` matches, computed once per pattern per log."""
        if pattern not in self._condition_lines:
            self._condition_lines[pattern] = sorted({self.line_at(m.start()) for m in pattern.finditer(self.text)})
        return self._condition_lines[pattern]

    def near(self, cond: Condition, first: int, last: int) -> Optional[int]:
        """A line matching `cond` within its distance of lines first..last, if any."""
        found = self.lines_matching(cond.pattern)
        if cond.within is None:
            return found[0] if found else None
        lo = bisect_left(found, first - cond.within)
        return found[lo] if lo < len(found) and found[lo] <= last + cond.within else None


def match_signature(doc: Document, i: int, entry: Entry, sig: Signature) -> Optional[Hit]:
    lo = max(0, i - sig.span + 1)
    hi = min(len(doc.lines), i + sig.span)
    window = "\n".join(line.text for line in doc.lines[lo:hi])
    try:
        m = sig.pattern.search(window, timeout=REGEX_TIMEOUT)
    except TimeoutError:  # a pathological line must not stall the whole log
        return None
    if m is None:
        return None
    base = doc.starts[lo]
    first = doc.line_at(base + m.start())
    last = doc.line_at(base + max(m.start(), m.end() - 1))
    variables = {k: v for k, v in m.groupdict().items() if v}
    support = []
    for cond in sig.requires:
        found = doc.near(bind(cond, variables), first, last)
        if found is None:
            return None
        support.append(found)
    if any(doc.near(bind(cond, variables), first, last) is not None for cond in sig.veto):
        return None
    return Hit(entry, sig.name, "regex", sig.confidence, tuple(range(first, last + 1)),
               variables, None, tuple(support))
