"""What a condition or pattern allows without running it: its literals, its anchors, whether it
is settled over the whole log, and a condition filled with a hit's captures."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Mapping, Tuple

from triage.limits import MIN_PREFILTER_LITERAL
from triage.model import Condition

_CAPTURE_REF = re.compile(r"\{\{(\w+)\}\}")


def usable_literals(cond: Condition) -> Tuple[str, ...]:
    literals = cond.literals
    return literals if literals and min(len(lit) for lit in literals) >= MIN_PREFILTER_LITERAL else ()


def bind(cond: Condition, variables: Mapping[str, str]) -> Condition:
    """A condition may name the hit's captures as {{name}}: they are matched literally."""
    if "{{" not in cond.source:
        return cond
    filled = _CAPTURE_REF.sub(lambda m: re.escape(variables.get(m.group(1), "\x00never")), cond.source)
    return Condition(filled, cond.within, cond.literals)


_ANCHORED = re.compile(r"(?<![\[\\])\^|(?<!\\)\$|\\[AZz]|\(\?<[=!]")


@lru_cache(maxsize=None)
def unanchored(source: str) -> bool:
    """No ^, $, \\A, \\Z or lookbehind: matching it against a line with a prefix is the same."""
    return _ANCHORED.search(source) is None


def is_global(cond: Condition) -> bool:
    """Settled over the whole log: `within: null` and naming no capture (those stay per chunk)."""
    return cond.within is None and "{{" not in cond.source
