"""The report's pieces as notebook outputs, each carrying HTML and LaTeX of the same content.

The master notebook calls one function of this module per cell. Every output is a mime bundle:
``text/html`` for the HTML report, ``text/latex`` for the PDF (nbconvert picks by priority) and
``text/plain`` for a plain view. The analyst's narrative is converted here, for both, by the kit's
own escaping converters: no user text reaches LaTeX or HTML as markup.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from pathlib import Path

from . import checks as checks_
from . import drawing, edition
from .format import PARTS, TABLE_NAMES, TABLES
from .grid import marked
from .latex import escape as escape_latex
from .latex import markdown as latex_markdown
from .model import ReportData, chinese_date
from .narrative import to_html as markdown_html
from .report import Report, prepare  # noqa: F401 — prepare is the notebook's first call
from .run import fingerprint
from .table_latex import to_latex
from .tables import STATUS_STYLE, inline_table, longtable, to_html


@dataclass(frozen=True)
class Output:
    """A display object with one representation per mime type."""

    bundle: dict

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.bundle


@dataclass(frozen=True)
class Outputs:
    """Several outputs shown one after another by a single notebook cell."""

    items: tuple[Output, ...]

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(*self.items)


@functools.cache
def warm_up() -> None:
    """Pay once what a report's first cells pay in a new process — fonts loaded for a chart, the Jinja
    template pandas' Styler writes a LaTeX longtable with compiled — so that the kernels a batch forks
    after this start with it; once per process and the processes forked from it (a batch's fork
    server, then its workers' kernel templates). Quiet when it cannot: each report's own cells then say why.
    """
    import pandas as pd

    from .charts import warm_up as draw_one

    draw_one()
    try:
        longtable(pd.DataFrame({"规则": ["X-Y"]}), "l", codes="规则")
    except Exception:  # noqa: BLE001  only a head start
        pass


def _out(html_text: str, latex: str, plain: str = "") -> Output:
    return Output({"text/html": html_text, "text/latex": latex, "text/plain": plain or _strip(html_text)})


def _narrative(text: str) -> Output:
    """Analyst-written Markdown, made safe here for both: HTML that shows typed HTML as text, and LaTeX
    that shows typed TeX as text (no raw TeX ever reaches xelatex; nothing is left for pandoc).
    """
    return Output({"text/html": markdown_html(text), "text/latex": latex_markdown(text), "text/plain": text})


def _strip(text: str) -> str:
    import re

    return html.unescape(re.sub(r"<[^>]+>", " ", text)).strip()


# ---------------------------------------------------------------- the title and the status


def title(report: Report) -> Output:
    """Title, byline, and the status of the checks — the first thing a reviewer sees."""
    a, d = report.agency, report.data
    byline = "　".join(x for x in (f"发布机关：{a.office}" if a.office else "", _date_line(d)) if x)
    head = f'<h1 class="report-title">{"<br />".join(html.escape(x) for x in edition.title_lines(report))}</h1>'
    if byline:
        head += f'<p class="byline">{html.escape(byline)}</p>'
    box_html, box_latex = _status_box(report)
    return _out(head + box_html, box_latex, report.title)


def _date_line(data: ReportData) -> str:
    if not data.published:
        return ""
    return f"发布日期：{chinese_date(data.published)}"


def _status_box(report: Report) -> tuple[str, str]:
    line = checks_.status_line(report.results)
    shown = [r for r in report.results if r.is_open or r.status == checks_.ACCEPTED]
    kind = "error" if any(r.is_error for r in shown) else "warn" if any(r.is_open for r in shown) else "ok"
    items = "".join(f"<li>{_badge(r)}{html.escape(_text(r))}</li>" for r in shown)
    body = f'<ul class="findings">{items}</ul>' if items else ""
    box = (f'<div class="status status-{kind}" role="status" style="{STATUS_STYLE[kind]}">'
           f"<strong>{html.escape(line)}</strong>{body}</div>")
    latex_items = "".join(f"\\item {_latex_badge(r)}{escape_latex(_text(r))}\n" for r in shown)
    colour = {"ok": "nbok", "error": "nbflag", "warn": "nbwarn"}[kind]
    latex = (
        f"\\begin{{nbstatus}}{{{colour}}}\\textbf{{{escape_latex(line)}}}"
        + (f"\\begin{{itemize}}\\small\n{latex_items}\\end{{itemize}}" if latex_items else "")
        + "\\end{nbstatus}"
    )
    return box, latex


def _text(r: checks_.Result) -> str:
    """A finding as a reader sees it, with a reviewer's explanation when there is one."""
    if r.status == checks_.ACCEPTED:
        return f"{r.message}——已说明：{r.note}"
    return f"{r.advice}（{r.note}）" if r.note else r.advice


def _badge(r: checks_.Result) -> str:
    colour = {"failed-error": "#a50e0e", "failed-warning": "#b06000"}.get(f"{r.status}-{r.severity}", "#555")
    return (f'<span class="badge badge-{r.status}-{r.severity}" style="background:{colour};color:#fff;padding:0 0.4em;'
            f'border-radius:3px">{r.label}</span> <code>{r.rule}</code> ')


def _latex_badge(r: checks_.Result) -> str:
    return f"\\textbf{{［{r.label}］}}\\texttt{{{escape_latex(r.rule)}}} "


# ---------------------------------------------------------------- the six parts


def preamble(report: Report) -> Output:
    return _narrative(report.texts.get("preamble", ""))


def part(report: Report, key: str) -> Outputs:
    """One of the six parts as the publication prints it (:func:`~nianbao.edition.part_blocks`: part 六
    with its fee sentence, an empty section as 无。), its tables marked where a check failed: the
    reviewer reads what will be published.
    """
    shown = edition.part_blocks(report, key)
    table = next(p.table for p in PARTS if p.key == key)
    if table == "F":  # part 六 states table 六 in words; the reviewer sees its cells too, with their marks
        shown.append(edition.Table(edition.published_grid(table, report.data), note=report.data.notes.get(table, ""),
                                   table=table))
    return Outputs(tuple(_block(report, b) for b in shown))


def signature(report: Report) -> Output:
    """The closing 落款, as published."""
    return _block(report, edition.signature(report))


def _block(report: Report, block: edition.Block) -> Output:
    if isinstance(block, edition.Heading):
        tag, command = ("h2", "section*") if block.level == 1 else ("h3", "subsubsection*")
        return _out(f"<{tag}>{html.escape(block.text)}</{tag}>", f"\\{command}{{{escape_latex(block.text)}}}", block.text)
    if isinstance(block, edition.Text):
        return _narrative(block.markdown)
    if isinstance(block, edition.Table):
        return _out(*_table(report, block), TABLES[block.table].title)
    if isinstance(block, edition.Signature):
        lines = [x for x in (block.office, block.date) if x]
        return _out("".join(f'<p class="signature" style="text-align:right">{html.escape(x)}</p>' for x in lines),
                    "\\begin{flushright}" + "\\\\\n".join(escape_latex(x) for x in lines) + "\\end{flushright}",
                    "\n".join(lines))
    raise TypeError(block)


def _table(report: Report, block: edition.Table) -> tuple[str, str]:
    """A table as published, with the review's marks on its cells and its findings below."""
    key = block.table
    grid = marked(block.grid, report.data, report.marks)
    caption = f"{TABLE_NAMES[key]}　{TABLES[key].title}"
    findings = [r for r in report.results if r.table == key and (r.is_open or r.status == checks_.ACCEPTED)]
    note = block.note
    h = f'<figure class="official-table"><figcaption>{html.escape(caption)}</figcaption>{to_html(grid)}'
    tex = (
        "\\par\\noindent\\begin{minipage}{\\linewidth}\\centering"
        f"\\textbf{{{escape_latex(caption)}}}\\par\\smallskip\n{to_latex(grid)}\n\\end{{minipage}}\\par\\medskip\n"
    )
    if note:
        h += f'<p class="table-note">注：{html.escape(note)}</p>'
        tex += f"\n\\noindent{{\\small 注：{escape_latex(note)}}}\n"
    if findings:
        items = "".join(f"<li>{_badge(r)}{html.escape(_text(r))}</li>" for r in findings)
        h += f'<ul class="findings table-findings">{items}</ul>'
        tex += "\n\\begin{itemize}\\small\n" + "".join(
            f"\\item \\textcolor{{nbflagtext}}{{{_latex_badge(r)}{escape_latex(_text(r))}}}\n" for r in findings
        ) + "\\end{itemize}\n"
    return h + "</figure>", tex


# ---------------------------------------------------------------- appendices


def checks(report: Report) -> Output:
    """The details of every check: what failed or could not be decided, then a count per rule."""
    open_ = [r for r in report.results if not r.passed]
    h = [f'<h2>附一、数据校验</h2><p class="status-line">{html.escape(checks_.status_line(report.results))}</p>']
    tex = [f"\\section*{{附一、数据校验}}\n{escape_latex(checks_.status_line(report.results))}\n"]
    if open_:
        view = checks_.frame(open_)
        view = view.assign(
            severity=view.severity.map(checks_.SEVERITY_NAMES),
            status=view.status.map(checks_.STATUS_NAMES),
            message=[_text(r) for r in open_],
        )[["rule", "severity", "status", "message"]]
        view.columns = ["规则", "级别", "结果", "说明"]
        h.append(inline_table(view, wide="说明"))
        tex.append(longtable(view, "p{2.6cm}p{1.0cm}p{1.6cm}p{10.2cm}", codes="规则"))
    per_rule = checks_.per_rule(report.results)
    h.append(inline_table(per_rule, wide="内容"))
    tex.append(longtable(per_rule, "p{2.6cm}p{6.6cm}rrrrr", codes="规则"))
    return _out("".join(h), "\n".join(tex), checks_.status_line(report.results))


def charts(report: Report) -> Outputs:
    """The charts: application outcomes, applicant types, table 二's headline figures, trends."""
    heading = _out("<h2>附二、图表</h2>", "\\section*{附二、图表}", "附二、图表")
    return Outputs((heading, *(_chart(alt, make) for _, alt, make in edition.chart_list(report))))


def chart(report: Report, name: str) -> Output:
    """One chart by name (``outcomes``, ``applicants``, ``headline``, ``trends``: :func:`~nianbao.edition.chart_list`).

    Stored once per format a reader needs: a PNG inside the HTML (with Chinese alt text — what the
    HTML report and JupyterLab show, trusted or not) and a PDF for the PDF report.
    """
    _, alt, make = next(c for c in edition.chart_list(report) if c[0] == name)
    return _chart(alt, make)


def _chart(alt: str, make) -> Output:
    fig = make()
    if fig is None:
        return _out(f'<p class="note">（{html.escape(alt)}）</p>', f"（{escape_latex(alt)}）")
    return Output(drawing.bundle(fig, alt))


def changes(report: Report) -> Output:
    """附三: the headline figures beside last year's, and the change; a missing year is said, not zero."""
    from . import changes as changes_

    data = report.data
    previous = report.history.get(data.year - 1)
    heading = f"附三、{changes_.caption(data)}"
    grid = changes_.grid(data, previous)
    note = changes_.missing_note(data, previous)
    h = f'<h2>{html.escape(heading)}</h2><figure class="official-table">{to_html(grid)}</figure>'
    tex = (f"\\section*{{{escape_latex(heading)}}}\n\\par\\noindent\\begin{{minipage}}{{\\linewidth}}\\centering\n"
           f"{to_latex(grid)}\n\\end{{minipage}}\\par\\medskip\n")
    if note:
        h += f'<p class="table-note">{html.escape(note)}</p>'
        tex += f"\n\\noindent{{\\small {escape_latex(note)}}}\n"
    return _out(h, tex, heading)


def colophon(report: Report) -> Output:
    """Where the figures came from: the data file and its fingerprint."""
    source = Path(report.data.source)
    try:
        shown = source.resolve().relative_to(report.project.root).as_posix()
    except ValueError:
        shown = source.name
    digest = fingerprint(source)[:16] if source.is_file() else ""
    text = f"数据来源：{shown}" + (f"（SHA-256 {digest}）" if digest else "")
    return _out(f'<p class="colophon">{html.escape(text)}</p>', f"\\vfill{{\\footnotesize {escape_latex(text)}}}", text)
