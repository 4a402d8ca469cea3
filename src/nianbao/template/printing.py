"""How the template prints on A4 in Excel, WPS and LibreOffice: each table on one page (landscape where
it is wide), its header rows repeated, rows tall enough for their wrapped labels, and the text
sheets fitted to the page's width.

Spreadsheet programs do not grow a row for wrapped text in merged cells, and LibreOffice keeps the
heights a file gives; so every row that holds a label gets a height worked out here from the label's
length and the width of the columns it spans.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from ..format import text_width
from .layout import TITLE, Label

#: Points per line of 11-point text, with the cell's padding.
LINE = 15.0
#: Excel's default column width (characters) where a sheet sets none.
_DEFAULT_WIDTH = 8.43
#: A row may not be taller than this in Excel (points).
_MAX_HEIGHT = 409.0


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
        if label.role == TITLE or not label.text:
            continue
        rows, columns = _span(label.place.cell, label.place.end or label.place.cell)
        width = sum(_width(ws, c) for c in columns)
        height = lines(label.text, width) * LINE + 4
        share = height / len(rows)
        for row in rows:
            need[row] = max(need.get(row, LINE + 3), share)
    for row, height in need.items():
        ws.row_dimensions[row].height = min(round(height, 1), _MAX_HEIGHT)


def _page(ws: Worksheet, landscape: bool, tall: bool) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0 if tall else 1  # 0: as many pages down as it needs
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.5, header=0.3, footer=0.3)
    ws.print_options.horizontalCentered = True
    ws.oddFooter.center.text = "&A　第 &P 页，共 &N 页"


def table_sheet(ws: Worksheet, labels: list[Label], header_rows: tuple[int, int], last_row: int, last_column: int) -> None:
    """A table's sheet: on one A4 page, landscape when it is wider than tall, the header repeated."""
    fit_rows(ws, labels)
    width = sum(_width(ws, c) for c in range(1, last_column + 1))
    height = sum(ws.row_dimensions[r].height or LINE for r in range(1, last_row + 1))
    # a character unit is about 5.3 points wide; A4 landscape prints about 770 × 520 points
    _page(ws, landscape=width * 5.3 > height * 0.9, tall=False)
    ws.print_title_rows = f"{header_rows[0]}:{header_rows[1]}"
    ws.print_area = f"A1:{get_column_letter(last_column)}{last_row}"


def text_sheet(ws: Worksheet, header_rows: int = 0) -> None:
    """A sheet of text (说明, 叙述): portrait, as wide as the page, as many pages down as it needs."""
    _page(ws, landscape=False, tall=True)
    if header_rows:
        ws.print_title_rows = f"1:{header_rows}"


def fit_text_rows(ws: Worksheet, cells: Iterable[str], least: float = 30.0) -> None:
    """The narrative's rows as tall as their text (up to Excel's limit; longer text prints cut)."""
    for ref in cells:
        value = ws[ref].value
        column, row = coordinate_from_string(ref)
        if value is None:
            continue
        height = lines(str(value), _width(ws, column_index_from_string(column))) * LINE + 6
        ws.row_dimensions[row].height = min(max(height, least), _MAX_HEIGHT)


__all__ = ["LINE", "fit_rows", "fit_text_rows", "lines", "table_sheet", "text_sheet"]
