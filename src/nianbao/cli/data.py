"""`nianbao export` and `nianbao template`: the data out as records, and the Excel template to fill."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..params import agency as find_agency
from .group import CONTEXT, _project, agency_option, main, year_option


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
    from ..tables import records

    project = _project(ctx)
    from ..report import validate

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
    from ..load import load_report
    from ..template import write_template

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
