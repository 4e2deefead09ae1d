"""Derive, from a regex, literal strings of which at least one occurs in every match.

They feed the prefilter: a line holding none of a signature's literals cannot match it,
so the full regex never runs there. Derivation is conservative: when in doubt, it returns
no literals and the signature is simply checked on every candidate line.
"""
from __future__ import annotations

import sys
from typing import Any, List, Optional, Sequence

if sys.version_info >= (3, 11):
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _parser  # type: ignore[import-not-found]
else:  # pragma: no cover - exercised on older interpreters only
    import sre_constants as _c
    import sre_parse as _parser

Alternatives = Optional[List[str]]  # any one of these occurs; None = unknown


def derive_literals(pattern: str) -> List[str]:
    """Lower-cased literals, one of which appears in every match ([] when none is known)."""
    try:
        parsed = _parser.parse(pattern)
    except Exception:  # `regex`-only syntax: leave it to explicit keywords
        return []
    found = _best_of_sequence(list(parsed))  # type: ignore[call-overload]
    return [s.lower() for s in found] if found else []


def _strength(alts: Alternatives) -> int:
    return min(len(a) for a in alts) if alts else 0


def _best_of_sequence(items: Sequence[Any]) -> Alternatives:
    best: Alternatives = None
    run: List[str] = []

    def close_run() -> None:
        nonlocal best, run
        if run:
            candidate = ["".join(run)]
            if _strength(candidate) > _strength(best):
                best = candidate
        run = []

    for op, arg in items:
        if op is _c.LITERAL:
            run.append(chr(arg))
            continue
        close_run()
        candidate = _required_of(op, arg)
        if _strength(candidate) > _strength(best):
            best = candidate
    close_run()
    return best


def _required_of(op: Any, arg: Any) -> Alternatives:
    if op is _c.SUBPATTERN:
        return _best_of_sequence(list(arg[-1]))
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT) and arg[0] >= 1:
        return _best_of_sequence(list(arg[2]))
    if op is _c.BRANCH:
        alternatives: List[str] = []
        for branch in arg[1]:
            found = _best_of_sequence(list(branch))
            if not found:
                return None
            alternatives.extend(found)
        return alternatives
    return None
