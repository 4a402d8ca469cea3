"""Whose report, for which year: the title's agency name and year, and the agency id."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from ..errors import DataError
from .labels import canonical, misread_as, spaced
from .parts import find_parts
from .sources import Source

_TITLE = re.compile(
    r"(?P<before>[^\n。,;:]{0,60}?)\s*(?P<year>(?:19|20)\d\d)\s*年\s*度?\s*(?P<after>[^\n。,;:]{0,60}?)\s*"
    + spaced("政府信息公开") + r"\s*(?:工\s*作\s*)?" + spaced("年度报告")  # …工作年度报告, or without 工作
)


def find_title(text: str, end: int | None) -> tuple[str, int | None, int] | None:
    """The last report title before ``end``: (agency name as printed, year, where the title ends).

    A title standing on lines of its own wins over one inside a sentence (an opening paragraph
    that says “编制……年度报告”).
    """
    canon = canonical(text)[:end]
    matches = list(_TITLE.finditer(canon))
    if not matches:
        return None
    alone = [m for m in matches if _alone(canon, m)]
    opening = [m for m in matches if _opens_line(canon, m)]
    if not (alone or opening):
        return None  # only inside sentences (“…特向社会公布…”, “…编制本报告”): not a title
    m = (alone or opening)[-1]
    name = text[m.start("after"):m.end("after")] or text[m.start("before"):m.end("before")]
    name = re.split(r"[>›»|/\s]+", name.strip())[-1]
    name = re.sub(r"^(?:关于|印发)", "", name).strip(" \"'“”《》")
    return name, int(m.group("year")), m.end()


def _alone(text: str, m: re.Match[str]) -> bool:
    """Whether the match fills its lines: nothing but spaces and punctuation before or after it."""
    start = text.rfind("\n", 0, m.start()) + 1
    end = text.find("\n", m.end())
    around = text[start:m.start()] + text[m.end():end if end >= 0 else len(text)]
    return not re.sub(r"[\s\"'“”《》()（）]", "", around)


def _opens_line(text: str, m: re.Match[str]) -> bool:
    """Whether the match stands at the start of its line (a title followed by the text, as a crawler joins them)."""
    start = text.rfind("\n", 0, m.start()) + 1
    return not re.sub(r"[\s\"'“”《》]", "", text[start:m.start()])


def identity(source: Source, in_prose: tuple[str, int | None, int] | None, agency: str | None,
             year: int | None, untold_year: int | None = None, untold_name: str = "",
             ) -> tuple[str, int, str, list[str], str]:
    """The agency's name, the year and the agency id: as given, else from the title, else ``untold_name`` and
    ``untold_year`` when given (an audit's manifest; a comparison says the year is unknown rather than failing).
    A title that says otherwise than those is followed, and the difference noted. The last value says how
    ``untold_name`` (a manifest) bore on it: ``"told"`` when it (or its year) stood in for what the title
    lacks, ``"differs"`` when the title says otherwise, else ``""``.
    """
    where = {"file": source.path} if source.path else {}
    stated = find_title(source.title, None) if source.title else None
    title = stated or in_prose or find_title(source.page, find_parts(source.page).first())
    name, title_year = (title[0], title[1]) if title else ("", None)
    notes: list[str] = []
    manifest = ""
    if untold_name and ((name and name != untold_name) or (title_year is not None and title_year != untold_year)):
        notes.append(f"清单写的是{untold_name} {untold_year} 年，标题写的是{name or '（无单位名称）'} {title_year or '（无年度）'}，按标题")
        manifest = "differs"
    if untold_name and (not name or (title_year is None and year is None and untold_year is not None)):
        manifest = "told"
    name = name or untold_name
    if year is None:
        if title_year is None and untold_year is not None:
            title_year = untold_year
        if title_year is None:
            raise DataError("无法从标题中读出报告年度", hint="请用 --year 指定年度（审计时用 --manifest 清单给出）", **where)
        year = title_year
    elif title_year is not None and title_year != year:
        notes.append(f"标题写的是 {title_year} 年，按指定的 {year} 年导入")
    if not agency:
        if not name:
            raise DataError("无法从标题中读出单位名称", hint="请用 --agency 指定单位代码（审计时用 --manifest 清单给出）", **where)
        agency = agency_slug(name)
    return name, year, agency, notes, manifest


def agency_slug(name: str) -> str:
    """A stable ASCII id for an agency known only by its Chinese name: ``agency-1a2b3c4d``."""
    return "agency-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8]


def registered(name: str, names: Mapping[str, str], *, misread: bool = False) -> str | None:
    """The id under which a registry (id → full name) knows the agency a title names, if it does.

    A title often names a district's government by the district alone (岳阳市岳阳楼区 for
    岳阳市岳阳楼区人民政府); either form matches, nothing looser — unless the title was read from a
    scan (``misread``), where a name a character or two off is the registered name clearly nearest it.
    """
    for agency_id, full in names.items():
        if name and full in (name, name + "人民政府"):
            return agency_id
    if misread:
        return misread_as(name, [(agency_id, (full, full.removesuffix("人民政府"))) for agency_id, full in names.items()])
    return None
