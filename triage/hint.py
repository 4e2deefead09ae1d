"""When nothing is known: the line that most looks like the failure, as a place to start."""
from __future__ import annotations

from typing import Iterable, Optional

import regex

from .normalize import Line

_EXCEPTION = regex.compile(r"^\s*(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Interrupt|Exit)\b(?::|$)")
_TRACEBACK = regex.compile(r"^\s*Traceback \(most recent call last\)")
_ERROR_LINE = regex.compile(r"(?i)^\s*(?:\S+:\s*)?(?:error|fatal)(?:\[E\d+\])?:|^\s*\[?error\]?\b|\berror:")


class FailureTracker:
    """Fed the error-looking lines in log order; remembers what `likely` needs, nothing more."""

    def __init__(self) -> None:
        self.after_traceback: Optional[Line] = None  # last exception line after the last traceback
        self.seen_traceback = False
        self.last_exception: Optional[Line] = None
        self.first_error: Optional[Line] = None

    def feed(self, lines: Iterable[Line]) -> None:
        for line in lines:
            if _TRACEBACK.match(line.text):
                self.seen_traceback = True
                self.after_traceback = None
            elif _EXCEPTION.match(line.text):
                self.last_exception = line
                if self.seen_traceback:
                    self.after_traceback = line
            elif self.first_error is None and _ERROR_LINE.search(line.text):
                self.first_error = line

    def likely(self) -> Optional[Line]:
        """The last exception line of the last traceback, else the last exception, else the
        first error:/fatal: line."""
        return self.after_traceback or self.last_exception or self.first_error
