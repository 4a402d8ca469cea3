"""The Word file laid out as its readers see it.

Unmarked tests read the .docx itself: the styles carry the look (a paragraph a leader adds is indented like the
rest), the tables fill the text block with columns sized for what they hold, rows never split and a page may end
inside a table only between groups. The ``office`` tests open each document in LibreOffice Writer (headless),
convert it to PDF once for the module, and read where its characters fall on the pages (pdfplumber): header
words on one line or two, no line of a cell starting with a closing bracket, every label inside its cell, each
table whole or broken only between blocks — for every bundled example, and for shimen's report pushed down the
page line by line until its tables would cross pages.
"""

from __future__ import annotations

import io
import math
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from docx.shared import Mm, Pt
from lxml import etree

from nianbao.edition import Heading, Text, blocks, word
from nianbao.edition.word_table import MIN_ROWS, breaks
from nianbao.format.page import PAGE, PT
from nianbao.grid import HEADER, Grid, GridCell, layout
from nianbao.params import Project
from nianbao.report import validate

from .conftest import ROOT
from .test_round import office

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TWIPS_PER_MM = 1440 / 25.4
EXAMPLES = [(p.stem, int(p.parent.name)) for p in sorted((ROOT / "data").glob("*/*.yaml"))]
#: Characters no line may start with (closing brackets and quotes, and the punctuation kinsoku keeps off a line's start).
CLOSING = "）〕】」』》〉”’，。、；：！？"
OPENING = "（〔【「『《〈“‘"
#: One line of body text, to push the tables down the page a line at a time.
PAD = "（本段是测试用的填充文字。）"
VERTICAL = "三、本年度办理结果"  # written top to bottom: one character a line is its form


def report(agency: str = "shimen", year: int = 2024):
    return validate(Project(ROOT), agency, year)


def docx_of(made: list, agency: str = "shimen", year: int = 2024) -> bytes:
    r = report(agency, year)
    return word.to_docx(made, title=r.title, author=r.agency.office, date=r.data.published)


def padded(lines: int) -> bytes:
    """shimen's 2024 report with ``lines`` lines of body text before part 二, so its tables start lower."""
    made = blocks(report())
    at = next(i for i, b in enumerate(made) if isinstance(b, Heading) and b.text.startswith("二、"))
    return docx_of([*made[:at], *[Text(PAD)] * lines, *made[at:]])


def xml(raw: bytes, part: str = "word/document.xml") -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        return etree.fromstring(z.read(part))


@pytest.fixture(scope="module")
def shimen() -> bytes:
    return docx_of(blocks(report()))


# ---------------------------------------------------------------- the styles carry the look


def test_the_styles_carry_the_look_and_a_paragraph_a_leader_adds_is_indented_like_the_rest(shimen) -> None:
    styles = xml(shimen, "word/styles.xml")
    normal = styles.find(f"{W}style[@{W}styleId='Normal']")
    ind, spacing = normal.find(f"{W}pPr/{W}ind"), normal.find(f"{W}pPr/{W}spacing")
    assert (ind.get(f"{W}firstLineChars"), ind.get(f"{W}firstLine")) == ("200", str(Pt(2 * PAGE.body_pt).twips))
    assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule")) == (str(Pt(PAGE.line_pt).twips), "exact")
    assert normal.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == word.BODY_FONT
    assert styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang").get(f"{W}eastAsia") == "zh-CN"
    title = styles.find(f"{W}style[@{W}styleId='Title']")
    assert title.find(f"{W}pPr/{W}pBdr") is None and title.find(f"{W}pPr/{W}ind").get(f"{W}firstLineChars") == "0"
    used = [styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")] + [
        styles.find(f"{W}style[@{W}styleId='{name}']/{W}rPr") for name in ("Normal", "Title", "Heading1", "Heading2", "TableText")]
    assert not [k for rpr in used for k in rpr.find(f"{W}rFonts").attrib if k.endswith("Theme")]  # Word prefers a theme's font

    body = xml(shimen).find(f"{W}body")
    paragraphs = body.findall(f"{W}p")
    assert paragraphs[0].find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "Title"
    text = [p for p in paragraphs if p.find(f"{W}pPr") is None and "".join(p.itertext()).strip()]
    assert len(text) >= 10  # the body paragraphs: in the body style, nothing set on them or their runs
    assert all(r.find(f"{W}rPr") is None for p in text for r in p.iter(f"{W}r"))

    document = Document(io.BytesIO(shimen))
    added = document.paragraphs[1].insert_paragraph_before("领导加的一段。")  # as Enter and typing in Word do
    assert added.paragraph_format.first_line_indent is None  # nothing of its own …
    assert added.style.paragraph_format.first_line_indent == Pt(2 * PAGE.body_pt)  # … the style's indent


# ---------------------------------------------------------------- tables: widths and breaks


def test_the_tables_fill_the_text_block_with_columns_sized_for_what_they_hold(shimen) -> None:
    tables = xml(shimen).findall(f".//{W}tbl")
    em = PAGE.table_pt * PT
    for tbl in tables:
        columns = [int(c.get(f"{W}w")) for c in tbl.iter(f"{W}gridCol")]
        assert abs(sum(columns) - Mm(PAGE.text_width).twips) <= len(columns)  # 156 mm, to the twip per column
        assert int(tbl.find(f"{W}tblPr/{W}tblW").get(f"{W}w")) == Mm(PAGE.text_width).twips
        margin = tbl.find(f"{W}tblPr/{W}tblCellMar/{W}left")
        assert int(margin.get(f"{W}w")) == Mm(PAGE.cell_margin).twips
    three, four = ([int(c.get(f"{W}w")) / TWIPS_PER_MM - 2 * PAGE.cell_margin for c in t.iter(f"{W}gridCol")]
                   for t in tables[1:])  # mm between the cell margins
    assert all(2 * em < w < 3 * em for w in three[3:])  # 商业/企业: two characters a line, never one or three
    assert 4 * em < three[1] < 5 * em  # （三）不 / 予公开: “（三）” whole
    assert all(2 * em < w < 3 * em for w in four)  # table 四: 结果/维持


def test_rows_never_split_and_the_label_of_a_long_group_runs_top_to_bottom(shimen) -> None:
    for tbl in xml(shimen).findall(f".//{W}tbl"):
        assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in tbl.findall(f"{W}tr"))
    vertical = [tc for tc in xml(shimen).iter(f"{W}tc") if tc.find(f"{W}tcPr/{W}textDirection") is not None]
    assert ["".join(tc.itertext()) for tc in vertical] == [VERTICAL]
    assert vertical[0].find(f"{W}tcPr/{W}textDirection").get(f"{W}val") == "tbRl"


def test_a_page_may_end_only_between_groups_and_never_beside_a_lone_row(shimen) -> None:
    assert breaks(layout("B")) == set()  # its only gap between groups (after 二) would leave two rows: kept whole
    assert breaks(layout("C")) == set()
    assert breaks(layout("A")) == {3, 6, 10}  # before the blocks （五）（六）（八）, each opening with its caption
    rows = 12  # a table of one header row and twelve plain rows, as the comparison with last year
    plain = Grid("Y", tuple(GridCell(str(r), r, 0, header=r == 0, role=HEADER if r == 0 else "") for r in range(rows + 1)),
                 (1.0,), 1)
    assert breaks(plain) == set(range(MIN_ROWS, rows - MIN_ROWS + 1))  # three rows at least on either side
    tables = xml(shimen).findall(f".//{W}tbl")
    for tbl, key in zip(tables, "ABC"):
        kept = [r for r, tr in enumerate(tbl.findall(f"{W}tr"))
                if all(p.find(f"{W}pPr/{W}keepNext") is not None for p in tr.iter(f"{W}p"))]
        assert kept == sorted(set(range(layout(key).n_rows - 1)) - breaks(layout(key))), key
    styles = xml(shimen, "word/styles.xml")
    assert styles.find(f"{W}style[@{W}styleId='Heading1']/{W}pPr/{W}keepNext") is not None  # a part's heading, with its table


# ---------------------------------------------------------------- as LibreOffice lays it out


@dataclass
class Drawn:
    """A table as LibreOffice drew it on one page: its box, its cells' boxes, its rows of cell texts."""

    bbox: tuple[float, float, float, float]
    cells: list[tuple[float, float, float, float]]
    rows: list[list[str | None]]


@dataclass
class Page:
    number: int
    lines: list[str]
    chars: list[dict]
    tables: list[Drawn]


def convert(sources: list[Path], out: Path) -> list[Path]:
    """Every source converted to PDF by one LibreOffice run with its own profile; waits for every file."""
    profile = out / "profile"
    subprocess.run([office(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *map(str, sources)], check=True, capture_output=True, timeout=600)
    made = [out / f"{s.stem}.pdf" for s in sources]
    deadline = time.monotonic() + 120
    while not all(p.is_file() and p.stat().st_size for p in made) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert all(p.is_file() for p in made), [p.name for p in made if not p.is_file()]
    return made


def read_pages(path: Path) -> list[Page]:
    with pdfplumber.open(path) as pdf:
        return [Page(page.page_number, [line for line in (page.extract_text() or "").splitlines() if line.strip()],
                     list(page.chars), [Drawn(t.bbox, list(t.cells), t.extract()) for t in page.find_tables()])
                for page in pdf.pages]


@pytest.fixture(scope="module")
def laid_out(tmp_path_factory) -> dict[str, list[Page]]:
    """Every bundled example, shimen's report pushed down by 10–17 lines before part 二, and shimen's with a
    paragraph a leader added: each converted once, its pages read."""
    folder = tmp_path_factory.mktemp("word-layout")
    sources = {f"{agency}-{year}": docx_of(blocks(report(agency, year)), agency, year) for agency, year in EXAMPLES}
    for lines in range(10, 18):  # table 三 pushed past a page's foot; table 二 reaching past it by one block, two, three
        sources[f"padded-{lines}"] = padded(lines)
    document = Document(io.BytesIO(sources["shimen-2024"]))
    document.paragraphs[1].insert_paragraph_before("领导加的一段，与其他各段一样首行缩进两字。")
    buf = io.BytesIO()
    document.save(buf)
    sources["leader"] = buf.getvalue()
    for name, raw in sources.items():
        (folder / f"{name}.docx").write_bytes(raw)
    return {pdf.stem: read_pages(pdf) for pdf in convert([folder / f"{n}.docx" for n in sources], folder / "pdf")}


def cells(pages: list[Page]):
    """(page number, cell text with its line breaks) for every cell LibreOffice drew."""
    for page in pages:
        for table in page.tables:
            for row in table.rows:
                for text in row:
                    if text:
                        yield page.number, text


def figure_headers(table: str) -> set[str]:
    """The headings of the figure columns: 自然人, 商业企业 … 总计; 结果维持 … 总计."""
    grid = layout(table)
    return {c.text for c in grid.cells if c.row < grid.header_rows and c.colspan == 1 and c.rowspan < grid.header_rows}


@pytest.mark.office
def test_header_words_wrap_into_lines_of_two_characters_as_the_format_prints_them(laid_out) -> None:
    words = figure_headers("B") | figure_headers("C")
    assert {"商业企业", "社会公益组织", "结果维持", "尚未审结"} <= words
    for name, pages in laid_out.items():
        seen: dict[str, list[list[str]]] = {}
        for _, text in cells(pages):
            if text.replace("\n", "") in words:
                seen.setdefault(text.replace("\n", ""), []).append(text.split("\n"))
        assert set(seen) == words, (name, words - set(seen))
        for header, each in seen.items():
            for lines in each:
                assert len(lines) <= max(2, math.ceil(len(header) / 2)), (name, lines)  # one line or two (社会/公益/组织)
                assert all(len(line) >= 2 for line in lines[:-1]), (name, lines)  # never one character a line
        assert seen["商业企业"] == [["商业", "企业"]] and seen["结果维持"] == [["结果", "维持"]] * 3, name
        assert seen["总计"] == [["总计"]] * 4, name


@pytest.mark.office
def test_no_line_in_a_cell_starts_with_a_closing_bracket_or_ends_with_an_opening_one(laid_out) -> None:
    labels = 0
    for name, pages in laid_out.items():
        for number, text in cells(pages):
            if text.replace("\n", "") == VERTICAL:
                continue
            lines = text.split("\n")
            assert not [line for line in lines[1:] if line[0] in CLOSING], (name, number, text)
            assert not [line for line in lines[:-1] if line[-1] in OPENING], (name, number, text)
            labels += text.replace("\n", "") == "（三）不予公开"
    assert labels == len(laid_out)  # in every document


@pytest.mark.office
def test_every_character_of_a_table_sits_inside_its_cell_and_the_tables_fill_the_text_block(laid_out) -> None:
    for name, pages in laid_out.items():
        for page in pages:
            for table in page.tables:
                x0, top, x1, bottom = table.bbox
                assert abs((x1 - x0) * PT - PAGE.text_width) < 1, (name, page.number)
                inside = [c for c in page.chars
                          if x0 <= (c["x0"] + c["x1"]) / 2 <= x1 and top <= (c["top"] + c["bottom"]) / 2 <= bottom]
                loose = [c["text"] for c in inside if not any(
                    b[0] - 0.5 <= c["x0"] and c["x1"] <= b[2] + 0.5 and b[1] - 0.5 <= c["top"] and c["bottom"] <= b[3] + 0.5
                    for b in table.cells)]
                assert inside and not loose, (name, page.number, "".join(loose))


def pages_of(pages: list[Page], text: str) -> list[int]:
    """The pages with a line of text holding ``text``."""
    return [p.number for p in pages if any(text in line for line in p.lines)]


def table_pages(pages: list[Page], label: str) -> list[int]:
    """The pages with a table cell reading ``label``."""
    return [p.number for p in pages if any(label == (text or "").replace("\n", "")
                                           for t in p.tables for row in t.rows for text in row)]


@pytest.mark.office
def test_tables_stay_whole_or_break_between_blocks_with_their_headings_and_no_lone_rows(laid_out) -> None:
    captions = {"第二十条第（一）项": ("规章", "行政规范性文件"), "第二十条第（五）项": ("行政许可",),
                "第二十条第（六）项": ("行政处罚", "行政强制"), "第二十条第（八）项": ("行政事业性收费",)}
    split = {}
    for name, pages in laid_out.items():
        assert all(len(t.rows) >= MIN_ROWS for p in pages for t in p.tables), name  # no lone row atop or at the foot
        three = pages_of(pages, "三、收到和处理政府信息公开申请情况")
        assert len(three) == 1, name
        assert three == table_pages(pages, "一、本年新收政府信息公开申请数量") == table_pages(pages, "四、结转下年度继续办理"), name
        assert three == table_pages(pages, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"), name
        four = pages_of(pages, "四、政府信息公开行政复议、行政诉讼情况")
        assert four == table_pages(pages, "行政复议") == table_pages(pages, "复议后起诉"), name
        two = pages_of(pages, "二、主动公开政府信息情况")
        assert two == table_pages(pages, "第二十条第（一）项"), name  # the heading with its table
        for caption, labels in captions.items():
            assert len(table_pages(pages, caption)) == 1, (name, caption)
            assert all(table_pages(pages, label) == table_pages(pages, caption) for label in labels), (name, caption)
        continued = [caption for caption in captions if table_pages(pages, caption) != two]
        if continued:
            split[name] = continued[0]
    assert "yueyanglou-2024" in split  # table 二 does cross pages, and before each of its blocks in some document
    assert set(split.values()) == {"第二十条第（五）项", "第二十条第（六）项", "第二十条第（八）项"}


@pytest.mark.office
def test_a_paragraph_a_leader_adds_is_indented_two_characters_like_the_rest(laid_out) -> None:
    page = laid_out["leader"][0]
    lines: dict[int, list[dict]] = {}
    for c in page.chars:
        lines.setdefault(round(c["top"]), []).append(c)
    starts = {"".join(ch["text"] for ch in sorted(cs, key=lambda ch: ch["x0"]))[:6]: min(ch["x0"] for ch in cs)
              for cs in lines.values()}
    indent = 2 * PAGE.body_pt
    assert abs(starts["领导加的一段"] - PAGE.left / PT - indent) < 1
    assert abs(starts["根据《中华人"] - PAGE.left / PT - indent) < 1  # as the paragraph the kit wrote
