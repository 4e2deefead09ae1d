"""Healthy logs (the benign fixtures, or a team's own passing runs): where a draft finds its
`no_match` near-misses, and the proof that its regex stays silent on logs without the failure."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import FrozenSet, List, Optional, Pattern, Sequence, Tuple

from rapidfuzz import fuzz

from triage.api import decode_chunks
from triage.engine.normalize import normalize
from triage.engine.source import LogSource
from triage.learn.masks import constant_text, safe_text

MAX_LINES = 200_000  # distinct healthy lines kept in all (a team may pass big logs)
NO_MATCH = 3  # near-misses a draft takes
MAX_NO_MATCH = 240  # characters of a near-miss (a longer line is hard to read in a draft)
FIXTURE_MARK = "# triage-fixture:"  # a fixture's first line says what it expects: not log text
_WORD = re.compile(r"[a-z][a-z0-9_]{3,}")


@dataclass(frozen=True)
class HealthyLine:
    text: str
    source: str
    words: FrozenSet[str]


@dataclass
class Healthy:
    lines: List[HealthyLine] = field(default_factory=list)

    @classmethod
    def read(cls, paths: Sequence[Path]) -> "Healthy":
        seen = set()
        lines: List[HealthyLine] = []
        for path in paths:
            text = "".join(decode_chunks(LogSource(str(path)).blocks()))
            for line in normalize(text):
                clean = line.text.strip()
                if clean and not clean.startswith(FIXTURE_MARK) and clean not in seen and len(lines) < MAX_LINES:
                    seen.add(clean)
                    lines.append(HealthyLine(clean, path.name, frozenset(_WORD.findall(clean.lower()))))
        return cls(lines)

    def matched(self, pattern: Pattern[str], keyword: Optional[str]) -> List[HealthyLine]:
        """The healthy lines the regex matches (it should match none)."""
        return [h for h in self.lines if (keyword is None or keyword in h.text.lower()) and pattern.search(h.text)]

    def near_misses(self, pattern: Pattern[str], words: Sequence[str], message: str) -> Tuple[str, ...]:
        """Up to NO_MATCH healthy lines most like the message that the regex does not match: those
        sharing most of its constant words, then the most similar."""
        mine = frozenset(_WORD.findall(" ".join(constant_text(w) for w in words).lower()))
        scored = [(len(mine & h.words), h) for h in self.lines if mine & h.words and len(h.text) <= MAX_NO_MATCH]
        scored.sort(key=lambda s: (-s[0], -fuzz.ratio(message, s[1].text), s[1].text))
        out: List[str] = []
        for _, h in scored:
            text = safe_text(h.text)
            if len(out) < NO_MATCH and text not in out and not pattern.search(text):
                out.append(text)
        return tuple(out)
