"""Problems (存在的主要问题) and suggestions (相关建议) of ONE report, item by item.

`extract_findings(report_text)` returns a list of dicts:

    {"kind": "问题" | "建议", "seq": 1.., "heading": str, "body": str,
     "char_start": int, "char_end": int}

Offsets index into `report_text` (normalized text, see `pipelines.text.normalize`).

How it works (vocabulary in `pipelines/rules/findings_rules.py`):

1. Section titles. A line whose text, after its numbering (四、 / (二) / 4、 / none), is
   a short title naming problems (存在的主要问题, 存在问题及原因分析 …) or suggestions
   (相关建议, 有关建议, 下一步工作建议 …). A title of one kind that contains another
   title of the same kind is a container (五、主要经验及做法、存在的问题及原因分析 with
   its (二)存在问题及原因分析): only the innermost counts, so the container's other
   parts (取得的经验及做法) are never findings.
2. Section end: the next line numbered at the title's level or above (五、 after 四、;
   (三) after (二); 5、 after 4、), an attachment line (附件 / 附表), a table cell line
   (tab-prefixed), the next section title, or the end of the text.
3. Lines cut by page breaks are joined back ("…到使" + "用效果…").
4. Items: the section is split at its own line-start numbering — the style of its first
   numbered line, consecutive numbers only. Without line numbering, an inline
   enumeration 一是…二是… splits it; otherwise the whole section is one item. Items
   that are numbered are never split again at 一是.
5. Heading: the numbered line itself when it is a short title followed by body lines
   (no 。 in it); otherwise its lead phrase up to the first 。 (or ； for inline items).
   Numbering and trailing punctuation are stripped; body is the rest ("" if none),
   paragraphs joined with "\n".
"""

import re
from bisect import bisect_right
from dataclasses import dataclass

from pipelines.rules import findings_rules as R
from pipelines.text import find_all

_STYLES = [(name, re.compile(rx)) for name, rx in R.NUMBERING]
_RANK = {name: i for i, (name, _) in enumerate(R.NUMBERING)}
# The characters a numbering can start with (every style of R.NUMBERING opens with one of them).
_NUMBERING_FIRST = frozenset("第(（0123456789" + R.CN_NUM + R.CIRCLED)
_PROBLEM = re.compile(R.PROBLEM_TITLE)
_PROBLEM_EXCL = re.compile(R.PROBLEM_TITLE_EXCLUDE)
_SUGGESTION = re.compile(R.SUGGESTION_TITLE)
# Both without their end anchors: a line none of whose parts can be a title matches neither.
_MAYBE_TITLE = re.compile(f"{R.PROBLEM_TITLE}|{R.SUGGESTION_TITLE}".replace("$", ""))
_ATTACH = re.compile(R.ATTACHMENT_LINE)
_DATE = re.compile(R.DATE_LINE + r"$")
_INLINE = re.compile(R.INLINE_MARKER)
_SUG_LEAD = re.compile(R.SUGGESTION_LEAD)
_TITLE_TRAIL = "：:。.；;，, \t"
_HEAD_TRAIL = "。；;：:，,、 \t"


_CN_DIGIT = {c: i + 1 for i, c in enumerate(R.CN_DIGITS)}


def _cn_int(s: str) -> int | None:
    """The number of a numbering: arabic digits of any length, or a Chinese numeral (四, 十二,
    一百零一, 二千零三十); None for anything else (百 alone, 一二, 十十)."""
    s = s.lstrip("第")
    if s.isdecimal():
        try:
            return int(s) or None
        except ValueError:  # more digits than int() reads: no list has that many items
            return None
    if not s or any(c not in R.CN_NUM for c in s):
        return None
    total, digit, last_unit, zero = 0, None, None, False
    for i, c in enumerate(s):
        if c in _CN_DIGIT:
            if digit is not None:
                return None  # two digits in a row (一二)
            digit = _CN_DIGIT[c]
        elif c in R.CN_ZERO:
            if last_unit is None or digit is not None or zero or last_unit == 10:
                return None  # 零 only stands between a unit and a lower digit (一百零一)
            zero = True
        else:
            unit = R.CN_UNITS[c]
            if last_unit is not None and unit >= last_unit:
                return None  # units fall (千 > 百 > 十)
            if digit is None:
                if i != 0 or unit != 10:
                    return None  # only 十 may stand without its digit, and only first (十二)
                digit = 1
            if last_unit is not None and (unit * 10 >= last_unit if zero else unit * 10 != last_unit):
                return None  # 零 stands for a skipped unit (一千零三十), and only for one (一百零十二 is not)
            total += digit * unit
            digit, last_unit, zero = None, unit, False
    if zero and digit is None:
        return None  # a trailing 零
    if digit is not None and last_unit not in (None, 10) and not zero:
        return None  # 一百一: the lower unit left out (colloquial 110), not a numbering
    total += digit or 0
    return total or None


@dataclass
class _Num:
    style: str
    n: int
    sep: str  # separator, for arabic numbering (、 or .)
    end: int  # length of the numbering prefix in the stripped line


def _numbering(s: str) -> _Num | None:
    """Numbering at the start of a stripped line, or None."""
    if not s or (s[0] not in _NUMBERING_FIRST and not s[0].isdecimal()):  # \d is any decimal digit
        return None
    for name, rx in _STYLES:
        m = rx.match(s)
        if not m:
            continue
        if name == "circled":
            n = R.CIRCLED.index(m.group(1)) + 1
            return _Num(name, n, "", m.end())
        raw = next(g for g in m.groups() if g is not None)
        n = _cn_int(raw)
        if n is None:
            continue
        sep = m.group(2) if name == "arabic" else ""
        sep = "." if sep in (".", "．") else sep
        return _Num(name, n, sep, m.end())
    return None


@dataclass(slots=True)
class _Line:
    start: int  # offset of the first non-blank char
    end: int  # offset after the last non-blank char
    text: str  # stripped
    parts: tuple = ()  # ((offset, text), …) of the raw lines a logical line joins

    def offsets(self) -> list[int]:
        """Offset in the document of every character of `text`."""
        out: list[int] = []
        for s, t in self.parts or ((self.start, self.text),):
            out.extend(range(s, s + len(t)))
        return out


def _lines(text: str, start: int, end: int) -> list[_Line]:
    out = []
    pos = start
    for raw in text[start:end].split("\n"):
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            s = pos + lead
            out.append(_Line(s, s + len(stripped), stripped))
        else:
            out.append(_Line(pos, pos, ""))
        pos += len(raw) + 1
    return out


# Patterns of the per-line checks compiled once (a module-level re.* call looks its pattern up each time).
_TITLE_HEAD_RE = re.compile(r"([^。：:]{1,30})[：:。]\s*(?=\S)")
_TITLE_PUNCT_RE = re.compile(r"[。，,；;：:]")
_LINE_PUNCT_RE = re.compile(r"[，,。；;：:、]")
_SIGN_PUNCT_RE = re.compile(r"[。，；;：:]")
_BLANKS_RE = re.compile(r"[ \t]+")


def _title_kind(line: str) -> tuple[set, int] | None:
    """If `line` (stripped) is a section title: ({"问题"} / {"建议"} / both, offset in the
    line where the section's own text starts — after the title)."""
    if not _MAYBE_TITLE.search(line):
        return None  # a title names problems or suggestions (every candidate below is part of the line)
    num = _numbering(line)
    body = line[num.end:] if num else line
    # "四、存在的主要问题：一是…" — the title may be followed by text on the same line
    m = _TITLE_HEAD_RE.match(body)
    candidates = [(body.rstrip(_TITLE_TRAIL), len(line))]
    if m:
        candidates.append((m.group(1).strip(), (num.end if num else 0) + m.end()))
    for t, after in candidates:
        if not t or _TITLE_PUNCT_RE.search(t):
            continue
        kinds = set()
        if len(t) <= R.PROBLEM_TITLE_MAX and _PROBLEM.search(t) and not _PROBLEM_EXCL.search(t):
            kinds.add("问题")
        if len(t) <= R.SUGGESTION_TITLE_MAX and _SUGGESTION.search(t):
            kinds.add("建议")
        if kinds:
            if num is None and len(t) > 12:  # an unnumbered title must be a bare title
                continue
            return kinds, after
    return None


@dataclass
class _Section:
    kinds: set
    line_idx: int
    body_start: int  # offset where its text starts
    end_idx: int  # index of the first line after the section
    num: _Num | None


def _ends_section(title: _Section, ln: _Line) -> bool:
    s = ln.text
    if not s:
        return False
    if _ATTACH.match(s):
        return True
    num = _numbering(s)
    if num is None:
        return False
    if num.style == "chapter":
        return True
    t = title.num
    if t is None or t.style == "chapter":
        return False
    if _RANK[num.style] < _RANK[t.style]:
        return True
    if num.style == t.style:
        if t.style == "arabic":  # 4、存在的主要问题 … 1.…2.… … 5、相关建议
            return num.sep == t.sep and num.n == t.n + 1
        return num.n > t.n
    return False


def _title_lines(text: str, lines: list[_Line]) -> set[int]:
    """Indexes of the `lines` that may be a section title: those holding one of `R.TITLE_WORDS`.

    Every title holds one of these words (and a word never crosses a line break), so the other
    lines are not searched: the words are found in the whole text with `str.find`, far faster
    than the titles' alternation tried at every character of every line."""
    if not lines:
        return set()
    starts = [ln.start for ln in lines]
    lo, hi = lines[0].start, lines[-1].end
    out = set()
    for w in R.TITLE_WORDS:
        out.update(bisect_right(starts, k) - 1 for k in find_all(text, w, lo, hi))
    return out


def _sections(text: str, lines: list[_Line]) -> list[_Section]:
    found: list[_Section] = []
    maybe = _title_lines(text, lines)
    for i, ln in enumerate(lines):
        if not ln.text or i not in maybe or text[ln.start - 1 : ln.start] == "\t":
            continue
        tk = _title_kind(ln.text)
        if tk:
            kinds, after = tk
            found.append(_Section(kinds, i, ln.start + after, len(lines), _numbering(ln.text)))
    # A title holding another title of the same kind before its structural end (the next line at
    # its level or above) is a container: only the inner counts. So each title's end is looked for
    # only up to the next title of its kind (which it then holds, or not): every line is read
    # once per kind, never once per title (a text of thousands of titles stays linear).
    after: list[dict[str, int]] = [{} for _ in found]  # kind -> line of the next title of that kind
    nxt: dict[str, int] = {}
    for k in range(len(found) - 1, -1, -1):
        after[k] = dict(nxt)
        nxt.update({kind: found[k].line_idx for kind in found[k].kinds})
    keep: list[_Section] = []
    for k, sec in enumerate(found):
        same = min((after[k][kind] for kind in sec.kinds if kind in after[k]), default=None)
        limit = len(lines) if same is None else min(same + 1, len(lines))
        end = None
        for j in range(sec.line_idx + 1, limit):
            if _ends_section(sec, lines[j]) or _is_table(text, lines[j]):
                end = j
                break
        if end is None and same is not None:
            continue  # runs past the next title of its kind: a container
        sec.end_idx = end if end is not None else len(lines)
        if k + 1 < len(found):  # and no section runs into the next title
            sec.end_idx = min(sec.end_idx, found[k + 1].line_idx)
        keep.append(sec)
    return keep


def _is_table(text: str, ln: _Line) -> bool:
    return bool(ln.text) and ln.start > 0 and text[ln.start - 1] == "\t"


def _is_title_line(s: str) -> bool:
    num = _numbering(s)
    if num is not None:
        return "。" not in s
    return len(s) <= 15 and not _LINE_PUNCT_RE.search(s)


def _ends_sentence(s: str) -> bool:
    s = s.rstrip(R.CLOSERS)
    return bool(s) and s[-1] in R.SENTENCE_END


def _group_ends_sentence(group: list[_Line]) -> bool:
    """`_ends_sentence` of the lines of `group` joined, read from the end (no join is built)."""
    for ln in reversed(group):
        t = ln.text.rstrip(R.CLOSERS)
        if t:
            return t[-1] in R.SENTENCE_END
    return False


def _logical_lines(text: str, lines: list[_Line]) -> list[_Line]:
    """Non-blank lines, with lines cut by a page break joined back."""
    groups: list[list[_Line]] = []
    pending_join = False
    for ln in lines:
        if not ln.text:
            continue
        if pending_join and _numbering(ln.text) is None and not _INLINE.match(ln.text):
            groups[-1].append(ln)
        else:
            groups.append([ln])
        # the next line joins this one unless it ends a sentence or is a title (a line that had
        # another joined to it was no title, and the longer line is none either)
        last = groups[-1]
        pending_join = not _group_ends_sentence(last) and (len(last) > 1 or not _is_title_line(last[0].text))
    out: list[_Line] = []
    for g in groups:
        if len(g) == 1:
            out.append(_Line(g[0].start, g[0].end, g[0].text))
        else:
            out.append(_Line(g[0].start, g[-1].end, "".join(x.text for x in g), tuple((x.start, x.text) for x in g)))
    return out


def _clean(s: str) -> str:
    return _BLANKS_RE.sub(" ", s).strip()


def _head_body(first: str, rest: list[str], stops: str = "。") -> tuple[str, str]:
    first = first.strip()
    if rest and not any(c in first for c in stops):
        heading, body_parts = first, rest
    else:
        cut = min((first.find(c) for c in stops if c in first), default=-1)
        if cut >= 0:
            heading = first[:cut]
            body_parts = [first[cut + 1 :].strip()] + rest
        else:
            heading, body_parts = first, rest
    heading = _clean(heading.rstrip(_HEAD_TRAIL))
    body = "\n".join(_clean(p) for p in body_parts if p and p.strip())
    return heading, body


def _drop_signature(items_lines: list[_Line]) -> list[_Line]:
    """Remove a trailing date line and the short signature lines just before it."""
    out = list(items_lines)
    if out and _DATE.fullmatch(out[-1].text):
        out.pop()
        while len(out) > 1 and len(out[-1].text) <= 30 and not _SIGN_PUNCT_RE.search(out[-1].text):
            out.pop()
    return out


def _split_numbered(body: list[_Line]) -> list[list[_Line]] | None:
    style = None
    expected = None
    items: list[list[_Line]] = []
    for ln in body:
        num = _numbering(ln.text)
        if style is None and num is not None and num.style != "chapter":
            style, expected = num.style, num.n + 1
            items.append([ln])
            continue
        if style is not None and num is not None and num.style == style and num.n == expected:
            expected += 1
            items.append([ln])
            continue
        if items:
            items[-1].append(ln)
        # text before the first numbered line (a lead-in sentence) is not an item
    return items or None


def _item_dict(kind, lines_: list[_Line]) -> dict:
    first = lines_[0].text
    num = _numbering(first)
    if num is not None:
        first = first[num.end :]
    heading, body = _head_body(first, [ln.text for ln in lines_[1:]])
    return {
        "kind": kind,
        "heading": heading,
        "body": body,
        "char_start": lines_[0].start,
        "char_end": lines_[-1].end,
    }


def _inline_items(text: str, kind: str, body: list[_Line]) -> list[dict] | None:
    if not body:
        return None
    joined = ""
    offsets: list[int] = []
    for ln in body:
        if joined:
            joined += "\n"
            offsets.append(offsets[-1] + 1)
        joined += ln.text
        offsets.extend(ln.offsets())
    marks = []
    want = 1
    for m in _INLINE.finditer(joined):
        if _cn_int(m.group(1)) == want:
            marks.append(m)
            want += 1
    if len(marks) < 2:
        return None
    out = []
    for i, m in enumerate(marks):
        a = m.end()
        b = marks[i + 1].start() if i + 1 < len(marks) else len(joined)
        chunk = joined[a:b]
        stripped = chunk.rstrip()
        parts = [p for p in stripped.split("\n")]
        heading, bdy = _head_body(parts[0], parts[1:], stops="。；;")
        out.append(
            {
                "kind": kind,
                "heading": heading,
                "body": bdy,
                "char_start": offsets[m.start()],
                "char_end": offsets[a + len(stripped) - 1] + 1 if stripped else offsets[m.end() - 1] + 1,
            }
        )
    return out


def _section_items(text: str, lines: list[_Line], sec: _Section) -> list[dict]:
    first_line = lines[sec.line_idx]
    raw = []
    if sec.body_start < first_line.end:  # the title line carries text after the title
        seg = text[sec.body_start : first_line.end]
        lead = len(seg) - len(seg.lstrip())
        raw.append(_Line(sec.body_start + lead, first_line.end, seg.strip()))
    raw.extend(lines[sec.line_idx + 1 : sec.end_idx])
    body = _drop_signature(_logical_lines(text, raw))
    if not body:
        return []
    kind = "问题" if "问题" in sec.kinds else "建议"
    numbered = _split_numbered(body)
    if numbered:
        items = [_item_dict(kind, it) for it in numbered]
    else:
        items = _inline_items(text, kind, body) or [_item_dict(kind, body)]
    if sec.kinds == {"问题", "建议"}:  # combined section: tell items apart by lead word
        for it in items:
            if _SUG_LEAD.match(it["heading"]):
                it["kind"] = "建议"
    return items


def extract_findings(report_text: str) -> list[dict]:
    """Problems and suggestions of one report (see module docstring)."""
    if not report_text:
        return []
    text = report_text
    lines = _lines(text, 0, len(text))
    sections = _sections(text, lines)
    items: list[dict] = []
    for sec in sections:
        items.extend(_section_items(text, lines, sec))
    items.sort(key=lambda d: (d["kind"] != "问题", d["char_start"]))
    seqs = {"问题": 0, "建议": 0}
    out = []
    for it in items:
        if not it["heading"] and not it["body"]:
            continue
        seqs[it["kind"]] += 1
        out.append({"kind": it["kind"], "seq": seqs[it["kind"]], "heading": it["heading"], "body": it["body"],
                    "char_start": it["char_start"], "char_end": it["char_end"]})
    return out
