"""What rules of rule packs read in a report's narrative: a part or section by the name a pack gives
it, the text as a reader sees it, characters counted as notices count them, terms and a figure next
to a term — literal text only, each in time linear in the text.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from ..format import PARTS
from ..model import CHINESE_NUMBER, NUMBER, chinese_number
from .core import Context
from .stated import NEAR, clauses

# ---------------------------------------------------------------- where a rule reads


@dataclass(frozen=True)
class Place:
    """The narrative a rule reads: one section, or a whole part — its sections in order, each written
    under its heading, as the report prints them (a section left empty, heading and all, is not read).
    """

    keys: tuple[str, ...]  # narrative keys
    name: str  # as a reader names it: 第一部分（一）主动公开
    headings: tuple[str, ...] = ()  # a part's: each section's heading, as printed

    def text(self, c: Context) -> str:
        if not self.headings:
            return "\n".join(visible(c, k) for k in self.keys)
        return "\n".join(f"{h}\n{body}" for h, k in zip(self.headings, self.keys) if (body := visible(c, k)).strip())


def place(value: str) -> Place | None:
    """The part or section a pack names: ``一`` / ``overview`` (a part), ``一（一）`` /
    ``overview.active`` (a section), ``开头`` / ``preamble``; ``None`` for anything else.
    """
    value = unicodedata.normalize("NFKC", value).strip().replace("第", "").replace("部分", "")
    if value in ("preamble", "开头"):
        return Place(("preamble",), "开头一段")
    for p in PARTS:
        if p.key == "other":  # part 六's one untitled text
            if value in (p.key, p.number):
                return Place(("other.text",), f"第{p.number}部分（{p.title}）")
            continue
        if value in (p.key, p.number) and p.sections:
            return Place(tuple(f"{p.key}.{s.key}" for s in p.sections), f"第{p.number}部分（{p.title}）",
                         tuple(s.title for s in p.sections))
        for s in p.sections:
            number = s.title[: s.title.index("）") + 1].replace("（", "(").replace("）", ")")
            if value in (f"{p.key}.{s.key}", f"{p.number}{number}"):
                return Place((f"{p.key}.{s.key}",), f"第{p.number}部分{s.title}")
    return None


#: What ``place`` accepts, as an error message lists it.
PLACES = "一、五、六（部分），一（一）至一（五）、五（一）、五（二）（节），开头；或其键名，如 overview.active"


def visible(c: Context, key: str) -> str:
    """The section's text as a reader sees it (Markdown read by the one walker), worked out once."""
    from .. import prose

    seen = c.__dict__.setdefault("_visible", {})
    if key not in seen:
        seen[key] = prose.plain(c.texts.get(key, ""))
    return seen[key]


# ---------------------------------------------------------------- counting and matching text

_COUNTED = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f0-9]")
COUNTS = {"汉字和数字": "只计汉字和数字", "全部字符": "计空白以外的全部字符"}


def count(text: str, how: str = "汉字和数字") -> int:
    """Characters as a notice counts them: Chinese characters and digits (each digit one), or every
    character but white space.
    """
    text = unicodedata.normalize("NFKC", text)
    if how == "全部字符":
        return sum(not ch.isspace() for ch in text)
    return len(_COUNTED.findall(text))


def folded(text: str) -> str:
    """Text for matching a term: NFKC (full-width letters and digits folded), no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def found(text: str, synonyms: tuple[str, ...]) -> bool:
    whole = folded(text)
    return any(folded(t) in whole for t in synonyms)


def named(synonyms: tuple[str, ...]) -> str:
    return "／".join(f"“{t}”" for t in synonyms)


def sentences(text: str) -> list[str]:
    """The text's sentences (to 。；！？ or a line's end), without white space at their ends."""
    return [s.strip() for s in re.split(r"[。；;！!？?\n]", text) if s.strip()]


def figures_near(text: str, synonyms: tuple[str, ...], units: tuple[str, ...]) -> list[tuple[str, int | float]]:
    """Each clause of ``text`` where a term is followed, within :data:`NEAR` characters, by a
    figure in one of ``units`` (“开设政务新媒体账号3个”): the clause and the figure.
    """
    terms = [folded(t) for t in synonyms]
    out = []
    for clause in clauses(unicodedata.normalize("NFKC", text)):
        plain = folded(clause)
        ends = [m.end() for t in terms for m in re.finditer(re.escape(t), plain)]
        if not ends:
            continue
        ends.sort()
        for m in sorted([*NUMBER.finditer(plain), *CHINESE_NUMBER.finditer(plain)], key=lambda m: m.start()):
            i = bisect.bisect_right(ends, m.start())  # the nearest term ending at or before the figure
            if not (i and m.start() - ends[i - 1] <= NEAR and plain.startswith(units, m.end())):
                continue
            value = _figure(m.group(0), plain, m)
            if value is not None:
                out.append((clause, value))
                break
    return out


def _figure(written: str, text: str, m: re.Match[str]) -> int | float | None:
    """A figure as written, in digits or Chinese numerals; ``None`` for Chinese numerals that count
    nothing (第三个, 一次性).
    """
    if written[0].isdigit() or written[0] in "+-":
        digits = written.replace(",", "")
        return float(digits) if "." in digits else int(digits)
    if text[m.start() - 1:m.start()] == "第" or text[m.end() + 1:m.end() + 2] == "性":
        return None
    return chinese_number(written)


def windows(text: str, n: int) -> Iterator[str]:
    """Every run of ``n`` Chinese characters in ``text``, in order."""
    for word in re.findall(r"[\u4e00-\u9fff]+", text):
        for i in range(len(word) - n + 1):
            yield word[i:i + n]


def runs(text: str, n: int) -> set[str]:
    return set(windows(text, n))



__all__ = ["COUNTS", "PLACES", "Place", "count", "figures_near", "folded", "found", "named", "place", "runs", "sentences", "visible",
           "windows"]
