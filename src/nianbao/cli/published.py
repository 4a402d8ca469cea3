"""`nianbao import` and `nianbao audit`: published reports read back and checked."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import NianbaoError, ParamsError
from ..params import Project
from .group import CONTEXT, YEAR, _project, main


@main.command("import", context_settings=CONTEXT)
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--agency", "-a", help="单位代码；默认按标题中的单位名称在 params/agencies.yaml 中查找，查不到时用 agency-<名称的短哈希>。")
@click.option("--year", "-y", type=YEAR, help="报告年度；默认取标题中的年度。")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="数据目录，写到 <目录>/<年度>/<单位>.yaml；默认项目的 data/。")
@click.option("--force", is_flag=True, help="覆盖已存在的数据文件。")
@click.option("--jobs", "-j", type=click.IntRange(1), default=None, help="扫描件同时识别的页数；默认为 CPU 核数。")
@click.pass_context
def import_(ctx: click.Context, files: tuple[Path, ...], agency: str | None, year: int | None, out: Path | None,
            force: bool, jobs: int | None) -> None:
    """把已发布的年报（网页 .html/.htm、复制的文字 .txt、PDF、Word .docx 或 .doc、WPS .wps、RTF、.odt，或扫描件的 PDF 与图片 .png/.jpg）读回为数据文件。

    数字按官方标签的位置读入：位置无法确定的记为“?”并写明原因，按勾稽关系唯一确定的记为推算，逐格列出。
    扫描件按文字识别读取：识别不确定的数字按勾稽关系确定（记为推算）或记为“?”，并写明读作什么。
    一份报告逐页拍成的照片放在一个目录中，给出目录：各页按文件名的顺序（第2页 在 第10页 之前）读作一份报告。
    .doc、.wps、.rtf、.odt 经无头 LibreOffice 转成 .docx 再读（未安装时提示安装命令）。

    已有的数据文件不会被覆盖（除非加 --force）。有文件导入失败时返回 1。

    \b
    示例：
      nianbao import 岳阳楼区2024年报.html --agency yueyanglou
      nianbao import hongze-2023.pdf hongze-2024.pdf --agency hongze --out /tmp/data
      nianbao import 洪泽区2024年报照片/ --agency hongze
    """
    from ..dump import write
    from ..importer import agency_slug, read_report, registered, with_agency
    from ..params import SLUG, load_registry

    if not files:
        raise click.UsageError("请给出要导入的文件，如 nianbao import 年报.html")
    if agency and not SLUG.match(agency):
        raise click.BadParameter("单位代码只用小写英文字母、数字、- 和 _，以字母开头，最长 64 个字符", param_hint="--agency")
    project = _import_project(ctx, out)
    names = {a.id: a.name for a in load_registry(project).values()} if project else {}
    root = out or project.data_dir  # type: ignore[union-attr]
    written: set[Path] = set()
    failed = 0
    for file in files:
        try:
            imported = read_report(file, agency=agency, year=year, jobs=jobs or os.cpu_count() or 1)
            misread = ""
            if not agency:
                found = registered(imported.name, names)
                if found is None and (found := registered(imported.name, names, misread=imported.scanned)):
                    misread = f"标题中的单位名称读作“{imported.name}”，与名录中 {found}（{names[found]}）只差一两个字，按它导入；请对照原件"
                imported = with_agency(imported, found or agency_slug(imported.name))
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
        for line in ([misread] if misread else []) + list(imported.lines()):
            click.echo(f"  {line}")
        if names and data.agency not in names:
            click.echo(f"  注意：单位代码 {data.agency} 不在 params/agencies.yaml 中；渲染前请登记，或用 --agency 指定已登记的代码")
    if failed:
        ctx.exit(1)


def _registry_names(ctx: click.Context) -> dict[str, str] | None:
    """Agency id → full name from the project (``--project``, or the folder run in); None outside any project."""
    from ..params import load_registry

    try:
        project = _project(ctx)
    except ParamsError:
        return None
    return {k: who.name for k, who in load_registry(project).items()}


def _import_project(ctx: click.Context, out: Path | None) -> Project | None:
    try:
        return _project(ctx)
    except ParamsError:
        if out:
            return None
        raise ParamsError("找不到项目目录（params/agencies.yaml），不知道数据写到哪里", hint="请在项目目录中运行，或用 --out 指定数据目录") from None


@main.command(context_settings=CONTEXT)
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "csv", "html"]), default="text", show_default=True,
              help="输出格式；html 为一个可离线打开、可排序筛选的审计结果页面。")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="写入文件；默认输出到屏幕。")
@click.option("--jobs", "-j", type=click.IntRange(1), default=None, help="并行的工作进程数；默认为 CPU 核数。")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask 调度器地址（如 tcp://10.0.0.5:8786），在集群上审计；各工作机须能按同样的路径读到文件。")
@click.option("--manifest", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="清单 CSV（file,agency,year）：文件中读不出单位或年度时，按清单取。")
@click.option("--rules", "rules", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="按这个规则包另加的规则审计（如评估机构的评分要点），可重复；项目 params/rules/ 中的不用。")
@click.pass_context
def audit(ctx: click.Context, paths: tuple[Path, ...], fmt: str, output: Path | None, jobs: int | None,
          scheduler: str | None, manifest: Path | None, rules: tuple[Path, ...]) -> None:
    """审计已发布的年报：逐份导入，运行全部校验，输出“报告 × 规则”的问题表和无法读取的文件。

    目录中递归查找 .html .htm .txt .pdf .docx，以及扫描件的图片 .png .jpg（每个图片文件算一份报告）。同一单位相邻两年的报告都在其中时，也做跨年度核对。
    每份报告的单位和年度取自其标题，并注明读自何处；文件中没有的，用 --manifest 清单给出。

    有报告违反错误级规则或有文件无法读取时返回 1；用法错误返回 2。

    \b
    示例：
      nianbao audit 年报/
      nianbao audit 2023/ 2024/ --format csv -o 审计结果.csv
      nianbao audit 年报/ --format html -o 审计结果.html --manifest 清单.csv
      nianbao audit 年报/ --rules params/rules/evaluators/pingjia-2025.yaml
    """
    from ..audit import audit as run
    from ..audit import read_manifest, report_files
    from ..audit_tables import WRITERS

    if not paths:
        raise click.UsageError("请给出要审计的文件或目录，如 nianbao audit 年报/")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise click.UsageError(f"找不到 {'、'.join(missing)}")
    from ..checks import packs

    chosen = packs.read_all(rules)  # every pack read and checked before any report is
    files = report_files(paths)
    if not files:
        raise click.UsageError("所给目录中没有可导入的文件（.html .htm .txt .pdf .docx .png .jpg）")
    from tqdm import tqdm

    with tqdm(total=len(files), unit="份", file=sys.stderr, dynamic_ncols=True, leave=False, disable=None) as bar:
        result = run([p.resolve() for p in files] if scheduler else files, read_manifest(manifest) if manifest else None,
                     on_file=lambda _: bar.update(), jobs=jobs or os.cpu_count() or 1, scheduler=scheduler,
                     packs=chosen)
    if fmt == "html":
        from ..audit_page import to_html

        text = to_html(result)
    else:
        text = WRITERS[fmt](result)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    ctx.exit(result.exit_code)


@main.command("compare", context_settings=CONTEXT)
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@click.pass_context
def compare_(ctx: click.Context, a: Path, b: Path, fmt: str) -> None:
    """逐格、逐部分比较两份报告：数据文件（.yaml/.xlsx）或已发布的报告（.html/.pdf/.docx/.txt，扫描件的 .pdf/.png/.jpg，
    或逐页照片所在的目录）。

    列出每一个值不同的格（空白、0、“/”和“?”各不相同）和每一部分文字不同的叙述。单位或年度不同的两份报告
    不算相同：数据文件的单位代码按项目的 params/agencies.yaml 对应到全称，已发布的报告按标题中的单位名称；
    标题中没有单位名称、单位代码不在名录中时，写明“无法确定 A/B 的单位”，也算不同。
    返回 0：两者相同；1：有不同；2：用法错误或文件无法读取。

    \b
    示例：
      nianbao compare data/2024/shimen.yaml outputs/2024/shimen/publish/shimen-2024.pdf
      nianbao compare 已发布的年报.docx data/2024/yueyanglou.yaml --format json
    """
    import json

    from ..compare import as_dict, compare, lines, read

    sides = []
    for path in (a, b):
        if not path.exists():
            raise click.UsageError(f"找不到文件 {path}")
    try:
        names = _registry_names(ctx)
        for path in (a, b):
            sides.append(read(path, names))
    except NianbaoError as exc:
        click.echo(f"Error: {exc}", err=True)
        ctx.exit(2)
    result = compare(*sides)
    if fmt == "json":
        click.echo(json.dumps(as_dict(result), ensure_ascii=False, indent=1, default=str))
    else:
        for line in lines(result):
            click.echo(line)
    ctx.exit(0 if result.identical else 1)
