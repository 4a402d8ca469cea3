"""`nianbao status`: the season board — every agency of the registry, its stage, and the deadline."""

from __future__ import annotations

import datetime as dt

import click

from .group import CONTEXT, _project, main, year_option


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} 不是日期；请写成 YYYY-MM-DD，如 2026-01-31") from None


@main.command(context_settings=CONTEXT)
@year_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="输出格式。")
@click.option("--deadline", callback=_date, metavar="YYYY-MM-DD",
              help="截止日期；默认取 params/season.yaml 中该年度的，没有时为次年 1 月 31 日。")
@click.option("--today", callback=_date, metavar="YYYY-MM-DD", help="按这一天计算剩余天数和逾期；默认今天。")
@click.pass_context
def status(ctx: click.Context, year: int, fmt: str, deadline: dt.date | None, today: dt.date | None) -> None:
    """本年度进度：名录中每个单位走到了哪一步——未发模板、模板已发未交回、已交回、渲染后数据有改动而未重新渲染、渲染失败、校验有错误（及条数）、
    已渲染但发布前待处理、待审核、已审核（审核人、时间）、已审核但内容已变、已发布——以及距截止日期的天数和逾期的单位。

    同样的表也在审核索引 outputs/index.html 的“本年度进度”一节中，可排序、按阶段筛选。

    \b
    示例：
      nianbao status --year 2025
      nianbao status --year 2025 --format json
      nianbao status -y 2025 --deadline 2026-02-06 --today 2026-02-01
    """
    from ..batch.ledger import read_ledger
    from ..params import load_registry
    from ..season import board, check_deadline, to_json, to_text

    project = _project(ctx)
    due = check_deadline(deadline, year, key="--deadline") if deadline else None
    found = board(project, year, read_ledger(project), load_registry(project), due=due, today=today)
    click.echo(to_json(found) if fmt == "json" else to_text(found), nl=False)
