"""`nianbao export` and `nianbao template`: the data out as records, and the Excel template to fill."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from ..params import agency as find_agency
from .group import CONTEXT, _project, agency_option, main, rules_option, year_option


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
        from ..characters import csv_text

        text = csv_text(frame)
    else:
        rows = [{k: (None if v != v else v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
        text = json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


@main.command(context_settings=CONTEXT)
@click.option("--agency", "-a", help="单位代码，如 yueyanglou（见 params/agencies.yaml）；与 --all 二选一。")
@click.option("--all", "every", is_flag=True, help="为单位名录中的每个单位各生成一份，发给各单位填报。")
@year_option
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="工作簿路径；默认 data/<年度>/<单位>.xlsx。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="与 --all 同用：模板放在这个目录；默认 outputs/templates/<年度>/。")
@click.option("--fill", is_flag=True, help="把该年度已有的数据填入模板（如从 YAML 转为 Excel）。")
@click.option("--force", is_flag=True, help="覆盖已存在的文件。")
@rules_option
@click.pass_context
def template(ctx: click.Context, agency: str | None, every: bool, year: int, output: Path | None, out_dir: Path | None,
             fill: bool, force: bool, rules: tuple[Path, ...]) -> None:
    """生成按官方表格排版的 Excel 填报模板：标签已就位，数字格带有效性校验，表三、表四边上有随填随算的勾稽核对格，
    另有叙述页；按 A4 打印，每张表一页。

    有上年数据时，表三“二、上年结转”取上年“四、结转下年度继续办理”（锁定，批注注明出处），表二现行有效件数旁
    提示上年件数。单位代码、名称和年度写在“说明”页并锁定，文件改名后 nianbao collect 仍能认出。

    叙述中与表格重复的数字请写占位符，如 {{ 本年新收 }} 或 {{ B.new.total }}，渲染时由表格数据填入。

    \b
    示例：
      nianbao template --agency yueyanglou --year 2025
      nianbao template --year 2025 --all --out 发各单位/
      nianbao template -a yueyanglou -y 2024 --fill -o yueyanglou-2024.xlsx
    """
    from ..params import load_registry

    project = _project(ctx, rules)
    if bool(agency) == every:
        raise click.UsageError("--agency 和 --all 只能用一个" if every else "请给出 --agency 单位代码，或用 --all 为名录中的每个单位生成")
    if every and (output or fill):
        raise click.UsageError("--all 与 --output、--fill 不能同用；用 --out 指定目录")
    if agency and out_dir:
        raise click.UsageError("--out 与 --all 同用；单个单位请用 --output 指定文件")
    asked = _asked(project, year)
    if agency:
        find_agency(project, agency)
        _one_template(project, agency, year, output or project.data_dir / str(year) / f"{agency}.xlsx", fill, force,
                      default_place=not output, asked=asked)
        return
    folder = out_dir or project.outputs_dir / "templates" / str(year)
    registry = load_registry(project)
    paths = {a: folder / template_name(year, a, who.name) for a, who in registry.items()}
    there = [p for p in paths.values() if p.exists()]
    if there and not force:
        shown = "、".join(p.name for p in there[:3]) + ("等" if len(there) > 3 else "")
        raise click.ClickException(f"{folder} 中已有 {len(there)} 份同名模板（{shown}）；如要覆盖请加 --force")
    for agency_id, path in paths.items():
        note = _one_template(project, agency_id, year, path, fill=False, force=True, quiet=True, asked=asked)
        if not path.name.endswith(f"-{registry[agency_id].name}.xlsx"):
            note += "；文件名中的全称已截短或替换了文件名不能用的字符（“说明”页中是全称）"
        click.echo(f"{path}  {note}")
    from ..season import record_sent

    record_sent(project, year, paths)  # the season board's 模板已发
    click.echo(f"已为 {len(paths)} 个单位生成 {year} 年模板：{folder}")
    click.echo(f"各单位填好交回后：nianbao collect <交回的文件夹> --year {year}")


def template_name(year: int, agency: str, name: str) -> str:
    """``<year>-<id>-<name>.xlsx``, safe on Windows, macOS and Linux: a long name is shortened, the year
    and id kept whole (collect knows a workbook by its 说明 sheet, not by its file name).
    """
    from ..filenames import safe_name

    return safe_name(name, before=f"{year}-{agency}-", after=".xlsx")


def _asked(project, year: int) -> tuple[dict[str, list[str]], tuple]:
    """What the rule packs that apply to ``year`` ask of each narrative section, and those packs (already
    read and checked by ``_project``): the 叙述 sheet shows it beside each section.
    """
    from ..checks import packs

    applying = tuple(p for p in packs.load(project) if p.applies(year))
    return packs.guidance(applying, year), applying


def _one_template(project, agency: str, year: int, path: Path, fill: bool, force: bool, quiet: bool = False,
                  default_place: bool = False, asked: tuple[dict[str, list[str]], tuple] = ({}, ())) -> str:
    """One agency's template; says what it took from last year, and shows what the packs ``asked``."""
    from ..atomic import write_file
    from ..errors import NianbaoError
    from ..load import load_report
    from ..template import write_template

    who = find_agency(project, agency)
    if path.suffix.lower() != ".xlsx":
        raise click.UsageError(f"模板是 Excel 工作簿，文件名应以 .xlsx 结尾：{path}")
    others = [p for p in project.data_files(agency, year) if p != path]
    if default_place and others:  # a second data file beside it: every command would refuse the agency-year
        raise click.ClickException(
            f"{others[0]} 已存在；模板放进 data/ 会使 {agency} {year} 年有两份数据（检查和渲染都会拒绝）。"
            f"请用 -o 指定模板的位置（如 -o {agency}-{year}.xlsx；加 --fill 预填现有数据），填好后放回 data/ 并删去原文件")
    data = load_report(project, agency, year) if fill else None
    if path.exists() and not force:
        raise click.ClickException(f"{path} 已存在；如要覆盖请加 --force")
    previous, source, note = None, "", f"无 {year - 1} 年数据：表三“二、上年结转”需要填写"
    last = project.data_files(agency, year - 1)
    if last:
        try:
            previous = load_report(project, agency, year - 1)
            source = str(last[0].relative_to(project.root)) if last[0].is_relative_to(project.root) else str(last[0])
            note = f"上年结转取自 {source}"
        except NianbaoError as exc:
            note = f"{year - 1} 年数据有误，未预填上年结转：{' '.join(str(exc).split())}"
    guidance, packs = asked
    write_file(path, lambda tmp: write_template(tmp, agency, who.name, year, data, previous, source, guidance, packs))
    if not quiet:
        click.echo(f"已生成 {path}（{note}）")
    return note


@main.command(context_settings=CONTEXT)
@click.argument("folders", nargs=-1, type=click.Path(exists=True, path_type=Path))
@year_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@click.option("--dry-run", is_flag=True, help="只核对、列出结果，不放入 data/。")
@click.pass_context
def collect(ctx: click.Context, folders: tuple[Path, ...], year: int, fmt: str, dry_run: bool) -> None:
    """收回各单位填好的工作簿：按工作簿“说明”页中的单位和年度认出每一份（文件名随意，子目录也找），
    逐格核对，把无误的放入 data/<年度>/<单位代码>.xlsx。

    data 中已有不同的文件时，原文件移至 data/<年度>/replaced/ 并列出，不会悄悄覆盖。列出四类：已交回、无误；
    已交回、有错误（每个错误格写明 工作表!单元格、值和改法）；名录中未交回的单位；无法识别的文件。

    返回 0：每个单位都交回了无误的工作簿；1：有错误、未交回或无法识别的文件；2：用法错误。

    \b
    示例：
      nianbao collect 回收/ --year 2025
      nianbao collect 邮件附件/ 网盘下载/ --year 2025 --format json
    """
    from ..collect import collect as collect_all
    from ..collect import to_json, to_text

    if not folders:
        raise click.UsageError("请给出交回的工作簿所在的文件夹，如 nianbao collect 回收/ --year 2025")
    project = _project(ctx)
    result = collect_all(project, folders, year, take=not dry_run)
    click.echo(to_json(result) if fmt == "json" else to_text(result), nl=False)
    ctx.exit(result.exit_code)
