"""The annual report format of 国办公开办函〔2021〕30号, as data.

Everything that names a table, row, column or part of the report lives here and nowhere else:
the loaders, the Excel template, the renderers, the export and the checks read these definitions.
Labels are written as published reports print them, with full-width punctuation.

A cell is addressed by a key ``"<table>.<row>.<column>"``, e.g. ``"B.new.natural"``.
"""

from __future__ import annotations

import functools

from .shapes import AMOUNT, COUNT, Block, Column, Part, Row, Section, Table

_DECISIONS = (Column("decisions", "本年处理决定数量"),)

TABLE_A = Table(
    key="A",
    title="主动公开政府信息情况",
    row_header="信息内容",
    blocks=(
        Block(
            "art20_1",
            "第二十条第（一）项",
            (
                Column("issued", "本年制发件数"),
                Column("repealed", "本年废止件数"),
                Column("in_force", "现行有效件数"),
            ),
        ),
        Block("art20_5", "第二十条第（五）项", _DECISIONS),
        Block("art20_6", "第二十条第（六）项", _DECISIONS),
        Block("art20_8", "第二十条第（八）项", (Column("amount", "本年收费金额（单位：万元）", AMOUNT),)),
    ),
    rows=(
        Row("rules", "规章", block="art20_1"),
        Row("normative", "行政规范性文件", block="art20_1"),
        Row("licensing", "行政许可", block="art20_5"),
        Row("penalty", "行政处罚", block="art20_6"),
        Row("coercion", "行政强制", block="art20_6"),
        Row("fees", "行政事业性收费", block="art20_8"),
    ),
)

_APPLICANT = "申请人情况"
_ORGS = "法人或其他组织"


def _b_rows() -> tuple[Row, ...]:
    def numbered(parent: str, items: list[tuple[str, str]]) -> list[Row]:
        return [Row(f"{parent}_{k}", f"{i}.{label}", parent=parent) for i, (k, label) in enumerate(items, 1)]

    return (
        Row("new", "一、本年新收政府信息公开申请数量"),
        Row("carried_over", "二、上年结转政府信息公开申请数量"),
        Row("results", "三、本年度办理结果", heading=True),
        Row("disclosed", "（一）予以公开", parent="results"),
        Row("partial", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", parent="results"),
        Row("withheld", "（三）不予公开", heading=True, parent="results"),
        *numbered(
            "withheld",
            [
                ("secret", "属于国家秘密"),
                ("law", "其他法律行政法规禁止公开"),
                ("safety", "危及“三安全一稳定”"),
                ("third_party", "保护第三方合法权益"),
                ("internal", "属于三类内部事务信息"),
                ("process", "属于四类过程性信息"),
                ("enforcement", "属于行政执法案卷"),
                ("query", "属于行政查询事项"),
            ],
        ),
        Row("unavailable", "（四）无法提供", heading=True, parent="results"),
        *numbered(
            "unavailable",
            [
                ("not_held", "本机关不掌握相关政府信息"),
                ("to_create", "没有现成信息需要另行制作"),
                ("unclear", "补正后申请内容仍不明确"),
            ],
        ),
        Row("refused", "（五）不予处理", heading=True, parent="results"),
        *numbered(
            "refused",
            [
                ("petition", "信访举报投诉类申请"),
                ("repeated", "重复申请"),
                ("publication", "要求提供公开出版物"),
                ("mass", "无正当理由大量反复申请"),
                ("confirm", "要求行政机关确认或重新出具已获取信息"),
            ],
        ),
        Row("other", "（六）其他处理", heading=True, parent="results"),
        *numbered(
            "other",
            [
                ("no_correction", "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
                ("no_fee", "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
                ("other", "其他"),
            ],
        ),
        Row("total", "（七）总计", parent="results"),
        Row("carried_forward", "四、结转下年度继续办理"),
    )


TABLE_B = Table(
    key="B",
    title="收到和处理政府信息公开申请情况",
    row_header="（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
    rows=_b_rows(),
    columns=(
        Column("natural", "自然人", group=(_APPLICANT,)),
        Column("commercial", "商业企业", group=(_APPLICANT, _ORGS)),
        Column("research", "科研机构", group=(_APPLICANT, _ORGS)),
        Column("welfare", "社会公益组织", group=(_APPLICANT, _ORGS)),
        Column("legal", "法律服务机构", group=(_APPLICANT, _ORGS)),
        Column("other", "其他", group=(_APPLICANT, _ORGS)),
        Column("total", "总计", group=(_APPLICANT,)),
    ),
)

#: Table B's applicant columns that add up to 总计.
B_APPLICANTS = tuple(c.key for c in TABLE_B.columns if c.key != "total")
#: Table B's rows that add up to (七)总计: （一）予以公开, （二）部分公开 and every numbered row under （三）–（六）.
B_RESULT_ROWS = tuple(r.key for r in TABLE_B.figure_rows() if r.parent == "results" and r.key != "total") + tuple(
    r.key for r in TABLE_B.rows if r.parent in {"withheld", "unavailable", "refused", "other"}
)

_OUTCOMES = ("upheld", "结果维持"), ("corrected", "结果纠正"), ("other", "其他结果"), ("pending", "尚未审结"), ("total", "总计")
_REVIEW = "行政复议"
_SUIT = "行政诉讼"
C_GROUPS = (
    ("review", (_REVIEW,)),
    ("suit_direct", (_SUIT, "未经复议直接起诉")),
    ("suit_after", (_SUIT, "复议后起诉")),
)

TABLE_C = Table(
    key="C",
    title="政府信息公开行政复议、行政诉讼情况",
    rows=(Row("cases", "件数"),),
    columns=tuple(
        Column(f"{g}_{k}", label, group=groups) for g, groups in C_GROUPS for k, label in _OUTCOMES
    ),
)

TABLE_F = Table(
    key="F",
    title="信息处理费",
    row_header="项目",
    rows=(Row("fee", "信息处理费"),),
    columns=(
        Column("notices", "发出收费通知的件数"),
        Column("notice_amount", "发出收费通知的总金额（元）", AMOUNT),
        Column("collected", "实际收取的总金额（元）", AMOUNT),
    ),
)

TABLES: dict[str, Table] = {t.key: t for t in (TABLE_A, TABLE_B, TABLE_C, TABLE_F)}

PARTS: tuple[Part, ...] = (
    Part(
        "overview",
        "一",
        "总体情况",
        sections=(
            Section("active", "（一）主动公开"),
            Section("requests", "（二）依申请公开"),
            Section("management", "（三）政府信息管理"),
            Section("platforms", "（四）政府信息公开平台建设"),
            Section("supervision", "（五）监督保障"),
        ),
    ),
    Part("active", "二", "主动公开政府信息情况", table="A"),
    Part("requests", "三", "收到和处理政府信息公开申请情况", table="B"),
    Part("appeals", "四", "政府信息公开行政复议、行政诉讼情况", table="C"),
    Part(
        "problems",
        "五",
        "存在的主要问题及改进情况",
        sections=(Section("problems", "（一）存在的主要问题"), Section("improvements", "（二）改进情况")),
    ),
    Part("other", "六", "其他需要报告的事项", table="F", sections=(Section("text", ""),)),
)

#: Every narrative field an analyst writes, as "<part>.<section>", plus the opening paragraph.
NARRATIVE_KEYS: tuple[str, ...] = ("preamble",) + tuple(
    f"{p.key}.{s.key}" for p in PARTS for s in p.sections
)

#: The title after the agency's name and the year, in its words: a title that takes two lines breaks
#: between them (or after the name or the year), never inside one.
REPORT_TITLE_WORDS = ("政府信息公开", "工作", "年度报告")
REPORT_TITLE = "".join(REPORT_TITLE_WORDS)

AGENCY_KINDS = {
    "government": "人民政府",
    "department": "政府部门",
    "subdistrict": "街道",
    "township": "乡镇",
}

#: Named placeholders an analyst may write in the narrative besides cell keys.
ALIASES: dict[str, str] = {
    "本年新收": "B.new.total",
    "上年结转": "B.carried_over.total",
    "办结": "B.total.total",
    "结转下年": "B.carried_forward.total",
    "予以公开": "B.disclosed.total",
    "行政许可": "A.licensing.decisions",
    "行政处罚": "A.penalty.decisions",
    "行政强制": "A.coercion.decisions",
    "行政事业性收费": "A.fees.amount",
    "规范性文件制发": "A.normative.issued",
    "规范性文件现行有效": "A.normative.in_force",
    "行政复议": "C.cases.review_total",
    "行政诉讼直接起诉": "C.cases.suit_direct_total",
    "行政诉讼复议后起诉": "C.cases.suit_after_total",
    "信息处理费通知件数": "F.fee.notices",
    "信息处理费通知金额": "F.fee.notice_amount",
    "信息处理费实收": "F.fee.collected",
}

#: Markers published reports use for an empty cell; each is kept as written.
BLANK_MARKS = ("/", "—", "-", "－", "——")
#: Marker of a value that is not known (an import could not place it).
UNKNOWN_MARK = "?"


def cell_key(table: str, row: str, column: str) -> str:
    return f"{table}.{row}.{column}"


@functools.cache
def all_cell_keys() -> tuple[str, ...]:
    """Every cell of the format, table by table, row by row, in the official order."""
    return tuple(cell_key(t.key, r.key, c.key) for t in TABLES.values() for r, c in t.cells())


_COLUMNS: dict[str, Column] = {
    cell_key(t.key, r.key, c.key): c for t in TABLES.values() for r in t.figure_rows() for c in t.columns_of(r)
}


def column_of(key: str) -> Column:
    return _COLUMNS[key]


@functools.cache
def describe(key: str) -> str:
    """The Chinese address of a cell as the report prints it: 表三「（七）总计」行「总计」列."""
    table, row, column = key.split(".")
    t = TABLES[table]
    r = t.row(row)
    c = column_of(key)
    col = "·".join((*c.group, c.label)) if table == "C" else c.label
    if table == "C":
        return f"{TABLE_NAMES[table]}「{col}」"
    return f"{TABLE_NAMES[table]}「{r.label}」行「{col}」列"


#: How the report and its check messages name each table: by the part it stands in.
TABLE_NAMES = {"A": "表二", "B": "表三", "C": "表四", "F": "表六"}

#: Table C's header words, as the importer skips them to reach the fifteen figures.
TABLE_C_HEADER = tuple(dict.fromkeys([*(g for _, groups in C_GROUPS for g in groups), *(label for _, label in _OUTCOMES)]))


# What published reports print besides the official labels (it reads the definitions above).
from .printed import (  # noqa: E402
    BLANK_MARK_VARIANTS,
    FORMAT_2019_MARKS,
    FORMAT_NOTICE_2019,
    FORMAT_NOTICE_2021,
    IMPROVEMENT_OPENERS,
    IMPROVEMENT_WILL,
    LABEL_VARIANTS,
    NO_FEE,
    PART_VARIANTS,
    SECTION_PREFIXES,
    SECTION_SUFFIXES,
    SECTION_VARIANTS,
    TABLE_A_2019,
    TABLE_A_2019_CAPTIONS,
    TITLE_ALIKE,
    aligned,
    alike,
    text_width,
)

__all__ = [
    "AGENCY_KINDS", "ALIASES", "AMOUNT", "BLANK_MARKS", "BLANK_MARK_VARIANTS", "B_APPLICANTS", "B_RESULT_ROWS",
    "Block", "COUNT", "C_GROUPS", "Column", "FORMAT_2019_MARKS", "FORMAT_NOTICE_2019", "FORMAT_NOTICE_2021",
    "TITLE_ALIKE", "aligned", "alike", "text_width", "IMPROVEMENT_OPENERS", "IMPROVEMENT_WILL", "LABEL_VARIANTS", "NO_FEE", "PART_VARIANTS", "NARRATIVE_KEYS", "PARTS", "Part", "REPORT_TITLE", "REPORT_TITLE_WORDS", "Row",
    "SECTION_PREFIXES", "SECTION_SUFFIXES", "SECTION_VARIANTS", "Section", "TABLES", "TABLE_A", "TABLE_A_2019",
    "TABLE_A_2019_CAPTIONS", "TABLE_B", "TABLE_C", "TABLE_C_HEADER", "TABLE_F", "TABLE_NAMES", "Table",
    "UNKNOWN_MARK", "all_cell_keys", "cell_key", "column_of", "describe",
]
