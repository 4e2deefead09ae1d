"""The `zh:` block of a KB entry: its Chinese prose, checked against the English it translates.

Only prose is translated. Commands, placeholders and `code` stay byte for byte the same, so a
translation may not drop or change one: the set of {placeholders} of each field must equal the
English field's, and every `code span` of the English must appear in the Chinese.
"""
from __future__ import annotations

import re
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from triage.knowledge.schema import Checker
from triage.model import Solution, SolutionText, Translation

TRANSLATION_KEYS = {"title", "summary", "solutions", "notes"}
SOLUTION_TEXT_KEYS = {"title", "why", "when"}
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_CODE = re.compile(r"`([^`\n]+)`")
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def parse_translation(check: Checker, raw: Any, english: Mapping[str, Any],
                      solutions: Sequence[Solution]) -> Optional[Translation]:
    """The entry's `zh:` block, or None when it has none."""
    if raw is None:
        return None
    check.keys(raw, TRANSLATION_KEYS, "zh")
    title, summary = check.text(raw, "title", "zh"), check.text(raw, "summary", "zh")
    same_code(check, "zh.title", str(english.get("title", "")), title)
    same_code(check, "zh.summary", str(english.get("summary", "")), summary)
    notes = check.strings(raw, "notes", "zh")
    english_notes = english.get("notes") or []
    if len(notes) != len(english_notes):
        check.fail("zh.notes", f"must translate each of the {len(english_notes)} notes, in order (has {len(notes)})")
    for i, (en, zh) in enumerate(zip(english_notes, notes)):
        same_code(check, f"zh.notes[{i}]", str(en), zh)
    return Translation(title=title, summary=summary, notes=tuple(notes),
                       solutions=_solutions(check, check.list(raw, "solutions", "zh"), solutions))


def _solutions(check: Checker, raws: List[Any], solutions: Sequence[Solution]) -> Tuple[SolutionText, ...]:
    if len(raws) != len(solutions):
        check.fail("zh.solutions", f"must translate each of the {len(solutions)} solutions, in order "
                                   f"(has {len(raws)})")
    out = []
    for i, (raw, en) in enumerate(zip(raws, solutions)):
        where = f"zh.solutions[{i}]"
        check.keys(raw, SOLUTION_TEXT_KEYS, where)
        text = SolutionText(title=check.text(raw, "title", where), why=check.text(raw, "why", where),
                            when=check.optional_text(raw, "when", where))
        if (text.when is None) != (en.when is None):
            check.fail(f"{where}.when", "must be given exactly when the English solution has a `when`")
        for name in ("title", "why", "when"):
            same_code(check, f"{where}.{name}", getattr(en, name) or "", getattr(text, name) or "")
        out.append(text)
    return tuple(out)


def same_code(check: Checker, field: str, english: str, chinese: str) -> None:
    """A translation keeps every placeholder and `code span` of the English exactly."""
    theirs, ours = set(_PLACEHOLDER.findall(english)), set(_PLACEHOLDER.findall(chinese))
    if theirs != ours:
        check.fail(field, f"placeholders differ from the English: {sorted(theirs)} vs {sorted(ours)}")
    missing = [span for span in _CODE.findall(english) if f"`{span}`" not in chinese]
    if missing:
        check.fail(field, f"keep the English code spans unchanged: missing `{missing[0]}`")
