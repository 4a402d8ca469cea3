"""The official tables in the Word file, from the same grid as the other editions.

Real merged cells (``w:gridSpan`` across, ``w:vMerge`` down); columns across the text block as wide as what
they hold (:meth:`nianbao.format.page.Page.columns`), a label in a column one character wide written top to
bottom (as 三、本年度办理结果 is printed, its “、” in its vertical form); cell text in the table style of
:mod:`~nianbao.edition.word_text`. Rows never split (``w:cantSplit``) and the header rows repeat on each page
(``w:tblHeader``). Where a page may end inside a table is :func:`breaks`: never inside a group of rows a label
spans, so a merged label is never cut and never needs repeating.
"""

from __future__ import annotations

from typing import Any

from ..format.page import COLUMNS, PAGE
from ..grid import CAPTION, HEADER, ROW, Grid
from .word_text import TABLE_STYLE, add_paragraph, add_run

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def add_table(doc: Any, grid: Grid, caption: str = "", note: str = "") -> None:
    """``grid`` as a Word table: after its caption and before its note (注：…), which keep with it, when it has them."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Length, Mm
    from docx.text.paragraph import Paragraph

    if caption:
        add_paragraph(doc, caption, bold=True, align="center", indent=False, size=14).paragraph_format.keep_with_next = True
    table = doc.add_table(rows=grid.n_rows, cols=grid.n_cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _table_properties(table._tbl)
    widths = [Mm(w) for w in PAGE.columns(grid.table, grid.widths)]
    for column, width in zip(table.columns, widths):  # the grid's own widths (w:gridCol), which LibreOffice and WPS lay out by
        column.width = width
    # Each cell's properties written in the schema's order as it is made, rather than through python-docx's
    # setters, which search the element for where each one goes: the same XML, in a third of the time.
    span: dict[tuple[int, int], tuple[int, str]] = {}  # a slot's columns across, and its w:vMerge
    covered: set[tuple[int, int]] = set()  # slots a cell to their left spans: removed (w:gridSpan)
    for cell in grid.cells:  # a merge as Word writes it: w:gridSpan across, w:vMerge down
        for r in range(cell.row, cell.row + cell.rowspan):
            merge = "" if cell.rowspan == 1 else "restart" if r == cell.row else "continue"
            span[(r, cell.col)] = (cell.colspan, merge)
            covered.update((r, c) for c in range(cell.col + 1, cell.col + cell.colspan))
    first = {(cell.row, cell.col): cell for cell in grid.cells}
    keeps = keep_with_next(grid) | ({grid.n_rows - 1} if note else set())
    # by its id: python-docx's ``p.style = …`` scans every style of the document for the default, per paragraph
    style_id = doc.styles[TABLE_STYLE].style_id
    narrow = {c for c, n in enumerate(COLUMNS.get(grid.table, ())) if n == 1}
    for r, tr in enumerate(table._tbl.tr_lst):
        for c, tc in enumerate(list(tr.tc_lst)):
            if (r, c) in covered:
                tr.remove(tc)
                continue
            across, merge = span.get((r, c), (1, ""))
            properties = tc.get_or_add_tcPr()
            properties.get_or_add_tcW().set(f"{_W}w", str(Length(sum(widths[c : c + across])).twips))
            if across > 1:
                _append(properties, "gridSpan", str(across))
            if merge:
                _append(properties, "vMerge", "restart" if merge == "restart" else None)
            target = first.get((r, c))
            p = tc.p_lst[0]
            paragraph = p.makeelement(f"{_W}pPr", {})
            p.insert(0, paragraph)
            _append(paragraph, "pStyle", style_id)
            if r in keeps:
                _append(paragraph, "keepNext")
            if target is None:
                continue
            if c in narrow and target.colspan == 1 and target.rowspan > 1:  # 三、本年度办理结果, top to bottom
                _append(properties, "textDirection", "tbRl")
            elif target.header and r >= grid.header_rows and target.role == ROW:
                _append(paragraph, "jc", "left")  # row labels flush left
            _append(properties, "vAlign", "center")
            bold = target.header and (r < grid.header_rows or target.role == CAPTION or
                                      (grid.table == "A" and target.role == HEADER))
            add_run(Paragraph(p, table), target.text, bold=bold)
    for r, tr in enumerate(table._tbl.tr_lst):
        tr_pr = tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(f"{_W}cantSplit", {}))  # a row is never split across pages
        if r < grid.header_rows:  # repeated at the top of every page the table runs onto
            tr_pr.append(tr_pr.makeelement(f"{_W}tblHeader", {}))
    if note:
        add_paragraph(doc, f"注：{note}", size=12, indent=False).paragraph_format.keep_together = True
    add_paragraph(doc, indent=False)  # Word joins two tables that touch


def _append(parent: Any, name: str, value: str | None = None) -> None:
    """A ``w:name`` child (with ``w:val``, when given) after the ones already there."""
    parent.append(parent.makeelement(f"{_W}{name}", {} if value is None else {f"{_W}val": value}))


def _table_properties(tbl: Any) -> None:
    """The table across the whole text block, with :data:`PAGE`'s cell margins."""
    from docx.shared import Mm

    pr = tbl.tblPr
    width = pr.find(f"{_W}tblW")
    if width is None:
        width = pr.makeelement(f"{_W}tblW", {})
        pr.append(width)
    width.set(f"{_W}type", "dxa")
    width.set(f"{_W}w", str(Mm(PAGE.text_width).twips))
    margins = pr.makeelement(f"{_W}tblCellMar", {})
    side = str(Mm(PAGE.cell_margin).twips)
    for edge, value in (("top", "0"), ("left", side), ("bottom", "0"), ("right", side)):
        margins.append(margins.makeelement(f"{_W}{edge}", {f"{_W}w": value, f"{_W}type": "dxa"}))
    pr.insert_element_before(margins, "w:tblLook")


#: The rows a page break inside a table leaves on either side of it, at least (the table's header rows,
#: repeated, not counted): no table starts with a stub at the foot of a page or ends with a lone row.
MIN_ROWS = 3


def breaks(grid: Grid) -> set[int]:
    """The rows after which a page may end inside ``grid``.

    Only between groups: never inside the header, never inside the rows a label spans (so a merged label is
    never cut and never needs repeating), and where the table is made of blocks with their own heading rows
    (table 二), only before a block; and with :data:`MIN_ROWS` rows on either side.
    """
    first, last = grid.header_rows, grid.n_rows - 1
    inside = {r for c in grid.cells for r in range(c.row, c.row + c.rowspan - 1)}
    return {r for r in range(first + MIN_ROWS - 1, last - MIN_ROWS + 1)
            if r not in inside and (not grid.block_starts or r + 1 in grid.block_starts)}


def keep_with_next(grid: Grid) -> set[int]:
    """The rows whose paragraphs keep with the next row: all but the last and the :func:`breaks`."""
    return set(range(grid.n_rows - 1)) - breaks(grid)
