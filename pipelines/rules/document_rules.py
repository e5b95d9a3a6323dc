"""Vocabulary of document kinds, titles and page debris (`pipelines/extract/document.py`). Data only."""

# Lines a web page or a document viewer adds around a text: never a title or a name.
DEBRIS_LINE = [
    r"\.(?:docx?|pdf|xlsx?|wps|txt)\b",
    r"^本篇文章\d+字", r"读完约\d+分钟", r"^(?:首页|手机版|在线留言|上一篇|下一篇|相关推荐|声明|版权声明|地址)[:：]?",
    r"^(?:ID|大小|页数|时间|来源|浏览|发布时间|发布机构|信息来源|索引号|文号|资源描述)[:：]", r"由会员(?:上传)?分享",
    r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2})?$", r"^\d{2}\.\d{2}\.\d{4}", r"^[(（]?\d+[)）]?$",
    r"^附件\s*\d*\s*[:：]?\s*$", r"^编辑[:：]", r"字号|背景色|文字大小|打印本页|关闭窗口",
    r"^(?:您当前的位置|当前位置|您的位置)[:：]", r"^\[\s*(?:索引号|主题分类|发布机构|成文日期|发布日期|发文字号|体裁分类)\s*\]",
]
# A labelled title line of a web page: 标题:“…”.
TITLE_LABEL = r"^\s*(?:标题|题目)[:：]\s*[“\"]?(?P<t>.+?)[”\"]?\s*$"
# A headline names an evaluation: it holds one of these words …
HEADLINE_WORDS = ["绩效评价", "绩效自评", "评价报告", "自评报告"]
# A report whose title is glued to its first heading (a viewer's text): the title before 一、.
GLUED_TITLE = r"^(?P<t>[^。，,:：;；]{6,70}?(?:评价|自评价?)(?:总结)?报告)\s*(?=[一二三四五六七八九十]\s*[、.\s]|(?:根据|按照|依据|为了|为进一步)[^。]{4})"
# The budget a report's funds come from, named in its opening: 关于批复2018年县级部门预算的通知.
BUDGET_APPROVAL_YEAR = r"批复\s*((?:19|20)\d{2})\s*年度?[^。，,；》]{0,8}?预算"
# "现将…自评总结报告如下": the report names itself in its first sentence.
SELF_NAMED_TITLE = r"现将(?P<t>[^。，,:：]{6,70}?报告)如下"
# … and the project: a name ending in one of these, before the evaluation words.
PROJECT_ENDINGS = ["项目", "资金", "经费", "政策", "工程", "专项", "整体支出"]
# "对我单位负责的…项目开展评价": the evaluated body's self-reference is not part of the project's name.
SELF_REFERENCE_PREFIX = r"^我(?:单位|局|委|校|院|中心|部门|镇|街道)(?:负责|实施|主管|承担|组织实施)?的"
# Words between a project's name and the evaluation that are not part of the name.
HEADLINE_TAIL = r"(?:事前|事后|事中)?(?:绩效|业绩)?(?:评价|自评|评估|考核)"

# What a document without anything to load is, for its `reason`: first match wins.
NOTHING_KINDS = [
    (r"部门决算|决算公开|决算报告|决算情况说明", "部门决算公开，无评价数据 / no report found: a final-accounts disclosure, no evaluation figures"),
    (r"部门预算|预算公开|预算情况说明", "部门预算公开，无评价数据 / no report found: a budget disclosure, no evaluation figures"),
    (r"(?m)^\s*附件\s*\d+\s*[:：].*(?:报告|表)", "附件列表，无评价数据 / no report found: a list of attachments, no evaluation figures"),
    (r"^[^\n]{0,60}(?:管理办法|实施细则|暂行办法|工作规程|指导意见|通知)", "制度文件，无评价数据 / no report found: a rule or notice, no evaluation figures"),
    (r"绩效|评价|评审|评估", "新闻报道，无评价数据 / no report found: a news item about budget-performance work, no evaluation figures"),
]
NOTHING_DEFAULT = "未找到绩效评价报告 / no report found: no evaluation, form, review or bulletin figures"

# A disclosure that is a 决算/预算 publication: its reports need a score or grade of their own.
ACCOUNTS_HEAD = r"部门决算|决算公开|部门预算公开|预算公开"
# An explanation of a government's budget-performance work (not a report of one project).
EXPLANATION_WORDS = ["预算绩效管理", "绩效管理工作", "全面实施预算绩效管理", "预算绩效"]
# 单位自评 also for these words in the first lines of a report.
SELF_EVALUATION_HEAD = ["自评报告", "自评表", "自评价报告", "自我评价", "绩效自评", "自评得分情况"]
# 财政评价: a finance department performs or commissions the evaluation.
# 部门评价: a department (not the finance bureau) commissions the evaluation.
DEPARTMENT_COMMISSION = r"受(?P<org>[^。，,]{2,30}?(?:局|委员会|委|厅|办公室|中心))委托"
FINANCE_EVALUATION = [
    r"财政(?:局|厅|部|委)[^。\n]{0,80}?(?:对|就)[^。]{0,80}?(?:开展|进行|实施)(?:了)?(?:重点)?(?:绩效)?评价",
    r"财政(?:局|厅|部)[^。]{0,40}?(?:委托|安排|组织)[^。]{0,60}?(?:评审中心|事务所|第三方|机构|公司)",
    r"受[^。]{0,30}?财政(?:局|厅|部)[^。]{0,10}?委托",
    r"财政(?:局|厅|部)[^。]{0,30}?(?:开展|组织开展)(?:了)?[^。]{0,30}?重点(?:绩效)?评价",
]
# An organisation's name ends like one (the unit a title opens with).
ORG_ENDINGS = ["委员会", "办事处", "办公室", "管理局", "中学", "小学", "学校", "学院", "大学", "幼儿园", "医院", "中心", "政府", "局", "委", "站", "所", "馆", "院", "队"]
