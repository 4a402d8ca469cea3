"""Which characters a report's text may hold: those every medium it reaches can show.

Text that an analyst supplies (the registry's names, a data file's or workbook's narrative and notes, a
reviewer's reason) reaches HTML, the PDF (xelatex with Latin Modern and Noto CJK, see the LaTeX
template), Word, the charts and file names. A character that one of them cannot take is refused where
the text is read, with its place: control characters (XML and Word refuse them), invisible format
characters (direction overrides reorder what a browser shows; zero-width ones hide in copies), code
points that are no character, characters no font of the PDF has (emoji, rare ideographs outside the
fonts), and text far longer than any report's. :func:`problem` says what is wrong, the caller says
where (file, key or cell). :func:`printable` drops the invisible characters from a published page's
text, which the importer reads but cannot send back, and :func:`drawable` marks those it cannot show.
"""

from __future__ import annotations

import functools
import re
import subprocess
import unicodedata
from typing import TYPE_CHECKING

from .errors import DataError, NianbaoError

if TYPE_CHECKING:
    import pandas as pd

#: The longest narrative part, in characters: a whole report is a few thousand; far past this is a
#: paste gone wrong, and TeX cannot set a paragraph of hundreds of thousands of characters.
MAX_PART = 20_000
#: The longest one-line field (a name, an office, a contact line): far past any real one (a contact line of
#: address, telephone and mail is some 100), short enough to stay a line of a byline.
MAX_LINE = 500

#: Characters that reverse or isolate the direction of what follows: a browser shows the text reordered.
_DIRECTION = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
#: The common case, drawn by the PDF's fonts for certain: ASCII, Latin-1, general punctuation, CJK
#: symbols and punctuation, the unified ideographs of GBK, full-width forms.
_COMMON = re.compile(r"[\t\n\r\x20-\x7e\xa0-\xac\xae-\xff\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u3000-\u301f"
                     r"\u4e00-\u9fa5\uff01-\uff5e]*")
#: The PDF's fonts, by the names the LaTeX template sets (and Noto Sans CJK for the charts and headings).
#: What Latin Modern lacks of the symbols a Chinese report uses (①, ■, ≤, α, Ⅱ …) the template sends to
#: the CJK font (``\xeCJKDeclareCharClass``), so a character either font has is drawn.
FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")
LATIN_FONT = "lmroman10-regular.otf"  # fontspec's default, Latin Modern, for what xeCJK leaves to it


def problem(text: str, *, one_line: bool = False, limit: int = MAX_PART) -> tuple[str, str] | None:
    """What is wrong with ``text`` as a report's text — ``(message, hint)`` — or ``None``.

    ``one_line``: a name or a line of a byline, where a line break is refused too.
    """
    if len(text) > limit:
        return (f"文字太长：{len(text):,} 字，上限 {limit:,} 字",
                "年报每一部分通常只有几千字；请检查是否粘贴了多余的内容" if not one_line else "请写成一行简短的文字")
    if _COMMON.fullmatch(text) and not (one_line and ("\n" in text or "\r" in text or "\t" in text)):
        return None
    bad = [(i, ch, kind) for i, ch in enumerate(text) if (kind := _kind(ch, one_line))]
    if not bad:
        return None
    i, ch, kind = bad[0]
    where = f"第 {i + 1} 个字符" + (f"（“{_context(text, i)}”处）" if len(text) > 1 else "")
    more = f"，共 {len(bad)} 处" if len(bad) > 1 else ""
    shown = f"“{ch}”" if kind.endswith("没有的字") else ""
    message = f"{where}是{kind}{shown}（U+{ord(ch):04X}）{more}"
    if kind.endswith("没有的字"):
        return message, "生僻字请改用通行的写法或加注说明，表情符号等请删除"
    if kind in ("换行", "制表符"):
        return message, "这里只能写一行文字"
    return message, "请删除这个字符（它常随从网页或其他软件复制的文字带入，看不见）"


def check(text: str, *, error: type[NianbaoError] = DataError, one_line: bool = False, limit: int = MAX_PART,
          **where: object) -> None:
    """Raise ``error`` at ``where`` (file, key or sheet and cell) if ``text`` is no report's text."""
    found = problem(text, one_line=one_line, limit=limit)
    if found:
        raise error(found[0], hint=found[1], **where)


#: What stands for a character the fonts lack, as Chinese typesetting marks a missing character (缺字).
MISSING = "〓"


def drawable(text: str) -> tuple[str, str]:
    """A published page's text with each character the report cannot show (one the PDF's fonts lack,
    or no character at all) as :data:`MISSING`; and the characters so replaced. The importer keeps its
    place, and says what stood there.
    """
    if _COMMON.fullmatch(text):
        return text, ""
    gone = [ch for ch in text if _kind(ch, False).endswith(("没有的字", "未分配的码位）"))]
    return "".join(MISSING if ch in gone else ch for ch in text), "".join(dict.fromkeys(gone))


def _kind(ch: str, one_line: bool) -> str:
    if ch in "\n\r\t":
        return ("制表符" if ch == "\t" else "换行") if one_line else ""
    if ch in _DIRECTION:
        return "不可见的文字方向控制符"
    category = unicodedata.category(ch)
    if category in ("Zl", "Zp"):
        return "换行" if one_line else "不可见的分行符"
    if category == "Cc":
        return "控制字符"
    if category == "Cf" or "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef":
        return "不可见的格式字符"
    if category in ("Co", "Cs", "Cn"):
        return "不是可显示的字符（私用区、代理或未分配的码位）"
    if category.startswith("Z") or _COMMON.fullmatch(ch):
        return ""
    covered = _covered()
    if covered is not None and ord(ch) not in covered:
        return " PDF 所用字体中没有的字"
    return ""


def _context(text: str, i: int, width: int = 8) -> str:
    before = "".join(c for c in text[max(0, i - width):i] if not _kind(c, True))
    after = "".join(c for c in text[i + 1:i + 1 + width] if not _kind(c, True))
    return f"{before}▲{after}"


@functools.cache
def _covered() -> frozenset[int] | None:
    """The code points the PDF's fonts draw, or ``None`` where the fonts are not installed (no check)."""
    from matplotlib import ft2font

    paths = [path for name in FONTS if (path := _font_file(name))]
    latin = _tex_file(LATIN_FONT)
    if len(paths) < len(FONTS) or latin is None:
        return None
    cjk = [set(ft2font.FT2Font(p).get_charmap()) for p in paths]
    return frozenset(set.intersection(*cjk) | set(ft2font.FT2Font(latin).get_charmap()))


def _font_file(family: str) -> str | None:
    try:
        found = subprocess.run(["fc-match", "-f", "%{family}\n%{file}", family], capture_output=True, text=True,
                               check=True).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return None
    return found[1] if len(found) == 2 and family in found[0] else None


def _tex_file(name: str) -> str | None:
    try:
        found = subprocess.run(["kpsewhich", name], capture_output=True, text=True).stdout.strip()
    except OSError:
        return None
    return found or None


def printable(text: str) -> str:
    """A published page's text without the characters a report may not hold that nobody sees
    (controls other than line breaks and tabs, format and direction characters, variation selectors),
    and with each radical a PDF's text layer gives for an ideograph drawn with the same glyph as that
    ideograph (a browser's “print to PDF” writes 民 as ⺠, 门 as ⻔, 行 as ⾏).

    Page and line separators become line breaks; a line of nothing but spaces and such characters is
    left as it is: in text copied from a table it stands for an empty cell.
    """
    if _COMMON.fullmatch(text):
        return text
    text = text.translate(_IDEOGRAPHS)
    return "\n".join(_visible_line(line) for line in _BREAKS.sub("\n", text).split("\n"))


#: The CJK radicals that the Noto CJK fonts draw with the glyph of one ideograph, each before that
#: ideograph (read from the fonts' own character maps, SC and JP faces); the Kangxi radicals are
#: mapped by Unicode's own compatibility decomposition.
_RADICALS = ("⺂乛⺃乚⺅亻⺉刂⺋㔾⺎兀⺏尣⺐尢⺒巳⺓幺⺔彑⺕彐⺖忄⺘扌⺙攵⺛旡⺞歺⺟母⺠民⺡氵⺣灬⺤爫⺦丬⺨犭⺫罒⺭礻⺯糹"
             "⺰纟⺱罓⺲罒⺳㓁⺹耂⺺肀⺾艹⻁虎⻂衤⻃覀⻄西⻅见⻆角⻈讠⻉贝⻋车⻌辶⻍辶⻐钅⻑長⻒镸⻓长⻔门⻖阝⻘青"
             "⻙韦⻚页⻛风⻜飞⻝食⻟飠⻠饣⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻭歯⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟")
_IDEOGRAPHS = {ord(a): b for a, b in zip(_RADICALS[::2], _RADICALS[1::2])} | {
    cp: unicodedata.normalize("NFKC", chr(cp)) for cp in range(0x2F00, 0x2FD6)}


#: What a page or a PDF's text uses to break a line or a page: a line break in a report's text.
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def _visible_line(line: str) -> str:
    kept = "".join(ch for ch in line if _kind(ch, False) not in _INVISIBLE)
    return kept if kept.strip() else line


_INVISIBLE = ("控制字符", "不可见的文字方向控制符", "不可见的格式字符", "不可见的分行符")


#: How a cell's text starts when Excel, WPS or LibreOffice would take it for a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def spreadsheet_text(value: object) -> object:
    """A CSV cell's value as a spreadsheet must show it: text it would run as a formula
    (``=HYPERLINK(…)``, ``+cmd|…``, ``@SUM(…)``) gets a leading apostrophe, which makes it text.
    """
    if isinstance(value, str) and len(value) > 1 and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """A table as CSV for people who open it in a spreadsheet: every text cell as text, never a formula,
    and every number as typed (9, not the 9.0 of a column pandas keeps as floats).
    """
    def cell(value: object) -> object:
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else spreadsheet_text(value)

    return frame.map(cell).to_csv(index=False, lineterminator="\n")
