"""Multi-literal search over a big chunk of log: which lines hold which KB literals.

Backends, fastest first: hyperscan (SIMD, bytes), pyahocorasick (Aho-Corasick on str), and a
plain str.find loop that needs nothing installed. All are case-insensitive the same way:
the chunk and the literals are lower-cased before searching.
"""
from __future__ import annotations

from bisect import bisect_right
from typing import AbstractSet, Callable, Dict, List, Optional, Sequence, Set, Tuple

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

    def lines(self, lower_text: str, starts: Sequence[int]) -> Dict[int, Set[int]]:
        """Line index (by its start offset in `starts`) -> indices of the literals on it."""
        out: Dict[int, Set[int]] = {}
        for offset, lit in self.find(lower_text):
            out.setdefault(bisect_right(starts, offset) - 1, set()).add(lit)
        return out

    def _hyperscan(self) -> Callable[[str], Found]:
        import hyperscan  # optional: x86-64 wheels; the fastest by far

        db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        ids = [i for i, lit in enumerate(self.literals) if lit]
        exprs = [b"".join(b"\\x%02x" % b for b in self.literals[i].encode("utf-8")) for i in ids]
        db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=[0] * len(exprs))

        def search(text: str) -> Found:
            data = text.encode("utf-8", errors="surrogatepass")
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
            if found and len(data) != len(text):
                return _to_char_offsets(text, data, found)
            return found

        return search

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
