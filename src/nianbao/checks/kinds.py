"""The kinds of rule a rule pack may hold: what each reads, the fields it takes, and how it checks.

A pack (:mod:`nianbao.checks.packs`) is data; each of its rules names one kind here, and the kind
turns the rule's fields into a check like the built-in ones — a function of the report's
:class:`~nianbao.checks.core.Context` that yields results and never raises. Nothing in a pack is
evaluated: terms are literal text, numbers are numbers, places are the format's own names.

Kinds:

- ``length``: a part's or section's text has at most / at least N characters (汉字和数字 by default);
- ``mentions``: a part or section mentions each of some terms (a term may have synonyms);
- ``figure``: a part or section gives a figure next to a term (“政务新媒体……N个”), optionally
  equal to a table cell or sum, or at least / at most N;
- ``cell``: a table cell, or a sum of cells, is filled in / at least / at most / equal to N;
- ``dated``: the report's 落款 date is on or before a date (“01-31”: 31 January of the next year);
- ``follows_up``: part 五 refers to last year's problems (a wording, or a run of words from last
  year's part 五);
- ``national``: a built-in rule switched off, or its severity changed (handled by the pack reader).
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ..format import describe
from ..model import is_figure, is_unknown, placeholder_key
from .core import FAILED, PASSED, SKIPPED, UNCERTAIN, Context, Result, Rule, fmt
from .texts import COUNTS, PLACES, Place, count, figures_near, folded, found, named, runs, sentences, windows

# ---------------------------------------------------------------- cells


def cell_key(name: str) -> str | None:
    """A cell a pack names: its key (``A.normative.issued``) or a placeholder alias (``规范性文件制发``)."""
    return placeholder_key(str(name).strip())


def _sum(c: Context, keys: tuple[str, ...]) -> tuple[int | float | None, list[str]]:
    """The cells' sum (blank and dashes as 0) and the cells that are not figures (unknown)."""
    unknown = [k for k in keys if c.number(k) is None]
    return (None if unknown else sum(c.number(k) for k in keys)), unknown  # type: ignore[misc]


def _cells_name(keys: tuple[str, ...]) -> str:
    return describe(keys[0]) if len(keys) == 1 else "、".join(describe(k) for k in keys) + " 之和"


# ---------------------------------------------------------------- the kinds


@dataclass(frozen=True)
class Kind:
    """A kind of rule: its fields (name → what it must be, for the pack reader) and its check,
    ``check(fields, rule, context)`` — a module-level function, so that a pack's rule (the check with
    its fields bound) goes to worker processes as data.
    """

    name: str
    fields: Mapping[str, str]  # field → the reader's description of a good value
    required: tuple[tuple[str, ...], ...]  # each tuple: one of these fields must be given
    check: Callable[[Mapping[str, object], Rule, Context], Iterator[Result]]

    def make(self, fields: Mapping[str, object]) -> Callable[[Rule, Context], Iterator[Result]]:
        return functools.partial(self.check, dict(fields))


def _length(f: Mapping[str, object], r: Rule, c: Context) -> Iterator[Result]:
    where: Place = f["place"]  # type: ignore[assignment]
    most, least, how = f.get("at_most"), f.get("at_least"), str(f.get("count", "汉字和数字"))
    n = count(where.text(c), how)
    bounds = "、".join(b for b in (f"至少 {least}" if least is not None else "", f"至多 {most}" if most is not None else "") if b)
    ok = (most is None or n <= most) and (least is None or n >= least)  # type: ignore[operator]
    yield r.result(PASSED if ok else FAILED, f"{where.name}共 {n} 字（{COUNTS[how]}），要求{bounds} 字",
                   where=where.name, observed=n, expected=most if most is not None else least)


def _mentions(f: Mapping[str, object], r: Rule, c: Context) -> Iterator[Result]:
    where: Place = f["place"]  # type: ignore[assignment]
    terms: tuple[tuple[str, ...], ...] = f["terms"]  # type: ignore[assignment]
    text = where.text(c)
    missing = [t for t in terms if not found(text, t)]
    if missing:
        yield r.result(FAILED, f"{where.name}没有写到{'、'.join(named(t) for t in missing)}", where=where.name,
                       observed=len(terms) - len(missing), expected=len(terms))
    else:
        yield r.result(PASSED, f"{where.name}写到了{'、'.join(t[0] for t in terms)}", where=where.name)


def _figure(f: Mapping[str, object], r: Rule, c: Context) -> Iterator[Result]:
    where: Place = f["place"]  # type: ignore[assignment]
    terms: tuple[str, ...] = f["term"]  # type: ignore[assignment]
    units: tuple[str, ...] = f["units"]  # type: ignore[assignment]
    keys: tuple[str, ...] = f.get("equals_cells", ())  # type: ignore[assignment]
    least, most = f.get("at_least"), f.get("at_most")
    stated_all = figures_near(where.text(c), terms, units)
    if not stated_all:
        yield r.result(FAILED, f"{where.name}没有写明{named(terms)}的数量（如“{terms[0]}……N{units[0]}”）", where=where.name)
        return
    clause, stated = stated_all[0]
    if keys:
        expected, unknown = _sum(c, keys)
        if expected is None:
            yield r.result(UNCERTAIN, f"叙述“{clause}”写 {fmt(stated)}，{_cells_name(keys)}无法确定，无法核对",
                           where=where.name, cells=tuple(unknown), observed=stated)
        elif stated != expected:
            yield r.result(FAILED, f"叙述“{clause}”写 {fmt(stated)}，而{_cells_name(keys)}为 {fmt(expected)}",
                           where=where.name, cells=keys, observed=stated, expected=expected)
        else:
            yield r.result(PASSED, f"叙述“{clause}”与{_cells_name(keys)}相符（{fmt(stated)}）",
                           where=where.name, cells=keys, observed=stated, expected=expected)
        return
    if least is not None and stated < least or most is not None and stated > most:  # type: ignore[operator]
        bound = f"至少 {least}" if least is not None and stated < least else f"至多 {most}"  # type: ignore[operator]
        yield r.result(FAILED, f"叙述“{clause}”写 {fmt(stated)}，要求{bound}", where=where.name, observed=stated)
    else:
        yield r.result(PASSED, f"叙述“{clause}”写明了{terms[0]}的数量（{fmt(stated)}）", where=where.name, observed=stated)


def _cell(f: Mapping[str, object], r: Rule, c: Context) -> Iterator[Result]:
    keys: tuple[str, ...] = f["cells"]  # type: ignore[assignment]
    filled, least, most, equals = bool(f.get("filled")), f.get("at_least"), f.get("at_most"), f.get("equals")
    name = _cells_name(keys)
    values = [c.data.cells[k] for k in keys]
    unknown = [k for k, v in zip(keys, values) if is_unknown(v)]
    if unknown:
        yield r.result(UNCERTAIN, f"{name}：{'、'.join(describe(k) for k in unknown)} 无法确定，本项无法核对",
                       where=name, cells=tuple(unknown))
        return
    if filled and (empty := [k for k, v in zip(keys, values) if not is_figure(v)]):
        yield r.result(FAILED, f"{'、'.join(describe(k) for k in empty)} 没有填写数字（空白或横线）", where=name,
                       cells=tuple(empty))
        return
    total, _ = _sum(c, keys)
    problems = []
    if least is not None and total < least:  # type: ignore[operator]
        problems.append(f"应至少为 {fmt(least)}")
    if most is not None and total > most:  # type: ignore[operator]
        problems.append(f"应至多为 {fmt(most)}")
    if equals is not None and total != equals:
        problems.append(f"应为 {fmt(equals)}")
    if problems:
        yield r.result(FAILED, f"{name}为 {fmt(total)}，{'，'.join(problems)}", where=name, cells=keys,
                       observed=total, expected=equals)
    else:
        yield r.result(PASSED, f"{name}为 {fmt(total)}，符合要求", where=name, cells=keys, observed=total)


def deadline(by: str, year: int) -> dt.date:
    """``by`` for a report of ``year``: ``MM-DD`` is that day of the next year (``02-29`` the last day
    of February, when that year has no 29th); ``YYYY-MM-DD`` as written.
    """
    if len(by) == 5:
        if by == "02-29" and not calendar.isleap(year + 1):
            by = "02-28"
        return dt.date.fromisoformat(f"{year + 1}-{by}")
    return dt.date.fromisoformat(by)


def _dated(f: Mapping[str, object], r: Rule, c: Context) -> Iterator[Result]:
    last = deadline(str(f["by"]), c.data.year)
    shown = f"{last.year}年{last.month}月{last.day}日"
    if not c.data.published:
        yield r.result(SKIPPED, f"报告没有落款日期或发布日期，无法核对是否在 {shown} 前发布", where="发布日期")
        return
    day = dt.date.fromisoformat(c.data.published)
    late = (day - last).days
    yield r.result(PASSED if late <= 0 else FAILED,
                   f"报告日期 {day.year}年{day.month}月{day.day}日" + (f"，不晚于 {shown}" if late <= 0 else f"，晚于 {shown} {late} 天"),
                   where="发布日期", observed=c.data.published, expected=last.isoformat())


#: How a report says it looks back at last year's problems, when a pack gives no wording of its own.
FOLLOW_UP_WORDING = ("上一年度报告", "上年度报告", "上年报告", "上一年度年报", "上年年报", "去年报告", "上年度存在的问题",
                     "上一年度存在的问题", "上年存在的问题", "上年度问题", "上年度年报")
#: A sentence looks back at last year's problems when it names last year, a problem and what was done
#: about it (“针对2022年存在的政策解读质量不高问题，进行了整改”).
LAST_YEAR = ("上年", "上一年", "去年")
PROBLEM = ("问题", "不足", "差距", "短板")
DONE = ("整改", "改进", "解决", "落实", "完善", "提升", "改善")
#: How many Chinese characters in a row from last year's problems count as referring to them: long
#: enough that the phrases every report shares (“区政府信息公开工作”) do not.
FOLLOW_UP_RUN = 12
_PART_FIVE = Place(("problems.problems", "problems.improvements"), "第五部分")


def _follows_up(f: Mapping[str, object], r: Rule, c: Context) -> Iterator[Result]:
    wording: tuple[str, ...] = f.get("wording") or FOLLOW_UP_WORDING  # type: ignore[assignment]
    run = int(f.get("run", FOLLOW_UP_RUN))  # type: ignore[call-overload]
    text = _PART_FIVE.text(c)
    plain = folded(text)  # folded once, not once per wording
    said = next((w for w in wording if folded(w) in plain), None)
    if not said and not f.get("wording"):  # the pack's own wording replaces the default grammar too
        said = _looks_back(text, c.data.year)
    if said:
        yield r.result(PASSED, f"第五部分回顾了上年的问题（“{_short(said)}”）", where=_PART_FIVE.name)
        return
    from .. import prose

    before = runs(folded(prose.plain(c.previous_texts.get("problems.problems", ""))), run)
    shared = next((w for w in windows(plain, run) if w in before), None)
    if shared:
        yield r.result(PASSED, f"第五部分写到上年报告所列的问题（“{shared}”）", where=_PART_FIVE.name)
        return
    why = "" if c.previous_texts else f"（没有 {c.data.year - 1} 年的报告可比）"
    yield r.result(FAILED, f"第五部分没有回顾上年报告提出的问题{why}", where=_PART_FIVE.name)


def _short(sentence: str, most: int = 40) -> str:
    return sentence if len(sentence) <= most else sentence[: most - 1] + "…"


def _looks_back(text: str, year: int) -> str | None:
    """The first sentence that names last year, a problem and its mending; ``None`` when none does."""
    for sentence in sentences(text):
        plain = folded(sentence)
        if any(w in plain for w in (*LAST_YEAR, f"{year - 1}年")) and any(w in plain for w in PROBLEM) \
                and any(w in plain for w in DONE):
            return sentence
    return None


def _national(f: Mapping[str, object], r: Rule, c: Context) -> Iterator[Result]:
    return iter(())  # a change to a built-in rule is applied by the pack reader (packs.catalogue)


_PLACE = f"部分或节：{PLACES}"
_TERMS = "词语的列表（每项是一个词，或同义词的列表）"
_N = "不小于 0 的整数"
KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("length", {"part": _PLACE, "section": _PLACE, "at_most": _N, "at_least": _N, "count": "汉字和数字 或 全部字符"},
         (("part", "section"), ("at_most", "at_least")), _length),
    Kind("mentions", {"part": _PLACE, "section": _PLACE, "terms": _TERMS}, (("part", "section"), ("terms",)), _mentions),
    Kind("figure", {"part": _PLACE, "section": _PLACE, "term": "一个词，或同义词的列表", "units": "量词的列表，如 [个, 家]",
                    "equals": "单元格（键名或别名），或单元格的列表（求和）", "at_least": "数", "at_most": "数"},
         (("part", "section"), ("term",)), _figure),
    Kind("cell", {"cell": "单元格（键名或别名）", "cells": "单元格的列表（求和）", "filled": "true",
                  "at_least": "数", "at_most": "数", "equals": "数"},
         (("cell", "cells"), ("filled", "at_least", "at_most", "equals")), _cell),
    Kind("dated", {"by": "MM-DD（报告年度的次年）或 YYYY-MM-DD"}, (("by",),), _dated),
    Kind("follows_up", {"wording": _TERMS, "run": "4 到 50 的整数"}, (), _follows_up),
    Kind("national", {"rule": "内置规则的编号，如 X-CHANGE", "disabled": "true", "severity": "error、warning 或 info"},
         (("rule",), ("disabled", "severity")), _national),
)}


__all__ = ["FOLLOW_UP_WORDING", "KINDS", "Kind", "cell_key", "deadline"]
