"""What an input file may be, checked before any reader takes it whole: its size, what its first bytes
say it is and, for the zip packages (``.xlsx``, ``.docx``), what the package's directory lists. Every
file the kit reads (data, params, registry, reviews, returned workbooks, published reports, audit
manifests) is read through :func:`read`, and fails the same way, with one :class:`DataError` naming it:

- a file far larger than any such file (refused by its size, before it is read);
- a directory, a device or a pipe where a file should be;
- a file that is another format under the wrong name (an old ``.xls``, a web page or CSV renamed ``.xlsx``,
  a web page saved as ``.pdf``), or an empty one;
- a zip package that would inflate far beyond any real one, or holds thousands of parts;
- a workbook carrying macros (VBA, Excel 4.0 macro sheets), ActiveX controls or embedded OLE objects.

The limits are several times the largest real file of each kind, and all of them are here, the
PDF's too (its readers check them page by page: :mod:`nianbao.importer.pdflimits`).
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from .errors import DataError, NianbaoError

KB, MB = 1024, 1024 * 1024


@dataclass(frozen=True)
class Kind:
    """A kind of input file: what it is called, the largest accepted, and what a real one weighs."""

    unreadable: str  # how a refusal opens: 无法读取网页
    name: str  # 网页
    limit: int  # bytes
    typical: str  # said when the limit is passed
    empty: bool = False  # an empty file is accepted (an empty reviews file holds no reviews)
    holds: tuple[str, ...] = ()  # contents accepted besides its own (a ".doc" saved as RTF or as a web page)


KINDS = {
    "html": Kind("无法读取网页", "网页", 30 * MB, "一份年报的网页连同内嵌的图片通常不到 5 MB"),
    "txt": Kind("无法读取文字文件", "文字文件", 5 * MB, "一份年报的全文通常不到 200 KB"),
    "pdf": Kind("无法读取 PDF", "PDF", 100 * MB, "一份年报的 PDF 通常不到 10 MB"),
    "docx": Kind("无法读取 Word 文件", "Word 文件", 50 * MB, "一份年报的 Word 文件连同图片通常不到 10 MB"),
    "office": Kind("无法读取文档", "Word 或 WPS 文档", 50 * MB, "一份年报的 Word 文件连同图片通常不到 10 MB",
                   holds=("doc", "ole2", "rtf", "odt", "html", "docx")),  # .doc/.wps/.rtf/.odt, as LibreOffice reads them
    "xlsx": Kind("无法作为 Excel 工作簿打开", "Excel 工作簿", 20 * MB, "填好的模板通常不到 1 MB"),
    "yaml": Kind("无法读取 YAML 文件", "YAML 文件", 2 * MB, "一份数据文件通常不到 50 KB，上千个单位的名录不到 500 KB", empty=True),
    "csv": Kind("无法读取清单", "清单", 5 * MB, "一千份报告的清单不到 100 KB", empty=True),
    "image": Kind("无法读取图片", "图片", 40 * MB, "一页 A4 按 300 dpi 扫描的图片通常不到 5 MB"),
}
SUFFIXES = {".html": "html", ".htm": "html", ".txt": "txt", ".pdf": "pdf", ".docx": "docx", ".xlsx": "xlsx",
            ".doc": "office", ".wps": "office", ".rtf": "office", ".odt": "office", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv",
            ".png": "image", ".jpg": "image", ".jpeg": "image"}
TEXT_KINDS = ("html", "txt", "yaml", "csv")

#: A web page's elements: a saved report page has 500–2,000 (a portal's menus add a few thousand);
#: the parser's time and memory grow with them, not with inline pictures.
MAX_HTML_TAGS = 200_000

#: Zip packages: parts, the XML parts inflated (what openpyxl and lxml parse), every part inflated.
#: The template filled in is 14–30 parts and 0.2 MB of XML; a long report's Word file 1–3 MB of XML.
MAX_PARTS, MAX_XML, MAX_INFLATED = 1_000, 20 * MB, 200 * MB

#: PDFs: a report is 3–30 pages; a real page's content stream is under 50 KB (a vector seal or emblem
#: may add a few hundred), with ~600 rules (each cell border drawn apart) on a 28 × 28 lattice, and
#: ~600 characters. The table finder's work grows with the square of the lattice; pypdf and
#: pdfplumber take 2–10 s a megabyte of content. Within these bounds a PDF is read, or refused, in
#: seconds (10 s at worst, measured, for a PDF made to use every bound).
MAX_PDF_PAGES, MAX_PAGE_CONTENT, MAX_PDF_CONTENT = 100, 512 * KB, 2 * MB
MAX_PAGE_CHARS, MAX_PDF_CHARS = 20_000, 100_000
MAX_PAGE_RULES, MAX_PDF_RULES, MAX_PAGE_CROSSINGS, MAX_PDF_CROSSINGS = 3_000, 15_000, 4_000, 20_000

#: Scans, read by OCR at 2–10 s a page: 3–20 pages of A4 (8.7 million pixels at 300 dpi); a table page has
#: a few hundred strokes of rule, 40–120 rules once joined; below 140 dpi figures are not told apart.
MAX_SCAN_PAGES, MAX_SCAN_PIXELS, MIN_SCAN_DPI = 30, 50_000_000, 140
MAX_SCAN_LINES, MAX_SCAN_RULES = 20_000, 1_500


def size(n: int) -> str:
    """A number of bytes as people say it: 200 MB, 1.5 GB, 30 KB."""
    for unit, scale in (("GB", MB * KB), ("MB", MB), ("KB", KB)):
        if n >= scale:
            value = n / scale
            return f"{value:.1f} {unit}".replace(".0 ", " ") if value < 10 else f"{value:.0f} {unit}"
    return f"{n} 字节"


def read(path: Path, kind: str | None = None, error: type[NianbaoError] = DataError) -> bytes:
    """The file's bytes, once it is shown to be a regular file no larger than its kind allows, and to
    hold what its name says (for ``.xlsx`` also: no macros, controls or embedded objects).

    ``kind`` defaults to the one the suffix names. ``FileNotFoundError`` passes through, for the
    caller to say what file should be there; every other problem raises ``error`` naming the file.
    """
    kind = kind or SUFFIXES[path.suffix.lower()]
    spec = KINDS[kind]
    info = regular(path, error)
    if info.st_size > spec.limit:
        raise _too_large(path, spec, info.st_size, error)
    try:
        with open(path, "rb") as f:
            raw = f.read(spec.limit + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise error(f"无法读取文件（{exc.strerror or exc}）", file=path, hint="请检查文件是否存在、有无读取权限") from None
    if len(raw) > spec.limit:  # grown since, or a file whose size the system does not know (/proc)
        raise _too_large(path, spec, len(raw), error)
    check(raw, path, kind, error)
    return raw


def regular(path: Path, error: type[NianbaoError] = DataError) -> os.stat_result:
    """``path``'s status, once shown to be a regular file, not a folder, device or pipe (``FileNotFoundError`` passes)."""
    info = os.stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise error("这是一个目录，不是文件", file=path, hint="请给出文件的路径")
    if not stat.S_ISREG(info.st_mode):
        raise error("这不是普通文件（是设备、管道或套接字）", file=path, hint="请给出文件的路径")
    return info


def _too_large(path: Path, spec: Kind, n: int, error: type[NianbaoError]) -> NianbaoError:
    shown = size(n) if size(n) != size(spec.limit) else f"{n:,} 字节"
    return _refusal(error, f"文件有 {shown}，超过{spec.name}的上限 {size(spec.limit)}，未读取", path,
                    f"{spec.typical}；请确认选对了文件")


def _refusal(error: type[NianbaoError], message: str, path: Path | str, hint: str) -> NianbaoError:
    """The error, a space set between Chinese and the Latin names put in (“超过 PDF 的上限”)."""
    return error(_SPACE.sub(" ", message), file=path, hint=_SPACE.sub(" ", hint))


_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])(?=[A-Za-z])|(?<=[A-Za-z])(?=[\u4e00-\u9fff])")
_TAG = re.compile(rb"<[A-Za-z]")


def check(raw: bytes, path: Path | str, kind: str, error: type[NianbaoError] = DataError) -> None:
    """Refuse ``raw`` unless it is what a file of ``kind`` holds (see the module's docstring)."""
    spec = KINDS[kind]
    if not raw and spec.empty:
        return
    if not raw:
        raise error(f"{spec.unreadable}：文件是空的（0 字节）", file=path, hint="可能没有下载或保存完整；请重新下载或保存")
    found = sniff(raw)
    if found == "zip-broken" and kind in ("xlsx", "docx"):
        raise error(f"{spec.unreadable}：文件已损坏（zip 结构不完整）", file=path,
                    hint="可能没有下载或保存完整；请重新下载，或在 Office / WPS 中重新保存")
    if found not in (kind, *spec.holds) and (kind not in TEXT_KINDS or found in _BINARY):  # a text file may hold a page
        what, suffix = _FOUND[found]
        shown = Path(path).suffix or "（无）"
        raise _refusal(error, f"{spec.unreadable}：文件的扩展名是 {shown}，内容却是{what}", path, _hint(kind, found, suffix))
    if kind == "html" and (tags := len(_TAG.findall(raw))) > MAX_HTML_TAGS:
        raise _refusal(error, f"{spec.unreadable}：网页中有 {tags} 个标签（上限 {MAX_HTML_TAGS}）", path,
                       "一份年报的网页只有一两千个标签；请只把年报正文所在的页面“另存为”网页再导入")
    if kind in ("xlsx", "docx"):
        _package(raw, path, kind, error)


# ---------------------------------------------------------------- what the bytes say


#: What each kind of content is called, and the suffix it goes by when the kit reads it.
_FOUND = {
    "pdf": ("PDF 文件", ".pdf"), "docx": ("Word 文档（.docx）", ".docx"), "xlsx": ("Excel 工作簿（.xlsx）", ".xlsx"),
    "html": ("网页（HTML）", ".html"), "text": ("文字（如 CSV 或纯文本）", ".txt"), "pptx": ("PowerPoint 演示文稿", ""),
    "ods": ("OpenDocument 表格（.ods）", ""), "odt": ("OpenDocument 文本（.odt）", ""),
    "zip": ("zip 压缩包（不是 Office 文档）", ""), "zip-broken": ("损坏的 zip 文件", ""),
    "xls": ("旧版 Excel 工作簿（.xls）或 WPS 表格（.et）", ""), "doc": ("旧版 Word 文档（.doc）或 WPS 文字（.wps）", ""),
    "encrypted": ("设置了打开密码（加密）的 Office 文件", ""), "ole2": ("旧版 Office 文件（.doc、.xls、.et 等）", ""),
    "rtf": ("RTF 文档", ""), "image": ("图片", ""), "archive": ("压缩包（rar、7z 或 gz）", ""),
    "utf16": ("没有 BOM 的 UTF-16 编码文字", ""), "binary": ("无法识别的二进制内容", ""),
}
#: Contents that are never a text file's.
_BINARY = set(_FOUND) - {"html", "text"}
_MAGIC = (
    (b"PK\x03\x04", "zip"), (b"PK\x05\x06", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole2"),
    (b"{\\rtf", "rtf"),
    (b"\x89PNG", "image"), (b"\xff\xd8\xff", "image"), (b"GIF8", "image"),
    (b"Rar!", "archive"), (b"7z\xbc\xaf\x27\x1c", "archive"), (b"\x1f\x8b", "archive"),
)
_HTML = (b"<!doctype html", b"<html", b"<head", b"<body", b"<meta", b"<title", b"<table", b"<div", b"<p>")


#: A compound file's directory names its streams in UTF-16: what it holds, from them.
_OLE2_KINDS = (("EncryptedPackage", "encrypted"), ("Workbook", "xls"), ("Book\x00", "xls"), ("WordDocument", "doc"))


def sniff(raw: bytes) -> str:
    """What the bytes are, by their first bytes (and a zip package's or compound file's directory)."""
    if b"%PDF-" in raw[:1024]:
        return "pdf"
    for magic, found in _MAGIC:
        if raw.startswith(magic):
            if found == "zip":
                return _zip_kind(raw)
            if found == "ole2":
                return next((k for name, k in _OLE2_KINDS if name.encode("utf-16-le") in raw), "ole2")
            return found
    head = raw[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_HTML) or b"<html" in head:
        return "html"
    sample = raw[:4096]
    if b"\x00" in sample and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        halves = (sample[0::2].count(0), sample[1::2].count(0))  # UTF-16: the zeros of ASCII all on one side
        return "utf16" if min(halves) * 5 <= max(halves) else "binary"
    return "text"


def _zip_kind(raw: bytes) -> str:
    try:
        with zipfile.ZipFile(BytesIO(raw)) as package:
            names = set(package.namelist())
            if "mimetype" in names and package.getinfo("mimetype").file_size < 200:
                mimetype = package.read("mimetype")
                return "ods" if b"spreadsheet" in mimetype else "odt" if b"text" in mimetype else "zip"
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        return "zip-broken"
    if "[Content_Types].xml" not in names:
        return "zip"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "word/document.xml" in names:
        return "docx"
    return "pptx" if "ppt/presentation.xml" in names else "zip"


def _hint(kind: str, found: str, suffix: str) -> str:
    """What to do with a file of ``kind`` that holds ``found``."""
    if found == "encrypted":
        return "请在 Excel、WPS 或 Word 中取消打开密码，另存后再用"
    if found == "utf16":
        return "请用记事本或编辑器“另存为”UTF-8 编码后再用"
    if kind == "xlsx" and found in ("xls", "ole2", "ods", "text", "html"):
        return "请在 Excel、WPS 或 LibreOffice 中打开，“另存为”Excel 工作簿（*.xlsx）后再用"
    if kind in ("docx", "office") and found in ("doc", "ole2", "odt", "rtf"):
        return "请在 Word 或 WPS 中打开，“另存为”Word 文档（*.docx）后再导入"
    if kind == "pdf" and found in ("doc", "ole2", "rtf"):
        return "请在 Word 或 WPS 中打开，另存为 PDF 或 Word 文档（*.docx）后再导入"
    if found == "zip":
        return "若其中是要用的文件，请先解压"
    if found == "image":
        return "扫描件或照片请以 .png 或 .jpg 为扩展名导入（按文字识别读取）；更可靠的是网页版或可复制文字的 PDF"
    if suffix and suffix != f".{kind}":
        return f"请确认没有选错或放错文件；它若确是{_FOUND[found][0]}，扩展名应为 {suffix}"
    return "请确认没有选错或放错文件" + (f"；这里应是{KINDS[kind].name}" if kind != "txt" else "")


# ---------------------------------------------------------------- zip packages


def _package(raw: bytes, path: Path | str, kind: str, error: type[NianbaoError]) -> None:
    """Refuse a decompression bomb by the package's directory (before any part is inflated) and, for a
    workbook, macros, ActiveX controls and embedded objects.

    The directory's sizes bind: Python's zipfile stops a part at its stated size (a part that inflates
    further fails its checksum), and openpyxl, python-docx and lxml all read through it.
    """
    spec = KINDS[kind]
    with zipfile.ZipFile(BytesIO(raw)) as package:
        parts = package.infolist()
        if len(parts) > MAX_PARTS:
            raise error(f"{spec.unreadable}：包中有 {len(parts)} 个部件（上限 {MAX_PARTS}）", file=path,
                        hint="不像是 Office 保存的文件，可能已损坏或是恶意构造的；请在 Office / WPS 中重新保存")
        xml = [p for p in parts if p.filename.lower().endswith((".xml", ".rels", ".vml"))]
        largest = max(parts, key=lambda p: p.file_size)
        for total, limit, what in ((sum(p.file_size for p in xml), MAX_XML, "其中的 XML"),
                                   (sum(p.file_size for p in parts), MAX_INFLATED, "全部内容")):
            if total > limit:
                raise _refusal(
                    error, f"{spec.unreadable}：{what}解压后有 {size(total)}（上限 {size(limit)}；最大的部件 {largest.filename} "
                    f"有 {size(largest.file_size)}）", path, f"{spec.typical}；可能是“解压炸弹”或损坏的文件，请确认选对了文件")
        if kind == "xlsx":
            types = package.read("[Content_Types].xml").lower() if "[Content_Types].xml" in package.namelist() else b""
            _no_macros([p.filename.lower() for p in parts], types, path, error)


#: Parts and content types that carry code or foreign objects, and what the message calls them.
_ACTIVE = (
    (("vbaproject.bin", "vbaprojectsignature.bin"), (b"vbaproject", b"macroenabled"), "宏（VBA）"),
    (("/macrosheets/",), (b"macrosheet",), "Excel 4.0 宏表"),
    (("/activex/",), (b"activex",), "ActiveX 控件"),
    (("/embeddings/",), (b"oleobject",), "嵌入的 OLE 对象（插入的文件或控件）"),
)


def _no_macros(names: list[str], types: bytes, path: Path | str, error: type[NianbaoError]) -> None:
    for parts, content_types, what in _ACTIVE:
        if any(p in name for p in parts for name in names) or any(t in types for t in content_types):
            raise error(f"工作簿中带有{what}；nianbao 只收数字和文字", file=path,
                        hint="请在 Excel 或 WPS 中删去宏和嵌入的对象，另存为不带宏的 Excel 工作簿（*.xlsx）后再交回（或放回 data/）")


__all__ = ["KINDS", "MAX_PDF_PAGES", "Kind", "check", "read", "regular", "size", "sniff"]
