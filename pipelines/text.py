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
- zero-width characters and the BOM removed.
Tabs are kept: a line starting with a tab is a table cell in the tab-per-cell layout.
"""

import re

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


def normalize(raw: str) -> str:
    """Return the canonical text of a document (see module docstring)."""
    if not raw:
        return ""
    text = _NEWLINES.sub("\n", raw)
    text = _BOOKMARK.sub("", text)
    text = text.translate(_TRANS)
    text = _FULLWIDTH_THOUSANDS.sub(",", text)
    return text


def lines_with_offsets(text: str):
    """Yield (start_offset, line) for every line of `text` (without the newline)."""
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1
