"""Write each LaTeX template's ``settled-<figures>-<characters>.aux`` files: where a batch worker's first PDFs of that
template start.

They are the ``.aux`` that the bundled reports leave once settled (their page counts, the pages their
tables' rows fall on, and longtable's column widths, which the official tables fix), each named by
its document's extent (figures and characters, :func:`nianbao.settling.extent`). A worker's first reports start from the one
nearest in extent; any report that comes out the same needs one xelatex pass instead of two or three,
any other just takes the passes it needs. Run it again after changing a template, the tables' layout,
the charts or the bundled examples (the benchmark's per-stage table shows the passes):

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
    settling.SETTLED.clear()
    for path in sorted((ROOT / "params").glob("[0-9]*/*.yaml")):
        agency, year = path.stem, int(path.parent.name)
        report = validate(project, agency, year)
        review = executed(project, agency, year)
        made = blocks(report)
        render.to_pdf(review, 0)
        publication.to_pdf(made, report.title, 0)
        render.to_pdfs(review, publication.notebook(made, report.title), 0)  # both editions in one run
    for template in ("nianbao_latex", publication.TEMPLATE, render.BOTH):
        for old in (render.TEMPLATES / template).glob("settled*.aux"):
            old.unlink()
        for (figures, characters), aux in settling.SETTLED[template]:
            if not settling.SEED.fullmatch(aux):
                sys.exit(f"{template}: a settled .aux holds more than widths and pages:\n{aux.decode()}")
            (render.TEMPLATES / template / f"settled-{figures}-{characters}.aux").write_bytes(aux)
        print(f"{template}: {len(settling.SETTLED[template])} settled .aux")

if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
