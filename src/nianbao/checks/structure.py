"""The report as a document: its six parts, part 五, the year it speaks of, and text copied from last year."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import NamedTuple

from ..format import NARRATIVE_KEYS, PART_VARIANTS, PARTS, alike
from .core import COPY_THRESHOLD, ERROR, FAILED, PASSED, RULES, WARNING, Context, Result, Rule, rule


@rule("R-PARTS", "六个部分齐全，标题与顺序符合格式", ERROR)
def _r_parts(r: Rule, c: Context) -> Iterator[Result]:
    if not c.data.headings:
        yield r.result(PASSED, "报告按格式生成，六个部分齐全、顺序正确")
        return
    yield from _published_headings(r, list(c.data.headings))


def _norm(text: str) -> str:

    return re.sub(r"[\s、.．:：]", "", unicodedata.normalize("NFKC", text))


def _published_headings(r: Rule, headings: list[str]) -> Iterator[Result]:
    found = _found_headings(headings)
    indices = [i for i, *_ in found]
    missing = [PARTS[i].heading for i in range(len(PARTS)) if i not in indices]
    if missing:
        yield r.result(FAILED, f"缺少第{'、'.join(m.split('、')[0] for m in missing)}部分：{'；'.join(missing)}",
                       where="报告结构", observed=len(set(indices)), expected=len(PARTS))
    if indices != sorted(indices):
        yield r.result(FAILED, "六个部分的顺序与格式不符：" + " → ".join(f.heading for f in found), where="报告结构")
    if not missing and indices == sorted(indices):
        yield r.result(PASSED, "六个部分齐全，顺序正确", where="报告结构")


class _Found(NamedTuple):
    """A published heading that names a part."""

    part: int  # the part's index in PARTS
    number: str  # as printed ("" for none)
    heading: str  # the whole heading
    title: str  # the heading without its number: the part's title as printed


def _found_headings(headings: list[str]) -> list[_Found]:
    """Each published heading that names a part, by the format's title or a known variant."""
    titles = [[_norm(t) for t in (p.title, *PART_VARIANTS.get(p.key, ()))] for p in PARTS]
    found = []
    for heading in headings:
        match = re.match(r"^\s*([一二三四五六七八九十]*)\s*[、.．]?\s*(.*)$", heading)
        number, printed = match.group(1), match.group(2)  # type: ignore[union-attr]
        title = _norm(printed)
        index = next((i for i, ts in enumerate(titles) if any(t in title or title in t and title for t in ts)), None)
        if index is None and number:  # a slip of a character in a numbered heading ("…行政诉讼请况")
            index = next((i for i, ts in enumerate(titles) if any(alike(title[:len(t)], t) for t in ts if len(t) >= 4)), None)
        if index is not None:
            found.append(_Found(index, number, heading.strip(), printed))
    return found


@rule("R-NUMBERS", "各部分标题的编号与格式一致", WARNING)
def _r_numbers(r: Rule, c: Context) -> Iterator[Result]:
    if not c.data.headings:
        yield r.result(PASSED, "报告按格式生成，各部分编号正确")
        return
    slips = 0
    for index, number, heading, printed in _found_headings(list(c.data.headings)):
        part = PARTS[index]
        if number != part.number:
            slips += 1
            shown = f"编号为“{number}”" if number else "没有编号"
            yield r.result(FAILED, f"第{part.number}部分的标题“{heading}”{shown}，格式为“{part.heading}”", where="报告结构")
        if _norm(part.title) not in _norm(printed):
            slips += 1
            yield r.result(FAILED, f"第{part.number}部分标题为“{printed}”，格式为“{part.title}”", where="报告结构")
    if not slips:
        yield r.result(PASSED, "各部分标题的编号与格式一致", where="报告结构")


@rule("R-PROBLEMS", "第五部分（存在的主要问题及改进情况）不为空", ERROR)
def _r_problems(r: Rule, c: Context) -> Iterator[Result]:
    texts = _part_five(c)
    if not any(texts.values()):
        yield r.result(FAILED, "第五部分没有内容：应写明存在的主要问题和改进情况", where="第五部分")
    else:
        yield r.result(PASSED, "第五部分有内容", where="第五部分")


def _part_five(c: Context) -> dict[str, str]:
    return {k: c.texts.get(k, "").strip() for k in ("problems.problems", "problems.improvements")}


@rule("R-IMPROVE", "第五部分既写明问题，也写明改进情况", WARNING)
def _r_improve(r: Rule, c: Context) -> Iterator[Result]:
    texts = _part_five(c)
    if not any(texts.values()):
        yield r.skipped("第五部分没有内容（见 R-PROBLEMS）", where="第五部分")
    elif not all(texts.values()):
        empty = "存在的主要问题" if not texts["problems.problems"] else "改进情况"
        yield r.result(FAILED, f"第五部分缺少“{empty}”", where="第五部分")
    else:
        yield r.result(PASSED, "第五部分写明了问题和改进情况", where="第五部分")


_PERIOD = re.compile(r"(\d{4})\s*年\s*1\s*月\s*1\s*日\s*(?:起)?\s*(?:至|到|—|-|－|~)\s*(\d{4})\s*年\s*12\s*月\s*31\s*日")
_REPORT_YEAR = re.compile(r"(\d{4})\s*年度?政府信息公开工作(?:年度)?报告")


@rule("N-YEAR", "叙述中的统计年度与报告年度一致", WARNING)
def _n_year(r: Rule, c: Context) -> Iterator[Result]:
    found = False
    for key in NARRATIVE_KEYS:
        text = c.texts.get(key, "")
        for pattern, what in ((_PERIOD, "统计期限"), (_REPORT_YEAR, "报告年度")):
            for match in pattern.finditer(text):
                found = True
                years = {int(y) for y in match.groups()}
                ok = years == {c.data.year}
                yield r.result(
                    PASSED if ok else FAILED,
                    f"叙述“{match.group(0)}”：{what}" + ("与报告年度相符" if ok else
                                                       f"写的是 {'、'.join(map(str, sorted(years)))} 年，而报告年度是 {c.data.year} 年"),
                    where=f"叙述 {key}", observed=sorted(years), expected=c.data.year,
                )
    if not found:
        yield r.skipped("叙述中没有写明统计期限或报告年度")


def _shingles(text: str, n: int = 5) -> set[str]:
    text = re.sub(r"[\s\d]+", "", text)
    return {text[i : i + n] for i in range(max(len(text) - n + 1, 0))}


@rule("N-COPY", "叙述不是照抄上年报告", WARNING, needs_previous=True)
def _n_copy(r: Rule, c: Context) -> Iterator[Result]:
    keys = [k for k in NARRATIVE_KEYS if k.startswith(("overview.", "problems."))]
    now = _shingles("".join(c.texts.get(k, "") for k in keys))
    then = _shingles("".join(c.previous_texts.get(k, "") for k in keys))
    if len(now) < 50:
        yield r.skipped("第一、五部分的叙述太短，无法比较")
        return
    share = len(now & then) / len(now)
    copied = share >= COPY_THRESHOLD
    yield r.result(
        FAILED if copied else PASSED,
        f"第一、五部分的叙述与 {c.data.year - 1} 年报告重合 {share:.0%}（阈值 {COPY_THRESHOLD:.0%}）"
        + ("，疑似照抄上年报告" if copied else ""),
        where="第一、五部分", observed=round(share, 3), expected=COPY_THRESHOLD,
    )


RULES.sort(key=lambda x: (x.spec == 0, x.spec))
