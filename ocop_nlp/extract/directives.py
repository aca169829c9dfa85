"""Directives: one action item each, with the official who gave it and whom it binds.

"Đối với các Sở, ngành liên quan, Phó Chủ tịch UBND tỉnh yêu cầu: A; B; C" gives three
directives to "các Sở, ngành liên quan". The speaker carries across sentences ("Phát biểu tại
Hội nghị, Phó Chủ tịch ... nhấn mạnh: ... Vì vậy, cấp ủy ... cần ..."), a title alone resolves
to the person named with it earlier, and a body's plans for itself ("Sở sẽ ...") are not orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ocop_nlp.config import lexicon
from ocop_nlp.extract.clauses import Piece, colon_split, split_enumeration, split_top, trim
from ocop_nlp.extract.dates import find_deadline
from ocop_nlp.extract.officials import OfficialMatch, find_officials
from ocop_nlp.records import Directive, Official, Sentence


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@cache
def _res() -> dict[str, re.Pattern[str]]:
    c = lexicon("cues")
    strong = [w for w in c["strong_directive_verbs"] if w not in ("giao", "giao cho")]
    return {
        # "yêu cầu" and friends as verbs; "giao" only when it is not giao thông/ban/lưu/...
        "strong": re.compile(
            rf"(?i)(?<![\w])(?:{_alt(strong)}|giao(?:\s+cho)?(?!\s*(?:thông|lưu|dịch|ban|nhận|"
            r"tiếp|thương|hữu|kết|khoán|đất|quyền|rừng|dục|hàng|thoa|nhau|tranh|thừa|nộp|"
            r"diện|lộ|điểm)\b))(?![\w])"
        ),
        "speech": re.compile(rf"(?i)(?<![\w])(?:{_alt(c['speech_verbs'])})(?![\w])"),
        "not_verb_before": re.compile(
            r"(?i)(?:đạt|đáp ứng|theo|các|những|có|là|được|với|của|bàn|về|một số|nhiều|"
            r"mọi|đúng|trên|thực hiện|tại|này|so với|lại|sự|việc|lãnh đạo,|công tác|nhiệm vụ)\s*$"
        ),
        "pronoun": re.compile(
            rf"(?i)(?:^|[,;.:]\s*|\s)(?:{_alt(c['issuer_pronouns'])})(?:\s+[\w]+){{0,4}}?\s+"
            r"(?:cũng\s+|còn\s+|đã\s+|tiếp tục\s+)?$"
        ),
        "lead": re.compile(rf"(?i)^(?:{_alt(c['lead_adverbials'])})(?:[^,]{{0,60}}),\s*"),
        "addr_head": re.compile(r"(?i)^(?:đối với|riêng|về phía|riêng đối với)\s+"),
        "addr_start": re.compile(rf"(?i)^(?:{_alt(c['addressee_starts'])})(?![\w])"),
        "obligation": re.compile(
            rf"(?i)(?<![\w])(?:{_alt(c['obligation_after_subject'])})(?![\w])"
        ),
        "action": re.compile(rf"(?i)(?<![\w])(?:{_alt(c['action_starts'] + ['chủ trì'])})(?![\w])"),
        "strict": re.compile(
            r"(?i)(?<![\w])(?:cần phải|cần|phải|có trách nhiệm|chịu trách nhiệm)(?![\w])"
        ),
        "strip": re.compile(rf"(?i)^(?:{_alt(c['modals_to_strip'])})\s+"),
        "self_plan": re.compile(r"(?i)(?<![\w])(?:sẽ|dự kiến|phấn đấu)(?![\w])"),
        "list_marker": re.compile(r"^\s*(?:[-–•+*]|\d+[.)]|[a-zđ][.)])\s+"),
    }


@dataclass(slots=True)
class _State:
    speaker: Official | None = None
    speaker_until_para: int = -1
    known: dict[str, Official] = field(default_factory=dict)
    # A sentence ending with "yêu cầu:" opens a list of lines ("- ...") that follows.
    pending_list: tuple[Official | None, str | None] | None = None


def _official(om: OfficialMatch, state: _State) -> Official:
    if om.name:
        off = Official(om.name, om.title)
        if om.title:
            state.known[om.title] = off
        return off
    if om.title and om.title in state.known:
        return state.known[om.title]
    # "Phó Chủ tịch UBND tỉnh" after "Phó Chủ tịch UBND tỉnh Bắc Kạn Đỗ Thị Minh Hoa".
    for title, off in state.known.items():
        if om.title and title.startswith(om.title):
            return off
    return Official(None, om.title)


def _speaker_before(
    text: str, pos: int, offs: list[OfficialMatch], state: _State
) -> Official | None:
    """The official (or pronoun for the current speaker) whose words start at `pos`."""
    for om in reversed(offs):
        gap = text[om.end : pos]
        if om.end <= pos and len(gap) <= 40 and not re.search(r"[.;:]", gap):
            return _official(om, state)
    if _res()["pronoun"].search(text[max(0, pos - 60) : pos]) and state.speaker:
        return state.speaker
    return None


def _strip_lead(text: str, start: int) -> tuple[str, int]:
    r = _res()
    changed = True
    while changed:
        changed = False
        m = r["lead"].match(text)
        if m:
            text, start = text[m.end() :], start + m.end()
            changed = True
    return text, start


def _addressee_then_action(
    text: str, start: int, need_modal: bool, strict: bool = False
) -> tuple[str | None, Piece]:
    """'các địa phương tiếp tục phối hợp ...' -> ('các địa phương', 'tiếp tục phối hợp ...')."""
    r = _res()
    text2, start2 = _strip_lead(text, start)
    if r["addr_start"].match(text2):
        # Inside a list ("yêu cầu: A; B"), only a real modal ("X cần ...") names a new addressee.
        pat = r["strict"] if strict else r["obligation"] if need_modal else r["action"]
        m = pat.search(text2)
        if m and 0 < m.start() <= 160 and not r["self_plan"].search(text2[: m.start()]):
            addr = text2[: m.start()].strip(" ,:")
            # An addressee holds no verb of its own: "Sở sẽ", "xã đã đạt" are statements.
            if addr and not re.search(r"(?i)\b(?:đã|đang|là|được|sẽ)\b", addr):
                action = text2[m.start() :]
                return addr, _action_piece(action, start2 + m.start())
        if need_modal:
            return None, Piece("", start, start)
    if need_modal:
        return None, Piece("", start, start)
    return None, _action_piece(text2, start2)


def _action_piece(text: str, start: int) -> Piece:
    m = _res()["strip"].match(text)
    if m:
        text, start = text[m.end() :], start + m.end()
    return trim(text, start)


def _items(body: str, base: int) -> list[Piece]:
    out: list[Piece] = []
    for p in split_top(body, ";", base):
        out.extend(split_enumeration(p.text, p.start))
    return out


def _make(
    items: list[Piece],
    issuer: Official | None,
    addressee: str | None,
    text: str,
    base: int,
    default_year: int | None,
) -> list[Directive]:
    r = _res()
    out: list[Directive] = []
    for k, it in enumerate(items):
        addr = addressee
        own_addr, act = _addressee_then_action(it.text, it.start, need_modal=True, strict=True)
        if own_addr:
            addr = own_addr
        else:
            act = _action_piece(it.text, it.start)
        if not act.text or len(act.text.split()) < 2:
            continue
        if k > 0 and r["self_plan"].match(act.text):
            continue
        dl = find_deadline(act.text, default_year)
        deadline = (dl.value or dl.text) if dl else None
        out.append(Directive(issuer, addr, act.text, deadline, base + act.start, base + act.end))
    return out


def extract_directives(
    sentences: list[Sentence], default_year: int | None = None
) -> tuple[list[Directive], set[int]]:
    """Directives of the article and the indexes of the sentences they came from."""
    r = _res()
    state = _State()
    out: list[Directive] = []
    used: set[int] = set()
    for idx, s in enumerate(sentences):
        text = s.text
        offs = find_officials(text)
        for om in offs:
            if om.name:
                _official(om, state)
        found: list[Directive] = []

        if state.pending_list is not None:
            issuer, addr = state.pending_list
            if r["list_marker"].match(text) or (found == [] and text[:1].islower()):
                found = _make(_items(text, 0), issuer, addr, text, s.start, default_year)
                if found:
                    out.extend(found)
                    used.add(idx)
                    continue
            state.pending_list = None

        # Who speaks here? An official (or pronoun) right before a speech verb.
        speech_at = None
        for m in r["speech"].finditer(text):
            who = _speaker_before(text, m.start(), offs, state)
            if who is not None:
                state.speaker = who
                state.speaker_until_para = s.paragraph + 1
                speech_at = m
                break
        if s.paragraph > state.speaker_until_para:
            state.speaker = None

        # Addressee at the head: "Đối với các Sở, ngành liên quan, ..."
        head_addr = None
        h = r["addr_head"].match(text)
        h_start = h.start() if h else 0
        if h:
            stop = speech_at.start() if speech_at else len(text)
            first_off = next((o.start for o in offs if o.start > h.end()), stop)
            seg = text[h.end() : min(stop, first_off)]
            if "," in seg:
                head_addr = seg[: seg.rfind(",")].strip(" ,")

        strong = None
        for m in r["strong"].finditer(text):
            if r["not_verb_before"].search(text[: m.start()]):
                continue
            who = _speaker_before(text, m.start(), offs, state)
            if (
                who is None
                and state.speaker is not None
                and (m.start() < 25 or re.search(r"(?i)(đồng thời|cũng)\s*$", text[: m.start()]))
            ):
                who = state.speaker
            if who is not None:
                strong = (m, who)
                break

        if strong is not None:
            m, who = strong
            state.speaker = who
            state.speaker_until_para = s.paragraph + 1
            rest, rest_at = text[m.end() :], m.end()
            addr = head_addr
            cs = colon_split(rest)
            if cs is not None and len(cs[0]) < 120:
                pre = cs[0].strip(" ,")
                if pre and r["addr_start"].match(pre):
                    addr = pre
                body, body_at = rest[cs[1] :], rest_at + cs[1]
            else:
                own, act = _addressee_then_action(rest.lstrip(" ,"), 0, need_modal=False)
                lead = len(rest) - len(rest.lstrip(" ,"))
                if own:
                    addr = own
                    body, body_at = rest[lead + act.start :], rest_at + lead + act.start
                else:
                    body, body_at = rest, rest_at
            items = _items(body, body_at)
            if not items and text.rstrip().endswith(":"):
                state.pending_list = (who, addr)
                used.add(idx)
                continue
            found = _make(items, who, addr, text, s.start, default_year)
            if not items or text.rstrip().endswith(":"):
                state.pending_list = (who, addr)
        elif state.speaker is not None:
            # Inside the speaker's words: "Vì vậy, cấp ủy, chính quyền các cấp ... cần ...".
            body, body_at = text, 0
            if speech_at is not None:
                cs = colon_split(text[speech_at.end() :])
                if cs is None:
                    body = ""
                else:
                    body, body_at = text[speech_at.end() + cs[1] :], speech_at.end() + cs[1]
            items = _items(body, body_at) if body else []
            if items:
                addr, act = _addressee_then_action(items[0].text, items[0].start, need_modal=True)
                if head_addr and not addr and h is not None and items[0].start == h_start:
                    # "Đối với X, cần ..." puts the addressee ahead of the modal.
                    cut = h.end() + len(head_addr)
                    rest = text[cut:]
                    skip = len(rest) - len(rest.lstrip(" ,"))
                    addr, act = head_addr, _action_piece(rest.lstrip(" ,"), cut + skip)
                if act.text:
                    first = Directive(
                        state.speaker, addr, act.text, None, s.start + act.start, s.start + act.end
                    )
                    dl = find_deadline(act.text, default_year)
                    first.deadline = (dl.value or dl.text) if dl else None
                    found = [
                        first,
                        *_make(items[1:], state.speaker, addr, text, s.start, default_year),
                    ]
        if found:
            out.extend(found)
            used.add(idx)
            state.speaker_until_para = s.paragraph + 1
    return out, used
