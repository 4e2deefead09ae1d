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


class LiteralPrefilter:
    def __init__(self, literals: Sequence[str], backend: str = "auto", without: AbstractSet[int] = frozenset()) -> None:
        # ids stay those of `literals`; the ones in `without` are simply not searched for
        self.literals: List[str] = [lit if i not in without else "" for i, lit in enumerate(literals)]
        self.wanted = backend
        self.backend = backend
        self._search: Optional[Callable[[str], Found]] = None  # built on first big text
        self._scan_bytes: Optional[Callable[[bytes], Found]] = None  # hyperscan's own, on bytes

    def _searcher(self, size: int) -> Callable[[str], Found]:
        if self._search is not None:
            return self._search
        if self.wanted == "auto" and size < SMALL_TEXT:
            return self._python()  # not kept: a later big chunk still gets the fast backend
        self._search = self._build(self.wanted)
        return self._search

    def _build(self, backend: str) -> Callable[[str], Found]:
        order = BACKENDS if backend == "auto" else (backend,)
        for name in order:
            try:
                search = getattr(self, f"_{name}")()
            except ImportError:
                continue
            self.backend = name
            return search
        raise ImportError(f"prefilter backend {backend!r} is not installed")

    def find(self, lower_text: str) -> Found:
        """(offset, literal index) pairs: at least one per line and literal that occur."""
        return self._searcher(len(lower_text))(lower_text) if any(self.literals) else []

    def lines(self, texts: Sequence[str]) -> Dict[int, Set[int]]:
        """Line index -> indices of the literals on that line of `texts`."""
        out: Dict[int, Set[int]] = {}
        if not any(self.literals) or not texts:
            return out
        search = self._searcher(sum(map(len, texts)))
        found: Found
        if search is self._search and self._scan_bytes is not None:
            data, starts = _hyperscan_text(texts)
            found = self._scan_bytes(data)
        else:
            joined = "\n".join(texts)
            lower = joined.lower()
            found = search(lower)
            starts = _starts(map(len, texts if len(lower) == len(joined) else lower.split("\n")))
        for offset, lit in found:
            out.setdefault(bisect_right(starts, offset) - 1, set()).add(lit)
        return out

    def _hyperscan(self) -> Callable[[str], Found]:
        import hyperscan  # optional: x86-64 wheels; the fastest by far

        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        ids = [i for i, lit in enumerate(self.literals) if lit]
        exprs = [b"".join(b"\\x%02x" % b for b in self.literals[i].encode("utf-8")) for i in ids]
        db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=[hyperscan.HS_FLAG_CASELESS] * len(exprs))

        def search(data: bytes) -> Found:
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
            return found

        def search_str(text: str) -> Found:  # find(): char offsets of a whole lower-cased text
            data = text.encode("utf-8", errors="surrogatepass")
            found = search(data)
            return _to_char_offsets(text, data, found) if found and len(data) != len(text) else found

        self._scan_bytes = search
        return search_str

    def _ahocorasick(self) -> Callable[[str], Found]:
        import ahocorasick  # optional: a portable C extension

        automaton = ahocorasick.Automaton()
        for i, lit in enumerate(self.literals):
            if lit:
                automaton.add_word(lit, i)
        automaton.make_automaton()
        return lambda text: [(end, i) for end, i in automaton.iter(text)]

    def _python(self) -> Callable[[str], Found]:
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

        return search


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


def _to_char_offsets(text: str, data: bytes, found: Found) -> Found:
    """Byte offsets -> char offsets of the same line start (all a caller needs is the line)."""
    byte_starts: List[int] = [0]
    char_starts: List[int] = [0]
    pos, cpos = data.find(b"\n"), text.find("\n")
    while pos != -1:
        byte_starts.append(pos + 1)
        char_starts.append(cpos + 1)
        pos, cpos = data.find(b"\n", pos + 1), text.find("\n", cpos + 1)
    return [(char_starts[bisect_right(byte_starts, off) - 1], i) for off, i in found]
