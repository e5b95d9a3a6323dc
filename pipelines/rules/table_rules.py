"""Vocabulary of the table extractor: column roles, row labels, header words.

Data only. The logic that applies these lives in `pipelines/extract/tables.py`.
Header cells are compared after removing all whitespace.
"""

from pipelines.text import TITLE_STOPS

# Column roles: a header cell plays a role if it contains one of `include`
# and none of `exclude` (first matching column wins, left to right).
COLUMN_ROLES = {
    "level1": {"include": ["一级指标", "评价内容", "评价维度", "一级"], "exclude": []},
    "level2": {"include": ["二级指标", "二级"], "exclude": []},
    "level3": {"include": ["三级指标", "三级", "指标名称"], "exclude": []},
    "max_score": {"include": ["标准分值", "分值", "满分", "标准分", "权重"], "exclude": ["率"]},
    "score": {
        "include": ["专家评分", "评价得分", "自评得分", "实际得分", "得分", "评分"],
        "exclude": ["率", "标准", "依据", "说明", "方法", "细则"],
    },
    "rate": {"include": ["得分率"], "exclude": []},
    "unit": {"include": ["计量单位", "单位"], "exclude": ["实施单位", "主管单位"]},
    "target": {"include": ["年度指标值", "指标值", "目标值", "预期值"], "exclude": ["完成", "实际"]},
    "actual": {"include": ["实际完成值", "完成值", "实际值", "实际完成"], "exclude": []},
    "seq": {"include": ["序号", "编号"], "exclude": []},
}
# A header cell that is exactly one of these is a level-3 (leaf) indicator column.
LEAF_EXACT = ["指标", "评价指标", "绩效指标"]

# First cell of the row that carries a table's total (not a data row).
TOTAL_LABELS = ["合计", "总计", "总分", "综合得分", "总得分", "综合评分", "得分合计", "分值合计"]
# First cell of the row that carries the grade of a summary table.
GRADE_LABELS = ["评价档次", "评价等级", "绩效等级", "绩效级别", "评价级别", "评价结论", "等级"]

# Words a second header row (under a spanning first row) is made of.
HEADER_WORDS = [
    "内容", "单位", "计量单位", "指标值", "年度指标值", "目标值", "完成值", "实际完成值", "实际值",
    "分值", "权重", "得分", "评分", "专家评分", "自评得分", "得分率", "偏差原因", "备注",
    "一级指标", "二级指标", "三级指标", "名称", "性质", "说明",
]

# Captions: a line just above a table is a title if it is at most this long and does not
# end like a sentence.
CAPTION_MAX_CHARS = 80
CAPTION_MAX_LINES = 3
# Table-of-contents leader dots: a "table" whose header cell ends with these is a TOC.
LEADER_CHARS = "·….．"

# Kinds of tables (see `table_kind`).
TARGET_CAPTION_WORDS = ["绩效目标表", "绩效指标表", "目标申报表"]

# A cell ending like a sentence is running text, not a header (one definition, in the text toolkit).
SENTENCE_ENDINGS = TITLE_STOPS
