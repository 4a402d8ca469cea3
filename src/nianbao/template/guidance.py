"""What the rule packs in effect ask of each narrative section, shown on the 叙述 sheet beside the section's
input, so that an agency writes it right the first time; and the line of the 说明 sheet naming the packs.

The requirements come in as plain text (narrative key → the rules' words, from
:func:`nianbao.checks.packs.guidance`); nothing here reads a pack. Every text is written as a value,
never as a formula. The column is for the screen: the 叙述 sheet prints on A4 at 9 points or more only
as wide as it is without it, so its print area stays the code, part, section and text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.worksheet.worksheet import Worksheet

from ..checks.packs import Pack
from . import printing
from .cells import _BORDER, _HEADER_FILL, _TOP_LEFT, _put
from .layout import NARRATIVE_SHEET, Place

HEADER = "规则包的要求"
#: The column's width (characters): a requirement of some forty characters takes two lines.
WIDTH = 44
#: Guidance, not input: grey, beside the black of what is typed.
_MUTED = Font(color="595959")
_BULLET = "· "


def text(items: Iterable[str]) -> str:
    """One line a requirement, each opening with “· ”."""
    return "\n".join(_BULLET + " ".join(item.split()) for item in items)


def draw(ws: Worksheet, narrative: Mapping[str, Place], guidance: Mapping[str, Sequence[str]], column: int) -> None:
    """The header and, in the row of each section's input, what the packs ask of it (sections the packs
    ask nothing of are left empty); each row at least as tall as its requirements.
    """
    letter = get_column_letter(column)
    ws.column_dimensions[letter].width = WIDTH
    header = ws.cell(1, column)
    _put(header, HEADER)
    header.font, header.fill, header.border, header.alignment = Font(bold=True), _HEADER_FILL, _BORDER, _TOP_LEFT
    for key, place in narrative.items():
        row = coordinate_from_string(place.cell)[1]
        cell = ws.cell(row, column)
        cell.border, cell.alignment = _BORDER, _TOP_LEFT
        items = guidance.get(key) or ()
        if not items:
            continue
        value = text(items)
        _put(cell, value)
        cell.font = _MUTED
        need = printing.lines(value, WIDTH) * printing.LINE + 6
        dimension = ws.row_dimensions[row]
        dimension.height = min(max(need, dimension.height or 0), printing.MAX_HEIGHT)


def guide_line(packs: Sequence[Pack], column: int) -> str:
    """The 说明 sheet's line saying where the requirements are and which packs (and notices) they are from."""
    named = "；".join(f"{p.name}（依据{p.notice.issuer} {p.notice.date}《{p.notice.title}》）" for p in packs)
    return (f"“{NARRATIVE_SHEET}”工作表 {get_column_letter(column)} 列“{HEADER}”列出规则包对各节的要求，"
            f"请照着写（只在屏幕上显示，不打印；生成报告时按这些要求校验）。规则包：{named or '（未列出）'}。")


__all__ = ["HEADER", "WIDTH", "draw", "guide_line", "text"]
