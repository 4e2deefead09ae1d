"""Is a new failure message a new wording of a problem the KB already has? Then the draft says
"extend entry X" instead of proposing a new problem.

The message is compared (rapidfuzz, paths, numbers and hex masked as the fuzzy fallback masks
them) with the lines of every entry's `match` examples that its signatures match, its fuzzy messages and
its signatures' longer literal texts (those by partial similarity: a literal is part of a line).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional, Tuple

from rapidfuzz import fuzz, process

from triage.engine.fuzzy import mask
from triage.model import Entry, KnowledgeBase

CUTOFF = 90.0  # similarity (0..100) from which a message counts as another wording of an entry's
MIN_LITERAL = 20  # characters a signature literal needs to be compared (shorter ones are in every log)
LITERAL_SHARE = 0.6  # ... and the share of the message it must cover
SHORT, SHORT_CUTOFF = 40, 95.0  # a message shorter than SHORT characters must be this similar


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
            for text in _decisive_lines(entry) + list(entry.fuzzy):
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
        cutoff = CUTOFF if len(masked) >= SHORT else SHORT_CUTOFF  # two short lines look alike easily
        best = process.extractOne(masked, self.lines, scorer=fuzz.ratio, score_cutoff=cutoff) if self.lines else None
        lowered = message.lower()
        # a literal counts when it is most of the message: a stock phrase inside it says little
        literals = [lit if len(lit) >= LITERAL_SHARE * len(lowered) else "" for lit in self.literals]
        part = process.extractOne(lowered, literals, scorer=fuzz.partial_ratio,
                                  score_cutoff=max(CUTOFF, 95.0)) if self.literals else None
        if part is not None and (best is None or part[1] > best[1]):
            entry, text = self.owners[len(self.lines) + part[2]]
            return Near(entry, float(part[1]), text)
        if best is not None:
            entry, text = self.owners[best[2]]
            return Near(entry, float(best[1]), text)
        return None


def _decisive_lines(entry: Entry) -> List[str]:
    """The lines of an entry's match examples that its own signatures match (not their context:
    a FileNotFoundError printed beside an entry's message is not what the entry is about)."""
    lines = {line.strip() for ex in entry.examples.match for line in ex.text.splitlines()}
    return sorted(line for line in lines if any(sig.pattern.search(line) for sig in entry.signatures))
