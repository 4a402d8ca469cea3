"""How the template prints on A4 in Excel, WPS and LibreOffice: what a clerk fills in (no check cells, no
pages of empty cells), its smallest text at 9 points or more on paper, portrait where that is legible and
landscape where a table is wide, each table on one page where it fits legibly, header rows repeated, and a
footer naming the sheet and the page.

Spreadsheet programs do not grow a row for wrapped text in merged cells, and LibreOffice keeps the
heights a file gives; so every row that holds a label gets a height worked out here from the label's
length and the width of the columns it spans.

The print scale follows from the page (fit to the page's width, and to one page down for a table), so it
depends on how wide each program draws a column: Excel with Calibri draws a character unit 5.25 points
wide (and 3.75 points more a column), LibreOffice measures it by the default font's digit, 7 points with
DejaVu Sans standing in where Calibri is missing. The page is planned with the wider, so that every
program prints at the scale worked out here or larger.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..format import text_width
from .layout import TITLE, Label

#: Points per line of 11-point text, with the cell's padding.
LINE = 15.0
#: Excel's default column width (characters) where a sheet sets none.
_DEFAULT_WIDTH = 8.43
#: A row's height where a sheet sets none (LibreOffice makes it as tall as its font needs).
_DEFAULT_HEIGHT = LINE + 3
#: A title's row: one line of 14-point bold text.
_TITLE_HEIGHT = 24.0
#: A row may not be taller than this in Excel (points).
MAX_HEIGHT = 409.0
#: The font size of a cell that sets none (openpyxl's and Excel's default).
_DEFAULT_FONT = 11.0

#: The smallest text on paper (points): font size × print scale.
LEAST = 9.0
#: The widest a character unit of column width prints at 100 % (points; see above).
UNIT = 7.0
#: What the programs' own rounding of a fitted scale may take off the scale worked out here (LibreOffice
#: prints at 84.5 % what is worked out as 85.1 %).
_ROUNDING = 0.98
#: A4 (points, portrait) and the margins (inches, as the file stores them): 14 mm at the sides, 13 mm at
#: the top, 15 mm at the bottom with the footer 8 mm from the edge.
A4 = (595.3, 841.9)
MARGINS = PageMargins(left=0.55, right=0.55, top=0.5, bottom=0.6, header=0.3, footer=0.3)
_FOOTER = "&A　第 &P 页，共 &N 页"


@dataclass(frozen=True)
class Paper:
    """How a sheet prints: the orientation, one page down (1) or as many as it needs (0), and the scale."""

    landscape: bool
    pages_down: int
    scale: float  # the smallest a program prints it at (the widest character unit)


def printable(landscape: bool) -> tuple[float, float]:
    """The width and height (points) inside an A4 page's margins."""
    width, height = (A4[1], A4[0]) if landscape else A4
    return width - 72 * (MARGINS.left + MARGINS.right), height - 72 * (MARGINS.top + MARGINS.bottom)


def plan(width: float, height: float, font: float, one_page: bool) -> Paper:
    """The page for a print area ``width`` × ``height`` points at 100 % whose smallest text is ``font``
    points: portrait if that prints it at :data:`LEAST` points or more, else landscape; on one page when
    ``one_page`` and it is legible so, else as wide as the page with the rows running on to more pages.
    Failing all, the way that prints it largest.
    """
    choices = []
    for pages_down in (1, 0) if one_page else (0,):
        for landscape in (False, True):
            across, down = printable(landscape)
            scale = min(1.0, across / width, down / height if pages_down else 1.0)
            choices.append(Paper(landscape, pages_down, scale if scale == 1.0 else scale * _ROUNDING))
    legible = [p for p in choices if p.scale * font >= LEAST]
    return legible[0] if legible else max(choices, key=lambda p: p.scale)


def _width(ws: Worksheet, column: int) -> float:
    found = ws.column_dimensions[get_column_letter(column)].width
    return float(found) if found else _DEFAULT_WIDTH


def lines(text: str, width: float) -> int:
    """How many lines a wrapped text takes in a cell ``width`` characters wide (a little kept for padding)."""
    usable = max(width - 1.5, 1.0)
    return sum(max(1, math.ceil(text_width(part) / usable)) for part in str(text).split("\n"))


def _span(ref_from: str, ref_to: str) -> tuple[range, range]:
    c1, r1 = coordinate_from_string(ref_from)
    c2, r2 = coordinate_from_string(ref_to)
    return range(r1, r2 + 1), range(column_index_from_string(c1), column_index_from_string(c2) + 1)


def fit_rows(ws: Worksheet, labels: Iterable[Label]) -> None:
    """Rows tall enough for every label: a label over several rows shares the height it needs among them."""
    need: dict[int, float] = {}
    for label in labels:
        rows, columns = _span(label.place.cell, label.place.end or label.place.cell)
        if label.role == TITLE:
            need[rows[0]] = max(need.get(rows[0], 0.0), _TITLE_HEIGHT)
        if label.role == TITLE or not label.text:
            continue
        width = sum(_width(ws, c) for c in columns)
        height = lines(label.text, width) * LINE + 2
        share = height / len(rows)
        for row in rows:
            need[row] = max(need.get(row, LINE + 2), share)
    for row, height in need.items():  # a row already taller (a note typed in it) keeps its height
        ws.row_dimensions[row].height = min(max(round(height, 1), ws.row_dimensions[row].height or 0), MAX_HEIGHT)


def fit_text_rows(ws: Worksheet, cells: Iterable[str], least: float = 30.0) -> None:
    """Rows as tall as the text typed in them (up to Excel's limit; longer text prints cut). A cell is
    given as ``B7`` or, merged, as ``B7:P7``.
    """
    for ref in cells:
        first, _, last = ref.partition(":")
        value = ws[first].value
        if value is None:
            continue
        rows, columns = _span(first, last or first)
        height = lines(str(value), sum(_width(ws, c) for c in columns)) * LINE + 6
        ws.row_dimensions[rows[0]].height = min(max(height, least), MAX_HEIGHT)


def _measure(ws: Worksheet, last_row: int, last_column: int) -> tuple[float, float, float]:
    """A print area's width and height at 100 % (points, the widest character unit) and its smallest text:
    of the cells with something in them, and the default of the input cells.
    """
    width = UNIT * sum(_width(ws, c) for c in range(1, last_column + 1))
    height = sum(ws.row_dimensions[r].height or _DEFAULT_HEIGHT for r in range(1, last_row + 1))
    sizes = [_DEFAULT_FONT]
    for row in ws.iter_rows(min_row=1, max_row=last_row, max_col=last_column):
        sizes += [float(c.font.sz or _DEFAULT_FONT) for c in row if c.value is not None]
    return width, height, min(sizes)


def paper(ws: Worksheet) -> Paper:
    """How a sheet set up here prints, worked out again from its print area and page."""
    _, _, last_column, last_row = range_boundaries(str(ws.print_area).rsplit("!", 1)[-1].replace("$", ""))
    assert last_column is not None and last_row is not None
    return plan(*_measure(ws, last_row, last_column), one_page=ws.page_setup.fitToHeight == 1)


def _set_up(ws: Worksheet, last_row: int, last_column: int, header_rows: tuple[int, int] | None, one_page: bool) -> None:
    found = plan(*_measure(ws, last_row, last_column), one_page=one_page)
    ws.print_area = f"A1:{get_column_letter(last_column)}{last_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if found.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = found.pages_down  # 0: as many pages down as it needs
    ws.page_margins = MARGINS
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = _FOOTER
    if header_rows:
        ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"


def table_sheet(ws: Worksheet, labels: list[Label], header_rows: tuple[int, int], last_row: int, last_column: int) -> None:
    """A table's sheet, from its title to its note: on one page when that is legible, the header repeated."""
    fit_rows(ws, labels)
    _set_up(ws, last_row, last_column, header_rows, one_page=True)


def text_sheet(ws: Worksheet, last_row: int, last_column: int, header_rows: tuple[int, int] | None = None) -> None:
    """A sheet of text (说明, 叙述): as wide as the page, as many pages down as it needs."""
    _set_up(ws, last_row, last_column, header_rows, one_page=False)


__all__ = ["A4", "LEAST", "LINE", "MARGINS", "MAX_HEIGHT", "UNIT", "Paper", "fit_rows", "fit_text_rows", "lines", "paper", "plan",
           "printable", "table_sheet", "text_sheet"]
