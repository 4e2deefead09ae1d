"""The error family. The CLI turns each into one clear line and an exit code."""
from __future__ import annotations


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
