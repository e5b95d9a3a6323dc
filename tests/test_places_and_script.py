"""Places against the gazetteer, traditional script, and glued form cells: small real-shaped cases."""

from decimal import Decimal as D

import pytest

from pipelines.extract import forms as F
from pipelines.extract import places
from pipelines.text import normalize

PLACES = [
    pytest.param(("上海市普陀区文化旅游局",), ("普陀区", "上海市", None, "310107", "区县级"), id="shanghai-putuo"),
    pytest.param(("舟山市普陀区海洋与渔业局",), ("普陀区", "浙江省", "舟山市", "330903", "区县级"), id="zhoushan-putuo"),
    pytest.param(("北京市海淀区某街道办事处",), ("海淀区", "北京市", None, "110108", "区级"), id="beijing-district"),
    pytest.param(("北京市财政局",), ("北京市", "北京市", None, "110000", "市级"), id="beijing-municipal"),
    pytest.param(("328-宣城市宣州区水阳镇人民政府",), ("宣州区", "安徽省", "宣城市", "341802", "区县级"), id="code-prefix-and-township"),
    pytest.param(("邯郸市发改委",), ("邯郸市", "河北省", "邯郸市", "130400", "地市级"), id="city-level"),
    pytest.param(("2019年全年晋江累计办结",), ("晋江市", "福建省", "泉州市", "350582", "区县级"), id="county-short-name-as-subject"),
    pytest.param(("四川资阳某项目",), ("四川省", "四川省", None, "510000", "省级"), id="province-short-name"),
]


@pytest.mark.parametrize("texts, want", PLACES)
def test_places(texts, want):
    p = places.resolve(*texts)
    assert (p.district, p.province, p.city, p.adcode, p.admin_level) == want


def test_an_ambiguous_name_is_never_guessed():
    # 普陀区 is in 上海 and in 舟山; 朝阳区 in 北京 and in 长春: nothing nearby tells them apart
    for name in ("普陀区体育中心", "朝阳区财政局"):
        p = places.resolve(name)
        assert p.district == name[:3] and p.province is None and p.adcode is None


def test_an_ambiguous_name_is_told_apart_by_the_rest_of_the_document():
    p = places.resolve("朝阳区财政局", hints="长春市人民政府办公厅转发")
    assert (p.province, p.city, p.adcode) == ("吉林省", "长春市", "220104")
    assert not places.is_beijing(p)


def test_a_two_character_county_needs_its_city():
    assert places.resolve("中心城区的道路").district is None
    assert places.resolve("阳泉市城区").adcode == "140302"


def test_a_two_character_county_alone_only_as_a_bodys_name():
    # 南县财政局 / 对和县财政局…: the county names a government body
    assert places.resolve("南县财政局2020年度机关整体支出").adcode == "430921"
    assert places.resolve("对和县财政局2021年度机关整体支出开展了绩效评价").adcode == "340523"
    # inside a word, or not followed by a body, it is no place
    assert places.resolve("工作指南县级财政局").district is None
    assert places.resolve("和县里的道路").district is None
    # 城区 is shared by several cities and is never taken alone
    assert places.resolve("城区财政局").district is None


def test_traditional_script_and_pinyin_notes_are_normalized():
    assert normalize("據(jù)了解，財(cái)政局審減資金3.2億元") == "据了解，财政局审减资金3.2亿元"
    # a simplified text with one stray convertible character is left as it was
    assert normalize("乾县财政局") == "乾县财政局"
    # (A) marks of a form are not pinyin
    assert normalize("年初预算数(A)") == "年初预算数(A)"


GLUED = "项目支出绩效自评表(2021年度)项目名称某某经费主管部门某某局项目资金(万元)年初预算数(A)全年执行数(B)分值(10分)执行率(B/A)得分年度资金总额:{row}其他资金"


def test_glued_cells_split_where_the_arithmetic_confirms_it():
    text = GLUED.format(row="200.5160.41080%8")
    form = F.read_form(text, F.find_forms(text)[0])
    assert form.values["budget_wan"] == D("200.5") and form.values["spent_wan"] == D("160.4")
    assert form.values["execution_rate_pct"] == D("80") and form.warnings == []


def test_glued_cells_the_arithmetic_cannot_confirm_stay_null_with_a_warning():
    # 1.2|3.4|10|… : spent/budget is 283%, not the printed 50%, under any cut of the digits
    text = GLUED.format(row="1.23.41050%5")
    form = F.read_form(text, F.find_forms(text)[0])
    assert "budget_wan" not in form.values and "spent_wan" not in form.values
    assert any("算术" in w or "arithmetic" in w for w in form.warnings)
