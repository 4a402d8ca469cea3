"""Text as labels are matched: canonical forms, label patterns, and the labels found in a text."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TypeVar

from ..format.printed import canonical

K = TypeVar("K")

#: An empty table cell, as a line of its own in a Source's text.
BLANK_CELL = "\ue000"


@cache
def format_characters() -> frozenset[str]:
    """The Chinese characters of the format's own words: the title, the parts' and sections' headings,
    the tables' titles, labels and notes. Most of what a report's page says is written in them.
    """
    from ..format import PARTS, REPORT_TITLE, TABLES

    words = [REPORT_TITLE, *(p.title for p in PARTS), *(s.title for p in PARTS for s in p.sections)]
    for t in TABLES.values():
        words += [t.title, t.row_header, t.note, *(b.caption for b in t.blocks), *(r.label for r in t.rows)]
        words += [c.label for c in t.columns] + [g for c in t.columns for g in c.group]
    return frozenset(re.findall(r"[\u4e00-\u9fff]", "".join(words)))


def compacted(text: str) -> str:
    """The canonical text without whitespace."""
    return re.sub(r"\s+", "", canonical(text))


#: A text read from a scan is taken for one of several known texts (a row's label, a registered
#: agency's name) when this alike (difflib's ratio) and clearly nearer to it than to any other: OCR
#: misreads a character or two (申请 as 中请, 洪泽 as 潜泽).
ALIKE, MARGIN = 0.8, 0.15


def misread_as(text: str, known: Sequence[tuple[K, Iterable[str]]]) -> K | None:
    """What a text read from a scan is, of ``known`` (each: what, and the texts it is written as),
    when one is clearly nearest; else None.
    """
    import difflib

    if len(text) < 4 or not known:
        return None  # too short to tell a misreading from another text
    read = compacted(text)
    scores = sorted(((max((difflib.SequenceMatcher(None, read, compacted(written)).ratio() for written in texts),
                          default=0.0), n) for n, (_, texts) in enumerate(known)), reverse=True)
    best, runner_up = scores[0], scores[1] if len(scores) > 1 else (0.0, -1)
    return known[best[1]][0] if best[0] >= ALIKE and best[0] - runner_up[0] >= MARGIN else None


def spaced(text: str) -> str:
    """A regex for the text with any whitespace (line breaks included) between its characters."""
    return r"\s*".join(re.escape(ch) for ch in text if not ch.isspace())


_NUMBERING = re.compile(r"^(?:([一二三四五六七八九十]+)\.|\(([一二三四五六七八九十]+)\)|(\d+)\.)")


@cache
def label_regex(label: str) -> re.Pattern[str]:
    """A label as printed: its numbering in any of the usual forms, a closing note in brackets optional."""
    text = canonical(label)
    prefix = ""
    numbering = _NUMBERING.match(text)
    if numbering:
        numeral = next(g for g in numbering.groups() if g)
        prefix = rf"\(?\s*{re.escape(numeral)}\s*[.)]?\s*"
        text = text[numbering.end():]
    note = re.match(r"^(.+?)(\(.*\))$", text)
    body = spaced(note.group(1) if note else text)
    if note:
        body += rf"(?:\s*{spaced(note.group(2))})?"
    return re.compile(prefix + body)


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    key: str  # the row key, or "" for a label that only ends the row before it


def scan(canon: str, labels: Iterable[tuple[str, str]]) -> list[Hit]:
    """Every label found, earliest first; where two overlap the longer one from the earlier start wins."""
    hits = [Hit(m.start(), m.end(), key) for key, label in labels for m in label_regex(label).finditer(canon)]
    hits.sort(key=lambda h: (h.start, h.start - h.end))
    kept: list[Hit] = []
    for hit in hits:
        if not kept or hit.start >= kept[-1].end:
            kept.append(hit)
    return kept
