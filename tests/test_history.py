"""The append-only history ``outputs/ledger-history.jsonl``: a torn last line is set aside, not appended to;
lines that do not read as records are passed over; a batch says when it mended the history.

(The rest of the batch is tested in ``test_batch``.)
"""

from __future__ import annotations

import json
from pathlib import Path

from nianbao import batch
from nianbao.batch import planning
from nianbao.params import Project


def record(agency: str, year: int = 2024) -> dict:
    return {"kind": batch.REPORT, "agency": agency, "year": year, "status": batch.RENDERED, "outputs": {}, "checks": {},
            "key": f"key-{agency}"}


def line(r: dict) -> bytes:
    return (json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def history(project: Project, raw: bytes) -> Path:
    path = batch.history_path(project)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return path


def test_a_torn_last_line_is_set_aside_and_the_next_record_starts_its_own_line(tmp_path: Path) -> None:
    project = Project(tmp_path)
    torn = line(record("jiangbin"))[:25]  # a crash or a full disk halfway through the line
    path = history(project, line(record("shimen")) + torn)
    warning = batch.append_history(project, record("yueyanglou"))
    aside = list(path.parent.glob("ledger-history.damaged-*.jsonl"))
    assert len(aside) == 1 and aside[0].read_bytes() == torn  # kept, byte for byte
    assert path.read_bytes() == line(record("shimen")) + line(record("yueyanglou"))
    assert [r["agency"] for r in batch.read_history(project)] == ["shimen", "yueyanglou"]
    assert "\n" not in warning and str(path) in warning and aside[0].name in warning and "不完整" in warning
    assert batch.append_history(project, record("jiangbin")) == ""  # whole again: nothing more to say
    assert len(list(path.parent.glob("ledger-history.damaged-*.jsonl"))) == 1


def test_a_history_that_is_only_a_torn_line_is_set_aside_whole(tmp_path: Path) -> None:
    project = Project(tmp_path)
    path = history(project, "{\"agency\": \"石门".encode()[:-1])  # cut inside a character too
    assert batch.append_history(project, record("shimen"))
    assert path.read_bytes() == line(record("shimen"))
    assert [p.read_bytes() for p in path.parent.glob("ledger-history.damaged-*.jsonl")] == ["{\"agency\": \"石门".encode()[:-1]]


def test_an_absent_history_is_started_without_a_warning(tmp_path: Path) -> None:
    project = Project(tmp_path)
    assert batch.append_history(project, record("shimen")) == ""
    assert batch.history_path(project).read_bytes() == line(record("shimen"))


def test_lines_that_are_not_utf8_json_or_records_are_passed_over(tmp_path: Path) -> None:
    project = Project(tmp_path)
    junk = [b"\xff\xfe\xb2\xe2\xca\xd4 not utf-8", b"[1, 2]", b'"text"', b'{"kind": 1}', b"{not json", b"",
            b"[" * 100_000 + b"]" * 100_000, "{\"agency\": \"石门镇\"}".encode("gb18030")]
    history(project, line(record("shimen")) + b"\n".join(junk) + b"\n" + line(record("jiangbin")))
    assert [r["agency"] for r in batch.read_history(project)] == ["shimen", "jiangbin"]
    assert batch.append_history(project, record("yueyanglou")) == ""  # whole lines, however odd: nothing cut
    assert [r["agency"] for r in batch.read_history(project)] == ["shimen", "jiangbin", "yueyanglou"]


def test_a_batch_warns_through_its_warning_channel_when_it_mends_the_history(project: Project) -> None:
    from nianbao.batch.loop import _Loop
    from nianbao.batch.work import new_record

    path = history(project, b'{"kind": "report", "agency": "shim')
    said: list[str] = []
    loop = _Loop(project, planning.Hasher(project, {"pdf": False, "timeout": 60}), {}, pdf=False, timeout=60,
                 summary=False, on_record=None, on_warning=said.append)
    task = loop.task("shimen", 2024)
    made = new_record(task)
    made["status"] = batch.RENDERED
    loop.finish(task, made, batch.RENDERED)
    assert len(said) == 1 and str(path) in said[0] and "ledger-history.damaged-" in said[0]
    assert [r["agency"] for r in batch.read_history(project)] == ["shimen"]
