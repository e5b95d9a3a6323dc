"""The extraction cache's JSON (`extraction.dump_rows` / `load_rows_json`): written by orjson, it
holds the values the standard library's json wrote, and both read either."""

import json
from datetime import datetime, timezone
from decimal import Decimal

from pipelines.extraction import _json_default, dump_rows, load_rows_json

ROWS = {
    "documents": [{"doc_id": "ab" * 32, "path": "北京/丰台区 2023.txt", "status": "parsed", "n_chars": 12345,
                   "ingested_at": datetime(2026, 12, 1, 23, 5, 7, 123456, tzinfo=timezone.utc), "reason": None}],
    "reports": [{"report_id": "r1", "total_score": Decimal("91.50"), "budget_wan": Decimal("1234.5678"),
                 "execution_rate_pct": Decimal("100"), "grade": "优", "report_year": 2023, "district": "丰台区"}],
    "findings": [{"finding_id": "r1-问题-1", "heading": "资金使用\t效率不高", "body": "引号\"与反斜杠\\、换行\n", "seq": 1,
                  "_tokens": ["资金", "使用", "效率"], "score": 0.1 + 0.2, "small": 1e-300, "big": 1.7976931348623157e308}],
}


def test_orjson_writes_the_values_json_wrote():
    mine = dump_rows(ROWS)
    before = json.dumps(ROWS, default=_json_default, ensure_ascii=False).encode("utf-8")
    assert json.loads(mine) == json.loads(before)
    assert json.loads(mine)["documents"][0]["ingested_at"] == "2026-12-01T23:05:07.123456+00:00"  # isoformat, as before
    assert json.loads(mine)["reports"][0]["total_score"] == "91.50"  # a decimal keeps its digits


def test_the_cache_reads_back_typed_values_from_either_writer():
    for data in (dump_rows(ROWS), json.dumps(ROWS, default=_json_default, ensure_ascii=False).encode("utf-8")):
        rows = load_rows_json(data)
        assert rows["reports"][0]["total_score"] == Decimal("91.50") and rows["reports"][0]["report_year"] == 2023
        assert rows["documents"][0]["ingested_at"] == ROWS["documents"][0]["ingested_at"]
        assert rows["findings"][0]["body"] == ROWS["findings"][0]["body"]
        assert rows["findings"][0]["score"] == 0.1 + 0.2 and rows["findings"][0]["big"] == 1.7976931348623157e308


def test_what_orjson_refuses_is_written_by_json():
    rows = {"reports": [{"report_id": "r", "n": 2**70}]}
    assert json.loads(dump_rows(rows))["reports"][0]["n"] == 2**70


def test_a_damaged_cache_is_a_value_error():
    for data in (b"{\"reports\": [", b"\x80\x04garbage", b"[1, 2]", b"{\"nope\": []}"):
        try:
            load_rows_json(data)
        except ValueError:
            continue
        raise AssertionError(f"accepted {data!r}")
