"""The splitter on the real bundles: explanation sections, covers, TOC and appendices are not reports."""

from pipelines.segment import split_document
from pipelines.text import normalize
from tests.conftest import FENGTAI, MUNICIPAL, SHIJINGSHAN, corpus_text


def titles(path):
    return [r.title for r in split_document(corpus_text(path)).reports]


def test_municipal_bundle_has_three_reports_not_its_cover_or_toc():
    assert titles(MUNICIPAL) == [
        "北京市经济和信息化局 高精尖产业发展专项资金绩效评价报告",
        "北京市科学技术委员会 中关村科技园区管理委员会 北京市自然科学基金绩效评价报告",
        "北京市医院管理中心 市属医院等优质医疗资源扩大辐射项目 绩效评价报告",
    ]
    seg = split_document(corpus_text(MUNICIPAL))
    assert [e.title for e in seg.explanations] == ["关于 2024 年预算绩效管理有关情况的说明"]


def test_fengtai_titles_over_one_two_and_three_lines():
    # The 4th title follows a table cell with no blank line; the 2nd spans three lines.
    assert titles(FENGTAI) == [
        "北京市丰台区卫生健康委员会“直属公立医院绩效考核”项目绩效评价报告",
        "北京市丰台区生态环境局地下水“双源”监管建设体系服务项目(二期)绩效评价报告",
        "北京市丰台区住房和建设委员会东铁营棚户区改造和环境整治项目绩效评价报告",
        "北京丽泽金融商务区管理委员会丽泽金融商务区2023年重点区域综合整治提升项目绩效评价报告",
    ]


def test_appendix_score_table_stays_with_its_report():
    text = corpus_text(FENGTAI)
    first = split_document(text).reports[0]
    body = text[first.start : first.end]
    assert "评价指标体系及评分情况表" in body and body.rstrip().endswith("86.88")


def test_standalone_report_title_of_three_lines():
    assert titles(SHIJINGSHAN) == ["北京市石景山区投资促进服务中心关于优化升级区域高精尖产业发展政策课题项目支出绩效评价的报告"]


def test_variants_toc_appendix_and_cover_are_not_reports():
    body = "经评价，该项目综合评价得分88.5分，评价等级为“良”。" + "项目实施情况良好。" * 40
    text = "\n".join(
        [
            "目 录",
            "某区某局某某项目绩效评价报告 ····\t1",
            "",
            "某区某局",
            "某某项目绩效评价报告",
            "",
            body,
            "附件：某某项目绩效评价指标体系及评分情况表",
            "",
            "某区某委",
            "另一个项目",
            "绩效自评报告",
            body,
        ]
    )
    seg = split_document(normalize(text))
    assert [r.title for r in seg.reports] == ["某区某局某某项目绩效评价报告", "某区某委另一个项目绩效自评报告"]


def test_report_without_recognisable_title_is_still_found():
    text = "某某项目支出绩效情况\n\n经评价，该项目自评得分95分，评价等级为优秀。" + "项目按计划实施。" * 40
    seg = split_document(normalize(text))
    assert len(seg.reports) == 1 and seg.reports[0].title == "某某项目支出绩效情况"


import pytest  # noqa: E402


@pytest.mark.parametrize(
    "title,is_explanation",
    [
        ("关于 2024 年预算绩效管理有关情况的说明", True),
        ("关于丰台区预算绩效管理情况的说明", True),
        ("关于2023年度预算绩效管理工作情况的报告", True),
        ("2024年预算绩效管理工作情况说明", True),
        ("北京市海淀区2024年度预算绩效管理工作报告", True),
        ("(二)预算绩效管理情况", False),
        ("关于某某项目的绩效评价报告", False),
        ("加强预算绩效管理情况", False),
    ],
)
def test_explanation_titles(title, is_explanation):
    from pipelines.segment import EXPLANATION_TITLE, TITLE_END

    assert bool(EXPLANATION_TITLE.match(title) and not TITLE_END.search(title)) is is_explanation
