"""The reviewer reads what will be published: every paragraph the publication edition prints appears,
as the same visible text, in the review edition — for every bundled example and a hostile narrative."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pdfplumber
import pytest

from nianbao import prose, render
from nianbao.edition import EMPTY_SECTION, Heading, Signature, Text, blocks, pdf, web
from nianbao.params import Project
from nianbao.render import source_date_epoch, to_html
from nianbao.report import validate

from .conftest import ROOT, copy_project
from .inprocess import executed
from .test_edition import EXAMPLES
from .test_prose import NARRATIVE, squeezed

HOSTILE = ("**加粗**与*强调* <script>alert(1)</script> [链接](https://example.org) 100% $x$ \\input{x}\n\n"
           "- 第一项\n- 第二项\n\n1. 甲\n2. 乙")


def visible(markup: str) -> str:
    return re.sub(r"\s+", "", web.plain(markup))


def published_paragraphs(project: Project, agency: str, year: int) -> list[str]:
    return [visible(web.block_html(b)) for b in blocks(validate(project, agency, year)) if isinstance(b, Text)]


@pytest.mark.parametrize(("agency", "year"), EXAMPLES)
def test_every_published_paragraph_reads_the_same_in_the_review_edition(agency: str, year: int) -> None:
    project = Project(ROOT)
    review = visible(to_html(executed(project, agency, year)))
    missing = [p for p in published_paragraphs(project, agency, year) if p and p not in review]
    assert not missing, missing


def hostile_project(tmp_path: Path, text: str = HOSTILE) -> Project:
    """shimen 2024 with ``text`` as section （三）政府信息管理 and section （四） left empty."""
    project = copy_project(tmp_path / "p")
    path = project.data_dir / "2024" / "shimen.yaml"
    lines = path.read_text(encoding="utf-8").split("\n")
    at = lines.index("    management: |")
    hostile = ["      " + line if line else "" for line in text.split("\n")]
    lines[at + 1:at + 4] = [*hostile, "    platforms: ''"]
    path.write_text("\n".join(lines), encoding="utf-8")
    return project


def test_a_hostile_narrative_and_an_empty_section_read_the_same_in_both(tmp_path) -> None:
    project = hostile_project(tmp_path)
    paragraphs = published_paragraphs(project, "shimen", 2024)
    review = visible(to_html(executed(project, "shimen", 2024)))
    assert any("加粗与强调" in p for p in paragraphs) and EMPTY_SECTION in paragraphs
    missing = [p for p in paragraphs if p and p not in review]
    assert not missing, missing


def pdf_text(pdf: bytes) -> str:
    """What a reader of the PDF sees, page by page joined, without the page numbers (— 1 —, 第 1 页)."""
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        pages = [page.extract_text() or "" for page in document.pages]
    text = "\n".join(re.sub(r"(?m)^\s*(?:[—–-]\s*\d+\s*[—–-]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?)\s*$", "", p)
                     for p in pages)
    return squeezed(text)


def block_text(block) -> str:
    if isinstance(block, Text):
        return squeezed("\n".join(prose.text_of(n.spans) if hasattr(n, "spans") else "" for n in _flat(prose.read(block.markdown))))
    if isinstance(block, Heading):
        return squeezed(block.text)
    if isinstance(block, Signature):
        return squeezed(block.office + block.date)
    return ""


def _flat(nodes):
    for n in nodes:
        if isinstance(n, prose.Items):
            for item in n.items:
                yield from _flat(item)
        elif isinstance(n, prose.Quote):
            yield from _flat(n.children)
        elif isinstance(n, prose.Code):
            yield prose.Paragraph(tuple(prose.Plain(line) for line in n.lines))
        else:
            yield n


#: Each bundled agency's latest report (the HTML test above reads every year; TeX is slower).
PDF_EXAMPLES = sorted({agency: (agency, year) for agency, year in sorted(EXAMPLES)}.values())


@pytest.mark.tex
@pytest.mark.parametrize(("agency", "year"), [*PDF_EXAMPLES, ("shimen-hostile", 2024)])
def test_the_two_pdfs_print_every_published_block_the_same(agency: str, year: int, tmp_path) -> None:
    """Part by part, every block of the publication reads the same in both PDFs, made as ``render`` makes
    them (one xelatex run for the two editions)."""
    project = hostile_project(tmp_path, NARRATIVE) if agency.endswith("-hostile") else Project(ROOT)
    agency = agency.removesuffix("-hostile")
    report = validate(project, agency, year)
    published = blocks(report)
    review_pdf, publication_pdf = render.to_pdfs(executed(project, agency, year), pdf.notebook(published, report.title),
                                                 source_date_epoch(report.data))
    review, publication = pdf_text(review_pdf), pdf_text(publication_pdf)
    part, missing = "", []
    for block in published:
        part = block.text if isinstance(block, Heading) and block.level == 1 else part
        shown = block_text(block)
        missing += [(edition, part, shown) for edition, text in (("publication", publication), ("review", review))
                    if shown and shown not in text]
    assert not missing, missing
    if project.root != ROOT:
        assert squeezed("门户网站（https://www.example.gov.cn/xxgk）") in review
