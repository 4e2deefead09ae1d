"""The public engine: diagnose(text) -> ranked diagnoses. Pure: no printing, no network."""
from __future__ import annotations

from functools import lru_cache
from typing import List, Optional, Tuple, Union

from .decode import decode
from .errors import InputError
from .fuzzy import FuzzyIndex
from .hint import likely_failure
from .kb import load_kb
from .match import Document, Matcher
from .model import Diagnosis, Evidence, KnowledgeBase
from .normalize import normalize
from .rank import rank

Text = Union[str, bytes]


@lru_cache(maxsize=1)
def default_kb() -> KnowledgeBase:
    return load_kb()


@lru_cache(maxsize=8)
def _compiled(kb: KnowledgeBase) -> Tuple[Matcher, FuzzyIndex]:
    return Matcher(kb), FuzzyIndex(kb)


def document_of(text: Text) -> Document:
    if isinstance(text, (bytes, bytearray)):
        text = decode(bytes(text))
    elif not isinstance(text, str):
        raise InputError(f"expected str or bytes, got {type(text).__name__}")
    return Document(normalize(text.replace("\x00", "")))


def diagnose(text: Text, kb: Optional[KnowledgeBase] = None) -> List[Diagnosis]:
    """Known problems in a log, best first; [] when none is known."""
    doc = document_of(text)
    return diagnose_document(doc, kb or default_kb())


def diagnose_document(doc: Document, kb: KnowledgeBase) -> List[Diagnosis]:
    matcher, fuzzy = _compiled(kb)
    hits = matcher.scan(doc)
    explained = {i for h in hits for i in h.lines}
    hits += fuzzy.scan(doc, explained)
    return rank(hits, doc)


def failure_line(text: Text) -> Optional[Evidence]:
    """The line that most looks like the failure, for logs with no known problem."""
    line = likely_failure(document_of(text).lines)
    if line is None:
        return None
    return Evidence(line=line.number, text=line.raw, signature="likely-failure", kind="heuristic")
