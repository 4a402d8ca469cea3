"""The reporting season end to end, as the README walks it, on the bundled examples: templates out,
workbooks back, checked, rendered, approved, released — and the board following each step."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import copy_project

pytestmark = pytest.mark.kernel

RETURNED = ("shimen", "jiangbin")  # the agencies whose workbooks come back in this test


def nianbao(project: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nianbao", "--project", str(project), *args],
                          capture_output=True, text=True, timeout=1800)


def stages(project: Path) -> dict[str, str]:
    done = nianbao(project, "status", "--year", "2024", "--format", "json", "--today", "2025-01-20")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["agencies"]
    return {row["agency"]: row["stage_label"] for row in rows}


def test_template_collect_check_batch_approve_release(tmp_path: Path) -> None:
    root = copy_project(tmp_path / "p").root
    returned = tmp_path / "回收"
    returned.mkdir()
    for agency in RETURNED:  # what each agency will send back: its figures in the template, filled
        done = nianbao(root, "template", "-a", agency, "-y", "2024", "--fill", "-o", str(returned / f"{agency}.xlsx"))
        assert done.returncode == 0, done.stderr
        (root / "data" / "2024" / f"{agency}.yaml").unlink()

    assert nianbao(root, "template", "--year", "2024", "--all").returncode == 0
    assert {stages(root)[a] for a in RETURNED} == {"模板已发，未交回"}

    collected = nianbao(root, "collect", str(returned), "--year", "2024")
    assert collected.returncode == 1, collected.stdout + collected.stderr  # three agencies have not sent theirs back
    assert "已交回、无误 2，已交回、有错误 0，未交回 3" in collected.stdout
    assert all((root / "data" / "2024" / f"{a}.xlsx").is_file() for a in RETURNED)
    assert {stages(root)[a] for a in RETURNED} == {"已交回，未渲染"}

    assert "shimen" in nianbao(root, "check", "--year", "2024").stdout
    rendered = nianbao(root, "batch", "--year", "2024", *(x for a in RETURNED for x in ("-a", a)), "--no-pdf",
                       "--no-summary", "-j", "1")
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    assert {stages(root)[a] for a in RETURNED} == {"待审核"}

    for agency in RETURNED:
        approved = nianbao(root, "approve", "-a", agency, "-y", "2024", "--by", "张三", "--note", "已核对原件")
        assert approved.returncode == 0, approved.stdout + approved.stderr
    assert {stages(root)[a] for a in RETURNED} == {"已审核"}

    out = tmp_path / "发布"
    released = nianbao(root, "release", "--year", "2024", "--out", str(out))
    assert released.returncode == 0, released.stdout + released.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = manifest["files"]
    assert {f["agency"] for f in files} == set(RETURNED)
    for f in files:  # what was posted is byte for byte what was approved
        posted = out / f["folder"] / f["file"]
        assert hashlib.sha256(posted.read_bytes()).hexdigest() == f["sha256"]
    assert {stages(root)[a] for a in RETURNED} == {"已发布"}
    history = (root / "outputs" / "season-history.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["event"] for line in history].count("approve") == 2
