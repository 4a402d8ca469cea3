"""Read an agency-year's data — YAML or the Excel template — into :class:`ReportData`.

This is the only module that reads inputs. It validates everything before any kernel starts:
each problem raises one :class:`DataError` naming the file, the YAML key or the sheet and cell,
and what to do.

- :mod:`.values`    one typed cell, checked against its column (the number grammar and bounds)
- :mod:`.yamldata`  YAML data files
- :mod:`.workbook`  Excel workbooks
"""

from __future__ import annotations

from pathlib import Path

from ..errors import DataError, ParamsError
from ..model import ReportData
from ..params import Project
from .values import MAX_FIGURE, parse_value
from .workbook import read_xlsx
from .yamldata import TOP_KEYS, read_yaml


def read_data(path: Path) -> ReportData:
    """Read a data file of either form, by its suffix."""
    suffix = path.suffix.lower()  # SHIMEN.XLSX, as some systems name files
    if suffix in (".yaml", ".yml"):
        return read_yaml(path)
    if suffix == ".xlsx":
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


__all__ = ["MAX_FIGURE", "TOP_KEYS", "load_history", "load_report", "parse_value", "read_data", "read_xlsx", "read_yaml"]
