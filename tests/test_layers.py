"""The house: every module's imports (those inside functions too) follow the layer order the README's
目录 states, bottom up, and no modules import each other round in a cycle."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "src" / "nianbao"


def modules() -> dict[str, Path]:
    """Dotted name (``nianbao.edition.pdf``) → file, for every module of the package."""
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its file."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target != "nianbao":
                found.add(target)
    return found


def layers() -> list[str]:
    """The top-level modules and packages in the order the README's 目录 lists them, bottom first."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text[text.index("src/nianbao/ "):]
    block = block[: block.index("```")]
    return re.findall(r"(?m)^  ([a-z_]+)(?:/|\.py)", block)


def top(name: str) -> str:
    return name.split(".")[1]


def test_the_readme_lists_every_module_of_the_package() -> None:
    listed = layers()
    assert len(listed) == len(set(listed))
    present = {top(n) for n in modules() if n != "nianbao"} - {"__main__"}
    assert present == set(listed), f"not in the README: {present - set(listed)}; gone: {set(listed) - present}"


def test_every_import_goes_down_the_layers() -> None:
    order = {name: i for i, name in enumerate(layers())}
    known = modules()
    against = []
    for name, path in known.items():
        if name in ("nianbao", "nianbao.__main__"):
            continue
        for target in imports(name, path, known):
            if top(target) != top(name) and order[top(target)] > order[top(name)]:
                against.append(f"{name} → {target}")
    assert not against, "imports against the README's layer order:\n" + "\n".join(sorted(against))


def test_no_modules_import_each_other_round_in_a_cycle() -> None:
    known = modules()
    graph = {name: imports(name, path, known) for name, path in known.items()}
    cycles = []
    state: dict[str, int] = {}  # 1: on the path being walked, 2: done
    path: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                walk(nxt)
        path.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from .report import Report\n    import nianbao.publish\n", encoding="utf-8")
    known = {"nianbao.m": module, "nianbao.report": module, "nianbao.publish": module}
    assert imports("nianbao.m", module, known) == {"nianbao.report", "nianbao.publish"}


def test_no_module_is_over_300_lines() -> None:
    """A module holds one idea; past 300 lines it has been holding two."""
    long = {name: n for name, path in modules().items() if (n := len(path.read_text(encoding="utf-8").splitlines())) > 300}
    assert not long, long
