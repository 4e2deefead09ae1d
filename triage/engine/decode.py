"""Bytes -> text: BOMs and UTF-16, invalid UTF-8; mojibake is undone line by line (mojibake.py)."""
from __future__ import annotations

import codecs

from triage.engine.mojibake import looks_mangled, repair
from triage.errors import InputError

repair_mojibake = repair  # the name normalize and the tests use
__all__ = ["StreamDecoder", "decode", "looks_mangled", "repair_mojibake", "sniff"]

# control bytes that text logs do not contain (tab, newlines, \r and ESC are text)
_BINARY_BYTES = [b for b in range(32) if b not in (9, 10, 12, 13, 27)]


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
