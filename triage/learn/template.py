"""A cluster's template -> what a draft entry is named and matched by: a short readable regex of
the constant text with a named, bounded group where the messages varied, its title and its id."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Set, Tuple

from triage.engine.literals import derive_literals
from triage.learn.masks import BY_KIND, PLACEHOLDER, WILD, WILD_GROUP, constant_text

MAX_WORDS = 12  # tokens of a template the regex keeps: the message head, not the whole line
MAX_SOURCE = 200  # characters of regex, beyond which trailing tokens are dropped
MIN_CONSTANT = 8  # letters and digits of constant text a draft needs (less would match anything)
GENERIC = 30  # under this many letters and digits besides the exception's name, a regex is generic
MAX_SLUG = 48
_SPECIAL = re.compile(r"([.^$*+?{}\[\]\\|()])")
_WORD = re.compile(r"[A-Za-z0-9]{3,}")
_STOP_WORDS = {"a", "an", "the", "of", "or", "and", "in", "on", "for", "to", "at", "by", "with", "is", "was", "be"}
_EXCEPTION = re.compile(r"([A-Za-z_]\w*(?:Error|Exception|Interrupt|Exit|Warning))\b")


@dataclass(frozen=True)
class Pattern:
    source: str  # the regex
    words: Tuple[str, ...]  # the template tokens it covers
    keyword: Optional[str]  # the longest constant text every match holds (the prefilter's literal)
    title: str = ""  # the head as a person reads it: <name> where the messages differ


def head(template: Sequence[str], words: int = MAX_WORDS) -> Tuple[int, int]:
    """[start, end) of the tokens a draft's regex covers: from the first token with a constant
    word (leading variables would make every position a start), at most `words` of them, ending
    on a token that is not a wildcard."""
    start = next((i for i, t in enumerate(template) if _WORD.search(constant_text(t))), len(template))
    end = min(len(template), start + words)
    while end > start and template[end - 1] == WILD:
        end -= 1
    return start, end


Fixed = Dict[Tuple[int, int], str]  # (token, placeholder in it) -> the text every message had there


def build(template: Sequence[str], gaps: Sequence[Set[str]], words: int = MAX_WORDS,
          fixed: Optional[Fixed] = None) -> Optional[Pattern]:
    """The regex of a template's head; None when it holds too little constant text to be selective.
    Where every message had the same text under a mask (`fixed`), the regex has that text."""
    fixed = fixed or {}
    start, end = head(template, words)
    if sum(len(w) for t in template[start:end] for w in _WORD.findall(constant_text(t))) < MIN_CONSTANT:
        return None
    names: Dict[str, int] = {}
    pieces = [_token_regex(template[start], names, start, fixed)]  # a token's regex, preceded by its gap's
    for i in range(start + 1, end):
        more = (" " if gaps[i - 1] <= {" "} else r"\s+") + _token_regex(template[i], names, i, fixed)
        if len("".join(pieces)) + len(more) > MAX_SOURCE:
            break
        pieces.append(more)
    while len(pieces) > 1 and _ragged(template[start + len(pieces) - 1]):  # a cut may end on one
        pieces.pop()
    source = "".join(pieces)
    found = derive_literals(source)
    keyword = max(found, key=len).strip() if found else None
    words_ = template[start:start + len(pieces)]
    shown = [_shown(t, start + i, fixed) for i, t in enumerate(words_)]
    return Pattern(source, tuple(words_), keyword, readable(shown))


def _ragged(token: str) -> bool:
    """A token a regex should not end on: a wildcard, or one that opens a bracket it does not close."""
    return token == WILD or any(token.count(o) > token.count(c) for o, c in ("()", "[]", "{}"))


def _shown(token: str, index: int, fixed: Fixed) -> str:
    """The token with the text every message shared under a mask put back."""
    if token == WILD:
        return token
    values = iter(range(len(PLACEHOLDER.findall(token))))
    return PLACEHOLDER.sub(lambda m: fixed.get((index, next(values)), m.group(0)), token)


def _token_regex(token: str, names: Dict[str, int], index: int, fixed: Fixed) -> str:
    if token == WILD:
        return f"(?P<{_name('var', names)}>{WILD_GROUP})"
    out, at = [], 0
    for k, m in enumerate(PLACEHOLDER.finditer(token)):
        out.append(escape(token[at:m.start()]))
        row = BY_KIND[m.group(1)]
        same = fixed.get((index, k))
        out.append(escape(same) if same is not None else f"(?P<{_name(row.capture, names)}>{row.group})")
        at = m.end()
    out.append(escape(token[at:]))
    return "".join(out)


def _name(base: str, names: Dict[str, int]) -> str:
    names[base] = names.get(base, 0) + 1
    return base if names[base] == 1 else f"{base}{names[base]}"


def escape(text: str) -> str:
    """Constant text as a regex, escaping only what is special (readable: no `\\ `, `\\:`)."""
    return _SPECIAL.sub(r"\\\1", text)


def readable(tokens: Sequence[str], limit: int = 100) -> str:
    """Tokens as a person reads them: each mask as <its capture name>, a wildcard as <...>."""
    text = " ".join("<...>" if t == WILD else PLACEHOLDER.sub(lambda m: f"<{BY_KIND[m.group(1)].capture}>", t)
                    for t in tokens)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def slug(tokens: Sequence[str]) -> str:
    """A kebab-case name from the exception type and the first constant words of the message."""
    text = " ".join(constant_text(t) for t in tokens if t != WILD)
    exception = _EXCEPTION.search(text)
    words: List[str] = []
    if exception:
        words += [w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", exception.group(1))]
        text = text[exception.end():]
    words += [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", text)]
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > MAX_SLUG:
            break
        out = f"{out}-{word}" if out else word
    while "-" in out and out.rsplit("-", 1)[1] in _STOP_WORDS:
        out = out.rsplit("-", 1)[0]
    return out or "message"


def is_generic(pattern: Pattern) -> bool:
    """Whether a regex holds little more than an exception's name and a stock phrase around
    captured names ("AttributeError: '<name>' object has no attribute '<name>'")."""
    text = " ".join(constant_text(t) for t in pattern.words if t != WILD)
    letters = sum(len(w) for w in _WORD.findall(_EXCEPTION.sub("", text)))
    return "(?P<" in pattern.source and letters < GENERIC
