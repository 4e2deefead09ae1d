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
from functools import lru_cache
from typing import Any, Callable, Dict, Iterator, List, Optional, Pattern, Tuple

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
GATE = 10.0  # under this many times a plain scan of as much text at 4 kB, a probe is not looked at twice
FLOOR = 0.0002  # ... nor under this many CPU seconds (timer noise)
REPEATS = (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT))
_ATOMIC = getattr(_c, "ATOMIC_GROUP", object())
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
        r, (small, large) = self.regex, self.sizes
        if self.small >= LIMIT / MAX_RATIO:
            cost = f"takes {self.small * 1e3:.0f} ms on only {small} characters"
        else:
            cost = (f"takes {self.small * 1e3:.1f} ms on {small} characters and {self.large * 1e3:.0f} ms on "
                    f"{large} ({self.ratio:.0f}x for 4x the text)")
        return (f"{r.path}: entry '{r.entry}', field '{r.field}': super-linear regex: a line of {self.probe} "
                f"{cost}. {ADVICE}")


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
    """The first probe on which the pattern grows super-linearly, confirmed; else None.

    The `regex` module gives up at once on a line without a literal every match needs, and the
    prefilter only sends lines that hold a pattern's literals: a probe rejected that fast is
    tried again ending with a sample of what the pattern matches."""
    pattern = compile_pattern(item.source)
    gate = max(FLOOR, GATE * _baseline())
    for name, make in probes(item.source):
        small = _time(pattern, make(SMALL), 1)
        if small < _baseline() * 3:
            tailed = _with_match(item.source, make)
            if tailed is not None:
                name, make, small = f"{name}, then a match", tailed, _time(pattern, tailed(SMALL), 1)
        if small < gate:
            continue  # cheap next to a plain scan of as much text: nothing to fear
        large, sizes = _time(pattern, make(LARGE), 1), (SMALL, LARGE)
        if small >= LIMIT / MAX_RATIO:  # too slow at 4 kB to see a ratio at 16 kB: step down
            sizes = _ratio_sizes(pattern, make)
        elif large / max(small, 1e-6) <= MAX_RATIO:
            continue
        small, large = _time(pattern, make(sizes[0]), 3), _time(pattern, make(sizes[1]), 2)  # confirm
        if large / max(small, 1e-6) > MAX_RATIO or small >= LIMIT / MAX_RATIO:  # or hopeless at 1 kB
            return Finding(item, name, small, large, sizes)
    return None


def _ratio_sizes(pattern: Pattern[str], make: Maker) -> Tuple[int, int]:
    """The largest pair of lengths (n/4, n), n < LARGE, at which the time of n/4 says something:
    when n/4 already takes LIMIT / MAX_RATIO, n would time out whatever the growth."""
    large = SMALL
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


@lru_cache(maxsize=1)
def _baseline() -> float:
    """CPU seconds of a plain linear scan over SMALL characters, on this machine."""
    text, best = "a" * SMALL, LIMIT
    for _ in range(5):
        start = time.process_time()
        _BASELINE.fullmatch(text)
        best = min(best, time.process_time() - start)
    return best


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


def _with_match(source: str, make: Maker) -> Optional[Maker]:
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
