"""A document in a format of its own — an old Word file (``.doc``), a WPS file (``.wps``), RTF or
OpenDocument text (``.odt``) — converted to ``.docx`` by LibreOffice, to be read as a Word file is
(:mod:`nianbao.importer.word`). Sites still attach reports as ``.doc``; many such files are RTF or a
web page under that name, and LibreOffice tells them apart by their content.

LibreOffice runs headless, in a profile of its own made for the one conversion (so it neither meets a
LibreOffice the user has open nor trusts anything the user set up: documents' macros stay off), in a
session of its own that is killed whole when the conversion overruns :data:`TIMEOUT` or is interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from ..errors import DataError

#: Seconds one conversion may take: a report converts in 1–3 s, LibreOffice's first start in a new
#: profile included.
TIMEOUT = 120
#: The Debian package that brings headless LibreOffice Writer.
PACKAGE = "libreoffice-writer-nogui"


def to_docx(raw: bytes, path: str, suffix: str) -> bytes:
    """The document's bytes (named ``path``, of type ``suffix``) as a ``.docx`` package's bytes."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise DataError(f"读取 {suffix} 文件要用 LibreOffice 转换，本机没有安装 LibreOffice", file=path,
                        hint=f"在 Debian/Ubuntu 上安装：sudo apt-get install {PACKAGE}；"
                             "或在 Word / WPS 中打开，“另存为”Word 文档（*.docx）后再导入")
    with tempfile.TemporaryDirectory(prefix="nianbao-office-") as folder:
        source, out = Path(folder, "report" + suffix), Path(folder, "out")
        source.write_bytes(raw)
        command = [soffice, "--headless", "--norestore", "--nologo", "--nolockcheck", "--nodefault",
                   f"-env:UserInstallation={Path(folder, 'profile').as_uri()}",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), str(source)]
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True, cwd=folder)
        try:
            process.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            raise DataError(f"LibreOffice 转换这个文件超过了 {TIMEOUT} 秒，已停止", file=path,
                            hint="请在 Word / WPS 中打开，“另存为”Word 文档（*.docx）后再导入") from None
        finally:
            _kill(process)
        made = out / "report.docx"
        if not made.is_file():
            raise DataError("LibreOffice 无法转换这个文件（可能已损坏、设置了打开密码，或不是文档）", file=path,
                            hint="请在 Word / WPS 中打开，“另存为”Word 文档（*.docx）后再导入")
        return made.read_bytes()


def _kill(process: subprocess.Popen) -> None:
    """LibreOffice and whatever it started (its session), if still there."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait()


__all__ = ["PACKAGE", "TIMEOUT", "to_docx"]
