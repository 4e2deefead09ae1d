"""Whole-log conditions (`within: null`): has each matched anywhere yet, and what that decides.

Such a condition only matters to a hit that names it, and most logs hold no such hit (no launcher
failure, no wheel build). So, after the first chunk (where common ones, like a progress bar, are
met and done with), its candidate lines (those holding one of its literals) are kept aside, not
tried, until a hit needs it: then the kept lines are tried in log order, and from then
on new lines as they arrive. Kept lines are bounded (HOLD_CHARS); past that, they are tried at once.
The answer is the same as trying every line on arrival: the first matching line in log order.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from triage.engine.budget import RegexBudget
from triage.engine.match import ChunkSearch, Hit, first_match
from triage.engine.normalize import Line, clean_lines
from triage.limits import HOLD_CHARS
from triage.model import Condition


@dataclass(frozen=True)
class Kept:
    """A candidate line kept aside: its number and raw text, or (an eagerly normalised chunk)
    its clean logical lines as the chunk had them."""

    number: int
    raw: str = ""
    lines: Optional[Tuple[Line, ...]] = None

    @property
    def size(self) -> int:
        return len(self.raw) if self.lines is None else sum(len(x.text) for x in self.lines)

    def logical(self) -> Sequence[Line]:
        # outside an eagerly normalised chunk a line is cleaned on its own: the same now as then
        return self.lines if self.lines is not None else list(clean_lines([(self.number, self.raw)]))


class AnywhereState:
    """For each `within: null` condition: has it matched anywhere in the log so far?"""

    def __init__(self, budget: Optional[RegexBudget] = None) -> None:
        self.seen: Dict[str, Optional[Line]] = {}  # by condition source
        self.kept: Dict[str, List[Kept]] = {}  # candidate lines not yet tried, in log order
        self.conds: Dict[str, Condition] = {}
        self.needed: Set[str] = set()  # named by a hit: tried as lines arrive
        self.held = 0  # characters kept
        self.chunks = 0  # the first chunk is tried at once: conditions met early (progress bars) cost nothing after
        self.budget = budget or RegexBudget()

    def update(self, search: ChunkSearch, lo: int, hi: int, conds: Sequence[Condition]) -> None:
        for cond in conds:
            if self.seen.get(cond.source) is not None:
                continue
            self.conds[cond.source] = cond
            if cond.source in self.needed or not self.chunks:
                self.seen[cond.source] = search.first_in(cond, search.lines_for(cond, lo, hi))
            else:
                self._keep(search, cond, search.lines_for(cond, lo, hi))
        self.chunks += 1
        if self.held > HOLD_CHARS:
            for source in list(self.kept):
                self._try_kept(source)

    def need(self, hits: Iterable[Hit]) -> None:
        """Hits that name whole-log conditions: those are settled from the kept lines now."""
        for hit in hits:
            for cond, _ in hit.pending:
                if cond.source not in self.needed:
                    self.needed.add(cond.source)
                    self._try_kept(cond.source)

    def _keep(self, search: ChunkSearch, cond: Condition, lines: List[int]) -> None:
        chunk, kept = search.chunk, self.kept.setdefault(cond.source, [])
        for i in lines:
            item = Kept(chunk.first + i, lines=tuple(chunk.logical(i))) if chunk.eager \
                else Kept(chunk.first + i, chunk.raw[i])
            kept.append(item)
            self.held += item.size

    def _try_kept(self, source: str) -> None:
        kept = self.kept.pop(source, [])
        self.held -= sum(item.size for item in kept)
        if self.seen.get(source) is not None:
            return
        pattern = self.conds[source].pattern
        for item in kept:
            found = first_match(item.logical(), pattern, self.budget)
            if found is not None:
                self.seen[source] = found
                return
        self.seen.setdefault(source, None)

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

