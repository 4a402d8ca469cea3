"""Text into LaTeX as text, never as LaTeX.

Everything a user or a published page supplies reaches the PDF through :func:`escape` (a line of
text) or :func:`markdown` (a narrative, read by :mod:`nianbao.prose`'s walker like every other
medium's and written out node by node, every piece of text escaped). No TeX, no HTML and no image
in a narrative is ever passed through; xelatex runs without shell escape and may read only files
under its working folder (see :mod:`nianbao.render`), so that even a missed path reads nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from . import prose

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


def markdown(text: str) -> str:
    """The analyst's Markdown as LaTeX, under the policy of :mod:`nianbao.prose`: every character escaped."""
    return _blocks(prose.read(text)).strip() + "\n"


def _blocks(nodes: Iterable[prose.Node]) -> str:
    return "".join(_block(n) for n in nodes)


def _block(n: prose.Node) -> str:
    if isinstance(n, prose.Paragraph):
        return _spans(n.spans) + "\n\n"
    if isinstance(n, prose.Subheading):
        return f"\\par{{\\bfseries {_spans(n.spans)}}}\\par\\nopagebreak\n\n"
    if isinstance(n, prose.Items):
        env = "enumerate" if n.ordered else "itemize"
        start = f"\\setcounter{{enumi}}{{{n.start - 1}}}\n" if n.ordered and n.start != 1 else ""
        items = "".join(f"\\item{{}} {_blocks(item).strip()}\n" for item in n.items)
        return f"\\begin{{{env}}}\n{start}{items}\\end{{{env}}}\n\n"
    if isinstance(n, prose.Quote):
        return f"\\begin{{quote}}\n{_blocks(n.children).strip()}\n\\end{{quote}}\n\n"
    return "{\\ttfamily\\noindent " + "\\newline{}\n".join(escape(line) for line in n.lines) + "\\par}\n\n"


_STYLES = {"em": "\\emph", "strong": "\\textbf", "code": "\\texttt"}


def _spans(spans: Iterable[prose.Span]) -> str:
    out = []
    for s in spans:
        if isinstance(s, prose.Plain):
            out.append(escape(s.text))
        elif isinstance(s, prose.Break):
            out.append("\\newline{}\n")
        elif isinstance(s, prose.Link):
            out.append(_spans(s.children))  # the address follows as text (the policy)
        else:
            out.append(f"{_STYLES[s.style]}{{{_spans(s.children)}}}")
    return "".join(out)


__all__ = ["escape", "markdown"]
