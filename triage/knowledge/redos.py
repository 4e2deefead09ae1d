"""Adversarial regex measurement: which KB patterns take super-linear time on some line?

A log line is written by whoever wrote the log, so every KB regex (signatures, requires/veto
conditions, fix patterns) must run in time linear in the line. For each pattern we build
hostile lines from its own parts: long runs of what each repeat repeats (alone, and behind
the text that leads up to it: a near-miss that matches the prefix then fails), each literal
repeated, the whole pattern's sample repeated and cut short. Each line is timed at 4 kB and
16 kB; linear work grows about 4x, quadratic work 16x, so the ratio flags it. A line that
costs little next to a plain scan of the same text is not timed twice (that keeps the lint
of the whole KB within a few seconds).
"""
from __future__ import annotations

import re
import sys
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, List, Optional, Pattern, Tuple

from triage.model import Entry, KnowledgeBase, compile_pattern

if sys.version_info >= (3, 11):
    import re._constants as _c  # type: ignore[import-not-found]
    import re._parser as _parser  # type: ignore[import-not-found]
else:  # pragma: no cover - older interpreters
    import sre_constants as _c
    import sre_parse as _parser

SMALL, LARGE = 4096, 16384  # characters of the two lengths compared
MAX_RATIO = 8.0  # linear growth gives ~4, quadratic ~16
LIMIT = 0.25  # CPU seconds one probe may run; a timeout at 16 kB counts as that long
GATE = 40.0  # under this many times a plain scan of the same 16 kB, a probe is not looked at twice
FLOOR = 0.0005  # ... nor under this many CPU seconds (timer noise)
REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))
_CHOICES = "a0 A_.-/:x\t'\"()[]=,;@#$%&*+<>?!~`|{}\\^Z9"
_BASELINE = re.compile(r"[\s\S]*")


@dataclass(frozen=True)
class KBRegex:
    path: str
    entry: str
    field: str  # e.g. signatures[2].veto[0].regex, fix.find
    source: str


@dataclass(frozen=True)
class Finding:
    regex: KBRegex
    probe: str  # what the hostile line is made of
    small: float  # CPU seconds at SMALL characters
    large: float  # ... at LARGE (LIMIT when it timed out)
    sizes: Tuple[int, int] = (SMALL, LARGE)

    @property
    def ratio(self) -> float:
        return self.large / max(self.small, 1e-6)

    def message(self) -> str:
        r = self.regex
        return (f"{r.path}: entry '{r.entry}', field '{r.field}': super-linear regex: a line of {self.probe} "
                f"takes {self.small * 1e3:.1f} ms at {self.sizes[0] // 1024} kB and {self.large * 1e3:.0f} ms at "
                f"{self.sizes[1] // 1024} kB "
                f"({self.ratio:.0f}x for 4x the text). {ADVICE}")


ADVICE = ("Make each repeat unable to trade characters with its neighbours: bound it ({0,200}), make it "
          "possessive (\\s*+, [^)]++) or atomic ((?>...)), use disjoint classes on both sides of a "
          "literal ([^:\\n]+:), and anchor (^, \\b) or start with a literal so fewer start positions are tried.")


def kb_regexes(kb: KnowledgeBase) -> Iterator[KBRegex]:
    """Every regex of the KB with the file, entry and field it comes from."""
    for entry in kb.entries:
        def at(field: str, source: str, entry: Entry = entry) -> KBRegex:
            return KBRegex(entry.path, entry.id, field, source)

        for i, sig in enumerate(entry.signatures):
            yield at(f"signatures[{i}].regex", sig.source)
            for key, conds in (("requires", sig.requires), ("veto", sig.veto)):
                for j, cond in enumerate(conds):
                    # a {{capture}} is matched as escaped literal text
                    yield at(f"signatures[{i}].{key}[{j}].regex", re.sub(r"\{\{\w+\}\}", "x", cond.source))
        fix = entry.fix
        if fix is None:
            continue
        for name in ("old_regex", "find", "unless"):
            if getattr(fix, name, None):
                yield at(f"fix.{name}", getattr(fix, name))
        for k, step in enumerate(getattr(fix, "rewrites", ())):
            yield at(f"fix.rewrite[{k}].regex", step.source)


def find_superlinear(kb: KnowledgeBase) -> List[Finding]:
    out = []
    for item in kb_regexes(kb):
        found = measure(item)
        if found is not None:
            out.append(found)
    return out


def measure(item: KBRegex) -> Optional[Finding]:
    """The first probe on which the pattern grows super-linearly, confirmed twice; else None."""
    pattern = compile_pattern(item.source)
    for name, make in probes(item.source):
        text = make(LARGE)
        if _time(pattern, text, 1) < max(FLOOR, GATE * _baseline(text)):
            continue
        sizes = _ratio_sizes(pattern, make)
        small, large = _time(pattern, make(sizes[0]), 3), _time(pattern, make(sizes[1]), 2)
        if large / max(small, 1e-6) > MAX_RATIO:
            return Finding(item, name, small, large, sizes)
    return None


def _ratio_sizes(pattern: Pattern[str], make: Maker) -> Tuple[int, int]:
    """The largest pair of lengths (n/4, n), n <= LARGE, at which the time of n/4 says something:
    when n/4 already takes LIMIT / MAX_RATIO, n would time out whatever the growth."""
    large = LARGE
    while large > SMALL // 4 and _time(pattern, make(large // 4), 1) >= LIMIT / MAX_RATIO:
        large //= 4
    return large // 4, large


def _time(pattern: Pattern[str], text: str, runs: int) -> float:
    best = LIMIT
    for _ in range(runs):
        start = time.process_time()  # the regex module's timeout counts CPU time too
        try:
            pattern.search(text, timeout=LIMIT)  # type: ignore[call-overload]
        except TimeoutError:
            return LIMIT
        best = min(best, time.process_time() - start)
    return best


def _baseline(text: str) -> float:
    start = time.process_time()
    _BASELINE.fullmatch(text)
    return time.process_time() - start


Maker = Callable[[int], str]


def probes(source: str) -> List[Tuple[str, Maker]]:
    """(description, length -> hostile line) built from the pattern's parts, without duplicates."""
    try:
        tree = list(_parser.parse(source).data)
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
    literal = ""
    for k, (op, arg) in enumerate(items):
        lead = prefix + _sample(items[:k])
        if op is _c.LITERAL:
            literal += chr(arg)
            continue
        _literal_probes(literal, found)
        literal = ""
        if op in REPEATS and (arg[1] is _c.MAXREPEAT or arg[1] > 16):
            unit = _sample(list(arg[2])) or " "
            found += [(f"{unit!r} repeated", _run("", unit)),
                      (f"{lead[-40:]!r} then {unit!r} repeated", _run(lead, unit, "\x01"))]
            _walk(list(arg[2]), lead, found)
        elif op is _c.SUBPATTERN or getattr(_c, "ATOMIC_GROUP", None) is op:
            _walk(list(arg[-1]), lead, found)
        elif op is _c.BRANCH:
            for branch in arg[1]:
                _walk(list(branch), lead, found)
        elif op in REPEATS:
            _walk(list(arg[2]), lead, found)
    _literal_probes(literal, found)


def _literal_probes(literal: str, found: List[Tuple[str, Maker]]) -> None:
    if len(literal) >= 2:
        found += [(f"{literal!r} repeated", _run("", literal)), (f"{literal[:-1]!r} repeated", _run("", literal[:-1]))]


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
        elif op is _c.SUBPATTERN or getattr(_c, "ATOMIC_GROUP", None) is op:
            out.append(_sample(list(arg[-1])))
        elif op is _c.BRANCH:
            out.append(_sample(list(arg[1][0])))
    return "".join(out)


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
