"""What last year's data gives a new template: 二、上年结转 prefilled from last year's 四、结转下年度 and
locked (rule X-CARRY's pairs), and beside 现行有效件数 last year's figure and the expected one (X-STOCK).
"""

from __future__ import annotations

from openpyxl.comments import Comment
from openpyxl.styles import Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from ..format import TABLE_A, TABLE_B, column_of
from ..format.relations import carries, stocks
from ..model import ReportData, is_empty
from .cells import _CARRIED_FILL, _LEFT, _put
from .layout import Layout, sheet_name


def _carry_over(sheets: dict[str, Worksheet], plan: Layout, previous: ReportData, source: str) -> None:
    """二、上年结转 = last year's 四、结转下年度, column by column: written, locked, and said where from."""
    label = TABLE_B.row("carried_forward").label
    for carry in carries():  # X-CARRY's pairs, as the rule checks them
        column = column_of(carry.now)
        value = previous.cells[carry.then]
        place = plan.cells[carry.now]
        cell = sheets[place.sheet][place.cell]
        _put(cell, value)
        cell.protection = Protection(locked=True)
        cell.fill = _CARRIED_FILL
        shown = "空白" if is_empty(value) else str(value)
        cell.comment = Comment(f"取自 {previous.year} 年数据（{source}）表三「{label}」“{column.label}”：{shown}。"
                               f"已锁定；如有出入，请先改正 {previous.year} 年数据再重新生成模板。", "nianbao")
        cell.comment.width, cell.comment.height = 260, 110


def _stock_hints(sheets: dict[str, Worksheet], plan: Layout, previous: ReportData, column: int) -> None:
    """Beside 现行有效件数: last year's figure, and last year's plus this year's 制发 minus 废止."""
    for stock in stocks():  # X-STOCK's rows, as the rule checks them
        then = previous.number(stock.in_force)
        if then is None:
            continue
        keys = {"in_force": plan.cells[stock.in_force], "issued": plan.cells[stock.issued],
                "repealed": plan.cells[stock.repealed]}
        ws = sheets[keys["in_force"].sheet]
        hint = ws.cell(coordinate_from_string(keys["in_force"].cell)[1], column)
        hint.value = (f'="上年现行有效 {then} 件；{then} + 本年制发 − 本年废止 = "'
                      f'&({then}+N({keys["issued"].cell})-N({keys["repealed"].cell}))')
        hint.font = Font(color="595959", size=9)
        hint.alignment = _LEFT
        cell = ws[keys["in_force"].cell]
        cell.comment = Comment(f"上年（{previous.year} 年）现行有效 {then} 件。本年现行有效一般为上年件数加本年制发、"
                               "减本年废止；文件也会因有效期届满而失效，以实际为准。", "nianbao")
        cell.comment.width, cell.comment.height = 260, 90
    ws = sheets[sheet_name(TABLE_A)]
    ws.column_dimensions[get_column_letter(column)].width = 40
