"""KB prose in the reader's language: an entry's or a diagnosis's title, summary, solutions'
title / why / when and notes taken from its `zh:` block, field by field (a field without a
translation stays English). Steps, commands, evidence and ids are never touched.

Pure functions of the data: what comes out is the same dataclass, so every renderer shows it.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Dict, List, Mapping, Optional, Sequence

from triage.engine.rank import fill, values_of
from triage.model import Diagnosis, Entry, KnowledgeBase, LogResult, Solution, SolutionText, Translation

_HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CJK_PUNCT = "\u3000-\u303f\uff00-\uffef"
# the space YAML's folded (>) scalars put where a line broke: Chinese has none between its words
_FOLD_SPACE = re.compile(f"(?<=[{_CJK_PUNCT}]) +(?=\\S)|(?<=\\S) +(?=[{_CJK_PUNCT}])|(?<=[{_HAN}]) +(?=[{_HAN}])")


def translation(entry: Entry, lang: str) -> Optional[Translation]:
    """The entry's prose in `lang`, when it has one (English is the entry itself)."""
    return entry.zh if lang == "zh" else None


def unfolded(text: str) -> str:
    """Chinese prose without the spaces a folded YAML scalar left between two Chinese characters
    or beside full-width punctuation (a space between Chinese and a Latin word stays)."""
    return _FOLD_SPACE.sub("", text) if text else text


def localized_entry(entry: Entry, lang: str) -> Entry:
    """The entry with its prose in `lang` where translated; placeholders stay placeholders."""
    zh = translation(entry, lang)
    if zh is None:
        return entry
    solutions = tuple(_solution(s, t, {}) for s, t in zip(entry.solutions, _padded(zh.solutions, entry.solutions)))
    return replace(entry, title=zh.title or entry.title, summary=unfolded(zh.summary) or entry.summary,
                   solutions=solutions, notes=_notes(entry.notes, zh.notes))


def localized_diagnosis(d: Diagnosis, entry: Optional[Entry], lang: str) -> Diagnosis:
    """The diagnosis with its entry's prose in `lang`, filled with the same values as the English.

    A diagnosis's solutions are paired with the entry's by their filled English title, so a
    diagnosis that shows only some of its entry's solutions, or in another order, still pairs."""
    zh = translation(entry, lang) if entry is not None else None
    if entry is None or zh is None:
        return d
    values = values_of(entry, d.variables)
    texts: Dict[str, SolutionText] = {}
    for english, text in zip(entry.solutions, zh.solutions):
        texts.setdefault(fill(english.title, values), text)
    solutions = tuple(_solution(s, texts.get(s.title), values) for s in d.solutions)
    summary = fill(unfolded(zh.summary.strip()), values) if zh.summary else d.summary
    return replace(d, title=zh.title or d.title, summary=summary, solutions=solutions,
                   notes=_notes(d.notes, zh.notes))


def localized_results(results: Sequence[LogResult], kb: KnowledgeBase, lang: str) -> List[LogResult]:
    """Every diagnosis of every result in `lang` (results unchanged for English)."""
    if lang == "en":
        return list(results)
    entries = {e.id: e for e in kb.entries}
    return [replace(r, diagnoses=[localized_diagnosis(d, entries.get(d.id), lang) for d in r.diagnoses])
            for r in results]


def _solution(s: Solution, text: Optional[SolutionText], values: Mapping[str, str]) -> Solution:
    if text is None:
        return s
    when = fill(text.when, values) if text.when and s.when else s.when
    why = fill(unfolded(text.why), values) or s.why
    return replace(s, title=fill(text.title, values) or s.title, why=why, when=when)


def _notes(english: Sequence[str], chinese: Sequence[str]) -> tuple:
    return tuple(zh or en for en, zh in zip(english, _padded(chinese, english)))


def _padded(texts: Sequence, english: Sequence) -> list:
    """`texts` paired by position with `english`: None where a translation is missing."""
    return list(texts[: len(english)]) + [None] * (len(english) - len(texts))
