"""Vietnamese for the people who use ocop: help texts, argparse's own words, the headings of
`extract --format md` and the common messages, from gettext catalogues.

English stays the default. Vietnamese is chosen by `--lang vi`, else by `OCOP_LANG=vi`, else by a
Vietnamese locale (LANGUAGE, LC_ALL, LC_MESSAGES or LANG starting with "vi"). The catalogue is
`locale/vi/LC_MESSAGES/ocop.po`, compiled to `ocop.mo` with `msgfmt -o ocop.mo ocop.po` (a test
checks the two agree and that every marked message has a translation). JSON output never
changes with the language: keys and values are data, not prose.
"""

from __future__ import annotations

import argparse
import gettext
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "ocop"
LANGUAGES = ("en", "vi")

# argparse's own words a user of `ocop` can meet (Python 3.11's msgids); argparse reads them
# through its module-level `_` and `ngettext`, which `use_language` points at our catalogue.
ARGPARSE_MESSAGES = (
    "usage: ",
    "positional arguments",
    "options",
    "show this help message and exit",
    "%(prog)s: error: %(message)s\n",
    "argument %(argument_name)s: %(message)s",
    "the following arguments are required: %s",
    "one of the arguments %s is required",
    "unrecognized arguments: %s",
    "ambiguous option: %(option)s could match %(matches)s",
    "invalid choice: %(value)r (choose from %(choices)s)",
    "invalid %(type)s value: %(value)r",
    "expected one argument",
    "expected at most one argument",
    "expected at least one argument",
    "not allowed with argument %s",
    "can't open '%(filename)s': %(error)s",
    "unknown parser %(parser_name)r (choices: %(choices)s)",
    "ignored explicit argument %r",
)
ARGPARSE_PLURALS = (("expected %s argument", "expected %s arguments"),)

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def pick_language(argv: Sequence[str], environ: Mapping[str, str] = os.environ) -> str:
    """`--lang X` on the command line, else OCOP_LANG, else the locale's language if
    Vietnamese, else English.

    >>> pick_language(["draft", "a.txt", "--lang", "vi"], {}), pick_language([], {"LANG": "vi_VN.UTF-8"})
    ('vi', 'vi')
    >>> pick_language(["--lang=en"], {"LANG": "vi_VN"}), pick_language([], {"LANG": "C.UTF-8"})
    ('en', 'en')
    >>> pick_language([], {"OCOP_LANG": "vi", "LANG": "C"}), pick_language([], {"OCOP_LANG": "en", "LANG": "vi_VN"})
    ('vi', 'en')
    """
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv) and argv[i + 1] in LANGUAGES:
            return argv[i + 1]
        if arg.startswith("--lang=") and arg[7:] in LANGUAGES:
            return arg[7:]
    if (chosen := environ.get("OCOP_LANG", "").strip().lower()[:2]) in LANGUAGES:
        return chosen
    for key in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        if value := environ.get(key):
            return "vi" if value.lower().startswith("vi") else "en"
    return "en"


def use_language(lang: str) -> None:
    """Make `tr` and argparse answer in `lang` (English, the source language, when there is no
    catalogue for it)."""
    global _translation, _language
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
    _language = lang if lang in LANGUAGES else "en"
    # argparse looks its `_` and `ngettext` up at each call, so its usage lines, headings and
    # errors follow the language chosen here.
    argparse._ = _translation.gettext  # type: ignore[attr-defined]
    argparse.ngettext = _translation.ngettext  # type: ignore[attr-defined]


def language() -> str:
    """The language `tr` answers in: "en" or "vi"."""
    return _language


def tr(message: str) -> str:
    """`message` in the chosen language; marks the strings the catalogue holds."""
    return _translation.gettext(message)
