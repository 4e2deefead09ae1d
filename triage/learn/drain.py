"""A small deterministic Drain-style clusterer of masked failure messages.

After He, Zhu, Zheng and Lyu, "Drain: An Online Log Parsing Approach with Fixed Depth Tree"
(ICWS 2017): messages are routed through a tree of fixed depth (first by their number of tokens,
then by their first tokens, a token holding a digit or a mask going down the `*` branch), and
in the leaf they reach join the cluster whose template shares the most tokens at the same
places, if that share reaches the similarity threshold; else they start a new cluster. Joining
turns the template's differing tokens into wildcards. Our own code (drain3 is unmaintained and
its fork needs Python >= 3.10); the same messages in the same order always give the same clusters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, Generic, List, Optional, Sequence, Set, TypeVar

from triage.learn.masks import OPEN, WILD

M = TypeVar("M")  # what a cluster's members are (the caller's record of each message)
DEPTH = 4  # the tree's depth: root, length, then DEPTH - 2 levels of leading tokens
SIMILARITY = 0.5  # share of a template's tokens a message must repeat to join its cluster
MAX_CHILDREN = 100  # a tree node's children; further tokens share the `*` branch
_ANY = "*"
_DIGIT = re.compile(r"\d")


@dataclass
class Cluster(Generic[M]):
    number: int  # order of creation: ties go to the oldest cluster
    template: List[str]  # tokens; WILD where the members differ
    gaps: List[Set[str]]  # the white space seen between token i and i + 1
    members: List[M] = field(default_factory=list)

    def similarity(self, words: Sequence[str]) -> float:
        same = sum(1 for t, w in zip(self.template, words) if t == w and t != WILD)
        return same / max(1, len(words))

    def absorb(self, words: Sequence[str], gaps: Sequence[str], member: M) -> None:
        self.template = [t if t == w else WILD for t, w in zip(self.template, words)]
        for seen, gap in zip(self.gaps, gaps):
            seen.add(gap)
        self.members.append(member)


class Drain(Generic[M]):
    def __init__(self, depth: int = DEPTH, similarity: float = SIMILARITY, max_children: int = MAX_CHILDREN) -> None:
        self.levels = max(1, depth - 2)
        self.threshold = similarity
        self.max_children = max_children
        self.tree: Dict[int, dict] = {}
        self.clusters: List[Cluster[M]] = []

    def add(self, words: Sequence[str], gaps: Sequence[str], member: M) -> Cluster[M]:
        """File one masked message (its tokens and the white space between them)."""
        leaf = self._leaf(words)
        best = self._best(leaf, words)
        if best is None:
            best = Cluster(len(self.clusters), list(words), [set() for _ in gaps])
            leaf.append(best)
            self.clusters.append(best)
        best.absorb(words, gaps, member)
        return best

    def _leaf(self, words: Sequence[str]) -> List[Cluster[M]]:
        node = self.tree.setdefault(len(words), {})
        for word in list(words[: self.levels]) + [""] * (self.levels - len(words)):
            key = _ANY if OPEN in word or _DIGIT.search(word) else word
            if key not in node and len(node) >= self.max_children:
                key = _ANY
            node = node.setdefault(key, {})
        leaf: List[Cluster[M]] = node.setdefault("", [])
        return leaf

    def _best(self, leaf: Sequence[Cluster[M]], words: Sequence[str]) -> Optional[Cluster[M]]:
        scored = [(c.similarity(words), -c.number, c) for c in leaf]
        if not scored:
            return None
        score, _, cluster = max(scored, key=lambda s: (s[0], s[1]))
        return cluster if score >= self.threshold else None
