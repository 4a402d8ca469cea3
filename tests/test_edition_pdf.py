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


def test_the_pdf_is_a4_with_page_numbers_and_a_continued_table_says_so(pdfs) -> None:
    reader = pypdf.PdfReader(pdfs[("shimen", 2024)])
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    pages = [p.extract_text() for p in reader.pages]
    assert all(re.search(rf"—\s*{n}\s*—", t) for n, t in enumerate(pages, start=1))
    continued = [t for t in pages if "续表" in t]
    assert continued, "table 三 runs over a page and its continuation is marked"
    assert all("申请人情况" in t for t in continued)  # the header is repeated under 续表


@pytest.mark.parametrize(("agency", "year"), EXAMPLES)
def test_every_example_pdf_reads_back_identically(pdfs, agency, year) -> None:
    result = compare(read(ROOT / "data" / str(year) / f"{agency}.yaml"), read(pdfs[(agency, year)]))
    assert result.identical, ([(d.key, d.a, d.b) for d in result.cells[:5]], [t.key for t in result.texts])


def test_auditing_the_pdfs_finds_what_check_finds_with_the_name_and_year_from_the_title(pdfs) -> None:
    from nianbao import checks
    from nianbao.audit import audit

    found = audit(list(pdfs.values()))
    assert not found.unreadable
    project = Project(ROOT)
    for (agency, year), path in pdfs.items():
        report = validate(project, agency, year)
        expected = {(r["rule"], r["status"], r["where"]) for r, x in zip(checks.records(report.results), report.results)
                    if x.is_open}
        rows = found.violations[found.violations["report"] == str(path)]
        assert {(r.rule, r.status, r.where) for r in rows.itertuples()} == expected, (agency, year)
        line = found.reports[found.reports["report"] == str(path)].iloc[0]
        assert (line["agency"], line["year"]) == (report.agency.name, year)
