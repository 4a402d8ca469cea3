"""Headless Chromium over its DevTools protocol, for tests that must wait for a page to reach a state.

``--dump-dom`` reads a page once its virtual time runs out, which on a busy machine may come before a
single-page application (JupyterLab) has drawn what the test reads. Here the test names the state it
needs as a JavaScript expression, and the page is read once that expression is true — polled, with a
generous deadline, never after a fixed wait. The client is tornado's WebSocket (Jupyter's server
brings tornado), so no further package is needed.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from tornado.websocket import websocket_connect

CHROMIUM = shutil.which("chromium")
DEADLINE = 300  # seconds: generous, since a busy machine may be many times slower than a quiet one


def dom_when(url: str, ready: str, profile: Path, *, window: str = "1400,1000") -> str:
    """The page's DOM (``outerHTML``) once the JavaScript expression ``ready`` is true.

    Fails (``AssertionError``) if the state is not reached within :data:`DEADLINE` seconds.
    """
    assert CHROMIUM, "needs Debian's chromium"
    profile.mkdir(parents=True, exist_ok=True)
    port_file = profile / "DevToolsActivePort"
    port_file.unlink(missing_ok=True)
    browser = subprocess.Popen(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--window-size={window}", "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + DEADLINE
        while not port_file.is_file() or len(port_file.read_text().splitlines()) < 2:  # Chromium writes it when ready
            assert browser.poll() is None, "Chromium exited before it listened"
            assert time.monotonic() < deadline, "Chromium did not start"
            time.sleep(0.1)
        port = port_file.read_text().splitlines()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=60) as answer:
            page = next(t for t in json.load(answer) if t["type"] == "page")
        return asyncio.run(_read_when(page["webSocketDebuggerUrl"], url, ready, deadline))
    finally:
        stop(browser)


def stop(process: subprocess.Popen) -> None:
    """Ask a process to end, and end it if it has not within a generous minute."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def _read_when(socket_url: str, url: str, ready: str, deadline: float) -> str:
    connection = await websocket_connect(socket_url, max_message_size=256 * 2**20)
    ids = itertools.count(1)

    async def call(method: str, **params: object) -> dict:
        number = next(ids)
        await connection.write_message(json.dumps({"id": number, "method": method, "params": params}))
        while True:  # events come in between; the answer carries the call's id
            message = await connection.read_message()
            assert message is not None, "Chromium closed the connection"
            reply = json.loads(message)
            if reply.get("id") == number:
                assert "error" not in reply, reply["error"]
                return reply["result"]

    async def value(expression: str) -> object:
        result = await call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    try:
        await call("Page.navigate", url=url)
        while not await value(f"Boolean({ready})"):
            assert time.monotonic() < deadline, f"the page never reached the state {ready}"
            await asyncio.sleep(0.2)
        html = await value("document.documentElement.outerHTML")
        assert isinstance(html, str)
        return html
    finally:
        connection.close()
