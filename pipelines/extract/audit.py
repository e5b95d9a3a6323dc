"""Reductions found by reviews (事前绩效评估 审减, 决算评审 核减 …) and labelled amounts.

`find_reductions(text)` reads every sentence that states a cut (审减/核减/净审减) and returns
one row per sentence with what it states: the number of items, the amount reviewed
(涉及资金/评估金额/送审), approved (审定/审后), cut, and the rate. Nothing is inferred but
the rate (reduced / submitted) when the sentence gives no rate of its own.
"""

import re
from bisect import bisect_left
from decimal import Decimal
from functools import lru_cache

from pipelines.extract.numbers import NUM, quantize, to_decimal, to_wan
from pipelines.extract.report import Fact, _alt, narrative_mask
from pipelines.rules import report_rules as R

_AMOUNT_AFTER = r"(?P<gap>[^\d。；，,\n%]{0,8}?)\s*(?P<num>" + NUM + r")\s*(?P<unit>亿元|万元|千元|元)"
_SENTENCE_END = re.compile(r"[。！？\n]")  # one class: the same matches as 。|！|？|\n, found faster
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_DATE = re.compile(r"((?:19|20)\d{2})\s*(?:年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|[-/.]\d{1,2}[-/.]\d{1,2})")


@lru_cache(maxsize=64)
def _amount_re(labels: tuple) -> re.Pattern:
    return re.compile(rf"(?:{_alt(labels)}){_AMOUNT_AFTER}")


def _amount(label_words, sentence: str, base: int, field: str) -> tuple[Decimal | None, Fact | None]:
    for m in _amount_re(tuple(label_words)).finditer(sentence):
        if "率" in m.group("gap"):
            continue
        v = to_wan(m.group("num"), m.group("unit"))
        if v is None:
            continue
        return v, Fact(field, v, "万元", base + m.start("num"), base + m.end("unit"))
    return None, None


@lru_cache(maxsize=1)
def _kind_words_re() -> re.Pattern:
    return re.compile(_alt([w for w, _ in R.REVIEW_KINDS]))


@lru_cache(maxsize=1)
def _stat_labels_re() -> re.Pattern:
    return re.compile(f"{_alt(R.REDUCED_LABELS)}|{_alt(R.SUBMITTED_LABELS)}")


def _word_sets() -> dict[str, tuple[str, ...]]:
    """The word sets `find_reductions` and `labelled_amounts` look for: review kinds and the labels of each quantity."""
    return {"kind": tuple(w for w, _ in R.REVIEW_KINDS), **{f: tuple(ls) for f, ls in LABELLED_QUANTITIES.items()}}


@lru_cache(maxsize=1)
def _any_word_re() -> re.Pattern:
    return re.compile(_alt(sorted({w for ws in _word_sets().values() for w in ws})))


@lru_cache(maxsize=1)
def _set_res() -> dict[str, re.Pattern]:
    return {name: re.compile(_alt(ws)) for name, ws in _word_sets().items()}


@lru_cache(maxsize=16)
def _word_starts(scan: str) -> dict[str, list[int]]:
    """Every offset of `scan` where a word of each of `_word_sets()` starts, overlapping ones too.

    One scan of all the words' alternation (then a match of each set at the few offsets found)
    replaces a scan of the whole text per set: a report's review words and labels are found once
    for `find_reductions` and `labelled_amounts` alike. A word starting inside another's match
    (审核资金 inside 报审核…) is found by trying the offsets the match covers; so every start is
    listed, and a set's starts are a superset of where a pattern led by its words can match."""
    anyw = _any_word_re()
    at: list[int] = []
    for m in anyw.finditer(scan):
        s, e = m.span()
        at.append(s)
        at.extend(p for p in range(s + 1, e) if anyw.match(scan, p))
    return {name: [p for p in at if rx.match(scan, p)] for name, rx in _set_res().items()}


def _kind(*texts: str) -> str | None:
    """The kind of review the first of `texts` that names one names (REVIEW_KINDS, in their order)."""
    words = _kind_words_re()
    for t in texts:
        if not words.search(t):  # names none: the common case, decided by one scan
            continue
        for word, kind in R.REVIEW_KINDS:
            if word in t:
                return kind
    return None


def _segments(sentence: str, base: int):
    """A sentence's statistics, cut where 其中 or a semicolon starts another subject."""
    start = 0
    for m in re.finditer(r"[；;]|其中[,，:：]?", sentence):
        if m.start() > start:
            yield base + start, sentence[start : m.start()]
        start = m.end() if m.group(0) in "；;" else m.start()
    if start < len(sentence):
        yield base + start, sentence[start:]


# The patterns `_stats` and `_counted` try on every segment, compiled once from the rules.
_ITEM_COUNT_RES = [re.compile(p) for p in R.ITEM_COUNT]
_ASSESSED_COUNT_RES = [re.compile(p) for p in R.ASSESSED_COUNT]
_RATE_RE = re.compile(rf"(?:{_alt(R.REDUCTION_RATE_LABELS)})[^\d。；，,]{{0,6}}?(?P<num>{NUM})\s*%")
_SHARE_RE = re.compile(rf"(?:{_alt(R.REDUCED_LABELS)})[^。；]{{0,30}}?{R.REDUCTION_SHARE}(?P<num>{NUM})\s*%")


def _stats(seg: str, base: int) -> dict:
    """Every statistic one segment states: field -> (value, Fact)."""
    out = {}
    for field, labels in (("reduced_wan", R.REDUCED_LABELS), ("submitted_wan", R.SUBMITTED_LABELS), ("approved_wan", R.APPROVED_LABELS)):
        v, f = _amount(labels, seg, base, field)
        if v is not None:
            out[field] = (v, f)
    if "submitted_wan" in out and "reduced_wan" in out and out["submitted_wan"][1].start == out["reduced_wan"][1].start:
        del out["submitted_wan"]
    red_at = out["reduced_wan"][1].start - base if "reduced_wan" in out else len(seg)
    for rx in _ITEM_COUNT_RES:
        mi = rx.search(seg)
        if mi and mi.start("n") < red_at:
            n = to_decimal(mi.group("n"))
            if n is not None and n < 1_000_000:
                out["n_items"] = (int(n), Fact("n_items", n, "个", base + mi.start("n"), base + mi.end("n")))
                break
    mr = _RATE_RE.search(seg) or _SHARE_RE.search(seg)
    if mr:
        rate = to_decimal(mr.group("num"))
        if rate is not None and rate <= 100:
            out["reduction_rate_pct"] = (rate, Fact("reduction_rate_pct", rate, "%", base + mr.start("num"), base + mr.end("num")))
    return out


def _counted(sentence: str) -> int | None:
    """The number of items a sentence says were assessed (开展评估316项), not merely named (123个项目未获支持)."""
    for rx in _ASSESSED_COUNT_RES:
        m = rx.search(sentence)
        if m:
            return int(m.group("n"))
    return None


def _year_of(sentence: str, doc_year: int | None, page_year: int | None) -> int | None:
    for word, delta in R.RELATIVE_YEARS.items():
        if word in sentence and page_year:
            return page_year + delta
    m = _YEAR.search(sentence)
    if m:
        return int(m.group(1))
    return doc_year


def page_year(text: str) -> int | None:
    """The year of the page's own date (a news item's 2022年7月22日 / 2022-07-22)."""
    m = _DATE.search(text)
    return int(m.group(1)) if m else None


def find_reductions(text: str, with_years: bool = False) -> list[dict]:
    """One dict per statistic of a review that cut money; keys match `audit_reductions` plus `facts`.

    Sentences end at 。！？ and paragraph breaks; within one, 其中 and semicolons start a new
    statistic when the next part states a figure the current one already has (a new subject).
    A statistic without a cut (事前绩效评估 of 10 items, 3007.5万元) is joined with a cut of the
    same kind stated alone in a later sentence (审减资金50万元). Nothing is inferred but the
    rate (reduced / submitted) when no rate is printed. With `with_years`, each row carries the
    year its sentence states (今年/去年 from the page's date), else the document's first year."""
    scan = narrative_mask(text)
    pyear = page_year(scan) if with_years else None
    rows, pending = [], []
    last, last_at = None, -9  # the statistic of the sentence before: a rate stated alone next joins it
    # Where review words and statistic labels stand, found in one scan each. Only the sentences
    # that hold one, and those of a paragraph that opens with a counted review, are read; a
    # sentence's paragraph and the year last stated before it are looked up, not carried along.
    # A sentence holds a start of a non-overlapping match of a word alternation exactly when it
    # holds any start of one of its words (no word holds a sentence end), so every start will do.
    starts = _word_starts(scan)
    kind_at = starts["kind"]
    label_at = starts["reduced_wan"] + starts["submitted_wan"]  # the words of _stat_labels_re
    if not kind_at and not label_at:
        return []  # no statistic without a label, no counted review without its name
    ends = [m.start() for m in _SENTENCE_END.finditer(scan + "。")]  # sentences end at 。！？ and line breaks
    n_sentences = len(ends)

    def span(i: int) -> tuple[int, int]:
        return (ends[i - 1] + 1 if i else 0), ends[i]

    def opens_paragraph(i: int) -> bool:
        return i == 0 or scan[ends[i - 1]] == "\n"

    kind_sentences = {bisect_left(ends, p) for p in kind_at}
    label_sentences = {bisect_left(ends, p) for p in label_at}
    kinds: dict[int, str | None] = {}

    def kind_of(i: int) -> str | None:
        if i not in kind_sentences:
            return None
        if i not in kinds:
            kinds[i] = _kind(scan[slice(*span(i))])
        return kinds[i]

    opener: dict[int, int] = {}  # sentence -> the sentence that opens its paragraph (-1: none)

    def paragraph_kind(i: int) -> str | None:
        """The review kind the paragraph of sentence i opens with (its last non-blank opening line).
        Each sentence walked over remembers its opener: the walks of a text cost one pass in all."""
        walked, j = [], i
        while j >= 0 and j not in opener:
            if opens_paragraph(j) and scan[slice(*span(j))].strip():
                opener[j] = j
                break
            walked.append(j)
            j -= 1
        o = opener.get(j, -1) if j >= 0 else -1
        for k in walked:
            opener[k] = o
        return kind_of(o) if o >= 0 else None

    counted = set()
    for j in sorted(kind_sentences):
        if opens_paragraph(j) and kind_of(j) in R.COUNTED_REVIEWS:
            counted.add(j)
            k = j + 1
            while k < n_sentences and not (opens_paragraph(k) and scan[slice(*span(k))].strip()):
                counted.add(k)
                k += 1
    year_sentences: list[int] = []
    if with_years:
        marks = [m.start() for m in _YEAR.finditer(scan)]
        if pyear:
            marks += [m.start() for m in re.finditer("|".join(map(re.escape, R.RELATIVE_YEARS)), scan)]
        year_sentences = sorted({bisect_left(ends, p) for p in marks})
    stated: dict[int, int | None] = {}

    def year_before(i: int) -> int | None:
        """The year the text last stated up to sentence i (`_year_of` of that sentence)."""
        k = bisect_left(year_sentences, i + 1) - 1
        while k >= 0:
            j = year_sentences[k]
            if j not in stated:
                stated[j] = _year_of(scan[slice(*span(j))], None, pyear)
            if stated[j] is not None:
                return stated[j]
            k -= 1
        return None

    for n_sentence in sorted(kind_sentences | label_sentences | counted):
        s, e = span(n_sentence)
        sentence = scan[s:e]
        doc_year = year_before(n_sentence) if with_years else None
        if not (n_sentence in label_sentences and _stat_labels_re().search(sentence)) and not (
            (kind_of(n_sentence) or paragraph_kind(n_sentence)) in R.COUNTED_REVIEWS and _counted(sentence)
        ):
            continue
        cur: dict = {}
        cur_text = ""
        groups = []
        for base, seg in _segments(sentence, s):
            st = _stats(seg, base)
            if not st:
                cur_text += seg
                continue
            if cur and any(k in cur for k in st):
                groups.append((cur, cur_text))
                cur, cur_text = {}, ""
            cur.update(st)
            cur_text += seg
        if cur:
            groups.append((cur, cur_text))
        for st, seg_text in groups:
            row = {
                "kind": _kind(seg_text, sentence) or paragraph_kind(n_sentence),
                "year": _year_of(sentence, doc_year, pyear) if with_years else None,
                "stats": st,
            }
            row["sentence"] = (s, e)
            if set(st) == {"reduction_rate_pct"}:
                # 涉及资金4841万元。经评估，审减率达13%: the rate of the statistic just before
                if last is not None and last_at == n_sentence - 1 and "reduction_rate_pct" not in last["stats"]:
                    last["stats"]["reduction_rate_pct"] = st["reduction_rate_pct"]
                    if last in pending and "n_items" in last["stats"]:
                        pending.remove(last)
                        rows.append(last)
                continue
            if "reduced_wan" in st or ("reduction_rate_pct" in st and "n_items" in st):
                rows.append(row)
            elif "n_items" in st or "submitted_wan" in st:
                pending.append(row)
            last, last_at = row, n_sentence
    # a cut stated alone joins the statistic of the same kind that had none
    for row in rows:
        st = row["stats"]
        if "submitted_wan" in st or "n_items" in st or "approved_wan" in st:
            continue
        match = [p for p in pending if p["kind"] and p["kind"] == row["kind"]]
        if len(match) == 1:
            p = match[0]
            pending.remove(p)
            row["stats"] = {**p["stats"], **st}
            row["year"] = p["year"] or row["year"]
    # a statistic of a review with a count and an amount but no cut (事前绩效评估 of 20 items,
    # 13830万元) is a row too, when its kind is known …
    rows += [p for p in pending if p["kind"] and "n_items" in p["stats"] and "submitted_wan" in p["stats"]]
    # and a count of 事前绩效评估 stated alone (2021年组织部门开展评估316项): the count is the statistic
    rows += [p for p in pending if p["kind"] in R.COUNTED_REVIEWS and set(p["stats"]) == {"n_items"}
             and _counted(scan[p["sentence"][0] : p["sentence"][1]]) == p["stats"]["n_items"][0]]
    # a figure repeated (a headline, then the lead, then the statistics) is one row: a row whose
    # every figure another row also states is dropped
    rows = _drop_repeated(rows)
    out = []
    for row in rows:
        st = row["stats"]
        val = {k: v for k, (v, _) in st.items()}
        facts = [f for _, f in st.values()]
        rate = val.get("reduction_rate_pct")
        reduced, submitted, approved = val.get("reduced_wan"), val.get("submitted_wan"), val.get("approved_wan")
        if rate is None and reduced is not None and (submitted or approved is not None):  # computed: cut / reviewed (approved + cut when only those are printed)
            base = submitted if submitted else (approved + reduced if approved is not None else None)
            if base:
                rate = _rate(reduced, base)
        item = {
            "kind": row["kind"] or "评审",
            "n_items": val.get("n_items"),
            "submitted_wan": submitted,
            "approved_wan": approved,
            "reduced_wan": reduced,
            "reduction_rate_pct": rate,
            "facts": sorted(facts, key=lambda f: f.start),
            "sentence": row.get("sentence"),
        }
        if with_years:
            item["report_year"] = row["year"]
        out.append(item)
    return out


def _rate(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole in percent to four decimals (never raises: a printed figure may be absurd)."""
    try:
        return quantize(part / whole * 100, 4)
    except ArithmeticError:
        return None


def _drop_repeated(rows: list[dict]) -> list[dict]:
    """Rows whose figures another row states too, dropped: a row whose figures are a part of
    another's, and of rows with the same figures all but the first (and rows equal to it).
    By sets of figures (at most one per statistic's field), so thousands of statistics are not
    each compared with every other."""
    def figures(r):
        return frozenset((k, v) for k, (v, _) in r["stats"].items())
    keys = [figures(r) for r in rows]
    within: set[frozenset] = set()  # every set of figures that a larger set of another row holds
    for key in set(keys):
        items = list(key)
        if items:
            within.add(frozenset())
        for mask in range(1, (1 << len(items)) - 1):
            within.add(frozenset(x for i, x in enumerate(items) if mask >> i & 1))
    first: dict[frozenset, dict] = {}
    out = []
    for r, key in zip(rows, keys):
        f = first.setdefault(key, r)
        if key not in within and (f is r or f == r):
            out.append(r)
    return out


LABELLED_QUANTITIES = {
    "submitted_wan": R.SUBMITTED_LABELS,
    "approved_wan": R.APPROVED_LABELS,
    "reduced_wan": R.REDUCED_LABELS,
}


def labelled_amounts(text: str) -> dict[str, list[Fact]]:
    """Every amount printed right after a review label, by quantity (for `amount_mismatch`)."""
    scan = narrative_mask(text)
    out: dict[str, list[Fact]] = {}
    starts = _word_starts(scan)
    for field, labels in LABELLED_QUANTITIES.items():
        rx, pos = _amount_re(tuple(labels)), 0
        for p in starts[field]:  # the pattern's finditer, tried only where one of its labels starts
            m = rx.match(scan, p) if p >= pos else None
            if m is None:
                continue
            pos = m.end()
            if "率" in m.group("gap"):
                continue
            v = to_wan(m.group("num"), m.group("unit"))
            if v is not None:
                out.setdefault(field, []).append(Fact(field, v, "万元", m.start("num"), m.end("unit")))
    return out
