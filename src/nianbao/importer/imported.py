"""One published report, read back (:class:`Imported`), and what the import says about itself."""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..format import FORMAT_NOTICE_2019, FORMAT_NOTICE_2021, TABLE_NAMES, TABLES, cell_key, describe
from ..model import ReportData
from .cells import by_reason, with_prefix

#: The formats the importer recognises, by the notice that defines each.
FORMATS = {"2021": FORMAT_NOTICE_2021, "2019": FORMAT_NOTICE_2019}


@dataclass(frozen=True)
class Imported:
    """One published report, read back."""

    data: ReportData
    name: str  # the agency's name as the title prints it
    format: str  # "2021" or "2019": a key of FORMATS
    notes: tuple[str, ...] = ()  # what the import noticed beyond single cells
    identity_from: str = ""  # where the agency's name and the year were read: “标题:”行, 网页标题 <title>, 正文的标题行
    scanned: bool = False  # read from a scan: its name and text may be misread

    def unknown(self) -> dict[str, str]:
        """Cell key → reason, for every cell the import could not place."""
        return with_prefix(self.data.provenance, "unknown: ")

    def derived(self) -> dict[str, str]:
        """Cell key → rule and reason, for every cell placed by the format's rules."""
        return with_prefix(self.data.provenance, "derived: ")

    def lines(self) -> list[str]:
        """What the import says about itself: the report, then every unknown and derived cell."""
        d = self.data
        out = [f"{self.name or '（标题中无单位名称）'} {d.year} 年，{FORMATS[self.format]}格式，单位代码 {d.agency}"
               + (f"（单位与年度读自{self.identity_from}）" if self.identity_from else "")]
        for title, cells in (("无法确定", self.unknown()), ("按规则推算", self.derived())):
            if cells:
                out.append(f"  {title} {len(cells)} 格：")
                for reason, keys in by_reason(cells).items():
                    out.append(f"    {_places(keys)}：{reason}")
        out.extend(f"  说明：{n}" for n in self.notes)
        return out


def _places(keys: list[str]) -> str:
    """Cells named as the report prints them; a whole row (or all of table C) named once."""
    rows: dict[tuple[str, str], list[str]] = {}
    for key in keys:
        table, row, column = key.split(".")
        rows.setdefault((table, row), []).append(column)
    out = []
    for (table, row), columns in rows.items():
        t = TABLES[table]
        if len(columns) > 1 and len(columns) == len(t.columns_of(t.row(row))):
            whole = f"全部 {len(columns)} 格" if table == "C" else f"「{t.row(row).label}」行全部 {len(columns)} 格"
            out.append(f"{TABLE_NAMES[table]}{whole}")
        else:
            out.extend(describe(cell_key(table, row, c)) for c in columns)
    return "、".join(out)


def with_agency(imported: Imported, agency: str) -> Imported:
    return replace(imported, data=replace(imported.data, agency=agency))
