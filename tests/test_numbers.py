"""Amount, rate and score parsers; the normalizer and parsers never raise on arbitrary input."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.extract.numbers import parse_amount, parse_rate, parse_score, to_decimal
from pipelines.text import normalize

AMOUNTS = [
    ("涉及资金 89.5 亿元", D("895000")),
    ("审减资金 7.8 亿元", D("78000")),
    ("审减金额11.04亿元", D("110400")),
    ("预算金额为2,632.49万元", D("2632.49")),
    ("发行专项债资金50,000万元", D("50000")),
    ("总投资估算为2,122,397.45万元", D("2122397.45")),
    ("预算 12,345,600.00 元", D("1234.56")),
    ("支出 128 688.75 万元", D("128688.75")),
    ("资金５００万元", D("500")),
    ("合计 3 千元", D("0.3")),
    ("没有金额", None),
    ("2024年", None),
]


@pytest.mark.parametrize("text,expected", AMOUNTS, ids=[t for t, _ in AMOUNTS])
def test_amounts_in_wan(text, expected):
    assert parse_amount(normalize(text)) == expected


@pytest.mark.parametrize(
    "text,expected",
    [("99.81%", D("99.81")), ("100%", D("100")), ("0.958", D("95.8")), ("执行率为 1", D("100")),
     ("95.97 %", D("95.97")), ("没有", None), ("85", None)],
)
def test_rates(text, expected):
    assert parse_rate(normalize(text)) == expected


def test_scores_and_decimals():
    assert parse_score("90.04分") == D("90.04")
    assert parse_score("—") is None
    assert to_decimal("1,415.35") == D("1415.35")
    assert to_decimal("1.2.3") is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_normalizer_and_parsers_never_raise(s):
    n = normalize(s)
    assert isinstance(n, str)
    for fn in (parse_amount, parse_rate, parse_score, to_decimal):
        fn(s)
        fn(n)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789,.% 亿万元千０１２３４５６７８９．，％得分为率")), max_size=40))
def test_parsers_never_raise_on_number_like_text(s):
    for fn in (parse_amount, parse_rate, parse_score, to_decimal):
        fn(normalize(s))


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_amount_roundtrip(d):
    for unit, factor in (("万元", D(1)), ("亿元", D(10000)), ("元", D("0.0001"))):
        assert parse_amount(f"{d}{unit}") == (d * factor).quantize(D("0.0001"))
