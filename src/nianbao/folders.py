"""An output folder replaced whole: written in a fresh folder beside it and swapped in, so that a reader
sees the old outputs or the new, never a mix; only a folder the kit wrote (or an empty one) is replaced,
and what a person put in it moves into the new one.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

from . import timing
from .errors import OutputError, writing


@contextlib.contextmanager
def staged(out: Path, own: frozenset[str] = frozenset()) -> Iterator[Path]:
    """A fresh folder beside ``out``, put in its place when the block succeeds and removed when it fails.
    What a person put in ``out`` (anything but ``own``, the paths the kit writes there) moves into the new one.

    What the block writes into it should go through :func:`~nianbao.errors.writing`.
    """
    _replaceable(out)
    staging = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"
    with writing(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        staging.mkdir()
    try:
        yield staging
        with writing(out), timing.stage("writing"):
            if own:
                _carry(out, staging, own)
            _swap(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


#: The files that mark a folder as one the kit wrote (a report's, a year overview's): only such a
#: folder, or an empty one, is ever replaced.
MARKERS = ("checks.json", "summary.json")


def _replaceable(out: Path) -> None:
    """Refuse to replace anything at ``out`` that the kit did not write (``--out ~/Documents``, a file)."""
    if not out.exists() and not out.is_symlink():
        return
    if out.is_dir() and not out.is_symlink() and (not any(out.iterdir()) or any((out / m).is_file() for m in MARKERS)):
        return
    raise OutputError(
        "这里已有不是 nianbao 输出的文件或目录，不会替换它",
        file=out,
        hint="请用 --out 指定一个新目录，或原来的输出目录",
    )


def _carry(out: Path, staging: Path, own: frozenset[str]) -> None:
    """Move into ``staging`` what is in ``out`` but not the kit's (a reviewer's notes beside the report)."""
    folders = {rel.rsplit("/", 1)[0] for rel in own if "/" in rel}  # publish/
    for path in sorted(out.iterdir()) if out.is_dir() else ():
        inner = path.iterdir() if path.name in folders and path.is_dir() and not path.is_symlink() else [path]
        for entry in inner:
            rel = entry.relative_to(out).as_posix()
            if rel not in own and not os.path.lexists(staging / rel):
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                entry.rename(staging / rel)


def _swap(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is, keeping the old folder until the new one is in place."""
    if not out.exists():
        staging.rename(out)
        return
    old = out.parent / f".{out.name}.{uuid.uuid4().hex[:8]}.old"
    out.rename(old)
    staging.rename(out)
    shutil.rmtree(old, ignore_errors=True)


__all__ = ["MARKERS", "staged"]
