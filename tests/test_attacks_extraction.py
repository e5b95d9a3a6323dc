"""Failures an attack on extraction found, each pinned by real values:

1. the sentence of a fact was found by scanning the text from the fact (quadratic in the text's
   length on a text with few stops): now a binary search over the stops, found once; the spans
   must stay exactly what they were (speed itself is measured by the benchmarks, not here);
2. one stray invalid byte in a UTF-8 report rejected the whole file as "not text";
3. an amount too large for its column rejected the file (Decimal.quantize raised), or was nulled
   silently at landing while `facts` kept it;
4. findings numbered past 99 (100、 / 一百零一、) merged into item 99.
"""

import random
import re
from decimal import Decimal as D

import pytest

from pipelines import lake, process
from pipelines import text as T
from pipelines.extract import bulletin as BL
from pipelines.extract import numbers as N
from pipelines.extract.findings import _cn_int, extract_findings
from pipelines.extract.report import computed_execution_rate
from pipelines.ingest import read
from pipelines.ingest.read import Rejected, decode_text
from pipelines.process import process_bytes
from pipelines.rules import bulletin_rules as B
from pipelines.text import sentence_at

# (modules, not names: each test fails on its own where the code it pins is missing)

REPORT = """北京市朝阳区财政局关于学校设备更新专项资金项目绩效评价报告

为提高财政资金使用效益，北京市朝阳区财政局对北京市朝阳区教育委员会“学校设备更新专项资金”开展了绩效评价。项目评价得分为86.5分，评价等级为“良”。

一、项目基本情况

2022年项目预算资金{budget}万元，实际到位资金300万元，实际支出288万元，预算执行率96%。评价工作组按照评价指标体系开展了现场核查和资料审核，对项目的决策、过程、产出和效益进行了分析。

二、存在的主要问题

1.资金拨付不及时。

2.绩效目标不够细化。

三、相关建议

1.加快资金拨付进度。
"""


def report(budget="320") -> str:
    return REPORT.replace("{budget}", budget)


# ---------------------------------------------------------------- 1. sentence spans


def _sentence_at_by_scanning(text, pos, stops="。！？；"):
    """The former implementation, the reference for the spans."""
    left = max(text.rfind(c, 0, pos) for c in stops)
    rights = [i for i in (text.find(c, pos) for c in stops) if i != -1]
    return left + 1, (min(rights) + 1 if rights else len(text))


def test_sentence_at_on_a_text_without_stops_is_the_whole_text():
    text = "预算资金120万元 执行率90% 得分18分 " * 200
    for pos in (0, 1, 777, len(text) - 1, len(text)):
        assert sentence_at(text, pos) == (0, len(text))
    assert T.line_at(text, 500) == (0, len(text))
    assert T.next_stop(text, 10, "。", limit=None) == len(text)
    assert T.next_stop(text, 10, "。") == 10 + 2000  # a "sentence" is cut where no sentence runs on


def test_sentence_at_on_a_text_of_many_stops():
    text = "甲。乙；丙！丁？" * 1000 + "尾"
    assert sentence_at(text, 0) == (0, 2)  # 甲。
    assert sentence_at(text, 1) == (0, 2)  # the stop belongs to its sentence
    assert sentence_at(text, 2) == (2, 4)  # 乙；
    assert sentence_at(text, 2, "。") == (2, 10)  # 乙；丙！丁？甲。 with only 。 a stop
    assert sentence_at(text, len(text) - 1) == (len(text) - 1, len(text))  # 尾, to the end
    assert sentence_at(text, len(text)) == (len(text) - 1, len(text))
    assert text[slice(*sentence_at(text, 4000))] == "甲。"


def test_sentence_at_gives_the_spans_it_always_gave():
    rnd = random.Random(7)
    for _ in range(300):
        text = "".join(rnd.choice("字。；！？\n1 ") for _ in range(rnd.randint(0, 60)))
        stops = rnd.choice(["。！？；", "。", "。！？", "\n"])
        for pos in range(len(text) + 1):
            assert sentence_at(text, pos, stops) == _sentence_at_by_scanning(text, pos, stops), (text, pos, stops)
        for pos in range(len(text) + 1):
            s = text.rfind("\n", 0, pos) + 1
            e = (text.find("\n", pos) + 1) or len(text)
            assert T.line_at(text, pos) == (s, e)


def test_score_lists_are_found_around_their_keyword_only():
    """`finditer_anchored` gives exactly the matches `re.finditer` gives (on score lists and
    grade lists, the patterns it searches around 分别 / 评价结果)."""
    pieces = ["甲项目经费、乙项目经费、丙项目经费评价得分分别为92.6分、88分、79.5分", "，其中甲项目经费评价结果为优秀",
              "，丁部门整体绩效评价结果为良好", "。", "分别", "评价结果为", "，", "；", "、戊项目资金", "某某" * 30, "\n"]
    rnd = random.Random(11)
    for _ in range(400):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 30)))
        for rx, word, reach, bounds in ((re.compile(B.SCORE_LIST), B.SCORE_LIST_WORD, B.SCORE_LIST_REACH, B.SCORE_LIST_BOUNDS),
                                        (re.compile(B.GRADE_LIST), B.GRADE_LIST_WORD, B.GRADE_LIST_REACH, B.GRADE_LIST_BOUNDS)):
            want = [m.span() for m in rx.finditer(text)]
            assert [m.span() for m in T.finditer_anchored(rx, text, word, reach, bounds)] == want


def test_bulletin_year_reads_the_text_before_its_start():
    text = "依据《2019年度管理办法》，2021年对项目开展评价。2022年度结果如下：\n表格"
    assert BL.bulletin_year(text, 0) is None
    assert BL.bulletin_year(text, text.index("依据") + 8) == 2019  # inside a title not yet closed: its text counts
    assert BL.bulletin_year(text, text.index("，")) is None  # the cited title's year is not the bulletin's
    assert BL.bulletin_year(text, text.index("对")) == 2021
    assert BL.bulletin_year(text, len(text)) == 2022  # a N年度 anywhere before wins over N年
    open_title = "《2018年度办法 2020年开展评价"  # a title not closed before the start counts as text
    assert BL.bulletin_year(open_title, len(open_title)) == 2018


# ---------------------------------------------------------------- 2. a stray invalid byte


def _with_stray_bytes(text: str, at: list[int], byte: bytes = b"\xff") -> bytes:
    data = text.encode("utf-8")
    out, last = [], 0
    for pos in at:  # character offsets: the bytes go between characters
        cut = len(text[:pos].encode("utf-8"))
        out += [data[last:cut], byte]
        last = cut
    return b"".join(out + [data[last:]])


def test_a_stray_byte_in_utf8_is_replaced_not_fatal():
    text = report()
    data = _with_stray_bytes(text, [40, 200])
    decoded, enc = decode_text(data)
    assert enc == "utf-8" and isinstance(enc, read.Encoding) and enc.replaced == 2
    assert decoded == text[:40] + "\ufffd" + text[40:200] + "\ufffd" + text[200:]


LONG_REPORT = report() + "\n四、其他说明\n\n" + "项目实施过程中，评价工作组查阅了项目资料，走访了实施单位，听取了相关情况介绍。\n" * 40


def test_a_file_with_invalid_bytes_is_partial_and_says_how_many():
    # (a file of a few KB: `detect_format` takes a file for text only with few replacements in its head)
    res = process_bytes("report.txt", _with_stray_bytes(LONG_REPORT, [30, 300, 310]))
    doc = res.rows["documents"][0]
    assert doc["status"] == "partial"
    assert doc["encoding"] == "utf-8" and type(doc["encoding"]) is str
    assert doc["reason"] == "含 3 个无效字节，已替换 / 3 invalid bytes replaced"
    (r,) = res.rows["reports"]  # its report is still extracted
    assert (r["total_score"], r["grade"], r["district"], r["report_year"], r["budget_wan"]) == (D("86.5"), "良", "朝阳区", 2022, D("320"))
    assert len(res.rows["findings"]) == 3


def test_a_clean_file_stays_parsed():
    doc = process_bytes("report.txt", report().encode("utf-8")).rows["documents"][0]
    assert (doc["status"], doc["reason"]) == ("parsed", None)


def test_a_character_cut_at_the_end_is_one_replacement():
    data = report().encode("utf-8") + "报".encode("utf-8")[:2]
    text, enc = decode_text(data)
    assert enc == "utf-8" and enc.replaced == 2 and text == report() + "\ufffd"


def test_gb18030_is_still_gb18030_and_a_stray_byte_there_too():
    text = report()
    gb = text.encode("gb18030")
    assert decode_text(gb) == (text, "gb18030") and decode_text(gb)[1].replaced == 0
    cut = len(text[:100].encode("gb18030"))
    decoded, enc = decode_text(gb[:cut] + b"\xff" + gb[cut:])
    assert enc == "gb18030" and enc.replaced == 1 and decoded == text[:100] + "\ufffd" + text[100:]


def test_many_invalid_bytes_are_not_utf8_with_errors():
    # one invalid byte in every 200 or so: far more than a stray one, so not read as UTF-8
    text = report() * 4
    data = _with_stray_bytes(text, list(range(50, len(text), 70)))
    assert len(range(50, len(text), 70)) > 8 and len(range(50, len(text), 70)) > len(data) // 1000
    try:
        _, enc = decode_text(data)
    except Rejected:
        return
    assert enc != "utf-8"


# ---------------------------------------------------------------- 3. numbers that do not fit


def test_number_parsing_never_raises_on_huge_or_malformed_numbers():
    assert N.to_wan("9" * 30, "万元") == D("9" * 30)
    assert N.to_wan("9" * 5000, "亿元") == D("9" * 5000 + "0000")
    assert N.to_wan("1e400", "万元") is None and N.to_decimal("1e400") is None and N.to_decimal("NaN") is None
    assert N.parse_amount("预算资金" + "9" * 40 + "元") == D("9" * 36 + "." + "9999")
    assert N.quantize(D("1E+400")) == D("1E+400") and N.quantize(D("Infinity")) is None
    assert computed_execution_rate(D("1"), None, D("9" * 40)) == D("1E+42")  # absurd, but a value


@pytest.mark.parametrize("budget", ["99999999999999999999999", "9" * 30, "9" * 5000, "100000000000000"])
def test_a_budget_too_large_for_its_column_is_null_with_a_discrepancy(budget):
    res = process_bytes("report.txt", report(budget).encode("utf-8"))
    doc = res.rows["documents"][0]
    assert doc["status"] == "parsed", doc["reason"]  # the file is read, not rejected
    (r,) = res.rows["reports"]
    assert r["budget_wan"] is None and r["total_score"] == D("86.5") and r["spent_wan"] == D("288")
    assert r["execution_rate_calc_pct"] == D("96.0000")  # computed again: spent / received
    (d,) = [d for d in res.rows["discrepancies"] if d["check"] == "out_of_range"]
    assert d["report_id"] == r["report_id"]
    assert d["expected"] == "decimal(18,4): -99999999999999.9999 … 99999999999999.9999"
    assert d["found"] == (budget if len(budget) <= 40 else budget[:24] + f"…（共{len(budget)}位 / {len(budget)} digits）")
    assert "reports.budget_wan" in d["detail"]
    (f,) = [f for f in res.rows["facts"] if f["subject_id"] == r["report_id"] and f["field"] == "budget_wan"]
    assert f["value"] is None and budget[:20] in f["evidence"]  # the fact keeps where it was printed
    # and the lake lands what the rows say (nothing nulled there that the rows still hold)
    table = lake.to_arrow("reports", res.rows["reports"])
    assert table.column("budget_wan").to_pylist() == [None]
    assert table.column("spent_wan").to_pylist() == [D("288.0000")]


def test_a_budget_that_fits_is_kept():
    res = process_bytes("report.txt", report("99999999999999.99").encode("utf-8"))
    (r,) = res.rows["reports"]
    assert r["budget_wan"] == D("99999999999999.99")
    assert not [d for d in res.rows["discrepancies"] if d["check"] == "out_of_range"]
    (f,) = [f for f in res.rows["facts"] if f["field"] == "budget_wan"]
    assert f["value"] == 99999999999999.99


def test_an_exponent_is_no_number_and_no_error():
    res = process_bytes("report.txt", report("1e400").encode("utf-8"))
    doc = res.rows["documents"][0]
    assert doc["status"] == "parsed"
    assert res.rows["reports"][0]["budget_wan"] is None


def test_column_fit_follows_the_warehouse_types():
    money, score, int32 = ("decimal", 18, 4), ("decimal", 6, 2), ("int", -(2**31), 2**31 - 1)
    assert process.fits(D("99999999999999.9999"), money) and not process.fits(D("100000000000000"), money)
    assert process.fits(D("1.23456"), money)  # more decimals are rounded when landing, not lost
    assert not process.fits(D("99999999999999.99995"), money)  # rounds up past the precision
    assert not process.fits(D("NaN"), money) and not process.fits(float("inf"), money)
    assert process.fits(D("9999.99"), score) and not process.fits(D("10000"), score)
    assert process.fits(2**31 - 1, int32) and not process.fits(2**31, int32) and not process.fits(-(2**31) - 1, int32)


# ---------------------------------------------------------------- 4. findings past 99


def test_chinese_numerals_of_any_size():
    cases = {"一": 1, "十": 10, "十二": 12, "二十": 20, "九十九": 99, "一百": 100, "一百零一": 101, "一百一十": 110,
             "一百一十一": 111, "二百零五": 205, "九百九十九": 999, "一千": 1000, "一千零一": 1001, "一千零三十": 1030,
             "三千二百零五": 3205, "第一百零二": 102, "123": 123}
    assert {s: _cn_int(s) for s in cases} == cases
    for bad in ("百", "一二", "十十", "一百一", "零", "一百零十", "五百零", "9" * 5000):
        assert _cn_int(bad) is None, bad


def _problems(lines: list[str]) -> str:
    return "一、存在的主要问题\n" + "\n".join(lines) + "\n二、相关建议\n加强管理。\n"


def test_arabic_findings_past_99_are_each_their_own():
    items = [f"{i}.问题{i}说明。" for i in range(1, 131)]
    found = [f for f in extract_findings(_problems(items)) if f["kind"] == "问题"]
    assert len(found) == 130
    assert [f["seq"] for f in found] == list(range(1, 131))
    assert (found[98]["heading"], found[99]["heading"], found[129]["heading"]) == ("问题99说明", "问题100说明", "问题130说明")
    assert found[98]["body"] == ""  # item 99 no longer holds the items after it


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 20:
        return ("十" if n >= 10 else "") + (digits[n % 10] if n % 10 or n < 10 else "")
    h, t, u = n // 100, n // 10 % 10, n % 10
    out = (digits[h] + "百") if h else ""
    if t:
        out += digits[t] + "十"
    elif h and u:
        out += "零"
    return out + (digits[u] if u else "")


@pytest.mark.parametrize("style", ["{}、", "({})"])
def test_chinese_numbered_findings_past_99(style):
    assert [_cn(n) for n in (1, 10, 15, 20, 99, 100, 101, 110, 120, 999)] == [
        "一", "十", "十五", "二十", "九十九", "一百", "一百零一", "一百一十", "一百二十", "九百九十九"]
    text = "存在的主要问题\n" + "\n".join(style.format(_cn(i)) + f"问题{i}说明。" for i in range(1, 106)) + "\n相关建议\n加强管理。\n"
    found = [f for f in extract_findings(text) if f["kind"] == "问题"]
    assert len(found) == 105
    assert [f["heading"] for f in found[98:102]] == ["问题99说明", "问题100说明", "问题101说明", "问题102说明"]
