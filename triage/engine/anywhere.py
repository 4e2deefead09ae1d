"""Whole-log conditions (`within: null`): has each matched anywhere yet, and what that decides."""
from __future__ import annotations

from typing import Dict, Optional, Sequence

from triage.engine.match import ChunkSearch, Hit
from triage.engine.normalize import Line
from triage.model import Condition


class AnywhereState:
    """For each `within: null` condition: has it matched anywhere in the log so far?"""

    def __init__(self) -> None:
        self.seen: Dict[str, Optional[Line]] = {}  # by condition source

    def update(self, search: ChunkSearch, lo: int, hi: int, conds: Sequence[Condition]) -> None:
        for cond in conds:
            if self.seen.get(cond.source) is not None:
                continue
            for i in search.lines_for(cond, lo, hi):
                if search.rejects(i, cond.source):
                    continue
                line = search.first_matching(i, cond)
                if line is not None:
                    self.seen[cond.source] = line
                    break

    def settle(self, hit: Hit) -> Optional[Hit]:
        """The hit with its anywhere conditions decided, or None if they rule it out."""
        support = list(hit.support)
        for cond, is_veto in hit.pending:
            line = self.seen.get(cond.source)
            if is_veto and line is not None:
                return None
            if not is_veto:
                if line is None:
                    return None
                support.append(line)
        return Hit(hit.entry, hit.signature, hit.kind, hit.confidence, hit.lines, hit.variables, hit.score,
                   tuple(support), ())
