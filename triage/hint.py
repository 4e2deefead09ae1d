"""When nothing is known: the line that most looks like the failure, as a place to start."""
from __future__ import annotations

from typing import Optional, Sequence

import regex

from .normalize import Line

_EXCEPTION = regex.compile(r"^\s*(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|Interrupt|Exit)\b(?::|$)")
_TRACEBACK = regex.compile(r"^\s*Traceback \(most recent call last\)")
_ERROR_LINE = regex.compile(r"(?i)^\s*(?:\S+:\s*)?(?:error|fatal)(?:\[E\d+\])?:|^\s*\[?error\]?\b|\berror:")


def likely_failure(lines: Sequence[Line]) -> Optional[Line]:
    """The last exception line of the last traceback, else the first error:/fatal: line."""
    last_tb = max((i for i, line in enumerate(lines) if _TRACEBACK.match(line.text)), default=None)
    if last_tb is not None:
        after = [line for line in lines[last_tb + 1:] if _EXCEPTION.match(line.text)]
        if after:
            return after[-1]
    exceptions = [line for line in lines if _EXCEPTION.match(line.text)]
    if exceptions:
        return exceptions[-1]
    return next((line for line in lines if _ERROR_LINE.search(line.text)), None)
