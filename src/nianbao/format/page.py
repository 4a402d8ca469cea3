"""The publication edition's page, after 党政机关公文格式 (GB/T 9704-2012): the one definition the Word
file (:mod:`nianbao.edition.word`), the printed page (:mod:`nianbao.edition.web`'s ``@page``) and the
PDF (``templates/nianbao_publish_latex/setup.tex.j2``, given it as the Jinja global ``page``) draw from.

A4; margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right; the title in 2号 (22 pt) 小标宋, the body
in 3号 (16 pt) 仿宋 on a fixed 28 pt line, part headings in 黑体, section headings in 楷体; the page
number “— N —” in 4号 (14 pt) at the foot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    width: int = 210  # mm: A4
    height: int = 297
    top: int = 37  # mm: the type area's margins
    bottom: int = 35
    left: int = 28
    right: int = 26
    title_pt: int = 22  # 2号
    body_pt: int = 16  # 3号
    line_pt: int = 28  # the body's fixed line pitch
    folio_pt: int = 14  # 4号: the page number
    title_font: str = "方正小标宋简体"
    body_font: str = "仿宋_GB2312"
    part_font: str = "黑体"  # part headings (一、总体情况)
    section_font: str = "楷体_GB2312"  # section headings (（一）主动公开)

    @property
    def css_margin(self) -> str:
        """The margins as CSS writes them: top right bottom left."""
        return f"{self.top}mm {self.right}mm {self.bottom}mm {self.left}mm"


PAGE = Page()
