"""Each article's province (and district where stated), from the versioned `data/places.toml`.

The province comes from the site first (a portal's host or name: "dakrlap.daknong.gov.vn",
"YangKlee/BinhDinhNews", "baobinhdinh.vn"), then from the text ("tỉnh Cao Bằng" said most
often). Each province also has its 2025 unit (63 provinces became 34 on 1 July 2025), so a
search for "Hà Giang" or "Tuyên Quang" finds the same articles.

>>> place_of("dakrlap.daknong.gov.vn", None, None, "").province_2025
'lam-dong'
>>> p = place_of(None, None, "Sơ kết OCOP", "UBND tỉnh Cao Bằng tổ chức hội nghị tại huyện Hòa An.")
>>> (p.province, p.district, p.source)
('Cao Bằng', 'huyện Hòa An', 'text')
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from typing import Any

from ocop_nlp.config import lexicon
from ocop_nlp.store.fold import fold, fold_words


@dataclass(frozen=True, slots=True)
class Province:
    id: str
    name: str
    kind: str
    since_2025: str


@dataclass(frozen=True, slots=True)
class Place:
    """`province` is the name in force when the article was written; `province_2025` the id of
    its unit from 1 July 2025; `source` says where it was found (site / text)."""

    province_id: str | None = None
    province: str | None = None
    province_2025: str | None = None
    district: str | None = None
    source: str | None = None


class Places:
    def __init__(self, data: dict[str, Any]) -> None:
        self.version = str(data.get("version", "?"))
        self.provinces: dict[str, Province] = {}
        self._slug: dict[str, str] = {}  # compact folded spelling -> province id
        self._names: dict[str, str] = {}  # folded name with spaces -> province id
        for p in data.get("province", []):
            pr = Province(p["id"], p["name"], p.get("kind", "tỉnh"), p["since_2025"])
            self.provinces[pr.id] = pr
            for form in (pr.name, *p.get("slugs", [])):
                self._slug[fold_words(form).replace(" ", "")] = pr.id
                self._names[fold_words(form)] = pr.id
        self._district_slug: dict[str, tuple[str, str]] = {}
        for d in data.get("district", []):
            label = f"{d.get('kind', 'huyện')} {d['name']}"
            for form in (d["name"], *d.get("slugs", [])):
                self._district_slug[fold_words(form).replace(" ", "")] = (label, d["province"])
        # Longest spelling first, so "hanam" does not win inside "hanamdinh".
        self._slugs_by_len = sorted(self._slug, key=len, reverse=True)
        names = sorted(self._names, key=len, reverse=True)
        # "phối hợp với Thành phố Hồ Chí Minh", "đưa sản phẩm sang tỉnh X": another place.
        self._mention = re.compile(
            r"(?<!\bvoi )(?<!\bden )(?<!\bsang )\b(?:tinh|thanh pho|tp)\s+("
            + "|".join(re.escape(n) for n in names)
            + r")\b"
        )

    def province(self, query: str) -> Province | None:
        """The province named by `query` (any spelling, with or without "tỉnh")."""
        k = re.sub(r"^(tinh|thanh pho|tp)\s+", "", fold_words(query))
        pid = (
            self._names.get(k)
            or self._slug.get(k.replace(" ", ""))
            or (k if k.replace(" ", "-") in self.provinces else None)
        )
        pid = pid.replace(" ", "-") if pid else None
        return self.provinces.get(pid) if pid else None

    def same_place(self, query: str) -> set[str]:
        """Province ids that `query` finds: every old province of the same 2025 unit."""
        p = self.province(query)
        if p is None:
            return set()
        return {i for i, q in self.provinces.items() if q.since_2025 == p.since_2025}

    def of_site(self, site: str | None, url: str | None) -> tuple[str | None, str | None]:
        """(province id, district) named by a site's host or name."""
        for raw in (site, _host(url)):
            if not raw:
                continue
            compact = fold(raw)
            labels = re.split(r"[./_\-\s]+", compact)
            district = None
            for lab in labels:
                if lab in self._district_slug:
                    district = self._district_slug[lab]
            for slug in self._slugs_by_len:
                if len(slug) >= 4 and any(_names_slug(lab, slug) for lab in labels):
                    pid = self._slug[slug]
                    return pid, district[0] if district and district[1] == pid else None
            if district:
                return district[1], district[0]
        return None, None

    def of_text(self, text: str) -> str | None:
        """The province the text names most often as "tỉnh X" / "thành phố X"."""
        counts = Counter(self._names[m] for m in self._mention.findall(fold_words(text)))
        return counts.most_common(1)[0][0] if counts else None


_DISTRICT = re.compile(
    r"\b(huyện|thị xã|quận)\s+((?:[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][^\s,.;:()]*\s?){1,3})"
)


def district_of_text(text: str) -> str | None:
    """The first "huyện X" / "thị xã X" / "quận X" with X capitalised, as written."""
    m = _DISTRICT.search(text)
    return f"{m.group(1)} {m.group(2).strip()}" if m else None


def _names_slug(label: str, slug: str) -> bool:
    """ "daknong", "baobinhdinh", "binhdinhnews" name a province; a short slug must end it."""
    return label == slug or label.endswith(slug) or (len(slug) >= 6 and slug in label)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    m = re.match(r"^[a-z]+://([^/:?#]+)", url.strip(), re.I)
    return m.group(1) if m else None


@cache
def places() -> Places:
    """The packaged places, loaded once per process."""
    return Places(lexicon("places"))


def place_of(site: str | None, url: str | None, title: str | None, text: str) -> Place:
    """The province (and district) of an article: from its site, else from its text."""
    pl = places()
    pid, district = pl.of_site(site, url)
    source = "site" if pid else None
    body = f"{title or ''}\n{text}"
    if pid is None:
        pid = pl.of_text(body)
        source = "text" if pid else None
    district = district or district_of_text(body[:5000])
    if pid is None:
        return Place(district=district)
    p = pl.provinces[pid]
    return Place(p.id, p.name, p.since_2025, district, source)
