"""How Chinese text arrives mangled in pasted logs: used by the mojibake tests and its benchmark."""
from __future__ import annotations

import re

CHINESE = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u4e00-\u9fff\uff00-\uffef]")


def browser_cp1252(text: str) -> str:
    """UTF-8 shown as windows-1252 as browsers do it (undefined bytes become C1 controls)."""
    return "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in text.encode("utf-8"))


def dropped_cp1252(text: str) -> str:
    """The same by a tool that drops the five bytes cp1252 leaves undefined."""
    return text.encode("utf-8").decode("cp1252", errors="ignore")


def gbk_console(text: str) -> str:
    """UTF-8 printed to a Chinese Windows console (cp936/GBK) and copied back."""
    return text.encode("utf-8").decode("gbk", errors="replace")
