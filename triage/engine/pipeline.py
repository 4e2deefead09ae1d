"""One pass over a log of any size, chunk by chunk, in bounded memory.

Each chunk is scanned with a few hundred lines of the previous one in front of it, so that
conditions and multi-line signatures see their neighbours across chunk edges; a line is
"core" (its hits counted) in exactly one chunk.
"""
from __future__ import annotations

from typing import Callable, Dict, FrozenSet, Iterable, Iterator, List, Optional, Protocol, Sequence, Tuple

from triage.engine.anywhere import AnywhereState
from triage.engine.budget import RegexBudget
from triage.engine.chunk import Chunk
from triage.engine.conditions import is_global
from triage.engine.failure import FailureTracker
from triage.engine.fuzzy import MAX_LINES, PER_CHUNK, FuzzyIndex
from triage.engine.match import ChunkSearch, Hit, Matcher, Memo
from triage.engine.normalize import cap
from triage.engine.rank import Accumulator
from triage.limits import EAGER_LIMIT, MAX_LINE_CHARS, MAX_PENDING, RECOMPILE_LINES
from triage.model import Condition, Evidence, KnowledgeBase, LogResult


def raw_lines(chunks: Iterable[str]) -> Iterator[Tuple[List[str], bool]]:
    """(complete lines, is_last) per chunk; an endless line is capped, never held whole."""
    partial = ""
    pending: Optional[List[str]] = None
    for chunk in chunks:
        if not chunk:
            continue
        parts = (partial + chunk).split("\n")
        partial = cap(parts.pop(), MAX_LINE_CHARS)
        if pending is not None:
            yield pending, False
        pending = parts
    last = (pending or []) + ([partial] if partial else [])
    yield last, True


class FactSink(Protocol):
    """What reads facts (versions, platform...) from the lines the prefilter found for the
    matcher's fact words: triage/versions/facts.py LogFacts."""

    facts: Dict[str, str]

    def feed_lines(self, raw: Sequence[str], indices: Sequence[int], lo: int, hi: int,
                   joined: Callable[[int], bool]) -> None: ...


class Pipeline:
    def __init__(self, kb: KnowledgeBase, matcher: Matcher, fuzzy: FuzzyIndex,
                 facts: Optional[FactSink] = None) -> None:
        self.matcher, self.fuzzy = matcher, fuzzy
        self.context = max([1] + [s.span for e in kb.entries for s in e.signatures]
                           + [c.within or 0 for e in kb.entries for s in e.signatures for c in s.requires + s.veto]) + 1
        self.global_conds: List[Condition] = list({c.source: c for e in kb.entries for s in e.signatures
                                                   for c in s.requires + s.veto if is_global(c)}.values())
        self.accumulator = Accumulator()
        self.tracker = FailureTracker()
        self.pending: List[Hit] = []
        self.fuzzy_budget = MAX_LINES
        self.core_from = 1  # first raw line number not yet scanned as core
        self.prefilter = matcher.prefilter
        self.dropped: FrozenSet[int] = frozenset()  # literals the prefilter no longer looks for
        self.budget = RegexBudget()  # every regex call of the log goes through it
        self.anywhere = AnywhereState(self.budget)
        self.memo: Memo = {}  # one-line matches by raw text: a repeated line is matched once
        self.facts = facts

    def run(self, chunks: Iterable[str]) -> LogResult:
        carry: List[str] = []
        carry_first = 1
        for lines, last in raw_lines(chunks):
            window = carry + lines
            eager = last and carry_first == 1 and sum(map(len, window)) < EAGER_LIMIT
            chunk = Chunk(window, carry_first, eager=eager)
            end = chunk.first + len(window) if last else chunk.first + len(window) - self.context
            if end > self.core_from:
                self.process(chunk, chunk.index(self.core_from), chunk.index(end))
                self.core_from = end
            keep_from = max(chunk.first, self.core_from - self.context)
            carry, carry_first = window[keep_from - chunk.first:], keep_from
        return self.finish()

    def process(self, chunk: Chunk, lo: int, hi: int) -> None:
        self.budget.grant(sum(map(len, chunk.raw[lo:hi])) + hi - lo)
        search = ChunkSearch(self.matcher, chunk, self.prefilter, self.budget, self.memo)
        self.anywhere.update(search, lo, hi, self.global_conds)
        self.drop_settled(search)
        hits = search.hits(lo, hi)
        explained = {line.number for h in hits for line in h.lines}
        fuzzy = self.fuzzy.match_lines(search, lo, hi, explained, min(self.fuzzy_budget, PER_CHUNK))
        self.fuzzy_budget -= PER_CHUNK
        self.anywhere.need(h for h in hits + fuzzy if h.pending)
        for hit in hits + fuzzy:
            if not hit.pending:
                self.accumulator.add(hit)
            elif len(self.pending) < MAX_PENDING:
                self.pending.append(hit)
        self.tracker.feed_chunk(search.error_lines(lo, hi), chunk.raw, chunk.logical)
        if self.facts is not None:
            self.facts.feed_lines(chunk.raw, search.fact_lines(lo, hi), lo, hi, chunk.continues)

    def drop_settled(self, search: ChunkSearch) -> None:
        """Stop looking for literals that only served whole-log conditions now settled, when they
        cost enough lines per chunk to pay for building a new prefilter."""
        settled = {source for source, line in self.anywhere.seen.items() if line is not None}
        drop = self.matcher.droppable(settled)
        new = drop - self.dropped
        if new and sum(len(search.lines_with.get(lit, ())) for lit in new) >= RECOMPILE_LINES:
            self.prefilter, self.dropped = self.matcher.prefilter_without(drop), drop

    def finish(self) -> LogResult:
        for hit in self.pending:
            settled = self.anywhere.settle(hit)
            if settled is not None:
                self.accumulator.add(settled)
        likely = self.tracker.likely()
        hint = Evidence(line=likely.number, text=likely.raw, signature="likely-failure", kind="heuristic") \
            if likely is not None else None
        return LogResult("", self.accumulator.diagnoses(), hint, regex_timeouts=self.budget.cut,
                         facts=dict(self.facts.facts) if self.facts is not None else {})
