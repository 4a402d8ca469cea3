"""Readings → each row's outcome: its values as printed, derived by the format's rules, or unknown with the reason.

The rules are the format's relations (:mod:`nianbao.format.relations`), read by cell key: a row's own
are those whose cells all lie in the row (B-ROWSUM, C-TOTAL); the rest of its table's settle what a
row alone leaves open (B-COLSUM, B-BALANCE).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace

from ..format import TABLE_NAMES, TABLES, UNKNOWN_MARK
from ..format.relations import Balance, Sum, balances, sums
from ..model import Value
from .readings import SPANNED, Reading, Spec
from .sources import Scanned
from .tokens import BLANK_TOK, Tok, printed, token

_LIMIT = 20000  # readings of one row, or combinations across rows, tried before giving up

Relation = Sum | Balance


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
    own, across = _relations(key, rows)
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
        outcome, candidates = _candidates(spec, reading, own[spec.key], across)
        if outcome is not None:
            outcomes[spec.key] = outcome
        else:
            options[spec.key] = candidates
    if options:
        outcomes.update(_choose(rows, outcomes, options, readings, own, across))
    return outcomes


def _relations(key: str, rows: list[Spec]) -> tuple[dict[str, list[Relation]], list[Relation]]:
    """The format's relations among the rows' cells: each row's own, and those across rows.

    A heading placed as a row (（六）其他处理 printed as one) is folded: its cells stand for its numbered rows'.
    """
    headings = {r.key for r in TABLES[key].rows if r.heading}
    relations: list[Relation] = [*sums(tuple(s.key for s in rows if s.key in headings)), *balances()]
    slots = {s.key: set(s.slots) for s in rows}
    own = {k: [r for r in relations if set(r.keys) <= cells] for k, cells in slots.items()}
    table = set().union(*slots.values())
    across = [r for r in relations if set(r.keys) <= table and not any(r in mine for mine in own.values())]
    return own, across


def _rules(relations: list[Relation]) -> str:
    """The relations' rule names, for a message: B-ROWSUM、B-COLSUM、B-BALANCE."""
    return "、".join(dict.fromkeys(r.rule for r in relations))


def _numbers(slots: tuple[str, ...], values: tuple[Tok, ...]) -> dict[str, float | None]:
    return {slot: tok.number for slot, tok in zip(slots, values) if slot}


def _candidates(spec: Spec, reading: Reading, own: list[Relation],
                across: list[Relation]) -> tuple[Row | None, list[tuple[Tok, ...]]]:
    """A row read as printed (an outcome), or the readings its values allow that satisfy its own rules;
    those left open are returned as candidates when relations ``across`` rows may settle them.
    """
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
        if reading.scans:
            return _scanned(spec, toks, reading.scans, own, across, reading.placed)
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
    rule = _rules(own)
    fitting = [r for r in readings if all(relation.holds(_numbers(spec.slots, r)) for relation in own)]
    what = f"原文此行为“{shown}”，只读出 {len(toks)} 个值而应有 {n} 格"
    if not fitting:
        return Row(None, f"{what}；没有一种读法符合 {rule or '格式'}，无法确定"), []
    if len(fitting) == 1 and rule:
        return Row(fitting[0], f"{what}，唯一符合 {rule} 的读法为（{printed(fitting[0])}）", rule), []
    if len(fitting) == 1:
        return Row(fitting[0], f"{what}，只有一种读法（{printed(fitting[0])}）", "ORDER"), []
    if not across:
        fitting.sort(key=lambda r: sum(t is BLANK_TOK for t in r))  # the splits of run-together digits first
        examples = "；".join(f"（{printed(r)}）" for r in fitting[:3])
        return Row(None, f"{what}；有 {len(fitting)} 种读法（{examples}{'…' if len(fitting) > 3 else ''}），无法确定"), []
    return None, fitting


def _scanned(spec: Spec, toks: list[Tok], scans: tuple[Scanned | None, ...], own: list[Relation],
             across: list[Relation], placed: str = "") -> tuple[Row | None, list[tuple[Tok, ...]]]:
    """A row read from a scan: its certain figures as read (with their confidence, and how the row was
    placed when its label was not read), each figure in doubt settled by the row's own relations when
    exactly one of its readings fits them, or left to the relations ``across`` rows, or unknown with why.
    """
    toks = [_read(t, s, placed) for t, s in zip(toks, scans)]
    doubtful = [i for i, s in enumerate(scans) if s is not None and s.doubt]
    if not doubtful:
        return Row(tuple(toks)), []
    options = [[replace(token(c), doubt=scans[i].doubt) for c in scans[i].choices] for i in doubtful]  # type: ignore[union-attr]
    if math.prod(len(o) for o in options) <= _LIMIT:
        rows = [_placed(toks, doubtful, combo) for combo in itertools.product(*options)]
        deciding = [r for r in own if any(spec.slots[i] in r.keys for i in doubtful)]
        covered = all(any(spec.slots[i] in r.keys for r in deciding) for i in doubtful)
        fitting = list({tuple(t.value for t in r): r for r in rows
                        if all(relation.holds(_numbers(spec.slots, r)) for relation in own)}.values())
        if covered and len(fitting) == 1:
            return Row(_settled(fitting[0], _rules(deciding))), []
        reach = [*own, *across]
        if rows and (fitting or not deciding) and all(any(spec.slots[i] in r.keys for r in reach) for i in doubtful):
            return None, fitting if deciding else rows  # for the relations across rows to settle
    return Row(_unsettled(toks, doubtful)), []


def _read(tok: Tok, scan: Scanned | None, placed: str = "") -> Tok:
    """A token read from a scan with certainty, its confidence in its note; one in doubt marked so."""
    if scan is None:
        return tok
    if scan.doubt:
        return replace(tok, doubt=f"{scan.doubt}（{placed}）" if placed else scan.doubt)
    if tok.value is None:
        return tok
    said = f"扫描识别，置信度 {scan.confidence}" + (f"；{placed}" if placed else "")
    return replace(tok, note=f"{tok.note}；{said}" if tok.note else said)


def _placed(toks: list[Tok], doubtful: list[int], combo: tuple[Tok, ...]) -> tuple[Tok, ...]:
    row = list(toks)
    for i, tok in zip(doubtful, combo):
        row[i] = tok
    return tuple(row)


def _settled(row: tuple[Tok, ...], rules: str) -> tuple[Tok, ...]:
    """The row with each reading in doubt taken, marked as derived by ``rules``."""
    return tuple(replace(t, note=f"derived: {rules} {t.doubt}，唯一符合 {rules} 的读法为 {t.text.strip()}")
                 if t.doubt and t.value != UNKNOWN_MARK else t for t in row)


def _unsettled(toks: list[Tok] | tuple[Tok, ...], doubtful: list[int] | None = None) -> tuple[Tok, ...]:
    """The row with each figure in doubt unknown: the relations could not decide it."""
    where = doubtful if doubtful is not None else [i for i, t in enumerate(toks) if t.doubt]
    row = list(toks)
    for i in where:
        row[i] = Tok("？", UNKNOWN_MARK, doubt=f"{toks[i].doubt}，勾稽关系无法确定")
    return tuple(row)


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


def _choose(rows: list[Spec], outcomes: Mapping[str, Row], options: Mapping[str, list[tuple[Tok, ...]]],
            readings: Mapping[str, Reading], own: Mapping[str, list[Relation]],
            across: list[Relation]) -> dict[str, Row]:
    """Ambiguous rows, settled by the relations across rows when the rest of the table is known."""
    slots = {s.key: s.slots for s in rows}
    what = {k: f"原文此行为“{printed(map(token, readings[k].tokens))}”，只读出 {len(readings[k].tokens)} 个值"
               f"而应有 {len(slots[k])} 格" for k in options}
    known = {k: o.values for k, o in outcomes.items()
             if o.values is not None and all(t.number is not None for t in o.values)}
    total = 1
    for candidates in options.values():
        total *= len(candidates)
    if len(known) + len(options) < len(rows) or total > _LIMIT:
        why = "表中其他行也无法确定" if total <= _LIMIT else "组合过多"
        return {k: Row(_unsettled(c[0])) if any(t.doubt for t in c[0]) else
                Row(None, f"{what[k]}；有 {len(c)} 种读法符合 {_rules(own[k])}，{why}，无法确定")
                for k, c in options.items()}
    names = list(options)
    fitting = [combo for combo in itertools.product(*options.values())
               if _holds(across, slots, {**known, **dict(zip(names, combo))})]
    out = {}
    for i, k in enumerate(names):
        settled = {combo[i] for combo in fitting}
        rules = _rules([*own[k], *across])
        scanned = any(t.doubt for t in options[k][0])
        if scanned:
            out[k] = Row(_settled(next(iter(settled)), rules) if len(settled) == 1 else _unsettled(options[k][0]))
        elif len(settled) == 1:
            row = next(iter(settled))
            out[k] = Row(row, f"{what[k]}，唯一同时符合 {rules} 的读法为（{printed(row)}）", rules)
        else:
            out[k] = Row(None, f"{what[k]}；有 {len(settled)} 种读法符合勾稽关系，无法确定" if settled
                         else f"{what[k]}；没有一种读法同时符合 {rules}，无法确定")
    return out


def _holds(relations: list[Relation], slots: Mapping[str, tuple[str, ...]], values: Mapping[str, tuple[Tok, ...]]) -> bool:
    """Whether the rows' values (row key → its cells' tokens) satisfy every relation."""
    numbers = {slot: n for k, row in values.items() for slot, n in _numbers(slots[k], row).items()}
    return all(r.holds(numbers) for r in relations)
