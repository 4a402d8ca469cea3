"""Where a run's time goes: CPU seconds per stage, kept in the run's ledger record.

A stage is timed where it runs — :func:`stage` around a piece of work in this process (its own
CPU and that of the programs it waited for, such as xelatex) — or measured elsewhere and added
with :func:`add` (a kernel's CPU, read from its process). Nothing is timed unless a run is being
recorded (:func:`recording`), so that code used outside a batch pays nothing.
"""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Iterator

#: Each stage's name as the benchmark and the README print it, in the order a report goes through them.
STAGES = {
    "hashing": "哈希输入（主进程）",
    "data_checks": "读数据并校验（工作进程）",
    "kernel_start": "内核启动",
    "kernel_data_checks": "内核：读数据并校验",
    "kernel_cells": "内核：表格与文字",
    "kernel_charts": "内核：图表",
    "papermill": "papermill 与内核通信、保存笔记本",
    "html": "HTML 导出（审阅版）",
    "review_latex": "LaTeX 导出（审阅版）",
    "review_xelatex_1": "xelatex 第 1 遍（审阅版）",
    "review_xelatex_2": "xelatex 第 2 遍（审阅版）",
    "review_xelatex_3": "xelatex 第 3 遍（审阅版）",
    "publication_html": "网页与 CMS 片段（发布版）",
    "publication_latex": "LaTeX 导出（发布版）",
    "publication_xelatex_1": "xelatex 第 1 遍（发布版）",
    "publication_xelatex_2": "xelatex 第 2 遍（发布版）",
    "publication_xelatex_3": "xelatex 第 3 遍（发布版）",
    "editions_latex": "LaTeX 导出（两个版本合排）",
    "editions_xelatex_1": "xelatex 第 1 遍（两个版本合排）",
    "editions_xelatex_2": "xelatex 第 2 遍（两个版本合排）",
    "editions_xelatex_3": "xelatex 第 3 遍（两个版本合排）",
    "review_xdvipdfmx": "xdvipdfmx（审阅版的页）",
    "publication_xdvipdfmx": "xdvipdfmx（发布版的页）",
    "docx": "Word（发布版）",
    "writing": "写文件、换入输出目录",
    "other": "工作进程其他",
}

#: The stages a report cannot share with another — its own tables and text, its HTML, LaTeX and Word
#: made from them, its files written: the floor a batch's CPU per report is measured against. The
#: rest (kernel start, papermill, TeX's and matplotlib's start-up and layout) is what a batch can pay
#: once instead of per report.
FLOOR = ("data_checks", "kernel_data_checks", "kernel_cells", "html", "review_latex", "publication_html",
         "publication_latex", "editions_latex", "docx", "writing")

_current: dict[str, float] | None = None
_inner: list[float] = []  # per open stage, the CPU time of the stages inside it


def cpu() -> float:
    """CPU seconds (user + system) of this process and of the programs it has waited for."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextlib.contextmanager
def recording() -> Iterator[dict[str, float]]:
    """Record the stages timed in this block; the dict it yields holds them, with ``other`` the rest."""
    global _current
    outer, _current = _current, {}
    started = cpu()
    stages = _current
    try:
        yield stages
    finally:
        _current = outer
        timed = sum(v for k, v in stages.items() if not k.startswith("kernel_"))
        stages["other"] = max(0.0, cpu() - started - timed)
        for key in stages:
            stages[key] = round(stages[key], 3)


@contextlib.contextmanager
def stage(name: str) -> Iterator[None]:
    """Add this block's CPU time to the stage ``name`` of the run being recorded (if any).

    Stages nest: a stage timed inside another is counted in its own, not in the outer one.
    """
    if _current is None:
        yield
        return
    started = cpu()
    _inner.append(0.0)
    try:
        yield
    finally:
        spent = cpu() - started
        add(name, spent - _inner.pop())
        if _inner:
            _inner[-1] += spent


def add(name: str, seconds: float) -> None:
    """Add CPU seconds measured elsewhere (a kernel's) to the stage ``name`` of the run being recorded."""
    if _current is not None:
        _current[name] = _current.get(name, 0.0) + seconds


__all__ = ["FLOOR", "STAGES", "add", "cpu", "recording", "stage"]
