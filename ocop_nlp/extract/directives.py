"""Directives: one action item each, with the official who gave it and whom it binds.

"Đối với các Sở, ngành liên quan, Phó Chủ tịch UBND tỉnh yêu cầu: A; B; C" gives three
directives to "các Sở, ngành liên quan". The speaker carries across sentences ("Phát biểu tại
Hội nghị, Phó Chủ tịch ... nhấn mạnh: ... Vì vậy, cấp ủy ... cần ..."), a title alone or a
pronoun ("Đồng chí", "Bà") resolves to the person named earlier, lists continue over
"- ..." lines and "Một là, ..." sentences, and a body's plans for itself ("Sở sẽ ...") are not
orders.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace

from ocop_nlp.extract.clauses import Piece, colon_split, split_enumeration, split_top, trim
from ocop_nlp.extract.dates import find_deadline
from ocop_nlp.extract.officials import UPPER, OfficialMatch, find_officials, match_official_at
from ocop_nlp.extract.resources import Resources, per_resources, pos_spans, uses_resources
from ocop_nlp.records import Directive, Official, Sentence


def _alt(words: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


@per_resources
def _res(r: Resources) -> dict[str, re.Pattern[str]]:
    c = r.lexicon("cues")
    t = r.lexicon("titles")
    strong = [
        w
        for w in c["strong_directive_verbs"] + c["strong_directive_verbs_extra"]
        if w not in ("giao", "giao cho")
    ]
    return {
        # "yêu cầu" and friends as verbs; "giao" only when it is not giao thông/ban/lưu/...
        "strong": re.compile(
            rf"(?i)(?<![\w])(?:{_alt(strong)}|giao(?:\s+cho)?(?!\s*(?:thông|lưu|dịch|ban|nhận|"
            r"tiếp|thương|hữu|kết|khoán|đất|quyền|rừng|dục|hàng|thoa|nhau|tranh|thừa|nộp|"
            r"diện|lộ|điểm)\b)(?!\s+\d))(?![\w])"
        ),
        "speech": re.compile(
            rf"(?i)(?<![\w])(?:{_alt(c['speech_verbs'] + c['opinion_verbs'])})(?![\w])"
        ),
        # '"Phải rà lại quyết liệt hơn", Thủ tướng nói': a quotation tagged with its speaker.
        "quote_tag": re.compile(r'[”"]\s*,\s*[^,“”"]{2,90}$'),
        # Words before "yêu cầu"/"chỉ đạo" that make it a noun: "đạt yêu cầu", "sự chỉ đạo".
        "not_verb_before": re.compile(
            r"(?i)(?:đạt|đáp ứng|theo|các|những|có|là|được|với|của|bàn|về|một số|nhiều|"
            r"mọi|đúng|trên|thực hiện|tại|này|so với|lại|sự|việc|lãnh đạo,|công tác|nhiệm vụ|"
            r"phát biểu|dự và|ý kiến|tham gia|trực tiếp|ban|đã được|cấp có thẩm quyền)\s*$"
        ),
        "pronoun": re.compile(
            rf"(?i)(?:^|[,;.:]\s*|\s)(?:{_alt(c['issuer_pronouns'])})\s+"
            r"(?:cũng\s+|còn\s+|đã\s+|tiếp tục\s+|đồng thời\s+)*$"
        ),
        "lead": re.compile(rf"(?i)^(?:{_alt(c['lead_adverbials'])})(?:[^,]{{0,60}}),\s*"),
        # words that open an action or a request: never inside the subject of an order
        "action_word": re.compile(
            rf"(?<![\w])(?:{_alt([w for w in c['imperative_starts'] if len(w) > 3] + c['obligation_after_subject'] + ['kiến nghị', 'đồng thời'])})(?![\w])"
        ),
        # heads an addressee is never cut inside ("Người | đứng đầu ...", "Ban | chỉ đạo")
        "whole_heads": re.compile(rf"(?i)(?<![\w])(?:{_alt(c['whole_addressee_heads'])})(?![\w])"),
        "addr_head": re.compile(r"(?i)^(?:riêng đối với|đối với|riêng|về phía)\s+"),
        "addr_start": re.compile(
            rf"(?:(?i:{_alt(c['addressee_starts'])})|{_alt(t['bodies'])})(?![\w])"
        ),
        "obligation": re.compile(rf"(?i)^(?:{_alt(c['obligation_after_subject'])})(?![\w])"),
        "modal_anywhere": re.compile(
            rf"(?i)(?<![\w])(?:{_alt(c['obligation_after_subject'] + c['modals_to_strip'])})(?![\w])"
        ),
        "strip": re.compile(rf"(?i)^(?:{_alt(c['modals_to_strip'])})\s+"),
        "self_plan": re.compile(r"(?i)(?<![\w])(?:sẽ|dự kiến|phấn đấu sẽ)(?![\w])"),
        "list_marker": re.compile(
            r"^\s*(?:[-–•+*]|\d+[.)]|\d+\s*-|[a-zđ][.)]|\((?:[ivx]+|\d+|[a-zđ])\))\s+"
        ),
        "enum_head": re.compile(rf"(?i)^(?:{_alt(c['enumerators'])})\s*[,:]\s*"),
        "announcement": re.compile(c["announcement"], re.IGNORECASE),
        # "đề nghị phía Campuchia ...", "đề nghị Singapore tiếp tục ...", "hai bên ...".
        "foreign": re.compile(r"(?:phía|hai\s+bên|các\s+bên|hai\s+nước)(?![\w])"),
        "body_before": re.compile(
            rf"(?:^|[,;:.]\s*|\s)((?-i:{_alt(t['bodies'])})(?:\s+(?:{_alt(t['levels'])})"
            rf"(?:\s+[{UPPER}][\w'’]*)*)?)\s+(?:cũng\s+|đã\s+|tiếp tục\s+|vừa\s+)*$"
        ),
        "action": re.compile(rf"(?i)(?:{_alt(c['action_starts'] + ['chủ trì'])})(?![\w])"),
        "lead_verb": re.compile(rf"(?i)^(?:{_alt(c['strong_directive_verbs'])})\s+"),
        "periphrasis": re.compile(
            rf"(?:^|[,;:.]\s*|\s)((?i:người đứng đầu|lãnh đạo)\s+[{UPPER}][\w]*(?:\s+\w+)?"
            rf"(?:,\s*[{UPPER}][\w]*(?:\s+\w+)?)?)"
            r"\s+(?:cũng\s+|đã\s+|tiếp tục\s+)*$"
        ),
        "condition": re.compile(c["condition_lead"]),
        "imperative": re.compile(rf"(?i)^(?:{_alt(c['imperative_starts'])})(?![\w])"),
        "doc_subject": re.compile(
            rf"(?i)(?:^|\s)(?:{_alt(c['document_subjects'])})(?:\s+(?:này|trên|số\s+\S+))?"
            r"\s+(?:cũng\s+|còn\s+|đồng thời\s+)*$"
        ),
        "doc_intro": re.compile(c["document_intro"]),
        "document_of": re.compile(
            r"\s+(?:số\s+\S+\s+)?(?:của\s+|(?:Hội nghị|phiên họp)\s+(?:lần thứ\s+)?\w+\s+)?"
            rf"((?-i:{_alt(t['bodies'])}))(?![\w])"
        ),
        "purpose": re.compile(c["purpose_head"]),
        "report": re.compile(rf"(?i)^(?:{_alt(c['report_verbs'])})(?:(?<=[,:])|(?![\w]))"),
        "task_heading": re.compile(c["task_heading"]),
        # "cần"/"phải" as a modal: not "cần thiết", "không phải", "phải là", "nhu cầu".
        "modal_in": re.compile(
            r"(?i)(?<![\w])(?<!không )(?<!việc )(?<!vấn đề )(?:cần phải|phải|cần)\s+"
            r"(?!thiết|là\b|chăng)"
        ),
        "stop_end": re.compile(rf"(?i)\s+(?:{_alt(c['addressee_stop_words'])})$"),
        "stop_at": re.compile(rf"(?i)(?:{_alt(c['addressee_stop_words'])})(?![\w])"),
        "report_in": re.compile(rf"(?i)(?<=\S)\s+(?:{_alt(c['other_voice_verbs'])})(?![\w])"),
        "past": re.compile(r"(?i)(?<![\w])(?:đã|đang|vừa|từng)(?![\w])"),
        # Known bodies, with their place, joined by "," or "và": "Huyện ủy, UBND huyện Na Hang".
        "body_np": re.compile(
            rf"(?:(?:các\s+)?(?:{_alt(t['bodies'])})(?:\s+(?:các\s+)?(?:{_alt(t['levels'])})"
            rf"(?:\s*,\s*(?:{_alt(t['levels'])})(?![\w]))*(?:\s+[{UPPER}][\w'’]*)*)?"
            r"(?:\s*,\s*|\s+và\s+|\s+(?=[a-zđà-ỹ])))+"
        ),
    }


@per_resources
def _noun_like(r: Resources) -> frozenset[str]:
    return frozenset(r.lexicon("cues")["noun_like_verbs"])


# Sentence openers that are never a name ("Theo", "Trong", "Việc", "Không", "Chúng"), beside
# the words of the lexicon's action and lead lists.
# fmt: off
_COMMON_OPENERS = (
    "theo", "trong", "việc", "tại", "về", "sau", "với", "không", "nhưng", "một", "trên", "trước",
    "từ", "hiện", "hai", "ba", "các", "những", "chúng", "ông", "bà", "anh", "chị", "đồng", "khi",
    "nếu", "để", "do", "vì", "đây", "đó", "này", "cùng", "ngoài", "bên", "ngày", "năm", "tháng",
    "đến", "qua", "còn", "mỗi", "tất", "toàn", "nhiều", "đối", "riêng", "nhằm", "là", "có",
    "được", "thì", "đã", "đang", "sẽ", "cũng", "rất", "kết", "phê", "tình", "điều", "bởi",
    "biết", "quá", "thứ", "kỳ",
)
# fmt: on


@per_resources
def _common_words(r: Resources) -> frozenset[str]:
    """First syllables of the lexicon's actions, leads and modals: a capitalised opening that
    is one of them starts an action or a sentence, never a proper noun, so it needs no tagger."""
    c = r.lexicon("cues")
    lists = ("action_starts", "imperative_starts", "lead_adverbials", "obligation_modals")
    return frozenset([*(w.split()[0] for name in lists for w in c[name]), *_COMMON_OPENERS])


@dataclass(slots=True)
class _State:
    speaker: Official | None = None
    speaker_until_para: int = -1
    last_named: Official | None = None
    known: dict[str, Official] = field(default_factory=dict)
    # "... tập trung vào ba nhóm nhiệm vụ." or "... như sau:" opens a list that follows.
    pending: tuple[Official | None, str | None] | None = None
    # The open scope: the issuer and addressee of the last directive; the next sentence that
    # opens with an action ("Cùng với đó, phối hợp ...") is theirs too (ANNOTATION.md).
    scope: tuple[Official | None, str | None] | None = None
    # An article that issues a document (Chỉ thị, Công điện, Kế hoạch): its issuer.
    doc_issuer: Official | None = None
    # Inside a list of purposes ("Mục đích ... nhằm:"): unmarked actions are not orders.
    purpose: bool = False
    # The speaker as the sentence began (its own speech verb may set `speaker`).
    speaker_before: Official | None = None


def _official(om: OfficialMatch, state: _State) -> Official:
    if om.name:
        off = Official(om.name, om.title)
        if om.title:
            state.known[om.title] = off
        state.last_named = off
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
    """The official (or a pronoun for one named earlier) whose words start at `pos`."""
    for om in reversed(offs):
        gap = text[om.end : pos]
        if om.end <= pos and len(gap) <= 40 and not re.search(r"[.;:]", gap):
            return _official(om, state)
    pr = _res()["pronoun"].search(text[max(0, pos - 40) : pos])
    if pr:
        known = state.speaker or state.last_named
        if known is None and re.search(r"(?i)đồng chí|đ/c", pr.group(0)):
            # "Đồng chí đề nghị ..." whose name was only in a caption: an official, unnamed.
            return Official(None, None)
        return known
    # "ông Minh nhấn mạnh" after "Bí thư Tỉnh ủy Đặng Văn Minh": the given name of one named.
    g = re.search(
        rf"(?:^|\s)(?i:ông|bà|đồng chí|anh|chị)\s+([{UPPER}][\w'’]*(?:\s+[{UPPER}][\w'’]*)?)\s+$",
        text[max(0, pos - 40) : pos],
    )
    if g:
        for off in reversed(list(state.known.values())):
            if off.name and (off.name == g.group(1) or off.name.endswith(" " + g.group(1))):
                return off
    # "Người đứng đầu Chính phủ nhấn mạnh", "Lãnh đạo Đảng, Nhà nước yêu cầu": a periphrasis.
    pp = _res()["periphrasis"].search(text[max(0, pos - 60) : pos])
    if pp:
        return Official(None, pp.group(1).strip())
    # A body gives the order: "Chính phủ yêu cầu ...", "UBND tỉnh đề nghị ...".
    b = _res()["body_before"].search(text[max(0, pos - 80) : pos])
    if b:
        return Official(None, re.sub(r"\s+", " ", b.group(1)))
    return None


def _strip_lead(text: str, start: int) -> tuple[str, int]:
    r = _res()
    while True:
        m = r["lead"].match(text) or r["enum_head"].match(text)
        if not m:
            return text, start
        text, start = text[m.end() :], start + m.end()


def _lexicon_addressee(text: str) -> tuple[str, int] | None:
    """A known body at the head: 'Sở Văn hóa, Thể thao và Du lịch chủ trì ...'."""
    m = _res()["body_np"].match(text)
    if not m:
        return None
    rest = text[m.end() :].lstrip(" ,")
    if not rest or not rest[0].islower():
        return None
    return m.group(0).rstrip(" ,"), len(text) - len(rest)


def _inside_head(text: str, pos: int) -> bool:
    """`pos` falls inside one of the whole heads (`whole_addressee_heads` in cues.toml): a cut
    there would split it."""
    heads = _res()["whole_heads"]
    return any(m.start() < pos < m.end() for m in heads.finditer(text, 0, pos + 40))


# "tổ chức" is an action ("tổ chức thực hiện") save in a list of bodies: "các trường học, tổ
# chức, hợp tác xã", "các bệnh viện, tổ chức đoàn thể".
_ORGANISATION = re.compile(
    r"(?i)tổ chức(?=\s*[,;]|\s+(?:và|chính trị|liên quan|hữu quan|đoàn thể|xã hội|cá nhân)(?![\w]))"
)


def _listed_organisation(text: str, pos: int) -> bool:
    return text[:pos].rstrip().endswith(",") and bool(_ORGANISATION.match(text, pos))


def _cut_short(text: str, addr: str) -> bool:
    """`addr`, read at the head of `text`, stops before its noun phrase does: inside a whole
    head ("Thanh tra | chuyên ngành"), before a capitalised name word ("Ban | Tổ chức ..."), or
    at a comma the list goes on after ("Các Bộ, | ngành, địa phương")."""
    rest = text[len(addr) :]
    if _inside_head(text, len(addr)):
        return True
    if rest[:1] == " " and rest[1:2].isupper():
        return True
    after = rest.lstrip()
    if after[:1] != ",":
        return False
    nxt = len(text) - len(after[1:].lstrip())
    return bool(_res()["addr_start"].match(text, nxt)) or _listed_organisation(text, nxt)


def complete_addressee(text: str, addr: str) -> tuple[str, int] | None:
    """The whole addressee when `addr` (at the head of `text`) was cut short, with the offset
    of the action after it; None when `addr` is whole already.

    The rules decide which clauses are directives with the addressee as `split_addressee`
    reads it (the shipped model's features read it too); only the span given out is
    completed here, afterwards."""
    if not text.startswith(addr) or not _cut_short(text, addr):
        return None
    longer, at = _pos_addressee(text, whole=True)
    if longer is None or len(longer) <= len(addr) or not longer.startswith(addr):
        return None
    return longer, at


def split_addressee(text: str) -> tuple[str | None, int]:
    """'các huyện ven biển chú trọng ...' -> ('các huyện ven biển', offset of 'chú trọng').

    The addressee is a noun phrase that opens the clause; it ends at the first verb (by
    underthesea's POS tags) that is not part of a name ("Sở ... Phát triển nông thôn",
    "chủ đầu tư", "Huyện ủy").
    """
    lex = _lexicon_addressee(text)
    if lex is not None:
        return lex
    # An official can be asked too: "đề nghị Thủ tướng miễn tiền thuê đất ...".
    om = match_official_at(text, 0)
    if om is not None and om.name is None and re.match(r"(?i)\s+(?:các|những)\s", text[om.end :]):
        om = None  # "Chủ tịch UBND các xã, thị trấn ...": the title opens a plural addressee
    if om is not None and om.end < len(text) and text[om.end : om.end + 2].strip()[:1].islower():
        return text[: om.end].rstrip(" ,"), om.end + (
            len(text[om.end :]) - len(text[om.end :].lstrip())
        )
    return _pos_addressee(text)


def _pos_addressee(text: str, whole: bool = False) -> tuple[str | None, int]:
    """The noun phrase at the head of `text` by POS tags, up to its first verb or modal; with
    `whole`, never inside one of the whole heads (`whole_addressee_heads` in cues.toml) nor at
    a capitalised word."""
    r = _res()
    known_start = bool(r["addr_start"].match(text) or r["foreign"].match(text))
    # A capitalised opening counts only as a proper noun: "đề nghị Singapore tiếp tục ..."; one
    # that is an action, a lead or a common opener ("Tăng cường ...", "Theo ...") needs no
    # tagger to say it is none.
    if not known_start and (
        not text[:1].isupper() or text.split(maxsplit=1)[0].lower() in _common_words()
    ):
        return None, 0
    words = pos_spans(text[:240])
    if not known_start and (not words or words[0][1] != "Np"):
        return None, 0
    noun_like = _noun_like()
    seen_noun = False
    for k, (w, tag, a, _b) in enumerate(words):
        if k >= 18:
            return None, 0
        if seen_noun and r["stop_at"].match(text, a) and a > 0:
            # "các xã tuyệt đối không được lơ là": a negation or modal opens the action.
            addr = _strip_stop_words(text[:a])
            if addr and not re.search(r"(?i)(?<![\w])(?:đã|đang|sẽ|là|được)(?![\w])", addr):
                return addr, len(addr) + (
                    len(text[len(addr) :]) - len(text[len(addr) :].lstrip(" ,"))
                )
            return None, 0
        if whole and (_inside_head(text, a) or _listed_organisation(text, a)):
            seen_noun = True
            continue
        # A capitalised word goes on a name ("Ban Tổ chức", "Ủy ban Kiểm tra"), never an action.
        name_word = whole and w[:1].isupper()
        starts_action = seen_noun and not name_word and bool(r["action"].match(text, a))
        if (tag.startswith("V") and seen_noun) or starts_action:
            capital = w[:1].isupper()
            if starts_action or (not capital and w.lower() not in noun_like):
                addr = _strip_stop_words(text[:a])
                if not addr or re.search(r"(?i)(?<![\w])(?:đã|đang|sẽ|là|được)(?![\w])", addr):
                    return None, 0
                return addr, len(addr) + (
                    len(text[len(addr) :]) - len(text[len(addr) :].lstrip(" ,"))
                )
        if tag in (".", ":", ";") or w in (":", ";", "."):
            return None, 0
        if tag.startswith("N") or tag in ("Ny", "Np", "Nc", "Nu"):
            seen_noun = True
    return None, 0


def _strip_stop_words(addr: str) -> str:
    """An addressee never ends in a negation or modal: 'các xã tuyệt đối không' -> 'các xã'."""
    addr = addr.rstrip(" ,")
    while True:
        m = _res()["stop_end"].search(addr)
        if m is None:
            return addr
        addr = addr[: m.start()].rstrip(" ,")


def _action_piece(text: str, start: int) -> Piece:
    also = re.match(r"(?i)(?:cũng|đều)\s+(?=(?:cần|phải)\b)", text)
    if also:
        text, start = text[also.end() :], start + also.end()
    m = _res()["strip"].match(text)
    if m:
        text, start = text[m.end() :], start + m.end()
    return trim(text, start)


def _items(body: str, base: int) -> list[Piece]:
    out: list[Piece] = []
    for p in split_top(body, ";", base):
        out.extend(split_enumeration(p.text, p.start))
    return out


def _directive(
    issuer: Official | None, addr: str | None, act: Piece, base: int, default_year: int | None
) -> Directive:
    dl = find_deadline(act.text, default_year)
    deadline = None
    if dl is not None:
        deadline = dl.text if dl.kind == "duration" or not dl.value else dl.value
    return Directive(issuer, addr, act.text, deadline, base + act.start, base + act.end)


def _make(
    items: list[Piece],
    issuer: Official | None,
    addressee: str | None,
    base: int,
    default_year: int | None,
) -> list[Directive]:
    """One directive per list item; an item that names its own addressee keeps it."""
    r = _res()
    out: list[Directive] = []
    for it in items:
        text, start = _strip_lead(it.text, it.start)
        mk = r["list_marker"].match(text)  # "(ii) bố trí đủ vốn ...", "- tiếp tục ..."
        if mk:
            text, start = text[mk.end() :], start + mk.end()
        v = r["lead_verb"].match(text)  # "...; giao Sở Công Thương xây dựng ..."
        if v:
            text, start = text[v.end() :], start + v.end()
        addr = addressee
        own, at = split_addressee(text)
        if own and addressee is None:
            # "chỉ đạo: Bộ Y tế cần A; B; C" — the items after A are Bộ Y tế's too.
            addressee = own
        if own:
            addr, text, start = own, text[at:], start + at
        act = _action_piece(text, start)
        if len(act.text.split()) < 2 or r["self_plan"].match(act.text):
            continue
        if r["announcement"].search(act.text):
            continue
        out.append(_directive(issuer, addr, act, base, default_year))
    return out


def _strong_verb(
    text: str, offs: list[OfficialMatch], state: _State
) -> tuple[re.Match[str], Official] | None:
    r = _res()
    for m in r["strong"].finditer(text):
        if r["not_verb_before"].search(text[: m.start()]):
            continue
        before, after = text[: m.start()], text[m.end() :]
        if (
            _NAMED_NOT_GIVEN.match(after)
            or _NAMED_BEFORE.search(before)
            or (m.group(0).lower() in ("chỉ đạo", "chỉ thị") and _DOCUMENT_NAME.search(before))
        ):
            continue  # "chỉ đạo như vậy tại ...", "Chỉ thị số 12", "thời hạn mà Sở yêu cầu"
        if re.match(r"\s*\.", after) or (
            re.match(r"\s*,", after)
            and (not re.search(r"\w\s+(?:cũng\s+)?$", before) or _SPEECH_NOUN.search(before))
        ):
            # "Phát biểu chỉ đạo, ..." names the speech; "bà X đề nghị, TP ... cần ..." orders
            continue
        who = _speaker_before(text, m.start(), offs, state)
        carried = state.speaker or (state.scope[0] if state.scope else None)
        if (
            who is None
            and carried is not None
            and (m.start() < 25 or re.search(r"(?i)(đồng thời|cũng)\s*$", text[: m.start()]))
        ):
            who = carried
        opened = re.match(r"(?i)(?:ông|bà|đồng chí|đ/c)\s", text)
        if who is None and opened and not any(om.end <= m.start() for om in offs):
            # "Ông thay mặt lãnh đạo thành phố biểu dương ... và đề nghị ...": the pronoun
            # that opens the sentence is its subject.
            who = state.speaker or state.last_named
        if who is None:
            # "Thanh tra Bộ GTVT mới có văn bản đề nghị ...": the sender of the document.
            d = re.search(
                r"(?i)\s(?:mới|vừa|đã|cũng)?\s*(?:có|gửi|ban hành)\s+(?:văn bản|công văn|công điện)"
                r"(?:\s+số\s+\S+)?\s*$",
                text[: m.start()],
            )
            if d and 0 < d.start() <= 80 and text[:1].isupper():
                who = Official(None, text[: d.start()].strip(" ,"))
        if who is None and r["doc_subject"].search(text[: m.start()]):
            # "Công văn cũng chỉ đạo ...": the document speaks for its issuer.
            who = (state.scope[0] if state.scope else None) or state.doc_issuer or state.speaker
        if who is None:
            who = _named_subject(text[: m.start()])
            if who is not None and who.name is None:
                known = state.speaker
                if known is None and re.match(r"(?i)lãnh đạo|người đứng đầu", who.title or ""):
                    known = state.last_named  # "Lãnh đạo thành phố yêu cầu ...": one named
                # "Hội đồng thẩm định đề nghị ..." read out by the official speaking: theirs
                who = known or who
        if who is not None and _body_reports(text, m, offs, state):
            continue
        if who is not None:
            return m, who
    return None


# The subject that opens a sentence (after its lead: "Theo đó,", "Cuối cùng,"): a body or a
# person the title lists do not know ("Hội đồng thi đua tỉnh", "Ban Kiểm tra Huyện ủy",
# "Đồng chí Lê Văn Bình", "Lãnh đạo thành phố") still gives the order its verb states.
_SUBJECT = re.compile(
    r"^(?:[^,]{0,40},\s*)?((?:(?i:đồng chí|ông|bà)\s+)?[A-ZĐÀ-Ỹ][^\s,;:.!?]*(?:\s+[^\s,;:.!?]+){0,8}?)"
    r"(?:\s+(?:cũng|đã|vừa|tiếp tục|còn|thì|mới))*\s*$"
)
_NOT_SUBJECT = re.compile(
    r"(?i)(?<![\w])(?:cử tri|đại biểu|người dân|nhân dân|doanh nghiệp|bà con|chúng ta|chúng tôi|tôi|"
    r"ý kiến|báo cáo|dự thảo|nghị quyết|chỉ thị|kế hoạch|là|của|và|có|được|khi|nếu|để|với|về)(?![\w])"
)


def _named_subject(head: str) -> Official | None:
    """The subject of the sentence before an order verb, when it names a body or a person."""
    m = _SUBJECT.match(head.strip())
    if m is None:
        return None
    subject = m.group(1)
    if _NOT_SUBJECT.search(subject) or re.search(r"\d", subject):
        return None
    if _res()["action_word"].search(subject):
        return None  # "Sở Y tế khẩn trương ...": the action began already
    first = subject.split()[0]
    if not (
        _res()["addr_start"].match(subject)
        or re.match(r"(?i)(?:đồng chí|ông|bà|lãnh đạo|ủy ban|ubkt|ubnd|hđnd)(?!\w)", subject)
        or (len(first) >= 2 and first.isupper())
    ):
        return None
    person = re.match(r"(?i)(?:đồng chí|ông|bà)\s+(.+)", subject)
    if person is not None:
        # "Đồng chí Lê Văn Bình": a person named without a title
        return Official(person.group(1), None) if person.group(1)[:1].isupper() else None
    return Official(None, subject)


# An order verb that names an order rather than gives one: followed by "như vậy" or a
# document's number, or inside a relative clause ("thời hạn mà UBND tỉnh yêu cầu, ...") or a
# document's name ("văn bản chỉ đạo", "ban hành Chỉ thị").
_NAMED_NOT_GIVEN = re.compile(r"(?i)\s*(?:như vậy|như thế|như trên|số\s|\d|mang số)")
_NAMED_BEFORE = re.compile(r"(?i)(?<![\w])mà\s+(?:[^\s,.;:]+\s+){0,5}$")
_DOCUMENT_NAME = re.compile(r"(?i)(?<![\w])(?:văn bản|ban hành|ký)\s+$")
_SPEECH_NOUN = re.compile(r"(?i)(?:phát biểu|ý kiến|kết luận|lãnh đạo|sự|công tác)\s+$")


def _body_reports(text: str, m: re.Match[str], offs: list[OfficialMatch], state: _State) -> bool:
    """'Sở Tài nguyên và Môi trường đã tiếp tục đôn đốc các xã ...' in a results paragraph: a
    body reporting its own work, not an order (no official speaks and no scope is open)."""
    if state.speaker_before is not None or state.scope is not None or state.pending is not None:
        return False
    if m.group(0).lower() not in ("đôn đốc", "chỉ đạo", "giao", "nhắc nhở"):
        return False
    if any(om.end <= m.start() and m.start() - om.end <= 40 for om in offs):
        return False
    before = text[max(0, m.start() - 30) : m.start()]
    return bool(re.search(r"(?i)(?:đã|đang|thường xuyên|tiếp tục)\s+(?:\w+\s+)?$", before))


@uses_resources
def extract_directives(
    sentences: list[Sentence], default_year: int | None = None, resources: Resources | None = None
) -> tuple[list[Directive], set[int]]:
    """Directives of the article and the indexes of the sentences they came from."""
    r = _res()
    state = _State()
    out: list[Directive] = []
    used: set[int] = set()
    per_para: dict[int, int] = {}
    for s in sentences:
        per_para[s.paragraph] = per_para.get(s.paragraph, 0) + 1
    for idx, s in enumerate(sentences):
        text = s.text
        if not text.strip():
            continue  # a caption, emptied by captions.reading_sentences
        # "Xây dựng dự toán chi thường xuyên": a section title, not an order; the scope goes on.
        title_line = (
            per_para[s.paragraph] == 1
            and len(text.split()) <= 8
            and not text.rstrip().endswith((".", ";", "!", "?", "…", ":"))
        )
        offs = find_officials(text)
        for om in offs:
            if om.name:
                _official(om, state)
        if idx < 3 and state.doc_issuer is None:
            state.doc_issuer = _document_issuer(text, offs, state)

        if state.pending is not None and any(
            r["speech"].search(text, om.end, om.end + 60)
            or r["report_in"].search(text, om.end - 1, om.end + 60)
            for om in offs
            if om.name
        ):
            state.pending = None  # another official speaks: the list is over
        if state.pending is not None:
            issuer, addr = state.pending
            if r["list_marker"].match(text) or r["enum_head"].match(text):
                found: list[Directive] = _make(_items(text, 0), issuer, addr, s.start, default_year)
                if found:
                    out.extend(found)
                    used.add(idx)
                continue
            # The unmarked items of a list: "... các nhiệm vụ sau: Thực hiện ... Chủ động ...".
            found = [] if title_line else _in_scope(text, issuer, addr, s.start, default_year)
            if found:
                out.extend(found)
                used.add(idx)
                continue
            if _heading(text, state, s.start, default_year, out, used, idx):
                continue
            state.pending = None

        speech_at = None
        state.speaker_before = state.speaker
        for m in r["speech"].finditer(text):
            who = _speaker_before(text, m.start(), offs, state)
            if who is not None and m.group(0).lower() in _opinion_verbs():
                who = who if _person_before(text, m.start(), offs) else None
            if who is not None:
                state.speaker = who
                state.speaker_until_para = s.paragraph + 1
                speech_at = m
                break
        if s.paragraph > state.speaker_until_para:
            state.speaker = None

        head_addr, head_end = _head_addressee(text, offs, speech_at)
        found = []
        strong = _strong_verb(text, offs, state)
        if strong is not None:
            m, who = strong
            state.speaker = who
            state.purpose = False
            found = _after_strong_verb(text, m.end(), who, head_addr, s.start, default_year, state)
            if m.group(0).lower() == "lưu ý":
                # "Thủ tướng cũng lưu ý hiện nay cơ chế ... chưa được hoàn thiện": a warning
                # about a state of things is not an order; only items that read as orders stay.
                found = [d for d in found if d.addressee or _opens_order(d.action)]
        elif state.speaker is not None:
            found = _obligation(text, speech_at, head_addr, head_end, s.start, state, default_year)
        if not found and strong is None and speech_at is None and r["report_in"].search(text[:100]):
            # "Sở Nông nghiệp cho biết ...": another voice takes over; the speaker's turn ends.
            state.speaker, state.scope = None, None
        if not found and strong is None:
            found = _words_of_the_speaker(text, speech_at, offs, state, s.start, default_year)
        if not found and strong is None and speech_at is None:
            quoted = _quote_speaker(sentences, idx, state)
            if quoted is not None:
                # '"Kiên quyết xử lý nghiêm vi phạm ... "' whose tag (", Phó thủ tướng nói")
                # comes a sentence or two later: the words are the speaker's.
                lead = len(text) - len(text.lstrip(' "“'))
                found = _in_scope(text[lead:], quoted, None, s.start + lead, default_year)
        if not found and strong is None and speech_at is None:
            ctx = state.scope
            if ctx is None and state.doc_issuer is not None and not state.purpose:
                ctx = (state.doc_issuer, None)
            if ctx is None and state.speaker is not None:
                ctx = (state.speaker, None)
            if ctx is not None:
                if _heading(text, state, s.start, default_year, out, used, idx, ctx):
                    continue
                if title_line:
                    continue
                found = _in_scope(
                    text, ctx[0], ctx[1], s.start, default_year, strict=ctx is not state.scope
                )
        if not found and r["purpose"].search(text[:60]) and text.rstrip().endswith(":"):
            state.purpose = True
        if found or state.pending is not None:
            used.add(idx)
            state.speaker_until_para = s.paragraph + 1
        state.scope = (found[-1].issuer, found[-1].addressee) if found else None
        out.extend(found)
    # Voters' and deputies' requests ("Cử tri kiến nghị Bộ ... tiếp tục ...") ask upwards; they
    # bind nobody (ANNOTATION.md), whatever verb carries them.
    starts = [s.start for s in sentences]
    kept = []
    for d in out:
        s = sentences[max(0, bisect_right(starts, d.start) - 1)]
        if upward_request(s.text, d.start - s.start):
            continue
        # proposals between states ("đề nghị hai bên ...", "đề nghị phía Lào ...") bind nobody
        if r["foreign"].match(d.addressee or "") or _BETWEEN_STATES.match(d.action):
            continue
        kept.append(d)
    return kept, used


_BETWEEN_STATES = re.compile(r"(?i)\s*(?:hai bên|các bên|hai nước|hai quốc gia)(?![\w])")


def complete_addressees(found: list[Directive], sentences: list[Sentence]) -> list[Directive]:
    """The directives with their addressees completed where the clause cut them short ("Người |
    đứng đầu các sở ..."), the action starting after the whole addressee; a directive that
    carries a cut addressee from the one before it (the scope) takes the completed one.

    A stage of its own, after the model: the model keeps or drops the rules' items by their
    spans as they were when it was trained."""
    starts = [s.start for s in sentences]
    out: list[Directive] = []
    fixed: dict[str, str] = {}
    for d in found:
        s = sentences[max(0, bisect_right(starts, d.start) - 1)]
        at = d.start - s.start
        head = s.text[:at].rstrip(" ,:")
        a0 = len(head) - len(d.addressee or "")
        whole = complete_addressee(s.text[a0:], d.addressee) if d.addressee and a0 >= 0 else None
        if (
            whole is None
            or not head.endswith(d.addressee or "")
            or a0 + whole[1] >= d.end - s.start
        ):
            if d.addressee in fixed:
                d = replace(d, addressee=fixed[d.addressee])
            out.append(d)
            continue
        act = _action_piece(s.text[a0 + whole[1] : d.end - s.start], a0 + whole[1])
        if not act.text:
            out.append(d)
            continue
        fixed[d.addressee or ""] = whole[0]
        out.append(
            replace(
                d,
                addressee=whole[0],
                action=act.text,
                start=s.start + act.start,
                end=s.start + act.end,
            )
        )
    return out


_UPWARD_REQUEST = re.compile(
    r"(?i)(?<![\w])(?:cử tri|đại biểu|người dân|bà con|doanh nghiệp|công ty|cty|hiệp hội|"
    r"nhà đầu tư)[^.;:]{0,40}?(?<![\w])"
    r"(?:kiến nghị|đề nghị|mong muốn|mong|yêu cầu|đề xuất|phản ánh|cho rằng)(?![\w])"
)


def upward_request(sentence: str, at: int) -> bool:
    """Is the item at `at` of `sentence` a voter's, a deputy's or a citizen's request: the
    words before it say so, or it opens with them ("Cử tri kiến nghị cần ...")?"""
    at = max(0, at)
    return bool(_UPWARD_REQUEST.search(sentence, 0, at) or _UPWARD_REQUEST.match(sentence, at))


@per_resources
def _opinion_verbs(r: Resources) -> frozenset[str]:
    return frozenset(r.lexicon("cues")["opinion_verbs"])


def _person_before(text: str, pos: int, offs: list[OfficialMatch]) -> bool:
    """An official or a pronoun for one (not a body) stands right before `pos`."""
    if any(om.end <= pos and len(text[om.end : pos]) <= 40 for om in offs):
        return True
    return bool(_res()["pronoun"].search(text[max(0, pos - 40) : pos]))


def _words_of_the_speaker(
    text: str,
    speech_at: re.Match[str] | None,
    offs: list[OfficialMatch],
    state: _State,
    base: int,
    default_year: int | None,
) -> list[Directive]:
    """An official's words that bind others, in the sentence that names the speaker:
    "Thủ tướng nhấn mạnh, để phát triển kinh tế, tỉnh cần ...", "Thủ tướng cho rằng cần phải
    ...", '"Quân đội phải phối hợp tốt ...", Tổng bí thư nói'."""
    r = _res()
    if speech_at is None or state.speaker is None:
        return []
    rest = text[speech_at.end() :]
    if not rest.strip(" .…"):
        # The speaker comes last: the words are the quotation before the tag.
        q = r["quote_tag"].search(text)
        if q is None:
            return []
        body = text[: q.start()]
        lead = len(body) - len(body.lstrip(' "“'))
        return _in_scope(body[lead:], state.speaker, None, base + lead, default_year)
    after = re.match(r"\s*(?:[,:]\s*|rằng\s+|là\s+)?", rest)
    at = speech_at.end() + (after.end() if after else 0)
    comma = rest.lstrip().startswith((",", ":"))
    if not comma and not r["modal_in"].search(text[at : at + 200]):
        return []  # "... dự và phát biểu chỉ đạo tại hội nghị": no words of an order
    # "đồng chí Lê Diễn đề nghị, các đơn vị ... tính toán kỹ ...": after an order verb, an
    # addressee and any verb make the order.
    order_verb = bool(r["strong"].fullmatch(speech_at.group(0)))
    return _in_scope(text[at:], state.speaker, None, base + at, default_year, any_verb=order_verb)


def _quote_speaker(sentences: list[Sentence], idx: int, state: _State) -> Official | None:
    """The official a quotation that opens at sentence `idx` is tagged with, up to three
    sentences on ('"...". "..." , Tổng bí thư nói'), or None."""
    text = sentences[idx].text.lstrip()
    if not text.startswith(("“", '"')):
        return None
    for k in range(idx, min(idx + 4, len(sentences))):
        t = sentences[k].text
        if sentences[k].paragraph - sentences[idx].paragraph > 1:
            return None
        q = _res()["quote_tag"].search(t)
        if q is None:
            if "”" in t:
                return None  # the quotation closed without a tag
            continue
        tag = t[q.start() :]
        verb = _res()["speech"].search(tag)
        if verb is None:
            return None
        offs = find_officials(tag)
        return _speaker_before(tag, verb.start(), offs, state)
    return None


def _document_issuer(text: str, offs: list[OfficialMatch], state: _State) -> Official | None:
    """'UBND tỉnh vừa ban hành Chỉ thị ...' -> UBND tỉnh: the issuer of the document's items."""
    m = _res()["doc_intro"].search(text)
    if m is None:
        return None
    # "<chức danh> ... ký ban hành Nghị quyết Hội nghị lần thứ ... của <cơ quan>":
    # the body the document is of gives its orders, not the official who signed it.
    of = _res()["document_of"].match(text, m.end())
    if of is not None:
        return Official(None, of.group(1))
    return _speaker_before(text, m.start(), offs, state)


def _opens_order(text: str, any_verb: bool = False) -> bool:
    """Does a clause read as an order when a scope is open? It opens with an action ('Chủ động
    túc trực ...'), an addressee and an action ('Hiệu trưởng các trường ... vận động ...'), or
    has a modal ('Việc giải phóng mặt bằng phải xong ...'); never a past act or a plan."""
    r = _res()
    if r["self_plan"].search(text[:60]) or r["past"].match(text) or text.rstrip().endswith("?"):
        return False  # a plan, a past act or a question ("phải làm gì để ...?")
    if re.search(
        r"(?<![\w])kiến nghị\s+(?:với\s+)?(?:Chính phủ|Quốc hội|Trung ương|Thủ tướng|Bộ|tỉnh|"
        r"thành phố|UBND|cấp trên|Nhà nước)",
        text[:160],
    ):
        return False  # a request upwards, not an order (ANNOTATION.md)
    if r["imperative"].match(text):
        # "Xác định ..., Ban thường vụ đã ban hành ...": a participle before a past act.
        if re.search(r",\s*[^,]{0,60}(?<![\w])(?:đã|đang)\s", text[:150]):
            return False
        return not r["report"].match(text)
    own, at = split_addressee(text)
    if own:
        rest = re.sub(r"(?i)^(?:cũng|đều|còn)\s+", "", text[at:])
        if r["past"].search(text[:at]) or r["past"].match(rest):
            return False
        if r["report"].match(rest):
            return False
        if r["imperative"].match(rest):
            return True
        if any_verb and rest[:1].islower():
            words = pos_spans(rest[:30])
            return bool(words) and words[0][1].startswith("V")
        return False
    m = r["modal_in"].search(text[:160])
    return m is not None and not r["past"].search(text[: m.start()]) and _modal_verb(text, m)


def _modal_verb(text: str, m: re.Match[str]) -> bool:
    """'cần rà soát' (a modal before a verb), not 'cần nguồn vốn lớn' (to need a thing)."""
    if not m.group(0).lower().startswith("cần"):
        return True  # "phải" is a modal whatever follows ("phải trên cơ sở ...")
    words = pos_spans(text[m.end() : m.end() + 40])
    if not words:
        return False
    w, tag = words[0][0].lower(), words[0][1]
    return tag.startswith(("V", "A", "R")) or bool(_res()["imperative"].match(w))


def _in_scope(
    text: str,
    issuer: Official | None,
    addr: str | None,
    base: int,
    default_year: int | None,
    strict: bool = False,
    any_verb: bool = False,
) -> list[Directive]:
    """The orders of a sentence read in an open scope (issuer and addressee carried on).

    `strict` (a document's or a speaker's context, not the sentence before): a clause opening
    with a bare verb counts only when it is not followed by a report of what was done.
    """
    r = _res()
    t, at = _strip_lead(text, 0)
    mk = r["list_marker"].match(t)
    if mk:
        t, at = t[mk.end() :], at + mk.end()
    cond = r["condition"].match(t)
    if cond and cond.end() < len(t):
        t, at = t[cond.end() :], at + cond.end()
    h_addr, h_end = _head_addressee(t, [], None)
    if h_addr:
        addr, t, at = (
            h_addr,
            t[h_end:].lstrip(" ,"),
            at + h_end + (len(t[h_end:]) - len(t[h_end:].lstrip(" ,"))),
        )
    pieces = split_top(t, ";")
    first = pieces[0].text if pieces else ""
    if not first or not _opens_order(first, any_verb):
        return []
    m = r["modal_in"].search(first[:160])
    if m and not r["imperative"].match(first) and not split_addressee(first)[0]:
        # "..., vì vậy các cấp, các ngành cần có giải pháp ...": the order is the comma clause
        # that holds the modal, not the reasoning before it.
        cut = first.rfind(", ", 0, m.start())
        if cut > 0 and split_addressee(_strip_lead(first[cut + 2 :], 0)[0])[0]:
            t, at = t[cut + 2 :], at + cut + 2
    bare = not (r["modal_in"].search(first[:160]) or split_addressee(first)[0])
    if strict and bare and r["past"].search(first[:80]):
        return []
    cs = colon_split(t)
    if cs is not None and t[cs[1] :].strip(" .…"):
        # "Vốn ... phải được bố trí theo thứ tự: (i) ...; (ii) ...": the head and each item.
        head_text = cs[0].strip()
        v = r["lead_verb"].match(head_text)
        if v:
            # "Đề nghị Công ty Cấp nước tỉnh: Cử cán bộ ...; chuẩn bị ...": the head names
            # whom the items bind.
            addr = head_text[v.end() :].strip(" ,") or addr
        keep = (
            not v
            and len(head_text.split()) >= 4
            and _opens_order(head_text)
            and not re.search(r"(?i)(?:như|sau|gồm|sau đây|cụ thể|như sau)$", head_text)
        )
        head = [Piece(cs[0], at, at + len(cs[0]))] if keep else []
        return _make(head + _items(t[cs[1] :], at + cs[1]), issuer, addr, base, default_year)
    return _make(_items(t, at), issuer, addr, base, default_year)


def _heading(
    text: str,
    state: _State,
    base: int,
    default_year: int | None,
    out: list[Directive],
    used: set[int],
    idx: int,
    ctx: tuple[Official | None, str | None] | None = None,
) -> bool:
    """A heading inside a leader's or a document's orders: 'Phòng Giáo dục huyện: - tiếp tục
    ...', 'Đối với các đảng ủy xã, thị trấn:', 'Nhiệm vụ trọng tâm thời gian tới'. Its items
    (on this line or the next ones) are orders to the heading's addressee."""
    r = _res()
    issuer = (ctx or state.pending or state.scope or (None, None))[0]
    t = text.strip()
    if r["task_heading"].match(t):
        state.pending = (issuer, None)
        return True
    cs = colon_split(text)
    head = cs[0].strip() if cs is not None else t.rstrip(" .")
    if len(head.split()) > 14 or re.search(r"[.;]", head):
        return False
    h = r["addr_head"].match(head)
    np = head[h.end() :] if h else head
    if not (r["addr_start"].match(np) or _lexicon_addressee(np + " x")):
        return False
    if split_addressee(np + " thực hiện")[0] != np.strip(" ,") and not h:
        return False
    addr = np.strip(" ,")
    if cs is None and not h:
        return False
    found = []
    if cs is not None and text[cs[1] :].strip():
        found = _make(_items(text[cs[1] :], cs[1]), issuer, addr, base, default_year)
    out.extend(found)
    used.add(idx)
    state.pending = (issuer, addr)
    return True


def _head_addressee(
    text: str, offs: list[OfficialMatch], speech_at: re.Match[str] | None
) -> tuple[str | None, int]:
    """'Đối với các Sở, ngành liên quan, ...' -> ('các Sở, ngành liên quan', end of head)."""
    h = _res()["addr_head"].match(text)
    if not h:
        return None, 0
    stop = speech_at.start() if speech_at else len(text)
    first_off = next((o.start for o in offs if o.start > h.end()), stop)
    seg = text[h.end() : min(stop, first_off)]
    if "," not in seg:
        return None, 0
    cut = seg.rfind(",") if (speech_at or first_off < len(text)) else seg.find(",")
    if speech_at is None and first_off == len(text):
        # No speaker in the sentence: the head ends at the comma before the action.
        addr_end = _first_action_comma(seg)
        cut = addr_end if addr_end is not None else cut
    return seg[:cut].strip(" ,"), h.end() + cut + 1


def _first_action_comma(seg: str) -> int | None:
    for m in re.finditer(",", seg):
        rest = seg[m.end() :].lstrip()
        if _res()["obligation"].match(rest) or _res()["strip"].match(rest):
            return m.start()
    return None


def _after_strong_verb(
    text: str,
    at: int,
    who: Official,
    head_addr: str | None,
    base: int,
    default_year: int | None,
    state: _State,
) -> list[Directive]:
    r = _res()
    rest = text[at:]
    lead = len(rest) - len(rest.lstrip(" ,"))
    addr = head_addr
    stripped, lead_at = _strip_lead(rest[lead:], lead)
    cs = colon_split(stripped)
    if rest[lead : lead + 1] == ":":
        body_at = at + lead + 1
    elif cs is not None and len(cs[0]) < 160 and r["addr_start"].match(cs[0]):
        # "yêu cầu UBND các huyện, thị xã, thành phố: A; B" or "... X tập trung các nhiệm vụ: A"
        own, _ = split_addressee(cs[0])
        addr = own or cs[0].strip(" ,")
        body_at = at + lead_at + cs[1]
    else:
        lead = lead_at
        own, off = split_addressee(rest[lead:])
        if own:
            addr = own
        body_at = at + lead + off
        cs = colon_split(text[body_at:])
        if cs is not None and (
            len(cs[0]) < 40 or r["announcement"].search(cs[0]) or cs[0].rstrip().endswith("sau")
        ):
            body_at = body_at + cs[1]
    body = text[body_at:]
    if not body.strip(" .…:") or r["announcement"].search(body.strip()):
        state.pending = (who, addr)
        return []
    found = _make(_items(body, body_at), who, addr, base, default_year)
    if text.rstrip().endswith(":"):
        state.pending = (who, addr)
    return found


def _obligation(
    text: str,
    speech_at: re.Match[str] | None,
    head_addr: str | None,
    head_end: int,
    base: int,
    state: _State,
    default_year: int | None,
) -> list[Directive]:
    """Inside the speaker's words: "Vì vậy, cấp ủy, chính quyền các cấp ... cần ..."."""
    r = _res()
    if speech_at is not None:
        cs = colon_split(text[speech_at.end() :])
        if cs is None:
            return []
        body_at = speech_at.end() + cs[1]
    else:
        body_at = head_end if head_addr else 0
    items = _items(text[body_at:], body_at)
    if not items:
        return []
    first, fstart = _strip_lead(items[0].text, items[0].start)
    # Cheap test first: no modal anywhere in the clause means no obligation to find.
    if not r["modal_anywhere"].search(first[:200]):
        return []
    addr, at = split_addressee(first)
    if addr is None and head_addr:
        addr, at = head_addr, 0
    if addr is None:
        return []
    rest = first[at:]
    if not r["obligation"].match(rest) and not r["strip"].match(rest):
        return []
    if r["self_plan"].search(rest[:30]):
        return []
    act = _action_piece(rest, fstart + at)
    if len(act.text.split()) < 2:
        return []
    who = state.speaker
    return [
        _directive(who, addr, act, base, default_year),
        *_make(items[1:], who, addr, base, default_year),
    ]
