"""The 勾稽 rules of tables 三 and 四 as the template shows them while an agency types: one check cell
per row, per column and per group, with a formula Excel, WPS and LibreOffice all evaluate (IF, SUM,
N, COUNTIF) that is empty while the figures agree and says in a few words what the total should be
when they do not; conditional formatting turns it red.

The check cells sit beside and under the tables, never in a figure cell: what the agency types stays
the figure reported. They are locked and are not read back (:func:`nianbao.load.read_xlsx` reads the
layout's places only), so a workbook of an older template, without them, reads the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from ..format.relations import balances, sums
from .layout import Place

_RED = PatternFill("solid", fgColor="FFC7CE")
_RED_FONT = Font(color="9C0006", bold=True)
_CHECK_FONT = Font(color="9C0006", size=9)
_LABEL_FONT = Font(color="595959", size=9)
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(horizontal="center", vertical="center", wrap_text=True)

#: The words above and beside the check cells.
ROW_HEADER = "核对（本行）"
COLSUM_LABEL = "核对：（七）总计 = 各项办理结果之和"
BALANCE_LABEL = "核对：一 + 二 = （七）总计 + 四"
GROUP_LABEL = "核对：总计 = 维持 + 纠正 + 其他 + 尚未审结"


@dataclass(frozen=True)
class Check:
    """A check cell and the formula it holds."""

    sheet: str
    cell: str
    formula: str
    rule: str  # the rule it shows (B-ROWSUM, B-COLSUM, B-BALANCE, C-TOTAL)
    total: str  # the cell key it is about


def _rc(cell: str) -> tuple[int, int]:
    column, row = coordinate_from_string(cell)
    return row, column_index_from_string(column)


def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def _span(cells: Iterable[str]) -> str:
    """The cells as one range when they fill a rectangle (they do in the template), else a list."""
    cells = list(cells)
    rows, cols = zip(*(_rc(c) for c in cells))
    if (max(rows) - min(rows) + 1) * (max(cols) - min(cols) + 1) == len(set(cells)):
        return f"{_ref(min(rows), min(cols))}:{_ref(max(rows), max(cols))}"
    return ",".join(cells)


def _uncertain(*spans: str) -> str:
    """Whether any cell holds “?” (无法确定): then the check stays quiet, as the rule is undecidable.
    ``~?`` is a literal question mark in COUNTIF (a bare ``?`` matches any one character).
    """
    pieces = [piece for s in spans for piece in s.split(",")]  # COUNTIF takes a range, not a list
    return "+".join(f'COUNTIF({p},"~?")+COUNTIF({p},"？")' for p in pieces)


def _sum_formula(total: str, parts: str, says: str) -> str:
    return (f'=IF({_uncertain(parts, total)},"",IF(N({total})=SUM({parts}),"",'
            f'"✗ {says}"&SUM({parts})))')


def checks(cells: Mapping[str, Place], below: Mapping[str, int], right: Mapping[str, int]) -> list[Check]:
    """The check cells of the template: ``cells`` maps each cell key to its place, ``below`` each table
    sheet to the first free row under it, ``right`` to the first free column beside it.
    """
    out: list[Check] = []
    for s in sums():
        total = cells[s.total]
        parts = _span(cells[k].cell for k in s.parts)
        row, col = _rc(total.cell)
        if s.rule == "B-ROWSUM":
            place = _ref(row, right[total.sheet])
            out.append(Check(total.sheet, place, _sum_formula(total.cell, parts, "总计应为 "), s.rule, s.total))
        else:  # a column's or a group's total: the check under it
            line = below[total.sheet]
            out.append(Check(total.sheet, _ref(line, col), _sum_formula(total.cell, parts, "应为 "), s.rule, s.total))
    for b in balances():
        new, carried, sum_, forward = (cells[k].cell for k in b.keys)
        row, col = _rc(sum_)
        place = _ref(below[cells[b.keys[2]].sheet] + 1, col)
        formula = (f'=IF({_uncertain(new, carried, sum_, forward)},"",'
                   f'IF(N({new})+N({carried})=N({sum_})+N({forward}),"",'
                   f'"✗ 一+二="&(N({new})+N({carried}))&"，（七）+四="&(N({sum_})+N({forward}))))')
        out.append(Check(cells[b.keys[2]].sheet, place, formula, "B-BALANCE", b.keys[2]))
    return out


def draw(sheets: Mapping[str, Worksheet], found: list[Check], label_columns: Mapping[str, int],
         below: Mapping[str, int], right: Mapping[str, int]) -> None:
    """Write the check cells, their labels and the rule that turns a failing one red."""
    for check in found:
        cell = sheets[check.sheet][check.cell]
        cell.value = check.formula
        cell.font = _CHECK_FONT
        cell.alignment = _WRAP
        cell.border = _BORDER
    by_sheet: dict[str, list[Check]] = {}
    for check in found:
        by_sheet.setdefault(check.sheet, []).append(check)
    for name, mine in by_sheet.items():
        ws = sheets[name]
        rules = {c.rule for c in mine}
        line = below[name]
        # the words over the columns left of the first check cell of the line
        across = max(label_columns[name], min(_rc(c.cell)[1] for c in mine if _rc(c.cell)[0] >= line) - 1)
        if "B-ROWSUM" in rules:
            head = ws.cell(_rc(next(c.cell for c in mine if c.rule == "B-ROWSUM"))[0] - 1, right[name], ROW_HEADER)
            head.font, head.alignment = _LABEL_FONT, _WRAP
            ws.column_dimensions[get_column_letter(right[name])].width = 16
        labels = [(line, COLSUM_LABEL if "B-COLSUM" in rules else GROUP_LABEL)]
        if "B-BALANCE" in rules:
            labels.append((line + 1, BALANCE_LABEL))
        for row, text in labels:
            cell = ws.cell(row, 1, text)
            cell.font, cell.alignment = _LABEL_FONT, Alignment(horizontal="right", vertical="center", wrap_text=True)
            if across > 1:
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=across)
            ws.row_dimensions[row].height = 30
        for check in mine:
            ws.conditional_formatting.add(check.cell, FormulaRule(formula=[f"LEN({check.cell})>0"], fill=_RED, font=_RED_FONT))


__all__ = ["BALANCE_LABEL", "COLSUM_LABEL", "Check", "GROUP_LABEL", "ROW_HEADER", "checks", "draw"]
