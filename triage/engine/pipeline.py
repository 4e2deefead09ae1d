"""One pass over a log of any size, chunk by chunk, in bounded memory.

Each chunk is scanned with a few hundred lines of the previous one in front of it, so that
conditions and multi-line signatures see their neighbours across chunk edges; a line is
"core" (its hits counted) in exactly one chunk.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from triage.engine.budget import RegexBudget
from triage.engine.chunk import Chunk
from triage.engine.failure import FailureTracker
from triage.engine.fuzzy import MAX_LINES, PER_CHUNK, FuzzyIndex
from triage.engine.match import ChunkScan, Hit, Matcher, is_global
from triage.engine.normalize import Line, cap
from triage.engine.rank import Accumulator
from triage.model import Condition, Diagnosis, Evidence, KnowledgeBase

MAX_LINE_CHARS = 1 << 20  # a longer line keeps its head and tail
EAGER_LIMIT = 8 << 20  # a whole log below this many characters is normalised eagerly
MAX_PENDING = 50_000  # hits waiting for the end of the log to settle `within: null` conditions


@dataclass(frozen=True)
class ScanResult:
    diagnoses: List[Diagnosis]
    likely_failure: Optional[Evidence]
    regex_timeouts: int = 0  # regex checks cut short or skipped by the time budget (as not matching)


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


class Scanner:
    def __init__(self, kb: KnowledgeBase, matcher: Matcher, fuzzy: FuzzyIndex) -> None:
        self.matcher, self.fuzzy = matcher, fuzzy
        self.context = max([1] + [s.span for e in kb.entries for s in e.signatures]
                           + [c.within or 0 for e in kb.entries for s in e.signatures for c in s.requires + s.veto]) + 1
        self.global_conds: List[Condition] = list({c.source: c for e in kb.entries for s in e.signatures
                                                   for c in s.requires + s.veto if is_global(c)}.values())
        self.accumulator = Accumulator()
        self.tracker = FailureTracker()
        self.anywhere = AnywhereState()
        self.pending: List[Hit] = []
        self.fuzzy_budget = MAX_LINES
        self.core_from = 1  # first raw line number not yet scanned as core
        self.scanner = matcher.scanner
        self.settled = 0  # whole-log conditions seen so far
        self.budget = RegexBudget()

    def run(self, chunks: Iterable[str]) -> ScanResult:
        carry: List[str] = []
        carry_first = 1
        for lines, last in raw_lines(chunks):
            window = carry + lines
            eager = last and carry_first == 1 and sum(map(len, window)) < EAGER_LIMIT
            chunk = Chunk(window, carry_first, eager=eager)
            end = chunk.first + len(window) if last else chunk.first + len(window) - self.context
            if end > self.core_from:
                self.scan(chunk, chunk.index(self.core_from), chunk.index(end))
                self.core_from = end
            keep_from = max(chunk.first, self.core_from - self.context)
            carry, carry_first = window[keep_from - chunk.first:], keep_from
        return self.finish()

    def scan(self, chunk: Chunk, lo: int, hi: int) -> None:
        self.budget.grant(sum(map(len, chunk.raw[lo:hi])) + hi - lo)
        scan = ChunkScan(self.matcher, chunk, self.scanner, self.budget)
        self.anywhere.update(scan, lo, hi, self.global_conds)
        settled = {source for source, line in self.anywhere.seen.items() if line is not None}
        if len(settled) > self.settled:  # some whole-log conditions need no more looking for
            self.settled = len(settled)
            self.scanner = self.matcher.scanner_without(settled)
        hits = scan.hits(lo, hi)
        explained = {line.number for h in hits for line in h.lines}
        fuzzy = self.fuzzy.scan(scan, lo, hi, explained, min(self.fuzzy_budget, PER_CHUNK))
        self.fuzzy_budget -= PER_CHUNK
        for hit in hits + fuzzy:
            if not hit.pending:
                self.accumulator.add(hit)
            elif len(self.pending) < MAX_PENDING:
                self.pending.append(hit)
        self.tracker.feed_chunk(scan.error_lines(lo, hi), chunk.raw, chunk.logical)

    def finish(self) -> ScanResult:
        for hit in self.pending:
            settled = self.anywhere.settle(hit)
            if settled is not None:
                self.accumulator.add(settled)
        likely = self.tracker.likely()
        hint = Evidence(line=likely.number, text=likely.raw, signature="likely-failure", kind="heuristic") \
            if likely is not None else None
        return ScanResult(self.accumulator.diagnoses(), hint, self.budget.cut)


class AnywhereState:
    """For each `within: null` condition: has it matched anywhere in the log so far?"""

    def __init__(self) -> None:
        self.seen: Dict[str, Optional[Line]] = {}  # by condition source

    def update(self, scan: ChunkScan, lo: int, hi: int, conds: Sequence[Condition]) -> None:
        for cond in conds:
            if self.seen.get(cond.source) is not None:
                continue
            for i in scan.lines_for(cond, lo, hi):
                if scan.rejects(i, cond.source):
                    continue
                line = scan.first_matching(i, cond)
                if line is not None:
                    self.seen[cond.source] = line
                    break

    def settle(self, hit: Hit) -> Optional[Hit]:
        """The hit with its anywhere conditions decided, or None if they rule it out."""
        support = list(hit.support)
        for cond, is_veto in hit.pending:
            line = self.seen.get(cond.source)
            if is_veto and line is not None:
                return None
            if not is_veto:
                if line is None:
                    return None
                support.append(line)
        return Hit(hit.entry, hit.signature, hit.kind, hit.confidence, hit.lines, hit.variables, hit.score,
                   tuple(support), ())
