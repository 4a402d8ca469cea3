"""The publication edition as HTML: the fragment a CMS editor takes in, and the full page around it.

The fragment is made for what the rich-text editors government sites run keep (TinyMCE, CKEditor 4,
KindEditor, wangEditor, UEditor; ``tests/test_editors.py`` sets and pastes it into each, README
"网站文章编辑器"): structure — headings, paragraphs, tables with their merges — and the attributes
every one of them keeps (``border``, ``cellpadding``, ``cellspacing``, ``align``, ``valign``). Fonts,
sizes and spacing are inline ``style`` on each element, an extra that some editors drop without harm.
So the fragment is a run of block elements with no wrapper (an ``<article>`` is dropped or, in
wangEditor, swallows the report into one paragraph) and no whitespace between tags (which wangEditor
turns into empty paragraphs); paragraphs and headings open with two ideographic spaces, the indent of
Chinese documents that lives in the text, where every editor keeps it (``text-indent`` survives in half
the ways in, and both together would indent four). It has no script, no external resource and no font
of its own.

The page wraps the fragment in an ``<article>`` of its own and adds print CSS for A4 (margins of
党政机关公文格式, the table header repeated on each printed page).

Every text is escaped; the analyst's Markdown is written from :mod:`nianbao.prose`'s tree.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

from .. import prose
from ..drawing import figure_html
from ..format.page import PAGE
from ..grid import CAPTION, Grid
from . import Block, Figure, Heading, Signature, Table, Text, Title

SERIF = "'FangSong','仿宋','仿宋_GB2312','STFangsong','Noto Serif CJK SC','Source Han Serif SC',serif"
TITLE_FONT = "'方正小标宋简体','FZXiaoBiaoSong-B05S','STZhongsong','华文中宋','Noto Serif CJK SC',serif"
HEI = "'黑体','SimHei','Noto Sans CJK SC','Source Han Sans SC',sans-serif"
KAI = "'楷体','KaiTi','楷体_GB2312','STKaiti','Noto Serif CJK SC',serif"

#: The first-line indent of 公文 (two characters), as Chinese web articles write it: in the text.
INDENT = "\u3000\u3000"

_BODY = f"font-size:{PAGE.body_pt}pt;line-height:1.8;color:#000;"
STYLE = {
    "h1": f"font-family:{TITLE_FONT};font-size:{PAGE.title_pt}pt;font-weight:bold;text-align:center;line-height:1.5;color:#000;margin:0.5em 0 1em;",
    "h2": f"font-family:{HEI};{_BODY}font-weight:normal;margin:0.8em 0 0.4em;",
    "h3": f"font-family:{KAI};{_BODY}font-weight:normal;margin:0.6em 0 0.3em;",
    "h4": f"font-family:{SERIF};{_BODY}font-weight:bold;margin:0 0 0.3em;",
    "p": f"font-family:{SERIF};{_BODY}margin:0 0 0.3em;text-align:justify;",
    "li": f"font-family:{SERIF};{_BODY}margin:0 0 0.2em;",
    "table": f"font-family:{SERIF};color:#000;border-collapse:collapse;margin:0.6em auto;font-size:10.5pt;line-height:1.4;",
    "th": "border:1px solid #000;padding:3px 5px;text-align:center;vertical-align:middle;font-weight:bold;",
    "label": "border:1px solid #000;padding:3px 5px;text-align:left;vertical-align:middle;font-weight:normal;",
    "td": "border:1px solid #000;padding:3px 5px;text-align:center;vertical-align:middle;",
    "caption": "caption-side:top;text-align:center;font-weight:bold;padding:0 0 0.3em;",
    "note": f"font-family:{SERIF};font-size:12pt;line-height:1.8;color:#000;margin:0.2em 0 0.8em;",
    "sign": f"font-family:{SERIF};{_BODY}text-align:right;margin:0;",
}

#: What an editor that drops ``style`` still keeps of the look: the alignment, as attributes.
_ALIGN = {"h1": "center", "sign": "right", "th": "center", "td": "center", "label": "left"}


def _s(name: str) -> str:
    align = f' align="{_ALIGN[name]}"' if name in _ALIGN else ""
    cell = ' valign="middle"' if name in ("th", "td", "label") else ""
    return f'{align}{cell} style="{STYLE[name]}"'


#: The analyst's Markdown in the edition's look: a 小标题 in bold 仿宋 (the third level of 党政机关公文).
_PROSE_STYLE = {"p": STYLE["p"], "h4": STYLE["h4"], "li": STYLE["li"]}


def table_html(grid: Grid, caption: str = "") -> str:
    """A grid as a table with ``border="1"`` and aligned cells (kept by every CMS editor) and inline styles."""
    rows: list[list[str]] = [[] for _ in range(grid.n_rows)]
    for cell in sorted(grid.cells, key=lambda c: (c.row, c.col)):
        tag = "th" if cell.header else "td"
        style = "label" if cell.header and cell.row >= grid.header_rows and cell.colspan == 1 else tag
        if cell.header and cell.role == CAPTION:
            style = "th"
        spans = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
            f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
        rows[cell.row].append(f"<{tag}{spans}{_s(style)}>{html.escape(cell.text)}</{tag}>")
    head = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[: grid.header_rows])
    body = "".join(f"<tr>{''.join(r)}</tr>" for r in rows[grid.header_rows :])
    cap = f"<caption{_s('caption')}>{html.escape(caption)}</caption>" if caption else ""
    return (f'<table border="1" cellspacing="0" cellpadding="4" align="center"{_s("table")}>{cap}'
            + (f"<thead>{head}</thead>" if head else "") + f"<tbody>{body}</tbody></table>")


def block_html(block: Block) -> str:
    """One block of the edition as HTML: attributes every editor keeps, styles inline, no whitespace between tags."""
    if isinstance(block, Title):
        return f"<h1{_s('h1')}>{'<br />'.join(html.escape(line) for line in block.lines or (block.text,))}</h1>"
    if isinstance(block, Heading):
        tag = "h2" if block.level == 1 else "h3"
        return f"<{tag}{_s(tag)}>{INDENT}{html.escape(block.text)}</{tag}>"
    if isinstance(block, Text):
        return _joined(prose.html(_indented(prose.read(block.markdown)), _PROSE_STYLE)).rstrip("\n")
    if isinstance(block, Table):
        out = table_html(block.grid, block.caption)
        if block.note:
            out += f"<p{_s('note')}>注：{html.escape(block.note)}</p>"
        return out
    if isinstance(block, Figure):
        return figure_html(block.png, block.alt)
    if isinstance(block, Signature):
        lines = [x for x in (block.office, block.date) if x]
        return "".join(f"<p{_s('sign')}>{html.escape(x)}</p>" for x in lines)
    raise TypeError(block)


def _indented(nodes: tuple[prose.Node, ...]) -> tuple[prose.Node, ...]:
    """The narrative's paragraphs and 小标题 opening with :data:`INDENT` (list items and quotes keep their own)."""
    return tuple(replace(n, spans=(prose.Plain(INDENT), *n.spans)) if isinstance(n, (prose.Paragraph, prose.Subheading))
                 else n for n in nodes)


def _joined(markup: str) -> str:
    """HTML without the line breaks between its tags (text never holds a bare ``<`` or ``>``, so only those go)."""
    return re.sub(r">[ \t\r\n]*\n[ \t\r\n]*<", "><", markup)


def fragment(blocks: list[Block]) -> str:
    """The report for a CMS editor: block elements with no wrapper and no whitespace between them, no script,
    nothing loaded from elsewhere.
    """
    return "".join(block_html(b) for b in blocks)


PRINT_CSS = f"\n@page {{ size: A4; margin: {PAGE.css_margin}; }}" + """
body { margin: 0; background: #fff; }
article { max-width: 46em; margin: 0 auto; }
@media screen { body { padding: 2em 1em; } }
@media print {
  article { max-width: none; }
  thead { display: table-header-group; }
  tr, img { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
"""


def page(blocks: list[Block]) -> str:
    """The fragment as a whole page, in an ``<article>`` of its own, with print CSS for A4."""
    title = next((b.text for b in blocks if isinstance(b, Title)), "")
    return (
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PRINT_CSS}</style>\n</head>\n<body>\n"
        f"<article>{fragment(blocks)}</article>\n</body>\n</html>\n"
    )


def plain(markup: str) -> str:
    """The text of some HTML, for tests and the plain view."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


__all__ = ["INDENT", "PRINT_CSS", "STYLE", "block_html", "fragment", "page", "table_html"]
