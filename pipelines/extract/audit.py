"""Reductions found by reviews (事前绩效评估 审减, 决算评审 核减 …) and labelled amounts.

`find_reductions(text)` reads every sentence that states a cut (审减/核减/净审减) and returns
one row per sentence with what it states: the number of items, the amount reviewed
(涉及资金/评估金额/送审), approved (审定/审后), cut, and the rate. Nothing is inferred but
the rate (reduced / submitted) when the sentence gives no rate of its own.
"""

import re
from decimal import Decimal

from pipelines.extract.numbers import NUM, to_decimal, to_wan
from pipelines.extract.report import Fact, _alt, narrative_mask
from pipelines.rules import report_rules as R

_AMOUNT_AFTER = r"(?P<gap>[^\d。；，,\n%]{0,8}?)\s*(?P<num>" + NUM + r")\s*(?P<unit>亿元|万元|千元|元)"


def _amount(label_words, sentence: str, base: int, field: str) -> tuple[Decimal | None, Fact | None]:
    m = re.search(rf"(?:{_alt(label_words)}){_AMOUNT_AFTER}", sentence)
    if not m or re.search(r"率", m.group("gap")):
        return None, None
    v = to_wan(m.group("num"), m.group("unit"))
    if v is None:
        return None, None
    return v, Fact(field, v, "万元", base + m.start("num"), base + m.end("unit"))


def _kind(sentence: str) -> str:
    for word, kind in R.REVIEW_KINDS:
        if word in sentence:
            return kind
    return "评审"


def find_reductions(text: str) -> list[dict]:
    """One dict per sentence stating a reduction; keys match `audit_reductions` plus `facts`."""
    scan = narrative_mask(text)
    rows = []
    start = 0
    for m in re.finditer(r"[。；;]|\n\n", scan + "。"):
        s, e = start, m.start()
        start = m.end()
        sentence = scan[s:e]
        if not re.search(_alt(R.REDUCED_LABELS), sentence):
            continue
        facts: list[Fact] = []
        reduced, f = _amount(R.REDUCED_LABELS, sentence, s, "reduced_wan")
        if reduced is None:
            continue
        facts.append(f)
        submitted, f = _amount(R.SUBMITTED_LABELS, sentence, s, "submitted_wan")
        if f:
            facts.append(f)
        approved, f = _amount(R.APPROVED_LABELS, sentence, s, "approved_wan")
        if f:
            facts.append(f)
        n_items = None
        mi = re.search(r"(?:项目|政策|项)[^\d。；，,]{0,8}?(?P<n>\d[\d,]*)\s*(?:个|项|份)", sentence) or re.search(
            r"(?P<n>\d[\d,]*)\s*(?:个|项)(?:项目|政策)", sentence
        )
        if mi and mi.start("n") < sentence.find(next(w for w in R.REDUCED_LABELS if w in sentence)):
            n = to_decimal(mi.group("n"))
            if n is not None:
                n_items = int(n)
                facts.append(Fact("n_items", n, "个", s + mi.start("n"), s + mi.end("n")))
        rate = None
        mr = re.search(rf"(?:{_alt(R.REDUCTION_RATE_LABELS)})[^\d。；，,]{{0,6}}?(?P<num>{NUM})\s*%", sentence)
        if mr:
            rate = to_decimal(mr.group("num"))
            facts.append(Fact("reduction_rate_pct", rate, "%", s + mr.start("num"), s + mr.end("num")))
        else:  # computed: cut / reviewed, the reviewed amount being approved + cut when only those are printed
            base = submitted if submitted else (approved + reduced if approved is not None else None)
            if base:
                rate = (reduced / base * 100).quantize(Decimal("0.0001"))
        rows.append(
            {
                "kind": _kind(sentence),
                "n_items": n_items,
                "submitted_wan": submitted,
                "approved_wan": approved,
                "reduced_wan": reduced,
                "reduction_rate_pct": rate,
                "facts": facts,
            }
        )
    return rows


LABELLED_QUANTITIES = {
    "submitted_wan": R.SUBMITTED_LABELS,
    "approved_wan": R.APPROVED_LABELS,
    "reduced_wan": R.REDUCED_LABELS,
}


def labelled_amounts(text: str) -> dict[str, list[Fact]]:
    """Every amount printed right after a review label, by quantity (for `amount_mismatch`)."""
    scan = narrative_mask(text)
    out: dict[str, list[Fact]] = {}
    for field, labels in LABELLED_QUANTITIES.items():
        for m in re.finditer(rf"(?:{_alt(labels)}){_AMOUNT_AFTER}", scan):
            if re.search(r"率", m.group("gap")):
                continue
            v = to_wan(m.group("num"), m.group("unit"))
            if v is not None:
                out.setdefault(field, []).append(Fact(field, v, "万元", m.start("num"), m.end("unit")))
    return out
