"""Read an agency-year's data — YAML or the Excel template — into :class:`ReportData`.

This is the only module that reads inputs. It validates everything before any kernel starts:
each problem raises one :class:`DataError` naming the file, the YAML key or the sheet and cell,
and what to do.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
import warnings
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from . import yamlfile
from .errors import DataError, ParamsError, address
from .format import AMOUNT, BLANK_MARKS, NARRATIVE_KEYS, TABLES, UNKNOWN_MARK, Column, cell_key, column_of
from .model import NUMBER, PLACEHOLDER, ReportData, Value, empty_cells, placeholder_key
from .params import Project
from .template import GUIDE_SHEET, NARRATIVE_SHEET, Place, layout

TOP_KEYS = ("agency", "year", "published", *TABLES, "narrative", "notes", "provenance", "headings")


def parse_value(raw: Any, column: Column, **where: Any) -> Value:
    """One cell as typed by an analyst, checked against its column's kind.

    ``where`` names the place for the error message (file and key, or file, sheet and cell).
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise DataError(f"“{column.label}”应填数字，而不是 {raw}", hint="请填写数字，或留空", **where)
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text:
            return None
        if raw.strip() in BLANK_MARKS or text in BLANK_MARKS:
            return raw.strip()
        if text in (UNKNOWN_MARK, "？"):
            return UNKNOWN_MARK
        raw = _number(text, raw.strip(), column, where)
    if isinstance(raw, float) and not math.isfinite(raw):
        raise DataError(f"“{column.label}”中的 {raw} 不是有效数字", **where)
    if not isinstance(raw, (int, float)):
        raise DataError(f"“{column.label}”应填数字，而不是 {raw!r}", **where)
    if raw < 0:
        raise DataError(f"“{column.label}”不能为负数（{raw}）", hint="请填写 0 或正数", **where)
    if raw > MAX_FIGURE:
        raise DataError(
            f"“{column.label}”中的 {raw} 大得不合常理（上限 {MAX_FIGURE:,}）",
            hint="请核对是否多输了数字；金额以万元为单位", **where,
        )
    if column.kind == AMOUNT:
        return raw
    if isinstance(raw, float):
        if not raw.is_integer():
            raise DataError(f"“{column.label}”是件数，应为整数，而不是 {raw}", hint="请填写整数", **where)
        return int(raw)
    return raw


#: The largest figure a cell may hold: far above any agency's count or fee (万元), far below what
#: arithmetic and charts can no longer represent exactly.
MAX_FIGURE = 10**12


def _number(text: str, typed: str, column: Column, where: Mapping[str, Any]) -> int | float:
    """A figure written as text: digits, a decimal point, thousands separators only in groups of three."""
    match = NUMBER.fullmatch(text)
    if not match:
        if "," in text and any(ch.isdigit() for ch in text):
            raise DataError(
                f"“{column.label}”中的“{typed}”不是规范的数字写法",
                hint="千位分隔符只能每三位一个（如 1,234 或 12,345.6），小数点用“.”；也可以不写分隔符",
                **where,
            )
        raise DataError(
            f"“{column.label}”中是文本“{typed}”，不是数字",
            hint="只填阿拉伯数字（不带“件”“万元”等单位）；无数据留空，或填 / 或 —",
            **where,
        )
    sign, whole, decimals = match.groups()
    digits = whole.replace(",", "")
    value: int | float = float(digits + decimals) if decimals else int(digits)
    return -value if sign == "-" else value


def read_yaml(path: Path) -> ReportData:
    """Read a YAML data file (the bundled examples' form)."""
    try:
        raw = yamlfile.read(path)
    except FileNotFoundError:
        raise DataError("找不到数据文件", file=path, hint="用 nianbao template 生成模板后填写") from None
    if not isinstance(raw, dict):
        raise DataError("数据文件应为映射（agency、year、A、B、C、F、narrative）", file=path)
    unknown = set(raw) - set(TOP_KEYS)
    if unknown:
        raise DataError(f"未知的键 {sorted(unknown)}", file=path, hint=f"可用的键：{'、'.join(TOP_KEYS)}")
    for key in ("agency", "year"):
        if key not in raw:
            raise DataError(f"缺少 {key}", file=path, key=key)
    cells = empty_cells()
    problems: list[DataError] = []
    for table in TABLES.values():
        cells.update(_yaml_table(path, table.key, raw.get(table.key), problems))
    DataError.gather(problems, file=path)
    narrative = _yaml_narrative(path, raw.get("narrative") or {})
    notes = raw.get("notes") or {}
    if not isinstance(notes, dict) or set(notes) - set(TABLES) or not all(isinstance(v, str) for v in notes.values()):
        raise DataError("notes 应为“表代码: 说明”的映射", file=path, key="notes", hint=f"表代码：{'、'.join(TABLES)}")
    provenance = raw.get("provenance") or {}
    if not isinstance(provenance, dict) or set(provenance) - set(cells):
        raise DataError("provenance 应为“单元格键: 说明”的映射", file=path, key="provenance")
    headings = raw.get("headings") or []
    if not isinstance(headings, list) or not all(isinstance(h, str) for h in headings):
        raise DataError("headings 应为标题文字的列表", file=path, key="headings")
    data = _report(path, raw["agency"], raw["year"], cells, narrative, raw.get("published"), notes)
    return replace(data, provenance={str(k): str(v) for k, v in provenance.items()}, headings=tuple(headings))


def _yaml_table(path: Path, key: str, rows: Any, problems: list[DataError]) -> dict[str, Value]:
    """The table's cells; each bad row or value is added to ``problems``, so that all are told at once."""
    table = TABLES[key]
    if not isinstance(rows, dict):
        raise DataError(f"缺少表 {key}（{table.title}）", file=path, key=key, hint="每张表都要写出全部行；无数据的格写 ~")
    known = {r.key for r in table.figure_rows()}
    unknown = set(rows) - known
    if unknown:
        raise DataError(f"表 {key} 中有未知的行 {sorted(unknown)}", file=path, key=key, hint=f"可用的行：{'、'.join(known)}")
    cells: dict[str, Value] = {}
    for row in table.figure_rows():
        where = f"{key}.{row.key}"
        if row.key not in rows:
            problems.append(DataError(f"缺少“{row.label}”这一行", file=path, key=where, hint="无数据的格写 ~，不要删去整行"))
            continue
        columns = table.columns_of(row)
        values = rows[row.key]
        if not isinstance(values, list):
            values = [values]
        if len(values) != len(columns):
            labels = "、".join(c.label for c in columns)
            problems.append(DataError(
                f"“{row.label}”应有 {len(columns)} 个值（{labels}），实有 {len(values)} 个", file=path, key=where
            ))
            continue
        for i, (column, value) in enumerate(zip(columns, values)):
            k = cell_key(key, row.key, column.key)
            if value is None or type(value) is int and 0 <= value <= MAX_FIGURE:  # the common case, cheaply
                cells[k] = value
                continue
            try:
                cells[k] = parse_value(value, column, file=path, key=f"{where}[{i}]（{column.label}）")
            except DataError as exc:
                problems.append(exc)
    return cells


def _yaml_narrative(path: Path, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise DataError("narrative 应为映射", file=path, key="narrative")
    flat: dict[str, str] = {}
    for name, value in raw.items():
        if isinstance(value, dict):
            for sub, text in value.items():
                flat[f"{name}.{sub}"] = text
        else:
            flat[str(name)] = value
    return _check_narrative(flat, file=path)


def _check_narrative(flat: Mapping[str, Any], **where: Any) -> dict[str, str]:
    unknown = set(flat) - set(NARRATIVE_KEYS)
    if unknown:
        raise DataError(
            f"叙述中有未知的段落 {sorted(unknown)}", key="narrative", hint=f"可用的段落：{'、'.join(NARRATIVE_KEYS)}", **where
        )
    out = {}
    for key in NARRATIVE_KEYS:
        text = flat.get(key)
        if text is None:
            text = ""
        if isinstance(text, (int, float)) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str):
            raise DataError("叙述应为一段文字", key=f"narrative.{key}", hint="用 | 开头写多行文字", **where)
        for name in PLACEHOLDER.findall(text):
            if placeholder_key(name) is None:
                raise DataError(
                    f"占位符 {{{{ {name} }}}} 不指向任何表格数据",
                    key=f"narrative.{key}",
                    hint="占位符写作 {{ 表.行.列 }}（如 {{ B.new.total }}）或别名（如 {{ 本年新收 }}）；nianbao template --help 列出全部",
                    **where,
                )
        out[key] = text.strip()
    return out


def _report(path, agency, year, cells, narrative, published, notes, **where) -> ReportData:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DataError(f"年度 {year!r} 无效", file=path, key="year", hint="填写四位年份，如 2024", **where)
    if isinstance(published, (dt.date, dt.datetime)):
        published = published.isoformat()[:10]
    if published:
        try:
            dt.date.fromisoformat(str(published))
        except ValueError:
            raise DataError(f"发布日期 {published!r} 无效", file=path, key="published", hint="写作 2025-01-31") from None
    return ReportData(str(agency), year, cells, narrative, str(published or ""), dict(notes), str(path))


def read_data(path: Path) -> ReportData:
    """Read a data file of either form, by its suffix."""
    if path.suffix in (".yaml", ".yml"):
        return read_yaml(path)
    if path.suffix == ".xlsx":
        return read_xlsx(path)
    raise DataError("不认识的数据文件类型", file=path, hint="数据文件应为 .yaml 或 .xlsx")


def load_report(project: Project, agency: str, year: int) -> ReportData:
    """The agency-year's data from ``data/<year>/<agency>.yaml`` or ``.xlsx``, checked to match."""
    files = project.data_files(agency, year)
    if not files and (foreign := project.foreign_data_files(agency, year)):
        found = foreign[0]
        raise DataError(
            f"数据文件是 {found.suffix} 格式，nianbao 只读 .xlsx（Excel 工作簿）和 .yaml",
            file=found,
            hint=f"请在 Excel、WPS 或 LibreOffice 中打开它，“另存为”Excel 工作簿（*.xlsx），保存为 data/{year}/{agency}.xlsx"
            if found.suffix not in (".yml", ".json") else f"YAML 数据请把文件改名为 data/{year}/{agency}.yaml",
        )
    if not files:
        raise ParamsError(
            f"没有 {agency} 的 {year} 年数据",
            agency=agency,
            year=year,
            hint=f"请创建 data/{year}/{agency}.yaml，或用 nianbao template --agency {agency} --year {year} 生成 Excel 模板",
        )
    if len(files) > 1:
        raise DataError(
            "同一单位同一年度有两份数据文件", file=" 和 ".join(map(str, files)), hint="请只保留一份（YAML 或 Excel）"
        )
    data = read_data(files[0])
    if data.agency != agency or data.year != year:
        raise DataError(
            f"文件中写的是 {data.agency} {data.year} 年，而文件位置对应 {agency} {year} 年",
            file=files[0],
            hint="请核对文件中的 agency 和 year，或把文件放到正确位置",
        )
    return data


def load_history(project: Project, agency: str, year: int) -> dict[int, ReportData]:
    """Every year of the agency's data up to and including ``year``, keyed by year."""
    return {y: load_report(project, agency, y) for y in project.years_with_data(agency) if y <= year}


def read_xlsx(path: Path) -> ReportData:
    """Read a workbook made by ``nianbao template`` and filled in Excel or WPS."""
    book = _open_workbook(path)
    plan = layout()
    for name in plan.sheets:
        if name not in book.sheetnames:
            raise DataError(
                f"缺少工作表“{name}”",
                file=path,
                sheet=name,
                hint="工作表不能删除或改名；请用 nianbao template 重新生成模板，再把数据抄过去",
            )

    def value(place: Place) -> Any:
        return book[place.sheet][place.cell].value

    problems: list[DataError] = []
    for label in plan.labels:
        found = value(label.place)
        if _label_text(found) != _label_text(label.text):
            problems.append(DataError(
                f"这里应是标签“{label.text}”，现在是“{'' if found is None else found}”",
                file=path,
                sheet=label.place.sheet,
                cell=label.place.cell,
                hint="表格的行、列或标签被移动或改动了；请不要插入、删除行列或改动标签，"
                "可用 nianbao template 重新生成模板，再把数据填进对应的格子",
            ))
    DataError.gather(problems, file=path)  # with the layout broken, the cells' places mean nothing
    formulas = _uncached_formulas(path, book, plan)
    cells: dict[str, Value] = {}
    for key, place in plan.cells.items():
        where = {"file": path, "sheet": place.sheet, "cell": place.cell}
        if (place.sheet, place.cell) in formulas:
            problems.append(DataError(
                f"“{column_of(key).label}”是公式 {formulas[place.sheet, place.cell]}，文件中没有保存它的计算结果",
                hint="请在 Excel、WPS 或 LibreOffice 中打开并保存一次（会保存计算结果），或直接填写数字",
                **where,
            ))
            continue
        try:
            cells[key] = parse_value(value(place), column_of(key), **where)
        except DataError as exc:
            problems.append(exc)
    texts = [*plan.narrative.values(), *plan.notes.values(), *plan.meta.values()]
    for place in (p for p in texts if (p.sheet, p.cell) in formulas):
        problems.append(DataError(
            f"这一格是公式 {formulas[place.sheet, place.cell]}，文件中没有保存它的计算结果",
            hint="请在 Excel、WPS 或 LibreOffice 中打开并保存一次，或直接填写文字", file=path, sheet=place.sheet,
            cell=place.cell,
        ))
    DataError.gather(problems, file=path)
    narrative = _check_narrative(
        {key: value(place) for key, place in plan.narrative.items()}, file=path, sheet=NARRATIVE_SHEET
    )
    notes = {table: text for table, place in plan.notes.items() if (text := str(value(place) or "").strip())}
    agency = str(value(plan.meta["agency"]) or "").strip()
    if not agency:
        where = {"sheet": GUIDE_SHEET, "cell": plan.meta["agency"].cell}
        raise DataError("没有填写单位代码", file=path, hint="填写 params/agencies.yaml 中的单位代码", **where)
    year = value(plan.meta["year"])
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    elif isinstance(year, str) and year.strip().isdigit():
        year = int(year.strip())
    published = value(plan.meta["published"])
    if isinstance(published, str):
        published = published.strip()
    data = _report(path, agency, year, cells, narrative, published, notes, sheet=GUIDE_SHEET, cell=plan.meta["year"].cell)
    return replace(data, places={key: address(place.sheet, place.cell) for key, place in plan.cells.items()})


def _uncached_formulas(path: Path, book: openpyxl.Workbook, plan) -> dict[tuple[str, str], str]:
    """The cells read (figures, narrative, notes, agency and year) that hold a formula saved without
    its value, which ``data_only`` reads as blank.

    Read only when such a cell is blank: a second, formula-keeping read of the workbook.
    """
    places = [*plan.cells.values(), *plan.narrative.values(), *plan.notes.values(), *plan.meta.values()]
    blank = [p for p in places if book[p.sheet][p.cell].value is None]
    if not blank:
        return {}
    formulas = _open_workbook(path, data_only=False)
    found = {}
    for place in blank:
        raw = formulas[place.sheet][place.cell].value
        if raw is not None and not isinstance(raw, (int, float)) and str(raw).startswith("="):
            found[place.sheet, place.cell] = str(raw)
        elif raw is not None and type(raw).__name__ in ("ArrayFormula", "DataTableFormula"):
            found[place.sheet, place.cell] = str(getattr(raw, "text", "") or "（数组公式）")
    return found


def _open_workbook(path: Path, data_only: bool = True) -> openpyxl.Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (extensions, styles); only the values are read.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            return openpyxl.load_workbook(path, data_only=data_only)
    except FileNotFoundError:
        raise DataError("找不到数据文件", file=path, hint="用 nianbao template 生成模板后填写") from None
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError) as exc:
        raise DataError(
            f"无法作为 Excel 工作簿打开（{type(exc).__name__}）",
            file=path,
            hint="请在 Excel 或 WPS 中另存为“Excel 工作簿（.xlsx）”后再试",
        ) from None


def _label_text(value: Any) -> str:
    """A label as compared: NFKC-normalised, without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", "" if value is None else str(value)).split())


__all__ = ["parse_value", "read_yaml", "read_xlsx", "read_data", "load_report", "load_history"]
