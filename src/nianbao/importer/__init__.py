r"""Published annual reports back into data: the saved web page, the text copied from it, or the PDF.

Three thin readers turn a file into a :class:`Source` — the report as text with every table cell on
a line of its own (as a browser copies a table), its prose as one paragraph per line, and for a web
page its real ``<table>``\\ s as grids. One pure parser, :func:`parse`, turns a Source into an
:class:`Imported`: the :class:`~nianbao.model.ReportData`, the agency's name as the title prints it,
the format, and notes.

How values are placed, and what is never guessed:

- From a web page, values come from the table cells, rows found by their labels, rowspan and
  colspan honoured. From text and PDF, from the order of the format's labels: the values between
  one row label and the next belong to that row.
- A row that reads exactly as many values as it has cells is taken as printed, even when it breaks
  a rule (the checks report that). A row that reads fewer values — cells run together
  ("行政规范性文件693665") or blank cells lost in the copy — is taken only when exactly one way of
  splitting its digits and placing its values satisfies the format's rules (B-ROWSUM, then B-COLSUM
  and B-BALANCE across the table; C-TOTAL); its cells get provenance ``derived: <rules> …``.
  Otherwise, and whenever a row reads more values than it has cells, its cells are ``"?"`` with
  provenance ``unknown: <reason>``. The rest of the report is still imported.
- （六）其他处理 printed as a single row (the 2019 format, and some 2021 reports): when its figure is
  0 or blank, so is each of its three sub-rows (non-negative counts that add up to 0: derived by
  V-VALUE); otherwise the three sub-rows are unknown and the printed figure is kept in the table's note.
- The 2019 format (国办公开办函〔2019〕60号) is recognised by its table A. Tables B and C map
  unchanged; of table A only 行政许可、行政处罚、行政强制's 处理决定数量 map; every other cell of
  table A has no counterpart and is unknown, with the reason.
- Fees (table F) are read from part 六's sentences (or a fee table on a web page). A figure the
  report does not state stays blank, with a note; notices that must exist (fees were collected) but
  are not stated are unknown.
- Narrative: the preamble; part 一's five sections when headed （一）…（五） (text before the first
  heading goes to overview.active, and with no headings the whole part does); part 五 by its two
  headings, or else split before the sentence that turns to improvements ("针对…", "下一步…");
  part 六 whole, without the signature and date. The part headings are kept as printed.
- The agency id, when not given, is ``agency-`` and the first 8 hex digits of the SHA-1 of the name
  (:func:`agency_slug`); the command line first looks the name up in ``params/agencies.yaml``.

The modules, each named for what it produces; each imports only modules above it::

    labels     canonical text, label patterns, labels found in a text
    sources    Source, Cell, Grid, Scanned; copied text and a PDF's text layer → Source
    pages      a saved web page → Source, its tables as grids
    parts      where each part's heading stands
    dates      printed dates → ISO dates
    identity   the title's agency name and year → agency id
    tokens     a cell's text → a token (number with unit, blank, dash, junk)
    readings   a table's printed rows → readings
    rows       readings → each row's outcome (as printed, derived, unknown)
    cells      outcomes → cell values with provenance; tables A, B, C
    fees       table F from part 六 or a fee table
    narrative  parts → narrative keys, headings, the signed date
    imported   Imported, the result
    parse      Source → Imported
    pictures   a scan's pages as pictures: drawn or scaled to 300 dpi, the seal out, levelled
    ruling     a scanned page's tables from the lines in the picture
    ocr        Tesseract run on pictures: a page's text, lines of cells' texts with their confidence
    scan       an image-only PDF or a page picture → Source: tables read cell by cell, the text
    files      path → Source → Imported: the only I/O
"""

from .files import SUFFIXES, photographed, read_report, read_source
from .identity import agency_slug, registered
from .imported import FORMATS, Imported, with_agency
from .labels import BLANK_CELL
from .pages import html_source
from .parse import parse, parse_html, parse_text
from .readings import Reading
from .sources import Cell, Grid, Source, pdf_source, text_source

__all__ = [
    "BLANK_CELL",
    "FORMATS",
    "SUFFIXES",
    "Cell",
    "Grid",
    "Imported",
    "Reading",
    "Source",
    "agency_slug",
    "html_source",
    "parse",
    "parse_html",
    "parse_text",
    "pdf_source",
    "photographed",
    "read_report",
    "read_source",
    "registered",
    "text_source",
    "with_agency",
]
