"""Shared fixtures: the repository's bundled project, and throwaway copies of it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from nianbao.load import read_yaml
from nianbao.model import ReportData
from nianbao.params import Project

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "2024" / "yueyanglou.yaml"
BROKEN = ROOT / "data" / "2024" / "broken-example.yaml"
#: The project's shared material (seed report, format spec, corpus of real reports), beside the checkout.
SHARED = ROOT.parent / "shared"


def require_shared(path: Path) -> Path:
    """``path`` under ``../shared``: skipped where it is absent, but a failure in CI, which must have it."""
    if path.exists():
        return path
    if os.environ.get("CI"):
        pytest.fail(f"{path} is missing: CI runs with ../shared beside the checkout, and this test needs it")
    pytest.skip(f"{path} is not beside this checkout")


@pytest.fixture
def corpus_dir() -> Path:
    return require_shared(SHARED / "corpus")


@pytest.fixture
def seed_text() -> Path:
    return require_shared(SHARED / "seeds" / "000_9a97c9075911a516.txt")


@pytest.fixture(scope="session")
def seed() -> ReportData:
    return read_yaml(SEED)


@pytest.fixture(scope="session")
def broken() -> ReportData:
    return read_yaml(BROKEN)


def copy_project(dest: Path) -> Project:
    """A copy of the bundled project (params, data, notebooks) that a test may change freely."""
    for name in ("params", "data", "notebooks"):
        shutil.copytree(ROOT / name, dest / name)
    return Project(dest)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project(tmp_path / "project")
