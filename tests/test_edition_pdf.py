"""The publication edition's PDF: what a reader sees in it, its page, and that it reads back to its data."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf
import pytest

from nianbao.compare import compare, read
from nianbao.edition import blocks, pdf
from nianbao.format import PARTS
from nianbao.params import Project
from nianbao.render import source_date_epoch
from nianbao.report import validate

from .conftest import ROOT
from .test_edition import EXAMPLES, REVIEW_ONLY

pytestmark = pytest.mark.tex


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[tuple[str, int], Path]:
    out = tmp_path_factory.mktemp("publication-pdf")
    project = Project(ROOT)
    made = {}
    for agency, year in EXAMPLES:
        report = validate(project, agency, year)
        path = out / f"{agency}-{year}.pdf"
        path.write_bytes(pdf.to_pdf(blocks(report), report.title, source_date_epoch(report.data)))
        made[(agency, year)] = path
    return made


def text_of(path: Path) -> list[str]:
    return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]


def test_the_pdf_shows_the_title_the_parts_and_the_closing_and_nothing_of_the_review(pdfs) -> None:
    project = Project(ROOT)
    for (agency, year), path in pdfs.items():
        pages = text_of(path)
        flat = re.sub(r"\s+", "", "".join(pages))
        report = validate(project, agency, year)
        assert flat.startswith(re.sub(r"\s+", "", report.title)), agency
        positions = [flat.index(p.heading) for p in PARTS]
        assert positions == sorted(positions)
        day = report.data.published.split("-")
        assert flat.rstrip("—0123456789").endswith(f"{report.agency.office}{int(day[0])}年{int(day[1])}月{int(day[2])}日"), agency
        assert not any(w in flat for w in REVIEW_ONLY), agency
        assert not re.search(r"[A-Za-z]{3,}", flat), (agency, re.findall(r"[A-Za-z]{3,}", flat)[:5])


def test_the_pdf_is_a4_with_page_numbers(pdfs) -> None:
    reader = pypdf.PdfReader(pdfs[("shimen", 2024)])
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    pages = [p.extract_text() for p in reader.pages]
    assert all(re.search(rf"—\s*{n}\s*—", t) for n, t in enumerate(pages, start=1))


def test_a_table_that_runs_over_a_page_repeats_its_header_under_continued(tmp_path: Path) -> None:
    """Part 一 made longer, a paragraph at a time, until table 三 no longer fits on the page it starts on."""
    from dataclasses import replace

    report = validate(Project(ROOT), "shimen", 2024)
    filler = "本段为测试排版而加，使表三从页面中部开始。" * 3
    for extra in range(0, 12, 2):
        texts = {**report.texts, "overview.active": report.texts["overview.active"] + ("\n\n" + filler) * extra}
        made = replace(report, texts=texts)
        path = tmp_path / f"shimen-{extra}.pdf"
        path.write_bytes(pdf.to_pdf(blocks(made), made.title, source_date_epoch(made.data)))
        pages = [re.sub(r"\s+", "", t) for t in text_of(path)]
        start = next(i for i, t in enumerate(pages) if "一、本年新收政府信息公开申请数量" in t)
        end = next(i for i, t in enumerate(pages) if "四、结转下年度继续办理" in t)
        if end > start:
            break
    else:
        pytest.fail("table 三 never ran over a page")
    for page in pages[start + 1 : end + 1]:
        assert page.startswith("续表") or "续表" in page[:80], page[:80]
        assert "申请人情况" in page and "法人或其他组织" in page  # the header, repeated
    assert compare(read(ROOT / "data" / "2024" / "shimen.yaml"), read(path)).cells == ()  # and it still reads back


@pytest.mark.parametrize(("agency", "year"), EXAMPLES)
def test_every_example_pdf_reads_back_identically(pdfs, agency, year) -> None:
    result = compare(read(ROOT / "data" / str(year) / f"{agency}.yaml"), read(pdfs[(agency, year)]))
    assert result.identical, ([(d.key, d.a, d.b) for d in result.cells[:5]], [t.key for t in result.texts])


def test_auditing_the_pdfs_finds_what_check_finds_with_the_name_and_year_from_the_title(pdfs) -> None:
    from nianbao import checks
    from nianbao.audit import NOTICE, audit
    from nianbao.checks import packs

    project = Project(ROOT)
    found = audit(list(pdfs.values()), packs=packs.load(project))  # the project's packs, as check applies them
    assert not found.unreadable
    for (agency, year), path in pdfs.items():
        report = validate(project, agency, year)
        expected = {(r["rule"], r["status"], r["where"]) for r, x in zip(checks.records(report.results), report.results)
                    if x.is_open or (x.rule == NOTICE and x.status == "failed")}  # findings, and notices
        rows = found.violations[found.violations["report"] == str(path)]
        assert {(r.rule, r.status, r.where) for r in rows.itertuples()} == expected, (agency, year)
        line = found.reports[found.reports["report"] == str(path)].iloc[0]
        assert (line["agency"], line["year"]) == (report.agency.name, year)
