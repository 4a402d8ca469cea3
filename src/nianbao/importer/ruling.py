"""A scanned page's ruled tables, from the lines in the picture: strokes of rule found by their length,
joined into rules, kept where they bound cells, and the cells found by pdfplumber's table finder.
"""

from __future__ import annotations

from ..errors import DataError
from ..inputs import MAX_SCAN_LINES, MAX_SCAN_RULES
from .pictures import DPI, HINT, threshold

#: A rule is at least this long (inches): longer than any stroke of a character, shorter than any cell's side.
_H_RULE, _V_RULE = 0.4, 0.17
#: Pixels darker than this may belong to a rule (a hairline, drawn at a scan's resolution, is grey).
_RULE_GREY = 210
#: A rule's pixel is darker by this than the pixels this far (pixels) either side of it: thicker than a rule.
_CONTRAST, _AROUND = 40, 5
#: A table cut by the page's edge is at least this wide (inches).
_CUT_WIDTH = 1.5
#: The widest gap (pixels) inside a stroke of rule that is still one stroke.
_GAP = 3
#: Strokes of rule side by side at most this far apart (pixels) are one rule (a thick rule is a stroke per
#: pixel), and so are strokes end to end across a gap at most ``_JOIN`` long.
_SNAP, _JOIN = 2, 12

Box = tuple[float, float, float, float]


def strokes(grey) -> list[dict]:
    """The page's strokes of rule (grey: the page's pixels), as pdfplumber's edges: pixels darker than
    paper (a hairline is drawn grey, not black) and darker than the pixels a few rows above and below
    them (for a horizontal rule; left and right, for a vertical one) — a line, not the edge or the
    inside of a shaded cell.
    """
    import numpy as np

    dark = grey < max(threshold(grey), _RULE_GREY)
    grey = grey.astype(np.int16)
    padded = np.pad(grey, _AROUND, mode="edge")
    height, width = grey.shape
    above, below = padded[:height, _AROUND:-_AROUND], padded[2 * _AROUND:, _AROUND:-_AROUND]
    left, right = padded[_AROUND:-_AROUND, :width], padded[_AROUND:-_AROUND, 2 * _AROUND:]
    across = dark & (grey + _CONTRAST < np.minimum(above, below))
    down = dark & (grey + _CONTRAST < np.minimum(left, right))
    return _rules(across, "h", round(_H_RULE * DPI)) + _rules(down, "v", round(_V_RULE * DPI))


def find_tables(edges: list[dict]) -> list[list[Box]]:
    """The ruled tables on a page: each as its cells' boxes (x0, top, x1, bottom), found by pdfplumber's
    table finder from the page's strokes of rule (:func:`_rules`).
    """
    from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells

    if len(edges) > MAX_SCAN_LINES:
        raise DataError(f"扫描页上找到 {len(edges)} 段线条（上限 {MAX_SCAN_LINES}）", hint=HINT)
    edges = _joined(edges)
    if len(edges) > MAX_SCAN_RULES:
        raise DataError(f"扫描页上的线条连起来仍有 {len(edges)} 条（上限 {MAX_SCAN_RULES}）", hint=HINT)
    cells = intersections_to_cells(edges_to_intersections(_bounded(edges), 4, 4))
    least = 0.08 * DPI  # a cell narrower or lower than this is the gap between two rules drawn side by side
    cells = [c for c in cells if c[2] - c[0] >= least and c[3] - c[1] >= least]
    return [t for t in cells_to_tables(cells) if len(t) >= 4]


def _joined(strokes: list[dict]) -> list[dict]:
    """The strokes of rule joined into rules: strokes side by side (a rule a few pixels thick is a stroke
    per pixel) or end to end across a small gap, at most :data:`_SNAP` pixels apart sideways from the
    rule so far, are one rule, at their middle.
    """
    rules: list[dict] = []
    for orientation, at, start, end in (("h", "top", "x0", "x1"), ("v", "x0", "top", "bottom")):
        growing: list[list] = []  # [position of its last stroke, start, end, positions of its strokes]
        for s in sorted((e for e in strokes if e["orientation"] == orientation), key=lambda e: (e[at], e[start])):
            done = [r for r in growing if s[at] - r[0] > _SNAP]
            rules += [_rule(orientation, r) for r in done]
            growing = [r for r in growing if s[at] - r[0] <= _SNAP]
            rule = next((r for r in growing if s[start] <= r[2] + _JOIN and s[end] >= r[1] - _JOIN), None)
            if rule is None:
                growing.append([s[at], s[start], s[end], [s[at]]])
            else:
                rule[0], rule[1], rule[2] = s[at], min(rule[1], s[start]), max(rule[2], s[end])
                rule[3].append(s[at])
        rules += [_rule(orientation, r) for r in growing]
    return rules


def _rule(orientation: str, joined: list) -> dict:
    _, start, end, positions = joined
    at = sorted(positions)[len(positions) // 2]
    if orientation == "h":
        return {"x0": start, "x1": end, "top": at, "bottom": at, "width": end - start, "height": 0.0, "orientation": "h"}
    return {"x0": at, "x1": at, "top": start, "bottom": end, "width": 0.0, "height": end - start, "orientation": "v"}


def _bounded(edges: list[dict]) -> list[dict]:
    """The rules that bound cells: a vertical one whose two ends meet horizontal ones, and a horizontal one
    whose two ends meet vertical ones that do. A stroke of a character (or a dash in the text) meets none.
    """
    near = 0.03 * DPI  # a rule's ends overshoot a thick rule they meet, or stop short of it, by a few pixels
    across = [e for e in edges if e["orientation"] == "h"]

    def meets(x: float, y: float, lines: list[dict], along: str) -> bool:
        if along == "h":
            return any(abs(h["top"] - y) <= near and h["x0"] - near <= x <= h["x1"] + near for h in lines)
        return any(abs(v["x0"] - x) <= near and v["top"] - near <= y <= v["bottom"] + near for v in lines)

    across += _cut(edges, lambda v, y: meets(v["x0"], y, across, "h"), near)
    down = [v for v in edges if v["orientation"] == "v"
            and meets(v["x0"], v["top"], across, "h") and meets(v["x0"], v["bottom"], across, "h")]
    across = [h for h in across if meets(h["x0"], h["top"], down, "v") and meets(h["x1"], h["top"], down, "v")]
    return across + down


def _cut(edges: list[dict], closed, near: float) -> list[dict]:
    """The rules a page's edge cuts off: where three or more vertical rules, each meeting a horizontal rule
    at its other end (``closed(rule, y)`` says whether one is there), end level across a table's width
    and one of them meets no horizontal rule there, the table runs on past the page (or began on the
    one before) — a horizontal rule across their ends stands for the edge.
    """
    out = []
    for end, other in (("top", "bottom"), ("bottom", "top")):
        ends = sorted((v for v in edges if v["orientation"] == "v" and closed(v, v[other])), key=lambda v: v[end])
        groups: list[list[dict]] = []
        for v in ends:
            if groups and v[end] - groups[-1][-1][end] <= near:
                groups[-1].append(v)
            else:
                groups.append([v])
        for group in groups:
            x0, x1 = min(v["x0"] for v in group), max(v["x0"] for v in group)
            if len(group) < 3 or x1 - x0 < _CUT_WIDTH * DPI or all(closed(v, v[end]) for v in group):
                continue
            y = sorted(v[end] for v in group)[len(group) // 2]
            out.append({"x0": x0, "x1": x1, "top": y, "bottom": y, "width": x1 - x0, "height": 0.0, "orientation": "h"})
    return out


def _rules(ink, orientation: str, length: int) -> list[dict]:
    """The page's straight strokes at least ``length`` pixels long, as pdfplumber's edges."""
    import numpy as np

    mask = ink if orientation == "h" else ink.T
    mask = mask.copy()
    mask[:-1] |= mask[1:]  # a rule a hair off level wavers between two rows of pixels
    grown = mask.copy()
    for shift in range(1, _GAP + 1):  # a few pixels lost to noise or a faint stretch do not break a rule
        grown[:, :-shift] |= mask[:, shift:]
    closed = grown.copy()
    for shift in range(1, _GAP + 1):
        closed[:, shift:] &= grown[:, :-shift]
    height, width = closed.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = closed
    steps = np.diff(padded.ravel())
    starts, ends = np.flatnonzero(steps == 1) + 1, np.flatnonzero(steps == -1) + 1
    long = (ends - starts) >= length
    starts, ends = starts[long], ends[long]
    row, begin, end = starts // (width + 2), starts % (width + 2) - 1, ends % (width + 2) - 1
    if orientation == "h":
        return [{"x0": float(a), "x1": float(b), "top": float(y), "bottom": float(y), "width": float(b - a),
                 "height": 0.0, "orientation": "h"} for y, a, b in zip(row, begin, end)]
    return [{"x0": float(x), "x1": float(x), "top": float(a), "bottom": float(b), "width": 0.0,
             "height": float(b - a), "orientation": "v"} for x, a, b in zip(row, begin, end)]


#: A figure as a report prints it: no leading zero (“06” is a misreading), thousands grouped or not.


def erased(grey, edges: list[dict]):
    """The page with every stroke of rule (and the pixel each side of it) made white."""
    rules = grey.copy()
    for e in edges:
        if e["orientation"] == "h":
            y = int(e["top"])
            rules[max(0, y - 1):y + 2, int(e["x0"]):int(e["x1"])] = 255
        else:
            x = int(e["x0"])
            rules[int(e["top"]):int(e["bottom"]), max(0, x - 1):x + 2] = 255
    return rules


__all__ = ["Box", "erased", "find_tables", "strokes"]
