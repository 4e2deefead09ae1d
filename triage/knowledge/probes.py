"""Hostile lines for one regex, built from its own parts (see redos.py, which times them).

Long runs of what each repeat repeats, alone and behind the text that leads up to it (a
near-miss that matches the prefix then fails); each literal repeated; the pattern's own sample
repeated and cut short; and, for patterns the `regex` module would reject at once for lack of
a literal, the same lines ending with a sample match.
"""
from __future__ import annotations

import re
import sys
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional, Tuple

if sys.version_info >= (3, 11):
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _parser  # type: ignore[import-not-found]
else:  # pragma: no cover - older interpreters
    import sre_constants as _c
    import sre_parse as _parser

REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))
_ATOMIC = getattr(_c, "ATOMIC_GROUP", object())
_CHOICES = "a0 A_.-/:x\t'\"()[]=,;@#$%&*+<>?!~`|{}\\^Z9"

Maker = Callable[[int], str]


def probes(source: str) -> List[Tuple[str, Maker]]:
    """(description, length -> hostile line) built from the pattern's parts, without duplicates.
    A line the pattern rejects at once is tried again ending with a sample match (see measure)."""
    try:
        tree = _parse(source)
    except Exception:  # syntax only the `regex` module reads: fall back to its visible characters
        return _dedupe([(f"{ch!r} repeated", _run("", ch)) for ch in _CHOICES] +
                       [(f"{w!r} repeated", _run("", w)) for w in re.findall(r"[A-Za-z][\w ]+", source)])
    found: List[Tuple[str, Maker]] = []
    _walk(tree, "", found)
    whole = _sample(tree)
    if whole:
        found += [("the pattern's sample repeated", _run("", whole)),
                  ("the pattern's sample cut short, repeated", _run("", whole[:-1] + " "))]
    found += [(f"{ch!r} repeated", _run("", ch)) for ch in " a0"]
    return _dedupe(found)


def with_match(source: str, make: Maker) -> Optional[Maker]:
    """The same line ending with a sample match, for patterns the `regex` module rejects at once."""
    whole = _whole_sample(source)
    return _ending(make, " " + whole) if whole else None


@lru_cache(maxsize=64)
def _whole_sample(source: str) -> str:
    try:
        return _sample(_parse(source))
    except Exception:
        return ""


def _parse(source: str) -> List[Any]:
    """The parse tree of `re`, which refuses a group name used twice (the `regex` module allows
    it, for alternatives): repeated names are renamed, they only matter for captures."""
    seen: Dict[str, int] = {}

    def rename(m: "re.Match[str]") -> str:
        seen[m.group(1)] = seen.get(m.group(1), 0) + 1
        return m.group(0) if seen[m.group(1)] == 1 else f"(?P<{m.group(1)}_{seen[m.group(1)]}>"

    source = re.sub(r"\(\?P<(\w+)>", rename, source)
    flags = "".join(re.findall(r"\(\?([aiLmsux]+)\)", source))  # `regex` takes them anywhere, `re` first
    source = re.sub(r"\(\?[aiLmsux]+\)", "", source)
    return list(_parser.parse(f"(?{flags}){source}" if flags else source).data)


def _ending(make: Maker, tail: str) -> Maker:
    return lambda length: make(max(1, length - len(tail))) + tail


def _run(prefix: str, unit: str, tail: str = "") -> Maker:
    def make(length: int) -> str:
        need = max(1, length - len(prefix) - len(tail))
        return prefix + (unit * (need // len(unit) + 1))[:need] + tail
    return make


def _dedupe(found: List[Tuple[str, Maker]]) -> List[Tuple[str, Maker]]:
    seen, out = set(), []
    for name, make in found:
        key = make(64)
        if key not in seen:
            seen.add(key)
            out.append((name, make))
    return out


def _walk(items: List[Any], prefix: str, found: List[Tuple[str, Maker]]) -> None:
    """Probes for each repeat and literal run of a sequence, each behind the text before it."""
    literal, lead = "", prefix
    for op, arg in items:
        before, lead = lead, lead + _sample([(op, arg)])
        if op is _c.LITERAL:
            literal += chr(arg)
            continue
        _literal_probes(literal, found)
        literal = ""
        if op in REPEATS and (arg[1] is _c.MAXREPEAT or arg[1] > 16):
            unit = _sample(list(arg[2])) or " "
            found += [(f"{unit!r} repeated", _run("", unit)),
                      (f"{before[-40:]!r} then {unit!r} repeated", _run(before, unit, "\x01"))]
            _walk(list(arg[2]), before, found)
        elif op is _c.SUBPATTERN or op is _ATOMIC:
            _walk(_body(op, arg), before, found)
        elif op is _c.BRANCH:
            for branch in arg[1]:
                _walk(list(branch), before, found)
        elif op in REPEATS:
            _walk(list(arg[2]), before, found)
    _literal_probes(literal, found)


def _literal_probes(literal: str, found: List[Tuple[str, Maker]]) -> None:
    if len(literal) >= 2:
        found.append((f"{literal!r} repeated", _run("", literal)))


def _sample(items: List[Any]) -> str:
    """A short string the sequence matches (best effort: lookarounds and anchors are skipped)."""
    out = []
    for op, arg in items:
        if op is _c.LITERAL:
            out.append(chr(arg))
        elif op is _c.NOT_LITERAL:
            out.append(next(ch for ch in _CHOICES if ord(ch) != arg))
        elif op is _c.ANY:
            out.append("a")
        elif op is _c.IN:
            out.append(_member(arg))
        elif op in REPEATS:
            out.append(_sample(list(arg[2])) * max(arg[0], 0))
        elif op is _c.SUBPATTERN or op is _ATOMIC:
            out.append(_sample(_body(op, arg)))
        elif op is _c.BRANCH:
            out.append(_sample(list(arg[1][0])))
    return "".join(out)


def _body(op: Any, arg: Any) -> List[Any]:
    """The items inside a group: (?:...) carries flags before them, (?>...) does not."""
    return list(arg if op is _ATOMIC else arg[-1])


_CATEGORY = {"CATEGORY_DIGIT": str.isdigit, "CATEGORY_SPACE": str.isspace,
             "CATEGORY_WORD": lambda ch: ch.isalnum() or ch == "_"}


def _member(items: List[Any]) -> str:
    """A character of a class [...]: the first of a few common ones that is in it."""
    negate = bool(items) and items[0][0] is _c.NEGATE

    def inside(ch: str) -> bool:
        for op, arg in items:
            if op is _c.LITERAL and ord(ch) == arg or op is _c.RANGE and arg[0] <= ord(ch) <= arg[1]:
                return True
            if op is _c.CATEGORY:
                name = str(arg).replace("NOT_", "")
                if name in _CATEGORY and _CATEGORY[name](ch) != ("NOT_" in str(arg)):
                    return True
        return False

    for ch in _CHOICES:
        if inside(ch) != negate:
            return ch
    lit = next((arg for op, arg in items if op is _c.LITERAL), ord("a"))
    return chr(lit)
