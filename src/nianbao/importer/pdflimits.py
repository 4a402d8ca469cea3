"""The work a PDF may ask of the importer: pages, content, and the rules and characters of a page.

A broken or hostile PDF — a page ruled with 600 × 600 lines, a million pages, a content stream of
a million drawing operations — would otherwise keep pypdf and pdfplumber's table finder busy for
hours. Each bound (:mod:`nianbao.inputs`) is checked before the work it bounds: pages and content
when the file is opened, the characters of the text layer before its layout is worked out, each
page's rules (and characters) before the table finder runs on it. A PDF past any bound is refused
with the page and what was found, never read in part.
"""

from __future__ import annotations

import re

from ..errors import DataError
from ..inputs import (
    MAX_PAGE_CHARS,
    MAX_PAGE_CONTENT,
    MAX_PAGE_CROSSINGS,
    MAX_PAGE_RULES,
    MAX_PDF_CHARS,
    MAX_PDF_CONTENT,
    MAX_PDF_CROSSINGS,
    MAX_PDF_PAGES,
    MAX_PDF_RULES,
    size,
)

_HINT = "不像是年度报告的 PDF（可能已损坏，或是恶意构造的）；若确是年报，请改用网页版（.html）或从网页复制的文字（.txt）导入"
#: pdfplumber's default snapping: rules closer than this are one line to its table finder.
_SNAP = 3


def check_document(reader, path: str) -> None:
    """Refuse a PDF (a ``pypdf.PdfReader``) of too many pages, or whose pages' content is too large."""
    declared = reader.trailer["/Root"]["/Pages"].get("/Count", 0)
    pages = declared if isinstance(declared, int) and declared > MAX_PDF_PAGES else len(reader.pages)
    if pages > MAX_PDF_PAGES:
        raise DataError(f"PDF 有 {pages} 页（上限 {MAX_PDF_PAGES} 页）", file=path,
                        hint="一份年度报告通常不到 30 页；请确认选对了文件，或只把年报所在的几页另存为 PDF 再导入")
    total = 0
    for number, page in enumerate(reader.pages, 1):
        content = _content(page)
        total += content
        if content > MAX_PAGE_CONTENT:
            raise DataError(f"PDF 第 {number} 页的内容解压后超过每页上限 {size(MAX_PAGE_CONTENT)}", file=path, hint=_HINT)
        if total > MAX_PDF_CONTENT:
            raise DataError(f"PDF 前 {number} 页的内容解压后合计超过上限 {size(MAX_PDF_CONTENT)}", file=path, hint=_HINT)


def check_text(pages: list[str], path: str) -> None:
    """Refuse a PDF whose text layer (pypdf's plain text, page by page) is too long for a report's:
    before the layout text and the table finder, which cost several times more a character.
    """
    total = 0
    for number, text in enumerate(pages, 1):
        total += len(text)
        if len(text) > MAX_PAGE_CHARS:
            raise DataError(f"PDF 第 {number} 页有 {len(text)} 个字符（每页上限 {MAX_PAGE_CHARS}）", file=path, hint=_HINT)
        if total > MAX_PDF_CHARS:
            raise DataError(f"PDF 前 {number} 页共有 {total} 个字符（上限 {MAX_PDF_CHARS}）", file=path, hint=_HINT)


def _content(page) -> int:
    """The bytes of drawing the page asks of a reader, inflated: its content streams, and each form as
    often as they draw it (``/Name Do``); counting stops once past the page's bound.
    """
    data = b"\n".join(stream.get_data() for stream in _streams(page.get("/Contents")))
    return _drawn(data, page.get("/Resources"), {}, set())


#: A form or image drawn: ``/Name Do``.
_DO = re.compile(rb"/([^\s/\[\]()<>{}%]+)\s*Do(?![^\s/\[\]()<>{}%])")


def _drawn(data: bytes, resources, weights: dict[object, int], drawing: set[object]) -> int:
    """``data``'s bytes and those of each form it draws, by the forms' weights (each worked out once)."""
    from pypdf.generic import DictionaryObject, IndirectObject, StreamObject

    resources = _resolved(resources)
    xobjects = _resolved(resources.get("/XObject")) if isinstance(resources, DictionaryObject) else None
    if not isinstance(xobjects, DictionaryObject):
        return len(data)
    total = len(data)
    for name in _DO.findall(data):
        ref = xobjects.get("/" + name.decode("latin-1"))
        key = (ref.idnum, ref.generation) if isinstance(ref, IndirectObject) else id(ref)
        if ref is not None and key not in weights:
            form = ref.get_object()
            if not isinstance(form, StreamObject) or form.get("/Subtype") != "/Form":
                weights[key] = 0  # an image: no drawing to interpret
            elif key in drawing:
                return MAX_PAGE_CONTENT + 1  # a form that draws itself: endless
            else:
                drawing.add(key)
                weights[key] = _drawn(form.get_data(), form.get("/Resources") or resources, weights, drawing)
                drawing.discard(key)
        total += weights.get(key, 0)
        if total > MAX_PAGE_CONTENT:
            break
    return total


def _resolved(obj):
    return obj.get_object() if obj is not None else None


def _streams(contents) -> list:
    if contents is None:
        return []
    contents = contents.get_object()
    return [c.get_object() for c in contents] if isinstance(contents, list) else [contents]


class TableWork:
    """The rules the table finder has been given so far; each page is checked before it runs on it.

    Its work grows with the square of the lattice the rules make: the distinct positions of the
    horizontal rules times those of the vertical ones, counted as pdfplumber snaps them together.
    """

    def __init__(self, path: str) -> None:
        self.path, self.rules, self.crossings = path, 0, 0

    def check(self, page, number: int) -> None:
        """Refuse a page (a ``pdfplumber`` page) too full of rules or characters for a report's, or one
        that takes the document past its bounds.
        """
        edges = [e for e in page.edges if e["orientation"] in ("h", "v")]  # a slanted or curved stroke is no rule
        rows = len({round(e["top"] / _SNAP) for e in edges if e["orientation"] == "h"})
        columns = len({round(e["x0"] / _SNAP) for e in edges if e["orientation"] == "v"})
        self.rules += len(edges)
        self.crossings += rows * columns
        chars = len(page.chars)
        for found, limit, what in (
            (len(edges), MAX_PAGE_RULES, f"第 {number} 页有 {len(edges)} 段线条（每页上限 {MAX_PAGE_RULES}）"),
            (rows * columns, MAX_PAGE_CROSSINGS, f"第 {number} 页的线条交成 {rows} × {columns} 的网格（每页上限 {MAX_PAGE_CROSSINGS} 个交点）"),
            (chars, MAX_PAGE_CHARS, f"第 {number} 页有 {chars} 个字符（每页上限 {MAX_PAGE_CHARS}）"),
            (self.rules, MAX_PDF_RULES, f"前 {number} 页共有 {self.rules} 段线条（上限 {MAX_PDF_RULES}）"),
            (self.crossings, MAX_PDF_CROSSINGS, f"前 {number} 页的线条共交成 {self.crossings} 个交点（上限 {MAX_PDF_CROSSINGS}）"),
        ):
            if found > limit:
                raise DataError(f"PDF {what}", file=self.path, hint=_HINT)


__all__ = ["TableWork", "check_document", "check_text"]
