"""Word (.docx) drafts in the layout of Nghị định 30/2020/NĐ-CP, built from the HTML draft.

One template per document, not two: the built-in HTML template is rendered (every value
escaped) and its small vocabulary of tags becomes Word paragraphs here. The page is A4 with
margins of 20 mm top and bottom, 30 mm left and 15 mm right; text is Times New Roman 14 pt,
12.5 pt in the heading table (the rule allows 12-13 pt there, and 13 pt wraps the national
heading) and 12 pt under "Nơi nhận:"; the issuing body and the national heading sit side by
side in a borderless two-column table; pages are numbered at the top from the second on. Lists are written with the dash
that administrative documents use, not Word's automatic numbering, so a draft has one
numbering scheme: the one the template writes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from ocop_nlp.config import Settings, load_settings
from ocop_nlp.errors import TemplateError
from ocop_nlp.i18n import tr
from ocop_nlp.records import Extraction

FONT = "Times New Roman"
_SIZES = {"body": 14, "heading-table": 12.5, "noi-nhan": 12, "nhan": 11, "dan-chung": 11}


def _docx() -> Any:
    try:
        import docx
    except ImportError as e:  # pragma: no cover - python-docx is a core dependency
        raise TemplateError(
            tr("Word drafts need python-docx; install it with: pip install python-docx")
        ) from e
    return docx


def _set_font(style_or_run: Any, size: float | None = None) -> None:
    """Times New Roman for every script: Word picks East Asian and complex-script fonts apart."""
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    font = style_or_run.font
    font.name = FONT
    if size:
        font.size = Pt(size)
    font.color.rgb = RGBColor(0, 0, 0)
    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def _page(doc: Any) -> None:
    from docx.shared import Mm

    for s in doc.sections:
        s.page_width, s.page_height = Mm(210), Mm(297)
        s.top_margin, s.bottom_margin = Mm(20), Mm(20)
        s.left_margin, s.right_margin = Mm(30), Mm(15)


def _page_numbers(doc: Any) -> None:
    """Page numbers centred at the top from the second page on, as the rule asks."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    for s in doc.sections:
        s.different_first_page_header_footer = True
        p = s.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p._p.append(
            parse_xml(
                f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>2</w:t></w:r></w:fldSimple>'
            )
        )


def _styles(doc: Any) -> None:
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    _set_font(normal, _SIZES["body"])
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15
    for level in (1, 2, 3):
        h = doc.styles[f"Heading {level}"]
        _set_font(h, _SIZES["body"])
        h.font.bold = level < 3
        h.font.italic = level == 3
        h.paragraph_format.space_before = Pt(12 if level < 3 else 6)
        h.paragraph_format.space_after = Pt(6)


class _Writer:
    """Walks the HTML draft and writes Word paragraphs; only the tags our templates use."""

    def __init__(self, doc: Any, notes: dict[str, str] | None = None) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        self.doc = doc
        self.align = WD_ALIGN_PARAGRAPH
        self.notes = notes or {}  # evidence id -> its text, for footnotes
        self.footnotes: list[str] = []  # in reference order: footnote k is footnotes[k - 1]

    def block(self, el: Any, container: Any = None, size: float | None = None) -> None:
        from docx.shared import Cm

        box = container if container is not None else self.doc
        tag, cls = el.tag, set((el.get("class") or "").split())
        if tag in ("style", "script", "title", "head", "meta"):
            return
        if tag == "table":
            self.table(el, "the-thuc" in cls)
        elif tag in ("section", "div", "body"):
            inner = _SIZES["dan-chung"] if "dan-chung" in cls else size
            for child in el:
                self.block(child, container, inner)
        elif tag in ("h1", "h2", "h3"):
            if tag == "h1":
                p = box.add_paragraph()
                p.alignment = self.align.CENTER
                p.paragraph_format.space_before = self._pt(18)
                p.paragraph_format.space_after = self._pt(0)
                self.inline(el, p, bold=True)
            else:
                p = box.add_paragraph(style=f"Heading {tag[1]}")
                self.inline(el, p, size=size)
        elif tag == "ul":
            for li in el.iterchildren("li"):
                p = box.add_paragraph()
                p.alignment = self.align.JUSTIFY
                p.paragraph_format.first_line_indent = Cm(1)
                dash = "" if size == _SIZES["dan-chung"] else "- "
                self.inline(li, p, prefix=dash, size=size)
        elif tag == "p":
            p = box.add_paragraph()
            if "trich-yeu" in cls:
                p.alignment = self.align.CENTER
                self.inline(el, p, bold=True, size=size)
                return
            if "but-danh" in cls:
                p.alignment = self.align.RIGHT
            elif container is not None:
                p.alignment = self.align.LEFT if "left" in cls else self.align.CENTER
            else:
                p.alignment = self.align.JUSTIFY
                p.paragraph_format.first_line_indent = Cm(1)
            self.inline(el, p, italic="dia-danh" in cls, size=size)
        else:
            p = box.add_paragraph()
            self.inline(el, p, size=size)

    @staticmethod
    def _pt(n: float) -> Any:
        from docx.shared import Pt

        return Pt(n)

    def table(self, el: Any, heading: bool) -> None:
        from docx.shared import Mm

        rows = el.findall(".//tr")
        widths = (Mm(60), Mm(105)) if heading else (Mm(75), Mm(90))
        t = self.doc.add_table(rows=len(rows), cols=2)
        t.autofit = False
        for col, w in zip(t.columns, widths, strict=True):
            col.width = w  # the grid: LibreOffice reads these, Word the cells' widths
        for r, row in enumerate(rows):
            for c, td in enumerate(row.findall("td")[:2]):
                cell = t.cell(r, c)
                cell.width = widths[c]
                cell.paragraphs[0]._element.getparent().remove(cell.paragraphs[0]._element)
                cls = set((td.get("class") or "").split())
                size = _SIZES["heading-table"] if heading else None
                for p_el in td.findall("p"):
                    p_cls = set((p_el.get("class") or "").split())
                    p = cell.add_paragraph()
                    p.paragraph_format.space_after = self._pt(0)
                    p.paragraph_format.first_line_indent = None
                    left = "noi-nhan" in cls
                    p.alignment = self.align.LEFT if left else self.align.CENTER
                    psize = (
                        _SIZES["nhan"] if "nhan" in p_cls else _SIZES["noi-nhan"] if left else size
                    )
                    self.inline(p_el, p, italic="dia-danh" in p_cls, size=psize)
                if not cell.paragraphs:
                    cell.add_paragraph()
        self.doc.add_paragraph()

    def inline(
        self,
        el: Any,
        p: Any,
        *,
        bold: bool = False,
        italic: bool = False,
        sup: bool = False,
        size: float | None = None,
        prefix: str = "",
    ) -> None:
        def run(text: str | None, b: bool, i: bool, s: bool) -> None:
            if not text:
                return
            r = p.add_run(text.replace("\xa0", " ") if text.strip("\xa0") else text)
            r.bold, r.italic = b or None, i or None
            if s:
                r.font.superscript = True
            if size:
                r.font.size = self._pt(size)

        run(prefix, bold, italic, sup)
        run(el.text, bold, italic, sup)
        for child in el:
            if child.tag == "br":
                p.add_run().add_break()
            elif (target := _note_target(child)) in self.notes:
                self.footnote(p, self.notes[target], size)
            else:
                self.inline(
                    child,
                    p,
                    bold=bold or child.tag in ("strong", "b"),
                    italic=italic or child.tag in ("em", "i"),
                    sup=sup or child.tag == "sup",
                    size=size,
                )
            run(child.tail, bold, italic, sup)

    def footnote(self, p: Any, text: str, size: float | None) -> None:
        """A footnote reference run in `p`; its text goes into footnotes.xml at the end."""
        from docx.oxml import parse_xml
        from docx.oxml.ns import nsdecls

        self.footnotes.append(text)
        sz = f'<w:sz w:val="{round(size * 2)}"/>' if size else ""
        p._p.append(
            parse_xml(
                f'<w:r {nsdecls("w")}><w:rPr><w:rStyle w:val="FootnoteReference"/>{sz}</w:rPr>'
                f'<w:footnoteReference w:id="{len(self.footnotes)}"/></w:r>'
            )
        )


def _note_target(el: Any) -> str | None:
    """ "F1" for the evidence mark `<sup><a href="#F1">F1</a></sup>`, else None."""
    if el.tag != "sup":
        return None
    a = el.find("a")
    href = a.get("href") if a is not None else None
    return href[1:] if href and href.startswith("#") else None


def _evidence_notes(root: Any) -> dict[str, str]:
    """The notes of the evidence section that the body marks, as footnote texts; those notes
    leave the section, and the section goes when nothing is left in it.

    A numbered note ("1. «...»") drops its number, which Word shows; an item's id ("F1.",
    "2.D3.") stays, since `--exclude` takes it.
    """
    marked = {t for el in root.iter("sup") if (t := _note_target(el))}
    notes: dict[str, str] = {}
    for section in root.findall(".//section"):
        if "dan-chung" not in (section.get("class") or "").split():
            continue
        for li in section.findall(".//li"):
            nid = li.get("id")
            if nid not in marked:
                continue
            text = " ".join("".join(li.itertext()).split())
            number = nid.removeprefix("n")
            if number.isdigit():
                text = text.removeprefix(f"{number}. ")
            notes[nid] = text
            li.getparent().remove(li)
        if not any(len(ul) for ul in section.findall(".//ul")):
            section.getparent().remove(section)
    return notes


_FOOTNOTE_STYLES = (
    '<w:style {ns} w:type="paragraph" w:styleId="FootnoteText"><w:name w:val="footnote text"/>'
    '<w:basedOn w:val="Normal"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
    '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/><w:jc w:val="both"/></w:pPr>'
    '<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr></w:style>',
    '<w:style {ns} w:type="character" w:styleId="FootnoteReference">'
    '<w:name w:val="footnote reference"/><w:basedOn w:val="DefaultParagraphFont"/>'
    '<w:uiPriority w:val="99"/><w:unhideWhenUsed/><w:rPr><w:vertAlign w:val="superscript"/>'
    "</w:rPr></w:style>",
)


def _add_footnotes(doc: Any, texts: list[str]) -> None:
    """The footnotes part, its relationship, its two styles and the settings Word writes with it
    (the separator and continuation separator, ids -1 and 0)."""
    from docx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls, qn
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

    def el(parent: Any, tag: str, **attrs: str) -> Any:
        return etree.SubElement(
            parent, f"{{{w}}}{tag}", {f"{{{w}}}{k}": v for k, v in attrs.items()}
        )

    root = etree.Element(f"{{{w}}}footnotes", nsmap={"w": w})
    for nid, kind, mark in (
        ("-1", "separator", "separator"),
        ("0", "continuationSeparator", "continuationSeparator"),
    ):
        p = el(el(root, "footnote", type=kind, id=nid), "p")
        el(el(p, "pPr"), "spacing", after="0", line="240", lineRule="auto")
        el(el(p, "r"), mark)
    for k, text in enumerate(texts, 1):
        p = el(el(root, "footnote", id=str(k)), "p")
        el(el(p, "pPr"), "pStyle", val="FootnoteText")
        r = el(p, "r")
        el(el(r, "rPr"), "rStyle", val="FootnoteReference")
        el(r, "footnoteRef")
        t = el(el(p, "r"), "t")
        t.text = " " + text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    part = Part(PackURI("/word/footnotes.xml"), CONTENT_TYPE.WML_FOOTNOTES, blob, doc.part.package)
    doc.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)
    styles = doc.styles.element
    for xml in _FOOTNOTE_STYLES:
        styles.append(parse_xml(xml.format(ns=nsdecls("w"), size=round(_SIZES["dan-chung"] * 2))))
    settings = doc.settings.element
    pr = parse_xml(
        f'<w:footnotePr {nsdecls("w")}><w:footnote w:id="-1"/><w:footnote w:id="0"/></w:footnotePr>'
    )
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(pr)
    else:
        settings.append(pr)


def html_to_docx(html: str, *, title: str, settings: Settings | None = None) -> bytes:
    """The .docx bytes of a built-in HTML draft, laid out as Nghị định 30/2020/NĐ-CP asks."""
    import lxml.html

    docx = _docx()
    settings = settings or load_settings()
    doc = docx.Document()
    _page(doc)
    _styles(doc)
    _page_numbers(doc)
    root = lxml.html.document_fromstring(html.encode("utf-8"))
    body = root.find("body")
    writer = _Writer(doc, _evidence_notes(root))
    for el in body if body is not None else root:
        writer.block(el)
    if writer.footnotes:
        _add_footnotes(doc, writer.footnotes)
    props = doc.core_properties
    props.title = title[:255]
    props.author = settings.draft_author or settings.draft_body or "ocop-nlp"
    props.last_modified_by = props.author
    props.comments = "Bản thảo; kiểm tra từng ý với phần dẫn chứng trước khi ban hành."
    props.subject = ""
    props.keywords = ""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    props.created = props.modified = now
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def draft_docx(
    ex: Extraction | Sequence[Extraction], template: str | None = None, **options: Any
) -> bytes:
    """A Word draft of `ex`: the same as `draft(ex, template, "docx", **options)`."""
    from ocop_nlp.drafts.render import draft

    return draft(ex, template, "docx", **options)
