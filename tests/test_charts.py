"""Charts: what they show, that they render cleanly and reproducibly, and that a missing glyph is an error."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text
from PIL import Image

from nianbao import charts, drawing
from nianbao.errors import GlyphError
from nianbao.load import read_yaml
from nianbao.model import ReportData, empty_cells

ROOT = Path(__file__).parents[1]


@pytest.fixture(scope="module")
def data() -> ReportData:
    return read_yaml(ROOT / "data" / "2024" / "yueyanglou.yaml")


@pytest.fixture(scope="module")
def empty() -> ReportData:
    return ReportData("empty", 2024, empty_cells())


def two_years(data: ReportData) -> dict[int, ReportData]:
    cells = {"B.new.total": 60, "A.licensing.decisions": 41000, "A.penalty.decisions": 280, "A.fees.amount": 30.5}
    earlier = replace(data.with_cells(cells), year=2023)
    return {2023: earlier, 2024: data}


def texts(fig: Figure) -> set[str]:
    return {t.get_text() for t in fig.findobj(Text)}


CHARTS = {
    "outcomes": charts.outcomes,
    "applicants": charts.applicants,
    "headline": charts.headline,
    "trends": lambda data: charts.trends(two_years(data)),
}


@pytest.mark.parametrize("name", CHARTS)
def test_chart_renders_to_png_and_pdf_as_reports_draw_it_the_same_bytes_each_time(name: str, data: ReportData) -> None:
    png, pdf = drawing.render_png_pdf(CHARTS[name](data))  # what the HTML and the PDF reports embed
    assert png.startswith(b"\x89PNG") and pdf.startswith(b"%PDF")
    assert drawing.render_png_pdf(CHARTS[name](data)) == (png, pdf)


def test_a_chart_is_laid_out_once_and_drawn_once_for_both_formats(data: ReportData, monkeypatch) -> None:
    """matplotlib draws the PDF; the PNG is that page drawn as pixels, at the chart's size and 150 dpi."""
    drawn: list[str] = []
    laid_out: list[str] = []
    draw, execute = Figure.draw, ConstrainedLayoutEngine.execute
    monkeypatch.setattr(Figure, "draw", lambda fig, renderer: drawn.append(type(renderer).__name__) or draw(fig, renderer))
    monkeypatch.setattr(ConstrainedLayoutEngine, "execute", lambda engine, fig: laid_out.append("") or execute(engine, fig))
    fig = charts.outcomes(data)
    png, _ = drawing.render_png_pdf(fig)
    assert len(laid_out) == 1
    assert drawn == ["MixedModeRenderer"]  # the PDF's renderer, once
    assert isinstance(fig.get_layout_engine(), ConstrainedLayoutEngine)  # given back as it came
    image = Image.open(io.BytesIO(png)).convert("RGB")
    width, height = fig.get_size_inches() * drawing.PNG_DPI
    assert abs(image.width - width) <= 1 and abs(image.height - height) <= 1
    bar = tuple(int(drawing.COLOR[i:i + 2], 16) for i in (1, 3, 5))
    colours = image.getcolors(image.width * image.height) or []
    assert sum(n for n, c in colours if c == bar) > 0.03 * image.width * image.height  # the bars are there
    assert max(colours)[1] == (255, 255, 255)  # on white


def test_remembered_text_metrics_draw_the_same_bytes_as_matplotlib_measuring_anew(data: ReportData, monkeypatch) -> None:
    import matplotlib.text as mtext

    drawing.remember_text_metrics()
    remembered = [drawing.render_png_pdf(make(data)) for make in CHARTS.values()]  # measured, then remembered
    again = [drawing.render_png_pdf(make(data)) for make in CHARTS.values()]
    measure = mtext._get_text_metrics_with_cache  # type: ignore[attr-defined]
    assert getattr(measure, "_nianbao", False)
    monkeypatch.setattr(mtext, "_get_text_metrics_with_cache", measure.__wrapped__)
    monkeypatch.setattr(font_manager.fontManager, "_find_fonts_by_props",
                        font_manager.fontManager._find_fonts_by_props.__wrapped__)
    assert mtext.get_font is not font_manager.get_font  # type: ignore[attr-defined]  the font tables, remembered too
    monkeypatch.setattr(mtext, "get_font", font_manager.get_font)
    monkeypatch.setattr(drawing, "remember_text_metrics", lambda: None)
    anew = [drawing.render_png_pdf(make(data)) for make in CHARTS.values()]
    assert remembered == again == anew


@pytest.mark.parametrize(
    "name, expected",
    [
        ("outcomes", {"申请办理结果（件）", "予以公开", "部分公开", "不予公开", "无法提供", "不予处理", "其他处理"}),
        ("outcomes", {"75", "3", "2"}),
        ("applicants", {"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "80"}),
        ("headline", {"行政许可", "行政处罚", "行政强制", "行政事业性收费", "本年收费金额（万元）"}),
        ("headline", {"58787", "302", "46.6847"}),
        ("trends", {"2023", "2024", "行政许可（件）", "行政事业性收费（万元）"}),
        ("trends", {"58787", "41000", "302", "280", "80", "60"}),
    ],
)
def test_chart_shows_labels_and_values(name: str, expected: set[str], data: ReportData) -> None:
    assert expected <= texts(CHARTS[name](data))


@pytest.mark.parametrize("name", CHARTS)
def test_values_are_written_on_the_bars_and_points_not_repeated_on_a_value_axis(name: str, data: ReportData) -> None:
    fig = CHARTS[name](data)
    fig.draw_without_rendering()
    for ax in fig.axes:
        bars = bool(ax.containers)
        values = ax.xaxis if bars else ax.yaxis
        assert not [t for t in values.get_ticklabels() if t.get_text()]  # no numbered value axis …
        categories = ax.yaxis if bars else ax.xaxis
        assert [t.get_text() for t in categories.get_ticklabels()]  # … but every bar or year named


def test_the_headline_chart_has_one_panel_per_unit(data: ReportData) -> None:
    """Decisions (件) compare in one panel; fees (万元) have their own."""
    fig = charts.headline(data)
    assert [ax.get_xlabel() for ax in fig.axes] == ["本年处理决定数量（件）", "本年收费金额（万元）"]
    assert [[t.get_text() for t in ax.get_yticklabels()] for ax in fig.axes] == [
        ["行政许可", "行政处罚", "行政强制"], ["行政事业性收费"]]


def test_applicants_leaves_out_total(data: ReportData) -> None:
    assert "总计" not in texts(charts.applicants(data))


def test_trends_needs_two_years(data: ReportData) -> None:
    assert charts.trends({}) is None
    assert charts.trends({2024: data}) is None
    assert isinstance(charts.trends(two_years(data)), Figure)


@pytest.mark.parametrize(
    "name, cells, bars",
    [
        ("outcomes", {"B.withheld_law.total": "?"}, 5),
        ("applicants", {"B.new.natural": "?"}, 5),
    ],
)
def test_unknown_value_is_absent_with_note(name: str, cells: dict, bars: int, data: ReportData) -> None:
    fig = CHARTS[name](data.with_cells(cells))
    assert charts.UNKNOWN_NOTE in texts(fig)
    assert len(fig.axes[0].containers[0]) == bars
    drawing.render_png_pdf(fig)


def test_unknown_headline_and_trend_values_are_not_zero(data: ReportData) -> None:
    unknown = data.with_cells({"A.penalty.decisions": "?"})
    for fig in (charts.headline(unknown), charts.trends({**two_years(data), 2024: unknown})):
        assert charts.UNKNOWN_NOTE in texts(fig)
        assert "302" not in texts(fig)
        drawing.render_png_pdf(fig)


@pytest.mark.parametrize("name", CHARTS)
def test_empty_data_gives_a_readable_chart(name: str, empty: ReportData) -> None:
    fig = CHARTS[name](empty)
    drawing.render_png_pdf(fig)
    if name in ("outcomes", "applicants"):
        assert charts.EMPTY_NOTE in texts(fig)


def lacks_glyph(char: str) -> bool:
    """True when no font of the chart style has a glyph for ``char``."""
    for family in drawing.style()["font.family"]:
        path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
        if font_manager.get_font(path).get_char_index(ord(char)):
            return False
    return True


@pytest.mark.parametrize("char", ["\ue000", "\U0003134a"])  # private use; a CJK Extension G ideograph
@pytest.mark.parametrize("render", [drawing.render_png_pdf, drawing.render_png, drawing.render_pdf])
def test_missing_glyph_raises(char: str, render, data: ReportData) -> None:
    assert lacks_glyph(char)
    fig = charts.outcomes(data)
    fig.axes[0].set_title(f"申请办理结果{char}")
    with pytest.raises(GlyphError, match="missing from font"):
        render(fig)
    with pytest.raises(GlyphError):  # again: the warning is not swallowed by a once-only registry
        render(fig)


def test_the_same_figure_drawn_again_gives_the_same_bytes(data: ReportData) -> None:
    fig = charts.outcomes(data)
    assert drawing.render_png_pdf(fig) == drawing.render_png_pdf(charts.outcomes(data)) == drawing.render_png_pdf(fig)


def test_rendering_leaves_global_settings_alone(data: ReportData) -> None:
    before = dict(mpl.rcParams)
    drawing.render_png_pdf(charts.headline(data))
    assert dict(mpl.rcParams) == before


def test_style() -> None:
    style = drawing.style()
    assert style["font.family"][0] == "Noto Sans CJK SC"
    assert style["axes.unicode_minus"] is False
    assert style["text.parse_math"] is False  # a "$" in a name is text, not mathtext


def test_style_without_chinese_font_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drawing, "CJK_FONTS", ("没有这种字体",))
    with pytest.raises(GlyphError, match="apt-get install fonts-noto-cjk"):
        drawing.style()


def test_charts_do_not_use_pyplot() -> None:
    code = "import sys, nianbao.charts; assert 'matplotlib.pyplot' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
