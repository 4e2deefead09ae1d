"""The one place that decides which language triage answers in.

`--lang` wins; then `TRIAGE_LANG`; then the locale as POSIX reads it (the first set of
`LC_ALL`, `LC_MESSAGES`, `LANG`): `zh_CN.UTF-8`, `zh_TW`, `zh` give Chinese, anything else English.
"""
from __future__ import annotations

from typing import Mapping, Optional, Sequence

LANGUAGES = ("en", "zh")
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def choose_language(flag: Optional[str], environ: Mapping[str, str]) -> str:
    """'zh' or 'en' for a run given its `--lang` value (None when not given) and its environment."""
    if flag:
        return _language_of(flag) or "en"
    chosen = _language_of(environ.get("TRIAGE_LANG", ""))
    if chosen:
        return chosen
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if value:  # the first one set decides, as for every POSIX program
            return "zh" if _language_of(value) == "zh" else "en"
    return "en"


def _language_of(value: str) -> Optional[str]:
    """'zh' for zh, zh_CN.UTF-8, zh-Hans...; 'en' for en, en_US...; None for anything else."""
    code = value.strip().lower().replace("-", "_").split("_", 1)[0].split(".", 1)[0]
    return code if code in LANGUAGES else None


def flag_in(argv: Sequence[str]) -> Optional[str]:
    """The value of a `--lang X` / `--lang=X` in a command line not parsed yet (for the words
    triage prints before or after click parses it: a usage error, an internal error)."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None
