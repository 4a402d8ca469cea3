"""The template on paper, as a clerk prints it: every sheet on A4, its smallest text at 9 points or more,
the tables whole on one page each, the 说明 sheet a page of instructions to read, nothing cut off.

The office tests print a blank template (last year's figures carried over, so that the hints are there
too) and a filled one through LibreOffice headless, once for the module, and read the PDF's characters.
"""

from __future__ import annotations

import itertools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from nianbao.format import ALIASES
from nianbao.load import read_yaml
from nianbao.template import GUIDE_SHEET, NARRATIVE_SHEET, layout, printing, write_template
from nianbao.template.feedback import BALANCE_LABEL, COLSUM_LABEL, GROUP_LABEL, ROW_HEADER

from .test_round import office

ROOT = Path(__file__).resolve().parents[1]
FILLED = ROOT / "data" / "2024" / "yueyanglou.yaml"
LAST_YEAR = ROOT / "data" / "2024" / "shimen.yaml"
TABLE_SHEETS = layout().sheets[1:-1]


def templates(folder: Path) -> dict[str, Path]:
    """A blank template for 2025 with 2024's figures carried over, and one filled with 2024's data."""
    return {
        "blank": write_template(folder / "blank.xlsx", "shimen", "青川市临江区石门镇人民政府", 2025,
                                previous=read_yaml(LAST_YEAR), previous_source="data/2024/shimen.yaml"),
        "filled": write_template(folder / "filled.xlsx", "yueyanglou", "岳阳市岳阳楼区人民政府", 2024, read_yaml(FILLED)),
    }


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def row_of(cell: str) -> int:
    return coordinate_from_string(cell)[1]


def print_area(ws: Worksheet) -> str:
    return str(ws.print_area).rsplit("!", 1)[-1].replace("$", "")


# ---------------------------------------------------------------- the page set up in the file


@pytest.mark.parametrize(
    ("width", "height", "one_page", "landscape", "pages_down"),
    [
        (400, 300, True, False, 1),  # a small table: portrait, one page, full size
        (880, 500, True, True, 1),  # table 四's width: landscape, one page
        (880, 1500, True, True, 0),  # wide and long: landscape, the rows run on
        (600, 3000, False, False, 0),  # text a little wider than the page: portrait, shrunk a little, runs on
    ],
)
def test_the_page_is_portrait_where_legible_else_landscape_and_one_page_where_legible(
        width: float, height: float, one_page: bool, landscape: bool, pages_down: int) -> None:
    paper = printing.plan(width, height, 11, one_page)
    assert (paper.landscape, paper.pages_down) == (landscape, pages_down)
    assert paper.scale * 11 >= printing.LEAST


def test_a_sheet_too_wide_for_any_page_prints_as_large_as_it_can() -> None:
    paper = printing.plan(3000, 400, 11, one_page=True)
    assert paper.landscape and paper.scale == pytest.approx(printing.printable(landscape=True)[0] / 3000, rel=0.03)


@pytest.mark.parametrize("which", ["blank", "filled"])
def test_every_sheet_prints_what_is_filled_in_on_a4_at_9_points_or_more(tmp_path: Path, which: str) -> None:
    book = openpyxl.load_workbook(templates(tmp_path)[which])
    plan = layout()
    ends = {sheet: max(row_of(p.end or p.cell) for p in [*plan.notes.values(), *plan.narrative.values()] if p.sheet == sheet)
            for sheet in (*TABLE_SHEETS, NARRATIVE_SHEET)}
    areas = {ws.title: range_boundaries(print_area(ws)) for ws in book.worksheets}
    places = [*plan.cells.values(), *plan.notes.values(), *plan.narrative.values(), *plan.meta.values()]
    for place in [*places, *(label.place for label in plan.labels)]:  # all of the form is printed
        _, _, right, bottom = areas[place.sheet]
        column, row = coordinate_from_string(place.end or place.cell)
        assert row <= bottom and column_index_from_string(column) <= right, place
    for ws in book.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert "&P" in str(ws.oddFooter.center.text) and "&A" in str(ws.oddFooter.center.text), ws.title
        paper = printing.paper(ws)
        assert paper.scale * 11 >= printing.LEAST, (ws.title, paper)
        last_row = areas[ws.title][3]
        if ws.title == GUIDE_SHEET:  # the instructions and the named placeholders, not every cell's
            assert ws.cell(last_row, 1).value == f"{{{{ {list(ALIASES)[-1]} }}}}"
        else:
            assert last_row == ends[ws.title], ws.title  # the note (or the last paragraph), not the checks under it
        assert not any(str(c.value or "").startswith("=") for row in ws[print_area(ws)] for c in row), ws.title  # no check
    for name in TABLE_SHEETS:
        first = min(row_of(p.cell) for p in plan.cells.values() if p.sheet == name)
        assert book[name].print_title_rows == f"$2:${first - 1}"  # the header repeated
    assert book[NARRATIVE_SHEET].print_title_rows == "$1:$1"


# ---------------------------------------------------------------- printed through LibreOffice


@dataclass(frozen=True)
class Page:
    sheet: str  # named in the footer
    number: int
    width: float
    height: float
    least: float  # the smallest character's size (points, as printed: the scale included)
    text: str  # all its text, whitespace left out
    cells: frozenset[str]  # the text of each ruled cell, whitespace left out
    lines: tuple[float, ...]  # how wide each line of text runs (points)


def read_pages(pdf: Path) -> list[Page]:
    import pdfplumber

    names = {squeeze(name): name for name in layout().sheets}
    pages = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            text = page.extract_text() or ""
            footer = re.fullmatch(r"(.+?)\s*第\s*(\d+)\s*页，共\s*\d+\s*页", text.splitlines()[-1].strip())
            assert footer and squeeze(footer.group(1)) in names, f"page {page.page_number}: no footer naming the sheet"
            chars = sorted((c for c in page.chars if c["text"].strip()), key=lambda c: (round(c["top"]), c["x0"]))
            lines = [list(line) for _, line in itertools.groupby(chars, key=lambda c: round(c["top"]))]
            pages.append(Page(
                sheet=names[squeeze(footer.group(1))], number=int(footer.group(2)), width=page.width, height=page.height,
                least=min(c["size"] for c in chars), text=squeeze(text),
                cells=frozenset(squeeze(c or "") for table in page.extract_tables() for row in table for c in row),
                lines=tuple(max(c["x1"] for c in line) - min(c["x0"] for c in line) for line in lines),
            ))
    return pages


@dataclass(frozen=True)
class Printout:
    book: Path
    pages: list[Page]

    def of(self, sheet: str) -> list[Page]:
        return [p for p in self.pages if p.sheet == sheet]


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Printout]:
    """Both templates printed to PDF by one LibreOffice run (its own profile), waited for to the end."""
    folder = tmp_path_factory.mktemp("print")
    made = templates(folder)
    subprocess.run([office(), f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(folder / "pdf"), *map(str, made.values())], check=True, capture_output=True, timeout=600)
    return {which: Printout(path, read_pages(folder / "pdf" / f"{path.stem}.pdf")) for which, path in made.items()}


@pytest.mark.office
@pytest.mark.parametrize("which", ["blank", "filled"])
def test_every_page_is_a4_and_every_character_prints_at_9_points_or_more(printed: dict[str, Printout], which: str) -> None:
    for page in printed[which].pages:
        assert sorted((round(page.width), round(page.height))) == [595, 842], (page.sheet, page.number)
        assert page.least >= 9, f"{page.sheet}, page {page.number}: text at {page.least:.2f} pt"


@pytest.mark.office
@pytest.mark.parametrize("which", ["blank", "filled"])
def test_each_table_prints_on_one_page_and_the_text_sheets_on_few(printed: dict[str, Printout], which: str) -> None:
    out = printed[which]
    assert [p.sheet for p in out.pages] == sorted((p.sheet for p in out.pages), key=layout().sheets.index)
    assert all(len(out.of(name)) == 1 for name in TABLE_SHEETS), [p.sheet for p in out.pages]
    assert 1 <= len(out.of(GUIDE_SHEET)) <= 2 and 1 <= len(out.of(NARRATIVE_SHEET)) <= 2
    [table_c] = out.of("表四 复议诉讼")
    assert table_c.width > table_c.height  # its fifteen columns across a landscape page
    assert all(p.width < p.height for p in out.of(GUIDE_SHEET))  # instructions read as a portrait page


@pytest.mark.office
@pytest.mark.parametrize("which", ["blank", "filled"])
def test_every_text_in_the_print_area_prints_whole_and_the_checks_stay_on_screen(printed: dict[str, Printout], which: str) -> None:
    book = openpyxl.load_workbook(printed[which].book)
    for ws in book.worksheets:
        pages = printed[which].of(ws.title)
        for row in ws[print_area(ws)]:
            for cell in (c for c in row if isinstance(c.value, str) and not c.value.startswith("=")):
                words = squeeze(cell.value)
                if cell.border.left.style:  # whole within its own ruled cell: a row too low would cut it
                    assert any(words in p.cells for p in pages), (ws.title, cell.coordinate, cell.value)
                else:  # a title, the instructions
                    assert any(words in p.text for p in pages), (ws.title, cell.coordinate, cell.value)
    for page in printed[which].pages:
        assert not any(squeeze(words) in page.text for words in (ROW_HEADER, COLSUM_LABEL, BALANCE_LABEL, GROUP_LABEL))


@pytest.mark.office
@pytest.mark.parametrize("which", ["blank", "filled"])
def test_the_guide_prints_as_a_page_to_read(printed: dict[str, Printout], which: str) -> None:
    pages = printed[which].of(GUIDE_SHEET)
    cells = set().union(*(p.cells for p in pages))
    for name in ALIASES:
        assert squeeze(f"{{{{ {name} }}}}") in cells, name
    assert not any("B.withheld_secret.natural" in p.text for p in pages)  # every cell's placeholder stays on screen
    across = printing.printable(landscape=False)[0]
    lines = [width for p in pages for width in p.lines]
    assert max(lines) >= 0.9 * across  # its paragraphs run across the page, not down a sliver of it
    assert sum(width >= 0.6 * across for width in lines) >= 20
