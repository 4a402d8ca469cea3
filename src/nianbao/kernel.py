"""The kernel a notebook runs in: a fresh one per run, reached over IPC sockets in a private folder rather
than TCP ports (so that parallel runs cannot race for a port), launched by the provisioner a batch
worker's fork server gives, with its CPU time read from its process for the run's stages.
"""

from __future__ import annotations

import functools
import re
import time
import uuid
from pathlib import Path

from . import timing

#: The kernel provisioner class this process launches kernels with (None: jupyter_client's own).
_PROVISIONER: type | None = None


def launch_kernels_with(provisioner: type | None) -> None:
    """Launch this process's kernels with ``provisioner`` (a jupyter_client provisioner class)."""
    global _PROVISIONER
    _PROVISIONER = provisioner


def ipc_kernel_manager(folder: Path, clock: KernelClock | None = None) -> type:
    """A kernel manager class whose kernels listen on IPC sockets in ``folder``, not on TCP ports.

    When :func:`launch_kernels_with` gave a provisioner (a batch worker's fork server), kernels are
    launched by it. ``clock`` learns the kernel's process, to read its CPU time.
    """
    from jupyter_client.manager import AsyncKernelManager

    class IPCKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.client_factory = _client()
            self.transport = "ipc"
            self.connection_file = str(folder / "kernel.json")
            self.ip = str(folder / "k")

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            # The kernel's own log (tracebacks while it is stopped after a timeout, say) is noise to a
            # user: what goes wrong in a cell is in the notebook, and the error says what to do.
            import subprocess

            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            await super()._async_launch_kernel(kernel_cmd, **kw)
            if clock is not None:
                clock.pid = getattr(self.provisioner, "pid", None)

        async def _async_pre_start_kernel(self, **kw):
            if _PROVISIONER is not None and self.provisioner is None:
                self.kernel_id = self.kernel_id or str(uuid.uuid4())
                self.provisioner = _PROVISIONER(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
            return await super()._async_pre_start_kernel(**kw)

    return IPCKernelManager


#: How soon a kernel client tries again to connect to a kernel not yet listening, in milliseconds.
RECONNECT_MS = 10


@functools.cache
def _client() -> type:
    """jupyter_client's kernel client, ready once the kernel has answered on its shell and IOPub channels.

    jupyter_client then also waits until IOPub has been quiet for 0.2 s, to drop what the handshake
    left there; nbclient reads only the messages that answer its own requests, so here that wait —
    a fifth of a second per report — is not made.

    The client connects as soon as the kernel is launched, before the kernel has bound its sockets;
    ZeroMQ then tries again after its reconnect interval, 0.1 s by default (and more, with the
    backoff), while the kernel is long ready. Here it tries again every 10 ms: the kernel answers
    some 0.1 s sooner, per report.
    """
    from queue import Empty

    import zmq.asyncio
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_core.utils import ensure_async
    from traitlets import default

    class Client(AsyncKernelClient):
        @default("context")
        def _context_default(self) -> zmq.asyncio.Context:
            self._created_context = True  # destroyed with the client, as jupyter_client's own
            context = zmq.asyncio.Context()
            context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
            return context

        async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                self.kernel_info()
                try:
                    msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
                except Empty:
                    pass
                else:
                    if msg["msg_type"] == "kernel_info_reply":
                        try:
                            await ensure_async(self.iopub_channel.get_msg(timeout=0.2))  # IOPub is connected
                        except Empty:
                            pass
                        else:
                            self._handle_kernel_info_reply(msg)
                            return
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

        wait_for_ready = _async_wait_for_ready

    return Client


class KernelClock:
    """The CPU time a run's kernel spends, read from its process at each cell's start and end.

    The kernel's own start-up (up to its first cell) is ``kernel_start``; each cell's time goes to
    the stage of the function it calls: ``nb.prepare`` reads and checks the data, ``nb.charts``
    draws the charts, every other cell is ``kernel_cells``.
    """

    def __init__(self) -> None:
        self.pid: int | None = None
        self.last: float | None = None

    def _read(self) -> float | None:
        import psutil

        if self.pid is None:
            return None
        try:
            times = psutil.Process(self.pid).cpu_times()
        except psutil.Error:
            return None
        return times.user + times.system

    def cell_start(self) -> None:
        if self.last is None and (now := self._read()) is not None:
            self.last = now
            timing.add("kernel_start", now)

    def cell_complete(self, source: str) -> None:
        now = self._read()
        if now is None or self.last is None:
            return
        called = re.search(r"\bnb\.(\w+)\(", source)
        name = {"prepare": "kernel_data_checks", "charts": "kernel_charts"}.get(called.group(1) if called else "")
        timing.add(name or "kernel_cells", now - self.last)
        self.last = now


__all__ = ["KernelClock", "ipc_kernel_manager", "launch_kernels_with"]
