"""The publication edition as a Word document (.docx), drawn with python-docx from the same blocks.

Laid out after 党政机关公文格式 (GB/T 9704-2012) on the page :mod:`nianbao.format.page` defines (the PDF
and the printed web page use the same): paper, margins, type sizes and fonts. The look is in the styles
(:func:`~nianbao.edition.word_text.set_styles`): the title in Title, the body in Normal, headings in Heading 1
and 2. Where a font is not installed, Word and WPS substitute one of the same kind; each style also names
:data:`FALLBACK` (Noto CJK, what the kit's other editions use) as its ASCII/complex-script face, so
that LibreOffice on Linux draws every character.

The tables are the official grid (:mod:`~nianbao.edition.word_table`): real merged cells, header rows
repeated on each page, no row split across pages and no table split inside a group of rows. Text is plain
paragraphs a person edits as usual: no text boxes, no fields except the page number.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from ..format.page import PAGE
from . import Block, Figure, Heading, Signature, Table, Text, Title
from .word_table import add_table
from .word_text import BODY_FONT, FALLBACK, TITLE_FONT, add_markdown, add_paragraph, add_run, set_styles


def to_docx(blocks: list[Block], *, title: str, author: str, date: str = "") -> bytes:
    """The edition as .docx bytes; the same for the same blocks (fixed dates in the package)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE.width), Mm(PAGE.height)
    section.top_margin, section.bottom_margin = Mm(PAGE.top), Mm(PAGE.bottom)
    section.left_margin, section.right_margin = Mm(PAGE.left), Mm(PAGE.right)
    section.footer_distance = Mm(20)
    set_styles(doc)
    _page_number(section)
    for block in blocks:
        _block(doc, block)
    props = doc.core_properties
    props.title, props.author, props.last_modified_by = title[:255], author[:255], author[:255]  # Word's limit
    props.comments = props.keywords = props.subject = ""
    when = _when(date)
    props.created = props.modified = when
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue(), when)


def report_docx(report: Any, made: list[Block]) -> bytes:
    """The Word file of a report's publication edition (``made``, its blocks), as render writes it."""
    author = report.agency.office or report.agency.name
    return to_docx(made, title=report.title, author=author, date=report.data.published)


def _when(date: str) -> dt.datetime:
    day = dt.date.fromisoformat(date) if date else dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day)


def _fixed_zip(raw: bytes, when: dt.datetime) -> bytes:
    """The package rewritten with every entry dated ``when``: the same blocks give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def _block(doc: Any, block: Block) -> None:
    from docx.shared import Pt

    if isinstance(block, Title):  # on the lines edition.title_lines chose, a line break between them
        title = add_paragraph(doc, style="Title")
        for n, line in enumerate(block.lines or (block.text,)):
            run = add_run(title, line)
            if n < len(block.lines) - 1:
                run.add_break()
    elif isinstance(block, Heading):
        add_paragraph(doc, block.text, style="Heading 1" if block.level == 1 else "Heading 2")
    elif isinstance(block, Text):
        add_markdown(doc, block.markdown)
    elif isinstance(block, Table):
        add_table(doc, block.grid, block.caption, block.note)
    elif isinstance(block, Figure):
        _figure(doc, block)
    elif isinstance(block, Signature):
        lines = [line for line in (block.office, block.date) if line]
        for i, line in enumerate(lines):
            p = add_paragraph(doc, line, align="right", indent=False)
            if i == 0:
                p.paragraph_format.space_before = Pt(PAGE.line_pt)
            if i < len(lines) - 1:
                p.paragraph_format.keep_with_next = True  # the office and the date on one page
    else:
        raise TypeError(block)


# ---------------------------------------------------------------- figures, the page number


def _figure(doc: Any, block: Figure) -> None:
    from docx.shared import Cm

    p = add_paragraph(doc, align="center", indent=False)
    p.paragraph_format.line_spacing = 1.0  # not the body's fixed pitch, which would crop the picture
    run = p.add_run()
    run.add_picture(io.BytesIO(block.png), width=Cm(15))
    for pr in run._element.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr"):
        pr.set("descr", block.alt)
        pr.set("name", block.name)


def _page_number(section: Any) -> None:
    """“— N —” centred at the foot of every page (a PAGE field)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p = section.footer.paragraphs[0]
    add_run(p, "— ")
    run = add_run(p, "")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == " PAGE ":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._element.append(el)
    add_run(p, " —")


__all__ = ["BODY_FONT", "FALLBACK", "TITLE_FONT", "report_docx", "to_docx"]
