-- mart_report_scores: one row per report, for browsing.
create or replace table mart_report_scores as
with reports as (
    select * from reports
),
discrepancies as (
    select report_id, count(*) as n_discrepancies from discrepancies group by report_id
),
final as (
    select
        r.report_id,
        r.district,
        r.admin_level,
        r.report_year,
        r.fiscal_year,
        r.title,
        r.project_name,
        r.department,
        r.evaluation_type,
        r.total_score,
        r.grade,
        r.score_decision,
        r.score_process,
        r.score_output,
        r.score_outcome,
        r.budget_wan,
        r.spent_wan,
        r.execution_rate_pct,
        r.execution_rate_calc_pct,
        coalesce(d.n_discrepancies, 0) as n_discrepancies,
        -- added for documents from anywhere (appended: existing columns keep their positions)
        r.report_kind,
        r.scope,
        r.province,
        r.city,
        r.adcode
    from reports r
    left join discrepancies d using (report_id)
)
select * from final
order by province, city, district, report_year, report_id;

comment on table mart_report_scores is '报告得分一览：每份报告一行';
comment on column mart_report_scores.report_id is '报告ID';
comment on column mart_report_scores.district is '地区';
comment on column mart_report_scores.admin_level is '行政层级';
comment on column mart_report_scores.report_year is '报告年度';
comment on column mart_report_scores.fiscal_year is '资金年度';
comment on column mart_report_scores.title is '报告标题';
comment on column mart_report_scores.project_name is '项目名称';
comment on column mart_report_scores.department is '主管部门';
comment on column mart_report_scores.evaluation_type is '评价类型';
comment on column mart_report_scores.total_score is '综合得分';
comment on column mart_report_scores.grade is '评价等级';
comment on column mart_report_scores.score_decision is '决策得分';
comment on column mart_report_scores.score_process is '过程得分';
comment on column mart_report_scores.score_output is '产出得分';
comment on column mart_report_scores.score_outcome is '效益得分';
comment on column mart_report_scores.budget_wan is '预算金额（万元）';
comment on column mart_report_scores.spent_wan is '实际支出（万元）';
comment on column mart_report_scores.execution_rate_pct is '预算执行率（报告所述，%）';
comment on column mart_report_scores.execution_rate_calc_pct is '预算执行率（计算，%）';
comment on column mart_report_scores.n_discrepancies is '自相矛盾项数';
comment on column mart_report_scores.report_kind is '报告来源（evaluation_report评价报告/self_evaluation_form自评表/results_bulletin_row结果公告行）';
comment on column mart_report_scores.scope is '评价范围（项目/政策/部门整体）';
comment on column mart_report_scores.province is '省级行政区';
comment on column mart_report_scores.city is '地级行政区（直辖市为空）';
comment on column mart_report_scores.adcode is '行政区划代码（6位）';
