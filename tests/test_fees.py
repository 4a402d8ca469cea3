"""Part 六's fee sentences have one grammar (nianbao.format.fees): what the importer reads from them is
what rule F-TEXT checks and what the publication edition leaves unsaid."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao import checks
from nianbao.edition import fee_sentence
from nianbao.format.fees import NOTICE_COUNTERS, NOTICE_VERBS
from nianbao.importer.fees import fees_from_text
from nianbao.load import read_yaml
from nianbao.model import ReportData

from .conftest import ROOT

SHIMEN = read_yaml(ROOT / "data" / "2024" / "shimen.yaml")
FEES = ("F.fee.notices", "F.fee.notice_amount", "F.fee.collected")


def with_fees(text: str, notices, amount, collected) -> ReportData:
    return SHIMEN.with_narrative({"other.text": text}).with_cells(dict(zip(FEES, (notices, amount, collected))))


def f_text(data: ReportData) -> list[checks.Result]:
    return [r for r in checks.run(data, dict(data.narrative)) if r.rule == "F-TEXT"]


def test_a_part_six_that_contradicts_table_six_fails_naming_both_figures() -> None:
    data = with_fees("2024年，我镇开具收费通知书2份，实际收取信息处理费1.2万元。", 3, 5000, 5000)
    found = {r.cells[0]: r for r in f_text(data)}
    assert {k: r.status for k, r in found.items()} == {"F.fee.notices": "failed", "F.fee.collected": "failed"}
    assert found["F.fee.notices"].message == "第六部分写“开具收费通知书2份”，表六中收费通知件数为 3"
    assert found["F.fee.collected"].message == "第六部分写“实际收取信息处理费1.2万元”（即 12000 元），表六中实际收取为 5000"
    assert checks.summary(checks.run(data, dict(data.narrative)))["errors"] >= 2


def test_saying_no_notice_was_sent_is_checked_against_the_notices() -> None:
    assert [r.status for r in f_text(with_fees("本年度未发出收费通知。", 2, 100, 0))] == ["failed"]
    assert [r.status for r in f_text(with_fees("本年度未发出收费通知。", 0, 0, 0))] == ["passed"]


_amount = st.one_of(
    st.integers(0, 200_000).map(lambda n: (str(n), "元", n)),
    st.decimals(0, 50, places=2).map(lambda d: (format(d.normalize(), "f"), "万元", d * 10000)),
)


@st.composite
def fee_paragraph(draw) -> tuple[str, dict[str, object]]:
    """Part 六 in one of the wordings the grammar reads, with the figures it states."""
    notices = draw(st.integers(0, 60))
    verb, counter = draw(st.sampled_from(NOTICE_VERBS)), draw(st.sampled_from(NOTICE_COUNTERS))
    notice = f"{verb}{draw(st.sampled_from(['', '信息处理费']))}收费通知{draw(st.sampled_from(['', '书']))}{notices}{counter}"
    amount_text, amount_unit, amount = draw(_amount)
    collected_text, collected_unit, collected = draw(_amount)
    stated: dict[str, object] = {"F.fee.notices": notices}
    if draw(st.booleans()):  # the amount in the notices' own clause, as the grammar reads it
        notice += f"，{draw(st.sampled_from(['金额', '总金额', '总额']))}{amount_text}{amount_unit}"
        stated["F.fee.notice_amount"] = amount
    pieces = [notice]
    opener = draw(st.sampled_from(["实际收取信息处理费", "收取信息处理费", "实际收取了政府信息公开信息处理费共计", "实际收取",
                                   "实际收取费用"]))
    pieces.append(f"{opener}{collected_text}{collected_unit}")
    stated["F.fee.collected"] = collected
    joint = draw(st.sampled_from(["，", "；", ","]))
    return f"2024年，本机关{joint.join(pieces)}。无其他需要报告的事项。", stated


def _number(value: object) -> int | float:
    value = Decimal(str(value))
    return int(value) if value == value.to_integral_value() else float(value)


@given(fee_paragraph())
@settings(max_examples=80, deadline=None)
def test_f_text_agrees_with_the_importer_on_every_wording(paragraph) -> None:
    text, stated = paragraph
    read = fees_from_text(text).cells
    assert {k: read[k] for k in stated} == {k: _number(v) for k, v in stated.items()}, text
    as_read = [read[k] if k in stated else None for k in FEES]
    agreed = f_text(with_fees(text, *as_read))
    assert agreed and {r.status for r in agreed} == {"passed"}, (text, [r.message for r in agreed])
    assert fee_sentence(with_fees(text, *as_read), text) == ""  # all stated already: nothing added
    key = next(iter(stated))
    wrong = [v + 1 if k == key else v for k, v in zip(FEES, as_read)]
    failed = [r for r in f_text(with_fees(text, *wrong)) if r.status == "failed"]
    assert [r.cells[0] for r in failed] == [key], (text, [r.message for r in failed])
