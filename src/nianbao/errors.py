"""The exception tree. Every error says what went wrong, where, and what to do about it."""

from __future__ import annotations


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
        place = "，".join(f"{_WHERE_NAMES.get(k, k)} {v}" for k, v in self.where.items())
        text = f"{place}：{self.message}" if place else self.message
        return f"{text}（{self.hint}）" if self.hint else text


_WHERE_NAMES = {
    "file": "文件",
    "sheet": "工作表",
    "cell": "单元格",
    "key": "键",
    "agency": "单位",
    "year": "年度",
}


class DataError(NianbaoError, ValueError):
    """An input file is missing, malformed, or holds a value the format does not allow."""


class ParamsError(NianbaoError, ValueError):
    """An unknown agency or year, or a params file that does not match the notebook."""


class RenderError(NianbaoError, RuntimeError):
    """Executing the notebook or converting it failed; the previous good outputs are kept."""


class GlyphError(RenderError):
    """A character could not be drawn with the fonts at hand (a chart or the PDF would show boxes)."""
