r"""The publication edition as PDF, through nbconvert's LaTeX path like the review edition.

The blocks become a notebook made here (no kernel: every output is known), each output carrying
its LaTeX; :func:`nianbao.render.to_pdf` typesets it on the ``nianbao_publish_latex`` template with
the same guards (no shell escape, reads and writes only in its build folder, missing glyphs fail).
Tables longer than a few rows are ``longtable``\ s whose header repeats under “续表” on each page.
"""

from __future__ import annotations

import base64

import nbformat

from ..latex import escape
from ..latex import markdown as latex_markdown
from ..table_latex import to_latex
from . import Block, Figure, Heading, Signature, Table, Text, Title

TEMPLATE = "nianbao_publish_latex"
#: The width tables may take (cm): the type area of GB/T 9704 is 15.6 cm wide.
TEXT_WIDTH = 15.2


def block_latex(block: Block) -> str:
    if isinstance(block, Title):
        return "\\nbtitle{" + "\\\\".join(escape(line) for line in block.lines or (block.text,)) + "}"
    if isinstance(block, Heading):
        return f"\\nb{'part' if block.level == 1 else 'section'}{{{escape(block.text)}}}"
    if isinstance(block, Text):
        return latex_markdown(block.markdown)
    if isinstance(block, Table):
        long = block.grid.n_rows > 8  # breaks across pages as table_latex says; a short table stays whole
        body = "{\\fontsize{10.5pt}{13pt}\\selectfont\n" + to_latex(block.grid, long=long, fit=TEXT_WIDTH) + "}"  # 五号
        if not long:
            body = f"\\par\\noindent\\begin{{minipage}}{{\\linewidth}}\\centering\n{body}\n\\end{{minipage}}\\par\\medskip"
        if block.note:
            body += f"\n\\par\\noindent{{\\small 注：{escape(block.note)}}}\\par"
        return body
    if isinstance(block, Signature):
        lines = "\\\\\n".join(escape(x) for x in (block.office, block.date) if x)
        return f"\\nbsign{{{lines}}}"
    raise TypeError(block)


def notebook(blocks: list[Block], title: str) -> nbformat.NotebookNode:
    """The edition as an executed notebook: one output per block, LaTeX (and PDF for a chart)."""
    nb = nbformat.v4.new_notebook()
    for block in blocks:
        if isinstance(block, Figure):
            data = {"application/pdf": base64.b64encode(block.pdf).decode("ascii"), "text/plain": block.alt}
        else:
            data = {"text/latex": block_latex(block), "text/plain": ""}
        cell = nbformat.v4.new_code_cell("", outputs=[nbformat.v4.new_output("display_data", data=data)])
        nb.cells.append(cell)
    nb.metadata["title"] = title
    return nb


def to_pdf(blocks: list[Block], title: str, source_date_epoch: int) -> bytes:
    from ..render import to_pdf as typeset

    return typeset(notebook(blocks, title), source_date_epoch, template=TEMPLATE)


__all__ = ["TEMPLATE", "block_latex", "notebook", "to_pdf"]
