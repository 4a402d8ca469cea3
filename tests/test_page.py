"""The publication edition's page (GB/T 9704) is one definition, nianbao.format.page, that the Word file,
the printed web page and the PDF's LaTeX all draw from."""

from __future__ import annotations

import io

from docx import Document
from docx.shared import Pt

from nianbao import render
from nianbao.edition import blocks, web, word
from nianbao.format.page import PAGE
from nianbao.params import Project
from nianbao.report import validate

from .conftest import ROOT


def test_the_word_file_the_web_page_and_the_latex_share_one_page() -> None:
    report = validate(Project(ROOT), "shimen", 2024)
    made = blocks(report)
    section = Document(io.BytesIO(word.to_docx(made, title=report.title, author="测试"))).sections[0]
    mm = [round(length.mm) for length in (section.page_width, section.page_height, section.top_margin,
                                          section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [PAGE.width, PAGE.height, PAGE.top, PAGE.bottom, PAGE.left, PAGE.right]  # Word keeps twips
    assert f"@page {{ size: A4; margin: {PAGE.top}mm {PAGE.right}mm {PAGE.bottom}mm {PAGE.left}mm; }}" in web.page(made)
    assert f"font-size:{PAGE.title_pt}pt" in web.fragment(made)
    setup = render._pdf_exporter("nianbao_publish_latex").environment.get_template("nianbao_publish_latex/setup.tex.j2")
    assert setup.module.geometry() == (f"top={PAGE.top}mm,bottom={PAGE.bottom}mm,left={PAGE.left}mm,"
                                       f"right={PAGE.right}mm,footskip=12mm")
    assert f"\\fontsize{{{PAGE.body_pt}pt}}{{{PAGE.line_pt}pt}}" in setup.module.type()
    assert Pt(PAGE.body_pt) == Document(io.BytesIO(word.to_docx(made, title="t", author="a"))).styles["Normal"].font.size
