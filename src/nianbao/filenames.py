r"""File and folder names built from text a user gave (an agency's name): safe on every file system.

The one place such a name is made. A name must fit one path component — 255 bytes of UTF-8 on Linux's
file systems (ext4, XFS, Btrfs), 255 UTF-16 units on Windows (NTFS), which a name within the bytes never
exceeds — with room left for what the kit adds beside it (``.<name>.<pid>.<hex>.tmp`` while it is written,
``.failed.ipynb``, ``-<time>`` when set aside). Characters Windows refuses (``/ \ : * ? " < > |``,
which a zip made on Linux carries to Windows users), control and invisible format characters are
replaced; the text is shortened by whole characters, never inside a UTF-8 sequence, and what is kept
whole (the year, the id, the suffix) is never cut, so that the file is still found.
"""

from __future__ import annotations

import unicodedata

#: The longest name of one path component, in bytes of UTF-8.
NAME_MAX = 255
#: What the kit may add to a name it builds (a temporary ``.<name>.<pid>.<hex>.tmp``, ``.failed.ipynb``).
MARGIN = 55
#: The longest name built from user text: NAME_MAX less the margin.
SAFE_BYTES = NAME_MAX - MARGIN

REFUSED = frozenset('/\\:*?"<>|')
#: Unicode categories never put in a name: control, format (bidi overrides, zero-width), surrogate, line and paragraph separators.
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: Names Windows keeps for devices, with any suffix (CON.xlsx is the console).
_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))})


def safe_name(text: str, *, before: str = "", after: str = "", limit: int = SAFE_BYTES) -> str:
    """``before + text + after`` as one file or folder name: refused characters in each part replaced by
    ``_``, spaces and dots trimmed from the text's ends (Windows drops them), the text shortened by
    whole characters until the name fits in ``limit`` bytes of UTF-8. ``before`` and ``after`` (a year and
    id, a suffix) are kept whole.

    >>> safe_name("青川市/临江区", before="2025-qc-", after=".xlsx")
    '2025-qc-青川市_临江区.xlsx'
    """
    head, tail = _cleaned(before), _cleaned(after)
    room = limit - len((head + tail).encode("utf-8"))
    if room < 0:
        raise ValueError(f"{head}…{tail} alone is longer than {limit} bytes")
    body = _cleaned(text).strip(" .")
    if len(body.encode("utf-8")) > room:
        body = shortened(body, room).rstrip(" .")
    name = head + body + tail
    if not name.strip(" ."):
        return "_"
    if name.split(".")[0].rstrip(" ").upper() in _DEVICES:
        name = "_" + name
    return name


def shortened(text: str, limit: int) -> str:
    """The longest start of ``text`` that is at most ``limit`` bytes of UTF-8, cut between characters."""
    size = 0
    for i, ch in enumerate(text):
        size += len(ch.encode("utf-8"))
        if size > limit:
            return text[:i]
    return text


def _cleaned(text: str) -> str:
    return "".join("_" if ch in REFUSED or unicodedata.category(ch) in _INVISIBLE else ch for ch in text)


__all__ = ["MARGIN", "NAME_MAX", "SAFE_BYTES", "safe_name", "shortened"]
