"""Published annual reports back into data: the saved web page, the text copied from it, or the PDF.

Three thin readers turn a file into a :class:`Source` — the report as text with every table cell on
a line of its own (as a browser copies a table), its prose as one paragraph per line, and for a web
page its real ``<table>``\\ s as grids. One pure parser, :func:`parse`, turns a Source into an
:class:`Imported`: the :class:`~nianbao.model.ReportData`, the agency's name as the title prints it,
the format, and notes.

How values are placed, and what is never guessed:

- From a web page, values come from the table cells, rows found by their labels, rowspan and
  colspan honoured. From text and PDF, from the order of the format's labels: the values between
  one row label and the next belong to that row.
- A row that reads exactly as many values as it has cells is taken as printed, even when it breaks
  a rule (the checks report that). A row that reads fewer values — cells run together
  ("行政规范性文件693665") or blank cells lost in the copy — is taken only when exactly one way of
  splitting its digits and placing its values satisfies the format's rules (B-ROWSUM, then B-COLSUM
  and B-BALANCE across the table; C-TOTAL); its cells get provenance ``derived: <rules> …``.
  Otherwise, and whenever a row reads more values than it has cells, its cells are ``"?"`` with
  provenance ``unknown: <reason>``. The rest of the report is still imported.
- （六）其他处理 printed as a single row (the 2019 format, and some 2021 reports): when its figure is
  0 or blank, so is each of its three sub-rows (non-negative counts that add up to 0: derived by
  V-VALUE); otherwise the three sub-rows are unknown and the printed figure is kept in the table's note.
- The 2019 format (国办公开办函〔2019〕60号) is recognised by its table A. Tables B and C map
  unchanged; of table A only 行政许可、行政处罚、行政强制's 处理决定数量 map; every other cell of
  table A has no counterpart and is unknown, with the reason.
- Fees (table F) are read from part 六's sentences (or a fee table on a web page). A figure the
  report does not state stays blank, with a note; notices that must exist (fees were collected) but
  are not stated are unknown.
- Narrative: the preamble; part 一's five sections when headed （一）…（五） (text before the first
  heading goes to overview.active, and with no headings the whole part does); part 五 by its two
  headings, or else split before the sentence that turns to improvements ("针对…", "下一步…");
  part 六 whole, without the signature and date. The part headings are kept as printed.
- The agency id, when not given, is ``agency-`` and the first 8 hex digits of the SHA-1 of the name
  (:func:`agency_slug`); the command line first looks the name up in ``params/agencies.yaml``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import math
import re
import unicodedata
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from .errors import DataError
from .format import (
    AMOUNT,
    B_RESULT_ROWS,
    BLANK_MARK_VARIANTS,
    BLANK_MARKS,
    FORMAT_2019_MARKS,
    FORMAT_NOTICE_2019,
    FORMAT_NOTICE_2021,
    IMPROVEMENT_OPENERS,
    LABEL_VARIANTS,
    NARRATIVE_KEYS,
    PARTS,
    SECTION_PREFIXES,
    SECTION_SUFFIXES,
    SECTION_VARIANTS,
    TABLE_A,
    TABLE_A_2019,
    TABLE_A_2019_CAPTIONS,
    TABLE_B,
    TABLE_C_HEADER,
    TABLE_F,
    TABLE_NAMES,
    TABLES,
    UNKNOWN_MARK,
    Table,
    cell_key,
    column_of,
    describe,
)
from .load import parse_value
from .model import ReportData, Value, empty_cells, number

#: An empty table cell, as a line of its own in a Source's text.
BLANK_CELL = "\ue000"
#: The formats the importer recognises, by the notice that defines each.
FORMATS = {"2021": FORMAT_NOTICE_2021, "2019": FORMAT_NOTICE_2019}
SUFFIXES = (".html", ".htm", ".txt", ".pdf")

_LIMIT = 20000  # readings of one row, or combinations across rows, tried before giving up


# ================================================================ results


@dataclass(frozen=True)
class Source:
    """A published report as the parser reads it."""

    text: str  # the report, table cells one per line (BLANK_CELL for an empty one)
    prose: str  # the report's paragraphs, one per line
    grids: Mapping[str, tuple["Grid", ...]] = field(default_factory=dict)  # web page tables by table key
    page: str = ""  # the whole page's text, where the title and date may stand outside the report
    path: str = ""


@dataclass(frozen=True)
class Imported:
    """One published report, read back."""

    data: ReportData
    name: str  # the agency's name as the title prints it
    format: str  # "2021" or "2019": a key of FORMATS
    notes: tuple[str, ...] = ()  # what the import noticed beyond single cells

    def unknown(self) -> dict[str, str]:
        """Cell key → reason, for every cell the import could not place."""
        return _provenance(self.data, "unknown: ")

    def derived(self) -> dict[str, str]:
        """Cell key → rule and reason, for every cell placed by the format's rules."""
        return _provenance(self.data, "derived: ")

    def lines(self) -> list[str]:
        """What the import says about itself: the report, then every unknown and derived cell."""
        d = self.data
        out = [f"{self.name or '（标题中无单位名称）'} {d.year} 年，{FORMATS[self.format]}格式，单位代码 {d.agency}"]
        for title, cells in (("无法确定", self.unknown()), ("按规则推算", self.derived())):
            if cells:
                out.append(f"  {title} {len(cells)} 格：")
                for reason, keys in _by_reason(cells).items():
                    out.append(f"    {_places(keys)}：{reason}")
        out.extend(f"  说明：{n}" for n in self.notes)
        return out


def _provenance(data: ReportData, prefix: str) -> dict[str, str]:
    return {k: v[len(prefix):] for k, v in data.provenance.items() if v.startswith(prefix)}


def _places(keys: list[str]) -> str:
    """Cells named as the report prints them; a whole row (or all of table C) named once."""
    rows: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        table, row, column = key.split(".")
        rows.setdefault((table, row), []).append(column)
    out = []
    for (table, row), columns in rows.items():
        t = TABLES[table]
        if len(columns) > 1 and len(columns) == len(t.columns_of(t.row(row))):
            whole = f"全部 {len(columns)} 格" if table == "C" else f"「{t.row(row).label}」行全部 {len(columns)} 格"
            out.append(f"{TABLE_NAMES[table]}{whole}")
        else:
            out.extend(describe(cell_key(table, row, c)) for c in columns)
    return "、".join(out)


def _by_reason(cells: Mapping[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, reason in cells.items():
        out.setdefault(reason, []).append(key)
    return out


def agency_slug(name: str) -> str:
    """A stable ASCII id for an agency known only by its Chinese name: ``agency-1a2b3c4d``."""
    return "agency-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def registered(name: str, names: Mapping[str, str]) -> str | None:
    """The id under which a registry (id → full name) knows the agency a title names, if it does.

    A title often names a district's government by the district alone (岳阳市岳阳楼区 for
    岳阳市岳阳楼区人民政府); either form matches, nothing looser.
    """
    for agency_id, full in names.items():
        if name and full in (name, name + "人民政府"):
            return agency_id
    return None


def with_agency(imported: Imported, agency: str) -> Imported:
    return replace(imported, data=replace(imported.data, agency=agency))


# ================================================================ readers: file → Source


def read_report(path: Path, *, agency: str | None = None, year: int | None = None) -> Imported:
    """Import one published report — ``.html``/``.htm``, ``.txt`` or ``.pdf`` — by its suffix."""
    return parse(read_source(path), agency=agency, year=year)


def read_source(path: Path) -> Source:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DataError("不认识的文件类型", file=path, hint="可导入网页（.html、.htm）、复制的文字（.txt）或 PDF（.pdf）")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("找不到文件", file=path) from None
    except OSError as exc:
        raise DataError(f"无法读取文件（{exc.strerror}）", file=path) from None
    if suffix == ".pdf":
        return _pdf_source(raw, str(path))
    text = _decode(raw, path, html=suffix != ".txt")
    return html_source(text, str(path)) if suffix != ".txt" else text_source(text, str(path))


_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)


def _decode(raw: bytes, path: Path, *, html: bool) -> str:
    """The file's text: by its BOM, then the page's declared charset, then UTF-8, then GB18030."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    codecs = ["utf-8", "gb18030"]
    declared = _CHARSET.search(raw[:4096]) if html else None
    if declared:
        name = declared.group(1).decode("ascii").lower()
        codecs.insert(0, "gb18030" if name in ("gb2312", "gbk", "gb18030") else name)
    for codec in codecs:
        try:
            return raw.decode(codec)
        except (UnicodeDecodeError, LookupError):
            continue
    raise DataError("无法识别文件的文字编码", file=path, hint="请另存为 UTF-8 编码后再导入")


def _pdf_source(raw: bytes, path: str) -> Source:
    import io

    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        plain = [page.extract_text() or "" for page in reader.pages]
        layout = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DataError(f"无法读取 PDF（{type(exc).__name__}: {exc}）", file=path) from None
    if not "".join(plain).strip():
        raise DataError("PDF 中没有文字层（可能是扫描件）", file=path, hint="请找到网页版或可复制文字的 PDF，或先做文字识别")
    return pdf_source(plain, layout, path)


# ================================================================ Sources from text (pure)


#: A page number on a line of its own ("- 3 -", "第3页 共5页"), as text taken from a PDF shows it.
_PAGE_NUMBER = re.compile(r"(?m)^[ \t]*(?:[-－—–][ \t]*\d{1,3}[ \t]*[-－—–]|第[ \t]*\d{1,3}[ \t]*页(?:[ \t]*[,，/]?[ \t]*共[ \t]*\d{1,3}[ \t]*页)?)[ \t]*$")


_BLANK_LINE = re.compile(r"(?m)^[ \t]*[\xa0\u3000\u2002-\u200b\ufeff][ \t\xa0\u3000\u2002-\u200b\ufeff]*$")


def text_source(text: str, path: str = "") -> Source:
    """Copied text: a line holding only non-breaking or ideographic spaces is an empty cell; page
    numbers (text copied from a PDF) are dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _BLANK_LINE.sub(BLANK_CELL, _PAGE_NUMBER.sub("", text))
    return Source(text=text, prose=_prose_lines(text), page=text, path=path)


def _prose_lines(text: str) -> str:
    lines = (line.strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line and line != BLANK_CELL)


def pdf_source(plain: list[str], layout: list[str], path: str = "") -> Source:
    """A PDF's text layer, page by page: tables from the plain text, paragraphs from the layout text.

    In the layout text a paragraph opens with an indented line; lines are joined, and the spaces a
    PDF puts between Chinese and Latin text (or to justify a line) are dropped.
    """
    text = "\n".join(_PAGE_NUMBER.sub("", page) for page in plain)
    paragraphs: list[list[str]] = []
    for page in layout:
        for line in _PAGE_NUMBER.sub("", page).split("\n"):
            if not line.strip():
                continue
            if not paragraphs or len(line) - len(line.lstrip(" ")) >= 2:
                paragraphs.append([])
            paragraphs[-1].append(line.strip())
    prose = "\n".join(_tidy_spaces("\n".join(p)) for p in paragraphs)
    return Source(text=text, prose=prose, page=prose, path=path)


def _tidy_spaces(text: str) -> str:
    """Whitespace kept (as one space) only between two ASCII characters."""

    def keep(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return " " if before.isascii() and after.isascii() and before and after else ""

    return re.sub(r"\s+", keep, text).strip()


# ================================================================ Sources from a web page (pure)


@dataclass(frozen=True)
class Cell:
    """One cell of a web page's table, at its first row and column."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


#: A table as a grid: for each row, the cell covering each column (a spanning cell recurs).
Grid = tuple[tuple[Cell, ...], ...]

_SKIP = {"script", "style", "noscript", "template", "nav", "footer", "aside", "iframe", "select", "button",
         "svg", "object", "embed", "head", "title", "meta", "link", "input", "textarea", "map"}
_BLOCK = {"p", "div", "section", "article", "main", "header", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul",
          "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "thead", "tbody", "tfoot", "tr", "caption",
          "center", "form", "figure", "figcaption", "hr", "address", "fieldset", "body", "html"}


def html_source(markup: str, path: str = "") -> Source:
    """A saved web page: menus, scripts and footers dropped; the report's tables read as grids."""
    import lxml.html
    from lxml.etree import ParserError

    markup = re.sub(r"^\s*<\?xml[^>]*\?>", "", markup)
    try:
        document = lxml.html.document_fromstring(markup)
    except (ParserError, ValueError) as exc:
        raise DataError(f"无法解析网页（{exc}）", file=path) from None
    title = " ".join(document.xpath("//title//text()"))
    body = document.find("body")
    if body is None:
        body = document
    grids: dict[str, list[Grid]] = {}
    anchors = []
    for table in body.iter("table"):
        if table.find(".//table") is not None or _skipped(table):
            continue  # a layout table around the real ones, or one inside a menu
        kind = _table_kind(_compact(table.text_content()))
        if kind:
            grids.setdefault(kind, []).append(_grid(table))
            anchors.append((kind != "B", table))
    root = _content_root(min(anchors, key=lambda a: a[0])[1] if anchors else None, body)
    text = _html_text(root)
    page = title + "\n" + (text if root is body else _html_text(body))
    return Source(
        text=text,
        prose=_prose_lines(text),
        grids={k: tuple(v) for k, v in grids.items()},
        page=_prose_lines(page),
        path=path,
    )


def _skipped(element) -> bool:
    return any(a.tag in _SKIP for a in element.iterancestors() if isinstance(a.tag, str))


def _table_kind(compact: str) -> str:
    if "本年新收" in compact and "结转下年度" in compact:
        return "B"
    if "行政复议" in compact and "行政诉讼" in compact:
        return "C"
    if "第二十条" in compact or ("行政许可" in compact and "行政处罚" in compact):
        return "A"
    if "收费通知" in compact and "信息处理费" in compact:
        return "F"
    return ""


def _content_root(anchor, body):
    """The smallest element around the report's tables that holds its first and last parts."""
    if anchor is None:
        return body
    for element in anchor.iterancestors():
        compact = _compact(element.text_content())
        if "总体情况" in compact and "其他需要报告" in compact:
            return element
    return body


def _html_text(root) -> str:
    out: list[str] = []
    _walk(root, out)
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip(" ") for line in "".join(out).split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(element, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIP or not tag:
        return
    if tag in ("td", "th"):
        out.append("\n" + (_cell_text(element) or BLANK_CELL) + "\n")
        return
    if tag == "br":
        out.append("\n")
        return
    block = tag in _BLOCK
    if block:
        out.append("\n")
    out.append(_inline(element.text))
    for child in element:
        _walk(child, out)
        out.append(_inline(child.tail))
    if block:
        out.append("\n")


def _inline(text: str | None) -> str:
    """Text as a browser shows it: runs of whitespace one space, none at a line break between Chinese."""
    if not text:
        return ""
    text = re.sub(r"(?<=[^\x00-\x7f])[ \t]*\n[\s]*(?=[^\x00-\x7f])", "", text)
    return re.sub(r"[ \t\n\r\f\v]+", " ", text)


def _cell_text(cell) -> str:
    """A cell's text on one line (a line break inside a cell joins), without surrounding spaces."""
    parts: list[str] = []

    def visit(element) -> None:
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag and tag not in _SKIP:
            parts.append(_inline(element.text))
            for child in element:
                visit(child)
                parts.append(_inline(child.tail))

    visit(cell)
    return re.sub(r"[ \t\n]+", " ", "".join(parts)).strip()


def _grid(table) -> Grid:
    rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")
    taken: dict[tuple[int, int], Cell] = {}
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.xpath("./td|./th"):
            while (r, c) in taken:
                c += 1
            rowspan = _span(td.get("rowspan"), len(rows) - r)
            colspan = _span(td.get("colspan"), 100)
            cell = Cell(_cell_text(td), r, c, rowspan, colspan)
            for dr, dc in itertools.product(range(rowspan), range(colspan)):
                taken[(r + dr, c + dc)] = cell
            c += colspan
    width = max((c for _, c in taken), default=-1) + 1
    return tuple(
        tuple(taken[(r, c)] for c in range(width) if (r, c) in taken) for r in range(len(rows))
    )


def _span(raw: str | None, most: int) -> int:
    try:
        n = int(str(raw).strip()) if raw is not None else 1
    except ValueError:
        return 1
    return most if n == 0 else max(1, min(n, most))


# ================================================================ matching labels


_PUNCT = str.maketrans({"、": ".", "“": '"', "”": '"', "„": '"', "〝": '"', "〞": '"', "「": '"', "」": '"',
                        "『": '"', "』": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "―": "-", "∶": ":"})


def _canon(text: str) -> str:
    """The text as labels are matched: full-width forms folded, same length (positions carry over)."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch) if ch != BLANK_CELL else ch
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out).translate(_PUNCT)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", _canon(text))


def _spaced(text: str) -> str:
    """A regex for the text with any whitespace (line breaks included) between its characters."""
    return r"\s*".join(re.escape(ch) for ch in text if not ch.isspace())


_NUMBERING = re.compile(r"^(?:([一二三四五六七八九十]+)\.|\(([一二三四五六七八九十]+)\)|(\d+)\.)")


@lru_cache(maxsize=None)
def _label_regex(label: str) -> re.Pattern[str]:
    """A label as printed: its numbering in any of the usual forms, a closing note in brackets optional."""
    text = _canon(label)
    prefix = ""
    numbering = _NUMBERING.match(text)
    if numbering:
        numeral = next(g for g in numbering.groups() if g)
        prefix = rf"\(?\s*{re.escape(numeral)}\s*[.)]?\s*"
        text = text[numbering.end():]
    note = re.match(r"^(.+?)(\(.*\))$", text)
    body = _spaced(note.group(1) if note else text)
    if note:
        body += rf"(?:\s*{_spaced(note.group(2))})?"
    return re.compile(prefix + body)


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    key: str  # the row key, or "" for a label that only ends the row before it


def _scan(canon: str, labels: Iterable[tuple[str, str]]) -> list[_Hit]:
    """Every label found, earliest first; where two overlap the longer one from the earlier start wins."""
    hits = [_Hit(m.start(), m.end(), key) for key, label in labels for m in _label_regex(label).finditer(canon)]
    hits.sort(key=lambda h: (h.start, h.start - h.end))
    kept: list[_Hit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept


# ================================================================ parts, title, date


@dataclass(frozen=True)
class _Parts:
    """Where each part's heading stands in a text (only the parts found)."""

    spans: Mapping[str, tuple[int, int]]

    def region(self, key: str, length: int) -> tuple[int, int] | None:
        if key not in self.spans:
            return None
        start = self.spans[key][1]
        later = [s for s, _ in self.spans.values() if s >= start]
        return start, min(later, default=length)

    def first(self) -> int | None:
        return min((s for s, _ in self.spans.values()), default=None)


@lru_cache(maxsize=None)
def _part_regex(number: str, title: str) -> re.Pattern[str]:
    return re.compile(rf"(?m)^[ \t]*(?:{number}[ \t]*\.?|\.)?[ \t]*{_spaced(_canon(title))}")


def _find_parts(text: str) -> _Parts:
    canon = _canon(text)
    spans: dict[str, tuple[int, int]] = {}
    second = _part_regex(PARTS[1].number, PARTS[1].title).search(canon)
    first = [m for m in _part_regex(PARTS[0].number, PARTS[0].title).finditer(canon)
             if second is None or m.start() < second.start()]
    pos = 0
    if first:
        spans[PARTS[0].key] = first[-1].span()
        pos = first[-1].end()
    for part in PARTS[1:]:
        match = _part_regex(part.number, part.title).search(canon, pos)
        if match:
            spans[part.key] = match.span()
            pos = match.end()
    return _Parts(spans)


_TITLE = re.compile(
    r"(?P<before>[^\n。,;:]{0,60}?)\s*(?P<year>(?:19|20)\d\d)\s*年\s*度?\s*(?P<after>[^\n。,;:]{0,60}?)\s*"
    + _spaced("政府信息公开工作年度报告")
)


def _title(text: str, end: int | None) -> tuple[str, int | None, int] | None:
    """The last report title before ``end``: (agency name as printed, year, where the title ends)."""
    canon = _canon(text)[:end]
    matches = list(_TITLE.finditer(canon))
    if not matches:
        return None
    m = matches[-1]
    name = text[m.start("after"):m.end("after")] or text[m.start("before"):m.end("before")]
    name = re.split(r"[>›»|/\s]+", name.strip())[-1]
    name = re.sub(r"^(?:关于|印发)", "", name).strip(" \"'“”《》")
    return name, int(m.group("year")), m.end()


_PUBLISHED = re.compile(r"(?:发布|公开|成文)(?:时间|日期)\s*:?\s*(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})")
_DATE_LINE = re.compile(r"^\s*(\d{4}|[〇零一二三四五六七八九]{4})\s*年\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*月"
                        r"\s*(\d{1,2}|[一二三四五六七八九十]{1,3})\s*日\s*$")
_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def _chinese_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if len(text) == 4:  # a year, digit by digit: 二〇二五
        return int("".join(str(_DIGITS[c]) for c in text))
    tens, _, ones = text.rpartition("十")
    if "十" not in text:
        return _DIGITS[text]
    return (_DIGITS[tens] if tens else 1) * 10 + (_DIGITS[ones] if ones else 0)


def _date(parts: tuple[str, str, str]) -> str:
    try:
        return dt.date(*(_chinese_number(p) for p in parts)).isoformat()
    except (ValueError, KeyError):
        return ""


# ================================================================ the parser


def parse(source: Source, *, agency: str | None = None, year: int | None = None) -> Imported:
    """A Source as report data: every value placed with certainty, the rest unknown with the reason."""
    where = {"file": source.path} if source.path else {}
    in_text, in_prose = _find_parts(source.text), _find_parts(source.prose)
    if not source.grids and len(in_text.spans) < 2:
        raise DataError(
            "不像是政府信息公开工作年度报告：找不到年报各部分的标题（如“一、总体情况”“三、收到和处理政府信息公开申请情况”）",
            hint="请导入年报正文所在的网页、从网页复制的全文，或单位发布的 PDF",
            **where,
        )
    in_prose_title = _title(source.prose, in_prose.first())
    name, year, agency, notes = _identity(source, in_prose_title, agency, year)
    fmt = "2019" if _is_2019(source, in_text) else "2021"
    if fmt == "2019":
        notes.append(f"识别为旧格式（{FORMAT_NOTICE_2019}，2019、2020 年度报告所用）：表三、表四照旧导入；"
                     "表二只有行政许可、行政处罚、行政强制的处理决定数量与现行格式对应，其余各格记为无法确定")
    narrative, headings, signed, more = _narrative(source.prose, in_prose, in_prose_title[2] if in_prose_title else 0)
    placed = [_table(key, source, in_text, fmt) for key in ("A", "B", "C")]
    placed.append(_fees_from_grid(source) or _fees(narrative.get("other.text", "")))
    cells, provenance, table_notes = empty_cells(), {}, {}
    for key, table in zip("ABCF", placed):
        cells.update(table.cells)
        provenance.update(table.provenance)
        if table.note:
            table_notes[key] = table.note
    notes += [n for table in placed for n in table.notes] + more
    data = ReportData(
        agency=agency,
        year=year,
        cells=cells,
        narrative=narrative,
        published=_published(source, signed),
        notes=table_notes,
        source=source.path,
        provenance=provenance,
        headings=headings,
    )
    return Imported(data, name, fmt, tuple(notes))


def _identity(source: Source, in_prose: tuple[str, int | None, int] | None, agency: str | None,
              year: int | None) -> tuple[str, int, str, list[str]]:
    """The agency's name, the year and the agency id: as given, else from the title."""
    where = {"file": source.path} if source.path else {}
    title = in_prose or _title(source.page, _find_parts(source.page).first())
    name, title_year = (title[0], title[1]) if title else ("", None)
    notes: list[str] = []
    if year is None:
        if title_year is None:
            raise DataError("无法从标题中读出报告年度", hint="请用 --year 指定年度", **where)
        year = title_year
    elif title_year is not None and title_year != year:
        notes.append(f"标题写的是 {title_year} 年，按指定的 {year} 年导入")
    if not agency:
        if not name:
            raise DataError("无法从标题中读出单位名称", hint="请用 --agency 指定单位代码", **where)
        agency = agency_slug(name)
    return name, year, agency, notes


def parse_text(text: str, **kw) -> Imported:
    """Import copied text (see :func:`parse` for the keywords)."""
    return parse(text_source(text), **kw)


def parse_html(markup: str, **kw) -> Imported:
    """Import a saved web page (see :func:`parse` for the keywords)."""
    return parse(html_source(markup), **kw)


def _is_2019(source: Source, parts: _Parts) -> bool:
    """Table A (the part 二 it stands in, or a web page's table A) prints a word only the 2019 format has."""
    region = parts.region("active", len(source.text))
    text = source.text[region[0]:region[1]] if region else source.text
    text += "".join(c.text for grid in source.grids.get("A", ()) for row in grid for c in row)
    compact = _compact(text)
    return any(_compact(m) in compact for m in FORMAT_2019_MARKS)


def _published(source: Source, signed: str) -> str:
    match = _PUBLISHED.search(_canon(source.page))
    return _date(match.groups()) if match else signed  # type: ignore[arg-type]


# ================================================================ tables: rows and readings


@dataclass(frozen=True)
class _Spec:
    """One printed row: its key, label and variants, and the cell key of each printed column."""

    key: str
    label: str
    variants: tuple[str, ...]
    slots: tuple[str, ...]  # "" for a printed column this format has no cell for
    heading: bool = False

    @property
    def labels(self) -> tuple[str, ...]:
        return (self.label, *self.variants)


@dataclass(frozen=True)
class Reading:
    """What was read for one printed row: its values' texts in order."""

    tokens: tuple[str, ...]  # as printed; "" for an empty cell
    exact: bool  # a web page's row: one token per cell, in place
    junk: str = ""  # text among the values that is not a value


def _specs(key: str, fmt: str) -> list[_Spec]:
    if key == "A" and fmt == "2019":
        return [_Spec(label, label, (), slots) for label, _, slots in TABLE_A_2019]
    table = TABLES[key]
    specs = []
    for row in table.rows:
        columns = table.columns_of(row)
        slots = tuple(cell_key(key, row.key, c.key) for c in columns)
        label = row.label if key != "C" else ""
        specs.append(_Spec(row.key, label, LABEL_VARIANTS.get(f"{key}.{row.key}", ()), slots, row.heading))
    return specs


def _stops(key: str, fmt: str) -> list[str]:
    """Labels that only end the row before them: table A's captions and column headers."""
    if key != "A":
        return []
    if fmt == "2019":
        return [*TABLE_A_2019_CAPTIONS, TABLE_A.row_header, *(c for _, cols, _ in TABLE_A_2019 for c in cols)]
    return [*(b.caption for b in TABLE_A.blocks), TABLE_A.row_header, *(c.label for b in TABLE_A.blocks for c in b.columns)]


def _text_readings(key: str, text: str, specs: list[_Spec], stops: list[str]) -> dict[str, Reading]:
    canon = _canon(text)
    if key == "C":
        header = _scan(canon, ((w, w) for w in TABLE_C_HEADER))
        start = header[-1].end if header else 0
        return {"cases": _tokens(text[start:])}
    labels = [(s.key, label) for s in specs for label in s.labels] + [("", label) for label in stops]
    hits = _scan(canon, labels)
    readings: dict[str, Reading] = {}
    for hit, after in zip(hits, [*hits[1:], None]):
        if hit.key and hit.key not in readings:
            readings[hit.key] = _tokens(text[hit.end:after.start if after else len(text)])
    return readings


def _tokens(segment: str) -> Reading:
    """The values after a row label: one per tab-separated field (a copied table row), else separated
    by whitespace, a unit standing apart joined to its number; prose on a later line ends them."""
    tokens: list[str] = []
    junk = ""
    for n, line in enumerate(segment.split("\n")):
        if "\t" in line:
            fields = line.split("\t")
            if n == 0 and not fields[0].strip():
                fields = fields[1:]
            items = [f.strip() for f in fields]
        else:
            items = _units_joined(line.split())
        bad = [t for t in items if _token(t).junk]
        if bad and n > 0 and tokens:
            break
        if bad and not junk:
            junk = bad[0]
        tokens.extend("" if t == BLANK_CELL else t for t in items)
    return Reading(tuple(tokens), exact=False, junk=junk)


def _units_joined(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        if out and _canon(item) in _UNITS and not _token(out[-1]).junk and _token(out[-1]).value is not None:
            out[-1] += item
        else:
            out.append(item)
    return out


def _grid_readings(key: str, grids: Iterable[Grid], specs: list[_Spec]) -> dict[str, Reading]:
    if key == "C":
        return _grid_c(grids)
    readings: dict[str, Reading] = {}
    for grid in grids:
        for r, row in enumerate(grid):
            found = _row_label(row, specs)
            if found and found[0].key not in readings:
                spec, label = found
                values = _distinct(c for c in row if c.col > label.col + label.colspan - 1)
                tokens = tuple(c.text if c.row == r else _SPANNED for c in values)
                readings[spec.key] = Reading(tokens, exact=True)
    return readings


_SPANNED = "\ue001"  # a cell spanning down from the row above, where a value should be


def _row_label(row: tuple[Cell, ...], specs: list[_Spec]) -> tuple[_Spec, Cell] | None:
    for cell in reversed(_distinct(row)):
        canon = _canon(cell.text).strip()
        for spec in specs:
            if any(_label_regex(label).fullmatch(canon) for label in spec.labels):
                return spec, cell
    return None


def _distinct(cells: Iterable[Cell]) -> list[Cell]:
    seen: list[Cell] = []
    for cell in cells:
        if not seen or seen[-1] is not cell:
            if cell not in seen:
                seen.append(cell)
    return seen


def _grid_c(grids: Iterable[Grid]) -> dict[str, Reading]:
    header = [_label_regex(w) for w in TABLE_C_HEADER]
    rows = []
    for grid in grids:
        for r, row in enumerate(grid):
            own = [c for c in _distinct(row) if c.row == r]
            if any(any(h.fullmatch(_canon(c.text).strip()) for h in header) for c in own):
                continue
            if any(isinstance(_token(c.text).value, (int, float)) for c in own):
                while own and _token(own[0].text).junk:
                    own = own[1:]  # a label before the figures
                rows.append(tuple(c.text for c in own))
    if len(rows) == 1:
        return {"cases": Reading(rows[0], exact=True)}
    problem = (f"原文{TABLE_NAMES['C']}中有 {len(rows)} 行数字，无法确定哪一行是本表的十五个数" if rows
               else f"原文{TABLE_NAMES['C']}中没有数字行")
    return {"cases": Reading((), exact=True, junk=problem)}


# ================================================================ tokens


@dataclass(frozen=True)
class _Tok:
    text: str  # as printed
    value: Value = None
    unit: str = ""
    digits: str = ""  # the token's digits when they may be several cells run together
    junk: bool = False
    note: str = ""

    @property
    def number(self) -> float | int | None:
        if self.value == UNKNOWN_MARK or self.junk:
            return None
        return number(self.value)


_UNITS = ("件", "个", "条", "项", "次", "宗", "份", "万元", "元")
_NUMBER = re.compile(rf"^([+-]?)(\d{{1,3}}(?:,\d{{3}})+|\d+)(\.\d+)?\s*({'|'.join(_UNITS)})?$")


@lru_cache(maxsize=4096)
def _token(text: str) -> _Tok:
    stripped = text.strip()
    canon = _canon(stripped).strip()
    if stripped in ("", BLANK_CELL):
        return _Tok(text)
    if stripped in BLANK_MARKS:
        return _Tok(text, stripped)
    if stripped in BLANK_MARK_VARIANTS:
        return _Tok(text, BLANK_MARK_VARIANTS[stripped], note=f"原文写作“{stripped}”，按横线记")
    if canon == UNKNOWN_MARK:
        return _Tok(text, UNKNOWN_MARK)
    m = _NUMBER.match(canon)
    if not m:
        return _Tok(text, junk=True)
    sign, whole, decimals, unit = m.groups()
    digits = whole.replace(",", "")
    value: int | float = float(Decimal(digits + (decimals or ""))) if decimals else int(digits)
    if sign == "-":
        value = -value
    splittable = digits if not (sign or decimals or unit or "," in whole) and len(digits) > 1 else ""
    return _Tok(text, value, unit or "", splittable)


_BLANK_TOK = _Tok("")


def _shown(values: Iterable[_Tok]) -> str:
    return "，".join(t.text.strip() or "空" for t in values)


# ================================================================ placing values


@dataclass(frozen=True)
class _Placed:
    cells: dict[str, Value] = field(default_factory=dict)
    provenance: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    note: str = ""  # for the table's note under it


@dataclass(frozen=True)
class _Row:
    """A row's outcome: the values placed (None when unknown) and how."""

    values: tuple[_Tok, ...] | None
    reason: str = ""  # why unknown, or how derived
    derived: str = ""  # the rules that fixed the values


def _table(key: str, source: Source, parts: _Parts, fmt: str) -> _Placed:
    specs = _specs(key, fmt)
    name = TABLE_NAMES[key]
    if key in source.grids:
        readings = _grid_readings(key, source.grids[key], specs)
    else:
        part = next(p for p in PARTS if p.table == key)
        region = parts.region(part.key, len(source.text))
        if region is None:
            reason = f"原文中找不到第{part.number}部分“{part.title}”的标题，无法确定{name}的位置"
            return _all_unknown(TABLES[key], reason)
        readings = _text_readings(key, source.text[region[0]:region[1]], specs, _stops(key, fmt))
    rows, notes = _headings(key, specs, readings)
    outcomes = _resolve(key, rows, readings)
    placed = _cells(key, rows, outcomes, fmt)
    return replace(placed, notes=(*notes, *placed.notes), note=_table_note(key, placed, notes))


def _all_unknown(table: Table, reason: str) -> _Placed:
    keys = [cell_key(table.key, r.key, c.key) for r, c in table.cells()]
    return _Placed({k: UNKNOWN_MARK for k in keys}, {k: f"unknown: {reason}" for k in keys}, (reason,), reason)


def _headings(key: str, specs: list[_Spec], readings: Mapping[str, Reading]) -> tuple[list[_Spec], list[str]]:
    """The rows to place: figure rows, and （六）其他处理 when printed as a single row."""
    rows = [s for s in specs if not s.heading]
    notes = []
    for spec in specs:
        reading = readings.get(spec.key)
        if not spec.heading or reading is None or not any(_token(t).value is not None or _token(t).junk
                                                          for t in reading.tokens):
            continue
        children = [s.key for s in specs if s.key.startswith(spec.key + "_")]
        if spec.key == "other" and not any(c in readings for c in children):
            rows.append(replace(spec, heading=False))
            notes.append(f"{TABLE_NAMES[key]}的“{spec.label}”只印一行（没有三个小项），按单行读入")
        else:
            notes.append(f"{TABLE_NAMES[key]}的标题行“{spec.label}”另印了数字（{_shown(map(_token, reading.tokens))}），"
                         "本格式该行不填数字，未导入")
    return rows, notes


def _resolve(key: str, rows: list[_Spec], readings: Mapping[str, Reading]) -> dict[str, _Row]:
    outcomes: dict[str, _Row] = {}
    options: dict[str, list[tuple[_Tok, ...]]] = {}
    for spec in rows:
        reading = readings.get(spec.key)
        if reading is None:
            missing = f"原文中找不到“{spec.label}”这一行" if spec.label else f"原文中找不到{TABLE_NAMES[key]}的数字"
            outcomes[spec.key] = _Row(None, missing)
            continue
        outcome, candidates = _candidates(key, spec, reading)
        if outcome is not None:
            outcomes[spec.key] = outcome
        else:
            options[spec.key] = candidates
    if options:
        outcomes.update(_choose(key, rows, outcomes, options, readings))
    return outcomes


def _candidates(key: str, spec: _Spec, reading: Reading) -> tuple[_Row | None, list[tuple[_Tok, ...]]]:
    """A row read as printed (an outcome), or the readings its values allow that satisfy its own rule."""
    n = len(spec.slots)
    toks = [_token(t) if t != _SPANNED else _Tok("（跨行单元格）", junk=True) for t in reading.tokens]
    shown = _shown(toks)
    if reading.exact and reading.junk:
        return _Row(None, reading.junk), []
    if not toks:
        return _Row((_BLANK_TOK,) * n), []  # nothing printed after the label: every cell blank
    if reading.exact:
        if len(toks) != n:
            return _Row(None, f"原文此行读出 {len(toks)} 格（{shown}），应为 {n} 格，无法对应各栏"), []
        return _Row(tuple(toks)), []
    if reading.junk:
        return _Row(None, f"原文此行夹有无法识别的文字“{reading.junk}”"), []
    if len(toks) == n:
        return _Row(tuple(toks)), []
    if len(toks) > n:
        filled = [(i, t) for i, t in enumerate(toks, 1) if t.value is not None]
        where = "、".join(str(i) for i, _ in filled)
        values = "、".join(t.text.strip() for _, t in filled)
        detail = f"按出现顺序第 {where} 个依次为 {values}，其余为空" if filled else "都是空白"
        return _Row(None, f"原文此行读出 {len(toks)} 个单元格，多于 {n} 格；{detail}；无法确定各数所在栏目"), []
    readings = _arrangements(toks, n)
    if readings is None:
        return _Row(None, f"原文此行为“{shown}”，只读出 {len(toks)} 个值而应有 {n} 格，可能的读法过多，无法确定"), []
    rule = _ROW_RULES.get(key)
    fitting = [r for r in readings if rule is None or rule[1](r)]
    what = f"原文此行为“{shown}”，只读出 {len(toks)} 个值而应有 {n} 格"
    if not fitting:
        return _Row(None, f"{what}；没有一种读法符合 {rule[0] if rule else '格式'}，无法确定"), []
    if len(fitting) == 1 and rule:
        return _Row(fitting[0], f"{what}，唯一符合 {rule[0]} 的读法为（{_shown(fitting[0])}）", rule[0]), []
    if len(fitting) == 1:
        return _Row(fitting[0], f"{what}，只有一种读法（{_shown(fitting[0])}）", "ORDER"), []
    if key != "B":
        fitting.sort(key=lambda r: sum(t is _BLANK_TOK for t in r))  # the splits of run-together digits first
        examples = "；".join(f"（{_shown(r)}）" for r in fitting[:3])
        return _Row(None, f"{what}；有 {len(fitting)} 种读法（{examples}{'…' if len(fitting) > 3 else ''}），无法确定"), []
    return None, fitting


def _arrangements(toks: list[_Tok], n: int) -> list[tuple[_Tok, ...]] | None:
    """Every way to read the tokens into n cells: digits split, blank cells put back; None when too many."""
    found: dict[tuple[Value, ...], tuple[_Tok, ...]] = {}
    expansions = [_expansions(t, n) for t in toks]
    if math.prod(len(e) for e in expansions) > _LIMIT:
        return None
    for pieces in itertools.product(*expansions):
        flat = [p for piece in pieces for p in piece]
        if len(flat) > n:
            continue
        for blanks in itertools.combinations(range(n), n - len(flat)):
            it = iter(flat)
            row = tuple(_BLANK_TOK if i in blanks else next(it) for i in range(n))
            found.setdefault(tuple(t.value for t in row), row)
            if len(found) > _LIMIT:
                return None
    return list(found.values())


def _expansions(tok: _Tok, n: int) -> list[tuple[_Tok, ...]]:
    if not tok.digits:
        return [(tok,)]
    return [tuple(_Tok(p, int(p)) for p in parts) for k in range(1, min(len(tok.digits), n) + 1)
            for parts in _splits(tok.digits, k)]


def _splits(digits: str, k: int) -> Iterator[tuple[str, ...]]:
    """The ways to cut a digit string into k numbers written without leading zeros."""
    if k == 1:
        if digits == "0" or not digits.startswith("0"):
            yield (digits,)
        return
    for i in range(1, len(digits) - k + 2):
        head = digits[:i]
        if head == "0" or not head.startswith("0"):
            for rest in _splits(digits[i:], k - 1):
                yield (head, *rest)


def _sums_to(values: tuple[_Tok, ...], total: int, parts: range) -> bool:
    numbers = [t.number for t in values]
    if any(numbers[i] is None for i in (*parts, total)):
        return False
    return numbers[total] == sum(numbers[i] for i in parts)  # type: ignore[misc]


#: The rule that a single printed row must satisfy, by table.
_ROW_RULES = {
    "B": ("B-ROWSUM", lambda v: _sums_to(v, 6, range(6))),
    "C": ("C-TOTAL", lambda v: all(_sums_to(v, g + 4, range(g, g + 4)) for g in (0, 5, 10))),
}


def _choose(key, rows, outcomes, options, readings) -> dict[str, _Row]:
    """Table B's ambiguous rows, settled by the column rules when the rest of the table is known."""
    what = {k: f"原文此行为“{_shown(map(_token, readings[k].tokens))}”，只读出 {len(readings[k].tokens)} 个值而应有 7 格"
            for k in options}
    known = {k: o.values for k, o in outcomes.items()
             if o.values is not None and all(t.number is not None for t in o.values)}
    total = 1
    for candidates in options.values():
        total *= len(candidates)
    if len(known) + len(options) < len(rows) or total > _LIMIT:
        why = "表中其他行也无法确定" if total <= _LIMIT else "组合过多"
        return {k: _Row(None, f"{what[k]}；有 {len(c)} 种读法符合 B-ROWSUM，{why}，无法确定") for k, c in options.items()}
    names = list(options)
    fitting = [combo for combo in itertools.product(*options.values())
               if _columns_ok({**known, **dict(zip(names, combo))})]
    out = {}
    for i, k in enumerate(names):
        settled = {combo[i] for combo in fitting}
        if len(settled) == 1:
            row = next(iter(settled))
            out[k] = _Row(row, f"{what[k]}，唯一同时符合 B-ROWSUM、B-COLSUM、B-BALANCE 的读法为（{_shown(row)}）",
                          "B-ROWSUM、B-COLSUM、B-BALANCE")
        else:
            out[k] = _Row(None, f"{what[k]}；有 {len(settled)} 种读法符合勾稽关系，无法确定" if settled
                          else f"{what[k]}；没有一种读法同时符合 B-ROWSUM、B-COLSUM、B-BALANCE，无法确定")
    return out


def _columns_ok(values: Mapping[str, tuple[_Tok, ...]]) -> bool:
    results = [r for r in B_RESULT_ROWS if r in values] + (["other"] if "other" in values else [])
    for c in range(len(TABLE_B.columns)):
        n = {k: v[c].number for k, v in values.items()}
        if None in n.values():
            return False
        if n["total"] != sum(n[r] for r in results):  # type: ignore[misc]
            return False
        if n["new"] + n["carried_over"] != n["total"] + n["carried_forward"]:  # type: ignore[operator]
            return False
    return True


def _cells(key: str, rows: list[_Spec], outcomes: Mapping[str, _Row], fmt: str) -> _Placed:
    cells: dict[str, Value] = {}
    provenance: dict[str, str] = {}
    for spec in rows:
        outcome = outcomes[spec.key]
        if spec.key == "other" and key == "B":
            _single_other(outcome, cells, provenance)
            continue
        for slot, tok in zip(spec.slots, outcome.values or [None] * len(spec.slots)):
            if not slot:
                continue
            if tok is None:
                cells[slot], provenance[slot] = UNKNOWN_MARK, f"unknown: {outcome.reason}"
                continue
            cells[slot], note = _cell_value(tok, slot)
            if note:
                provenance[slot] = note
            elif outcome.derived:
                provenance[slot] = f"derived: {outcome.derived} {outcome.reason}"
    if key == "A" and fmt == "2019":
        reason = ("2019 年格式的表二没有此栏（其第二十条第（一）项为本年新制作数量、本年新公开数量、对外公开总数量，"
                  "第（八）项为上一年项目数量、本年增/减），与现行格式不对应")
        for k in (cell_key("A", r.key, c.key) for r, c in TABLE_A.cells()):
            if k not in cells:
                cells[k], provenance[k] = UNKNOWN_MARK, f"unknown: {reason}"
    return _Placed(cells, provenance)


def _single_other(outcome: _Row, cells: dict[str, Value], provenance: dict[str, str]) -> None:
    """（六）其他处理 printed as one row → its three sub-rows."""
    children = TABLE_B.children("other")
    for c, column in enumerate(TABLE_B.columns):
        tok = outcome.values[c] if outcome.values else None
        keys = [cell_key("B", child.key, column.key) for child in children]
        value = _cell_value(tok, keys[0])[0] if tok is not None else UNKNOWN_MARK
        if tok is None:
            reason = f"unknown: 原表“（六）其他处理”只印一行，{outcome.reason}"
        elif value == UNKNOWN_MARK or number(value) != 0:
            reason = (f"unknown: 原表“（六）其他处理”只印一行，此列为 {tok.text.strip()}，"
                      "无法分到“1.无正当理由逾期不补正”“2.逾期未缴纳费用”“3.其他”三个小项")
            value = UNKNOWN_MARK
        else:
            shown = "0" if value == 0 else f"“{tok.text.strip() or '空白'}”"
            reason = (f"derived: V-VALUE 原表“（六）其他处理”只印一行，此列为 {shown}；"
                      "三个小项都是非负整数，合计为 0，故各为" + (" 0" if value == 0 else "空白"))
        for k in keys:
            cells[k], provenance[k] = value, reason


def _cell_value(tok: _Tok, key: str) -> tuple[Value, str]:
    """A token as the cell's value, checked as the loader checks it; unknown when the loader would refuse it."""
    column = column_of(key)
    if tok.junk:
        return UNKNOWN_MARK, f"unknown: 原文此格为“{tok.text.strip()}”，不是数字"
    if tok.value == UNKNOWN_MARK:
        return UNKNOWN_MARK, "unknown: 原文此格为“？”"
    value, note = tok.value, tok.note
    if tok.unit and column.kind == AMOUNT:
        if tok.unit == "元" and key == "A.fees.amount":
            value, note = float(Decimal(str(value)) / 10000), f"derived: UNIT 原文写作“{tok.text.strip()}”，折算为万元"
        elif tok.unit == "万元" and key.startswith("F."):
            value, note = float(Decimal(str(value)) * 10000), f"derived: UNIT 原文写作“{tok.text.strip()}”，折算为元"
        if isinstance(value, float) and value.is_integer():
            value = int(value)
    try:
        return parse_value(value, column), (f"read: {note}" if note and not note.startswith("derived") else note)
    except DataError as exc:
        return UNKNOWN_MARK, f"unknown: 原文此格为“{tok.text.strip()}”：{exc.message}"


def _table_note(key: str, placed: _Placed, notes: list[str]) -> str:
    unknown = _by_reason({k: v for k, v in placed.provenance.items() if v.startswith("unknown: ")})
    if not unknown and not notes:
        return ""
    parts = [*notes]
    for reason, keys in unknown.items():
        parts.append(f"{len(keys)} 格无法确定：{reason[len('unknown: '):]}")
    return "由 nianbao import 从原文导入。" + "；".join(parts) + "。"


# ================================================================ fees (table F)


_FEE_TABLE_ROW = ("fee", TABLE_F.rows[0].label)
_FEE_COLLECTED = re.compile(r"(?:实际)?收取[^。;,\d]{0,16}信息处理费[^。;,\d]{0,8}?(\d+(?:\.\d+)?)\s*(万?元)")
_FEE_NONE = re.compile(r"(?:未|没有|无|不)[^。;,]{0,6}收取[^。;,]{0,12}信息处理费|信息处理费[^。;,\d]{0,8}(?:0|零)\s*元")
_FEE_NOTICES = re.compile(r"(?:发出|开具|送达|制发)[^。;,\d]{0,6}收费通知书?[^。;,\d]{0,6}(\d+)\s*(?:件|份|次|个)")
_FEE_NO_NOTICE = re.compile(r"(?:未|没有|无)(?:发出|开具|送达|制发)[^。;,]{0,6}收费通知")
_FEE_NOTICE_AMOUNT = re.compile(r"收费通知[^。;]{0,24}?(?:金额|总额)[^。;,\d]{0,6}(\d+(?:\.\d+)?)\s*(万?元)")


def _fees_from_grid(source: Source) -> _Placed | None:
    if "F" not in source.grids:
        return None
    specs = _specs("F", "2021")
    readings = _grid_readings("F", source.grids["F"], specs)
    return _cells("F", specs, _resolve("F", specs, readings), "2021")


def _fees(text: str) -> _Placed:
    """Table F from part 六's sentences: what they state; the rest blank (or unknown when it must exist)."""
    canon = _canon(text)
    cells: dict[str, Value] = {}
    provenance: dict[str, str] = {}

    def put(key: str, value: int | float, match: re.Match[str]) -> None:
        cells[key] = int(value) if float(value).is_integer() else value
        provenance[key] = f"read: 第六部分“{text[match.start():match.end()]}”"

    for key, pattern in (("F.fee.collected", _FEE_COLLECTED), ("F.fee.notice_amount", _FEE_NOTICE_AMOUNT)):
        m = pattern.search(canon)
        if m:
            put(key, float(Decimal(m.group(1)) * (10000 if m.group(2) == "万元" else 1)), m)
    if "F.fee.collected" not in cells and (m := _FEE_NONE.search(canon)):
        put("F.fee.collected", 0, m)
    if m := _FEE_NOTICES.search(canon):
        put("F.fee.notices", int(m.group(1)), m)
    elif m := _FEE_NO_NOTICE.search(canon):
        put("F.fee.notices", 0, m)
        if "F.fee.notice_amount" not in cells:
            put("F.fee.notice_amount", 0, m)
    missing = [k for k in ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected") if k not in cells]
    collected = cells.get("F.fee.collected")
    note = ""
    for key in missing:
        if collected and key != "F.fee.collected":
            cells[key] = UNKNOWN_MARK
            provenance[key] = f"unknown: 第六部分写明实际收取信息处理费 {collected} 元，但没有写明{column_of(key).label}"
        else:
            cells[key] = None
    if missing:
        labels = "、".join(column_of(k).label for k in missing)
        note = f"由 nianbao import 从原文导入：第六部分没有写明{labels}" + ("，相应格记为无法确定。" if collected else "，相应格留空。")
    return _Placed(cells, provenance, (note,) if note else (), note)


# ================================================================ narrative


_META = re.compile(r"发布时间|发布日期|来源\s*[:：]|浏览次数|点击数|字号|打印本页|关闭窗口|分享到|索引号|信息来源")


def _narrative(prose: str, parts: _Parts, title_end: int) -> tuple[dict[str, str], tuple[str, ...], str, list[str]]:
    """Narrative keys → text; the part headings as printed; the date signed at the end; notes."""
    texts = {key: "" for key in NARRATIVE_KEYS}
    notes: list[str] = []
    first = parts.first()
    if first is not None:
        lines = [line for line in prose[title_end:first].split("\n") if line.strip() and not _META.search(line)]
        texts["preamble"] = _paragraphs("\n".join(lines))
    signed = ""
    for part in PARTS:
        region = parts.region(part.key, len(prose))
        if region is None or not part.sections:
            continue
        text = prose[region[0]:region[1]]
        if part.key == "other":
            text, signed = _unsigned(text)
            texts["other.text"] = _paragraphs(text)
        else:
            found = _sections(part, text, _canon(text))
            texts.update(found[0])
            notes.extend(found[1])
    headings = tuple(_tidy_spaces(prose[s:e]) for s, e in sorted(parts.spans.values()))
    return texts, headings, signed, notes


@lru_cache(maxsize=None)
def _section_regex(key: str, title: str) -> re.Pattern[str]:
    words = {re.sub(r"^（[一二三四五六七八九十]+）", "", title), *SECTION_VARIANTS.get(key, ())}
    alternatives = "|".join(_spaced(_canon(w)) for w in sorted(words, key=len, reverse=True))
    prefixes = "|".join(_spaced(_canon(p)) for p in SECTION_PREFIXES)
    suffixes = "|".join(_spaced(_canon(s)) for s in SECTION_SUFFIXES)
    mark = r"(?:\(\s*[一二三四五六七八九十]\s*\)|[一二三四五六七八九十]\s*[.)]|\))"
    return re.compile(rf"(?m)^[ \t]*{mark}[ \t]*(?:{prefixes})?\s*(?:{alternatives})\s*(?:{suffixes})?[ \t]*[.。:]?")


def _sections(part, text: str, canon: str) -> tuple[dict[str, str], list[str]]:
    keys = [f"{part.key}.{s.key}" for s in part.sections]
    spans: list[tuple[str, int, int]] = []
    pos = 0
    for key, section in zip(keys, part.sections):
        match = _section_regex(key, section.title).search(canon, pos)
        if match:
            spans.append((key, match.start(), match.end()))
            pos = match.end()
    out = {k: "" for k in keys}
    notes = []
    intro = text[:spans[0][1]] if spans else text
    for (key, _, end), after in zip(spans, [*spans[1:], None]):
        out[key] = _paragraphs(text[end:after[1] if after else len(text)])
    if spans and len(spans) < len(keys):
        missing = [s.title for k, s in zip(keys, part.sections) if k not in {x[0] for x in spans}]
        notes.append(f"第{part.number}部分找不到小标题{'、'.join(missing)}，其内容并在前一节中")
    if part.key == "problems" and not spans:
        problems, improvements = _turn(text, canon)
        out[keys[0]], out[keys[1]] = _paragraphs(problems), _paragraphs(improvements)
        if improvements.strip():
            notes.append("第五部分没有小标题，从转入改进措施的一句（如“针对…”“下一步…”）起记为改进情况")
        return out, notes
    out[keys[0]] = "\n\n".join(t for t in (_paragraphs(intro), out[keys[0]]) if t)
    return out, notes


def _turn(text: str, canon: str) -> tuple[str, str]:
    openers = "|".join(re.escape(o) for o in IMPROVEMENT_OPENERS)
    match = re.search(rf"(?:(?<=[。;!?])|(?m:^))[ \t]*(?:{openers})", canon)
    if not match or not text[:match.start()].strip():
        return text, ""
    return text[:match.start()], text[match.start():]


def _unsigned(text: str) -> tuple[str, str]:
    """Part 六 without the signature and date that close the report, and the date (ISO)."""
    lines = text.split("\n")
    dates = [i for i, line in enumerate(lines) if _DATE_LINE.match(_canon(line))]
    if not dates:
        return text, ""
    i = dates[-1]
    signed = _date(_DATE_LINE.match(_canon(lines[i])).groups())  # type: ignore[union-attr]
    body = [line for line in lines[:i] if line.strip()]
    if body and len(body[-1].strip()) <= 40 and not re.search(r"[。，；：,;:]", body[-1]):
        body = body[:-1]
    return "\n".join(body), signed


def _paragraphs(text: str) -> str:
    lines = (line.strip() for line in text.split("\n"))
    out = "\n\n".join(line for line in lines if line and line != BLANK_CELL)
    return out.replace("{{", "{ {").replace("}}", "} }")


__all__ = [
    "BLANK_CELL",
    "FORMATS",
    "SUFFIXES",
    "Cell",
    "Grid",
    "Imported",
    "Reading",
    "Source",
    "agency_slug",
    "html_source",
    "parse",
    "parse_html",
    "parse_text",
    "pdf_source",
    "read_report",
    "read_source",
    "registered",
    "text_source",
    "with_agency",
]
