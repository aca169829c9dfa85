"""The clause-sequence model at run time: every clause of an article labelled in order by a
linear-chain CRF that sees its neighbours and the open scope, then the rules' items kept,
dropped or added by what it says.

A clause is described by its own features (`clause_features`: words, cues, shape), the rules'
label for it, and its place in the article: the clauses around it, the paragraph, whether a
rule directive is still open in this paragraph or the one before and how many clauses ago,
whether a new speaker has spoken since, the list it sits in (the head that ended with a
colon, the line's marker), the heading above it, a report marker ("đã") and caption-like
paragraphs (photo captions and credits). The CRF's transitions carry the label of the clause
before, so "Cùng với đó, phối hợp ..." after a directive reads as one.

The model decides which clauses are directives and challenges; the rules keep what they do
well: an item the rules made for a clause the model accepts is kept as it is (span, issuer,
addressee, deadline); a clause the model accepts without a rule item becomes one, with the
issuer and addressee of the directive whose scope it continues.

The model file is CRFsuite's format, trained and read by `underthesea_core` (installed with
underthesea), so scoring needs no scikit-learn.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ocop_nlp.extract.clause_features import _cues, clause_features, cue_names
from ocop_nlp.extract.resources import Resources, per_resources
from ocop_nlp.extract.units import Unit, clause_units
from ocop_nlp.records import Challenge, Directive, Extraction, Sentence

# Bumped when the sequence features change: a model trained on others is refused at load.
SEQUENCE_FEATURE_VERSION = 3  # 2: document sections, upward voices, opening body; 3: the article
SYLLABLES = True  # syllables, not underthesea words: no sentence is segmented for the model

_MARKER = re.compile(
    r"\s*(?:([-–+•*])|(\d{1,2}|[IVX]{1,4})[.)/]|([a-zđ])\)|(Một|Hai|Ba|Bốn|Năm|Sáu|Bảy|Tám|Chín|Mười) là\b)"
)
_PAST = re.compile(r"(?i)(?<!\w)(?:đã|vừa qua|đã được)(?!\w)")
_FUTURE = re.compile(r"(?i)(?<!\w)(?:sẽ|dự kiến)(?!\w)")
_SYLLABLES = re.compile(r"[^\W\d_]+")
_CAPTION = re.compile(r"(?i)(?:^|\()ảnh\s*[:(]|\(ảnh|ảnh minh họa|nguồn:|quang cảnh")
# A numbered section title of a document ("III - NHIỆM VỤ VÀ GIẢI PHÁP CHỦ YẾU", "IV. TỔ CHỨC
# THỰC HIỆN"), often glued into the paragraph around it once the page is flattened: the
# section of tasks and of implementation holds a document's orders, the others (the situation,
# the viewpoints, the goals) do not, however imperative their wording.
_SECTION = re.compile(
    r"(?<![\w])(?:[IVX]{1,4}|[A-Z])\s*[-–.]\s*([A-ZĐÀ-Ỹ][A-ZĐÀ-Ỹ ,]{6,})(?=\s+(?:\d|[A-ZĐÀ-Ỹ][a-zđà-ỹ]))"
)
_TASK_SECTION = re.compile(r"NHIỆM VỤ|GIẢI PHÁP|TỔ CHỨC THỰC HIỆN")
# The first sentences say the article is (or gives the text of) a directive document.
_DOCUMENT = re.compile(
    r"(?i)(?<![\w])(?:ban hành|ký|có|gửi|giới thiệu toàn văn|toàn văn)\s+(?:\w+\s+){0,2}?"
    r"(?:nghị quyết|chỉ thị|công điện|công văn|kế hoạch|thông báo kết luận|kết luận|quyết định|"
    r"hướng dẫn|thông tư)(?![\w])"
)
# Voices that ask upwards or report what others want: citizens' and deputies' requests are
# not orders (ANNOTATION.md), whatever verb they use.
_UPWARD = re.compile(
    r"(?i)(?<![\w])(?:cử tri|kiến nghị|phản ánh|đề xuất|mong muốn|người dân|doanh nghiệp|"
    r"đại biểu)(?![\w])"
)


@dataclass(slots=True)
class SequencePolicy:
    """Thresholds on the model's marginal probability of a clause's label."""

    add_directive: float = 0.5  # a clause with no rule directive becomes one above this
    keep_directive: float = 0.0  # a rule directive is dropped below this
    add_challenge: float = 0.5
    keep_challenge: float = 0.0

    @classmethod
    def from_dict(cls, d: dict | None) -> SequencePolicy:
        d = d or {}
        return cls(**{k: float(v) for k, v in d.items() if k in cls.__slots__})  # type: ignore[attr-defined]


@per_resources
def _announcement(r: Resources) -> re.Pattern[str]:
    return re.compile(r.lexicon("cues")["announcement"], re.IGNORECASE)


def can_be_action(text: str, u: Unit) -> bool:
    """The rules' own checks on an action: not a list head ("... như sau:", "tập trung vào
    ba nhóm nhiệm vụ"), not a fragment of two words."""
    clause = text[u.start : u.end]
    if text[u.end : u.end + 2].lstrip().startswith(":") or clause.rstrip().endswith(("như", "sau")):
        return False
    return len(clause.split()) >= 3 and not _announcement().search(clause)


_THEREFORE = re.compile(r"(?i)(?<!\w)(?:vì vậy|vì thế|do đó|do vậy)(?!\w)[,\s]*")


def _action_start(text: str, u: Unit) -> int:
    """Where an added directive starts: after "vì vậy" / "do đó" when the clause opens with
    the speaker's reason ("X nhấn mạnh, A là B, vì vậy các cấp cần ...")."""
    found = list(_THEREFORE.finditer(text, u.start, u.end))
    m = found[-1] if found else None
    return m.end() if m is not None and m.end() < u.end else u.start


# the purpose of a plan or programme states why, it orders nobody ("Mục đích của Đề án là ...")
_PURPOSE = re.compile(r"(?i)(?:mục đích|nhằm|mục tiêu)(?!\w)")


def _states_not_orders(text: str, u: Unit) -> bool:
    """A clause that names its speaker's speech ("nhấn mạnh", "đánh giá cao") without a
    modal or a strong order word, or its own plan ("sẽ", "dự kiến") without a strong order
    word, reports; it does not order."""
    cues = set(cue_names(text[u.start : u.end]))
    if "strong_directive_verbs" in cues:
        return False
    modal = bool(cues & {"obligation_modals", "obligation_after_subject"})
    return "self_plan_cues" in cues or ("speech_verbs" in cues and not modal)


def _overlap(a: int, b: int, c: int, d: int) -> int:
    return max(0, min(b, d) - max(a, c))


def unit_rule_labels(ex: Extraction, units: Sequence[Unit]) -> list[str]:
    """The label the rules give each clause: what their items overlap, most specific first."""
    out = []
    for u in units:
        a, b = u.start, u.end
        if any(_overlap(a, b, d.start, d.end) for d in ex.directives):
            out.append("directive")
        elif any(_overlap(a, b, c.start, c.end) for c in ex.challenges):
            out.append("challenge")
        elif any(a <= f.start and f.end <= b for f in ex.figures):
            out.append("figure")
        elif any(_overlap(a, b, c.start, c.end) > 0.5 * (b - a) for c in ex.achievements):
            out.append("achievement")
        else:
            out.append("other")
    return out


def _bucket(n: int) -> str:
    return str(n) if n <= 2 else "3-5" if n <= 5 else "6+"


def _marker(line: str) -> str | None:
    m = _MARKER.match(line)
    if m is None:
        return None
    return "dash" if m.group(1) else "num" if m.group(2) else "letter" if m.group(3) else "word"


def sequence_features(
    text: str,
    sentences: Sequence[Sentence],
    units: Sequence[Unit],
    rule_labels: Sequence[str],
) -> list[list[str]]:
    """The features of each clause of an article, in order (see the module docstring)."""
    base = clause_features(
        text, [(u.start, u.end, u.sentence) for u in units], sentences, syllables=SYLLABLES
    )
    cues = [[f for f in fs if f.startswith("cue:")] for fs in base]
    n = len(units)
    out: list[list[str]] = []
    last_dir = -1  # index of the last clause the rules call a directive
    last_dir_par = -10
    speaker_since = False
    heading: list[str] = []
    list_head: list[str] | None = None
    list_par = -10
    prev_par = -1
    caption = is_heading = False
    section: str | None = None
    prev_end = 0
    lead = " ".join(s.text for s in sentences[:3])
    document = bool(_DOCUMENT.search(lead))
    art = _article_features(text, units, cues, rule_labels)
    for i, u in enumerate(units):
        sent = sentences[u.sentence]
        par = sent.paragraph
        feats = [*base[i], f"rule={rule_labels[i]}", *art]
        feats += [f"{f}|rule={rule_labels[i]}" for f in art]
        for k in (-2, -1, 1):
            j = i + k
            if 0 <= j < n:
                feats.append(f"{k}rule={rule_labels[j]}")
                feats += [f"{k}{c}" for c in cues[j]]
            else:
                feats.append(f"{k}none")
        new_par = par != prev_par
        if new_par:
            feats.append("par_start")
            par_text = _paragraph_text(sentences, u.sentence)
            marker = _marker(par_text)
            stripped = par_text.strip()
            words = stripped.split()
            is_heading = (
                len(words) <= 14 and stripped[-1:] not in ".;:!?…" and marker is None
            ) or (marker is not None and len(words) <= 10 and stripped.endswith(":"))
            caption = bool(_CAPTION.search(stripped)) or (
                len(words) <= 25
                and stripped[-1:] not in ".;:!?…"
                and "phát biểu" in stripped.lower()
            )
            if is_heading and not caption:
                # what the heading names ("Nhiệm vụ ...", "Khó khăn, hạn chế"): cues and words
                heading = sorted({f"head{c[3:]}" for c in cues[i]}) or ["head:plain"]
                heading += [f"head_w:{w.lower()}" for w in _SYLLABLES.findall(stripped)[:4]]
            if stripped.endswith(":"):
                list_head, list_par = [f"list{c[3:]}" for c in cues[i]], par
            elif marker is None and par > list_par + 1 and not is_heading:
                list_head = None
        feats.append(f"marker={_marker(_paragraph_text(sentences, u.sentence)) or 'none'}")
        if caption:
            feats.append("caption")
        if is_heading and not caption:
            feats.append("heading")
        feats += heading
        if list_head is not None and par > list_par:
            feats += ["in_list", *list_head]
        # the open scope of the rules' last directive
        if last_dir >= 0:
            gap = i - last_dir
            feats.append(f"since_dir={_bucket(gap)}")
            if last_dir_par == par:
                feats.append("dir_open_par")
            elif last_dir_par == par - 1:
                feats.append("dir_open_prev_par")
            if speaker_since:
                feats.append("speaker_since_dir")
        else:
            feats.append("no_dir_yet")
        clause = text[u.start : u.end]
        for m in _SECTION.finditer(text, prev_end, u.end):
            section = "task" if _TASK_SECTION.search(m.group(1)) else "other"
        prev_end = u.end
        if section is not None:
            feats.append(f"section={section}")
        if document:
            feats.append("document")
        if _UPWARD.search(text, sent.start, u.end):
            feats.append("upward_voice")
        if _opens_with_body(clause):
            feats.append("opens_body")
        if _PAST.search(clause):
            feats.append("past")
        if _FUTURE.search(clause):
            feats.append("future")
        out.append(feats)
        if rule_labels[i] == "directive":
            last_dir, last_dir_par, speaker_since = i, par, False
        elif "cue:speech_verbs" in cues[i] and "cue:title_heads" in cues[i]:
            speaker_since = True
        prev_par = par
    return out


def _article_features(
    text: str, units: Sequence[Unit], cues: Sequence[Sequence[str]], rule_labels: Sequence[str]
) -> list[str]:
    """What the whole article is: whether anyone titled gives an order in it at all, how many
    directives the rules read, whether it speaks as "we" (an essay or a speech to the reader)
    or reports voters' requests. An imperative in an essay or a government's report on itself
    reads like an order in a meeting report; only the article tells them apart."""
    by_sentence: dict[int, set[str]] = {}
    for u, c in zip(units, cues, strict=True):
        by_sentence.setdefault(u.sentence, set()).update(c)
    orders = sum(
        1
        for c in by_sentence.values()
        if "cue:title_heads" in c and "cue:strong_directive_verbs" in c
    )
    rules = sum(1 for r in rule_labels if r == "directive")
    low = text.lower()
    out = [
        f"art_orders={_count_bucket(orders)}",
        f"art_rules={_count_bucket(rules)}",
    ]
    if low.count("chúng ta") >= 2:
        out.append("art_we")
    if "cử tri" in low:
        out.append("art_voters")
    return out


def _count_bucket(n: int) -> str:
    return "0" if n == 0 else "1" if n == 1 else "2-4" if n <= 4 else "5-10" if n <= 10 else "11+"


def _asks_upward(text: str, u: Unit) -> bool:
    """The clause is a voter's or a deputy's request, by its sentence so far or its opening."""
    from ocop_nlp.extract.directives import upward_request

    a = max(0, u.start - 200)
    head = text[a : u.start]
    cut = max(head.rfind(". "), head.rfind("\n"), head.rfind("? "), head.rfind("! "))
    return upward_request(text[a + cut + 1 : u.end], len(head) - cut - 1)


def _ordered_explicitly(text: str, at: int) -> bool:
    """An order verb ("yêu cầu", "giao", "chỉ đạo") stands before `at` in its sentence: the
    rules read the item from an explicit order ("yêu cầu: A; B"), which the model never drops
    (it misjudges short list items it has not seen the like of)."""
    a = max(0, at - 300)
    head = text[a:at]
    cut = max(head.rfind(". "), head.rfind("\n"), head.rfind("? "), head.rfind("! "))
    head = head[cut + 1 :]
    marker = _MARKER.match(head)
    if marker is not None and not any(ch.isalpha() for ch in head[marker.end() :]):
        # a line of an announced list ("... hai nhóm nhiệm vụ.\nMột là, ...", "...:\n- ..."):
        # the order stands in the head above its lines
        return _list_head_orders(text, a + cut + 1)
    verbs = [m for p in _cues()["strong_directive_verbs"] for m in p.finditer(head)]
    if not verbs:
        return False
    # the items of its list ("yêu cầu: A; B") or the order right after it ("giao Sở X làm A"),
    # not a noun far before ("Quan điểm chỉ đạo - Doanh nghiệp nhà nước là ...")
    v = max(verbs, key=lambda m: m.end())
    rest = head[v.end() :]
    if not (":" in rest or len(rest) <= 60):
        return False
    # what only reports an order or names one is no order to protect: "Thủ tướng đã chỉ đạo
    # ...", "sẽ ký chỉ thị ...", "Chỉ thị số 13"; nor are proposals between states ("đề nghị
    # hai bên ...")
    if _REPORTED_ORDER.search(head[max(0, v.start() - 30) : v.start()]):
        return False
    if v.group(0).lower() == "chỉ thị" and ":" not in rest:
        return False
    return not _BETWEEN_STATES.match(rest)


def _list_head_orders(text: str, line_start: int) -> bool:
    """The line at `line_start` belongs to a list whose head (the nearest line above that is
    no list line, within 1,500 characters) gives an explicit order."""
    lo = max(0, line_start - 1500)
    end = line_start
    while end > lo:
        nl = text.rfind("\n", lo, end - 1)
        start = nl + 1 if nl >= 0 else lo
        line = text[start:end].strip()
        if line and not _MARKER.match(line):
            return _ordered_explicitly(text, start + len(text[start:end].rstrip()))
        if nl < 0:
            break
        end = nl
    return False


_REPORTED_ORDER = re.compile(r"(?i)(?<!\w)(?:đã|vừa|từng|sẽ|đã có|đã được)(?:\s+\w+){0,2}\s*$")
_BETWEEN_STATES = re.compile(r"(?i)\s*(?:hai bên|hai nước|phía|các nước|hai quốc gia)(?!\w)")


def _own_addressee(clause: str) -> str | None:
    """The addressee an added clause names at its head, read as the rules read one (and
    completed as they complete one: "Người đứng đầu các sở", not "Người")."""
    from ocop_nlp.extract.directives import complete_addressee, split_addressee

    own = split_addressee(clause)[0]
    whole = complete_addressee(clause, own) if own else None
    return whole[0] if whole else own


def _opens_with_body(clause: str) -> bool:
    """The clause opens with a known body and goes on with a lower-case word ("Bộ Y tế tiếp
    tục ...", "UBND các huyện chủ động ..."): the shape of an assignment in a document."""
    from ocop_nlp.extract.directives import _lexicon_addressee

    return _lexicon_addressee(clause) is not None


def _paragraph_text(sentences: Sequence[Sentence], si: int) -> str:
    """The paragraph of sentence `si`, from its first sentence to its last."""
    par = sentences[si].paragraph
    a = si
    while a > 0 and sentences[a - 1].paragraph == par:
        a -= 1
    b = si
    while b + 1 < len(sentences) and sentences[b + 1].paragraph == par:
        b += 1
    return " ".join(s.text for s in sentences[a : b + 1])


def article_units(text: str, sentences: list[Sentence]) -> list[Unit]:
    return clause_units(text, sentences)


def apply_sequence(
    ex: Extraction,
    units: Sequence[Unit],
    probs: Sequence[dict[str, float]],
    policy: SequencePolicy,
) -> Extraction:
    """Keep, drop and add the rules' challenges and directives by the clauses' probabilities,
    in place (see the module docstring)."""
    starts = [u.start for u in units]

    def unit_of(a: int, b: int) -> int | None:
        k = max(0, bisect_right(starts, a) - 1)
        best, most = None, 0
        for j in range(k, min(len(units), bisect_left(starts, b) + 1)):
            ov = _overlap(a, b, units[j].start, units[j].end)
            if ov > most:
                best, most = j, ov
        return best

    def p(j: int | None, label: str) -> float:
        return 1.0 if j is None else probs[j].get(label, 0.0)

    ex.directives = [
        d
        for d in ex.directives
        if p(unit_of(d.start, d.end), "directive") >= policy.keep_directive
        or _ordered_explicitly(ex.text, d.start)
    ]
    ex.challenges = [
        c for c in ex.challenges if p(unit_of(c.start, c.end), "challenge") >= policy.keep_challenge
    ]
    taken = sorted(
        [(d.start, d.end) for d in ex.directives] + [(c.start, c.end) for c in ex.challenges]
    )
    added_d: list[Directive] = []
    added_c: list[Challenge] = []
    for j, u in enumerate(units):
        pd, pc = probs[j].get("directive", 0.0), probs[j].get("challenge", 0.0)
        if any(_overlap(u.start, u.end, a, b) for a, b in taken):
            continue
        if not can_be_action(ex.text, u):
            continue  # the rules' structure: a list head is not an item, its lines are
        if (
            pd >= policy.add_directive
            and pd >= pc
            and not _states_not_orders(ex.text, u)
            and not _PURPOSE.match(ex.text, u.start)
            and not _asks_upward(ex.text, u)
        ):
            a = _action_start(ex.text, u)
            added_d.append(Directive(None, None, ex.text[a : u.end], None, a, u.end))
        elif pc >= policy.add_challenge:
            added_c.append(Challenge(ex.text[u.start : u.end], u.start, u.end))
    if added_d:
        ex.directives = sorted([*ex.directives, *added_d], key=lambda d: d.start)
        # scope: an added directive continues the one before it (its speaker and addressee),
        # unless it names whom it binds itself ("Bộ Y tế tiếp tục ...").
        new = {id(d) for d in added_d}
        prev: Directive | None = None
        for d in ex.directives:
            if id(d) in new:
                own = _own_addressee(d.action)
                if prev is not None:
                    d.issuer, d.addressee = prev.issuer, prev.addressee
                if own is not None:
                    d.addressee = own
            prev = d
    if added_c:
        ex.challenges = sorted([*ex.challenges, *added_c], key=lambda c: c.start)
    return ex


class SequenceModel:
    """A trained CRF over an article's clauses (an `underthesea_core.CRFTagger`) with its
    metadata and the policy that turns its probabilities into items."""

    kind = "sequence"

    def __init__(self, tagger: Any, meta: dict[str, Any]) -> None:
        self.tagger = tagger
        self.meta = meta
        self.labels: list[str] = [str(x) for x in tagger.labels()]
        self.policy = SequencePolicy.from_dict(meta.get("policy"))

    @property
    def version(self) -> str:
        return f"clause_type:crf:{str(self.meta.get('data_sha1', '?'))[:10]}"

    def probabilities(self, features: list[list[str]]) -> list[dict[str, float]]:
        if not features:
            return []
        return [dict(zip(self.labels, row, strict=True)) for row in self.tagger.marginals(features)]

    def article_probabilities(
        self, ex: Extraction, sentences: list[Sentence]
    ) -> tuple[list[Unit], list[dict[str, float]]]:
        """The clauses of the extraction's text and each one's label probabilities."""
        units = article_units(ex.text, sentences)
        feats = sequence_features(ex.text, sentences, units, unit_rule_labels(ex, units))
        return units, self.probabilities(feats)

    def refine(self, ex: Extraction, sentences: list[Sentence]) -> Extraction:
        units, probs = self.article_probabilities(ex, sentences)
        return apply_sequence(ex, units, probs, self.policy)
