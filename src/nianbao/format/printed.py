"""What published reports print besides the official labels: other spellings, the older 2019
format, other dashes. Data for the importer; the official labels (:mod:`nianbao.format`) stay the
one definition, matched first.
"""

from __future__ import annotations

import unicodedata

# Data for ``the importer``: the other spellings real reports print, and the older format. The
# official labels above stay the one definition; the importer matches them first, then these.

#: The notices that define the two formats, as reports cite them.
FORMAT_NOTICE_2021 = "国办公开办函〔2021〕30号"
FORMAT_NOTICE_2019 = "国办公开办函〔2019〕60号"

#: Other ways published reports print a row label, keyed by "<table>.<row>" (numbering included).
LABEL_VARIANTS: dict[str, tuple[str, ...]] = {
    "A.normative": ("规范性文件",),  # the 2019 format's wording, still printed by some reports
    "B.withheld_law": ("2.其他法律行政止公开",),  # as 淮安市洪泽区人民政府 printed it in 2023 and 2024
    "B.new": ("一、本年新收政府信息公开申请",),
    "B.carried_over": ("二、上年结转政府信息公开申请",),
    "B.carried_forward": ("四、结转下年度继续办理申请",),
}

#: Part titles as agencies print them besides the format's own, by part key: the part is read, and
#: the deviation reported as such (rule R-NUMBERS), never as a missing part.
PART_VARIANTS: dict[str, tuple[str, ...]] = {
    "active": ("主动公开政府信息的情况",),
    "requests": ("收到和处理政府信息公开申请的情况",),
    "appeals": ("政府信息公开行政复议和行政诉讼情况", "政府信息公开行政复议、行政诉讼的情况", "因政府信息公开被申请行政复议、提起行政诉讼情况"),
    "problems": ("存在的主要问题及改进措施", "存在的主要问题及整改措施", "存在的主要问题和改进情况", "存在的主要问题及整改情况",
                 "存在的问题及改进措施", "存在的问题及改进情况", "主要问题及改进措施", "主要问题及改进情况"),
    "other": ("需要说明的其他事项", "其他需要说明的事项", "其他需要报告事项", "其他事项"),
}

#: Section headings of parts 一 and 五 besides the format's own (printed after （一）, （二）…),
#: by narrative key. A heading may also open with one of SECTION_PREFIXES and end with a suffix.
SECTION_VARIANTS: dict[str, tuple[str, ...]] = {
    "overview.active": ("主动公开政府信息",),
    "overview.requests": ("依申请公开政府信息",),
    "overview.platforms": ("平台建设",),
    "problems.problems": ("存在的问题", "主要问题", "存在问题"),
    "problems.improvements": ("改进措施", "整改措施", "整改情况", "改进举措", "下一步工作"),
}
SECTION_PREFIXES = ("政府信息公开", "政务公开")
SECTION_SUFFIXES = ("工作情况", "情况", "工作")
#: Where an unheaded part 五 turns from problems to improvements: a sentence opening with one of these.
IMPROVEMENT_OPENERS = ("针对", "下一步", "今后", "为此", "接下来", "下阶段", "下一阶段")
#: … or a sentence saying what the agency *will* do: “2025年，将重点从以下方面做好改进：”, “我局将……”.
IMPROVEMENT_WILL = r"(?:(?:19|20)\d\d\s*年(?:度)?\s*[,，]?\s*)?(?:我|本)?[\u4e00-\u9fff]{0,8}?(?<![需还])(?:将|拟|要)(?:重点|进一步|继续|着力|从|在|以|围绕|持续|切实|不断|加强|加大|做好|推进|深化|完善)"


#: Words only the 2019 format's table A prints; any of them marks a report of that format.
FORMAT_2019_MARKS = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "采购项目数量", "政府集中采购")

#: Table A of the 2019 format: (row label, its columns as printed, the cell key each column maps
#: to in this format, "" where it has no counterpart). Only 处理决定数量 maps cleanly.
_PREV_CHANGE = ("上一年项目数量", "本年增/减")
TABLE_A_2019: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("规章", ("本年新制作数量", "本年新公开数量", "对外公开总数量"), ("", "", "")),
    ("规范性文件", ("本年新制作数量", "本年新公开数量", "对外公开总数量"), ("", "", "")),
    ("行政许可", (*_PREV_CHANGE, "处理决定数量"), ("", "", "A.licensing.decisions")),
    ("其他对外管理服务事项", (*_PREV_CHANGE, "处理决定数量"), ("", "", "")),
    ("行政处罚", (*_PREV_CHANGE, "处理决定数量"), ("", "", "A.penalty.decisions")),
    ("行政强制", (*_PREV_CHANGE, "处理决定数量"), ("", "", "A.coercion.decisions")),
    ("行政事业性收费", _PREV_CHANGE, ("", "")),
    ("政府集中采购", ("采购项目数量", "采购总金额"), ("", "")),
)
TABLE_A_2019_CAPTIONS = tuple(f"第二十条第（{n}）项" for n in "一五六八九")

#: Dashes reports print for an empty cell that are not among BLANK_MARKS, and the mark each is kept as.
BLANK_MARK_VARIANTS = {"–": "—", "―": "—", "--": "——", "—-": "——", "／": "/", "－－": "——"}


#: Part 六 saying that no 信息处理费 was charged, in the wordings agencies use: “未收取信息处理费”,
#: “没有产生信息公开处理费”, “未发生收费情况”, “信息处理费：无”, “收费0元”. One pattern, shared by the
#: importer (which reads it as 0 collected) and the checks (which take it as part 六 speaking of fees).
NO_FEE = (
    r"(?:未|没有|无|不)(?:向申请人)?(?:收取|产生|发生|收)(?:任何|过)?[^。；;，,]{0,10}?(?:信息(?:公开)?处理费|处理费|收费情况|费用)"
    r"|信息(?:公开)?处理费(?:为|均为|共计|合计)?[ \t:：]*(?:0|零|0\.0+)[ \t]*元"
    r"|信息(?:公开)?处理费[ \t]*[:：][ \t]*无(?![^。；;，,]{0,3}[\d])"
    r"|收费[ \t]*(?:0|零)[ \t]*元"
)


#: How alike (difflib's ratio) a printed part title must be to the format's to be read as that part:
#: a slip of a character or two ("…行政诉讼请况") still heads its part, and is reported as a deviation.
TITLE_ALIKE = 0.8


def alike(printed: str, title: str) -> bool:
    """Whether a printed title is the format's ``title`` but for a slip (see :data:`TITLE_ALIKE`)."""
    from difflib import SequenceMatcher

    return SequenceMatcher(None, printed, title, autojunk=False).ratio() >= TITLE_ALIKE


def text_width(text: str) -> int:
    """How wide a text prints in fixed-width columns (a terminal, a spreadsheet's character units):
    a Chinese character is two.
    """
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


_PUNCT = str.maketrans({"、": ".", "“": '"', "”": '"', "„": '"', "〝": '"', "〞": '"', "「": '"', "」": '"',
                        "『": '"', "』": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "―": "-", "∶": ":"})


def canonical(text: str) -> str:
    """The text as labels are matched: full-width forms folded, same length (positions carry over)."""
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out).translate(_PUNCT)


def aligned(rows: list[list[str]]) -> list[str]:
    """Rows of text cells as lines whose columns line up in a terminal (Chinese characters two wide)."""
    widths = [max(text_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell + " " * (w - text_width(cell)) for cell, w in zip(row, widths)).rstrip() for row in rows]
