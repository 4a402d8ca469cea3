"""The year overview across agencies, for ``notebooks/summary.ipynb``: one function per cell.

Every official table summed across the agencies with data, the agencies compared side by side
(applications and their outcomes, 行政许可, 行政处罚, fees), charts, and the agencies that are
missing, whose data could not be read, whose report failed to render, or whose checks found errors.
Each output carries HTML and LaTeX of the same content, as the report's cells do.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from . import charts as charts_
from . import checks as checks_
from . import drawing
from .errors import NianbaoError
from .format import AMOUNT, REPORT_TITLE, TABLE_B, TABLE_NAMES, TABLES, all_cell_keys, cell_key, column_of
from .grid import fill, layout
from .latex import escape as escape_latex
from .model import ReportData, Value, is_empty, is_unknown, number
from .params import Agency, Project, load_registry
from .present import Output, Outputs
from .report import Report, project_for
from .report import prepare as prepare_report
from .table_latex import to_latex
from .tables import STATUS_STYLE, to_html

#: What a comparison column adds up: a cell key, a table-B heading (its numbered rows), or several keys.
Figure = str | tuple[str, ...]

#: Per-agency comparison: column label → cell key, or a table-B heading summed over its numbered rows.
REQUESTS: dict[str, Figure] = {
    "新收申请": "B.new.total",
    "上年结转": "B.carried_over.total",
    "予以公开": "B.disclosed.total",
    "部分公开": "B.partial.total",
    "不予公开": "withheld",
    "无法提供": "unavailable",
    "不予处理": "refused",
    "其他处理": "other",
    "办结总计": "B.total.total",
    "结转下年": "B.carried_forward.total",
}
DECISIONS: dict[str, Figure] = {
    "行政许可": "A.licensing.decisions",
    "行政处罚": "A.penalty.decisions",
    "行政强制": "A.coercion.decisions",
    "行政事业性收费（万元）": "A.fees.amount",
    "信息处理费实收（元）": "F.fee.collected",
    "行政复议": "C.cases.review_total",
    "行政诉讼": ("C.cases.suit_direct_total", "C.cases.suit_after_total"),
}


@dataclass(frozen=True)
class Overview:
    """One year across every agency of the registry."""

    project: Project
    year: int
    registry: dict[str, Agency]
    reports: list[Report]  # agencies with readable data for the year, in registry order
    unreadable: dict[str, str] = field(default_factory=dict)  # agency → why its data could not be read
    failed: dict[str, str] = field(default_factory=dict)  # agency → why its report failed to render

    @property
    def title(self) -> str:
        return f"{self.year}年{REPORT_TITLE}汇总"

    @property
    def missing(self) -> list[Agency]:
        """Agencies of the registry with no data file for the year."""
        have = {r.agency.id for r in self.reports} | set(self.unreadable)
        return [a for a in self.registry.values() if a.id not in have]

    @property
    def errors(self) -> int:
        """How many agencies' checks found at least one error."""
        return sum(1 for r in self.reports if any(x.is_error for x in r.results))

    @property
    def totals(self) -> ReportData:
        return total(self.year, [r.data for r in self.reports])


def prepare(year: int, project_dir: str = "", data_dir: str = "", failed: Mapping[str, str] | None = None,
            rules: Iterable[str] = ()) -> Overview:
    """Load and check every agency's data for ``year``; the summary notebook's first step."""
    project = project_for(project_dir, data_dir, rules)
    registry = load_registry(project)
    reports, unreadable = [], {}
    for agency_id in registry:
        if not project.data_files(agency_id, int(year)):
            continue
        try:
            reports.append(prepare_report(agency_id, int(year), str(project.root), str(project.data_root or "")))
        except NianbaoError as exc:
            unreadable[agency_id] = str(exc)
    return Overview(project, int(year), registry, reports, unreadable, dict(failed or {}))


def total(year: int, reports: list[ReportData]) -> ReportData:
    """Every cell summed across ``reports``: blank where all are blank, ``?`` where any is unknown."""
    cells: dict[str, Value] = {}
    for key in all_cell_keys():
        values = [r.cells[key] for r in reports]
        if all(is_empty(v) for v in values):
            cells[key] = None
        elif any(is_unknown(v) for v in values):
            cells[key] = "?"
        else:
            s = sum(number(v) for v in values)  # type: ignore[misc]
            cells[key] = round(s, 4) if column_of(key).kind == AMOUNT else int(s)
    return ReportData("summary", year, cells)


def _value(data: ReportData, what: Figure) -> float | None:
    """A comparison figure: a cell, several cells added, or a table-B heading's numbered rows added."""
    if isinstance(what, tuple):
        keys = list(what)
    elif "." in what:
        keys = [what]
    else:
        keys = [cell_key("B", r.key, "total") for r in TABLE_B.children(what)]
    values = [data.number(k) for k in keys]
    return None if any(v is None for v in values) else sum(values)  # type: ignore[arg-type]


def comparison(overview: Overview, columns: Mapping[str, Figure]) -> pd.DataFrame:
    """One row per agency with data, one column per figure; ``None`` where a figure is unknown."""
    rows = []
    for r in overview.reports:
        row: dict[str, object] = {"单位": r.agency.name, "类型": r.agency.kind_label}
        row.update({label: _value(r.data, what) for label, what in columns.items()})
        rows.append(row)
    return pd.DataFrame(rows, columns=["单位", "类型", *columns])


def to_json(overview: Overview) -> str:
    """The comparison and the status of every agency, for machine readers (``summary.json``)."""
    table = comparison(overview, {**REQUESTS, **DECISIONS})
    payload = {
        "year": overview.year,
        "agencies": json.loads(table.to_json(orient="records", force_ascii=False)),
        "status": [{"agency": a, **s} for a, s in status(overview).items()],
    }
    return json.dumps(payload, ensure_ascii=False, indent=1) + "\n"


def status(overview: Overview) -> dict[str, dict[str, object]]:
    """Per agency of the registry: its state for the year and the checks' counts where it has data."""
    out: dict[str, dict[str, object]] = {}
    by_id = {r.agency.id: r for r in overview.reports}
    for a in overview.registry.values():
        if a.id in overview.unreadable:
            out[a.id] = {"state": "unreadable", "reason": overview.unreadable[a.id]}
        elif a.id not in by_id:
            out[a.id] = {"state": "missing", "reason": ""}
        else:
            s = checks_.summary(by_id[a.id].results)
            state = "failed" if a.id in overview.failed else "ok"
            out[a.id] = {"state": state, "reason": overview.failed.get(a.id, ""), "errors": s["errors"], "warnings": s["warnings"]}
    return out


def source_date_epoch(overview: Overview) -> int:
    """The overview PDF's date: the latest publication date among the reports, else 31 January."""
    days = [r.data.published for r in overview.reports if r.data.published]
    day = dt.date.fromisoformat(max(days)) if days else dt.date(overview.year + 1, 1, 31)
    return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc).timestamp())


# ---------------------------------------------------------------- the notebook's cells


def _out(html_text: str, latex: str, plain: str) -> Output:
    return Output({"text/html": html_text, "text/latex": latex, "text/plain": plain})


def title(overview: Overview) -> Output:
    """Title and one status line: agencies with reports, missing, unreadable, failed, with check errors."""
    counts = [
        f"{len(overview.reports)} 个单位有数据",
        f"{len(overview.missing)} 个单位未报送",
        f"{len(overview.unreadable)} 个单位数据无法读取",
        f"{len(overview.failed)} 份报告渲染失败",
        f"{overview.errors} 个单位的数据有校验错误",
    ]
    line = "，".join(counts)
    kind = "ok" if not (overview.unreadable or overview.failed or overview.errors) else "error"
    h = (
        f'<h1 class="report-title">{html.escape(overview.title)}</h1>'
        f'<div class="status status-{kind}" role="status" style="{STATUS_STYLE[kind]}"><strong>{html.escape(line)}</strong></div>'
    )
    colour = "nbok" if kind == "ok" else "nbflag"
    tex = f"\\begin{{nbstatus}}{{{colour}}}\\textbf{{{escape_latex(line)}}}\\end{{nbstatus}}"
    return _out(h, tex, f"{overview.title}\n{line}")


def totals(overview: Overview) -> Outputs:
    """Every official table with each cell summed across the agencies with data."""
    data = overview.totals
    items = [_out("<h2>一、各表合计</h2>", "\\section*{一、各表合计}", "一、各表合计")]
    for key in TABLES:
        caption = f"{TABLE_NAMES[key]}　{TABLES[key].title}（{len(overview.reports)} 个单位合计）"
        grid = fill(layout(key), data)
        items.append(
            _out(
                f'<figure class="official-table"><figcaption>{html.escape(caption)}</figcaption>{to_html(grid)}</figure>',
                "\\par\\noindent\\begin{minipage}{\\linewidth}\\centering"
                f"\\textbf{{{escape_latex(caption)}}}\\par\\smallskip\n{to_latex(grid)}\n\\end{{minipage}}\\par\\medskip\n",
                caption,
            )
        )
    return Outputs(tuple(items))


def compare(overview: Overview) -> Outputs:
    """The agencies side by side: applications and their outcomes; decisions, fees, appeals."""
    items = [_out("<h2>二、各单位比较</h2>", "\\section*{二、各单位比较}", "二、各单位比较")]
    for caption, columns in (("（一）依申请公开：收到和办理结果（件）", REQUESTS), ("（二）行政许可、处罚、强制，收费与复议诉讼", DECISIONS)):
        frame = comparison(overview, columns)
        items.append(_frame(caption, frame))
    return Outputs(tuple(items))


def _frame(caption: str, frame: pd.DataFrame) -> Output:
    shown = frame.astype(object).map(_figure)
    styler = shown.style.hide(axis="index").set_uuid("nianbao").set_table_attributes('class="checks"')
    body = styler.format(escape="html").to_html()
    n = len(frame.columns)
    latex = styler.format(escape="latex").to_latex(
        environment="longtable", column_format="p{3.2cm}p{1.1cm}" + "r" * (n - 2), hrules=True
    )
    h = f"<h3>{html.escape(caption)}</h3>{body}"
    tex = f"\\subsection*{{{escape_latex(caption)}}}\n{{\\scriptsize\\setlength{{\\tabcolsep}}{{2pt}}\n{latex}}}\n"
    return _out(h, tex, caption)


def _figure(value: object) -> object:
    """A comparison cell as shown: ``？`` for unknown, numbers without trailing zeros."""
    if value is None or value != value:
        return "？"
    return f"{value:g}" if isinstance(value, float) else value


def charts(overview: Overview) -> Outputs:
    """Charts comparing the agencies: new applications, and 行政许可 and 行政处罚 decisions."""
    items = [_out("<h2>三、图表</h2>", "\\section*{三、图表}", "三、图表")]
    if not overview.reports:
        items.append(_out('<p class="note">（本年度没有单位报送数据。）</p>', "（本年度没有单位报送数据。）", "无数据"))
        return Outputs(tuple(items))
    for label, what in (("新收申请", REQUESTS["新收申请"]), ("行政许可", DECISIONS["行政许可"]), ("行政处罚", DECISIONS["行政处罚"])):
        names = [r.agency.name for r in overview.reports]
        values = [_value(r.data, what) for r in overview.reports]
        items.append(_chart(f"各单位{label}（件）", names, values))
    return Outputs(tuple(items))


def _chart(title_: str, names: list[str], values: list[float | None]) -> Output:
    fig = charts_.bar_chart(title_, names, values, bar_height=0.35)
    alt = f"条形图，{title_}：" + "，".join(f"{n} {v}" for n, v in zip(names, charts_.said(values)))
    return Output(drawing.bundle(fig, alt))


def problems(overview: Overview) -> Output:
    """The agencies that need attention: missing, unreadable, failed to render, or with check errors."""
    rows = [(a.name, "未报送数据", "") for a in overview.missing]
    rows += [(overview.registry[a].name, "数据无法读取", why) for a, why in overview.unreadable.items()]
    rows += [(overview.registry[a].name, "报告渲染失败", why) for a, why in overview.failed.items() if a in overview.registry]
    for r in overview.reports:
        errors = [x for x in r.results if x.is_error]
        if errors:
            rows.append((r.agency.name, f"校验错误 {len(errors)} 项", "；".join(sorted({x.rule for x in errors}))))
    head = "<h2>四、需要关注的单位</h2>"
    if not rows:
        return _out(head + "<p>全部单位均已报送，数据可读，校验无错误。</p>", "\\section*{四、需要关注的单位}\n全部单位均已报送，数据可读，校验无错误。", "无")
    frame = pd.DataFrame(rows, columns=["单位", "情况", "说明"])
    styler = frame.style.hide(axis="index").set_uuid("nianbao").set_table_attributes('class="checks"')
    latex = styler.format(escape="latex").to_latex(environment="longtable", column_format="p{4.5cm}p{3cm}p{8.5cm}", hrules=True)
    return _out(head + styler.format(escape="html").to_html(), "\\section*{四、需要关注的单位}\n" + latex, "需要关注的单位")
