"""papermill in one place: execute a master notebook for one agency-year (or one year's overview).

Every run gets a fresh kernel of its own, reached over IPC sockets in a private folder rather than
TCP ports, so parallel runs cannot race for a port ("Address already in use", "Kernel didn't
respond in 60 seconds").
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RenderError, os_error
from .params import Project

if TYPE_CHECKING:  # papermill and nbformat are imported when a notebook runs, not before
    import nbformat

#: Seconds a kernel may take to start; generous, since a batch starts many at once.
START_TIMEOUT = 300

# papermill logs what goes wrong in a run ("Timeout waiting for execute reply") before raising it;
# the kit reports the error itself, so those lines reach a handler only where the user set one up.
logging.getLogger("papermill").addHandler(logging.NullHandler())


def parameters(project: Project, agency: str, year: int) -> dict:
    """The parameters papermill injects: absolute paths, so the kernel's working folder never matters."""
    params = {"agency": agency, "year": int(year), "project_dir": str(project.root.resolve())}
    if project.data_root:
        params["data_dir"] = str(project.data_root.resolve())
    return params


def summary_parameters(project: Project, year: int, failed: dict[str, str] | None = None) -> dict:
    """The parameters of the year overview (``notebooks/summary.ipynb``); ``failed``: agency → reason."""
    params = {"year": int(year), "project_dir": str(project.root.resolve()), "failed": dict(failed or {})}
    if project.data_root:
        params["data_dir"] = str(project.data_root.resolve())
    return params


def summary_notebook(project: Project) -> Path:
    return project.root / "notebooks" / "summary.ipynb"


def input_files(project: Project, agency: str, year: int) -> list[Path]:
    """Every file one agency-year's report rests on: notebook, registry, params, reviews, data up to that year."""
    files = [project.notebook, project.params_dir / "agencies.yaml", project.params_file(agency, year)]
    files.append(project.reviews_file(agency, year))
    for y in project.years_with_data(agency):
        if y <= year:
            files += project.data_files(agency, y)
    return files


def summary_input_files(project: Project, year: int) -> list[Path]:
    """Every file the year overview rests on: its notebook, the registry, the year's and the year before's data."""
    from .params import load_registry

    files = [summary_notebook(project), project.params_dir / "agencies.yaml"]
    for agency in load_registry(project):
        for y in (year - 1, year):
            files += [*project.data_files(agency, y), project.reviews_file(agency, y)]
    return files


def input_hashes(project: Project, agency: str, year: int) -> dict[str, str]:
    """SHA-256 of every file the report rests on, keyed by its path in the project."""
    return hashes(project, input_files(project, agency, year))


def hashes(project: Project, files: list[Path]) -> dict[str, str]:
    """SHA-256 of each existing file, keyed by its path relative to the project (absolute outside it)."""
    out = {}
    root = project.root.resolve()
    for path in files:
        if path.is_file():
            try:
                name = path.resolve().relative_to(root).as_posix()
            except ValueError:
                name = str(path)
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def execute(
    project: Project, agency: str, year: int, output: Path, failed: Path, *, timeout: int | None = 600
) -> nbformat.NotebookNode:
    """Run ``notebooks/report.ipynb`` into ``output`` and return the executed notebook.

    When a cell raises, the partial notebook (with papermill's error banner) is copied to ``failed``
    and :class:`RenderError` names the cell and the error.
    """
    return run(
        project.notebook, output, failed, parameters(project, agency, year), project.root,
        timeout=timeout, agency=agency, year=year,
    )


def execute_summary(
    project: Project, year: int, output: Path, failed: Path, *, timeout: int | None = 600, failing: dict | None = None
) -> nbformat.NotebookNode:
    """Run ``notebooks/summary.ipynb`` for one year into ``output``; failures as for :func:`execute`.

    ``failing`` names the agencies whose reports failed to render, with the reason, for the overview to list.
    """
    return run(
        summary_notebook(project), output, failed, summary_parameters(project, year, failing), project.root,
        timeout=timeout, year=year,
    )


def run(
    source: Path, output: Path, failed: Path, params: dict, cwd: Path, *, timeout: int | None, **where: object
) -> nbformat.NotebookNode:
    """Execute ``source`` with ``params`` in a fresh kernel; on failure keep the partial notebook."""
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError

    sockets = Path(tempfile.mkdtemp(prefix="nianbao-kernel-"))
    try:
        return pm.execute_notebook(
            str(source),
            str(output),
            parameters=params,
            kernel_name="python3",
            cwd=str(cwd),
            progress_bar=False,
            log_output=False,
            execution_timeout=timeout,
            start_timeout=START_TIMEOUT,
            kernel_manager_class=ipc_kernel_manager(sockets),
        )
    except PapermillExecutionError as exc:
        _keep(output, failed)
        raise RenderError(
            f"笔记本第 {exc.cell_index} 格出错：{exc.ename}: {exc.evalue}",
            hint=f"出错的笔记本已保存为 {failed}，打开即可看到出错位置",
            **where,
        ) from None
    except CellTimeoutError:
        _keep(output, failed)
        raise RenderError(
            f"笔记本的一个代码格运行超过时限 {timeout} 秒，已停止",
            hint=f"可用 --timeout 放宽时限；已执行部分保存为 {failed}",
            **where,
        ) from None
    except DeadKernelError:
        _keep(output, failed)
        raise RenderError(
            "内核意外退出（可能是内存不足或被终止）",
            hint=f"请重试；已执行部分保存为 {failed}",
            **where,
        ) from None
    except OSError as exc:  # the output folder: no permission, a full disk
        raise os_error(exc, output) from None
    except Exception as exc:  # a kernel that never started, or anything else
        _keep(output, failed)
        raise RenderError(
            f"笔记本执行失败：{type(exc).__name__}: {exc}",
            hint=f"已执行部分（如有）保存为 {failed}",
            **where,
        ) from None
    finally:
        shutil.rmtree(sockets, ignore_errors=True)


#: The kernel provisioner class this process launches kernels with (None: jupyter_client's own).
_PROVISIONER: type | None = None


def launch_kernels_with(provisioner: type | None) -> None:
    """Launch this process's kernels with ``provisioner`` (a jupyter_client provisioner class)."""
    global _PROVISIONER
    _PROVISIONER = provisioner


def ipc_kernel_manager(folder: Path) -> type:
    """A kernel manager class whose kernels listen on IPC sockets in ``folder``, not on TCP ports.

    When :func:`launch_kernels_with` gave a provisioner (a batch worker's fork server), kernels are
    launched by it.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.transport = "ipc"
            self.connection_file = str(folder / "kernel.json")
            self.ip = str(folder / "k")

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own log (tracebacks while it is stopped after a timeout, say) is noise to a
            # user: what goes wrong in a cell is in the notebook, and the error says what to do.
            import subprocess

            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

        async def _async_pre_start_kernel(self, **kw):
            if _PROVISIONER is not None and self.provisioner is None:
                self.kernel_id = self.kernel_id or str(uuid.uuid4())
                self.provisioner = _PROVISIONER(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return IPCKernelManager


def _keep(output: Path, failed: Path) -> None:
    if output.is_file():
        shutil.copyfile(output, failed)
