"""The error family. The CLI turns each into one clear line and an exit code."""
from __future__ import annotations

from enum import IntEnum
from typing import List


class ExitCode(IntEnum):
    """Every exit code of `triage`, `triage fix` and `triage-hook`, declared once."""

    CLEAN = 0  # no known problem (a fix: planned, applied or reverted)
    FOUND = 1  # known problems found (or lint / eval failures)
    ERROR = 2  # usage error, unreadable input or a broken KB file
    BUG = 3  # an unexpected internal error (a bug in triage)
    ALREADY = 4  # the fix is already applied
    NOT_APPLICABLE = 5  # the fix does not apply to this version (or the entry has none)
    NOT_FOUND = 6  # the fix's target file is not there
    REFUSED = 7  # refused: a changed file, no backup, not confirmed, graded unsafe


class TriageError(Exception):
    """Base of every error triage raises on purpose."""


class InputError(TriageError):
    """The log could not be read (missing file, directory, binary data...)."""


class KBError(TriageError):
    """A knowledge-base file is invalid; names the file, the entry and the field."""

    def __init__(self, path: str, entry: str | None, field: str | None, problem: str) -> None:
        self.path = path
        self.entry = entry
        self.field = field
        self.problem = problem
        where = path
        if entry:
            where += f": entry '{entry}'"
        if field:
            where += f", field '{field}'"
        super().__init__(f"{where}: {problem}")


class PatchError(TriageError):
    """A fix could not be planned, applied or reverted."""

    def __init__(self, message: str, outcome: str = "error") -> None:
        self.outcome = outcome
        super().__init__(message)


class KBErrors(KBError):
    """Several problems in the KB; reads as the first, and `problems` lists them all (for lint)."""

    def __init__(self, problems: List[KBError]) -> None:
        first = problems[0]
        super().__init__(first.path, first.entry, first.field, first.problem)
        self.problems = list(problems)
        if len(problems) > 1:
            self.args = (f"{self.args[0]} (and {len(problems) - 1} more; `triage kb lint` lists them all)",)
