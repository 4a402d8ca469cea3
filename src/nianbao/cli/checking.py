"""`nianbao check` and `nianbao accept`: the rules over the data, and reviewers' decisions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import cast

import click

from .group import CONTEXT, YEAR, _project, agency_option, main, rules_option, year_option


@main.command(context_settings=CONTEXT)
@click.option("--agency", "-a", "agencies", multiple=True, help="单位代码，可重复；默认全部。")
@click.option("--year", "-y", "years", multiple=True, type=YEAR, help="年度，可重复；默认全部。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="有警告也返回 1。")
@click.option("--verbose", "-v", is_flag=True, help="也列出跳过的规则及原因。")
@click.option("--jobs", "-j", type=click.IntRange(1), default=None, help="并行进程数；默认为 CPU 核数。")
@rules_option
@click.pass_context
def check(
    ctx: click.Context, agencies: tuple[str, ...], years: tuple[int, ...], fmt: str, strict: bool, verbose: bool,
    jobs: int | None, rules: tuple[Path, ...],
) -> None:
    """不启动内核，按全部规则校验数据。

    返回 0：没有错误；1：有错误（加 --strict 时有警告也算）；2：用法错误。

    \b
    示例：
      nianbao check
      nianbao check --year 2024 --agency yueyanglou --format json
      nianbao check --strict
      nianbao check --rules 省里的要求.yaml
    """
    import functools
    import os

    from ..report import Unreadable, check_all

    project = _project(ctx, rules)
    each = functools.partial(_check_json if fmt == "json" else _check_text, verbose=verbose)
    shown = _check_json_unreadable if fmt == "json" else _check_text_unreadable
    entries = list(check_all(project, agencies, years, jobs or os.cpu_count() or 1, each))
    if not entries:
        looked = "、".join(f"{y} 年" for y in years) or "任何年度"
        who = "、".join(agencies) or "名录中的单位"
        raise click.UsageError(f"{project.data_dir} 中没有{who}{looked}的数据，没有可校验的报告")
    unreadable = [e for e in entries if isinstance(e, Unreadable)]
    blocks = [shown(e) if isinstance(e, Unreadable) else cast(tuple[dict[str, int], str], e) for e in entries]
    totals = {k: sum(counts[k] for counts, _ in blocks) for k in ("errors", "warnings", "uncertain")}
    if fmt == "json":
        click.echo("[" + ",\n".join(text for _, text in blocks) + "]")
    else:
        for _, text in blocks:
            click.echo(text)
        reports = len(blocks) - len(unreadable)
        click.echo(f"共 {reports} 份报告：错误 {totals['errors']}，警告 {totals['warnings']}，无法判定 {totals['uncertain']}"
                   + (f"；{len(unreadable)} 个文件无法读取" if unreadable else ""))
    if unreadable or totals["errors"] or (strict and totals["warnings"]):
        ctx.exit(1)


_NO_COUNTS = {"errors": 0, "warnings": 0, "uncertain": 0}


def _check_text_unreadable(entry) -> tuple[dict[str, int], str]:
    what = f"{entry.year} 年" if entry.year else ""
    return _NO_COUNTS, f"{entry.name}（{entry.agency}）{what}：无法读取\n  [无法读取] {entry.error}"


def _check_json_unreadable(entry) -> tuple[dict[str, int], str]:
    payload = {"agency": entry.agency, "name": entry.name, "year": entry.year, "status": "无法读取",
               "readable": False, "error": entry.error, "file": entry.file, "summary": None, "results": []}
    return _NO_COUNTS, json.dumps(payload, ensure_ascii=False, indent=1)


def _check_text(report, verbose: bool = False) -> tuple[dict[str, int], str]:
    """One agency-year's check results as the text report prints them (made in a worker process)."""
    from .. import checks

    lines = [f"{report.agency.name}（{report.agency.id}）{report.data.year} 年：{checks.status_line(report.results)}"]
    for x in report.results:
        if x.is_open or x.status == checks.ACCEPTED or verbose and x.status == checks.SKIPPED:
            lines.append(f"  [{x.label}] {x.rule} {x.advice}" + (f"（{x.note}）" if x.note else ""))
    return checks.summary(report.results), "\n".join(lines)


def _check_json(report, verbose: bool = False) -> tuple[dict[str, int], str]:
    """One agency-year's check results as a JSON object (made in a worker process): as ``checks.json``."""
    from .. import checks

    payload = checks.document(report.results, report.agency.id, report.data.year, name=report.agency.name, readable=True)
    return payload["summary"], json.dumps(payload, ensure_ascii=False, indent=1, default=str)


@main.command(context_settings=CONTEXT)
@agency_option
@year_option
@click.option("--rule", "rule_id", required=True, help="规则代码，如 C-TOTAL。")
@click.option("--cell", required=True, help="单元格键（如 C.cases.review_total）或位置，见 nianbao check --format json 的 cells/where。")
@click.option("--reason", required=True, help="说明理由，将显示在报告中。")
@click.option("--by", default="", help="说明人。")
@click.pass_context
def accept(ctx: click.Context, agency: str, year: int, rule_id: str, cell: str, reason: str, by: str) -> None:
    """记录审核说明：某条校验结果已核实，报告中显示为“已说明”及理由，直到它所依据的数字改变。

    说明保存在 params/<年度>/<单位>.reviews.yaml。

    \b
    示例：
      nianbao accept -a broken-example -y 2024 --rule C-TOTAL --cell C.cases.review_total \\
        --reason "原件如此，已去函核实" --by 张三
    """
    from .. import checks, reviews
    from ..report import prepare

    project = _project(ctx)
    report = prepare(agency, year, str(project.root))
    key = f"{rule_id}@{cell}"
    found = [r for r in report.results if r.key == key and (r.is_open or r.status == checks.ACCEPTED)]
    if not found:
        open_keys = "、".join(sorted({r.key for r in report.results if r.is_open})) or "（没有待处理的校验结果）"
        raise click.ClickException(f"{agency} {year} 年没有 {key} 这条待处理的校验结果；待处理的有：{open_keys}")
    if not reason.strip():
        raise click.ClickException("理由 --reason 不能为空")
    path = reviews.record(project, found[0], report.data, reason, by)
    click.echo(f"已记录：{key}（{path}）")
