"""A Source → an :class:`Imported`: the one pure parser, and its shortcuts for text and markup."""

from __future__ import annotations

from dataclasses import replace as dc_replace

from .. import characters
from ..errors import DataError
from ..format import FORMAT_2019_MARKS, FORMAT_NOTICE_2019
from ..model import ReportData, date_problem, empty_cells
from .cells import place_table
from .dates import PUBLISHED, iso_date
from .fees import fees_from_grid, fees_from_text, scanned_fees
from .identity import find_title, identity
from .imported import Imported
from .labels import canonical, compacted
from .narrative import narrative_of
from .pages import html_source
from .parts import Parts, find_parts
from .sources import Cell, Source, text_source


def parse(source: Source, *, agency: str | None = None, year: int | None = None, untold_year: int | None = None,
          untold_name: str = "") -> Imported:
    """A Source as report data: every value placed with certainty, the rest unknown with the reason."""
    where = {"file": source.path} if source.path else {}
    source = _visible(source)
    loose = bool(source.scanned)  # OCR misreads a heading's number: “一、” as “、、”, “六、” as “7、”
    in_text, in_prose = find_parts(source.text, loose=loose), find_parts(source.prose, loose=loose)
    if not source.grids and len(in_text.spans) < 2:
        raise DataError(
            "不像是政府信息公开工作年度报告：找不到年报各部分的标题（如“一、总体情况”“三、收到和处理政府信息公开申请情况”）",
            hint="请导入年报正文所在的网页、从网页复制的全文，或单位发布的 PDF",
            **where,
        )
    in_prose_title = find_title(source.prose, in_prose.first())
    name, year, agency, notes, manifest = identity(source, in_prose_title, agency, year, untold_year, untold_name)
    fmt = "2019" if _is_2019(source, in_text) else "2021"
    if fmt == "2019":
        notes.append(f"识别为旧格式（{FORMAT_NOTICE_2019}，2019、2020 年度报告所用）：表三、表四照旧导入；"
                     "表二只有行政许可、行政处罚、行政强制的处理决定数量与现行格式对应，其余各格记为无法确定")
    narrative, headings, signed, more = narrative_of(source.prose, in_prose, in_prose_title[2] if in_prose_title else 0)
    narrative, unshown = _drawable(narrative)
    notes += unshown
    placed = [place_table(key, source, in_text, fmt) for key in ("A", "B", "C")]
    fees = fees_from_grid(source)
    if fees is None and source.scanned:
        fees = scanned_fees(narrative.get("other.text"))
    placed.append(fees or fees_from_text(narrative.get("other.text", "")))
    cells, provenance, table_notes = empty_cells(), {}, {}
    for key, table in zip("ABCF", placed):
        cells.update(table.cells)
        provenance.update(table.provenance)
        if table.note:
            table_notes[key] = table.note
    notes += [n for table in placed for n in table.notes] + more
    if source.scanned:
        notes.append(f"扫描件，由 {source.scanned} 识别：表格中的数字逐格识别，识别不确定的格按勾稽关系确定或记为无法确定；"
                     "标题和叙述是识别结果，单位名称和文字可能有错字，请对照原件")
    published = _published(source, signed)
    if published and (problem := date_problem(published, year)):
        notes.append(f"原文的日期 {published} {problem}，未采用")
        published = ""
    data = ReportData(
        agency=agency,
        year=year,
        cells=cells,
        narrative=narrative,
        published=published,
        notes=table_notes,
        source=source.path,
        provenance=provenance,
        headings=headings,
    )
    if source.title and find_title(source.title, None):
        read_from = source.title_from
    else:
        read_from = "正文的标题行" if in_prose_title else "页面中的标题"
    read_from = {"told": "清单", "differs": f"{read_from}（与清单不符，按标题）"}.get(manifest, read_from)
    return Imported(data, name, fmt, tuple(notes), read_from, scanned=bool(source.scanned))


def parse_text(text: str, **kw) -> Imported:
    """Import copied text (see :func:`parse` for the keywords)."""
    return parse(text_source(text), **kw)


def parse_html(markup: str, **kw) -> Imported:
    """Import a saved web page (see :func:`parse` for the keywords)."""
    return parse(html_source(markup), **kw)


def _drawable(narrative: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """The narrative with what the report cannot show (an emoji, a character no font has) marked, and
    a note of it.
    """
    kept, gone = {}, ""
    for key, text in narrative.items():
        kept[key], lost = characters.drawable(text)
        gone += "".join(ch for ch in lost if ch not in gone)
    if not gone:
        return kept, []
    return kept, [f"原文的叙述中有报告的字体显示不了的字符（{'、'.join(gone)}），导入时换成了“{characters.MISSING}”；"
                  "是生僻字的请改用通行写法或加注，表情符号等请删除"]


def _is_2019(source: Source, parts: Parts) -> bool:
    """Table A (the part 二 it stands in, or a web page's table A) prints a word only the 2019 format has."""
    region = parts.region("active", len(source.text))
    text = source.text[region[0]:region[1]] if region else source.text
    text += "".join(c.text for grid in source.grids.get("A", ()) for row in grid for c in row)
    compact = compacted(text)
    return any(compacted(m) in compact for m in FORMAT_2019_MARKS)


def _published(source: Source, signed: str) -> str:
    match = PUBLISHED.search(canonical(source.page))
    return iso_date(match.groups()) if match else signed  # type: ignore[arg-type]


def _visible(source: Source) -> Source:
    """The source without the characters nobody sees (direction marks, zero-width spaces, controls), which
    would hide a heading or a label from the parser and which no report may hold (:mod:`nianbao.characters`).
    Blank cells are already marked, so no line that stood for one is lost.
    """
    clean = characters.printable
    seen: dict[int, Cell] = {}  # a spanning cell recurs in its grid: it stays one cell

    def cell(c: Cell) -> Cell:
        if id(c) not in seen:
            text = clean(c.text)
            seen[id(c)] = c if text == c.text else dc_replace(c, text=text)
        return seen[id(c)]

    grids = {k: tuple(tuple(tuple(cell(c) for c in row) for row in grid) for grid in grids)
             for k, grids in source.grids.items()}
    return dc_replace(source, text=clean(source.text), prose=clean(source.prose), page=clean(source.page),
                      title=clean(source.title), grids=grids)
