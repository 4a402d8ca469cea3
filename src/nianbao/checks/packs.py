"""Rule packs: the checks an office or an evaluator adds to the format's own, written as YAML data.

A pack names the notice it implements and holds rules of the kinds in :mod:`nianbao.checks.kinds`.
Packs in ``params/rules/*.yaml`` apply to every check of the project; ``--rules FILE`` adds one for
a run. A pack is read whole and checked before any work starts: an unknown kind, an unknown or bad
field, or an id used twice is refused with the file, the rule and what to write instead. Nothing in
a pack is evaluated — no expressions, no regular expressions, no paths.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import yamlfile
from ..errors import ParamsError
from ..params import Project
from .core import RULES, Rule
from .fields import SEVERITIES, field_value, known, shown, text
from .kinds import KINDS
from .texts import place

#: Most rules a pack may hold.
MAX_RULES = 10_000
#: A rule's id: letters, digits, ``-``, ``_`` and ``.``, opening with a letter.
RULE_ID = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,39}")
_PACK_KEYS = ("name", "notice", "years", "rules")
_COMMON = ("id", "kind", "severity", "message", "hint")


@dataclass(frozen=True)
class Notice:
    """The document a pack implements: a province's or city's notice, an evaluator's criteria."""

    title: str
    issuer: str
    date: str  # ISO


@dataclass(frozen=True)
class Change:
    """A built-in rule switched off, or given another severity, by a pack."""

    id: str  # the pack's own id for the change
    rule: str  # the built-in rule it changes
    pack: str
    why: str
    disabled: bool = False
    severity: str = ""


@dataclass(frozen=True)
class Pack:
    name: str
    notice: Notice
    file: Path
    rules: tuple[Rule, ...]
    changes: tuple[Change, ...] = ()
    years: tuple[int, ...] = field(default=())  # the report years it applies to (all when empty)
    #: What the pack asks of the narrative, for whoever writes it: (narrative key, the rule's words).
    guidance: tuple[tuple[str, str], ...] = ()

    def applies(self, year: int) -> bool:
        return not self.years or year in self.years


_cache: dict[tuple, tuple[Pack, ...]] = {}


def load(project: Project) -> tuple[Pack, ...]:
    """Every pack of the project (its folder's and :attr:`Project.rules`), read and checked together:
    an id may be used once across them all. Read once while the files are unchanged.
    """
    files = project.rule_files()
    stamp = tuple((str(p), *_stat(p)) for p in files)
    if stamp not in _cache:
        packs = read_all(files)
        _cache.clear()
        _cache[stamp] = packs
    return _cache[stamp]


def read_all(files: Iterable[Path]) -> tuple[Pack, ...]:
    """Several packs used together (a project's, or an audit's ``--rules``): each read and checked,
    and an id used once across them all.
    """
    packs = tuple(read(Path(p)) for p in files)
    _distinct(packs)
    return packs


def _stat(path: Path) -> tuple[int, int]:
    try:
        s = path.stat()
    except FileNotFoundError:
        raise ParamsError("找不到规则包文件", file=path, hint="请检查 --rules 给出的路径") from None
    return s.st_mtime_ns, s.st_size


def _distinct(packs: Iterable[Pack]) -> None:
    seen: dict[str, Path] = {}
    for pack in packs:
        for id_ in [r.id for r in pack.rules] + [c.id for c in pack.changes]:  # a change's id is an id too
            if id_ in seen:
                raise ParamsError(f"规则编号 {id_} 已在规则包 {seen[id_]} 中用过", file=pack.file, key=id_,
                                  hint="各规则包的编号不能重复；请给本规则换一个编号（如加上规则包的简称作前缀）")
            seen[id_] = pack.file
    changed: dict[str, Path] = {}
    for pack in packs:
        for c in pack.changes:
            if c.rule in changed:
                raise ParamsError(f"内置规则 {c.rule} 已由规则包 {changed[c.rule]} 改过", file=pack.file, key=c.id,
                                  hint="一条内置规则只能由一个规则包关掉或改级别；请删去其中一处")
            changed[c.rule] = pack.file


def read(path: Path) -> Pack:
    """One pack file, checked whole; raises :class:`ParamsError` naming the file, the rule and the fix."""
    data = yamlfile.read(path, ParamsError)
    if not isinstance(data, dict):
        raise ParamsError("规则包应是一个映射，含 name、notice、rules", file=path, hint="见 README 的“规则包”一节的示例")
    known(data, _PACK_KEYS, path, "")
    name = text(data.get("name"), path, "name", "规则包的名称")
    notice = _notice(data.get("notice"), path)
    years = _years(data.get("years"), path)
    rules = data.get("rules")
    if not isinstance(rules, list) or not rules:
        raise ParamsError("rules 应是规则的列表，至少一条", file=path, key="rules")
    if len(rules) > MAX_RULES:
        raise ParamsError(f"规则包有 {len(rules):,} 条规则，上限 {MAX_RULES:,} 条", file=path, key="rules",
                          hint="请拆成几个规则包")
    own: list[Rule] = []
    guidance: list[tuple[str, str]] = []
    changes: list[Change] = []
    ids: dict[str, int] = {}
    national = {r.id for r in RULES}
    for i, entry in enumerate(rules, 1):
        made = _rule(entry, i, path, name, national)
        if made.id in ids:
            raise ParamsError(f"规则编号 {made.id} 用了两次（第 {ids[made.id]} 条和第 {i} 条）", file=path,
                              key=f"rules 第 {i} 条", hint="每条规则的编号在规则包中只能出现一次")
        ids[made.id] = i
        if isinstance(made, Change):
            changes.append(made)
        else:
            own.append(made)
            key = _section_of(entry, made)
            if key:
                guidance.append((key, made.title + (f"（{made.hint}）" if made.hint else "")))
    return Pack(name, notice, path, tuple(own), tuple(changes), years, tuple(guidance))


def _section_of(entry: dict, made: Rule) -> str:
    """The narrative section a rule is about, for the template's guidance ("" for none): a part's
    rule goes with the part's first section.
    """
    if entry.get("kind") == "follows_up":
        return "problems.problems"
    named = entry.get("part") or entry.get("section")
    found = place(str(named)) if named else None
    return found.keys[0] if found else ""


def guidance(packs: Iterable[Pack], year: int) -> dict[str, list[str]]:
    """What the packs that apply to ``year`` ask of each narrative section, in pack order."""
    out: dict[str, list[str]] = {}
    for pack in packs:
        if pack.applies(year):
            for key, words in pack.guidance:
                out.setdefault(key, []).append(words)
    return out


def _rule(entry: object, i: int, path: Path, pack: str, national: set[str]) -> Rule | Change:
    where = f"rules 第 {i} 条"
    if not isinstance(entry, dict):
        raise ParamsError("每条规则应是一个映射（id、kind、severity、message …）", file=path, key=where)
    id_ = entry.get("id")
    if not isinstance(id_, str) or not RULE_ID.fullmatch(id_):
        raise ParamsError(f"规则编号 {id_!r} 不合用", file=path, key=f"{where}.id",
                          hint="编号以字母开头，只用字母、数字和 - _ .，不超过 40 个字符，如 WW-1")
    where = f"{where}（{id_}）"
    kind_name = entry.get("kind")
    if kind_name not in KINDS:
        raise ParamsError(f"规则类型 {kind_name!r} 不认识", file=path, key=f"{where}.kind",
                          hint=f"可用的类型：{'、'.join(KINDS)}（见 README 的“规则包”一节）")
    kind = KINDS[str(kind_name)]
    known(entry, dict.fromkeys((*_COMMON, *kind.fields)), path, where)  # national's severity is in both
    for need in kind.required:
        given = [f for f in need if f in entry]
        if not given:
            raise ParamsError(f"{kind.name} 类规则需要 {' 或 '.join(need)}", file=path, key=where,
                              hint="；".join(f"{f}：{kind.fields[f]}" for f in need))
        if len(given) > 1 and need in (("part", "section"), ("cell", "cells"), ("disabled", "severity")):
            raise ParamsError(f"{' 和 '.join(given)} 只能写一个", file=path, key=where)
    message = text(entry.get("message"), path, f"{where}.message", "规则的说明（结果中显示）")
    hint = text(entry.get("hint", ""), path, f"{where}.hint", "怎么改", required=False)
    fields = {f: field_value(kind.name, f, entry[f], path, f"{where}.{f}", kind.fields[f]) for f in kind.fields if f in entry}
    if kind.name == "national":
        if id_ in national:
            raise ParamsError(f"规则编号 {id_} 与内置规则重名", file=path, key=f"{where}.id", hint="请另取一个编号，内置规则写在 rule 中")
        target = fields["rule"]
        if target not in national:
            raise ParamsError(f"没有编号为 {target} 的内置规则", file=path, key=f"{where}.rule",
                              hint=f"内置规则：{'、'.join(sorted(national))}")
        return Change(id_, str(target), pack, message, bool(fields.get("disabled")), str(fields.get("severity", "")))
    if id_ in national:
        raise ParamsError(f"规则编号 {id_} 与内置规则重名", file=path, key=f"{where}.id",
                          hint="请另取一个编号；要改内置规则的严重程度或关掉它，用 national 类规则")
    severity = SEVERITIES.get(str(entry.get("severity", "")))
    if not severity:
        raise ParamsError(f"严重程度 {entry.get('severity')!r} 不认识", file=path, key=f"{where}.severity",
                          hint="写 error（错误）、warning（警告）或 info（提示）")
    if "at_least" in fields and "at_most" in fields and fields["at_least"] > fields["at_most"]:  # type: ignore[operator]
        raise ParamsError("at_least 大于 at_most，没有数能满足", file=path, key=where)
    if "part" in fields or "section" in fields:
        fields["place"] = fields.pop("part", None) or fields.pop("section")
    if kind.name == "figure":
        fields.setdefault("units", ("个", "家", "件", "次", "条", "期", "篇", "场", "人", "项"))
        if "equals" in fields:
            fields["equals_cells"] = fields.pop("equals")
    if kind.name == "cell":
        fields["cells"] = fields.pop("cell", None) or fields["cells"]
    return Rule(id_, message, severity, "", 0, kind.make(fields), hint=hint, pack=pack)


def _notice(value: object, path: Path) -> Notice:
    if not isinstance(value, dict):
        raise ParamsError("缺少 notice（规则包所依据的通知：title、issuer、date）", file=path, key="notice")
    known(value, ("title", "issuer", "date"), path, "notice")
    date = value.get("date")
    iso = date.isoformat() if isinstance(date, dt.date) else str(date or "")
    try:
        dt.date.fromisoformat(iso)
    except ValueError:
        raise ParamsError(f"通知的日期 {shown(date)} 不是日期", file=path, key="notice.date", hint="写成 2025-12-19") from None
    return Notice(text(value.get("title"), path, "notice.title", "通知的标题"),
                  text(value.get("issuer"), path, "notice.issuer", "发文机关"), iso)


def _years(value: object, path: Path) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(y, int) and not isinstance(y, bool) and 2000 <= y <= 2100 for y in value):
        raise ParamsError("years 应是报告年度的列表，如 [2025]", file=path, key="years")
    return tuple(value)


def catalogue(national: Iterable[Rule], packs: Iterable[Pack], year: int) -> list[tuple[Rule, Change | None]]:
    """The rules a report of ``year`` is checked by: the built-in ones (with the packs' changes —
    a rule switched off comes with the change that did it), then each pack's own.
    """
    packs = [p for p in packs if p.applies(year)]
    changes = {c.rule: c for p in packs for c in p.changes}
    out: list[tuple[Rule, Change | None]] = []
    for r in national:
        c = changes.get(r.id)
        if c and c.disabled:
            out.append((r, c))
        elif c:
            out.append((replace(r, severity=c.severity, pack=c.pack), None))
        else:
            out.append((r, None))
    out += [(r, None) for p in packs for r in p.rules]
    return out


__all__ = ["MAX_RULES", "Change", "Notice", "Pack", "catalogue", "guidance", "load", "read", "read_all"]
