"""Self-check for the hand-written test articles in this folder.

Run:  python corpora/own/check_articles.py
It checks that every NN_slug.txt has a NN_slug.json that loads, and that the JSON is
consistent with its text (see README.md for the conventions). It does not run ocop-nlp.
Exit status 0 when every article passes, 1 otherwise.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent

TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# old-style placement: tone on the 2nd vowel of an open "oa", "oe", "uy" syllable
OLD_STYLE = re.compile(r"(?<![qQ])([oO][àáảãạ]|[oO][èéẻẽẹ]|[uU][ỳýỷỹỵ])(?!\w)")

WORD_NUM = {"không": 0, "một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5,
            "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9, "mười": 10, "mươi": 10,
            "trăm": 100}
MULT = {"tỷ": 10**9, "triệu": 10**6, "nghìn": 10**3, "ngàn": 10**3}
DIGITS = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
WORDS = r"(?:(?:{})\s?)+".format("|".join(sorted(WORD_NUM, key=len, reverse=True)))
NUM = rf"(?:{DIGITS}|{WORDS})"
FIG = re.compile(rf"^(?P<a>{NUM})(?:\s*-\s*(?P<b>{NUM}))?\s*(?:(?P<m>tỷ|triệu|nghìn|ngàn)\s+)?(?P<unit>.+)$")


def modern_tones(s: str) -> str:
    """Move the tone of 'oà', 'oé', 'uỷ'... (open syllable) to modern placement: 'òa', 'óe', 'ủy'."""
    def fix(m: re.Match) -> str:
        first, second = m.group(1)[0], m.group(1)[1]
        d = unicodedata.normalize("NFD", second)
        base, tone = d[0], "".join(c for c in d[1:] if c in TONES)
        return unicodedata.normalize("NFC", first + tone) + base
    return unicodedata.normalize("NFC", OLD_STYLE.sub(fix, s))


def parse_words(w: str) -> int:
    toks = w.split()
    total, cur = 0, 0
    for t in toks:
        v = WORD_NUM[t]
        if t == "trăm":
            cur = (cur or 1) * 100
            total, cur = total + cur, 0
        elif t == "mươi":
            cur = (cur or 1) * 10
        elif t == "mười":
            cur += 10
        else:
            cur += v
    return total + cur


def parse_num(s: str) -> float:
    s = s.strip()
    if re.fullmatch(WORDS, s + " ") or re.fullmatch(WORDS, s):
        return parse_words(s)
    return float(s.replace(".", "").replace(",", "."))


def find_word(hay: str, needle: str, start: int = 0) -> int:
    """Index of needle in hay at or after start, not glued to a letter/digit on either side."""
    pat = re.compile(r"(?<![\w])" + re.escape(needle) + (r"(?!\w)" if needle[-1].isalnum() else ""))
    m = pat.search(hay, start)
    return m.start() if m else -1


def check(stem: Path) -> tuple[list[str], dict]:
    errs: list[str] = []
    raw = stem.with_suffix(".txt").read_text(encoding="utf-8")
    jraw = stem.with_suffix(".json").read_text(encoding="utf-8")
    if unicodedata.normalize("NFC", raw) != raw:
        errs.append("txt is not NFC")
    if unicodedata.normalize("NFC", jraw) != jraw:
        errs.append("json is not NFC")
    try:
        exp = json.loads(jraw)
    except json.JSONDecodeError as e:
        return [f"json does not load: {e}"], {}
    for k in ("description", "title", "meeting", "figures", "not_figures", "challenges",
              "directives", "not_directives"):
        if k not in exp:
            errs.append(f"missing key {k}")
    if OLD_STYLE.search(json.dumps({k: v for k, v in exp.items() if k != "description"},
                                   ensure_ascii=False)):
        errs.append("json uses old-style tone placement; expected strings must be normalised")
    old = bool(OLD_STYLE.search(raw))
    if old and "normalis" not in exp.get("description", ""):
        errs.append("old-style tone placement in a text whose description does not say so")
    full = modern_tones(raw)
    head, _, body = full.partition("\n")
    body = body.lstrip("\n")
    low = body.lower()
    n_words = len(raw.split())
    if not 150 <= n_words <= 450:
        errs.append(f"word count {n_words} outside 150-450")
    if exp.get("title") != head.strip():
        errs.append(f"title mismatch: {exp.get('title')!r} vs {head.strip()!r}")

    m = exp.get("meeting")
    if m is not None:
        if not m.get("kind") or m["kind"] != m["kind"].lower() or m["kind"] not in low:
            errs.append(f"meeting.kind {m.get('kind')!r} not found (lowercase) in text")
        try:
            d = dt.date.fromisoformat(m["date"])
            forms = [f"{d.day}/{d.month}/{d.year}", f"ngày {d.day} tháng {d.month} năm {d.year}"]
            if not any(f in low for f in forms):
                errs.append(f"meeting.date {m['date']} not written in text")
        except (TypeError, ValueError, KeyError):
            errs.append(f"bad meeting.date {m.get('date')!r}")
        ch = m.get("chair")
        if ch:
            for part in ("name", "title"):
                if ch.get(part) is not None and ch[part] not in body:
                    errs.append(f"chair.{part} {ch[part]!r} not in text")

    # figures: in text order, value parses from the span, unit = span minus number, qualifier follows
    covered: list[tuple[int, int]] = []
    pos = 0
    for f in exp.get("figures", []):
        t = f.get("text", "")
        i = find_word(body, t, pos)
        if i < 0:
            errs.append(f"figure text {t!r} not found after offset {pos} (order?)")
            continue
        covered.append((i, i + len(t)))
        pos = i + 1
        mm = FIG.match(t)
        if not mm:
            errs.append(f"figure text {t!r} does not parse")
            continue
        mult = MULT.get(mm.group("m") or "", 1)
        val = parse_num(mm.group("a")) * mult
        if abs(val - f["value"]) > 1e-6 * max(1, abs(val)):
            errs.append(f"figure {t!r}: value {f['value']} != parsed {val}")
        if mm.group("b"):
            vmax = parse_num(mm.group("b")) * mult
            if abs(vmax - f.get("value_max", float("nan"))) > 1e-6 * max(1, abs(vmax)):
                errs.append(f"figure {t!r}: value_max {f.get('value_max')} != parsed {vmax}")
        elif "value_max" in f:
            errs.append(f"figure {t!r}: value_max but no range")
        if mm.group("unit").strip() != f.get("unit"):
            errs.append(f"figure {t!r}: unit {f.get('unit')!r} != {mm.group('unit').strip()!r}")
        q = f.get("qualifier")
        if q is not None:
            after = body[i + len(t):]
            rest = after[len(q) + 1:]
            ends = rest == "" or rest[0] in ",.;:…?)" or rest.startswith((" trong đó", " và "))
            if not after.startswith(" " + q) or not ends:
                errs.append(f"figure {t!r}: qualifier {q!r} does not follow the span up to a delimiter")
    for nf in exp.get("not_figures", []):
        if nf not in full:
            errs.append(f"not_figure {nf!r} not in text")
        for mt in re.finditer(re.escape(nf), body):
            covered.append(mt.span())
    for mt in re.finditer(r"\d+(?:[.,/]\d+)*", body):
        a, b = mt.span()
        if not any(x <= a and b <= y for x, y in covered):
            errs.append(f"number {mt.group()!r} at {a} is neither a figure nor a not_figure")

    pos = 0
    for c in exp.get("challenges", []):
        i = body.find(c, pos)
        if i < 0:
            errs.append(f"challenge not found in order: {c!r}")
            continue
        pos = i + len(c)
        if c != c.strip() or c[-1] in ".;,:…":
            errs.append(f"challenge has surrounding space/punctuation: {c!r}")

    pos = 0
    for d in exp.get("directives", []):
        a = d.get("action_starts", "")
        if not 3 <= len(a.split()) <= 5:
            errs.append(f"action_starts not 3-5 words: {a!r}")
        if a[:1] != a[:1].lower():
            errs.append(f"action_starts not lowercase-first: {a!r}")
        i = low.find(a.lower(), pos)
        if i < 0:
            errs.append(f"action_starts not found in order: {a!r}")
            continue
        pos = i + 1
        if not d.get("issuer") or d["issuer"] not in body:
            errs.append(f"issuer {d.get('issuer')!r} not in text")
        ad = d.get("addressee")
        if ad is not None:
            j = body.rfind(ad, 0, i + 1)
            if j < 0:
                errs.append(f"addressee {ad!r} not in text before its action {a!r}")
        dl = d.get("deadline")
        if dl is not None:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", dl):
                dd = dt.date.fromisoformat(dl)
                if f"{dd.day}/{dd.month}/{dd.year}" not in body:
                    errs.append(f"deadline {dl} not written in text")
            elif dl not in body:
                errs.append(f"deadline phrase {dl!r} not in text")
        extra = set(d) - {"issuer", "addressee", "action_starts", "deadline"}
        if extra:
            errs.append(f"directive has unknown keys {extra}")
    for nd in exp.get("not_directives", []):
        if nd not in body:
            errs.append(f"not_directive {nd!r} not in text")
    row = {"file": stem.name, "kind": (m or {}).get("kind"), "figures": len(exp.get("figures", [])),
           "challenges": len(exp.get("challenges", [])), "directives": len(exp.get("directives", [])),
           "words": n_words}
    return errs, row


def main() -> int:
    stems = sorted(p.with_suffix("") for p in HERE.glob("[0-9][0-9]_*.txt"))
    bad = 0
    for p in HERE.glob("[0-9][0-9]_*.json"):
        if not p.with_suffix(".txt").exists():
            print(f"{p.name}: no matching .txt")
            bad += 1
    for s in stems:
        if not s.with_suffix(".json").exists():
            print(f"{s.name}: no matching .json")
            bad += 1
            continue
        errs, row = check(s)
        status = "ok" if not errs else "FAIL"
        print(f"{status:4} {s.name:45} kind={row.get('kind')!s:22} fig={row.get('figures')} "
              f"ch={row.get('challenges')} dir={row.get('directives')} words={row.get('words')}")
        for e in errs:
            print("      -", e)
        bad += bool(errs)
    print(f"{len(stems)} articles, {bad} failing")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
