"""Results bulletins: a table or list of several evaluations, each row one report.

A bulletin's table has a header of column names (序号 / 主管部门 / 项目单位 / 项目名称 /
资金量(万元) or 发行金额(亿元) / 评价得分 / 评价结果 / 备注) in `|` rows or one cell per line;
each following row (anchored on its 序号 when the table has one) gives a project with its
figures. A row's cells are read under their columns; a cell that does not fit its column (a
grade that is not a grade word, a score that is not a number) stays null. Pure; vocabulary
in `pipelines/rules/bulletin_rules.py`.
"""

import re
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from pipelines.extract.numbers import to_decimal, to_wan
from pipelines.extract.report import Fact
from pipelines.rules import bulletin_rules as B
from pipelines.rules import report_rules as R
from pipelines.text import LONGEST_SENTENCE, finditer_anchored, next_stop


@dataclass
class Cell:
    text: str
    start: int
    end: int


@dataclass
class Bulletin:
    start: int  # the header's first cell
    end: int  # after the last row
    roles: list[str]
    rows: list[dict] = field(default_factory=list)  # field -> value, "_facts" -> [Fact]
    unit: str | None = None


def _cells(text: str) -> list[Cell]:
    """Every cell in reading order: one per `|` part of a pipe line, else one per line."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.count("|") >= 2:
            off = pos
            for part in line.split("|"):
                s = part.strip()
                if s:
                    out.append(Cell(s, off + part.find(s), off + part.find(s) + len(s)))
                off += len(part) + 1
            out.append(Cell("\n", pos + len(line), pos + len(line)))  # end of a row
        elif line.strip():
            s = line.strip()
            out.append(Cell(s, pos + line.find(s), pos + line.find(s) + len(s)))
        pos += len(line) + 1
    return out


def _role(cell: str) -> str | None:
    c = re.sub(r"\s+|[(（][^)）]*[)）]", "", cell)
    if not c or len(c) > 14:
        return None
    for word, role in B.HEADER_ROLES:
        if c == word or (len(word) >= 3 and word in c):
            return role
    return None


def _unit(header_cells: list[Cell], before: str) -> str | None:
    for c in header_cells:
        m = re.search(r"(亿元|万元|元)", c.text)
        if m and _role(c.text) == "amount":
            return m.group(1)
    m = re.search(r"单位\s*[:：]\s*(亿元|万元|元)", before[-200:])
    return m.group(1) if m else None


def _grade(s: str) -> str | None:
    s = re.sub(r"[(（].*?[)）]|\s", "", s)
    return R.GRADE_WORDS.get(s)


def find_bulletins(text: str) -> list[Bulletin]:
    cells = _cells(text)
    out = []
    i = 0
    while i < len(cells):
        # a header: a run of 3+ header cells naming a project and a figure
        j = i
        roles = []
        while j < len(cells) and cells[j].text != "\n" and _role(cells[j].text):
            roles.append(_role(cells[j].text))
            j += 1
        if len(roles) >= 3 and "project" in roles and B.FIGURE_ROLES & set(roles):
            b = Bulletin(cells[i].start, cells[j - 1].end, roles, unit=_unit(cells[i:j], text[max(0, cells[i].start - 200) : cells[i].start]))
            j = _read_rows(cells, j, b)
            if b.rows:
                out.append(b)
            i = max(j, i + 1)
        else:
            # a run of header cells that is no header: no run starting inside it is one either
            # (its roles are a part of these), so the next try starts after it
            i = max(j, i + 1)
    return out


def _read_rows(cells: list[Cell], j: int, b: Bulletin) -> int:
    k = len(b.roles)
    has_seq = b.roles[0] == "seq"
    expect = 1
    while j < len(cells):
        if cells[j].text == "\n":
            j += 1
            continue
        if has_seq:
            if cells[j].text != str(expect):
                break
            row = [cells[j]]
            j += 1
            while j < len(cells) and cells[j].text != "\n" and cells[j].text != str(expect + 1) and len(row) < k:
                row.append(cells[j])
                j += 1
            expect += 1
        else:
            row = []
            while j < len(cells) and cells[j].text != "\n" and len(row) < k:
                c = cells[j]
                # a row ends after its figures: a text cell after a number starts the next row
                if row and _is_figure(row[-1].text) and not _is_figure(c.text) and _role_at(b.roles, len(row)) != "note":
                    break
                row.append(c)
                j += 1
            if j < len(cells) and cells[j].text == "\n":
                j += 1
        item = _row(b, row)
        if item is None:
            break
        b.rows.append(item)
        b.end = row[-1].end
    return j


def _role_at(roles: list[str], i: int) -> str | None:
    return roles[i] if i < len(roles) else None


def _is_figure(s: str) -> bool:
    return to_decimal(s) is not None or _grade(s) is not None


def _row(b: Bulletin, row: list[Cell]) -> dict | None:
    if len(row) < 2:
        return None
    out: dict = {"_facts": [], "_start": row[0].start, "_end": row[-1].end}
    for role, c in zip(b.roles, row):
        t = c.text
        if role == "project" and not _is_figure(t):
            out["project_name"] = t
        elif role in ("department", "implementer") and not _is_figure(t):
            out[role] = t
        elif role == "amount" and b.unit:
            v = to_wan(t.replace(",", ""), b.unit) if to_decimal(t) is not None else None
            if v is not None:
                out["budget_wan"] = v
                out["_facts"].append(Fact("budget_wan", v, "万元", c.start, c.end, source="bulletin_row"))
        elif role == "score":
            v = to_decimal(t)
            if v is not None and v <= 100:
                out["total_score"] = v
                out["_facts"].append(Fact("total_score", v, "分", c.start, c.end, source="bulletin_row"))
        elif role == "grade":
            g = _grade(t)
            if g:
                out["grade"] = g
            elif b.roles[-1] == "note":
                out["note"] = t  # the grade cell left blank: the note moved into its place
        elif role == "note":
            out["note"] = t
    if "project_name" not in out:
        return None
    note = out.pop("note", None) or ""
    out["evaluation_type"] = next((typ for word, typ in B.NOTE_TYPES if word in note), None)
    return out


_SCORE_LIST = re.compile(B.SCORE_LIST)
_GRADE_LIST = re.compile(B.GRADE_LIST)
_GRADE_AFTER_NAME = re.compile(B.GRADE_AFTER_NAME)


def score_lists(text: str) -> list[dict]:
    """Rows of a prose list: several projects scored in one sentence, each with the grade the
    text gives it afterwards (see `bulletin_rules.SCORE_LIST`): within `LONGEST_SENTENCE`
    characters after the list."""
    rows = []
    named: set[str] = set()  # the first four characters of every row's name so far
    for m in finditer_anchored(_SCORE_LIST, text, B.SCORE_LIST_WORD, B.SCORE_LIST_REACH, B.SCORE_LIST_BOUNDS):
        names = [n.strip() for n in m.group("names").split("、") if n.strip()]
        nums = re.findall(r"\d{1,3}(?:\.\d+)?(?=\s*分)", m.group("nums"))
        if len(names) == len(nums) - 1 and "及" in names[-1]:
            names[-1:] = names[-1].rsplit("及", 1)
        if len(names) != len(nums) or len(names) < 2:
            continue
        pos = m.start("nums")
        later = min(len(text), m.end() + LONGEST_SENTENCE)
        for name, num in zip(names, re.finditer(r"\d{1,3}(?:\.\d+)?(?=\s*分)", m.group("nums"))):
            name = re.sub(r"^(?:其中|以及|和)", "", name)
            v = Decimal(num.group(0))
            row = {"project_name": name, "total_score": v, "_start": m.start(), "_end": m.end(),
                   "_facts": [Fact("total_score", v, "分", pos + num.start(), pos + num.end(), source="bulletin_row")]}
            g = _grade_after(name[:4]).search(text, m.end(), later)
            if g:
                row["grade"] = R.GRADE_WORDS[g.group("g")]
            rows.append(row)
            named.add(name[:4])
        graded = _graded_only(text, m, named)
        rows.extend(graded)
        named.update(r["project_name"][:4] for r in graded)
    return rows


@lru_cache(maxsize=512)
def _grade_after(prefix: str) -> re.Pattern:
    return re.compile(re.escape(prefix) + B.GRADE_AFTER_NAME)


def _graded_only(text: str, m: re.Match, named: set[str]) -> list[dict]:
    """Items of a later "甲、乙评价结果为优秀" that the score list did not name (`named`: the first
    four characters of the names of the rows so far): rows with a grade only."""
    sentence_end = next_stop(text, m.end(), "。")
    out = []
    for g in finditer_anchored(_GRADE_LIST, text, B.GRADE_LIST_WORD, B.GRADE_LIST_REACH, B.GRADE_LIST_BOUNDS, m.end(), sentence_end):
        for n in re.finditer(r"[^、]+", g.group("names")):
            name = re.sub(r"^(?:其中|以及|和|及)", "", n.group(0).strip())
            if len(name) < 4 or name[:4] in named or not re.search(B.GRADED_OBJECT, name):
                continue
            grade = R.GRADE_WORDS[g.group("g")]
            row = {"project_name": name, "grade": grade, "_start": m.start(), "_end": sentence_end,
                   "_facts": [Fact("grade", grade, None, g.start("g"), g.end("g"), source="bulletin_row")]}
            d = re.match(B.WHOLE_DEPARTMENT, name)
            if d:
                row["department"] = d.group("org")
            out.append(row)
    return out


def project_list(text: str) -> list[dict]:
    """The projects a whole-unit summary lists with their amounts (共有 N 个项目…。其中: 甲经费 x 万元),
    only when it lists as many as it counts."""
    rows = []
    for m in re.finditer(B.PROJECT_LIST, text):
        items = list(re.finditer(B.PROJECT_LIST_ITEM, m.group("items")))
        if len(items) != int(m.group("n")):
            continue
        base = m.start("items")
        for it in items:
            v = to_wan(it.group("num"), it.group("unit"))
            if v is None:
                continue
            rows.append({"project_name": it.group("name"), "budget_wan": v, "_start": m.start(), "_end": m.end(),
                         "_facts": [Fact("budget_wan", v, "万元", base + it.start("num"), base + it.end("unit"), source="bulletin_row")]})
    return rows


def document_type(text: str) -> str | None:
    for pat, typ in B.DOC_TYPES:
        if re.search(pat, text):
            return typ
    return None


_CITED = re.compile(r"《[^》]*》")  # a cited document's title: its year is not the bulletin's
_YEARS = (re.compile(r"((?:19|20)\d{2})\s*年度"), re.compile(r"((?:19|20)\d{2})\s*年"))


@lru_cache(maxsize=8)
def _year_index(text: str):
    """What `bulletin_year` needs of a text, computed once: the cited titles (start, end, and the
    characters removed before each), and the first year of each pattern in the text without them
    (its end there) and in the text as it is (every match, for a start inside a cited title)."""
    spans = [(c.start(), c.end()) for c in _CITED.finditer(text)]
    starts, ends, removed = array("q"), array("q"), array("q", [0])
    for a, b in spans:
        starts.append(a)
        ends.append(b)
        removed.append(removed[-1] + b - a)
    clean = _CITED.sub("", text)
    firsts = []
    for rx in _YEARS:
        f = rx.search(clean)
        firsts.append((f.end(), int(f.group(1))) if f else None)
    raw = [(array("q", (y.start() for y in ms)), array("q", (y.end() for y in ms)), [int(y.group(1)) for y in ms])
           for ms in ([*rx.finditer(text)] for rx in _YEARS)]
    return starts, ends, removed, firsts, raw


def bulletin_year(text: str, start: int) -> int | None:
    """The year the bulletin covers: a 'N年度' before its table, else the first year there
    (cited titles 《…》 left out). The text before `start` is never copied nor searched again:
    a document of thousands of lists asks this for every row."""
    starts, ends, removed, firsts, raw = _year_index(text)
    i = bisect_right(ends, start)  # cited titles that close before `start`
    inside = i < len(starts) and starts[i] < start  # `start` falls in a title still open there
    cut = (starts[i] if inside else start) - removed[i]  # where the text before `start`, cleaned, ends
    for (first, (r_starts, r_ends, r_years)) in zip(firsts, raw):
        if first is not None and first[0] <= cut:
            return first[1]
        if inside:  # the open title's own text counts (its 《 has no 》 before `start`)
            k = bisect_right(r_starts, starts[i] - 1)
            if k < len(r_starts) and r_ends[k] <= start:
                return r_years[k]
    return None


__all__ = ["Bulletin", "find_bulletins", "score_lists", "project_list", "document_type", "bulletin_year"]
