"""triage: name the known problem in a failed ML build or training log."""
from __future__ import annotations

from .api import diagnose, failure_line
from .errors import InputError, KBError, PatchError, TriageError
from .kb import load_kb
from .model import Diagnosis, Entry, Evidence, KnowledgeBase, RenderedSolution, Signature

__version__ = "0.1.0"
__all__ = [
    "diagnose", "failure_line", "load_kb", "Diagnosis", "Entry", "Evidence", "KnowledgeBase",
    "RenderedSolution", "Signature", "TriageError", "KBError", "InputError", "PatchError", "__version__",
]
