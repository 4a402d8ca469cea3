"""The format definition, label by label, against the spec's text (annual-report-format.md)."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from nianbao.format import (
    B_RESULT_ROWS,
    NARRATIVE_KEYS,
    PARTS,
    TABLE_A,
    TABLE_B,
    TABLE_C,
    all_cell_keys,
    describe,
)

from .conftest import require_shared

SPEC = Path(__file__).resolve().parents[2] / "shared" / "spec" / "annual-report-format.md"


def norm(text: str) -> str:
    """Width and quote differences aside: the spec's copy uses half-width punctuation in places."""
    text = unicodedata.normalize("NFKC", text).replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def spec() -> str:
    return require_shared(SPEC).read_text(encoding="utf-8")


def spec_b_rows(spec: str) -> list[str]:
    block = spec.split("Rows, in order (25 rows of figures):", 1)[1].split("```")[1]
    return [line.strip() for line in block.strip().splitlines()]


def test_table_b_rows_match_spec_in_order(spec: str) -> None:
    assert [norm(r.label) for r in TABLE_B.rows] == [norm(x) for x in spec_b_rows(spec)]


def test_table_b_has_25_figure_rows_and_4_headings_under_results() -> None:
    assert len(TABLE_B.figure_rows()) == 25
    headings = [r.label for r in TABLE_B.rows if r.heading and r.parent == "results"]
    assert headings == ["（三）不予公开", "（四）无法提供", "（五）不予处理", "（六）其他处理"]
    assert [len(TABLE_B.children(h)) for h in ("withheld", "unavailable", "refused", "other")] == [8, 3, 5, 3]


def test_table_b_columns_match_spec(spec: str) -> None:
    line = next(x for x in spec.splitlines() if x.startswith("| 自然人 |"))
    labels = [c.strip().split(":")[-1].strip() for c in line.strip("|").split("|")]
    assert [c.label for c in TABLE_B.columns] == labels
    assert all(c.group[0] == "申请人情况" for c in TABLE_B.columns)
    assert [c.label for c in TABLE_B.columns if "法人或其他组织" in c.group] == labels[1:6]


def test_table_b_header_note_matches_spec(spec: str) -> None:
    note = re.search(r'note "([^"]+)"', spec).group(1)
    assert norm(TABLE_B.row_header) == norm(note)


def test_table_b_result_rows_are_the_numbered_rows_plus_disclosed_and_partial() -> None:
    assert len(B_RESULT_ROWS) == 2 + 8 + 3 + 5 + 3
    assert "total" not in B_RESULT_ROWS and "new" not in B_RESULT_ROWS


def test_table_a_blocks_match_spec(spec: str) -> None:
    section = spec.split("## Table A", 1)[1].split("## Table B", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| 第二十条")]
    assert len(rows) == len(TABLE_A.blocks) == 4
    for line, block in zip(rows, TABLE_A.blocks):
        caption, contents, columns = (c.strip() for c in line.strip("|").split("|"))
        assert norm(block.caption) == norm(caption)
        assert [r.label for r in TABLE_A.rows if r.block == block.key] == [x.strip() for x in contents.split(";")]
        assert [norm(c.label) for c in block.columns] == [norm(x) for x in columns.split(", ")]


def test_table_c_groups_and_outcomes_match_spec(spec: str) -> None:
    section = spec.split("## Table C", 1)[1].split("## How", 1)[0]
    outcomes = section.split("| 结果维持", 1)[1].split("|")[0]
    expected = ["结果维持"] + [x.strip() for x in outcomes.split(",")][1:]
    assert len(TABLE_C.columns) == 15
    for i, group in enumerate(("行政复议", "未经复议直接起诉", "复议后起诉")):
        cols = TABLE_C.columns[i * 5 : i * 5 + 5]
        assert [c.label for c in cols] == expected
        assert all(c.group[-1] == group for c in cols)


def test_parts_match_spec_in_order(spec: str) -> None:
    rows = re.findall(r"^\| (一|二|三|四|五|六) \| (\S+) \|", spec, flags=re.M)
    assert [(p.number, p.title) for p in PARTS] == rows
    assert [p.table for p in PARTS][1:4] == ["A", "B", "C"]


def test_labels_use_full_width_punctuation() -> None:
    labels = [r.label for r in TABLE_B.rows] + [b.caption for b in TABLE_A.blocks]
    assert not [x for x in labels if re.search(r'[()"]', x)]
    assert "危及“三安全一稳定”" in [r.label[2:] for r in TABLE_B.rows]


def test_every_cell_key_is_unique_and_described() -> None:
    keys = all_cell_keys()
    assert len(keys) == len(set(keys)) == (3 + 3 + 1 + 1 + 1 + 1) + 25 * 7 + 15 + 3  # A, B, C, F
    assert describe("B.total.total") == "表三「（七）总计」行「总计」列"
    assert describe("C.cases.suit_after_upheld") == "表四「行政诉讼·复议后起诉·结果维持」"


def test_narrative_keys_cover_every_section() -> None:
    assert NARRATIVE_KEYS[0] == "preamble"
    assert "overview.platforms" in NARRATIVE_KEYS and "problems.improvements" in NARRATIVE_KEYS
    assert len(NARRATIVE_KEYS) == 1 + 5 + 2 + 1
