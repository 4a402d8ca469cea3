"""Text in the Word file: runs and paragraphs in the report's fonts (each naming :data:`FALLBACK` too, so
that LibreOffice on Linux draws every character), and the analyst's Markdown as such paragraphs.
The document itself — its page, its blocks, tables and page number — is :mod:`nianbao.edition.word`.
"""

from __future__ import annotations

from typing import Any

from .. import prose
from ..format.page import PAGE

TITLE_FONT, BODY_FONT, HEI_FONT, KAI_FONT = PAGE.title_font, PAGE.body_font, PAGE.part_font, PAGE.section_font
TABLE_FONT = "宋体"
#: The installed face each run also names, for systems without the official fonts.
FALLBACK = "Noto Serif CJK SC"


def set_font(font: Any, element: Any, east_asia: str, size: Any = None, bold: bool | None = None) -> None:
    """A run's or style's font: the Chinese face by name, :data:`FALLBACK` for the other scripts."""
    from docx.oxml.ns import qn

    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), FALLBACK)
    fonts.set(qn("w:eastAsia"), east_asia)


def add_paragraph(doc: Any, text: str = "", *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
               align: str = "justify", indent: bool = True) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    p = doc.add_paragraph()
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                   "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
    p.paragraph_format.first_line_indent = Pt(2 * size) if indent else Pt(0)
    if text:
        add_run(p, text, font=font, size=size, bold=bold)
    return p


def add_run(p: Any, text: str, *, font: str = BODY_FONT, size: float = 16, bold: bool = False, italic: bool = False) -> Any:
    from docx.shared import Pt

    run = p.add_run(text)
    set_font(run.font, run._element, font, Pt(size), bold or None)
    if italic:
        run.font.italic = True
    return run


def add_markdown(doc: Any, text: str) -> None:
    """The analyst's Markdown as paragraphs, under the policy of :mod:`nianbao.prose`."""
    for node in prose.read(text):
        _block(doc, node)


def _block(doc: Any, n: prose.Node, marker: str = "") -> None:
    if isinstance(n, (prose.Paragraph, prose.Subheading)):
        p = add_paragraph(doc)
        if marker:
            add_run(p, marker)
        _spans(p, n.spans, bold=isinstance(n, prose.Subheading))
    elif isinstance(n, prose.Items):
        for number, item in enumerate(n.items, start=n.start):
            mark = f"{number}. " if n.ordered else "• "
            for i, child in enumerate(item):
                _block(doc, child, mark if i == 0 else "")
    elif isinstance(n, prose.Quote):
        for child in n.children:
            _block(doc, child, marker)
    else:
        for line in n.lines:
            add_paragraph(doc, line, indent=False)


def _spans(p: Any, spans: Any, *, bold: bool = False, italic: bool = False) -> None:
    for s in spans:
        if isinstance(s, prose.Plain):
            if s.text:
                add_run(p, s.text, bold=bold, italic=italic)
        elif isinstance(s, prose.Break):
            p.add_run().add_break()
        elif isinstance(s, prose.Link):
            _spans(p, s.children, bold=bold, italic=italic)  # the address follows as text (the policy)
        else:
            _spans(p, s.children, bold=bold or s.style == "strong", italic=italic or s.style == "em")
