"""The ``.aux`` a TeX run starts from and the one it leaves: when a document has settled (no more passes
needed), where the next document of its kind starts, and — for reports set together in one run
(:meth:`nianbao.typeset.ReportPDFExporter.set_together`) — each report's own lines of it, renumbered
into the report's range and back. Every ``.aux`` read from disk holds numbers only (:data:`SEED`).
"""

from __future__ import annotations

import re
from pathlib import Path

from .table_latex import aux_reading

#: How far a document runs, to guess its pages by: its figures and its LaTeX's characters.
Extent = tuple[int, int]
_FIGURE = re.compile(r"\\(?:adjustimage|includegraphics)\b")

#: At most this many xelatex passes: the page count (共 M 页) and longtable's column widths settle by then.
MAX_PASSES = 3
#: What LaTeX and its packages print when cross-references or table widths need another pass.
RERUN = re.compile(r"Rerun to get|may have changed\. Rerun|Table widths have changed\. Rerun")
#: Per kind of document (a template's reports, or its overviews), the ``.aux`` — labels such as the
#: page count, longtable's column widths — of the last few that settled, each with its :func:`extent`:
#: the next starts from that of the one nearest to it (a document's pages follow its extent), and when
#: its own comes out the same (same page count, same widths) one pass is enough. Before any has settled
#: in a process, a template's reports start from those its bundled examples left
#: (``settled-<figures>-<characters>.aux`` in the template's folder, each read only if it is one of :data:`SEED`).
SETTLED: dict[str, list[tuple[Extent, bytes]]] = {}
#: How many settled ``.aux`` a process keeps per kind of document.
KEPT = 16
#: All an ``.aux`` may hold to be used as a start: \relax, longtable's widths, the pages of rows and reports — numbers,
#: never commands of its own (a file read from disk is TeX's input, and must not be code).
SEED = re.compile(
    rb"\\relax \n(?:\\providecommand \\oddpage@label \[2\]\{\}\n)?"
    rb"(?:\\gdef \\LT@[ivxlcdm]+ \{\\LT@entry \n(?:    \{[0-9]\}\{[0-9.]+pt\}\\LT@entry \n)*    \{[0-9]\}\{[0-9.]+pt\}\}\n"
    rb"|\\nb(?:start|review|end)\{[0-9]+\}\{[0-9]+\}\n|\\nbrowat\{[0-9]+\}\{[0-9]+\}\{[0-9]+\}\n)*"
    rb"(?:\\newlabel\{LastPage\}\{\{\}\{[0-9]+\}\}\n\\xdef\\lastpage@lastpage\{[0-9]+\}\n\\gdef\\lastpage@lastpageHy\{\}\n)?"
    rb"(?:\\gdef \\@abspage@last\{[0-9]+\}\n)?"
)

#: Where each report's own lines of a joint run's .aux are (see nianbao_both_latex): its long tables
#: (``\LT@…``, longtable's widths) and rows (``\nbrowat``) numbered from ``_STRIDE`` × (N − 1), and
#: the marks of its pages: ``\nbstart{N}{pages before it}``, ``\nbreview{N}{its review pages}``,
#: ``\nbend{N}{pages up to its last}``.
_STRIDE = 100
_ODDPAGE = b"\\providecommand \\oddpage@label [2]{}\n"  # written once a run, where its first page is
_AUX_LINE = re.compile(
    rb"\\gdef \\LT@(?P<table>[ivxlcdm]+) (?P<widths>\{(?:[^{}]|\{[^{}]*\})*\}\n)"
    rb"|\\nbrowat\{(?P<row>[0-9]+)\}(?P<at>\{[0-9]+\}\{[^{}\n]*\}\n)"
    rb"|\\nb(?P<mark>start|review|end)\{(?P<report>[0-9]+)\}\{(?P<pages>[0-9]+)\}\n"
    rb"|\\gdef \\@abspage@last\{(?P<last>[0-9]+)\}\n"
    rb"|(?P<oddpage>\\providecommand \\oddpage@label \[2\]\{\}\n)"
)
_MARK = re.compile(rb"^(?:\\nb(?:start|end)\{[0-9]+\}\{[0-9]+\}|\\providecommand \\oddpage@label \[2\]\{\}"
                   rb"|\\gdef \\@abspage@last\{[0-9]+\})\n", re.MULTILINE)


def settled(before: bytes | None, after: bytes | None) -> bool:
    """Whether a pass left the ``.aux`` as the next pass would read the one it started from: the same but
    for where reports start and end (TeX does not read that back, only nianbao does), the line a
    package writes once wherever the run's first page falls, the run's number of pages (LaTeX reads it
    back only to run the ``shipout/lastpage`` hook, which nothing here uses — else reports set together
    could not be byte for byte as set alone; a page count a document prints is a label of its own), and
    the rows' pages (see :func:`~nianbao.table_latex.aux_reading`).
    """
    return aux_reading(_unmarked(after)) == aux_reading(_unmarked(before))


def _unmarked(aux: bytes | None) -> bytes | None:
    return None if aux is None else _MARK.sub(b"", aux)


def _reports(aux: bytes) -> tuple[bytes, list[list[tuple[str, int, bytes]]]] | None:
    """A joint run's ``.aux`` as its head and, per report, its lines: (kind, number, rest); ``None``
    for an ``.aux`` with anything else in it.
    """
    reports: list[list[tuple[str, int, bytes]]]
    if not aux.startswith(b"\\relax \n"):
        return None
    head, reports, report = b"\\relax \n", [], 0
    position = len(head)
    while position < len(aux):
        m = _AUX_LINE.match(aux, position)
        if m is None:
            return None
        position = m.end()
        if m["table"]:
            line = ("table", _roman_value(m["table"].decode()), m["widths"])
        elif m["row"]:
            line = ("row", int(m["row"]), m["at"])
        elif m["mark"]:
            report = int(m["report"])
            line = (m["mark"].decode(), report, m["pages"])
        else:
            head += _ODDPAGE if m["oddpage"] else b""  # the run's page count is the sum of the reports' (see joined)
            continue
        if report < 1:
            return None
        while len(reports) < report:
            reports.append([])
        reports[report - 1].append(line)
    return head, reports


def alone(aux: bytes, place: int) -> bytes | None:
    """The lines of a joint run's ``.aux`` of the report set ``place``-th, numbered as if it were set
    alone: where it starts from next time. ``None`` when the ``.aux`` cannot be read so.
    """
    read = _reports(aux)
    if read is None or len(read[1]) < place:
        return None
    head, lines = read[0], read[1][place - 1]
    start = next((int(pages) for kind, _, pages in lines if kind == "start"), 0)
    return joined([head + _lines(_moved(lines, 1, -(place - 1) * _STRIDE, -start))])


def _moved(lines: list[tuple[str, int, bytes]], report: int, numbers: int, pages: int) -> list[tuple[str, int, bytes]]:
    """A report's lines as report ``report`` of a run: its tables and rows numbered ``numbers`` on, its
    page marks ``pages`` on.
    """
    return [(kind, number + numbers if kind in ("table", "row") else report,
             b"%d" % (int(rest) + pages) if kind in ("start", "end") else rest) for kind, number, rest in lines]


def _lines(lines: list[tuple[str, int, bytes]]) -> bytes:
    out = []
    for kind, number, rest in lines:
        if kind == "table":
            out.append(b"\\gdef \\LT@%s %s" % (_roman(number).encode(), rest))
        elif kind == "row":
            out.append(b"\\nbrowat{%d}%s" % (number, rest))
        else:
            out.append(b"\\nb%s{%d}{%s}\n" % (kind.encode(), number, rest))
    return b"".join(out)


def joined(alone: list[bytes]) -> bytes:
    """The ``.aux`` of a run that sets reports one after another, each starting from ``alone[N]``
    (an ``.aux`` of one report set alone): its lines renumbered into the report's range, its page
    marks moved after the reports before it.
    """
    head, body, before = b"", [], 0
    for n, aux in enumerate(alone, 1):
        read = _reports(aux)
        if read is None or len(read[1]) > 1:
            return alone[0] if len(alone) == 1 else b""
        head = head or read[0]
        lines = read[1][0] if read[1] else []
        total = next((int(pages) for kind, _, pages in lines if kind == "end"), 0)
        body.append(_lines(_moved(lines, n, (n - 1) * _STRIDE, before)))
        before += total
    return head + b"".join(body) + (b"\\gdef \\@abspage@last{%d}\n" % before if before else b"")


_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _roman(n: int) -> str:
    r"""``n`` as TeX's ``\romannumeral`` writes it (longtable names its tables so)."""
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _roman_value(letters: str) -> int:
    values = dict((v, k) for k, v in _ROMAN if len(v) == 1)
    total = 0
    for i, c in enumerate(letters):
        value = values[c]
        total += -value if i + 1 < len(letters) and values[letters[i + 1]] > value else value
    return total


def marks(aux: bytes, reports: int) -> list[tuple[int, int, int]] | None:
    """Per report of a joint run, its pages: (pages before it, its review edition's, pages up to its last)."""
    read = _reports(aux)
    if read is None or len(read[1]) != reports:
        return None
    out = []
    for lines in read[1]:
        marks = {kind: int(pages) for kind, _, pages in lines if kind in ("start", "review", "end")}
        if len(marks) != 3 or not marks["start"] < marks["start"] + marks["review"] < marks["end"]:
            return None
        out.append((marks["start"], marks["review"], marks["end"]))
    return out


def extent(latex: str) -> Extent:
    """How far a document's LaTeX runs: its figures (as nbconvert's templates and ours place them), and its characters."""
    return len(_FIGURE.findall(latex)), len(latex)


def start(templates: Path, template: str, family: str, size: Extent = (0, 0)) -> bytes | None:
    """Where a document of ``family`` of extent ``size`` starts: the ``.aux`` of the settled one nearest to
    it — as many figures first, then as many characters; the latest of equals — else of the
    template's shipped ones (in ``templates``).
    """
    kept = SETTLED.get(family) or (shipped(templates, template) if family == template else [])
    if not kept:
        return None
    figures, characters = size
    return min(reversed(kept), key=lambda settled: (abs(settled[0][0] - figures), abs(settled[0][1] - characters)))[1]


def shipped(templates: Path, template: str) -> list[tuple[Extent, bytes]]:
    """The ``.aux`` a template's bundled examples left, with their extents: numbers only, else not read."""
    out = []
    for path in sorted((templates / template).glob("settled-*.aux")):
        named = re.fullmatch(r"settled-([0-9]{1,3})-([0-9]{1,9})\.aux", path.name)
        if named and SEED.fullmatch(content := path.read_bytes()):
            out.append(((int(named[1]), int(named[2])), content))
    return out


def remember(family: str, size: Extent, aux: bytes) -> None:
    """A document of ``family`` of extent ``size`` has settled with ``aux``."""
    kept = [settled for settled in SETTLED.get(family, []) if settled[0] != size]
    SETTLED[family] = [*kept[-(KEPT - 1):], (size, aux)]


def resume(family: str, aux: str) -> bool:
    """The next document of ``family`` starts from ``aux``: the ``.aux`` the same document settled with in
    an earlier run (a year's overview, kept in the batch's ledger), nearer to it than any other's. Taken
    only if it is numbers only (:data:`SEED`), as a file read from disk would be; returns whether it was.
    """
    data = aux.encode("ascii", "replace")
    if not SEED.fullmatch(data):
        return False
    SETTLED[family] = [((0, 0), data)]  # the same document's, nearer than any other's
    return True


def latest(family: str) -> bytes | None:
    """The ``.aux`` of the last document of ``family`` that settled."""
    return SETTLED[family][-1][1] if SETTLED.get(family) else None
