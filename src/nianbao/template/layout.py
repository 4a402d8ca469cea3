"""Where every label, figure and narrative field of the Excel template sits: pure data, laid out from
:mod:`nianbao.format` and the tables' one geometry (:mod:`nianbao.grid`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from .. import grid as grid_
from ..format import (
    PARTS,
    REPORT_TITLE,
    TABLES,
    Table,
    all_cell_keys,
)
from ..grid import layout as layout_grid

GUIDE_SHEET = "说明"
NARRATIVE_SHEET = "叙述"
#: Short names for the sheet tabs; the tables' own titles and labels stay in format.py.
_SHORT_NAMES = {"A": "主动公开", "B": "依申请", "C": "复议诉讼"}

#: The fields of the 说明 sheet besides the tables, with the label written beside each.
META_LABELS = {
    "agency": "单位代码",
    "agency_name": "单位名称",
    "year": "年度",
    "published": "发布日期（如 2025-01-31）",
}
_NOTE_LABEL = "表注"
_PREAMBLE_TITLE = "开头"
_NARRATIVE_HEADER = ("段落代码", "部分", "小节", "内容（可用 Markdown 和占位符，见“说明”）")

# Roles of label cells, which decide how they are drawn.
TITLE, HEADER, CAPTION, ROW, FIELD = "title", "header", "caption", "row", "field"


@dataclass(frozen=True)
class Place:
    """A cell of the workbook, or a merged range given by its top-left and bottom-right cells."""

    sheet: str
    cell: str  # top-left, e.g. "D7"
    end: str = ""  # bottom-right when merged, e.g. "J7"

    @property
    def range(self) -> str:
        return f"{self.cell}:{self.end}" if self.end else self.cell


@dataclass(frozen=True)
class Label:
    """A locked cell holding text from the format (or the template's own field names)."""

    place: Place
    text: str
    role: str


@dataclass(frozen=True)
class Layout:
    """Where everything sits. ``cells`` and ``notes`` are keyed by cell key and table key."""

    sheets: tuple[str, ...]
    labels: tuple[Label, ...]
    cells: Mapping[str, Place]
    narrative: Mapping[str, Place]
    meta: Mapping[str, Place]
    notes: Mapping[str, Place]


def sheet_name(table: Table) -> str:
    """The tab of a table: 表 + the number of the part presenting it + a short name, e.g. 表三 依申请."""
    if table.key not in _SHORT_NAMES:
        return table.title
    number = next(p.number for p in PARTS if p.table == table.key)
    return f"表{number} {_SHORT_NAMES[table.key]}"


def narrative_titles() -> tuple[tuple[str, str, str], ...]:
    """Each narrative key with its part heading and section title, in the order of NARRATIVE_KEYS."""
    return (("preamble", _PREAMBLE_TITLE, ""),) + tuple(
        (f"{p.key}.{s.key}", p.heading, s.title) for p in PARTS for s in p.sections
    )


class _Sheet:
    """Collects the labels and input places of one sheet while a layout is worked out."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.labels: list[Label] = []

    def place(self, row: int, col: int, rows: int = 1, cols: int = 1) -> Place:
        end = _ref(row + rows - 1, col + cols - 1) if rows > 1 or cols > 1 else ""
        return Place(self.name, _ref(row, col), end)

    def label(self, role: str, text: str, row: int, col: int, rows: int = 1, cols: int = 1) -> None:
        self.labels.append(Label(self.place(row, col, rows, cols), text, role))


def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _table_sheet(table: Table) -> tuple[_Sheet, dict[str, Place], Place]:
    """A table's sheet: its title, then the table's grid (:func:`nianbao.grid.layout`, the one the
    HTML and PDF draw, with row labels), then the field for a note under it.
    """
    s = _Sheet(sheet_name(table))
    grid = layout_grid(table.key, row_labels=True)
    s.label(TITLE, table.title, 1, 1, cols=grid.n_cols)
    top = 2
    cells: dict[str, Place] = {}
    for cell in grid.cells:
        row, col = top + cell.row, 1 + cell.col
        if cell.key:
            cells[cell.key] = s.place(row, col, cell.rowspan, cell.colspan)
        else:
            s.label(_ROLES[cell.role], cell.text, row, col, cell.rowspan, cell.colspan)
    below = top + grid.n_rows
    s.label(FIELD, _NOTE_LABEL, below + 1, 1)
    return s, cells, s.place(below + 1, 2, cols=grid.n_cols - 1)


_ROLES = {grid_.CAPTION: CAPTION, grid_.HEADER: HEADER, grid_.ROW: ROW}


def _reading_order(label: Label) -> tuple[int, int]:
    """Top to bottom, left to right: the order in which a reader (and the loader's checks) meet labels."""
    column, row = coordinate_from_string(label.place.cell)
    return row, column_index_from_string(column)


@functools.cache
def layout() -> Layout:
    """The template's layout, worked out once from format.py."""
    guide = _Sheet(GUIDE_SHEET)
    guide.label(TITLE, f"{REPORT_TITLE}数据模板", 1, 1, cols=2)
    meta = {}
    for i, (key, text) in enumerate(META_LABELS.items()):
        guide.label(FIELD, text, 3 + i, 1)
        meta[key] = guide.place(3 + i, 2)

    sheets = [guide]
    cells: dict[str, Place] = {}
    notes: dict[str, Place] = {}
    for table in TABLES.values():
        s, table_cells, note = _table_sheet(table)
        sheets.append(s)
        cells.update(table_cells)
        notes[table.key] = note

    words = _Sheet(NARRATIVE_SHEET)
    for col, text in enumerate(_NARRATIVE_HEADER, 1):
        words.label(HEADER, text, 1, col)
    narrative = {}
    for row, (key, part, section) in enumerate(narrative_titles(), 2):
        for col, text in enumerate((key, part, section), 1):
            words.label(FIELD, text, row, col)
        narrative[key] = words.place(row, len(_NARRATIVE_HEADER))
    sheets.append(words)

    return Layout(
        sheets=tuple(s.name for s in sheets),
        labels=tuple(label for s in sheets for label in sorted(s.labels, key=_reading_order)),
        cells={k: cells[k] for k in all_cell_keys()},
        narrative=narrative,
        meta=meta,
        notes=notes,
    )
