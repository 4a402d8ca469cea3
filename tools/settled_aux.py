"""Write each LaTeX template's ``settled.aux``: where a batch worker's first PDF of that template starts.

It is the ``.aux`` that the bundled ``shimen`` 2024 report leaves once settled (its page count and
longtable's column widths, which the official tables fix). Any report that comes out the same needs
one xelatex pass instead of two or three; any other just takes the passes it needs. Run it again
after changing a template or the tables' layout (the benchmark's per-stage table shows the passes):

    .venv/bin/python tools/settled_aux.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from nianbao import render, settling
    from nianbao.edition import blocks
    from nianbao.edition import pdf as publication
    from nianbao.params import Project
    from nianbao.report import validate
    from tests.inprocess import executed

    project = Project(ROOT)
    report = validate(project, "shimen", 2024)
    review = executed(project, "shimen", 2024)
    render.to_pdf(review, 0)
    made = blocks(report)
    publication.to_pdf(made, report.title, 0)
    render.to_pdfs(review, publication.notebook(made, report.title), 0)  # both editions in one run
    for template in ("nianbao_latex", publication.TEMPLATE, render.BOTH):
        aux = settling.SETTLED[template]
        if not settling.SEED.fullmatch(aux):
            sys.exit(f"{template}: the settled .aux holds more than widths and the page count:\n{aux.decode()}")
        (render.TEMPLATES / template / "settled.aux").write_bytes(aux)
        print(f"{template}/settled.aux: {len(aux)} bytes")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
