"""Bytes -> text: BOMs and UTF-16, invalid UTF-8, and mojibake (UTF-8 read as cp1252)."""
from __future__ import annotations

import codecs
import re
from typing import Dict

from triage.errors import InputError

# Two or more chars typical of UTF-8 bytes shown as cp1252/latin-1 ("å¦‚", "â•°â”€>", "Ã©").
_MOJIBAKE = re.compile(r"[ÂÃâåæçäèéïðÐ][\x80-\xbf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
                          r"\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030"
                          r"\u2039\u203a\u20ac\u2122\ufffd]")
# control bytes that text logs do not contain (tab, newlines, \r and ESC are text)
_BINARY_BYTES = [b for b in range(32) if b not in (9, 10, 12, 13, 27)]
_CP1252_BYTE: Dict[str, int] = {}
for _b in range(0x80, 0xA0):
    try:
        _CP1252_BYTE[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        pass


def decode(data: bytes) -> str:
    """Decode a whole log as the user saved it; never raises on bad bytes, refuses binary data."""
    return data.decode(sniff(data[:8192]), errors="replace")


def _utf16_order(head: bytes) -> "str | None":
    """'le' or 'be' when `head` is mostly ASCII as UTF-16 without a BOM: every high byte is 0.
    Windows tools write little-endian, Java and some converters big-endian."""
    even, odd = head[0::2], head[1::2]
    if len(odd) <= 16:
        return None
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(odd):
        return "le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "be"
    return None


def looks_mangled(text: str) -> bool:
    return _MOJIBAKE.search(text) is not None


def repair_mojibake(line: str) -> str:
    """Undo one round of UTF-8-read-as-cp1252 on a line, when that clearly helps."""
    if not looks_mangled(line):
        return line
    out = bytearray()
    for ch in line:
        code = ord(ch)
        if code < 0x100:
            out.append(code)
        elif ch in _CP1252_BYTE:
            out.append(_CP1252_BYTE[ch])
        elif ch == "\ufffd":
            out.append(0x3F)  # a byte lost before we saw it: keep a placeholder
        else:
            return line  # real non-latin text: not mojibake we can undo
    fixed = out.decode("utf-8", errors="replace")
    return fixed if len(_MOJIBAKE.findall(fixed)) < len(_MOJIBAKE.findall(line)) else line


class StreamDecoder:
    """Incremental decode: the encoding is chosen from the first bytes, then kept."""

    def __init__(self) -> None:
        self._decoder: "codecs.IncrementalDecoder | None" = None
        self._head = b""

    def decode(self, block: bytes, final: bool = False) -> str:
        if self._decoder is None:
            self._head += block
            if len(self._head) < 8192 and not final:
                return ""
            block, self._head = self._head, b""
            self._decoder = codecs.getincrementaldecoder(sniff(block))(errors="replace")
        text = self._decoder.decode(block, final)
        return text.replace("\x00", "") if "\x00" in text else text


def sniff(head: bytes) -> str:
    """The codec name for a log starting with `head`; refuses binary data."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = head[:8192]
    order = _utf16_order(sample) if sample else None
    if order:
        return f"utf-16-{order}"
    if sample and sum(sample.count(b) for b in _BINARY_BYTES) > len(sample) // 20:
        raise InputError("input looks like binary data, not a text log")
    return "utf-8"
