"""Headless Chromium over its DevTools protocol, for tests that must wait for a page to reach a state.

``--dump-dom`` reads a page once its virtual time runs out, which on a busy machine may come before a
single-page application (JupyterLab) has drawn what the test reads. Here the test names the state it
needs as a JavaScript expression, and the page is read once that expression is true — polled, with a
generous deadline, never after a fixed wait. The client is tornado's WebSocket (Jupyter's server
brings tornado), so no further package is needed.

:func:`dom_when` reads one page once; :class:`Browser` keeps one Chromium and its tab for a test module
that drives pages call by call (evaluate, wait, press keys as a user does).
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

from tornado.websocket import WebSocketClientConnection, websocket_connect

CHROMIUM = shutil.which("chromium")
DEADLINE = 300  # seconds: generous, since a busy machine may be many times slower than a quiet one


def dom_when(url: str, ready: str, profile: Path, *, window: str = "1400,1000") -> str:
    """The page's DOM (``outerHTML``) once the JavaScript expression ``ready`` is true.

    Fails (``AssertionError``) if the state is not reached within :data:`DEADLINE` seconds.
    """
    with Browser(profile, window=window) as browser:
        browser.open(url, ready)
        html = browser.evaluate("document.documentElement.outerHTML")
        assert isinstance(html, str)
        return html


class Browser:
    """One headless Chromium and its tab, driven call by call: ``with Browser(profile) as b: b.open(url, ready)``.

    Every wait polls a state with the deadline :data:`DEADLINE`; a JavaScript exception fails :meth:`evaluate`.
    """

    def __init__(self, profile: Path, *, window: str = "1400,1000") -> None:
        assert CHROMIUM, "needs Debian's chromium"
        profile.mkdir(parents=True, exist_ok=True)
        port_file = profile / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)
        self._ids = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._process = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--window-size={window}", "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + DEADLINE
            while not port_file.is_file() or len(port_file.read_text().splitlines()) < 2:  # written when ready
                assert self._process.poll() is None, "Chromium exited before it listened"
                assert time.monotonic() < deadline, "Chromium did not start"
                time.sleep(0.1)
            port = port_file.read_text().splitlines()[0]
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=60) as answer:
                page = next(t for t in json.load(answer) if t["type"] == "page")
            self._connection = self._loop.run_until_complete(_connect(page["webSocketDebuggerUrl"]))
        except BaseException:
            self.close()
            raise

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection and end Chromium."""
        connection = getattr(self, "_connection", None)
        if connection is not None:
            async def close() -> None:  # inside the browser's own loop: tornado's close needs a running one
                connection.close()
                await asyncio.sleep(0)  # let the close go out

            try:
                self._loop.run_until_complete(close())
            finally:
                self._loop.close()
                stop(self._process)
            return
        self._loop.close()
        stop(self._process)

    def call(self, method: str, **params: object) -> dict:
        """One DevTools-protocol command and its result."""
        return self._loop.run_until_complete(self._call(method, params))

    async def _call(self, method: str, params: dict) -> dict:
        number = next(self._ids)
        await self._connection.write_message(json.dumps({"id": number, "method": method, "params": params}))
        while True:  # events come in between; the answer carries the call's id
            message = await self._connection.read_message()
            assert message is not None, "Chromium closed the connection"
            reply = json.loads(message)
            if reply.get("id") == number:
                assert "error" not in reply, reply["error"]
                return reply["result"]

    def evaluate(self, expression: str, *, wait: bool = False) -> object:
        """The value of a JavaScript expression (awaited if ``wait`` and it is a promise)."""
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=wait)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def wait(self, ready: str) -> None:
        """Return once the JavaScript expression ``ready`` is true; fail after :data:`DEADLINE` seconds.

        An expression that throws (the page still loading, ``document.body`` not there yet) is not true yet.
        """
        deadline = time.monotonic() + DEADLINE
        while not self.evaluate(f"(() => {{ try {{ return Boolean({ready}); }} catch (error) {{ return false; }} }})()"):
            assert time.monotonic() < deadline, f"the page never reached the state {ready}"
            time.sleep(0.2)

    def open(self, url: str, ready: str) -> None:
        """Go to ``url`` and wait until ``ready`` is true there."""
        self.call("Page.navigate", url=url)
        self.wait(ready)

    def show(self, html: str) -> None:
        """Show a page made of ``html`` (served from nowhere: the tab's document is replaced)."""
        self.call("Page.navigate", url="about:blank")
        frame = self.call("Page.getFrameTree")["frameTree"]["frame"]["id"]
        self.call("Page.setDocumentContent", frameId=frame, html=html)
        self.wait("document.readyState === 'complete'")

    def press(self, letter: str, command: str) -> None:
        """Ctrl and a letter pressed and released as a user does, with the editing command they stand for
        (``selectAll``, ``copy``, ``paste``): the browser runs it as it runs a keystroke, clipboard included.
        """
        down = {"type": "rawKeyDown", "key": letter, "code": f"Key{letter.upper()}", "modifiers": 2,
                "windowsVirtualKeyCode": ord(letter.upper()), "commands": [command]}
        self.call("Input.dispatchKeyEvent", **down)
        self.call("Input.dispatchKeyEvent", **{**down, "type": "keyUp", "commands": []})


async def _connect(url: str) -> WebSocketClientConnection:
    return await websocket_connect(url, max_message_size=256 * 2**20)  # made inside the loop, so bound to it


def stop(process: subprocess.Popen) -> None:
    """Ask a process to end, and end it if it has not within a generous minute."""
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
