"""The masking table: what varies between two logs of the same failure, and how a draft's regex
captures it.

Each row finds one kind of variable text in a message (a path, a number, a quoted name...) and
says what the draft regex puts there: a named group with a bounded pattern, so that every draft
regex stays linear in the line (`triage kb lint` times it). The rows run in order; a later row
never looks inside what an earlier one masked. Secrets are masked before anything else (by
triage's redactor) and user names in home paths are replaced, so neither reaches a draft.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial
from typing import Dict, List, Pattern, Tuple

from triage.redact import redact_text
from triage.redact.personal import redact_home_users

# a masked span in a message: \x01kind\x02 (a normalised log line holds no control characters)
OPEN, CLOSE = "\x01", "\x02"
WILD = f"{OPEN}*{CLOSE}"  # a token that differed between the messages of a cluster
PLACEHOLDER = re.compile(f"{OPEN}([^{CLOSE}]*){CLOSE}")
MAX_TOKENS = 24  # messages are clustered on their first tokens: a variable-length tail splits nothing
WILD_GROUP = r"\S{1,200}"  # what the regex captures where a cluster's messages had different tokens


@dataclass(frozen=True)
class Mask:
    kind: str  # the row's name, kept in the masked message
    capture: str  # the regex group's name (numbered when a message has several)
    find: Pattern[str]  # the variable text; its group "v", if any, is the part masked
    group: str  # the bounded pattern the draft regex captures there


def _row(kind: str, capture: str, find: str, group: str) -> Mask:
    return Mask(kind, capture, re.compile(find), group)


MASKS: Tuple[Mask, ...] = (
    _row("secret", "secret", r"\S*\*\*\*REDACTED[^\s*]*\*\*\*\S*", r"\S{1,300}"),
    _row("url", "url", r"\b[a-z][a-z0-9+.-]{1,15}://[^\s'\"<>()]+", r"[a-z][a-z0-9+.-]{1,15}://[^\s'\"<>()]{1,500}"),
    _row("email", "email", r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+", r"[\w.+-]{1,64}@[\w.-]{1,253}"),
    _row("uuid", "uuid", r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", r"[0-9a-fA-F-]{36}"),
    _row("quoted", "name", r"(?<![\w\\])'(?P<v>[^'\n]{1,200})'(?!\w)", r"[^'\n]{1,200}"),
    _row("dquoted", "name", r'(?<![\w\\])"(?P<v>[^"\n]{1,200})"(?!\w)', r'[^"\n]{1,200}'),
    _row("code", "name", r"`(?P<v>[^`\n]{1,200})`", r"[^`\n]{1,200}"),
    _row("path", "path", r"(?<![\w/.~-])(?:[A-Za-z]:\\|~?/|\.{1,2}/)[\w.~@+-]+(?:[/\\][\w.~@+-]*)*",
         r"(?:[A-Za-z]:)?[\w.~@+/\\-]{1,400}"),
    _row("time", "time", r"(?<!\d)\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?|\b\d\d:\d\d:\d\d(?:[.,]\d+)?\b",
         r"(?:\d{4}-\d\d-\d\d[T ])?\d\d:\d\d:\d\d[\d.,:Z+-]{0,16}"),
    _row("ip", "ip", r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])", r"\d{1,3}(?:\.\d{1,3}){3}"),
    _row("host", "host", r"(?<![\w.-])[A-Za-z][\w-]*\d[\w-]*(?:\.[A-Za-z][\w-]*)+(?![\w-])", r"[A-Za-z][\w.-]{0,252}"),
    _row("version", "version", r"(?<![\w.])v?\d+(?:\.\d+){2,}(?:(?:\+|\.?(?:post|dev|rc|a|b))[\w.]*)?(?![\w])"
         r"|(?<![\w.])v?\d+\.\d+\+[\w.]+", r"v?\d[\w.+-]{0,60}"),
    _row("hex", "hex", r"\b0x[0-9a-fA-F]+\b|(?<![\w-])(?=[0-9]*[a-f])(?=[a-f]*[0-9])[0-9a-f]{7,}(?![\w-])",
         r"(?:0x)?[0-9a-fA-F]{1,64}"),
    _row("shape", "shape", r"\[\d+(?:,\s*\d+)+\]", r"\[[\d, ]{1,200}\]"),
    _row("tuple", "shape", r"\(\d+(?:,\s*\d+)+,?\)", r"\([\d, ]{1,200}\)"),
    _row("dims", "shape", r"\b\d+(?:x\d+)+\b", r"\d{1,9}(?:x\d{1,9}){1,8}"),
    _row("num", "num", r"(?<![\w.-])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?", r"-?\d[\d.eE+-]{0,24}"),
)
BY_KIND: Dict[str, Mask] = {m.kind: m for m in MASKS}
# kinds whose text a draft may keep as constant when every log of a cluster has the same (a module
# name, an errno): not paths, hosts, addresses, ids or times, which differ by machine and run
FIXABLE = frozenset({"quoted", "dquoted", "code", "num", "version", "shape", "tuple", "dims"})


def safe_text(text: str) -> str:
    """A message as a draft may show it: secrets masked, user names in home paths replaced."""
    return redact_home_users(redact_text(text))


def mask(message: str) -> str:
    """The message with each variable span replaced by its kind's placeholder."""
    return masked_values(message)[0]


def masked_values(message: str) -> Tuple[str, List[str]]:
    """The masked message, and the text each placeholder stands for, in order."""
    found: List[Tuple[str, str]] = []  # (kind, text); a text may hold the mark of an earlier row's span
    for row in MASKS:
        message = row.find.sub(partial(_mark, kind=row.kind, found=found), message)

    def original(text: str) -> str:
        return _MARK.sub(lambda m: original(found[ord(m.group(1)) - _FIRST_MARK][1]), text)

    values: List[str] = []

    def placeholder(m: re.Match[str]) -> str:
        kind, text = found[ord(m.group(1)) - _FIRST_MARK]
        values.append(original(text))
        return f"{OPEN}{kind}{CLOSE}"

    return _MARK.sub(placeholder, message), values


# while masking, a span is marked by one private-use character (no row matches one), numbered
_FIRST_MARK, _MAX_MARKS = 0xE000, 6000
_MARK = re.compile(f"{OPEN}([\ue000-\uf8ff]){CLOSE}")


def _mark(m: re.Match[str], kind: str, found: List[Tuple[str, str]]) -> str:
    if len(found) >= _MAX_MARKS:  # a line of thousands of numbers: the rest stays as it is
        return m.group(0)
    start, end = m.span("v") if "v" in m.re.groupindex else m.span()
    found.append((kind, m.string[start:end]))
    whole = m.group(0)
    return whole[: start - m.start()] + f"{OPEN}{chr(_FIRST_MARK + len(found) - 1)}{CLOSE}" + whole[end - m.start():]


def tokens(message: str) -> Tuple[List[str], List[str]]:
    """(tokens, separators) of a masked message split at white space, capped at MAX_TOKENS."""
    parts = re.split(r"(\s+)", message.strip())
    words, gaps = parts[0::2], parts[1::2]
    return words[:MAX_TOKENS], gaps[: MAX_TOKENS - 1]


def token_values(words: List[str], values: List[str]) -> List[Tuple[str, ...]]:
    """The masked text of each token, token by token (for a message's tokens and values)."""
    out, at = [], 0
    for word in words:
        n = len(PLACEHOLDER.findall(word))
        out.append(tuple(values[at:at + n]))
        at += n
    return out


def constant_text(token: str) -> str:
    """What of a token is the same in every message: the token without its placeholders."""
    return PLACEHOLDER.sub("", token)
