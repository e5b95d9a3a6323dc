"""The synthetic benchmark corpus (benchmarks/generate.py): deterministic, marked, consistent,
and readable by the extractors (every value a generated file states is recovered)."""

import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from benchmarks.generate import MARKER, PLACES, expected_for, generate
from pipelines.process import process_bytes
from pipelines.text import normalize

N = 20
BANDS = {"优": (D(90), D(100)), "良": (D(80), D(90)), "中": (D(60), D(80)), "差": (D(0), D(60))}
DIMS = ("score_decision", "score_process", "score_output", "score_outcome")
REPORT_FIELDS = (
    "title", "district", "report_year", "total_score", "grade", *DIMS,
    "budget_wan", "received_wan", "spent_wan", "execution_rate_pct",
)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("gen"), N, seed=7)


@pytest.fixture(scope="module")
def larger(tmp_path_factory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("gen200"), 200, seed=3)


def _all_reports(paths):
    for p in paths:
        for r in expected_for(p)["reports"]:
            yield p, r


def _same(expected, got) -> bool:
    if expected is None or isinstance(expected, (int,)) or not isinstance(got, (D, float, int)):
        return expected == got
    return got is not None and D(str(got)) == D(expected)


# ---------------------------------------------------------------- the files themselves


def test_deterministic_for_a_seed(tmp_path, small):
    again = generate(tmp_path / "again", N, seed=7)
    assert [p.name for p in again] == [p.name for p in small]
    for a, b in zip(again, small):
        assert a.read_bytes() == b.read_bytes()
        assert expected_for(a) == expected_for(b)
    other = generate(tmp_path / "other", N, seed=8)
    assert any(a.read_bytes() != b.read_bytes() for a, b in zip(other, small))


def test_a_prefix_of_a_larger_run_is_the_smaller_run(tmp_path, small):
    five = generate(tmp_path / "five", 5, seed=7)
    assert [p.read_bytes() for p in five] == [p.read_bytes() for p in small[:5]]


def test_every_file_is_marked_synthetic_and_has_its_expected_json(small):
    assert len(small) == N
    for p in small:
        assert p.read_text(encoding="utf-8").split("\n", 1)[0] == MARKER
        exp = json.loads(p.with_name(p.stem + ".expected.json").read_text(encoding="utf-8"))
        assert exp["synthetic"] is True and exp["file"] == p.name
        assert exp["reports"]


def test_never_writes_into_the_project_raw_folder():
    raw = Path(__file__).resolve().parent.parent / "data" / "raw"
    with pytest.raises(ValueError):
        generate(raw, 1)
    with pytest.raises(ValueError):
        generate(raw / "sub", 1)


# ---------------------------------------------------------------- expected values are consistent


def test_dimensions_sum_to_the_total_and_the_grade_is_its_band(larger):
    n = 0
    for _, r in _all_reports(larger):
        total = D(r["total_score"])
        assert sum(D(r[d]) for d in DIMS) == total
        lo, hi = BANDS[r["grade"]]
        assert lo <= total < hi or (r["grade"] == "优" and total == 100)
        n += 1
    assert n >= 200


def test_funds_are_consistent(larger):
    for _, r in _all_reports(larger):
        budget, spent = D(r["budget_wan"]), D(r["spent_wan"])
        base = D(r["received_wan"]) if r["received_wan"] is not None else budget
        assert D(0) < spent <= base <= budget
        assert D(r["execution_rate_pct"]) == (spent / base * 100).quantize(D("0.01"))


def test_places_years_and_bundles_vary(larger):
    exps = [expected_for(p) for p in larger]
    assert {e["district"] for e in exps} == set(PLACES)  # 16 districts + 北京市 + 北京经济技术开发区
    assert {e["report_year"] for e in exps} == set(range(2019, 2026))
    bundles = [e for e in exps if e["kind"] == "bundle"]
    assert bundles and all(2 <= len(e["reports"]) <= 5 and e["exante"] for e in bundles)


def test_the_listed_layouts_all_occur(larger):
    """Each variation the benchmark promises is present in a 200-file sample (fixed seed)."""
    raw = [p.read_text(encoding="utf-8") for p in larger]
    text = "\n".join(raw)
    for phrase in ("综合评价得分", "评价得分为", "综合得分为", "最终得分", "自评得分", "总分", "评价结果为"):
        assert phrase in text, phrase
    for phrase in ("绩效级别评定为“", "评价等级为", "等级为", "评价结论为“"):
        assert phrase in text, phrase
    assert "亿元" in text and "万元" in text
    assert any(ch in text for ch in "０１２３４５６７８９")  # full-width digits
    assert "\f" in text  # page breaks
    norm = normalize(text)
    import re

    assert re.search(r"\d\n+分", norm)  # a number split from its unit by a page break
    assert re.search(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:\n+)?(?:万元|元)", norm)  # thousands separators
    assert re.search(r"\d元", norm)
    assert re.search(r"执行率(?:为)?0\.\d+", norm)  # a rate printed as a decimal
    assert re.search(r"(?m)^\t合计\n\t100\n\t\d", norm)  # the score table's total row
    assert "关于" in text and "预算绩效管理" in text and "事前绩效评估项目" in text


def test_score_table_rows_sum_to_the_total(larger):
    """Rows of the tab-per-cell 评价指标体系及评分情况表: scores sum to the 合计 and to the total."""
    seen = 0
    for p in larger:
        text = normalize(p.read_text(encoding="utf-8"))
        exp = expected_for(p)
        totals = [r["total_score"] for r in exp["reports"]]
        for block in text.split("附件:")[1:]:  # normalized: "：" -> ":"
            if "\t合计" not in block:  # a bundle's cover page
                continue
            cells_rows = [
                [c[1:] for c in chunk.split("\n") if c.startswith("\t")]
                for chunk in block.split("\n\n")
            ]
            rows = [r for r in cells_rows if len(r) == 5 and r[3] != "分值"]
            total_row = next(r for r in cells_rows if r and r[0] == "合计")
            assert sum(D(r[4]) for r in rows) == D(total_row[2])
            assert sum(D(r[3]) for r in rows) == D(100) == D(total_row[1])
            assert str(D(total_row[2]).normalize()) in {str(D(t).normalize()) for t in totals}
            seen += 1
    assert seen > 50


# ---------------------------------------------------------------- the extractors read them


def _extract(p: Path):
    res = process_bytes(p.name, p.read_bytes())
    return res


def test_process_bytes_recovers_total_grade_and_district(small):
    for p in small:
        exp = expected_for(p)
        got = _extract(p).rows["reports"]
        assert len(got) == len(exp["reports"]), p.name
        for e, g in zip(exp["reports"], got):
            assert g["total_score"] == D(e["total_score"]), (p.name, e["title"])
            assert g["grade"] == e["grade"], (p.name, e["title"])
            assert g["district"] == e["district"], (p.name, e["title"])


def test_process_bytes_recovers_every_stated_value(larger):
    wrong = []
    for p in larger:
        exp = expected_for(p)
        res = _extract(p)
        got = res.rows["reports"]
        assert res.rows["documents"][0]["status"] == "parsed", p.name
        assert len(got) == len(exp["reports"]), p.name
        for e, g in zip(exp["reports"], got):
            for f in REPORT_FIELDS:
                if not _same(e[f], g.get(f)):
                    wrong.append((p.name, f, e[f], g.get(f)))
        if exp["exante"]:
            gov = [r for r in res.rows["audit_reductions"] if r["report_id"] is None]
            x = exp["exante"]
            assert [(r["kind"], r["n_items"], r["submitted_wan"], r["reduced_wan"]) for r in gov] == [
                ("事前绩效评估", x["n_items"], D(x["submitted_wan"]), D(x["reduced_wan"]))
            ], p.name
        else:
            assert res.rows["audit_reductions"] == [], p.name
    assert wrong == []
