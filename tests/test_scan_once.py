"""The one-scan readers give what a scan per pattern gave.

`audit._word_starts` finds the review words and the labels of every quantity in one scan, and
`labelled_amounts` / `find_reductions` read from its offsets; `find_narrative_dimensions` finds
its dimension words by one resumed search. These tests pin their values, on labels that overlap
(报审 and 审核后资金 share a 审), and compare `labelled_amounts` with the per-label-set `finditer`
it replaced on random texts made of the labels.
"""

import random
import re
from decimal import Decimal

from pipelines.extract import audit
from pipelines.extract.report import _alt, find_narrative_dimensions, narrative_mask

OVERLAP = "经申报审核后资金100万元，审减20万元，送审金额120万元。"


def test_overlapping_labels_each_found():
    starts = audit._word_starts(OVERLAP)
    assert starts["submitted_wan"] == [2, 21]  # 报审, 送审金额 (and 送审 inside it)
    assert starts["approved_wan"] == [3]  # 审核后资金 starts inside the match of 报审
    assert starts["reduced_wan"] == [14]
    assert starts["kind"] == []


def test_labelled_amounts_values():
    got = audit.labelled_amounts(OVERLAP)
    assert {k: [(f.value, f.start, f.end) for f in fs] for k, fs in got.items()} == {
        "submitted_wan": [(Decimal("100.0000"), 8, 13), (Decimal("120.0000"), 25, 30)],
        "approved_wan": [(Decimal("100.0000"), 8, 13)],
        "reduced_wan": [(Decimal("20.0000"), 16, 20)],
    }
    assert list(got) == ["submitted_wan", "approved_wan", "reduced_wan"]


def test_find_reductions_values():
    rows = audit.find_reductions(OVERLAP)
    assert [(r["submitted_wan"], r["approved_wan"], r["reduced_wan"], r["reduction_rate_pct"], r["kind"]) for r in rows] == [
        (Decimal("100.0000"), Decimal("100.0000"), Decimal("20.0000"), Decimal("20.0000"), "评审")
    ]


def _reference_labelled(text: str) -> dict:
    """`labelled_amounts` as it was: one `finditer` per quantity's pattern over the whole text."""
    scan = narrative_mask(text)
    out: dict = {}
    for field, labels in audit.LABELLED_QUANTITIES.items():
        for m in re.finditer(rf"(?:{_alt(labels)}){audit._AMOUNT_AFTER}", scan):
            if "率" in m.group("gap"):
                continue
            v = audit.to_wan(m.group("num"), m.group("unit"))
            if v is not None:
                out.setdefault(field, []).append((field, v, m.start("num"), m.end("unit")))
    return out


def test_labelled_amounts_same_as_one_scan_per_pattern():
    rnd = random.Random(7)
    words = [w for ls in audit.LABELLED_QUANTITIES.values() for w in ls]
    words += [w for w, _ in audit.R.REVIEW_KINDS] + ["12万元", "3.5亿元", " 8 元", "7千元", "率", "，", "。", "\n", "\t", "审", "核", "报", "后"] * 3
    nonempty = 0
    for _ in range(3000):
        text = "".join(rnd.choice(words) for _ in range(rnd.randint(1, 14)))
        got = {k: [(f.field, f.value, f.start, f.end) for f in fs] for k, fs in audit.labelled_amounts(text).items()}
        assert got == _reference_labelled(text), text
        nonempty += bool(got)
    assert nonempty > 1000


def test_narrative_dimensions_after_sentences_without_words():
    text = "项目概况。本项目总分90分。其中，决策得分18分，过程得分19分，产出得分38分，效益得分15分。"
    got = find_narrative_dimensions(text)
    assert [(d["dimension"], d["dimension_std"], d["score"], d["start"], d["end"]) for d in got] == [
        ("决策", "decision", Decimal("18"), 21, 23),
        ("过程", "process", Decimal("19"), 29, 31),
        ("产出", "output", Decimal("38"), 37, 39),
        ("效益", "outcome", Decimal("15"), 45, 47),
    ]
    assert find_narrative_dimensions("没有维度。决策很好。") == []
    assert find_narrative_dimensions("决策得分18分。") == []  # one score is no list


def test_find_all_gives_every_offset_overlapping_ones_too_within_bounds():
    from pipelines.text import find_all

    assert list(find_all("问题问题问题", "问题")) == [0, 2, 4]
    assert list(find_all("aaaa", "aa")) == [0, 1, 2]  # overlapping
    assert list(find_all("县县县", "县", 1)) == [1, 2] and list(find_all("县县县", "县", 0, 2)) == [0, 1]
    assert list(find_all("一二三", "四")) == []


def test_lines_with_offsets_gives_each_line_and_where_it_starts():
    from pipelines.text import lines_with_offsets

    text = "第一行\n\n第三行，有逗号\n"
    assert lines_with_offsets(text) == [(0, "第一行"), (4, ""), (5, "第三行，有逗号"), (13, "")]
    assert all(text[o : o + len(line)] == line for o, line in lines_with_offsets(text))
    assert lines_with_offsets("") == [(0, "")]
