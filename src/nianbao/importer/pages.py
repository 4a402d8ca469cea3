"""A saved web page's markup → a Source: menus, scripts and footers dropped, the report's tables as grids."""

from __future__ import annotations

import itertools
import re

from ..errors import DataError
from .labels import BLANK_CELL, compacted
from .sources import Cell, Grid, Source, prose_lines

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
        kind = table_kind(compacted(table.text_content()))
        if kind:
            grids.setdefault(kind, []).append(_grid(table))
            anchors.append((kind != "B", table))
    root = _content_root(min(anchors, key=lambda a: a[0])[1] if anchors else None, body)
    text = _html_text(root)
    page = title + "\n" + (text if root is body else _html_text(body))
    heading = _report_title(title)
    return Source(
        text=text,
        prose="\n".join(prose_lines(text)),
        grids={k: tuple(v) for k, v in grids.items()},
        page="\n".join(prose_lines(page)),
        path=path,
        title=heading,
        title_from="网页标题 <title>" if heading else "",
    )


def _report_title(title: str) -> str:
    """The report's title in a page's ``<title>``, without the site's name around it (“…报告_栏目_网站”)."""
    for piece in re.split(r"\s*(?:_|\||｜|--|—|－|-(?=\s))\s*", title):
        if "报告" in piece and re.search(r"(?:19|20)\d\d", piece):
            return piece.strip()
    return ""


def _skipped(element) -> bool:
    return any(a.tag in _SKIP for a in element.iterancestors() if isinstance(a.tag, str))


def table_kind(compact: str) -> str:
    """Which of the format's tables a table is, from its text run together; "" for any other table."""
    if "增减" in compact and ("上年" in compact or "比较" in compact or "%" in compact):
        return ""  # a comparison with the previous year, not a table of the format
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
        compact = compacted(element.text_content())
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
