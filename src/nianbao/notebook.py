"""papermill in one place: execute a master notebook for one agency-year (or one year's overview).

Every run gets a fresh kernel of its own, reached over IPC sockets in a private folder rather than
TCP ports, so parallel runs cannot race for a port ("Address already in use", "Kernel didn't
respond in 60 seconds").
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import RenderError, os_error
from .run import Run

if TYPE_CHECKING:  # papermill and nbformat are imported when a notebook runs, not before
    import nbformat

#: Seconds a kernel may take to start; generous, since a batch starts many at once.
START_TIMEOUT = 300

# papermill logs what goes wrong in a run ("Timeout waiting for execute reply") before raising it;
# the kit reports the error itself, so those lines reach a handler only where the user set one up.
logging.getLogger("papermill").addHandler(logging.NullHandler())


def parameters(run_: Run, failed: Mapping[str, str] | None = None) -> dict:
    """The parameters papermill injects: absolute paths, so the kernel's working folder never matters.

    A report's are ``agency``, ``year`` and the folders; an overview's are ``year``, the folders and
    ``failed`` (agency → why its report failed to render).
    """
    project = run_.project
    params: dict = {"agency": run_.agency} if run_.agency else {}
    params |= {"year": int(run_.year), "project_dir": str(project.root.resolve())}
    if not run_.agency:
        params["failed"] = dict(failed or {})
    if project.data_root:
        params["data_dir"] = str(project.data_root.resolve())
    return params


def execute(run_: Run, output: Path, *, timeout: int | None = 600, failed: Mapping[str, str] | None = None
            ) -> nbformat.NotebookNode:
    """Execute the run's master notebook into ``output`` and return the executed notebook.

    When a cell raises, the partial notebook (with papermill's error banner) is copied to the run's
    ``failed`` path and :class:`RenderError` names the cell and the error.
    """
    where = {"agency": run_.agency, "year": run_.year} if run_.agency else {"year": run_.year}
    return run(run_.source, output, run_.failed, parameters(run_, failed), run_.project.root, timeout=timeout, **where)


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
