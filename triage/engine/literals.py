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


MAX_COMBINATIONS = 16  # alternatives a literal run may fan out into ("passed, " / "passed in ")


def _best_of_sequence(items: Sequence[Any]) -> Alternatives:
    """The strongest alternatives of the sequence: a literal run, extended through small
    groups of exact literals (`x(?:a|b)y` gives xay / xby), or a required sub-part."""
    best: Alternatives = None
    run: List[str] = [""]  # the current run, one string per alternative spelling

    def close_run() -> None:
        nonlocal best, run
        if _strength(run) > _strength(best):
            best = run
        run = [""]

    for op, arg in items:
        exact = _exact(op, arg)
        if exact is not None and len(run) * len(exact) <= MAX_COMBINATIONS:
            run = [r + e for r in run for e in exact]
            continue
        close_run()
        candidate = _required_of(op, arg)
        if _strength(candidate) > _strength(best):
            best = candidate
    close_run()
    return best


def _exact(op: Any, arg: Any) -> Optional[List[str]]:
    """Every string this item can match, when that is a small finite set of literals."""
    if op is _c.LITERAL:
        return [chr(arg)]
    if op is _c.IN and all(kind is _c.LITERAL for kind, _ in arg) and len(arg) <= MAX_COMBINATIONS:
        return [chr(code) for _, code in arg]  # (?:d|e) is parsed as the class [de]
    if op is _c.SUBPATTERN:
        return _exact_sequence(list(arg[-1]))
    if op is _c.BRANCH:
        out: List[str] = []
        for branch in arg[1]:
            found = _exact_sequence(list(branch))
            if found is None:
                return None
            out += found
        return out if len(out) <= MAX_COMBINATIONS else None
    return None


def _exact_sequence(items: Sequence[Any]) -> Optional[List[str]]:
    out = [""]
    for op, arg in items:
        found = _exact(op, arg)
        if found is None or len(out) * len(found) > MAX_COMBINATIONS:
            return None
        out = [o + f for o in out for f in found]
    return out


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
