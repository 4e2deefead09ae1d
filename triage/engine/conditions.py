"""What a condition or pattern allows without running it: its literals, its anchors, whether it
is settled over the whole log, and a condition filled with a hit's captures."""
from __future__ import annotations

import re
from functools import lru_cache, partial
from typing import Any, Mapping, Tuple

from triage.limits import MIN_PREFILTER_LITERAL
from triage.model import Condition

_CAPTURE_REF = re.compile(r"\{\{(\w+)\}\}")


def usable_literals(cond: Condition) -> Tuple[str, ...]:
    literals = cond.literals
    return literals if literals and min(len(lit) for lit in literals) >= MIN_PREFILTER_LITERAL else ()


NEVER = "\x00never"  # stands for a capture the hit lacks: no line holds it
_MARK = "\ue000"  # stands for a capture while a pattern is parsed (a private-use character)


@lru_cache(maxsize=None)
def required_captures(source: str) -> Tuple[str, ...]:
    """The {{name}} captures every match of `source` must contain: then a line without the
    captured text cannot match once bound, and is not tried. Found by walking the parsed pattern
    (stdlib re's parser): a capture counts only where the match cannot go around it (outside
    alternatives, optional repeats and look-arounds). Nothing is claimed for a pattern the parser
    does not read."""
    import re._parser as sre  # type: ignore[import-not-found]

    names = tuple(dict.fromkeys(_CAPTURE_REF.findall(source)))
    out = []
    for name in names:
        marked = _CAPTURE_REF.sub(partial(_mark, name), source)
        try:
            tree = sre.parse(marked)
        except Exception:  # a `regex`-only construct: claim nothing
            return ()
        if _mandatory(list(tree), sre):
            out.append(name)
    return tuple(out)


def _mark(name: str, m: Any) -> str:
    return _MARK if m.group(1) == name else "x"


def _mandatory(items: list, sre: Any) -> bool:
    """Whether the marker is in every match of this sequence of parsed items."""
    c = sre  # re._parser re-exports the opcode names
    for op, arg in items:
        if op is c.LITERAL and arg == ord(_MARK):
            return True
        if op is c.SUBPATTERN and _mandatory(list(arg[-1]), sre):
            return True
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)) and arg[0] >= 1 \
                and _mandatory(list(arg[2]), sre):
            return True
        if op is getattr(c, "ATOMIC_GROUP", None) and _mandatory(list(arg), sre):
            return True
        if op is c.BRANCH and all(_mandatory(list(branch), sre) for branch in arg[1]):
            return True
    return False


def needles(cond: Condition, variables: Mapping[str, str]) -> Tuple[str, ...]:
    """The captured text a line must hold for `cond`, bound to these captures, to match it."""
    if "{{" not in cond.source:
        return ()
    return tuple(variables.get(name, NEVER) for name in required_captures(cond.source))


def bind(cond: Condition, variables: Mapping[str, str]) -> Condition:
    """A condition may name the hit's captures as {{name}}: they are matched literally."""
    if "{{" not in cond.source:
        return cond
    filled = _CAPTURE_REF.sub(lambda m: re.escape(variables.get(m.group(1), NEVER)), cond.source)
    return Condition(filled, cond.within, cond.literals)


_ANCHORED = re.compile(r"(?<![\[\\])\^|(?<!\\)\$|\\[AZz]|\(\?<[=!]")


@lru_cache(maxsize=None)
def unanchored(source: str) -> bool:
    """No ^, $, \\A, \\Z or lookbehind: matching it against a line with a prefix is the same."""
    return _ANCHORED.search(source) is None


def is_global(cond: Condition) -> bool:
    """Settled over the whole log: `within: null` and naming no capture (those stay per chunk)."""
    return cond.within is None and "{{" not in cond.source
