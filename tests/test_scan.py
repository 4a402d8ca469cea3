"""Scanned reports: figures in doubt settled by the format's relations or left "?" with what they were read
as; labels a scan misreads; the bounds a hostile picture meets; and (marked ``ocr``) real layouts as
pictures — rasterised, turned, JPEG-compressed, stamped — read back without a silently wrong figure."""

from __future__ import annotations

import difflib
import io
import os
import stat
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from nianbao.errors import DataError
from nianbao.format import PARTS
from nianbao.grid import fill, layout
from nianbao.importer import ocr, read_report, read_source
from nianbao.importer.pages import html_source
from nianbao.importer.parse import parse
from nianbao.importer.parts import find_parts
from nianbao.importer.readings import _read_as, row_specs
from nianbao.importer.scan import paragraphs
from nianbao.importer.sources import Cell, Scanned, Source
from nianbao.load import read_yaml
from nianbao.model import ReportData
from nianbao.tables import to_html

from .conftest import ROOT, require_shared

SHARED = Path(__file__).resolve().parents[2] / "shared"
DATA = ROOT / "data" / "2024" / "jiangbin.yaml"
SENTINEL = 987_000  # a figure no report prints, to find a cell in the page


@pytest.fixture(scope="module")
def data() -> ReportData:
    return read_yaml(DATA)


def page(data: ReportData) -> str:
    body = []
    for part in PARTS:
        body.append(f"<h2>{part.heading}</h2>")
        body.extend((f"<h3>{s.title}</h3>" if s.title else "") + f"<p>{data.narrative.get(f'{part.key}.{s.key}', '')}</p>"
                    for s in part.sections)
        if part.table:
            body.append(to_html(fill(layout(part.table), data)))
    return f"<html><body><h1>青川市某单位{data.year}年政府信息公开工作年度报告</h1>{''.join(body)}</body></html>"


def as_scanned(data: ReportData, doubts: dict[str, tuple[str, ...]] | None = None, *, labels: dict[str, str] | None = None,
               without: str = "") -> Source:
    """The kit's own tables of ``data`` as a scan reads them: every cell read with confidence 95, but each
    cell of ``doubts`` in doubt between the readings given, each label of ``labels`` misread as given,
    and the table ``without`` not found at all.
    """
    doubts = doubts or {}
    marked = data.with_cells({key: SENTINEL + n for n, key in enumerate(doubts)})
    source = html_source(page(marked))
    choices = {str(SENTINEL + n): readings for n, readings in enumerate(doubts.values())}
    seen: dict[int, Cell] = {}

    def scan(cell: Cell) -> Cell:
        if id(cell) not in seen:
            text = (labels or {}).get(cell.text, cell.text)
            if cell.text in choices:
                said = " 或 ".join(choices[cell.text])
                seen[id(cell)] = replace(cell, text="?", scanned=Scanned(40, choices[cell.text], f"扫描件中此格识别不确定：读作 {said}"))
            else:
                seen[id(cell)] = replace(cell, text=text, scanned=Scanned(95))
        return seen[id(cell)]

    grids = {k: tuple(tuple(tuple(scan(c) for c in row) for row in grid) for grid in v)
             for k, v in source.grids.items() if k != without}
    return replace(source, grids=grids, scanned="Tesseract")


def test_a_figure_in_doubt_is_taken_where_exactly_one_reading_fits_the_rows_sum(data: ReportData) -> None:
    true = data.cells["B.new.natural"]
    imported = parse(as_scanned(data, {"B.new.natural": (str(true + 5), str(true))}))
    assert imported.data.cells == data.cells
    derived = imported.derived()["B.new.natural"]
    assert derived.startswith("B-ROWSUM ") and f"读作 {true + 5} 或 {true}" in derived
    assert f"唯一符合 B-ROWSUM 的读法为 {true}" in derived
    assert any("按规则推算 1 格" in line for line in imported.lines())


def test_a_figure_no_relation_can_decide_is_unknown_with_what_it_was_read_as(data: ReportData) -> None:
    true = data.cells["A.penalty.decisions"]
    imported = parse(as_scanned(data, {"A.penalty.decisions": (str(true), str(true + 3))}))
    assert imported.data.cells["A.penalty.decisions"] == "?"
    assert imported.unknown() == {"A.penalty.decisions": f"扫描件中此格识别不确定：读作 {true} 或 {true + 3}，勾稽关系无法确定"}
    assert {k: v for k, v in imported.data.cells.items() if k != "A.penalty.decisions"} == \
        {k: v for k, v in data.cells.items() if k != "A.penalty.decisions"}


def test_two_figures_in_doubt_that_fit_the_sum_either_way_stay_unknown(data: ReportData) -> None:
    """表四's 行政复议: 结果维持 0 or 1 and 尚未审结 1 or 0 add up to the printed 总计 either way."""
    assert (data.cells["C.cases.review_upheld"], data.cells["C.cases.review_pending"], data.cells["C.cases.review_total"]) == (0, 1, 1)
    imported = parse(as_scanned(data, {"C.cases.review_upheld": ("0", "1"), "C.cases.review_pending": ("1", "0")}))
    assert imported.data.cells["C.cases.review_upheld"] == imported.data.cells["C.cases.review_pending"] == "?"
    assert set(imported.unknown()) == {"C.cases.review_upheld", "C.cases.review_pending"}
    assert imported.data.cells["C.cases.review_total"] == 1


def test_a_doubt_the_relations_across_rows_settle_is_derived_by_them(data: ReportData) -> None:
    """Two doubts in one row of 表三 that its own sum cannot tell apart; the column sums can."""
    natural, commercial = data.cells["B.new.natural"], data.cells["B.new.commercial"]
    imported = parse(as_scanned(data, {"B.new.natural": (str(natural), str(natural + 1)),
                                       "B.new.commercial": (str(commercial - 1), str(commercial))}))
    assert imported.data.cells == data.cells
    derived = imported.derived()
    assert set(derived) == {"B.new.natural", "B.new.commercial"}
    assert all("B-BALANCE" in reason or "B-COLSUM" in reason for reason in derived.values())


def test_a_certain_figure_carries_its_confidence(data: ReportData) -> None:
    imported = parse(as_scanned(data))
    assert imported.data.cells == data.cells
    assert imported.data.provenance["A.penalty.decisions"] == "read: 扫描识别，置信度 95"
    assert imported.unknown() == {} and imported.derived() == {}
    assert any("扫描件，由 Tesseract 识别" in n for n in imported.notes)


def test_a_label_misread_by_a_character_finds_its_row_only_in_a_scan(data: ReportData) -> None:
    misread = {"一、本年新收政府信息公开申请数量": "一、本年新收政府信息公开中请数量"}
    scanned = parse(as_scanned(data, labels=misread))
    assert scanned.data.cells == data.cells
    typed = replace(as_scanned(data, labels=misread), scanned="")
    typed = replace(typed, grids={k: tuple(tuple(tuple(replace(c, scanned=None) for c in row) for row in g) for g in v)
                                  for k, v in typed.grids.items()})
    assert parse(typed).data.cells["B.new.total"] == "?"  # a typed page's label is read as typed


@pytest.mark.parametrize("label, misread, key", [
    ("5.要求行政机关确认或重新出具已获取信息", "5要求行政机关确必或重新出", "refused_confirm"),
    ("1.属于国家秘密", "l属千囯家科密", "withheld_secret"),  # beside its heading （三）不予公开
])
def test_a_row_whose_label_ocr_lost_is_placed_by_the_rows_either_side(data: ReportData, label: str, misread: str,
                                                                       key: str) -> None:
    imported = parse(as_scanned(data, labels={label: misread}))
    assert imported.data.cells == data.cells
    assert f"行标签读作“{misread}”，按上下两行定为“{label}”" in imported.data.provenance[f"B.{key}.total"]


def test_a_row_is_not_placed_by_neighbours_two_rows_apart_or_on_a_typed_page(data: ReportData) -> None:
    both = {"1.属于国家秘密": "l属千囯家科密", "2.其他法律行政法规禁止公开": "2其它法建行攻法规"}
    imported = parse(as_scanned(data, labels=both))  # two lost labels side by side: neither placed
    assert imported.data.cells["B.withheld_secret.total"] == imported.data.cells["B.withheld_law.total"] == "?"


def test_a_short_misread_label_is_read_as_no_row_but_placed_by_its_neighbours(data: ReportData) -> None:
    """“（X）总” is as near 七、总计 as anything: short labels are not read as a row; its place in the table is."""
    assert _read_as("(X)总", row_specs("B", "2021")) is None
    imported = parse(as_scanned(data, labels={"（七）总计": "（X）总"}))
    assert imported.data.cells == data.cells
    assert "按上下两行定为“（七）总计”" in imported.data.provenance["B.total.total"]


def test_a_table_the_scan_did_not_find_is_unknown_never_blank(data: ReportData) -> None:
    imported = parse(as_scanned(data, without="C"))
    unknown = imported.unknown()
    assert {k for k in unknown if k.startswith("C.")} == {k for k in data.cells if k.startswith("C.")}
    assert all(v.startswith("扫描件中找不到表四") for k, v in unknown.items() if k.startswith("C."))


def test_a_fee_figure_a_scan_did_not_read_is_unknown_not_blank(data: ReportData) -> None:
    """A typed page that states no fee figure leaves it blank; on a scan the sentence may have been misread."""
    silent = data.with_narrative({"other.text": "本年度政务公开工作要点确定的各项任务已按期完成。"})
    imported = parse(as_scanned(silent, without="F"))  # no fee table: part 六's sentences only
    assert {k: imported.data.cells[k] for k in ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected")} == \
        dict.fromkeys(("F.fee.notices", "F.fee.notice_amount", "F.fee.collected"), "?")
    assert imported.unknown()["F.fee.collected"].startswith("扫描件第六部分中没有读出此数")
    typed = parse(replace(html_source(page(silent)), grids={}))
    assert typed.data.cells["F.fee.collected"] is None


def test_a_scans_lines_are_joined_into_its_paragraphs() -> None:
    text = ("一、总体情况\n（一）主动公开\n2024年，街道主动公开各类信息398条，重点围绕老旧小区\n改造。\n\n"
            "（二）依申请公开\n全年收到申请11件，办结10件，结转下年度1件，所有申请均在\n法定期限内答复。")
    assert paragraphs(text) == ["一、总体情况", "（一）主动公开", "2024年，街道主动公开各类信息398条，重点围绕老旧小区改造。",
                                "（二）依申请公开", "全年收到申请11件，办结10件，结转下年度1件，所有申请均在法定期限内答复。"]


@pytest.mark.parametrize("heading", ["、、总体情况", "7、总体情况", "-总体情况"])
def test_a_part_heading_whose_number_ocr_misread_is_found_in_a_scans_text_only(heading: str) -> None:
    text = f"某某年度报告\n{heading}\n正文。\n二、主动公开政府信息情况\n表。"
    assert "overview" in find_parts(text, loose=True).spans
    assert "overview" not in find_parts(text).spans


# ---------------------------------------------------------------- hostile pictures: bounded, refused with the file named


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` × ``height`` and holds one row of pixels: a decompression bomb's head."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * (width + 1))) + chunk(b"IEND", b"")


def gif() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("L", (2000, 2800), 255).save(buf, format="GIF")
    return buf.getvalue()


def blank_pdf(pages: int, size: float = 595) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(size, size * 1.414)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


@pytest.mark.parametrize("name, content, message", [
    ("bomb.png", png_header(60_000, 60_000), "图片的像素数远超上限（上限 50 百万像素）"),
    ("large.png", png_header(9_000, 9_000), "图片有 9000 × 9000 像素（上限 50 百万像素）"),
    ("small.png", png_header(600, 850), "约 73 dpi（至少 140 dpi）"),
    ("moving.png", gif(), "图片格式为 GIF，只能导入 PNG 或 JPEG"),
    ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "无法读取图片：不是 PNG 或 JPEG，或文件已损坏"),
    ("scan.pdf", blank_pdf(40), "扫描件 PDF 有 40 页（上限 30 页）"),
    ("many.pdf", blank_pdf(1000), "PDF 有 1000 页（上限 100 页）"),
    ("poster.pdf", blank_pdf(1, 14_400), "百万像素（上限 50）"),
])
def test_a_hostile_picture_is_refused_before_it_is_read(tmp_path: Path, name: str, content: bytes, message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        read_source(path)
    assert message in caught.value.message
    assert caught.value.file == path or str(caught.value.file) == str(path)


def test_without_the_ocr_engine_a_scan_says_what_to_install(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(blank_pdf(2))
    monkeypatch.setattr(ocr, "_languages", lambda: None)
    with pytest.raises(DataError) as caught:
        read_source(path)
    assert "tesseract" in caught.value.message and "apt-get install tesseract-ocr tesseract-ocr-chi-sim" in caught.value.hint


def test_an_engine_that_never_finishes_is_stopped_with_a_clear_message(tmp_path: Path, monkeypatch) -> None:
    """The engine's work is bounded: a run past the time limit is stopped, not waited for."""
    engine = tmp_path / "tesseract"
    engine.write_text("#!/bin/sh\nif [ \"$1\" = --list-langs ]; then printf 'langs\\nchi_sim\\neng\\n'; exit 0; fi\n"
                      "exec sleep 600\n")
    engine.chmod(engine.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(ocr, "TIMEOUT", 1)
    ocr._languages.cache_clear()
    try:
        with pytest.raises(DataError) as caught:
            ocr.page_text(png_header(10, 10))
        assert "超过 1 秒" in caught.value.message
    finally:
        ocr._languages.cache_clear()


# ---------------------------------------------------------------- real layouts as pictures (Tesseract)


def pictured(pdf: Path, dpi: int, *, angle: float = 0, jpeg: int = 0, seal: bool = False) -> bytes:
    """The PDF's pages as a scan gives them: rasterised at ``dpi``, turned by ``angle`` degrees, JPEG at
    quality ``jpeg``, a red seal stamped over the last page's signature; as an image-only PDF.
    """
    import pypdfium2 as pdfium
    from PIL import Image, ImageDraw

    pages = []
    document = pdfium.PdfDocument(str(pdf))
    for n in range(len(document)):
        image = document[n].render(scale=dpi / 72).to_pil().convert("RGB")
        if seal and n == len(document) - 1:
            draw = ImageDraw.Draw(image, "RGBA")
            x, y, r = int(image.width * 0.72), int(image.height * 0.55), int(dpi * 0.8)
            draw.ellipse((x - r, y - r, x + r, y + r), outline=(220, 30, 30, 200), width=max(3, dpi // 40))
            draw.regular_polygon((x, y, r // 3), 5, fill=(220, 30, 30, 180))
        if angle:
            image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor="white")
        if jpeg:
            buf = io.BytesIO()
            image.save(buf, format="JPEG", quality=jpeg)
            image = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
        pages.append(image)
    document.close()
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:], resolution=dpi)
    return out.getvalue()


def wrongly_read(truth: ReportData, read: ReportData) -> dict[str, tuple[object, object]]:
    """Cells read as a figure other than the truth's: what must never happen."""
    return {k: (v, read.cells[k]) for k, v in truth.cells.items() if read.cells[k] != v and read.cells[k] != "?"}


needs_engine = pytest.mark.skipif(ocr._languages() is None, reason="tesseract is not installed (bash scripts/setup.sh installs it)")


@pytest.mark.ocr
@needs_engine
@pytest.mark.parametrize("year, dpi, angle, jpeg, least", [(2023, 150, 1.5, 70, 0.5), (2024, 300, -1.5, 0, 0.8)])
def test_a_real_report_scanned_reads_back_without_a_wrong_figure(tmp_path: Path, year: int, dpi: int, angle: float,
                                                                  jpeg: int, least: float) -> None:
    """Never a wrong figure; and most figures read (a 150 dpi scan, turned and JPEG-compressed, loses some rows)."""
    pdf = require_shared(SHARED / "corpus" / f"hongze-{year}.pdf")
    truth = read_report(pdf)  # its text layer
    path = tmp_path / "scan.pdf"
    path.write_bytes(pictured(pdf, dpi, angle=angle, jpeg=jpeg, seal=True))
    scanned = read_report(path, jobs=2)
    assert scanned.data.year == year
    assert difflib.SequenceMatcher(None, scanned.name, truth.name).ratio() >= 0.8  # a character may be misread:
    assert any("标题和叙述是识别结果" in note for note in scanned.notes)  # … and the import says so
    assert wrongly_read(truth.data, scanned.data) == {}
    differing = {k for k, v in truth.data.cells.items() if scanned.data.cells[k] != v}
    assert differing <= set(scanned.unknown())
    assert all(v.startswith(("扫描件", "原文")) for v in scanned.unknown().values())
    figures = [k for k in truth.data.cells if k[0] in "ABC" and isinstance(truth.data.cells[k], int)]
    assert sum(scanned.data.cells[k] == truth.data.cells[k] for k in figures) >= least * len(figures)


@pytest.mark.ocr
@needs_engine
@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_a_page_photo_reads_its_table_cell_by_cell(tmp_path: Path, turn: int) -> None:
    """One page of 表三, photographed (JPEG at 200 dpi), upright, on its side or upside down: its figures
    as printed, or "?" with the reason."""
    import pypdfium2 as pdfium

    pdf = require_shared(SHARED / "corpus" / "hongze-2024.pdf")
    truth = read_report(pdf).data
    document = pdfium.PdfDocument(str(pdf))
    number = next(n for n in range(len(document)) if "本年新收" in document[n].get_textpage().get_text_range())
    image = document[number].render(scale=200 / 72).to_pil().convert("RGB").rotate(turn, expand=True)
    document.close()
    path = tmp_path / "page.jpg"
    image.save(path, format="JPEG", quality=80)
    read = read_report(path, agency="hongze", year=2024, jobs=2)
    assert wrongly_read(truth, read.data) == {}  # the other tables, not on the page, are unknown: never blank
    figures = [k for k in truth.cells if k.startswith("B.") and read.data.cells[k] != "?"]
    assert len(figures) >= 7 * 5  # at least five rows of 表三 read


@pytest.mark.ocr
@pytest.mark.tex
@needs_engine
@pytest.mark.parametrize("agency, dpi, angle, jpeg", [("jiangbin", 200, 1.5, 70), ("yueyanglou", 150, -1.5, 0)])
def test_a_bundled_reports_publication_pdf_scanned_reads_back_to_its_data(tmp_path: Path, agency: str, dpi: int,
                                                                           angle: float, jpeg: int) -> None:
    from nianbao.edition import blocks, pdf
    from nianbao.params import Project
    from nianbao.render import source_date_epoch
    from nianbao.report import validate

    report = validate(Project(ROOT), agency, 2024)
    printed = tmp_path / "published.pdf"
    printed.write_bytes(pdf.to_pdf(blocks(report), report.title, source_date_epoch(report.data)))
    path = tmp_path / "scan.pdf"
    path.write_bytes(pictured(printed, dpi, angle=angle, jpeg=jpeg, seal=True))
    scanned = read_report(path, agency=agency, jobs=2)
    assert scanned.data.year == 2024
    assert wrongly_read(report.data, scanned.data) == {}
    figures = [k for k, v in report.data.cells.items() if k[0] in "ABC" and isinstance(v, int)]
    assert sum(scanned.data.cells[k] == report.data.cells[k] for k in figures) >= 0.8 * len(figures)


def test_a_page_whose_words_are_not_a_reports_is_garbled() -> None:
    """The share of the format's own characters tells an upright page from one the engine read upside down."""
    from nianbao.importer.scan import Page, garbled
    from nianbao.importer.sources import Cell

    upright = "本机关认真贯彻落实政府信息公开条例，全年主动公开政府信息，依申请公开办理及时，行政复议和行政诉讼均无。"
    upside_down = "卫丫旦巳巾乂丶丨亻尸乜丬弋彳廾卅丌乇囗彡夂夊亠冖宀勹匚卩厶阝刂"  # what a page upside down reads as
    assert not garbled(Page(text=upright)) and garbled(Page(text=upside_down))
    assert not garbled(Page(text=upside_down[:10]))  # too few characters to say
    cells = ((Cell("本年新收政府信息公开申请数量", 0, 0), Cell("12", 0, 1)), (Cell("予以公开", 1, 0), Cell("3", 1, 1)))
    assert not garbled(Page(text=upside_down[:20], grids=[cells] * 2))  # the tables' words count too


@pytest.mark.parametrize("turn, turned", [(0, False), (90, True), (270, True)])
def test_a_page_on_its_side_is_told_from_its_rows_and_columns_of_ink(turn: int, turned: bool) -> None:
    """Lines of text across the page make its rows of ink sharper than its columns; on its side, not."""
    from PIL import Image, ImageDraw

    from nianbao.importer.pictures import maybe_turned

    page = Image.new("L", (1240, 1754), 255)
    draw = ImageDraw.Draw(page)
    for line in range(40):  # lines of text: dark strokes of characters in a row, rows apart
        y, x = 120 + line * 38, 100 + (line * 11) % 26
        while x < 1100:
            width = 8 + (x * 7 + line) % 15
            draw.rectangle((x, y, x + width, y + 20), fill=0)
            x += width + 6 + (x + line) % 9
    assert maybe_turned(page.rotate(turn, expand=True)) is turned


@pytest.mark.parametrize("names, message", [
    (["第1页.jpg", "说明.docx"], "说明.docx 不是 PNG 或 JPEG 图片"),
    ([], "目录中没有图片"),
    ([f"p{n}.png" for n in range(31)], "目录中有 31 张图片（上限 30 页）"),
])
def test_a_folder_of_page_pictures_holds_those_only(tmp_path: Path, names: list[str], message: str) -> None:
    """A folder is one report's pages: anything else in it is refused (a page may be missing), naming the folder."""
    folder = tmp_path / "年报照片"
    folder.mkdir()
    for name in names:
        (folder / name).write_bytes(png_header(2000, 2800))
    (folder / ".DS_Store").write_bytes(b"\0")  # what a file manager leaves: not a page
    with pytest.raises(DataError) as caught:
        read_source(folder)
    assert message in caught.value.message and str(folder) in str(caught.value)


def test_a_folders_pages_are_in_the_order_a_person_reads_their_names() -> None:
    from nianbao.importer.files import _natural

    names = ["第10页.jpg", "第2页.JPG", "第1页.png", "IMG_0012.jpg", "IMG_0009.jpg"]
    assert sorted(names, key=lambda n: _natural(Path(n))) == ["IMG_0009.jpg", "IMG_0012.jpg", "第1页.png", "第2页.JPG",
                                                               "第10页.jpg"]


@pytest.mark.ocr
@needs_engine
def test_a_report_photographed_page_by_page_into_a_folder_reads_as_one(tmp_path: Path) -> None:
    """Each page a JPEG at 200 dpi, the second on its side, the third upside down: one report, no wrong figure, most read."""
    import pypdfium2 as pdfium

    pdf = require_shared(SHARED / "corpus" / "hongze-2024.pdf")
    truth = read_report(pdf).data
    folder = tmp_path / "photos"
    folder.mkdir()
    document = pdfium.PdfDocument(str(pdf))
    for n in range(len(document)):
        image = document[n].render(scale=200 / 72).to_pil().convert("RGB")
        turn = {1: 90, 2: 180}.get(n, 0)  # the second page on its side, the third upside down
        image.rotate(turn, expand=True).save(folder / f"第{n + 1}页.jpg", format="JPEG", quality=85)
    document.close()
    read = read_report(folder, jobs=2)
    assert read.data.year == 2024 and wrongly_read(truth, read.data) == {}
    figures = [k for k in truth.cells if k[0] in "ABC" and isinstance(truth.cells[k], int)]
    assert sum(read.data.cells[k] == truth.cells[k] for k in figures) >= 0.8 * len(figures)
