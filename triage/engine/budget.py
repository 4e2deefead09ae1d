"""The time every KB regex may spend on one log, so that no log, however written, stalls a scan.

Three limits, all enforced here and nowhere else:
- one call (a signature on its window, a condition on a line) gets PER_CALL seconds; the
  `regex` module's timeout counts CPU time, so on a busy machine the wall time may be longer;
- a pattern that has run out of time STRIKES times on this log gets only SHORT seconds per
  call from then on: it has shown it is slow on this log's lines, and a real match takes
  microseconds, so matches are still found while the hostile lines cost little;
- the whole log gets BASE seconds plus PER_MB per megabyte read, charged in wall time for every
  call; once spent, the remaining calls are skipped.
A call cut short or skipped counts as not matching, and is counted (ScanResult.regex_timeouts).
"""
from __future__ import annotations

import time
from typing import Any, Dict, Optional, Pattern

PER_CALL = 0.1
STRIKES = 2
SHORT = 0.002
BASE = 0.5
PER_MB = 1.0


class RegexBudget:
    def __init__(self, base: float = BASE, per_mb: float = PER_MB) -> None:
        self.left = base
        self.per_mb = per_mb
        self.timeouts = 0  # calls cut short by their time limit
        self.skipped = 0  # calls not run because the log's budget was spent
        self.strikes: Dict[str, int] = {}  # pattern source -> times it ran out of time

    def grant(self, chars: int) -> None:
        """More time for more log: the total grows with the text read."""
        self.left += self.per_mb * chars / (1 << 20)

    @property
    def cut(self) -> int:
        return self.timeouts + self.skipped

    def search(self, pattern: Pattern[str], text: str) -> Optional[Any]:
        """pattern.search(text) within the budget; None when it does not match in time."""
        if self.left <= 0:
            self.skipped += 1
            return None
        limit = SHORT if self.strikes.get(pattern.pattern, 0) >= STRIKES else PER_CALL
        start = time.perf_counter()
        try:
            return pattern.search(text, timeout=min(limit, self.left))  # type: ignore[call-overload]
        except TimeoutError:
            self.timeouts += 1
            self.strikes[pattern.pattern] = self.strikes.get(pattern.pattern, 0) + 1
            return None
        finally:
            self.left -= time.perf_counter() - start
