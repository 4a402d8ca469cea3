"""Sign-off bound to content (``nianbao approve``), the release package (``nianbao release``) and the
season's history they append to. No kernel and no TeX: the publication's page, fragment and Word file
are written from the edition as ``nianbao render`` writes them.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from nianbao import approval, reviews
from nianbao.cli import main
from nianbao.edition import blocks, web, word
from nianbao.errors import DataError
from nianbao.params import Project
from nianbao.release import MANIFEST_CSV, MANIFEST_JSON, folder_name, release
from nianbao.report import validate
from nianbao.run import Run, fingerprint

NAME = "青川市临江区江滨街道办事处"


def rendered(project: Project, agency: str = "jiangbin", year: int = 2024) -> dict[str, Path]:
    """The publication's page, fragment and Word file, written as ``nianbao render`` writes them."""
    report = validate(project, agency, year)
    made = blocks(report)
    files = Run(project, year, agency).published()
    files["publish_html"].parent.mkdir(parents=True, exist_ok=True)
    files["publish_html"].write_text(web.page(made), encoding="utf-8")
    files["publish_fragment"].write_text(web.fragment(made), encoding="utf-8")
    files["publish_docx"].write_bytes(word.report_docx(report, made))
    written = {k: p for k, p in files.items() if p.is_file()}
    made_by = Run(project, year, agency).made  # what the render records of the bytes it wrote
    made_by.write_text(json.dumps({p.name: fingerprint(p) for p in written.values()}), encoding="utf-8")
    return written


def change_narrative(project: Project, agency: str = "jiangbin", year: int = 2024) -> None:
    path = project.data_dir / str(year) / f"{agency}.yaml"
    text = path.read_text(encoding="utf-8")
    assert "重点围绕" in text
    path.write_text(text.replace("重点围绕", "主要围绕", 1), encoding="utf-8")


def invoke(project: Project, *args: str):
    return CliRunner().invoke(main, ["--project", str(project.root), *args])


def events(project: Project) -> list[str]:
    return [e["event"] for e in approval.read_history(project)]


# ---------------------------------------------------------------- approve


def test_an_approval_records_who_when_and_what_and_is_current(project: Project) -> None:
    files = rendered(project)
    result = invoke(project, "approve", "-a", "jiangbin", "-y", "2024", "--by", "张三", "--note", "已核对原件")
    assert result.exit_code == 0, result.output
    record = approval.read(project, "jiangbin", 2024)
    assert record is not None and record.by == "张三" and record.note == "已核对原件" and record.at.endswith("Z")
    assert record.files == {p.name: fingerprint(p) for p in files.values()}
    assert record.fingerprint == approval.fingerprint(validate(project, "jiangbin", 2024))
    assert approval.state(project, "jiangbin", 2024) == (approval.CURRENT, record)
    assert approval.path(project, "jiangbin", 2024).name == "jiangbin.approval.yaml"
    assert approval.path(project, "jiangbin", 2024) not in project.params_files()  # not taken for a params file
    assert events(project) == ["approve"]
    assert approval.read_history(project)[0]["fingerprint"] == record.fingerprint


def test_the_fingerprint_is_the_same_in_another_process(project: Project) -> None:
    here = approval.fingerprint(validate(project, "shimen", 2024))  # shimen's edition has charts: figure bytes count
    code = ("from pathlib import Path; from nianbao import approval; from nianbao.params import Project; "
            "from nianbao.report import validate; "
            f"print(approval.fingerprint(validate(Project(Path({str(project.root)!r})), 'shimen', 2024)))")
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert there == here and len(here) == 64


def test_a_changed_narrative_makes_the_approval_stale(project: Project) -> None:
    rendered(project)
    approval.approve(project, "jiangbin", 2024, "张三")
    change_narrative(project)
    assert approval.state(project, "jiangbin", 2024)[0] == approval.STALE == "已审核，但内容已变"
    rendered(project)  # rendered again: the files follow the new text, the approval still does not
    assert approval.state(project, "jiangbin", 2024)[0] == approval.STALE


def test_a_publication_file_that_changed_makes_the_approval_stale(project: Project) -> None:
    files = rendered(project)
    approval.approve(project, "jiangbin", 2024, "张三")
    files["publish_docx"].write_bytes(files["publish_docx"].read_bytes() + b"\0")
    assert approval.state(project, "jiangbin", 2024)[0] == approval.STALE


def test_an_approval_needs_the_publication_rendered_from_the_current_content(project: Project) -> None:
    with pytest.raises(DataError, match="请先运行 nianbao render -a jiangbin -y 2024"):
        approval.approve(project, "jiangbin", 2024, "张三")
    rendered(project)
    change_narrative(project)
    with pytest.raises(DataError, match="不是由现在的数据、叙述和代码生成的"):
        approval.approve(project, "jiangbin", 2024, "张三")
    assert not approval.path(project, "jiangbin", 2024).exists() and events(project) == []


def test_open_errors_refuse_the_approval_naming_each(project: Project) -> None:
    rendered(project, "broken-example")
    result = invoke(project, "approve", "-a", "broken-example", "-y", "2024", "--by", "张三")
    assert result.exit_code == 1
    line = result.output.strip()
    assert "\n" not in line and line.startswith("Error: ") and "不能审核" in line
    for key in ("B-ROWSUM@B.unavailable_not_held.total", "B-ROWSUM@B.carried_forward.total", "B-COLSUM@B.total.natural",
                "B-BALANCE@B.total.total", "C-TOTAL@C.cases.review_total", "N-FIGURES@B.new.total"):
        rule, cell = key.split("@")
        assert f"--rule {rule} --cell {cell}" in line
    assert not approval.path(project, "broken-example", 2024).exists()


def test_findings_accepted_with_nianbao_accept_no_longer_block(project: Project) -> None:
    report = validate(project, "broken-example", 2024)
    for result in [r for r in report.results if r.is_error and r.is_open]:
        reviews.record(project, result, report.data, "原件如此，已去函核实", "李四")
    rendered(project, "broken-example")
    done = approval.approve(project, "broken-example", 2024, "张三")
    assert approval.state(project, "broken-example", 2024) == (approval.CURRENT, done)


def test_unknown_cells_refuse_the_approval_until_their_findings_are_accepted(project: Project) -> None:
    report = validate(project, "yueyanglou", 2024)
    rendered(project, "yueyanglou")
    with pytest.raises(DataError, match=r"格无法确定（？）：.*C\.cases\.review_upheld"):
        approval.approve(project, "yueyanglou", 2024, "张三")
    for result in [r for r in report.results if r.is_open and r.is_error or r.status == "uncertain"]:
        reviews.record(project, result, report.data, "原文表四丢失了单元格位置，已核实", "李四")
    assert approval.blockers(validate(project, "yueyanglou", 2024)) == []
    approval.approve(project, "yueyanglou", 2024, "张三")


def test_a_revoked_approval_is_gone_and_the_history_keeps_both(project: Project) -> None:
    rendered(project)
    approval.approve(project, "jiangbin", 2024, "张三")
    result = invoke(project, "approve", "-a", "jiangbin", "-y", "2024", "--by", "张三", "--revoke")
    assert result.exit_code == 0 and "已撤回" in result.output
    assert approval.state(project, "jiangbin", 2024) == (approval.NONE, None)
    assert events(project) == ["approve", "revoke"]
    again = invoke(project, "approve", "-a", "jiangbin", "-y", "2024", "--by", "张三", "--revoke")
    assert again.exit_code == 1 and "没有审核记录" in again.output


@pytest.mark.parametrize(("text", "key"), [
    ("- by: 张三\n", "文件"),
    ("by: 张三\nat: '2025-02-01T09:30:00Z'\nfingerprint: abc\nfiles: {a.pdf: abc}\n", "键 fingerprint"),
    ("by: 张三\nat: yesterday\nfingerprint: " + "a" * 64 + "\nfiles: {a.pdf: " + "b" * 64 + "}\n", "键 at"),
    ("by: 张三\nat: '2025-02-01T09:30:00Z'\nfingerprint: " + "a" * 64 + "\nfiles: [a.pdf]\n", "键 files"),
    ("by: 张三\nat: '2025-02-01T09:30:00Z'\nfingerprint: " + "a" * 64 + "\nfiles: {a.pdf: " + "b" * 64 + "}\nsigned: yes\n",
     "键 signed"),
    ("at: '2025-02-01T09:30:00Z'\nfingerprint: " + "a" * 64 + "\nfiles: {a.pdf: " + "b" * 64 + "}\n", "键 by"),
])
def test_a_hand_edited_record_of_the_wrong_shape_is_one_clear_line(project: Project, text: str, key: str) -> None:
    path = approval.path(project, "jiangbin", 2024)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        approval.read(project, "jiangbin", 2024)
    assert caught.value.file == path and key in str(caught.value) and "nianbao approve" in str(caught.value)
    result = invoke(project, "release", "-y", "2024", "--out", str(project.root / "发布"))
    assert result.exit_code == 1 and result.output.count("\n") == 1 and str(path) in result.output
    assert path.read_text(encoding="utf-8") == text  # nothing lost


@pytest.mark.parametrize(("args", "said"), [
    (["-a", "nosuch", "-y", "2024"], "nosuch"),
    (["-a", "jiangbin", "-y", "2019"], "2019"),
])
def test_an_unknown_agency_or_year_is_one_line(project: Project, args: list[str], said: str) -> None:
    result = invoke(project, "approve", *args, "--by", "张三")
    assert result.exit_code == 1 and result.output.count("\n") == 1 and said in result.output


# ---------------------------------------------------------------- release


def approved(project: Project, agency: str = "jiangbin") -> dict[str, Path]:
    files = rendered(project, agency)
    approval.approve(project, agency, 2024, "张三")
    return files


def test_a_release_copies_the_approved_files_byte_for_byte_with_a_manifest(project: Project, tmp_path: Path) -> None:
    files = approved(project)
    out = tmp_path / "发布"
    result = invoke(project, "release", "-y", "2024", "--out", str(out))
    assert result.exit_code == 0, result.output
    folder = out / folder_name(2024, "jiangbin", NAME)
    assert folder.name == f"2024-jiangbin-{NAME}"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == {p.name: p.read_bytes() for p in files.values()}
    assert sorted(p.name for p in out.iterdir()) == sorted([folder.name, MANIFEST_CSV, MANIFEST_JSON])
    manifest = json.loads((out / MANIFEST_JSON).read_text(encoding="utf-8"))
    assert {e["file"]: e["sha256"] for e in manifest["files"]} == {p.name: fingerprint(p) for p in files.values()}
    assert {e["approved_by"] for e in manifest["files"]} == {"张三"}
    assert {u["agency"] for u in manifest["unapproved"]} == {"broken-example", "linjiang-scjg", "shimen", "yueyanglou"}
    raw = (out / MANIFEST_CSV).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert [(r["单位"], r["文件"], r["SHA-256"]) for r in rows] == [(NAME, e["file"], e["sha256"]) for e in manifest["files"]]
    assert "未审核" in result.output and "shimen" in result.output
    posted = [e for e in approval.read_history(project) if e["event"] == "release"]
    assert [e["agency"] for e in posted] == ["jiangbin"] and len(posted[0]["files"]) == len(files)


def test_a_second_release_with_nothing_changed_changes_nothing(project: Project, tmp_path: Path) -> None:
    approved(project)
    out = tmp_path / "发布"
    release(project, 2024, out)
    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}
    history = approval.history_path(project).read_bytes()
    done = release(project, 2024, out)
    assert not done.changed and {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()} == before
    assert approval.history_path(project).read_bytes() == history


def test_a_release_refuses_stale_approvals_naming_them_and_touches_nothing(project: Project, tmp_path: Path) -> None:
    approved(project)
    approved(project, "shimen")
    out = tmp_path / "发布"
    release(project, 2024, out)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    change_narrative(project)
    result = invoke(project, "release", "-y", "2024", "--out", str(out))
    assert result.exit_code == 1 and f"{NAME}（jiangbin）" in result.output and "已审核，但内容已变" in result.output
    assert "石门镇" not in result.output  # only the stale one is named
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_release_refuses_a_folder_holding_other_files(project: Project, tmp_path: Path) -> None:
    approved(project)
    out = tmp_path / "网站"
    out.mkdir()
    (out / "通知.docx").write_bytes(b"not ours")
    result = invoke(project, "release", "-y", "2024", "--out", str(out))
    assert result.exit_code == 1 and result.output.count("\n") == 1 and "通知.docx" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["通知.docx"] and (out / "通知.docx").read_bytes() == b"not ours"


def test_a_revoked_agency_leaves_the_package_at_the_next_release(project: Project, tmp_path: Path) -> None:
    approved(project)
    approved(project, "shimen")
    out = tmp_path / "发布"
    release(project, 2024, out)
    approval.revoke(project, "shimen", 2024, "张三")
    done = release(project, 2024, out)
    assert [p.name for p in out.iterdir() if p.is_dir()] == [f"2024-jiangbin-{NAME}"]
    assert done.removed and ("shimen", "青川市临江区石门镇人民政府") in done.unapproved
    assert events(project)[-1] == "unrelease"


def test_the_history_is_only_ever_appended_to(project: Project, tmp_path: Path) -> None:
    approved(project)
    seen = [approval.history_path(project).read_bytes()]
    release(project, 2024, tmp_path / "发布")
    seen.append(approval.history_path(project).read_bytes())
    approval.revoke(project, "jiangbin", 2024, "张三")
    seen.append(approval.history_path(project).read_bytes())
    assert all(later.startswith(earlier) and len(later) > len(earlier) for earlier, later in zip(seen, seen[1:]))
    assert events(project) == ["approve", "release", "revoke"]
    assert all(line.endswith(b"}") for line in seen[-1].split(b"\n")[:-1])
