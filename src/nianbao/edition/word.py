"""The publication edition as a Word document (.docx), drawn with python-docx from the same blocks.

Laid out after 党政机关公文格式 (GB/T 9704-2012) on the page :mod:`nianbao.format.page` defines (the PDF
and the printed web page use the same): paper, margins, type sizes and fonts. Where a font is not installed, Word and WPS substitute one of the same kind; each run also names
:data:`FALLBACK` (Noto CJK, what the kit's other editions use) as its ASCII/complex-script face, so
that LibreOffice on Linux draws every character.

The tables are the official grid: real merged cells (``w:gridSpan`` and ``w:vMerge``, made with
python-docx's ``merge``), header rows repeated on each page (``w:tblHeader``). Text is plain
paragraphs a person edits as usual: no text boxes, no fields except the page number.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

from ..format.page import PAGE
from ..grid import CAPTION, HEADER, ROW, Grid
from . import Block, Figure, Heading, Signature, Table, Text, Title
from .word_text import (
    BODY_FONT,
    FALLBACK,
    HEI_FONT,
    KAI_FONT,
    TABLE_FONT,
    TITLE_FONT,
    add_markdown,
    add_paragraph,
    add_run,
    set_font,
)


def to_docx(blocks: list[Block], *, title: str, author: str, date: str = "") -> bytes:
    """The edition as .docx bytes; the same for the same blocks (fixed dates in the package)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE.width), Mm(PAGE.height)
    section.top_margin, section.bottom_margin = Mm(PAGE.top), Mm(PAGE.bottom)
    section.left_margin, section.right_margin = Mm(PAGE.left), Mm(PAGE.right)
    section.footer_distance = Mm(20)
    normal = doc.styles["Normal"]
    set_font(normal.font, normal.element, BODY_FONT, Pt(PAGE.body_pt))
    normal.paragraph_format.line_spacing = Pt(PAGE.line_pt)
    normal.paragraph_format.space_before = normal.paragraph_format.space_after = Pt(0)
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

    if isinstance(block, Title):
        p = add_paragraph(doc, block.text, font=TITLE_FONT, size=22, align="center", indent=False)
        p.paragraph_format.line_spacing = Pt(36)
        p.paragraph_format.space_after = Pt(16)
    elif isinstance(block, Heading):
        style = "Heading 1" if block.level == 1 else "Heading 2"
        p = add_paragraph(doc, block.text, font=HEI_FONT if block.level == 1 else KAI_FONT)
        p.style = _heading_style(doc, style, HEI_FONT if block.level == 1 else KAI_FONT)
        p.paragraph_format.first_line_indent = Pt(32)
    elif isinstance(block, Text):
        add_markdown(doc, block.markdown)
    elif isinstance(block, Table):
        _table(doc, block.grid, block.caption)
        if block.note:
            add_paragraph(doc, f"注：{block.note}", size=12, indent=False)
    elif isinstance(block, Figure):
        _figure(doc, block)
    elif isinstance(block, Signature):
        first = True
        for line in (block.office, block.date):
            if line:
                p = add_paragraph(doc, line, align="right", indent=False)
                if first:
                    p.paragraph_format.space_before = Pt(28)
                first = False
    else:
        raise TypeError(block)


def _heading_style(doc: Any, name: str, east_asia: str) -> Any:
    """Word's own heading style (the navigation pane and the outline use it), in the format's face."""
    from docx.shared import Pt, RGBColor

    style = doc.styles[name]
    set_font(style.font, style.element, east_asia, Pt(16), False)
    style.font.color.rgb = RGBColor(0, 0, 0)
    style.font.italic = False
    fmt = style.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28)
    fmt.keep_with_next = True
    return style


# ---------------------------------------------------------------- the analyst's Markdown as paragraphs


# ---------------------------------------------------------------- tables, figures, the page number


def _table(doc: Any, grid: Grid, caption: str = "") -> None:
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm
    from docx.table import _Cell

    if caption:
        add_paragraph(doc, caption, bold=True, align="center", indent=False, size=14)
    table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    total = sum(grid.widths)
    scale = min(1.0, 15.4 / total)
    widths = [Cm(w * scale) for w in grid.widths]
    for column, width in zip(table.columns, widths):  # the grid's own widths (w:gridCol), which LibreOffice and WPS lay out by
        column.width = width
    slots = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]  # every grid slot, before merging
    for row in slots:
        for c, slot in enumerate(row):
            slot.width = widths[c]
    size = 9 if grid.n_cols > 10 else 10.5
    for cell in grid.cells:  # a merge as Word writes it: w:gridSpan across, w:vMerge down
        for r in range(cell.row, cell.row + cell.rowspan):
            first = slots[r][cell.col]
            if cell.colspan > 1:
                first._tc.grid_span = cell.colspan
                first.width = sum(widths[cell.col : cell.col + cell.colspan], Cm(0))
                for covered in slots[r][cell.col + 1 : cell.col + cell.colspan]:
                    covered._tc.getparent().remove(covered._tc)
            if cell.rowspan > 1:
                first._tc.vMerge = "restart" if r == cell.row else "continue"
    for cell in grid.cells:
        target = slots[cell.row][cell.col]
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        p = target.paragraphs[0]
        left = cell.header and cell.row >= grid.header_rows and cell.role == ROW
        p.alignment = 0 if left else 1  # LEFT for row labels, CENTER otherwise
        p.paragraph_format.first_line_indent = Cm(0)
        p.paragraph_format.line_spacing = 1.0
        bold = cell.header and (cell.row < grid.header_rows or cell.role == CAPTION or
                                (grid.table == "A" and cell.role == HEADER))
        add_run(p, cell.text, font=TABLE_FONT, size=size, bold=bold)
    for r in range(grid.header_rows):  # repeated at the top of every page the table runs onto
        tr_pr = table.rows[r]._tr.get_or_add_trPr()
        header = OxmlElement("w:tblHeader")
        header.set(qn("w:val"), "true")
        tr_pr.append(header)
    add_paragraph(doc, indent=False, size=10.5)  # Word joins two tables that touch


def _figure(doc: Any, block: Figure) -> None:
    from docx.shared import Cm

    p = add_paragraph(doc, align="center", indent=False)
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
    p.alignment = 1
    add_run(p, "— ", font=TABLE_FONT, size=14)
    run = add_run(p, "", font=TABLE_FONT, size=14)
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
    add_run(p, " —", font=TABLE_FONT, size=14)


__all__ = ["BODY_FONT", "FALLBACK", "TITLE_FONT", "to_docx"]
