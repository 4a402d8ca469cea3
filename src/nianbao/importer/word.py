"""A Word document (.docx) → the markup of a web page, for :func:`~nianbao.importer.pages.html_source`.

Paragraphs become ``<p>`` (headings ``<h2>``), tables become ``<table>`` with the merges Word
stores — ``w:gridSpan`` as ``colspan``, a ``w:vMerge`` run as ``rowspan`` — so a Word file is read
by its cells and merges exactly as a saved web page is. Every text is escaped on the way.
"""

from __future__ import annotations

import html
import io
import zipfile

from ..errors import DataError

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_markup(raw: bytes, path: str = "") -> str:
    """The document's body as HTML: its paragraphs and tables in order."""
    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as package:
            xml = package.read("word/document.xml")
        root = etree.fromstring(xml, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as exc:
        raise DataError(f"无法读取 Word 文件：文件不完整或已损坏（{type(exc).__name__}: {exc}）", file=path,
                        hint="可能没有下载完整；请重新下载，或在 Word / WPS 中打开、另存为 Word 文档（*.docx）后再导入") from None
    body = root.find(f"{_W}body")
    if body is None:
        raise DataError("Word 文件中没有正文", file=path)
    parts = [_element(child) for child in body]
    return "<html><body>" + "".join(parts) + "</body></html>"


def _element(element) -> str:
    if element.tag == f"{_W}p":
        text = _text(element)
        style = element.find(f"{_W}pPr/{_W}pStyle")
        heading = style is not None and (style.get(f"{_W}val") or "").lower().startswith("heading")
        return f"<h2>{html.escape(text)}</h2>" if heading else f"<p>{html.escape(text)}</p>"
    if element.tag == f"{_W}tbl":
        return _table(element)
    if element.tag == f"{_W}sdt":  # a content control: its content
        content = element.find(f"{_W}sdtContent")
        return "".join(_element(c) for c in content) if content is not None else ""
    return ""


def _text(element) -> str:
    """A paragraph's text: its runs' text, tabs as spaces, breaks as new lines; deleted text left out."""
    out = []
    for node in element.iter(f"{_W}t", f"{_W}tab", f"{_W}br", f"{_W}cr", f"{_W}delText", f"{_W}instrText"):
        if node.tag == f"{_W}t":
            out.append(node.text or "")
        elif node.tag == f"{_W}tab":
            out.append(" ")
        elif node.tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
    return "".join(out)


def _table(tbl) -> str:
    """A table with its merges: (row, column) of each cell's first grid slot, spans from the markup."""
    rows = [tr for tr in tbl if tr.tag == f"{_W}tr"]
    grid: list[list[dict]] = []
    for tr in rows:
        cells, col = [], 0
        for tc in tr.iter(f"{_W}tc"):
            if tc.getparent() is not tr and tc.getparent().tag != f"{_W}sdtContent":
                continue  # a table inside a cell: part of that cell's text
            pr = tc.find(f"{_W}tcPr")
            span = pr.find(f"{_W}gridSpan") if pr is not None else None
            merge = pr.find(f"{_W}vMerge") if pr is not None else None
            colspan = int(span.get(f"{_W}val", "1")) if span is not None else 1
            state = "" if merge is None else (merge.get(f"{_W}val") or "continue")
            text = "\n".join(_text(p) for p in tc.iter(f"{_W}p")).strip()
            cells.append({"col": col, "colspan": max(1, colspan), "merge": state, "text": text, "rowspan": 1})
            col += max(1, colspan)
        grid.append(cells)
    for r, cells in enumerate(grid):  # a vMerge "restart" spans the "continue" cells below it
        for cell in cells:
            if cell["merge"] != "restart":
                continue
            below = r + 1
            while below < len(grid) and any(c["col"] == cell["col"] and c["merge"] == "continue" for c in grid[below]):
                below += 1
            cell["rowspan"] = below - r
    out = []
    for cells in grid:
        tds = []
        for cell in cells:
            if cell["merge"] == "continue":
                continue
            spans = (f' rowspan="{cell["rowspan"]}"' if cell["rowspan"] > 1 else "") + (
                f' colspan="{cell["colspan"]}"' if cell["colspan"] > 1 else "")
            tds.append(f"<td{spans}>{html.escape(cell['text'])}</td>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    return "<table>" + "".join(out) + "</table>"


__all__ = ["docx_markup"]
