"""Fuzzy fallback: error-looking lines no regex explained, compared with canonical messages.

Paths, numbers, hex addresses and versions are masked on both sides, so a message that a
later release words slightly differently, or that carries other paths, still lines up.
"""
from __future__ import annotations

import re
from typing import Dict, List, Set, Tuple

from triage.engine.conditions import is_global
from triage.engine.match import ChunkSearch, Hit
from triage.engine.normalize import Line
from triage.engine.words import MESSAGE_LIKE
from triage.model import Condition, Entry, KnowledgeBase

CUTOFF = 88.0  # rapidfuzz ratio (0..100) below which a line is not considered the same message
MAX_LINES = 2000  # error-looking lines compared per log
PER_CHUNK = 300  # ... and per chunk: the last ones, nearest the failure
_MASKS = (
    (re.compile(r"(?:[A-Za-z]:)?(?:[\\/][\w.+~@-]+){2,}[\\/]?"), "<path>"),
    (re.compile(r"0x[0-9a-fA-F]+"), "<hex>"),
    (re.compile(r"\d+(?:\.\d+)*"), "<n>"),
    (re.compile(r"\s+"), " "),
)


def mask(text: str) -> str:
    text = text.strip().lower()[:400]
    for pattern, token in _MASKS:
        text = pattern.sub(token, text)
    return text


class FuzzyIndex:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.choices: List[str] = []
        self.owners: List[Tuple[Entry, str]] = []
        self.vetoes: Dict[str, Tuple[Condition, ...]] = {}
        for entry in kb.entries:
            for message in entry.fuzzy:
                self.choices.append(mask(message))
                self.owners.append((entry, message))
            # the healthy contexts an entry's signatures know of silence its fuzzy hits too
            # (vetoes that name a capture cannot apply: a fuzzy hit captures nothing)
            found = {c.source: c for sig in entry.signatures for c in sig.veto if "{{" not in c.source}
            self.vetoes[entry.id] = tuple(found.values())

    def match_lines(self, search: ChunkSearch, lo: int, hi: int, explained: Set[int], budget: int) -> List[Hit]:
        """Fuzzy hits on error-looking lines of raw lines [lo, hi) that no regex explained."""
        lines = error_like_lines(search, lo, hi, explained)[-budget:] if self.choices and budget > 0 else []
        if not lines:
            return []
        from rapidfuzz import fuzz, process  # imported only when a log needs it

        hits: List[Hit] = []
        for line in lines:
            best = process.extractOne(mask(line.text), self.choices, scorer=fuzz.ratio, score_cutoff=CUTOFF)
            if best is None:
                continue
            _, score, index = best
            entry, _message = self.owners[index]
            vetoes = self.vetoes[entry.id]
            if any(search.near(c, line.number, line.end) is not None for c in vetoes if not is_global(c)):
                continue
            confidence = 0.35 + 0.35 * (score - CUTOFF) / (100 - CUTOFF)
            pending = tuple((c, True) for c in vetoes if is_global(c))
            hits.append(Hit(entry, f"{entry.id}~fuzzy", "fuzzy", round(confidence, 3), (line,), {},
                            round(score, 1), (), pending))
        return hits


def error_like_lines(search: ChunkSearch, lo: int, hi: int, explained: Set[int]) -> List[Line]:
    out: List[Line] = []
    for i in reversed(search.error_lines(lo, hi)):  # from the end: only the last few are compared
        if len(out) >= PER_CHUNK:
            break
        out += [line for line in search.chunk.logical(i)
                if line.number not in explained and MESSAGE_LIKE.search(line.text)]
    return out[::-1]
