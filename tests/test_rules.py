"""The whole rule catalogue: each rule passing and failing on data built in code, across years on the
bundled examples, reviewers' decisions, and property-based tests of the error rules."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nianbao import checks, reviews
from nianbao.checks import ACCEPTED, ERROR, FAILED, PASSED, RULES, SKIPPED, UNCERTAIN, WARNING, run
from nianbao.format import B_APPLICANTS, B_RESULT_ROWS, C_GROUPS, NARRATIVE_KEYS, TABLE_B, all_cell_keys
from nianbao.model import ReportData, Review, empty_cells
from nianbao.narrative import filled
from nianbao.params import Project
from nianbao.report import check_all

from .conftest import ROOT

TEXT = {
    "preamble": "现将本机关2024年度政府信息公开工作报告如下：",
    "overview.active": "本年主动公开政策文件若干，及时更新政府信息公开目录，做好重点领域信息公开。",
    "overview.requests": "全年新收政府信息公开申请{{ 本年新收 }}件，办结{{ 办结 }}件。",
    "overview.management": "严格执行信息发布审核制度，开展敏感信息排查。",
    "overview.platforms": "优化门户网站栏目设置，加强政务新媒体管理。",
    "overview.supervision": "将政务公开纳入年度绩效考核，组织业务培训两次。",
    "problems.problems": "一是公开内容的解读不够深入；二是基层工作人员业务能力有待提高。",
    "problems.improvements": "一是丰富政策解读形式；二是加强业务培训和工作督导。",
    "other.text": "本年度未收取信息处理费。本报告统计期限为2024年1月1日至2024年12月31日。",
}


def report(year: int = 2024, **cells) -> ReportData:
    """A consistent report: 10 applications from individuals, 8 disclosed, 2 carried forward."""
    base = empty_cells() | {
        "A.normative.issued": 3, "A.normative.repealed": 1, "A.normative.in_force": 12,
        "A.licensing.decisions": 100, "A.penalty.decisions": 20, "A.coercion.decisions": 0, "A.fees.amount": 5.5,
        "F.fee.notices": 0, "F.fee.notice_amount": 0, "F.fee.collected": 0,
    }
    for key in all_cell_keys():
        if key[0] in "BC":
            base[key] = 0
    for c in ("natural", "total"):
        base |= {f"B.new.{c}": 10, f"B.disclosed.{c}": 8, f"B.total.{c}": 8, f"B.carried_forward.{c}": 2}
    base.update(cells)
    return ReportData("demo", year, base, dict(TEXT), f"{year + 1}-01-20")


def previous(**cells) -> ReportData:
    """Last year's report: 8 applications, all disclosed, none carried forward (so none carried over now)."""
    base = {f"B.{row}.{c}": n for c in ("natural", "total") for row, n in (("new", 8), ("carried_forward", 0))}
    prev = report(2023, **{"A.normative.in_force": 10, **base, **cells})
    texts = {k: v.replace("2024", "2023") for k, v in TEXT.items()}
    texts["overview.active"] = "去年重点围绕营商环境、社会救助等领域推进公开，年内新增专栏三个。"
    texts["problems.problems"] = "一是个别单位更新不及时；二是栏目设置不够清晰。"
    return prev.with_narrative(texts)


def run_rule(rule_id: str, data: ReportData, prev: ReportData | None = None) -> list[checks.Result]:
    results = run(data, filled(data), prev, filled(prev) if prev else None)
    return [r for r in results if r.rule == rule_id]


def test_the_catalogue_covers_the_spec_rules_with_stable_ids_and_severities() -> None:
    by_spec = {r.spec: (r.id, r.severity) for r in RULES if r.spec}
    assert by_spec == {
        1: ("V-VALUE", ERROR), 2: ("B-ROWSUM", ERROR), 3: ("B-COLSUM", ERROR), 4: ("B-BALANCE", ERROR),
        5: ("C-TOTAL", ERROR), 6: ("X-CARRY", ERROR), 7: ("N-FIGURES", ERROR), 8: ("X-STOCK", WARNING),
        9: ("F-FEES", WARNING), 10: ("X-CHANGE", WARNING),
    }
    assert {"R-PARTS", "R-NUMBERS", "R-PROBLEMS", "R-IMPROVE", "F-TEXT", "F-SILENT", "N-YEAR", "N-COPY", "V-BLANK"} <= {
        r.id for r in RULES}
    assert len({r.id for r in RULES}) == len(RULES)


def test_the_consistent_report_passes_everything() -> None:
    results = run(report(), filled(report()), previous(), filled(previous()))
    assert [r for r in results if r.is_open] == []
    assert checks.status_line(results) == "校验通过"


# Each case: rule, the change that breaks it (this year; previous year), the place the failure names.
BREAKS = [
    ("V-VALUE", {"B.partial.legal": -1}, {}, "表三「（二）部分公开（区分处理的，只计这一情形，不计其他情形）」行「法律服务机构」列"),
    ("B-ROWSUM", {"B.new.commercial": 1}, {}, "表三「一、本年新收政府信息公开申请数量」行"),
    ("B-COLSUM", {"B.withheld_query.total": 1}, {}, "表三「总计」列"),
    ("B-BALANCE", {"B.carried_forward.total": 3}, {}, "表三「总计」列"),
    ("C-TOTAL", {"C.cases.review_upheld": 10, "C.cases.review_corrected": 1}, {}, "表四「行政复议」"),
    ("X-CARRY", {}, {"B.carried_forward.natural": 1}, "表三「二、上年结转」行「自然人」列"),
    ("N-FIGURES", {}, {}, "叙述 overview.requests"),
    ("X-STOCK", {"A.normative.in_force": 30}, {}, "表二「行政规范性文件」行"),
    ("F-FEES", {"F.fee.notices": 1, "F.fee.notice_amount": 100, "F.fee.collected": 150}, {}, "表六"),
    ("X-CHANGE", {"A.penalty.decisions": 90}, {}, "行政处罚"),
    ("F-TEXT", {"F.fee.notices": 1, "F.fee.notice_amount": 100, "F.fee.collected": 100}, {}, "第六部分"),
]


@pytest.mark.parametrize(("rule_id", "now", "then", "where"), BREAKS, ids=[b[0] for b in BREAKS])
def test_each_rule_passes_then_fails_where_it_says(rule_id: str, now: dict, then: dict, where: str) -> None:
    before = {r.status for r in run_rule(rule_id, report(), previous())}
    assert PASSED in before and not before & {FAILED, UNCERTAIN}
    data = report(**now)
    if rule_id == "N-FIGURES":
        data = data.with_narrative({"overview.requests": "全年新收政府信息公开申请17件。"})
    failed = [r for r in run_rule(rule_id, data, previous(**then)) if r.status == FAILED]
    assert [r.where for r in failed] == [where], [r.message for r in failed]
    assert checks.fmt(failed[0].observed) in failed[0].message


@pytest.mark.parametrize("rule_id", ["X-CARRY", "X-STOCK", "X-CHANGE", "N-COPY"])
def test_cross_year_rules_skip_without_last_year_and_say_why(rule_id: str) -> None:
    results = run_rule(rule_id, report())
    assert [r.status for r in results] == [SKIPPED]
    assert "没有上一年度（2023 年）的数据" in results[0].message and "不视为通过" in results[0].message
    assert checks.summary(results)["passed"] == 0


def test_x_stock_is_a_warning_naming_the_gap() -> None:
    (result,) = [r for r in run_rule("X-STOCK", report(**{"A.normative.in_force": 30}), previous()) if r.rule == "X-STOCK"
                 and r.where.startswith("表二「行政规范性文件")]
    assert (result.severity, result.observed, result.expected) == (WARNING, 30, 12)
    assert "有效期届满" in result.message


def test_copied_narrative_is_a_warning_with_the_share() -> None:
    prev = previous().with_narrative({k: v for k, v in TEXT.items()})
    (result,) = run_rule("N-COPY", report(), prev)
    assert (result.status, result.severity) == (FAILED, WARNING)
    assert "重合 100%" in result.message and "疑似照抄" in result.message
    (fresh,) = run_rule("N-COPY", report(), previous())
    assert fresh.status == PASSED


@pytest.mark.parametrize(
    ("key", "text", "status"),
    [
        ("other.text", "本报告统计期限为2023年1月1日至2023年12月31日。", FAILED),
        ("other.text", "本报告统计期限为2024年1月1日至2024年12月31日。", PASSED),
        ("preamble", "现将本机关2023年度政府信息公开工作年度报告如下：", FAILED),
    ],
)
def test_a_year_off_by_one_in_the_statistics_period(key: str, text: str, status: str) -> None:
    data = report().with_narrative({"preamble": "", "other.text": "本年度未收取信息处理费。", key: text})
    assert [r.status for r in run_rule("N-YEAR", data)] == [status]


def test_part_five_must_not_be_empty() -> None:
    empty = report().with_narrative({"problems.problems": "", "problems.improvements": ""})
    (result,) = run_rule("R-PROBLEMS", empty)
    assert (result.status, result.severity) == (FAILED, ERROR)
    assert [r.status for r in run_rule("R-IMPROVE", empty)] == [SKIPPED]  # R-PROBLEMS says it
    half = report().with_narrative({"problems.improvements": ""})
    assert [r.status for r in run_rule("R-PROBLEMS", half)] == [PASSED]
    assert [(r.status, r.severity) for r in run_rule("R-IMPROVE", half)] == [(FAILED, WARNING)]


def test_published_headings_checked_for_presence_order_and_numbering() -> None:
    seed_like = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                 "四、政府信息公开行政复议、行政诉讼情况", "、存在的主要问题及改进情况", "六、其他需要报告的事项")
    seed = report().__class__(**{**report().__dict__, "headings": seed_like})
    assert {r.status for r in run_rule("R-PARTS", seed)} == {PASSED}  # all six there, in order
    results = run_rule("R-NUMBERS", seed)
    assert [(r.status, r.severity) for r in results if r.status == FAILED] == [(FAILED, WARNING)]
    assert "没有编号" in [r for r in results if r.status == FAILED][0].message
    missing = seed_like[:4] + seed_like[5:]
    results = run_rule("R-PARTS", report().__class__(**{**report().__dict__, "headings": missing}))
    assert any(r.status == FAILED and r.severity == ERROR and "缺少第五部分" in r.message for r in results)
    swapped = (seed_like[1], seed_like[0], *seed_like[2:4], "五、存在的主要问题及改进情况", seed_like[5])
    results = run_rule("R-PARTS", report().__class__(**{**report().__dict__, "headings": swapped}))
    assert any(r.status == FAILED and "顺序" in r.message for r in results)


def test_fee_statement_against_the_figures() -> None:
    stated = report(**{"F.fee.notices": 1, "F.fee.notice_amount": 50, "F.fee.collected": 50}).with_narrative(
        {"other.text": "全年发出收费通知1件，实际收取信息处理费50元。"})
    assert {r.status for r in run_rule("F-TEXT", stated)} == {PASSED}
    wrong = stated.with_cells({"F.fee.collected": 40})
    assert FAILED in {r.status for r in run_rule("F-TEXT", wrong)}
    silent = report(**{"F.fee.notices": None, "F.fee.notice_amount": None, "F.fee.collected": None}).with_narrative(
        {"other.text": "无其他需要报告的事项。"})
    assert [r.status for r in run_rule("F-TEXT", silent)] == [SKIPPED]
    assert [(r.status, r.severity) for r in run_rule("F-SILENT", silent)] == [(FAILED, WARNING)]
    assert [r.status for r in run_rule("F-SILENT", stated)] == [PASSED]


# ---------------------------------------------------------------- blank is not zero


def test_text_in_a_figure_cell_makes_its_rules_uncertain_naming_the_cell() -> None:
    data = report(**{"B.disclosed.natural": "见附件"})
    results = run(data, filled(data))
    uncertain = [r for r in results if r.status == UNCERTAIN]
    assert {r.rule for r in uncertain} == {"B-ROWSUM", "B-COLSUM"}
    assert all(r.cells == ("B.disclosed.natural",) for r in uncertain)
    assert all("（一）予以公开" in r.message or "自然人" in r.message for r in uncertain)
    assert [r.rule for r in results if r.status == FAILED and r.rule == "V-VALUE"] == ["V-VALUE"]


def test_blank_and_dashes_count_as_zero_and_the_result_says_so() -> None:
    data = report(**{"B.new.commercial": None, "B.new.research": "/", "B.new.welfare": "—"})
    (row,) = [r for r in run_rule("B-ROWSUM", data) if r.where.startswith("表三「一、")]
    assert row.status == PASSED and "3 格空白，按 0 计" in row.message
    (blank,) = [r for r in run_rule("V-BLANK", data) if r.table == "B"]
    assert blank.severity == "info" and {"B.new.commercial", "B.new.research", "B.new.welfare"} <= set(blank.cells)
    assert not blank.is_open


def test_seed_table_c_as_published_is_reported_not_accepted(seed: ReportData) -> None:
    results = run(seed, filled(seed))
    c = [r for r in results if r.table == "C"]
    assert {r.status for r in c} == {UNCERTAIN}
    assert checks.summary(results)["uncertain"] == 4
    assert "无法判定" in checks.status_line(results)


# ---------------------------------------------------------------- across years, on the bundled examples


@pytest.fixture(scope="module")
def bundled() -> list:
    return list(check_all(Project(ROOT)))


@pytest.mark.parametrize("agency", ["linjiang-scjg", "jiangbin", "shimen"])
def test_bundled_multi_year_examples_carry_over_and_stock_consistently(bundled, agency: str) -> None:
    by_year = {r.data.year: r for r in bundled if r.agency.id == agency}
    assert sorted(by_year) == [2022, 2023, 2024]
    first = [r for r in by_year[2022].results if r.rule in ("X-CARRY", "X-STOCK")]
    assert {r.status for r in first} == {SKIPPED}
    for year in (2023, 2024):
        carry = [r for r in by_year[year].results if r.rule == "X-CARRY"]
        assert len(carry) == 7 and {r.status for r in carry} == {PASSED}
        stock = [r for r in by_year[year].results if r.rule == "X-STOCK" and "行政规范性文件" in r.where]
        assert [r.status for r in stock] == [PASSED]


def test_a_broken_carry_over_in_the_bundled_data_is_caught(bundled) -> None:
    report_2024 = next(r for r in bundled if r.agency.id == "linjiang-scjg" and r.data.year == 2024)
    prev = next(r for r in bundled if r.agency.id == "linjiang-scjg" and r.data.year == 2023).data
    data = report_2024.data
    bumped = prev.with_cells({"B.carried_forward.natural": (prev.number("B.carried_forward.natural") or 0) + 1})
    results = run(data, filled(data), bumped, filled(bumped))
    failed = [r for r in results if r.rule == "X-CARRY" and r.status == FAILED]
    assert [r.where for r in failed] == ["表三「二、上年结转」行「自然人」列"]


# ---------------------------------------------------------------- reviewers' decisions


def test_an_accepted_finding_shows_its_reason_until_its_figures_change() -> None:
    data = report(**{"C.cases.review_upheld": 10, "C.cases.review_corrected": 1})
    (finding,) = [r for r in run_rule("C-TOTAL", data) if r.status == FAILED]
    review = Review(finding.rule, finding.cells[0], "原件如此，已去函核实", checks.figures(finding, data))
    (accepted,) = [r for r in reviews.apply(run(data, filled(data)), [review], data) if r.key == finding.key]
    assert (accepted.status, accepted.note) == (ACCEPTED, "原件如此，已去函核实")
    assert checks.status_line([accepted]) == "校验通过（1 项已说明）"
    assert checks.marks([accepted])[finding.cells[0]] == {"accepted"}
    changed = data.with_cells({"C.cases.review_upheld": 9})
    (reopened,) = [r for r in reviews.apply(run(changed, filled(changed)), [review], changed) if r.key == finding.key]
    assert reopened.status == FAILED and "审核说明已失效" in reopened.note


# ---------------------------------------------------------------- properties


@st.composite
def consistent_reports(draw) -> ReportData:
    """A report whose tables B and C satisfy every error rule by construction."""
    n = st.integers(0, 40)
    cells = empty_cells()
    for key in all_cell_keys():
        if key[0] in "AF":
            cells[key] = 0
    for column in B_APPLICANTS:
        for row in B_RESULT_ROWS:
            cells[f"B.{row}.{column}"] = draw(n)
        cells[f"B.carried_over.{column}"] = draw(n)
        cells[f"B.carried_forward.{column}"] = draw(n)
        cells[f"B.total.{column}"] = sum(cells[f"B.{row}.{column}"] for row in B_RESULT_ROWS)
        new = cells[f"B.total.{column}"] + cells[f"B.carried_forward.{column}"] - cells[f"B.carried_over.{column}"]
        if new < 0:
            cells[f"B.carried_over.{column}"] += new
            new = 0
        cells[f"B.new.{column}"] = new
    for row in TABLE_B.figure_rows():
        cells[f"B.{row.key}.total"] = sum(cells[f"B.{row.key}.{c}"] for c in B_APPLICANTS)
    for group, _ in C_GROUPS:
        parts = {k: draw(n) for k in ("upheld", "corrected", "other", "pending")}
        cells |= {f"C.cases.{group}_{k}": v for k, v in parts.items()}
        cells[f"C.cases.{group}_total"] = sum(parts.values())
    return ReportData("prop", 2024, cells, {k: "" for k in NARRATIVE_KEYS})


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ERROR_RULES = {"V-VALUE", "B-ROWSUM", "B-COLSUM", "B-BALANCE", "C-TOTAL"}


@PROPERTY
@given(consistent_reports())
def test_consistent_reports_pass_every_error_rule(data: ReportData) -> None:
    results = [r for r in run(data) if r.rule in ERROR_RULES]
    assert not [r for r in results if r.status != PASSED]


@PROPERTY
@given(consistent_reports(), st.data())
def test_any_single_cell_change_in_tables_b_and_c_is_caught(data: ReportData, pick) -> None:
    key = pick.draw(st.sampled_from([k for k in all_cell_keys() if k[0] in "BC"]))
    delta = pick.draw(st.integers(1, 5) | st.integers(-5, -1).filter(lambda d: data.cells[key] + d >= 0))
    changed = data.with_cells({key: data.cells[key] + delta})
    failed = [r for r in run(changed) if r.rule in ERROR_RULES and r.status == FAILED]
    assert failed and all(r.severity == ERROR for r in failed)
    assert any(key in r.cells for r in failed)


def test_every_result_carries_the_severity_its_rule_declares() -> None:

    datas = [report(), report().with_narrative({"problems.improvements": "", "other.text": ""}),
             report().__class__(**{**report().__dict__, "headings": ("一、总体情况", "、存在的主要问题及改进情况")})]
    declared = {r.id: r.severity for r in RULES}
    for data in datas:
        for result in run(data, filled(data)):
            assert result.severity == declared[result.rule], result


def test_n_figures_compares_only_numbers_that_count_what_the_table_counts(seed) -> None:
    from nianbao import checks

    texts = {"preamble": "本报告共分6个部分：总体情况、收到和处理政府信息公开申请情况、其他需要报告的事项。",
             "overview.requests": "全年共受理公开申请34件，另有5件申请已转交。"}
    results = [r for r in checks.run(seed, texts) if r.rule == "N-FIGURES"]
    assert not any("6个部分" in r.message for r in results)  # a count of parts, not of applications
    stated = [r for r in results if "34件" in r.message]
    assert stated and all("共受理公开申请34件" in r.message for r in stated)  # the finding quotes the sentence
    assert any(r.observed == 5 for r in results if "5件申请" in r.message)  # the number before the words counts too


@pytest.mark.parametrize(("written", "status"), [("1,080", "passed"), ("1,081", "failed")])
def test_n_figures_reads_a_figure_whose_digits_are_grouped_by_a_comma(seed, written: str, status: str) -> None:
    from nianbao import checks

    data = seed.with_cells({"B.new.total": 1080})
    results = [r for r in checks.run(data, {"overview.requests": f"全年共受理公开申请{written}件。"}) if r.rule == "N-FIGURES"]
    assert [(r.status, r.observed) for r in results] == [(status, int(written.replace(",", "")))]


@pytest.mark.parametrize("clause", [
    "其中网上受理申请20件",
    "其中，通过政府网站受理申请20件",  # the clause after “其中，”
    "受理涉及征地拆迁的申请5件",
    "当面受理申请3件",
    "收到信函申请2件",
])
def test_n_figures_does_not_compare_a_part_with_the_tables_total(seed, clause: str) -> None:
    from nianbao import checks

    texts = {"overview.requests": f"全年共受理公开申请{seed.number('B.new.total')}件，{clause}。"}
    results = [r for r in checks.run(seed, texts) if r.rule == "N-FIGURES"]
    assert [r.status for r in results if r.status != "skipped"] == ["passed"]  # the whole year's figure
    part = next(r for r in results if r.status == "skipped")
    assert "一部分" in part.message and clause.split("，")[-1] in part.message
    whole = {"overview.requests": "通过网络、信函等方式共收到政府信息公开申请7件。"}
    assert [r.status for r in checks.run(seed, whole) if r.rule == "N-FIGURES"] == ["failed"]  # all channels: compared


def test_n_figures_leaves_one_office_acting_for_the_agency_undecided(seed) -> None:
    from nianbao import checks

    new = seed.number("B.new.total")
    texts = {"overview.requests": f"2024年，区政府办代表区政府受理政府信息公开申请{new + 7}件，均已按时答复。"}
    [result] = [r for r in checks.run(seed, texts) if r.rule == "N-FIGURES"]
    assert result.status == "uncertain" and result.observed == new + 7
    assert "区政府办代为受理" in result.message and f"表三为 {new} 件" in result.message
    same = {"overview.requests": f"区政府办代表区政府受理政府信息公开申请{new}件。"}
    assert [r.status for r in checks.run(seed, same) if r.rule == "N-FIGURES"] == ["passed"]
