"""papermill in one place: execute the master notebook for one agency-year."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import papermill as pm
from papermill.exceptions import PapermillExecutionError

from .errors import RenderError
from .params import Project


def parameters(project: Project, agency: str, year: int) -> dict:
    """The parameters papermill injects: absolute paths, so the kernel's working folder never matters."""
    params = {"agency": agency, "year": int(year), "project_dir": str(project.root.resolve())}
    if project.data_root:
        params["data_dir"] = str(project.data_root.resolve())
    return params


def execute(
    project: Project, agency: str, year: int, output: Path, failed: Path, *, timeout: int | None = 600
) -> nbformat.NotebookNode:
    """Run ``notebooks/report.ipynb`` into ``output`` and return the executed notebook.

    When a cell raises, the partial notebook (with papermill's error banner) is copied to ``failed``
    and :class:`RenderError` names the cell and the error.
    """
    try:
        return pm.execute_notebook(
            str(project.notebook),
            str(output),
            parameters=parameters(project, agency, year),
            kernel_name="python3",
            cwd=str(project.root),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
        )
    except PapermillExecutionError as exc:
        _keep(output, failed)
        raise RenderError(
            f"笔记本第 {exc.cell_index} 格出错：{exc.ename}: {exc.evalue}",
            hint=f"出错的笔记本已保存为 {failed}，打开即可看到出错位置",
            agency=agency,
            year=year,
        ) from None
    except Exception as exc:  # a dead kernel, a timeout, a kernel that never started
        _keep(output, failed)
        raise RenderError(
            f"笔记本执行失败：{type(exc).__name__}: {exc}",
            hint=f"已执行部分（如有）保存为 {failed}",
            agency=agency,
            year=year,
        ) from None


def _keep(output: Path, failed: Path) -> None:
    if output.is_file():
        shutil.copyfile(output, failed)
