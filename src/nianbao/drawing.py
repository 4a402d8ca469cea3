"""Charts drawn: the style every chart is drawn in, and a figure as the PDF the LaTeX embeds and the PNG
the HTML shows (that PDF's page, rasterised) — in memory, the same bytes for the same figure, a character the fonts cannot draw
raised as :class:`~nianbao.errors.GlyphError` rather than drawn as a box. What a chart shows is
:mod:`nianbao.charts`.
"""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import IO, Any

import matplotlib as mpl
from matplotlib import font_manager
from matplotlib.figure import Figure

from .errors import GlyphError

#: Chinese fonts to draw with, best first; the first one installed wins.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "Microsoft YaHei", "PingFang SC", "SimHei")
#: Fonts for characters the Chinese font lacks.
FALLBACK_FONTS = ("DejaVu Sans",)
COLOR = "#3b6ea5"
MUTED = "#888888"
_GLYPH_WARNING = re.compile(r"Glyph .* missing from font")


def remember_text_metrics() -> None:
    """Measure each label once per process, not once per figure and per format.

    matplotlib lays out every text of a figure anew at each draw: it looks up the font files for the
    font list, reads the font's line metrics and measures the string — for the PNG, again for the
    PDF, and again in the next report's charts, whose titles and labels are the same. The answers
    depend only on the text, the font properties, the dots per inch and the renderer's kind (and on
    the hinting settings, fixed by :func:`style`), so they are kept here for the process, as are the
    font tables each text's line height is read from — a batch's
    kernels are forked from a process that drew a report's charts, and start with them. Drawing is
    unchanged: the same PNG and PDF bytes (a test compares). Where matplotlib's internals are not
    those this was written for, nothing is changed.
    """
    import matplotlib.text as mtext

    measure = getattr(mtext, "_get_text_metrics_with_cache", None)
    find = getattr(font_manager.fontManager, "_find_fonts_by_props", None)
    if measure is None or find is None or getattr(measure, "_nianbao", False):
        return
    metrics: dict[tuple, tuple[float, float, float]] = {}
    paths: dict[tuple, list[str]] = {}

    def measured(renderer, text, fontprop, ismath, dpi):
        settings = (mpl.rcParams["text.hinting"], mpl.rcParams["text.hinting_factor"], mpl.rcParams["pdf.use14corefonts"])
        key = (type(renderer), text, fontprop, ismath, dpi, settings)
        if key not in metrics:
            if len(metrics) > _REMEMBERED:
                metrics.clear()
            metrics[(type(renderer), text, fontprop.copy(), ismath, dpi, settings)] = measure(
                renderer, text, fontprop, ismath, dpi)
        return metrics[key]

    def found(prop, *args, **kwargs):
        if not isinstance(prop, font_manager.FontProperties):
            return find(prop, *args, **kwargs)
        key = (prop, args, tuple(sorted(kwargs.items())))
        if key not in paths:
            paths[(prop.copy(), args, tuple(sorted(kwargs.items())))] = find(prop, *args, **kwargs)
        return list(paths[key])

    measured._nianbao = True  # type: ignore[attr-defined]
    measured.__wrapped__, found.__wrapped__ = measure, find  # type: ignore[attr-defined]
    mtext._get_text_metrics_with_cache = measured  # type: ignore[attr-defined]
    font_manager.fontManager._find_fonts_by_props = found  # type: ignore[method-assign]
    if getattr(mtext, "get_font", None) is font_manager.get_font:  # a text's line height: the font's tables, read once
        fonts: dict[tuple, _Tables] = {}

        def font(paths, *args, **kwargs):
            key = (tuple(paths) if isinstance(paths, list) else paths, args, tuple(sorted(kwargs.items())))
            if key not in fonts:
                fonts[key] = _Tables(font_manager.get_font(paths, *args, **kwargs))
            return fonts[key]

        mtext.get_font = font  # type: ignore[attr-defined]


class _Tables:
    """A font whose tables (``head``, ``OS/2``, ``hhea``: fixed in the file) are read once, not at
    every text's every draw; anything else is the font's own.
    """

    def __init__(self, font: Any) -> None:
        self._font = font
        self._tables: dict[str, Any] = {}

    def get_sfnt_table(self, name: str) -> Any:
        if name not in self._tables:
            self._tables[name] = self._font.get_sfnt_table(name)
        return self._tables[name]

    def __getattr__(self, name: str) -> Any:
        return getattr(self._font, name)


#: How many measured strings a process keeps before it starts again (a batch's labels are a few hundred).
_REMEMBERED = 20_000


def style() -> dict[str, Any]:
    """The rcParams every chart is drawn with.

    Raises :class:`GlyphError` when none of :data:`CJK_FONTS` is installed.
    """
    installed = {f.name for f in font_manager.fontManager.ttflist}
    cjk = [name for name in CJK_FONTS if name in installed]
    if not cjk:
        raise GlyphError(
            f"找不到中文字体（{'、'.join(CJK_FONTS)}），图表中的汉字会显示为方框",
            hint="在 Debian/Ubuntu 上安装 fonts-noto-cjk：apt-get install fonts-noto-cjk",
        )
    return {
        "font.family": cjk + [name for name in FALLBACK_FONTS if name in installed],
        "font.size": 10,
        "axes.titlesize": 11,
        "axes.labelsize": 10,
        "xtick.labelsize": 9,
        "ytick.labelsize": 9,
        "figure.titlesize": 13,
        "figure.dpi": 100,
        "axes.unicode_minus": False,
        "text.parse_math": False,  # an agency's name with "$" in it is text, not mathtext
        "text.usetex": False,
        "axes.formatter.useoffset": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }


def use_style() -> AbstractContextManager[Any]:
    """A context manager that applies :func:`style` and restores the previous rcParams on exit."""
    return mpl.rc_context(style())  # type: ignore[arg-type]


#: How finely the PNG the HTML shows is drawn: dots per inch of the chart's size.
PNG_DPI = 150


def render_png(fig: Figure, dpi: int = PNG_DPI) -> bytes:
    """The chart as PNG bytes (what JupyterLab shows in an untrusted notebook, and the HTML report): its
    PDF's page drawn at ``dpi`` (see :func:`render_png_pdf`).

    Raises :class:`GlyphError` when a character has no glyph in the fonts.
    """
    return _raster(render_pdf(fig), dpi)


def render_pdf(fig: Figure) -> bytes:
    """The chart as PDF bytes, without a creation date, laid out once.

    Raises :class:`GlyphError` when a character has no glyph in the fonts.
    """
    buf = io.BytesIO()
    with _laid_out(fig):
        _save(fig, buf, format="pdf", metadata={"CreationDate": None})
    return buf.getvalue()


def figure_html(png: bytes, alt: str) -> str:
    """A chart's PNG as an HTML ``<figure>`` with Chinese alt text and its styles inline (an untrusted
    notebook and a CMS editor keep those): the review edition's HTML and the publication edition's page.
    """
    import base64
    import html

    data = base64.b64encode(png).decode("ascii")
    return (f'<figure style="margin:1em 0;text-align:center"><img src="data:image/png;base64,{data}" '
            f'alt="{html.escape(alt)}" style="max-width:100%;height:auto"></figure>')


def render_png_pdf(fig: Figure) -> tuple[bytes, bytes]:
    """The chart as PNG and as PDF, drawn once: matplotlib lays out and draws the PDF (its artists, not
    the pixels, are most of a chart's cost), and the PNG is that PDF's page rasterised by PDFium at
    :data:`PNG_DPI` — the same picture in both, in a fraction of drawing it twice.

    Raises :class:`GlyphError` when a character has no glyph in the fonts.
    """
    pdf = render_pdf(fig)
    return _raster(pdf, PNG_DPI), pdf


@contextlib.contextmanager
def _laid_out(fig: Figure) -> Iterator[None]:
    """The figure's layout computed once and kept while it is drawn, then its engine given back."""
    engine = fig.get_layout_engine()
    if engine is None:
        yield
        return
    with _drawing():
        engine.execute(fig)  # constrained layout, computed once …
    # … and kept while drawing. Not "none": that leaves a placeholder engine, and savefig draws a figure
    # with any engine twice (once unseen, to lay it out)
    fig.set_layout_engine(None)
    try:
        yield
    finally:
        fig.set_layout_engine(engine)


def _raster(pdf: bytes, dpi: int) -> bytes:
    """A one-page PDF drawn as an opaque PNG at ``dpi``, the same bytes for the same PDF."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    try:
        image = document[0].render(scale=dpi / 72).to_pil()
    finally:
        document.close()
    buf = io.BytesIO()
    image.save(buf, format="png")
    return buf.getvalue()


def bundle(fig: Figure, alt: str) -> dict[str, str]:
    """A chart as a notebook output's mime bundle, stored once per format a reader needs: the PNG
    inside HTML (the HTML report, and JupyterLab trusted or not) and a PDF for the PDF report.
    """
    import base64

    png, pdf = render_png_pdf(fig)
    return {"text/html": figure_html(png, alt), "application/pdf": base64.b64encode(pdf).decode("ascii"),
            "text/plain": alt}


def _save(fig: Figure, buf: IO[Any], **kwargs: Any) -> None:
    with _drawing():
        fig.savefig(buf, **kwargs)


@contextlib.contextmanager
def _drawing() -> Iterator[None]:
    """Draw under :func:`style`, a missing glyph raising :class:`GlyphError`."""
    remember_text_metrics()
    with use_style(), warnings.catch_warnings():
        warnings.filterwarnings("error", message=_GLYPH_WARNING.pattern, category=UserWarning)
        try:
            yield
        except UserWarning as exc:
            if not _GLYPH_WARNING.match(str(exc)):
                raise
            raise GlyphError(
                f"图表中有字体无法显示的字符：{exc}",
                hint="改用常用汉字，或安装含该字的字体（如 fonts-noto-cjk）",
            ) from exc
