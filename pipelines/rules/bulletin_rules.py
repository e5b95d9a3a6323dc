"""Vocabulary of results bulletins: tables or lists of several evaluations (`pipelines/extract/bulletin.py`). Data only."""

# Header cells -> column role (a cell plays the role of the first entry it equals or contains).
HEADER_ROLES = [
    ("序号", "seq"),
    ("项目单位", "implementer"),
    ("实施单位", "implementer"),
    ("主管部门", "department"),
    ("单位名称", "department"),
    ("部门名称", "department"),
    ("项目名称", "project"),
    ("政策名称", "project"),
    ("评价对象", "project"),
    ("发行金额", "amount"),
    ("已发债券规模", "amount"),
    ("债券规模", "amount"),
    ("资金量", "amount"),
    ("资金规模", "amount"),
    ("预算金额", "amount"),
    ("涉及资金", "amount"),
    ("评价金额", "amount"),
    ("评价得分", "score"),
    ("自评分数", "score"),
    ("自评得分", "score"),
    ("综合得分", "score"),
    ("得分", "score"),
    ("评价结果", "grade"),
    ("评价等级", "grade"),
    ("评价档次", "grade"),
    ("自评等级", "grade"),
    ("绩效等级", "grade"),
    ("等级", "grade"),
    ("备注", "note"),
    ("评价方式", "note"),
    ("评价类型", "note"),
    ("债券性质", "other"),
    ("项目类型", "other"),
    ("单位", "department"),
    ("项目", "project"),
]
# A bulletin's header names the project and at least one figure.
FIGURE_ROLES = {"amount", "score", "grade"}
# The kind of evaluation, from a row's 备注 (first match wins).
NOTE_TYPES = [
    ("财政部门重点评价", "财政评价"), ("财政重点评价", "财政评价"), ("财政评价", "财政评价"), ("财政部门评价", "财政评价"),
    ("单位自评", "单位自评"), ("自评", "单位自评"),
    ("主管部门", "部门评价"), ("部门评价", "部门评价"),
]
# The kind for the whole bulletin, from its text: pattern -> type.
DOC_TYPES = [
    (r"我单位[^。]{0,80}?自评", "单位自评"),
    (r"我局(?:组织|委托)[^。]{0,120}?重点[^。]{0,12}?评价", "财政评价"),
    (r"财政(?:局|厅)[^。]{0,40}?(?:组织|开展)[^。]{0,20}?重点[^。]{0,12}?评价", "财政评价"),
]

# Several projects scored in one sentence: "甲、乙、丙评价得分分别为x分、y分、z分".
SCORE_LIST = r"(?P<names>[^。；;:：,，]{4,200}?)(?:的)?(?:绩效)?(?:评价)?(?:得分分别为|得分别为|分别得分|得分分别是|分别得)(?P<nums>\d{1,3}(?:\.\d+)?\s*分(?:\s*[、,，和及]\s*\d{1,3}(?:\.\d+)?\s*分)+)"
# Where a score list is looked for (`text.finditer_anchored`): around each "分别" (every keyword
# above holds it, at most 2 characters in), from the longest names (200) plus 的绩效评价 (5) before
# it, to the next character no part of a list holds.
SCORE_LIST_WORD = "分别"
SCORE_LIST_REACH = 200 + 5 + 2
SCORE_LIST_BOUNDS = "。；;:："
# A listed project's grade stated later: "<name>…评价结果为优秀".
GRADE_AFTER_NAME = r"[^。，,；]{0,30}?(?:评价结果|评价等级|绩效等级|等级)(?:为|是)?[“\"]?(?P<g>优秀|良好|中等|合格|较差|优|良|中|差)"
# Several projects graded in one sentence after the scored ones: "甲项目、乙部门整体绩效评价结果为优秀".
GRADE_LIST = r"(?P<names>[^。；;:：,，]{4,160}?)(?:的)?(?:绩效)?评价结果(?:为|是)?[“\"]?(?P<g>优秀|良好|中等|合格|较差|优|良|中|差)"
# GRADE_LIST is looked for around each 评价结果, from the longest names (160) plus 的绩效 (3) before it.
GRADE_LIST_WORD = "评价结果"
GRADE_LIST_REACH = 160 + 3
GRADE_LIST_BOUNDS = "。；;:：,，"
# A graded item that was not scored is a row of its own when it names an evaluated object.
GRADED_OBJECT = r"(?:整体|项目|资金|经费|专项|政策)(?:支出)?$"
# The department evaluated as a whole: 区卫健局2019年部门整体.
WHOLE_DEPARTMENT = r"^(?P<org>[\u4e00-\u9fff]{2,20}?(?:局|委员会|委|中心|办公室|办))(?:19|20)\d{2}\s*年度?(?:部门|单位)?整体"
# A whole-unit summary that lists its projects: "共有 1 个项目批复了绩效目标,项目金额 46.00 万元。其中: 某某经费 46.00 万元。"
PROJECT_LIST = r"共有\s*(?P<n>\d{1,2})\s*个项目[^。]{0,60}。\s*其中\s*[:：]\s*(?P<items>[^。]{4,400})。"
PROJECT_LIST_ITEM = r"(?P<name>[\u4e00-\u9fff()（）]{4,40}?(?:经费|项目|资金|专项))\s*(?P<num>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>万元|元)"
