// The page side of tests/test_editors.py: each editor's page starts its editor from node_modules and
// hands harness.start() four calls (set, get, clear, caret); the test then drives the page through
// window.harness and reads what the editor would save, as a page without any stylesheet shows it.
window.harness = {
  failure: "",
  editor: null,

  start(editor) {
    this.editor = editor;
  },

  // The editor started, and the frame that shows its HTML as a page (#published, a srcdoc) loaded.
  get ready() {
    const shown = document.getElementById("published").contentDocument;
    return this.editor !== null && shown.URL === "about:srcdoc" && shown.readyState === "complete";
  },

  fail(error) {
    this.failure = String((error && error.stack) || error);
  },

  // The editor's content set through its own call (what its source view or an import does).
  async set(html) {
    await this.editor.set(html);
    return this.read(this.editor.get());
  },

  // An empty editor with the caret in it, ready for a paste (the test presses Ctrl+V).
  async clear() {
    await this.editor.clear();
    this.editor.caret();
  },

  saved() {
    return this.editor.get();
  },

  // What a reader sees of some HTML: headings, paragraphs, tables cell by cell with their merges, and
  // whether each cell's border shows, in a frame with no stylesheet (a site that adds none of its own) or,
  // given one, with that stylesheet and the HTML inside an element of class ``within``.
  async read(html, stylesheet = "", within = "") {
    const frame = document.getElementById("published");
    const doc = frame.contentDocument;
    doc.head.querySelectorAll("link").forEach((link) => link.remove());
    if (stylesheet) {
      const link = doc.createElement("link");
      const loaded = new Promise((done, failed) => { link.onload = done; link.onerror = failed; });
      link.rel = "stylesheet";
      link.href = new URL(stylesheet, location.href).href;
      doc.head.appendChild(link);
      await loaded;
    }
    doc.body.innerHTML = within ? `<div class="${within}"></div>` : "";
    (within ? doc.body.firstChild : doc.body).innerHTML = html;
    const view = doc.defaultView;
    const text = (el) => el.innerText.replace(/[\u200b\ufeff]/g, "");  // as shown: a <br> is a line break
    const inCell = (el) => Boolean(el.parentElement && el.parentElement.closest("td,th"));
    const shown = (el, side) => {
      const css = view.getComputedStyle(el);
      return parseFloat(css[`border${side}Width`]) > 0 && !["none", "hidden"].includes(css[`border${side}Style`]);
    };
    const style = (el) => {
      const css = view.getComputedStyle(el);
      return {font: css.fontFamily, size: css.fontSize, indent: css.textIndent, align: css.textAlign};
    };
    const blocks = [];
    for (const el of doc.body.querySelectorAll("h1,h2,h3,h4,h5,h6,p,li,caption")) {
      if (inCell(el) || el.querySelector("p,li")) continue;
      blocks.push({tag: el.tagName.toLowerCase(), text: text(el), style: style(el)});
    }
    const tables = [...doc.body.querySelectorAll("table")].map((table) => ({
      border: table.getAttribute("border"),
      rows: [...table.rows].map((row) => [...row.cells].map((cell) => ({
        text: text(cell), rowspan: cell.rowSpan, colspan: cell.colSpan,
        border: ["Top", "Right", "Bottom", "Left"].every((side) => shown(cell, side)),
      }))),
    }));
    return {blocks, tables};
  },
};
window.addEventListener("error", (event) => harness.fail(event.error || event.message));
