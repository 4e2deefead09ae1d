"""triage: name the known problem in a failed ML build or training log."""
from __future__ import annotations

from typing import Any

from triage.api import diagnose, diagnose_path, diagnose_stream, failure_line
from triage.errors import InputError, KBError, PatchError, TriageError
from triage.knowledge.loader import load_kb
from triage.model import (
    Diagnosis,
    Entry,
    Evidence,
    KnowledgeBase,
    LogResult,
    Signature,
    Solution,
)

RenderedSolution = Solution  # the name of a diagnosis' solution before 0.2; one type now

__version__ = "0.1.0"
__all__ = [
    "diagnose", "diagnose_path", "diagnose_stream", "failure_line", "load_kb", "Diagnosis", "Entry", "Evidence", "KnowledgeBase",
    "LogResult", "Solution", "RenderedSolution", "Signature", "TriageError", "KBError", "InputError", "PatchError", "__version__",
    "plan_fix", "apply_fix", "revert_fix", "FixPlan",
]
_FIX_NAMES = ("plan_fix", "apply_fix", "revert_fix", "FixPlan")


def __getattr__(name: str) -> Any:
    # the fix API is imported on first use: diagnosing a log does not pay for it
    if name in _FIX_NAMES:
        from triage.fixes import plan

        return getattr(plan, name)
    raise AttributeError(f"module 'triage' has no attribute {name!r}")
