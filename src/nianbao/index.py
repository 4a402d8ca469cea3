"""The reviewers' index, ``outputs/index.html``: every agency-year of the ledger with its status and links.

One static page — inline CSS and a small inline script for sorting and filtering, relative links,
nothing from the network — so it works opened straight from the file system or from a share.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import season as season_
from .atomic import write_text
from .params import Agency, Project

Record = Mapping[str, Any]  # a ledger record, as nianbao.batch writes it (the batch writes the index, not the reverse)

TITLE = "政府信息公开工作年度报告 · 审核索引"
STATUS_NAMES = {"rendered": "已渲染", "failed": "失败"}
LINKS = (("html", "HTML"), ("pdf", "PDF"), ("notebook", "笔记本"), ("checks", "校验结果"), ("failed_notebook", "出错的笔记本"))
#: The publication edition's files, linked in a column of their own.
PUBLISHED = (("publish_html", "网页"), ("publish_fragment", "CMS 片段"), ("publish_pdf", "PDF"), ("publish_docx", "Word"))


def write(project: Project, ledger: Mapping[str, Record], registry: Mapping[str, Agency]) -> Path:
    """Write ``outputs/index.html`` from the ledger's records and the season board of the newest year, atomically."""
    year = season_.season_year(project, ledger)
    board = season_.board(project, year, ledger, registry) if year else None
    return write_text(project.outputs_dir / "index.html", page(ledger, registry, project.outputs_dir, board))


def page(ledger: Mapping[str, Record], registry: Mapping[str, Agency], root: Path,
         board: season_.Board | None = None) -> str:
    """The index page for the ledger's records (and the season board, when given); links only to files under ``root``."""
    years = sorted({r["year"] for r in ledger.values()}, reverse=True)
    sections = "".join(_year(y, [r for r in ledger.values() if r["year"] == y], registry, root) for y in years)
    if not sections:
        sections = '<p class="empty">还没有渲染过任何报告：运行 <code>nianbao batch</code>。</p>'
    options = "".join(f'<option value="{y}">{y}年</option>' for y in years)
    return f"""{head(TITLE, CSS)}
<body>
<header>
<h1>{TITLE}</h1>
<p class="totals">{_totals(ledger)}</p>
<form class="filters" onsubmit="return false">
<label>查找 <input type="search" id="q" placeholder="单位名称或代码"></label>
<label>年度 <select id="year"><option value="">全部</option>{options}</select></label>
<label>状态 <select id="status"><option value="">全部</option><option value="rendered">已渲染</option>
<option value="failed">失败</option><option value="errors">有校验错误</option><option value="warnings">有警告</option>
<option value="pending">发布前待处理</option></select></label>
<span id="shown"></span>
</form>
</header>
<main>
{_season(board) if board else ""}{sections}
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""


def head(title: str, css: str) -> str:
    """The start of a self-contained Chinese page: doctype, charset, viewport, title and inline CSS."""
    return ('<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{css}</style>\n</head>")


def _totals(ledger: Mapping[str, Record]) -> str:
    reports = [r for r in ledger.values() if r["kind"] == "report"]
    failed = sum(r["status"] == "failed" for r in reports)
    errors = sum(1 for r in reports if (r.get("checks") or {}).get("errors"))
    return f"共 {len(reports)} 份报告：{len(reports) - failed} 份已渲染，{failed} 份失败，{errors} 份有校验错误"


def _year(year: int, records: list[Record], registry: Mapping[str, Agency], root: Path) -> str:
    summary = next((r for r in records if r["kind"] == "summary"), None)
    reports = sorted((r for r in records if r["kind"] == "report"), key=lambda r: r["agency"])
    overview = ""
    if summary:
        links = _links(summary, root)
        state = "" if summary["status"] == "rendered" else f'（<span class="bad">汇总失败：{html.escape(summary.get("reason", ""))}</span>）'
        overview = f'<p class="overview">年度汇总：{links or "（无）"}{state}</p>'
    rows = "".join(_row(r, registry, root) for r in reports)
    return f"""<section data-year="{year}">
<h2>{year}年（{len(reports)} 个单位）</h2>
{overview}
<table class="runs">
<thead><tr><th data-type="text">单位</th><th data-type="text">代码</th><th data-type="text">状态</th>
<th data-type="num">错误</th><th data-type="num">警告</th><th data-type="num">无法判定</th><th data-type="num">用时（秒）</th>
<th>审核版</th><th>发布版</th><th data-type="text">说明</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</section>
"""


def _row(r: Record, registry: Mapping[str, Agency], root: Path) -> str:
    who = registry.get(r["agency"])
    name = who.name if who else r.get("name") or r["agency"]
    checks = r.get("checks") or {}
    errors, warnings, uncertain = (checks.get(k) for k in ("errors", "warnings", "uncertain"))
    flags = [r["status"]] + (["errors"] if errors else []) + (["warnings"] if warnings else []) + (
        ["pending"] if r.get("pending") else [])
    status = STATUS_NAMES.get(r["status"], r["status"])
    cls = "bad" if r["status"] == "failed" else "warn" if errors else "ok"
    reason = r.get("reason", "")
    if r.get("stale"):
        reason += "（链接为上次成功渲染的输出）"
    if r.get("kept"):
        reason += "（本次未排 PDF，PDF 为上次生成，可能已过时）"
    pending = ""
    if r.get("pending") and r["status"] == "rendered":
        pending = f'<br><span class="bad" title="发布前须处理">待处理：{html.escape("；".join(r["pending"]))}</span>'
    return (
        f'<tr data-flags="{" ".join(flags)}" data-search="{html.escape(name + " " + r["agency"])}">'
        f"<td>{html.escape(name)}</td><td><code>{html.escape(r['agency'])}</code></td>"
        f'<td class="{cls}">{status}</td>{_num(errors)}{_num(warnings)}{_num(uncertain)}{_num(r.get("duration"))}'
        f"<td>{_links(r, root)}</td><td>{_links(r, root, PUBLISHED)}{pending}</td>"
        f"<td class=\"reason\">{html.escape(reason)}</td></tr>\n"
    )


def _season(board: season_.Board) -> str:
    """「本年度进度」: every agency of the registry with its stage, sortable and filterable like the runs."""
    totals = "，".join(f"{s.label} {n}" for s, n in board.totals().items() if n)
    late = f'<span class="bad">逾期 {len(board.late)} 个单位</span>' if board.late else "没有逾期的单位"
    options = "".join(f'<option value="{s.key}">{s.label}</option>' for s in season_.STAGES)
    rows = "".join(_stage_row(board, r) for r in sorted(board.rows, key=lambda r: (r.order, r.agency)))
    return f"""<section class="season" data-year="{board.year}">
<h2>本年度进度：{board.year}年度报告（截止 {board.deadline}，{season_.days_text(board)}）</h2>
<p class="overview">{html.escape(totals)}；{late}</p>
<p class="filters"><label>阶段 <select id="stage"><option value="">全部</option>{options}
<option value="late">{season_.LATE}</option></select></label><span id="season-shown"></span></p>
<table class="runs">
<thead><tr><th data-type="text">单位</th><th data-type="text">代码</th><th data-type="num">阶段</th>
<th data-type="num">错误</th><th data-type="num">警告</th><th data-type="text">审核人</th><th data-type="text">审核时间</th>
<th data-type="num">剩余天数</th><th data-type="text">说明</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</section>
"""


def _stage_row(board: season_.Board, r: season_.Row) -> str:
    stage = r.stage.key + (" late" if r.late else "")
    cls = "bad" if r.late else r.stage.tone
    left = 1e9 if r.done else board.days_left  # released: last when the most pressing come first
    return (
        f'<tr data-stage="{stage}" data-search="{html.escape(r.name + " " + r.agency)}">'
        f"<td>{html.escape(r.name)}</td><td><code>{html.escape(r.agency)}</code></td>"
        f'<td class="{cls}" data-sort="{r.order}">{r.stage.label}</td>{_num(r.errors)}{_num(r.warnings)}'
        f"<td>{html.escape(r.approved_by)}</td><td>{html.escape(r.approved_at[:16])}</td>"
        f'<td class="num{" bad" if r.late else ""}" data-sort="{left}">{season_.left_text(board, r)}</td>'
        f'<td class="reason">{html.escape(r.note)}</td></tr>\n'
    )


def _num(value: object) -> str:
    if value is None:
        return '<td class="num" data-sort="-1">—</td>'
    return f'<td class="num" data-sort="{value}">{value}</td>'


def _links(r: Record, root: Path, which: tuple[tuple[str, str], ...] = LINKS) -> str:
    outputs = r.get("outputs") or {}
    labels = dict(which, **({"checks": "汇总数据"} if r["kind"] == "summary" and which is LINKS else {}))
    found = [(outputs[k], labels[k]) for k in labels if outputs.get(k) and (root / outputs[k]).is_file()]
    return " ".join(f'<a href="{html.escape(_href(p))}">{label}</a>' for p, label in found)


def _href(path: str) -> str:
    from urllib.parse import quote

    return quote(path)


CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC",sans-serif;margin:0 auto;
max-width:1200px;padding:1em 2em;color:#222;line-height:1.5}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin:1.5em 0 .4em;border-bottom:2px solid #3b6ea5}
.filters{display:flex;gap:1.2em;flex-wrap:wrap;align-items:center;background:#f3f6fa;padding:.6em 1em;border-radius:4px}
.filters input{width:14em}#shown{color:#666}
table.runs{border-collapse:collapse;width:100%;font-size:.92em}
.runs th,.runs td{border:1px solid #ccd;padding:.3em .5em;text-align:left;vertical-align:top}
.runs th{background:#e8eef6}.runs th[data-type]{cursor:pointer;user-select:none}
.runs th.asc::after{content:" ▲"}.runs th.desc::after{content:" ▼"}
.runs td.num{text-align:right}.runs a{margin-right:.5em}
.ok{color:#176b2c}.warn{color:#a15c00;font-weight:bold}.bad{color:#b00020;font-weight:bold}
.reason{color:#555;font-size:.9em;max-width:28em}.totals,.overview{color:#333}
"""

SCRIPT = """
(function(){
  var q=document.getElementById('q'),year=document.getElementById('year'),status=document.getElementById('status');
  var stage=document.getElementById('stage');  /* the season board's own filter, absent from other pages */
  function has(tr,key,el){  /* a filter applies to the rows that carry its attribute: runs flags, season stages */
    return !el||!el.value||!(key in tr.dataset)||tr.dataset[key].split(' ').indexOf(el.value)>=0;
  }
  function apply(){
    var text=q.value.trim().toLowerCase(),n=0,m=0;
    document.querySelectorAll('section[data-year]').forEach(function(sec){
      var yearOk=!year.value||!sec.dataset.year||sec.dataset.year===year.value,any=false;
      sec.querySelectorAll('tbody tr').forEach(function(tr){  /* a row may carry its own year (one table of all years) */
        var ok=yearOk&&(!year.value||!tr.dataset.year||tr.dataset.year===year.value)&&(!text||tr.dataset.search.toLowerCase().indexOf(text)>=0)&&
          has(tr,'flags',status)&&has(tr,'stage',stage);
        tr.hidden=!ok;if(ok){if('stage' in tr.dataset){m++;}else{n++;}any=true;}
      });
      sec.hidden=!yearOk;
    });
    document.getElementById('shown').textContent='显示 '+n+' 份';
    var seasonShown=document.getElementById('season-shown');
    if(seasonShown){seasonShown.textContent='显示 '+m+' 个单位';}
  }
  [q,year,status,stage].forEach(function(el){if(el){el.addEventListener('input',apply);el.addEventListener('change',apply);}});
  new URLSearchParams(location.hash.slice(1)).forEach(function(v,k){  /* index.html#status=failed&q=… or #stage=late */
    var el={q:q,year:year,status:status,stage:stage}[k];if(el){el.value=v;}
  });
  document.querySelectorAll('table.runs th[data-type]').forEach(function(th){
    th.addEventListener('click',function(){
      var table=th.closest('table'),body=table.tBodies[0],i=Array.prototype.indexOf.call(th.parentNode.children,th);
      var asc=!th.classList.contains('asc');
      table.querySelectorAll('th').forEach(function(h){h.classList.remove('asc','desc');});
      th.classList.add(asc?'asc':'desc');
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=a.cells[i],y=b.cells[i],r;
        if(th.dataset.type==='num'){r=parseFloat(x.dataset.sort)-parseFloat(y.dataset.sort);}
        else{r=x.textContent.localeCompare(y.textContent,'zh');}
        return asc?r:-r;
      });
      rows.forEach(function(tr){body.appendChild(tr);});
    });
  });
  apply();
})();
"""
