"""Texts of our own writing in the layouts of real published documents (self-evaluation forms
flattened, one cell a line, in pipes, scrambled by a PDF, glued by a document viewer or an OCR;
review notices; evaluation news; texts with nothing to load). Projects, places and figures are
invented; each form's arithmetic holds (spent / budget = printed rate, weight x rate = score).

Expected values are what a person reads in tests/fixtures/real_shapes/, decided by reading.
Layout follows scrapinghub/price-parser's tests: named lists of cases, then one test per list.

A case is pytest.param(source, expected): `source` is a fixture file name, or (file name, edit)
for a small edit of the same shape. `expected` keys:
  doc_kind, status             documents row (a value or OneOf(...))
  n_reports                    number of reports (a value or OneOf(...)); default: len(reports)
  reports                      list of {field: value}; a report is found by its project_name
                               when the case states one, else by position
  audit, audit_extra           audit_reductions rows ({field: value}, each must match one row);
                               audit_extra: how many further rows the text also states (default 0)
  dimensions                   {report index: {dimension name: score}} in dimension_scores
"""

import re
from decimal import Decimal as D
from functools import lru_cache
from pathlib import Path

import pytest

from pipelines.process import process_bytes

SHAPES = Path(__file__).parent / "fixtures" / "real_shapes"


class OneOf(tuple):
    """Any of these values is what the text states (e.g. funds of 2022 evaluated in 2023)."""

    def __new__(cls, *values):
        return super().__new__(cls, values)

    def matches(self, got):
        return any(_eq(got, v) for v in self)


class Has(str):
    """The stored name holds this one, with at most `extra` more characters (a code prefix such as
    `305-`, the unit name of a form printed before a department)."""

    extra = 16

    def matches(self, got):
        return isinstance(got, str) and self in got and len(got) - len(self) <= self.extra


def _eq(got, want):
    if hasattr(want, "matches"):
        return want.matches(got)
    if isinstance(want, D) or isinstance(got, D):
        return got is not None and want is not None and D(str(got)) == D(str(want))
    return got == want


def _text(source) -> str:
    name, edit = (source, None) if isinstance(source, str) else source
    text = (SHAPES / name).read_text(encoding="utf-8")
    if edit is not None:
        edited = edit(text)
        assert edited != text, f"the edit of {name} changed nothing"
        text = edited
    return text


@lru_cache(maxsize=None)
def _rows(source):
    name = source if isinstance(source, str) else source[0]
    return process_bytes(name, _text(source).encode("utf-8")).rows


# --- edits for VARIANTS -------------------------------------------------------------------------

FULL = str.maketrans("0123456789.%", "０１２３４５６７８９．％")


def sub(old, new, count=0):
    """Replace `old` by `new` (every occurrence, or the first `count`)."""
    return lambda t: t.replace(old, new, count) if count else t.replace(old, new)


def chain(*edits):
    def run(t):
        for e in edits:
            t = e(t)
        return t

    return run


def fullwidth(t):
    return t.translate(FULL)


def fullwidth_segment(start, end):
    """Full-width digits only between `start` and the next `end` (one glued cell row)."""

    def run(t):
        i = t.index(start) + len(start)
        j = t.index(end, i)
        return t[:i] + t[i:j].translate(FULL) + t[j:]

    return run


def more_blank_lines(t):
    return re.sub(r"\n(?=\n)", "\n\n", t)


# --- expected values ---------------------------------------------------------------------------

FORM_01 = dict(
    doc_kind="self_evaluation_form", status="parsed",
    reports=[dict(
        project_name="乡村环境整治委托服务项目", department=Has("霍山县佛子岭镇人民政府"),
        implementer=Has("霍山县佛子岭镇人民政府"), district="霍山县", province="安徽省", report_year=2022,
        evaluation_type="单位自评", budget_wan=D("58.36"), spent_wan=D("58.36"),
        # the 年度资金总额 row is all zeros: its 执行率 0 states nothing
        execution_rate_pct=None, total_score=None,
    )],
)

FORM_02 = dict(
    doc_kind="self_evaluation_form", status="parsed",
    reports=[dict(
        project_name="实训楼屋面防水及外墙维修经费", department="沧州市教育局", implementer="沧州市机电工程学校",
        district="沧州市", province="河北省", report_year=2021, evaluation_type="单位自评",
        budget_wan=D("56.8"), spent_wan=D("51.12"), execution_rate_pct=D("90"), total_score=None,
    )],
)

FORM_03 = dict(
    doc_kind="self_evaluation_form", status="parsed",
    # the file opens with the tail (合计/评价结论/负责人) of a previous form: keeping it as a fragment is fine
    n_reports=OneOf(1, 2),
    reports=[dict(
        project_name=OneOf("51132324T000011874205-2023年乡镇应急广播系统运维经费", "2023年乡镇应急广播系统运维经费"), department=Has("蓬安县应急管理局"),
        implementer="蓬安县应急管理局", district="蓬安县", province="四川省", report_year=2023,
        evaluation_type="单位自评", budget_wan=D("15.60"), spent_wan=D("14.82"), execution_rate_pct=D("95.00"),
    )],
)

FORM_04 = dict(
    doc_kind="self_evaluation_form", status="parsed",
    reports=[
        dict(
            project_name="公园夜间照明设施运维费用", department=Has("静安区绿化和市容管理局"),
            implementer=Has("静安区绿化管理事务中心"), district="静安区", province="上海市", report_year=2023,
            evaluation_type="单位自评", budget_wan=D("36"), spent_wan=D("33.12"),
            execution_rate_pct=D("92.00"), total_score=D("97.5"),
        ),
        dict(
            # 18,500 元 stands apart from its row: 18500 / 50000 = the printed 37.00%
            project_name="社区花园微更新补助经费", department=Has("静安区绿化和市容管理局"), district="静安区",
            province="上海市", report_year=2023, budget_wan=D("5"), spent_wan=D("1.85"),
            execution_rate_pct=D("37.00"), total_score=None,
        ),
    ],
)

FORM_05 = dict(
    doc_kind="self_evaluation_form", status="parsed",
    reports=[dict(
        # 年度资金总额:186.593.251050%5 = 186.5 / 93.25 / 分值10 / 50% / 得分5
        project_name="背街小巷保洁外包服务经费", department=Has("东栅街道办事处"),
        implementer=Has("东栅街道城市管理服务中心"), district="南湖区", province="浙江省", report_year=2020,
        evaluation_type="单位自评", budget_wan=D("186.5"), spent_wan=D("93.25"), execution_rate_pct=D("50"),
    )],
)

FORM_06 = dict(
    doc_kind="self_evaluation_form", status="parsed",
    reports=[dict(
        project_name="小学课后服务补助经费", department="吴忠市教育局", implementer="吴忠市第三小学",
        district="吴忠市", province="宁夏回族自治区", report_year=2022, evaluation_type="单位自评",
        total_score=D("96"), budget_wan=D("42.6"), spent_wan=D("42.6"), execution_rate_pct=D("100"),
        # 项目决策(10分) … 项目效益(35分) are maxima; no dimension total is stated
        score_decision=None, score_process=None, score_output=None, score_outcome=None,
    )],
)

FORM_07 = dict(
    doc_kind="self_evaluation_form", status="parsed",
    reports=[dict(
        project_name=OneOf("51112621R000000023417-在职人员工资性支出", "在职人员工资性支出"),
        department=Has("夹江县统计局"),
        district="夹江县", province="四川省", report_year=2023, evaluation_type="单位自评",
        budget_wan=D("131.20"), spent_wan=D("124.64"), execution_rate_pct=D("95.00"),
        total_score=None,  # 合计 100 is the weights' total; 得分 cells are blank
    )],
)

FORM_08 = dict(
    reports=[dict(
        project_name="宾川县2022年耕地地力保护补贴工作经费", department="宾川县农业农村局",
        implementer="宾川县农业技术推广中心", district="宾川县", province="云南省", report_year=2022,
        evaluation_type="单位自评", budget_wan=D("85.60"), spent_wan=D("77.04"), execution_rate_pct=D("90.00"),
        total_score=None,  # 18.00 is the 20-point execution sub-score
    )],
)
FORM_08_KIND = dict(
    doc_kind="self_evaluation_form", status="parsed",
    reports=[dict(project_name="宾川县2022年耕地地力保护补贴工作经费", report_kind="self_evaluation_form")],
)
FORM_07_IMPLEMENTER = dict(reports=[dict(project_name=FORM_07["reports"][0]["project_name"], implementer="夹江县统计局")])

NEWS_09 = dict(
    doc_kind="evaluation_report", status="parsed",
    reports=[dict(
        # the year is only in the 标题: line at the end (the body lost it: 柘城县年…)
        project_name=Has("农村饮水安全巩固提升工程"), district="柘城县", province="河南省", report_year=2018,
        total_score=D("88"), grade="良",
    )],
)

BULLETIN_10 = dict(
    doc_kind="evaluation_report", status="partial",  # the district is masked (**)
    reports=[dict(
        project_name=Has("城区公厕运维管理项目"), district=None, report_year=OneOf(2022, 2023),
        evaluation_type="财政评价", total_score=D("87.46"), grade="良",
        budget_wan=D("41256.38"), spent_wan=D("39877.05"),  # not 涉及资金4.1亿元
    )],
)

TRAD_11 = dict(
    doc_kind="evaluation_report", status="partial",  # no 优/良/中/差 grade
    reports=[dict(
        project_name=Has("世界银行贷款贵州农村公路养护项目"), district="贵州省", province="贵州省",
        evaluation_type="财政评价", total_score=D("83.10"),
    )],
    dimensions={0: {"相关性": D("19.00"), "效率": D("32.20"), "效果": D("23.40"), "可持续性": D("8.50")}},
)

RESULTS_12 = dict(
    doc_kind=OneOf("evaluation_report", "results_bulletin"), status="parsed",
    reports=[
        dict(project_name=Has("城市书房建设经费"), total_score=D("92.6"), grade="优", report_year=2020,
             district="龙文区", province="福建省", evaluation_type="财政评价"),
        dict(project_name=Has("老年人助餐服务补助"), total_score=D("88"), grade="良", report_year=2020,
             district="龙文区", province="福建省", evaluation_type="财政评价"),
        dict(project_name=Has("中小学课后服务补助"), total_score=D("79.5"), grade="中", report_year=2020,
             district="龙文区", province="福建省", evaluation_type="财政评价"),
    ],
)


def review(audit, extra=0, kind="review_notice"):
    return dict(doc_kind=kind, status="parsed", n_reports=0, reports=[], audit=audit, audit_extra=extra)


REVIEW_13 = review([
    # 今年1-6月; the page's 上一篇 date gives 2023 (the headline's 2019 is another matter)
    dict(district="常德市", province="湖南省", report_year=2023, n_items=1132, submitted_wan=D("864000"),
         approved_wan=D("769400"), reduced_wan=D("94600"), reduction_rate_pct=D("10.95")),
    dict(district="常德市", province="湖南省", report_year=2023, n_items=97, submitted_wan=D("213000"),
         approved_wan=D("184200"), reduced_wan=D("28800"), reduction_rate_pct=D("13.52")),
])
REVIEW_14 = review([
    dict(district=None, province=None, report_year=2016, n_items=63, submitted_wan=D("8452.36"),
         approved_wan=D("7103.81"), reduced_wan=D("1348.55"), reduction_rate_pct=D("15.95")),
])
REVIEW_15 = review([
    dict(district="平桥区", province="河南省", report_year=2022, n_items=41, submitted_wan=D("12486.70"),
         approved_wan=D("10318.25"), reduced_wan=D("2168.45"), reduction_rate_pct=D("17.37")),
])
REVIEW_16 = review([
    dict(district="福清市", province="福建省", report_year=2016, kind=Has("预算"), n_items=186,
         submitted_wan=D("248000"), reduced_wan=D("29400"), reduction_rate_pct=D("11.85")),
    dict(district="福清市", province="福建省", report_year=2016, n_items=124, submitted_wan=D("73600"),
         approved_wan=D("67100"), reduced_wan=D("6500"), reduction_rate_pct=D("8.83")),
])
REVIEW_17 = review([
    dict(district=None, province=None, report_year=2017, kind=Has("预算"), submitted_wan=D("265400000"),
         reduced_wan=D("32900000"), reduction_rate_pct=D("12.40")),
    dict(district=None, province=None, report_year=2017, submitted_wan=D("68300000"),
         reduced_wan=D("8120000"), reduction_rate_pct=D("11.89")),
], extra=2)  # the provincial (13.06%) and city/county (12.11%) average rates
EXANTE_18 = review([
    # count and amount in one sentence, the cut two paragraphs later
    dict(district="鄞州区", province="浙江省", report_year=2022, kind=Has("事前"), n_items=14,
         submitted_wan=D("5268.4"), reduced_wan=D("386.5")),
], extra=1, kind="explanation")  # 612 绩效目标 reviewed, 8.93亿元
FILING_19 = review([
    # every date is masked (****): no year
    dict(district="常山县", province="浙江省", report_year=None, n_items=318, submitted_wan=D("48215"),
         approved_wan=D("44367"), reduced_wan=D("3848"), reduction_rate_pct=D("7.98")),
])
REVIEW_20 = review([
    # 上半年; 发布时间 2024年07月03日; 净审减额 / 净审减率
    dict(district="宝鸡市", province="陕西省", report_year=2024, n_items=17, submitted_wan=D("7821.44"),
         reduced_wan=D("518.63"), reduction_rate_pct=D("6.63")),
])
REVIEW_21 = review([
    dict(district="丰镇市", province="内蒙古自治区", report_year=2019, submitted_wan=D("4218"),
         approved_wan=D("3702"), reduced_wan=D("516"), reduction_rate_pct=D("12.23")),
    dict(district="丰镇市", province="内蒙古自治区", report_year=2019, submitted_wan=D("3987"),
         approved_wan=D("3516"), reduced_wan=D("471"), reduction_rate_pct=D("11.81")),
    dict(district="丰镇市", province="内蒙古自治区", report_year=2019, submitted_wan=D("231"),
         approved_wan=D("186"), reduced_wan=D("45"), reduction_rate_pct=D("19.48")),
])
REVIEW_21_KINDS = review([
    dict(submitted_wan=D("4218")),
    dict(submitted_wan=D("3987"), kind=Has("预算")),  # 工程预算送审金额…
    dict(submitted_wan=D("231"), kind=OneOf(Has("决算"), Has("结算"))),  # 工程决算送审金额…
])


# Shapes of the second round (titles wrapped over a blank line, web-page breadcrumbs, two-character
# counties, a summary that lists its projects, counts of ex-ante assessments without money).
REPORT_28 = dict(
    doc_kind="evaluation_report", status="partial",
    reports=[dict(
        # the page's headline is the full title; the document repeats it wrapped over a blank line
        title="2021-2024常山县城区学校食堂改造项目地方政府专项债券资金绩效评价报告",
        project_name=Has("2021-2024常山县城区学校食堂改造项目"), district="常山县", province="浙江省",
        # 2023年共下达专项债资金450万元,于…支出完毕; 总投资约742万 is the works' cost, not the funds
        report_year=2023, budget_wan=D("450"), spent_wan=D("450"), total_score=None, grade=None,
    )],
)
REPORT_29 = dict(
    doc_kind="evaluation_report", status="parsed",
    reports=[dict(
        title="重庆市綦江区水利局2020年度项目资金重点绩效评价结果",  # not the breadcrumb line
        project_name="綦江区2020年小型水库除险加固补助资金项目",  # not "我单位负责的…"
        department=Has("綦江区水利局"), district="綦江区", province="重庆市", report_year=2020,
        evaluation_type="财政评价", total_score=D("88.5"), grade="良",
        budget_wan=D("920"), spent_wan=D("836.4"),  # no budget is printed: the works' total investment
    )],
)
REPORT_30 = dict(
    doc_kind="evaluation_report", status="partial",
    reports=[dict(
        department="和县财政局", district="和县", province="安徽省", city="马鞍山市", report_year=2021,
        evaluation_type="单位自评", total_score=D("95"),
    )],
)
REPORT_31 = dict(
    doc_kind="evaluation_report", status="partial",
    reports=[dict(
        title="宁陕县财政局关于农村饮水安全巩固提升项目绩效评价报告",  # glued to 根据…
        project_name=Has("农村饮水安全巩固提升项目"),
        department=None,  # 某县财政局关于…: the finance bureau evaluates, it is not the evaluated body
        district="宁陕县", province="陕西省", report_year=2019,  # 关于批复2019年县级部门预算的通知
        evaluation_type="财政评价", total_score=D("91"), budget_wan=None, spent_wan=None,
    )],
)
BULLETIN_32 = dict(
    doc_kind="results_bulletin", status="partial",
    reports=[
        dict(project_name="上虞区实验中学新校区建设工程", department="区教育局", district="上虞区", report_year=2022,
             evaluation_type="单位自评", total_score=D("94.5"), budget_wan=D("5000")),
        dict(project_name="上虞区城东幼儿园新建工程", department="区教育局", district="上虞区", report_year=2022,
             evaluation_type="单位自评", total_score=D("90"), budget_wan=D("3500")),
    ],
)
RESULTS_33 = dict(
    doc_kind="results_bulletin", status="partial",
    reports=[
        dict(project_name="河道保洁专项", total_score=D("92.6"), grade=None, report_year=2020, evaluation_type="财政评价"),
        dict(project_name="农贸市场改造建设", total_score=D("90"), grade="优"),
        dict(project_name="中小企业创新扶持资金", total_score=D("83.5"), grade="良"),
        # graded only: 区民政局2020年部门整体绩效评价结果为优秀
        dict(project_name="区民政局2020年部门整体", department="区民政局", total_score=None, grade="优",
             report_year=2020, evaluation_type="财政评价"),
    ],
)
SUMMARY_34 = dict(
    doc_kind="evaluation_report", status="partial",
    reports=[
        dict(department="鹤壁市盘石头水库管理所", district="鹤壁市", report_year=2022, evaluation_type="单位自评",
             grade="优", budget_wan=D("612.30")),
        # 共有 2 个项目…其中: the two projects it lists, with their amounts
        dict(project_name="大坝安全监测运行经费", department="鹤壁市盘石头水库管理所", district="鹤壁市",
             report_year=2022, evaluation_type="单位自评", budget_wan=D("40.20"), grade=None),
        dict(project_name="库区水源保护巡查经费", department="鹤壁市盘石头水库管理所", district="鹤壁市",
             report_year=2022, evaluation_type="单位自评", budget_wan=D("32.00"), grade=None),
    ],
)
EXANTE_35 = review([
    dict(report_year=2022, n_items=842, reduced_wan=D("584000")),
    # 开展评估205项: a count of assessments is a statistic without money; 97个项目未获支持 is not one
    dict(report_year=2022, kind="事前绩效评估", n_items=205, submitted_wan=None, reduced_wan=None),
])
REVIEW_36 = review([
    dict(district="临沂市", report_year=2015, submitted_wan=D("124000"), reduced_wan=D("12000")),
    dict(district="临沂市", report_year=2015, n_items=412, reduced_wan=D("1865")),  # 审查合同及工程变更412项
    dict(district="临沂市", report_year=2015, n_items=76, reduced_wan=D("5230")),
])
REPORT_37 = dict(
    doc_kind="evaluation_report", status="parsed",
    reports=[dict(
        project_name="困难群众临时救助经费项目", department="丽江市民政局", district="丽江市", province="云南省",
        report_year=2021,  # 丽江市民政局2021项目绩效自评报告: a bare year in the title
        evaluation_type="单位自评", total_score=D("98"), grade="优",
    )],
)
REPORT_38 = dict(
    doc_kind="evaluation_report", status="partial",
    reports=[dict(
        project_name="阿荣旗那吉镇污水处理厂PPP项目", district="阿荣旗", province="内蒙古自治区",
        report_year=2022,  # 评价开始时间为2022年7月1日 (evaluated on 2023年9月12日)
        evaluation_type="部门评价", total_score=D("90.35"),
    )],
)


def nothing(kind="other"):
    return dict(doc_kind=kind, status="rejected", n_reports=0, reports=[], audit=[])


# --- the cases -----------------------------------------------------------------------------------

REAL_SHAPES = [
    pytest.param("01_form_flat_zero_total_row.txt", FORM_01, id="form-flat-zero-total-row"),
    pytest.param("02_form_cell_per_line_wrapped_labels.txt", FORM_02, id="form-cell-per-line"),
    pytest.param("03_form_pipes_merged_cells.txt", FORM_03, id="form-pipes-merged-cells"),
    pytest.param("04_form_pdf_scrambled_yuan_two.txt", FORM_04, id="form-pdf-scrambled-元-two-forms"),
    pytest.param("05_form_docviewer_glued_cells.txt", FORM_05, id="form-docviewer-glued"),
    pytest.param("06_form_ocr_misread_labels.txt", FORM_06, id="form-ocr-misread"),
    pytest.param("07_form_pipe_each_cell_a_line.txt", FORM_07, id="form-pipe-each-cell-a-line"),
    pytest.param("08_form_yunnan_pipes_20pt.txt", FORM_08, id="form-yunnan-pipes-20pt"),
    pytest.param("09_news_eval_headline_debris.txt", NEWS_09, id="news-score-grade-title-line"),
    pytest.param("10_bulletin_key_eval_masked_district.txt", BULLETIN_10, id="bulletin-masked-district"),
    pytest.param("11_trad_weighted_dimension_table.txt", TRAD_11, id="traditional-weighted-dimensions"),
    pytest.param("14_review_center_cumulative.txt", REVIEW_14, id="review-center-unnamed-city"),
    pytest.param("15_review_semicolon_stats.txt", REVIEW_15, id="review-semicolons"),
    pytest.param("16_review_trad_pinyin.txt", REVIEW_16, id="review-traditional-pinyin"),
    pytest.param("18_exante_disclosure_cut_later.txt", EXANTE_18, id="exante-cut-in-later-paragraph"),
    pytest.param("19_settlement_filing_trad_masked.txt", FILING_19, id="filing-traditional-masked-dates"),
    pytest.param("20_review_pipe_header_net.txt", REVIEW_20, id="review-pipe-header-net"),
    pytest.param("21_review_month_total_and_split.txt", REVIEW_21, id="review-total-and-其中-split"),
    pytest.param("22_nothing_attachment_list.txt", nothing(), id="nothing-attachment-list"),
    pytest.param("23_nothing_exante_history_article.txt", nothing(), id="nothing-exante-history"),
    pytest.param("24_nothing_final_accounts_toc.txt", nothing(), id="nothing-final-accounts-toc"),
    pytest.param("25_nothing_grade_bands_note.txt", nothing(), id="nothing-grade-bands"),
    pytest.param("26_nothing_exante_result_letter.txt", nothing(), id="nothing-exante-result-letter"),
    pytest.param("27_nothing_aggregates_notice.txt", nothing(OneOf("explanation", "other")),
                 id="nothing-aggregates-only"),
]

VARIANTS = [
    pytest.param(("01_form_flat_zero_total_row.txt", chain(
        sub("项目资金 (万元)", "项目资金 (元)"), sub("本年财政拨款 60 58.36 58.36", "本年财政拨款 600000 583600 583600"))),
        FORM_01, id="form-flat-in-元"),
    pytest.param(("02_form_cell_per_line_wrapped_labels.txt", more_blank_lines), FORM_02,
                 id="form-cell-per-line-extra-blank-lines"),
    pytest.param(("02_form_cell_per_line_wrapped_labels.txt", sub("10\n\n90%\n\n9\n", "10\n\n90%\n\n \n", 1)), FORM_02,
                 id="form-cell-per-line-missing-score-cell"),
    pytest.param(("04_form_pdf_scrambled_yuan_two.txt", chain(
        sub("项目资金 (元)", "项目资金 (万元)"), sub("360000.00", "36.00"), sub("331,200", "33.12"),
        sub("331200", "33.12"), sub("50000.00", "5.00"), sub("18,500", "1.85"))),
        FORM_04, id="form-pdf-scrambled-in-万元"),
    pytest.param(("05_form_docviewer_glued_cells.txt", fullwidth_segment("年度资金总额:", "执行率*")), FORM_05,
                 id="form-docviewer-glued-fullwidth"),
    pytest.param(("06_form_ocr_misread_labels.txt", chain(sub("万兀", "万元"), sub("年初预匏数", "年初预算数"),
                                                           sub("实施第位", "实施单位"))),
                 FORM_06, id="form-ocr-labels-read-right"),
    pytest.param(("07_form_pipe_each_cell_a_line.txt", sub("95.00%", "95.00％")), FORM_07,
                 id="form-pipe-each-cell-fullwidth-percent"),
    pytest.param(("09_news_eval_headline_debris.txt", chain(sub("88分", "８８分"), more_blank_lines)), NEWS_09,
                 id="news-fullwidth-score-extra-blank-lines"),
    # the headline and lead say 节约资金 (as the real page does) instead of repeating 审减资金
    pytest.param(("13_review_halfyear_page_date.txt", sub("审减资金9.46亿元", "节约资金9.46亿元")), REVIEW_13,
                 id="review-1-6月-headline-节约"),
    pytest.param(("13_review_halfyear_page_date.txt", chain(sub("审减资金9.46亿元", "节约资金9.46亿元"), fullwidth)),
                 REVIEW_13, id="review-1-6月-headline-节约-fullwidth-digits"),
    pytest.param(("15_review_semicolon_stats.txt", chain(
        sub("12486.70万元", "124867000元"), sub("10318.25万元", "103182500元"), sub("2168.45万元", "21684500元"))),
        REVIEW_15, id="review-semicolons-in-元"),
    pytest.param(("16_review_trad_pinyin.txt", chain(
        sub("24.8億元", "248000萬元"), sub("2.94億元", "29400萬元"), sub("7.36億元", "73600萬元"),
        sub("6.71億元", "67100萬元"), sub("0.65億元", "6500萬元"))),
        REVIEW_16, id="review-traditional-in-萬元"),
    pytest.param(("18_exante_disclosure_cut_later.txt", chain(
        sub("5268.4万元", "0.52684亿元"), sub("386.5万元", "3865000元"))),
        EXANTE_18, id="exante-in-亿元-and-元"),
    pytest.param(("21_review_month_total_and_split.txt", sub("其中:\n", "其中:\n\n")), REVIEW_21,
                 id="review-split-after-blank-line"),
    pytest.param(("22_nothing_attachment_list.txt", sub("\n", "\n\n")), nothing(),
                 id="nothing-attachment-list-extra-blank-lines"),
]

# Once known failures, read since (kept as cases of their own shape).
REAL_SHAPES += [
    pytest.param("12_results_three_scores_one_sentence.txt", RESULTS_12, id="results-three-scores-one-sentence"),
    pytest.param("13_review_halfyear_page_date.txt", REVIEW_13, id="review-1-6月-page-date"),
    pytest.param("08_form_yunnan_pipes_20pt.txt", FORM_08_KIND, id="form-yunnan-pipes-20pt-kind"),
    pytest.param("07_form_pipe_each_cell_a_line.txt", FORM_07_IMPLEMENTER, id="form-pipe-each-cell-implementer"),
    pytest.param("28_report_title_wrapped_over_blank_line.txt", REPORT_28, id="report-title-wrapped-over-blank-line"),
    pytest.param("29_report_breadcrumb_results_headline.txt", REPORT_29, id="report-breadcrumb-评价结果-headline"),
    pytest.param("30_report_two_character_county.txt", REPORT_30, id="report-two-character-county"),
    pytest.param("31_report_glued_title_budget_approval_year.txt", REPORT_31, id="report-glued-title-批复-year"),
    pytest.param("32_bulletin_self_eval_publisher.txt", BULLETIN_32, id="bulletin-self-eval-publisher"),
    pytest.param("33_results_scores_then_grades_whole_department.txt", RESULTS_33, id="results-graded-only-item"),
    pytest.param("34_summary_lists_its_projects.txt", SUMMARY_34, id="summary-lists-its-projects"),
    pytest.param("35_exante_count_only.txt", EXANTE_35, id="exante-count-only"),
    pytest.param("36_review_items_after_verb.txt", REVIEW_36, id="review-审查-items-after-verb"),
    pytest.param("37_report_bare_year_title_period.txt", REPORT_37, id="report-bare-year-in-title"),
    pytest.param("38_report_evaluation_period_year.txt", REPORT_38, id="report-evaluation-period-year"),
]

KNOWN_FAILURES = [
    pytest.param("17_review_national_yi.txt", REVIEW_17, id="review-national-亿元",
                 marks=pytest.mark.xfail(strict=True, reason="决算 row '共审核决算(含结算)资金6830亿元' (verb before the "
                                         "amount): the submitted amount is missed")),
    pytest.param(("06_form_ocr_misread_labels.txt", sub("调整预算数(A)", "调整预箅数(A〉")), FORM_06,
                 id="form-ocr-misread-调整预箅数",
                 marks=pytest.mark.xfail(strict=True, reason="OCR header 调整预箅数(A〉 (箅 for 算, 〉 for )) hides "
                                         "the funds row: budget, spent and rate missed")),
    pytest.param("21_review_month_total_and_split.txt", REVIEW_21_KINDS, id="review-其中-split-kinds",
                 marks=pytest.mark.xfail(strict=True, reason="the 工程预算 row of the 其中 split is labelled 决算评审")),
    pytest.param(("03_form_pipes_merged_cells.txt", chain(
        sub("总额 | 12.00 | 15.60", "总额 |  | 15.60"), sub("财政资金 | 12.00 | 15.60", "财政资金 |  | 15.60"))),
        FORM_03, id="form-pipes-missing-年初-cell",
        marks=pytest.mark.xfail(strict=True, reason="with the 年初预算 cell empty the form is not recognised: "
                                "rejected as a budget disclosure")),
]


# --- the tests -----------------------------------------------------------------------------------


def _find_report(reports, want, i, used):
    """The report named like `want`, or, when `want` names none, the i-th report."""
    if "project_name" in want:
        return next((r for r in reports if id(r) not in used and _eq(r["project_name"], want["project_name"])), None)
    return reports[i] if i < len(reports) and id(reports[i]) not in used else None


def _check(source, want):
    rows = _rows(source)
    doc = rows["documents"][0]
    problems = []
    for key in ("doc_kind", "status"):
        if key in want and not _eq(doc[key], want[key]):
            problems.append(f"documents.{key}: {doc[key]!r} != {want[key]!r} ({doc['reason']})")
    reports = sorted(rows["reports"], key=lambda r: r["seq"])
    n_want = want.get("n_reports", len(want.get("reports", [])))
    if not _eq(len(reports), n_want):
        problems.append(f"n_reports: {len(reports)} != {n_want!r} {[r['project_name'] for r in reports]}")
    used, found = set(), []
    for i, w in enumerate(want.get("reports", [])):
        got = _find_report(reports, w, i, used)
        found.append(got)
        if got is None:
            problems.append(f"report {i}: none matches {w.get('project_name')!r}")
            continue
        used.add(id(got))
        for field, value in w.items():
            if not _eq(got[field], value):
                problems.append(f"report {i}.{field}: {got[field]!r} != {value!r}")
    for i, dims in want.get("dimensions", {}).items():
        if found[i] is None:
            continue
        stored = [d for d in rows["dimension_scores"] if d["report_id"] == found[i]["report_id"]]
        for name, score in dims.items():
            if not any(name in (d["dimension"] or "") and _eq(d["score"], score) for d in stored):
                problems.append(f"dimension {name}={score}: not in {[(d['dimension'], d['score']) for d in stored]}")
    audit = list(rows["audit_reductions"])
    want_audit = want.get("audit", [])
    extra = want.get("audit_extra", 0)
    if not len(want_audit) <= len(audit) <= len(want_audit) + extra:
        problems.append(f"audit rows: {len(audit)}, want {len(want_audit)}" + (f"..{len(want_audit) + extra}" if extra else ""))
    left = list(audit)
    for i, w in enumerate(want_audit):
        hit = next((a for a in left if all(_eq(a[k], v) for k, v in w.items())), None)
        if hit is None:
            near = [{k: a[k] for k in w} for a in audit]
            problems.append(f"audit row {i} {w} not found among {near}")
        else:
            left.remove(hit)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source, want", REAL_SHAPES + KNOWN_FAILURES)
def test_real_shape(source, want):
    _check(source, want)


@pytest.mark.parametrize("source, want", VARIANTS)
def test_variant(source, want):
    _check(source, want)


ALL_FILES = sorted(p.name for p in SHAPES.glob("*.txt"))
# Places of these texts lie outside Beijing; a default of 北京市 would be made up.
BEIJING = {"北京市"}


@pytest.mark.parametrize("name", ALL_FILES)
def test_no_place_is_made_beijing(name):
    rows = _rows(name)
    for r in rows["reports"] + rows["audit_reductions"]:
        assert r["province"] not in BEIJING and r["district"] not in BEIJING, (r["district"], r["province"])


# Numbers read from the text; execution_rate_calc_pct is computed from two of them.
NUMERIC = ("total_score", "score_decision", "score_process", "score_output", "score_outcome",
           "budget_wan", "received_wan", "spent_wan", "execution_rate_pct")


@pytest.mark.parametrize("name", ALL_FILES)
def test_every_report_number_has_a_fact_with_a_source(name):
    rows = _rows(name)
    facts = {(f["subject_id"], f["field"]) for f in rows["facts"] if f["source"]}
    missing = [(r["seq"], field, r[field]) for r in rows["reports"] for field in NUMERIC
               if r[field] is not None and (r["report_id"], field) not in facts]
    assert missing == []
