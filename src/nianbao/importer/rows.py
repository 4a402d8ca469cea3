"""Readings → each row's outcome: its values as printed, derived by the format's rules, or unknown with the reason."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from ..format import B_RESULT_ROWS, TABLE_B, TABLE_NAMES
from ..model import Value
from .readings import SPANNED, Reading, Spec
from .tokens import BLANK_TOK, Tok, printed, token

_LIMIT = 20000  # readings of one row, or combinations across rows, tried before giving up


@dataclass(frozen=True)
class Row:
    """A row's outcome: the values placed (None when unknown) and how."""

    values: tuple[Tok, ...] | None
    reason: str = ""  # why unknown, or how derived
    derived: str = ""  # the rules that fixed the values


def rows_to_place(key: str, specs: list[Spec], readings: Mapping[str, Reading]) -> tuple[list[Spec], list[str]]:
    """The rows to place: figure rows, and （六）其他处理 when printed as a single row."""
    rows = [s for s in specs if not s.heading]
    notes = []
    for spec in specs:
        reading = readings.get(spec.key)
        if not spec.heading or reading is None or not any(token(t).value is not None or token(t).junk
                                                          for t in reading.tokens):
            continue
        children = [s.key for s in specs if s.key.startswith(spec.key + "_")]
        if spec.key == "other" and not any(c in readings for c in children):
            rows.append(replace(spec, heading=False))
            notes.append(f"{TABLE_NAMES[key]}的“{spec.label}”只印一行（没有三个小项），按单行读入")
        else:
            notes.append(f"{TABLE_NAMES[key]}的标题行“{spec.label}”另印了数字（{printed(map(token, reading.tokens))}），"
                         "本格式该行不填数字，未导入")
    return rows, notes


def resolve(key: str, rows: list[Spec], readings: Mapping[str, Reading]) -> dict[str, Row]:
    outcomes: dict[str, Row] = {}
    options: dict[str, list[tuple[Tok, ...]]] = {}
    for spec in rows:
        reading = readings.get(spec.key)
        if reading is None and key == "A" and spec.key == "rules" and "normative" in readings:
            # 表二 printed without its 规章 row: an agency without the power to make 规章 (a known layout)
            outcomes[spec.key] = Row(tuple(Tok("", None, note="原文表二没有“规章”行（无规章制定权的单位常这样印），记为空白")
                                           for _ in spec.slots))
            continue
        if reading is None:
            missing = f"原文中找不到“{spec.label}”这一行" if spec.label else f"原文中找不到{TABLE_NAMES[key]}的数字"
            outcomes[spec.key] = Row(None, missing)
            continue
        outcome, candidates = _candidates(key, spec, reading)
        if outcome is not None:
            outcomes[spec.key] = outcome
        else:
            options[spec.key] = candidates
    if options:
        outcomes.update(_choose(key, rows, outcomes, options, readings))
    return outcomes


def _candidates(key: str, spec: Spec, reading: Reading) -> tuple[Row | None, list[tuple[Tok, ...]]]:
    """A row read as printed (an outcome), or the readings its values allow that satisfy its own rule."""
    n = len(spec.slots)
    toks = [token(t) if t != SPANNED else Tok("（跨行单元格）", junk=True) for t in reading.tokens]
    shown = printed(toks)
    if reading.exact and reading.junk:
        return Row(None, reading.junk), []
    if not toks:
        return Row((BLANK_TOK,) * n), []  # nothing printed after the label: every cell blank
    if reading.exact:
        if len(toks) != n:
            return Row(None, f"原文此行读出 {len(toks)} 格（{shown}），应为 {n} 格，无法对应各栏"), []
        return Row(tuple(toks)), []
    if reading.junk:
        return Row(None, f"原文此行夹有无法识别的文字“{reading.junk}”"), []
    if len(toks) == n:
        return Row(tuple(toks)), []
    if len(toks) > n:
        filled = [(i, t) for i, t in enumerate(toks, 1) if t.value is not None]
        where = "、".join(str(i) for i, _ in filled)
        values = "、".join(t.text.strip() for _, t in filled)
        detail = f"按出现顺序第 {where} 个依次为 {values}，其余为空" if filled else "都是空白"
        return Row(None, f"原文此行读出 {len(toks)} 个单元格，多于 {n} 格；{detail}；无法确定各数所在栏目"), []
    readings = _arrangements(toks, n)
    if readings is None:
        return Row(None, f"原文此行为“{shown}”，只读出 {len(toks)} 个值而应有 {n} 格，可能的读法过多，无法确定"), []
    rule = _ROW_RULES.get(key)
    fitting = [r for r in readings if rule is None or rule[1](r)]
    what = f"原文此行为“{shown}”，只读出 {len(toks)} 个值而应有 {n} 格"
    if not fitting:
        return Row(None, f"{what}；没有一种读法符合 {rule[0] if rule else '格式'}，无法确定"), []
    if len(fitting) == 1 and rule:
        return Row(fitting[0], f"{what}，唯一符合 {rule[0]} 的读法为（{printed(fitting[0])}）", rule[0]), []
    if len(fitting) == 1:
        return Row(fitting[0], f"{what}，只有一种读法（{printed(fitting[0])}）", "ORDER"), []
    if key != "B":
        fitting.sort(key=lambda r: sum(t is BLANK_TOK for t in r))  # the splits of run-together digits first
        examples = "；".join(f"（{printed(r)}）" for r in fitting[:3])
        return Row(None, f"{what}；有 {len(fitting)} 种读法（{examples}{'…' if len(fitting) > 3 else ''}），无法确定"), []
    return None, fitting


def _arrangements(toks: list[Tok], n: int) -> list[tuple[Tok, ...]] | None:
    """Every way to read the tokens into n cells: digits split, blank cells put back; None when too many."""
    found: dict[tuple[Value, ...], tuple[Tok, ...]] = {}
    expansions = [_expansions(t, n) for t in toks]
    if math.prod(len(e) for e in expansions) > _LIMIT:
        return None
    for pieces in itertools.product(*expansions):
        flat = [p for piece in pieces for p in piece]
        if len(flat) > n:
            continue
        for blanks in itertools.combinations(range(n), n - len(flat)):
            it = iter(flat)
            row = tuple(BLANK_TOK if i in blanks else next(it) for i in range(n))
            found.setdefault(tuple(t.value for t in row), row)
            if len(found) > _LIMIT:
                return None
    return list(found.values())


def _expansions(tok: Tok, n: int) -> list[tuple[Tok, ...]]:
    if not tok.digits:
        return [(tok,)]
    return [tuple(Tok(p, int(p)) for p in parts) for k in range(1, min(len(tok.digits), n) + 1)
            for parts in _splits(tok.digits, k)]


def _splits(digits: str, k: int) -> Iterator[tuple[str, ...]]:
    """The ways to cut a digit string into k numbers written without leading zeros."""
    if k == 1:
        if digits == "0" or not digits.startswith("0"):
            yield (digits,)
        return
    for i in range(1, len(digits) - k + 2):
        head = digits[:i]
        if head == "0" or not head.startswith("0"):
            for rest in _splits(digits[i:], k - 1):
                yield (head, *rest)


def _sums_to(values: tuple[Tok, ...], total: int, parts: range) -> bool:
    numbers = [t.number for t in values]
    if any(numbers[i] is None for i in (*parts, total)):
        return False
    return numbers[total] == sum(numbers[i] for i in parts)  # type: ignore[misc]


#: The rule that a single printed row must satisfy, by table.
_ROW_RULES = {
    "B": ("B-ROWSUM", lambda v: _sums_to(v, 6, range(6))),
    "C": ("C-TOTAL", lambda v: all(_sums_to(v, g + 4, range(g, g + 4)) for g in (0, 5, 10))),
}


def _choose(key, rows, outcomes, options, readings) -> dict[str, Row]:
    """Table B's ambiguous rows, settled by the column rules when the rest of the table is known."""
    what = {k: f"原文此行为“{printed(map(token, readings[k].tokens))}”，只读出 {len(readings[k].tokens)} 个值而应有 7 格"
            for k in options}
    known = {k: o.values for k, o in outcomes.items()
             if o.values is not None and all(t.number is not None for t in o.values)}
    total = 1
    for candidates in options.values():
        total *= len(candidates)
    if len(known) + len(options) < len(rows) or total > _LIMIT:
        why = "表中其他行也无法确定" if total <= _LIMIT else "组合过多"
        return {k: Row(None, f"{what[k]}；有 {len(c)} 种读法符合 B-ROWSUM，{why}，无法确定") for k, c in options.items()}
    names = list(options)
    fitting = [combo for combo in itertools.product(*options.values())
               if _columns_ok({**known, **dict(zip(names, combo))})]
    out = {}
    for i, k in enumerate(names):
        settled = {combo[i] for combo in fitting}
        if len(settled) == 1:
            row = next(iter(settled))
            out[k] = Row(row, f"{what[k]}，唯一同时符合 B-ROWSUM、B-COLSUM、B-BALANCE 的读法为（{printed(row)}）",
                         "B-ROWSUM、B-COLSUM、B-BALANCE")
        else:
            out[k] = Row(None, f"{what[k]}；有 {len(settled)} 种读法符合勾稽关系，无法确定" if settled
                         else f"{what[k]}；没有一种读法同时符合 B-ROWSUM、B-COLSUM、B-BALANCE，无法确定")
    return out


def _columns_ok(values: Mapping[str, tuple[Tok, ...]]) -> bool:
    results = [r for r in B_RESULT_ROWS if r in values] + (["other"] if "other" in values else [])
    for c in range(len(TABLE_B.columns)):
        n = {k: v[c].number for k, v in values.items()}
        if None in n.values():
            return False
        if n["total"] != sum(n[r] for r in results):  # type: ignore[misc]
            return False
        if n["new"] + n["carried_over"] != n["total"] + n["carried_forward"]:  # type: ignore[operator]
            return False
    return True
