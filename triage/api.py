"""The public engine: diagnose(text) -> ranked diagnoses, diagnose_path(path) -> one log's record.

Pure: no printing, no network."""
from __future__ import annotations

import os
from dataclasses import replace
from functools import lru_cache
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from triage.engine.decode import StreamDecoder
from triage.engine.fuzzy import FuzzyIndex
from triage.engine.match import Matcher
from triage.engine.pipeline import Pipeline
from triage.engine.source import LogSource
from triage.errors import InputError, TriageError
from triage.knowledge.loader import load_kb
from triage.limits import CHUNK_CHARS
from triage.model import Diagnosis, Evidence, KnowledgeBase, LogResult
from triage.versions.applies import annotate, merged
from triage.versions.facts import LogFacts, asked_packages, fact_words

Text = Union[str, bytes]
PathName = Union[str, "os.PathLike[str]"]
Facts = Optional[Mapping[str, object]]  # `package:torch` -> 2.0.1, python, platform, conda, container


@lru_cache(maxsize=1)
def default_kb() -> KnowledgeBase:
    return load_kb()


@lru_cache(maxsize=4)
def kb_for(kb_dirs: Tuple[str, ...]) -> KnowledgeBase:
    """The bundled KB plus `kb_dirs`, loaded once per process."""
    return load_kb(*kb_dirs) if kb_dirs else default_kb()


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


def diagnose_file(path: PathName, kb: Optional[KnowledgeBase] = None) -> LogResult:
    """Diagnose one log file (plain, .gz, .zst), streamed; trouble reading it is recorded in
    `error` ("empty", "no such file", ...), not raised."""
    name = os.fspath(path)
    try:
        source = LogSource(name)
        outcome = diagnose_stream(source.blocks(), kb)
    except (TriageError, OSError) as exc:
        return LogResult(name, error=_reason(exc, name))
    if not source.seen_text:
        return LogResult(name, error="empty")
    found = outcome.diagnoses
    return LogResult(name, found, None if found else outcome.likely_failure, facts=outcome.facts)


def _reason(exc: Exception, label: str) -> str:
    text = str(exc)
    for prefix in (f"{label}: ", "cannot be read: "):
        text = text[len(prefix):] if text.startswith(prefix) else text
    return text


def diagnose_path(path: PathName, kb_dirs: Sequence[str] = (), redact: bool = True) -> Dict[str, Any]:
    """One log's record, exactly as a line of `triage scan --format json`: a JSON-ready, picklable
    dict with "path", "error" (None, or why the log could not be read) and the result body.

    For distributing logs over Dask, Spark or Ray workers. Secrets are masked as the scan masks
    them unless `redact=False`; `kb_dirs` are extra KB folders (loaded once per process).
    """
    from triage.records import scan_record
    from triage.redact import redact_result

    kb = kb_for(tuple(os.fspath(d) for d in kb_dirs))  # a broken KB raises: no log could be read
    if isinstance(path, (str, os.PathLike)):
        result = diagnose_file(path, kb)
    else:  # None, a number, bytes: a record that says so, like any other bad path
        result = LogResult(repr(path), error=f"not a path: {type(path).__name__}")
    return scan_record(redact_result(result) if redact else result)
