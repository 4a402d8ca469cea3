"""Where a project keeps its files, the agency registry, and the parameters of one run."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from . import characters, yamlfile
from .errors import ParamsError
from .format import AGENCY_KINDS

SLUG = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
REGISTRY = "agencies.yaml"
#: Data saved in a form other than .yaml / .xlsx: found, so that the error can say what to do with it.
FOREIGN_DATA = (".xls", ".et", ".ods", ".xlsm", ".xlsb", ".csv", ".wps", ".numbers", ".yml", ".json", ".xlsx.xlsx")


@dataclass(frozen=True)
class Project:
    """A project folder: ``params/``, ``data/``, ``notebooks/`` and ``outputs/`` under one root."""

    root: Path
    data_root: Path | None = None  # the data folder, when it is not <root>/data
    rules: tuple[Path, ...] = ()  # rule packs added for this run (``--rules``), besides params/rules/

    @classmethod
    def find(cls, start: str | Path = ".") -> Project:
        """The nearest folder at or above ``start`` that holds ``params/agencies.yaml``."""
        here = Path(start).resolve()
        for folder in (here, *here.parents):
            if (folder / "params" / REGISTRY).is_file():
                return cls(folder)
        raise ParamsError(
            f"在 {here} 及其上级目录中找不到 params/{REGISTRY}",
            hint="请在项目目录中运行，或用 --project 指定项目目录",
        )

    @property
    def params_dir(self) -> Path:
        return self.root / "params"

    @property
    def data_dir(self) -> Path:
        return self.data_root or self.root / "data"

    @property
    def outputs_dir(self) -> Path:
        return self.root / "outputs"

    @property
    def notebook(self) -> Path:
        return self.root / "notebooks" / "report.ipynb"

    @property
    def summary_notebook(self) -> Path:
        """The year overview's master notebook."""
        return self.root / "notebooks" / "summary.ipynb"

    def rule_files(self) -> list[Path]:
        """The rule packs every check uses: ``params/rules/*.yaml`` in name order, then :attr:`rules`."""
        files = sorted((self.params_dir / "rules").glob("*.yaml")) + list(self.rules)
        return list(dict.fromkeys(p.resolve() for p in files))

    def params_file(self, agency: str, year: int) -> Path:
        return self.params_dir / str(year) / f"{agency}.yaml"

    def reviews_file(self, agency: str, year: int) -> Path:
        """Reviewers' explanations of findings, beside the agency-year's params."""
        return self.params_dir / str(year) / f"{agency}.reviews.yaml"

    def params_files(self) -> list[Path]:
        """Every run's params file, ``params/<year>/<agency>.yaml``, in order (not the reviews and approvals beside them)."""
        return sorted(p for p in self.params_dir.glob("*/*.yaml")
                      if p.parent.name != "rules" and not p.name.endswith((".reviews.yaml", ".approval.yaml")))

    def data_files(self, agency: str, year: int) -> list[Path]:
        """The agency-year's data files that exist: YAML or Excel (the loader refuses two)."""
        folder = self.data_dir / str(year)
        return [p for p in (folder / f"{agency}.yaml", folder / f"{agency}.xlsx") if p.exists()]  # a folder or a pipe: refused when read

    def foreign_data_files(self, agency: str, year: int) -> list[Path]:
        """Files where the agency-year's data belongs, in a form the kit does not read (``.xls``, ``.ods`` …)."""
        folder = self.data_dir / str(year)
        return [p for p in (folder / f"{agency}{s}" for s in FOREIGN_DATA) if p.exists()]

    def years_with_data(self, agency: str) -> list[int]:
        years = []
        for folder in self.data_dir.iterdir() if self.data_dir.is_dir() else ():
            year = int(folder.name) if folder.name.isdigit() else 0
            if year and (self.data_files(agency, year) or self.foreign_data_files(agency, year)):
                years.append(int(folder.name))
        return sorted(years)


@dataclass(frozen=True)
class Agency:
    id: str
    name: str  # full Chinese name, e.g. 岳阳市岳阳楼区人民政府
    kind: str  # a key of format.AGENCY_KINDS
    office: str = ""  # the office that publishes the report
    contact: str = ""  # telephone or address for questions
    charts: bool = False  # the publication edition shows the charts (registry: publication.charts)
    year_on_year: bool = False  # … and the comparison with the previous year (publication.year_on_year)

    @property
    def kind_label(self) -> str:
        return AGENCY_KINDS[self.kind]


def load_registry(project: Project) -> dict[str, Agency]:
    """Read ``params/agencies.yaml``: one entry per agency, keyed by its ASCII id."""
    path = project.params_dir / REGISTRY
    raw = _mapping(path, "单位名录", "请创建 params/agencies.yaml", "单位名录应为“单位代码: 信息”的映射")
    agencies = {}
    for agency_id, info in raw.items():
        agencies[agency_id] = _agency(path, agency_id, info)
    return agencies


def _mapping(path: Path, what: str, hint: str, shape: str) -> dict:
    """A YAML file that must hold a mapping, with a clear error for each way it can fail."""
    try:
        raw = yamlfile.read(path, ParamsError) or {}
    except FileNotFoundError:
        raise ParamsError(f"找不到{what}", file=path, hint=hint) from None
    if not isinstance(raw, dict):
        raise ParamsError(shape, file=path)
    return raw


def _agency(path: Path, agency_id: object, info: object) -> Agency:
    if not isinstance(agency_id, str) or not SLUG.match(agency_id):
        shown = "是空的（YAML 中 ~ 和 null 都表示空）" if agency_id is None else f"“{str(agency_id)[:60]}”不合规"
        raise ParamsError(
            f"单位代码{shown}", file=path, key="~" if agency_id is None else str(agency_id), hint="单位代码只用小写英文字母、数字、- 和 _，以字母开头，最长 64 个字符"
        )
    if not isinstance(info, dict):
        raise ParamsError("单位信息应为映射（name、kind、office、contact）", file=path, key=agency_id)
    unknown = set(info) - {"name", "kind", "office", "contact", "publication"}
    if unknown:
        raise ParamsError(f"未知字段 {sorted(unknown)}", file=path, key=agency_id,
                          hint="可用字段：name、kind、office、contact、publication")
    publication = _publication(path, agency_id, info.get("publication"))
    name, kind = info.get("name"), info.get("kind")
    if name is not None and not isinstance(name, str):
        raise ParamsError("单位全称 name 应为文字", file=path, key=f"{agency_id}.name", hint="请写单位的全称，如 name: 青川市临江区石门镇人民政府")
    if not isinstance(name, str) or not name.strip():
        raise ParamsError("缺少单位全称 name", file=path, key=f"{agency_id}.name")
    for field_ in ("name", "office", "contact"):
        value = info.get(field_)
        if value is not None and not isinstance(value, (str, int)):
            raise ParamsError(f"{field_} 应为一行文字", file=path, key=f"{agency_id}.{field_}")
        if isinstance(value, str):
            characters.check(value.strip(), error=ParamsError, one_line=True, limit=characters.MAX_LINE, file=path,
                             key=f"{agency_id}.{field_}")
    if kind not in AGENCY_KINDS:
        raise ParamsError(
            "缺少单位类型 kind" if kind is None else f"单位类型“{str(kind)[:60]}”无效", file=path, key=f"{agency_id}.kind",
            hint=f"可选：{'、'.join(AGENCY_KINDS)}"
        )
    return Agency(agency_id, name.strip(), kind, str(info.get("office") or ""), str(info.get("contact") or ""),
                  **publication)


#: The publication edition's settings in an agency's entry, each true or false (default false).
PUBLICATION_SETTINGS = ("charts", "year_on_year")


def _publication(path: Path, agency_id: str, raw: object) -> dict[str, bool]:
    """``publication: {charts: true, year_on_year: true}``: what the publication edition adds."""
    if raw is None:
        return {}
    hint = "如 publication: {charts: true, year_on_year: true}"
    if not isinstance(raw, dict):
        raise ParamsError("publication 应为映射", file=path, key=f"{agency_id}.publication", hint=hint)
    out = {}
    for key, value in raw.items():
        if key not in PUBLICATION_SETTINGS:
            raise ParamsError(f"publication 中的未知设置 {str(key)[:40]!r}", file=path, key=f"{agency_id}.publication",
                              hint="可用设置：charts（发布版附图表）、year_on_year（发布版附与上年比较）")
        if not isinstance(value, bool):
            raise ParamsError(f"publication.{key} 应为 true 或 false", file=path, key=f"{agency_id}.publication.{key}", hint=hint)
        out[key] = value
    return out


def agency(project: Project, agency_id: str) -> Agency:
    registry = load_registry(project)
    if agency_id not in registry:
        known = "、".join(sorted(registry)) or "（名录为空）"
        raise ParamsError(
            f"未知单位 {agency_id[:64]!r}",
            file=project.params_dir / REGISTRY,
            hint=f"名录中的单位：{known}；新单位请先加入 params/{REGISTRY}",
        )
    return registry[agency_id]


def read_run_params(path: Path) -> dict:
    """A params file as papermill reads it (``-f``), checked for the keys the notebook takes.

    Stock papermill pastes every key of the file into the notebook as Python code, so a key that is
    not one of the notebook's parameters — above all one that is not an identifier — is refused here,
    and every value must be of its parameter's type.
    """
    raw = _mapping(path, "参数文件", "复制已有的参数文件 params/<年度>/<单位>.yaml 并改写", "参数文件应为映射")
    accepted = f"笔记本接受的参数：{'、'.join(NOTEBOOK_PARAMETERS)}"
    for key in raw:
        if not isinstance(key, str) or not key.isidentifier():
            raise ParamsError(f"参数名 {str(key)[:60]!r} 不是合法的名字", file=path, hint=accepted)
    if "rules" in raw:
        raise ParamsError("参数文件中不能写 rules", file=path, key="rules",
                          hint="规则包放在 params/rules/ 中（对全部报告有效），或运行时用 --rules 文件 加上")
    unknown = set(raw) - set(NOTEBOOK_PARAMETERS)
    if unknown:
        raise ParamsError(f"未知参数 {sorted(unknown)}", file=path, hint=accepted)
    for key in ("agency", "year"):
        if key not in raw:
            raise ParamsError(f"缺少参数 {key}", file=path, key=key)
    for key, value in raw.items():
        kind = type(NOTEBOOK_PARAMETERS[key])
        if type(value) is not kind:
            raise ParamsError(
                f"{key} 应为{_KIND_NAMES[kind]}，而不是 {str(value)[:60]!r}", file=path, key=key,
                hint=f"如 {key}: {NOTEBOOK_PARAMETERS[key]!r}" if key != "year" else "如 year: 2024",
            )
    if not SLUG.match(raw["agency"]):
        raise ParamsError(f"单位代码 {raw['agency'][:60]!r} 不合规", file=path, key="agency",
                          hint="单位代码只用小写英文字母、数字、- 和 _，以字母开头，最长 64 个字符")
    return raw


_KIND_NAMES = {str: "文字", int: "整数"}


def check_params_file(project: Project, agency: str, year: int) -> None:
    """The agency-year's params file, when there is one, parses and names that agency and year."""
    path = project.params_file(agency, year)
    if path.exists():  # a folder or a pipe there: refused when read
        params = read_run_params(path)
        if (params["agency"], params["year"]) != (agency, year):
            raise ParamsError(f"参数文件写的是 {params['agency']} {params['year']} 年", file=path, hint="请核对 agency 和 year")


#: The master notebook's parameters, with their defaults (the hygiene test keeps the two in step).
NOTEBOOK_PARAMETERS = {
    "agency": "yueyanglou",
    "year": 2024,
    "project_dir": "",
    "data_dir": "",
    "rules": [],
}
#: Parameters a run gives the notebook but a params file may not: the packs (they are the run's
#: inputs, named by ``params/rules/`` and ``--rules``, so that a changed pack re-renders the report).
RUN_ONLY_PARAMETERS = ("rules",)
