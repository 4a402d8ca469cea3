"""Text read from pictures: Debian's Tesseract with its simplified-Chinese model, run as a program.

Tesseract (``tesseract-ocr``, ``tesseract-ocr-chi-sim``) is the OCR engine Debian and Ubuntu ship with
trained Chinese models; nothing is downloaded when it runs. It is run once per page for the text and
three times per page of tables for their cells (the cells' pictures set out in lines in one picture, so
that the engine starts three times, not once a cell), with one thread each, so that ``jobs`` pages run
side by side.
"""

from __future__ import annotations

import functools
import io
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from ..errors import DataError

ENGINE = "Tesseract（简体中文模型 chi_sim）"
PROGRAM = "tesseract"
#: The most a single run of the engine may take, in seconds (a page takes 2–6).
TIMEOUT = 300
_INSTALL = "apt-get install tesseract-ocr tesseract-ocr-chi-sim（或运行 bash scripts/setup.sh）"

T = TypeVar("T")
R = TypeVar("R")


@functools.cache
def _languages() -> frozenset[str] | None:
    program = shutil.which(PROGRAM)
    if program is None:
        return None
    done = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=60, env=_env())
    return frozenset(line.strip() for line in (done.stdout + done.stderr).splitlines()[1:])


def require(path: str = "") -> None:
    """Raise :class:`DataError` unless the engine and its Chinese model are installed."""
    languages = _languages()
    if languages is None:
        raise DataError("这是扫描件（没有文字层），读取它需要文字识别程序 tesseract，本机没有安装", file=path or None,
                        hint=f"在 Debian/Ubuntu 上安装：{_INSTALL}")
    if "chi_sim" not in languages or "eng" not in languages:
        raise DataError("文字识别程序 tesseract 缺少简体中文或英文模型", file=path or None, hint=f"安装：{_INSTALL}")


def each(items: Sequence[T], work: Callable[[T], R], jobs: int = 1) -> list[R]:
    """``work`` on each item, ``jobs`` at a time (the engine runs as its own process), in order."""
    if jobs <= 1 or len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(jobs, len(items))) as pool:
        return list(pool.map(work, items))


def page_text(png: bytes) -> str:
    """A page's text, line by line, an empty line between the engine's paragraphs, the spaces it puts
    between Chinese characters taken out.
    """
    out = _run(png, ["-l", "chi_sim", "--psm", "3"])
    return re.sub(r"\n{3,}", "\n\n", "\n".join(_joined(line) for line in out.splitlines())).strip()


#: The engine's confidence in a page's orientation below which the page is left as it is.
SURE_TURN = 5.0


def orientation(png: bytes, dpi: int) -> int:
    """How many degrees clockwise the page (at ``dpi``) must be turned to be upright (0, 90, 180, 270),
    by the engine's own orientation model (``--psm 0``, ``osd``); 0 when it cannot tell, or is not sure.
    """
    try:
        out = _run(png, ["--psm", "0", "--dpi", str(dpi)])
    except DataError:
        return 0  # too little text to tell: read as it is
    turn = re.search(r"^Rotate: (0|90|180|270)$", out, re.MULTILINE)
    sure = re.search(r"^Orientation confidence: ([0-9.]+)$", out, re.MULTILINE)
    return int(turn[1]) if turn and sure and float(sure[1]) >= SURE_TURN else 0


def strip_text(lines: Sequence[Sequence], *, digits: bool) -> list[list[tuple[str, int]]]:
    """Each crop's text and confidence (0–100; 0 when nothing was read), for lines of crops (NumPy arrays,
    black on white): the crops of a line set side by side with wide gaps, as one line of text, and the
    lines one under another in one picture, read in one run of the engine.

    ``digits``: read as figures only (digits, point, comma, minus), with the English model.
    """
    if not lines:
        return []
    import numpy as np
    from PIL import Image

    out: list[list[tuple[str, int]]] = []
    for chunk in _chunks(lines, 12_000):
        heights = [max(c.shape[0] for c in line) for line in chunk]
        gaps = [max(40, 2 * h) for h in heights]  # far wider than any space between the words of one cell
        width = max(sum(c.shape[1] + g for c in line) + g for line, g in zip(chunk, gaps))
        height = gaps[0] + sum(heights) + sum(gaps)
        strip = np.full((height, width), 255, dtype=np.uint8)
        slots = []
        y = gaps[0]
        for line, h, g in zip(chunk, heights, gaps):
            x, mine = g, []
            for crop in line:
                top = y + (h - crop.shape[0]) // 2
                strip[top:top + crop.shape[0], x:x + crop.shape[1]] = crop
                mine.append((y - g // 2, y + h + g // 2, x - g // 2, x + crop.shape[1] + g // 2))
                x += crop.shape[1] + g
            slots.append(mine)
            y += h + g
        buf = io.BytesIO()
        Image.fromarray(strip, mode="L").save(buf, format="PNG", compress_level=1)
        options = (["-l", "eng", "--psm", "6", "-c", "tessedit_char_whitelist=0123456789.,-"] if digits
                   else ["-l", "chi_sim", "--psm", "6"])
        words = _words(_run(buf.getvalue(), [*options, "tsv"]))
        for mine in slots:
            read = []
            for top, bottom, left, right in mine:
                inside = sorted((w for w in words if top <= w[1] < bottom and left <= w[5] < right), key=lambda w: (w[2], w[0]))
                read.append((_joined(" ".join(w[3] for w in inside)), min((w[4] for w in inside), default=0)))
            out.append(read)
    return out


def _chunks(lines: Sequence[Sequence], most: int) -> list[list]:
    """The lines in pictures of at most ``most`` pixels' height."""
    chunks: list[list] = [[]]
    height = 0
    for line in lines:
        tall = 2 * max(max(c.shape[0] for c in line), 40)
        if chunks[-1] and height + tall > most:
            chunks.append([])
            height = 0
        chunks[-1].append(line)
        height += tall
    return chunks


def _words(tsv: str) -> list[tuple[int, int, int, str, int, int]]:
    """The words of Tesseract's TSV: (left, centre y, line, text, confidence, centre x)."""
    words = []
    for line in tsv.splitlines()[1:]:
        fields = line.split("\t")
        if len(fields) < 12 or fields[0] != "5" or not fields[11].strip():
            continue
        left, top, width, height = int(fields[6]), int(fields[7]), int(fields[8]), int(fields[9])
        line_id = int(fields[2]) * 10_000 + int(fields[3]) * 100 + int(fields[4])
        words.append((left, top + height // 2, line_id, fields[11].strip(), max(0, round(float(fields[10]))),
                      left + width // 2))
    return words


_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"


def _joined(text: str) -> str:
    """Spaces next to a Chinese character or full-width punctuation taken out; others kept as one."""
    text = re.sub(rf"\s+(?={_CJK})|(?<={_CJK})\s+", "", text.strip())
    return re.sub(r"\s+", " ", text)


def _run(png: bytes, options: list[str]) -> str:
    program = shutil.which(PROGRAM)
    if program is None:
        require()
    try:
        done = subprocess.run([program or PROGRAM, "stdin", "stdout", *options], input=png, capture_output=True,
                              timeout=TIMEOUT, env=_env(), check=False)
    except subprocess.TimeoutExpired:
        raise DataError(f"文字识别一页超过 {TIMEOUT} 秒，已停止", hint="图片可能过大或内容异常；请确认是年报的扫描件") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["（无输出）"]
        raise DataError(f"文字识别程序出错：{message[0]}", hint=f"请确认 tesseract 安装完整：{_INSTALL}")
    return done.stdout.decode("utf-8", "replace")


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one thread a run: pages are spread over cores instead


__all__ = ["ENGINE", "each", "orientation", "page_text", "require", "strip_text"]
