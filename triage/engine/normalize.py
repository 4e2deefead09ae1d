"""Raw log text -> clean logical lines that still point at the lines the user pasted.

Strips what terminals and CI runners add (ANSI codes, timestamps, rank prefixes, progress
bar rewrites, hard wraps) so that signatures can be written against the message alone.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, List, Optional, Sequence, Tuple

from triage.engine.decode import repair_mojibake
from triage.engine.words import GLUED_ERROR
from triage.limits import MAX_LINE, MAX_RAW

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]"
                      r"|\^\[\[[0-9;]*[A-Za-z]|\[(?:\d{1,3};)*\d{1,3}m")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_TIMESTAMP = re.compile(
    r"^(?:\[?\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\]?\s+(?:-\s+)?"
    r"|\[\d\d:\d\d:\d\d(?:\.\d+)?\]\s+|\[\s*\d+\.\d{3,}\]\s+|#\d+ \d+\.\d+ |section_(?:start|end):\d+:\S+\s*)")
_RANK = re.compile(
    r"^(?:\[(?:rank|default)(?P<r1>\d+)\]:\s?|\[(?P<r2>\d+),\d+\]<std(?:out|err)>:\s?"
    r"|\((?P<r3>[A-Za-z_]\w* pid=\d+)(?:, ip=[\d.]+)?\)\s|(?P<r4>\d{1,4}):\s"
    r"|(?P<r5>(?:\d{1,3}\.){3}\d{1,3}|localhost|(?:worker|node|gpu|host)[\w-]*\d+):\s)")
_PROGRESS = re.compile(r"\d+%\||[\d.]+\s*(?:it/s|s/it|[kKMG]i?B/s)|^\s*\d+%\s*$|━━|\[=+>?\s*\]")
_GLUED = re.compile(r"(?:(?<=it/s\])|(?<=s/it\]))(?=[A-Za-z\[])")
# what the fast path cannot handle in a printable ASCII line: colour codes that lost their
# ESC, a progress bar with text glued on, HTML entities, caret-notation escapes
_NEEDS_WORK = re.compile(r"\[(?:\d{1,3};)*\d{1,3}m|(?:it/s|s/it)\]\S|&#?\w+;|\^\[|\*\*")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")  # markdown bold around pasted text
_QUOTE = re.compile(r"^(?:>[ \t]*)+(?=\S)")  # a markdown / e-mail quote: "> ", "> > "
_HTML_ENTITY = re.compile(r"&(?:#\d{2,5}|#x[0-9a-fA-F]{2,4}|quot|amp|lt|gt|apos|nbsp);")


@dataclass(frozen=True)
class Line:
    number: int  # 1-based raw line number where this logical line starts
    end: int  # raw line number where it ends (hard-wrapped lines span several)
    raw: str  # the text as pasted (capped at MAX_RAW)
    text: str  # the clean text that signatures see
    rank: Optional[str] = None


def split_raw(text: str) -> List[str]:
    return text.split("\n") if text else []


def normalize(text: str) -> List[Line]:
    raw_lines = split_raw(text)
    return list(normalize_numbered(raw_lines, 1, detect_wrap(raw_lines)))


def normalize_numbered(raw_lines: Sequence[str], first: int, wrap: Optional[Wrap]) -> Iterator[Line]:
    """Every raw line cleaned, numbered from `first`, and wrapped lines re-joined."""
    return join_wrapped(clean_lines(enumerate(raw_lines, first)), wrap)


def clean_lines(numbered: Iterable[Tuple[int, str]]) -> Iterator[Line]:
    for number, raw in numbered:
        raw = raw[:-1] if raw.endswith("\r") else raw
        if is_plain(raw):
            # the common case, fast: plain text that only needs its prefixes removed
            text, rank = strip_prefixes(raw.rstrip())
            if text.strip():
                yield Line(number, number, raw, text, rank)
            continue
        shown = cap(raw, MAX_RAW)
        for segment in overwrite_segments(raw):
            for part in _GLUED.split(clean(segment)):
                text, rank = strip_prefixes(part)
                if text.strip():
                    yield Line(number, number, shown, text, rank)


def is_plain(raw: str) -> bool:
    """A line whose clean text is itself minus prefixes (the fast path): no entity, colour code
    or glued progress bar that cleaning would change inside it."""
    return len(raw) < MAX_RAW and raw.isascii() and raw.isprintable() and not _NEEDS_WORK.search(raw)


def overwrite_segments(raw: str) -> List[str]:
    """A `\\r` rewrite keeps only its last state, plus earlier parts that look like errors."""
    if "\r" not in raw:
        return [raw]
    parts = [p for p in raw.split("\r") if p.strip()]
    if not parts:
        return []
    kept = [p for p in parts[:-1] if GLUED_ERROR.search(p) and not _PROGRESS.search(p)][-5:]
    return kept + [parts[-1]]


def clean(segment: str) -> str:
    segment = cap(segment, MAX_LINE)
    for _ in range(3):  # pasted from a web page: &#39; &quot; &gt; (sometimes escaped twice)
        if "&" not in segment or not _HTML_ENTITY.search(segment):
            break
        segment = html.unescape(segment)
    if "[" in segment or "\x1b" in segment:  # cheap tests first: most lines need no regex
        segment = _ANSI.sub("", segment)
    if not segment.isprintable():
        segment = _CONTROL.sub("", segment)
    while "**" in segment:
        unbolded = _BOLD.sub(r"\1", segment)
        if unbolded == segment:
            break
        segment = unbolded
    if not segment.isascii():
        segment = repair_mojibake(segment)
    return segment.rstrip()


def strip_prefixes(text: str) -> Tuple[str, Optional[str]]:
    rank: Optional[str] = None
    for _ in range(16):  # prefixes stack: timestamp, then rank, then a timestamp again
        m = _TIMESTAMP.match(text) or _RANK.match(text) or _QUOTE.match(text)
        if not m or m.end() == 0:
            break
        if m.re is _RANK:
            rank = rank or next(g for g in m.groups() if g is not None)
        text = text[m.end():]
    return text, rank


def cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    head = limit // 3
    return text[:head] + " … " + text[-(limit - head):]


def wrap_width(raw_lines: List[str]) -> Optional[int]:
    """The terminal width a pasted log was hard-wrapped at, if it clearly was: no line is
    longer, several distinct lines are exactly that long, they are a good share of the long
    lines, and some of them break mid-word (a terminal wraps at the column, not at a space).
    Progress-bar lines (with \r) say nothing about wrapping and are ignored."""
    lines = [line.rstrip("\r") for line in raw_lines]
    lengths = [len(line) if "\r" not in line else 0 for line in lines]
    width = max(lengths, default=0)
    if not 60 <= width <= 300:
        return None
    at_width = [i for i, n in enumerate(lengths) if n == width]
    long_lines = sum(1 for n in lengths if n > width // 2)
    if len({lines[i] for i in at_width}) < 3 or len(at_width) < 0.1 * long_lines:
        return None
    mid_word = sum(1 for i in at_width if i + 1 < len(lines) and lines[i + 1][:1].isalnum() and lines[i][-1:].isalnum())
    return width if mid_word >= max(1, len(at_width) // 3) else None


@dataclass(frozen=True)
class Wrap:
    width: int
    soft: bool  # a web page wrapped at spaces (join with a space), not a terminal at a column


def detect_wrap(raw_lines: List[str]) -> Optional[Wrap]:
    hard = wrap_width(raw_lines)
    if hard is not None:
        return Wrap(hard, soft=False)
    soft = soft_wrap_width(raw_lines)
    return Wrap(soft, soft=True) if soft is not None else None


def soft_wrap_width(raw_lines: List[str]) -> Optional[int]:
    """The width a web page or mail client re-wrapped a paste at (breaking at spaces): no line
    is longer, and most long lines end within a few characters of it."""
    distinct = {line.rstrip("\r") for line in raw_lines if "\r" not in line.rstrip("\r")}
    lengths = [len(line) for line in distinct]  # one line repeated by many ranks is not a wrap
    long_lines = [n for n in lengths if n >= 40]
    width = max(lengths, default=0)
    if len(long_lines) < 4 or not 50 <= width <= 140:
        return None
    near = sum(1 for n in long_lines if n >= width - SOFT_SLACK)
    return width if near >= 0.5 * len(long_lines) else None


_NOT_PROSE = re.compile(r"```|\$ |[\w.-]+@[\w.-]+:\S*[$#] ")
SOFT_SLACK = 15  # a word-wrapped line ends up to this many characters short of the width
# how a wrapped continuation starts: mid-sentence (lower case, digits, quotes, brackets, paths)
_CONTINUATION = re.compile(r"""^[a-z0-9"'(\[/\\*`._-]""")


def join_wrapped(lines: Iterable[Line], wrap: Optional[Wrap]) -> Iterator[Line]:
    pending: Optional[Line] = None
    for line in lines:
        if pending is not None and line.number == pending.end + 1 and _continues(line, wrap):
            glue = " " if wrap is not None and wrap.soft else ""
            line = Line(pending.number, line.number, pending.raw + "\n" + line.raw,
                        pending.text + glue + line.text, pending.rank)
        elif pending is not None:
            yield pending
        pending = None
        if wrap is not None and _wrapped(line, wrap):
            pending = line
            continue
        yield line
    if pending is not None:
        yield pending


def _wrapped(line: Line, wrap: Wrap) -> bool:
    if wrap.soft and _NOT_PROSE.match(line.text):  # a fence or a typed command is not re-wrapped prose
        return False
    length = len(line.raw.split("\n")[-1].rstrip("\r"))
    return length >= wrap.width - SOFT_SLACK if wrap.soft else length == wrap.width


def _continues(line: Line, wrap: Optional[Wrap]) -> bool:
    return wrap is None or not wrap.soft or (_CONTINUATION.match(line.text) is not None
                                             and not line.text.startswith("```"))
