"""The CMS fragment in the rich-text editors government sites run: TinyMCE 8, CKEditor 4 and 5, KindEditor 4,
wangEditor 5 and UEditor 1.4.3, each loaded from its npm package (``tests/editors/``, pinned by its lock
file, installed by ``scripts/setup.sh``) in headless Chromium.

Each editor takes the fragment the two ways a person gives it: through the editor's set-content call
(what its source view does with the ``.fragment.html`` file), and through a real paste — the full page
shown in the tab, Ctrl+A and Ctrl+C, then Ctrl+V in the editor, the keys pressed over the DevTools
protocol with the browser's own copy and paste commands. So the clipboard holds what Chromium copies from
the page, and the editor runs its own paste pipeline: its paste filters, and the paste bins of KindEditor
and UEditor, which a synthetic ``paste`` event would leave empty. What the editor would save is then read
as a page with no stylesheet shows it: every heading and paragraph, every table cell with its rowspan and
colspan, whether the cells' borders show.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from nianbao.edition import Heading, Signature, Table, Title, blocks, web
from nianbao.params import Project
from nianbao.report import validate

from .cdp import CHROMIUM, Browser
from .conftest import ROOT

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (scripts/setup.sh installs it)")]

HARNESS = Path(__file__).with_name("editors")
EDITORS = ("tinymce", "ckeditor4", "ckeditor5", "kindeditor", "wangeditor", "ueditor")
PATHS = ("set", "paste")
#: Every bundled agency-year; each is set into every editor.
EXAMPLES = [(p.stem, int(p.parent.name)) for p in sorted((ROOT / "data").glob("*/*.yaml"))]
#: The example pasted: its tables have row and column spans.
PASTED = ("shimen", 2024)
#: wangEditor's tables have no border in its model, and CKEditor 5 writes of a cell's border only what differs
#: from its own content stylesheet (the colour, not the width and line): the site's stylesheet must draw them (README).
BORDERLESS = {"wangeditor", "ckeditor5"}
#: The stylesheet a site running the editor serves on its article pages, and the class the article sits in.
CONTENT_STYLES = {"ckeditor5": ("node_modules/ckeditor5/dist/browser/ckeditor5-content.css", "ck-content")}
#: CKEditor 5's headings start at h2 (its first level; the h1 is the page's own): the report's title comes back as one.
TITLE_TAG = {"ckeditor5": "h2"}
#: CKEditor 4's content filter (the package's standard plugins, without justify) drops alignment, attribute and style.
UNALIGNED = {"ckeditor4"}


def require_editors() -> None:
    """The pinned npm packages in ``tests/editors/node_modules``: skipped where absent, a failure in CI."""
    pinned = json.loads((HARNESS / "package.json").read_text(encoding="utf-8"))["dependencies"]
    missing = []
    for name, version in pinned.items():
        meta = HARNESS / "node_modules" / name / "package.json"
        if not meta.is_file() or json.loads(meta.read_text(encoding="utf-8"))["version"] != version:
            missing.append(f"{name}@{version}")
    if not missing:
        return
    message = (f"the editors' npm packages are not installed ({', '.join(missing)}): run scripts/setup.sh, "
               "which runs npm ci in tests/editors where node and npm are installed")
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` over http on 127.0.0.1 (a free port), for as long as the block runs."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def survived(tmp_path_factory) -> dict:
    """What each editor would save of each example set into it, and of :data:`PASTED` pasted into it, read.

    ``expected`` is the fragment itself, read the same way; ``blocks`` the edition it was made from.
    """
    require_editors()
    project = Project(ROOT)
    made = {example: blocks(validate(project, *example)) for example in EXAMPLES}
    fragments = {example: json.dumps(web.fragment(b)) for example, b in made.items()}
    expected, read = {}, {}
    with served(HARNESS) as base, Browser(tmp_path_factory.mktemp("chromium")) as browser:
        browser.show(web.page(made[PASTED]))  # the page a person opens, selects and copies
        browser.press("a", "selectAll")
        browser.press("c", "copy")
        for editor in EDITORS:  # each editor loaded once
            browser.open(f"{base}/{editor}.html", "window.harness && (harness.ready || harness.failure)")
            assert not browser.evaluate("harness.failure"), (editor, browser.evaluate("harness.failure"))
            for example, fragment in fragments.items():
                if example not in expected:
                    expected[example] = browser.evaluate(f"harness.read({fragment})", wait=True)
                read[editor, "set", example] = browser.evaluate(f"harness.set({fragment})", wait=True)
            browser.evaluate("harness.clear()", wait=True)
            browser.press("v", "paste")
            last = expected[PASTED]["blocks"][-1]["text"]  # the date of the 落款: the paste has arrived whole
            browser.wait(f"harness.saved().includes({json.dumps(last)})")
            read[editor, "paste", PASTED] = browser.evaluate("harness.read(harness.saved())", wait=True)
            if editor in CONTENT_STYLES:
                styles = ", ".join(json.dumps(x) for x in CONTENT_STYLES[editor])
                read[editor, "styled", PASTED] = browser.evaluate(f"harness.read(harness.saved(), {styles})", wait=True)
    return {"blocks": made, "expected": expected, "read": read}


def shown(text: str) -> str:
    """Text as a reader compares it: a run of white space is one space. KindEditor writes the ideographic
    space (the indent) as ``&emsp;``, a space as wide: the same to a reader.
    """
    return re.sub(r"[ \t\r\n\xa0]+", " ", text.replace("\u2003", "\u3000")).strip(" ")


def texts(reading: dict) -> list[tuple[str, str]]:
    return [(b["tag"], shown(b["text"])) for b in reading["blocks"] if shown(b["text"])]


def cells(reading: dict) -> list[list[list[tuple[str, int, int]]]]:
    return [[[(shown(c["text"]), c["rowspan"], c["colspan"]) for c in row] for row in t["rows"]] for t in reading["tables"]]


def readings(survived: dict, editor: str, path: str) -> list[tuple[tuple[str, int], dict, dict]]:
    """(example, the fragment read, what the editor saved read) for each example that went through ``path``."""
    return [(example, survived["expected"][example], survived["read"][editor, path, example])
            for example in (EXAMPLES if path == "set" else [PASTED])]


def test_the_fragment_read_is_the_report(survived) -> None:
    for example, made in survived["blocks"].items():
        reading = survived["expected"][example]
        grids = [b.grid for b in made if isinstance(b, Table)]
        assert cells(reading) == [[[(shown(c.text), c.rowspan, c.colspan) for c in sorted(g.cells, key=lambda c: c.col)
                                    if c.row == row] for row in range(g.n_rows)] for g in grids], example
        headings = [" ".join(b.lines or (b.text,)) if isinstance(b, Title) else web.INDENT + b.text
                    for b in made if isinstance(b, (Title, Heading))]
        assert [t for tag, t in texts(reading) if tag in ("h1", "h2", "h3")] == headings, example
        unindented = {t for b in made if isinstance(b, Signature) for t in (b.office, b.date)}
        for tag, t in texts(reading):  # the indent is in the text: each paragraph but the 落款 and a table's 注
            assert tag != "p" or t.startswith(web.INDENT) or t in unindented or t.startswith("注："), (example, t)


@pytest.mark.parametrize(("editor", "path"), [(e, p) for e in EDITORS for p in PATHS])
def test_every_heading_and_paragraph_survives_and_no_empty_one_comes(survived, editor, path) -> None:
    for example, fragment, saved in readings(survived, editor, path):
        given = [(TITLE_TAG.get(editor, tag) if tag == "h1" else tag, text) for tag, text in texts(fragment)]
        assert texts(saved) == given, example  # the tags and the text, indent included
        empty = [i for i, b in enumerate(saved["blocks"]) if not shown(b["text"])]
        caret = [len(saved["blocks"]) - 1]  # a paste may leave the empty paragraph the caret was in, at the end
        assert empty == [] or (path == "paste" and empty == caret), (example, empty)


@pytest.mark.parametrize(("editor", "path"), [(e, p) for e in EDITORS for p in PATHS])
def test_every_cell_with_its_rowspan_and_colspan_survives(survived, editor, path) -> None:
    for example, fragment, saved in readings(survived, editor, path):
        assert cells(saved) == cells(fragment), example
        assert any(c[1] > 1 for t in cells(saved) for row in t for c in row), example  # merges to lose
        assert any(c[2] > 1 for t in cells(saved) for row in t for c in row), example


@pytest.mark.parametrize(("editor", "path"), [(e, p) for e in EDITORS for p in PATHS])
def test_the_table_borders_show_where_the_editor_keeps_them(survived, editor, path) -> None:
    for example, _, saved in readings(survived, editor, path):
        bordered = [c["border"] for t in saved["tables"] for row in t["rows"] for c in row]
        attributes = {t["border"] for t in saved["tables"]}
        if editor in BORDERLESS:  # as the README says: the site's stylesheet draws them
            assert bordered and not any(bordered) and attributes == {None}, example
        else:
            assert bordered and all(bordered) and attributes == {"1"}, example


@pytest.mark.parametrize(("editor", "path"), [(e, p) for e in EDITORS for p in PATHS])
def test_the_title_is_centred_and_the_closing_right_aligned_where_the_editor_keeps_alignment(survived, editor, path) -> None:
    for example, _, saved in readings(survived, editor, path):
        closing = next(b for b in survived["blocks"][example] if isinstance(b, Signature))
        shown_blocks = [b for b in saved["blocks"] if shown(b["text"])]
        title = shown_blocks[0]["style"]["align"]
        lines = [b["style"]["align"] for b in shown_blocks[-len([x for x in (closing.office, closing.date) if x]):]]
        kept = editor not in UNALIGNED  # "-webkit-center" and "-webkit-right" are what align="…" computes to
        assert ("center" in title, all("right" in a for a in lines)) == (kept, kept), (example, title, lines)


@pytest.mark.parametrize("editor", sorted(CONTENT_STYLES))
def test_the_editors_own_stylesheet_draws_the_borders_it_leaves_out(survived, editor) -> None:
    pasted, styled = survived["read"][editor, "paste", PASTED], survived["read"][editor, "styled", PASTED]
    assert cells(styled) == cells(pasted) == cells(survived["expected"][PASTED])
    assert all(c["border"] for t in styled["tables"] for row in t["rows"] for c in row)
