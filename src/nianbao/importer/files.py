"""A file on disk → a Source (and an Imported): by its suffix, its bytes decoded or its PDF text layer read.

The importer's only I/O.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from .. import inputs
from ..errors import DataError
from .imported import Imported
from .pages import html_source
from .parse import parse
from .sources import Source, pdf_source, text_source

SUFFIXES = (".html", ".htm", ".txt", ".pdf", ".docx", ".doc", ".wps", ".rtf", ".odt", ".png", ".jpg", ".jpeg")

# pypdf logs what it repairs in a damaged PDF ("EOF marker not found"); the import says in one line
# whether the file can be read, and those lines reach a handler only where the user set one up.
logging.getLogger("pypdf").addHandler(logging.NullHandler())
logging.getLogger("pdfminer").addHandler(logging.NullHandler())  # pdfplumber's reader, as chatty ("Could not get FontBBox")


def read_report(path: Path, *, agency: str | None = None, year: int | None = None,
                untold_year: int | None = None, untold_name: str = "", jobs: int = 1) -> Imported:
    """Import one published report — ``.html``/``.htm``, ``.txt``, ``.pdf``, ``.docx`` (or ``.doc``, ``.wps``,
    ``.rtf``, ``.odt``, through LibreOffice), or a scan's page ``.png``/``.jpg`` — by its suffix (keywords as :func:`~nianbao.importer.parse.parse` takes them;
    ``jobs``: a scan's pages read this many at a time).
    """
    return parse(read_source(path, jobs=jobs), agency=agency, year=year, untold_year=untold_year, untold_name=untold_name)


def read_source(path: Path, *, jobs: int = 1) -> Source:
    if path.is_dir():
        return _photos_source(path, jobs)
    suffix = path.suffix.lower()
    try:
        inputs.regular(path)  # a device or a pipe is said as such, whatever its name
        if suffix not in SUFFIXES:
            raise DataError("不认识的文件类型", file=path, hint="可导入网页（.html、.htm）、复制的文字（.txt）、PDF（.pdf）、"
                            "Word（.docx、.doc）、WPS 文字（.wps）、RTF（.rtf）、OpenDocument（.odt）或扫描件的图片（.png、.jpg）")
        raw = inputs.read(path)  # its size, what its bytes are, a package's directory: before any parser
    except FileNotFoundError:
        raise DataError("找不到文件", file=path, hint="请检查路径和文件名") from None
    kind = inputs.SUFFIXES[suffix]
    if suffix == ".pdf":
        return _pdf_source(raw, str(path), jobs)
    if suffix in (".png", ".jpg", ".jpeg"):
        from .scan import scan_source

        return scan_source(raw, str(path), jobs=jobs)
    found = inputs.sniff(raw) if kind == "office" else kind
    if found == "html" and kind == "office":  # a page saved under a Word name
        return html_source(_decode(raw, path, html=True), str(path))
    if found != "docx" and kind == "office":
        from .office import to_docx

        raw = to_docx(raw, str(path), suffix)
        inputs.check(raw, path, "docx")  # what LibreOffice made, bounded as any Word file is
    if kind in ("docx", "office"):
        from .word import docx_markup

        return html_source(docx_markup(raw, str(path)), str(path))
    text = _decode(raw, path, html=suffix != ".txt")
    return html_source(text, str(path)) if suffix != ".txt" else text_source(text, str(path))


PHOTOS = (".png", ".jpg", ".jpeg")


def photographed(folder: Path) -> bool:
    """Whether a folder is one report photographed page by page (as :func:`read_source` reads it): it
    holds pictures and nothing else, hidden files aside.
    """
    entries = [p for p in folder.iterdir() if not p.name.startswith(".")]
    return bool(entries) and all(p.is_file() and p.suffix.lower() in PHOTOS for p in entries)


def _photos_source(folder: Path, jobs: int) -> Source:
    """A report photographed page by page: the folder's pictures, in the order of their names (页2 before
    页10), as the pages of one scan. Anything else in the folder is refused, as a page may be missing.
    """
    from ..inputs import MAX_SCAN_PAGES
    from .scan import scan_pages

    files = sorted((p for p in folder.iterdir() if not p.name.startswith(".")), key=_natural)
    others = [p for p in files if p.suffix.lower() not in PHOTOS or not p.is_file()]
    if others:
        raise DataError(f"目录中的 {others[0].name} 不是 PNG 或 JPEG 图片", file=folder,
                        hint="一个目录只放一份报告各页的图片（.png、.jpg），按页序命名，如 第01页.jpg")
    if not files:
        raise DataError("目录中没有图片", file=folder, hint="把一份报告各页的照片或扫描图片（.png、.jpg）放在一个目录中再导入")
    if len(files) > MAX_SCAN_PAGES:
        raise DataError(f"目录中有 {len(files)} 张图片（上限 {MAX_SCAN_PAGES} 页）", file=folder,
                        hint="一个目录只放一份报告各页的图片；一份年度报告通常不到 20 页")
    try:
        pages = [(inputs.read(p), str(p)) for p in files]
    except FileNotFoundError:
        raise DataError("目录中的图片在读取时不见了", file=folder) from None
    return scan_pages(pages, str(folder), jobs=jobs)


def _natural(path: Path) -> list:
    """A name's order as a person reads it: its numbers by value (页2 before 页10)."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", path.name.lower()) if part]


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


def _pdf_source(raw: bytes, path: str, jobs: int = 1) -> Source:
    import io

    import pypdf
    from pypdf.errors import FileNotDecryptedError, PyPdfError

    from .pdflimits import check_document, check_text

    try:
        reader = pypdf.PdfReader(io.BytesIO(raw))
        check_document(reader, path)  # pages and content, before any page is read
        plain = [page.extract_text() or "" for page in reader.pages]
        check_text(plain, path)
        layout = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except DataError:
        raise
    except FileNotDecryptedError:  # a password to open it (an empty one pypdf tries itself)
        raise DataError("无法读取 PDF：文件设置了打开密码", file=path,
                        hint="请在 PDF 阅读器中输入密码打开，另存为（或打印为）不加密的 PDF 再导入；或导入网站上的网页版") from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise DataError(f"无法读取 PDF：文件不完整或已损坏（{type(exc).__name__}: {exc}）", file=path,
                        hint="可能没有下载完整；请重新下载，或导入网站上的网页版") from None
    if not "".join(plain).strip():  # no text layer: a scan
        from .scan import scan_source

        return scan_source(raw, path, jobs=jobs)
    from dataclasses import replace

    from .pages import table_kind
    from .pdftables import pdf_grids

    return replace(pdf_source(plain, layout, path), grids=pdf_grids(raw, table_kind, path))
