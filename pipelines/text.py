"""Text normalization: the one canonical form every extractor and every offset refers to.

`normalize(raw)` is applied once per document. All character offsets stored in the
warehouse (`facts.char_start/char_end`) index into its output, so it must be
deterministic and must never raise.

What it does, in order (rules as data in `_FULLWIDTH`):
- line endings -> "\n"; form feeds (page breaks) -> "\n";
- Word debris such as `[bookmark: _Toc123]` removed;
- full-width ASCII (digits, letters, ％ ． ： （ ） …) -> half-width, except the
  Chinese comma and semicolon (，；), which stay as clause separators — but a "，"
  between digits with exactly three digits after it ("１１，５２０万元") is a thousands
  separator and becomes ","; so a thousands separator is always an ASCII ",";
- ideographic space, no-break space and other exotic spaces -> " ";
- zero-width characters and the BOM removed;
- pinyin annotations that some converted pages print after characters (`據(jù)`, `財(cái)`)
  removed (only a parenthesis holding lowercase letters with a tone mark);
- traditional characters -> simplified with OpenCC (`t2s`), when the text has any
  (a simplified text is left byte for byte as it was).
Tabs are kept: a line starting with a tab is a table cell in the tab-per-cell layout.
"""

import re
from functools import lru_cache

_KEEP_FULLWIDTH = {"，", "；"}

_FULLWIDTH = {
    chr(c): chr(c - 0xFEE0)
    for c in range(0xFF01, 0xFF5F)
    if chr(c) not in _KEEP_FULLWIDTH
}
_FULLWIDTH.update(
    {
        "\u3000": " ",  # ideographic space
        "\u00a0": " ",  # no-break space
        "\u2002": " ",
        "\u2003": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\u200b": "",  # zero-width space
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",  # BOM
    }
)
_TRANS = str.maketrans(_FULLWIDTH)

_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")
_NEWLINES = re.compile(r"\r\n?|\f|\v|\u2028|\u2029|\x85")
_FULLWIDTH_THOUSANDS = re.compile(r"(?<=\d)，(?=\d{3}(?!\d))")


# A pinyin annotation: lowercase letters with at least one tone-marked vowel, right after a character.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN_NOTE = re.compile(rf"(?<=[\u4e00-\u9fff])\((?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}\)")
# A simplified text may hold a stray character OpenCC would change (乾, 著 in names); it is
# converted only when it holds at least this many such characters.
MIN_TRADITIONAL_CHARS = 3


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # a compiled wheel with its dictionaries inside; loaded once per process

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional -> simplified (OpenCC t2s) when `text` is written in traditional characters."""
    if not text or text.isascii():
        return text
    out = _t2s().convert(text)
    if out == text:
        return text
    changed = sum(1 for a, b in zip(text, out) if a != b) if len(out) == len(text) else MIN_TRADITIONAL_CHARS
    return out if changed >= MIN_TRADITIONAL_CHARS else text


def _normalize_local(raw: str) -> str:
    text = _NEWLINES.sub("\n", raw)
    text = _BOOKMARK.sub("", text)
    text = text.translate(_TRANS)
    text = _FULLWIDTH_THOUSANDS.sub(",", text)
    return _PINYIN_NOTE.sub("", text)


def normalize(raw: str) -> str:
    """Return the canonical text of a document (see module docstring)."""
    if not raw:
        return ""
    return to_simplified(_normalize_local(raw))


def normalize_parts(parts: list[str]) -> tuple[str, list[int]]:
    """The canonical text of a document given in parts (a PDF's pages), and the offset where each
    part starts in it. Each part is normalized on its own; whether the document is converted from
    traditional script is decided on the whole, as `normalize` does."""
    local = [_normalize_local(p) for p in parts]
    whole = "".join(local)
    if to_simplified(whole) is not whole:
        local = [_t2s().convert(p) for p in local]
    starts, pos = [], 0
    for p in local:
        starts.append(pos)
        pos += len(p)
    return "".join(local), starts


# ---------------------------------------------------------------- sentences
# The one place that says where a sentence or a clause ends (normalized text: "，；" stay
# full-width, the rest of the punctuation is ASCII or Chinese as printed).
FULL_STOPS = "。！？!?"
CLAUSE_STOPS = FULL_STOPS + "；;"
TITLE_STOPS = "。；;：:，,！？!?"  # a line ending in one of these is running text, not a title


def sentences(text: str, stops: str = "。！？"):
    """Yield (start, end) of sentences, split at `stops` (not at line breaks: page breaks split sentences)."""
    start = 0
    for m in re.finditer(f"[{re.escape(stops)}]", text):
        yield start, m.end()
        start = m.end()
    if start < len(text):
        yield start, len(text)


def sentence_at(text: str, pos: int, stops: str = "。！？；") -> tuple[int, int]:
    """(start, end) of the sentence (or clause, with `；` in `stops`) holding offset `pos`."""
    left = max(text.rfind(c, 0, pos) for c in stops)
    rights = [i for i in (text.find(c, pos) for c in stops) if i != -1]
    return left + 1, (min(rights) + 1 if rights else len(text))


def lines_with_offsets(text: str):
    """Yield (start_offset, line) for every line of `text` (without the newline)."""
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1
