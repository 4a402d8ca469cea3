"""Scanned reports: an image-only PDF or a page photo (``.png``, ``.jpg``) → a :class:`Source`.

Each page is made into a clean, upright, black-on-white picture at :data:`DPI` (a red seal taken
out, the page turned level), its ruled tables found from their lines, and its text read by
:mod:`.ocr`. A table's cells are read one by one: labels as Chinese, figures twice — as Chinese
text and as digits only — so that a figure is certain only where the two agree with high
confidence. Any other figure goes to the parser as a :class:`~.sources.Scanned` doubt, with what it
was read as; the format's relations decide it there (:mod:`.rows`), or it stays ``"?"``.

Everything a scan may ask is bounded before the work it bounds (:mod:`nianbao.inputs`): pages,
pixels a page, the lines found on a page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..errors import DataError
from ..inputs import MAX_SCAN_LINES, MAX_SCAN_PAGES, MAX_SCAN_PIXELS, MAX_SCAN_RULES, MIN_SCAN_DPI
from . import ocr
from .pdftables import Grids, boxes_grid
from .sources import Grid, Scanned, Source, prose_lines, tidy_spaces

#: The resolution pages are read at: a PDF's pages are drawn at it, a photo scaled to it.
DPI = 300
#: The page a photo is taken to show, for its resolution: A4's width in inches.
_A4_WIDTH = 8.27
#: A rule is at least this long (inches): longer than any stroke of a character, shorter than any cell's side.
_H_RULE, _V_RULE = 0.3, 0.17
#: Pixels darker than this may belong to a rule (a hairline, drawn at a scan's resolution, is grey).
_RULE_GREY = 210
#: The widest gap (pixels) inside a stroke of rule that is still one stroke.
_GAP = 3
#: Strokes of rule side by side at most this far apart (pixels) are one rule (a thick rule is a stroke per
#: pixel), and so are strokes end to end across a gap at most ``_JOIN`` long.
_SNAP, _JOIN = 2, 8
#: A figure is taken as read when both readings agree and the digits reading is at least this confident.
CONFIDENT = 80
_HINT = "请确认这是年度报告的扫描件；若确是，请把年报所在的几页另存为 PDF 或图片再导入"


@dataclass
class Page:
    """One page as read: its text outside the tables, and its tables as grids."""

    text: str = ""
    grids: list[Grid] = field(default_factory=list)


def scan_source(raw: bytes, path: str, *, jobs: int = 1) -> Source:
    """The report on the scanned pages of ``raw`` (a PDF without a text layer, or a PNG or JPEG).

    Raises :class:`DataError` naming the file for what cannot be read, or what is past the bounds.
    """
    ocr.require(path)
    pictures = list(_pictures(raw, path))
    pages = ocr.each(pictures, read_page, jobs)
    grids = Grids()
    from .pages import table_kind

    for page in pages:
        grids.add_page(page.grids, table_kind, scanned_kind)
    text = "\n".join(p.text for p in pages)
    prose = "\n".join(tidy_spaces(line) for line in prose_lines(text))
    return Source(text=text, prose=prose, page=prose, path=path, grids=grids.result(), scanned=ocr.ENGINE)


def scanned_kind(grid: Grid) -> str:
    """Which of the format's tables a table read from a scan is, when OCR has blurred the words that
    name it: table 二 or 三 by the rows whose labels it reads as theirs (at least two), table 四 by
    its one row of fifteen figures.
    """
    from .readings import row_label, row_specs

    for key in ("B", "A"):
        specs = row_specs(key, "2021")
        if sum(1 for row in grid if row_label(row, specs) is not None) >= 2:
            return key
    figures = (sum(1 for c in dict.fromkeys(row) if c.scanned and (c.scanned.choices or _FIGURE.match(c.text)))
               for row in grid)
    return "C" if any(n >= 15 for n in figures) else ""


# ---------------------------------------------------------------- pictures


def _pictures(raw: bytes, path: str) -> Iterator[bytes]:
    """Each page as a PNG at :data:`DPI`, cleaned (:func:`cleaned`)."""
    if raw.startswith(b"%PDF") or b"%PDF-" in raw[:1024]:
        yield from _pdf_pages(raw, path)
    else:
        yield _photo(raw, path)


def _pdf_pages(raw: bytes, path: str) -> Iterator[bytes]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(raw)
    except pdfium.PdfiumError as exc:
        raise DataError(f"无法读取 PDF（{exc}）", file=path) from None
    try:
        if len(document) > MAX_SCAN_PAGES:
            raise DataError(f"扫描件 PDF 有 {len(document)} 页（上限 {MAX_SCAN_PAGES} 页）", file=path,
                            hint="一份年度报告通常不到 20 页；请只把年报所在的几页另存为 PDF 再导入")
        for number in range(len(document)):
            page = document[number]
            width, height = page.get_size()
            pixels = width * height * (DPI / 72) ** 2
            if pixels > MAX_SCAN_PIXELS:
                raise DataError(f"PDF 第 {number + 1} 页有 {width / 72 * 25.4:.0f} × {height / 72 * 25.4:.0f} 毫米，"
                                f"按 {DPI} dpi 读是 {pixels / 1e6:.0f} 百万像素（上限 {MAX_SCAN_PIXELS // 1_000_000}）",
                                file=path, hint=_HINT)
            image = page.render(scale=DPI / 72).to_pil()
            yield _png(cleaned(image))
    finally:
        document.close()


def _photo(raw: bytes, path: str) -> bytes:
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(raw))  # reads the header only
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise DataError(f"无法读取图片（{exc}）", file=path, hint="可导入 PNG 或 JPEG 图片") from None
    if image.format not in ("PNG", "JPEG"):
        raise DataError(f"图片格式为 {image.format}，只能导入 PNG 或 JPEG", file=path, hint="请另存为 PNG 或 JPEG 再导入")
    width, height = image.size
    if width * height > MAX_SCAN_PIXELS:
        raise DataError(f"图片有 {width} × {height} 像素（上限 {MAX_SCAN_PIXELS // 1_000_000} 百万像素）", file=path,
                        hint="一页 A4 按 300 dpi 扫描约 870 万像素；请缩小后再导入")
    dpi = min(width, height) / _A4_WIDTH
    if dpi < MIN_SCAN_DPI:
        raise DataError(f"图片只有 {width} × {height} 像素，按一页 A4 算约 {dpi:.0f} dpi（至少 {MIN_SCAN_DPI} dpi）",
                        file=path, hint="数字和小字在这样的分辨率下认不清；请按 200 dpi 以上重新扫描或拍摄")
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise DataError(f"无法读取图片（{exc}）", file=path, hint="图片可能已损坏；请重新扫描或保存") from None
    scale = DPI / dpi
    if abs(scale - 1) <= 0.05:
        return _png(cleaned(image))
    return _png(cleaned(image.convert("RGB").resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)))


def _png(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def cleaned(image):
    """The page in grey, a red seal taken out (its pixels made white; black text under it stays),
    turned level (:func:`skew`).
    """
    import numpy as np
    from PIL import Image

    rgb = np.asarray(image.convert("RGB"), dtype=np.int32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    grey = (r * 299 + g * 587 + b * 114) // 1000
    red = (r > 140) & (r - np.maximum(g, b) > 60)
    grey[red] = 255
    page = Image.fromarray(grey.astype(np.uint8), mode="L")
    angle = skew(page)
    if angle:
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return page


def skew(page) -> float:
    """The angle (degrees, counter-clockwise) that makes the page's lines level: the one whose rows
    of ink are sharpest (within ±3°, to 0.1°), on a small copy of the page.
    """
    import numpy as np
    from PIL import Image

    small = page.reduce(4) if min(page.size) > 1200 else page
    ink = Image.fromarray(((np.asarray(small) < 128) * 255).astype(np.uint8), mode="L")

    def sharpness(angle: float) -> float:
        rows = np.asarray(ink.rotate(angle, resample=Image.Resampling.NEAREST), dtype=np.int32).sum(axis=1)
        return float((np.diff(rows) ** 2).sum())

    coarse = max((a / 2 for a in range(-6, 7)), key=sharpness)
    best = max((coarse + a / 10 for a in range(-5, 6)), key=sharpness)
    return 0.0 if abs(best) < 0.05 else round(best, 2)


# ---------------------------------------------------------------- one page


def read_page(png: bytes) -> Page:
    """One cleaned page (PNG): its ruled tables read cell by cell, the rest as text."""
    import numpy as np
    from PIL import Image

    page = Image.open(io.BytesIO(png))
    page.load()
    grey = np.asarray(page)
    faint = grey < max(_threshold(grey), _RULE_GREY)  # a hairline rule is drawn grey, not black
    edges = _rules(faint, "h", round(_H_RULE * DPI)) + _rules(faint, "v", round(_V_RULE * DPI))
    tables = find_tables(edges)
    blanked = grey.copy()
    for boxes in tables:
        x0, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
        blanked[max(0, int(top) - 2):int(bottom) + 3, max(0, int(x0) - 2):int(x1) + 3] = 255
    text = ocr.page_text(_png(Image.fromarray(blanked, mode="L")))
    if not tables:
        return Page(text=text)
    ruled = _erased(grey, edges)  # the cells' text without the rules around it
    read = _reader(ruled, (_threshold(grey) + 255) // 2, [box for boxes in tables for box in boxes])
    near = 0.03 * DPI  # a cell's sides found a few pixels apart are the same rule
    return Page(text=text, grids=[g for g in (boxes_grid(boxes, read, near) for boxes in tables) if g])


def _erased(grey, edges: list[dict]):
    """The page with every stroke of rule (and the pixel each side of it) made white."""
    rules = grey.copy()
    for e in edges:
        if e["orientation"] == "h":
            y = int(e["top"])
            rules[max(0, y - 1):y + 2, int(e["x0"]):int(e["x1"])] = 255
        else:
            x = int(e["x0"])
            rules[int(e["top"]):int(e["bottom"]), max(0, x - 1):x + 2] = 255
    return rules


def _threshold(grey) -> int:
    """Otsu's threshold between ink and paper."""
    import numpy as np

    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    return int(np.clip(np.argmax(between), 60, 200))


def find_tables(edges: list[dict]) -> list[list[tuple[float, float, float, float]]]:
    """The ruled tables on a page: each as its cells' boxes (x0, top, x1, bottom), found by pdfplumber's
    table finder from the page's strokes of rule (:func:`_rules`).
    """
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells

    if len(edges) > MAX_SCAN_LINES:
        raise DataError(f"扫描页上找到 {len(edges)} 段线条（上限 {MAX_SCAN_LINES}）", hint=_HINT)
    edges = _joined(edges)
    if len(edges) > MAX_SCAN_RULES:
        raise DataError(f"扫描页上的线条连起来仍有 {len(edges)} 条（上限 {MAX_SCAN_RULES}）", hint=_HINT)
    cells = intersections_to_cells(edges_to_intersections(_bounded(edges), 4, 4))
    least = 0.08 * DPI  # a cell narrower or lower than this is the gap between two rules drawn side by side
    cells = [c for c in cells if c[2] - c[0] >= least and c[3] - c[1] >= least]
    return [t for t in cells_to_tables(cells) if len(t) >= 4]


def _joined(strokes: list[dict]) -> list[dict]:
    """The strokes of rule joined into rules: strokes side by side (a rule a few pixels thick is a stroke
    per pixel) or end to end across a small gap, at most :data:`_SNAP` pixels apart sideways from the
    rule so far, are one rule, at their middle.
    """
    rules: list[dict] = []
    for orientation, at, start, end in (("h", "top", "x0", "x1"), ("v", "x0", "top", "bottom")):
        growing: list[list] = []  # [position of its last stroke, start, end, positions of its strokes]
        for s in sorted((e for e in strokes if e["orientation"] == orientation), key=lambda e: (e[at], e[start])):
            done = [r for r in growing if s[at] - r[0] > _SNAP]
            rules += [_rule(orientation, r) for r in done]
            growing = [r for r in growing if s[at] - r[0] <= _SNAP]
            rule = next((r for r in growing if s[start] <= r[2] + _JOIN and s[end] >= r[1] - _JOIN), None)
            if rule is None:
                growing.append([s[at], s[start], s[end], [s[at]]])
            else:
                rule[0], rule[1], rule[2] = s[at], min(rule[1], s[start]), max(rule[2], s[end])
                rule[3].append(s[at])
        rules += [_rule(orientation, r) for r in growing]
    return rules


def _rule(orientation: str, joined: list) -> dict:
    _, start, end, positions = joined
    at = sorted(positions)[len(positions) // 2]
    if orientation == "h":
        return {"x0": start, "x1": end, "top": at, "bottom": at, "width": end - start, "height": 0.0, "orientation": "h"}
    return {"x0": at, "x1": at, "top": start, "bottom": end, "width": 0.0, "height": end - start, "orientation": "v"}


def _bounded(edges: list[dict]) -> list[dict]:
    """The rules that bound cells: a vertical one whose two ends meet horizontal ones, and a horizontal one
    whose two ends meet vertical ones that do. A stroke of a character (or a dash in the text) meets none.
    """
    near = 0.03 * DPI  # a rule's ends overshoot a thick rule they meet, or stop short of it, by a few pixels
    across = [e for e in edges if e["orientation"] == "h"]

    def meets(x: float, y: float, lines: list[dict], along: str) -> bool:
        if along == "h":
            return any(abs(h["top"] - y) <= near and h["x0"] - near <= x <= h["x1"] + near for h in lines)
        return any(abs(v["x0"] - x) <= near and v["top"] - near <= y <= v["bottom"] + near for v in lines)

    down = [v for v in edges if v["orientation"] == "v"
            and meets(v["x0"], v["top"], across, "h") and meets(v["x0"], v["bottom"], across, "h")]
    across = [h for h in across if meets(h["x0"], h["top"], down, "v") and meets(h["x1"], h["top"], down, "v")]
    return across + down


def _rules(ink, orientation: str, length: int) -> list[dict]:
    """The page's straight strokes at least ``length`` pixels long, as pdfplumber's edges."""
    import numpy as np

    mask = ink if orientation == "h" else ink.T
    mask = mask.copy()
    mask[:-1] |= mask[1:]  # a rule a hair off level wavers between two rows of pixels
    grown = mask.copy()
    for shift in range(1, _GAP + 1):  # a few pixels lost to noise or a faint stretch do not break a rule
        grown[:, :-shift] |= mask[:, shift:]
    closed = grown.copy()
    for shift in range(1, _GAP + 1):
        closed[:, shift:] &= grown[:, :-shift]
    height, width = closed.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = closed
    steps = np.diff(padded.ravel())
    starts, ends = np.flatnonzero(steps == 1) + 1, np.flatnonzero(steps == -1) + 1
    long = (ends - starts) >= length
    starts, ends = starts[long], ends[long]
    row, begin, end = starts // (width + 2), starts % (width + 2) - 1, ends % (width + 2) - 1
    if orientation == "h":
        return [{"x0": float(a), "x1": float(b), "top": float(y), "bottom": float(y), "width": float(b - a),
                 "height": 0.0, "orientation": "h"} for y, a, b in zip(row, begin, end)]
    return [{"x0": float(x), "x1": float(x), "top": float(a), "bottom": float(b), "width": 0.0,
             "height": float(b - a), "orientation": "v"} for x, a, b in zip(row, begin, end)]


_FIGURE = re.compile(r"^-?\d{1,3}(?:,\d{3})*(?:\.\d+)?$|^-?\d+(?:\.\d+)?$")
_DASHES = "—－-–一―"


def _reader(grey, threshold: int, boxes):
    """A function giving each cell box's text and how it was read, as :func:`boxes_grid` asks.

    Every cell is read in a strip of all the cells as Chinese text; a cell that may hold a figure
    (:func:`_figure_like`) is read twice more as digits only, at the page's size and at twice it. A
    figure is certain when the three readings agree and a digits reading is confident; otherwise it
    is in doubt, with the figures it was read as.
    """
    crops = {box: _crop(grey, threshold, box) for box in boxes}
    inked = {box: c for box, c in crops.items() if c is not None}
    read = dict(zip(inked, (r for [r] in ocr.strip_text([[c] for c in inked.values()], digits=False))))
    lines = _lines([box for box, (text, _) in read.items() if _figure_like(text)])
    digits: dict[tuple, list[tuple[str, int]]] = {}
    for reading in (ocr.strip_text([[inked[b] for b in line] for line in lines], digits=True),
                    ocr.strip_text([[_doubled(inked[b]) for b in line] for line in lines], digits=True),
                    ocr.strip_text([[inked[b] for b in line] for line in lines], digits=False)):
        for line, texts in zip(lines, reading):
            for box, text in zip(line, texts):
                digits.setdefault(box, []).append(text)

    def text_of(box) -> tuple[str, Scanned | None]:
        if box not in read:
            return "", None  # no ink inside the rules: an empty cell
        text, confidence = read[box]
        if box not in digits:
            return text, Scanned(confidence)
        readings = [_plain(t) for t, _ in digits[box]]
        sure = max(c for _, c in digits[box][:2])
        if readings[0] and readings[0] in _DASHES and not any(readings[1:]):
            if confidence >= CONFIDENT:
                return "—", Scanned(confidence)
            return "?", Scanned(confidence, (), "扫描件中此格识别不确定：可能是横线")
        figures_read = tuple(dict.fromkeys(r for r in readings if _FIGURE.match(r)))
        if readings[0] == readings[1] and figures_read == (readings[0],) and sure >= CONFIDENT:
            return figures_read[0], Scanned(sure)  # the digits read alike twice, the Chinese reading no other figure
        said = " 或 ".join(figures_read) if figures_read else "、".join(f"“{r}”" for r in dict.fromkeys(readings) if r) or "空白"
        return "?", Scanned(sure, figures_read, f"扫描件中此格识别不确定：读作 {said}")

    return text_of


def _lines(boxes: list) -> list[list]:
    """The boxes by line of the table: those whose middles are level, left to right."""
    lines: list[list] = []
    for box in sorted(boxes, key=lambda b: ((b[1] + b[3]) / 2, b[0])):
        middle = (box[1] + box[3]) / 2
        if lines and abs(middle - (lines[-1][0][1] + lines[-1][0][3]) / 2) < 0.03 * DPI:
            lines[-1].append(box)
        else:
            lines.append([box])
    return [sorted(line) for line in lines]


def _doubled(crop):
    import numpy as np
    from PIL import Image

    image = Image.fromarray(crop, mode="L")
    return np.asarray(image.resize((crop.shape[1] * 2, crop.shape[0] * 2), Image.Resampling.LANCZOS))


def _crop(grey, threshold: int, box):
    """The text inside a cell's rules, black on white with a white margin (a NumPy array), or None when
    there is none. A median filter first takes out the speckle a JPEG or a scanner leaves.
    """
    import numpy as np
    from PIL import Image, ImageFilter

    x0, top, x1, bottom = (int(round(v)) for v in box)
    pad = max(4, round(0.012 * DPI))
    if x1 - x0 <= 2 * pad or bottom - top <= 2 * pad:
        return None
    inner = Image.fromarray(np.ascontiguousarray(grey[top + pad:bottom - pad, x0 + pad:x1 - pad]), mode="L")
    ink = np.asarray(inner.filter(ImageFilter.MedianFilter(3))) < threshold
    if ink.sum() < 0.0004 * DPI * DPI:
        return None
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    part = np.where(ink[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1], 0, 255).astype(np.uint8)
    return np.pad(part, round(0.05 * DPI), constant_values=255)


def _figure_like(text: str) -> bool:
    """A cell that may hold a figure: no two Chinese characters (a label has them; a figure none)."""
    return len(re.findall(r"[\u4e00-\u9fff]", text)) < 2


def _plain(text: str) -> str:
    """A reading without spaces, full-width digits and punctuation as ASCII."""
    text = text.translate(_HALF).replace(" ", "")
    return text


_HALF = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "，": ",", "．": ".", "。": "."})


__all__ = ["CONFIDENT", "DPI", "cleaned", "find_tables", "read_page", "scan_source", "skew"]
