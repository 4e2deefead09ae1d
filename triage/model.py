"""The domain, as frozen dataclasses. No I/O here."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Mapping, Optional, Pattern, Sequence, Tuple

SEVERITIES = ("info", "warning", "error", "critical")
LOOKUP_UNLISTED = ("defaults", "skip")  # what a lookup does with a key its table lacks


@lru_cache(maxsize=None)
def compile_pattern(source: str) -> Pattern[str]:
    """KB patterns are compiled on first use (a cached KB loads without compiling any), with
    the `regex` module (timeouts, richer syntax), itself imported only when a pattern is needed."""
    import regex

    return regex.compile(source, regex.MULTILINE)


@dataclass(frozen=True)
class Condition:
    """A pattern that must (requires) or must not (veto) appear near a hit.

    `within` is a distance in lines; None means anywhere in the log.
    """

    source: str
    within: Optional[int]
    literals: Tuple[str, ...] = ()  # lower-cased; one occurs in every match ([] = unknown)

    @property
    def pattern(self) -> Pattern[str]:
        return compile_pattern(self.source)


@dataclass(frozen=True)
class Signature:
    name: str
    source: str
    literals: Tuple[str, ...]  # lower-cased; at least one occurs in every match
    confidence: float
    span: int = 1  # number of consecutive lines the pattern may cover
    requires: Tuple[Condition, ...] = ()
    veto: Tuple[Condition, ...] = ()

    @property
    def pattern(self) -> Pattern[str]:
        return compile_pattern(self.source)


PLATFORMS = ("linux", "windows", "darwin")  # the values of the `platform` fact


@dataclass(frozen=True)
class AppliesIf:
    """A solution's machine-checkable conditions (its `applies_if:`), beside the prose `when`.
    All must hold. Checked against facts (triage.versions) from the log or the machine."""

    packages: Mapping[str, str] = field(default_factory=dict)  # distribution name -> version range
    python: Optional[str] = None  # version range of the interpreter
    platform: Tuple[str, ...] = ()  # any of PLATFORMS; () = any
    conda: Optional[bool] = None  # True: a conda environment; False: not one
    container: Optional[bool] = None  # True: inside a container; False: not inside one


@dataclass(frozen=True)
class Solution:
    """A ranked fix. In an Entry its text may hold {placeholders}; in a Diagnosis they are filled,
    and `applies` says whether its `applies_if` holds on the facts known (None: unknown)."""

    title: str
    why: str
    steps: Tuple[str, ...]
    when: Optional[str] = None
    applies_if: Optional[AppliesIf] = None
    applies: Optional[bool] = None
    applies_reason: Optional[str] = None  # the facts that decided `applies`, or what was missing
    position: int = 0  # where it stands in its entry's list (0 = first): translations pair by it


@dataclass(frozen=True)
class SolutionText:
    """One solution's prose in another language; steps (commands) are never translated."""

    title: str
    why: str
    when: Optional[str] = None


@dataclass(frozen=True)
class Translation:
    """An entry's prose in one other language (today: Chinese, the `zh:` block of a KB file).
    Solutions and notes pair with the English ones by position; placeholders and `code` are the same."""

    title: str
    summary: str
    solutions: Tuple[SolutionText, ...] = ()
    notes: Tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)  # holds a whole table: compared and hashed by identity
class Lookup:
    """Variables filled from a KB table (kb/_tables/<table>.yaml): the row whose key is the value
    captured as `key`, tried whole and then by ever shorter dotted prefixes (cv2.aruco -> cv2).
    Every column of the row becomes a variable; the entry's `defaults` cover a missing row, or,
    with unlisted="skip", a hit whose key the table does not list is not counted at all."""

    table: str
    key: str  # the captured variable looked up
    rows: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    unlisted: str = "defaults"  # one of LOOKUP_UNLISTED

    def speaks_for(self, variables: Mapping[str, str]) -> bool:
        """Whether a hit with these captures counts: always, unless unlisted keys are skipped."""
        return self.unlisted != "skip" or self.row(variables.get(self.key, "")) is not None

    def row(self, value: str) -> Optional[Mapping[str, str]]:
        parts = value.strip().split(".")
        for n in range(len(parts), 0, -1):
            found = self.rows.get(".".join(parts[:n]))
            if found is not None:
                return found
        return None


@dataclass(frozen=True)
class Example:
    text: str
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Examples:
    match: Tuple[Example, ...] = ()
    no_match: Tuple[Example, ...] = ()
    todo_match: Tuple[Example, ...] = ()


VERDICTS = ("confirmed", "ruled_out", "unknown")  # of a CheckResult


@dataclass(frozen=True)
class CheckResult:
    """An entry checked on this machine: its verdict, a one-line reason and the facts it read."""

    id: str
    verdict: str  # one of VERDICTS
    reason: str
    facts: Tuple[str, ...] = ()  # "name=value", "name=(unknown)" for a fact not found here


@dataclass(frozen=True, eq=False)
class Entry:
    id: str
    title: str
    summary: str
    tags: Tuple[str, ...]
    severity: str
    path: str
    signatures: Tuple[Signature, ...] = ()
    fuzzy: Tuple[str, ...] = ()
    priority: int = 50
    causes: Tuple[str, ...] = ()
    solutions: Tuple[Solution, ...] = ()
    refs: Tuple[str, ...] = ()
    notes: Tuple[str, ...] = ()
    defaults: Mapping[str, str] = field(default_factory=dict)
    examples: Examples = Examples()
    fix: Optional[Any] = None  # a fixspec.FixSpec
    lookup: Optional[Lookup] = None
    zh: Optional[Translation] = None  # Chinese title, summary, solutions' prose and notes
    draft: bool = False  # written by `triage learn`, not yet reviewed: lower confidence, TODO solutions allowed
    doctor: Optional[Any] = None  # a knowledge.doctorspec.DoctorCheck: how `triage doctor` checks it


@dataclass(frozen=True)
class Evidence:
    """A log line that supports a diagnosis, numbered as the user pasted it."""

    line: int
    text: str
    signature: str
    kind: str = "regex"  # "regex" or "fuzzy"
    score: Optional[float] = None  # fuzzy similarity 0..100
    count: int = 1  # how many lines carried the same message
    last_line: Optional[int] = None
    ranks: Tuple[str, ...] = ()


@dataclass(frozen=True)
class Diagnosis:
    id: str
    title: str
    confidence: float
    evidence: Tuple[Evidence, ...]
    variables: Mapping[str, str]
    solutions: Tuple[Solution, ...]  # placeholders filled from the log
    fixable: bool
    summary: str = ""
    severity: str = "error"
    tags: Tuple[str, ...] = ()
    notes: Tuple[str, ...] = ()
    refs: Tuple[str, ...] = ()
    draft: bool = False  # from a draft entry (`triage learn`): shown as a draft

    def __str__(self) -> str:
        first = self.evidence[0] if self.evidence else None
        where = f" (line {first.line}: {first.text.strip()[:120]})" if first else ""
        return f"{self.id} [{self.confidence:.2f}] {self.title}{where}"


@dataclass(frozen=True, eq=False)  # identity semantics: a loaded KB is cached by identity
class KnowledgeBase:
    entries: Tuple[Entry, ...]

    def get(self, entry_id: str) -> Optional[Entry]:
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        return None

    @property
    def ids(self) -> Tuple[str, ...]:
        return tuple(e.id for e in self.entries)


@dataclass(frozen=True)
class LogResult:
    """What triage found in one log: the diagnoses, best first, and when none is known the line
    that most looks like the failure; or, for a log that could not be read, why (`error`)."""

    source: str
    diagnoses: Sequence[Diagnosis] = ()
    likely_failure: Optional[Evidence] = None
    error: Optional[str] = None
    regex_timeouts: int = 0  # regex checks cut short by the time budget (counted as not matching)
    facts: Mapping[str, str] = field(default_factory=dict)  # versions, platform... read in the log
    doctor: Optional[Tuple[CheckResult, ...]] = None  # with --doctor: the diagnoses checked on this machine
    elsewhere: Tuple[str, ...] = ()  # with --doctor: why the log looks like it came from another machine
