"""Report data → YAML: the diff-friendly form of data/, read back exactly by the loader."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao import characters
from nianbao.dump import to_yaml, value_text, write
from nianbao.errors import DataError
from nianbao.format import AMOUNT, NARRATIVE_KEYS, TABLES, all_cell_keys, column_of
from nianbao.importer import read_report
from nianbao.load import read_yaml
from nianbao.model import ReportData, empty_cells

from .conftest import ROOT

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"


def round_trip(data: ReportData, tmp_path: Path) -> ReportData:
    path = tmp_path / "data.yaml"
    path.write_text(to_yaml(data), encoding="utf-8")
    return read_yaml(path)


def same(a: ReportData, b: ReportData) -> bool:
    return replace(a, source="") == replace(b, source="")


@pytest.mark.parametrize("path", sorted((ROOT / "data").rglob("*.yaml")), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_every_bundled_data_file_round_trips_exactly(path: Path, tmp_path: Path) -> None:
    data = read_yaml(path)
    assert same(round_trip(data, tmp_path), data)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".html", ".txt")))
def test_imported_reports_round_trip_with_provenance_and_headings(name: str, tmp_path: Path) -> None:
    data = read_report(FIXTURES / name).data
    back = round_trip(data, tmp_path)
    assert same(back, data)
    assert back.headings and back.narrative == data.narrative


def test_the_form_is_one_list_per_row_with_the_formats_labels(seed) -> None:
    text = to_yaml(seed)
    assert "  new:                        [80, ~, ~, ~, ~, ~, 80]" in text
    assert "# 一、本年新收政府信息公开申请数量" in text
    assert "  rules:      [~, ~, ~]" in text and "# 规章：本年制发件数、本年废止件数、现行有效件数" in text
    assert '  cases:  ["?", "?", "?"' in text
    assert "# 列：每组五列（结果维持、结果纠正、其他结果、尚未审结、总计），依次为行政复议；" in text
    assert "  overview:   # 一、总体情况\n    active: |\n      坚持依法依规公开" in text
    assert text == to_yaml(seed)  # the same data, the same bytes


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "~"), (0, "0"), (58787, "58787"), (46.6847, "46.6847"), (7545.0, "7545.0"), ("—", '"—"'), ("/", '"/"'),
     ("?", '"?"'), (1e-05, "0.00001"), (1.272186402619038e-242, "0." + "0" * 241 + "1272186402619038")],
)
def test_cell_values(value, text: str) -> None:
    assert value_text(value) == text


def test_write_refuses_to_replace_a_file_unless_forced(tmp_path: Path, seed) -> None:
    path = tmp_path / "2024" / "yueyanglou.yaml"
    assert write(seed, path, comment="第一行\n第二行") == path
    assert path.read_text(encoding="utf-8").startswith("# 第一行\n# 第二行\n")
    with pytest.raises(DataError, match="数据文件已存在") as info:
        write(seed, path)
    assert info.value.file == path and "--force" in str(info.value)
    write(replace(seed, year=2024, published="2025-02-01"), path, force=True)
    assert read_yaml(path).published == "2025-02-01"
    assert [p.name for p in path.parent.iterdir()] == ["yueyanglou.yaml"]  # no temporary file left behind


# ---------------------------------------------------------------- any data the loader accepts


#: Any character a report may hold (nianbao.characters: no controls, no invisible ones, none the PDF cannot draw).
_char = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Co", "Cn", "Zl", "Zp")).filter(
    lambda c: characters.problem(c) is None)
_text = st.text(_char, max_size=40).map(str.strip)
_narrative = st.text(_char, max_size=80).map(str.strip).filter(lambda t: "{{" not in t and "}}" not in t)


def _value(key: str):
    figure = st.floats(0, 1e6, allow_nan=False, allow_infinity=False) if column_of(key).kind == AMOUNT else st.integers(0, 10**6)
    return st.one_of(st.none(), figure, st.sampled_from(["/", "—", "-", "－", "——", "?"]))


@st.composite
def report_data(draw) -> ReportData:
    keys = all_cell_keys()
    cells = empty_cells() | {k: draw(_value(k)) for k in draw(st.lists(st.sampled_from(keys), max_size=30))}
    narrative = {k: draw(_narrative) for k in NARRATIVE_KEYS}
    provenance = {k: draw(_text) for k in draw(st.lists(st.sampled_from(keys), max_size=4))}
    notes = {k: draw(_text) for k in draw(st.lists(st.sampled_from(list(TABLES)), max_size=2))}
    year = draw(st.integers(2000, 2100))
    return ReportData(
        agency=draw(st.sampled_from(["yueyanglou", "agency-1a2b3c4d", "yes", "12"])),
        year=year,
        cells=cells,
        narrative=narrative,
        published=draw(st.sampled_from(["", f"{year + 1}-01-31"])),  # a report is dated after its year
        notes={k: v for k, v in notes.items() if v},
        provenance=provenance,
        headings=tuple(draw(st.lists(_text, max_size=3))),
    )


@given(report_data())
@settings(max_examples=60, deadline=None)
def test_any_report_data_round_trips(data: ReportData) -> None:
    text = to_yaml(data)
    raw = yaml.safe_load(text)
    assert raw["agency"] == data.agency
    with tempfile.TemporaryDirectory() as folder:
        assert same(round_trip(data, Path(folder)), data)
