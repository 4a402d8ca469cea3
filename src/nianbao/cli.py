"""The ``nianbao`` command line. Known errors become ``Error: …`` and exit code 1; usage errors 2."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import NianbaoError, ParamsError
from .params import Project, agency as find_agency, read_run_params

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Group(click.Group):
    """Turns the kit's own errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except NianbaoError as exc:
            raise click.ClickException(str(exc)) from None


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


def _load(project: Project, agency: str, year: int):
    """Validate everything a run needs, before any kernel starts."""
    from .load import load_history, load_report

    who = find_agency(project, agency)
    params_file = project.params_file(agency, year)
    if params_file.is_file():
        params = read_run_params(params_file)
        if (params["agency"], params["year"]) != (agency, year):
            raise ParamsError(
                f"参数文件写的是 {params['agency']} {params['year']} 年", file=params_file, hint="请核对 agency 和 year"
            )
    data = load_report(project, agency, year)
    load_history(project, agency, year)
    return who, data


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
    from .render import render as run

    project = _project(ctx)
    who, data = _load(project, agency, year)
    result = run(project, who, data, out, pdf=not no_pdf, timeout=timeout)
    s = result.summary
    click.echo(f"{who.name} {year} 年：错误 {s['errors']}，警告 {s['warnings']}，无法判定 {s['uncertain']}")
    for path in (result.html, result.pdf, result.notebook, result.checks_json):
        if path:
            click.echo(f"  {path}")


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
    _, data = _load(project, agency, year)
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
@click.option("--strict", is_flag=True, help="有警告也返回非零。")
@click.pass_context
def check(ctx: click.Context, agencies: tuple[str, ...], years: tuple[int, ...], fmt: str, strict: bool) -> None:
    """不启动内核，校验数据：有错误时返回 1。

    \b
    示例：
      nianbao check
      nianbao check --year 2024 --agency yueyanglou --format json
    """
    from . import checks
    from .load import load_report
    from .narrative import filled
    from .params import load_registry

    project = _project(ctx)
    registry = load_registry(project)
    for a in agencies:
        find_agency(project, a)
    runs = []
    for agency in agencies or sorted(registry):
        for year in project.years_with_data(agency):
            if years and year not in years:
                continue
            data = load_report(project, agency, year)
            runs.append((agency, year, checks.run(data, filled(data))))
    errors = sum(checks.summary(r)["errors"] for *_, r in runs)
    warnings = sum(checks.summary(r)["warnings"] for *_, r in runs)
    if fmt == "json":
        payload = [
            {"agency": a, "year": y, "summary": checks.summary(r), "results": [vars(x) | {"cells": list(x.cells)} for x in r]}
            for a, y, r in runs
        ]
        click.echo(json.dumps(payload, ensure_ascii=False, indent=1, default=str))
    else:
        for a, y, r in runs:
            click.echo(f"{registry[a].name}（{a}）{y} 年：{checks.status_line(r)}")
            for x in r:
                if not x.passed and x.status != checks.SKIPPED:
                    label = checks.SEVERITY_NAMES[x.severity] if x.status == checks.FAILED else checks.STATUS_NAMES[x.status]
                    click.echo(f"  [{label}] {x.rule} {x.message}")
        click.echo(f"共 {len(runs)} 份报告：错误 {errors}，警告 {warnings}")
    if errors or (strict and warnings):
        ctx.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()
