"""Multi-literal search over a big chunk of log: which lines hold which KB literals.

Backends, fastest first: hyperscan (SIMD, bytes), pyahocorasick (Aho-Corasick on str), and a
plain str.find loop that needs nothing installed. All are case-insensitive the same way: the
literals are lower-case, and so is the text searched. hyperscan folds ASCII case itself, so only
lines with other characters are lower-cased for it: a big log is never copied to lower it.
"""
from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate, repeat
from operator import add
from typing import AbstractSet, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from triage.limits import SMALL_TEXT

BACKENDS = ("hyperscan", "ahocorasick", "python")
Found = List[Tuple[int, int]]  # (offset in the text, literal index)
Scan = Callable[[Sequence[str]], Tuple[Found, List[int]]]  # lines -> hits and each line's start offset


class LiteralPrefilter:
    def __init__(self, literals: Sequence[str], backend: str = "auto", without: AbstractSet[int] = frozenset()) -> None:
        # ids stay those of `literals`; the ones in `without` are simply not searched for
        self.literals: List[str] = [lit if i not in without else "" for i, lit in enumerate(literals)]
        self.wanted = backend
        self.backend = backend
        self._scan: Optional[Scan] = None  # built on first big text

    def _scanner(self, size: int) -> Scan:
        if self._scan is not None:
            return self._scan
        if self.wanted == "auto" and size < SMALL_TEXT:
            return self._python()  # not kept: a later big chunk still gets the fast backend
        self._scan = self._build(self.wanted)
        return self._scan

    def _build(self, backend: str) -> Scan:
        order = BACKENDS if backend == "auto" else (backend,)
        for name in order:
            try:
                scan = getattr(self, f"_{name}")()
            except ImportError:
                continue
            self.backend = name
            return scan
        raise ImportError(f"prefilter backend {backend!r} is not installed")

    def lines(self, texts: Sequence[str]) -> Dict[int, Set[int]]:
        """Line index -> indices of the literals on that line of `texts`."""
        out: Dict[int, Set[int]] = {}
        if not any(self.literals) or not texts:
            return out
        found, starts = self._scanner(sum(map(len, texts)))(texts)
        for offset, lit in found:
            out.setdefault(bisect_right(starts, offset) - 1, set()).add(lit)
        return out

    def _hyperscan(self) -> Scan:
        import hyperscan  # optional: x86-64 wheels; the fastest by far

        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        ids = [i for i, lit in enumerate(self.literals) if lit]
        exprs = [b"".join(b"\\x%02x" % b for b in self.literals[i].encode("utf-8")) for i in ids]
        db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=[hyperscan.HS_FLAG_CASELESS] * len(exprs))

        def scan(texts: Sequence[str]) -> Tuple[Found, List[int]]:
            data, starts = _hyperscan_text(texts)
            found: Found = []
            line_end: Dict[int, int] = {}  # literal -> end of the line of its last recorded hit

            def on_match(i: int, start: int, end: int, flags: int, ctx: object) -> None:
                # one hit per line and literal is all a caller needs: a tqdm line holds "it/s" 20 times
                if end <= line_end.get(i, -1):
                    return
                nl = data.find(b"\n", end)
                line_end[i] = nl if nl != -1 else len(data)
                found.append((end - 1, i))

            db.scan(data, match_event_handler=on_match)
            return found, starts

        return scan

    def _ahocorasick(self) -> Scan:
        import ahocorasick  # optional: a portable C extension

        automaton = ahocorasick.Automaton()
        for i, lit in enumerate(self.literals):
            if lit:
                automaton.add_word(lit, i)
        automaton.make_automaton()
        return _on_lowered(lambda text: [(end, i) for end, i in automaton.iter(text)])

    def _python(self) -> Scan:
        literals = self.literals

        def search(text: str) -> Found:
            found: Found = []
            for i, lit in enumerate(literals):
                if not lit:
                    continue
                at = text.find(lit)
                while at != -1:
                    found.append((at, i))
                    nl = text.find("\n", at)  # one hit per line and literal is enough
                    at = -1 if nl == -1 else text.find(lit, nl)
            return found

        return _on_lowered(search)


def _on_lowered(search: Callable[[str], Found]) -> Scan:
    """A backend that searches str: the lines joined and lower-cased, and each line's start in that."""
    def scan(texts: Sequence[str]) -> Tuple[Found, List[int]]:
        joined = "\n".join(texts)
        lower = joined.lower()  # 'İ' lowers to two characters: then the lines are measured lowered
        return search(lower), _starts(map(len, texts if len(lower) == len(joined) else lower.split("\n")))

    return scan


def _starts(lengths: Iterable[int]) -> List[int]:
    """Each line's start offset in the lines joined by newlines (C iterators: big chunks)."""
    return list(accumulate(map(add, lengths, repeat(1)), initial=0))


def _hyperscan_text(texts: Sequence[str]) -> Tuple[bytes, List[int]]:
    """The bytes hyperscan scans and each line's start offset in them. The scanner folds ASCII
    case itself; a chunk with other characters is lower-cased first, as the other backends do."""
    joined = "\n".join(texts)
    if joined.isascii():
        return joined.encode("ascii"), _starts(map(len, texts))
    data = joined.lower().encode("utf-8", errors="surrogatepass")
    return data, _starts(map(len, data.split(b"\n")))
