"""Where each part of the report (一、总体情况 … 六、其他需要报告的事项) has its heading in a text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from ..format import PART_VARIANTS, PARTS, alike
from .labels import canonical, spaced


@dataclass(frozen=True)
class Parts:
    """Where each part's heading stands in a text (only the parts found)."""

    spans: Mapping[str, tuple[int, int]]

    def region(self, key: str, length: int) -> tuple[int, int] | None:
        if key not in self.spans:
            return None
        start = self.spans[key][1]
        later = [s for s, _ in self.spans.values() if s >= start]
        return start, min(later, default=length)

    def first(self) -> int | None:
        return min((s for s, _ in self.spans.values()), default=None)


_NUMERAL = "[一二三四五六七八九十]{1,2}"


@cache
def _titles(key: str) -> tuple[str, ...]:
    part = next(p for p in PARTS if p.key == key)
    return tuple(sorted({canonical(t) for t in (part.title, *PART_VARIANTS.get(key, ()))}, key=len, reverse=True))


#: What may stand for a part's number in text read from a scan: a numeral, or up to three other marks
#: that are not Chinese (OCR reads “一、” as “、、”, “六、” as “7、”).
_MISREAD = r"[^\n\u4e00-\u9fff]{1,3}"


@cache
def _part_regex(key: str, loose: bool = False) -> re.Pattern[str]:
    """A part's heading at the start of a line: a number (any: agencies misnumber parts, two 一 in one
    report), or none, then the part's title or a known variant. ``loose``: text read from a scan,
    whose number may be misread (:data:`_MISREAD`).
    """
    words = "|".join(spaced(t) for t in _titles(key))
    number = rf"{_NUMERAL}[ \t]*\.?|\.|{_MISREAD}" if loose else rf"{_NUMERAL}[ \t]*\.?|\."
    return re.compile(rf"(?m)^[ \t]*(?:{number})?[ \t]*(?:{words})")


#: A numbered line that may be a part's heading with a slip in its title ("…行政诉讼请况").
_NUMBERED_LINE = re.compile(rf"(?m)^[ \t]*{_NUMERAL}[ \t]*\.[ \t]*([^\n]+)")
_MISNUMBERED_LINE = re.compile(rf"(?m)^[ \t]*(?:{_NUMERAL}|{_MISREAD})[ \t]*\.?[ \t]*([^\n]+)")


def find_parts(text: str, *, loose: bool = False) -> Parts:
    """Where each part's heading stands; ``loose`` for text read from a scan (see :func:`_part_regex`)."""
    canon = canonical(text)
    spans: dict[str, tuple[int, int]] = {}
    second = _part_regex(PARTS[1].key, loose).search(canon)
    first = [m for m in _part_regex(PARTS[0].key, loose).finditer(canon) if second is None or m.start() < second.start()]
    pos = 0
    if first:
        spans[PARTS[0].key] = first[-1].span()
        pos = first[-1].end()
    for part in PARTS[1:]:
        match = _part_regex(part.key, loose).search(canon, pos)
        if match:
            spans[part.key] = match.span()
            pos = match.end()
    for i, part in enumerate(PARTS):
        if part.key not in spans:
            after = max((spans[p.key][1] for p in PARTS[:i] if p.key in spans), default=0)
            before = min((spans[p.key][0] for p in PARTS[i + 1:] if p.key in spans), default=len(canon))
            near = _near_title(canon, part.key, after, before, _MISNUMBERED_LINE if loose else _NUMBERED_LINE)
            if near:
                spans[part.key] = near
    return Parts(spans)


def _near_title(canon: str, key: str, start: int, end: int, lines: re.Pattern[str]) -> tuple[int, int] | None:
    """The first numbered line between start and end that opens with the part's title but for a slip
    of a character or two: a typo in a heading still heads its part.
    """
    for line in lines.finditer(canon, start, end):
        body = line.group(1)
        for title in _titles(key):
            if len(title) < 4:
                continue
            opening = body[:len(title)]
            if alike(opening, title):
                return line.start(), line.start(1) + len(opening)
    return None
