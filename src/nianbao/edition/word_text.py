"""Text in the Word file: the styles every kind of paragraph takes its look from, runs and paragraphs in
them, and the analyst's Markdown as such paragraphs. The document itself — its page, its blocks and page
number — is :mod:`nianbao.edition.word`, its tables :mod:`nianbao.edition.word_table`.

The look lives in the styles, not on each paragraph: the body style (Normal) carries the body's font, size,
fixed line pitch and two-character first-line indent, the title its own style (Title), part and section
headings Word's Heading 1 and 2 (the navigation pane lists them), table text :data:`TABLE_STYLE`. So a
paragraph a person adds in Word or WPS looks like its neighbours. Each style names :data:`FALLBACK` for the
non-Chinese scripts, so that LibreOffice on Linux draws every character, and the text's East Asian language
is Chinese (zh-CN): LibreOffice then keeps a closing bracket off the start of a line, as Word does.
"""

from __future__ import annotations

from typing import Any

from .. import prose
from ..format.page import PAGE

TITLE_FONT, BODY_FONT, HEI_FONT, KAI_FONT = PAGE.title_font, PAGE.body_font, PAGE.part_font, PAGE.section_font
TABLE_FONT = "宋体"
#: The installed face each style also names, for systems without the official fonts.
FALLBACK = "Noto Serif CJK SC"
#: The paragraph style of the tables' cells.
TABLE_STYLE = "Table Text"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def set_styles(doc: Any) -> None:
    """The document's styles and defaults: the body, the title, the headings, table text, the footer."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt, RGBColor

    styles = doc.styles
    defaults = styles.element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
    set_font(None, defaults, BODY_FONT)
    defaults.find(f"{_W}lang").set(f"{_W}eastAsia", "zh-CN")
    theme = doc.settings.element.find(f"{_W}themeFontLang")
    if theme is not None:
        theme.set(f"{_W}eastAsia", "zh-CN")
    body = styles["Normal"]
    _paragraph_style(body, BODY_FONT, PAGE.body_pt, PAGE.line_pt, indent=2, align="justify")
    title = styles["Title"]
    _paragraph_style(title, TITLE_FONT, PAGE.title_pt, PAGE.title_line_pt, indent=0, align="center")
    title.paragraph_format.space_after = Pt(PAGE.body_pt)
    for name, font in (("Heading 1", HEI_FONT), ("Heading 2", KAI_FONT)):
        _paragraph_style(styles[name], font, PAGE.body_pt, PAGE.line_pt, indent=2, align="justify")
        styles[name].paragraph_format.keep_with_next = True
    for name in ("Title", "Heading 1", "Heading 2"):
        pr = styles[name].element.get_or_add_pPr()
        for extra in (f"{_W}pBdr", f"{_W}contextualSpacing"):
            for found in pr.findall(extra):
                pr.remove(found)
        rpr = styles[name].element.get_or_add_rPr()
        for extra in (f"{_W}spacing", f"{_W}kern", f"{_W}szCs"):
            for found in rpr.findall(extra):
                rpr.remove(found)
        font = styles[name].font
        font.color.rgb, font.bold, font.italic = RGBColor(0, 0, 0), False, False
        styles[name].next_paragraph_style = body
    table = styles[TABLE_STYLE] if TABLE_STYLE in styles else styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    table.base_style = body
    _paragraph_style(table, TABLE_FONT, PAGE.table_pt, PAGE.table_line_pt, indent=0, align="center")
    table.paragraph_format.keep_together = True
    _paragraph_style(styles["Footer"], TABLE_FONT, PAGE.folio_pt, PAGE.folio_pt * 1.2, indent=0, align="center")


def _paragraph_style(style: Any, font: str, size: float, line: float, *, indent: int, align: str) -> None:
    from docx.shared import Pt

    set_font(style.font, style.element, font, Pt(size))
    fmt = style.paragraph_format
    fmt.alignment = _align(align)
    fmt.line_spacing = Pt(line)  # a length: a fixed pitch (lineRule exact)
    fmt.space_before = fmt.space_after = Pt(0)
    set_indent(fmt, style.element.get_or_add_pPr(), indent, size)


def set_indent(fmt: Any, ppr: Any, chars: int, size: float) -> None:
    """A first-line indent of ``chars`` characters: in characters for Word and WPS, in points for LibreOffice."""
    from docx.shared import Pt

    fmt.first_line_indent = Pt(chars * size)
    ppr.get_or_add_ind().set(f"{_W}firstLineChars", str(chars * 100))


def set_font(font: Any, element: Any, east_asia: str, size: Any = None, bold: bool | None = None) -> None:
    """A run's or style's font: the Chinese face by name, :data:`FALLBACK` for the other scripts.

    ``element`` is the run or style, or an ``rPr`` itself; theme fonts are dropped, since Word prefers them
    to a named face.
    """
    from docx.oxml.ns import qn

    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rpr = element if element.tag == qn("w:rPr") else element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme") or attr.endswith("theme"):
            del fonts.attrib[attr]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), FALLBACK)
    fonts.set(qn("w:eastAsia"), east_asia)


def _align(align: str) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    return {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY, "left": WD_ALIGN_PARAGRAPH.LEFT}[align]


def add_paragraph(doc: Any, text: str = "", *, style: str | None = None, size: float | None = None, bold: bool = False,
                  align: str | None = None, indent: bool = True) -> Any:
    """A paragraph in ``style`` (the body's by default); only what differs from the style is set on it."""
    p = doc.add_paragraph()
    if style is not None:  # by its id: python-docx's style= scans every style for the default, per paragraph
        p._p.style = doc.styles[style].style_id
    if align is not None:
        p.alignment = _align(align)
    if not indent:
        set_indent(p.paragraph_format, p._p.get_or_add_pPr(), 0, size or PAGE.body_pt)
    if text:
        add_run(p, text, size=size, bold=bold)
    return p


def add_run(p: Any, text: str, *, font: str | None = None, size: float | None = None, bold: bool = False,
            italic: bool = False) -> Any:
    """A run of text in its paragraph's style, with only ``font``, ``size``, bold and italic set on it."""
    from docx.shared import Pt

    run = p.add_run(text)
    if font is not None:
        set_font(run.font, run._element, font)
    if size is not None:
        run.font.size = Pt(size)
    if bold:
        run.font.bold = True
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
