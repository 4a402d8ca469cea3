"""A workbook made by ``nianbao template`` and filled in Excel, WPS or LibreOffice → :class:`ReportData`."""

from __future__ import annotations

import io
import unicodedata
import warnings
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from PIL import Image

from .. import characters, inputs
from ..errors import DataError, address
from ..format import column_of
from ..model import ReportData, Value
from ..template import GUIDE_SHEET, NARRATIVE_SHEET, Place, layout
from .values import check_narrative, parse_value, report_data


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
    for place in [*plan.narrative.values(), *plan.notes.values()]:
        try:
            characters.check(str(value(place) or ""), file=path, sheet=place.sheet, cell=place.cell)
        except DataError as exc:
            problems.append(exc)
    DataError.gather(problems, file=path)
    narrative = check_narrative(
        {key: value(place) for key, place in plan.narrative.items()}, file=path, sheet=NARRATIVE_SHEET
    )
    notes = {table: text for table, place in plan.notes.items() if (text := str(value(place) or "").strip())}
    agency = str(value(plan.meta["agency"]) or "").strip()
    if not agency:
        where = {"sheet": GUIDE_SHEET, "cell": plan.meta["agency"].cell}
        raise DataError("没有填写单位代码", file=path, hint="填写 params/agencies.yaml 中的单位代码", **where)
    year = year_of(value(plan.meta["year"]))
    published = value(plan.meta["published"])
    if isinstance(published, str):
        published = published.strip()
    data = report_data(path, agency, year, cells, narrative, published, notes,
                       published_at={"sheet": GUIDE_SHEET, "cell": plan.meta["published"].cell}, sheet=GUIDE_SHEET,
                       cell=plan.meta["year"].cell)
    return replace(data, places={key: address(place.sheet, place.cell) for key, place in plan.cells.items()})


def year_of(value: Any) -> Any:
    """The 年度 cell as a year: 2025, 2025.0 and " 2025 " alike; anything else as it is (the caller says what is wrong)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


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


def _open_workbook(path: Path, data_only: bool = True, read_only: bool = False) -> openpyxl.Workbook:
    """The workbook, once :func:`nianbao.inputs.read` has found it a workbook of sane size without macros."""
    try:
        raw = inputs.read(path, "xlsx")
    except FileNotFoundError:
        raise DataError("找不到数据文件", file=path, hint="用 nianbao template 生成模板后填写") from None
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (extensions, styles); only the values are read.
            warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
            warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)  # pictures are not read
            return openpyxl.load_workbook(io.BytesIO(raw), data_only=data_only, read_only=read_only)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, SyntaxError, TypeError,
            Image.DecompressionBombError) as exc:
        cause = exc.__context__ or exc  # openpyxl wraps what it could not read of a sheet
        raise DataError(
            f"无法作为 Excel 工作簿打开：文件已损坏，或不是 Excel、WPS、LibreOffice 保存的（{type(cause).__name__}: {str(cause)[:120]}）",
            file=path,
            hint="请在 Excel 或 WPS 中打开（它们会修复或指出坏的内容），另存为“Excel 工作簿（.xlsx）”后再试",
        ) from None


def _label_text(value: Any) -> str:
    """A label as compared: NFKC-normalised, without any whitespace."""
    return "".join(unicodedata.normalize("NFKC", "" if value is None else str(value)).split())
