"""How reports word the information processing fees in part 六: one grammar for every reader.

The importer reads table 六 from these sentences, rule F-TEXT checks them against table 六, and the
publication edition leaves unsaid what they already state — all through :func:`statements`, so that a
wording one of them understands is understood by the others (a test writes every wording and checks
that the importer and F-TEXT agree).

Reports write, among others: “实际收取信息处理费 1.2 万元”, “…收费通知 1 件，实际收取 200 元”, “开具收费通知书 2 份”, “发出信息处理费收费
通知 3 件，金额 500 元”, “未收取信息处理费”, “未发出收费通知”. Amounts are in 元 (万元 converted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

from .printed import NO_FEE, canonical

COLLECTED, NOTICES, NOTICE_AMOUNT = "F.fee.collected", "F.fee.notices", "F.fee.notice_amount"

#: The verbs of sending a fee notice, and the counters reports put after their number.
NOTICE_VERBS = ("发出", "开具", "送达", "制发")
NOTICE_COUNTERS = ("件", "份", "次", "个")

_VERB = "|".join(NOTICE_VERBS)
#: (cell, the wording that states its figure), on the text as :func:`canonical` folds it.
_FIGURES = (
    (COLLECTED, re.compile(r"(?:实际)?收取[^。;,\d]{0,16}信息处理费[^。;,\d]{0,8}?(\d+(?:\.\d+)?)\s*(万?元)")),
    # “发出收费通知 1 件，金额 200 元，实际收取 200 元”: the fee named before, 实际收取 says which figure
    (COLLECTED, re.compile(r"实际收取(?:了|费用|金额)?\s*(\d+(?:\.\d+)?)\s*(万?元)")),
    (NOTICES, re.compile(rf"(?:{_VERB})[^。;,\d]{{0,6}}收费通知书?[^。;,\d]{{0,6}}(\d+)\s*(?:{'|'.join(NOTICE_COUNTERS)})")),
    (NOTICE_AMOUNT, re.compile(r"收费通知[^。;]{0,24}?(?:金额|总额)[^。;,\d]{0,6}(\d+(?:\.\d+)?)\s*(万?元)")),
)
#: (cell, the wording that says it is nothing): no fee collected, no notice sent.
_DENIALS = (
    (COLLECTED, re.compile(NO_FEE)),
    (NOTICES, re.compile(rf"(?:未|没有|无)(?:{_VERB})[^。;,]{{0,6}}收费通知")),
)


@dataclass(frozen=True)
class Stated:
    """One figure of table 六 as part 六 states it."""

    key: str  # the cell: F.fee.collected, F.fee.notices or F.fee.notice_amount
    value: int | float  # 元 or 件
    words: str  # the words that state it, as written
    start: int  # where they start in the text
    denial: bool = False  # “未收取”, “未发出收费通知”: nothing, said in words


def statements(text: str) -> list[Stated]:
    """Every fee figure the text states, in the order written (width forms and punctuation folded)."""
    canon = canonical(text)
    out = []
    for key, pattern in _FIGURES:
        for m in pattern.finditer(canon):
            value = Decimal(m.group(1)) * (10000 if m.lastindex == 2 and m.group(2) == "万元" else 1)
            out.append(Stated(key, int(value) if value == value.to_integral_value() else float(value),
                              text[m.start():m.end()], m.start()))
    for key, pattern in _DENIALS:
        out += [Stated(key, 0, text[m.start():m.end()], m.start(), denial=True) for m in pattern.finditer(canon)]
    return sorted(out, key=lambda s: (s.start, s.key))


def stated_figures(text: str) -> dict[str, Stated]:
    """What the text says of each cell: its first figure, else its first denial. A text that says no
    notice was sent says their amount was nothing too.
    """
    found: dict[str, Stated] = {}
    for s in sorted(statements(text), key=lambda s: s.denial):  # figures before denials, each in order
        found.setdefault(s.key, s)
    notices = found.get(NOTICES)
    if notices and notices.denial and NOTICE_AMOUNT not in found:
        found[NOTICE_AMOUNT] = replace(notices, key=NOTICE_AMOUNT)
    return found
