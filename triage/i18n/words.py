"""The CLI's own words (headers, labels, messages) in one language, from a gettext catalog.

The catalogs are `locale/<lang>/LC_MESSAGES/triage.po` (the source, edited by people) compiled to
`triage.mo` beside it (shipped in the package; tests/test_i18n.py checks it matches the .po).
Renderers receive a Words and stay pure: the catalog is read here, once, by the caller.
"""
from __future__ import annotations

import gettext
from functools import lru_cache
from pathlib import Path

DOMAIN = "triage"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


class Words:
    """gettext/ngettext for one language; `lang` names it (the JSON output says which)."""

    def __init__(self, lang: str, catalog: gettext.NullTranslations) -> None:
        self.lang = lang
        self._catalog = catalog

    def gettext(self, message: str) -> str:
        return self._catalog.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog.ngettext(singular, plural, n)


ENGLISH = Words("en", gettext.NullTranslations())  # the words as written in the code


@lru_cache(maxsize=None)
def words_for(lang: str) -> Words:
    """The words of `lang`; English (the source text) for English or a missing catalog."""
    if lang == "en":
        return ENGLISH
    catalog = gettext.translation(DOMAIN, str(LOCALE_DIR), languages=[lang], fallback=True)
    return Words(lang, catalog)


def N_(message: str) -> str:
    """Marks a message for the catalog where it is defined; it is translated where it is shown."""
    return message
