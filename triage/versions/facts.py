"""Facts a log states about where it ran: package versions, Python, platform, conda, container.

Fed chunk by chunk in one pass and bounded memory. The engine's literal prefilter already finds
the lines holding a fact word (engine/words.py FACT_WORDS) or a package name the KB's conditions
ask about; only those lines are cleaned and read, and a listing (pip list, conda list) is read
row by row after its header, across chunk edges. A later statement of a fact replaces an earlier
one of the same or lesser strength (a log's end is its newest state); a version read from a
listing or report is stronger than one named in passing (`torch 2.0.1`).
"""
from __future__ import annotations

from typing import Callable, Collection, Dict, List, Optional, Sequence, Set, Tuple

from triage.engine.normalize import clean_lines
from triage.engine.words import FACT_WORDS
from triage.model import KnowledgeBase
from triage.versions.sources import (
    CONDA_LIST_HEADER,
    LIST_ROW,
    LIST_RULE,
    PIP_LIST_HEADER,
    READERS,
    free_form,
    free_form_facts,
    package,
    path_facts,
)

MAX_FACTS = 2000  # distinct facts kept from one log
MAX_ROWS = 5000  # rows read from one listing
MAX_SEEN = 10_000  # lines remembered so that a line repeated verbatim (CI reruns, loops) is read once
STRUCTURED, IN_PASSING = 2, 1  # how strongly a fact is stated


def asked_packages(kb: KnowledgeBase) -> List[str]:
    """The packages the KB's `applies_if` conditions name, and torch (named in most logs)."""
    return sorted({name for e in kb.entries for s in e.solutions if s.applies_if
                   for name in s.applies_if.packages} | {"torch"})


def fact_words(kb: KnowledgeBase) -> Tuple[str, ...]:
    """The literals that mark a line worth reading for facts, for the engine's prefilter."""
    return FACT_WORDS + spellings(asked_packages(kb))


def spellings(names: Collection[str]) -> Tuple[str, ...]:
    """What a log writes when it names a version in passing, lower-cased: `flash-attn 2`,
    `flash_attn 2` ("torch/nn/..." in every traceback line is not worth reading)."""
    return tuple(sorted({f"{n.lower().replace('-', sep)} {digit}" for n in names for sep in "-_"
                         for digit in "0123456789"}))


class LogFacts:
    """Collects facts from a log's lines; `facts` is the answer so far."""

    def __init__(self, names: Collection[str] = ()) -> None:
        self.facts: Dict[str, str] = {}
        self.strength: Dict[str, int] = {}
        self.listing: Optional[str] = None  # "pip" or "conda" while inside a listing's rows
        self.rows_left = 0
        self.named = free_form(sorted(names))
        self.seen: Set[str] = set()

    def feed_lines(self, raw: Sequence[str], indices: Sequence[int], lo: int, hi: int,
                   joined: Callable[[int], bool] = lambda i: False) -> None:
        """Read a chunk's core lines raw[lo:hi]: `indices` are those holding a fact word (sorted).
        Each raw line is cleaned on its own (prefixes, ANSI, progress bars), never joined to its
        neighbours as a wrapped paste would be: a report's aligned columns can look wrapped. Where
        the chunk did join lines (joined(i): raw line i continues the one before), a hit counts for
        the first line of the join, so the lines it joined are read too."""
        done = self._listing_rows(raw, lo, hi) if self.listing is not None else lo
        for first in indices:
            i = first
            while i < hi and (i == first or joined(i)):
                if i >= done:
                    self._line(raw, i)
                    done = self._listing_rows(raw, i + 1, hi) if self.listing is not None else i + 1
                i += 1

    def _line(self, raw: Sequence[str], i: int) -> None:
        if raw[i] in self.seen:
            return
        if len(self.seen) >= MAX_SEEN:
            self.seen.clear()
        self.seen.add(raw[i])
        for text in _clean(raw, i):
            self._read(text)

    def _read(self, text: str) -> None:
        if PIP_LIST_HEADER.match(text):
            self.listing, self.rows_left = "pip", MAX_ROWS
            return
        conda = CONDA_LIST_HEADER.match(text)
        if conda:
            self.listing, self.rows_left = "conda", MAX_ROWS
            self._merge({"conda": "true", **dict(path_facts(conda.group("path") + "/"))}, STRUCTURED)
            return
        for reader in READERS:
            self._merge(dict(reader(text)), STRUCTURED)
        if self.named is not None:
            self._merge(free_form_facts(self.named, text), IN_PASSING)

    def _listing_rows(self, raw: Sequence[str], i: int, hi: int) -> int:
        """Read a listing's rows from raw line i; the index after its last row (hi: it may go on)."""
        while i < hi and self.listing is not None:
            for line in _clean(raw, i):
                text = line.strip()
                if LIST_RULE.match(text) or (self.listing == "conda" and text.startswith("#")):
                    continue
                row = LIST_ROW.match(text)
                self.rows_left -= 1
                if row is None or self.rows_left <= 0:
                    self.listing = None
                    return i
                self._merge(dict([package(row.group("name"), row.group("version"))]), STRUCTURED)
            i += 1
        return i

    def _merge(self, found: Dict[str, str], strength: int) -> None:
        for key, value in found.items():
            if key not in self.facts and len(self.facts) >= MAX_FACTS:
                continue
            if strength >= self.strength.get(key, 0):
                self.facts[key], self.strength[key] = value, strength


def _clean(raw: Sequence[str], i: int) -> List[str]:
    return [line.text for line in clean_lines([(i + 1, raw[i])])]


def log_facts(lines: Sequence[str], names: Collection[str] = ("torch",)) -> Dict[str, str]:
    """The facts of a whole log given as lines, without the engine (tests, small inputs)."""
    words = FACT_WORDS + spellings(names)
    indices = [i for i, line in enumerate(lines) if any(w in line.lower() for w in words)]
    collector = LogFacts(names)
    collector.feed_lines(lines, indices, 0, len(lines))
    return collector.facts
