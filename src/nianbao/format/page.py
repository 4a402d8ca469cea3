"""The publication edition's page, after 党政机关公文格式 (GB/T 9704-2012): the one definition the Word
file (:mod:`nianbao.edition.word`), the printed page (:mod:`nianbao.edition.web`'s ``@page``) and the
PDF (``templates/nianbao_publish_latex/setup.tex.j2``, given it as the Jinja global ``page``) draw from.

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; the title in 2号 (22 pt) 小标宋, the body
in 3号 (16 pt) 仿宋 on a fixed 28 pt line, part headings in 黑体, section headings in 楷体; the page
number “— N —” in 4号 (14 pt) at the foot.

The tables fill the text block (156 mm) in 5号 (10.5 pt) type on a fixed line. A column is as wide as
what it must hold (:data:`COLUMNS`): table 三's and 四's figure columns hold two characters a line, so a
header word wraps into two-character lines (商业/企业, 结果/维持); the column of （三）不予公开 holds four,
so “（三）” is never split; the rest of the text block goes to the columns of long labels.
"""

from __future__ import annotations

from dataclasses import dataclass

PT = 25.4 / 72  # mm in a point

#: Per table, the characters of table type each column holds between its cell margins; ``None`` marks the
#: columns that share what the text block leaves, in proportion to the grid's widths. Tables not named here
#: (table 二, 四, the comparison with last year) share the whole text block so.
COLUMNS: dict[str, tuple[float | None, ...]] = {
    # 三、本年度办理结果 one character a line; （三）不予公开 four; the numbered rows the rest;
    # seven figure columns of two characters and a half (a header word two a line, a figure of four digits).
    "B": (1, 4, None) + (2.5,) * 7,
}


@dataclass(frozen=True)
class Page:
    width: int = 210  # mm: A4
    height: int = 297
    top: int = 37  # mm: the type area's margins
    bottom: int = 35
    left: int = 28
    right: int = 26
    title_pt: int = 22  # 2号
    title_line_pt: int = 36  # the title's fixed line pitch (a title of two lines)
    body_pt: int = 16  # 3号
    line_pt: int = 28  # the body's fixed line pitch
    folio_pt: int = 14  # 4号: the page number
    table_pt: float = 10.5  # 5号: the tables' type
    table_line_pt: float = 14  # the tables' fixed line pitch
    cell_margin: float = 1.0  # mm: a table cell's space left and right of its text
    title_font: str = "方正小标宋简体"
    body_font: str = "仿宋_GB2312"
    part_font: str = "黑体"  # part headings (一、总体情况)
    section_font: str = "楷体_GB2312"  # section headings (（一）主动公开)

    @property
    def css_margin(self) -> str:
        """The margins as CSS writes them: top right bottom left."""
        return f"{self.top}mm {self.right}mm {self.bottom}mm {self.left}mm"

    @property
    def text_width(self) -> int:
        """mm: the text block's width (156 mm)."""
        return self.width - self.left - self.right

    @property
    def text_height(self) -> int:
        """mm: the text block's height (225 mm)."""
        return self.height - self.top - self.bottom

    def columns(self, table: str, widths: tuple[float, ...]) -> tuple[float, ...]:
        """mm: the columns of ``table`` across the text block; ``widths`` are the grid's, for the shared columns.

        A column that holds *n* characters is *n* characters of table type, its two cell margins, and a
        quarter point, so that rounding to Word's twips never pushes a line's last character to the next.
        """
        plan = COLUMNS.get(table, (None,) * len(widths))
        if len(plan) != len(widths):
            plan = (None,) * len(widths)
        fixed = [None if n is None else n * self.table_pt * PT + 2 * self.cell_margin + 0.25 * PT for n in plan]
        rest = self.text_width - sum(w for w in fixed if w is not None)
        shared = sum(w for w, f in zip(widths, fixed) if f is None)
        return tuple(f if f is not None else rest * w / shared for w, f in zip(widths, fixed))


PAGE = Page()
