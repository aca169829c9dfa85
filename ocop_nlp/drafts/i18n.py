"""Vietnamese for the `draft` command's help and messages: gettext catalogues, `--lang vi|en`.

English stays the default; Vietnamese is chosen by `--lang vi` or by a Vietnamese locale
(LANGUAGE, LC_ALL, LC_MESSAGES or LANG starting with "vi"). The catalogue is
`locale/vi/LC_MESSAGES/ocop.po`, compiled to `ocop.mo` with `msgfmt` (a test checks the two
agree and that every marked message has a translation).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "ocop"
LANGUAGES = ("en", "vi")

_translation: gettext.NullTranslations = gettext.NullTranslations()


def pick_language(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> str:
    """`--lang X` on the command line, else the locale's language if Vietnamese, else English.

    >>> pick_language(["draft", "a.txt", "--lang", "vi"], {}), pick_language([], {"LANG": "vi_VN.UTF-8"})
    ('vi', 'vi')
    >>> pick_language(["--lang=en"], {"LANG": "vi_VN"}), pick_language([], {"LANG": "C.UTF-8"})
    ('en', 'en')
    """
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg[7:] in LANGUAGES:
            return arg[7:]
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(key):
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def use_language(lang: str) -> None:
    """Make `tr` answer in `lang` (English, the source language, when there is no catalogue)."""
    global _translation
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def tr(message: str) -> str:
    """`message` in the chosen language; marks the strings the catalogue holds."""
    return _translation.gettext(message)
