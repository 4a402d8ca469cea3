"""The command line in Chinese: click's usage errors (an option missing or unknown, a value that is not
a number, a path that is not there) rewritten as the kit's other messages read, the option named as it
was typed; and the help pages' headings, value kinds and notes ([required], [default: …]). What is not
known here passes through as click words it.
"""

from __future__ import annotations

import re
import sys
import unicodedata
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


#: The help pages' words, as click writes them and as the reader is told them.
_HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
_HELP_TEXTS = {"Show this message and exit.": "显示本帮助并退出。", "Show the version and exit.": "显示版本号并退出。"}
_METAVARS = (("INTEGER RANGE", "整数"), ("FLOAT RANGE", "数"), ("INTEGER", "整数"), ("FLOAT", "数"), ("TEXT", "文字"),
             ("DIRECTORY", "目录"), ("FILENAME", "文件"), ("FILE", "文件"), ("PATH", "路径"), ("ADDRESS", "地址"))
_NOTES = (("required", "必填"), ("default: ", "默认："))
_NOTE = re.compile(r"\s*\[([^\[\]]*)\]$")


class Formatter(click.HelpFormatter):
    """Help pages with Chinese headings and notes."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def section(self, name: str):
        return super().section(_HEADINGS.get(name, name))

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(self, rows, col_max: int = 30, col_spacing: int = 2) -> None:
        """Click's two columns, measured as a terminal shows them (a Chinese character two columns wide)."""
        rows = [(_kinds(term), _notes(_HELP_TEXTS.get(text, text))) for term, text in rows]
        first = min(max((_width(term) for term, _ in rows), default=0), col_max) + col_spacing
        indent = " " * self.current_indent
        for term, text in rows:
            self.write(indent + term)
            if _width(term) <= first - col_spacing:
                self.write(" " * (first - _width(term)))
            else:
                self.write("\n" + indent + " " * first)
            lines = _wrap(text, max(self.width - first - 2 - self.current_indent, 10)) or [""]
            self.write("\n".join([lines[0], *(indent + " " * first + line for line in lines[1:])]) + "\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


#: What a line may not be broken inside: a run of Latin letters, digits and the marks between them.
_UNBROKEN = re.compile(r"[A-Za-z0-9_./<>\-\[\]|=:@%+#*'\"]+|\s+|.")


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` terminal columns, broken between Chinese characters or at spaces."""
    lines, line = [], ""
    for token in _UNBROKEN.findall(" ".join(text.split())):
        if line.strip() and _width(line + token) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    return [*lines, line.rstrip()] if line.strip() else lines


def _kinds(term: str) -> str:
    for english, chinese_ in _METAVARS:
        term = re.sub(rf"(?<![A-Za-z_-]){english}(?![A-Za-z_-])", chinese_, term)
    return term


def _notes(text: str) -> str:
    note = _NOTE.search(text)
    if not note:
        return text
    said = note.group(1)
    for english, chinese_ in _NOTES:
        said = said.replace(english, chinese_)
    return text[:note.start()] + f"  ［{said.replace('; ', '；')}］"


class Context(click.Context):
    formatter_class = Formatter


class Command(click.Command):
    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        """The help's first sentence (click cuts at a space, which Chinese has none of)."""
        if self.short_help:
            return self.short_help
        first = "".join(line.strip() for line in (self.help or "").strip().split("\n\n")[0].splitlines())
        first = re.sub(r"（[^（）]*）", "", first).split("。")[0].split("：")[0]
        while len(first) > limit and "，" in first:
            first = first.rsplit("，", 1)[0]
        return first[:limit]


def chinese(error: click.UsageError, around: click.Context | None = None) -> click.UsageError:
    """``error`` worded in Chinese, as the same kind of error (its exit code unchanged); ``around``, the
    command group's context, stands in for one the error lacks.
    """
    ctx = error.ctx or around
    if isinstance(error, exceptions.MissingParameter) and error.param is not None:
        what = "参数" if error.param.param_type_name == "argument" else "选项"
        return Usage(f"缺少{what} {_names(error.param)}", ctx)
    if isinstance(error, exceptions.NoSuchOption):
        near = f"（是不是 {'、'.join(error.possibilities)}？）" if error.possibilities else ""
        return Usage(f"没有选项 {error.option_name}{near}", ctx)
    if isinstance(error, exceptions.BadOptionUsage) and error.message.endswith("requires an argument."):
        return Usage(f"选项 {error.option_name} 后面要写一个值", ctx)
    if isinstance(error, exceptions.BadParameter) and error.param is not None:
        return Usage(f"{_names(error.param)} 的值不对：{_value(error.message)}", ctx)
    if extra := _EXTRA.fullmatch(error.message):
        return Usage(f"多出了参数 {extra.group(1)}；有空格的值请加引号", ctx)
    if command := _COMMAND.fullmatch(error.message):
        return Usage(f"没有命令 {command.group(1)}；nianbao -h 列出全部命令", ctx)
    return Usage(error.message, ctx)


def _names(param: click.Parameter) -> str:
    if isinstance(param, click.Option):
        return " / ".join(param.opts + param.secondary_opts)
    return str(param.name or "").upper()  # an argument, as its help page names it


def _value(message: str) -> str:
    for pattern, said in _VALUES:
        if found := pattern.fullmatch(message.strip()):
            return said.format(*found.groups())
    return message


__all__ = ["Command", "Context", "Formatter", "chinese"]
