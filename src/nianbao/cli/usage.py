"""A command line typed wrong, said in Chinese: click's usage errors (an option missing or unknown, a
value that is not a number, a path that is not there) rewritten as the kit's other messages read, the
option named as it was typed. What is not known here passes through as click words it.
"""

from __future__ import annotations

import re
import sys
from typing import IO, Any

import click
from click import exceptions

#: What click's parameter types say of a value, as the reader is told it.
_VALUES = (
    (re.compile(r"'(.*)' is not a valid integer(?: range)?\.", re.S), "“{0}”不是整数"),
    (re.compile(r"'(.*)' is not a valid float(?: range)?\.", re.S), "“{0}”不是数字"),
    (re.compile(r"'(.*)' is not a valid boolean\.", re.S), "“{0}”不是“是”或“否”（可写 true、false）"),
    (re.compile(r"(.*) is not in the range (.*)\.", re.S), "{0} 不在允许的范围 {1} 内"),
    (re.compile(r"(?:Path|File|Directory) '(.*)' does not exist\.", re.S), "“{0}”不存在"),
    (re.compile(r"(?:Path|File) '(.*)' is a directory\.", re.S), "“{0}”是目录，这里要一个文件"),
    (re.compile(r"(?:Path|Directory) '(.*)' is a file\.", re.S), "“{0}”是文件，这里要一个目录"),
    (re.compile(r"(?:Path|File|Directory) '(.*)' is not readable\.", re.S), "“{0}”没有读取权限"),
    (re.compile(r"(?:Path|File|Directory) '(.*)' is not writable\.", re.S), "“{0}”没有写入权限"),
    (re.compile(r"'(.*)' is not one of (.*)\.", re.S), "“{0}”不是可选的值之一：{1}"),
    (re.compile(r"'(.*)' is not '(.*)'\.", re.S), "只能是“{1}”，不能是“{0}”"),
)
_EXTRA = re.compile(r"Got unexpected extra arguments? \((.*)\)", re.S)
_COMMAND = re.compile(r"No such command '(.*)'\.", re.S)


class Usage(click.UsageError):
    """A usage error shown as click shows one, its pointer to the help in Chinese."""

    def show(self, file: IO[Any] | None = None) -> None:
        out = file or sys.stderr
        if self.ctx is not None:
            options = self.ctx.help_option_names
            hint = f"用 {self.ctx.command_path} {options[0]} 查看用法。\n" if options else ""
            click.echo(f"{self.ctx.get_usage()}\n{hint}", file=out, color=self.ctx.color)
        click.echo(f"Error: {self.format_message()}", file=out)


def chinese(error: click.UsageError, around: click.Context | None = None) -> click.UsageError:
    """``error`` worded in Chinese, as the same kind of error (its exit code unchanged); ``around``, the
    command group's context, stands in for one the error lacks.
    """
    ctx = error.ctx or around
    if isinstance(error, exceptions.MissingParameter) and error.param is not None:
        what = "参数" if error.param.param_type_name == "argument" else "选项"
        return Usage(f"缺少{what} {_names(error.param, ctx)}", ctx)
    if isinstance(error, exceptions.NoSuchOption):
        near = f"（是不是 {'、'.join(error.possibilities)}？）" if error.possibilities else ""
        return Usage(f"没有选项 {error.option_name}{near}", ctx)
    if isinstance(error, exceptions.BadOptionUsage) and error.message.endswith("requires an argument."):
        return Usage(f"选项 {error.option_name} 后面要写一个值", ctx)
    if isinstance(error, exceptions.BadParameter) and error.param is not None:
        return Usage(f"{_names(error.param, ctx)} 的值不对：{_value(error.message)}", ctx)
    if extra := _EXTRA.fullmatch(error.message):
        return Usage(f"多出了参数 {extra.group(1)}；有空格的值请加引号", ctx)
    if command := _COMMAND.fullmatch(error.message):
        return Usage(f"没有命令 {command.group(1)}；nianbao -h 列出全部命令", ctx)
    return Usage(error.message, ctx)


def _names(param: click.Parameter, ctx: click.Context | None) -> str:
    if isinstance(param, click.Option):
        return " / ".join(param.opts + param.secondary_opts)
    return param.get_error_hint(ctx) if ctx else str(param.name)


def _value(message: str) -> str:
    for pattern, said in _VALUES:
        if found := pattern.fullmatch(message.strip()):
            return said.format(*found.groups())
    return message


__all__ = ["chinese"]
