"""Rule 1 (every figure a non-negative number, counts whole) and the blank cells it notes."""

from __future__ import annotations

from collections.abc import Iterator

from ..format import TABLE_NAMES, TABLES, cell_key, column_of, describe
from ..model import Value, is_empty, is_figure, is_unknown
from .core import ERROR, FAILED, INFO, PASSED, UNCERTAIN, Context, Result, Rule, fmt, rule


@rule("V-VALUE", "数字为非负数，件数为整数", ERROR, spec=1)
def _values(r: Rule, c: Context) -> Iterator[Result]:
    bad = False
    for table in TABLES.values():
        unknown = []
        for row, column in table.cells():
            key = cell_key(table.key, row.key, column.key)
            problem = _value_problem(c.data.cells[key], column.kind)
            if problem == "unknown":
                unknown.append(key)
            elif problem:
                bad = True
                yield r.result(FAILED, f"{describe(key)}：{problem}", where=describe(key), cells=(key,),
                               observed=c.data.cells[key], expected="非负数", table=table.key)
        if unknown:
            why = c.data.provenance.get(unknown[0], "")
            yield r.result(
                UNCERTAIN,
                f"{TABLE_NAMES[table.key]}有 {len(unknown)} 格无法确定（{'、'.join(describe(k) for k in unknown[:3])}"
                f"{' 等' if len(unknown) > 3 else ''}）" + (f"：{why}" if why else "") + "；涉及这些格的校验无法判定",
                where=TABLE_NAMES[table.key], cells=tuple(unknown), table=table.key,
            )
    if not bad:
        yield r.result(PASSED, "各项数字均为非负数，件数均为整数")


def _value_problem(value: Value, kind: str) -> str:
    if is_empty(value):
        return ""
    if is_unknown(value):
        return "unknown"
    if not is_figure(value):
        return f"“{value}”不是数字"
    if value < 0:  # type: ignore[operator]
        return f"{fmt(value)} 为负数"
    if kind == "count" and isinstance(value, float) and not value.is_integer():
        return f"件数 {fmt(value)} 不是整数"
    return ""


@rule("V-BLANK", "空白格（格式要求无数据填 0）", INFO)
def _blanks(r: Rule, c: Context) -> Iterator[Result]:
    for table in TABLES.values():
        blank = [cell_key(table.key, row.key, col.key) for row, col in table.cells()
                 if is_empty(c.data.cells[cell_key(table.key, row.key, col.key)])]
        if not blank or table.key == "A" and all(k.startswith("A.rules.") for k in blank):
            continue
        if table.key == "F":  # no printed table: part 六 states the fees in words
            said = "、".join(column_of(k).label for k in blank)
            message = f"{TABLE_NAMES[table.key]}（第六部分所述收费情况）未写明{said}；核对中按 0 计"
        else:
            message = f"{TABLE_NAMES[table.key]}有 {len(blank)} 格空白或为横线；勾稽核对中按 0 计"
        yield r.result(FAILED, message, where=TABLE_NAMES[table.key], cells=tuple(blank), table=table.key)
