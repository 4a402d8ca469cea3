"""Text in the Word file: runs and paragraphs in the report's fonts (each naming :data:`FALLBACK` too, so
that LibreOffice on Linux draws every character), and the analyst's Markdown as such paragraphs.
The document itself — its page, its blocks, tables and page number — is :mod:`nianbao.edition.word`.
"""

from __future__ import annotations

from typing import Any

import mistune

from ..format.page import PAGE

TITLE_FONT, BODY_FONT, HEI_FONT, KAI_FONT = PAGE.title_font, PAGE.body_font, PAGE.part_font, PAGE.section_font
TABLE_FONT = "宋体"
#: The installed face each run also names, for systems without the official fonts.
FALLBACK = "Noto Serif CJK SC"

_parse = mistune.create_markdown(renderer=None)


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
    tokens = _parse(text or "")
    assert isinstance(tokens, list)
    for t in tokens:
        _md_block(doc, t)


def _md_block(doc: Any, t: dict) -> None:
    kind = t["type"]
    if kind in ("paragraph", "block_text"):
        p = add_paragraph(doc)
        _inline(p, t.get("children", ()))
    elif kind == "heading":
        p = add_paragraph(doc, font=KAI_FONT)
        _inline(p, t.get("children", ()), font=KAI_FONT)
    elif kind == "list":
        ordered = t.get("attrs", {}).get("ordered")
        for n, item in enumerate(t.get("children", ()), start=1):
            p = add_paragraph(doc)
            add_run(p, f"{n}. " if ordered else "• ")
            for child in item.get("children", ()):
                if child["type"] in ("paragraph", "block_text"):
                    _inline(p, child.get("children", ()))
                else:
                    _md_block(doc, child)
    elif kind == "block_quote":
        for child in t.get("children", ()):
            _md_block(doc, child)
    elif kind == "block_code":
        for line in t.get("raw", "").rstrip("\n").split("\n"):
            add_paragraph(doc, line, indent=False)
    elif kind in ("blank_line", "thematic_break"):
        return
    elif "children" in t:
        for child in t["children"]:
            _md_block(doc, child)
    elif t.get("raw", "").strip():
        add_paragraph(doc, t["raw"])  # block HTML: the characters typed


def _inline(p: Any, tokens: Any, *, bold: bool = False, italic: bool = False, font: str = BODY_FONT) -> None:
    for t in tokens:
        kind = t["type"]
        if kind in ("text", "inline_html", "codespan", "block_html"):
            add_run(p, t.get("raw", ""), bold=bold, italic=italic, font=font)
        elif kind == "strong":
            _inline(p, t.get("children", ()), bold=True, italic=italic, font=font)
        elif kind == "emphasis":
            _inline(p, t.get("children", ()), bold=bold, italic=True, font=font)
        elif kind == "softbreak":
            continue  # a line break inside a Chinese paragraph joins
        elif kind == "linebreak":
            p.add_run().add_break()
        elif kind == "link":
            _inline(p, t.get("children", ()), bold=bold, italic=italic, font=font)
            url = str(t.get("attrs", {}).get("url", ""))
            label = "".join(c.get("raw", "") for c in t.get("children", ()))
            if url and url != label:
                add_run(p, f"（{url}）", font=font)
        elif "children" in t:  # an image shows its description only
            _inline(p, t["children"], bold=bold, italic=italic, font=font)
        else:
            add_run(p, t.get("raw", ""), bold=bold, italic=italic, font=font)
