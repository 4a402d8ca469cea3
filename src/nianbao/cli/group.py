"""The click group every command hangs on, its shared options, and the errors-to-messages rule."""

from __future__ import annotations

from pathlib import Path

import click

from .. import __version__
from ..errors import NianbaoError, os_error
from ..model import FIRST_YEAR, LAST_YEAR
from ..params import Project
from . import usage

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class Group(click.Group):
    """Turns the kit's own errors into one clear line instead of a traceback; its commands' help in Chinese."""

    context_class = usage.Context
    command_class = usage.Command

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # a command line typed wrong: said in Chinese
            raise usage.chinese(exc, ctx) from None
        except NianbaoError as exc:
            raise click.ClickException(str(exc)) from None
        except BrokenPipeError:  # the reader went away (``| head``): what it took was what it wanted
            _quiet_stdout()
            ctx.exit(141)  # as a shell reports a command ended by SIGPIPE
        except OSError as exc:  # the machine, not the kit: a folder without permission, a full disk
            raise click.ClickException(str(os_error(exc))) from None


def _quiet_stdout() -> None:
    """Point stdout at /dev/null, so that flushing it at exit raises no second BrokenPipeError."""
    import os
    import sys

    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):  # no file behind stdout (a test's runner): nothing will flush to a pipe
        pass


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


def _project(ctx: click.Context, rules: tuple[Path, ...] = ()) -> Project:
    """The project the command works in; with ``rules`` (``--rules``), those packs added to its own,
    every pack read and checked now, before any work starts.
    """
    project = Project.find(ctx.obj or ".")
    if not rules and not (project.params_dir / "rules").is_dir():
        return project
    from ..checks import packs

    project = Project(project.root, project.data_root, tuple(p.resolve() for p in rules))
    packs.load(project)
    return project


rules_option = click.option(
    "--rules", "rules", multiple=True, type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="另加一个规则包（YAML），可重复；params/rules/ 中的规则包总会用上。",
)


agency_option = click.option("--agency", "-a", required=True, help="单位代码，如 yueyanglou（见 params/agencies.yaml）。")
#: A report's year, as a data file may give it.
YEAR = click.IntRange(FIRST_YEAR, LAST_YEAR)
year_option = click.option("--year", "-y", required=True, type=YEAR, help="报告年度，如 2024。")
