"""Scanned reports: an image-only PDF or a page photo (``.png``, ``.jpg``) → a :class:`Source`.

Each page is made into a clean, upright picture (:mod:`.pictures`: a red seal taken out, the page
turned level), its ruled tables found from their lines (:mod:`.ruling`), and its text read by
:mod:`.ocr`. A table's cells are read one by one: every cell as Chinese text, and a cell that may
hold a figure twice more as digits only (at its size and at twice it), so that a figure is certain
only where the two digit readings agree with high confidence and the Chinese reading is no other
figure. Any other figure goes to the parser as a :class:`~.sources.Scanned` doubt, with what it was
read as; the format's relations decide it there (:mod:`.rows`), or it stays ``"?"``.

Everything a scan may ask is bounded before the work it bounds (:mod:`nianbao.inputs`): pages,
pixels a page, the lines found on a page.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..errors import DataError
from . import ocr
from .labels import format_characters
from .pdftables import Grids, boxes_grid
from .pictures import DPI, level, maybe_turned, pictures, png, threshold
from .ruling import erased, find_tables, strokes
from .sources import HEADING_LINE, Grid, Scanned, Source, prose_lines, tidy_spaces

#: A figure is taken as read when its two readings as digits agree and one is at least this confident.
CONFIDENT = 80


@dataclass
class Page:
    """One page as read: its text outside the tables, and its tables as grids."""

    text: str = ""
    grids: list[Grid] = field(default_factory=list)


def scan_source(raw: bytes, path: str, *, jobs: int = 1) -> Source:
    """The report on the scanned pages of ``raw`` (a PDF without a text layer, or a PNG or JPEG).

    Raises :class:`DataError` naming the file for what cannot be read, or what is past the bounds.
    """
    return scan_pages([(raw, path)], path, jobs=jobs)


def scan_pages(files: Sequence[tuple[bytes, str]], path: str, *, jobs: int = 1) -> Source:
    """The report on the scanned pages of ``files`` (each: its bytes, its path), one after another:
    a scan's PDF, or the pictures of its pages. ``path`` is where the report was read from.
    """
    ocr.require(path)

    def read(numbered: tuple[int, bytes, str]) -> Page:
        number, picture, where = numbered
        try:
            return read_page(picture)
        except DataError as exc:  # the page's bounds, or the engine: said with the file and the page
            raise DataError(f"扫描件第 {number} 页：{exc.message}", hint=exc.hint, file=where) from None

    numbered = [(picture, where) for raw, where in files for picture in pictures(raw, where)]
    pages = ocr.each([(n, picture, where) for n, (picture, where) in enumerate(numbered, 1)], read, jobs)
    grids = Grids()
    from .pages import table_kind

    for page in pages:
        grids.add_page(page.grids, table_kind, scanned_kind)
    text = "\n\n".join(p.text for p in pages)
    prose = "\n".join(tidy_spaces(paragraph) for paragraph in paragraphs(text))
    text = "\n".join(prose_lines(text))
    return Source(text=text, prose=prose, page=prose, path=path, grids=grids.result(), scanned=ocr.ENGINE)


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, each line of one joined: a paragraph ends at the engine's empty line and
    after a line shorter than a full one; a line that opens with a part's or a section's number
    (“二、”, “（一）”) begins one.
    """
    lines = [line.strip() for line in text.split("\n")]
    lengths = sorted(len(line) for line in lines if line)
    full = lengths[int(len(lengths) * 0.9)] if lengths else 0
    out: list[list[str]] = [[]]
    for line in lines:
        if line and out[-1] and HEADING_LINE.match(line):
            out.append([])
        if line:
            out[-1].append(line)
        if not line or len(line) < 0.8 * full:
            out.append([])
    return ["".join(lines) for lines in out if lines]


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


# ---------------------------------------------------------------- one page


def read_page(picture: bytes) -> Page:
    """One cleaned page (PNG): its ruled tables read cell by cell, the rest as text — upright first.

    A page whose lines run down it (a photo taken sideways), or whose words read as no report's (a
    page fed upside down), is turned as the engine's orientation model says, when it is sure.
    """
    from PIL import Image

    page = Image.open(io.BytesIO(picture))
    page.load()
    sideways = maybe_turned(page)
    if sideways and (turn := _turn(page)):
        return _read(_turned(page, turn))
    read = _read(page)
    if not sideways and garbled(read) and (turn := _turn(page)):  # not asked twice of the same page
        return _read(_turned(page, turn))
    return read


#: Of the Chinese characters read on an upright page of a report, most are the format's own (on the real
#: reports measured, 0.66–0.96 of them); on the same pages upside down, 0.21–0.33. Below this share a
#: page's orientation is asked for: when the page is upright after all, that costs a second, nothing else.
FORMAT_SHARE = 0.5
#: Fewer Chinese characters than this on a page (a signature, a seal) say nothing of its orientation.
SAYS_ENOUGH = 30


def garbled(page: Page) -> bool:
    """Whether a page's words, outside its tables and in their cells, read as no report's: few of the
    format's own characters among many (as the engine reads a page upside down).
    """
    words = page.text + "".join(c.text for grid in page.grids for row in grid for c in row)
    chinese = re.findall(r"[\u4e00-\u9fff]", words)
    ours = format_characters()
    return len(chinese) >= SAYS_ENOUGH and sum(c in ours for c in chinese) < FORMAT_SHARE * len(chinese)


def _turn(page) -> int:
    return ocr.orientation(png(page.reduce(2)), DPI // 2)


def _turned(page, turn: int):
    return level(page.rotate(-turn, expand=True, fillcolor=255))


def _read(page) -> Page:
    import numpy as np
    from PIL import Image

    grey = np.asarray(page)
    edges = strokes(grey)
    tables = find_tables(edges)
    blanked = grey.copy()
    for boxes in tables:
        x0, top = min(b[0] for b in boxes), min(b[1] for b in boxes)
        x1, bottom = max(b[2] for b in boxes), max(b[3] for b in boxes)
        blanked[max(0, int(top) - 2):int(bottom) + 3, max(0, int(x0) - 2):int(x1) + 3] = 255
    text = ocr.page_text(png(Image.fromarray(blanked, mode="L")))
    if not tables:
        return Page(text=text)
    ruled = erased(grey, edges)  # the cells' text without the rules around it
    read = _reader(ruled, (threshold(grey) + 255) // 2, [box for boxes in tables for box in boxes])
    near = 0.03 * DPI  # a cell's sides found a few pixels apart are the same rule
    return Page(text=text, grids=[g for g in (boxes_grid(boxes, read, near) for boxes in tables) if g])


_FIGURE = re.compile(r"^-?(?:0|[1-9]\d{0,2}(?:,\d{3})*|[1-9]\d*)(?:\.\d+)?$")
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
                    ocr.strip_text([[_doubled(inked[b]) for b in line] for line in lines], digits=True)):
        for line, texts in zip(lines, reading):
            for box, text in zip(line, texts):
                digits.setdefault(box, []).append(text)

    def text_of(box) -> tuple[str, Scanned | None]:
        if box not in read:
            return "", None  # no ink inside the rules: an empty cell
        text, confidence = read[box]
        if box not in digits:
            return text, Scanned(confidence)
        readings = [*(_plain(t) for t, _ in digits[box]), _plain(text)]
        sure = max(c for _, c in digits[box])
        if readings[2] and readings[2] in _DASHES and not any(readings[:2]):
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


__all__ = ["CONFIDENT", "read_page", "scan_source", "scanned_kind"]
