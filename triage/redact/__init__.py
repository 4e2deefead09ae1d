"""Masking secrets (and optionally personal details) in what triage prints.

Pure, like the engine: `redact_text(text)` and `redact_result(result)` return copies and touch
nothing else. The CLI applies redact_result to every result before any output format sees it;
the library's diagnose() stays raw, so API users call these themselves.
"""
from __future__ import annotations

from triage.redact.result import Redactor, redact_result, redact_text
from triage.redact.rules import rule_table

__all__ = ["Redactor", "redact_result", "redact_text", "rule_table"]
