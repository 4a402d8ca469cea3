"""The analyst's narrative: placeholders filled from the tables, text made safe to display.

Narrative text is Markdown. A figure that also stands in a table is written as a placeholder —
``{{ B.new.total }}`` or an alias such as ``{{ 本年新收 }}`` — so text and tables cannot disagree.
"""

from __future__ import annotations

from . import prose
from .model import PLACEHOLDER, ReportData, number, placeholder_key


def figure_text(value: object) -> str:
    """A cell's value as a sentence states it: blank and dashes read as 0, unknown as ？."""
    n = number(value)  # type: ignore[arg-type]
    if n is None:
        return "？"
    if isinstance(n, float):
        return f"{n:.6g}" if not n.is_integer() else str(int(n))
    return str(n)


def fill(text: str, data: ReportData) -> str:
    """The text with every placeholder replaced by the figure it names.

    Placeholders were validated when the data was loaded; an unknown one is left as written.
    """

    def replace(match) -> str:
        key = placeholder_key(match.group(1))
        return figure_text(data.cells[key]) if key else match.group(0)

    return PLACEHOLDER.sub(replace, text)


def filled(data: ReportData) -> dict[str, str]:
    """Every narrative field of the report, placeholders filled: the text a reader sees."""
    return {key: fill(text, data) for key, text in data.narrative.items()}


def to_html(text: str) -> str:
    """The analyst's Markdown as HTML in which typed HTML shows as text and never runs (:mod:`.prose`)."""
    return prose.html(prose.read(text))
