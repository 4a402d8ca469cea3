"""A rule pack's values, each checked for what it must be: a field of a rule, a line of text, the
keys a mapping may have. Every refusal names the file and the rule's place, and says what to write.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from .. import characters
from ..errors import ParamsError
from .core import ERROR, INFO, SEVERITY_NAMES, WARNING
from .kinds import cell_key, deadline
from .texts import PLACES, place

MAX_TEXT = 300  # characters of a message, a hint, a notice's title
MAX_TERM = 40  # characters of a term
MAX_TERMS = 100  # terms (or synonyms) of a rule
SEVERITIES = {ERROR: ERROR, WARNING: WARNING, INFO: INFO, **{v: k for k, v in SEVERITY_NAMES.items()}}


def field_value(kind: str, name: str, value: object, path: Path, key: str, wanted: str) -> object:
    """One field's value, checked and made ready for the kind: raises with what it should be."""
    def bad(why: str = "") -> ParamsError:
        return ParamsError(f"{name} 的值 {shown(value)} 不合用{why}", file=path, key=key, hint=f"应为{wanted}")

    if name in ("part", "section"):
        found = place(str(value)) if isinstance(value, str) else None
        if not found:
            raise bad(f"；可写：{PLACES}")
        if name == "part" and len(found.keys) == 1 and found.keys[0] not in ("preamble", "other.text") \
                or name == "section" and len(found.keys) > 1:
            raise bad("（part 写部分，section 写节）")
        return found
    if name in ("terms", "wording"):
        if not isinstance(value, list) or not value or len(value) > MAX_TERMS:
            raise bad(f"（应为 1 到 {MAX_TERMS} 项的列表）")
        return tuple(synonyms(v, bad) for v in value) if name == "terms" else tuple(term(v, bad) for v in value)
    if name == "term":
        return synonyms(value, bad)
    if name == "units":
        if not isinstance(value, list) or not value or len(value) > MAX_TERMS:
            raise bad()
        return tuple(term(v, bad) for v in value)
    if name in ("cell", "cells", "equals") and not (kind == "cell" and name == "equals"):
        names = value if isinstance(value, list) and name != "cell" else [value]
        if not names or len(names) > MAX_TERMS or any(not isinstance(v, str) for v in names):
            raise bad()
        keys = tuple(cell_key(str(v)) for v in names)
        if None in keys:
            raise bad("：不是表格中的单元格（用键名如 A.normative.issued，或别名如 规范性文件制发）")
        return keys
    if name in ("at_least", "at_most", "equals"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value > 1e12 \
                or kind in ("length",) and not isinstance(value, int):
            raise bad()
        return value
    if name in ("filled", "disabled"):
        if value is not True:
            raise bad("（只能写 true；不要这一条件就不写这个字段）")
        return True
    if name == "count":
        if value not in ("汉字和数字", "全部字符"):
            raise bad()
        return value
    if name == "run":
        if isinstance(value, bool) or not isinstance(value, int) or not 4 <= value <= 50:
            raise bad()
        return value
    if name == "by":
        text = value.isoformat() if isinstance(value, dt.date) else str(value)
        if not re.fullmatch(r"\d\d-\d\d|\d{4}-\d\d-\d\d", text):
            raise bad()
        try:
            deadline(text, 2023)  # a leap year's next: 02-29 is a day
        except ValueError:
            raise bad() from None
        return text
    if name == "rule":
        if not isinstance(value, str):
            raise bad()
        return value
    if name == "severity":
        if str(value) not in SEVERITIES:
            raise bad()
        return SEVERITIES[str(value)]
    raise bad()  # pragma: no cover - every field of KINDS is handled above


def synonyms(value: object, bad) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items or len(items) > MAX_TERMS:
        raise bad()
    return tuple(term(v, bad) for v in items)


def term(value: object, bad) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip() or len(str(value)) > MAX_TERM \
            or characters.problem(str(value), one_line=True, limit=MAX_TERM):
        raise bad(f"（每个词是一行不超过 {MAX_TERM} 字的文字）")
    return str(value).strip()


def known(entry: Mapping, allowed: Iterable[str], path: Path, where: str) -> None:
    allowed = tuple(allowed)
    for key in entry:
        if isinstance(key, bool):  # YAML 1.1 reads a key off / on / yes / no as false or true
            raise ParamsError(f"字段名被 YAML 读成了真假值 {str(key).lower()}（off、on、yes、no 都会这样）", file=path,
                              key=where or None, hint=f"关掉内置规则写 disabled: true；这里可用的字段：{'、'.join(allowed)}")
        if key not in allowed:
            raise ParamsError(f"不认识的字段 {shown(key)}", file=path, key=where or None,
                              hint=f"这里可用的字段：{'、'.join(allowed)}")


def text(value: object, path: Path, key: str, what: str, required: bool = True) -> str:
    if value is None or value == "":
        if required:
            raise ParamsError(f"缺少{what}", file=path, key=key)
        return ""
    if not isinstance(value, str):
        raise ParamsError(f"{what}应是一行文字", file=path, key=key)
    found = characters.problem(value, one_line=True, limit=MAX_TEXT)
    if found:
        raise ParamsError(found[0], file=path, key=key, hint=found[1])
    return value.strip()


def shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"



__all__ = ["MAX_TERM", "MAX_TERMS", "MAX_TEXT", "SEVERITIES", "field_value", "known", "shown", "text"]
