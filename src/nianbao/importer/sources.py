"""The report as the parser reads it (:class:`Source`), and Sources from copied text or a PDF's text layer."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..characters import printable
from .labels import BLANK_CELL


@dataclass(frozen=True)
class Scanned:
    """How a cell read from a scan was read: the engine's confidence (0–100) and, for a figure not read
    with certainty, the readings it may be (none when nothing like a figure was read) and why it is in doubt.
    """

    confidence: int
    choices: tuple[str, ...] = ()
    doubt: str = ""


@dataclass(frozen=True)
class Cell:
    """One cell of a table (a web page's, a PDF's, a scan's), at its first row and column."""

    text: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1
    scanned: Scanned | None = None  # read from a scan: how


#: A table as a grid: for each row, the cell covering each column (a spanning cell recurs).
Grid = tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class Source:
    """A published report as the parser reads it."""

    text: str  # the report, table cells one per line (BLANK_CELL for an empty one)
    prose: str  # the report's paragraphs, one per line
    grids: Mapping[str, tuple[Grid, ...]] = field(default_factory=dict)  # web page tables by table key
    page: str = ""  # the whole page's text, where the title and date may stand outside the report
    path: str = ""
    #: The report's title where the file states it apart from the body — a page's ``<title>``, a
    #: crawler copy's ``标题:`` line — and where it was read ("" when the file states none).
    title: str = ""
    title_from: str = ""
    scanned: str = ""  # read from a scan: the OCR engine that read it


#: A page number on a line of its own ("- 3 -", "第3页 共5页"), as text taken from a PDF shows it.
_PAGE_NUMBER = re.compile(r"(?m)^[ \t]*(?:[-－—–][ \t]*\d{1,3}[ \t]*[-－—–]|第[ \t]*\d{1,3}[ \t]*页(?:[ \t]*[,，/]?[ \t]*共[ \t]*\d{1,3}[ \t]*页)?)[ \t]*$")


_BLANK_LINE = re.compile(r"(?m)^[ \t]*[\xa0\u3000\u2002-\u200b\ufeff][ \t\xa0\u3000\u2002-\u200b\ufeff]*$")


def text_source(text: str, path: str = "") -> Source:
    """Copied text: a line holding only non-breaking or ideographic spaces is an empty cell; page
    numbers (text copied from a PDF) are dropped.

    A site crawler's copy — metadata lines (``标题:``, ``发布时间:``, ``发布机构:`` …) above a
    ``=== 正文 ===`` line, and the whole body on one line — is read too: the title from its
    ``标题:`` line, and the body broken before each part heading and each section number.
    """
    text = printable(text.replace("\r\n", "\n").replace("\r", "\n"))  # no invisible mark hides a heading
    meta, body = crawler_metadata(text)
    body = reflowed(unmarked(body))
    body = _BLANK_LINE.sub(BLANK_CELL, _PAGE_NUMBER.sub("", body))
    page = "\n".join(f"{k}: {v}" for k, v in meta.items()) + "\n" + body if meta else body
    title = meta.get("标题", "")
    return Source(text=body, prose="\n".join(prose_lines(body)), page=page, path=path,
                  title=title, title_from="“标题:”行" if title else "")


_MD_HEADING = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")
_MD_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$")
_MD_EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def unmarked(text: str) -> str:
    """Text saved as Markdown read as a browser shows it: ``## `` heading marks and ``**`` dropped,
    and each table row ``| a | | 3 |`` as its cells one per line (an empty cell as an empty cell).
    """
    if "|" not in text and "#" not in text and "**" not in text:
        return text
    out = []
    for line in _MD_HEADING.sub("", text).split("\n"):
        stripped = line.strip()
        if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
            if _MD_RULE.match(stripped):
                continue
            out += [cell.strip() or BLANK_CELL for cell in stripped[1:-1].split("|")]
            continue
        out.append(_MD_EMPHASIS.sub(lambda m: m.group(1) or m.group(2), line))
    return "\n".join(out)


#: A crawler copy's metadata line: a known key, a colon, the value.
_META_LINE = re.compile(r"^[ \t]*(标题|发布时间|发布日期|文号|发布机构|来源|栏目|原文链接|本地目录|索引号)[ \t]*[:：][ \t]*(.*)$")
_BODY_MARK = re.compile(r"^[ \t]*=+[ \t]*正文[ \t]*=+[ \t]*$", re.M)


def crawler_metadata(text: str) -> tuple[dict[str, str], str]:
    """The metadata lines above a crawler copy's body (key → value), and the body; ``({}, text)`` for other text."""
    mark = _BODY_MARK.search(text)
    head = text[: mark.start()] if mark else text[:2000]
    meta: dict[str, str] = {}
    lines = head.split("\n")
    taken = 0
    for line in lines:
        m = _META_LINE.match(line)
        if m:
            meta.setdefault(m.group(1), m.group(2).strip())
            taken += 1
        elif line.strip() and not mark:
            break  # without a body mark, metadata only at the very top
    if mark and meta:
        return meta, text[mark.end():]
    if taken >= 2 and not mark:
        return meta, "\n".join(lines[taken:]) + text[len(head):]
    return {}, text


#: Lines this long hold more than one paragraph: a crawler stored the body without its line breaks.
_RUN_ON = 400


def reflowed(text: str) -> str:
    """The text with a line break before each part heading and section number inside a run-on line."""
    if not any(len(line) > _RUN_ON for line in text.split("\n")):
        return text
    from ..format import PARTS

    heads = "|".join(f"{p.number}[ \t]*[、.．][ \t]*{re.escape(p.title[:2])}" for p in PARTS)
    out = []
    for line in text.split("\n"):
        if len(line) > _RUN_ON:
            line = re.sub(rf"[ \t]*(?=(?:{heads}))", "\n", line)
            line = re.sub(r"(?<=[。；;！!？?\s])[ \t]*(?=[（(][一二三四五六七八九十][）)])", "\n", line)
        out.append(line)
    return "\n".join(out)


def prose_lines(text: str) -> list[str]:
    """The text's lines, stripped, without empty lines or empty cells."""
    lines = (line.strip() for line in text.split("\n"))
    return [line for line in lines if line and line != BLANK_CELL]


#: What a line of a PDF's text may open with to indent it: spaces, or the wide spaces a browser's
#: “print to PDF” writes for a paragraph's two-character indent (U+2003, U+3000).
_SPACES = " \xa0\u2002\u2003\u3000"


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(_SPACES))


def pdf_source(plain: list[str], layout: list[str], path: str = "") -> Source:
    """A PDF's text layer, page by page: tables from the plain text, paragraphs from the layout text.

    In the layout text a paragraph opens with a line indented from the text's left edge, or with a
    part's or section's number; lines are joined, and the spaces a
    PDF puts between Chinese and Latin text (or to justify a line) are dropped.
    """
    text = "\n".join(_PAGE_NUMBER.sub("", page) for page in plain)
    paragraphs: list[list[str]] = []
    pages = [[line for line in _PAGE_NUMBER.sub("", page).split("\n") if line.strip()] for page in layout]
    margin = min((_indent(line) for lines in pages for line in lines), default=0)
    for lines in pages:
        for line in lines:
            indent = _indent(line) - margin
            if not paragraphs or indent >= 1 or HEADING_LINE.match(line.lstrip(_SPACES)):
                paragraphs.append([])
            paragraphs[-1].append(line.strip(_SPACES + "\t"))
    prose = "\n".join(tidy_spaces("\n".join(p)) for p in paragraphs)
    return Source(text=text, prose=prose, page=prose, path=path)


#: A line that opens with a part's or a section's number (“一、”, “（二）”): a heading, so a paragraph
#: of its own even where the PDF does not indent it.
HEADING_LINE = re.compile(r"^[ \t]*(?:[一二三四五六七八九十]、|[（(][一二三四五六七八九十][）)])")


def tidy_spaces(text: str) -> str:
    """Whitespace kept (as one space) only between two ASCII characters."""

    def keep(m: re.Match[str]) -> str:
        before = text[m.start() - 1] if m.start() else ""
        after = text[m.end()] if m.end() < len(text) else ""
        return " " if before.isascii() and after.isascii() and before and after else ""

    return re.sub(r"\s+", keep, text).strip()
