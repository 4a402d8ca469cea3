"""YAML inputs read as plain data: UTF-8 text, no aliases, no duplicate keys.

Every YAML file the kit reads (data, params, registry, reviews) goes through :func:`read`, so each
hostile or foreign file fails the same way, fast, with the file and the line:

- an alias (``*name``) is refused when it is constructed, so an alias bomb costs nothing;
- a key written twice in one mapping is refused with both line numbers (YAML would keep the last);
- a file that is not UTF-8 is refused, naming the encoding it seems to be in and what to save it as;
- a file far larger than any YAML input, or a workbook or PDF under a ``.yaml`` name, is refused
  before it is parsed (:mod:`nianbao.inputs`);
- a number that YAML 1.1 would read as another number (``012`` octal, ``1:30`` sexagesimal, ``0x1F``,
  ``1_000``) is refused, naming its line.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import Any

import yaml

from . import inputs
from .errors import DataError, NianbaoError

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ten times faster


class _Refused(Exception):
    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message, self.line = message, line


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """The safe loader, refusing aliases and duplicate keys."""

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects or node in self.recursive_objects:
            line = node.start_mark.line + 1
            raise _Refused(f"用了 YAML 锚点和别名（&… / *…）：第 {line} 行起的内容在别处被引用；请把内容直接写出", line)
        return super().construct_object(node, deep)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: dict[object, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    continue  # a complex key: the constructor refuses it as unhashable
                build = self.yaml_constructors.get(key_node.tag)
                key = build(self, key_node) if build else key_node.value  # a scalar: built without caching
                line = key_node.start_mark.line + 1
                if key in seen:
                    raise _Refused(f"键“{key}”写了两次（第 {seen[key]} 行和第 {line} 行）；请只保留一处", line)
                seen[key] = line
        return super().construct_mapping(node, deep)


#: Numbers as people write them. YAML 1.1 also reads ``012`` as octal 10, ``1:30`` as 90, ``0x1F``,
#: ``0b11`` and ``1_000``: silently other numbers than the ones an analyst meant, so refused.
_PLAIN_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)")
_PLAIN_FLOAT = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


def _int(loader: _Loader, node: yaml.ScalarNode) -> int:
    if not _PLAIN_INT.fullmatch(node.value):
        raise _Refused(
            f"第 {node.start_mark.line + 1} 行的数字“{node.value}”的写法会被读成别的数（八进制、六十进制、十六进制或带下划线）；"
            "请只写十进制数字，不要以 0 开头，或加引号写成文字", node.start_mark.line + 1,
        )
    return int(node.value)


def _float(loader: _Loader, node: yaml.ScalarNode) -> float:
    if not _PLAIN_FLOAT.fullmatch(node.value):
        raise _Refused(f"第 {node.start_mark.line + 1} 行的数字“{node.value}”的写法会被读成别的数（六十进制或带下划线）；请只写十进制数字", node.start_mark.line + 1)
    return yaml.SafeLoader.construct_yaml_float(loader, node)


def _timestamp(loader: _Loader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:  # 2025-02-30: written as a date, but no such day
        line = node.start_mark.line + 1
        raise _Refused(f"第 {line} 行的日期“{node.value}”不存在；请写成日历上有的日期，如 2025-01-20", line) from None


_Loader.add_constructor("tag:yaml.org,2002:int", _int)
_Loader.add_constructor("tag:yaml.org,2002:float", _float)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)

#: What YAML's parser says of the usual slips, as the reader is told it.
_PROBLEMS = (
    ("found unhashable key", "键不能是列表或映射（如 [a]: 或 {a: 1}:）"),
    ("mapping values are not allowed", "这里不能有冒号加空格；值中有“: ”时请给整个值加引号"),
    ("could not find expected ':'", "少了冒号，或上一行的引号没有配对"),
    ("did not find expected key", "缩进不对齐，或少了冒号"),
    ("expected <block end>", "缩进不对齐"),
    ("found unexpected end of stream", "引号没有配对"),
    ("found undefined alias", "用了 YAML 别名（*…）"),
    ("cannot start any token", "这个字符不能出现在值的开头；请给整个值加引号"),
)


def kind_of(value: object) -> str:
    """What a value read from YAML is, in the words of a message: 文字, 数字, 列表 …"""
    import datetime as dt

    kinds = ((bool, "是或否"), ((int, float), "数字"), (str, "文字"), (list, "列表"), (dict, "映射（键: 值）"),
             (dt.datetime, "日期时间"), (dt.date, "日期"))
    return next((said for kind, said in kinds if isinstance(value, kind)), "空" if value is None else "其他值")


def text(path: Path, error: type[NianbaoError] = DataError) -> str:
    """The file's text as UTF-8 (a BOM is allowed); any other encoding is refused with what to do."""
    raw = inputs.read(path, "yaml", error)  # its size, and not a workbook or a PDF under the wrong name
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise error("文件是 UTF-16 编码", file=path, hint="请用记事本或编辑器“另存为”UTF-8 编码") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        said = seems(raw)
        raise error(
            f"文件不是 UTF-8 编码（第 {line} 行起无法按 UTF-8 读取{said}）",
            file=path,
            hint="请用记事本或编辑器“另存为”UTF-8 编码后再试",
        ) from None


def seems(raw: bytes) -> str:
    """What a text that is not UTF-8 seems to be in, as a clause to add to the refusal ("" if unknown)."""
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return ""
    return "，看来是 GBK / GB18030 编码"


def read(path: Path, error: type[NianbaoError] = DataError) -> Any:
    """The file's YAML as plain Python data; raises ``error`` naming the file (and line) on any problem.

    ``FileNotFoundError`` passes through for the caller to explain what file should be there.
    """
    source = text(path, error)
    try:
        return yaml.load(source, Loader=_Loader)
    except _Refused as exc:
        raise error(exc.message, file=path) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as a control character
        found = yaml.reader.Reader.NON_PRINTABLE.search(source)
        line = source.count("\n", 0, found.start()) + 1 if found else "?"
        raise error(f"第 {line} 行有 YAML 文件中不能有的控制字符（U+{exc.character:04X}）", file=path,
                    hint="请删除这个字符（它常随从其他软件复制的文字带入，看不见）") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"（第 {mark.line + 1} 行）" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        said = next((ours for theirs, ours in _PROBLEMS if theirs in problem), f"（{problem}）")
        lines = source.splitlines()
        if mark and mark.line < len(lines) and "\t" in lines[mark.line]:
            said = "用了制表符（Tab）：YAML 只能用空格缩进和对齐"
        raise error(f"YAML 格式错误{where}：{said}", file=path, hint="请检查该行的缩进、冒号和引号") from None
    except RecursionError:
        raise error("YAML 嵌套过深", file=path) from None


__all__ = ["kind_of", "read", "seems", "text"]
