"""Text into LaTeX as text, never as LaTeX.

Everything a user or a published page supplies reaches the PDF through :func:`escape` (a line of
text) or :func:`markdown` (a narrative, whose Markdown is parsed by the same parser as the HTML
report's and written out node by node, every piece of text escaped). No TeX, no HTML and no image
in a narrative is ever passed through; xelatex runs without shell escape and may read only files
under its working folder (see :mod:`nianbao.render`), so that even a missed path reads nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import mistune

_SPECIAL = {c: "\\" + c for c in "&%$#_{}"} | {
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    "\\": r"\textbackslash{}",
    "[": "{[}",  # never an optional argument of the command before it (\\[2pt], \item[...])
    "]": "{]}",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")
_TRANSLATE = str.maketrans(_SPECIAL)


def escape(text: object) -> str:
    r"""A line of text as LaTeX that typesets exactly that text.

    Line breaks and other control characters become spaces (a blank line would end a paragraph
    inside a command's argument), and a leading ``*`` cannot be read as a starred ``\\\\*``.
    """
    clean = _CONTROL.sub(" ", str(text).replace("\r\n", " ").replace("\n", " ").replace("\t", " "))
    out = clean.translate(_TRANSLATE)
    return "{}" + out if out.startswith("*") else out


_parse = mistune.create_markdown(renderer=None)  # the AST; the HTML report parses with the same rules

_HEADINGS = {1: "subsection*", 2: "subsection*", 3: "subsubsection*"}


def markdown(text: str) -> str:
    """The analyst's Markdown as LaTeX: structure kept, every character of text escaped.

    Raw TeX and HTML show as the characters typed; an image shows as its description and is never
    fetched or embedded; a link shows its text and its address as text.
    """
    tokens = _parse(text or "")
    assert isinstance(tokens, list)  # the AST renderer gives the token list
    return _blocks(tokens).strip() + "\n"


def _blocks(tokens: Iterable[dict[str, Any]]) -> str:
    return "".join(_block(t) for t in tokens)


def _block(t: dict[str, Any]) -> str:
    kind = t["type"]
    if kind == "paragraph":
        return _inline(t.get("children", ())) + "\n\n"
    if kind == "block_text":
        return _inline(t.get("children", ()))
    if kind == "heading":
        level = t.get("attrs", {}).get("level", 3)
        return f"\\{_HEADINGS.get(level, 'paragraph*')}{{{_inline(t.get('children', ()))}}}\n\n"
    if kind == "list":
        env = "enumerate" if t.get("attrs", {}).get("ordered") else "itemize"
        items = "".join(f"\\item{{}} {_blocks(i.get('children', ())).strip()}\n" for i in t.get("children", ()))
        return f"\\begin{{{env}}}\n{items}\\end{{{env}}}\n\n" if items else ""
    if kind == "block_quote":
        return f"\\begin{{quote}}\n{_blocks(t.get('children', ())).strip()}\n\\end{{quote}}\n\n"
    if kind == "block_code":
        lines = t.get("raw", "").rstrip("\n").split("\n")
        return "{\\ttfamily\\noindent " + "\\newline{}\n".join(escape(line) for line in lines) + "\\par}\n\n"
    if kind == "thematic_break":
        return "\\par\\noindent\\rule{\\linewidth}{0.4pt}\\par\n\n"
    if kind == "blank_line":
        return ""
    if "children" in t:
        return _blocks(t["children"])
    return escape(t.get("raw", "")) + "\n\n"  # block HTML and anything else: the characters typed


def _inline(tokens: Iterable[dict[str, Any]]) -> str:
    return "".join(_span(t) for t in tokens)


def _span(t: dict[str, Any]) -> str:
    kind = t["type"]
    if kind in ("text", "inline_html", "block_html"):
        return escape(t.get("raw", ""))
    if kind == "codespan":
        return f"\\texttt{{{escape(t.get('raw', ''))}}}"
    if kind == "emphasis":
        return f"\\emph{{{_inline(t.get('children', ()))}}}"
    if kind == "strong":
        return f"\\textbf{{{_inline(t.get('children', ()))}}}"
    if kind == "softbreak":
        return "\n"
    if kind == "linebreak":
        return "\\newline{}\n"
    if kind == "image":
        return _inline(t.get("children", ()))  # the description only: nothing is fetched or embedded
    if kind == "link":
        label = _inline(t.get("children", ()))
        url = str(t.get("attrs", {}).get("url", ""))
        return label if not url or escape(url) == label else f"{label}（{escape(url)}）"
    if "children" in t:
        return _inline(t["children"])
    return escape(t.get("raw", ""))


__all__ = ["escape", "markdown"]
