r"""The publication edition: the report exactly as the format prescribes it, for the agency to post.

The title, the opening paragraph, the six parts with the tables in the official layout, and the
closing 落款 (the 发布机关 and the date, right-aligned) — no check status, marks, appendices, paths,
hashes or English. Charts and the year-over-year table appear only where the registry asks for them
(``publication: {charts: true, year_on_year: true}``).

The edition is a list of :class:`Block`\ s made once from a :class:`~nianbao.report.Report`; each
medium draws the same blocks: :mod:`.web` (the page and the CMS fragment), :mod:`.pdf` (through
nbconvert's LaTeX path) and :mod:`.word` (python-docx). So the three cannot disagree.

Table 六 (信息处理费) is not a table of the format: part 六 states the figures in words, and so does
this edition — a sentence made from the figures the analyst's text does not state already, then the
analyst's text (rule F-TEXT checks that the two agree).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..format import PARTS, REPORT_TITLE_WORDS, text_width
from ..format.page import PAGE
from ..grid import Grid, fill, layout
from ..model import ReportData, chinese_date, is_unknown
from ..report import Report

#: The folder, inside a run's output folder, that holds the publication edition.
FOLDER = "publish"


@dataclass(frozen=True)
class Title:
    text: str
    lines: tuple[str, ...] = ()  # where it breaks, when it takes more than one line (title_lines)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int  # 1: a part (一、总体情况), 2: a section (（一）主动公开)


@dataclass(frozen=True)
class Text:
    markdown: str  # the analyst's Markdown, placeholders filled


@dataclass(frozen=True)
class Table:
    grid: Grid
    caption: str = ""
    note: str = ""
    table: str = ""  # the format's table (A, B, C), when it is one


@dataclass(frozen=True)
class Figure:
    name: str
    png: bytes
    pdf: bytes
    alt: str


@dataclass(frozen=True)
class Signature:
    office: str
    date: str  # 2025年1月31日, or empty


Block = Title | Heading | Text | Table | Figure | Signature


def blocks(report: Report, *, charts: bool | None = None, year_on_year: bool | None = None) -> list[Block]:
    """The publication edition of the report. ``charts`` and ``year_on_year`` default to the registry's setting."""
    from .. import changes

    agency, data = report.agency, report.data
    charts = agency.charts if charts is None else charts
    year_on_year = agency.year_on_year if year_on_year is None else year_on_year
    texts = printed_texts(report.data, report.texts)
    out: list[Block] = [Title(report.title, title_lines(report))]
    if texts.get("preamble"):
        out.append(Text(texts["preamble"]))
    for part in PARTS:
        out += part_blocks(report, part.key, texts)
    if year_on_year:
        previous = report.history.get(data.year - 1)
        out.append(Heading(changes.caption(data), 2))
        out.append(Table(changes.grid(data, previous), note=changes.missing_note(data, previous)))
    if charts:
        out += figures(report)
    out.append(signature(report))
    return out


def title_lines(report: Report) -> tuple[str, ...]:
    """The title on the lines a person would set it in the 2号 title type across the text block: one
    line when it fits, else two, broken after the agency's name, after the year or between the words
    of 政府信息公开工作年度报告 — wherever both lines fit and are most even.
    """
    title, name = report.title, report.agency.name
    room = 2 * PAGE.text_width / (PAGE.title_pt * 25.4 / 72)  # half-widths of the title type on a line
    if text_width(title) <= room:
        return (title,)
    cut = len(name) + len(f"{report.data.year}年")
    cuts = [len(name), cut]
    for word in REPORT_TITLE_WORDS[:-1]:
        cut += len(word)
        cuts.append(cut)
    fitting = [c for c in cuts if max(text_width(title[:c]), text_width(title[c:])) <= room] or cuts[:1]
    best = min(fitting, key=lambda c: abs(text_width(title[:c]) - text_width(title[c:])))
    return (title[:best], title[best:])


def part_blocks(report: Report, key: str, texts: dict[str, str] | None = None) -> list[Block]:
    """One of the six parts as published: its heading, its sections' texts and its table.

    The review edition shows these same blocks, with its marks and findings layered on.
    """
    part = next(p for p in PARTS if p.key == key)
    texts = printed_texts(report.data, report.texts) if texts is None else texts
    out: list[Block] = [Heading(part.heading, 1)]
    for section in part.sections:
        if section.title:
            out.append(Heading(section.title, 2))
        out.append(Text(texts.get(f"{part.key}.{section.key}", "") or EMPTY_SECTION))
    if part.table and part.table != "F":
        out.append(Table(published_grid(part.table, report.data), note=report.data.notes.get(part.table, ""),
                         table=part.table))
    return out


def signature(report: Report) -> Signature:
    """The closing 落款: the 发布机关 and the date."""
    data = report.data
    return Signature(report.agency.office or report.agency.name, chinese_date(data.published) if data.published else "")


def published_grid(table: str, data: ReportData) -> Grid:
    """An official table filled with the report's figures, and no marks."""
    grid = fill(layout(table), data)
    return replace(grid, cells=tuple(replace(c, marks=frozenset()) for c in grid.cells))


#: What a section the analyst left empty reads, in every edition.
EMPTY_SECTION = "无。"


def printed_texts(data: ReportData, texts: dict[str, str] | None = None) -> dict[str, str]:
    """The analyst's text, placeholders filled, part 六 opened by :func:`fee_sentence`: first, so that it
    never follows the part's closing sentence (“本年度无其他需要报告的事项。”).
    """
    from ..narrative import filled

    texts = dict(filled(data) if texts is None else texts)
    other = texts.get("other.text", "")
    sentence = fee_sentence(data, other)
    if sentence:
        texts["other.text"] = f"{sentence}\n\n{other}" if other.strip() else sentence
    return texts


def fee_sentence(data: ReportData, text: str = "") -> str:
    """Table 六's figures in words, those that ``text`` (part 六 as written) does not state already.

    A figure is stated when the text says it in a wording of the format's fee grammar
    (:mod:`nianbao.format.fees`, which the importer and rule F-TEXT read too) with the same value;
    blank figures are left unsaid.
    """
    from ..format.fees import stated_figures
    from ..narrative import figure_text

    stated = {key: s.value for key, s in stated_figures(text).items()}
    said = []
    for key, words, unit in (("notices", "发出收费通知", "件"), ("notice_amount", "收费通知总金额", "元"),
                             ("collected", "实际收取信息处理费", "元")):
        value = data.cells[f"F.fee.{key}"]
        if value is None or (f"F.fee.{key}" in stated and stated[f"F.fee.{key}"] == value):
            continue
        said.append(f"{words}{figure_text(value)}{unit}")
    if not said:
        return ""
    return "本年度" + "，".join(said) + "。"


def figures(report: Report) -> list[Block]:
    from ..drawing import render_png_pdf

    out: list[Block] = []
    for name, alt, make in chart_list(report):
        fig = make()
        if fig is not None:
            out.append(Figure(name, *render_png_pdf(fig), alt))
    return out


def chart_list(report: Report):
    """(name, Chinese alt text, maker) for each chart, in the order they are shown."""
    from .. import charts as charts_

    d = report.data
    return (
        ("outcomes", charts_.describe_outcomes(d), lambda: charts_.outcomes(d)),
        ("applicants", charts_.describe_applicants(d), lambda: charts_.applicants(d)),
        ("headline", charts_.describe_headline(d), lambda: charts_.headline(d)),
        ("trends", charts_.describe_trends(report.history), lambda: charts_.trends(report.history)),
    )


def pending(report: Report) -> list[str]:
    """Why the report is not yet fit to publish: unknown cells, open errors (empty when it is)."""
    unknown = [k for k, v in report.data.cells.items() if is_unknown(v)]
    errors = [r for r in report.results if r.is_error and r.is_open]
    out = []
    if unknown:
        out.append(f"{len(unknown)} 格无法确定（？）")
    if errors:
        out.append(f"{len(errors)} 项校验错误未处理")
    return out


__all__ = ["EMPTY_SECTION", "FOLDER", "Block", "Figure", "Heading", "Signature", "Table", "Text", "Title", "blocks", "part_blocks",
           "pending", "printed_texts", "published_grid", "signature", "title_lines"]
