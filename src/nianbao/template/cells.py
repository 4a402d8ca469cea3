"""How a template's cells look and behave: labels drawn, inputs unlocked and shaded, a typing check on
each figure (a warning, so that a dash or ? can still be kept), text kept as text.
"""

from __future__ import annotations

from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from ..format import AMOUNT
from ..model import Value
from .layout import CAPTION, FIELD, HEADER, ROW, TITLE, Label, Place

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_CARRIED_FILL = PatternFill("solid", fgColor="E2EFDA")  # taken from last year's data, locked
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
