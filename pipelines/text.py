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
from array import array
from bisect import bisect_left
from functools import lru_cache
from itertools import accumulate

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
# The mapping as one character class: `sub` touches only the characters to change (a dict
# `translate` looks up every character of the text, ten times slower on Chinese text).
_FULLWIDTH_RE = re.compile("[" + "".join(re.escape(c) for c in _FULLWIDTH) + "]")

_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")
_NEWLINES = re.compile(r"\r\n?|\f|\v|\u2028|\u2029|\x85")
# The characters `_NEWLINES` starts with: a text holding none of them (most) is not scanned by it.
_NEWLINE_CHARS = "\r\f\v\u2028\u2029\x85"
# "，" before exactly three digits, found by its literal "，" (the regex engine then skips to each
# one instead of trying a digit at every offset); the digit before it is checked by `_thousands`.
_FULLWIDTH_THOUSANDS = re.compile(r"，(?=\d{3}(?!\d))")


def _thousands(m: re.Match) -> str:
    r"""A "," for a "，" with a decimal digit (what `\d` matches) right before it, else the "，" kept.
    The same as replacing `(\d)，(?=\d{3}(?!\d))` by `\1,`: such a match never overlaps another."""
    s = m.start()
    return "," if s and m.string[s - 1].isdecimal() else "，"


# A pinyin annotation: lowercase letters with at least one tone-marked vowel, right after a character.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN_OPEN = re.compile(rf"\((?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}\)")  # found by its "(", then checked


def _drop_pinyin(m: re.Match) -> str:
    s = m.start()
    return "" if s and "\u4e00" <= m.string[s - 1] <= "\u9fff" else m.group(0)
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
    text = _NEWLINES.sub("\n", raw) if any(c in raw for c in _NEWLINE_CHARS) else raw
    text = _BOOKMARK.sub("", text) if "[bookmark:" in text else text
    text = _FULLWIDTH_RE.sub(lambda m: _FULLWIDTH[m.group(0)], text)
    text = _FULLWIDTH_THOUSANDS.sub(_thousands, text)
    return _PINYIN_OPEN.sub(_drop_pinyin, text) if "(" in text else text


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


@lru_cache(maxsize=16)
def _stop_offsets(text: str, stops: str) -> array:
    """Sorted offsets of every character of `stops` in `text`, found in one pass.
    Cached per (text, stops): a document's text is asked for the sentence of every fact in it,
    so each lookup is a binary search instead of a scan (which made extraction quadratic in the
    length of a text with few sentence stops)."""
    return array("q", sorted(k for c in set(stops) for k in find_all(text, c)))


def sentence_at(text: str, pos: int, stops: str = "。！？；") -> tuple[int, int]:
    """(start, end) of the sentence (or clause, with `；` in `stops`) holding offset `pos`: from
    just after the last stop before `pos` to just after the first stop at or after it (the end of
    the text when there is none)."""
    if not text or not stops:
        return 0, len(text)
    pos = min(max(pos, 0), len(text))
    offs = _stop_offsets(text, stops)
    i = bisect_left(offs, pos)
    left = offs[i - 1] if i else -1
    return left + 1, (offs[i] + 1 if i < len(offs) else len(text))


def line_at(text: str, pos: int) -> tuple[int, int]:
    """(start, end) of the line holding offset `pos`, its newline included (as `sentence_at`
    with the line break as the only stop)."""
    return sentence_at(text, pos, "\n")


# A sentence is never longer than this: a "sentence" that runs on for more (a text without stops)
# is cut here by the readers that look ahead for a sentence's end.
LONGEST_SENTENCE = 2000


def next_stop(text: str, pos: int, stops: str = "。", limit: int | None = LONGEST_SENTENCE) -> int:
    """Offset of the first character of `stops` at or after `pos` (`len(text)` when there is none),
    found by a binary search; no further than `pos + limit` when `limit` is given."""
    offs = _stop_offsets(text, stops) if text and stops else ()
    i = bisect_left(offs, max(pos, 0))
    end = offs[i] if i < len(offs) else len(text)
    return end if limit is None else min(end, pos + limit)


def finditer_anchored(rx: re.Pattern, text: str, word: str, reach: int, bounds: str, pos: int = 0, endpos: int | None = None):
    """The matches of `rx.finditer(text, pos, endpos)`, found without trying `rx` at every offset.

    For a pattern whose every match holds `word` starting at most `reach` characters after the
    match's own start, and holds no character of `bounds` (`rx` without lookarounds or anchors):
    only the stretch around each occurrence of `word`, from `reach` before it to the next
    character of `bounds`, is searched. A pattern with a long lazy prefix (`[^。，]{4,200}?之后…`)
    tries hundreds of lengths at every offset; over a text without punctuation that is a
    hundred microseconds a character, here it is nothing where `word` is absent."""
    end = len(text) if endpos is None else min(endpos, len(text))
    while pos < end:
        k = text.find(word, pos, end)
        if k == -1:
            return
        hi = next_stop(text, k, bounds, limit=None) if bounds else end
        hi = min(hi, end)
        m = rx.search(text, max(pos, k - reach), hi)
        if m is None:
            pos = max(hi, k + 1)  # no match holds an occurrence of `word` before `hi`, nor crosses it
            continue
        yield m
        pos = m.end() if m.end() > m.start() else m.end() + 1


def lines_with_offsets(text: str) -> list[tuple[int, str]]:
    """(start_offset, line) of every line of `text` (without the newline), built with `split` and
    `accumulate` (no Python step a line)."""
    parts = text.split("\n")
    return list(zip(accumulate((len(p) + 1 for p in parts[:-1]), initial=0), parts))


def find_all(text: str, sub: str, start: int = 0, end: int | None = None):
    """Every offset where `sub` occurs in `text[start:end]`, left to right, overlapping ones too.
    `str.find` skips to each one: far faster than a pattern tried at every offset."""
    end = len(text) if end is None else end
    k = text.find(sub, start, end)
    while k != -1:
        yield k
        k = text.find(sub, k + 1, end)
