"""`lake.to_arrow` converts a table's rows in one call when they fit the contract's types, and
column by column (quantizing decimals) when they do not: the same Arrow table either way."""

from datetime import datetime, timezone
from decimal import Decimal

import pyarrow as pa

from pipelines import lake


REPORT = {"report_id": "r1", "doc_id": "d1", "seq": 1, "title": "标题", "total_score": Decimal("91.50"),
          "budget_wan": Decimal("120.1234"), "execution_rate_pct": Decimal("99.81"), "n_indicators": 12}


def test_rows_that_fit_convert_as_column_by_column():
    rows = [REPORT, {**REPORT, "report_id": "r2", "total_score": None, "budget_wan": 5, "extra": "ignored"}, {"report_id": "r3"}]
    fast = lake.to_arrow("reports", rows)
    assert fast.equals(lake._to_arrow_by_column("reports", rows))
    assert fast.column("budget_wan").to_pylist() == [Decimal("120.1234"), Decimal("5.0000"), None]
    docs = [{"doc_id": "d", "path": "a.txt", "size_bytes": 10, "ingested_at": datetime(2026, 1, 1, tzinfo=timezone.utc)}]
    assert lake.to_arrow("documents", docs).equals(lake._to_arrow_by_column("documents", docs))
    findings = [{"report_id": "r1", "kind": "问题", "seq": 1, "tokens": ["资金", "使用"], "keywords": None}]
    assert lake.to_arrow("findings", findings).column("tokens").to_pylist() == [["资金", "使用"]]


def test_decimals_off_their_scale_are_quantized_half_up_and_too_long_ones_are_null():
    rows = [{**REPORT, "total_score": Decimal("99.995"), "budget_wan": 1.23456, "execution_rate_pct": Decimal("123456.7")}]
    t = lake.to_arrow("reports", rows)
    assert t.column("total_score").to_pylist() == [Decimal("100.00")]
    assert t.column("budget_wan").to_pylist() == [Decimal("1.2346")]
    assert t.column("execution_rate_pct").to_pylist() == [None]  # DECIMAL(9,4) holds 5 integer digits
    assert t.schema.field("total_score").type == pa.decimal128(6, 2)
