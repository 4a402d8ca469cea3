"""The ``nianbao`` command line. Known errors become ``Error: …`` and exit code 1; usage errors 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import cast

import click

from . import __version__
from .errors import NianbaoError, ParamsError, os_error
from .params import Project
from .params import agency as find_agency

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Group(click.Group):
    """Turns the kit's own errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NianbaoError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # the machine, not the kit: a folder without permission, a full disk
            raise click.ClickException(str(os_error(exc))) from None


@click.group(cls=Group, context_settings=CONTEXT)
@click.version_option(__version__, "--version", prog_name="nianbao")
@click.option(
    "--project",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="项目目录（含 params/agencies.yaml）；默认从当前目录向上查找。",
)
@click.pass_context
def main(ctx: click.Context, project: Path | None) -> None:
    """政府信息公开工作年度报告：数据 → 表格 → 校验 → 图表 → HTML 与 PDF。

    \b
    示例：
      nianbao template --agency yueyanglou --year 2025
      nianbao render --agency yueyanglou --year 2024
      nianbao export --agency yueyanglou --year 2024 --format csv > yueyanglou-2024.csv
    """
    ctx.obj = project


def _project(ctx: click.Context) -> Project:
    return Project.find(ctx.obj or ".")


agency_option = click.option("--agency", "-a", required=True, help="单位代码，如 yueyanglou（见 params/agencies.yaml）。")
year_option = click.option("--year", "-y", required=True, type=int, help="报告年度，如 2024。")


@main.command(context_settings=CONTEXT)
@agency_option
@year_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="输出目录；默认 outputs/<年度>/<单位>/。")
@click.option("--no-pdf", is_flag=True, help="只生成笔记本和 HTML，不排版 PDF。")
@click.option("--timeout", type=int, default=600, show_default=True, help="单个代码格的执行时限（秒）。")
@click.pass_context
def render(ctx: click.Context, agency: str, year: int, out: Path | None, no_pdf: bool, timeout: int) -> None:
    """执行主笔记本，生成一个单位一个年度的报告：笔记本、HTML、PDF 和校验结果。

    \b
    示例：
      nianbao render --agency yueyanglou --year 2024
      nianbao render -a yueyanglou -y 2024 --out /tmp/report --no-pdf
    """
    from .publish import report as publish
    from .report import validate
    from .run import Run

    project = _project(ctx)
    prepared = validate(project, agency, year)  # every input read and checked, once, before the kernel starts
    result = publish(Run(project, year, agency, out), prepared, pdf=not no_pdf, timeout=timeout)
    who = prepared.agency
    s = result.summary
    click.echo(f"{who.name} {year} 年：错误 {s['errors']}，警告 {s['warnings']}，无法判定 {s['uncertain']}")
    for path in (result.html, result.pdf, result.notebook, result.checks_json):
        if path:
            click.echo(f"  {path}")


@main.command(context_settings=CONTEXT)
@click.option("--year", "-y", "years", multiple=True, type=int, help="年度，可重复；默认全部有数据的年度。")
@click.option("--agency", "-a", "agencies", multiple=True, help="单位代码，可重复；默认名录中的全部单位。")
@click.option("--jobs", "-j", type=click.IntRange(1), default=None, help="并行的工作进程数；默认为 CPU 核数。")
@click.option("--timeout", type=click.IntRange(1), default=600, show_default=True, help="每份报告的时限（秒），超时即终止并记为失败。")
@click.option("--force", is_flag=True, help="输入未变的报告也重新渲染。")
@click.option("--strict", is_flag=True, help="有校验错误时返回 3。")
@click.option("--no-pdf", is_flag=True, help="只生成笔记本和 HTML。")
@click.option("--no-summary", is_flag=True, help="不生成各年度的汇总。")
@click.option("--scheduler", metavar="ADDRESS", help="Dask 调度器地址（如 tcp://10.0.0.5:8786），在集群上渲染；需安装 nianbao[dask]。")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条和汇总表，只显示失败。")
@click.option("--verbose", "-v", is_flag=True, help="每完成一份报告显示一行。")
@click.pass_context
def batch(
    ctx: click.Context, years: tuple[int, ...], agencies: tuple[str, ...], jobs: int | None, timeout: int, force: bool,
    strict: bool, no_pdf: bool, no_summary: bool, scheduler: str | None, quiet: bool, verbose: bool,
) -> None:
    """批量渲染：每个有数据的单位和年度（或所选的）一份报告，再加每年的汇总；输入未变的跳过。

    结果记入 outputs/ledger.json，审核索引在 outputs/index.html。返回 0：全部渲染成功；
    1：有报告渲染失败；3：加 --strict 且有校验错误；130：被 Ctrl-C 中断。

    \b
    示例：
      nianbao batch
      nianbao batch --year 2024 --jobs 4 --no-pdf
      nianbao batch -a shimen -a jiangbin --force --strict
      nianbao batch --scheduler tcp://10.0.0.5:8786
    """
    import time

    from tqdm import tqdm

    from . import batch as batch_

    bar = tqdm(total=0, unit="份", disable=True if quiet else None, dynamic_ncols=True, file=sys.stderr)
    counts = {"rendered": 0, "failed": 0, "skipped": 0}

    def on_record(record: dict) -> None:
        counts[record["batch_status"]] += 1
        bar.set_postfix_str(f"完成 {counts['rendered']}，失败 {counts['failed']}，跳过 {counts['skipped']}", refresh=False)
        bar.update()
        failed = record["batch_status"] == "failed"
        if verbose or failed:
            line = f"{_STATES[record['batch_status']]} {record['year']} {record['name']}（{record['duration']:.1f} 秒）"
            bar.write(line + (f"：{record['reason']}" if failed else ""), file=sys.stdout if not failed else sys.stderr)

    def on_plan(total: int) -> None:
        bar.reset(total=total)

    project = _project(ctx)
    started = time.monotonic()
    try:
        result = batch_.run(
            project, agencies=agencies, years=years, jobs=jobs, timeout=timeout, pdf=not no_pdf, force=force,
            summary=not no_summary, scheduler=scheduler, on_plan=on_plan, on_record=on_record,
            on_warning=lambda text: bar.write(f"警告：{text}", file=sys.stderr),
        )
    except KeyboardInterrupt:
        bar.close()
        click.echo("已中断：进行中的报告已停止，未写入半成品；已完成的记录在 outputs/ledger.json。", err=True)
        ctx.exit(130)
    bar.close()
    if not quiet:
        _batch_table(result.records)
        spent = time.monotonic() - started
        click.echo(f"共 {len(result.records)} 项，用时 {spent:.1f} 秒。审核索引：{project.outputs_dir / 'index.html'}")
    ctx.exit(result.exit_code(strict))


_STATES = {"rendered": "完成", "failed": "失败", "skipped": "跳过"}


def _batch_table(records: list[dict]) -> None:
    """Per year: reports rendered, skipped, failed, with check errors and warnings; then the total."""
    years = sorted({r["year"] for r in records})
    rows: list[tuple[object, ...]] = [("年度", "渲染", "跳过", "失败", "有错误", "有警告", "累计秒数")]
    for year in [*years, None]:
        mine = [r for r in records if r["kind"] == "report" and (year is None or r["year"] == year)]
        status = [r["batch_status"] for r in mine]
        flagged = [k for r in mine for k in ("errors", "warnings") if (r.get("checks") or {}).get(k)]
        spent = sum(r["duration"] for r in mine if r["batch_status"] != "skipped")
        rows.append((str(year or "合计"), status.count("rendered"), status.count("skipped"), status.count("failed"),
                     flagged.count("errors"), flagged.count("warnings"), f"{spent:.1f}"))
    for row in rows:
        click.echo("  ".join(f"{str(c):>6}" for c in row))


@main.command(context_settings=CONTEXT)
@agency_option
@year_option
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True, help="输出格式。")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="写入文件；默认输出到屏幕。")
@click.pass_context
def export(ctx: click.Context, agency: str, year: int, fmt: str, output: Path | None) -> None:
    """把报告中的每个数字导出为一条记录（表、行、列、值），便于 pandas、Excel 透视和比对。

    空白格导出为空值，“/”“—”照原样，无法确定的值为“?”。

    \b
    示例：
      nianbao export --agency yueyanglou --year 2024 --format csv > yueyanglou-2024.csv
      nianbao export -a yueyanglou -y 2024 --format json -o yueyanglou-2024.json
    """
    from .tables import records

    project = _project(ctx)
    from .report import validate

    data = validate(project, agency, year).data
    frame = records(data)
    if fmt == "csv":
        text = frame.to_csv(index=False, lineterminator="\n")
    else:
        rows = [{k: (None if v != v else v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        text = json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@main.command(context_settings=CONTEXT)
@agency_option
@year_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="工作簿路径；默认 data/<年度>/<单位>.xlsx。")
@click.option("--fill", is_flag=True, help="把该年度已有的数据填入模板（如从 YAML 转为 Excel）。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
@click.pass_context
def template(ctx: click.Context, agency: str, year: int, output: Path | None, fill: bool, force: bool) -> None:
    """生成按官方表格排版的 Excel 填报模板：标签已就位，数字格带有效性校验，另有叙述页。

    叙述中与表格重复的数字请写占位符，如 {{ 本年新收 }} 或 {{ B.new.total }}，渲染时由表格数据填入。

    \b
    示例：
      nianbao template --agency yueyanglou --year 2025
      nianbao template -a yueyanglou -y 2024 --fill -o yueyanglou-2024.xlsx
    """
    from .load import load_report
    from .template import write_template

    project = _project(ctx)
    who = find_agency(project, agency)
    data = load_report(project, agency, year) if fill else None
    path = output or project.data_dir / str(year) / f"{agency}.xlsx"
    if path.exists() and not force:
        raise click.ClickException(f"{path} 已存在；如要覆盖请加 --force")
    write_template(path, agency, who.name, year, data)
    click.echo(f"已生成 {path}")
    if not output and project.data_files(agency, year) != [path]:
        click.echo(f"注意：data/{year}/ 中已有 {agency}.yaml；两份数据并存时渲染会报错，填好 Excel 后请删去其中一份。")


@main.command(context_settings=CONTEXT)
@click.option("--agency", "-a", "agencies", multiple=True, help="单位代码，可重复；默认全部。")
@click.option("--year", "-y", "years", multiple=True, type=int, help="年度，可重复；默认全部。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--strict", is_flag=True, help="有警告也返回 1。")
@click.option("--verbose", "-v", is_flag=True, help="也列出跳过的规则及原因。")
@click.option("--jobs", "-j", type=click.IntRange(1), default=None, help="并行进程数；默认为 CPU 核数。")
@click.pass_context
def check(
    ctx: click.Context, agencies: tuple[str, ...], years: tuple[int, ...], fmt: str, strict: bool, verbose: bool,
    jobs: int | None,
) -> None:
    """不启动内核，按全部规则校验数据。

    返回 0：没有错误；1：有错误（加 --strict 时有警告也算）；2：用法错误。

    \b
    示例：
      nianbao check
      nianbao check --year 2024 --agency yueyanglou --format json
      nianbao check --strict
    """
    import functools
    import os

    from .report import Unreadable, check_all

    project = _project(ctx)
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
    from . import checks

    lines = [f"{report.agency.name}（{report.agency.id}）{report.data.year} 年：{checks.status_line(report.results)}"]
    for x in report.results:
        if x.is_open or x.status == checks.ACCEPTED or verbose and x.status == checks.SKIPPED:
            lines.append(f"  [{x.label}] {x.rule} {x.message}" + (f"（{x.note}）" if x.note else ""))
    return checks.summary(report.results), "\n".join(lines)


def _check_json(report, verbose: bool = False) -> tuple[dict[str, int], str]:
    """One agency-year's check results as a JSON object (made in a worker process)."""
    from . import checks

    payload = {
        "agency": report.agency.id,
        "name": report.agency.name,
        "year": report.data.year,
        "status": checks.status_line(report.results),
        "readable": True,
        "summary": checks.summary(report.results),
        "results": [
            {**vars(r), "cells": list(r.cells), "observed": _plain(r.observed), "expected": _plain(r.expected)}
            for r in report.results
        ],
    }
    return payload["summary"], json.dumps(payload, ensure_ascii=False, indent=1)


def _plain(value):
    return value if value is None or isinstance(value, (int, float, str, list)) else str(value)


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
    from . import checks, reviews
    from .report import prepare

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



# ---------------------------------------------------------------- reading published reports back


@main.command("import", context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--agency", "-a", help="单位代码；默认按标题中的单位名称在 params/agencies.yaml 中查找，查不到时用 agency-<名称的短哈希>。")
@click.option("--year", "-y", type=int, help="报告年度；默认取标题中的年度。")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="数据目录，写到 <目录>/<年度>/<单位>.yaml；默认项目的 data/。")
@click.option("--force", is_flag=True, help="覆盖已存在的数据文件。")
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], agency: str | None, year: int | None, out: Path | None,
            force: bool) -> None:
    """把已发布的年报（网页 .html/.htm、复制的文字 .txt 或 PDF）读回为数据文件。

    数字按官方标签的位置读入：位置无法确定的记为“?”并写明原因，按勾稽关系唯一确定的记为推算，逐格列出。

    已有的数据文件不会被覆盖（除非加 --force）。有文件导入失败时返回 1。

    \b
    示例：
      nianbao import 岳阳楼区2024年报.html --agency yueyanglou
      nianbao import hongze-2023.pdf hongze-2024.pdf --agency hongze --out /tmp/data
    """
    from .dump import write
    from .importer import agency_slug, read_report, registered, with_agency
    from .params import SLUG, load_registry

    if not files:
        raise click.UsageError("请给出要导入的文件，如 nianbao import 年报.html")
    if agency and not SLUG.match(agency):
        raise click.BadParameter("单位代码只用小写英文字母、数字、- 和 _，以字母开头", param_hint="--agency")
    project = _import_project(ctx, out)
    names = {a.id: a.name for a in load_registry(project).values()} if project else {}
    root = out or project.data_dir  # type: ignore[union-attr]
    written: set[Path] = set()
    failed = 0
    for file in files:
        try:
            imported = read_report(file, agency=agency, year=year)
            if not agency:
                imported = with_agency(imported, registered(imported.name, names) or agency_slug(imported.name))
            data = imported.data
            path = root / str(data.year) / f"{data.agency}.yaml"
            if path in written:
                raise ParamsError(f"本次导入中已有文件写到 {path}", file=file, hint="同一单位同一年度只能导入一份；请分开导入或用 --year 区分")
            write(data, path, force=force, comment=f"{imported.name} {data.year} 年政府信息公开工作年度报告的数据。\n"
                  f"由 nianbao import 从 {file.name} 导入；无法确定的值写作 \"?\"，原因见 provenance。")
            written.add(path)
        except NianbaoError as exc:
            click.echo(f"Error: {exc}", err=True)
            failed += 1
            continue
        click.echo(f"已导入 {file} → {path}")
        for line in imported.lines():
            click.echo(f"  {line}")
        if names and data.agency not in names:
            click.echo(f"  注意：单位代码 {data.agency} 不在 params/agencies.yaml 中；渲染前请登记，或用 --agency 指定已登记的代码")
    if failed:
        ctx.exit(1)


def _import_project(ctx: click.Context, out: Path | None) -> Project | None:
    try:
        return _project(ctx)
    except ParamsError:
        if out:
            return None
        raise ParamsError("找不到项目目录（params/agencies.yaml），不知道数据写到哪里", hint="请在项目目录中运行，或用 --out 指定数据目录") from None


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True, help="输出格式。")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="写入文件；默认输出到屏幕。")
@click.pass_context
def audit(ctx: click.Context, paths: tuple[Path, ...], fmt: str, output: Path | None) -> None:
    """审计已发布的年报：逐份导入，运行全部校验，输出“报告 × 规则”的问题表和无法读取的文件。

    目录中递归查找 .html .htm .txt .pdf。同一单位相邻两年的报告都在其中时，也做跨年度核对。

    有报告违反错误级规则或有文件无法读取时返回 1；用法错误返回 2。

    \b
    示例：
      nianbao audit 年报/
      nianbao audit 2023/ 2024/ --format csv -o 审计结果.csv
    """
    from .audit import WRITERS, report_files
    from .audit import audit as run

    if not paths:
        raise click.UsageError("请给出要审计的文件或目录，如 nianbao audit 年报/")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.UsageError(f"找不到 {'、'.join(missing)}")
    files = report_files(paths)
    if not files:
        raise click.UsageError("所给目录中没有可导入的文件（.html .htm .txt .pdf）")
    result = run(files)
    text = WRITERS[fmt](result)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    ctx.exit(result.exit_code)


if __name__ == "__main__":  # pragma: no cover
    main()
