"""Auditing many published reports: reports × rules, the files that could not be read, exit codes."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao.audit import COLUMNS, audit, report_files
from nianbao.audit_tables import to_csv, to_json, to_text
from nianbao.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
BROKEN = "broken-balance-linjiang-slj-2024.txt"


@pytest.fixture(scope="module")
def fixtures_audit():
    return audit([FIXTURES])


def test_the_audit_reads_every_report_under_a_folder(fixtures_audit) -> None:
    names = sorted(Path(r).name for r in fixtures_audit.reports["report"])
    assert names == sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".html", ".txt"))
    assert fixtures_audit.unreadable == []
    assert list(fixtures_audit.violations.columns) == list(COLUMNS)


def test_the_audit_flags_the_broken_relation_and_only_there(fixtures_audit) -> None:
    v = fixtures_audit.violations
    errors = v[(v["status"] == "failed") & (v["severity"] == "error")]
    assert sorted(set(Path(r).name for r in errors["report"])) == [BROKEN]
    assert list(errors["rule"]) == ["B-BALANCE", "B-BALANCE"]
    assert list(errors["where"]) == ["表三「自然人」列", "表三「总计」列"]
    row = errors.iloc[0]
    assert (row["agency"], row["year"]) == ("青川市临江区水利局", 2024)
    assert fixtures_audit.exit_code == 1


def test_unknown_cells_show_as_uncertain_not_as_errors(fixtures_audit) -> None:
    v = fixtures_audit.violations
    old = v[v["report"].str.endswith("format-2019-linjiang-jyj-2019.txt") & (v["rule"] != "V-BLANK")]
    assert set(old["status"]) == {"uncertain"}
    assert "V-VALUE" in set(old["rule"])
    reports = fixtures_audit.reports.set_index(fixtures_audit.reports["report"].map(lambda r: Path(r).name))
    assert reports.loc["format-2019-linjiang-jyj-2019.txt", "format"] == "2019"
    assert reports.loc["format-2019-linjiang-jyj-2019.txt", "unknown_cells"] == 13
    assert reports.loc["site-page-linjiang-zjj-2024.html", "errors"] == 0


def test_files_that_cannot_be_read_are_listed_with_the_reason(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "site-page-linjiang-zjj-2024.html", tmp_path / "good.html")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "notice.txt").write_text("关于召开培训会的通知\n", encoding="utf-8")
    (tmp_path / "sub" / "broken.pdf").write_bytes(b"%PDF-1.4 truncated")
    (tmp_path / "readme.md").write_text("not a report", encoding="utf-8")
    result = audit([tmp_path])
    assert len(result.reports) == 1 and set(result.violations["rule"]) <= {"V-BLANK"}  # notices only
    reasons = {Path(f).name: r for f, r in result.unreadable}
    assert set(reasons) == {"notice.txt", "broken.pdf"}
    assert "不像是政府信息公开工作年度报告" in reasons["notice.txt"] and "无法读取 PDF" in reasons["broken.pdf"]
    assert not any(name in reason for name, reason in reasons.items())  # the file is said once, in its own column
    assert result.exit_code == 1


def test_report_files_walk_folders_and_keep_files_given(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    for name in ("a/x.HTML", "a/y.htm", "b.txt", "c.pdf", "d.docx", "e.doc", "a/f.WPS", "g.wpd"):
        (tmp_path / name).write_text("", encoding="utf-8")
    found = report_files([tmp_path, tmp_path / "d.docx"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["b.txt", "c.pdf", "d.docx", "e.doc", "a/f.WPS",
                                                                  "a/x.HTML", "a/y.htm"]
    # a folder of pictures only is one report photographed page by page (as `nianbao import` reads it);
    # a picture beside other reports is a scan of its own
    for name in ("a/scan.png", "photos/第1页.jpg", "photos/第2页.JPG", "photos/.DS_Store", "a/more/第1页.jpeg",
                 "mixed/p1.jpg", "mixed/notes.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "a" / "loop").symlink_to(tmp_path)
    found = report_files([tmp_path])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "b.txt", "c.pdf", "d.docx", "e.doc", "a/f.WPS", "a/scan.png", "a/x.HTML", "a/y.htm", "a/more", "mixed/notes.txt",
        "mixed/p1.jpg", "photos"]
    assert report_files([tmp_path / "photos"]) == [tmp_path / "photos"]


def test_the_writers(fixtures_audit) -> None:
    text = to_text(fixtures_audit)
    assert text.startswith("审计 5 份报告：错误 2")
    assert "报告 × 规则" in text and "B-BALANCE" in text and "[错误] B-BALANCE 表三「自然人」列" in text
    payload = json.loads(to_json(fixtures_audit))
    assert payload["summary"]["errors"] == 2 and len(payload["reports"]) == 5
    assert {v["rule"] for v in payload["violations"] if v["status"] == "failed" and v["severity"] != "info"} == {"B-BALANCE"}
    assert all(v["evidence"] for v in payload["violations"])  # each finding with its cells and values
    rows = list(csv.DictReader(io.StringIO(to_csv(fixtures_audit))))
    assert list(rows[0]) == list(COLUMNS)
    assert len(rows) == len(fixtures_audit.violations)


# ---------------------------------------------------------------- the real PDFs


#: What the audit of each real file in ../shared/corpus must report, and why each is genuine (read from the
#: files themselves). Notices (V-BLANK) are not findings; they are listed with them.
GENUINE = [
    # 表四 prints 维持 10, 纠正 1 under a 总计 of 0 (and 维持 5 under 0 for 复议后起诉): the totals are wrong.
    ("hongze-2023.pdf", "C-TOTAL", "failed", "表四「行政复议」"),
    ("hongze-2023.pdf", "C-TOTAL", "failed", "表四「行政诉讼·复议后起诉」"),
    # Part 六 says no fee was collected and nothing of notices: the two notice figures are not stated.
    ("hongze-2023.pdf", "V-BLANK", "failed", "表六"),
    # "区政府办代表区政府受理…17件" against 95 in 表三: the year before, the same report's 21 was "全区", so 表三
    # probably counts the whole district and 17 only the office's share. Undecidable from the report, not an error.
    ("hongze-2024.pdf", "N-FIGURES", "uncertain", "叙述 overview.requests"),
    # 21 → 95 applications and 550 → 9,487 licences, and the text explains neither: the rule's warning stands.
    ("hongze-2024.pdf", "X-CHANGE", "failed", "本年新收申请"),
    ("hongze-2024.pdf", "X-CHANGE", "failed", "行政许可"),
    ("hongze-2024.pdf", "V-BLANK", "failed", "表六"),
    # The crawler ran the cells together: "693665" for three cells of 规范性文件 and seventeen digits for
    # the fifteen of 表四 (blank cells possible) have many readings; the audit says it cannot tell.
    *[(f"pingtan-{y}-page-text.txt", rule, "uncertain", where) for y in (2021, 2024) for rule, where in (
        ("V-VALUE", "表二"), ("V-VALUE", "表四"), ("C-TOTAL", "表四「行政复议」"),
        ("C-TOTAL", "表四「行政诉讼·未经复议直接起诉」"), ("C-TOTAL", "表四「行政诉讼·复议后起诉」"))],
    ("pingtan-2021-page-text.txt", "V-BLANK", "failed", "表六"),
    ("pingtan-2024-page-text.txt", "V-BLANK", "failed", "表六"),
    # Every table adds up, the text's figures agree and part 五 is headed as the format has it.
    ("pingtan-xingzhengshenpi-2023.html", "V-BLANK", "failed", "表六"),
    # Part 五 is headed "存在的主要问题及改进措施" where the format has "…改进情况": a deviation, reported as one.
    ("pingtan-zonghezhifa-2025.html", "V-BLANK", "failed", "表六"),
    ("pingtan-zonghezhifa-2025.html", "R-NUMBERS", "failed", "报告结构"),
]


@pytest.mark.usefixtures("corpus_dir")  # skipped without ../shared, failed in CI
def test_the_audit_of_the_real_files_reports_exactly_their_genuine_findings() -> None:
    result = audit([CORPUS])
    assert result.unreadable == []
    v = result.violations
    found = [(Path(r).name, rule, status, where) for r, rule, status, where in zip(v["report"], v["rule"], v["status"], v["where"])]
    assert sorted(found) == sorted(GENUINE)
    assert result.exit_code == 1  # hongze-2023's totals
    # each finding carries its evidence: the cells with the values printed, the sentence quoted
    hongze = v[(v["rule"] == "C-TOTAL") & (v["status"] == "failed")].iloc[0]
    assert hongze["evidence"].startswith("表四「行政复议·总计」 = 0；表四「行政复议·结果维持」 = 10；表四「行政复议·结果纠正」 = 1")
    quoted = v[v["rule"] == "N-FIGURES"].iloc[0]
    assert quoted["evidence"] == "“区政府办代表区政府受理政府信息公开申请17件”；表三「一、本年新收政府信息公开申请数量」行「总计」列 = 95"
    assert "?（无法确定）" in v[v["rule"] == "V-VALUE"].iloc[0]["evidence"]
    assert all(v["evidence"].str.len() > 0)


# ---------------------------------------------------------------- the command line


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_cli_audit_exit_codes(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "site-page-linjiang-zjj-2024.html", tmp_path / "good.html")
    good = invoke("audit", str(tmp_path))
    assert good.exit_code == 0, good.output
    assert good.output.startswith("审计 1 份报告：错误 0")
    broken = invoke("audit", str(FIXTURES / BROKEN), str(tmp_path / "good.html"))
    assert broken.exit_code == 1
    assert "[错误] B-BALANCE" in broken.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "请给出要审计的文件或目录"),
        (["no-such-folder"], "找不到 no-such-folder"),
        (["--format", "xml", "x"], "--format 的值不对：“xml”不是可选的值之一"),
    ],
)
def test_cli_audit_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = invoke("audit", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_cli_audit_with_nothing_to_read_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("audit", str(tmp_path))
    assert result.exit_code == 2 and "没有可导入的文件" in result.output


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_cli_audit_machine_formats_to_a_file(tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"audit.{fmt}"
    result = invoke("audit", str(FIXTURES), "--format", fmt, "-o", str(out))
    assert result.exit_code == 1 and result.output == ""
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        assert json.loads(text)["summary"]["reports"] == 5
    else:
        assert text.splitlines()[0] == ",".join(COLUMNS)


def test_a_manifest_names_the_agency_and_year_a_file_does_not_state(tmp_path: Path) -> None:
    from nianbao.format import PARTS

    (tmp_path / "untitled.txt").write_text("\n".join(f"{p.number}、{p.title}\n内容。" for p in PARTS), encoding="utf-8")
    alone = audit([tmp_path / "untitled.txt"])
    assert alone.unreadable and "--manifest" in alone.unreadable[0][1]
    manifest = tmp_path / "清单.csv"
    manifest.write_text("file,agency,year\nuntitled.txt,青川市临江区示例局,2023\n", encoding="utf-8")
    from nianbao.audit import read_manifest

    found = audit([tmp_path / "untitled.txt"], read_manifest(manifest))
    assert not found.unreadable
    line = found.reports.iloc[0]
    assert (line["agency"], line["year"], line["identity_from"]) == ("青川市临江区示例局", 2023, "清单")
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "untitled.txt"), "--manifest", str(manifest), "--format", "json"])
    assert '"identity_from": "清单"' in result.output
    manifest.write_text("file,agency,year\nuntitled.txt,青川市临江区示例局,二〇二三\n", encoding="utf-8")
    bad = CliRunner().invoke(main, ["audit", str(tmp_path / "untitled.txt"), "--manifest", str(manifest)])
    assert bad.exit_code == 1 and "清单第 2 行" in bad.output


def test_blank_cells_are_shown_as_notices_in_their_own_column(corpus_dir: Path) -> None:
    found = audit([corpus_dir / "hongze-2024.pdf"])
    assert int(found.reports.iloc[0]["notices"]) >= 1
    assert "空白格（提示）" in to_text(found)


def test_the_html_audit_page_shows_reports_by_rules_the_evidence_and_the_unreadable(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "reports")
    (tmp_path / "reports" / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    (tmp_path / "reports" / "evil<script>.txt").write_text("<script>alert(1)</script>", encoding="utf-8")
    out = tmp_path / "审计结果.html"
    result = CliRunner().invoke(main, ["audit", str(tmp_path / "reports"), "--format", "html", "-o", str(out)])
    assert result.exit_code == 1  # the broken fixture, and the unreadable files
    page = out.read_text(encoding="utf-8")
    assert '<html lang="zh">' in page and "<title>政府信息公开工作年度报告 · 审计结果</title>" in page
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page) and "<script>alert(1)" not in page
    header = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    assert '<th data-type="num" title="本年新收加上年结转等于办理结果总计加结转下年度">B-BALANCE</th>' in header or "B-BALANCE" in header
    assert "空白格（提示）" in header and "单位与年度读自" in header
    broken = re.search(r"<section id=\"r\d+\"><h3>[^<]*</h3><p class=\"overview\">文件：[^<]*" + re.escape(BROKEN) + r".*?</section>",
                       page, re.S).group(0)
    assert "B-BALANCE" in broken and "表三「总计」列" in broken  # the finding, with where and its figures
    unreadable = page[page.index("无法读取的文件"):]
    assert "scan.pdf" in unreadable and "无法读取 PDF" in unreadable and "evil&lt;script&gt;.txt" in unreadable


@pytest.mark.browser
def test_the_html_audit_page_filters_in_a_browser(tmp_path: Path) -> None:
    from .test_index import CHROMIUM, chromium

    if CHROMIUM is None:
        pytest.skip("needs Debian's chromium (scripts/setup.sh installs it)")
    out = tmp_path / "audit.html"
    CliRunner().invoke(main, ["audit", str(FIXTURES), "--format", "html", "-o", str(out)])
    n = len(report_files([FIXTURES]))
    dom = chromium(tmp_path / "profile", "--dump-dom", out.as_uri()).stdout.decode()
    assert f'<span id="shown">显示 {n} 份</span>' in dom  # the script ran over every report
    errors = chromium(tmp_path / "profile", "--dump-dom", out.as_uri() + "#status=errors").stdout.decode()
    assert '<span id="shown">显示 1 份</span>' in errors  # only the broken fixture has errors


def test_the_same_agency_gets_the_same_id_in_every_year(corpus_dir: Path) -> None:
    found = audit([corpus_dir / "hongze-2023.pdf", corpus_dir / "hongze-2024.pdf",
                   corpus_dir / "pingtan-2021-page-text.txt", corpus_dir / "pingtan-2024-page-text.txt"])
    ids = found.reports.groupby("agency_id")["year"].apply(sorted).to_dict()
    assert sorted(ids.values()) == [[2021, 2024], [2023, 2024]]  # 洪泽区人民政府 (2023) is 淮安市洪泽区人民政府 (2024)
    names = dict(zip(found.reports["agency"], found.reports["agency_id"]))
    assert names["洪泽区人民政府"] == names["淮安市洪泽区人民政府"]


def test_an_audit_over_worker_processes_finds_exactly_what_one_process_finds(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "reports")
    (tmp_path / "reports" / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    one, two = audit([tmp_path / "reports"]), audit([tmp_path / "reports"], jobs=2)
    assert len(one.reports) >= 4
    assert one.violations.equals(two.violations) and one.reports.equals(two.reports)
    assert one.unreadable == two.unreadable and len(one.unreadable) == 1


@pytest.mark.dask
def test_an_audit_on_a_dask_cluster_finds_exactly_what_one_process_finds() -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        remote = audit([FIXTURES], scheduler=cluster.scheduler_address)
    local = audit([FIXTURES])
    assert remote.violations.equals(local.violations) and remote.reports.equals(local.reports)


def test_an_audit_with_no_scheduler_at_the_address_is_one_line() -> None:
    result = CliRunner().invoke(main, ["audit", str(FIXTURES), "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 1 and "无法连接 Dask 调度器" in result.output and "Traceback" not in result.output


#: The same audit under the evaluator's pack (params/rules/evaluators/pingjia-2025.yaml), findings read in
#: the files: what the pack adds to GENUINE, and what it takes away.
EVALUATOR = Path(__file__).resolve().parents[1] / "params" / "rules" / "evaluators" / "pingjia-2025.yaml"
UNDER_THE_PACK = [
    # Both crawler copies carry the site's own time of posting ("时间：2022-02-08 16:34"; 2025-03-10 for
    # the 2024 report): each went up after 31 January of the year after the one it reports on.
    ("pingtan-2021-page-text.txt", "PJ-ON-TIME", "error", "failed", "发布日期"),
    ("pingtan-2024-page-text.txt", "PJ-ON-TIME", "error", "failed", "发布日期"),
    # Part 五 looks back at last year's problems only in 行政审批局's report ("我局针对2022年……存在的政策
    # 解读质量不高问题，进行了整改和提升"). hongze-2024 lists new problems and shares no more than boilerplate
    # ("政府信息公开工作") with 2023's; the others have no report of the year before here and no such sentence.
    *[(name, "PJ-FOLLOW-UP", "warning", "failed", "第五部分") for name in (
        "hongze-2023.pdf", "hongze-2024.pdf", "pingtan-2021-page-text.txt", "pingtan-2024-page-text.txt",
        "pingtan-zonghezhifa-2025.html")],
]
# Part 一 of all six covers the five aspects and every part 五 has over 100 characters: nothing more. The
# hongze PDFs print no date at all, so PJ-ON-TIME is skipped for them (not passed, not failed).


@pytest.mark.usefixtures("corpus_dir")
def test_the_audit_under_the_evaluators_pack_reports_what_the_pack_adds_and_drops() -> None:
    from nianbao.checks import packs

    result = audit([CORPUS], packs=packs.read_all([EVALUATOR]))
    v = result.violations
    found = [(Path(r).name, rule, severity, status, where) for r, rule, severity, status, where
             in zip(v["report"], v["rule"], v["severity"], v["status"], v["where"])]
    added = sorted(f for f in found if f[1].startswith("PJ-"))
    assert added == sorted(UNDER_THE_PACK)
    # the pack switches X-CHANGE off (hongze-2024's two warnings go) and keeps every other finding
    kept = sorted((name, rule, status, where) for name, rule, _, status, where in found if not rule.startswith("PJ-"))
    assert kept == sorted(g for g in GENUINE if g[1] != "X-CHANGE")
    on_time = v[v["rule"] == "PJ-ON-TIME"].iloc[0]
    assert "晚于 2022年1月31日 8 天" in on_time["message"] and "第五十条" in on_time["message"]  # the hint follows
    text = to_text(result)
    assert "另按规则包：政府信息公开工作年度报告评估要点（2025 年度）" in text and "PJ-ON-TIME" in text


def test_audit_with_rules_names_the_pack_and_refuses_a_bad_one(tmp_path: Path) -> None:
    runner = CliRunner()
    good = runner.invoke(main, ["audit", str(FIXTURES / BROKEN), "--rules", str(EVALUATOR), "--format", "json", "-j", "1"])
    payload = json.loads(good.stdout)
    assert [p["name"] for p in payload["packs"]] == ["政府信息公开工作年度报告评估要点（2025 年度）"]
    assert any(v["rule"].startswith("PJ-") for v in payload["violations"])
    bad = tmp_path / "坏的.yaml"
    bad.write_text("name: x\nnotice: {title: t, issuer: i, date: 2025-01-01}\nrules:\n  - {id: A1, kind: nope}\n", encoding="utf-8")
    refused = runner.invoke(main, ["audit", str(FIXTURES / BROKEN), "--rules", str(bad)])
    assert refused.exit_code == 1 and refused.stdout == ""
    assert "坏的.yaml" in refused.stderr and "规则类型 'nope' 不认识" in refused.stderr
