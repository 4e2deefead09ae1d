"""triage in the user's language: which language (language.py), the CLI's own words from gettext
catalogs (words.py, locale/), and KB prose in that language (localize.py).

No click or rich here: the engine's callers (the CLI, the catalogue) hand the result to renderers.
"""
from __future__ import annotations

from triage.i18n.language import LANGUAGES, choose_language
from triage.i18n.words import ENGLISH, Words, words_for

__all__ = ["ENGLISH", "LANGUAGES", "Words", "choose_language", "words_for"]
