"""Where each part of the report (一、总体情况 … 六、其他需要报告的事项) has its heading in a text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from ..format import PART_VARIANTS, PARTS
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


@cache
def _part_regex(number: str, title: str) -> re.Pattern[str]:
    """A part's heading at the start of a line: its number (or none), then its title or a known variant."""
    key = next(p.key for p in PARTS if p.title == title)
    titles = sorted({title, *PART_VARIANTS.get(key, ())}, key=len, reverse=True)
    words = "|".join(spaced(canonical(t)) for t in titles)
    return re.compile(rf"(?m)^[ \t]*(?:{number}[ \t]*\.?|\.)?[ \t]*(?:{words})")


def find_parts(text: str) -> Parts:
    canon = canonical(text)
    spans: dict[str, tuple[int, int]] = {}
    second = _part_regex(PARTS[1].number, PARTS[1].title).search(canon)
    first = [m for m in _part_regex(PARTS[0].number, PARTS[0].title).finditer(canon)
             if second is None or m.start() < second.start()]
    pos = 0
    if first:
        spans[PARTS[0].key] = first[-1].span()
        pos = first[-1].end()
    for part in PARTS[1:]:
        match = _part_regex(part.number, part.title).search(canon, pos)
        if match:
            spans[part.key] = match.span()
            pos = match.end()
    return Parts(spans)
