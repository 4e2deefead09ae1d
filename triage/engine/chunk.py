"""A chunk of log as the matcher sees it: raw lines with their numbers, normalised on demand.

Small logs, and chunks whose lines were hard-wrapped or mangled, are normalised eagerly
(wrapped lines must be re-joined before anything can match). Big clean chunks are normalised
lazily: only the lines the literal prefilter points at, and their neighbours, ever are.
"""
from __future__ import annotations

from typing import Dict, List, Sequence

from triage.engine.decode import looks_mangled
from triage.engine.normalize import Line, clean_lines, detect_wrap, normalize_numbered
from triage.limits import WRAP_SAMPLE


class Chunk:
    def __init__(self, raw: Sequence[str], first_number: int, eager: bool = False) -> None:
        self.raw = raw
        self.first = first_number  # raw number of raw[0]
        self._logical: Dict[int, List[Line]] = {}
        # a sample is enough to see how a paste was wrapped; big CI logs rarely are
        wrap = detect_wrap(list(raw[:WRAP_SAMPLE]))
        self.eager = eager or wrap is not None or any(looks_mangled(r) for r in raw if not r.isascii())
        if self.eager:
            for line in normalize_numbered(raw, first_number, wrap):
                self._logical.setdefault(line.number - first_number, []).append(line)
        self.search_texts = self._search_texts()

    def __len__(self) -> int:
        return len(self.raw)

    def index(self, number: int) -> int:
        return number - self.first

    def logical(self, i: int) -> List[Line]:
        """The clean logical lines that start on raw line i (none for a wrapped continuation)."""
        if not 0 <= i < len(self.raw):
            return []
        if self.eager:
            return self._logical.get(i, [])
        found = self._logical.get(i)
        if found is None:
            found = self._logical[i] = list(clean_lines([(self.first + i, self.raw[i])]))
        return found

    def continues(self, i: int) -> bool:
        """True when raw line i was joined to the line before it (a wrapped paste)."""
        return self.eager and 0 <= i < len(self.raw) and i not in self._logical and bool(self.raw[i].strip())

    def window(self, lo: int, hi: int) -> List[Line]:
        out: List[Line] = []
        for i in range(max(0, lo), min(len(self.raw), hi)):
            out += self.logical(i)
        return out

    def _search_texts(self) -> Sequence[str]:
        """What the literal scanner reads for each raw line: the line itself, or when the chunk
        was normalised eagerly, its clean logical lines."""
        if self.eager:
            return [" ".join(line.text for line in self._logical.get(i, [])) for i in range(len(self.raw))]
        return self.raw


def covered(lines: Sequence[Line], start: int, end: int) -> List[Line]:
    """The lines of `lines` (joined by newlines) that characters start..end of a match cover."""
    out, pos = [], 0
    for line in lines:
        line_end = pos + len(line.text)
        if line_end >= start and pos <= end:
            out.append(line)
        pos = line_end + 1
    return out or [lines[0]]
