"""Reading published reports back: the seed's copied text, web pages, copies with other spacing,
cells run together, the 2019 format, and the two real PDFs of the corpus."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao import checks
from nianbao.errors import DataError
from nianbao.format import B_APPLICANTS, B_RESULT_ROWS, PARTS, TABLE_B, TABLES, all_cell_keys, cell_key, relations
from nianbao.grid import fill, layout
from nianbao.importer import Reading, agency_slug, parse_html, parse_text, read_report, registered
from nianbao.importer import rows as importer_rows
from nianbao.importer.readings import row_specs
from nianbao.importer.rows import Row, rows_to_place
from nianbao.load import read_yaml
from nianbao.tables import to_html

from .conftest import ROOT, SEED, require_shared

SHARED = Path(__file__).resolve().parents[2] / "shared"
SEED_TEXT = SHARED / "seeds" / "000_9a97c9075911a516.txt"
CORPUS = SHARED / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
PAGE = FIXTURES / "site-page-linjiang-zjj-2024.html"
COPY = FIXTURES / "copied-text-linjiang-zjj-2024.txt"
EXPECTED = FIXTURES / "expected-linjiang-zjj-2024.yaml"

needs_seed = pytest.mark.usefixtures("seed_text")  # skipped without ../shared, failed in CI
needs_corpus = pytest.mark.usefixtures("corpus_dir")


def table(data, key: str) -> dict[str, object]:
    return {k: v for k, v in data.cells.items() if k.startswith(key + ".")}


def failed(results, rule: str) -> list[str]:
    return [r.where for r in results if r.rule == rule and r.status == checks.FAILED]


# ---------------------------------------------------------------- the seed: text copied from the web page


@pytest.fixture(scope="module")
def seed_import():
    return read_report(require_shared(SEED_TEXT))


def test_seed_text_imports_exactly_the_specs_tables_a_and_b(seed_import, seed) -> None:
    data = seed_import.data
    assert table(data, "A") == table(seed, "A")
    assert table(data, "B") == table(seed, "B")
    assert data.cells["A.rules.issued"] is None and data.cells["A.coercion.decisions"] == 0
    assert data.cells["A.fees.amount"] == 46.6847
    assert not {k for k in data.provenance if k[0] in "AB"}  # nothing in A or B was guessed or derived


def test_seed_table_c_is_unknown_with_the_reason_and_the_checks_say_so(seed_import) -> None:
    data = seed_import.data
    assert set(table(data, "C").values()) == {"?"}
    reason = seed_import.unknown()["C.cases.review_upheld"]
    assert "16 个单元格" in reason and "第 1、2、12、15 个依次为 1、4、1、5" in reason
    assert set(seed_import.unknown()) == {k for k in all_cell_keys() if k.startswith("C.")}
    assert "16 个单元格" in data.notes["C"]
    results = checks.run(data, data.narrative)
    uncertain = {r.rule for r in results if r.status == checks.UNCERTAIN}
    assert {"V-VALUE", "C-TOTAL"} <= uncertain
    assert not [r for r in results if r.is_error]


def test_seed_title_date_headings_and_narrative(seed_import) -> None:
    data = seed_import.data
    assert seed_import.name == "岳阳市岳阳楼区" and data.year == 2024 and seed_import.format == "2021"
    assert data.agency == agency_slug("岳阳市岳阳楼区")
    assert data.published == "2025-01-31"
    assert data.headings[4] == "、存在的主要问题及改进情况"  # the numbering slip, kept as printed
    assert data.narrative["preamble"].startswith("根据《中华人民共和国政府信息公开条例》")
    assert data.narrative["overview.active"].startswith("岳阳楼区是岳阳市的政治")  # part 一's opening goes with (一)
    assert "主动公开发布信息7388条" in data.narrative["overview.active"]
    assert "共办理完成80件" in data.narrative["overview.requests"]
    assert data.narrative["overview.platforms"].startswith("一是推进网站和公众号")  # its heading lost the （四
    assert data.narrative["problems.improvements"].startswith("第一、提高思想认识")
    assert data.narrative["other.text"].endswith("联系电话:0730-8245590)。")  # signature and date dropped
    assert data.cells["F.fee.collected"] == 0 and data.cells["F.fee.notices"] is None
    assert "没有写明发出收费通知的件数" in data.notes["F"]


def test_the_registry_knows_a_government_by_its_district() -> None:
    names = {"yueyanglou": "岳阳市岳阳楼区人民政府", "x": "岳阳市岳阳楼区数据局"}
    assert registered("岳阳市岳阳楼区", names) == "yueyanglou"
    assert registered("岳阳市岳阳楼区人民政府", names) == "yueyanglou"
    assert registered("岳阳楼区", names) is None
    assert agency_slug("岳阳市岳阳楼区") == agency_slug("岳阳市岳阳楼区") != agency_slug("岳阳楼区")


# ---------------------------------------------------------------- a full site page, and the same report copied


@pytest.fixture(scope="module")
def expected():
    return read_yaml(EXPECTED)


@pytest.fixture(scope="module")
def page_import():
    return read_report(PAGE)


def test_site_page_imports_its_tables_through_rowspan_and_colspan(page_import, expected) -> None:
    data = page_import.data
    for key in TABLES:
        assert table(data, key) == table(expected, key), key
    assert page_import.unknown() == {} and page_import.derived() == {}
    assert data.provenance["F.fee.notices"] == "read: 第六部分“发出收费通知2件”"


def test_site_page_skips_menus_scripts_sidebars_and_footers(page_import) -> None:
    data = page_import.data
    assert page_import.name == "青川市临江区住房和城乡建设局" and data.year == 2024  # not the sidebar's 2023
    assert data.published == "2025-01-24"
    assert [h[:2] for h in data.headings] == [f"{p.number}、" for p in PARTS]
    assert data.narrative["preamble"].startswith("本报告依据")
    assert data.narrative["overview.requests"].startswith("全年共收到政府信息公开申请54件")
    assert data.narrative["problems.problems"].startswith("一是政策解读多用文字")
    assert data.narrative["other.text"].endswith("（电话：0000-6634567）。")
    text = "".join(data.narrative.values())
    for junk in ("网站标识码", "打印本页", "无障碍", "document.write", "相关阅读", "页脚"):
        assert junk not in text
    results = checks.run(data, data.narrative)
    assert not [r for r in results if r.is_error or r.status == checks.UNCERTAIN]


def test_the_copied_text_with_other_spacing_imports_to_the_same_report(page_import) -> None:
    copy = read_report(COPY)
    assert copy.data.cells == page_import.data.cells
    assert copy.data.narrative == page_import.data.narrative
    assert (copy.name, copy.data.year, copy.data.published) == (page_import.name, 2024, "2025-01-24")
    assert copy.data.headings[1] == "二.主动公开政府信息情况"


def test_a_gbk_page_is_read_by_its_declared_charset(tmp_path: Path, page_import) -> None:
    markup = PAGE.read_text(encoding="utf-8").replace("charset=utf-8", "charset=gb2312")
    path = tmp_path / "page.htm"
    path.write_bytes(markup.encode("gb18030"))
    assert read_report(path).data.cells == page_import.data.cells


@pytest.mark.parametrize("path", sorted((ROOT / "data").rglob("*.yaml")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_kits_own_tables_read_back_cell_for_cell(path: Path) -> None:
    data = read_yaml(path)
    body = []
    for part in PARTS:
        body.append(f"<h2>{part.heading}</h2>")
        body.extend(f"<h3>{s.title}</h3><p>{data.narrative.get(f'{part.key}.{s.key}', '')}</p>" for s in part.sections if s.title)
        if part.table:
            body.append(to_html(fill(layout(part.table), data)))
    page = f"<html><body><h1>青川市某单位{data.year}年政府信息公开工作年度报告</h1>{''.join(body)}</body></html>"
    imported = parse_html(page)
    assert imported.data.year == data.year
    assert imported.data.cells == data.cells
    assert set(imported.unknown()) == {k for k, v in data.cells.items() if v == "?"}


# ---------------------------------------------------------------- a broken relation, the 2019 format


def test_a_broken_relation_is_imported_as_printed_and_the_checks_flag_it() -> None:
    imported = read_report(FIXTURES / "broken-balance-linjiang-slj-2024.txt")
    data = imported.data
    assert imported.unknown() == {} and imported.derived() == {}
    assert [data.cells[f"B.{r}.total"] for r in ("new", "carried_over", "total", "carried_forward")] == [12, 1, 11, 1]
    assert data.cells["B.new.commercial"] is None
    assert table(data, "C") == {k: 0 for k in table(data, "C")}
    results = checks.run(data, data.narrative)
    assert failed(results, "B-BALANCE") == ["表三「自然人」列", "表三「总计」列"]
    assert [r.rule for r in results if r.is_error] == ["B-BALANCE", "B-BALANCE"]


@pytest.fixture(scope="module")
def old_format():
    return read_report(FIXTURES / "format-2019-linjiang-jyj-2019.txt")


def test_the_2019_format_is_recognised_and_what_maps_cleanly_is_imported(old_format) -> None:
    data = old_format.data
    assert old_format.format == "2019" and data.year == 2019
    assert any("国办公开办函〔2019〕60号" in n for n in old_format.notes)
    assert (data.cells["A.licensing.decisions"], data.cells["A.penalty.decisions"], data.cells["A.coercion.decisions"]) == (340, 17, 2)
    for key in ("A.rules.issued", "A.normative.in_force", "A.fees.amount"):
        assert data.cells[key] == "?" and "2019 年格式的表二没有此栏" in old_format.unknown()[key]
    assert data.cells["B.new.total"] == 9 and data.cells["B.total.commercial"] == 2
    assert table(data, "C")["C.cases.suit_direct_total"] == 1
    assert (data.cells["F.fee.notices"], data.cells["F.fee.collected"]) == (0, 0)


def test_a_single_other_row_maps_zero_by_rule_and_a_figure_to_unknown(old_format) -> None:
    data = old_format.data
    for child in ("other_no_correction", "other_no_fee", "other_other"):
        assert data.cells[f"B.{child}.natural"] == "?" and data.cells[f"B.{child}.total"] == "?"
        assert "此列为 1" in old_format.unknown()[f"B.{child}.natural"]
        assert data.cells[f"B.{child}.commercial"] == 0
        assert old_format.derived()[f"B.{child}.commercial"].startswith("V-VALUE ")
    assert "只印一行" in data.notes["B"]


# ---------------------------------------------------------------- cells run together


@pytest.fixture(scope="module")
def run_together():
    return read_report(FIXTURES / "run-together-linjiang-nyj-2024.txt")


def test_run_together_digits_with_several_readings_are_unknown(run_together) -> None:
    data = run_together.data
    assert [data.cells[f"A.normative.{c}"] for c in ("issued", "repealed", "in_force")] == ["?", "?", "?"]
    reason = run_together.unknown()["A.normative.issued"]
    assert "“693665”" in reason and "28 种读法" in reason and "（6，9，3665）" in reason


def test_run_together_digits_with_one_reading_are_derived_by_the_rule(run_together) -> None:
    data = run_together.data
    assert [data.cells[cell_key("B", "new", c.key)] for c in TABLE_B.columns] == [8, 1, 0, 0, 0, 0, 9]
    assert run_together.derived()["B.new.total"].startswith("B-ROWSUM ")
    assert [data.cells[cell_key("B", "disclosed", c.key)] for c in TABLE_B.columns] == [5, None, None, None, None, None, 5]
    assert run_together.derived()["B.disclosed.natural"].startswith("B-ROWSUM、B-COLSUM、B-BALANCE ")
    assert data.provenance["B.new.natural"].startswith("derived: ")
    lines = "\n".join(run_together.lines())
    assert "无法确定 3 格" in lines and "按规则推算 14 格" in lines


REPORT = """青川市临江区示例局2024年政府信息公开工作年度报告
一、总体情况
二、主动公开政府信息情况
{a}
三、收到和处理政府信息公开申请情况
{b}
四、政府信息公开行政复议、行政诉讼情况
{c}
五、存在的主要问题及改进情况
六、其他需要报告的事项
"""
ZERO_B = "\n".join(r.label if r.heading else f"{r.label} 0 0 0 0 0 0 0" for r in TABLE_B.rows)
ZERO_C = " ".join(["0"] * 15)


def imported_text(a: str = "", b: str = ZERO_B, c: str = ZERO_C):
    return parse_text(REPORT.format(a=a, b=b, c=c))


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("（一）予以公开 3 3", "有 2 种读法符合勾稽关系"),  # two rows read “3 3”: which holds 自然人's 3 …
        ("（一）予以公开 1 2 3 4 5 6 7 8", "读出 8 个单元格，多于 7 格"),
        ("（一）予以公开 1 2 3 见附件", "夹有无法识别的文字“见附件”"),
        ("（一）予以公开 1 2 4", "没有一种读法"),
    ],
)
def test_rows_that_cannot_be_placed_are_unknown_with_the_reason(row: str, reason: str) -> None:
    b = ZERO_B.replace("（一）予以公开 0 0 0 0 0 0 0", row)
    if "3 3" in row:  # … and which 商业企业's, the column rules cannot tell
        b = b.replace("（七）总计 0 0 0 0 0 0 0", "（七）总计 3 3 0 0 0 0 6").replace(
            "一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0", "一、本年新收政府信息公开申请数量 3 3 0 0 0 0 6")
        b = b.replace("（二）部分公开（区分处理的，只计这一情形，不计其他情形） 0 0 0 0 0 0 0", "（二）部分公开 3 3")
    imported = imported_text(b=b)
    assert imported.data.cells["B.disclosed.natural"] == "?"
    assert reason in imported.unknown()["B.disclosed.natural"]


def settle_b(printed: dict[str, str]) -> dict[str, Row]:
    """Table 三's rows as the importer settles them from copied text: each figure row reads seven 0s
    unless ``printed`` gives its text; a heading given text is printed as one row without its sub-rows.
    """
    readings = {r.key: Reading(tuple(printed.get(r.key, "0 0 0 0 0 0 0").split()), exact=False)
                for r in TABLE_B.rows if (r.key in printed or not r.heading) and r.parent not in printed}
    placed, _ = rows_to_place("B", row_specs("B", "2021"), readings)
    return importer_rows.resolve("B", placed, readings)


# “8100009” read into seven cells: 8,1,0,0,0,0,9, or with a cell left blank 81,0,0,0,0,9 or 8,10,0,0,0,9 …;
# only the first adds up to its 总计. （六）其他处理 printed as one row has that sum too.
RUN_TOGETHER_ROWS = ["disclosed", "other"]


@pytest.mark.parametrize("row", RUN_TOGETHER_ROWS)
def test_a_run_together_row_is_settled_by_its_sum_in_the_formats_relations(row: str) -> None:
    outcome = settle_b({row: "8100009"})[row]
    assert [t.value for t in outcome.values or ()] == [8, 1, 0, 0, 0, 0, 9]
    assert outcome.derived == "B-ROWSUM" and "唯一符合 B-ROWSUM 的读法为（8，1，0，0，0，0，9）" in outcome.reason


@pytest.mark.parametrize("row", RUN_TOGETHER_ROWS)
def test_the_importer_knows_no_sum_but_the_formats_relations(row: str, monkeypatch) -> None:
    """The same rows with relations.sums() stating none: no reading is preferred, the row stays unknown."""
    monkeypatch.setattr(importer_rows, "sums", lambda folded=(): ())
    assert settle_b({row: "8100009"})[row].values is None


def test_a_single_other_row_stands_for_its_sub_rows_in_the_relations_across_rows() -> None:
    """With （六）其他处理 printed as one row, the column sums the importer settles rows by are the
    format's, that row's cells standing for the sum of its three sub-rows'."""
    readings = {"other": Reading(("1",), exact=False)}
    placed, _ = rows_to_place("B", row_specs("B", "2021"), readings)
    own, across = importer_rows._relations("B", placed)
    folded = relations.sums(("other",))
    assert own["other"] == [s for s in folded if s.total == "B.other.total"]
    assert across == [*(s for s in folded if s.rule == "B-COLSUM"), *relations.balances()]
    assert all(f"B.other.{c.key}" in s.parts and f"B.other_other.{c.key}" not in s.parts
               for s, c in zip(across, TABLE_B.columns))
    numbers = {k: 0 for r in across for k in r.keys} | {"B.other.natural": 2, "B.total.natural": 2, "B.new.natural": 2}
    assert all(r.holds(numbers) for r in across)
    assert not all(r.holds({**numbers, "B.other.natural": 1}) for r in across)


def test_a_missing_row_label_leaves_that_row_unknown_and_the_rest_imported() -> None:
    imported = imported_text(b=ZERO_B.replace("7.属于行政执法案卷", "7.属于行政执法材料"))
    unknown = imported.unknown()
    assert unknown["B.withheld_enforcement.total"] == "原文中找不到“7.属于行政执法案卷”这一行"
    assert imported.data.cells["B.withheld_query.total"] == 0  # the row after is still read


def test_figures_written_with_units_separators_and_dashes() -> None:
    a = "规章 — — —\n行政规范性文件 2件 0 1,024\n行政许可 3,120 件\n行政处罚 7\n行政强制 0\n行政事业性收费 5,000元"
    imported = imported_text(a=a)
    cells = imported.data.cells
    assert [cells[f"A.rules.{c}"] for c in ("issued", "repealed", "in_force")] == ["—", "—", "—"]
    assert [cells[f"A.normative.{c}"] for c in ("issued", "repealed", "in_force")] == [2, 0, 1024]
    assert cells["A.licensing.decisions"] == 3120
    assert cells["A.fees.amount"] == 0.5 and imported.derived()["A.fees.amount"].startswith("UNIT ")


def test_values_the_format_does_not_allow_are_unknown_not_refused() -> None:
    b = ZERO_B.replace("（一）予以公开 0 0 0 0 0 0 0", "（一）予以公开 -1 0 0 0 0 0 -1")
    imported = imported_text(b=b)
    assert imported.data.cells["B.disclosed.natural"] == "?"
    assert "不能为负数" in imported.unknown()["B.disclosed.natural"]


@given(st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_damaged_row_imports_as_printed_or_unknown_never_as_a_guess(data) -> None:
    """Any consistent table B, one row's cells run together or its blank cells lost: every cell
    imports to its true value or to "?", and an undamaged row always to its true value."""
    truth = consistent_table_b(data)
    rows = [r.key for r in TABLE_B.figure_rows()]
    damaged = data.draw(st.sampled_from(rows))
    how = data.draw(st.sampled_from(["run together", "blanks lost"]))
    if how == "blanks lost":
        truth[damaged] = [None if v == 0 else v for v in truth[damaged]]
    lines = []
    for row in TABLE_B.rows:
        if row.heading:
            lines.append(row.label)
            continue
        values = [str(v) for v in truth[row.key] if v is not None]
        sep = "" if row.key == damaged and how == "run together" else " "
        lines.append(f"{row.label} {sep.join(values)}")
    imported = imported_text(b="\n".join(lines)).data
    for row in rows:
        for c, column in enumerate(TABLE_B.columns):
            got = imported.cells[cell_key("B", row, column.key)]
            assert got == truth[row][c] or (row == damaged and got == "?"), (row, column.key, got, truth[row])


def consistent_table_b(data) -> dict[str, list]:
    small = st.integers(0, 12)
    sparse = st.one_of(st.just(0), st.just(0), small)
    out: dict[str, list] = {}
    for row in B_RESULT_ROWS:
        values = [data.draw(sparse) for _ in B_APPLICANTS]
        out[row] = [*values, sum(values)]
    total = [sum(out[r][c] for r in B_RESULT_ROWS) for c in range(7)]
    carried = [data.draw(sparse) for _ in B_APPLICANTS]
    forward = [data.draw(sparse) for _ in B_APPLICANTS]
    carried, forward = [*carried, sum(carried)], [*forward, sum(forward)]
    new = [t + f - c for t, f, c in zip(total, forward, carried)]
    if any(n < 0 for n in new):
        carried = [0] * 7
        new = [t + f for t, f in zip(total, forward)]
    return {**out, "total": total, "new": new, "carried_over": carried, "carried_forward": forward}


# ---------------------------------------------------------------- what is refused


def test_a_page_that_is_not_a_report_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notice.txt"
    path.write_text("关于召开政务公开培训会的通知\n各单位：定于下周召开培训会。\n", encoding="utf-8")
    with pytest.raises(DataError, match="不像是政府信息公开工作年度报告") as info:
        read_report(path)
    assert info.value.file == str(path) and str(path) in str(info.value)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.wpd", b"\xd0\xcf\x11\xe0", "不认识的文件类型"),
        ("report.doc", b"\xd0\xcf\x11\xe0", "无法读取文档：文件的扩展名是 .doc，内容却是文字"),
        ("report.docx", b"PK", "无法读取 Word 文件"),
        ("missing.txt", None, "找不到文件"),
        ("scan.pdf", b"%PDF-1.4 not really", "无法读取 PDF"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(tmp_path: Path, name, content, message) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(DataError, match=message):
        read_report(path)


def test_a_title_without_a_year_needs_the_year_given() -> None:
    text = REPORT.format(a="", b=ZERO_B, c=ZERO_C).replace("2024年", "")
    with pytest.raises(DataError, match="无法从标题中读出报告年度.*--year"):
        parse_text(text)
    assert parse_text(text, year=2024, agency="shiliju").data.agency == "shiliju"


# ---------------------------------------------------------------- the real PDFs of the corpus


HONGZE = {
    2023: {
        "A": {"rules": [0, 0, 0], "normative": [0, 5, 5], "licensing": [550], "penalty": [4119], "coercion": [195],
              "fees": [7730.28]},
        "B": {"new": 21, "carried_over": 0, "disclosed": 0, "partial": 4, "withheld_secret": 1, "withheld_process": 1,
              "withheld_enforcement": 1, "unavailable_not_held": 10, "unavailable_to_create": 3, "refused_petition": 1,
              "total": 21, "carried_forward": 0},
        "C": [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0],
        "name": "洪泽区人民政府",
    },
    2024: {
        "A": {"rules": [0, 0, 0], "normative": [3, 0, 8], "licensing": [9487], "penalty": [2776], "coercion": [84],
              "fees": [7545]},
        "B": {"new": 95, "carried_over": 0, "disclosed": 50, "partial": 9, "withheld_safety": 1, "withheld_process": 1,
              "withheld_enforcement": 1, "unavailable_not_held": 31, "unavailable_to_create": 1, "refused_petition": 1,
              "total": 95, "carried_forward": 0},
        "C": [1, 1, 0, 0, 2, 1, 0, 0, 0, 1, 2, 0, 1, 0, 3],
        "name": "淮安市洪泽区人民政府",
    },
}


@pytest.fixture(scope="module")
def hongze():
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus of real PDFs is not at {CORPUS}")
    return {year: read_report(CORPUS / f"hongze-{year}.pdf") for year in HONGZE}


@needs_corpus
@pytest.mark.parametrize("year", sorted(HONGZE))
def test_the_real_pdfs_import_completely(hongze, year: int) -> None:
    imported, expected = hongze[year], HONGZE[year]
    data = imported.data
    assert (imported.name, data.year, imported.format) == (expected["name"], year, "2021")
    assert imported.unknown() == {}
    for row, values in expected["A"].items():
        assert [data.cells[f"A.{row}.{c.key}"] for c in TABLES["A"].columns_of(TABLES["A"].row(row))] == values
    # Only the 自然人 and 总计 columns hold figures; every other printed cell is 0.
    for row in TABLE_B.figure_rows():
        figure = expected["B"].get(row.key, 0)
        assert [data.cells[cell_key("B", row.key, c.key)] for c in TABLE_B.columns] == [figure, 0, 0, 0, 0, 0, figure], row.key
    assert list(table(data, "C").values()) == expected["C"]
    assert data.cells["F.fee.collected"] == 0 and data.cells["F.fee.notices"] is None


@needs_corpus
def test_the_pdfs_single_other_row_becomes_three_zero_rows_by_rule(hongze) -> None:
    derived = hongze[2024].derived()
    assert set(derived) == {cell_key("B", r.key, c.key) for r in TABLE_B.children("other") for c in TABLE_B.columns}
    assert all(reason.startswith("V-VALUE ") for reason in derived.values())


@needs_corpus
def test_the_pdfs_prose_is_reflowed_into_paragraphs(hongze) -> None:
    data = hongze[2023].data
    assert data.narrative["preamble"].startswith("本报告由淮安市洪泽区人民政府办公室根据《中华人民共和国政府信息公开条例》（国令第711号）")
    assert data.narrative["overview.requests"] == "进一步规范依申请公开流程，畅通依申请公开受理渠。2023年全区受理政府信息公开申请21件，均在法定期限答复。"
    assert data.narrative["problems.improvements"].startswith("针对存在问题，下一步")
    assert data.narrative["other.text"] == "2023年，区政府严格落实《政府信息公开信息处理费管理办法》，全年收取政府信息公开信息处理费0元。"
    assert hongze[2024].data.narrative["problems.problems"].endswith("政务新媒体运维管理还需加强等。")
    assert [h for h in data.headings] == [p.heading for p in PARTS]


@needs_corpus
def test_the_checks_find_the_breaks_the_pdfs_really_contain(hongze) -> None:
    r2023 = checks.run(hongze[2023].data, hongze[2023].data.narrative)
    assert failed(r2023, "C-TOTAL") == ["表四「行政复议」", "表四「行政诉讼·复议后起诉」"]  # 10+1 and 5 printed over totals of 0
    assert {r.rule for r in r2023 if r.is_error} == {"C-TOTAL"}
    r2024 = checks.run(hongze[2024].data, hongze[2024].data.narrative)
    assert not [r for r in r2024 if r.is_error]
    # "区政府办代表区政府受理…17件" against 95 in table B: the office's share, or a contradiction — undecidable
    [stated] = [r for r in r2024 if r.rule == "N-FIGURES" and r.status == "uncertain"]
    assert stated.observed == 17 and "表三为 95 件" in stated.message


def test_import_is_pure_of_the_source_path(page_import) -> None:
    again = parse_html(PAGE.read_text(encoding="utf-8"))
    assert replace(again.data, source=str(PAGE)) == page_import.data


# ---------------------------------------------------------------- the command line


def run_cli(*args: str):
    from click.testing import CliRunner

    from nianbao.cli import main

    return CliRunner().invoke(main, list(args))


@needs_seed
def test_cli_import_never_overwrites_silently(project) -> None:
    from nianbao.load import load_report

    target = project.data_dir / "2024" / "yueyanglou.yaml"
    before = target.read_text(encoding="utf-8")
    refused = run_cli("--project", str(project.root), "import", str(SEED_TEXT))
    assert refused.exit_code == 1
    assert f"Error: 文件 {target}：数据文件已存在，未覆盖（如要覆盖请加 --force）" in refused.output
    assert target.read_text(encoding="utf-8") == before
    forced = run_cli("--project", str(project.root), "import", str(SEED_TEXT), "--force")
    assert forced.exit_code == 0, forced.output
    assert f"已导入 {SEED_TEXT} → {target}" in forced.output
    assert "单位代码 yueyanglou" in forced.output  # found in params/agencies.yaml by the title's name
    assert "表四全部 15 格：原文此行读出 16 个单元格" in forced.output
    data = load_report(project, "yueyanglou", 2024)
    assert table(data, "A") == table(read_yaml(SEED), "A") and set(table(data, "C").values()) == {"?"}


def test_cli_import_writes_under_out_and_lists_every_unknown_and_derived_cell(project, tmp_path: Path) -> None:
    out = tmp_path / "imported"
    files = [FIXTURES / "run-together-linjiang-nyj-2024.txt", FIXTURES / "format-2019-linjiang-jyj-2019.txt"]
    result = run_cli("--project", str(project.root), "import", *map(str, files), "--out", str(out))
    assert result.exit_code == 0, result.output
    slug = agency_slug("青川市临江区农业农村局")
    written = out / "2024" / f"{slug}.yaml"
    assert read_yaml(written).cells["A.normative.issued"] == "?"
    assert (out / "2019" / f"{agency_slug('青川市临江区教育局')}.yaml").is_file()
    assert "无法确定 3 格：\n      表二「行政规范性文件」行全部 3 格：原文此行为“693665”" in result.output
    assert "表三「一、本年新收政府信息公开申请数量」行全部 7 格：B-ROWSUM" in result.output
    assert f"注意：单位代码 {slug} 不在 params/agencies.yaml 中" in result.output
    assert "识别为旧格式（国办公开办函〔2019〕60号" in result.output


def test_cli_import_keeps_going_past_a_file_it_cannot_read(tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_text("关于召开培训会的通知\n", encoding="utf-8")
    result = run_cli("import", str(notice), str(PAGE), "--agency", "linjiang-zjj", "--out", str(tmp_path / "d"))
    assert result.exit_code == 1
    assert f"Error: 文件 {notice}：不像是政府信息公开工作年度报告" in result.output
    assert (tmp_path / "d" / "2024" / "linjiang-zjj.yaml").is_file()


def test_cli_import_two_reports_to_one_file_is_refused(tmp_path: Path) -> None:
    result = run_cli("import", str(PAGE), str(COPY), "--agency", "linjiang-zjj", "--out", str(tmp_path))
    assert result.exit_code == 1
    assert "本次导入中已有文件写到" in result.output


def test_cli_import_year_given_over_the_title(tmp_path: Path) -> None:
    result = run_cli("import", str(PAGE), "--agency", "linjiang-zjj", "--year", "2023", "--out", str(tmp_path))
    assert result.exit_code == 0
    assert "标题写的是 2024 年，按指定的 2023 年导入" in result.output
    assert read_yaml(tmp_path / "2023" / "linjiang-zjj.yaml").year == 2023


@pytest.mark.parametrize(
    ("args", "message"),
    [([], "请给出要导入的文件"), (["x.html", "--agency", "Bad Id"], "单位代码只用小写英文字母")],
)
def test_cli_import_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run_cli("import", *args)
    assert result.exit_code == 2 and message in result.output


def test_cli_import_outside_a_project_needs_out(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("import", str(PAGE))
    assert result.exit_code == 1
    assert "找不到项目目录" in result.output and "--out" in result.output


# ---------------------------------------------------------------- crawler copies and where the identity comes from


def test_a_crawler_copy_with_the_body_on_one_line_is_read_with_its_title_line(corpus_dir: Path) -> None:
    reports = {year: read_report(corpus_dir / f"pingtan-{year}-page-text.txt") for year in (2021, 2024)}
    for year, imported in reports.items():
        assert (imported.name, imported.data.year) == ("平潭综合实验区", year)
        assert imported.identity_from == "“标题:”行"
        assert imported.data.published.startswith(str(year + 1))  # 发布时间 of the metadata
    assert reports[2021].data.agency == reports[2024].data.agency  # the same agency, the same id in every year
    d = reports[2024].data
    assert d.cells["A.licensing.decisions"] == 4529  # printed “行政许可4529”
    # “本年新收政府信息公开申请数量21710000218”: cells run together, one reading satisfies B-ROWSUM
    assert [d.cells[f"B.new.{c}"] for c in ("natural", "commercial", "total")] == [217, 1, 218]
    assert d.provenance["B.new.total"].startswith("derived: B-ROWSUM")
    # “行政规范性文件6233440” splits many ways: unknown, never guessed
    assert d.cells["A.normative.issued"] == "?" and "种读法" in d.provenance["A.normative.issued"]
    assert d.narrative["overview.active"] and d.narrative["other.text"]


def test_the_run_on_body_is_split_at_part_headings_and_section_numbers() -> None:
    from nianbao.importer.sources import reflowed

    line = ("本报告依据条例编制。" * 50 + "一、总体情况 （一）主动公开 本年主动公开信息10条。（二）依申请公开 收到申请3件。"
            "二、主动公开政府信息情况 第二十条第（一）项")
    out = reflowed(line).split("\n")
    assert [x.split(" ")[0] for x in out[1:]] == ["一、总体情况", "（一）主动公开", "（二）依申请公开", "二、主动公开政府信息情况"]
    assert reflowed("一行不长的文字。一、总体情况") == "一行不长的文字。一、总体情况"  # ordinary text untouched


def test_a_page_title_names_the_agency_not_a_sentence_of_the_opening(corpus_dir: Path) -> None:
    for name, agency, year in (("pingtan-xingzhengshenpi-2023.html", "平潭综合实验区行政审批局", 2023),
                               ("pingtan-zonghezhifa-2025.html", "平潭综合实验区综合执法与应急管理局", 2025)):
        imported = read_report(corpus_dir / name)
        assert (imported.name, imported.data.year, imported.identity_from) == (agency, year, "网页标题 <title>")


def test_a_title_inside_a_sentence_is_never_taken_for_the_agency() -> None:
    body = "\n".join(["根据条例，特向社会公布《青川市示例局2024年政府信息公开工作年度报告》如下。",
                      *(f"{p.number}、{p.title}" for p in PARTS)])
    with pytest.raises(DataError, match="无法从标题中读出"):
        parse_text(body)
    titled = parse_text("青川市临江区示例局2024年政府信息公开工作年度报告\n" + body)
    assert (titled.name, titled.data.year, titled.identity_from) == ("青川市临江区示例局", 2024, "正文的标题行")


@pytest.mark.parametrize("wording", ["2024年未收取信息处理费。", "本年度没有产生信息公开处理费。", "信息处理费：无。",
                                     "本机关未发生收费情况。", "依申请公开收费0元。"])
def test_the_wordings_agencies_use_for_no_fee_are_read_as_none_collected(wording: str) -> None:
    from nianbao.importer.fees import fees_from_text

    placed = fees_from_text(f"本机关按规定办理政府信息公开申请。{wording}")
    assert placed.cells["F.fee.collected"] == 0, wording
    data = read_yaml(SEED).with_narrative({"other.text": wording})
    data = data.with_cells({k: None for k in ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected")})
    silent = [r for r in checks.run(data, dict(data.narrative)) if r.rule == "F-SILENT"]
    assert [r.status for r in silent] == ["passed"], wording


def test_a_part_heading_in_local_wording_is_read_and_reported_as_a_deviation() -> None:
    parts = [f"{p.number}、{p.title}" for p in PARTS]
    parts[4] = "五、存在的主要问题及改进措施"
    parts[5] = "六、需要说明的其他事项"
    body = "\n".join(["青川市临江区示例局2024年政府信息公开工作年度报告", *(f"{h}\n本部分内容。" for h in parts)])
    imported = parse_text(body)
    assert imported.data.narrative["problems.problems"] == "本部分内容。"
    assert imported.data.narrative["other.text"] == "本部分内容。"
    results = checks.run(imported.data, dict(imported.data.narrative))
    assert not [r for r in results if r.rule == "R-PARTS" and not r.passed]  # no part is missing
    deviations = sorted(r.message for r in results if r.rule == "R-NUMBERS" and not r.passed)
    assert deviations == ["第五部分标题为“存在的主要问题及改进措施”，格式为“存在的主要问题及改进情况”",
                          "第六部分标题为“需要说明的其他事项”，格式为“其他需要报告的事项”"]


def test_the_saved_pages_of_pingtan_audit_without_false_fee_or_structure_findings(corpus_dir: Path) -> None:
    from nianbao.audit import audit

    found = audit([corpus_dir / "pingtan-zonghezhifa-2025.html", corpus_dir / "pingtan-xingzhengshenpi-2023.html"])
    v = found.violations
    assert not found.unreadable and not (v["severity"] == "error").any()
    assert "F-SILENT" not in set(v["rule"])  # “本年度没有产生信息公开处理费” speaks of fees
    findings = v[v["rule"] != "V-BLANK"]  # notices: part 六 states no fee notices
    assert list(findings["message"]) == ["第五部分标题为“存在的主要问题及改进措施”，格式为“存在的主要问题及改进情况”"]


def test_a_report_saved_as_markdown_reads_like_the_page_it_came_from(seed: object) -> None:
    """The seed's figures written as Markdown: ``##`` headings, **bold**, pipe tables with empty cells."""
    data = read_yaml(SEED)
    from nianbao.format import TABLE_B

    lines = ["# 岳阳市岳阳楼区2024年度政府信息公开年度报告", ""]  # 年度, and no 工作: a title all the same
    for part in PARTS:
        lines += [f"## {part.number}、{part.title}", "", "**本部分**说明如下。", ""]
        if part.key == "requests":
            lines += ["| 项目 | " + " | ".join(c.label for c in TABLE_B.columns) + " |",
                      "| --- |" + " --- |" * len(TABLE_B.columns)]
            for row in TABLE_B.rows:
                cells = [] if row.heading else [data.cells[cell_key("B", row.key, c.key)] for c in TABLE_B.columns]
                shown = ["" if v is None else str(v) for v in cells] or [""] * len(TABLE_B.columns)
                lines.append(f"| {row.label} | " + " | ".join(shown) + " |")
    imported = parse_text("\n".join(lines))
    assert (imported.name, imported.data.year) == ("岳阳市岳阳楼区", 2024)
    for row in TABLE_B.figure_rows():
        for c in TABLE_B.columns:
            key = cell_key("B", row.key, c.key)
            assert imported.data.cells[key] == data.cells[key], key
    assert imported.data.narrative["other.text"] == "本部分说明如下。"


def test_table_two_printed_without_its_rules_row_reads_as_blank_not_unknown() -> None:
    body = ["青川市临江区示例镇人民政府2024年政府信息公开工作年度报告"]
    for part in PARTS:
        body.append(f"{part.number}、{part.title}")
        if part.key == "active":
            body += ["第二十条第（一）项", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数",
                     "行政规范性文件", "1", "0", "3", "第二十条第（五）项", "信息内容", "本年处理决定数量", "行政许可", "52"]
        else:
            body.append("本部分内容。")
    d = parse_text("\n".join(body)).data
    assert [d.cells[f"A.rules.{c}"] for c in ("issued", "repealed", "in_force")] == [None, None, None]
    assert "没有“规章”行" in d.provenance["A.rules.issued"]
    assert [d.cells[f"A.normative.{c}"] for c in ("issued", "repealed", "in_force")] == [1, 0, 3]
    assert d.cells["A.licensing.decisions"] == 52


@pytest.mark.parametrize(("problems", "improvements"), [
    ("公开栏更新不及时。", "下一步，我局将按月更新公开栏。"),
    ("政策解读形式单一，仍需要进一步丰富。", "2025年，将重点从以下方面做好改进：一是丰富解读形式。"),
    ("一是解读形式单一；二是更新不及时。", "一是丰富解读形式；二是按月更新。"),
])
def test_an_unheaded_part_five_is_split_where_it_turns_to_improvements(problems: str, improvements: str) -> None:
    body = ["青川市临江区示例局2024年政府信息公开工作年度报告"]
    for part in PARTS:
        body += [f"{part.number}、{part.title}", problems + improvements if part.key == "problems" else "本部分内容。"]
    n = parse_text("\n".join(body)).data.narrative
    assert (n["problems.problems"], n["problems.improvements"]) == (problems, improvements)


@pytest.mark.parametrize(("slip", "deviation"), [
    (("二、主动公开政府信息情况", "一、主动公开政府信息情况"),  # two parts numbered 一
     "第二部分的标题“一、主动公开政府信息情况”编号为“一”，格式为“二、主动公开政府信息情况”"),
    (("四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政复议、行政诉讼请况"),  # a typo
     "第四部分标题为“政府信息公开行政复议、行政诉讼请况”，格式为“政府信息公开行政复议、行政诉讼情况”"),
    (("五、存在的主要问题及改进情况", "五、存在的主要问题及整改措施"),
     "第五部分标题为“存在的主要问题及整改措施”，格式为“存在的主要问题及改进情况”"),
    (("六、其他需要报告的事项", "六、其他需要报告的事情"),
     "第六部分标题为“其他需要报告的事情”，格式为“其他需要报告的事项”"),
    (("2024年政府信息公开工作年度报告", "2024年度政府信息公开年度报告"), None),  # 年度, and no 工作
])
def test_a_misnumbered_or_misspelt_heading_loses_no_figure_and_is_reported_as_what_it_is(slip, deviation) -> None:
    original = (FIXTURES / "broken-balance-linjiang-slj-2024.txt").read_text(encoding="utf-8")
    before, after = parse_text(original), parse_text(original.replace(*slip))
    assert (after.name, after.data.year) == ("青川市临江区水利局", 2024)
    assert after.data.cells == before.data.cells and after.data.narrative == before.data.narrative
    results = checks.run(after.data, dict(after.data.narrative))
    assert [r.message for r in results if r.rule == "R-PARTS" and not r.passed] == []  # no part missing
    assert [r.message for r in results if r.rule == "R-NUMBERS" and not r.passed] == ([deviation] if deviation else [])


def test_a_scanned_title_a_character_off_is_the_registered_name_clearly_nearest_it() -> None:
    """OCR reads 洪泽 as 潜泽: on a scan, the registry's name clearly nearest is taken; a typed title, or
    a misreading as near to two registered names, is not."""
    names = {"hongze": "淮安市洪泽区人民政府", "yueyanglou": "岳阳市岳阳楼区人民政府", "x": "岳阳市岳阳楼区数据局"}
    assert registered("淮安市潜泽区", names, misread=True) == "hongze"
    assert registered("淮安市潜泽区人民政府", names, misread=True) == "hongze"
    assert registered("淮安市潜泽区", names) is None  # typed: exactly, or not at all
    assert registered("岳阳市岳阳楼区数据司", names, misread=True) is None  # near the district's name as well
    assert registered("岳阳市岳阳楼区数人局", {**names, "y": "岳阳市岳阳楼区数字局"}, misread=True) is None  # as near to both
    assert registered("江苏省", names, misread=True) is None


def test_a_browser_printed_pdf_reads_its_radicals_as_ideographs_and_its_wide_indents_as_paragraphs() -> None:
    """Chromium's “print to PDF” gives 民 as ⺠ and 行 as ⾏ (the fonts draw them with one glyph), and
    indents each paragraph with two em spaces: the text reads as the page, paragraph by paragraph.
    """
    from nianbao.importer.parse import parse
    from nianbao.importer.sources import pdf_source

    lines = ["⻘川市临江区⽯⻔镇⼈⺠政府", "2024年政府信息公开⼯作年度报告"]
    for part in PARTS:
        lines += [f"\u2003\u2003{part.number}、{part.title}", "\u2003\u2003本部分由⾏政机关写明，共⼀段。"]
    page = "\n".join(lines)
    imported = parse(pdf_source([page], [page]), year=2024)
    assert imported.name == "青川市临江区石门镇人民政府"
    said = [text for text in imported.data.narrative.values() if text.strip()]
    assert said and all(text.strip() == "本部分由行政机关写明，共一段。" for text in said), said
