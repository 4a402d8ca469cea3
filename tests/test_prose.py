"""One narrative through every medium: the review HTML, the published fragment and Word file read the
same visible text, the text :mod:`nianbao.prose`'s policy says (the PDFs: ``test_one_document``)."""

from __future__ import annotations

import io
import re

import docx

from nianbao import prose
from nianbao.edition import Text, Title, web, word
from nianbao.narrative import to_html

#: A narrative that crosses every rule of the policy.
NARRATIVE = "\n".join([
    "### 小标题",
    "",
    "本年度**主动公开**政府信息*1234*条，详见[门户网站](https://www.example.gov.cn/xxgk)。",
    "第二行接着写",
    "中文 and English lines",
    "joined here.  ",
    "硬换行之后。",
    "",
    "原样的标记：<script>alert(1)</script> <b>粗</b> \\textbf{x} $x^2$ 100% #1 ~ _下划线_ `代码`。",
    "",
    "![公开目录截图](https://evil.example/track.png) [危险链接](javascript:alert(1)) <https://www.example.gov.cn>",
    "",
    "3. 第三项",
    "4. 第四项",
    "",
    "- 甲",
    "- 乙",
    "",
    "> 引用的一段。",
    "",
    "---",
    "",
    "    代码块 <i>",
])

MARKER = re.compile(r"(?m)^\s*(?:\d+\.|•)\s+")


def squeezed(text: str) -> str:
    """Visible text without list markers and white space: what must read the same in every medium."""
    return re.sub(r"\s+", "", MARKER.sub("", text))


def expected() -> str:
    def walk(nodes) -> str:
        out = []
        for n in nodes:
            if isinstance(n, (prose.Paragraph, prose.Subheading)):
                out.append(prose.text_of(n.spans))
            elif isinstance(n, prose.Items):
                out += [walk(item) for item in n.items]
            elif isinstance(n, prose.Quote):
                out.append(walk(n.children))
            else:
                out += n.lines
        return "\n".join(out)

    return squeezed(walk(prose.read(NARRATIVE)))


def test_the_policy_reads_links_images_and_markup_as_text() -> None:
    text = expected()
    assert "详见门户网站（https://www.example.gov.cn/xxgk）。" in text  # a printed page keeps the address
    assert "公开目录截图" in text and "track.png" not in text  # an image: its description only
    assert "危险链接（javascript:alert(1)）" in text  # shown, never followed
    assert "<script>alert(1)</script><b>粗</b>\\textbf{x}$x^2$100%#1~下划线代码。" in text  # _x_ is emphasis
    assert "代码块<i>" in text


def test_a_line_break_joins_chinese_without_a_space() -> None:
    (_, para, *_) = prose.read(NARRATIVE)
    shown = prose.text_of(para.spans)
    assert "。第二行接着写中文 and English lines joined here.\n硬换行之后" in shown


def test_review_html_fragment_and_word_show_the_same_text() -> None:
    review = web.plain(to_html(NARRATIVE))
    fragment = web.plain(web.block_html(Text(NARRATIVE)))
    document = docx.Document(io.BytesIO(word.to_docx([Title("标题"), Text(NARRATIVE)], title="标题", author="x")))
    in_word = "\n".join(p.text for p in document.paragraphs[1:])
    assert squeezed(review) == expected()
    assert squeezed(fragment) == expected()
    assert squeezed(in_word) == expected()


def test_only_safe_addresses_are_live_in_html_and_nothing_runs() -> None:
    for markup in (to_html(NARRATIVE), web.block_html(Text(NARRATIVE))):
        assert re.findall(r'href="([^"]*)"', markup) == ["https://www.example.gov.cn/xxgk", "https://www.example.gov.cn"]
        assert "<script" not in markup and "<img" not in markup and "<b>" not in markup
        assert "<strong" in markup and "<em" in markup and "<ol" in markup and 'start="3"' in markup


def test_every_list_item_keeps_its_number_in_word() -> None:
    document = docx.Document(io.BytesIO(word.to_docx([Text(NARRATIVE)], title="标题", author="x")))
    lines = [p.text for p in document.paragraphs]
    assert "3. 第三项" in lines and "4. 第四项" in lines and "• 甲" in lines
