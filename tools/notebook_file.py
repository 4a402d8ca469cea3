"""Writing a master notebook from its cell list: the part both notebook generators share."""

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_notebook


def write(cells: list, name: str) -> None:
    """Write ``notebooks/<name>`` (or the path given as the first argument) with stable cell ids."""
    nb = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "notebooks" / name
    nbformat.validate(nb)
    path.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    print(f"wrote {path}")
