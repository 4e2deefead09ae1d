"""Score diagnose() on a labelled folder: top-1/top-3 recall, false positives, each miss.

Labels come from an index.jsonl ({"file", "label", "also"}; label "none" = no known
problem) or, for fixture logs, from a `triage-fixture:` marker on the log's first line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Tuple

from triage.api import diagnose_stream
from triage.engine.source import LogSource
from triage.knowledge.fixtures import Labelled, labelled_logs
from triage.model import KnowledgeBase


@dataclass
class Score:
    positives: int = 0
    negatives: int = 0
    top1: int = 0
    top3: int = 0
    false_positives: int = 0
    misses: List[Tuple[Labelled, List[str]]] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.positives if self.positives else 1.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.positives if self.positives else 1.0

    @property
    def fp_rate(self) -> float:
        return self.false_positives / self.negatives if self.negatives else 0.0


def evaluate(folder: str | Path, kb: Optional[KnowledgeBase] = None) -> Score:
    score = Score()
    for item in labelled_logs(folder):
        got = [d.id for d in diagnose_stream(LogSource(str(item.path)).blocks(), kb).diagnoses]
        if item.label == "none":
            score.negatives += 1
            if got:
                score.false_positives += 1
                score.misses.append((item, got[:3]))
            continue
        score.positives += 1
        good = {item.label, *item.also}
        if got[:1] and got[0] in good:
            score.top1 += 1
        else:
            score.misses.append((item, got[:3]))
        if good & set(got[:3]):
            score.top3 += 1
    return score


def format_score(score: Score, quiet: bool = False) -> str:
    lines: List[str] = []
    if not quiet:
        for item, got in score.misses:
            lines.append(f"  miss {item.path.name}: want {item.label}, got {', '.join(got) or 'nothing'}")
    lines.append(f"top1={score.top1}/{score.positives} ({score.top1_rate:.0%})  "
                 f"top3={score.top3}/{score.positives} ({score.top3_rate:.0%})  "
                 f"false_positives={score.false_positives}/{score.negatives} ({score.fp_rate:.0%})")
    return "\n".join(lines)
