"""The official tables: tidy records with the seed's golden figures, and the published layout."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from nianbao.format import TABLE_B, all_cell_keys
from nianbao.grid import fill, layout
from nianbao.model import ReportData
from nianbao.table_latex import to_latex
from nianbao.tables import frame, records, to_html

#: The seed's figures as the spec lists them ("The seed's figures"); every other cell of A and B is blank.
SEED_FIGURES = {
    "A.normative.issued": 7,
    "A.normative.repealed": 0,
    "A.normative.in_force": 23,
    "A.licensing.decisions": 58787,
    "A.penalty.decisions": 302,
    "A.coercion.decisions": 0,
    "A.fees.amount": 46.6847,
    "B.new.natural": 80,
    "B.new.total": 80,
    "B.disclosed.natural": 75,
    "B.disclosed.total": 75,
    "B.withheld_internal.natural": 1,
    "B.withheld_internal.total": 1,
    "B.withheld_query.natural": 2,
    "B.withheld_query.total": 2,
    "B.unavailable_not_held.natural": 2,
    "B.unavailable_not_held.total": 2,
    "B.total.natural": 80,
    "B.total.total": 80,
}


def test_seed_tables_a_and_b_hold_exactly_the_published_figures(seed: ReportData) -> None:
    published = {k: v for k, v in seed.cells.items() if k[0] in "AB" and v is not None}
    assert published == SEED_FIGURES


def test_seed_table_c_is_kept_unresolved(seed: ReportData) -> None:
    assert {v for k, v in seed.cells.items() if k.startswith("C.")} == {"?"}
    assert "无法确定" in seed.notes["C"]


def test_records_cover_every_cell_with_published_labels(seed: ReportData) -> None:
    rec = records(seed)
    assert list(rec.key) == list(all_cell_keys())
    row = rec[rec.key == "B.withheld_safety.total"].iloc[0]
    assert (row.table, row.row, row.column) == ("收到和处理政府信息公开申请情况", "3.危及“三安全一稳定”", "申请人情况·总计")
    fee = rec[rec.key == "A.fees.amount"].iloc[0]
    assert (fee.row, fee.column, fee.value) == ("行政事业性收费", "本年收费金额（单位：万元）", 46.6847)


def test_frame_of_table_b_has_three_header_levels(seed: ReportData) -> None:
    df = frame(seed, "B")
    assert df.shape == (25, 7)
    assert df.columns[1] == ("申请人情况", "法人或其他组织", "商业企业")
    assert df.loc["（七）总计", ("申请人情况", "总计", "")] == 80


class Cells(HTMLParser):
    """The header and label cells of an HTML table with their spans."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, int, int, str]] = []
        self._open: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag in ("th", "td"):
            a = dict(attrs)
            self._open = [tag, int(a.get("rowspan", 1)), int(a.get("colspan", 1)), ""]

    def handle_data(self, data):
        if self._open:
            self._open[3] += data

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._open:
            self.cells.append(tuple(self._open))
            self._open = None


def html_cells(html: str) -> list[tuple[str, int, int, str]]:
    parser = Cells()
    parser.feed(html)
    return parser.cells


def test_table_b_html_header_is_merged_as_published(seed: ReportData) -> None:
    cells = html_cells(to_html(fill(layout("B"), seed)))
    spans = {text: (rs, cs) for _, rs, cs, text in cells}
    assert spans[TABLE_B.row_header] == (3, 3)
    assert spans["申请人情况"] == (1, 7)
    assert spans["自然人"] == (2, 1)
    assert spans["法人或其他组织"] == (1, 5)
    assert spans["总计"] == (2, 1)
    assert spans["三、本年度办理结果"] == (22, 1)
    assert spans["（三）不予公开"] == (8, 1)
    assert spans["（四）无法提供"] == (3, 1)
    assert spans["（五）不予处理"] == (5, 1)
    assert spans["（六）其他处理"] == (3, 1)
    assert spans["一、本年新收政府信息公开申请数量"] == (1, 3)
    assert spans["（七）总计"] == (1, 2)


def test_table_c_html_header_is_merged_as_published(seed: ReportData) -> None:
    cells = html_cells(to_html(fill(layout("C"), seed)))
    heads = [(text, rs, cs) for tag, rs, cs, text in cells if tag == "th"]
    assert heads[:2] == [("行政复议", 1, 5), ("行政诉讼", 1, 10)]
    assert heads[2:7] == [(x, 2, 1) for x in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
    assert ("未经复议直接起诉", 1, 5) in heads and ("复议后起诉", 1, 5) in heads
    assert [text for tag, *_, text in cells if tag == "td"] == ["？无法确定"] * 15  # the mark said in words too


def test_every_grid_row_is_filled_exactly(seed: ReportData) -> None:
    for table in "ABCF":
        grid = layout(table)
        covered = set()
        for c in grid.cells:
            for r in range(c.row, c.row + c.rowspan):
                for k in range(c.col, c.col + c.colspan):
                    assert (r, k) not in covered, (table, r, k)
                    covered.add((r, k))
        assert covered == {(r, k) for r in range(grid.n_rows) for k in range(grid.n_cols)}


def test_html_escapes_labels_and_marks_flagged_cells(seed: ReportData) -> None:
    data = seed.with_cells({"B.new.natural": "<b>"})
    html = to_html(fill(layout("B"), data, {"B.new.total": {"flag"}}))
    assert "&lt;b&gt;" in html and "<b>" not in html
    assert 'class="flag" data-cell="B.new.total"' in html


def test_latex_merges_and_escapes(seed: ReportData) -> None:
    latex = to_latex(fill(layout("B"), seed.with_cells({"B.new.natural": "50%_&"}), {"B.new.total": {"flag"}}))
    assert r"\multirow{22}" in latex and r"\multicolumn{7}" in latex
    assert r"50\%\_\&" in latex
    assert r"\cellcolor{nbflag}" in latex
    assert latex.count(r"\\") == layout("B").n_rows


@pytest.mark.parametrize("table", ["A", "B", "C", "F"])
def test_latex_rows_have_one_entry_per_column(seed: ReportData, table: str) -> None:
    grid = fill(layout(table), seed)
    body = to_latex(grid).split(r"\hline", 1)[1]
    for line in [x for x in body.splitlines() if x.rstrip().endswith(("\\hline", "}")) and " & " in x]:
        width = 0
        for entry in line.split(r" \\")[0].split(" & "):
            width += int(entry.split(r"\multicolumn{", 1)[1].split("}")[0]) if r"\multicolumn{" in entry else 1
        assert width == grid.n_cols, line


def test_codes_in_a_longtable_may_break_after_a_dash_or_between_letters_and_stay_escaped() -> None:
    import pandas as pd

    from nianbao.tables import longtable

    body = longtable(pd.DataFrame({"规则": ["WW-INTERPRETATION", "A_b", "X$"], "内容": ["a_b", "c", "d"]}), "ll", codes="规则")
    rows = body.split("\\endlastfoot", 1)[1]
    assert "W\\penalty5000{}W-\\allowbreak{}I\\penalty5000{}N" in rows  # free after the dash, costly inside a word
    assert "A\\_\\allowbreak{}b" in rows and "X\\$ & d" in rows and "a\\_b" in rows  # escapes kept whole
