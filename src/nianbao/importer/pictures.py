"""A scan's pages as pictures to read: drawn from an image-only PDF at :data:`DPI`, or a page photo
(PNG, JPEG) scaled to it — each made grey, a red seal taken out, turned level. Every bound of
:mod:`nianbao.inputs` (pages, pixels a page, resolution) is checked before the work it bounds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from ..errors import DataError
from ..inputs import MAX_SCAN_PAGES, MAX_SCAN_PIXELS, MIN_SCAN_DPI

#: The resolution pages are read at: a PDF's pages are drawn at it, a photo scaled to it.
DPI = 300
#: The page a photo is taken to show, for its resolution: A4's width in inches.
_A4_WIDTH = 8.27
HINT = "请确认这是年度报告的扫描件；若确是，请把年报所在的几页另存为 PDF 或图片再导入"


def pictures(raw: bytes, path: str) -> Iterator[bytes]:
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
                                file=path, hint=HINT)
            image = page.render(scale=DPI / 72).to_pil()
            yield png(cleaned(image))
    finally:
        document.close()


def _photo(raw: bytes, path: str) -> bytes:
    from PIL import Image, UnidentifiedImageError

    limit = f"（上限 {MAX_SCAN_PIXELS // 1_000_000} 百万像素）"
    try:
        image = Image.open(io.BytesIO(raw))  # reads the header only
    except Image.DecompressionBombError:  # Pillow's own bound, far past ours
        raise DataError(f"图片的像素数远超上限{limit}，未读取", file=path, hint="可能是恶意构造的文件；请确认是年报的扫描件") from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise DataError("无法读取图片：不是 PNG 或 JPEG，或文件已损坏", file=path,
                        hint="只能导入 PNG 或 JPEG 图片；请重新扫描，或另存为 PNG 再导入") from None
    if image.format not in ("PNG", "JPEG"):
        raise DataError(f"图片格式为 {image.format}，只能导入 PNG 或 JPEG", file=path, hint="请另存为 PNG 或 JPEG 再导入")
    width, height = image.size
    if width * height > MAX_SCAN_PIXELS:
        raise DataError(f"图片有 {width} × {height} 像素{limit}", file=path,
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
        return png(cleaned(image))
    return png(cleaned(image.convert("RGB").resize((round(width * scale), round(height * scale)), Image.Resampling.LANCZOS)))


def png(image) -> bytes:
    """A picture as PNG bytes, quickly compressed (it is read at once, never kept)."""
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
    return level(Image.fromarray(grey.astype(np.uint8), mode="L"))


def level(page):
    """The page turned level (:func:`skew`)."""
    from PIL import Image

    angle = skew(page)
    return page.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255) if angle else page


#: How much sharper a page's rows of ink are than its columns when its lines of text run across it:
#: below this, the page may be on its side (every sideways page measured was below 1.1, most upright
#: pages far above; upright pages of mostly ruled tables come near 1).
UPRIGHT = 1.5


def maybe_turned(page) -> bool:
    """Whether the page may lie on its side: its rows of ink not clearly sharper than its columns."""
    import numpy as np

    small = page.reduce(4) if min(page.size) > 1200 else page
    ink = (np.asarray(small) < 128).astype(np.int64)
    rows, columns = (float((np.diff(ink.sum(axis=axis)) ** 2).sum()) for axis in (1, 0))
    return rows < UPRIGHT * columns


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


def threshold(grey) -> int:
    """Otsu's threshold between ink and paper."""
    import numpy as np

    hist = np.bincount(grey.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    between = (mean[-1] * weight / total - mean) ** 2 / np.maximum(weight * (total - weight), 1)
    return int(np.clip(np.argmax(between), 60, 200))


__all__ = ["DPI", "HINT", "cleaned", "pictures", "png", "skew", "threshold"]
