"""File and folder names built from user text (agency names, ids): they fit one path component and hold
no character a file system refuses; ids are capped where the registry is read.

(``nianbao template --all`` with a long name, and collecting what it made, is tested in ``test_round``.)
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from nianbao.errors import ParamsError, os_error
from nianbao.filenames import NAME_MAX, SAFE_BYTES, safe_name, shortened
from nianbao.params import Project, load_registry
from nianbao.run import Run

from .conftest import copy_project


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("青川市临江区石门镇人民政府", "2025-shimen-青川市临江区石门镇人民政府.xlsx"),
        ('a/b\\c:d*e?f"g<h>i|j', "2025-shimen-a_b_c_d_e_f_g_h_i_j.xlsx"),
        ("石门\x00镇\t政府\x7f", "2025-shimen-石门_镇_政府_.xlsx"),
        ("石门镇\u202egpj.exe", "2025-shimen-石门镇_gpj.exe.xlsx"),  # a right-to-left override would hide the suffix
        ("石门镇\u2028政府", "2025-shimen-石门镇_政府.xlsx"),
        ("\ud800石门镇", "2025-shimen-_石门镇.xlsx"),  # a lone surrogate cannot be written in UTF-8
        ("  石门镇. ", "2025-shimen-石门镇.xlsx"),  # Windows drops trailing dots and spaces
        ("", "2025-shimen-.xlsx"),
    ],
)
def test_refused_characters_are_replaced(text: str, name: str) -> None:
    assert safe_name(text, before="2025-shimen-", after=".xlsx") == name


@pytest.mark.parametrize("unit", ["很", "a", "😀", "é", "很a😀"])
def test_a_long_name_is_shortened_by_whole_characters_keeping_what_is_kept_whole(unit: str) -> None:
    text = unit * 300
    name = safe_name(text, before="2025-" + "x" * 64 + "-", after=".xlsx")
    raw = name.encode("utf-8")
    assert len(raw) <= SAFE_BYTES and len(raw) > SAFE_BYTES - 4  # as long as whole characters allow
    assert name.startswith("2025-" + "x" * 64 + "-") and name.endswith(".xlsx")
    assert text.startswith(name.removeprefix("2025-" + "x" * 64 + "-").removesuffix(".xlsx"))  # a start, never a split character


def test_the_margin_leaves_room_for_the_kits_own_names_beside_it() -> None:
    name = safe_name("很" * 300, before="2025-shimen-", after=".xlsx")
    temporary = f".{name}.{4194304}.{'a' * 6}.tmp"  # what atomic.write_file writes first (the largest Linux pid)
    assert len(temporary.encode("utf-8")) <= NAME_MAX and len(f"{name}.failed.ipynb".encode()) <= NAME_MAX


def test_shortened_never_cuts_inside_a_character() -> None:
    assert [shortened("石门镇", n) for n in range(10)] == ["", "", "", "石", "石", "石", "石门", "石门", "石门", "石门镇"]


@pytest.mark.parametrize("text", ["CON", "nul", "com1.txt"])
def test_windows_device_names_are_not_made(text: str) -> None:
    assert safe_name(text) == "_" + text


def test_the_kit_made_names_for_the_longest_id_fit_with_their_temporary_forms(tmp_path: Path) -> None:
    run = Run(Project(tmp_path), 2024, "a" * 64)
    names = [run.folder.name, run.failed.name, *(p.name for p in run.documents().values())]
    longest = max(len(f".{n}.{4194304}.{'a' * 8}.tmp".encode()) for n in names)
    assert longest <= NAME_MAX


def test_an_id_longer_than_64_characters_is_refused_naming_the_registry_and_key(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    registry = project.params_dir / "agencies.yaml"
    long_id = "a" * 65
    registry.write_text(registry.read_text(encoding="utf-8") + f"\n{long_id}:\n  name: 测试单位\n  kind: township\n",
                        encoding="utf-8")
    with pytest.raises(ParamsError) as caught:
        load_registry(project)
    assert caught.value.file == registry and caught.value.key == long_id  # type: ignore[attr-defined]
    assert "agencies.yaml" in str(caught.value) and "最长 64 个字符" in str(caught.value)


def test_a_name_too_long_for_the_file_system_is_one_clear_line() -> None:
    error = os_error(OSError(errno.ENAMETOOLONG, os.strerror(errno.ENAMETOOLONG), "/tmp/" + "很" * 100))
    assert str(error).startswith("文件 /tmp/很") and "文件名或路径太长" in str(error) and "255 字节" in str(error)
