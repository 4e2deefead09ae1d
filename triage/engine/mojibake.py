"""Undo mojibake on one line: UTF-8 bytes that some program showed in another encoding and a
person then copied, so the log holds the wrong characters.

Two views are undone, because they are what Chinese users' logs show:
- UTF-8 read as cp1252 / latin-1 (a Western console, a browser, an editor), once or twice
  (`å¦‚` for 如, `Ã¥Â¦â€š` for the same read twice, `ã€‚` for 。);
- UTF-8 read as GBK (a Chinese Windows console, cp936: `閿欒` for 错误).

Each run of suspicious characters is turned back into the bytes it was shown from and decoded
as UTF-8. A run is replaced only when that decoding is clean (or loses bytes only where they
were really lost: a U+FFFD in the run, or GBK's unpaired last byte) and gives characters a log
can hold; anything else stays exactly as written, so `café—`, clean Chinese or Cyrillic text is
never touched.
"""
from __future__ import annotations

import re
from typing import Callable, Dict, Optional

LOST = "\ufffd"
_LOST_BYTE = 0xFF  # stands for a byte lost before triage saw the text: never valid in UTF-8

# How each byte 0x80-0xFF looks in cp1252 (undefined ones as the C1 control browsers show),
# in latin-1, and the Turkish letters of cp1254 some Windows consoles show instead.
_BYTE_OF: Dict[str, int] = {chr(b): b for b in range(0x80, 0x100)}
for _b in range(0x80, 0xA0):
    try:
        _BYTE_OF[bytes([_b]).decode("cp1252")] = _b
    except UnicodeDecodeError:
        pass
for _char, _b in (("ğ", 0xF0), ("Ğ", 0xD0), ("İ", 0xDD), ("Ş", 0xDE), ("ı", 0xFD), ("ş", 0xFE)):
    _BYTE_OF[_char] = _b
_BYTE_OF[LOST] = _LOST_BYTE
_TO_BYTES = {ord(c): b for c, b in _BYTE_OF.items()}

_CONTINUATION = "".join(sorted(c for c, b in _BYTE_OF.items() if 0x80 <= b <= 0xBF)) + LOST
_LEAD = "".join(sorted(c for c, b in _BYTE_OF.items() if 0xC2 <= b <= 0xF4))
# a UTF-8 lead byte's character followed by a continuation byte's: the shape of this mojibake
LATIN_SHAPE = re.compile(f"[{re.escape(_LEAD)}][{re.escape(_CONTINUATION)}]")
_LATIN_RUN = re.compile(f"[{re.escape(''.join(_BYTE_OF))}]{{2,}}")
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]{2,}")
_LOST_RUN = re.compile("\ufffd+")

# What a repair may produce: letters and symbols logs are written in (Latin, Greek, Cyrillic,
# punctuation, arrows, box drawing, CJK, kana, Hangul, full-width forms, emoji). A decoding
# into anything else (C1 controls, Syriac, NKo, IPA...) means the run was not mojibake.
_PLAUSIBLE = re.compile("[\u00a0-\u024f\u0370-\u04ff\u2000-\u2bff\u2e80-\u9fff\uac00-\ud7af"
                        "\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U0001f000-\U0001faff\ufe0f\ufffd]")
_HAN = re.compile("[\u4e00-\u9fff]")  # a GBK view of UTF-8 shows mostly these
_CHINESE = re.compile("[\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef\U0001f000-\U0001faff]")  # and emoji
_MAX_ROUNDS = 3  # UTF-8 read as cp1252 twice is common (a paste of a paste); three is the most seen


def looks_mangled(line: str) -> bool:
    """Whether a (non-ASCII) line may hold mojibake that repair() would undo."""
    if LATIN_SHAPE.search(line) is not None:
        return True
    return _HAN.search(line) is not None and not _fits_gb2312(line) and repair_gbk_view(line) != line


def repair(line: str) -> str:
    """The line with its mojibake undone (cp1252/latin-1 views up to three deep, then a GBK
    view); the line itself when nothing is clearly mojibake."""
    if line.isascii():
        return line
    for _ in range(_MAX_ROUNDS):
        if not LATIN_SHAPE.search(line):
            break
        fixed = _LATIN_RUN.sub(lambda m: _decoded(m.group(), _latin_bytes), line)
        if fixed == line:
            break
        line = fixed
    if _HAN.search(line) and not _fits_gb2312(line):
        line = repair_gbk_view(line)
    return line


def repair_gbk_view(line: str) -> str:
    """Undo UTF-8 shown as GBK (cp936) and copied back: runs of CJK characters that, written
    back in GBK, are UTF-8 text in Chinese."""
    return _NON_ASCII_RUN.sub(lambda m: _decoded(m.group(), _gbk_bytes, chinese=True), line)


def _latin_bytes(run: str) -> Optional[bytes]:
    return run.translate(_TO_BYTES).encode("latin-1")


def _gbk_bytes(run: str) -> Optional[bytes]:
    out = bytearray()
    for ch in run:
        if ch == LOST:
            out.append(_LOST_BYTE)
            continue
        try:
            out += ch.encode("gbk")
        except UnicodeEncodeError:
            return None
    return bytes(out)


def _decoded(run: str, to_bytes: Callable[[str], Optional[bytes]], chinese: bool = False) -> str:
    """The run decoded as UTF-8 from the bytes it was shown from, or the run unchanged."""
    data = to_bytes(run)
    if data is None:
        return run
    text = data.decode("utf-8", errors="replace")
    if chinese:  # a GBK console turns each byte it cannot show into one U+FFFD: one per character here
        text = _LOST_RUN.sub(LOST, text)
    if text == run or not _believable(run, text, data, chinese):
        return run
    return text


def _believable(run: str, text: str, data: bytes, chinese: bool) -> bool:
    """Whether `text` is what `run` was before it was mangled: every character one a log holds,
    and a placeholder only where a byte was lost (a U+FFFD in the run, or for a GBK view the
    unpaired last byte of the run, which the console swallowed)."""
    # the first round of a double mangling gives the cp1252 view itself (C1 controls, `ˆ`, `Ž`...)
    between_rounds = not chinese and LATIN_SHAPE.search(text) is not None
    if any(_PLAUSIBLE.match(c) is None and not (between_rounds and c in _BYTE_OF) for c in text if not c.isascii()):
        return False
    decoded = sum(1 for c in text if not c.isascii() and c != LOST)
    if decoded == 0:  # only a character whose last bytes the console lost (`锛�` for `）`)
        return chinese and LOST in run and _truncated_char(data.rstrip(bytes([_LOST_BYTE])))
    # bytes lost before: a U+FFFD in the run (up to three placeholders for the character it was
    # in); for GBK the last byte the console paired with what followed; for cp1252 the bytes
    # 0x80-0x9F some viewers drop (at most three per character decoded)
    allowed = (1 if chinese else 3) * run.count(LOST) + (1 if chinese else 3 * decoded)
    if text.count(LOST) > allowed:
        return False
    if chinese:  # GBK text that happens to be valid UTF-8 is rare, but require Chinese to come out
        return len(_CHINESE.findall(text)) >= max(1, decoded // 2) and _gb2312_share(text) >= _gb2312_share(run)
    return True


def _truncated_char(data: bytes) -> bool:
    """The bytes are the start of one UTF-8 character whose end is missing."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        return error.start == 0 and error.reason == "unexpected end of data"
    return False


def _fits_gb2312(line: str) -> bool:
    """Every character is ASCII or simplified Chinese in GB2312 (how clean Chinese logs look):
    nothing there for a GBK view repair to do."""
    try:
        line.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _gb2312_share(text: str) -> float:
    """The share of non-ASCII characters that are common simplified Chinese (in GB2312):
    UTF-8 shown as GBK is mostly characters outside it, the text it hides mostly inside."""
    chars = [c for c in text if not c.isascii() and c != LOST]
    return sum(1 for c in chars if _fits_gb2312(c)) / len(chars) if chars else 0.0
