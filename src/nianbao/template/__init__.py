"""The Excel template: where every label, figure and narrative field sits, and the workbook drawn from it.

:func:`~nianbao.template.layout.layout` (in :mod:`.layout`) is pure data laid out from the tables'
one geometry; :func:`write_template` draws it with openpyxl, and :func:`nianbao.load.read_xlsx`
reads a filled copy back through the same layout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, Protection
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet

from ..checks.packs import Pack
from ..format import ALIASES, REPORT_TITLE, TABLE_A, TABLES, all_cell_keys, column_of, describe
from ..model import ReportData, Value
from . import feedback, guidance, printing
from .cells import _BORDER, _HEADER_FILL, _LEFT, _TOP_LEFT, _draw_input, _draw_label, _put, _validation
from .layout import (
    FIELD,
    GUIDE_SHEET,
    NARRATIVE_SHEET,
    ROW,
    Label,
    Layout,
    Place,
    layout,
    narrative_titles,
    sheet_name,
)
from .previous import _carry_over, _stock_hints

#: Column widths of the 说明 sheet (placeholder, what it stands for) and of the 叙述 sheet (code, part,
#: section, text): a portrait page of instructions, a landscape page of paragraphs.
_GUIDE_WIDTHS = (28, 58)
_NARRATIVE_WIDTHS = (21, 22, 16, 66)
#: A narrative row before anything is typed in it: three lines (rows of a filled template fit their text).
_NARRATIVE_HEIGHT = 48


def _guide_lines(agency_id: str, agency_name: str, year: int) -> list[str]:
    example = next(iter(ALIASES))
    return [
        f"本工作簿是{agency_name}（{agency_id}）{year} 年{REPORT_TITLE}的数据模板。",
        "只在浅色底纹的格子里填写；其余格子已锁定（工作表保护，没有密码）。请不要插入、删除或移动行列，"
        "不要改动标签文字，也不要删除或改名工作表，否则读入时会报错。",
        "表格中只填阿拉伯数字，不带“件”“元”“万元”等单位；件数填整数，金额可有小数，单位以表头为准。",
        "原文空白的格子留空（留空与填 0 不同）；原文为 / 或 — 的照填；无法确定的值填 ?。",
        f"“{NARRATIVE_SHEET}”工作表每行一段，可用 Markdown。文中可用占位符引用表格中的数字，"
        f"如 {{{{ {example} }}}} 或 {{{{ {ALIASES[example]} }}}}，生成报告时替换为对应的数字。常用的占位符见下表；"
        "表格中每一格的占位符列在下表之后（只在屏幕上查看，不打印）。",
        f"填好后保存为 .xlsx，放在项目的 data/{year}/{agency_id}.xlsx。",
    ]


def _write_guide(ws: Worksheet, start: int, lines: list[str]) -> int:
    """The instructions and the lists of placeholders, below the fields of the 说明 sheet: the named ones,
    then every cell's. Returns the last row of the named ones, where the printed page ends.
    """
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = _GUIDE_WIDTHS
    row = start
    for line in lines:
        _put(ws.cell(row, 1), line)
        ws.cell(row, 1).alignment = _TOP_LEFT
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        printing.fit_text_rows(ws, [f"A{row}:B{row}"], least=printing.LINE + 3)
        row += 1
    named = [(name, f"{describe(key)}（同 {{{{ {key} }}}}）") for name, key in ALIASES.items()]
    every = [(key, describe(key)) for key in all_cell_keys()]
    printed = 0
    for heading, placeholders in ((("占位符", "所指的表格数字"), named), (("每一格的占位符", "所指的表格数字"), every)):
        row += 1
        for col, text in enumerate(heading, 1):
            cell = ws.cell(row, col, text)
            cell.font, cell.fill, cell.border = Font(bold=True), _HEADER_FILL, _BORDER
        for name, meaning in placeholders:
            row += 1
            for col, text in enumerate((f"{{{{ {name} }}}}", meaning), 1):
                cell = ws.cell(row, col, text)
                cell.border, cell.alignment = _BORDER, _TOP_LEFT
            height = max(printing.lines(text, width) for text, width in zip((f"{{{{ {name} }}}}", meaning), _GUIDE_WIDTHS))
            ws.row_dimensions[row].height = height * printing.LINE + 3
        printed = printed or row
        row += 1
    return printed


def _column_widths(ws: Worksheet, labels: list[Label], inputs: list[Place]) -> None:
    """Figure columns a fixed width, narrower where a table has many (tables 三's seven and 四's fifteen
    take their headers on two lines, so that they print across A4 at 9 points or more); label columns
    wide enough for their labels, within reason.
    """
    widths: dict[str, float] = {}
    figures = {coordinate_from_string(place.cell)[0] for place in inputs}
    for column in figures:
        widths[column] = 14 if len(figures) <= 4 else 8
    for label in labels:
        column, _ = coordinate_from_string(label.place.cell)
        across = label.place.end and coordinate_from_string(label.place.end)[0] != column
        if label.role not in (ROW, FIELD) or across:
            continue
        want = min(2 * len(label.text) + 2, 12 if label.place.end else 46)
        widths[column] = max(widths.get(column, 8), want)
    for column, width in sorted(widths.items()):
        ws.column_dimensions[column].width = width


def write_template(
    path: Path, agency_id: str, agency_name: str, year: int, data: ReportData | None = None,
    previous: ReportData | None = None, previous_source: str = "",
    asked: Mapping[str, Sequence[str]] | None = None, packs: Sequence[Pack] = (),
) -> Path:
    """Write the Excel template for one agency-year, filled with ``data`` when given.

    Blank cells (``None``) stay empty; dashes and ``?`` are written as text. With ``previous`` (the
    agency's data of the year before, read from ``previous_source``), table 三's 二、上年结转 is taken
    from last year's 四、结转下年度 (locked, with a note saying so) and table 二's 现行有效件数 gets
    last year's figure as a hint. The agency, its name and the year are locked: a workbook renamed
    on its way back is still known by them (``nianbao collect``).

    ``asked`` is what the rule packs ``packs`` ask of each narrative section (narrative key → the
    rules' words, :func:`nianbao.checks.packs.guidance`): shown in a column beside the 叙述 sheet's
    inputs, the packs named on the 说明 sheet. Without it the workbook is as it always was.
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
        sheets[place.sheet].row_dimensions[coordinate_from_string(place.cell)[1]].height = _NARRATIVE_HEIGHT

    guide = sheets[GUIDE_SHEET]
    start = max(coordinate_from_string(p.cell)[1] for p in plan.meta.values()) + 2
    asked = {key: list(items) for key, items in (asked or {}).items() if items}
    instructions = _guide_lines(agency_id, agency_name, year)
    if asked:  # after the line on the 叙述 sheet
        instructions.insert(5, guidance.guide_line(packs, len(_NARRATIVE_WIDTHS) + 1))
    guide_end = _write_guide(guide, start, instructions)
    words = sheets[NARRATIVE_SHEET]
    for column, width in zip("ABCD", _NARRATIVE_WIDTHS):
        words.column_dimensions[column].width = width
    for table in TABLES.values():
        name = sheet_name(table)
        inputs = [p for p in plan.cells.values() if p.sheet == name]
        _column_widths(sheets[name], [lb for lb in plan.labels if lb.place.sheet == name], inputs)

    free = {sheet_name(t): _free(plan, sheet_name(t)) for t in TABLES.values()}
    below, right = {n: f[0] for n, f in free.items()}, {n: f[1] for n, f in free.items()}
    label_columns = {name: _label_columns(plan, name) for name in right}
    feedback.draw(sheets, feedback.checks(plan.cells, below, right), label_columns, below, right)
    if previous is not None and data is None:  # data given (--fill) is the truth; X-CARRY checks it
        _carry_over(sheets, plan, previous, previous_source)
        _stock_hints(sheets, plan, previous, right[sheet_name(TABLE_A)])

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
        printing.fit_text_rows(words, [p.cell for p in plan.narrative.values()])
        for place in plan.notes.values():
            printing.fit_text_rows(sheets[place.sheet], [place.range], least=printing.LINE + 3)
    if asked:  # beside the text typed, after its rows are fitted to it; on the screen, not printed
        guidance.draw(words, plan.narrative, asked, len(_NARRATIVE_WIDTHS) + 1)
    for table in TABLES.values():  # the table and its note, not the checks beside and under them
        name = sheet_name(table)
        printing.table_sheet(sheets[name], [lb for lb in plan.labels if lb.place.sheet == name],
                             header_rows=_header_rows(plan, name), last_row=below[name] - 2, last_column=right[name] - 1)
    printing.text_sheet(words, last_row=max(coordinate_from_string(p.cell)[1] for p in plan.narrative.values()),
                        last_column=len(_NARRATIVE_WIDTHS), header_rows=(1, 1))
    printing.text_sheet(guide, last_row=guide_end, last_column=len(_GUIDE_WIDTHS))
    for key in ("agency", "agency_name", "year"):  # who and when: locked, so that a returned copy is known
        guide[plan.meta[key].cell].protection = Protection(locked=True)
        guide[plan.meta[key].cell].fill = _HEADER_FILL

    for ws in sheets.values():
        ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _free(plan: Layout, name: str) -> tuple[int, int]:
    """Where a table sheet has room: the first row under its note (one row left empty) and the first
    column right of the table.
    """
    places = [lb.place for lb in plan.labels if lb.place.sheet == name]
    places += [p for p in (*plan.cells.values(), *plan.notes.values()) if p.sheet == name]
    ends = [coordinate_from_string(p.end or p.cell) for p in places]
    return max(row for _, row in ends) + 2, max(column_index_from_string(c) for c, _ in ends) + 1


def _label_columns(plan: Layout, name: str) -> int:
    figures = [coordinate_from_string(p.cell)[0] for p in plan.cells.values() if p.sheet == name]
    return max(1, min(column_index_from_string(c) for c in figures) - 1)


def _header_rows(plan: Layout, name: str) -> tuple[int, int]:
    """The rows of a table's header (under its title, over its first figure)."""
    first = min(coordinate_from_string(p.cell)[1] for p in plan.cells.values() if p.sheet == name)
    return 2, first - 1


__all__ = ["Place", "Label", "Layout", "layout", "sheet_name", "narrative_titles", "write_template"]
