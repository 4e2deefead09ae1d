"""When nothing is known: the line that most looks like the failure, as a place to start."""
from __future__ import annotations

import re
from typing import Callable, List, Optional, Sequence

from triage.engine.normalize import Line
from triage.engine.words import ERROR_LINE, ERROR_MARK, EXCEPTION_LINE, EXCEPTION_WORD

# exceptions that only report that a worker failed: the worker's own exception says why
_WRAPPER = re.compile(r"ChildFailedError|ProcessExitedException|ProcessRaisedException|CalledProcessError"
                         r"|^\s*SystemExit\b|^\s*KeyboardInterrupt\b")
_TRACEBACK = re.compile(r"^\s*Traceback \(most recent call last\)")


class FailureTracker:
    """Fed the error-looking lines in log order; remembers what `likely` needs, nothing more."""

    def __init__(self) -> None:
        self.after_traceback: Optional[Line] = None  # last exception line after the last traceback
        self.seen_traceback = False
        self.last_exception: Optional[Line] = None
        self.last_cause: Optional[Line] = None  # last exception that is not a wrapper
        self.first_error: Optional[Line] = None

    def feed_chunk(self, indices: Sequence[int], raw: Sequence[str], logical: Callable[[int], List[Line]]) -> None:
        """Feed one chunk's error-looking lines, reading as few as the answer needs: the last
        traceback and the last exception (from the end), the first error line (from the start).
        A cheap look at the raw line comes first: only likely lines are normalised."""
        tb_index = next((i for i in reversed(indices) if "Traceback" in raw[i]
                         and any(_TRACEBACK.match(x.text) for x in logical(i))), None)
        exceptions = (x for i in reversed(indices) if EXCEPTION_WORD.search(raw[i])
                      for x in reversed(logical(i)) if EXCEPTION_LINE.match(x.text))
        last_exc = next(exceptions, None)
        if tb_index is not None:
            self.seen_traceback = True
            tb_number = logical(tb_index)[0].number
            self.after_traceback = last_exc if last_exc is not None and last_exc.number > tb_number else None
        elif self.seen_traceback and last_exc is not None:
            self.after_traceback = last_exc
        self.last_exception = last_exc or self.last_exception
        if last_exc is not None and _WRAPPER.search(last_exc.text):
            # the same backwards walk goes on to the worker's own exception
            cause = next((x for x in exceptions if not _WRAPPER.search(x.text)), None)
            self.last_cause = cause or self.last_cause
        elif last_exc is not None:
            self.last_cause = last_exc
        if self.first_error is None:
            self.first_error = next((x for i in indices if ERROR_MARK.search(raw[i])
                                     for x in logical(i) if ERROR_LINE.search(x.text)), None)

    def likely(self) -> Optional[Line]:
        """The last exception line of the last traceback, else the last exception, else the
        first error:/fatal: line; a launcher's "a worker failed" exception gives way to the
        worker's own exception."""
        best = self.after_traceback or self.last_exception
        if best is not None and _WRAPPER.search(best.text) and self.last_cause is not None:
            return self.last_cause
        return best or self.first_error
