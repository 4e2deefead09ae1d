"""Browsing the KB: list, explain, search, did-you-mean. Strings out, no printing."""
from __future__ import annotations

import json
from typing import List, Tuple

from .model import Entry, KnowledgeBase


def list_text(kb: KnowledgeBase) -> str:
    rows = [f"{e.id:42} {e.severity:8} {','.join(e.tags)[:28]:28} {e.title}" for e in kb.entries]
    return "\n".join(rows + [f"{len(kb.entries)} entries"])


def list_json(kb: KnowledgeBase) -> str:
    return json.dumps([{"id": e.id, "title": e.title, "severity": e.severity, "tags": list(e.tags),
                        "path": e.path, "fixable": e.fix is not None} for e in kb.entries],
                      ensure_ascii=False, indent=2)


def entry_text(e: Entry) -> str:
    out = [f"{e.id}: {e.title}", f"severity: {e.severity}   tags: {', '.join(e.tags)}", "", e.summary.strip(), ""]
    for i, s in enumerate(e.solutions, 1):
        out.append(f"Fix {i}: {s.title}" + (f"  (when: {s.when})" if s.when else ""))
        out.append(f"   {s.why}")
        out += [f"   $ {step}" for step in s.steps]
    out += [f"Note: {n}" for n in e.notes]
    if e.signatures:
        out += ["", "Signatures:"] + [f"  {s.name}: {s.source}" for s in e.signatures]
    out += [f"See: {r}" for r in e.refs]
    if e.fix:
        out.append(f"Automatic fix: triage fix {e.id}")
    out.append(f"Defined in {e.path}")
    return "\n".join(out)


def suggest(kb: KnowledgeBase, word: str, limit: int = 3) -> List[str]:
    from rapidfuzz import fuzz, utils

    scores = {e.id: max(fuzz.WRatio(word, e.id, processor=utils.default_process),
                        fuzz.WRatio(word, e.title, processor=utils.default_process)) for e in kb.entries}
    ranked = sorted((s, i) for i, s in scores.items() if s >= 60)
    return [i for _, i in sorted(ranked, key=lambda p: (-p[0], p[1]))[:limit]]


def search(kb: KnowledgeBase, query: str, limit: int = 10) -> List[Tuple[float, Entry]]:
    from rapidfuzz import fuzz

    scored = []
    for e in kb.entries:
        haystack = " ".join([e.id, e.title, e.summary, " ".join(e.tags), " ".join(e.fuzzy),
                             " ".join(s.source for s in e.signatures)])
        score = fuzz.partial_token_set_ratio(query.lower(), haystack.lower())
        if score >= 70:
            scored.append((score, e))
    scored.sort(key=lambda pair: (-pair[0], pair[1].id))
    return scored[:limit]
