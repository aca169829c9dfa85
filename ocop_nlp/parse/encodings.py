"""Bytes of a Vietnamese page or text file -> clean Unicode (NFC) text.

Provincial portals still carry text typed in the 1990s font encodings: TCVN3 (ABC, the .VnTime
fonts) and VNI-Windows. Pasted into a Unicode page, or read as windows-1252 by a careless tool,
that text looks like "Phã Chñ tÞch UBND tØnh" or "Phoù Chuû tòch UBND tænh". Windows-1258 text
arrives as base letters followed by combining tone marks. This module turns all of them into
precomposed Unicode:

>>> decode_bytes("Phó Chủ tịch".encode("utf-8"), declared="iso-8859-1")[0]
'Phó Chủ tịch'
>>> repair_legacy_text("Phã Chñ tÞch UBND tØnh chñ tr× Héi nghÞ")
('Phó Chủ tịch UBND tỉnh chủ trì Hội nghị', 'TCVN3')
>>> normalize_unicode("Vie\u0302\u0323t Nam") == "Việt Nam"
True

The TCVN3 and VNI tables live in `ocop_nlp/data/legacy_encodings.json`. Legacy text is found by
scoring, never by the mere presence of Latin-1 letters: a conversion is kept only when it turns
tokens that are not Vietnamese syllables into tokens that are.
"""

from __future__ import annotations

import codecs
import functools
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources

from ocop_nlp.errors import EncodingError

__all__ = ["decode_bytes", "normalize_unicode", "repair_legacy_text"]

TCVN3 = "TCVN3"
VNI = "VNI-Windows"
WINDOWS_1258 = "Windows-1258"

_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_SNIFF_BYTES = 8192

# --- normalisation -------------------------------------------------------------------------

# Some input methods put the tone before the circumflex/breve; NFC cannot compose that order.
_TONE_BEFORE_SHAPE = re.compile(f"([{_TONE_MARKS}]+)([\u0302\u0306\u031b]+)")
_COMBINING = re.compile("[\u0300-\u036f]")


def normalize_unicode(text: str) -> str:
    """NFC, composing stray combining marks into precomposed Vietnamese letters.

    Handles NFD text, Windows-1258 style text (precomposed base such as "ê" + combining tone,
    e.g. U+0301 from cp1258 byte 0xEC) and a tone typed before the circumflex or breve.

    >>> normalize_unicode("Hô\u0323i nghi\u0323 so\u031b kê\u0301t") == "Hội nghị sơ kết"
    True
    """
    if text.isascii():
        return text
    if unicodedata.is_normalized("NFC", text) and not _COMBINING.search(text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = _TONE_BEFORE_SHAPE.sub(r"\2\1", decomposed)
    return unicodedata.normalize("NFC", decomposed)


# --- Vietnamese syllables, the yardstick for every guess ------------------------------------

_VI_LETTERS = frozenset("abcdđeghiklmnopqrstuvxyăâêôơư")
_VI_VOWELS = frozenset("aăâeêioôơuưy")
_ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x", "",
)  # fmt: skip
_RHYMES = frozenset((
    "a", "ac", "ach", "ai", "am", "an", "ang", "anh", "ao", "ap", "at", "au", "ay",
    "ăc", "ăm", "ăn", "ăng", "ăp", "ăt",
    "âc", "âm", "ân", "âng", "âp", "ât", "âu", "ây",
    "e", "ec", "em", "en", "eng", "eo", "ep", "et",
    "ê", "êch", "êm", "ên", "ênh", "êp", "êt", "êu",
    "i", "ia", "ich", "im", "in", "inh", "ip", "it", "iu",
    "iêc", "iêm", "iên", "iêng", "iêp", "iêt", "iêu",
    "o", "oc", "oi", "om", "on", "ong", "op", "ot", "ooc", "oong",
    "ô", "ôc", "ôi", "ôm", "ôn", "ông", "ôp", "ôt",
    "ơ", "ơi", "ơm", "ơn", "ơp", "ơt",
    "u", "ua", "uc", "ui", "um", "un", "ung", "up", "ut",
    "uôc", "uôi", "uôm", "uôn", "uông", "uôt",
    "ư", "ưa", "ưc", "ưi", "ưm", "ưn", "ưng", "ưt", "ưu",
    "ươc", "ươi", "ươm", "ươn", "ương", "ươp", "ươt", "ươu",
    "y", "yêm", "yên", "yêng", "yêt", "yêu",
    "oa", "oac", "oach", "oai", "oam", "oan", "oang", "oanh", "oao", "oap", "oat", "oay",
    "oăc", "oăm", "oăn", "oăng", "oăt", "oe", "oem", "oen", "oeng", "oeo", "oet",
    "uân", "uâng", "uât", "uây", "uê", "uêch", "uên", "uênh", "uêu", "uơ",
    "uy", "uych", "uyn", "uynh", "uyp", "uyt", "uyu", "uya", "uyên", "uyêt",
    "ak", "ăk", "âk", "ek", "êk", "ok", "ôk", "ơk", "uk", "ưk",
))  # fmt: skip
# k closes syllables only in Central Highlands names (Đắk Lắk, Pắk), as k opens Kạn and Kon.
_STOP_CODAS = ("c", "ch", "k", "p", "t")
_STOP_TONES = ("\u0301", "\u0323")  # only sắc and nặng go with a stop coda


@functools.lru_cache(maxsize=512)
def _split_tone(ch: str) -> tuple[str | None, str]:
    """A lowercase letter -> (letter without tone, tone mark or ""); (None, "") if not Vietnamese."""
    parts = unicodedata.normalize("NFD", ch)
    tones = "".join(c for c in parts if c in _TONE_MARKS)
    base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
    if base not in _VI_LETTERS or len(tones) > 1 or (tones and base not in _VI_VOWELS):
        return None, ""
    return base, tones


def _rhyme_fits(onset: str, rhyme: str, tone: str) -> bool:
    options: tuple[str, ...]
    if onset == "gi":
        if not rhyme:
            return True  # gì
        options = (rhyme, "i" + rhyme)  # giếng is gi + (i)êng
    elif onset == "qu":
        if not rhyme or rhyme[0] in "ouư":
            return False
        options = (rhyme, "u" + rhyme)  # quỳnh is qu + (u)ynh
    else:
        options = (rhyme,)
    for r in options:
        if r not in _RHYMES:
            continue
        if onset in ("gh", "ngh") and r[0] not in "ieêy":
            continue
        if onset in ("c", "g", "ng") and r[0] in "ieêy":
            continue
        if r.endswith(_STOP_CODAS) and tone not in _STOP_TONES:
            continue
        return True
    return False


@functools.lru_cache(maxsize=65536)
def _is_syllable(token: str) -> bool:
    """Is `token` a well-formed Vietnamese syllable (any case, NFC or NFD)?"""
    word = unicodedata.normalize("NFC", token).lower()
    if not 1 <= len(word) <= 7:
        return False
    tone = ""
    bare = []
    for ch in word:
        base, mark = _split_tone(ch)
        if base is None:
            return False
        if mark:
            if tone:
                return False
            tone = mark
        bare.append(base)
    plain = "".join(bare)
    return any(
        plain.startswith(onset) and _rhyme_fits(onset, plain[len(onset) :], tone)
        for onset in _ONSETS
    )


# Letters, and the Latin-1 symbols that TCVN3 uses for letters (¸ µ ¶ · ¹ ¨ © ª « ¬ soft hyphen);
# only whitespace, ASCII punctuation, digits and typographic punctuation split tokens.
_TOKEN = re.compile(r"[^\s!-@\[-`{-~\u2000-\u206f]+")


def _vietnamese_evidence(text: str) -> int:
    """Non-ASCII tokens that are Vietnamese syllables minus those that are not."""
    score = 0
    for m in _TOKEN.finditer(text, 0, 200_000):
        token = m.group()
        if not token.isascii():
            score += 1 if _is_syllable(token) else -1
    return score


# --- legacy tables ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _LegacyTables:
    version: str
    tcvn3_decode: dict[str, str]
    tcvn3_case_lost: frozenset[str]  # codes whose uppercase letter has no code of its own
    tcvn3_encode: dict[str, str]
    vni_decode: dict[str, str]
    vni_pattern: re.Pattern[str]
    vni_encode: dict[str, str]


def _as_text(hex_bytes: str) -> str:
    return bytes.fromhex(hex_bytes).decode("latin-1")


@functools.cache
def _tables() -> _LegacyTables:
    path = resources.files("ocop_nlp").joinpath("data", "legacy_encodings.json")
    raw = json.loads(path.read_text(encoding="utf-8"))

    tcvn3_encode = {letter: _as_text(h) for letter, h in raw["tcvn3"]["letters"].items()}
    tcvn3_decode = {code: letter for letter, code in tcvn3_encode.items()}
    case_lost = frozenset(
        code
        for letter, code in tcvn3_encode.items()
        if letter.islower() and letter.upper() not in tcvn3_encode
    )
    for letter, code in list(tcvn3_encode.items()):
        tcvn3_encode.setdefault(letter.upper(), code)  # .VnTimeH capitals reuse lowercase codes

    vni_encode = {letter: _as_text(h) for letter, h in raw["vni"]["letters"].items()}
    vni_decode = {seq: letter for letter, seq in vni_encode.items()}
    for seq, letter in list(vni_decode.items()):
        if len(seq) == 2:  # a mark byte typed in the other case still marks the same letter
            vni_decode.setdefault(seq[0] + seq[1].swapcase(), letter)
    alternatives = sorted(vni_decode, key=len, reverse=True)  # longest match first
    vni_pattern = re.compile("|".join(map(re.escape, alternatives)))

    return _LegacyTables(
        version=str(raw["_version"]),
        tcvn3_decode=tcvn3_decode,
        tcvn3_case_lost=case_lost,
        tcvn3_encode=tcvn3_encode,
        vni_decode=vni_decode,
        vni_pattern=vni_pattern,
        vni_encode=vni_encode,
    )


def _encode_legacy(text: str, encoding: str) -> bytes:
    """Unicode -> TCVN3 or VNI bytes, as the old fonts stored them (used to build test data)."""
    t = _tables()
    table = t.tcvn3_encode if encoding == TCVN3 else t.vni_encode
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in table:
            out += table[ch].encode("latin-1")
        elif ch.isascii() or 0x80 <= ch.encode("cp1252", errors="replace")[0] < 0xA0:
            out += ch.encode("cp1252")  # ASCII, and Word's curly quotes and dashes at 0x80-0x9F
        else:
            raise ValueError(f"{ch!r} has no code in {encoding}")
    return bytes(out)


def _tcvn3_token(token: str) -> str:
    table = _tables().tcvn3_decode
    return "".join(table.get(ch, ch) for ch in token)


def _vni_token(token: str) -> str:
    t = _tables()
    return t.vni_pattern.sub(lambda m: t.vni_decode[m.group()], token)


def _cp1258_token(token: str) -> str:
    for codec in ("cp1252", "latin-1"):
        try:
            raw = token.encode(codec)
            break
        except UnicodeEncodeError:
            continue
    else:
        return token
    try:
        return normalize_unicode(raw.decode("cp1258"))
    except UnicodeDecodeError:
        return token


_CONVERTERS = {TCVN3: _tcvn3_token, VNI: _vni_token, WINDOWS_1258: _cp1258_token}

# Every TCVN3 and VNI letter code, read as windows-1252 or Latin-1, lands in U+00A1-U+00FE.
_LEGACY_HINT = re.compile("[\u00a1-\u00fe]")
# Letters that no single-byte misreading can produce: a segment holding one is real Unicode.
_UNICODE_ONLY = re.compile(
    "[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0"
    "\u1ea0-\u1ef9\u0300-\u036f]"
)
# Lines and HTML tags bound the segments: a Unicode page template can hold a TCVN3 paste.
_SEGMENT = re.compile(r"[^\n<>]+")


@dataclass(slots=True)
class _SegmentScore:
    start: int
    end: int
    gain: int  # tokens valid after conversion minus tokens valid before
    changed: int
    replacements: list[tuple[int, int, str]]


def _score_segment(text: str, start: int, end: int, convert: Callable[[str], str]) -> _SegmentScore:
    score = _SegmentScore(start, end, 0, 0, [])
    for m in _TOKEN.finditer(text, start, end):
        token = m.group()
        if not _LEGACY_HINT.search(token):
            continue
        converted = convert(token)
        if converted == token:
            continue
        score.changed += 1
        score.gain += _is_syllable(converted) - _is_syllable(token)
        score.replacements.append((m.start(), m.end(), converted))
    return score


def repair_legacy_text(text: str) -> tuple[str, str | None]:
    """Text that is really TCVN3 or VNI-Windows (read as windows-1252/Latin-1) -> Unicode NFC.

    Returns (text, "TCVN3" | "VNI-Windows" | "Windows-1258" | None). The text comes back
    unchanged, with None, when it is already Unicode Vietnamese or not Vietnamese at all: a
    conversion is kept only where it turns non-syllables into Vietnamese syllables, segment by
    segment (lines and HTML tags bound segments), and never in a segment holding letters such as
    ơ, ư, ạ that only real Unicode text has. TCVN3 has no codes for most capitals (À, Ố, ...);
    they are restored in words and headings that are otherwise in capitals.

    >>> repair_legacy_text("Phoù Chuû tòch UBND tænh chuû trì Hoäi nghò")
    ('Phó Chủ tịch UBND tỉnh chủ trì Hội nghị', 'VNI-Windows')
    >>> repair_legacy_text("Phó Chủ tịch UBND tỉnh chủ trì Hội nghị")
    ('Phó Chủ tịch UBND tỉnh chủ trì Hội nghị', None)
    """
    if not text or not _LEGACY_HINT.search(text):
        return text, None
    # Text with no Unicode-only letter anywhere came whole through one single-byte misreading,
    # so a segment that merely does not lose syllables is converted too ("Lóng tóng" is as
    # valid as "Lúng túng"); beside real Unicode text a segment must gain.
    mixed = _UNICODE_ONLY.search(text) is not None
    segments = [
        m.span()
        for m in _SEGMENT.finditer(text)
        if _LEGACY_HINT.search(m.group()) and not _UNICODE_ONLY.search(m.group())
    ]
    best_name, best_gain, best_segments = None, 0, []
    for name, convert in _CONVERTERS.items():
        scores = [_score_segment(text, a, b, convert) for a, b in segments]
        improved = [s for s in scores if s.gain > 0]
        gain = sum(s.gain for s in improved)
        changed = sum(s.changed for s in improved)
        # Two syllables at least, and most changed tokens turned into syllables: chance
        # matches on French or Portuguese words stay below this.
        if gain >= 2 and 2 * gain >= changed and gain > best_gain:
            kept = improved if mixed else [s for s in scores if s.gain >= 0 and s.changed]
            best_name, best_gain, best_segments = name, gain, kept
    if best_name is None:
        return text, None

    pieces, pos = [], 0
    for seg in best_segments:
        converted, cursor = [], seg.start
        for a, b, new in seg.replacements:
            converted.append(text[cursor:a])
            converted.append(new)
            cursor = b
        converted.append(text[cursor : seg.end])
        new_segment = "".join(converted)
        if best_name == TCVN3:
            new_segment = _restore_tcvn3_case(
                text[seg.start : seg.end], new_segment, _starts_sentence(text, seg.start)
            )
        pieces.append(text[pos : seg.start])
        pieces.append(new_segment)
        pos = seg.end
    pieces.append(text[pos:])
    return normalize_unicode("".join(pieces)), best_name


_BLOCK_TAG = re.compile(
    r"</?(?:p|div|li|td|th|tr|h[1-6]|br|title|section|article|blockquote|dt|dd|option)\b", re.I
)
_SENTENCE_BREAK = re.compile(r"[.!?…][\"')\]”’»]*\s")
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _starts_sentence(text: str, start: int) -> bool:
    """Does a segment begin a line, or follow a block tag such as <p> or <td>?"""
    if start == 0 or text[start - 1] == "\n":
        return True
    tag_start = text.rfind("<", 0, start)
    return text[start - 1] == ">" and tag_start >= 0 and bool(_BLOCK_TAG.match(text, tag_start))


def _restore_tcvn3_case(original: str, converted: str, starts_sentence: bool) -> str:
    """Put back the capitals TCVN3 cannot store: in capitalised words and lines, and at the
    start of sentences ("ñy ban" at the head of a paragraph is "Ủy ban")."""
    lost = _tables().tcvn3_case_lost
    chars = list(converted)  # TCVN3 maps one character to one, so positions line up
    ambiguous = [ch in lost for ch in original]

    def word_case(start: int, end: int) -> str | None:
        known = [(i, chars[i]) for i in range(start, end) if not ambiguous[i]]
        known = [(i, ch) for i, ch in known if ch.islower() or ch.isupper()]
        if any(ch.islower() for _, ch in known):
            return "lower"
        first_lost = next((i for i in range(start, end) if ambiguous[i]), end)
        if len(known) >= 2 or any(i > first_lost for i, _ in known):
            return "caps"  # VIÖT -> VIỆT: a capital after the lost letter settles it
        return None  # Hå could be Hồ or HỒ

    words = [m.span() for m in _LETTER_RUN.finditer(converted)]
    cases = [word_case(a, b) for a, b in words]
    decided = [c for c in cases if c is not None]
    caps_line = len(decided) >= 2 and all(c == "caps" for c in decided)
    previous_end = 0
    for (a, b), case in zip(words, cases, strict=True):
        if case == "caps" or (case is None and caps_line):
            for i in range(a, b):
                if ambiguous[i]:
                    chars[i] = chars[i].upper()
        gap = converted[previous_end:a]
        initial = starts_sentence if previous_end == 0 else bool(_SENTENCE_BREAK.search(gap))
        if initial and ambiguous[a]:
            chars[a] = chars[a].upper()
        previous_end = b
    return "".join(chars)


# --- bytes -> text ------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)

_OFFICE_ZIPS = (
    (b"word/", "a Word (.docx) file", "save it as plain text or HTML first"),
    (b"xl/", "an Excel (.xlsx) file", "export the sheet as text first"),
    (b"ppt/", "a PowerPoint (.pptx) file", "export its text first"),
    (b"opendocument", "an OpenDocument file", "save it as plain text or HTML first"),
)
_MAGIC = (
    (b"%PDF-", "a PDF file", "extract its text first (for example with pdftotext)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image", "give the text or the web page instead"),
    (b"\xff\xd8\xff", "a JPEG image", "give the text or the web page instead"),
    (b"GIF87a", "a GIF image", "give the text or the web page instead"),
    (b"GIF89a", "a GIF image", "give the text or the web page instead"),
    (b"II*\x00", "a TIFF image", "give the text or the web page instead"),
    (b"MM\x00*", "a TIFF image", "give the text or the web page instead"),
    (b"PK\x03\x04", "a ZIP archive", "unpack it and give the text or HTML files inside"),
    (b"PK\x05\x06", "a ZIP archive", "unpack it and give the text or HTML files inside"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an old Microsoft Office (.doc or .xls) file",
        "save it as plain text or HTML first",
    ),
    (b"\x1f\x8b", "a gzip-compressed file", "decompress it first"),
    (b"Rar!\x1a\x07", "a RAR archive", "unpack it and give the text or HTML files inside"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive", "unpack it and give the text or HTML files inside"),
    (b"\x7fELF", "a program (ELF binary)", "give the text or the web page instead"),
    (b"SQLite format 3\x00", "an SQLite database", "export the text first"),
)


def _binary_kind(data: bytes) -> tuple[str, str] | None:
    """(what the file is, what to do) from its magic number, or None."""
    head = data[:16].lstrip(b" \t\r\n")
    for magic, kind, advice in _MAGIC:
        if head.startswith(magic):
            if magic.startswith(b"PK"):
                names = data[:_SNIFF_BYTES]
                for marker, office_kind, office_advice in _OFFICE_ZIPS:
                    if marker in names:
                        return office_kind, office_advice
            return kind, advice
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image", "give the text or the web page instead"
    return None


def _utf16_without_bom(data: bytes) -> str | None:
    """Which UTF-16 byte order, if the NULs fall on one side as ASCII text in UTF-16 does."""
    sample = data[:_SNIFF_BYTES]
    pairs = len(sample) // 2
    if pairs < 2:
        return None
    even = sample[0 : 2 * pairs : 2].count(0) / pairs
    odd = sample[1 : 2 * pairs : 2].count(0) / pairs
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1b")


def _looks_binary(data: bytes) -> bool:
    sample = data[:_SNIFF_BYTES]
    if b"\x00" in sample:
        return True  # git's rule: text files do not hold NUL bytes
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return controls > 0.1 * len(sample)


_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:\-]+)""")
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^"';,\s]+)""", re.IGNORECASE)

# Browsers read these labels as windows-1252 (WHATWG Encoding Standard); so do we.
_WINDOWS_1252_LABELS = frozenset((
    "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii",
    "ansi_x3.4-1968", "cp819", "ibm819", "iso-ir-100", "csisolatin1", "windows-1252", "cp1252",
    "x-cp1252",
))  # fmt: skip
# Font encodings are not web charsets, but pages do name them; scoring finds them anyway.
_LEGACY_LABELS = frozenset((
    "tcvn", "tcvn3", "tcvn-3", "tcvn5712", "tcvn-5712", "tcvn5712-1", "tcvn5712-3",
    "x-viet-tcvn5712", "vn3", "abc", "vni", "vni-win", "vni-windows", "x-viet-vni",
))  # fmt: skip


def _declared_labels(data: bytes, declared: str | None) -> list[tuple[str, str]]:
    """[(label, where it came from)] from the caller (HTTP header) and the document head."""
    found = []
    if declared:
        m = _HEADER_CHARSET.search(declared)
        if m:
            found.append((m.group(1), "the HTTP header"))
        elif "/" not in declared:  # a bare label rather than a Content-Type without charset
            found.append((declared.strip().strip("\"'"), "the HTTP header"))
    head = data[:4096]
    for pattern, where in ((_META_CHARSET, "the page's <meta>"), (_XML_ENCODING, "the XML head")):
        mb = pattern.search(head)
        if mb:
            found.append((mb.group(1).decode("ascii"), where))
    return found


def _codec_for(label: str) -> str | None:
    """A declared label -> a Python codec name; None when Python has no such codec."""
    key = label.strip().lower()
    if key in _WINDOWS_1252_LABELS or key in _LEGACY_LABELS:
        return "cp1252"
    try:
        name = codecs.lookup(key).name
    except LookupError:
        return None
    if name.startswith("utf-16") or name.startswith("utf-32"):
        return "utf-8"  # a page that reached us as ASCII-compatible bytes cannot be UTF-16
    return name


def _cp1252_table() -> str:
    chars = []
    for b in range(256):
        try:
            chars.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            chars.append(chr(b))  # the five unassigned bytes keep the Latin-1 control they name
    return "".join(chars)


_CP1252_LENIENT = _cp1252_table()


def _decode_cp1252_lenient(data: bytes) -> str:
    """windows-1252 that never fails, so every byte stays visible to the legacy repair."""
    return codecs.charmap_decode(data, "strict", _CP1252_LENIENT)[0]


def _finish(text: str, warnings: list[str]) -> str:
    """Compose combining marks, then repair legacy font encodings."""
    text = normalize_unicode(text)
    repaired, legacy = repair_legacy_text(text)
    if legacy:
        warnings.append(f"The text was typed in the legacy {legacy} encoding; converted it.")
    return repaired


def _utf8_mostly(data: bytes) -> str | None:
    """UTF-8 with some broken sequences (stray bytes, a cut character) -> text, else None.

    Legacy Vietnamese bytes (Windows-1258, TCVN3, VNI) read as UTF-8 give almost no valid
    multibyte sequence, so text whose sequences are at least 8 in 9 valid is UTF-8 with
    damage: 40 stray bytes in a 5 KB article (~800 letters) must not turn it all into
    windows-1252 mojibake.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count(b"\xef\xbf\xbd")
    good = sum(1 for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return text if good >= 3 and good >= 8 * bad else None


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, list[str]]:
    """Bytes of a page or text file -> (Unicode NFC text, warnings).

    `declared` is the charset from the HTTP Content-Type header (a bare label such as
    "windows-1258" or the whole header value). The order of trust: a byte order mark; a declared
    charset (header, then <meta charset>/http-equiv in the first 4 KB) that decodes cleanly,
    unless the bytes are valid UTF-8 with non-ASCII text, which a wrong header must not spoil;
    UTF-8; Windows-1258 or a legacy font encoding, whichever yields Vietnamese syllables;
    charset-normalizer as a last resort. TCVN3 and VNI text is then repaired.

    Raises EncodingError when the data is not text (a PDF, an image, an archive, NUL bytes).

    >>> text, warnings = decode_bytes("Hội nghị sơ kết".encode("utf-8"), "iso-8859-1")
    >>> text
    'Hội nghị sơ kết'
    >>> warnings
    ["The bytes are UTF-8 although the HTTP header says 'iso-8859-1'; read them as UTF-8."]
    """
    warnings: list[str] = []
    if not data:
        warnings.append("The input is empty: there are no bytes to decode.")
        return "", warnings

    kind = _binary_kind(data)
    if kind:
        what, advice = kind
        raise EncodingError(f"This looks like {what}, not text or HTML; {advice}.")

    for bom, bom_codec, label in _BOMS:
        if data.startswith(bom):
            text = data[len(bom) :].decode(bom_codec, errors="replace")
            if "\ufffd" in text:
                warnings.append(f"Some bytes are not valid {label}; they were replaced with �.")
            return _finish(text, warnings), warnings

    utf16 = _utf16_without_bom(data)
    if utf16:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            text = ""
        # NULs on one side are also what many binary formats look like: UTF-16 text is mostly
        # printable once decoded.
        printable = sum(ch.isprintable() or ch in "\n\r\t" for ch in text[:4096])
        if text and printable >= 0.9 * min(len(text), 4096):
            warnings.append("The text is UTF-16 without a byte order mark; read it as UTF-16.")
            return _finish(text, warnings), warnings

    if _looks_binary(data):
        raise EncodingError(
            "This looks like a binary file (it holds NUL or control bytes), not text or HTML; "
            "give the text or the web page instead."
        )

    try:
        utf8: str | None = data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = None
    # Mostly UTF-8: read as UTF-8 with the broken bytes replaced, whatever a header claims.
    mostly = _utf8_mostly(data) if utf8 is None and not data.isascii() else None

    declared_texts: list[tuple[str, str]] = []  # (codec, decoded text) for those that fit
    for label, where in _declared_labels(data, declared) if mostly is None else ():
        codec = _codec_for(label)
        if codec is None:
            warnings.append(
                f"{where.capitalize()} names the unknown charset {label!r}; ignored it."
            )
            continue
        if utf8 is not None and not data.isascii() and not codec.startswith("utf-8"):
            warnings.append(
                f"The bytes are UTF-8 although {where} says {label!r}; read them as UTF-8."
            )
            return _finish(utf8, warnings), warnings
        try:
            decoded = data.decode(codec)
        except UnicodeDecodeError:
            if codec == "cp1252":
                decoded = _decode_cp1252_lenient(data)
            else:
                warnings.append(f"The bytes do not fit the charset {label!r} that {where} names.")
                continue
        declared_texts.append((codec, decoded))
    if mostly is not None:
        bad = mostly.count("\ufffd") - data.count(b"\xef\xbf\xbd")
        warnings.append(
            f"A few bytes are not valid UTF-8 ({bad:,} places); they were replaced with \ufffd."
        )
        return _finish(mostly, warnings), warnings
    if declared_texts:
        return _pick_declared(data, declared_texts, warnings), warnings

    if utf8 is not None:
        return _finish(utf8, warnings), warnings

    return _guess_single_byte(data, warnings), warnings


def _pick_declared(data: bytes, declared: list[tuple[str, str]], warnings: list[str]) -> str:
    """The declared decoding that reads best as Vietnamese; the header wins ties.

    A single-byte label on a Vietnamese site is often just the server's default, so Windows-1258
    and the font encodings (read as windows-1252) compete with it and win only on more evidence.
    """
    options: list[tuple[float, int, str, list[str]]] = []
    for _codec, decoded in declared:
        notes: list[str] = []
        text = _finish(decoded, notes)
        options.append((_vietnamese_evidence(text), -len(options), text, notes))
    if all(len(decoded) == len(data) for _, decoded in declared):
        seen = {codec for codec, _ in declared}
        for codec, name in (("cp1258", "Windows-1258"), ("cp1252", "windows-1252")):
            if codec in seen:
                continue
            try:
                decoded = data.decode(codec) if codec == "cp1258" else _decode_cp1252_lenient(data)
            except UnicodeDecodeError:
                continue
            notes = [f"The declared charset does not fit the text; read it as {name}."]
            text = _finish(decoded, notes)
            options.append((_vietnamese_evidence(text), -100 - len(options), text, notes))
    _, _, text, notes = max(options)
    warnings.extend(notes)
    return text


def _guess_single_byte(data: bytes, warnings: list[str]) -> str:
    """No usable declaration and not UTF-8: Windows-1258 or a legacy font, else ask a detector."""
    candidates = []
    try:
        cp1258 = data.decode("cp1258")
    except UnicodeDecodeError:
        pass
    else:
        notes: list[str] = []
        text = _finish(cp1258, notes)
        candidates.append((_vietnamese_evidence(text), 1, text, "Windows-1258", notes))
    notes = []
    text = _finish(_decode_cp1252_lenient(data), notes)
    candidates.append((_vietnamese_evidence(text), 0, text, "windows-1252", notes))
    evidence, _, text, codec, notes = max(candidates)
    if evidence > 0:
        if not notes:
            warnings.append(
                f"The bytes are not UTF-8; read them as {codec}, which gives Vietnamese."
            )
        warnings.extend(notes)
        return text

    from charset_normalizer import from_bytes  # heavy; only needed for foreign pages

    results = from_bytes(data)
    match = results.best()
    if match is not None:
        # Western code pages often tie; windows-1252 is what browsers assume for such pages.
        tied = [m for m in results if (m.chaos, m.coherence) == (match.chaos, match.coherence)]
        match = next((m for m in tied if m.encoding == "cp1252"), match)
        warnings.append(
            f"The bytes are not UTF-8 and not Vietnamese; guessed the charset {match.encoding}."
        )
        return _finish(str(match), warnings)
    warnings.append("The charset could not be guessed; read the bytes as windows-1252.")
    return _finish(_decode_cp1252_lenient(data), warnings)
