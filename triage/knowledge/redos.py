"""Adversarial regex measurement: which KB patterns take super-linear time on some line?

A log line is written by whoever wrote the log, so every KB regex (signatures, requires/veto
conditions, fix patterns) must run in time linear in the line. For each pattern we build
hostile lines from its own parts: long runs of what each repeat repeats (alone, and behind
the text that leads up to it: a near-miss that matches the prefix then fails), each literal
repeated, the whole pattern's sample repeated and cut short. Each line is timed at 4 kB and
16 kB; linear work grows about 4x, quadratic work 16x, so the ratio flags it. A line that
costs little next to a plain scan of the same text is not timed twice (that keeps the lint
of the whole KB within a few seconds).
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator, List, Optional, Pattern, Tuple

from triage.knowledge.probes import Maker, probes, with_match
from triage.model import Entry, KnowledgeBase, compile_pattern

SMALL, LARGE = 4096, 16384  # characters of the two lengths compared
FIRST = (2048, 8192)  # the same comparison, cheaper, to pick the probes worth measuring at full size
MAX_RATIO = 8.0  # linear growth gives ~4, quadratic ~16
LIMIT = 0.25  # CPU seconds one probe may run; a timeout at 16 kB counts as that long
GATE = 10.0  # under this many times a plain scan of as much text at 4 kB, a probe is not looked at twice
FLOOR = 0.0002  # ... nor under this many CPU seconds (timer noise)
# a pattern that grows faster than the line but stays under this at 16 kB is not refused: a
# line is matched at most 8 kB long (limits.MAX_LINE) and the per-log budget bounds the rest,
# and below it the ratio is timer noise on a busy machine (a lint that fails at random is worse)
HARMLESS = 0.01
_BASELINE = re.compile(r"[\s\S]*")


@dataclass(frozen=True)
class KBRegex:
    path: str
    entry: str
    field: str  # e.g. signatures[2].veto[0].regex, fix.find
    source: str


@dataclass(frozen=True)
class Finding:
    regex: KBRegex
    probe: str  # what the hostile line is made of
    small: float  # CPU seconds at SMALL characters
    large: float  # ... at LARGE (LIMIT when it timed out)
    sizes: Tuple[int, int] = (SMALL, LARGE)

    @property
    def ratio(self) -> float:
        return self.large / max(self.small, 1e-6)

    def message(self) -> str:
        r, (small, large) = self.regex, self.sizes
        if self.small >= LIMIT / MAX_RATIO:
            cost = f"takes {self.small * 1e3:.0f} ms on only {small} characters"
        else:
            cost = (f"takes {self.small * 1e3:.1f} ms on {small} characters and {self.large * 1e3:.0f} ms on "
                    f"{large} ({self.ratio:.0f}x for 4x the text)")
        return (f"{r.path}: entry '{r.entry}', field '{r.field}': super-linear regex: a line of {self.probe} "
                f"{cost}. {ADVICE}")


ADVICE = ("Make each repeat unable to trade characters with its neighbours: bound it ({0,200}), make it "
          "possessive (\\s*+, [^)]++) or atomic ((?>...)), use disjoint classes on both sides of a "
          "literal ([^:\\n]+:), and anchor (^, \\b) or start with a literal so fewer start positions are tried.")


def kb_regexes(kb: KnowledgeBase) -> Iterator[KBRegex]:
    """Every regex of the KB with the file, entry and field it comes from."""
    for entry in kb.entries:
        def at(field: str, source: str, entry: Entry = entry) -> KBRegex:
            return KBRegex(entry.path, entry.id, field, source)

        for i, sig in enumerate(entry.signatures):
            yield at(f"signatures[{i}].regex", sig.source)
            for key, conds in (("requires", sig.requires), ("veto", sig.veto)):
                for j, cond in enumerate(conds):
                    # a {{capture}} is matched as escaped literal text
                    yield at(f"signatures[{i}].{key}[{j}].regex", re.sub(r"\{\{\w+\}\}", "x", cond.source))
        fix = entry.fix
        if fix is None:
            continue
        for name in ("old_regex", "find", "unless"):
            if getattr(fix, name, None):
                yield at(f"fix.{name}", getattr(fix, name))
        for k, step in enumerate(getattr(fix, "rewrites", ())):
            yield at(f"fix.rewrite[{k}].regex", step.source)


def find_superlinear(kb: KnowledgeBase) -> List[Finding]:
    out = []
    for item in kb_regexes(kb):
        found = measure(item)
        if found is not None:
            out.append(found)
    return out


def measure(item: KBRegex) -> Optional[Finding]:
    """The first probe on which the pattern grows super-linearly, confirmed; else None.

    The `regex` module gives up at once on a line without a literal every match needs, and the
    prefilter only sends lines that hold a pattern's literals: a probe rejected that fast is
    tried again ending with a sample of what the pattern matches."""
    pattern = compile_pattern(item.source)
    scale = FIRST[0] / SMALL  # the first look is at half the lengths, for half the cost
    gate = max(FLOOR, GATE * _baseline()) * scale
    for name, make in probes(item.source):
        small = _time(pattern, make(FIRST[0]), 1)
        if small < _baseline() * 3 * scale:
            tailed = with_match(item.source, make)
            if tailed is not None:
                name, make, small = f"{name}, then a match", tailed, _time(pattern, tailed(FIRST[0]), 1)
        if small < gate:
            continue  # cheap next to a plain scan of as much text: nothing to fear
        if small < LIMIT / MAX_RATIO and _time(pattern, make(FIRST[1]), 1) / small <= MAX_RATIO:
            continue  # grows linearly
        sizes = (SMALL, LARGE) if _time(pattern, make(SMALL), 1) < LIMIT / MAX_RATIO else _ratio_sizes(pattern, make)
        small, large = _time(pattern, make(sizes[0]), 3), _time(pattern, make(sizes[1]), 2)  # confirm
        if (large / max(small, 1e-6) > MAX_RATIO and large > HARMLESS) or small >= LIMIT / MAX_RATIO:
            return Finding(item, name, small, large, sizes)
    return None


def _ratio_sizes(pattern: Pattern[str], make: Maker) -> Tuple[int, int]:
    """The largest pair of lengths (n/4, n), n < LARGE, at which the time of n/4 says something:
    when n/4 already takes LIMIT / MAX_RATIO, n would time out whatever the growth."""
    large = SMALL
    while large > SMALL // 4 and _time(pattern, make(large // 4), 1) >= LIMIT / MAX_RATIO:
        large //= 4
    return large // 4, large


def _time(pattern: Pattern[str], text: str, runs: int) -> float:
    best = LIMIT
    for _ in range(runs):
        start = time.process_time()  # the regex module's timeout counts CPU time too
        try:
            pattern.search(text, timeout=LIMIT)  # type: ignore[call-overload]
        except TimeoutError:
            return LIMIT
        best = min(best, time.process_time() - start)
    return best


@lru_cache(maxsize=1)
def _baseline() -> float:
    """CPU seconds of a plain linear scan over SMALL characters, on this machine."""
    text, best = "a" * SMALL, LIMIT
    for _ in range(5):
        start = time.process_time()
        _BASELINE.fullmatch(text)
        best = min(best, time.process_time() - start)
    return best
