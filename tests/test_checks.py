"""The consistency rules: golden results on the seed and the broken example, and each rule both ways."""

from __future__ import annotations

import pytest

from nianbao import checks
from nianbao.checks import FAILED, PASSED, UNCERTAIN, run, status_line, summary
from nianbao.model import ReportData
from nianbao.narrative import filled


def open_results(results):
    return sorted((r.rule, r.status, r.where) for r in results if r.is_open)


def test_seed_has_no_error_and_its_table_c_is_reported_uncertain(seed: ReportData) -> None:
    results = run(seed, filled(seed))
    assert open_results(results) == [
        ("C-TOTAL", UNCERTAIN, "表四「行政复议」"),
        ("C-TOTAL", UNCERTAIN, "表四「行政诉讼·复议后起诉」"),
        ("C-TOTAL", UNCERTAIN, "表四「行政诉讼·未经复议直接起诉」"),
        ("V-VALUE", UNCERTAIN, "表四"),
    ]
    assert status_line(results) == "校验：0 项错误，0 项警告，4 项无法判定"
    narrative = [r for r in results if r.rule == "N-FIGURES"]
    assert {r.status for r in narrative} == {PASSED}
    assert {r.observed for r in narrative} >= {80, 0}


def test_broken_example_is_caught_where_it_is_broken(broken: ReportData) -> None:
    results = run(broken, filled(broken))
    failed = sorted((r.rule, r.where, r.observed, r.expected) for r in results if r.status == FAILED)
    assert failed == [
        ("B-BALANCE", "表三「总计」列", 100, 99),
        ("B-COLSUM", "表三「自然人」列", 60, 62),
        ("B-ROWSUM", "表三「1.本机关不掌握相关政府信息」行", 15, 17),
        ("B-ROWSUM", "表三「四、结转下年度继续办理」行", 4, 3),
        ("C-TOTAL", "表四「行政复议」", 0, 11),
        ("N-FIGURES", "叙述 overview.requests", 17, 95),
    ]
    assert summary(results)["errors"] == 6
    quoted = next(r for r in results if r.rule == "N-FIGURES" and r.status == FAILED)
    assert "共收到政府信息公开申请17件" in quoted.message
    assert "C.cases.review_total" in checks.marks(results)


def consistent(seed: ReportData) -> ReportData:
    """The seed with a resolved table C (3 复议: 1 维持, 2 纠正), so that every rule can pass."""
    return seed.with_cells(
        {k: None for k in seed.cells if k.startswith("C.")}
        | {"C.cases.review_upheld": 1, "C.cases.review_corrected": 2, "C.cases.review_total": 3}
    )


@pytest.mark.parametrize(
    ("rule", "change", "where"),
    [
        ("V-VALUE", {"B.partial.legal": -1}, "表三「（二）部分公开（区分处理的，只计这一情形，不计其他情形）」行「法律服务机构」列"),
        ("V-VALUE", {"A.licensing.decisions": 2.5}, "表二「行政许可」行「本年处理决定数量」列"),
        ("V-VALUE", {"A.penalty.decisions": "许多"}, "表二「行政处罚」行「本年处理决定数量」列"),
        ("B-ROWSUM", {"B.new.commercial": 1}, "表三「一、本年新收政府信息公开申请数量」行"),
        ("B-COLSUM", {"B.disclosed.total": 74, "B.partial.total": 1, "B.total.total": 79}, "表三「总计」列"),
        ("B-BALANCE", {"B.carried_forward.natural": 1, "B.carried_forward.total": 1}, "表三「自然人」列"),
        ("C-TOTAL", {"C.cases.review_total": 0}, "表四「行政复议」"),
        ("C-TOTAL", {"C.cases.suit_after_pending": 1}, "表四「行政诉讼·复议后起诉」"),
    ],
)
def test_each_rule_passes_then_fails_on_one_change(seed: ReportData, rule: str, change: dict, where: str) -> None:
    good = consistent(seed)
    assert not [r for r in run(good, filled(good)) if r.is_open]
    bad = good.with_cells(change)
    failed = [r for r in run(bad, filled(bad)) if r.status == FAILED and r.rule == rule]
    assert [r.where for r in failed].count(where) == 1, [r.message for r in failed]


@pytest.mark.parametrize(
    ("sentence", "status"),
    [
        ("全区共收到依申请公开件80件", PASSED),
        ("全区共收到依申请公开件81件", FAILED),
        ("共办理完成79件", FAILED),
        ("结转到2025年办理0件", PASSED),
        ("结转到2025年办理2件", FAILED),
        ("上年度结转办理件3件", FAILED),
    ],
)
def test_narrative_figures_are_compared_with_table_b(seed: ReportData, sentence: str, status: str) -> None:
    results = [r for r in run(seed, {"overview.requests": sentence}) if r.rule == "N-FIGURES"]
    assert [r.status for r in results] == [status]
    if status == FAILED:
        assert sentence in results[0].message


def test_received_may_count_carried_over_too(seed: ReportData) -> None:
    data = seed.with_cells({"B.new.natural": 74, "B.new.total": 74, "B.carried_over.natural": 1, "B.carried_over.total": 1})
    results = [r for r in run(data, {"overview.requests": "收到申请75件"}) if r.rule == "N-FIGURES"]
    assert [(r.status, r.cells) for r in results] == [(PASSED, ("B.new.total", "B.carried_over.total"))]


def test_a_crashing_rule_becomes_a_failed_result(seed: ReportData, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(rule, context):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(checks, "RULES", [checks.Rule("X-BOOM", "测试", checks.ERROR, "", 0, boom)])
    results = run(seed)
    assert [(r.rule, r.status) for r in results] == [("X-BOOM", FAILED)]
    assert "ZeroDivisionError" in results[0].message


def test_frame_is_tidy(broken: ReportData) -> None:
    df = checks.frame(run(broken, filled(broken)))
    assert list(df.columns[:5]) == ["rule", "title", "severity", "status", "message"]
    assert (df.status == FAILED).sum() == 6
