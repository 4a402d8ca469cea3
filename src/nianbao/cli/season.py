"""`nianbao approve` and `nianbao release`: the sign-off bound to content, and the package for the web editors."""

from __future__ import annotations

from pathlib import Path

import click

from ..params import Project
from .group import CONTEXT, _project, agency_option, main, year_option


@main.command(context_settings=CONTEXT)
@agency_option
@year_option
@click.option("--by", required=True, help="审核人姓名。")
@click.option("--note", default="", help="审核意见（可选）。")
@click.option("--revoke", is_flag=True, help="撤回这份发布版的审核。")
@click.pass_context
def approve(ctx: click.Context, agency: str, year: int, by: str, note: str, revoke: bool) -> None:
    """审核通过发布版：记下审核人、时间和所审核内容的指纹（先 nianbao render）。

    记录保存在 params/<年度>/<单位>.approval.yaml；此后数据、叙述、名录或代码使发布版改变时，
    审核显示为“已审核，但内容已变”。有未处理的校验错误或“？”格时拒绝（可先用 nianbao accept 说明）。
    审核和撤回都追加记入 outputs/season-history.jsonl。

    \b
    示例：
      nianbao approve -a shimen -y 2024 --by 张三 --note "已核对原件"
      nianbao approve -a shimen -y 2024 --by 张三 --revoke
    """
    from .. import approval

    project = _project(ctx)
    if revoke:
        approval.revoke(project, agency, year, by, warn=lambda said: click.echo(f"警告：{said}", err=True))
        click.echo(f"已撤回 {agency} {year} 年发布版的审核（{approval.path(project, agency, year)}）")
        refresh_index(project)
        return
    done = approval.approve(project, agency, year, by, note, warn=lambda said: click.echo(f"警告：{said}", err=True))
    refresh_index(project)
    click.echo(f"已审核：{agency} {year} 年发布版，审核人 {done.by}，{done.at}")
    click.echo(f"  内容指纹 {done.fingerprint}")
    for name, sha in done.files.items():
        click.echo(f"  {name}  {sha}")
    if not any(name.endswith(".pdf") for name in done.files):
        click.echo("  （没有发布版 PDF：渲染时未排 PDF，审核不含 PDF）", err=True)


@main.command(context_settings=CONTEXT)
@year_option
@click.option("--out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="发布目录：新的、空的，或上次由 nianbao release 生成的目录。")
@click.pass_context
def release(ctx: click.Context, year: int, out: Path) -> None:
    """把一年中已审核且内容未变的发布版文件（PDF、Word、网页、片段）复制到发布目录，每个单位一个文件夹，
    附清单 manifest.csv（可用 Excel 打开）和 manifest.json（单位、文件、SHA-256、审核人、审核时间）。

    有“已审核，但内容已变”的单位时拒绝并列出；未审核的单位列出但不阻止。再次运行时只更新变了的文件。

    \b
    示例：
      nianbao release --year 2024 --out 发布/2024
    """
    from ..release import release as make

    project = _project(ctx)
    done = make(project, year, out)
    agencies = sorted({e["agency"] for e in done.entries})
    click.echo(f"{year} 年发布包 {out}：{len(agencies)} 个单位，{len(done.entries)} 个文件"
               + (f"；写入 {len(done.written)} 个、移除 {len(done.removed)} 个" if done.changed else "；没有变化"))
    if done.unapproved:
        click.echo("未审核（未放入）：" + "、".join(f"{name}（{a}）" for a, name in done.unapproved))
    without = sorted({e["agency"] for e in done.entries} - {e["agency"] for e in done.entries if e["file"].endswith(".pdf")})
    if without:
        click.echo("没有 PDF（审核时没有排版 PDF）：" + "、".join(without), err=True)
    gone = sorted({rel.split("/", 1)[0] for rel in done.removed if "/" in rel})
    if gone:
        click.echo("移出发布包（审核已撤回，或已不在名录中）：" + "、".join(gone))
    for said in done.warnings:
        click.echo(f"警告：{said}", err=True)
    refresh_index(project)


def refresh_index(project: Project) -> None:
    """The reviewers' index (``outputs/index.html``), where a batch wrote one, made again to show what changed."""
    from ..batch.ledger import LedgerDamaged, read_ledger
    from ..index import write
    from ..params import load_registry

    if not (project.outputs_dir / "index.html").is_file():
        return
    try:
        write(project, read_ledger(project), load_registry(project))
    except LedgerDamaged:  # the next batch sets it aside and writes the index
        pass
