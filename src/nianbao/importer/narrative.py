"""The report's parts → narrative keys: the preamble, part 一's and 五's sections, part 六, the signed date."""

from __future__ import annotations

import re
from functools import cache

from ..format import (
    IMPROVEMENT_OPENERS,
    IMPROVEMENT_WILL,
    NARRATIVE_KEYS,
    PARTS,
    SECTION_PREFIXES,
    SECTION_SUFFIXES,
    SECTION_VARIANTS,
)
from .dates import DATE_LINE, iso_date
from .labels import canonical, spaced
from .parts import Parts
from .sources import prose_lines, tidy_spaces

_META = re.compile(r"发布时间|发布日期|来源\s*[:：]|浏览次数|点击数|字号|打印本页|关闭窗口|分享到|索引号|信息来源")


def narrative_of(prose: str, parts: Parts, title_end: int) -> tuple[dict[str, str], tuple[str, ...], str, list[str]]:
    """Narrative keys → text; the part headings as printed; the date signed at the end; notes."""
    texts = {key: "" for key in NARRATIVE_KEYS}
    notes: list[str] = []
    first = parts.first()
    if first is not None:
        lines = [line for line in prose[title_end:first].split("\n") if line.strip() and not _META.search(line)]
        texts["preamble"] = _paragraphs("\n".join(lines))
    signed = ""
    for part in PARTS:
        region = parts.region(part.key, len(prose))
        if region is None or not part.sections:
            continue
        text = prose[region[0]:region[1]]
        if part.key == "other":
            text, signed = _unsigned(text)
            texts["other.text"] = _paragraphs(text)
        else:
            found = _sections(part, text, canonical(text))
            texts.update(found[0])
            notes.extend(found[1])
    headings = tuple(tidy_spaces(prose[s:e]) for s, e in sorted(parts.spans.values()))
    return texts, headings, signed, notes


@cache
def _section_regex(key: str, title: str) -> re.Pattern[str]:
    words = {re.sub(r"^（[一二三四五六七八九十]+）", "", title), *SECTION_VARIANTS.get(key, ())}
    alternatives = "|".join(spaced(canonical(w)) for w in sorted(words, key=len, reverse=True))
    prefixes = "|".join(spaced(canonical(p)) for p in SECTION_PREFIXES)
    suffixes = "|".join(spaced(canonical(s)) for s in SECTION_SUFFIXES)
    mark = r"(?:\(\s*[一二三四五六七八九十]\s*\)|[一二三四五六七八九十]\s*[.)]|\))"
    return re.compile(rf"(?m)^[ \t]*{mark}[ \t]*(?:{prefixes})?\s*(?:{alternatives})\s*(?:{suffixes})?[ \t]*[.。:]?")


def _sections(part, text: str, canon: str) -> tuple[dict[str, str], list[str]]:
    keys = [f"{part.key}.{s.key}" for s in part.sections]
    spans: list[tuple[str, int, int]] = []
    pos = 0
    for key, section in zip(keys, part.sections):
        match = _section_regex(key, section.title).search(canon, pos)
        if match:
            spans.append((key, match.start(), match.end()))
            pos = match.end()
    out = {k: "" for k in keys}
    notes = []
    intro = text[:spans[0][1]] if spans else text
    for (key, _, end), after in zip(spans, [*spans[1:], None]):
        out[key] = _paragraphs(text[end:after[1] if after else len(text)])
    if spans and len(spans) < len(keys):
        missing = [s.title for k, s in zip(keys, part.sections) if k not in {x[0] for x in spans}]
        notes.append(f"第{part.number}部分找不到小标题{'、'.join(missing)}，其内容并在前一节中")
    if part.key == "problems" and not spans:
        problems, improvements = _turn(text, canon)
        out[keys[0]], out[keys[1]] = _paragraphs(problems), _paragraphs(improvements)
        if improvements.strip():
            notes.append("第五部分没有小标题，从转入改进措施的一句（如“针对…”“下一步…”）起记为改进情况")
        return out, notes
    out[keys[0]] = "\n\n".join(t for t in (_paragraphs(intro), out[keys[0]]) if t)
    return out, notes


def _turn(text: str, canon: str) -> tuple[str, str]:
    """Where an unheaded part 五 turns from problems to improvements: the first sentence after the
    first that opens with an improvement word (“针对…”, “下一步…”) or says what the agency will do
    (“2025年，将重点从以下方面做好改进”); else a second “一是” (problems, then measures, each listed).
    """
    openers = "|".join(re.escape(o) for o in IMPROVEMENT_OPENERS)
    starts = r"(?:(?<=[。;!?])|(?m:^))[ \t]*"
    for pattern in (rf"{starts}(?:{openers})", rf"{starts}{IMPROVEMENT_WILL}"):
        for match in re.finditer(pattern, canon):
            if text[:match.start()].strip():
                return text[:match.start()], text[match.start():]
    firsts = [m.start() for m in re.finditer(r"一是", canon)]
    if len(firsts) >= 2:
        cut = max(canon.rfind("。", 0, firsts[1]), canon.rfind("\n", 0, firsts[1])) + 1
        if text[:cut].strip():
            return text[:cut], text[cut:]
    return text, ""


def _unsigned(text: str) -> tuple[str, str]:
    """Part 六 without the signature and date that close the report, and the date (ISO)."""
    lines = text.split("\n")
    dates = [i for i, line in enumerate(lines) if DATE_LINE.match(canonical(line))]
    if not dates:
        return text, ""
    i = dates[-1]
    match = DATE_LINE.match(canonical(lines[i]))
    assert match is not None  # the line was picked for matching
    year, month, day = match.groups()[:3]
    signed = iso_date((year, month, day))
    body = [line for line in lines[:i] if line.strip()]
    if body and len(body[-1].strip()) <= 40 and not re.search(r"[。，；：,;:]", body[-1]):
        body = body[:-1]
    return "\n".join(body), signed


def _paragraphs(text: str) -> str:
    out = "\n\n".join(prose_lines(text))
    return out.replace("{{", "{ {").replace("}}", "} }")
