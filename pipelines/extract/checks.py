"""What a report contradicts in itself (`discrepancies`). Pure functions over extracted values."""

from decimal import Decimal

from pipelines.extract.report import grade_for

SCORE_TOLERANCE = Decimal("0.011")  # scores are printed to 2 decimals; sums may round
RATE_TOLERANCE = Decimal("0.1")  # the contract: stated vs computed differ by more than 0.1 point
MISPRINT_RATIO = Decimal("0.01")  # two values of one quantity within 1%: a misprint, not two quantities


def _fmt(d) -> str:
    return None if d is None else format(Decimal(d).normalize(), "f")


def check_report(values: dict, dims: list[dict], table_dims: list[dict], table_totals: list[dict], labelled: dict) -> list[dict]:
    """Return discrepancy rows (without report_id).

    values: the report's fields; dims: narrative dimension items; table_dims: dimension rows
    from score tables (dimension, dimension_std, score); table_totals: dicts(score, max_score,
    label) of score tables' 合计 rows or sums; labelled: {quantity: [Fact]} amounts printed
    after review labels.
    """
    out = []
    total = values.get("total_score")

    if total is not None and dims:
        s = sum((d["score"] for d in dims), Decimal(0))
        if abs(s - total) > SCORE_TOLERANCE:
            out.append(
                {
                    "check": "dimension_sum",
                    "expected": _fmt(total),
                    "found": _fmt(s),
                    "detail": "一级指标得分之和与总分不符：" + "+".join(f"{d['dimension']}{_fmt(d['score'])}" for d in dims),
                }
            )

    grade = values.get("grade")
    band = grade_for(total)
    if grade and band and grade != band:
        out.append(
            {
                "check": "grade_band",
                "expected": band,
                "found": grade,
                "detail": f"总分{_fmt(total)}应属“{band}”档，报告评定为“{grade}”",
            }
        )

    for t in table_totals:
        if total is not None and t.get("score") is not None and abs(t["score"] - total) > SCORE_TOLERANCE:
            out.append(
                {
                    "check": "table_total",
                    "expected": _fmt(total),
                    "found": _fmt(t["score"]),
                    "detail": f"评分表{t.get('label') or '合计'}与正文总分不符",
                }
            )
    if dims and table_dims:
        narrative = {d["dimension_std"]: d for d in dims if d["dimension_std"] != "other"}
        for td in table_dims:
            nd = narrative.get(td["dimension_std"])
            if nd is None or td["score"] is None:
                continue
            if abs(nd["score"] - td["score"]) > SCORE_TOLERANCE:
                out.append(
                    {
                        "check": "table_total",
                        "expected": _fmt(nd["score"]),
                        "found": _fmt(td["score"]),
                        "detail": f"评分表“{td['dimension']}”得分与正文“{nd['dimension']}”得分不符",
                    }
                )

    stated, calc = values.get("execution_rate_pct"), values.get("execution_rate_calc_pct")
    # a rate printed as a whole percent (50%) is rounded: it differs from the computed one by up to half a point
    printed = Decimal(5) * Decimal(10) ** (Decimal(stated).as_tuple().exponent - 1) if stated is not None else 0
    if stated is not None and calc is not None and abs(Decimal(stated) - Decimal(calc)) > max(RATE_TOLERANCE, printed):
        out.append(
            {
                "check": "execution_rate",
                "expected": _fmt(calc),
                "found": _fmt(stated),
                "detail": "报告所述执行率与按支出/到位（或预算）计算的执行率相差超过0.1个百分点",
            }
        )

    for quantity, facts in labelled.items():
        seen: list[Decimal] = []
        for f in facts:
            for v in seen:
                if v != f.value and abs(v - f.value) <= MISPRINT_RATIO * max(abs(v), abs(f.value)):
                    out.append(
                        {
                            "check": "amount_mismatch",
                            "expected": _fmt(v),
                            "found": _fmt(f.value),
                            "detail": f"同一金额（{quantity}）前后印为两个数值",
                        }
                    )
            if f.value not in seen:
                seen.append(f.value)
    return out
