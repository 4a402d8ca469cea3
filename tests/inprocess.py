"""The master notebook's outputs made in this process, without a kernel: each code cell's call is
evaluated here and its display objects stored as a kernel would store them. The HTML the exporter
makes from it is the kernel's byte for byte (``test_render`` proves it), so HTML assertions can run
in the tier that starts no kernel."""

from __future__ import annotations

import ast
import copy

import nbformat

from nianbao.notebook import parameters
from nianbao.params import Project
from nianbao.run import Run


def executed(project: Project, agency: str, year: int) -> nbformat.NotebookNode:
    """The master notebook for the agency-year as papermill would leave it, annotated as published."""
    from nianbao.edition import title_lines
    from nianbao.render import annotate
    from nianbao.report import validate

    prepared = validate(project, agency, year)
    nb = nbformat.read(project.notebook, as_version=4)
    out = copy.deepcopy(nb)
    namespace: dict = {}
    count = 0
    for cell in out.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.metadata.get("tags", [])
        tree = ast.parse(cell.source)
        count += 1
        cell.execution_count = count
        cell.outputs = []
        if "parameters" in tags:
            exec(compile(tree, "<parameters>", "exec"), namespace)
            namespace.update(parameters(Run(project, year, agency)))
            continue
        last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        if last is not None:
            tree.body = tree.body[:-1]
        exec(compile(tree, "<cell>", "exec"), namespace)
        if last is None:
            continue
        value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
        if hasattr(value, "items"):  # Outputs: shown one by one, as display() shows them
            cell.outputs = [nbformat.v4.new_output("display_data", data=item.bundle) for item in value.items]
        elif value is not None:
            cell.outputs = [nbformat.v4.new_output("execute_result", data=value.bundle, execution_count=count)]
    annotate(out, prepared.title, year, office=prepared.agency.office, published=prepared.data.published,
             title_lines=title_lines(prepared))
    return out
