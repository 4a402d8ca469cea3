"""The Excel template: its layout, and what reading a filled copy back gives or refuses."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from nianbao.errors import DataError, address
from nianbao.format import AMOUNT, NARRATIVE_KEYS, all_cell_keys, column_of
from nianbao.load import read_xlsx, read_yaml
from nianbao.template import GUIDE_SHEET, NARRATIVE_SHEET, layout, write_template

ROOT = Path(__file__).resolve().parents[1]
YUEYANGLOU = ROOT / "data" / "2024" / "yueyanglou.yaml"
NAME = "岳阳市岳阳楼区人民政府"
SHEET_B = "表三 依申请"


@pytest.fixture
def blank(tmp_path: Path) -> Path:
    return write_template(tmp_path / "blank.xlsx", "yueyanglou", NAME, 2024)


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    return write_template(tmp_path / "filled.xlsx", "yueyanglou", NAME, 2024, read_yaml(YUEYANGLOU))


def edit(path: Path, sheet: str, cell: str, value: object) -> None:
    """Change one cell and save, as an analyst would in Excel."""
    book = openpyxl.load_workbook(path)
    book[sheet][cell] = value
    book.save(path)


def place(key: str) -> tuple[str, str]:
    p = layout().cells[key]
    return p.sheet, p.cell


# The layout ------------------------------------------------------------------------------------


def test_layout_places_every_cell_and_narrative_key_once() -> None:
    plan = layout()
    assert tuple(plan.cells) == all_cell_keys()
    assert tuple(plan.narrative) == NARRATIVE_KEYS
    places = [(p.sheet, p.cell) for p in (*plan.cells.values(), *plan.narrative.values(), *plan.meta.values())]
    places += [(lb.place.sheet, lb.place.cell) for lb in plan.labels]
    assert len(places) == len(set(places))


def test_sheet_names() -> None:
    assert layout().sheets == ("说明", "表二 主动公开", SHEET_B, "表四 复议诉讼", "信息处理费", "叙述")


def test_table_b_header_and_label_columns_are_merged(blank: Path) -> None:
    merged = {str(r) for r in openpyxl.load_workbook(blank)[SHEET_B].merged_cells.ranges}
    header = {"A2:C4", "D2:J2", "D3:D4", "E3:I3", "J3:J4"}
    body = {"A5:C5", "A6:C6", "A7:A28", "B7:C7", "B9:B16", "B17:B19", "B20:B24", "B25:B27", "B28:C28", "A29:C29"}
    assert header | body <= merged


def test_table_c_header_is_merged(blank: Path) -> None:
    merged = {str(r) for r in openpyxl.load_workbook(blank)["表四 复议诉讼"].merged_cells.ranges}
    assert {"B2:F2", "G2:P2", "B3:B4", "F3:F4", "G3:K3", "L3:P3"} <= merged


def test_figure_cells_are_unlocked_and_validated(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    for key, p in layout().cells.items():
        ws = book[p.sheet]
        kind = "decimal" if column_of(key).kind == AMOUNT else "whole"
        covering = [dv for dv in ws.data_validations.dataValidation if p.cell in dv]
        assert [(dv.type, dv.operator, dv.formula1) for dv in covering] == [(kind, "greaterThanOrEqual", "0")], key
        assert ws[p.cell].protection.locked is False, key
    for label in layout().labels:
        assert book[label.place.sheet][label.place.cell].protection.locked is True
    assert all(ws.protection.sheet for ws in book.worksheets)


def test_guide_mentions_placeholders(blank: Path) -> None:
    texts = [c for row in openpyxl.load_workbook(blank)[GUIDE_SHEET].values for c in row if isinstance(c, str)]
    assert any("{{ 本年新收 }}" in t and "{{ B.new.total }}" in t for t in texts)


# Reading back ----------------------------------------------------------------------------------


def test_round_trip_gives_the_same_data(filled: Path) -> None:
    want = read_yaml(YUEYANGLOU)
    got = read_xlsx(filled)
    assert got.cells == want.cells
    assert got.narrative == want.narrative
    assert (got.agency, got.year, got.published, got.notes) == (want.agency, want.year, want.published, want.notes)
    assert got.source == str(filled)


def test_writing_twice_reads_back_identically(tmp_path: Path) -> None:
    data = read_yaml(YUEYANGLOU)
    first = write_template(tmp_path / "1.xlsx", "yueyanglou", NAME, 2024, data)
    second = write_template(tmp_path / "2.xlsx", "yueyanglou", NAME, 2024, data)
    a, b = openpyxl.load_workbook(first), openpyxl.load_workbook(second)
    assert a.sheetnames == b.sheetnames
    for name in a.sheetnames:
        assert list(a[name].values) == list(b[name].values)
    assert read_xlsx(first).cells == read_xlsx(second).cells


def test_empty_template_reads_as_blank(blank: Path) -> None:
    got = read_xlsx(blank)
    assert set(got.cells.values()) == {None}
    assert set(got.narrative.values()) == {""}
    assert (got.agency, got.year, got.published, got.notes) == ("yueyanglou", 2024, "", {})


@pytest.mark.parametrize(
    ("key", "typed", "read"),
    [
        ("A.fees.amount", 46.6847, 46.6847),
        ("B.new.natural", 7.0, 7),  # Excel and WPS may store whole numbers as floats
        ("B.new.natural", "80", 80),
        ("B.new.natural", "/", "/"),
        ("B.new.natural", "—", "—"),
        ("C.cases.review_total", "?", "?"),
        ("F.fee.collected", 12.5, 12.5),
    ],
)
def test_typed_values_are_accepted(blank: Path, key: str, typed: object, read: object) -> None:
    edit(blank, *place(key), typed)
    assert read_xlsx(blank).cells[key] == read


def test_narrative_typed_in_excel_is_read(blank: Path) -> None:
    edit(blank, NARRATIVE_SHEET, layout().narrative["overview.requests"].cell, "共收到申请{{ 本年新收 }}件。\n")
    assert read_xlsx(blank).narrative["overview.requests"] == "共收到申请{{ 本年新收 }}件。"


@pytest.mark.parametrize(
    ("key", "typed", "says"),
    [
        ("B.new.natural", "80件", "80件"),
        ("B.new.natural", -1, "负数"),
        ("B.total.total", 2.5, "整数"),
        ("A.fees.amount", -0.5, "负数"),
    ],
)
def test_bad_figure_names_sheet_and_cell(blank: Path, key: str, typed: object, says: str) -> None:
    sheet, cell = place(key)
    edit(blank, sheet, cell, typed)
    with pytest.raises(DataError) as caught:
        read_xlsx(blank)
    assert (caught.value.sheet, caught.value.cell) == (sheet, cell)
    assert f"单元格 {address(sheet, cell)}：" in str(caught.value)  # one address, as Excel writes it
    assert says in str(caught.value)


def test_overwritten_label_names_sheet_and_cell(blank: Path) -> None:
    edit(blank, SHEET_B, "A5", "新收申请")
    with pytest.raises(DataError, match="新收申请") as caught:
        read_xlsx(blank)
    assert f"单元格 {address(SHEET_B, 'A5')}：" in str(caught.value)


def test_label_differing_only_in_width_and_spaces_is_accepted(blank: Path) -> None:
    edit(blank, SHEET_B, "B28", " (七) 总计 ")
    assert read_xlsx(blank).cells["B.total.total"] is None


def test_inserted_row_is_refused(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    book[SHEET_B].insert_rows(6)
    book.save(blank)
    with pytest.raises(DataError) as caught:
        read_xlsx(blank)
    first = caught.value.problems[0]  # every moved label is listed, the first where the row went in
    assert (first.sheet, first.cell) == (SHEET_B, "A6")
    assert f"  {address(SHEET_B, 'A6')}：这里应是标签" in str(caught.value)


def test_deleted_sheet_is_named(blank: Path) -> None:
    book = openpyxl.load_workbook(blank)
    del book[SHEET_B]
    book.save(blank)
    with pytest.raises(DataError, match=f"工作表 {SHEET_B}") as caught:
        read_xlsx(blank)
    assert caught.value.sheet == SHEET_B


def test_bad_year_names_its_cell(blank: Path) -> None:
    edit(blank, GUIDE_SHEET, layout().meta["year"].cell, "二〇二四")
    with pytest.raises(DataError, match=f"单元格 {GUIDE_SHEET}!B5"):
        read_xlsx(blank)


@pytest.mark.parametrize("name", ["data.xlsx", "data.xls", "data.txt"])
def test_not_a_workbook(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("agency: yueyanglou\n", encoding="utf-8")
    with pytest.raises(DataError, match="无法作为 Excel 工作簿打开") as caught:
        read_xlsx(path)
    assert f"文件 {path}" in str(caught.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="找不到数据文件"):
        read_xlsx(tmp_path / "none.xlsx")


@pytest.mark.parametrize("table", ["A", "B", "C", "F"])
def test_the_sheet_merges_exactly_the_cells_the_published_table_merges(blank: Path, table: str) -> None:
    from openpyxl.utils import get_column_letter

    from nianbao.format import TABLES
    from nianbao.grid import layout as grid_layout
    from nianbao.template import sheet_name

    grid = grid_layout(table, row_labels=True)
    spans = {
        f"{get_column_letter(1 + c.col)}{2 + c.row}:{get_column_letter(c.col + c.colspan)}{1 + c.row + c.rowspan}"
        for c in grid.cells if c.rowspan > 1 or c.colspan > 1
    }
    sheet = openpyxl.load_workbook(blank)[sheet_name(TABLES[table])]
    merged = {str(r) for r in sheet.merged_cells.ranges if r.min_row >= 2 and r.max_row < 2 + grid.n_rows}
    assert merged == spans and (spans or table == "F")  # F, the fee table, merges nothing
    published = grid_layout(table)  # the HTML's and PDF's grid: the same cells, less table 四's label column
    offset = 1 if table == "C" else 0
    assert {(c.row, c.col + offset, c.rowspan, c.colspan, c.text) for c in published.cells} <= {
        (c.row, c.col, c.rowspan, c.colspan, c.text) for c in grid.cells}
