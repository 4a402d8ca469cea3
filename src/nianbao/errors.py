"""The exception tree. Every error says what went wrong, where, and what to do about it."""

from __future__ import annotations

import contextlib
import errno
from collections.abc import Iterator
from pathlib import Path


class NianbaoError(Exception):
    """Root of every error the kit raises on purpose; the CLI prints these without a traceback."""

    def __init__(self, message: str, *, hint: str = "", **where: object) -> None:
        self.message = message
        self.hint = hint
        self.where = {k: v for k, v in where.items() if v not in (None, "")}
        for k, v in where.items():
            setattr(self, k, v)
        super().__init__(str(self))

    def __str__(self) -> str:
        return self._said(self.where)

    def beside(self, file: object) -> str:
        """The error as a list says it under ``file``: without naming that file again."""
        return self._said({k: v for k, v in self.where.items() if not (k == "file" and str(v) == str(file))})

    def _said(self, where: dict[str, object]) -> str:
        where = dict(where)
        if "sheet" in where and "cell" in where:  # one address, as Excel and WPS write it: 表三!D7
            where["cell"] = address(str(where.pop("sheet")), str(where["cell"]))
        place = "，".join(f"{_WHERE_NAMES.get(k, k)} {v}" for k, v in where.items())
        text = f"{place}：{self.message}" if place else self.message
        return f"{text}（{self.hint}）" if self.hint else text


def address(sheet: str, cell: str) -> str:
    """A cell's address as Excel and WPS write it in a formula: ``表三!D7``, ``'表三 依申请'!D7``."""
    plain = sheet.replace("_", "").replace(".", "").isalnum()
    return f"{sheet}!{cell}" if plain else "'" + sheet.replace("'", "''") + f"'!{cell}"


_WHERE_NAMES = {
    "file": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "key": "键",
    "agency": "单位",
    "year": "年度",
}


class DataError(NianbaoError, ValueError):
    """An input file is missing, malformed, or holds a value the format does not allow.

    When a file has several bad cells, one error lists them all; ``problems`` holds each one.
    """

    problems: tuple[DataError, ...] = ()

    @property
    def place(self) -> str:
        """Where in the file: ``表三!D7`` for a workbook cell, the key for YAML."""
        if getattr(self, "sheet", None) and getattr(self, "cell", None):
            return address(self.sheet, self.cell)  # type: ignore[attr-defined]
        return str(getattr(self, "key", None) or getattr(self, "sheet", None) or "")

    @classmethod
    def gather(cls, problems: list[DataError], **where: object) -> None:
        """Raise nothing for no problems, the one problem, or one error listing every problem."""
        if len(problems) == 1:
            raise problems[0]
        if problems:
            lines = [f"  {p.place}：{p.message}" + (f"（{p.hint}）" if p.hint else "") for p in problems]
            error = cls(f"共 {len(problems)} 处需要修改：\n" + "\n".join(lines), **where)  # type: ignore[arg-type]
            error.problems = tuple(problems)
            raise error


class ParamsError(NianbaoError, ValueError):
    """An unknown agency or year, or a params file that does not match the notebook."""


class RenderError(NianbaoError, RuntimeError):
    """Executing the notebook or converting it failed; the previous good outputs are kept."""


class GlyphError(RenderError):
    """A character could not be drawn with the fonts at hand (a chart or the PDF would show boxes)."""

    chars: str = ""  # the characters missing, where known


class OutputError(NianbaoError, OSError):
    """An output could not be written: no permission, a read-only or full disk. Earlier outputs are kept."""


_OS_REASONS = {
    errno.EACCES: ("没有权限", "请检查该目录的权限，或用 --project / --out 换一个可写的目录"),
    errno.EPERM: ("没有权限", "请检查该目录的权限，或用 --project / --out 换一个可写的目录"),
    errno.EROFS: ("所在的磁盘是只读的", "请换一个可写的目录（--project / --out）"),
    errno.ENOSPC: ("磁盘空间已满", "请腾出磁盘空间后再运行；之前的输出没有改动"),
    errno.EDQUOT: ("超出了磁盘配额", "请腾出空间或请管理员调整配额后再运行；之前的输出没有改动"),
    errno.ENOTDIR: ("路径中应是目录的地方是一个文件", "请移走或改名这个文件，或换一个目录"),
    errno.EEXIST: ("这里已有同名的文件或目录", "请移走或改名它，或换一个目录"),
    errno.ENOTEMPTY: ("这里已有一个不是空的同名目录", "请移走或改名这个目录，或换一个目录"),
}


def os_error(exc: OSError, path: object = None) -> OutputError:
    """An operating-system error as one clear line: the path, what went wrong, what to do (a rename that
    found something in its way names where it was going, not the temporary it came from).
    """
    if exc.filename2 and exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.EEXIST, errno.ENOTEMPTY):
        exc.filename = exc.filename2
    if exc.errno == errno.ENOENT:
        return OutputError("无法读写：路径或其所在的目录不存在", file=exc.filename or path, hint="请检查路径，或先创建目录")
    if exc.errno == errno.ENAMETOOLONG:
        return OutputError("无法读写：文件名或路径太长", file=exc.filename or path,
                           hint="一个文件名最多 255 字节（约 85 个汉字）；请缩短路径中过长的名称，或换一个较短的目录")
    if exc.errno == errno.EISDIR:
        return OutputError("无法读写：这是一个目录，不是文件", file=exc.filename or path, hint="请给出文件的路径")
    if exc.errno in _OS_REASONS:
        reason, hint = _OS_REASONS[exc.errno]
        return OutputError(f"无法写入：{reason}", file=exc.filename or path, hint=hint)
    return OutputError(f"无法读写：{exc.strerror or exc}", file=exc.filename or path, hint="请检查该路径")


@contextlib.contextmanager
def writing(path: Path | str) -> Iterator[None]:
    """Turn an operating-system error raised while writing ``path`` into an :class:`OutputError`."""
    try:
        yield
    except NianbaoError:
        raise
    except OSError as exc:
        raise os_error(exc, path) from None
