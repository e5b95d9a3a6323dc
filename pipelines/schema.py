"""The warehouse contract (`shared/spec/warehouse.md`) as data.

Each landed table is a list of `Column(name, type, comment)`. The same definitions
produce the PyArrow schema of the Parquet files in the lake, the DuckDB column
types of the warehouse tables, and the Chinese `COMMENT ON COLUMN` texts.
Add columns freely; never rename or remove one (that breaks analysts' SQL).
"""

from dataclasses import dataclass

import pyarrow as pa

MONEY = pa.decimal128(18, 4)
SCORE = pa.decimal128(6, 2)
RATE = pa.decimal128(9, 4)


@dataclass(frozen=True)
class Column:
    name: str
    type: pa.DataType
    comment: str


def _c(name, type_, comment):
    return Column(name, type_, comment)


TABLES: dict[str, tuple[str, list[Column]]] = {
    "documents": (
        "原始文件：每个原始文件一行",
        [
            _c("doc_id", pa.string(), "文件ID（原始字节的sha256）"),
            _c("path", pa.string(), "相对raw目录的路径"),
            _c("format", pa.string(), "格式（txt/docx/doc/pdf/html/xlsx/xls）"),
            _c("encoding", pa.string(), "文本编码"),
            _c("size_bytes", pa.int64(), "文件大小（字节）"),
            _c("n_chars", pa.int64(), "规范化文本字符数"),
            _c("status", pa.string(), "状态（parsed/partial/rejected/duplicate）"),
            _c("reason", pa.string(), "未完整解析的原因"),
            _c("n_reports", pa.int32(), "识别出的报告数"),
            _c("ingested_at", pa.timestamp("us", tz="UTC"), "入库时间"),
            # added for documents from anywhere (contract extension, see README)
            _c("doc_kind", pa.string(), "文件类型（evaluation_report评价报告/self_evaluation_form自评表/explanation说明/review_notice评审通报/results_bulletin结果公告/other其他）"),
            _c("text_method", pa.string(), "文字来源（text文本/text_layer文字层/ocr识别/mixed混合）"),
            _c("text_sha256", pa.string(), "规范化文本的sha256（同一文本的另一编码或格式据此识别为重复）"),
        ],
    ),
    "reports": (
        "绩效评价报告：每份报告一行",
        [
            _c("report_id", pa.string(), "报告ID"),
            _c("doc_id", pa.string(), "所属文件ID"),
            _c("seq", pa.int32(), "在文件中的顺序"),
            _c("title", pa.string(), "报告标题"),
            _c("project_name", pa.string(), "项目名称"),
            _c("department", pa.string(), "主管部门"),
            _c("implementer", pa.string(), "实施单位/执行单位"),
            _c("district", pa.string(), "地区（北京市或区名；其他地方为县级单位全称，更高层级为政府名，如上海市、四川省）"),
            _c("admin_level", pa.string(), "行政层级（北京：市级/区级；其他：省级/地市级/区县级/乡镇级）"),
            _c("report_year", pa.int32(), "报告年度"),
            _c("fiscal_year", pa.int32(), "资金年度"),
            _c("evaluation_type", pa.string(), "评价类型（财政评价/部门评价/单位自评）"),
            _c("total_score", SCORE, "综合得分"),
            _c("grade", pa.string(), "评价等级（优/良/中/差）"),
            _c("score_decision", SCORE, "决策得分"),
            _c("score_process", SCORE, "过程得分"),
            _c("score_output", SCORE, "产出得分"),
            _c("score_outcome", SCORE, "效益得分"),
            _c("budget_wan", MONEY, "预算金额（万元）"),
            _c("received_wan", MONEY, "到位资金（万元）"),
            _c("spent_wan", MONEY, "实际支出（万元）"),
            _c("execution_rate_pct", RATE, "预算执行率（报告所述，%）"),
            _c("execution_rate_calc_pct", RATE, "预算执行率（计算，%）"),
            _c("n_indicators", pa.int32(), "评分指标行数"),
            _c("report_kind", pa.string(), "报告来源（evaluation_report评价报告/self_evaluation_form自评表/results_bulletin_row结果公告行）"),
            _c("scope", pa.string(), "评价范围（项目/政策/部门整体）"),
            _c("province", pa.string(), "省级行政区"),
            _c("city", pa.string(), "地级行政区（直辖市为空）"),
            _c("adcode", pa.string(), "行政区划代码（所述最小行政区，6位）"),
        ],
    ),
    "dimension_scores": (
        "一级指标得分（长表）",
        [
            _c("report_id", pa.string(), "报告ID"),
            _c("dimension", pa.string(), "一级指标（原文）"),
            _c("dimension_std", pa.string(), "标准维度（decision/process/output/outcome/other）"),
            _c("max_score", SCORE, "分值"),
            _c("score", SCORE, "得分"),
            _c("source", pa.string(), "来源（narrative正文/table表格）"),
        ],
    ),
    "indicator_scores": (
        "评价指标体系及评分情况表",
        [
            _c("report_id", pa.string(), "报告ID"),
            _c("row_no", pa.int32(), "行号"),
            _c("level1", pa.string(), "一级指标"),
            _c("level2", pa.string(), "二级指标"),
            _c("level3", pa.string(), "三级指标"),
            _c("max_score", SCORE, "分值"),
            _c("score", SCORE, "得分"),
        ],
    ),
    "targets": (
        "绩效目标表/指标值与完成值",
        [
            _c("report_id", pa.string(), "报告ID"),
            _c("table_no", pa.int32(), "表序号"),
            _c("row_no", pa.int32(), "行号"),
            _c("level1", pa.string(), "一级指标"),
            _c("level2", pa.string(), "二级指标"),
            _c("level3", pa.string(), "三级指标"),
            _c("unit", pa.string(), "计量单位"),
            _c("target", pa.string(), "指标值"),
            _c("actual", pa.string(), "完成值"),
        ],
    ),
    "audit_reductions": (
        "评审审减情况",
        [
            _c("district", pa.string(), "地区"),
            _c("report_year", pa.int32(), "报告年度"),
            _c("report_id", pa.string(), "报告ID（政府整体数据为空）"),
            _c("kind", pa.string(), "类型（事前绩效评估/决算评审等）"),
            _c("n_items", pa.int32(), "项目数"),
            _c("submitted_wan", MONEY, "涉及/送审金额（万元）"),
            _c("approved_wan", MONEY, "审定金额（万元）"),
            _c("reduced_wan", MONEY, "审减/核减金额（万元）"),
            _c("reduction_rate_pct", RATE, "审减率（%）"),
            _c("province", pa.string(), "省级行政区"),
            _c("city", pa.string(), "地级行政区（直辖市为空）"),
            _c("adcode", pa.string(), "行政区划代码（所述最小行政区，6位）"),
            _c("doc_id", pa.string(), "来源文件ID"),
        ],
    ),
    "findings": (
        "存在的问题与建议",
        [
            _c("report_id", pa.string(), "报告ID"),
            _c("kind", pa.string(), "类别（问题/建议）"),
            _c("seq", pa.int32(), "序号"),
            _c("heading", pa.string(), "小标题"),
            _c("body", pa.string(), "正文"),
            _c("theme", pa.string(), "主题"),
            _c("keywords", pa.list_(pa.string()), "关键词（TF-IDF，IDF按仓库全部问题与建议计算；湖中为空，建仓时计算）"),
            _c("finding_id", pa.string(), "问题/建议ID"),
            _c("search_text", pa.string(), "分词后的检索文本（jieba，空格分隔）"),
            _c("tokens", pa.list_(pa.string()), "分词（jieba，去停用词），用于关键词"),
        ],
    ),
    "facts": (
        "数值溯源：每个抽取数值的原文证据",
        [
            _c("subject_id", pa.string(), "对象ID（报告ID或文件ID）"),
            _c("field", pa.string(), "字段"),
            _c("value", pa.float64(), "数值"),
            _c("unit", pa.string(), "单位"),
            _c("evidence", pa.string(), "原文句子"),
            _c("char_start", pa.int64(), "起始字符位置（规范化文本）"),
            _c("char_end", pa.int64(), "结束字符位置（规范化文本）"),
            _c("source", pa.string(), "抽取来源（narrative正文/labelled_cell标注单元格/form_column自评表列/form_total自评表总分/table_total表格合计/table_row表格行/derived推算）"),
            _c("page", pa.int32(), "PDF页码（其他格式为空）"),
        ],
    ),
    "discrepancies": (
        "报告自相矛盾之处",
        [
            _c("report_id", pa.string(), "报告ID"),
            _c("check", pa.string(), "检查项"),
            _c("expected", pa.string(), "应为"),
            _c("found", pa.string(), "实为"),
            _c("detail", pa.string(), "说明"),
        ],
    ),
    "pages": (
        "PDF页面：每页的文字来源（文字层或OCR）",
        [
            _c("doc_id", pa.string(), "文件ID"),
            _c("page", pa.int32(), "页码（从1起）"),
            _c("method", pa.string(), "文字来源（text_layer文字层/ocr识别/none无文字）"),
            _c("n_chars", pa.int32(), "本页可见字符数"),
            _c("ocr_confidence", pa.float64(), "OCR平均置信度（0–1，非OCR页为空）"),
            _c("ocr_seconds", pa.float64(), "OCR耗时（秒，缓存命中为0）"),
            _c("note", pa.string(), "说明（如 ocr_off、ocr_time_cap）"),
        ],
    ),
}

LANDED_TABLES = list(TABLES)


def document_row(**values) -> dict:
    """A `documents` row: every column of the contract, null unless given. The one place that
    builds them (a file extracted, a duplicate, a file that could not be read)."""
    names = {c.name for c in TABLES["documents"][1]}
    unknown = set(values) - names
    if unknown:
        raise KeyError(f"not columns of documents: {sorted(unknown)}")
    row = {name: None for name in names}
    row.update(status="rejected", n_reports=0)
    row.update(values)
    return row


def arrow_schema(table: str) -> pa.Schema:
    return pa.schema([pa.field(c.name, c.type) for c in TABLES[table][1]])


def columns(table: str) -> list[str]:
    return [c.name for c in TABLES[table][1]]


# ------------------------------------------------------------------ data dictionary (docs/data_dictionary.md)

DICTIONARY_PATH = "docs/data_dictionary.md"


def _sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _md_cell(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def _duckdb_columns() -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """Each landed table and mart as DuckDB sees it: table comment, (column, type, comment).

    Builds empty landed tables in memory from TABLES (the types DuckDB gives the Parquet files)
    and runs every mart's own SQL over them, so mart columns, types and comments come from
    `sql/marts/` itself."""
    import duckdb

    from pipelines.settings import SQL_DIR

    con = duckdb.connect()
    try:
        for table, (table_comment, cols) in TABLES.items():
            con.from_arrow(arrow_schema(table).empty_table()).create(table)
            con.execute(f"comment on table {table} is {_sql_text(table_comment)}")
            for c in cols:
                con.execute(f"comment on column {table}.{c.name} is {_sql_text(c.comment)}")
        marts = [p.stem for p in sorted((SQL_DIR / "marts").glob("*.sql"))]
        for m in marts:
            con.execute((SQL_DIR / "marts" / f"{m}.sql").read_text(encoding="utf-8"))
        out = {}
        for t in LANDED_TABLES + marts:
            comment = con.execute("select comment from duckdb_tables() where table_name = ?", [t]).fetchone()[0]
            rows = con.execute(
                "select column_name, data_type, comment from duckdb_columns() where table_name = ? order by column_index",
                [t],
            ).fetchall()
            out[t] = (comment or "", [(n, ty, c or "") for n, ty, c in rows])
        return out
    finally:
        con.close()


def data_dictionary_markdown() -> str:
    """docs/data_dictionary.md: every landed table and mart, every column with its type and Chinese comment."""
    db = _duckdb_columns()
    lines = [
        "# Data dictionary / 数据字典",
        "",
        "Generated — do not edit. Landed tables from `pipelines/schema.py`, marts from `sql/marts/*.sql`:",
        "`.venv/bin/python -m pipelines.schema --markdown > docs/data_dictionary.md` (or `make dictionary`).",
        "`tests/test_data_dictionary.py` fails when this file differs from what they generate.",
        "The contract these tables follow: [warehouse.md](warehouse.md). Money `_wan` in 万元, rates `_pct` in percent (0–100).",
        "",
        "## Landed tables / 落地表",
        "",
        "In the lake as Parquet (`lake/<table>/part-NN.parquet`) and in the warehouse as tables of the same name.",
    ]
    for table, (table_comment, cols) in TABLES.items():
        types = {n: ty for n, ty, _ in db[table][1]}
        lines += ["", f"### `{table}` — {_md_cell(table_comment)}", "",
                  "| column | type (DuckDB) | Parquet (Arrow) | 说明 |", "| --- | --- | --- | --- |"]
        lines += [f"| `{c.name}` | {types[c.name]} | {c.type} | {_md_cell(c.comment)} |" for c in cols]
    lines += ["", "## Marts / 数据集市", "", "Tables in the warehouse, rebuilt from the landed tables by the SQL of the same name."]
    for table, (table_comment, cols) in db.items():
        if table in TABLES:
            continue
        lines += ["", f"### `{table}` — {_md_cell(table_comment)}", "",
                  f"SQL: `sql/marts/{table}.sql`", "", "| column | type (DuckDB) | 说明 |", "| --- | --- | --- |"]
        lines += [f"| `{n}` | {ty} | {_md_cell(c)} |" for n, ty, c in cols]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    ap = argparse.ArgumentParser(prog="python -m pipelines.schema", description="The warehouse contract as data")
    ap.add_argument("--markdown", action="store_true", help=f"print the data dictionary ({DICTIONARY_PATH})")
    args = ap.parse_args(argv)
    if not args.markdown:
        ap.print_help()
        return 2
    sys.stdout.write(data_dictionary_markdown())
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
