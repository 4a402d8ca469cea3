"""The Excel template: where every label, figure and narrative field sits, and the workbook drawn from it.

:func:`layout` is pure data derived from :mod:`nianbao.format` by walking its tables, rows and
columns; :func:`write_template` draws that layout with openpyxl, and
:func:`nianbao.load.read_xlsx` reads a filled copy back through the same layout.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from . import grid as grid_
from .format import (
    ALIASES,
    AMOUNT,
    PARTS,
    REPORT_TITLE,
    TABLES,
    Table,
    all_cell_keys,
    column_of,
    describe,
)
from .grid import layout as layout_grid
from .model import ReportData, Value

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
    HTML and PDF draw, with row labels), then the field for a note under it."""
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


# Drawing ----------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_HEADER_FILL = PatternFill("solid", fgColor="EDEDED")
_UNLOCKED = Protection(locked=False)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
_TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)

_VALIDATION = {
    # kind: (type, prompt title, prompt, error)
    "count": (
        "whole",
        "填写件数",
        "填 0 或正整数，不带单位；原文空白则留空，原文为 / 或 — 则照填，无法确定填 ?",
        "件数应为 0 或正整数，不带“件”等单位。如确需照原文填 / 或 — 或 ?，请点“是”。",
    ),
    AMOUNT: (
        "decimal",
        "填写金额",
        "填 0 或正数，可有小数，单位见表头（元或万元），不带单位；原文空白则留空",
        "金额应为 0 或正数，可有小数，不带“元”“万元”等单位。如确需照原文填 / 或 — 或 ?，请点“是”。",
    ),
}


def _validation(kind: str) -> DataValidation:
    """A check Excel and WPS run as one types: a warning, so a dash or ? can still be kept."""
    type_, title, prompt, error = _VALIDATION[kind]
    return DataValidation(
        type=type_,
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        errorStyle="warning",
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle="数字有误",
        error=error,
        promptTitle=title,
        prompt=prompt,
    )


def _put(cell: Cell, value: Value) -> None:
    """Write a value; text stays text even when it starts with “=”."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"


def _draw_label(ws: Worksheet, label: Label) -> None:
    cell = ws[label.place.cell]
    _put(cell, label.text or None)
    if label.role == TITLE:
        cell.font = Font(bold=True, size=14)
        cell.alignment = _CENTER
    else:
        cell.border = _BORDER
        cell.alignment = _LEFT if label.role in (ROW, FIELD) else _CENTER
        if label.role in (HEADER, CAPTION):
            cell.font = Font(bold=True)
            cell.fill = _HEADER_FILL
    if label.place.end:
        ws.merge_cells(label.place.range)


def _draw_input(ws: Worksheet, place: Place, align: Alignment = _CENTER) -> Cell:
    cell = ws[place.cell]
    cell.fill = _INPUT_FILL
    cell.protection = _UNLOCKED
    cell.border = _BORDER
    cell.alignment = align
    if place.end:
        ws.merge_cells(place.range)
    return cell


def _guide_lines(agency_id: str, agency_name: str, year: int) -> list[str]:
    example = next(iter(ALIASES))
    return [
        f"本工作簿是{agency_name}（{agency_id}）{year} 年{REPORT_TITLE}的数据模板。",
        "只在浅色底纹的格子里填写；其余格子已锁定（工作表保护，没有密码）。请不要插入、删除或移动行列，"
        "不要改动标签文字，也不要删除或改名工作表，否则读入时会报错。",
        "表格中只填阿拉伯数字，不带“件”“元”“万元”等单位；件数填整数，金额可有小数，单位以表头为准。",
        "原文空白的格子留空（留空与填 0 不同）；原文为 / 或 — 的照填；无法确定的值填 ?。",
        f"“{NARRATIVE_SHEET}”工作表每行一段，可用 Markdown。文中可用占位符引用表格中的数字，"
        f"如 {{{{ {example} }}}} 或 {{{{ {ALIASES[example]} }}}}，生成报告时替换为对应的数字。全部占位符见下表。",
        f"填好后保存为 .xlsx，放在项目的 data/{year}/{agency_id}.xlsx。",
    ]


def _write_guide(ws: Worksheet, start: int, lines: list[str]) -> None:
    """The instructions and the list of placeholders, below the fields of the 说明 sheet."""
    row = start
    for line in lines:
        cell = ws.cell(row, 1, line)
        cell.alignment = _TOP_LEFT
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        ws.row_dimensions[row].height = 18 * math.ceil(len(line) / 48)
        row += 1
    row += 1
    for col, text in enumerate(("占位符", "所指的表格数字"), 1):
        cell = ws.cell(row, col, text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
    placeholders = [(name, f"{describe(key)}（同 {{{{ {key} }}}}）") for name, key in ALIASES.items()]
    placeholders += [(key, describe(key)) for key in all_cell_keys()]
    for name, meaning in placeholders:
        row += 1
        for col, text in enumerate((f"{{{{ {name} }}}}", meaning), 1):
            ws.cell(row, col, text).border = _BORDER


def _column_widths(ws: Worksheet, labels: list[Label], inputs: list[Place]) -> None:
    """Figure columns a fixed width; label columns wide enough for their labels, within reason."""
    widths: dict[str, float] = {}
    for place in inputs:
        widths[coordinate_from_string(place.cell)[0]] = 14
    for label in labels:
        column, _ = coordinate_from_string(label.place.cell)
        across = label.place.end and coordinate_from_string(label.place.end)[0] != column
        if label.role not in (ROW, FIELD) or across:
            continue
        want = min(2 * len(label.text) + 2, 12 if label.place.end else 44)
        widths[column] = max(widths.get(column, 8), want)
    for column, width in sorted(widths.items()):
        ws.column_dimensions[column].width = width


def write_template(
    path: Path, agency_id: str, agency_name: str, year: int, data: ReportData | None = None
) -> Path:
    """Write the Excel template for one agency-year, filled with ``data`` when given.

    Blank cells (``None``) stay empty; dashes and ``?`` are written as text.
    """
    plan = layout()
    book = Workbook()
    book.remove(book.active)
    sheets = {name: book.create_sheet(name) for name in plan.sheets}
    for label in plan.labels:
        _draw_label(sheets[label.place.sheet], label)

    validations: dict[tuple[str, str], DataValidation] = {}
    for key, place in plan.cells.items():
        kind = column_of(key).kind
        if (place.sheet, kind) not in validations:
            validations[place.sheet, kind] = _validation(kind)
            sheets[place.sheet].add_data_validation(validations[place.sheet, kind])
        validations[place.sheet, kind].add(place.cell)
        _draw_input(sheets[place.sheet], place)
    for place in plan.notes.values():
        _draw_input(sheets[place.sheet], place, _LEFT)
    for place in plan.meta.values():
        _draw_input(sheets[place.sheet], place, _LEFT)
    for place in plan.narrative.values():
        _draw_input(sheets[place.sheet], place, _TOP_LEFT)
        sheets[place.sheet].row_dimensions[coordinate_from_string(place.cell)[1]].height = 160

    guide = sheets[GUIDE_SHEET]
    start = max(coordinate_from_string(p.cell)[1] for p in plan.meta.values()) + 2
    _write_guide(guide, start, _guide_lines(agency_id, agency_name, year))
    guide.column_dimensions["A"].width = 30
    guide.column_dimensions["B"].width = 70
    words = sheets[NARRATIVE_SHEET]
    for column, width in zip("ABCD", (20, 30, 24, 100)):
        words.column_dimensions[column].width = width
    for table in TABLES.values():
        name = sheet_name(table)
        inputs = [p for p in plan.cells.values() if p.sheet == name]
        _column_widths(sheets[name], [lb for lb in plan.labels if lb.place.sheet == name], inputs)
        sheets[name].page_setup.orientation = "landscape"

    values: dict[str, Value] = {"agency": agency_id, "agency_name": agency_name, "year": year}
    if data is not None:
        values["published"] = data.published or None
    for key, value in values.items():
        _put(guide[plan.meta[key].cell], value)
    if data is not None:
        for key, place in plan.cells.items():
            _put(sheets[place.sheet][place.cell], data.cells[key])
        for key, place in plan.narrative.items():
            _put(sheets[place.sheet][place.cell], data.narrative.get(key) or None)
        for key, place in plan.notes.items():
            _put(sheets[place.sheet][place.cell], data.notes.get(key) or None)

    for ws in sheets.values():
        ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


__all__ = ["Place", "Label", "Layout", "layout", "sheet_name", "narrative_titles", "write_template"]
