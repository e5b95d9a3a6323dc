"""Report-level fields from one report's narrative text: the `narrative` source of the document
assembler (`extract/document.py`). Pure functions, no I/O.

Every numeric value is returned with a `Fact` (its offsets in the text given), so the
pipeline can store the evidence sentence. A value not stated in the text stays None.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from decimal import Decimal

from pipelines.extract.numbers import NUM, quantize, to_decimal, to_wan
from pipelines.rules import report_rules as R
from pipelines.text import sentence_at, sentences

CJK = r"\u4e00-\u9fff"


@dataclass
class Fact:
    """One extracted value with its evidence: offsets in the text searched and the rule
    (`source`) that found it — `narrative`, `labelled_cell`, `form_column`, `form_total`,
    `table_total`, `table_row`, `derived`… (rules data: `pipelines/rules/sources.py`).
    `text` holds the value of a text field (a name); `value` that of a number."""

    field: str
    value: Decimal | None
    unit: str
    start: int
    end: int
    source: str = "narrative"
    text: str | None = None
    evidence: str | None = None  # set where the sentence around the offsets is not the evidence (a table)


@dataclass
class Context:
    """What the document around a report tells: set by the explanation section of a bundle."""

    district: str | None = None
    admin_level: str | None = None
    report_year: int | None = None


def _alt(words) -> str:
    """A regex alternation of `words`, longest first (cached: the rule tables are constants)."""
    return _alt_cached(tuple(words))


@lru_cache(maxsize=256)
def _alt_cached(words: tuple) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_TABLE_LINE = re.compile(r"(?m)^\t[^\n]*")


@lru_cache(maxsize=16)
def narrative_mask(text: str) -> str:
    """The text with table cells (tab-prefixed lines) blanked out, offsets preserved.
    Cached: every extractor of a report asks for it."""
    return _TABLE_LINE.sub(lambda m: " " * len(m.group(0)), text)


_sentence_at = sentence_at


# ---------------------------------------------------------------- scores and grade

_TOTAL_RE = re.compile(
    rf"(?P<label>{_alt(R.TOTAL_SCORE_LABELS)})\s*(?:为|是|:|达到|达)?\s*(?P<num>\d{{1,3}}(?:\.\d+)?)(?P<tail>\s*分)?(?!\s*[%\d.])"
)
_GRADE_RE = re.compile(
    rf"(?P<label>{_alt(R.GRADE_LABELS)})\s*[:]?\s*[“\"'「『]?\s*(?P<grade>{_alt(R.GRADE_WORDS)})(?![{CJK}]*(?:保护|测评))(?![”\"'」』]?\s*(?:的|有)\s*\d+\s*(?:个|项))"
)
_DIM_ITEM_RE = re.compile(
    rf"(?P<name>[{CJK}]{{1,10}}?)(?:指标)?(?:得分|评分)?(?:为|:)?\s*(?P<num>\d{{1,3}}(?:\.\d+)?)\s*分(?!值|率)"
)


# Patterns of the hot loops compiled once (a module-level re.* call looks its pattern up each time).
_DIM_LEAD_RE = re.compile(r"^(?:其中|分别为|分别|和|及|与)")
_RATE_GAP_RE = re.compile(r"率|比例|占比")
_SPACED_ROW_RE = re.compile(r"\S {2,}\S.* {2,}\S")
_SPACED_CELL_RE = re.compile(r"\S+(?: \S+)*")
_RULE_CELL_RE = re.compile(r"\s*:?-{2,}:?\s*")
_WRAP_RE = re.compile(r"\s*\n\s*")


def find_total_score(text: str) -> Fact | None:
    for scan in (narrative_mask(text), text):
        for m in _TOTAL_RE.finditer(scan):
            label = m.group("label")
            if label in ("得分", "项目得分", "评价结果"):
                before = scan[max(0, m.start() - 4) : m.start()]
                if any(before.endswith(w) for w in R.DIMENSION_WORDS):
                    continue
                if label == "评价结果" and not m.group("tail"):
                    continue
            value = to_decimal(m.group("num"))
            if value is None or value > 100:
                continue
            return Fact("total_score", value, "分", m.start("num"), m.end("num"))
    return None


def find_grade(text: str) -> tuple[str | None, int | None]:
    for scan in (narrative_mask(text), text):
        m = _GRADE_RE.search(scan)
        if m:
            return R.GRADE_WORDS[m.group("grade")], m.start("grade")
    return None, None


def dimension_std(name: str) -> str:
    for word, std in R.DIMENSION_STD:
        if word in name:
            return std
    return "other"


def _known_dimension(name: str) -> bool:
    return any(word in name for word, _ in R.DIMENSION_STD) or "投入" in name


_PARALLEL_DIMS = re.compile(
    r"(?P<names>[^，。；:：,]{2,60}?)(?:[一二三四五六七八九十两]个方面|[一二三四五六七八九十两]项(?:一级)?指标|指标)?"
    r"分别(?:得分|获得|得)?(?:为)?\s*"
    r"(?P<nums>\d+(?:\.\d+)?\s*分?(?:\s*[、，,和及与]\s*\d+(?:\.\d+)?\s*分?)+)"
)


def _parallel_dimensions(scan: str, s: int, e: int) -> list[dict]:
    """'决策、过程、产出、效益四个方面分别得分18分、19分、35分、20分' — names, then 分别, then numbers."""
    m = _PARALLEL_DIMS.search(scan, s, e)
    if not m:
        return []
    names = [re.sub(r"^(?:其中|以及)", "", n).strip() for n in re.split(r"[、和及与]", m.group("names"))]
    names = [n for n in names if n]
    nums = list(re.finditer(r"\d+(?:\.\d+)?", scan[m.start("nums") : m.end("nums")]))
    if len(names) != len(nums) or len(names) < 2 or not all(_known_dimension(n) for n in names):
        return []
    base = m.start("nums")
    return [
        {"dimension": n, "dimension_std": dimension_std(n), "score": to_decimal(x.group(0)),
         "start": base + x.start(), "end": base + x.end()}
        for n, x in zip(names, nums)
    ]


@lru_cache(maxsize=1)
def _dim_words_re() -> re.Pattern:
    return re.compile(_alt([w for w, _ in R.DIMENSION_STD]))


def find_narrative_dimensions(text: str) -> list[dict]:
    """The sentence that lists first-level scores (其中：项目决策得分…分，…): one dict per item."""
    scan = narrative_mask(text)
    # cheap pre-filter: a dimension sentence has at least two scores and a dimension word. The
    # words are found by one scan of their alternation, resumed past each sentence read: a sentence
    # holds one exactly when the next word found starts before its end (no word holds a stop).
    words = _dim_words_re()
    nxt = words.search(scan)
    for s, e in sentences(scan):
        if nxt is None:
            break  # no dimension word in the rest of the text
        if nxt.start() < s:
            nxt = words.search(scan, s)
            if nxt is None:
                break
        if nxt.start() >= e:
            continue
        sentence = scan[s:e]
        if "分别" in sentence:
            items = _parallel_dimensions(scan, s, e)
            if items:
                return items
        if sentence.count("分") < 2:
            continue
        items = []
        for m in _DIM_ITEM_RE.finditer(scan, s, e):
            name = m.group("name")
            name = _DIM_LEAD_RE.sub("", name)
            if not name or not _known_dimension(name):
                continue
            value = to_decimal(m.group("num"))
            if value is None:
                continue
            items.append(
                {
                    "dimension": name,
                    "dimension_std": dimension_std(name),
                    "score": value,
                    "start": m.start("num"),
                    "end": m.end("num"),
                }
            )
        if len({i["dimension_std"] for i in items}) >= 2:
            return items
    return []


# ---------------------------------------------------------------- funds


def funds_section(text: str) -> tuple[int, int] | None:
    m = re.search(rf"(?m)^[^\n]{{0,12}}{R.FUNDS_SECTION_HEADING}[。.]?\s*$", text)
    if not m:
        return None
    nxt = re.search(
        r"(?m)^\s*(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、])[^\n]{0,40}$",
        text[m.end() :],
    )
    return m.end(), (m.end() + nxt.start() if nxt else len(text))


def _labelled_amounts(scan: str, labels, lo: int, hi: int):
    """All (position, label, amount match) where an amount directly follows one of `labels`."""
    pat = re.compile(rf"(?P<label>{_alt(labels)})(?P<gap>[^\d。；，,\n%]{{0,6}}?)\s*(?P<num>{NUM})\s*(?P<unit>亿元|万元|千元|元)")
    out = []
    for m in pat.finditer(scan, lo, hi):
        if _RATE_GAP_RE.search(m.group("gap")):
            continue
        before = R.NOT_AFTER_LABEL.get(m.group("label"))
        if before and any(scan.endswith(w, 0, m.start()) for w in before):
            continue
        out.append(m)
    return out


def _first_labelled(scan: str, labels, windows) -> re.Match | None:
    for lo, hi in windows:
        found = _labelled_amounts(scan, labels, lo, hi)
        if found:
            return min(found, key=lambda m: (m.start(), -len(m.group("label"))))
    return None


def _amount_fact(name: str, m: re.Match) -> Fact | None:
    v = to_wan(m.group("num"), m.group("unit"))
    if v is None:
        return None
    return Fact(name, v, "万元", m.start("num"), m.end("unit"))


def find_funds(text: str) -> tuple[dict, list[Fact]]:
    scan = narrative_mask(text)
    sec = funds_section(scan)
    windows = ([sec] if sec else []) + [(0, len(scan))]
    facts: list[Fact] = []
    out: dict = {"budget_wan": None, "received_wan": None, "spent_wan": None, "execution_rate_pct": None}

    budget_m = _first_labelled(scan, R.BUDGET_LABELS, windows) or _first_labelled(scan, R.BUDGET_FALLBACK_LABELS, windows)
    budget_sentence = None
    if budget_m:
        f = _amount_fact("budget_wan", budget_m)
        if f:
            out["budget_wan"] = f.value
            facts.append(f)
            budget_sentence = _sentence_at(scan, budget_m.start("num"))

    rec_m = _first_labelled(scan, R.RECEIVED_LABELS, windows[:1] if sec else windows)
    if rec_m:
        f = _amount_fact("received_wan", rec_m)
        if f:
            out["received_wan"] = f.value
            facts.append(f)
    spent_m = _first_labelled(scan, R.SPENT_LABELS, windows[:1] if sec else windows)
    if spent_m:
        f = _amount_fact("spent_wan", spent_m)
        if f:
            out["spent_wan"] = f.value
            facts.append(f)

    if budget_sentence and out["budget_wan"] is not None:
        s, e = budget_sentence
        # Extend to the rest of the sentence ending in 。 (clauses split by ；/，).
        e2 = scan.find("。", e - 1)
        sent = scan[s : (e2 + 1 if e2 != -1 else e)]
        if out["received_wan"] is None and any(p in sent for p in R.ALL_RECEIVED):
            out["received_wan"] = out["budget_wan"]
            pos = min(sent.find(p) for p in R.ALL_RECEIVED if p in sent) + s
            facts.append(Fact("received_wan", out["budget_wan"], "万元", pos, pos + 4))
        if out["spent_wan"] is None:
            for p in R.ALL_SPENT:
                i = sent.find(p)
                if i != -1 and not re.search(r"全部为", sent[max(0, i - 1) : i + 3]):
                    base = out["received_wan"] if out["received_wan"] is not None else out["budget_wan"]
                    out["spent_wan"] = base
                    facts.append(Fact("spent_wan", base, "万元", s + i, s + i + len(p)))
                    break
        if out["spent_wan"] is None:
            spent_any = _first_labelled(scan, R.SPENT_LABELS, [(0, len(scan))])
            if spent_any:
                f = _amount_fact("spent_wan", spent_any)
                if f:
                    out["spent_wan"] = f.value
                    facts.append(f)

    rate_pat = re.compile(
        rf"(?P<label>{_alt(R.EXECUTION_RATE_LABELS)})\s*(?:为|达到|达|是|:)?\s*(?:(?P<pct>{NUM})\s*%|(?P<dec>0\.\d+|1\.0+)(?![\d%]))"
    )
    for lo, hi in windows:
        m = rate_pat.search(scan, lo, hi)
        if m:
            if m.group("pct"):
                v = to_decimal(m.group("pct"))
                s0, e0 = m.start("pct"), m.end("pct")
            else:
                v = to_decimal(m.group("dec"))
                v = None if v is None else v * 100
                s0, e0 = m.start("dec"), m.end("dec")
            if v is not None and v <= 1000:
                out["execution_rate_pct"] = v
                facts.append(Fact("execution_rate_pct", v, "%", s0, e0))
                break
    return out, facts


def computed_execution_rate(budget, received, spent) -> Decimal | None:
    base = received if received not in (None, 0) else budget
    if spent is None or base in (None, 0):
        return None
    try:
        return quantize(Decimal(spent) / Decimal(base) * 100, 4)
    except ArithmeticError:  # never raises: a printed figure may be absurd
        return None


# ---------------------------------------------------------------- who, where, when


_PAREN_ALIAS = re.compile(r"[(（](?:以下简称|下称|简称)[^)）]*[)）]")


def strip_aliases(s: str) -> str:
    """`s` without its alias notes (（以下简称…）); every one holds 简称 or 下称, so a text without
    either is kept as is."""
    return _PAREN_ALIAS.sub("", s) if "简称" in s or "下称" in s else s


@lru_cache(maxsize=16)
def table_cells(text: str) -> tuple[tuple[str, int], ...]:
    """Every table cell of `text` in reading order with its offset, whatever the layout: one
    tab-prefixed cell per line, `| a | b |` rows, or cells split by runs of two or more spaces.
    Cached per report text (the form readers and the label readers both ask)."""
    out: list[tuple[str, int]] = []
    pos = 0
    for line in text.split("\n"):
        if line.startswith("\t"):
            out.append((line[1:].strip(), pos + 1))
        elif line.count("|") >= 2:
            off = pos
            for part in line.split("|"):
                if part.strip() and not _RULE_CELL_RE.fullmatch(part):
                    out.append((part.strip(), off + part.find(part.strip())))
                off += len(part) + 1
        elif _SPACED_ROW_RE.search(line):
            for m in _SPACED_CELL_RE.finditer(line):
                out.append((m.group(0), pos + m.start()))
        pos += len(line) + 1
    return tuple(out)


def kv_cells(text: str) -> dict[str, str]:
    """Label/value pairs of form-like tables: a cell equal to a label, then its value."""
    cells = [c for c, _ in table_cells(text)]
    labels = set(R.DEPARTMENT_LABELS + R.IMPLEMENTER_LABELS + ["项目名称"])
    out: dict[str, str] = {}
    for i, c in enumerate(cells[:-1]):
        if c in labels and c not in out and cells[i + 1] and cells[i + 1] not in labels:
            out[c] = cells[i + 1]
    return out


@lru_cache(maxsize=64)
def _labelled_line_re(labels: tuple) -> re.Pattern:
    return re.compile(rf"(?m)^\s*(?:\d+[.、]\s*)?(?:{_alt(labels)})\s*[:]\s*(?P<v>[^\n]+)$")


def _labelled_line_start(text: str, labels) -> int | None:
    """Where `_labelled_line_re(labels)` can first match: None when no label is in `text`.

    A match's label comes after nothing but blanks, digits and a 、 or . from the match's start,
    so no match starts before the run of such characters that ends at the first label: the
    search starts there instead of trying the line pattern at every offset before it."""
    k = min((i for i in (text.find(w) for w in labels) if i != -1), default=None)
    if k is None:
        return None
    while k > 0 and (text[k - 1].isspace() or text[k - 1].isdecimal() or text[k - 1] in ".、"):
        k -= 1
    return k


def find_labelled_line(text: str, labels) -> str | None:
    labels = tuple(labels)
    start = _labelled_line_start(text, labels)
    m = _labelled_line_re(labels).search(text, start) if start is not None else None
    if not m:
        return None
    v = strip_aliases(m.group("v")).strip().rstrip("。；;")
    return v or None


_EVAL_OBJECT = re.compile(
    r"(?P<pre>[^，。“”\n]{0,60}?)对(?P<org>[^。“”]{0,80}?)(?:的)?“(?P<name>[^。]+)”(?:项目)?"
    r"(?:开展|进行)(?:了)?(?:部门|财政|重点|单位)?(?:绩效)?(?:自)?评价"
)


def _object_quote_follows(head: str, k: int) -> bool:
    """Whether the 对 at `k` can be a match's: `_EVAL_OBJECT`'s org ({0,80} characters without
    。“”) and an optional 的 stand between it and the opening “, so the first of “”。 after it
    is a “ at most 81 characters on."""
    window = head[k + 1 : k + 83]
    q = window.find("“")
    return q != -1 and "”" not in window[:q] and "。" not in window[:q]


def _first_object(head: str) -> re.Match | None:
    """`_EVAL_OBJECT.search(head)`, searched only around each 对 (as `text.finditer_anchored`).

    Every match holds no 。 and has its 对 at most 60 characters after its start: a match that
    starts before the first 对 still to look at lies within 60 characters before it, and ends
    before the next 。. Found with `str.find` (no cached stop offsets: `head` is a new string)."""
    pos = 0
    k = -1
    while True:
        k = head.find("对", max(pos, k + 1))
        if k == -1:
            return None
        if not _object_quote_follows(head, k):
            continue  # no match holds this 对: the window is not searched (`pos` stays)
        hi = head.find("。", k)
        hi = len(head) if hi == -1 else hi
        m = _EVAL_OBJECT.search(head, max(pos, k - 60), hi)
        if m is not None:
            return m
        pos = max(hi, k + 1)


def find_object(text: str) -> tuple[str | None, str | None]:
    """(department, project name) from the opening sentence: '对<部门>“<项目>”开展了绩效评价',
    or '<部门>对“<项目>”开展了部门评价' when the evaluated body names itself first."""
    head = strip_aliases(text[:3000])
    # the pattern's fixed words first: its lazy opening would otherwise be tried at every position.
    # A match holds no 。 and its 对 lies at most 60 characters after its start, so only the
    # stretch around each 对 is searched (`_first_object`: the same first match).
    m = _first_object(head) if "“" in head and "评价" in head else None
    if not m:
        return None, None
    org = re.sub(r"^(?:北京市[^。，]{0,10}?财政局(?:成立了绩效评价工作组)?，?)", "", m.group("org")).strip("，, ")
    if not org:
        pre = re.search(rf"([{CJK}()（）]{{2,40}}(?:{_alt(R.ORG_SUFFIXES)}))$", m.group("pre").strip())
        org = pre.group(1) if pre and "财政局" not in pre.group(1) else ""
    org = re.sub(rf"(?:{_alt(R.ORG_TRAILING_VERBS)})$", "", _unwrap(org))
    # A name never holds a line break: one there comes from wrapped lines (PDF text, Word soft breaks).
    return (org or None), _unwrap(m.group("name").strip())


def _unwrap(s: str) -> str:
    return _WRAP_RE.sub("", s)


def find_implementer(text: str) -> str | None:
    v = find_labelled_line(text, R.IMPLEMENTER_LABELS)
    if v:
        return v
    scan = strip_aliases(narrative_mask(text))
    if "实施" not in scan:  # every pattern below names 实施: their lazy openings are not tried at all
        return None
    m = re.search(rf"实施主体(?:为|是)(?P<v>[{CJK}、()（）]{{2,60}}?)[。，；]", scan)
    if m:
        return m.group("v")
    m = re.search(rf"(?P<v>[{CJK}()（）]{{4,40}}?(?:{_alt(R.ORG_SUFFIXES)}))(?:负责|组织|牵头)?实施的“", scan) if "实施的“" in scan else None
    if m:  # "…委员会实施的“项目”"
        return re.sub(r"^.*?对", "", m.group("v")) if "对" in m.group("v") else m.group("v")
    for m in (re.finditer(rf"(?:，|。|^)(?P<v>[{CJK}()（）]{{4,40}}?)作为(?:开发)?实施主体", scan) if "作为" in scan else ()):
        if re.search(rf"(?:{_alt(R.ORG_SUFFIXES)})$", m.group("v")):
            return m.group("v")
    return None


def title_project_name(title: str, department: str | None) -> str | None:
    tail = re.search(r"报告\s*[(（](?P<p>[^()（）]{2,30}(?:项目|资金|经费|政策|工程))[)）]$", title)
    if tail:  # 某单位2022年度项目绩效自评报告(春节慰问经费项目)
        return tail.group("p")
    m = re.search(r"(?:项目)?(?:支出)?(?:绩效)?(?:评价)?(?:自评价?|评价)(?:总结)?(?:的)?报告.*$", title)
    t = title[: m.start()] if m else title
    if m and t.endswith(("资金", "经费")) and m.group(0).startswith("项目"):
        t += "项目"  # 某某补助资金项目: 资金项目 is the name, 项目 is not the evaluation's word
    elif m and re.search(r"整体(?:支出)?(?:和|及|与)$", t) and m.group(0).startswith("项目支出"):
        t += "项目支出"  # 某单位2022年整体和项目支出绩效自评总结报告: the unit's spending as a whole
    t = t.strip()
    generic = r"(?:专项|项目|财政)?(?:资金|经费)(?:项目)?"  # 某中学专项资金: the unit's name is needed
    if department and t.startswith(department):
        if not re.fullmatch(generic, t[len(department) :]):
            t = t[len(department) :]
    elif department:
        y = re.match(r"(?:19|20)\d{2}\s*年度?", t)
        rest = t[y.end() + len(department) :] if y and t[y.end() :].startswith(department) else None
        if rest and not re.fullmatch(generic, rest):
            t = t[: y.end()] + rest  # 2022年某局某某资金项目: the year stays, the unit goes
    t = re.sub(r"^.*?关于", "", t) if "关于" in t else t
    t = t.strip(" “”\"")
    return t or None


def _place_in(s: str | None) -> tuple[str | None, str | None]:
    if not s:
        return None, None
    for alias, name in R.DISTRICT_ALIASES.items():
        if alias in s:
            return name, "区级"
    for d in R.DISTRICTS:
        if d in s:
            return d, "区级"
    m = re.search(rf"(?:省|市)(?P<d>[{CJK}]{{1,6}}?(?:区|县))(?:财政局|人民政府|[{CJK}]{{0,12}}(?:局|委员会|中心))", s)
    if m:
        return m.group("d"), "区级"
    return None, None


def find_fiscal_year(text: str, budget_fact: Fact | None, title: str, other_facts: tuple = ()) -> int | None:
    """The year of the funds: stated before the budget in its sentence, else in the title,
    else the first year the funds section mentions, else stated before the spending (or the
    funds received) in its sentence; None when the report states none."""
    scan = narrative_mask(text)
    year = r"((?:19|20)\d{2})\s*年"
    if budget_fact is not None:
        s, _ = _sentence_at(scan, budget_fact.start)
        years = re.findall(year, scan[s : budget_fact.start])
        if years:
            return int(years[-1])
    m = re.search(year, title)
    if m:
        return int(m.group(1))
    sec = funds_section(scan)
    if sec:
        m = re.search(year, scan[sec[0] : sec[1]])
        if m:
            return int(m.group(1))
    for f in other_facts:
        if f is not None:
            s, _ = _sentence_at(scan, f.start)
            years = re.findall(year, scan[s : f.start])
            if years:
                return int(years[-1])
    return None


def find_evaluation_type(text: str, title: str) -> str | None:
    head = text[:1500]
    if re.search(R.FINANCE_EVALUATOR, head):
        return "财政评价"
    if "自评" in title or any(p in text for p in R.SELF_EVALUATION):
        return "单位自评"
    if any(p in text for p in R.DEPARTMENT_EVALUATION):
        return "部门评价"
    return None


def explanation_context(text: str) -> Context:
    """District, level and year from an explanation section (关于…预算绩效管理…的说明)."""
    head = text[:600]
    ctx = Context()
    d, lvl = _place_in(head.split("\n", 1)[0])
    if d:
        ctx.district, ctx.admin_level = d, lvl
    else:
        for city, lvl in R.MUNICIPAL.items():
            if head.split("\n", 1)[0].find(city) != -1:
                ctx.district, ctx.admin_level = city, lvl
        if ctx.district is None:
            for word, lvl in R.SELF_REFERENCE.items():
                if word in head:
                    ctx.admin_level = lvl
                    if lvl == "市级":
                        ctx.district = next(iter(R.MUNICIPAL))
                    break
    m = re.search(r"((?:19|20)\d{2})\s*年", head)
    if m:
        ctx.report_year = int(m.group(1))
    return ctx


# ---------------------------------------------------------------- grade bands


def grade_for(score: Decimal | None) -> str | None:
    if score is None:
        return None
    for grade, lower in R.GRADE_BANDS:
        if score >= lower:
            return grade
    return None
