"""Vocabulary of the report-level extractors: labels, grades, dimensions, places.

Data only. The logic that applies these lives in `pipelines/extract/report.py`.
"""

# Total score: labels that introduce it (longest first), and what a label must not follow.
TOTAL_SCORE_LABELS = [
    "综合评价得分",
    "综合绩效得分",
    "绩效评价得分",
    "评价得分分",  # a misprint seen in real reports: "评价得分分为 NN.NN 分"
    "评价总得分",
    "评价总分",
    "绩效得分",
    "考评得分",
    "综合得分",
    "综合评分",
    "评价得分",
    "自评得分",
    "自评总分",
    "绩效评分",
    "最终得分",
    "总得分",
    "总分",
    "评价结果",
    "项目得分",
    "得分",
]
# A bare "得分"/"项目得分" right after one of these is a dimension score, not the total.
DIMENSION_WORDS = ["决策", "过程", "管理", "产出", "效益", "投入", "影响", "满意度", "立项", "目标", "实施", "指标"]

GRADE_LABELS = [
    "绩效评价结果为",
    "绩效自评为",
    "自评等级为",
    "自评为",
    "综合评价结论为",
    "评价结果为",
    "评定结果为",
    "绩效评级为",
    "评级为",
    "绩效级别评定为",
    "绩效等级评定为",
    "评价等级评定为",
    "评价等级为",
    "绩效等级为",
    "评价级别为",
    "绩效级别为",
    "评价结论为",
    "评价档次为",
    "评定等级为",
    "等级评定为",
    "等级为",
    "评定为",
    "评价结论",
    "评价等级",
    "绩效等级",
    "评价档次",
    "等级",
]
GRADE_WORDS = {
    "优秀": "优",
    "良好": "良",
    "中等": "中",
    "合格": "中",
    "一般": "中",
    "较差": "差",
    "不合格": "差",
    "优": "优",
    "良": "良",
    "中": "中",
    "差": "差",
}
# Grade bands of 北京市项目支出绩效评价管理办法: lower bounds, best first.
GRADE_BANDS = [("优", 90), ("良", 80), ("中", 60), ("差", 0)]

# First-level dimensions: a word found in the printed name -> standard name. First match wins.
DIMENSION_STD = [
    ("可持续", "other"),
    ("满意度", "other"),
    ("决策", "decision"),
    ("过程", "process"),
    ("管理", "process"),
    ("产出", "output"),
    ("效益", "outcome"),
    ("效果", "outcome"),
]

# Dimensions of a weighted table (ADB/World Bank style: 相关性 20% · 效率 50% · 效果 20% · 可持续性 10%).
WEIGHTED_DIMENSIONS = ["相关性", "效率", "效果", "可持续性", "决策", "过程", "产出", "效益", "满意度", "管理"]

# Funds: labels that introduce each quantity, tried in order in the funds section, then the report.
BUDGET_LABELS = [
    "全年预算金额",
    "年初预算金额",
    "批复预算金额",
    "预算批复",
    "财政预算批复",
    "核定批复项目专项资金",
    "批复项目资金",
    "共下达预算",
    "下达预算",
    "下达专项债资金",
    "安排,共计",  # 按生均标准安排，共计N万元
    "安排，共计",
    "下达债券资金",
    "安排预算资金",
    "预算资金",
    "预算金额",
    "项目预算",
    "年度预算",
    "预算数",
    "预算总额",
    "预算总金额",
    "项目资金总额",
    "补助资金总额",
    "补助资金",
    "项目资金共",
    "计划投资",
    "批复金额",
    "预算为",
    "预算",
]
# The period an evaluation covers: 评价期间为2023年1月1日至…, 评价开始时间为2024年5月12日.
EVALUATION_PERIOD = r"评价(?:的)?(?:期间|时段|区间|范围|期)[^。]{0,24}?(?:为|是|:|自|从)\s*((?:19|20)\d{2})\s*年"
# A construction project's total investment is its budget only when no budget is stated.
BUDGET_FALLBACK_LABELS = ["计划总投资", "工程总投资", "项目总投资", "总投资"]
RECEIVED_LABELS = ["资金实际到位", "实际到位资金", "财政到位资金", "到位资金", "资金到位", "拨付资金", "实际到位"]
SPENT_LABELS = [
    "资金实际使用",
    "实际使用资金",
    "实际支出资金",
    "实际支出",
    "累计支出",
    "已支出",
    "支出资金",
    "预算执行",
    "执行金额",
    "支付合同款",
    "实际支付",
    "已支付",
    "完成支出",
    "完成拨付",
    "支出共计",
    "全年执行数",
    "执行数",
    "累计支付",
    "实际使用",
    "支出",
]
# A label that is a budget category after these words (基本支出, 项目支出: parts of a budget, not spending).
NOT_AFTER_LABEL = {"支出": ["基本", "项目", "人员", "公用", "三公", "经常性", "资本性"], "预算": ["基本", "部门"]}
# "spent everything" phrases: spent = received (or budget) as printed in the same sentence.
ALL_SPENT = ["支出完毕", "已全部支出", "全部支出", "全额支出", "已全额支出", "全部使用完毕", "已全部使用"]
ALL_RECEIVED = ["全额落实到位", "全部到位", "已全额到位", "足额到位"]
EXECUTION_RATE_LABELS = ["预算资金执行率", "项目资金执行率", "预算执行率", "资金执行率", "支出执行率", "执行率"]
FUNDS_SECTION_HEADING = r"资金(?:投入|使用|安排|管理)?(?:和|及|与)?(?:使用|执行|到位)?情况"

# Reviews that cut money: reduced/approved/submitted labels.
REDUCED_LABELS = ["净审减", "审减", "核减", "净核减", "审减掉", "核减掉", "砍掉", "挤掉", "压减"]
SUBMITTED_LABELS = [
    "涉及资金", "涉及金额", "评估金额", "评估资金", "申报资金", "申报金额", "审核资金", "审核金额", "送审金额", "送审资金",
    "送审", "报审金额", "报审资金", "报审", "评审资金", "评审金额", "申请资金", "申请金额", "评审项目金额",
    "评估规模", "资金规模",
]
APPROVED_LABELS = ["审定金额", "审定资金", "审后金额", "审后资金", "审核后资金", "审核后金额", "审核后", "评估后资金", "审定", "审后", "核定金额", "核定"]
REDUCTION_RATE_LABELS = ["净审减率", "审减率", "核减率", "综合审减率", "综合核减率", "平均审减率", "节约率"]
# "审减…，占送审金额的26%": a share of the reviewed amount written as 占…的N%
REDUCTION_SHARE = r"占[^。；，,\d]{0,12}?的?(?:比例|比重)?(?:为)?"
# Kind of a review, from the words of its sentence (or, failing that, of its paragraph), first match wins.
REVIEW_KINDS = [
    ("事前绩效评估", "事前绩效评估"), ("事前评估", "事前绩效评估"), ("事前功能评估", "事前绩效评估"), ("重点绩效评估", "事前绩效评估"),
    ("决算", "决算评审"), ("结算", "结算评审"), ("预算评审", "预算评审"), ("预算审核", "预算评审"), ("概算", "预算评审"),
    ("财政投资评审", "财政投资评审"), ("投资评审", "财政投资评审"),
]
# A count of reviewed items: "项目评审1895个", "共完成79个工程项目", "10个事前评估项目", "评审建设项目62个",
# "审查合同及工程变更618项".
ITEM_COUNT = [
    r"(?:评审|审查|审核|评估)(?:了)?(?:[^\d。；，,、]{0,10}?)(?P<n>\d[\d,]*)\s*(?:个|项|份|件)",
    r"(?:项目|政策)[^\d。；，,]{0,10}?(?P<n>\d[\d,]*)\s*(?:个|项|份|件)",
    r"(?P<n>\d[\d,]*)\s*(?:个|项|件)[^\d。；，,]{0,10}?(?:项目|政策)",
]
# Reviews whose count of items is a statistic even without money (the ex-ante assessments of a year).
COUNTED_REVIEWS = ("事前绩效评估",)
# … when the count is of the items assessed: "开展评估316项", "对20个项目开展了事前绩效评估".
ASSESSED_COUNT = [
    r"(?:开展|组织|完成)(?:了)?[^\d。；，,]{0,8}?评估(?:了)?\s*(?P<n>\d{1,6})\s*(?:个|项)",
    r"对\s*(?P<n>\d{1,6})\s*(?:个|项)[^\d。；，,]{0,24}?(?:开展|进行)(?:了)?[^\d。；，,]{0,10}?评估",
]
# A figure for "this year" or "last year" takes its year from the page's date.
RELATIVE_YEARS = {"今年": 0, "本年": 0, "当年": 0, "去年": -1, "上年": -1}

# Evaluation type.
FINANCE_EVALUATOR = r"财政局[^。]{0,30}(?:成立|组织|委托|牵头)[^。]{0,90}(?:评价工作组|绩效评价|评价)"
# Words that follow the evaluated body's name but are not part of it ("…委员会实施的“项目”").
ORG_TRAILING_VERBS = ["负责组织实施", "组织实施", "负责实施", "牵头实施", "实施", "承担", "主管", "负责"]
SELF_EVALUATION = ["单位自评", "绩效自评报告", "自评报告", "采用自评方式", "自评得分", "开展自评"]
DEPARTMENT_EVALUATION = ["部门评价", "部门绩效评价", "部门组织开展"]

# Places. Level-1 name -> admin level; districts of Beijing, then a generic pattern for others.
MUNICIPAL = {"北京市": "市级"}
DISTRICTS = [
    "东城区",
    "西城区",
    "朝阳区",
    "丰台区",
    "石景山区",
    "海淀区",
    "门头沟区",
    "房山区",
    "通州区",
    "顺义区",
    "昌平区",
    "大兴区",
    "怀柔区",
    "平谷区",
    "密云区",
    "延庆区",
    "北京经济技术开发区",
]
DISTRICT_ALIASES = {"经开区": "北京经济技术开发区", "亦庄": "北京经济技术开发区"}
# "我市"/"我区" in an explanation section tell the level when no name is printed.
SELF_REFERENCE = {"我市": "市级", "全市": "市级", "我区": "区级", "全区": "区级"}

# Department / implementer labels.
DEPARTMENT_LABELS = ["主管部门", "项目主管部门", "预算部门", "预算单位"]
IMPLEMENTER_LABELS = ["执行单位", "实施单位", "项目实施单位", "项目执行单位", "实施主体", "项目实施主体", "项目单位"]
# An organisation's name ends like one (used where a name is picked out of running text).
ORG_SUFFIXES = ["公司", "局", "委员会", "中心", "医院", "单位", "办公室", "院", "所", "站", "馆", "协会", "部", "厅", "处", "集团", "街道", "乡", "镇", "政府"]
