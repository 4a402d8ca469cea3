"""The publication PDF as a reader sees its pages, read from the positions of its characters and rules:
tables that cross a page keep their labels inside the frame and on every page, break between groups
and blocks, leave no lone rows; titles break between words; page numbers sit between equal spaces.

The report is pushed down line by line so that its tables meet the foot of a page at many places."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path

import pdfplumber
import pytest

from nianbao.edition import Text, Title, blocks, pdf, title_lines
from nianbao.grid import layout
from nianbao.params import Project
from nianbao.render import source_date_epoch
from nianbao.report import validate

from .conftest import ROOT

pytestmark = pytest.mark.tex

#: Lines of text put before part 一, each pushing the rest down by one line of the body.
SHIFTS = (0, 3, 6, 9, 12, 15, 18)
LINE = "本段仅用于把报告向下推一行以检验跨页排版的情况各表在页面不同位置。"[:27]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def pages() -> dict[int, list]:
    """For each shift, the PDF's pages (pdfplumber), of yueyanglou 2024."""
    report = validate(Project(ROOT), "yueyanglou", 2024)
    made = {}
    for shift in SHIFTS:
        shown = blocks(report)
        if shift:
            shown.insert(1, Text(LINE * shift))
        document = pdfplumber.open(io.BytesIO(pdf.to_pdf(shown, report.title, source_date_epoch(report.data))))
        made[shift] = document.pages
    return made


def groups() -> list[tuple[str, list[str]]]:
    """Table 三's merged row labels, each with the labels of the rows it spans (their first six characters)."""
    grid = layout("B")
    out = []
    for cell in grid.cells:
        if cell.rowspan > 1 and cell.row >= grid.header_rows:
            rows = range(cell.row, cell.row + cell.rowspan)
            members = [squeezed(c.text)[:6] for c in grid.cells
                       if c.header and c.row in rows and c.rowspan == 1 and c.col > cell.col]
            out.append((squeezed(cell.text), members))
    return out


def column_text(page, left: float, right: float, below: float) -> str:
    chars = [c for c in page.chars if c["x0"] >= left - 0.5 and c["x1"] <= right + 0.5 and c["top"] > below]
    return "".join(c["text"] for c in sorted(chars, key=lambda c: (round(c["top"]), c["x0"])))


def columns_at(page, y: float) -> list[float]:
    """Where the columns meet at height ``y``: the x of each vertical rule crossing it."""
    return sorted({round(e["x0"], 1) for e in page.edges if e["orientation"] == "v" and e["top"] <= y <= e["bottom"]})


@pytest.mark.parametrize("shift", SHIFTS)
def test_a_row_groups_label_is_inside_the_frame_on_every_page_holding_its_rows(pages, shift: int) -> None:
    for number, page in enumerate(pages[shift], start=1):
        if not page.search("申请人情况"):
            continue
        head = page.search("申请人情况")[0]["top"]
        for label, members in groups():
            found = [m for member in members for m in page.search(re.escape(member), regex=True)]
            if not found:
                continue
            xs = columns_at(page, (found[0]["top"] + found[0]["bottom"]) / 2)
            level = 0 if label.startswith("三、") else 1  # the label's column: the first, or the second
            shown = squeezed(column_text(page, xs[level], xs[level + 1], below=head))
            assert label in shown, (shift, number, label, shown)
        xs = columns_at(page, head + 1)
        rows = [m["bottom"] for label in body_labels() for m in page.search(re.escape(label), regex=True)]
        last = max(rows)  # the lowest row of table 三 on the page, and the rule under it
        bottom = min(e["top"] for e in page.edges if e["orientation"] == "h" and e["top"] >= last - 0.5)
        hanging = [c["text"] for c in page.chars if xs[0] < c["x0"] and c["x1"] < xs[0] + 80 and bottom < c["top"] < bottom + 15]
        assert not hanging, (shift, number, "".join(hanging), "a label below its table's frame")


def body_labels() -> list[str]:
    """Table 三's row labels (their first six characters), merged group labels aside."""
    grid = layout("B")
    return [squeezed(c.text)[:6] for c in grid.cells if c.header and c.row >= grid.header_rows and c.rowspan == 1]


@pytest.mark.parametrize("shift", SHIFTS)
def test_no_table_piece_is_a_header_or_a_lone_row(pages, shift: int) -> None:
    for number, page in enumerate(pages[shift], start=1):
        text = squeezed(page.extract_text() or "")
        if "申请人情况" in text:
            assert sum(label in text for label in body_labels()) >= 2, (shift, number)


@pytest.mark.parametrize("shift", SHIFTS)
def test_table_two_breaks_only_between_its_blocks(pages, shift: int) -> None:
    grid = layout("A")
    captions = sorted((c for c in grid.cells if c.role == "caption"), key=lambda c: c.row)
    for caption, after in zip(captions, [*captions[1:], None]):
        rows = [squeezed(c.text) for c in grid.cells if c.header and c.col == 0 and caption.row + 1 < c.row
                and (after is None or c.row < after.row)]
        where = {i for i, page in enumerate(pages[shift]) if squeezed(caption.text) in squeezed(page.extract_text() or "")}
        assert len(where) == 1, (shift, caption.text)
        page = squeezed(pages[shift][where.pop()].extract_text() or "")
        assert all(row in page for row in rows), (shift, caption.text, rows)


def test_the_shifts_make_both_tables_cross_a_page(pages) -> None:
    """The cases above are not idle: some shift breaks table 三, and some breaks table 二."""
    def crossing(shift: int, head: str, tail: str) -> bool:
        where = [i for i, p in enumerate(pages[shift]) for word in (head, tail) if word in squeezed(p.extract_text() or "")]
        return len(set(where)) > 1
    assert any(crossing(s, "（一）予以公开", "四、结转下年度继续办理") for s in SHIFTS)
    assert any(crossing(s, "第二十条第（一）项", "第二十条第（八）项") for s in SHIFTS)


def test_every_page_number_sits_between_equal_spaces(pages) -> None:
    for page in pages[0]:
        lowest = max(c["top"] for c in page.chars)
        foot = sorted((c for c in page.chars if c["top"] > lowest - 2), key=lambda c: c["x0"])
        dashes = [c for c in foot if c["text"] == "—"]
        digits = [c for c in foot if c["text"].isdigit()]
        assert len(dashes) == 2 and digits, [c["text"] for c in foot]
        left, right = digits[0]["x0"] - dashes[0]["x1"], dashes[1]["x0"] - digits[-1]["x1"]
        assert left > 1 and abs(left - right) < 0.6, (left, right)


def test_the_title_breaks_between_words_as_title_lines_says(pages) -> None:
    report = validate(Project(ROOT), "yueyanglou", 2024)
    lines = (pages[0][0].extract_text() or "").split("\n")
    assert [squeezed(x) for x in lines[:2]] == list(title_lines(report))


def test_title_lines_break_after_the_name_the_year_or_a_word_and_keep_a_short_title_whole() -> None:
    project = Project(ROOT)
    for agency in ("yueyanglou", "shimen", "jiangbin", "linjiang-scjg"):
        report = validate(project, agency, 2024)
        first, second = title_lines(report)
        assert first + second == report.title
        assert first in (report.agency.name, f"{report.agency.name}2024年", f"{report.agency.name}2024年政府信息公开",
                         f"{report.agency.name}2024年政府信息公开工作")
    short = validate(project, "shimen", 2024)
    short = replace(short, agency=replace(short.agency, name="某局"))
    assert title_lines(short) == (short.title,)


def test_the_title_block_carries_its_lines(tmp_path: Path) -> None:
    report = validate(Project(ROOT), "shimen", 2024)
    title = blocks(report)[0]
    assert isinstance(title, Title) and title.lines == title_lines(report)
