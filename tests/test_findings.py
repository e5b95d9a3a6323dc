"""Problems (存在的主要问题) and suggestions (相关建议), item by item.

Real reports of the sample corpus first (counts and headings read by hand from the
text), then variants written by hand: 一是/二是 inline, 1、, ①, title on the same line,
no suggestions section, sections closed by 附件 / a signature, a combined section.
"""

import pytest

from conftest import FENGTAI, MUNICIPAL, SHIJINGSHAN, corpus_text
from pipelines.extract.findings import extract_findings
from pipelines.text import normalize

# First line (stripped) of every report in each bundle, copied from the corpus.
REPORT_TITLES = {
    MUNICIPAL: [
        "北京市经济和信息化局 高精尖产业发展专项资金绩效评价报告",
        "北京市科学技术委员会 中关村科技园区管理委员会 北京市自然科学基金绩效评价报告",
        "北京市医院管理中心 市属医院等优质医疗资源扩大辐射项目 绩效评价报告",
    ],
    FENGTAI: [
        "北京市丰台区卫生健康委员会“直属公立医院绩效考核”项目绩效评价报告",
        "北京市丰台区生态环境局",
        "北京市丰台区住房和建设委员会",
        "北京丽泽金融商务区管理委员会",
    ],
    SHIJINGSHAN: ["北京市石景山区投资促进服务中心关于"],
}


def split_reports(path) -> tuple[str, list[str]]:
    """(text before the first report, [report texts]) by the known title lines."""
    text = corpus_text(path)
    starts, pos = [], 0
    for title in REPORT_TITLES[path]:
        while True:
            eol = text.find("\n", pos)
            line = text[pos : eol if eol >= 0 else len(text)]
            if line.strip() == title:
                starts.append(pos)
                pos = eol + 1
                break
            assert eol >= 0, f"title not found: {title}"
            pos = eol + 1
    ends = starts[1:] + [len(text)]
    return text[: starts[0]], [text[a:b] for a, b in zip(starts, ends)]


def reports(path):
    return split_reports(path)[1]


def by_kind(findings, kind):
    return [f for f in findings if f["kind"] == kind]


# (file, report index from 1, n problems, n suggestions, {(kind, seq): heading})
CORPUS = [
    (MUNICIPAL, 1, 3, 3, {
        ("问题", 1): "过程管理有待加强",
        ("问题", 3): "效益分析较为笼统",
        ("建议", 2): "加强风险控制，提高过程监管效率",
        ("建议", 3): "完善跟踪评价和反馈机制",
    }),
    (MUNICIPAL, 2, 3, 3, {
        ("问题", 1): "绩效指标设置不够全面",
        ("问题", 2): "过程管理不够精细",  # "(二)" with half-width brackets in the source
        ("建议", 1): "科学设置绩效目标",
        ("建议", 3): "完善分类评价与长效跟踪机制",
    }),
    (MUNICIPAL, 3, 2, 2, {
        ("问题", 1): "需求论证还需深入",
        ("问题", 2): "效果评估还需加强",
        ("建议", 1): "优化决策机制，落实绩效管理责任",
        ("建议", 2): "讲求经济效益，高效实现项目整体目标",
    }),
    (FENGTAI, 1, 4, 4, {  # "4、 存在的主要问题" numbered oddly, items "1." … "4."
        ("问题", 1): "项目目标不够清晰",
        ("问题", 4): "项目可持续影响指标完成情况不清晰",
        ("建议", 3): "加快绩效考核进度",
        ("建议", 2): "提高预算绩效意识，加强预算绩效管理，注重绩效目标的设定和绩效指标的细化",
    }),
    (FENGTAI, 2, 4, 4, {  # title lines followed by 一是/二是 paragraphs
        ("问题", 1): "立项程序规范性不足，缺少可持续发展规划",
        ("问题", 2): "绩效指标设置不够科学，预算编制精准度尚有不足",
        ("问题", 3): "管理制度不够健全，过程管理存在缺失",
        ("建议", 1): "加强前期调研，强化决策留痕管理，明确分工，确保项目长期发挥效益",
        ("建议", 4): "关注可持续性发展，做好满意度调查与分析，全面呈现项目绩效完成情况",
    }),
    (FENGTAI, 3, 2, 2, {
        ("问题", 1): "项目精细化管理不足，实施方案尚需完善",
        ("问题", 2): "收益风险识别有待强化",
        ("建议", 2): "建立动态风险评估机制，提升风险应对能力",
    }),
    (FENGTAI, 4, 4, 4, {
        ("问题", 1): "缺乏前置调研与可行性论证、预算编制科学精确度不够",
        ("问题", 2): "绩效目标及指标的细化、量化度不足",
        ("建议", 2): "提高项目绩效管理理念，科学设计绩效目标",
        ("建议", 4): "加强绩效成果资料收集，做好满意度调查与分析",
    }),
    (SHIJINGSHAN, 1, 3, 3, {  # (二)存在问题及原因分析 inside 五、主要经验及做法、存在的问题…
        ("问题", 1): "绩效管理意识需要进一步加强",
        ("问题", 3): "绩效约束能力不强",
        ("建议", 1): "完善预算绩效考核体系，提高预算绩效管理意识",
        ("建议", 3): "强化项目前期决策论证，提高项目管理的科学性、针对性",
    }),
]


@pytest.mark.parametrize("path,idx,n_prob,n_sug,headings", CORPUS, ids=lambda v: getattr(v, "name", None))
def test_corpus_reports(path, idx, n_prob, n_sug, headings):
    text = reports(path)[idx - 1]
    fs = extract_findings(text)
    assert len(by_kind(fs, "问题")) == n_prob
    assert len(by_kind(fs, "建议")) == n_sug
    got = {(f["kind"], f["seq"]): f["heading"] for f in fs}
    for key, heading in headings.items():
        assert got[key] == heading
    for kind in ("问题", "建议"):
        assert [f["seq"] for f in by_kind(fs, kind)] == list(range(1, len(by_kind(fs, kind)) + 1))
    for f in fs:  # offsets point at the item in the report text
        span = text[f["char_start"] : f["char_end"]]
        assert span == span.strip()
        assert f["heading"][:6] in span
        assert (f["body"][-6:] if f["body"] else f["heading"][-6:]) in span


def test_explanations_before_the_reports_have_no_findings():
    # "…并提出意见建议。" and 一、…四、 paragraphs are not findings sections
    for path in (MUNICIPAL, FENGTAI):
        pre, _ = split_reports(path)
        assert pre.strip()
        assert extract_findings(pre) == []


def test_page_break_inside_a_sentence_is_joined():
    # "…资金拨付审核到使\n\n用效果评估的全过程监管。"
    fs = extract_findings(reports(MUNICIPAL)[0])
    s2 = by_kind(fs, "建议")[1]
    assert s2["body"] == "加强实施过程的监督和管理，强化从项目立项评审、资金拨付审核到使用效果评估的全过程监管。"
    # "充分考虑未\n\n来医疗需求变化"
    s1 = by_kind(extract_findings(reports(MUNICIPAL)[2]), "建议")[0]
    assert s1["body"].startswith("充分考虑未来医疗需求变化和技术发展水平")


def test_numbered_items_are_not_split_at_yishi():
    fs = extract_findings(reports(FENGTAI)[1])
    p2 = by_kind(fs, "问题")[1]
    assert p2["body"].startswith("一是绩效指标设置不合理，科学性不足。")
    assert "\n二是预算编制的精准度有待提高。" in p2["body"]
    p1 = by_kind(fs, "问题")[0]
    assert p1["body"].endswith("对项目建成后的运维模式、资金来源等关键问题缺乏系统规划。")
    s2 = by_kind(fs, "建议")[1]
    assert s2["body"].endswith("提升财政资金使用效益。")  # two body paragraphs kept


def test_single_sentence_item_has_empty_body():
    fs = extract_findings(reports(FENGTAI)[0])
    s1 = by_kind(fs, "建议")[0]
    assert s1["heading"].startswith("完善绩效指标，随着对医院监管工作中心的调整")
    assert s1["heading"].endswith("并保证项目名称、项目目标、项目内容的一致性和有效衔接")
    assert s1["body"] == ""


def test_self_evaluation_experiences_are_not_findings():
    fs = extract_findings(reports(SHIJINGSHAN)[0])
    headings = [f["heading"] for f in fs]
    assert "高度重视，加强组织领导" not in headings
    assert not any("经验" in h for h in headings)
    # the last suggestion stops before 七、其他需要说明的问题
    assert by_kind(fs, "建议")[-1]["body"].endswith("保证项目决策资料的有效性和完整性。")


def test_bodies_from_corpus():
    fs = extract_findings(reports(MUNICIPAL)[1])
    assert by_kind(fs, "问题")[1]["body"] == "项目结余资金管理有待强化，项目单位未分类细化具体的实施方案。"
    fs = extract_findings(reports(FENGTAI)[2])
    # bookmark debris before (二) removed by normalize; the section ends before 附件
    assert by_kind(fs, "建议")[1]["body"].endswith("增强项目中长期资金保障和偿债安排的稳定性。")


# --- variants written by hand --------------------------------------------------------------

INLINE = """三、产出与效益情况
项目完成了年度任务。
四、存在的问题
评价发现，项目主要存在以下问题：一是绩效目标设置不够细化，部分指标无法衡量；二是资金拨付进度滞后，预算执行率偏低；三是未开展服务对象满意度调查。
五、相关建议
一是细化量化绩效指标。二是加快资金拨付进度，提高预算执行率。
"""


def test_inline_yishi_items():
    fs = extract_findings(INLINE)
    probs = by_kind(fs, "问题")
    assert [f["heading"] for f in probs] == [
        "绩效目标设置不够细化，部分指标无法衡量",
        "资金拨付进度滞后，预算执行率偏低",
        "未开展服务对象满意度调查",
    ]
    assert all(f["body"] == "" for f in probs)
    assert INLINE[probs[0]["char_start"] :].startswith("一是绩效目标")
    assert INLINE[: probs[2]["char_end"]].endswith("满意度调查。")
    sugs = by_kind(fs, "建议")
    assert [f["heading"] for f in sugs] == ["细化量化绩效指标", "加快资金拨付进度，提高预算执行率"]


CHINESE_COMMA_NUMBERS = normalize("""（三）存在的主要问题
1、资金管理不够规范。部分支出未取得合规票据。
2、项目进度滞后
受疫情影响，项目开工时间推迟3个月。
3、档案资料不完整。
（四）有关建议
1、严格资金支出审核。
2、加快项目实施进度。
""")


def test_arabic_with_dunhao_and_title_lines():
    fs = extract_findings(CHINESE_COMMA_NUMBERS)
    probs = by_kind(fs, "问题")
    assert [(f["heading"], f["body"]) for f in probs] == [
        ("资金管理不够规范", "部分支出未取得合规票据。"),
        ("项目进度滞后", "受疫情影响，项目开工时间推迟3个月。"),
        ("档案资料不完整", ""),
    ]
    assert [f["heading"] for f in by_kind(fs, "建议")] == ["严格资金支出审核", "加快项目实施进度"]


CIRCLED = """六、存在问题
①绩效指标设置不合理。质量指标缺失。
②预算编制不够精准。预算与实际支出差异较大。
③合同管理不规范，未按约定付款。
七、改进建议
①完善绩效指标。
②提高预算编制精准度。
"""


def test_circled_numbers():
    fs = extract_findings(CIRCLED)
    assert [f["heading"] for f in by_kind(fs, "问题")] == ["绩效指标设置不合理", "预算编制不够精准", "合同管理不规范，未按约定付款"]
    assert by_kind(fs, "问题")[1]["body"] == "预算与实际支出差异较大。"
    assert len(by_kind(fs, "建议")) == 2


NO_SUGGESTIONS = """四、存在的主要问题
（一）绩效目标不够明确。目标与任务不匹配。
（二）满意度调查覆盖面不足。
五、其他需要说明的问题
无
附件：评分表
"""


def test_report_without_suggestions_section():
    fs = extract_findings(NO_SUGGESTIONS)
    assert by_kind(fs, "建议") == []
    assert [f["heading"] for f in fs] == ["绩效目标不够明确", "满意度调查覆盖面不足"]
    assert fs[1]["body"] == ""  # "五、其他需要说明的问题" ends the section and is not one


TITLE_ON_SAME_LINE = "四、存在的问题：一是预算执行率偏低；二是资产未及时入账。\n五、建议：加强资产管理。\n"


def test_title_followed_by_text_on_the_same_line():
    fs = extract_findings(TITLE_ON_SAME_LINE)
    assert [(f["kind"], f["heading"]) for f in fs] == [
        ("问题", "预算执行率偏低"),
        ("问题", "资产未及时入账"),
        ("建议", "加强资产管理"),
    ]


UNNUMBERED_ONE_ITEM = """四、存在的问题
项目实施过程中，部分子项目验收资料不完整，
未能及时归档。
五、相关建议
加强档案管理，确保资料完整。

北京市某某局
2024年5月10日
"""


def test_unnumbered_sections_are_one_item_and_signature_dropped():
    fs = extract_findings(UNNUMBERED_ONE_ITEM)
    assert len(fs) == 2
    assert fs[0]["heading"] == "项目实施过程中，部分子项目验收资料不完整，未能及时归档"  # broken line joined
    assert fs[0]["body"] == ""
    assert fs[1]["heading"] == "加强档案管理，确保资料完整"
    assert "某某局" not in UNNUMBERED_ONE_ITEM[fs[1]["char_start"] : fs[1]["char_end"]]


PAGE_BREAK = "四、存在的主要问题\n（一）资金管理不规范。部分资金未按进度拨\n\n\f付，形成沉淀。\n（二）进度滞后。\n五、相关建议\n（一）加快拨付。\n"


def test_page_break_variant():
    fs = extract_findings(normalize(PAGE_BREAK))
    assert by_kind(fs, "问题")[0]["body"] == "部分资金未按进度拨付，形成沉淀。"
    assert by_kind(fs, "问题")[1]["heading"] == "进度滞后"


SUBSECTION_COMBINED = """五、存在的问题及建议
（一）存在的问题
1.立项论证不充分。
2.绩效指标不够细化。
（二）相关建议
1.加强前期论证。
六、附件
"""


def test_combined_container_uses_its_subsections():
    fs = extract_findings(SUBSECTION_COMBINED)
    assert [(f["kind"], f["seq"], f["heading"]) for f in fs] == [
        ("问题", 1, "立项论证不充分"),
        ("问题", 2, "绩效指标不够细化"),
        ("建议", 1, "加强前期论证"),
    ]


ARABIC_TOP = """3、项目产出情况
完成。
4、存在的主要问题
(1)资金到位率偏低。
(2)预算调整频繁。
5、相关建议
(1)加快资金到位。
6、其他事项
本报告仅供参考。
"""


def test_arabic_top_level_with_paren_items():
    fs = extract_findings(ARABIC_TOP)
    assert [f["heading"] for f in by_kind(fs, "问题")] == ["资金到位率偏低", "预算调整频繁"]
    assert [(f["heading"], f["body"]) for f in by_kind(fs, "建议")] == [("加快资金到位", "")]


def test_lead_in_sentence_is_not_an_item():
    text = "四、存在的主要问题\n经评价，发现以下问题：\n（一）目标不清晰。\n（二）制度不健全。\n"
    fs = extract_findings(text)
    assert [f["heading"] for f in fs] == ["目标不清晰", "制度不健全"]


def test_nothing_to_find():
    assert extract_findings("") == []
    assert extract_findings("一、项目基本情况\n本项目总预算100万元。\n二、评价结论\n得分90分。") == []


# --- never raises, offsets stay inside the text ------------------------------------------

from hypothesis import given, settings, strategies as st  # noqa: E402

_PIECES = st.sampled_from([
    "四、存在的主要问题", "五、相关建议", "(二)存在问题及原因分析", "4、 存在的问题", "附件：表", "\t得分",
    "(一)", "(二)", "1.", "2、", "①", "②", "一是", "二是", "，", "。", "；", "：", "\n", "\n\n",
    "资金拨付不及时", "绩效目标不清晰", "建议", "问题", "2024年5月", " ", "\f",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40))
def test_never_raises_and_offsets_are_valid(pieces):
    text = normalize("".join(pieces))
    fs = extract_findings(text)
    for kind in ("问题", "建议"):
        assert [f["seq"] for f in fs if f["kind"] == kind] == list(range(1, 1 + sum(f["kind"] == kind for f in fs)))
    for f in fs:
        assert 0 <= f["char_start"] < f["char_end"] <= len(text)
        assert f["heading"] or f["body"]
