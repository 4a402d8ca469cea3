"""The publication edition as HTML: the ``<article>`` a CMS editor pastes, and the full page around it.

The fragment carries its styles inline (``style=""`` on each element, ``border``/``cellpadding`` on
tables), because a CMS editor keeps those and drops ``<style>`` blocks, classes and external
stylesheets. It has no script, no external resource and no font of its own. The page adds print
CSS for A4 (margins of 党政机关公文格式, the table header repeated on each printed page).

Every text is escaped; the analyst's Markdown is written from :mod:`nianbao.prose`'s tree.
"""

from __future__ import annotations

import html
import re

from .. import prose
from ..drawing import figure_html
from ..format.page import PAGE
from ..grid import CAPTION, Grid
from . import Block, Figure, Heading, Signature, Table, Text, Title

SERIF = "'FangSong','仿宋','仿宋_GB2312','STFangsong','Noto Serif CJK SC','Source Han Serif SC',serif"
TITLE_FONT = "'方正小标宋简体','FZXiaoBiaoSong-B05S','STZhongsong','华文中宋','Noto Serif CJK SC',serif"
HEI = "'黑体','SimHei','Noto Sans CJK SC','Source Han Sans SC',sans-serif"
KAI = "'楷体','KaiTi','楷体_GB2312','STKaiti','Noto Serif CJK SC',serif"

STYLE = {
    "article": f"font-family:{SERIF};font-size:{PAGE.body_pt}pt;line-height:1.8;color:#000;max-width:46em;margin:0 auto;",
    "h1": f"font-family:{TITLE_FONT};font-size:{PAGE.title_pt}pt;font-weight:bold;text-align:center;line-height:1.5;margin:0.5em 0 1em;",
    "h2": f"font-family:{HEI};font-size:{PAGE.body_pt}pt;font-weight:normal;margin:0.8em 0 0.4em;text-indent:2em;",
    "h3": f"font-family:{KAI};font-size:{PAGE.body_pt}pt;font-weight:normal;margin:0.6em 0 0.3em;text-indent:2em;",
    "h4": "font-size:inherit;font-weight:bold;margin:0 0 0.3em;text-indent:2em;",
    "p": "text-indent:2em;margin:0 0 0.3em;text-align:justify;",
    "li": "margin:0 0 0.2em;",
    "table": "border-collapse:collapse;margin:0.6em auto;font-size:10.5pt;line-height:1.4;",
    "th": "border:1px solid #000;padding:3px 5px;text-align:center;vertical-align:middle;font-weight:bold;",
    "label": "border:1px solid #000;padding:3px 5px;text-align:left;vertical-align:middle;font-weight:normal;",
    "td": "border:1px solid #000;padding:3px 5px;text-align:center;vertical-align:middle;",
    "caption": "caption-side:top;text-align:center;font-weight:bold;padding:0 0 0.3em;",
    "note": "font-size:12pt;text-indent:0;margin:0.2em 0 0.8em;",
    "sign": "text-align:right;text-indent:0;margin:0;",
}


def _s(name: str) -> str:
    return f' style="{STYLE[name]}"'


#: The analyst's Markdown in the edition's look: a 小标题 in bold 仿宋 (the third level of 党政机关公文).
_PROSE_STYLE = {"p": STYLE["p"], "h4": STYLE["h4"], "li": STYLE["li"]}


def table_html(grid: Grid, caption: str = "") -> str:
    """A grid as a table with inline styles and ``border="1"`` (kept by every CMS editor)."""
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
    return (f'<table border="1" cellspacing="0" cellpadding="4"{_s("table")}>{cap}'
            + (f"<thead>{head}</thead>" if head else "") + f"<tbody>{body}</tbody></table>")


def block_html(block: Block) -> str:
    """One block of the edition as HTML with inline styles."""
    if isinstance(block, Title):
        return f"<h1{_s('h1')}>{html.escape(block.text)}</h1>\n"
    if isinstance(block, Heading):
        tag = "h2" if block.level == 1 else "h3"
        return f"<{tag}{_s(tag)}>{html.escape(block.text)}</{tag}>\n"
    if isinstance(block, Text):
        return prose.html(prose.read(block.markdown), _PROSE_STYLE)
    if isinstance(block, Table):
        out = table_html(block.grid, block.caption)
        if block.note:
            out += f"<p{_s('note')}>注：{html.escape(block.note)}</p>"
        return out + "\n"
    if isinstance(block, Figure):
        return figure_html(block.png, block.alt) + "\n"
    if isinstance(block, Signature):
        lines = [x for x in (block.office, block.date) if x]
        return "".join(f"<p{_s('sign')}>{html.escape(x)}</p>\n" for x in lines)
    raise TypeError(block)


def fragment(blocks: list[Block]) -> str:
    """One ``<article>`` for a CMS: inline styles only, no script, nothing loaded from elsewhere."""
    body = "".join(block_html(b) for b in blocks)
    return f'<article lang="zh"{_s("article")}>\n{body}</article>\n'


PRINT_CSS = f"\n@page {{ size: A4; margin: {PAGE.css_margin}; }}" + """
body { margin: 0; background: #fff; }
@media screen { body { padding: 2em 1em; } }
@media print {
  article { max-width: none !important; }
  thead { display: table-header-group; }
  tr, img { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
"""


def page(blocks: list[Block]) -> str:
    """The fragment as a whole page, with print CSS for A4."""
    title = next((b.text for b in blocks if isinstance(b, Title)), "")
    return (
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PRINT_CSS}</style>\n</head>\n<body>\n"
        f"{fragment(blocks)}</body>\n</html>\n"
    )


def plain(markup: str) -> str:
    """The text of some HTML, for tests and the plain view."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


__all__ = ["PRINT_CSS", "STYLE", "block_html", "fragment", "page", "table_html"]
