"""Rule packs: each kind passing and failing on data built in code, bad packs refused with the file,
the rule and the fix, a pack at its limit, hostile narrative, literal matching, and the CLI's --rules.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from nianbao import checks
from nianbao.checks import ERROR, FAILED, INFO, PASSED, RULES, SKIPPED, UNCERTAIN, WARNING, packs, run
from nianbao.checks.kinds import deadline
from nianbao.cli import main
from nianbao.errors import ParamsError
from nianbao.model import ReportData
from nianbao.narrative import filled
from nianbao.params import Project

from .conftest import ROOT
from .test_rules import previous, report

NAME = "测试规则包"
NOTICE = {"title": "关于做好年报工作的通知", "issuer": "某市", "date": "2025-12-19"}
HEAD = f"name: {NAME}\nnotice: {{title: 关于做好年报工作的通知, issuer: 某市, date: 2025-12-19}}\nrules:\n"
#: A rule that reads well, to stand first so that the bad one is rule 2.
GOOD = "  - {id: OK-1, kind: dated, by: 01-31, severity: error, message: 按时发布}\n"
SHIPPED = ROOT / "params" / "rules" / "wuwei-2025.yaml"
EVALUATOR = ROOT / "params" / "rules" / "evaluators" / "pingjia-2025.yaml"


def write(folder: Path, *rules: dict, name: str = "pack.yaml", **top: object) -> Path:
    """A pack file of ``rules`` (each a rule's fields) in ``folder``."""
    path = folder / name
    data = {"name": NAME, "notice": NOTICE, **top, "rules": list(rules)}
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def make(folder: Path, **fields: object) -> packs.Pack:
    """A pack of one rule, X1: ``fields`` besides its id, severity, message and hint."""
    rule = {"id": "X1", "severity": "warning", "message": "测试要求", "hint": "这样改", **fields}
    return packs.read(write(folder, rule))


def results(pack: packs.Pack, data: ReportData, prev: ReportData | None = None, rule: str = "X1") -> list[checks.Result]:
    found = run(data, filled(data), prev, filled(prev) if prev else None, packs=[pack])
    return [r for r in found if r.rule == rule]


def texts(**sections: str) -> ReportData:
    """The consistent report with some narrative sections replaced (keys with ``__`` for ``.``)."""
    return report().with_narrative({k.replace("__", "."): v for k, v in sections.items()})


def one(pack: packs.Pack, data: ReportData, prev: ReportData | None = None) -> checks.Result:
    (result,) = results(pack, data, prev)
    assert (result.pack, result.hint, result.title) == (NAME, "这样改", "测试要求")
    return result


# ---------------------------------------------------------------- each kind passes and fails

LENGTH = [
    # fields, the section's text, status, characters counted
    ({"at_most": 4}, "abc 12，三四", PASSED, 4),
    ({"at_most": 3}, "abc 12，三四", FAILED, 4),
    ({"at_least": 5}, "abc 12，三四", FAILED, 4),
    ({"at_least": 4, "at_most": 4}, "abc 12，三四", PASSED, 4),
    ({"at_most": 8, "count": "全部字符"}, "abc 12，三四", PASSED, 8),
    ({"at_most": 7, "count": "全部字符"}, "abc 12，三四", FAILED, 8),
    ({"at_most": 4}, "１２ 三四", PASSED, 4),  # full-width digits count as digits
    ({"at_least": 1}, "", FAILED, 0),
]


@pytest.mark.parametrize(("fields", "text", "status", "n"), LENGTH)
def test_length_counts_chinese_and_digits_or_every_character(tmp_path: Path, fields: dict, text: str, status: str,
                                                             n: int) -> None:
    pack = make(tmp_path, kind="length", section="一（一）", **fields)
    result = one(pack, texts(overview__active=text))
    assert (result.status, result.observed, result.where) == (status, n, "第一部分（一）主动公开")
    assert f"共 {n} 字" in result.message


@pytest.mark.parametrize("section", ["active", "requests", "management", "platforms", "supervision"])
def test_length_of_a_part_counts_each_of_its_sections(tmp_path: Path, section: str) -> None:
    pack = make(tmp_path, kind="length", part="一", at_most=1000)
    before = one(pack, report())
    longer = one(pack, texts(**{f"overview__{section}": report().narrative[f"overview.{section}"] + "多写十个字数一二三四"}))
    assert longer.observed == before.observed + 10
    at_most = make(tmp_path, kind="length", part="一", at_most=before.observed)
    assert (one(at_most, report()).status, one(at_most, texts(overview__active="")).status) == (PASSED, PASSED)
    assert one(at_most, texts(**{f"overview__{section}": "多" + report().narrative[f"overview.{section}"]})).status == FAILED


MENTIONS = [
    ("加强新媒体账号管理，做好主动公开。", PASSED),  # a synonym will do
    ("加强政务新媒体管理，做好主动公开。", PASSED),
    ("加强政务 新媒体管理，做好主动公开。", PASSED),  # white space folded away
    ("加强门户网站管理，做好主动公开。", FAILED),
    ("加强政务新媒体管理。", FAILED),
]


@pytest.mark.parametrize(("text", "status"), MENTIONS)
def test_mentions_needs_each_term_or_one_of_its_synonyms(tmp_path: Path, text: str, status: str) -> None:
    pack = make(tmp_path, kind="mentions", section="一（四）", terms=[["政务新媒体", "新媒体账号"], "主动公开"])
    result = one(pack, texts(overview__platforms=text))
    assert result.status == status
    if status == FAILED:
        assert "没有写到" in result.message and result.expected == 2


def test_mentions_names_the_missing_terms_with_their_synonyms(tmp_path: Path) -> None:
    pack = make(tmp_path, kind="mentions", section="一（四）", terms=[["政务新媒体", "新媒体账号"], "主动公开"])
    result = one(pack, texts(overview__platforms="做好主动公开。"))
    assert "“政务新媒体”／“新媒体账号”" in result.message and "主动公开" not in result.message.split("没有写到")[1]
    assert result.observed == 1


FIGURES = [
    # fields, the section's text, status, figure observed
    ({}, "开设政务新媒体账号6个，运行良好。", PASSED, 6),
    ({}, "加强政务新媒体管理，运行良好。", FAILED, None),
    ({}, "政务新媒体6个", PASSED, 6),
    ({}, "政务新媒体运行良好，全年发布信息超过一百二十三条，共6个", FAILED, None),  # the figure too far from the term
    ({"at_least": 10}, "开设政务新媒体账号6个。", FAILED, 6),
    ({"at_most": 6}, "开设政务新媒体账号6个。", PASSED, 6),
    ({"units": ["条"]}, "开设政务新媒体账号6个。", FAILED, None),  # a figure in no unit of the rule's
    ({"units": ["条"]}, "通过政务新媒体发布信息120条。", PASSED, 120),
]


@pytest.mark.parametrize(("fields", "text", "status", "observed"), FIGURES)
def test_figure_next_to_a_term(tmp_path: Path, fields: dict, text: str, status: str, observed: object) -> None:
    pack = make(tmp_path, kind="figure", section="一（一）", term=["政务新媒体"], **fields)
    result = one(pack, texts(overview__active=text))
    assert (result.status, result.observed) == (status, observed), result.message


# The consistent report has 3 normative documents issued and 1 repealed.
EQUALS = [
    ("规范性文件制发", "本年制发行政规范性文件3件。", {}, PASSED, 3),  # an alias
    ("A.normative.issued", "本年制发行政规范性文件3件。", {}, PASSED, 3),  # a key
    ("A.normative.issued", "本年制发行政规范性文件4件。", {}, FAILED, 3),
    (["规范性文件制发", "A.normative.repealed"], "本年制发行政规范性文件4件。", {}, PASSED, 4),  # a sum
    (["规范性文件制发", "A.normative.repealed"], "本年制发行政规范性文件3件。", {}, FAILED, 4),
    ("A.normative.issued", "本年制发行政规范性文件3件。", {"A.normative.issued": "?"}, UNCERTAIN, None),
    (["A.normative.issued", "A.normative.repealed"], "本年制发行政规范性文件3件。", {"A.normative.repealed": "?"},
     UNCERTAIN, None),
    ("A.normative.issued", "本年制发行政规范性文件0件。", {"A.normative.issued": None}, PASSED, 0),  # blank as 0
]


@pytest.mark.parametrize(("equals", "text", "cells", "status", "expected"), EQUALS)
def test_figure_equals_a_cell_or_a_sum(tmp_path: Path, equals: object, text: str, cells: dict, status: str,
                                       expected: object) -> None:
    pack = make(tmp_path, kind="figure", section="一（三）", term="制发", equals=equals)
    data = report(**cells).with_narrative({"overview.management": text})
    result = one(pack, data)
    assert (result.status, result.expected) == (status, expected), result.message
    if status == UNCERTAIN:
        assert "无法确定" in result.message and set(result.cells) <= {"A.normative.issued", "A.normative.repealed"}
        assert all(data.cells[k] == "?" for k in result.cells) and result.cells


CELLS = [
    # fields, cells of the report, status
    ({"cell": "A.normative.issued", "filled": True}, {}, PASSED),
    ({"cell": "A.normative.issued", "filled": True}, {"A.normative.issued": None}, FAILED),  # blank
    ({"cell": "A.normative.issued", "filled": True}, {"A.normative.issued": "—"}, FAILED),  # a dash is no figure
    ({"cell": "A.normative.issued", "filled": True}, {"A.normative.issued": 0}, PASSED),
    ({"cell": "A.normative.issued", "filled": True}, {"A.normative.issued": "?"}, UNCERTAIN),
    ({"cell": "规范性文件制发", "at_least": 1}, {}, PASSED),
    ({"cell": "规范性文件制发", "at_least": 1}, {"A.normative.issued": None}, FAILED),  # blank counts as 0
    ({"cell": "规范性文件制发", "at_least": 1}, {"A.normative.issued": "—"}, FAILED),
    ({"cell": "规范性文件制发", "at_least": 1}, {"A.normative.issued": "?"}, UNCERTAIN),
    ({"cell": "A.normative.issued", "at_most": 2}, {}, FAILED),
    ({"cell": "A.normative.issued", "at_most": 3}, {}, PASSED),
    ({"cell": "A.normative.issued", "equals": 3}, {}, PASSED),
    ({"cell": "A.normative.issued", "equals": 2}, {}, FAILED),
    ({"cells": ["A.normative.issued", "A.normative.repealed"], "equals": 4}, {}, PASSED),
    ({"cells": ["A.normative.issued", "A.normative.repealed"], "equals": 3}, {}, FAILED),
    ({"cells": ["A.normative.issued", "A.normative.repealed"], "equals": 3}, {"A.normative.repealed": "—"}, PASSED),
    ({"cells": ["A.normative.issued", "A.normative.repealed"], "equals": 3}, {"A.normative.repealed": "?"}, UNCERTAIN),
]


@pytest.mark.parametrize(("fields", "cells", "status"), CELLS)
def test_cell_filled_at_least_at_most_equals(tmp_path: Path, fields: dict, cells: dict, status: str) -> None:
    result = one(make(tmp_path, kind="cell", **fields), report(**cells))
    assert result.status == status, result.message
    if status == UNCERTAIN:
        assert result.cells == tuple(k for k, v in cells.items() if v == "?")


DATED = [
    # by, report year, published, status
    ("01-31", 2024, "2025-01-20", PASSED),
    ("01-31", 2024, "2025-01-31", PASSED),
    ("01-31", 2024, "2025-02-03", FAILED),
    ("01-31", 2023, "2025-01-20", FAILED),  # 01-31 is of the year after the report's
    ("2025-01-15", 2024, "2025-01-20", FAILED),
    ("2025-01-15", 2024, "2025-01-15", PASSED),
    ("01-31", 2024, "", SKIPPED),
    ("02-29", 2024, "2025-02-28", PASSED),  # 2025 has no 29 February: the end of February
    ("02-29", 2024, "2025-03-01", FAILED),
    ("02-29", 2023, "2024-02-29", PASSED),
]


@pytest.mark.parametrize(("by", "year", "published", "status"), DATED)
def test_dated_compares_the_published_date_with_the_deadline(tmp_path: Path, by: str, year: int, published: str,
                                                             status: str) -> None:
    data = replace(report(year), published=published)
    result = one(make(tmp_path, kind="dated", by=by), data)
    assert result.status == status, result.message
    if status == FAILED:
        assert "晚于" in result.message
    if status == SKIPPED:
        assert "没有落款日期" in result.message


def test_a_late_report_says_by_how_many_days(tmp_path: Path) -> None:
    result = one(make(tmp_path, kind="dated", by="01-31"), replace(report(), published="2025-02-03"))
    assert "晚于 2025年1月31日 3 天" in result.message and result.expected == "2025-01-31"


def test_deadline_of_the_29th_of_february_is_a_day_in_every_year() -> None:
    assert [deadline("02-29", y).isoformat() for y in (2023, 2024, 2099)] == ["2024-02-29", "2025-02-28", "2100-02-28"]


LAST_YEAR = "一是个别单位信息更新不够及时准确；二是栏目设置不够清晰。"
FOLLOWS = [
    # this year's 五（一）, last year's 五（一） (None: no last year), fields, status
    ("对照上年度报告提出的问题逐项整改。本年存在解读不够深入的问题。", LAST_YEAR, {}, PASSED),  # the default wording
    ("对照上年度报告提出的问题逐项整改。", None, {}, PASSED),  # the wording needs no last year
    ("针对个别单位信息更新不够及时准确的情况，已督促。", LAST_YEAR, {}, PASSED),  # 14 characters of last year's
    ("针对个别单位信息更新不够的情况，已督促。", LAST_YEAR, {}, FAILED),  # only 10 in a row (the default asks 12)
    ("栏目设置不够清，已调整。", LAST_YEAR, {}, FAILED),  # only 7 in a row
    ("栏目设置不够清，已调整。", LAST_YEAR, {"run": 7}, PASSED),
    ("本年度存在解读不够深入的问题。", LAST_YEAR, {}, FAILED),
    ("本年度存在解读不够深入的问题。", None, {}, FAILED),
    ("回头看：去年的问题均已整改。", LAST_YEAR, {"wording": ["回头看"]}, PASSED),
    ("对照上年度报告逐项落实。", LAST_YEAR, {"wording": ["回头看"]}, FAILED),  # own wording replaces the default
]


@pytest.mark.parametrize(("now", "then", "fields", "status"), FOLLOWS)
def test_follows_up_by_wording_or_a_run_shared_with_last_year(tmp_path: Path, now: str, then: str | None, fields: dict,
                                                              status: str) -> None:
    prev = previous().with_narrative({"problems.problems": then, "problems.improvements": "加强队伍建设。"}) \
        if then is not None else None
    result = one(make(tmp_path, kind="follows_up", **fields), texts(problems__problems=now), prev)
    assert result.status == status, result.message
    assert result.where == "第五部分"
    if status == FAILED and then is None:
        assert "没有 2023 年的报告可比" in result.message


def test_follows_up_names_the_run_it_found(tmp_path: Path) -> None:
    prev = previous().with_narrative({"problems.problems": LAST_YEAR})
    result = one(make(tmp_path, kind="follows_up"), texts(problems__problems="针对个别单位信息更新不够及时准确的情况，已督促。"), prev)
    assert "个别单位信息更新不够及时" in result.message


def test_national_disabled_is_one_skipped_result_naming_the_pack(tmp_path: Path) -> None:
    data, prev = report(**{"A.penalty.decisions": 90}), previous()
    assert {r.status for r in run(data, filled(data), prev, filled(prev)) if r.rule == "X-CHANGE"} >= {FAILED}
    pack = packs.read(write(tmp_path, {"id": "NO-CHANGE", "kind": "national", "rule": "X-CHANGE", "disabled": True,
                                       "message": "评估不考察大幅变化"}))
    assert pack.rules == () and [c.rule for c in pack.changes] == ["X-CHANGE"]
    found = results(pack, data, prev, rule="X-CHANGE")
    assert [(r.status, r.pack) for r in found] == [(SKIPPED, NAME)]
    assert NAME in found[0].message and "评估不考察大幅变化" in found[0].message
    assert not [r for r in run(data, filled(data), prev, filled(prev), packs=[pack]) if r.rule == "NO-CHANGE"]


@pytest.mark.parametrize("severity", [ERROR, INFO, "错误", "提示"])
def test_national_severity_is_carried_by_the_rules_results(tmp_path: Path, severity: str) -> None:
    data, prev = report(**{"A.penalty.decisions": 90}), previous()
    pack = packs.read(write(tmp_path, {"id": "X-CHANGE-GRADE", "kind": "national", "rule": "X-CHANGE",
                                       "severity": severity, "message": "按评估的标准"}))
    found = results(pack, data, prev, rule="X-CHANGE")
    plain = [r for r in run(data, filled(data), prev, filled(prev)) if r.rule == "X-CHANGE"]
    assert len(found) == len(plain) > 0 and FAILED in {r.status for r in found}
    wanted = {"错误": ERROR, "提示": INFO}.get(severity, severity)
    assert {(r.severity, r.pack) for r in found} == {(wanted, NAME)}
    assert {r.severity for r in plain} == {WARNING} and {r.pack for r in plain} == {""}


def test_a_pack_for_other_years_changes_nothing(tmp_path: Path) -> None:
    data, prev = report(**{"A.penalty.decisions": 90}), previous()
    pack = packs.read(write(tmp_path, {"id": "X-OFF", "kind": "national", "rule": "X-CHANGE", "disabled": True,
                                       "message": "不查"}, {"id": "D1", "kind": "dated", "by": "01-31", "severity": "error",
                                                           "message": "按时"}, years=[2025]))
    found = run(data, filled(data), prev, filled(prev), packs=[pack])
    assert not [r for r in found if r.pack]
    assert FAILED in {r.status for r in found if r.rule == "X-CHANGE"}


# ---------------------------------------------------------------- bad packs

BAD = [
    # case, the file's text, the place named (None: the file alone), words of the message
    ("not a mapping", "- a\n- b\n", None, "规则包应是一个映射"),
    ("no name", "notice: {title: 通知, issuer: 某市, date: 2025-12-19}\nrules: []\n", "name", "缺少规则包的名称"),
    ("no notice", "name: 包\nrules: []\n", "notice", "缺少 notice"),
    ("no rules", "name: 包\nnotice: {title: 通知, issuer: 某市, date: 2025-12-19}\n", "rules", "rules 应是规则的列表"),
    ("empty rules", HEAD.rstrip() + " []\n", "rules", "至少一条"),
    ("bad notice date", "name: 包\nnotice: {title: 通知, issuer: 某市, date: 12月19日}\nrules: []\n", "notice.date", "不是日期"),
    ("top-level key", HEAD + GOOD + "extends: other.yaml\n", None, "不认识的字段 'extends'"),
    ("unknown kind", HEAD + GOOD + "  - {id: X1, kind: regex, severity: error, message: m}\n", "rules 第 2 条（X1）.kind",
     "规则类型 'regex' 不认识"),
    ("unknown field", HEAD + GOOD + "  - {id: X1, kind: dated, by: 01-31, severity: error, message: m, pattern: '.*'}\n",
     "rules 第 2 条（X1）", "不认识的字段 'pattern'"),
    ("a file", HEAD + GOOD + "  - {id: X1, kind: dated, by: 01-31, severity: error, message: m, file: /etc/passwd}\n",
     "rules 第 2 条（X1）", "不认识的字段 'file'"),
    ("at_most many", HEAD + GOOD + "  - {id: X1, kind: length, part: 一, at_most: many, severity: error, message: m}\n",
     "rules 第 2 条（X1）.at_most", "at_most 的值 'many' 不合用"),
    ("length at_most 1.5", HEAD + GOOD + "  - {id: X1, kind: length, part: 一, at_most: 1.5, severity: error, message: m}\n",
     "rules 第 2 条（X1）.at_most", "at_most 的值 1.5 不合用"),
    ("at_most negative", HEAD + GOOD + "  - {id: X1, kind: cell, cell: A.normative.issued, at_most: -1, severity: error, "
     "message: m}\n", "rules 第 2 条（X1）.at_most", "不合用"),
    ("terms 5", HEAD + GOOD + "  - {id: X1, kind: mentions, part: 一, terms: 5, severity: error, message: m}\n",
     "rules 第 2 条（X1）.terms", "terms 的值 5 不合用"),
    ("by 13-45", HEAD + GOOD + "  - {id: X1, kind: dated, by: 13-45, severity: error, message: m}\n",
     "rules 第 2 条（X1）.by", "by 的值 '13-45' 不合用"),
    ("by January", HEAD + GOOD + "  - {id: X1, kind: dated, by: 1月31日, severity: error, message: m}\n",
     "rules 第 2 条（X1）.by", "不合用"),
    ("part and section", HEAD + GOOD + "  - {id: X1, kind: mentions, part: 一, section: 一（一）, terms: [a], severity: error,"
     " message: m}\n", "rules 第 2 条（X1）", "part 和 section 只能写一个"),
    ("part a section", HEAD + GOOD + "  - {id: X1, kind: mentions, part: 一（一）, terms: [a], severity: error, message: m}\n",
     "rules 第 2 条（X1）.part", "part 写部分，section 写节"),
    ("section a part", HEAD + GOOD + "  - {id: X1, kind: mentions, section: 五, terms: [a], severity: error, message: m}\n",
     "rules 第 2 条（X1）.section", "part 写部分，section 写节"),
    ("no such part", HEAD + GOOD + "  - {id: X1, kind: mentions, part: 九, terms: [a], severity: error, message: m}\n",
     "rules 第 2 条（X1）.part", "可写："),
    ("no place", HEAD + GOOD + "  - {id: X1, kind: mentions, terms: [a], severity: error, message: m}\n",
     "rules 第 2 条（X1）", "mentions 类规则需要 part 或 section"),
    ("no bound", HEAD + GOOD + "  - {id: X1, kind: length, part: 一, severity: error, message: m}\n",
     "rules 第 2 条（X1）", "length 类规则需要 at_most 或 at_least"),
    ("least above most", HEAD + GOOD + "  - {id: X1, kind: length, part: 一, at_least: 9, at_most: 3, severity: error, "
     "message: m}\n", "rules 第 2 条（X1）", "at_least 大于 at_most"),
    ("no such cell", HEAD + GOOD + "  - {id: X1, kind: cell, cell: A.nothing.here, filled: true, severity: error, message: m}\n",
     "rules 第 2 条（X1）.cell", "不是表格中的单元格"),
    ("filled false", HEAD + GOOD + "  - {id: X1, kind: cell, cell: A.normative.issued, filled: false, severity: error, "
     "message: m}\n", "rules 第 2 条（X1）.filled", "只能写 true"),
    ("run 3", HEAD + GOOD + "  - {id: X1, kind: follows_up, run: 3, severity: error, message: m}\n",
     "rules 第 2 条（X1）.run", "run 的值 3 不合用"),
    ("bad severity", HEAD + GOOD + "  - {id: X1, kind: dated, by: 01-31, severity: fatal, message: m}\n",
     "rules 第 2 条（X1）.severity", "严重程度 'fatal' 不认识"),
    ("no message", HEAD + GOOD + "  - {id: X1, kind: dated, by: 01-31, severity: error}\n", "rules 第 2 条（X1）.message",
     "缺少规则的说明"),
    ("bad id", HEAD + GOOD + "  - {id: 1X, kind: dated, by: 01-31, severity: error, message: m}\n", "rules 第 2 条.id",
     "规则编号 '1X' 不合用"),
    ("rule not a mapping", HEAD + GOOD + "  - X1\n", "rules 第 2 条", "每条规则应是一个映射"),
    ("id twice", HEAD + GOOD + "  - {id: OK-1, kind: dated, by: 02-15, severity: error, message: m}\n", "rules 第 2 条",
     "规则编号 OK-1 用了两次（第 1 条和第 2 条）"),
    ("a built-in id", HEAD + GOOD + "  - {id: B-ROWSUM, kind: dated, by: 01-31, severity: error, message: m}\n",
     "rules 第 2 条（B-ROWSUM）.id", "与内置规则重名"),
    ("national a built-in id", HEAD + GOOD + "  - {id: N-COPY, kind: national, rule: N-COPY, severity: error, message: m}\n",
     "rules 第 2 条（N-COPY）.id", "与内置规则重名"),
    ("national no such rule", HEAD + GOOD + "  - {id: X1, kind: national, rule: Z-NONE, disabled: true, message: m}\n",
     "rules 第 2 条（X1）.rule", "没有编号为 Z-NONE 的内置规则"),
    ("national both", HEAD + GOOD + "  - {id: X1, kind: national, rule: N-COPY, disabled: true, severity: info, message: m}\n",
     "rules 第 2 条（X1）", "disabled 和 severity 只能写一个"),
    ("national neither", HEAD + GOOD + "  - {id: X1, kind: national, rule: N-COPY, message: m}\n",
     "rules 第 2 条（X1）", "national 类规则需要 disabled 或 severity"),
    ("YAML aliases", HEAD + "  - &a {id: X1, kind: dated, by: 01-31, severity: error, message: m}\n  - *a\n", None,
     "锚点和别名"),
    ("YAML 1.1 off", HEAD + GOOD + "  - {id: X1, kind: national, rule: N-COPY, off: true, message: m}\n",
     "rules 第 2 条（X1）", "字段名被 YAML 读成了真假值 false"),
    ("control character in a message", HEAD + GOOD + '  - {id: X1, kind: dated, by: 01-31, severity: error, message: "a\\x07b"}\n',
     "rules 第 2 条（X1）.message", "控制字符（U+0007）"),
    ("raw control character", HEAD + GOOD + "  - {id: X1, kind: dated, by: 01-31, severity: error, message: a\x07b}\n", None,
     "控制字符（U+0007）"),
    ("line break in a message", HEAD + GOOD + '  - {id: X1, kind: dated, by: 01-31, severity: error, message: "a\\nb"}\n',
     "rules 第 2 条（X1）.message", "换行"),
    ("term with a line break", HEAD + GOOD + '  - {id: X1, kind: mentions, part: 一, terms: ["a\\nb"], severity: error, '
     "message: m}\n", "rules 第 2 条（X1）.terms", "每个词是一行"),
    ("too long a term", HEAD + GOOD + f"  - {{id: X1, kind: mentions, part: 一, terms: [{'词' * 41}], severity: error, "
     "message: m}\n", "rules 第 2 条（X1）.terms", "不超过 40 字"),
    ("duplicate key", HEAD + "  - {id: X1, kind: dated, by: 01-31, by: 02-01, severity: error, message: m}\n", None,
     "写了两次"),
    ("octal", HEAD + GOOD + "  - {id: X1, kind: length, part: 一, at_most: 0100, severity: error, message: m}\n", None,
     "八进制"),
    ("too many rules", HEAD + "".join(f"  - {{id: X{i}, kind: dated, by: 01-31, severity: error, message: m}}\n"
                                      for i in range(packs.MAX_RULES + 1)), "rules", "上限 10,000 条"),
]


@pytest.mark.parametrize(("text", "key", "words"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_a_bad_pack_is_refused_with_the_file_the_rule_and_the_fix(tmp_path: Path, text: str, key: str | None,
                                                                  words: str) -> None:
    path = tmp_path / "bad-pack.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError, match=re.escape(words)) as info:
        packs.read(path)
    error = info.value
    assert error.file == path and "bad-pack.yaml" in str(error)
    assert getattr(error, "key", None) == key
    if key:
        assert f"键 {key}：" in str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(("case", "hint"), [
    ("unknown kind", "可用的类型：length、mentions、figure、cell、dated、follows_up、national"),
    ("unknown field", "这里可用的字段：id、kind、severity、message、hint、by"),
    ("YAML 1.1 off", "关掉内置规则写 disabled: true；这里可用的字段：id、kind、severity、message、hint、rule、disabled）"),  # each field once
    ("by 13-45", "MM-DD"),
    ("bad severity", "写 error（错误）、warning（警告）或 info（提示）"),
    ("id twice", "只能出现一次"),
    ("too many rules", "请拆成几个规则包"),
])
def test_a_refusal_says_what_to_write_instead(tmp_path: Path, case: str, hint: str) -> None:
    (text,) = [b[1] for b in BAD if b[0] == case]
    path = tmp_path / "bad-pack.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        packs.read(path)
    assert hint in info.value.hint + "）"


def tmp_project(root: Path, **files: str) -> Project:
    """A project of no agencies whose ``params/rules/`` holds ``files`` (name → text)."""
    (root / "params" / "rules").mkdir(parents=True)
    (root / "params" / "agencies.yaml").write_text("{}\n", encoding="utf-8")
    for name, text in files.items():
        (root / "params" / "rules" / name).write_text(text, encoding="utf-8")
    return Project(root)


def test_ids_used_in_two_packs_of_a_project_are_refused(tmp_path: Path) -> None:
    rule = "  - {id: X1, kind: dated, by: 01-31, severity: error, message: m}\n"
    project = tmp_project(tmp_path, **{"a.yaml": HEAD + rule, "b.yaml": HEAD.replace(NAME, "乙") + GOOD + rule})
    with pytest.raises(ParamsError, match="规则编号 X1 已在规则包 .*a.yaml 中用过") as info:
        packs.load(project)
    assert info.value.file.name == "b.yaml" and info.value.key == "X1" and "换一个编号" in info.value.hint


def test_a_change_id_used_in_another_pack_is_refused(tmp_path: Path) -> None:
    change = "  - {id: X1, kind: national, rule: X-CHANGE, disabled: true, message: m}\n"
    rule = "  - {id: X1, kind: dated, by: 01-31, severity: error, message: m}\n"
    project = tmp_project(tmp_path, **{"a.yaml": HEAD + change, "b.yaml": HEAD + rule})
    with pytest.raises(ParamsError, match="规则编号 X1 已在规则包 .*a.yaml 中用过"):
        packs.load(project)


def test_a_pack_added_with_rules_clashing_with_the_projects_is_refused(tmp_path: Path) -> None:
    rule = "  - {id: X1, kind: dated, by: 01-31, severity: error, message: m}\n"
    project = tmp_project(tmp_path / "p", **{"a.yaml": HEAD + rule})
    assert [p.name for p in packs.load(project)] == [NAME]
    extra = tmp_path / "extra.yaml"
    extra.write_text(HEAD + rule, encoding="utf-8")
    with pytest.raises(ParamsError, match="规则编号 X1 已在规则包") as info:
        packs.load(Project(project.root, rules=(extra,)))
    assert info.value.file == extra.resolve()


def test_a_missing_pack_is_refused_naming_it(tmp_path: Path) -> None:
    project = tmp_project(tmp_path / "p")
    with pytest.raises(ParamsError, match="找不到规则包文件") as info:
        packs.load(Project(project.root, rules=(tmp_path / "nowhere.yaml",)))
    assert info.value.file.name == "nowhere.yaml"


def test_a_pack_changed_on_disk_is_read_again(tmp_path: Path) -> None:
    project = tmp_project(tmp_path, **{"a.yaml": HEAD + GOOD})
    assert [r.id for p in packs.load(project) for r in p.rules] == ["OK-1"]
    (project.params_dir / "rules" / "a.yaml").write_text(HEAD + GOOD.replace("OK-1", "OK-22"), encoding="utf-8")
    assert [r.id for p in packs.load(project) for r in p.rules] == ["OK-22"]


# ---------------------------------------------------------------- at the limit, and hostile text

def huge_rules(n: int) -> str:
    kinds = [
        "{{id: H{i}, kind: length, section: 一（一）, at_most: {i}, severity: warning, message: 长度{i}, hint: 改{i}}}",
        "{{id: H{i}, kind: mentions, part: 一, terms: [[主动公开, 公开{i}], 网站], severity: info, message: 写到{i}}}",
        "{{id: H{i}, kind: figure, section: 一（三）, term: [制发, 印发], equals: 规范性文件制发, severity: warning, message: 数{i}}}",
        "{{id: H{i}, kind: cell, cells: [A.normative.issued, A.normative.repealed], at_least: {i}, severity: error, message: 格{i}}}",
        "{{id: H{i}, kind: dated, by: 01-31, severity: error, message: 日期{i}}}",
        "{{id: H{i}, kind: follows_up, severity: warning, message: 回顾{i}}}",
    ]
    return "".join(f"  - {kinds[i % len(kinds)].format(i=i)}\n" for i in range(n))


def test_a_pack_of_ten_thousand_rules_reads_and_runs(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(HEAD + huge_rules(packs.MAX_RULES), encoding="utf-8")
    pack = packs.read(path)
    assert len(pack.rules) == packs.MAX_RULES
    data = report().with_narrative({"overview.management": "本年制发行政规范性文件3件。"})
    found = run(data, filled(data), previous(), filled(previous()), packs=[pack])
    mine = [r for r in found if r.pack == NAME]
    assert len(mine) == packs.MAX_RULES
    assert [r.rule for r in mine] == [f"H{i}" for i in range(packs.MAX_RULES)]
    assert not [r for r in mine if r.message.startswith("校验规则执行出错")]
    assert {r.status for r in mine} >= {PASSED, FAILED}
    table = checks.per_rule(found)
    listed = list(table["规则"])
    assert listed[: len(RULES)] == [r.id for r in RULES]
    assert listed[len(RULES):] == [f"H{i}" for i in range(packs.MAX_RULES)]
    assert int(table[table["规则"] == "H1"]["通过"].iloc[0]) == 1  # mentions 主动公开 and 网站: both in part 一


HOSTILE = "政务新媒体1个，" * 2500 + "<script>alert(1)</script>{{ 本年新收 }}{% raw %}**粗体**[链接](http://x)<!-- x -->`代码`"


def test_hostile_narrative_under_the_shipped_pack_completes(tmp_path: Path) -> None:
    wuwei = packs.read(SHIPPED)
    data = report().with_narrative({k: HOSTILE for k in report().narrative})
    assert len(data.narrative["overview.active"]) > 20_000
    found = run(data, dict(data.narrative), packs=[wuwei])
    mine = [r for r in found if r.pack == wuwei.name]
    assert [r.rule for r in mine] == [r.id for r in wuwei.rules]
    assert not [r for r in found if r.message.startswith("校验规则执行出错")]
    (length,) = [r for r in mine if r.rule == "WW-LENGTH"]
    assert length.status == FAILED and length.observed > 1000
    (platforms,) = [r for r in mine if r.rule == "WW-PLATFORMS"]
    assert (platforms.status, platforms.observed) == (PASSED, 1)


# ---------------------------------------------------------------- safe by construction

@pytest.mark.parametrize(("text", "status"), [
    ("本单位按要求公开.*(a+)+$类信息。", PASSED),
    ("本单位按要求公开aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", FAILED),
    ("任意文字", FAILED),
    ("", FAILED),
])
def test_a_term_with_regex_characters_is_matched_literally(tmp_path: Path, text: str, status: str) -> None:
    pack = make(tmp_path, kind="mentions", section="一（一）", terms=[".*(a+)+$"])
    assert one(pack, texts(overview__active=text)).status == status


@pytest.mark.parametrize(("text", "status", "observed"), [
    ("公开.*(a+)+$类信息3个。", PASSED, 3),
    ("公开aaaa类信息3个。", FAILED, None),
])
def test_a_figure_term_with_regex_characters_is_matched_literally(tmp_path: Path, text: str, status: str,
                                                                  observed: object) -> None:
    pack = make(tmp_path, kind="figure", section="一（一）", term=".*(a+)+$")
    result = one(pack, texts(overview__active=text))
    assert (result.status, result.observed) == (status, observed)


@pytest.mark.parametrize("field", ["file", "path", "include", "regex", "pattern", "expression", "python"])
def test_a_pack_cannot_name_a_file_or_an_expression(tmp_path: Path, field: str) -> None:
    with pytest.raises(ParamsError, match=f"不认识的字段 '{field}'"):
        make(tmp_path, kind="mentions", part="一", terms=["公开"], **{field: "/etc/passwd"})


# ---------------------------------------------------------------- the command line

def cli_project(root: Path, more: int = 0) -> Project:
    """A copy of the bundled project; with ``more``, that many extra agencies (copies of shimen's data),
    so that ``--jobs 2`` shares the agencies among worker processes.
    """
    for name in ("params", "data"):
        shutil.copytree(ROOT / name, root / name)
    registry = root / "params" / "agencies.yaml"
    for i in range(more):
        who = f"copy-{i}"
        with registry.open("a", encoding="utf-8") as f:
            f.write(f"{who}:\n  name: 青川市临江区示例副本{i}镇人民政府\n  kind: township\n")
        for year in (2023, 2024):
            text = (root / "data" / str(year) / "shimen.yaml").read_text(encoding="utf-8")
            (root / "data" / str(year) / f"{who}.yaml").write_text(text.replace("agency: shimen", f"agency: {who}", 1),
                                                                   encoding="utf-8")
    return Project(root)


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


PACK = [
    {"id": "T-DATED", "kind": "dated", "by": "01-10", "severity": "error", "message": "1 月 10 日前发布", "hint": "早些发布"},
    {"id": "T-SECTION", "kind": "mentions", "part": "五", "terms": [["整改", "改进"]], "severity": "info",
     "message": "第五部分写整改", "hint": "写出整改措施"},
    {"id": "T-GRADE", "kind": "national", "rule": "X-CHANGE", "severity": "error", "message": "大幅变化按错误计"},
]


def test_check_with_rules_shows_the_packs_results_in_json(tmp_path: Path) -> None:
    project = cli_project(tmp_path / "project")
    pack = write(tmp_path, *PACK)
    result = invoke(project, "check", "-a", "shimen", "-y", "2024", "--rules", str(pack), "--format", "json")
    assert result.exit_code == 1, result.output  # the report is dated 2025-01-27: too late for T-DATED
    (entry,) = json.loads(result.stdout)
    by_rule = {r["rule"]: r for r in entry["results"]}
    assert by_rule["T-DATED"] | {"message": ""} == by_rule["T-DATED"] | {
        "status": "failed", "severity": "error", "pack": NAME, "hint": "早些发布", "title": "1 月 10 日前发布", "message": ""}
    assert (by_rule["T-SECTION"]["pack"], by_rule["T-SECTION"]["hint"]) == (NAME, "写出整改措施")
    assert {(r["severity"], r["pack"]) for r in entry["results"] if r["rule"] == "X-CHANGE"} == {("error", NAME)}
    shipped = [r for r in entry["results"] if r["rule"].startswith("WW-")]  # params/rules/ applies too
    assert shipped and {r["pack"] for r in shipped} == {"武威市年报补充要求（2025 年度）"} and all(r["hint"] for r in shipped)
    assert {r["pack"] for r in entry["results"] if r["rule"] in {x.id for x in RULES} - {"X-CHANGE"}} == {""}


def test_check_without_rules_has_no_results_of_the_pack(tmp_path: Path) -> None:
    project = cli_project(tmp_path / "project")
    result = invoke(project, "check", "-a", "shimen", "-y", "2024", "--format", "json")
    rules = {r["rule"] for r in json.loads(result.stdout)[0]["results"]}
    assert not rules & {"T-DATED", "T-SECTION"} and "WW-LENGTH" in rules


@pytest.mark.parametrize(("text", "words"), [
    (HEAD + "  - {id: X1, kind: regex, severity: error, message: m}\n", "键 rules 第 1 条（X1）.kind：规则类型 'regex' 不认识"),
    (HEAD + "  - {id: WW-LENGTH, kind: dated, by: 01-31, severity: error, message: m}\n", "规则编号 WW-LENGTH 已在规则包"),
    ("[1, 2]\n", "规则包应是一个映射"),
])
@pytest.mark.parametrize("command", [
    ["check"],
    ["template", "-a", "shimen", "-y", "2025", "-o", "t.xlsx"],
    ["render", "-a", "shimen", "-y", "2024", "--out", "t.xlsx", "--no-pdf"],  # refused before any kernel starts
    ["batch", "-y", "2024", "--no-pdf"],
], ids=["check", "template", "render", "batch"])
def test_a_bad_pack_stops_the_command_with_one_line(tmp_path: Path, text: str, words: str, command: list[str]) -> None:
    project = cli_project(tmp_path / "project")
    pack = tmp_path / "省里的要求.yaml"
    pack.write_text(text, encoding="utf-8")
    command = [c.replace("t.xlsx", str(tmp_path / "t.xlsx")) for c in command]
    result = invoke(project, *command, "--rules", str(pack))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith(f"Error: 文件 {pack}") and words in result.stderr
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "t.xlsx").exists()


def test_a_missing_rules_file_is_a_usage_error(tmp_path: Path) -> None:
    project = cli_project(tmp_path / "project")
    result = invoke(project, "check", "--rules", str(tmp_path / "nowhere.yaml"))
    assert result.exit_code == 2 and "nowhere.yaml" in result.stderr


def test_check_in_worker_processes_applies_the_pack_as_one_process_does(tmp_path: Path) -> None:
    project = cli_project(tmp_path / "project", more=3)  # 8 agencies: 2 jobs share them
    pack = write(tmp_path, *PACK)
    args = ["check", "--rules", str(pack), "--format", "json"]
    serial = invoke(project, *args, "--jobs", "1")
    parallel = invoke(project, *args, "--jobs", "2")
    assert parallel.stdout == serial.stdout and parallel.exit_code == serial.exit_code == 1
    entries = json.loads(parallel.stdout)
    assert len(entries) >= 8
    assert all({"T-DATED", "T-SECTION"} <= {r["rule"] for r in e["results"]} for e in entries if e.get("results"))
    assert {r["pack"] for e in entries for r in e["results"] if r["rule"] == "T-DATED"} == {NAME}


# ---------------------------------------------------------------- the shipped packs

def test_the_shipped_packs_read_and_their_ids_are_distinct() -> None:
    shipped = [packs.read(SHIPPED), packs.read(EVALUATOR)]
    ids = [r.id for p in shipped for r in (*p.rules, *p.changes)]
    assert len(ids) == len(set(ids)) and len(ids) == 18
    assert not set(ids) & {r.id for r in RULES}
    assert all(r.hint and r.pack == p.name for p in shipped for r in p.rules)
    assert [(c.rule, c.disabled, c.severity) for c in shipped[1].changes] == [("N-COPY", False, ERROR), ("X-CHANGE", True, "")]
    assert [p.name for p in packs.load(Project(ROOT))] == [shipped[0].name]  # the evaluator's is in a sub-folder
    asked = packs.guidance(shipped, 2024)
    assert asked["overview.active"][0].startswith("第一部分“总体情况”控制在 1000 字左右（")  # a part's: its first section
    assert any(w.startswith("主动公开写明通过政府网站公开信息的条数（如“") for w in asked["overview.active"])
    assert asked["problems.problems"][0].startswith("第五部分回顾上年报告提出的问题")


def test_two_packs_changing_one_built_in_rule_are_refused(tmp_path: Path) -> None:
    head = "name: {n}\nnotice: {{title: t, issuer: i, date: 2025-01-01}}\nrules:\n"
    folder = tmp_path / "params" / "rules"
    folder.mkdir(parents=True)
    (tmp_path / "params" / "agencies.yaml").write_text("a: {name: 某局, kind: department}\n", encoding="utf-8")
    (folder / "a.yaml").write_text(head.format(n="甲") + "  - {id: A1, kind: national, rule: X-CHANGE, disabled: true, message: m}\n",
                                   encoding="utf-8")
    (folder / "b.yaml").write_text(head.format(n="乙") + "  - {id: B1, kind: national, rule: X-CHANGE, severity: info, message: m}\n",
                                   encoding="utf-8")
    with pytest.raises(ParamsError, match="内置规则 X-CHANGE 已由规则包 .*a.yaml 改过") as caught:
        packs.load(Project(tmp_path))
    assert caught.value.file.name == "b.yaml" and caught.value.key == "B1"


@pytest.mark.parametrize(("written", "value"), [
    ("三", 3), ("十", 10), ("十二", 12), ("二十", 20), ("一百零五", 105), ("两", 2), ("一千二百三十四", 1234),
    ("一二", None), ("十十", None), ("", None),
])
def test_chinese_numerals_as_reports_write_counts(written: str, value: int | None) -> None:
    from nianbao.model import chinese_number

    assert chinese_number(written) == value


@pytest.mark.parametrize(("text", "found"), [
    ("开设政务新媒体账号三个", 3),
    ("建成政务公开专区十二个", 12),
    ("通过政务新媒体发布信息1,234个", 1234),  # a comma grouping digits does not end the clause
    ("政务新媒体第三个账号", None),  # an ordinal counts nothing
    ("政务新媒体一次性备案", None),  # nor does 一次性
])
def test_a_figure_next_to_a_term_in_digits_or_chinese_numerals(text: str, found: int | None) -> None:
    from nianbao.checks.texts import figures_near

    got = figures_near(text, ("政务新媒体", "政务公开专区"), ("个", "次"))
    assert [value for _, value in got] == ([found] if found is not None else [])
