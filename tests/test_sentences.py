"""Each report-level extractor on named lists of sentences: real ones copied from the corpus,
then variants written by hand (other phrasing, units, layouts). price-parser style."""

from decimal import Decimal as D

import pytest

from pipelines.extract.report import find_funds, find_grade, find_narrative_dimensions, find_total_score
from pipelines.text import normalize

# (sentence, total score)
TOTAL_SCORE = [
    # real, from the corpus
    ("项目评价得分分为 90.04 分，评价等级为“优”。", D("90.04")),
    ("经评价，“高精尖产业发展专项资金”项目得分90.04\n\n分，评价等级为“优”。", D("90.04")),
    ("该项目评价结果为86.88分。有关情况如下。", D("86.88")),
    ("经专家评议，该项目综合评价得分82分，绩效级别评定为“良”。", D("82")),
    ("石景山区优化升级区域高精尖产业发展政策课题项目得分91.5分，其中，项目决策5分", D("91.5")),
    ("项目评价得分83.7分，评价等级为“良”。", D("83.7")),
    # variants
    ("经评价，该项目评价得分为78.5分，评价等级为中。", D("78.5")),
    ("该项目综合得分为 88.25，等级为良好。", D("88.25")),
    ("最终得分92分，评价结论为“优秀”。", D("92")),
    ("单位自评得分95.5分。", D("95.5")),
    ("该项目总分58分，评价等级为差。", D("58")),
    ("综合评价得分：８７．６分", D("87.6")),  # full-width digits and colon
    ("该项目自评得分为 100 分", D("100")),
    ("项目决策得分为 14.50 分，过程管理得分为 24.56 分。", None),  # only dimensions: no total
    ("得分率为95.97%", None),
    ("综合绩效得分为89.9分。", D("89.9")),
]

# (sentence, grade)
GRADE = [
    ("评价等级为“优”。", "优"),
    ("绩效级别评定为“良”。", "良"),
    ("评价结论：“良”", "良"),
    ("评价等级为优秀", "优"),
    ("等级为良好。", "良"),
    ("评价结论为“中等”。", "中"),
    ("评价等级为一般", "中"),
    ("绩效等级为较差", "差"),
    ("评价等级为 差", "差"),
    ("评价等级：「良」", "良"),
    ("等级保护测评报告出具时间", None),
    ("评价结论：该项目立项依据充分，程序较为规范。", None),
]


@pytest.mark.parametrize("sentence,expected", TOTAL_SCORE, ids=[s[:18] for s, _ in TOTAL_SCORE])
def test_total_score(sentence, expected):
    fact = find_total_score(normalize(sentence))
    assert (fact.value if fact else None) == expected


@pytest.mark.parametrize("sentence,expected", GRADE, ids=[s[:12] for s, _ in GRADE])
def test_grade(sentence, expected):
    assert find_grade(normalize(sentence))[0] == expected


DIMENSIONS = [
    (
        "其中，项目决策得分为 14.50 分，过程管理得分为 24.56 分，产出得分为 34.60 分，效益得分为 16.38 分。",
        {"decision": D("14.50"), "process": D("24.56"), "output": D("34.60"), "outcome": D("16.38")},
    ),
    (
        "其中：项目决策得分8.10分、项目过程得分18.08分、项目产出得分37.70分、项目效益得分23.00分。",
        {"decision": D("8.10"), "process": D("18.08"), "output": D("37.70"), "outcome": D("23.00")},
    ),
    (
        "项目得分91.5分，其中，项目决策5分、项目过程57.58分、项目产出14.22分、项目效益14.7分。",
        {"decision": D("5"), "process": D("57.58"), "output": D("14.22"), "outcome": D("14.7")},
    ),
    # variants
    (
        "其中决策指标得分12分，过程指标得分18.5分，产出指标得分36分，效益指标得分22.3分。",
        {"decision": D("12"), "process": D("18.5"), "output": D("36"), "outcome": D("22.3")},
    ),
    (
        "分项得分：决策 9 分；过程 19 分；产出 38 分；效益 25 分。",
        {"decision": D("9"), "process": D("19"), "output": D("38"), "outcome": D("25")},
    ),
    (
        "其中，决策、过程、产出、效益四个方面分别得分18分、19分、35分、20分。",
        {"decision": D("18"), "process": D("19"), "output": D("35"), "outcome": D("20")},
    ),
    (
        "项目决策、项目过程、项目产出和项目效益指标分别得分8.5、17、36.2和24分。",
        {"decision": D("8.5"), "process": D("17"), "output": D("36.2"), "outcome": D("24")},
    ),
]


@pytest.mark.parametrize("sentence,expected", DIMENSIONS, ids=[s[:14] for s, _ in DIMENSIONS])
def test_narrative_dimensions(sentence, expected):
    items = find_narrative_dimensions(normalize(sentence))
    assert {i["dimension_std"]: i["score"] for i in items} == expected


FUNDS = [
    # real
    (
        "(三)项目资金情况\n\n在本次绩效评价范围内，“某专项资金”项目2024年共下达预算128688.75万元，全部支出，预算执行率100%。\n\n二、综合评价",
        dict(budget_wan=D("128688.75"), received_wan=None, spent_wan=D("128688.75"), execution_rate_pct=D("100")),
    ),
    (
        "(三)资金情况\n\n2021 年，“某基金”项目下达预算 30995.88 万元，预算执行 30936.21 万元，预算执行率 99.81%。其中：2021 年立项项目实际支出 25919.18 万元。\n二、综合评价",
        dict(budget_wan=D("30995.88"), received_wan=None, spent_wan=D("30936.21"), execution_rate_pct=D("99.81")),
    ),
    (
        "(三) 项目资金情况\n\n2024 年预算资金 23 亿元，已全部支出，用于支付已签\n\n订的合同款项。\n\n二、综合评价",
        dict(budget_wan=D("230000"), received_wan=None, spent_wan=D("230000"), execution_rate_pct=None),
    ),
    (
        "(3) 项目资金情况\n某项目财政预算批复1500万元，资金实际到位1415.35万元，资金实际使用1415.35万元。\n二、绩效评价情况",
        dict(budget_wan=D("1500"), received_wan=D("1415.35"), spent_wan=D("1415.35"), execution_rate_pct=None),
    ),
    (
        "3.资金投入和使用情况\n\n2022年，安排预算资金480.00万元，全部为财政性资金，实际支出240.00万元，结转资金240.00万元，预算资金执行率为50%。\n\n(二)项目绩效目标。",
        dict(budget_wan=D("480"), received_wan=None, spent_wan=D("240"), execution_rate_pct=D("50")),
    ),
    # variants: 元 with separators, decimal rate, 亿元 received, spaces inside the number
    (
        "(三)项目资金情况\n项目年度预算为 12,345,600.00 元，实际到位资金 1,234.56 万元，实际支出 0.1 亿元，预算执行率为 0.958。\n二、",
        dict(budget_wan=D("1234.56"), received_wan=D("1234.56"), spent_wan=D("1000"), execution_rate_pct=D("95.8")),
    ),
    (
        "(三)项目资金情况\n全年预算金额 2 632.49 万元，累计支出 2 626.68 万元，执行率 99.78%。\n二、",
        dict(budget_wan=D("2632.49"), received_wan=None, spent_wan=D("2626.68"), execution_rate_pct=D("99.78")),
    ),
    (
        "(三)项目资金情况\n项目预算３００万元，实际支出２８５万元，资金执行率９５％。\n二、",
        dict(budget_wan=D("300"), received_wan=None, spent_wan=D("285"), execution_rate_pct=D("95")),
    ),
    (
        "(三)项目资金使用情况\n该项目预算总额为860.5万元，截至年底实际支付812.3万元。\n二、",
        dict(budget_wan=D("860.5"), received_wan=None, spent_wan=D("812.3"), execution_rate_pct=None),
    ),
]


@pytest.mark.parametrize("text,expected", FUNDS, ids=[f"funds{i}" for i in range(len(FUNDS))])
def test_funds(text, expected):
    got, facts = find_funds(normalize(text))
    assert {k: got[k] for k in expected} == expected
    for f in facts:  # every value keeps where it came from
        assert 0 <= f.start < f.end <= len(normalize(text))


REDUCTIONS = [
    # real
    ("市财政、市级各部门组织完成事前绩效评估项目(政策)1142 个，涉及资金 89.5 亿元，审减资金 7.8 亿元。",
     dict(kind="事前绩效评估", n_items=1142, submitted_wan=D("895000"), reduced_wan=D("78000"))),
    ("开展事前绩效评估项目182个，审减金额11.04亿元；",
     dict(kind="事前绩效评估", n_items=182, submitted_wan=None, reduced_wan=D("110400"))),
    ("项目决算送审金额为2,945.51万元，审定金额为2,489.95万元，核减金额高达455.56万元，决算核减率达到15.47%。",
     dict(kind="决算评审", n_items=None, submitted_wan=D("2945.51"), approved_wan=D("2489.95"),
          reduced_wan=D("455.56"), reduction_rate_pct=D("15.47"))),
    # variants
    ("全年对159个项目开展事前绩效评估，评估资金23.6亿元，核减资金2.1亿元，核减率8.9%。",
     dict(kind="事前绩效评估", n_items=159, submitted_wan=D("236000"), reduced_wan=D("21000"),
          reduction_rate_pct=D("8.9"))),
    ("全年共对86个项目开展事前绩效评估，审核资金9.8亿元，核减资金1.06亿元。",
     dict(kind="事前绩效评估", n_items=86, submitted_wan=D("98000"), reduced_wan=D("10600"),
          reduction_rate_pct=D("10.8163"))),
    ("事前评估项目 1,024 项，申报资金 356,000 万元，审核后资金 320,400 万元，净审减 35,600 万元。",
     dict(kind="事前绩效评估", n_items=1024, submitted_wan=D("356000"), approved_wan=D("320400"),
          reduced_wan=D("35600"))),
]


@pytest.mark.parametrize("sentence,expected", REDUCTIONS, ids=[f"red{i}" for i in range(len(REDUCTIONS))])
def test_reductions(sentence, expected):
    from pipelines.extract.audit import find_reductions

    rows = find_reductions(normalize(sentence))
    assert len(rows) == 1
    assert {k: rows[0][k] for k in expected} == expected


@pytest.mark.parametrize(
    "text,department,implementer",
    [
        ("主管部门：北京市某区教育委员会\n实施单位：北京市某区第一中学", "北京市某区教育委员会", "北京市某区第一中学"),
        ("预算单位：北京市某区卫生健康委员会\n项目单位：北京市某区妇幼保健院", "北京市某区卫生健康委员会", "北京市某区妇幼保健院"),
        ("执行单位：北京市某区园林绿化局（以下简称区园林局）", None, "北京市某区园林绿化局"),
    ],
)
def test_department_and_implementer_lines(text, department, implementer):
    from pipelines.extract.report import find_implementer, find_labelled_line
    from pipelines.rules import report_rules as R

    t = normalize(text)
    assert find_labelled_line(t, R.DEPARTMENT_LABELS) == department
    assert find_implementer(t) == implementer
