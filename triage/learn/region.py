"""A log's failure region: its likely-failure line and the lines after it that carry on the same
message, as the normaliser cleans them (timestamps, rank prefixes, colour codes removed).

The log is read again, in blocks, only as far as the region; nothing else of it is kept.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple

from triage.api import decode_chunks
from triage.engine.normalize import Line, cap, detect_wrap, normalize_numbered
from triage.engine.source import LogSource
from triage.engine.words import EXCEPTION_LINE
from triage.limits import MAX_LINE_CHARS

BEFORE, AFTER = 3, 6  # raw lines read around the failure line (wrapped lines need a few)
MAX_CONTINUATION = 3  # lines after the failure line a message may go on for
# a line that starts something new rather than carrying on the message above it
_NEW_RECORD = re.compile(r"^\s*(?:Traceback \(|File \"|During handling|The above exception|\[?(?:INFO|WARNING|WARN|ERROR|"
                         r"DEBUG|CRITICAL)\b|[$#>] |\w[\w.-]*: (?:INFO|WARNING|ERROR)\b)")


@dataclass(frozen=True)
class Region:
    source: str  # the log's path as given
    line: int  # 1-based raw line number of the failure line
    message: str  # the failure line's clean text
    lines: Tuple[str, ...]  # the failure line and its continuation, clean


def read_region(path: str, line: int) -> Optional[Region]:
    """The failure region around raw line `line` of the log at `path`; None if it is not there."""
    first = max(1, line - BEFORE)
    raw = list(_raw_lines(path, first, line + AFTER))
    if not raw:
        return None
    logical = list(normalize_numbered(raw, first, detect_wrap(raw)))
    at = next((i for i, x in enumerate(logical) if x.number <= line <= x.end), None)
    if at is None:
        return None
    lines = [logical[at]] + continuation(logical[at], logical[at + 1:])
    return Region(path, line, logical[at].text.strip(), tuple(x.text.rstrip() for x in lines))


def continuation(head: Line, after: Sequence[Line]) -> List[Line]:
    """The lines right after `head` that go on with its message: indented ones, or the next one
    after a head ending in ':', until a new record starts."""
    out: List[Line] = []
    for line in after[:MAX_CONTINUATION]:
        text = line.text
        if line.number != (out[-1] if out else head).end + 1 or not text.strip():
            break
        if _NEW_RECORD.match(text) or EXCEPTION_LINE.match(text):
            break
        goes_on = text[:1].isspace() or (not out and head.text.rstrip().endswith(":"))
        if not goes_on:
            break
        out.append(line)
    return out


def _raw_lines(path: str, first: int, last: int) -> Iterator[str]:
    """Raw lines first..last (1-based) of a log, read only as far as `last`."""
    number, partial = 0, ""
    for chunk in decode_chunks(LogSource(path).blocks()):
        parts = (partial + chunk).split("\n")
        partial = cap(parts.pop(), MAX_LINE_CHARS)  # an endless line is never held whole
        for text in parts:
            number += 1
            if number > last:
                return
            if number >= first:
                yield text
    if partial and first <= number + 1 <= last:
        yield partial
