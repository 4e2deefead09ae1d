"""The time every KB regex may spend on one log, so that no log, however written, stalls a scan.

The limits, all enforced here and nowhere else, in CPU seconds (the `regex` module's timeout
counts CPU time; on a busy machine the wall time may be longer):
- one call (a signature on its window, a condition on a line) gets PER_CALL;
- a pattern that has run out of time STRIKES times on this log gets only SHORT per call from
  then on: it has shown it is slow on this log's lines, and a real match takes microseconds, so
  its matches are still found while the hostile lines cost little;
- the whole log gets BASE plus PER_MB per megabyte read. Once that is spent, patterns that were
  never cut short still get SHORT per call (a real error after a hostile stretch is still seen),
  those that were are skipped. So a log costs at most BASE + PER_MB * size, plus
  STRIKES * SHORT per KB pattern.
A call cut short or skipped counts as not matching, and is counted (LogResult.regex_timeouts).

Reading the CPU clock is a system call that costs more than most searches, so the log's total is
charged every SAMPLE calls (and after any call on a long text) with all the CPU time spent since
the last reading: the regex time and the work around it, which only over-charges. The total can
run over by at most SAMPLE calls' limits.
"""
from __future__ import annotations

import time
from typing import Any, Dict, Optional, Pattern

PER_CALL = 0.1
STRIKES = 2
SHORT = 0.002
BASE = 0.5
PER_MB = 1.0
SAMPLE = 32  # calls between readings of the CPU clock
LONG_TEXT = 4096  # a call on a text this long is always measured


class RegexBudget:
    def __init__(self, base: float = BASE, per_mb: float = PER_MB) -> None:
        self.left = base
        self.per_mb = per_mb
        self.timeouts = 0  # calls cut short by their time limit
        self.skipped = 0  # calls not run because the log's budget was spent
        self.strikes: Dict[str, int] = {}  # pattern source -> times it ran out of time
        self.calls = 0  # since the clock was last read
        self.clock = time.process_time()

    def grant(self, chars: int) -> None:
        """More time for more log: the total grows with the text read."""
        self.left += self.per_mb * chars / (1 << 20)

    @property
    def cut(self) -> int:
        return self.timeouts + self.skipped

    def limit(self, source: str) -> float:
        """Seconds the next call of this pattern may take; 0 to skip it."""
        struck = self.strikes.get(source, 0) >= STRIKES
        if self.left <= 0:
            return 0.0 if struck else SHORT
        return min(SHORT if struck else PER_CALL, self.left)

    def search(self, pattern: Pattern[str], text: str) -> Optional[Any]:
        """pattern.search(text) within the budget; None when it does not match in time."""
        limit = self.limit(pattern.pattern)
        if limit <= 0:
            self.skipped += 1
            return None
        try:
            return pattern.search(text, timeout=limit)  # type: ignore[call-overload]
        except TimeoutError:
            self.timeouts += 1
            self.strikes[pattern.pattern] = self.strikes.get(pattern.pattern, 0) + 1
            self.calls = SAMPLE  # a slow call is charged at once
            return None
        finally:
            self.calls += 1
            if self.calls >= SAMPLE or len(text) >= LONG_TEXT:
                self.charge()

    def charge(self) -> None:
        """Take the CPU time spent since the last reading off what the log has left."""
        now = time.process_time()
        self.left -= now - self.clock
        self.clock, self.calls = now, 0


def search_once(pattern: Pattern[str], text: str, seconds: float = PER_CALL) -> Optional[Any]:
    """One search outside a scan (a fix's pattern on a command): cut short counts as no match."""
    try:
        return pattern.search(text, timeout=seconds)  # type: ignore[call-overload]
    except TimeoutError:
        return None


def sub_once(pattern: Pattern[str], repl: str, text: str, count: int = 1, seconds: float = PER_CALL) -> str:
    """pattern.sub within a time limit; the text unchanged when cut short."""
    try:
        return pattern.sub(repl, text, count=count, timeout=seconds)  # type: ignore[call-overload,no-any-return]
    except TimeoutError:
        return text
