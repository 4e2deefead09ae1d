"""Is a new failure message a new wording of a problem the KB already has? Then the draft says
"extend entry X" instead of proposing a new problem.

The message is compared (rapidfuzz, paths, numbers and hex masked as the fuzzy fallback masks
them) with every entry's `match` example lines that look like messages, its fuzzy messages and
its signatures' longer literal texts (those by partial similarity: a literal is part of a line).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from rapidfuzz import fuzz, process

from triage.engine.fuzzy import mask
from triage.engine.words import MESSAGE_LIKE
from triage.model import KnowledgeBase

CUTOFF = 80.0  # similarity (0..100) from which a message counts as another wording of an entry's
MIN_LITERAL = 20  # characters a signature literal needs to be compared (shorter ones are in every log)


@dataclass(frozen=True)
class Near:
    entry: str  # the entry's id
    score: float  # 0..100
    text: str  # what of the entry the message is close to


class NearbyIndex:
    def __init__(self, kb: KnowledgeBase) -> None:
        self.lines: List[str] = []  # masked example lines and fuzzy messages
        self.literals: List[str] = []
        self.owners: List[Tuple[str, str]] = []  # (entry id, text as written), lines first
        literal_owners: List[Tuple[str, str]] = []
        for entry in kb.entries:
            for text in _message_lines(entry.examples.match) + list(entry.fuzzy):
                self.lines.append(mask(text))
                self.owners.append((entry.id, text))
            for sig in entry.signatures:
                for literal in sig.literals:
                    if len(literal) >= MIN_LITERAL:
                        self.literals.append(literal)
                        literal_owners.append((entry.id, literal))
        self.owners += literal_owners

    def nearest(self, message: str) -> Optional[Near]:
        """The entry whose wording is closest to `message`, if close enough."""
        masked = mask(message)
        best = process.extractOne(masked, self.lines, scorer=fuzz.ratio, score_cutoff=CUTOFF) if self.lines else None
        lowered = message.lower()
        part = process.extractOne(lowered, self.literals, scorer=fuzz.partial_ratio,
                                  score_cutoff=max(CUTOFF, 95.0)) if self.literals else None
        if part is not None and (best is None or part[1] > best[1]):
            entry, text = self.owners[len(self.lines) + part[2]]
            return Near(entry, float(part[1]), text)
        if best is not None:
            entry, text = self.owners[best[2]]
            return Near(entry, float(best[1]), text)
        return None


def _message_lines(examples: tuple) -> List[str]:
    return [line.strip() for ex in examples for line in ex.text.splitlines() if MESSAGE_LIKE.search(line)]
