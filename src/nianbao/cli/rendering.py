"""`nianbao render` and `nianbao batch`: reports made from the project's data."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .group import CONTEXT, YEAR, _project, agency_option, main, rules_option, year_option

if TYPE_CHECKING:
    from ..batch.tasks import Record


@main.command(context_settings=CONTEXT)
@agency_option
@year_option
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="输出目录；默认 outputs/<年度>/<单位>/。")
@click.option("--no-pdf", is_flag=True, help="不排版 PDF（两版都不排）；上次生成的 PDF 保留不删。")
@click.option("--timeout", type=int, default=600, show_default=True, help="单个代码格的执行时限（秒）。")
@rules_option
@click.pass_context
def render(ctx: click.Context, agency: str, year: int, out: Path | None, no_pdf: bool, timeout: int,
           rules: tuple[Path, ...]) -> None:
    """执行主笔记本，生成一个单位一个年度的报告：审核版（笔记本、HTML、PDF、校验结果）和发布版。

    发布版在 <输出目录>/publish/ 中：<单位>-<年度>.pdf、.docx、.html（整页，可按 A4 打印）和
    .fragment.html（HTML 片段，可直接粘贴到网站的文章编辑器）。

    \b
    示例：
      nianbao render --agency yueyanglou --year 2024
      nianbao render -a yueyanglou -y 2024 --out /tmp/report --no-pdf
    """
    from ..publish import report as publish
    from ..report import validate
    from ..run import Run

    project = _project(ctx, rules)
    prepared = validate(project, agency, year)  # every input read and checked, once, before the kernel starts
    run = Run(project, year, agency, out)
    result = publish(run, prepared, pdf=not no_pdf, timeout=timeout)
    if out is None:  # the project's own outputs: the season's board counts it as rendered
        from ..batch.ledger import note_render
        from ..run import Fingerprints, rests_on
        from .season import refresh_index

        note_render(run, result.summary, prepared.agency.name, result.pending,
                    rests_on(run, {agency: prepared.agency}, Fingerprints()))  # its entry, as read once above
        refresh_index(project)
    who = prepared.agency
    s = result.summary
    click.echo(f"{who.name} {year} 年：错误 {s['errors']}，警告 {s['warnings']}，无法判定 {s['uncertain']}")
    click.echo("审核版：")
    for path in (result.html, result.pdf, result.notebook, result.checks_json):
        if path:
            click.echo(f"  {path}")
    click.echo("发布版：")
    for path in result.publication.values():
        click.echo(f"  {path}")
    if result.kept:
        click.echo(f"  （本次未生成 PDF；保留了上次生成的 {'、'.join(_KEPT[k] for k in result.kept)}，其内容可能已过时）")
    if result.pending:
        click.echo(f"注意：{'；'.join(result.pending)}。发布版已照常生成，发布前请先处理。", err=True)


@main.command(context_settings=CONTEXT)
@click.option("--year", "-y", "years", multiple=True, type=YEAR, help="年度，可重复；默认全部有数据的年度。")
@click.option("--agency", "-a", "agencies", multiple=True, help="单位代码，可重复；默认名录中的全部单位。")
@click.option("--jobs", "-j", type=click.IntRange(1), default=None, help="并行的工作进程数；默认为 CPU 核数。")
@click.option("--timeout", type=click.IntRange(1), default=600, show_default=True, help="每份报告的时限（秒），超时即终止并记为失败。")
@click.option("--force", is_flag=True, help="输入未变的报告也重新渲染。")
@click.option("--strict", is_flag=True, help="有校验错误时返回 3。")
@click.option("--no-pdf", is_flag=True, help="不排版 PDF；上次生成的 PDF 保留不删。")
@click.option("--no-summary", is_flag=True, help="不生成各年度的汇总。")
@click.option("--scheduler", metavar="ADDRESS", help="Dask 调度器地址（如 tcp://10.0.0.5:8786），在集群上渲染；需安装 nianbao[dask]。")
@click.option("--quiet", "-q", is_flag=True, help="不显示进度条和汇总表，只显示失败。")
@click.option("--verbose", "-v", is_flag=True, help="每完成一份报告显示一行。")
@rules_option
@click.pass_context
def batch(
    ctx: click.Context, years: tuple[int, ...], agencies: tuple[str, ...], jobs: int | None, timeout: int, force: bool,
    strict: bool, no_pdf: bool, no_summary: bool, scheduler: str | None, quiet: bool, verbose: bool,
    rules: tuple[Path, ...],
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

    from .. import batch as batch_

    bar = tqdm(total=0, unit="份", disable=True if quiet else None, dynamic_ncols=True, file=sys.stderr)
    counts = {"rendered": 0, "failed": 0, "skipped": 0}

    def on_record(record: Record) -> None:
        counts[record["batch_status"]] += 1
        bar.set_postfix_str(f"完成 {counts['rendered']}，失败 {counts['failed']}，跳过 {counts['skipped']}", refresh=False)
        bar.update()
        failed = record["batch_status"] == "failed"
        if verbose or failed:
            line = f"{_STATES[record['batch_status']]} {record['year']} {record['name']}（{record['duration']:.1f} 秒）"
            bar.write(line + (f"：{record['reason']}" if failed else ""), file=sys.stdout if not failed else sys.stderr)

    def on_plan(total: int) -> None:
        bar.reset(total=total)

    project = _project(ctx, rules)
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
    pending = [r for r in result.records if r.get("pending") and r["status"] == "rendered"]
    if pending:
        click.echo(f"发布前待处理 {len(pending)} 份（发布版已照常生成）：", err=True)
        for r in pending:
            click.echo(f"  {r['year']} {r['name']}：{'；'.join(r['pending'])}", err=True)
    ctx.exit(result.exit_code(strict))


_STATES = {"rendered": "完成", "failed": "失败", "skipped": "跳过"}
_KEPT = {"pdf": "审核版 PDF", "publish_pdf": "发布版 PDF"}


def _batch_table(records: list[Record]) -> None:
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
