r"""The analyst's Markdown, read once by one walker under one policy; each medium only writes it out.

:func:`read` parses a narrative (mistune, CommonMark, no extensions) and walks the tree once, so
that the review HTML, the published page and CMS fragment, both PDFs and the Word file show the
same text. The policy, the same in every medium:

- Every character typed is shown as typed: raw HTML and TeX are text, never markup.
- Paragraphs, lists (numbered or not), block quotes, code, *emphasis* and **bold** are kept.
- A heading inside a narrative is a 小标题 one level below the section's title.
- A link reads as its text followed by its address in full-width brackets, 门户网站（https://…）,
  unless the text is the address: a printed page keeps where it points. In the HTML media the
  text is live only for an ``http``, ``https`` or ``mailto`` address; any other is shown, never
  followed.
- An image reads as its description: nothing is fetched or embedded.
- A line break inside a paragraph joins the lines, with a space only between two letters that are
  not Chinese; a hard break (two spaces or ``\`` at the line's end) stays a break.
- A thematic break (``---``) is dropped: the format has none.

:func:`html` writes the tree for both HTML editions (the publication's with inline styles);
:func:`nianbao.latex.markdown` and :func:`nianbao.edition.word_text.add_markdown` write it for the
PDFs and Word.
"""

from __future__ import annotations

import html as html_
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import mistune

# ---------------------------------------------------------------- the tree every medium writes


@dataclass(frozen=True)
class Plain:
    text: str


@dataclass(frozen=True)
class Styled:
    style: str  # "em", "strong" or "code"
    children: tuple[Span, ...]


@dataclass(frozen=True)
class Break:
    pass


@dataclass(frozen=True)
class Link:
    children: tuple[Span, ...]
    href: str  # the address, followed in the HTML media; always one of LIVE_SCHEMES


Span = Plain | Styled | Break | Link


@dataclass(frozen=True)
class Paragraph:
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Subheading:
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Items:
    ordered: bool
    start: int
    items: tuple[tuple[Node, ...], ...]


@dataclass(frozen=True)
class Quote:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Code:
    lines: tuple[str, ...]


Node = Paragraph | Subheading | Items | Quote | Code

#: The addresses a link may follow; any other is shown as text.
LIVE_SCHEMES = ("http://", "https://", "mailto:")

_parse = mistune.create_markdown(renderer=None)


def read(text: str) -> tuple[Node, ...]:
    """The narrative's tree, with the policy applied."""
    tokens = _parse(text or "")
    assert isinstance(tokens, list)  # the AST renderer gives the token list
    return _blocks(tokens)


def _blocks(tokens: Iterable[dict[str, Any]]) -> tuple[Node, ...]:
    out: list[Node] = []
    for t in tokens:
        out += _block(t)
    return tuple(out)


def _block(t: dict[str, Any]) -> list[Node]:
    kind = t["type"]
    if kind in ("paragraph", "block_text"):
        return [Paragraph(_spans(t.get("children", ())))]
    if kind == "heading":
        return [Subheading(_spans(t.get("children", ())))]
    if kind == "list":
        attrs = t.get("attrs", {})
        items = tuple(_blocks(i.get("children", ())) for i in t.get("children", ()))
        return [Items(bool(attrs.get("ordered")), int(attrs.get("start", 1)), items)] if items else []
    if kind == "block_quote":
        return [Quote(_blocks(t.get("children", ())))]
    if kind == "block_code":
        return [Code(tuple(t.get("raw", "").rstrip("\n").split("\n")))]
    if kind in ("blank_line", "thematic_break"):
        return []
    if "children" in t:
        return list(_blocks(t["children"]))
    raw = t.get("raw", "").strip("\n")  # block HTML and anything else: the characters typed
    return [Paragraph((Plain(raw),))] if raw.strip() else []


def _spans(tokens: Iterable[dict[str, Any]]) -> tuple[Span, ...]:
    tokens = list(tokens)
    out: list[Span] = []
    for i, t in enumerate(tokens):
        kind = t["type"]
        if kind == "softbreak":
            before, after = _text(tokens[i - 1:i]), _text(tokens[i + 1:i + 2])
            out.append(Plain(" " if before and after and not (_wide(before[-1]) or _wide(after[0])) else ""))
        elif kind == "linebreak":
            out.append(Break())
        elif kind == "codespan":
            out.append(Styled("code", (Plain(t.get("raw", "")),)))
        elif kind in ("emphasis", "strong"):
            out.append(Styled("em" if kind == "emphasis" else "strong", _spans(t.get("children", ()))))
        elif kind == "link":
            out += _link(t)
        elif kind == "image":
            out += _spans(t.get("children", ()))  # the description only
        elif "children" in t:
            out += _spans(t["children"])
        else:
            out.append(Plain(t.get("raw", "")))  # text, inline HTML: the characters typed
    return tuple(out)


def _link(t: dict[str, Any]) -> list[Span]:
    label = _spans(t.get("children", ()))
    url = str(t.get("attrs", {}).get("url", "")).strip()
    live = url.lower().startswith(LIVE_SCHEMES)
    out: list[Span] = [Link(label, url)] if live else list(label)
    if url and url != text_of(label):
        out.append(Plain(f"（{url}）"))
    return out


def _text(tokens: Iterable[dict[str, Any]]) -> str:
    return "".join(t.get("raw", "") or _text(t.get("children", ())) for t in tokens)


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def text_of(spans: Iterable[Span]) -> str:
    """The characters a reader sees in some spans."""
    out = []
    for s in spans:
        if isinstance(s, Plain):
            out.append(s.text)
        elif isinstance(s, (Styled, Link)):
            out.append(text_of(s.children))
        else:
            out.append("\n")
    return "".join(out)


def plain(text: str) -> str:
    """The narrative's characters as a reader sees them, block by block on lines (rules that count
    or look for words read this, not the Markdown).
    """
    return "\n".join(_plain(read(text)))


def _plain(nodes: Iterable[Node]) -> list[str]:
    out: list[str] = []
    for n in nodes:
        if isinstance(n, (Paragraph, Subheading)):
            out.append(text_of(n.spans))
        elif isinstance(n, Items):
            for item in n.items:
                out += _plain(item)
        elif isinstance(n, Quote):
            out += _plain(n.children)
        else:
            out += n.lines
    return out


# ---------------------------------------------------------------- HTML, for both HTML editions


def html(nodes: Iterable[Node], style: Mapping[str, str] | None = None) -> str:
    """The tree as HTML; ``style`` gives an inline ``style`` per tag (``p``, ``h4``, ``li`` …)."""
    style = style or {}

    def tag(name: str, inner: str, extra: str = "") -> str:
        css = f' style="{style[name]}"' if name in style else ""
        return f"<{name}{extra}{css}>{inner}</{name}>"

    def block(n: Node) -> str:
        if isinstance(n, Paragraph):
            return tag("p", spans(n.spans)) + "\n"
        if isinstance(n, Subheading):
            return tag("h4", spans(n.spans)) + "\n"
        if isinstance(n, Items):
            items = "".join(tag("li", "".join(block(c) for c in item).strip()) + "\n" for item in n.items)
            if n.ordered:
                return tag("ol", "\n" + items, f' start="{n.start}"' if n.start != 1 else "") + "\n"
            return tag("ul", "\n" + items) + "\n"
        if isinstance(n, Quote):
            return tag("blockquote", "\n" + "".join(block(c) for c in n.children)) + "\n"
        return tag("pre", "<code>" + html_.escape("\n".join(n.lines)) + "\n</code>") + "\n"

    def spans(items: Iterable[Span]) -> str:
        out = []
        for s in items:
            if isinstance(s, Plain):
                out.append(html_.escape(s.text))
            elif isinstance(s, Break):
                out.append("<br />\n")
            elif isinstance(s, Link):
                out.append(f'<a href="{html_.escape(s.href)}">{spans(s.children)}</a>')
            else:
                out.append(tag(s.style, spans(s.children)))
        return "".join(out)

    return "".join(block(n) for n in nodes)


__all__ = ["LIVE_SCHEMES", "Break", "Code", "Items", "Link", "Node", "Paragraph", "Plain", "Quote", "Span", "Styled", "plain",
           "Subheading", "html", "read", "text_of"]
