"""The document assembler: one document's normalized text -> rows of every landed table.

1. **Kinds.** The text is split into its parts (`segment.split_document`: an explanation and
   titled reports) and its self-evaluation forms (`forms.find_forms`). The document is an
   `evaluation_report`, a `self_evaluation_form`, an `explanation` of a government's
   budget-performance work, a `review_notice` (财政投资评审 / 事前绩效评估 / 预算评审 results,
   often news), a `results_bulletin`, or `other`.
2. **Sources.** Every report field is taken from an ordered list of named sources
   (`pipelines/rules/sources.py`, by kind of report); the first source that finds a value wins
   and names itself in `facts.source`.
3. **Evidence.** A report row needs a project (a title or a labelled 项目名称) and a figure of
   its own (score, grade or funds); anything else is not a report. A review notice gives
   `audit_reductions` rows, never a report. A document with nothing to land says what it is.

Pure: no I/O, no Dagster.
"""

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache

from pipelines import nlp, schema
from pipelines.extract import audit, bulletin as BL, checks, forms as FM, places
from pipelines.extract import findings as F
from pipelines.extract import tables as T
from pipelines.extract import themes as TH
from pipelines.extract import report as RP
from pipelines.extract.report import Context, Fact
from pipelines.rules import document_rules as D
from pipelines.rules import report_rules as RR
from pipelines.rules import sources as S
from pipelines.segment import Section, split_document
from pipelines.text import line_at, sentence_at, sentences

NUMERIC_FIELDS = ("total_score", "score_decision", "score_process", "score_output", "score_outcome",
                  "budget_wan", "received_wan", "spent_wan", "execution_rate_pct")
FIGURES = ("total_score", "grade", "budget_wan", "received_wan", "spent_wan")
UNITS = {"total_score": "分", "execution_rate_pct": "%"}


@dataclass
class DocResult:
    rows: dict[str, list[dict]] = field(default_factory=lambda: {t: [] for t in schema.LANDED_TABLES})
    text: str = ""
    reports: list = field(default_factory=list)  # segment.Section, for `bpe explain`
    doc_kind: str = "other"
    reason: str | None = None  # why nothing was loaded, when nothing was


def report_id(doc_id: str, seq: int) -> str:
    return hashlib.sha256(f"{doc_id}:{seq}".encode()).hexdigest()[:16]


EVIDENCE_MAX = 160  # a longer "sentence" is a table or a form: its line, or the cells around the value


_SPACES_RE = re.compile(r"\s+")  # compiled once: evidence runs for every fact


def evidence(text: str, start: int, end: int) -> str:
    s, e = sentence_at(text, start)
    e = max(e, end)
    if e - s > EVIDENCE_MAX:
        s, e = max(s, line_at(text, start)[0]), min(e, line_at(text, end)[1])
    if e - s > EVIDENCE_MAX:
        s, e = max(s, start - 60), min(e, end + 60)
    return _SPACES_RE.sub(" ", text[s:e]).strip()[:500]


def _fact_rows(subject: str, facts: list[Fact], text: str, base: int) -> list[dict]:
    return [
        {
            "subject_id": subject,
            "field": f.field,
            "value": float(f.value),
            "unit": f.unit,
            "evidence": getattr(f, "evidence", None) or evidence(text, base + f.start, base + f.end),
            "char_start": base + f.start,
            "char_end": base + f.end,
            "source": f.source,
            "page": None,
        }
        for f in facts
        if f.value is not None
    ]


# ------------------------------------------------------------------ small readers


def is_debris(line: str) -> bool:
    s = line.strip()
    return not s or any(re.search(p, s) for p in D.DEBRIS_LINE)


def labelled_title(text: str) -> str | None:
    for line in text.split("\n"):
        m = re.match(D.TITLE_LABEL, line)
        if m:
            return m.group("t").strip("“”\" ")
    return None


def headline(text: str) -> tuple[str | None, int]:
    """The first line of a page that is not debris, when it names an evaluation (a news headline)."""
    pos = 0
    for line in text.split("\n")[:12]:
        s = line.strip()
        if s and not is_debris(s):
            head = re.split(r"\s{1,}(?=按照|根据|为|近日|日前)", s)[0]
            if len(head) <= 60 and any(w in head for w in D.HEADLINE_WORDS) and head[-1] not in "。；;，,":
                return head, pos + line.find(head)
            return None, 0
        pos += len(line) + 1
    return None, 0


_PROJECT_IN_HEADLINE = re.compile(
    rf"(?P<name>[^，。,；:：]{{2,50}}?(?:{'|'.join(D.PROJECT_ENDINGS)}))[^，。,；]{{0,6}}?{D.HEADLINE_TAIL}"
)
_OBJECT_PLAIN = re.compile(
    rf"对(?:该[县区市])?(?P<name>(?![此该本这其])[^，。,；“”]{{2,50}}?(?:{'|'.join(D.PROJECT_ENDINGS)}))(?:的)?(?:开展|进行|实施)(?:了)?[^，。,；]{{0,10}}?(?:绩效)?(?:自评|评价)"
)


def project_from_headline(title: str) -> str | None:
    m = _PROJECT_IN_HEADLINE.search(title)
    if not m:
        return None
    name = m.group("name")
    # a place (and the unit) before the project is not part of its name
    pl = places.gazetteer().mentions(name)
    if pl and pl[0][0] == 0:
        name = name[pl[0][1] :]
    name = re.sub(r"^(?:关于|对)", "", name).strip(" “”\"")
    return name if len(name) >= 2 else None


def publisher(text: str) -> str | None:
    """The unit a page is published by: 信息来源:… / 发布机构:…, or the label's own line then its value."""
    head = text[:800]
    m = re.search(r"(?:信息来源|发布机构|来源)[:：]\s*(?P<v>[\u4e00-\u9fff()（）]{4,30}?)(?=\s|文字|字号|发布|$|_|\n)", head) or re.search(
        r"(?m)^[\s•·\-]*(?:发布机构|信息来源)\s*\n[\s•·\-]*(?P<v>[\u4e00-\u9fff()（）]{4,30})\s*$", head)
    return m.group("v") if m else None


def title_org(title: str | None) -> str | None:
    """The organisation a title opens with, after an optional year: a place, then a name with an
    organisation's ending (…中学, …局, …委员会, …中心)."""
    if not title:
        return None
    t = re.sub(r"^\s*(?:19|20)\d{2}\s*年度?", "", title)
    names = [(s, e) for s, e, _, full in places.gazetteer().mentions(t) if full]
    if not names or names[0][0] != 0:
        return None
    m = re.match(rf"[\u4e00-\u9fff()（）]{{1,20}}?(?:{'|'.join(D.ORG_ENDINGS)})", t[names[0][1]:])
    if not m:
        return None
    org = t[: names[0][1] + m.end()]
    if re.search(r"财政(?:局|厅)$", org) and t[len(org):].lstrip().startswith("关于"):
        return None  # 某县财政局关于…项目绩效评价报告: the evaluator, not the evaluated body
    return org


def finance_evaluation(text: str) -> bool:
    head = text[:2500]
    return any(re.search(p, head) for p in D.FINANCE_EVALUATION)


def evaluation_type(text: str, title: str) -> str | None:
    head = (title or "") + "\n" + text[:600]
    if any(w in head for w in D.SELF_EVALUATION_HEAD):
        return "单位自评"
    if finance_evaluation(text) or re.search(RP.R.FINANCE_EVALUATOR, text[:1500]):
        return "财政评价"
    m = re.search(D.DEPARTMENT_COMMISSION, text[:600])
    if m and "财政" not in m.group("org"):
        return "部门评价"
    return RP.find_evaluation_type(text, title)


# ------------------------------------------------------------------ sources of one report


@dataclass
class Candidate:
    value: object
    fact: Fact | None = None  # the evidence of a number (None for text fields)


def _num(fact: Fact | None) -> Candidate | None:
    return Candidate(fact.value, fact) if fact is not None and fact.value is not None else None


def weighted_table(text: str) -> tuple[list[dict], Fact | None]:
    """A table of weighted dimensions glued into one line (相关性20%100.0020.00…项目绩效100%/82.68):
    each row's raw and weighted score are cut where weight × raw = weighted confirms it."""
    words = "|".join(sorted(RP.R.WEIGHTED_DIMENSIONS, key=len, reverse=True))
    rows = []
    for m in re.finditer(rf"(?P<name>{words})(?P<w>\d{{1,3}})%(?P<raw>\d{{1,3}}\.\d{{2}})(?P<wt>\d{{1,3}}\.\d{{2}})", text):
        w, raw, wt = (Decimal(m.group(g)) for g in ("w", "raw", "wt"))
        if abs(raw * w / 100 - wt) <= Decimal("0.006"):
            rows.append({"dimension": m.group("name"), "dimension_std": RP.dimension_std(m.group("name")),
                         "max_score": w, "score": wt, "start": m.start("wt"), "end": m.end("wt")})
    total = None
    if len(rows) >= 2:
        s = sum(r["score"] for r in rows)
        tm = re.search(r"100%\s*/?\s*(\d{1,3}\.\d{2})", text)
        if tm and abs(Decimal(tm.group(1)) - s) <= Decimal("0.011"):
            total = Fact("total_score", Decimal(tm.group(1)), "分", tm.start(1), tm.end(1), source="table_total")
    return (rows if total else []), total


@lru_cache(maxsize=4)
def _weighted_table_once(text: str):
    return weighted_table(text)


class ReportSources:
    """Every named source of one report's fields, computed once, asked by the assembler."""

    def __init__(self, text: str, title: str, kind: str, ctx: Context, form: FM.Form | None, base: int, row: dict | None = None):
        self.text, self.title, self.kind, self.ctx, self.form, self.base, self.row = text, title, kind, ctx, form, base, row
        self._cache: dict[str, dict] = {}

    def get(self, source: str, fld: str) -> Candidate | None:
        if source not in self._cache:
            self._cache[source] = getattr(self, "src_" + source)()
        return self._cache[source].get(fld)

    # -- narrative text
    def src_narrative(self) -> dict:
        if self.kind == "self_evaluation_form":
            return {}
        t = self.text
        out: dict = {}
        total = RP.find_total_score(t)
        if total:
            out["total_score"] = _num(total)
        grade, _ = RP.find_grade(t)
        if grade:
            out["grade"] = Candidate(grade)
        self.dims = RP.find_narrative_dimensions(t)
        for std in ("decision", "process", "output", "outcome"):
            item = next((d for d in self.dims if d["dimension_std"] == std), None)
            if item:
                out[f"score_{std}"] = _num(Fact(f"score_{std}", item["score"], "分", item["start"], item["end"]))
        funds, facts = RP.find_funds(t)
        for f in facts:
            out.setdefault(f.field, _num(f))
        et = evaluation_type(t, self.title)
        if et:
            out["evaluation_type"] = Candidate(et)
        return out

    def narrative_dimensions(self) -> list[dict]:
        self.get("narrative", "total_score")
        return getattr(self, "dims", [])

    def src_labelled_line(self) -> dict:
        kv = RP.kv_cells(self.text)
        out = {}
        dept = RP.find_labelled_line(self.text, RP.R.DEPARTMENT_LABELS) or kv.get("主管部门")
        if dept:
            out["department"] = Candidate(dept)
        impl = RP.find_implementer(self.text) or kv.get("实施单位") or kv.get("执行单位")
        if impl:
            out["implementer"] = Candidate(impl)
        if kv.get("项目名称"):
            out["project_name"] = Candidate(kv["项目名称"])
        return out

    def src_object(self) -> dict:
        dept, name = RP.find_object(self.text)
        if not name:
            m = _OBJECT_PLAIN.search(RP.strip_aliases(self.text[:3000]))
            name = m.group("name") if m else None
        if name:
            name = re.sub(D.SELF_REFERENCE_PREFIX, "", name) or None
        out = {}
        if name and not dept and "整体支出" in name:
            dept = title_org(name)  # 对某局2020年度机关整体支出开展评价: the department is evaluated as a whole
        if name:
            out["project_name"] = Candidate(name)
            ym = re.search(r"((?:19|20)\d{2})\s*年", name)
            if ym:
                out["report_year"] = Candidate(int(ym.group(1)))
        if dept:
            out["department"] = Candidate(dept)
        return out

    def src_title(self) -> dict:
        out = {}
        if not self.title:
            return out
        dept = next((c.value for c in (self.get("labelled_line", "department"), self.get("object", "department")) if c), None) or title_org(self.title)
        name = RP.title_project_name(self.title, dept) if re.search(r"(?:评价|自评)(?:总结)?(?:的)?报告", self.title) else project_from_headline(self.title)
        if name and re.fullmatch(r".{0,30}?(?:19|20)\d{2}\s*(?:年度?)?", name):
            # 某委员会2022项目绩效自评报告 names a unit and a year: the project is the (…项目) under it
            m = re.match(r"\s*[(（](?P<p>[^()（）]{2,30})[)）]", self.text[len(self.title) + 1 :].lstrip())
            name = m.group("p") if m else None
        if name:
            out["project_name"] = Candidate(name)
        # 2022年, or a bare year between words (某委员会2022项目绩效自评报告), never part of a number
        ym = re.search(r"((?:19|20)\d{2})\s*年", self.title) or re.search(r"(?<=[\u4e00-\u9fff])((?:19|20)\d{2})(?=[\u4e00-\u9fff])", self.title)
        if ym:
            out["report_year"] = Candidate(int(ym.group(1)))
        return out

    def src_headline(self) -> dict:
        h, _ = headline(self.text)
        name = project_from_headline(h) if h else None
        return {"project_name": Candidate(name)} if name else {}

    def src_context(self) -> dict:
        return {"report_year": Candidate(self.ctx.report_year)} if self.ctx.report_year else {}

    def src_fiscal_year(self) -> dict:
        budget = self.get("narrative", "budget_wan")
        others = tuple(c.fact for c in (self.get("narrative", "spent_wan"), self.get("narrative", "received_wan")) if c)
        y = RP.find_fiscal_year(self.text, budget.fact if budget else None, self.title or "", others)
        return {"fiscal_year": Candidate(y), "report_year": Candidate(y)} if y else {}

    def src_title_org(self) -> dict:
        org = title_org(self.title)
        return {"department": Candidate(org)} if org else {}

    def src_evaluation_period(self) -> dict:
        m = re.search(RR.EVALUATION_PERIOD, RP.narrative_mask(self.text)[:3000])
        return {"report_year": Candidate(int(m.group(1)))} if m else {}

    def src_budget_year(self) -> dict:
        head = re.sub(r"《[^》]*》", "", self.text[:600])
        m = re.search(r"((?:19|20)\d{2})\s*年度", head) or re.search(D.BUDGET_APPROVAL_YEAR, self.text[:600])
        return {"report_year": Candidate(int(m.group(1)))} if m else {}

    def src_publisher(self) -> dict:
        if evaluation_type(self.text, self.title) != "单位自评":
            return {}
        p = publisher(self.text)
        return {"department": Candidate(p)} if p else {}

    # -- forms
    def _form_part(self, sources: tuple[str, ...]) -> dict:
        if not self.form:
            return {}
        out = {}
        for f in self.form.facts:
            if f.source in sources:
                out[f.field] = Candidate(f.text) if f.text is not None else _num(Fact(f.field, f.value, f.unit, f.start - self.base, f.end - self.base, source=f.source))
        return out

    def src_labelled_cell(self) -> dict:
        return self._form_part(("labelled_cell",))

    def src_form_column(self) -> dict:
        if self.form is None and self.kind == "evaluation_report":
            # a report's own funds table in the form's columns (年初预算数 / 全年执行数 / 执行率)
            _, facts, _ = FM.read_funds(self.text, misread=False)
            return {f.field: _num(f) for f in facts}
        return self._form_part(("form_column",))

    def src_form_total(self) -> dict:
        return self._form_part(("form_total",))

    def src_form_header(self) -> dict:
        return {"report_year": Candidate(self.form.year)} if self.form and self.form.year else {}

    def src_bulletin_row(self) -> dict:
        r = self.row or {}
        out = {k: Candidate(v) for k, v in r.items() if not k.startswith("_") and v is not None}
        for f in r.get("_facts", []):
            out[f.field] = _num(Fact(f.field, f.value, f.unit, f.start - self.base, f.end - self.base, source=f.source))
        return out

    def src_bulletin(self) -> dict:
        r = self.row or {}
        out = {}
        if r.get("_year"):
            out["report_year"] = Candidate(r["_year"])
        if r.get("_type"):
            out["evaluation_type"] = Candidate(r["_type"])
        if r.get("_publisher"):
            out["department"] = Candidate(r["_publisher"])
        return out

    def src_form(self) -> dict:
        return {"evaluation_type": Candidate("单位自评")} if self.form else {}

    # -- score tables
    def tables(self):
        if not hasattr(self, "_tables"):
            self._tables = score_tables(self.text) if self.kind == "evaluation_report" else ([], [], [], [])
            rows, total = _weighted_table_once(self.text)  # every row of a bulletin has the bulletin's text
            self._weighted = [dict(r) for r in rows], (replace(total) if total else None)
        return self._tables

    def src_table_total(self) -> dict:
        _, _, totals, _ = self.tables()
        if totals:
            t = totals[0]
            f = Fact("total_score", t["score"], "分", t["start"], t["end"], source="table_total")
            f.evidence = t["evidence"]
            return {"total_score": _num(f)}
        _, total = self._weighted
        return {"total_score": _num(total)} if total else {}

    def src_table_row(self) -> dict:
        _, dims, _, _ = self.tables()
        out = {}
        for std in ("decision", "process", "output", "outcome"):
            d = next((d for d in dims if d["dimension_std"] == std and d["score"] is not None), None)
            if d:
                f = Fact(f"score_{std}", d["score"], "分", d["start"], d["end"], source="table_row")
                f.evidence = d["evidence"]
                out[f"score_{std}"] = _num(f)
        return out


def score_tables(text: str):
    """Indicator rows, table dimension rows, table totals and target rows of one report's text."""
    indicators, dims, totals, targets = [], [], [], []
    target_no = 0
    for t in T.find_tables(text):
        kind = T.table_kind(t)
        where = {"start": t.start, "end": t.end}
        label = _SPACES_RE.sub(" ", t.caption or "评分表").strip()
        if kind == "indicator_scores":
            rows, total = T.indicator_rows(t)
            base = len(indicators)
            for r in rows:
                indicators.append({**r, "row_no": base + r["row_no"]})
            by_l1: dict[str, dict] = {}
            for r in rows:
                d = by_l1.setdefault(r["level1"] or "", {"max_score": Decimal(0), "score": Decimal(0)})
                d["max_score"] += r["max_score"] or 0
                d["score"] += r["score"] or 0
            for name, d in by_l1.items():
                if name:
                    dims.append({"dimension": name, "dimension_std": RP.dimension_std(name), **d, **where,
                                 "evidence": f"{label}：一级指标“{name}”各行合计 {d['score']}/{d['max_score']}"})
            row_sum = sum((r["score"] or 0 for r in rows), Decimal(0))
            if total and total.get("score") is not None:
                totals.append({"label": "合计", "score": total["score"], **where, "evidence": f"{label}：合计 {total['score']}"})
            elif rows:
                totals.append({"label": "各行之和", "score": row_sum, **where, "evidence": f"{label}：各行得分之和 {row_sum}"})
        elif kind == "dimension_summary":
            rows, extra = T.dimension_rows(t)
            for r in rows:
                dims.append({"dimension": r["dimension"], "dimension_std": RP.dimension_std(r["dimension"]),
                             "max_score": r.get("max_score"), "score": r.get("score"), **where,
                             "evidence": f"{label}：{r['dimension']} {r.get('max_score')} {r.get('score')}"})
            total = extra.get("total") if isinstance(extra, dict) else None
            if total and total.get("score") is not None:
                totals.append({"label": "综合得分", "score": total["score"], **where, "evidence": f"{label}：综合得分 {total['score']}"})
        elif kind == "targets":
            target_no += 1
            for r in T.target_rows(t):
                targets.append({**r, "table_no": target_no})
    return indicators, dims, totals, targets


# ------------------------------------------------------------------ one report


@dataclass
class Assembled:
    values: dict
    facts: list[Fact]


def assemble(src: ReportSources) -> Assembled:
    order = S.BY_KIND[src.kind]
    values: dict = {"title": src.title or None}
    facts: list[Fact] = []
    for fld, sources in order.items():
        values[fld] = None
        for name in sources:
            c = src.get(name, fld)
            if c is None or c.value in (None, ""):
                continue
            values[fld] = c.value
            if c.fact is not None and fld in NUMERIC_FIELDS:
                f = c.fact
                f.field, f.source = fld, name
                facts.append(f)
            break
    values["execution_rate_calc_pct"] = RP.computed_execution_rate(values["budget_wan"], values["received_wan"], values["spent_wan"])
    return Assembled(values, facts)


def has_evidence(v: dict) -> bool:
    """A report row needs a project and a figure of its own."""
    return bool(v.get("project_name") or v.get("title")) and any(v.get(f) is not None for f in FIGURES)


def place_for(v: dict, text: str, doc_place: places.Place | None, doc_text: str | None = None) -> places.Place:
    p = places.resolve(v.get("department"), v.get("implementer"), v.get("title"), v.get("project_name"), text[:1500],
                       context=doc_place, hints=doc_text)
    if doc_place is not None and doc_place.district and (p.district is None or places.contains(p, doc_place)):
        return doc_place  # the bundle names the district; the report only its province or city
    return p


# ------------------------------------------------------------------ the document


@dataclass
class Part:
    kind: str  # evaluation_report | self_evaluation_form | results_bulletin_row
    start: int
    end: int
    title: str
    seq: int = 0
    form: FM.Form | None = None
    row: dict | None = None  # a results bulletin's row, with what the bulletin says of all rows


def _parts(text: str, seg) -> list[Part]:
    """Titled reports, and the forms that stand outside them (a form inside a report is its appendix).
    A text with neither is one report stated in prose (`_lone_report`)."""
    titled = [s for s in seg.reports if not _untitled(s)]
    parts = [Part("evaluation_report", s.start, s.end, s.title) for s in titled]
    host_of = _hosts(parts)
    for f in FM.find_forms(text):
        host = host_of(f.start)
        if host:
            if host.form is None:
                host.form = FM.read_form(text, f)
            continue
        parts.append(Part("self_evaluation_form", f.start, f.end, f.title, form=FM.read_form(text, f)))
    if not parts and not seg.explanations:
        bulletins = BL.find_bulletins(text)
        doc_type = BL.document_type(text)
        # the unit that published its own self-evaluation results (信息来源:区卫生健康局)
        pub = publisher(text) if doc_type == "单位自评" else None
        for b in bulletins:
            year = BL.bulletin_year(text, b.start)
            for r in b.rows:
                parts.append(Part("results_bulletin_row", b.start, b.end, "", row={**r, "_year": year, "_type": doc_type, "_publisher": pub}))
        if not parts:
            for r in BL.score_lists(text):
                year = BL.bulletin_year(text, r["_end"])
                parts.append(Part("results_bulletin_row", r["_start"], r["_end"], "", row={**r, "_year": year, "_type": doc_type, "_publisher": pub}))
    if not parts and not seg.explanations:
        lone = _lone_report(text)
        parts = [lone] if lone else []
    return sorted(parts, key=lambda p: p.start)


def _hosts(reports: list[Part]):
    """The first of `reports` holding an offset, found by a binary search when they follow one
    another without overlapping (as `split_document` gives them), else by looking at each."""
    reports = list(reports)
    starts = [p.start for p in reports]
    ordered = all(a.end <= b.start for a, b in zip(reports, reports[1:])) and all(p.start <= p.end for p in reports)

    def host(pos: int) -> Part | None:
        if not ordered:
            return next((p for p in reports if p.start <= pos < p.end), None)
        i = bisect_right(starts, pos) - 1
        return reports[i] if i >= 0 and reports[i].start <= pos < reports[i].end else None

    return host


def _untitled(s: Section) -> bool:
    """`split_document` takes a text without a report title whole, titled by its first line."""
    return s.start == 0 and s.body_start == 0


def _lone_report(text: str) -> Part | None:
    """A text with no report title line: an evaluation stated in prose (a news item, a notice,
    a report whose title a viewer glued to its first heading or that names itself: 现将…报告如下)."""
    title = labelled_title(text)
    if not title:
        for line in text.split("\n")[:15]:
            if is_debris(line):
                continue
            m = re.match(D.GLUED_TITLE, line.strip())
            if m:
                title = m.group("t")
                break
    if not title:
        m = re.search(D.SELF_NAMED_TITLE, text[:800])
        title = m.group("t") if m else None
    h, _ = headline(text)
    return Part("evaluation_report", 0, len(text), title or h or "")


def _doc_place(text: str) -> places.Place:
    """The place a page is about: the first sentence (or line) that names one decides."""
    for s, e in sentences(text, "。！？\n"):
        p = places.resolve(text[s:e], hints=text)
        if p.district:
            return p
    return places.NO_PLACE


def extract_document(doc_id: str, text: str) -> DocResult:
    """Classify, segment and extract one document's normalized text (see module docstring)."""
    res = DocResult(text=text)
    seg = split_document(text)
    res.reports = seg.reports
    ctx = Context()
    doc_place = None
    audit_rows: list[dict] = []
    for ex in seg.explanations:
        ex_text = text[ex.start : ex.end]
        c = RP.explanation_context(ex_text)
        ctx = Context(c.district or ctx.district, c.admin_level or ctx.admin_level, c.report_year or ctx.report_year)
        p = places.resolve(ex.title, ex_text[:600], hints=text)
        if p.district is None and c.district:
            p = places.beijing(c.district)  # 我市/我区 of a Beijing explanation (the project's home)
        doc_place = p if p.district else doc_place
        for red in audit.find_reductions(ex_text):
            red.pop("sentence", None)
            audit_rows.append({"place": p if p.district else None, "report_year": c.report_year, "report_id": None,
                               "base": ex.start, **red})
    parts = _parts(text, seg)
    if not seg.explanations and parts:
        doc_place = _doc_place(text)
        doc_place = doc_place if doc_place.district else None

    reports_out = []
    seq = 0
    spans: dict[tuple[int, int], str] = {}  # the rows of a bulletin share its text: cut once, not once a row
    for part in parts:
        ptext = spans.get((part.start, part.end))
        if ptext is None:
            ptext = spans[(part.start, part.end)] = text[part.start : part.end]
        src = ReportSources(ptext, part.title, part.kind, ctx, part.form, part.start, part.row)
        a = assemble(src)
        v = a.values
        if not has_evidence(v) or (part.kind == "evaluation_report" and part.start == 0 and part.end == len(text) and not v.get("project_name")):
            continue  # a text without a report title needs a project of its own, not just a headline
        if part.kind == "evaluation_report" and not part.title and re.search(D.ACCOUNTS_HEAD, text[:300]) and v["total_score"] is None and v["grade"] is None:
            continue
        seq += 1
        part.seq = seq
        reports_out.append((part, src, a))
        if part.kind == "evaluation_report":
            # a whole-unit summary's listed projects: a row each, under the unit's department and year
            for r in BL.project_list(ptext):
                row = {**r, "_start": r["_start"] + part.start, "_end": r["_end"] + part.start,
                       "_facts": [Fact(f.field, f.value, f.unit, f.start + part.start, f.end + part.start, source=f.source) for f in r["_facts"]],
                       "department": v.get("department"), "_year": v.get("report_year"), "_type": v.get("evaluation_type")}
                sub = Part("results_bulletin_row", part.start + r["_start"], part.start + r["_end"], "", row=row)
                ssrc = ReportSources(text[sub.start : sub.end], "", sub.kind, ctx, None, sub.start, row)
                seq += 1
                sub.seq = seq
                reports_out.append((sub, ssrc, assemble(ssrc)))

    if not reports_out and not seg.explanations:
        # a review notice: its statistics, with the year each states and the place the page names
        rows = audit.find_reductions(text, with_years=True)
        if rows:
            dp = _doc_place(text)
            for red in rows:
                s, e = red.pop("sentence") or (0, 0)
                own = places.resolve(text[s:e], hints=text)  # 其中，济南市… : the row's own place
                place = own if own.district and not places.contains(own, dp) else dp
                audit_rows.append({"place": place if place.district else None, "report_id": None, "base": 0, **red})

    for part, src, a in reports_out:
        _land_report(res, doc_id, text, part, src, a, ctx, doc_place)

    # An explanation that names no place (我区) takes the one place all of its reports name.
    named = {(r["district"], r["admin_level"], r["province"], r["city"], r["adcode"]) for r in res.rows["reports"] if r["district"]}
    for red in audit_rows:
        facts = red.pop("facts")
        base = red.pop("base")
        place = red.pop("place") or (places.Place(*next(iter(named))) if len(named) == 1 else places.NO_PLACE)
        row = {**place.as_row(), "doc_id": doc_id, **red}
        row.pop("admin_level", None)
        res.rows["audit_reductions"].append(row)
        res.rows["facts"].extend(_fact_rows(doc_id, facts, text, base))

    # the explanation's government-wide rows first, then each report's own
    res.rows["audit_reductions"].sort(key=lambda r: r["report_id"] is not None)
    res.doc_kind = _doc_kind(text, seg, reports_out, res.rows["audit_reductions"])
    if not res.rows["reports"] and not res.rows["audit_reductions"]:
        res.reason = _nothing_reason(text)
    return res


def _doc_kind(text, seg, reports_out, audit_rows) -> str:
    kinds = [p.kind for p, _, _ in reports_out]
    if seg.explanations:
        return "explanation"
    if kinds:
        return "results_bulletin" if kinds[0] == "results_bulletin_row" else kinds[0]
    if audit_rows:
        head = text[:400]
        return "explanation" if any(w in head for w in D.EXPLANATION_WORDS) and "评审" not in head[:60] else "review_notice"
    return "other"


def _nothing_reason(text: str) -> str:
    for pat, reason in D.NOTHING_KINDS:
        if re.search(pat, text[:3000]):
            return reason
    return D.NOTHING_DEFAULT


def _land_report(res: DocResult, doc_id: str, text: str, part: Part, src: ReportSources, a: Assembled, ctx: Context, doc_place):
    rid = report_id(doc_id, part.seq)
    v = a.values
    ptext = src.text
    place = place_for(v, ptext, doc_place, text)
    if place.district is None and ctx.district:
        place = places.beijing(ctx.district)
    indicators, table_dims, totals, targets = src.tables()
    if part.form is not None and not indicators:
        indicators = part.form.indicators
    weighted, _ = src._weighted  # set by src.tables() above
    row = {
        "report_id": rid, "doc_id": doc_id, "seq": part.seq,
        **{k: v.get(k) for k in schema.columns("reports") if k in v},
        **place.as_row(),
        "report_kind": part.kind,
        "scope": _scope(v.get("title") or "", ptext),
        "n_indicators": len(indicators) or None,
    }
    for k in schema.columns("reports"):
        row.setdefault(k, None)
    res.rows["reports"].append(row)
    res.rows["facts"].extend(_fact_rows(rid, a.facts, text, part.start))
    narrative_dims = src.narrative_dimensions() if part.kind == "evaluation_report" else []
    for d in narrative_dims:
        res.rows["dimension_scores"].append({"report_id": rid, "dimension": d["dimension"], "dimension_std": d["dimension_std"],
                                             "max_score": None, "score": d["score"], "source": "narrative"})
        res.rows["facts"].extend(_fact_rows(rid, [Fact(f"dimension:{d['dimension']}", d["score"], "分", d["start"], d["end"])], text, part.start))
    for d in table_dims + [dict(w, evidence=None) for w in weighted]:
        res.rows["dimension_scores"].append({"report_id": rid, "dimension": d["dimension"], "dimension_std": d["dimension_std"],
                                             "max_score": d["max_score"], "score": d["score"], "source": "table"})
        if d["score"] is not None:
            f = Fact(f"dimension:{d['dimension']}", d["score"], "分", d["start"], d["end"], source="table_row")
            if d.get("evidence"):
                f.evidence = d["evidence"]
            res.rows["facts"].extend(_fact_rows(rid, [f], text, part.start))
    for r in indicators:
        res.rows["indicator_scores"].append({"report_id": rid, **r})
    for r in targets:
        res.rows["targets"].append({"report_id": rid, **r})
    if part.kind == "evaluation_report":
        for red in audit.find_reductions(ptext):
            facts = red.pop("facts")
            red.pop("sentence", None)
            res.rows["audit_reductions"].append({**place.as_row(), "doc_id": doc_id, "report_year": v["report_year"], "report_id": rid, **red})
            res.rows["audit_reductions"][-1].pop("admin_level", None)
            res.rows["facts"].extend(_fact_rows(rid, facts, text, part.start))
    labelled = audit.labelled_amounts(ptext) if part.kind == "evaluation_report" else {}
    for d in checks.check_report(v, narrative_dims, table_dims, totals, labelled):
        res.rows["discrepancies"].append({"report_id": rid, **d})
    if part.form is not None:
        for w in part.form.warnings:
            res.rows["discrepancies"].append({"report_id": rid, "check": "form_cells", "expected": None, "found": None, "detail": w})
    if part.kind != "evaluation_report":
        return
    for f in F.extract_findings(ptext):
        clause_tokens, body_tokens, tokens, search_text = nlp.analyze_finding(f.get("heading") or "", f.get("body") or "")
        res.rows["findings"].append(
            {
                "report_id": rid,
                "kind": f["kind"],
                "seq": f["seq"],
                "heading": f.get("heading"),
                "body": f.get("body"),
                "theme": TH.best_theme(TH.scores_from_tokens(clause_tokens, body_tokens)),
                "keywords": None,  # filled corpus-wide (IDF over all findings) when landing
                "finding_id": hashlib.sha256(f"{rid}:{f['kind']}:{f['seq']}".encode()).hexdigest()[:16],
                "search_text": search_text,
                "_tokens": tokens,  # cached with the file, used for keywords
            }
        )


def _scope(title: str, text: str) -> str:
    head = title + text[:300]
    if re.search(r"部门(?:\(单位\)|（单位）)?整体|单位整体|整体支出", head):
        return "部门整体"
    if re.search(r"政策(?:绩效)?(?:评价|自评|评估)|政策项目", head):
        return "政策"
    return "项目"


__all__ = ["DocResult", "extract_document", "report_id", "evidence", "Section"]
