"""An audit as one offline HTML page an evaluator can publish: ``nianbao audit DIR --format html``.

Reports × rules with counts (sortable, filterable by text and by what was found), each report's
findings with their evidence (the cells and their values, or the quoted sentence, as the message
states them), and the files that could not be read, with the reason. Nothing is loaded from the
network; every text is escaped.
"""

from __future__ import annotations

import html

from . import checks
from .audit import Audit
from .audit_tables import packs_line, rule_titles, rules_found, totals_line
from .importer import FORMATS
from .index import CSS, SCRIPT, head

TITLE = "政府信息公开工作年度报告 · 审计结果"


def to_html(result: Audit) -> str:
    v, rules = result.violations, rules_found(result)
    titles = rule_titles(result)
    rule_heads = "".join(f'<th data-type="num" title="{html.escape(titles.get(r, ""))}">{html.escape(r)}</th>' for r in rules)
    rows, details = [], []
    for n, r in enumerate(result.reports.itertuples()):
        mine = v[v["report"] == r.report]
        flags = ["errors"] if r.errors else []
        flags += ["warnings"] if r.warnings else []
        flags += ["uncertain"] if r.uncertain else []
        flags += [] if flags else ["ok"]
        counts = []
        for rule in rules:
            found = mine[mine["rule"] == rule]
            failed = int((found["status"] == checks.FAILED).sum())
            uncertain = int((found["status"] == checks.UNCERTAIN).sum())
            shown = " ".join(x for x in (str(failed) if failed else "", f"?{uncertain}" if uncertain else "") if x)
            counts.append(f'<td class="num" data-sort="{failed + uncertain / 1000}">{shown}</td>')
        anchor = f"r{n}"
        rows.append(
            f'<tr data-year="{r.year}" data-flags="rendered {" ".join(flags)}" data-search="{html.escape(f"{r.agency} {r.report}")}">'
            f'<td><a href="#{anchor}">{html.escape(str(r.agency))}</a></td><td class="num" data-sort="{r.year}">{r.year}</td>'
            f"<td>{html.escape(str(r.identity_from))}</td><td>{html.escape(FORMATS[str(r.format)])}</td>"
            + "".join(f'<td class="num" data-sort="{int(x)}">{int(x)}</td>'  # type: ignore[arg-type]
                      for x in (r.errors, r.warnings, r.uncertain, r.notices, r.unknown_cells))
            + "".join(counts) + f'<td class="reason">{html.escape(str(r.report))}</td></tr>'
        )
        items = "".join(
            f'<li><span class="{_css(x.status, x.severity)}">［{checks.label(str(x.status), str(x.severity))}］</span> '
            f"<code>{html.escape(str(x.rule))}</code> {html.escape(str(x.where))}：{html.escape(str(x.message))}"
            + (f'<br><span class="evidence">依据：{html.escape(str(x.evidence))}</span>' if x.evidence else "") + "</li>"
            for x in mine.itertuples()
        ) or "<li>没有发现问题。</li>"
        details.append(f'<section id="{anchor}"><h3>{html.escape(str(r.agency))} {r.year} 年</h3>'
                       f'<p class="overview">文件：{html.escape(str(r.report))}；单位与年度读自{html.escape(str(r.identity_from))}</p>'
                       f"<ul>{items}</ul></section>")
    unreadable = "".join(f"<li><code>{html.escape(f)}</code>：{html.escape(reason)}</li>" for f, reason in result.unreadable)
    years = sorted({int(y) for y in result.reports["year"]}, reverse=True) if len(result.reports) else []
    options = "".join(f'<option value="{y}">{y}年</option>' for y in years)
    css = CSS + ".bad-text{color:#b00020;font-weight:bold}.warn-text{color:#a15c00}.unknown-text{color:#555}" \
        "section h3{margin:1.2em 0 .2em}.evidence{color:#444;font-size:.92em}"
    return f"""{head(TITLE, css)}
<body>
<header>
<h1>{TITLE}</h1>
<p class="totals">{html.escape(totals_line(result))}</p>{_packs(result)}
<form class="filters" onsubmit="return false">
<label>查找 <input type="search" id="q" placeholder="单位名称或文件"></label>
<label>年度 <select id="year"><option value="">全部</option>{options}</select></label>
<label>结果 <select id="status"><option value="">全部</option><option value="errors">有错误</option>
<option value="warnings">有警告</option><option value="uncertain">有无法判定</option><option value="ok">没有问题</option></select></label>
<span id="shown"></span>
</form>
</header>
<main>
<section data-year="">
<h2>报告 × 规则（数字为未通过的条数，?n 为无法判定的条数）</h2>
<table class="runs">
<thead><tr><th data-type="text">单位</th><th data-type="num">年度</th><th data-type="text">单位与年度读自</th><th data-type="text">格式</th>
<th data-type="num">错误</th><th data-type="num">警告</th><th data-type="num">无法判定</th><th data-type="num">空白格（提示）</th>
<th data-type="num">无法确定的格</th>{rule_heads}<th data-type="text">文件</th></tr></thead>
<tbody>
{"".join(rows)}
</tbody>
</table>
</section>
<h2>各报告的问题及依据</h2>
{"".join(details) or "<p>没有读到任何报告。</p>"}
<h2>无法读取的文件</h2>
{f"<ul>{unreadable}</ul>" if unreadable else "<p>没有。</p>"}
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""


def _css(status: object, severity: object) -> str:
    if status == checks.UNCERTAIN or severity == checks.INFO:
        return "unknown-text"
    return "bad-text" if severity == checks.ERROR else "warn-text"


def _packs(result: Audit) -> str:
    line = packs_line(result)
    return f'<p class="overview">{html.escape(line)}</p>' if line else ""


__all__ = ["to_html"]
