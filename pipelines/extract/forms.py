"""Self-evaluation forms (项目支出绩效自评表, 部门整体支出绩效自评表) in any layout.

Real forms arrive as one cell per line (blank lines between), cells split by single spaces,
`|` rows with `||||` merged cells, labels wrapped over lines (年初 / 预算数), PDF text whose
cells come out of order, or cells glued together by a document viewer or OCR
(`年度资金总额:310.2154.741050%5`). Pure functions; vocabulary in `pipelines/rules/form_rules.py`.

- Labelled cells (项目名称, 主管部门, 实施单位 …) are read on the text with spaces and pipes
  taken out: a value runs from its label to the next label. A label followed at once by
  another label has its value just before it (PDF text out of order).
- The funds block: its column labels (年初预算数 / 全年预算数 / 调整后预算数 / 全年执行数 /
  预算执行数 / 分值 / 执行率 / 得分, wrapped or OCR-misread by one character), then the row's
  cells. A complete row is read by position. A row with cells missing, or cells glued
  together, is read only where the form's own arithmetic confirms it (spent ÷ budget = the
  rate, weight × rate = the score); otherwise the value stays null and a warning says why.
- Indicator rows: each row's 分值 and 得分 (the numbers at the end of the row).
- The total: a labelled 自评得分, or a 总分/合计 number that the rows add up to.

Every value comes with its offsets in the text given, as a `Fact` with `source="form_column"`
(or `labelled_cell`, `form_total`).
"""

import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from pipelines.extract.numbers import to_decimal, to_wan
from pipelines.extract.report import Fact
from pipelines.rules import form_rules as R

CJK = "\u4e00-\u9fff"
MAX_READINGS = 4096  # bound on the ways a glued row is cut (a row has at most a dozen cells)


@dataclass
class Form:
    start: int
    end: int
    title: str
    year: int | None
    year_span: tuple[int, int] | None
    head_end: int = 0  # offset just after the title and its year
    values: dict = field(default_factory=dict)
    facts: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    warnings: list = field(default_factory=list)


# ------------------------------------------------------------------ finding forms

_TITLE_RE = re.compile(rf"(?:[{CJK}]{{0,16}}?){R.FORM_TITLE}(?!{R.NOT_AFTER_TITLE})")
_YEAR_RE = re.compile(r"^[\s(（]*((?:19|20)\d{2})\s*年度?\s*[)）]?")


def _has_cells_after(text: str, pos: int) -> bool:
    window = _squeeze(text[pos : pos + R.FORM_CELLS_WITHIN])
    return any(w in window for w in R.FORM_FIRST_CELLS)


def _title_matches(text: str):
    """The matches of `_TITLE_RE`, as its `finditer` would give them, found from the places where
    the title's fixed ending (R.FORM_TITLE_END) stands: the regex only runs from a few characters
    before each (its lazy prefix would otherwise be tried at every position of the text)."""
    pos = 0
    q = text.find(R.FORM_TITLE_END)
    while q != -1:
        # the window ends far enough after the ending for the regex's look-ahead (a file name)
        m = _TITLE_RE.search(text, max(pos, q - R.FORM_TITLE_LEAD), q + len(R.FORM_TITLE_END) + 64)
        if m is None or m.end() != q + len(R.FORM_TITLE_END):  # a later title is found from its own ending
            q = text.find(R.FORM_TITLE_END, q + 1)
            continue
        yield m
        pos = m.end()
        q = text.find(R.FORM_TITLE_END, pos)


def find_forms(text: str) -> list[Form]:
    """The forms of `text`, each from its title to the next form's title (or the end)."""
    heads = []
    for m in _title_matches(text):
        if heads and m.start() < heads[-1][1]:
            continue
        if not _has_cells_after(text, m.end()):
            continue
        heads.append((m.start(), m.end(), m.group(0)))
    forms = []
    for i, (s, e, title) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        ym = _YEAR_RE.match(text[e : e + 30])
        year = int(ym.group(1)) if ym else None
        span = (e + ym.start(1), e + ym.end(1)) if ym else None
        if year is None:  # 2022年度项目支出绩效自评表: the year before the title
            yb = re.search(r"((?:19|20)\d{2})\s*年度?\s*$", text[max(0, s - 12) : s] + re.match(rf"[{CJK}]*?(?=(?:项目|部门|整体|财政|支出)?{R.FORM_TITLE})", text[s:e]).group(0))
            if yb:
                year = int(yb.group(1))
        full_title = title + (text[e : e + ym.end()].strip() if ym else "")
        forms.append(Form(s, end, re.sub(r"\s+", "", full_title), year, span, e + (ym.end() if ym else 0)))
    return forms


# ------------------------------------------------------------------ squeezed text and labels


def _squeeze(s: str) -> str:
    return re.sub(r"[\s|]+", "", s)


def squeeze_map(text: str) -> tuple[str, list[int]]:
    """The text without spaces, line breaks and pipes, and the offset of each kept character."""
    out, where = [], []
    for i, ch in enumerate(text):
        if ch.isspace() or ch == "|":
            continue
        out.append(ch)
        where.append(i)
    return "".join(out), where


@lru_cache(maxsize=1)
def _label_re() -> re.Pattern:
    """Name labels and the labels that end a value; a name label of four characters also with
    one of its last three misread (OCR: 实施第位 for 实施单位)."""
    words = sorted(set(R.NAME_LABELS) | set(R.VALUE_STOPS), key=len, reverse=True)
    alts = [(len(w), 0, re.escape(w)) for w in words]
    for w in R.NAME_LABELS:
        if len(w) == 4:
            alts += [(4, 1, f"(?P<v{k}{i}>{re.escape(w[:i])}[{CJK}]{re.escape(w[i + 1:])})") for i in range(1, 4) for k in [len(alts)]]
    return re.compile("|".join(p for _, _, p in sorted(alts, key=lambda a: (-a[0], a[1]))))


@lru_cache(maxsize=1)
def _fuzzy_words() -> list[str]:
    return [w for w in R.NAME_LABELS if len(w) == 4]


def _label_word(m: re.Match) -> str:
    if m.lastgroup and m.lastgroup.startswith("v"):
        for w in _fuzzy_words():
            g = m.group(0)
            if len(g) == 4 and sum(a != b for a, b in zip(g, w)) == 1 and g[0] == w[0]:
                return w
    return m.group(0)


def _clean_name(v: str, digits_ok: bool = True) -> str | None:
    v = re.sub(R.CODE_PREFIX, "", v)
    if not digits_ok and re.search(r"\d", v):
        return None
    v = re.sub(R.NAME_TRAILING, "", v)
    v = re.sub(R.NAME_LEADING, "", v)
    v = v.strip(":：,，;；。、 ")
    if len(v) < 2 or re.fullmatch(r"[\d.,%/—\-]+", v) or not re.search(f"[{CJK}]", v):
        return None
    return v


def labelled_cells(block: str, head_end: int = 0) -> dict[str, Fact]:
    """project_name / department / implementer from their labelled cells (see module docstring).
    `head_end`: where the form's title (and year) end in `block`."""
    sq, where = squeeze_map(block)
    sq_head = next((k for k, w in enumerate(where) if w >= head_end), len(sq))
    labels = [(m.start(), m.end(), _label_word(m)) for m in _label_re().finditer(sq)]
    out: dict[str, Fact] = {}
    rank: dict[str, int] = {}
    for i, (s, e, word) in enumerate(labels):
        fld = R.NAME_LABELS.get(word)
        my_rank = R.FIELD_PRIORITY.index(word) if word in R.FIELD_PRIORITY else len(R.FIELD_PRIORITY)
        if not fld or (fld in out and rank[fld] <= my_rank):
            continue
        nxt = labels[i + 1][0] if i + 1 < len(labels) else len(sq)
        vs, ve = e, nxt
        raw = sq[vs:ve]
        # A value never runs on into numbers of the funds block or a long sentence.
        cut = re.search(r"\d{1,3}(?:\.\d+)?(?:%|分)|[。；]", raw)
        if cut and cut.start() > 1:
            raw, ve = raw[: cut.start()], vs + cut.start()
        digits_ok = fld == "project_name"
        value = _clean_name(raw, digits_ok) if len(raw) <= 60 else None
        if value is None and fld == "implementer":
            found = _org_near(sq, e, nxt)
            if found:
                value, vs, ve = found
        if value is None:
            # out of order (PDF): the value stands before its label, after the previous label
            ps = labels[i - 1][1] if i > 0 else sq_head
            before = sq[ps:s]
            before = re.sub(r"^[(（][^)）]{0,6}[)）]", "", before)  # 项目资金(元) -> the unit mark
            value = _clean_name(before, False) if 2 <= len(before) <= 40 else None
            if value:
                vs, ve = s - len(before), s
        if value:
            out[fld] = Fact(fld, None, "", where[vs], where[ve - 1] + 1, source="labelled_cell", text=value)
            rank[fld] = my_rank
    return out


def _org_near(sq: str, start: int, nxt: int):
    """An OCR-mangled label (实施第位…): the first organisation name that starts with a place."""
    from pipelines.extract.places import gazetteer

    window = sq[start : start + 80]
    for ms, me, _ in gazetteer().full_names(window):
        om = re.match(rf"[{CJK}()（）]{{1,24}}?(?:{'|'.join(R.ORG_ENDINGS)})", window[me:])
        if om:
            s = start + ms
            e = start + me + om.end()
            return sq[s:e], s, e
    return None


# ------------------------------------------------------------------ the funds block


def _label_variants(word: str) -> list[str]:
    """The label, and (for labels of 5+ characters) the label with any one character misread."""
    pats = [r"\s*".join(map(re.escape, word))]
    if len(word) >= 5:
        for i in range(len(word)):
            chars = [re.escape(c) for c in word]
            chars[i] = f"[{CJK}]"
            pats.append(r"\s*".join(chars))
    return pats


@lru_cache(maxsize=2)
def _column_re(exact: bool) -> tuple[list[re.Pattern], re.Pattern, list[str]]:
    """The column labels as printed (`exact`), or with one character misread; longest first.

    Returns (scanners, namer, index). The scanners are plain alternations whose branches all
    start with a literal character: Python's regex engine then skips to the positions where one
    of those characters stands (a grouped alternation is tried at every position, 50x slower).
    The misread labels whose first character is the misread one are scanned by their tail (the
    label from its second character) and widened by one character afterwards (`_column_matches`).
    `namer` is the same alternation with one named group per branch, applied to a match's own
    text only, to tell which label it is."""
    words = sorted(set(R.FUNDS_COLUMNS) | set(R.TEXT_COLUMNS) | set(R.GROUP_HEADERS), key=len, reverse=True)
    alts, index, heads, tails = [], [], [], []
    for w in words:
        variants = _label_variants(w)
        for k, p in enumerate(variants[:1] if exact else variants[1:]):
            alts.append(f"(?P<c{len(alts)}>{p})")
            index.append(w)
            if not exact and k == 0:  # first character misread: scanned by its tail
                tails.append(r"\s*".join(map(re.escape, w[1:])))
            else:
                heads.append(p)
    scanners = [re.compile("|".join(heads))] + ([re.compile("|".join(tails))] if tails else [])
    return scanners, re.compile("|".join(alts)), index


_LEAD_CJK = re.compile(rf"[{CJK}]\s*$")


def _column_candidates(block: str, exact: bool):
    """(start, end) of every match of the labels (see `_column_re`), named by the grouped regex."""
    scanners, namer, index = _column_re(exact)
    spans = [(m.start(), m.end()) for m in scanners[0].finditer(block)]
    if len(scanners) > 1:
        for m in scanners[1].finditer(block):
            lead = _LEAD_CJK.search(block, max(0, m.start() - 40), m.start())
            if lead:
                spans.append((lead.start(), m.end()))
    for s, e in spans:
        g = namer.fullmatch(block, s, e)
        if g:
            yield s, e, index[int(g.lastgroup[1:])]


def _column_matches(block: str, misread: bool = True):
    """Column labels left to right: at one place the longer reading wins, the printed one on a tie.
    With `misread`, labels with one character misread (OCR) are read too."""
    found = []
    for exact in ((True, False) if misread else (True,)):
        found += [(s, -(e - s), not exact, e, word) for s, e, word in _column_candidates(block, exact)]
    pos = 0
    for s, _, _, e, word in sorted(found):
        if s < pos:
            continue
        yield s, e, word
        pos = e


_GAP_OK = re.compile(r"(?:[\s|:：,，、A-Za-z/*]|[(（][^()（）\n]{0,10}[)）])*")
_NUM_TOKEN = re.compile(r"[\d][\d,.]*%?|[—–-]{1,2}(?=\s|$|\|)|/(?=\s|$|\|)")
_BETWEEN_CELLS = re.compile(r"(?:[\s|:：]|:?-{3,}:?)*")  # spaces, pipes, a markdown |---| rule


def _header(block: str, misread: bool = True):
    """The first run of 3+ funds column labels with nothing but marks between them (labels as
    printed first; with one character misread only when that finds none and `misread`)."""
    exact = _header_from(block, False)
    if not misread:
        return exact
    fuzzy = _header_from(block, True)
    if fuzzy and (not exact or len(fuzzy[1]) > len(exact[1])):
        return fuzzy  # a misread label widens the header (年初预匏数 before 调整预算数)
    return exact


def _header_from(block: str, misread: bool):
    run: list[tuple[int, int, str]] = []
    for s, e, word in _column_matches(block, misread):
        if word in R.GROUP_HEADERS:
            continue  # 年度预算数(万元) over its columns: not a column itself
        if run and _GAP_OK.fullmatch(block[run[-1][1] : s]):
            run.append((s, e, word))
            continue
        if len([r for r in run if r[2] in R.FUNDS_COLUMNS]) >= 3:
            break
        run = [(s, e, word)]
    roles = [R.FUNDS_COLUMNS.get(w) for _, _, w in run]
    if len([r for r in roles if r]) < 3:
        return None
    end = run[-1][1]
    mark = re.compile(r"\s*[(（][^()（）\n]{0,10}[)）]").match(block, end)  # 执行率(B/A)
    end = mark.end() if mark else end
    # trailing text columns are not cells with numbers
    while roles and roles[-1] is None:
        roles.pop()
        run.pop()
    return run, roles, end


@dataclass
class Cell:
    raw: str
    start: int
    end: int

    @property
    def is_pct(self) -> bool:
        return self.raw.endswith("%")

    @property
    def blank(self) -> bool:
        return bool(re.fullmatch(r"[—–/-]+", self.raw))

    @property
    def number(self) -> Decimal | None:
        return to_decimal(self.raw.rstrip("%"))

    @property
    def single(self) -> bool:
        return self.blank or self.number is not None


def _cells_at(block: str, pos: int, limit: int = 12) -> tuple[list[Cell], int]:
    """Number cells from `pos` on (spaces, line breaks and pipes between them), until text."""
    cells: list[Cell] = []
    i = pos
    while len(cells) < limit:
        m = _BETWEEN_CELLS.match(block, i)
        j = m.end()
        t = _NUM_TOKEN.match(block, j)
        if not t:
            break
        cells.append(Cell(t.group(0).rstrip(",."), t.start(), t.start() + len(t.group(0).rstrip(",."))))
        i = t.end()
    return cells, i


def _skip_label(block: str, pos: int, labels) -> int:
    j = _BETWEEN_CELLS.match(block, pos).end()
    for w in sorted(labels, key=len, reverse=True):
        p = r"\s*".join(map(re.escape, w))
        lm = re.compile(p + r"[\s|:：]*").match(block, j)
        if lm:
            return lm.end()
    return pos


def _decimals(raw: str) -> int:
    r = raw.rstrip("%")
    return len(r.split(".")[1]) if "." in r else 0


def _tol(raw: str) -> Decimal:
    return Decimal(5) * Decimal(10) ** (-_decimals(raw) - 1) + Decimal("0.006")


def _checks(vals: dict[str, tuple[Decimal, str]]) -> tuple[int, bool]:
    """(how many arithmetic checks apply, whether all of them hold) for role -> (value, raw)."""
    n, ok = 0, True
    b, s, r = vals.get("budget") or vals.get("budget_initial"), vals.get("spent"), vals.get("rate")
    w, sc = vals.get("weight"), vals.get("score")
    if w is not None and not (0 < w[0] <= 100):
        return 0, False
    if w is not None and sc is not None and sc[0] > w[0] + _tol(sc[1]):
        return 0, False
    ratio = None
    if b is not None and s is not None and b[0] > 0:
        ratio = s[0] / b[0] * 100
        if r is not None:
            n += 1
            ok &= abs(ratio - r[0]) <= _tol(r[1])
    rate = r[0] if r is not None else ratio
    if rate is not None and w is not None and sc is not None:
        n += 1
        ok &= abs(min(rate, Decimal(100)) * w[0] / 100 - sc[0]) <= _tol(sc[1]) + (Decimal("0.05") if r is None else 0)
    return n, ok


_PIECE = re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?")


# Bounds on the work of reading one glued token (a run of digits such as 606058.36 holding
# several cells): the cuts tried, and the combinations of the row's tokens looked at. A token
# of a hundred digits has billions of cuts into six numbers; a real one, a few thousand.
MAX_SPLIT_STEPS = 1 << 17
MAX_COMBINATIONS = 1 << 16
MAX_PIECE = 24  # characters of one number cut from a token (no amount has more digits)


def _splits(digits: str, k: int, budget: list[int] | None = None):
    """Every way to cut a glued run of digits into k numbers (no leading zeros), in order, until
    `budget` (cuts tried, shared by the calls for one token) runs out."""
    if budget is None:
        budget = [MAX_SPLIT_STEPS]
    n = len(digits)
    if k == 1:
        budget[0] -= 1
        if budget[0] >= 0 and n <= MAX_PIECE and _PIECE.fullmatch(digits):
            yield [digits]
        return
    if n > k * MAX_PIECE:
        return
    for cut in range(1, min(n - k + 2, MAX_PIECE + 1)):
        budget[0] -= 1
        if budget[0] < 0:
            return
        head = digits[:cut]
        if not _PIECE.fullmatch(head):
            continue
        for rest in _splits(digits[cut:], k - 1, budget):
            yield [head] + rest


def _expand_glued(cells: list[Cell], n_columns: int) -> list[list[Cell]]:
    """Cell sequences a glued row can stand for: each glued token cut into pieces, a % sign
    ending the piece it follows."""
    options: list[list[list[Cell]]] = []
    for c in cells:
        if c.single:
            options.append([[c]])
            continue
        alts = []
        parts = re.split(r"(?<=%)", c.raw)
        parts = [p for p in parts if p]
        # cut each part between its numbers; the % stays on the last piece of its part
        per_part = []
        pos = c.start
        for p in parts:
            digits, pct = (p[:-1], "%") if p.endswith("%") else (p, "")
            cuts = []
            budget = [MAX_SPLIT_STEPS]
            for k in range(1, min(6, len(digits)) + 1):
                for pieces in _splits(digits, k, budget):
                    seq, off = [], pos
                    for q, piece in enumerate(pieces):
                        raw = piece + (pct if q == len(pieces) - 1 else "")
                        seq.append(Cell(raw, off, off + len(raw)))
                        off += len(piece)
                    cuts.append(seq)
                    if len(cuts) > MAX_READINGS:
                        break  # no more of a part's cuts are ever combined (see below)
                if len(cuts) > MAX_READINGS:
                    break
            per_part.append(cuts)
            pos += len(p)
        for combo in itertools.product(*per_part):
            alts.append([x for seq in combo for x in seq])
            if len(alts) > MAX_READINGS:
                break
        options.append(alts)
    out = []
    for tried, combo in enumerate(itertools.product(*options)):
        seq = [x for part in combo for x in part]
        if len(seq) == n_columns:
            out.append(seq)
        if len(out) > MAX_READINGS or tried >= MAX_COMBINATIONS:
            break
    return out


def _assign(roles: list[str], cells: list[Cell]) -> dict[str, tuple[Decimal, str, Cell]]:
    out = {}
    for role, c in zip(roles, cells):
        if c.blank or role is None:
            continue
        v = c.number
        if v is None or (role == "rate") != c.is_pct:
            return {}
        out[role] = (v, c.raw, c)
    return out


def _solve(roles: list[str], cells: list[Cell]) -> tuple[dict, str | None]:
    """Values of the funds row by role, and a warning when some could not be confirmed."""
    glued = any(not c.single for c in cells)
    if not glued and len(cells) >= len(roles):
        got = _assign(roles, cells[: len(roles)])
        if got:
            n, ok = _checks({k: v[:2] for k, v in got.items()})
            return got, (None if ok else "自评表资金行的执行率或得分与金额不符 / the funds row does not add up")
    solutions = []
    if glued:
        for seq in _expand_glued(cells, len(roles)):
            got = _assign(roles, seq)
            if got and all(_checks({k: v[:2] for k, v in got.items()})):
                solutions.append(got)
    else:
        # cells missing, or cells of the next row run on: the longest run of leading cells that,
        # put under the columns in order (columns may be skipped), the arithmetic confirms
        for m in range(min(len(cells), len(roles)), 1, -1):
            for cols in itertools.combinations(range(len(roles)), m):
                seq: list = [Cell("—", 0, 0)] * len(roles)
                for c, i in zip(cells[:m], cols):
                    seq[i] = c
                got = _assign(roles, seq)
                if got and all(_checks({k: v[:2] for k, v in got.items()})):
                    solutions.append(got)
            if solutions:
                break
    distinct = {tuple((k, v[0]) for k, v in sorted(s.items()) if k in ("budget", "spent", "rate")) for s in solutions}
    if len(distinct) == 1:
        return solutions[0], None
    why = "粘连单元格无法唯一拆分" if glued else "资金行单元格不全且无法由算术确认"
    return {}, f"{why} / the funds row's cells could not be confirmed by the form's arithmetic ({len(distinct)} readings)"


def _unit(block: str, upto: int) -> str | None:
    head = block[: max(upto, 0) + 200]
    for m in re.finditer(r"[(（]\s*(万元|万兀|元)\s*[)）]|单位[:：]\s*(万元|元)", head):
        return R.UNIT_MARKS[m.group(1) or m.group(2)]
    if "万元" in head:
        return "万元"
    return None


def _amount_fact(fld: str, v: Decimal, raw: str, unit: str, c: Cell, source: str) -> Fact | None:
    w = to_wan(str(v), unit)
    return Fact(fld, w, "万元", c.start, c.end, source=source) if w is not None else None


def read_funds(block: str, misread: bool = True) -> tuple[dict, list[Fact], list[str]]:
    """budget_wan / spent_wan / execution_rate_pct (and the funds score) of one form.
    `misread`: also look for column labels with one character misread (a form read by OCR)."""
    hdr = _header(block, misread)
    if not hdr:
        return {}, [], []
    run, roles, end_header = hdr
    pos = _skip_label(block, end_header, R.FUNDS_ROW)
    cells, _ = _cells_at(block, pos)
    unit = _unit(block, run[0][0])
    warnings: list[str] = []
    got, warn = _solve(roles, cells) if cells else ({}, None)
    empty = not got or all(v[0] == 0 for k, v in got.items() if k in ("budget", "budget_initial", "spent"))
    source = "form_column"
    if empty:
        # the total row left at zero: the row below with the amount columns only
        got = {}
        for w in R.FUNDS_SUB_ROWS:
            m = re.search(r"\s*".join(map(re.escape, w)), block[end_header:])
            if not m:
                continue
            sub, _ = _cells_at(block, end_header + m.end())
            amount_roles = [r for r in roles if r in ("budget_initial", "budget", "spent")]
            if sub and len(sub) >= len(amount_roles):
                got = _assign(amount_roles, sub[: len(amount_roles)])
                if got and all(v[0] == 0 for v in got.values()):
                    got = {}
            break
        if not got and cells:
            got = _leading_budget(roles, cells)
        warn = None if got else warn
    elif warn:
        warnings.append(warn)
    out: dict = {}
    facts: list[Fact] = []
    budget = got.get("budget") or got.get("budget_initial")
    budget = got.get("budget") or got.get("budget_initial")
    if budget and "spent" not in got:
        # PDF text out of order: the spent amount and the rate found anywhere in the form,
        # where spent / budget = the rate.
        pair = _spent_rate_pair(block, budget[0])
        if pair:
            got["spent"], got["rate"] = pair
            warn = None
    elif budget and "spent" in got and "rate" not in got:
        rate = _rate_for(block, budget[0], got["spent"][0])
        if rate:
            got["rate"] = rate
    if unit is None and (budget or got.get("spent")):
        warnings.append("自评表未注明金额单位 / the form prints no unit for its amounts")
    for role, fld in (("budget", "budget_wan"), ("spent", "spent_wan")):
        item = got.get(role) or (got.get("budget_initial") if role == "budget" else None)
        if item and unit:
            f = _amount_fact(fld, item[0], item[1], unit, item[2], source)
            if f:
                out[fld] = f.value
                facts.append(f)
    if got.get("rate"):
        v, raw, c = got["rate"]
        out["execution_rate_pct"] = v
        facts.append(Fact("execution_rate_pct", v, "%", c.start, c.end, source=source))
    if got.get("score"):
        out["funds_score"] = got["score"][0]
    if warn and warn not in warnings:
        warnings.append(warn)
    return out, facts, warnings


def _leading_budget(roles: list[str], cells: list[Cell]) -> dict:
    """Nothing confirms the row, but its first cells stand under the budget columns, which
    every form prints first: the budget is read when those cells agree (年初 = 全年)."""
    lead = [(r, c) for r, c in zip(roles, cells) if r in ("budget_initial", "budget")]
    n = len([r for r in roles[: len(lead)] if r in ("budget_initial", "budget")])
    if not lead or n != len(lead) or any(c.is_pct or c.number is None for _, c in lead):
        return {}
    if len({c.number for _, c in lead}) != 1 or lead[0][1].number == 0:
        return {}
    r, c = lead[-1]
    return {"budget": (c.number, c.raw, c)}


def _rate_for(block: str, budget: Decimal, spent: Decimal):
    """The printed rate (anywhere in the form) that spent / budget gives."""
    if budget <= 0:
        return None
    ratio = spent / budget * 100
    hits = []
    for m in re.finditer(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)%", block):
        c = Cell(m.group(0), m.start(), m.end())
        if abs(ratio - c.number) <= _tol(c.raw):
            hits.append((c.number, c.raw, c))
    return hits[0] if len({h[0] for h in hits}) == 1 else None


def _spent_rate_pair(block: str, budget: Decimal):
    if budget <= 0:
        return None
    amounts, rates = [], []
    for m in re.finditer(r"(?<![\d.])(\d[\d,]*(?:\.\d+)?)(%?)(?![\d.])", block):
        c = Cell(m.group(0), m.start(), m.end())
        v = c.number
        if v is None:
            continue
        (rates if m.group(2) else amounts).append((v, c.raw, c))
    found = []
    for a in amounts:
        if a[0] == budget or a[0] == 0:
            continue
        for r in rates:
            if 0 < r[0] < 100 and abs(a[0] / budget * 100 - r[0]) <= _tol(r[1]):
                found.append((a, r))
    if len({(a[0], r[0]) for a, r in found}) == 1:
        return found[0]
    return None


# ------------------------------------------------------------------ indicator rows and the total

_TOKEN = re.compile(r"[^\s|]+")


def read_indicators(block: str) -> list[dict]:
    """Indicator rows: the last two numbers of each row's run of numbers are 分值 and 得分
    (a run of five or more is 指标值, 完成值, 分值, 得分, …)."""
    sq = _squeeze(block)
    hm = re.search(r"一\s*级\s*指\s*标", block)
    if not hm or "三级指标" not in sq:
        return []
    region = block[hm.end() :]
    endm = re.search("|".join(r"\s*".join(map(re.escape, w)) for w in R.INDICATOR_END), region)
    if endm:
        region = region[: endm.start()]
    tokens = [(m.group(0), m.start()) for m in _TOKEN.finditer(region)]
    rows: list[dict] = []
    level1 = level2 = None
    pending: list[str] = []
    nums: list[Decimal] = []

    def flush():
        nonlocal pending, nums
        if len(nums) >= 2:
            mx, sc = _row_numbers(nums)[0]
            if 0 < mx <= 100 and 0 <= sc <= mx:
                label = next((p for p in pending if not re.fullmatch(r"[≥≤<>=+\-\d.%个万元]+", p)), None)
                rows.append({"row_no": len(rows) + 1, "level1": level1, "level2": level2, "level3": label,
                             "max_score": mx, "score": sc})
        pending, nums = [], []

    for tok, _ in tokens:
        t = re.sub(r"[(（]\d+分[)）]$", "", tok)
        v = to_decimal(tok) if re.fullmatch(r"\d+(?:\.\d+)?", tok) else None
        if v is not None:
            nums.append(v)
            continue
        if nums:
            flush()
        if t in R.LEVEL1:
            level1, level2 = t, None
        elif t in R.LEVEL2:
            level2 = t
        elif not re.fullmatch(r"[…\.]+", t):
            pending.append(t)
    flush()
    return rows


def _row_numbers(nums: list[Decimal]) -> list[tuple[Decimal, Decimal]]:
    """(分值, 得分) of a run of numbers ending a row: the last two; five or more are 指标值,
    完成值, 分值, 得分, …; four ending in 100 and the total are a row's pair and the form's 总分."""
    if len(nums) >= 5:
        return [(nums[2], nums[3])]
    if len(nums) == 4 and nums[2] == 100 and nums[0] >= nums[1] and nums[0] < 100:
        return [(nums[0], nums[1])]
    return [(nums[-2], nums[-1])]


def read_total(block: str, indicators: list[dict], funds_score) -> Fact | None:
    sq, where = squeeze_map(block)
    for w in R.TOTAL_LABELS:
        m = re.search(re.escape(w) + r"(?:[(（]分[)）])?[:：]?(\d{1,3}(?:\.\d{1,2})?)(?![\d%])", sq)
        if m and Decimal(m.group(1)) <= 100:
            return Fact("total_score", Decimal(m.group(1)), "分", where[m.start(1)], where[m.end(1) - 1] + 1, source="labelled_cell")
    if not indicators:
        return None
    total = sum((r["score"] for r in indicators), Decimal(0)) + (funds_score or 0)
    # 总分 100 98.62 / "100 98.62" at the end of the rows: the number the rows add up to
    for m in re.finditer(r"(?<![\d.])100(?:\.0+)?\s+(\d{1,3}(?:\.\d{1,2})?)(?![\d.%])", block):
        v = Decimal(m.group(1))
        if abs(v - total) <= Decimal("0.011") and v <= 100:
            return Fact("total_score", v, "分", m.start(1), m.end(1), source="form_total")
    return None


def read_form(text: str, form: Form) -> Form:
    block = text[form.start : form.end]
    base = form.start
    cells = labelled_cells(block, form.head_end - base)
    for fld, f in cells.items():
        form.values[fld] = f.text
        form.facts.append(_shift(f, base))
    funds, facts, warnings = read_funds(block)
    form.warnings += warnings
    funds_score = funds.pop("funds_score", None)
    form.values.update(funds)
    form.facts += [_shift(f, base) for f in facts]
    form.indicators = read_indicators(block)
    total = read_total(block, form.indicators, funds_score)
    if total:
        form.values["total_score"] = total.value
        form.facts.append(_shift(total, base))
    return form


def _shift(f: Fact, base: int) -> Fact:
    return Fact(f.field, f.value, f.unit, f.start + base, f.end + base, source=f.source, text=f.text)
