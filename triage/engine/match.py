"""Chunk -> hits: the literal prefilter says which lines to try; each signature's regex and
its conditions decide. `within: null` conditions are settled over the whole log (AnywhereState)."""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, List, Mapping, Optional, Pattern, Sequence, Set, Tuple

from triage.engine.budget import RegexBudget
from triage.engine.chunk import Chunk, covered
from triage.engine.conditions import bind, is_global, needles, unanchored, usable_literals
from triage.engine.normalize import Line, is_plain
from triage.engine.words import ERROR_WORDS
from triage.limits import MEMO_LINES
from triage.model import Condition, Entry, KnowledgeBase, Signature, compile_pattern

if TYPE_CHECKING:
    from triage.engine.prefilter import LiteralPrefilter

Memo = Dict[Tuple[str, str], Optional[Tuple[int, int, Dict[str, str]]]]


@dataclass(frozen=True)
class Hit:
    entry: Entry
    signature: str
    kind: str  # "regex" or "fuzzy"
    confidence: float
    lines: Tuple[Line, ...]
    variables: Mapping[str, str] = field(default_factory=dict)
    score: Optional[float] = None
    support: Tuple[Line, ...] = ()  # lines of the conditions that corroborated it
    pending: Tuple[Tuple[Condition, bool], ...] = ()  # (anywhere condition, is_veto) to settle at the end


class Matcher:
    """The KB compiled for scanning: every literal once, and what each literal points at."""

    def __init__(self, kb: KnowledgeBase, backend: Optional[str] = None, fact_words: Sequence[str] = ()) -> None:
        import os

        from triage.engine.prefilter import LiteralPrefilter

        backend = backend or os.environ.get("TRIAGE_PREFILTER", "auto")  # for benchmarks: force one

        self.kb = kb
        self.backend = backend
        self.literals: List[str] = []
        # literal -> the whole-log conditions it serves, for literals that serve nothing else
        self.only_global: Dict[int, Set[str]] = {}
        needed_elsewhere: Set[int] = set()
        self._index: Dict[str, int] = {}
        self.signatures_of: Dict[int, List[Tuple[Entry, Signature]]] = {}
        self.unfiltered: List[Tuple[Entry, Signature]] = []
        for entry in kb.entries:
            for sig in entry.signatures:
                if not sig.literals:
                    self.unfiltered.append((entry, sig))
                for lit in sig.literals:
                    self.signatures_of.setdefault(self.literal_id(lit), []).append((entry, sig))
                    needed_elsewhere.add(self.literal_id(lit))
                for cond in sig.requires + sig.veto:
                    for lit in usable_literals(cond):
                        if is_global(cond):
                            self.only_global.setdefault(self.literal_id(lit), set()).add(cond.source)
                        else:
                            needed_elsewhere.add(self.literal_id(lit))
        self.error_ids = {self.literal_id(word) for word in ERROR_WORDS}
        # lines that may state a version, the platform... (triage/versions/facts.py reads them)
        self.fact_ids = {self.literal_id(word.lower()) for word in fact_words}
        for lit_id in needed_elsewhere | self.error_ids | self.fact_ids:
            self.only_global.pop(lit_id, None)
        self.prefilter = LiteralPrefilter(self.literals, backend)

    def droppable(self, settled: Set[str]) -> FrozenSet[int]:
        """Literals that serve only whole-log conditions already settled (seen once is enough)."""
        return frozenset(lit for lit, sources in self.only_global.items() if sources <= settled)

    def prefilter_without(self, drop: FrozenSet[int]) -> "LiteralPrefilter":
        """A prefilter that no longer looks for `drop`: common words like "it/s" stop costing anything."""
        from triage.engine.prefilter import LiteralPrefilter

        return LiteralPrefilter(self.literals, self.backend, drop) if drop else self.prefilter

    def literal_id(self, literal: str) -> int:
        if literal not in self._index:
            self._index[literal] = len(self.literals)
            self.literals.append(literal)
        return self._index[literal]


class ChunkSearch:
    """One chunk with its prefilter results: line -> literal ids, literal -> lines."""

    def __init__(self, matcher: Matcher, chunk: Chunk, prefilter: Optional["LiteralPrefilter"] = None,
                 budget: Optional[RegexBudget] = None, memo: Optional[Memo] = None) -> None:
        self.matcher = matcher
        self.memo: Memo = memo if memo is not None else {}  # (signature, raw line) -> match, across chunks
        self.chunk = chunk
        self.budget = budget or RegexBudget()  # every regex call of the scan goes through it
        self.literals_on = (prefilter or matcher.prefilter).lines(chunk.search_texts)
        self.lines_with: Dict[int, List[int]] = {}
        for i in sorted(self.literals_on):
            for lit in self.literals_on[i]:
                self.lines_with.setdefault(lit, []).append(i)

    def candidate_lines(self, lo: int, hi: int) -> List[int]:
        if self.matcher.unfiltered:
            return list(range(lo, hi))
        return [i for i in sorted(self.literals_on) if lo <= i < hi]

    def hits(self, lo: int, hi: int) -> List[Hit]:
        """Signature hits whose first line lies in raw lines [lo, hi) of the chunk."""
        found: Dict[Tuple[str, int], Hit] = {}
        for i in self.candidate_lines(lo, hi):
            sigs = [p for lit in self.literals_on.get(i, ()) for p in self.matcher.signatures_of.get(lit, ())]
            seen: Set[int] = set()
            for entry, sig in sigs + self.matcher.unfiltered:
                if id(sig) in seen:
                    continue
                seen.add(id(sig))
                if not self.could_hold(sig):
                    continue
                hit = self.match(i, entry, sig)
                if hit is not None and lo <= self.chunk.index(hit.lines[0].number) < hi:
                    found.setdefault((sig.name, hit.lines[0].number), hit)
        return list(found.values())

    def could_hold(self, sig: Signature) -> bool:
        """False when a required condition's literals occur nowhere in this chunk (cheap, and
        most lines a common literal points at end here). Whole-log conditions are not judged."""
        for cond in sig.requires:
            literals = usable_literals(cond)
            if literals and not is_global(cond) and not any(
                    self.lines_with.get(self.matcher._index[lit]) for lit in literals):
                return False
        return True

    def rejects(self, i: int, source: str) -> bool:
        """True when raw line i cannot match `source` once normalised: a plain ASCII line only
        loses its prefixes, so an unanchored pattern that misses the raw line misses the clean one
        too. Skipping normalisation for such lines is most of the speed on big logs. A search
        cut short by the budget rejects too: a timed-out match counts as not matching."""
        raw = self.chunk.raw[i]
        if self.chunk.eager or not unanchored(source) or not is_plain(raw):
            return False
        return self.budget.search(compile_pattern(source), raw) is None

    def match(self, i: int, entry: Entry, sig: Signature) -> Optional[Hit]:
        match = self.matched_text(i, sig)
        if match is None:
            return None
        lines, start, end, variables = match
        matched = covered(lines, start, end)
        first, last = matched[0].number, matched[-1].end
        support: List[Line] = []
        pending: List[Tuple[Condition, bool]] = []
        for cond in sig.requires:
            if is_global(cond):
                pending.append((cond, False))
                continue
            line = self.near(bind(cond, variables), first, last, needles(cond, variables))
            if line is None:
                return None
            support.append(line)
        for cond in sig.veto:
            if is_global(cond):
                pending.append((cond, True))
            elif self.near(bind(cond, variables), first, last, needles(cond, variables)) is not None:
                return None
        return Hit(entry, sig.name, "regex", sig.confidence, tuple(matched), variables, None,
                   tuple(support), tuple(pending))

    def matched_text(self, i: int, sig: Signature) -> Optional[Tuple[List[Line], int, int, Dict[str, str]]]:
        """Where `sig` matches the lines around raw line i: (lines, start, end, captures). A line
        repeated through a big log (10,000 ranks print one error) is matched once: outside an
        eagerly normalised chunk a one-line match depends on the raw text alone."""
        key = (sig.source, self.chunk.raw[i]) if sig.span == 1 and not self.chunk.eager else None
        if key is not None and key in self.memo:
            remembered = self.memo[key]
            return None if remembered is None else (self.chunk.window(i, i + 1), *remembered)
        found = None
        if not (sig.span == 1 and self.rejects(i, sig.source)):
            lines = self.chunk.window(i - sig.span + 1, i + sig.span)
            m = self.budget.search(sig.pattern, "\n".join(line.text for line in lines))
            if m is not None:
                found = (lines, m.start(), max(m.start(), m.end() - 1), {k: v for k, v in m.groupdict().items() if v})
        if key is not None:
            if len(self.memo) >= MEMO_LINES:
                self.memo.clear()
            self.memo[key] = None if found is None else found[1:]
        return found

    def near(self, cond: Condition, first: int, last: int, needles: Tuple[str, ...] = ()) -> Optional[Line]:
        """A line matching `cond` within its distance of raw lines first..last, in this chunk.
        `needles`: text every match holds (captured values the condition names)."""
        lo, hi = 0, len(self.chunk)
        if cond.within is not None:
            lo, hi = self.chunk.index(first) - cond.within, self.chunk.index(last) + cond.within + 1
        return self.first_in(cond, self.lines_for(cond, lo, hi), needles)

    def first_in(self, cond: Condition, lines: Iterable[int], needles: Tuple[str, ...] = ()) -> Optional[Line]:
        """The first of these raw lines on which `cond` matches a logical line."""
        for i in lines:
            if (needles and not self.may_hold(i, needles)) or self.rejects(i, cond.source):
                continue
            line = self.first_matching(i, cond)
            if line is not None:
                return line
        return None

    def may_hold(self, i: int, needles: Tuple[str, ...]) -> bool:
        """False when line i's clean text cannot contain every needle: the text the literal
        scanner read for it holds the clean text whole (a plain line only loses prefixes)."""
        text = self.chunk.search_texts[i]
        if not self.chunk.eager and not is_plain(text):
            return True
        lowered = text.lower()
        return all(needle.lower() in lowered for needle in needles)

    def first_matching(self, i: int, cond: Condition) -> Optional[Line]:
        """The first logical line starting on raw line i that `cond` matches (within budget)."""
        return first_match(self.chunk.logical(i), cond.pattern, self.budget)

    def lines_for(self, cond: Condition, lo: int, hi: int) -> List[int]:
        """Lines of [lo, hi) that hold one of the condition's literals."""
        lo, hi = max(0, lo), min(len(self.chunk), hi)
        literals = usable_literals(cond)
        if not literals:
            return list(range(lo, hi))
        return self.lines_holding([self.matcher._index[lit] for lit in literals], lo, hi)

    def error_lines(self, lo: int, hi: int) -> List[int]:
        return self.lines_holding(self.matcher.error_ids, lo, hi)

    def fact_lines(self, lo: int, hi: int) -> List[int]:
        return self.lines_holding(self.matcher.fact_ids, lo, hi)

    def lines_holding(self, literal_ids: Iterable[int], lo: int, hi: int) -> List[int]:
        out: Set[int] = set()
        for lit in literal_ids:
            lines = self.lines_with.get(lit, [])
            out.update(lines[bisect_left(lines, lo):bisect_left(lines, hi)])
        return sorted(out)


def first_match(lines: Iterable[Line], pattern: Pattern[str], budget: RegexBudget) -> Optional[Line]:
    """The first of `lines` whose clean text `pattern` matches within the budget."""
    return next((x for x in lines if budget.search(pattern, x.text)), None)
