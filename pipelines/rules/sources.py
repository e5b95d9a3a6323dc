"""Where each report field comes from: an ordered list of named sources per kind of report.

Data only. `pipelines/extract/document.py` tries the sources of a field in this order and
keeps the first value found; the winning source is stored with the value (`facts.source`).

Sources:
- `narrative`      a sentence of the report (得分…分, 评价等级为…, 预算资金…万元)
- `labelled_line`  a `主管部门：…` line or a labelled cell of a narrative report's table
- `labelled_cell`  a labelled cell of a self-evaluation form (项目名称 / 主管部门 / 实施单位 / 自评得分)
- `form_column`    a column of a form's funds block (全年预算数, 全年执行数, 执行率)
- `form_total`     the form's 总分 that its rows add up to
- `form_header`    the form's year: (2023年度)
- `table_total`    the total of a score table (合计, or the sum of a weighted table)
- `table_row`      a first-level row of a score table
- `object`         the sentence naming what was evaluated: 对…“项目”开展评价 (and the year in that name)
- `title`          the report's title (a heading, or a page's 标题: line)
- `headline`       the first line of a news item that names an evaluated project
- `context`        the explanation a bundle opens with (its year)
- `fiscal_year`    the year the report states for its funds
- `publisher`      the unit a self-evaluation report is published by (信息来源 / 发布机构)
- `title_org`      the organisation a title opens with (耒阳市某中学专项资金绩效自评价报告)
- `evaluation_period` the first year of the period the evaluation covers (评价期间为2023年1月1日至…)
- `budget_year`    the budget year the opening names: 2017年度 (never a year of history, 2002年)
- `bulletin_row`   a row of a results bulletin's table (项目名称 / 资金量 / 评价得分 / 评价结果 / 备注)
- `bulletin`       what a results bulletin says of all its rows (its year, who evaluated, the
                   unit that published its own self-evaluation)
"""

REPORT = {
    "total_score": ["narrative", "table_total", "labelled_cell", "form_total"],
    "grade": ["narrative"],
    "score_decision": ["narrative", "table_row"],
    "score_process": ["narrative", "table_row"],
    "score_output": ["narrative", "table_row"],
    "score_outcome": ["narrative", "table_row"],
    "budget_wan": ["narrative", "form_column"],
    "received_wan": ["narrative"],
    "spent_wan": ["narrative", "form_column"],
    "execution_rate_pct": ["narrative", "form_column"],
    "project_name": ["object", "labelled_line", "labelled_cell", "title", "headline"],
    "department": ["labelled_line", "labelled_cell", "object", "title_org", "publisher"],
    "implementer": ["labelled_line", "labelled_cell"],
    "report_year": ["context", "form_header", "title", "fiscal_year", "object", "evaluation_period", "budget_year"],
    "fiscal_year": ["fiscal_year"],
    "evaluation_type": ["narrative"],
}

FORM = {
    "total_score": ["labelled_cell", "form_total"],
    "grade": ["narrative"],
    "score_decision": [],
    "score_process": [],
    "score_output": [],
    "score_outcome": [],
    "budget_wan": ["form_column"],
    "received_wan": [],
    "spent_wan": ["form_column"],
    "execution_rate_pct": ["form_column"],
    "project_name": ["labelled_cell"],
    "department": ["labelled_cell"],
    "implementer": ["labelled_cell"],
    "report_year": ["form_header", "context"],
    "fiscal_year": [],
    "evaluation_type": ["form"],
}

# A row of a results bulletin: its cells, then what the bulletin says of all its rows.
BULLETIN_ROW = {f: ["bulletin_row"] for f in FORM}
BULLETIN_ROW["report_year"] = ["bulletin_row", "bulletin"]
BULLETIN_ROW["evaluation_type"] = ["bulletin_row", "bulletin"]
BULLETIN_ROW["department"] = ["bulletin_row", "bulletin"]

BY_KIND = {"evaluation_report": REPORT, "self_evaluation_form": FORM, "results_bulletin_row": BULLETIN_ROW}
