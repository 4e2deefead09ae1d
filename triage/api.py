"""The public engine: diagnose(text) -> ranked diagnoses. Pure: no printing, no network."""
from __future__ import annotations

from dataclasses import replace
from functools import lru_cache
from typing import Iterable, Iterator, List, Mapping, Optional, Tuple, Union

from triage.engine.decode import StreamDecoder
from triage.engine.fuzzy import FuzzyIndex
from triage.engine.match import Matcher
from triage.engine.pipeline import Pipeline
from triage.errors import InputError
from triage.knowledge.loader import load_kb
from triage.limits import CHUNK_CHARS
from triage.model import Diagnosis, Evidence, KnowledgeBase, LogResult
from triage.versions.applies import annotate, merged
from triage.versions.facts import LogFacts, asked_packages, fact_words

Text = Union[str, bytes]
Facts = Optional[Mapping[str, object]]  # `package:torch` -> 2.0.1, python, platform, conda, container


@lru_cache(maxsize=1)
def default_kb() -> KnowledgeBase:
    return load_kb()


@lru_cache(maxsize=8)
def _compiled(kb: KnowledgeBase) -> Tuple[Matcher, FuzzyIndex]:
    return Matcher(kb, fact_words=fact_words(kb)), FuzzyIndex(kb)


def text_chunks(text: Text) -> Iterator[str]:
    if isinstance(text, (bytes, bytearray)):
        yield from decode_chunks([bytes(text)])
        return
    if not isinstance(text, str):
        raise InputError(f"expected str or bytes, got {type(text).__name__}")
    for start in range(0, len(text), CHUNK_CHARS):
        yield text[start:start + CHUNK_CHARS].replace("\x00", "")


def decode_chunks(blocks: Iterable[bytes]) -> Iterator[str]:
    decoder = StreamDecoder()
    for block in blocks:
        for start in range(0, len(block), CHUNK_CHARS):
            yield decoder.decode(block[start:start + CHUNK_CHARS])
    yield decoder.decode(b"", final=True)


def analyze(chunks: Iterable[str], kb: Optional[KnowledgeBase] = None, facts: Facts = None) -> LogResult:
    """Diagnoses and the likely failure line of a log given as text chunks, in one pass, with
    the facts the log states (`result.facts`). Each solution's `applies` is checked against
    those facts, overridden by `facts` (the machine's own, say)."""
    kb = kb or default_kb()
    matcher, fuzzy = _compiled(kb)
    result = Pipeline(kb, matcher, fuzzy, LogFacts(asked_packages(kb))).run(chunks)
    return replace(result, diagnoses=annotate(result.diagnoses, merged(result.facts, facts)))


def diagnose(text: Text, kb: Optional[KnowledgeBase] = None, facts: Facts = None) -> List[Diagnosis]:
    """Known problems in a log, best first; [] when none is known."""
    return list(analyze(text_chunks(text), kb, facts).diagnoses)


def diagnose_stream(blocks: Iterable[bytes], kb: Optional[KnowledgeBase] = None, facts: Facts = None) -> LogResult:
    """Like diagnose, for a log read block by block (a file, a pipe): memory stays bounded."""
    return analyze(decode_chunks(blocks), kb, facts)


def failure_line(text: Text) -> Optional[Evidence]:
    """The line that most looks like the failure, for logs with no known problem."""
    return analyze(text_chunks(text)).likely_failure
