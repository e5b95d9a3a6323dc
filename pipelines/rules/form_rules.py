"""Vocabulary of the self-evaluation forms (项目支出绩效自评表 / 部门整体支出绩效自评表). Data only.

Applied by `pipelines/extract/forms.py`, which reads the form in any layout (one cell per
line, cells split by single spaces, pipes, cells glued together by a document viewer or OCR).
"""

# A form starts at its title; a file name (….docx) or a mention in running text is not one.
FORM_TITLE = r"(?:项目支出|部门整体支出|整体支出|部门预算项目支出|财政项目支出|项目|部门整体|支出)?绩效自评表"
# Every title ends with these characters, and starts at most this many characters before them
# (16 of its own, before the longest optional prefix of FORM_TITLE).
FORM_TITLE_END = "绩效自评表"
FORM_TITLE_LEAD = 16 + 8
NOT_AFTER_TITLE = r"\s*(?:\.(?:docx?|pdf|xlsx?|wps)|》|”)"
# A form's title is followed by its cells within this many characters.
FORM_CELLS_WITHIN = 220
FORM_FIRST_CELLS = ["项目名称", "主管部门", "预算单位", "部门名称", "单位名称", "实施单位", "项目资金", "预算执行情况"]

# Labelled cells: label -> field. Longest first when matched. A value runs to the next label.
# When two labels give the same field, the one listed first here wins (主管部门 over 单位名称).
FIELD_PRIORITY = ["主管部门及代码", "主管部门", "预算单位", "部门名称", "单位名称"]
NAME_LABELS = {
    "项目名称": "project_name",
    "主管部门及代码": "department",
    "主管部门": "department",
    "预算单位": "department",
    "部门名称": "department",
    "单位名称": "department",
    "实施单位": "implementer",
    "项目实施单位": "implementer",
    "执行单位": "implementer",
}
# OCR renders 实施单位 as 实施第位 and the like: the first two characters still end a value.
VALUE_STOPS = [
    "项目名称", "主管部门", "预算单位", "部门名称", "实施单位", "实施", "执行单位", "项目资金", "资金投入", "项目负责人",
    "联系电话", "自评得分", "年初预算", "全年预算", "年度资金总额", "预算执行情况", "项目基本情况", "年度总体目标",
    "填报", "单位:", "单位：", "绩效指标", "一级指标", "其中",
]
# Characters that end a name value wherever they stand (a viewer's page marker, a code).
NAME_TRAILING = r"[\s(（]*(?:盖章|公章)[)）]?$"
NAME_LEADING = r"^[\s(（]*(?:盖章|公章)[)）]"
CODE_PREFIX = r"^\d{3,}\s*[-－—]\s*"

# Column labels of the funds block, as printed (after dropping (A)/(B)/(10分) marks) -> role.
FUNDS_COLUMNS = {
    "年初预算数": "budget_initial",
    "年初预算": "budget_initial",
    "年初预算金额": "budget_initial",
    "全年预算数": "budget",
    "预算数": "budget",
    "全年预算": "budget",
    "调整后预算数": "budget",
    "调整后预算": "budget",
    "调整预算数": "budget",
    "调整预算": "budget",
    "全年执行数": "spent",
    "预算执行数": "spent",
    "全年实际执行数": "spent",
    "实际执行数": "spent",
    "执行数": "spent",
    "分值": "weight",
    "权重": "weight",
    "执行率": "rate",
    "预算执行率": "rate",
    "得分": "score",
}
# Text columns that may follow the numbers (their cells are text, not numbers).
TEXT_COLUMNS = ["原因", "得分计算方法", "偏差原因分析", "未完成原因"]
# The funds row, and the rows below it that hold only the amount columns.
FUNDS_ROW = ["年度财政资金总额", "财政资金总额", "年度资金总额", "资金总额", "总额"]
FUNDS_SUB_ROWS = ["其中:本年财政拨款", "其中:当年财政拨款", "其中:财政资金", "本年财政拨款", "当年财政拨款", "财政拨款", "其中:本年一般公共预算拨款", "本年一般公共预算拨款"]
# Where the funds block ends.
FUNDS_END = ["年度总体目标", "年度目标", "绩效指标", "一级指标", "项目基本情况", "上年结转资金"]
# Units of the amounts, as printed near the block (OCR variants included).
UNIT_MARKS = {"万元": "万元", "万兀": "万元", "元": "元"}

# Indicator table: first-level and second-level indicator words of the standard forms.
INDICATOR_HEADER = ["一级指标", "三级指标"]
LEVEL1 = ["产出指标", "效益指标", "满意度指标", "项目决策", "项目管理", "项目产出", "项目效益", "过程", "决策", "产出", "效益", "成本指标"]
LEVEL2 = [
    "数量指标", "质量指标", "时效指标", "成本指标", "经济效益指标", "社会效益指标", "生态效益指标",
    "可持续影响指标", "服务对象满意度指标", "经济成本指标", "社会成本指标", "生态环境成本指标", "满意度指标",
]
INDICATOR_END = ["总分", "合计", "评价结论", "存在问题", "项目负责人", "填报人"]
# Labels whose number is the form's achieved total (not a maximum).
TOTAL_LABELS = ["自评得分", "自评总分", "综合得分", "评价得分", "总得分"]
# Labels whose number may be the maximum (100) or the total: read only when arithmetic confirms it.
TOTAL_OR_MAX_LABELS = ["总分", "合计"]
# An organisation's name ends like one (an implementer found near a misread label).
ORG_ENDINGS = ["中学", "小学", "学校", "学院", "大学", "幼儿园", "医院", "中心", "局", "委员会", "办公室", "政府", "办事处", "公司", "站", "所", "馆", "院", "队"]
# Headers over a group of columns (年度预算数(万元) over 年初预算 / 调整后预算数 …): not columns.
GROUP_HEADERS = ["年度预算数", "项目资金", "预算执行情况"]
