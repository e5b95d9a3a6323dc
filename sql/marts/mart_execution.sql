-- mart_execution: one row per report — funds, stated and computed execution rates, flags.
create or replace table mart_execution as
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
        r.report_year,
        r.title,
        r.budget_wan,
        r.received_wan,
        r.spent_wan,
        r.execution_rate_pct,
        r.execution_rate_calc_pct,
        coalesce(r.execution_rate_calc_pct, r.execution_rate_pct) < 90 as below_90,
        coalesce(d.n_discrepancies, 0) > 0 as has_discrepancy,
        coalesce(coalesce(r.execution_rate_calc_pct, r.execution_rate_pct) < 90, false)
            or coalesce(d.n_discrepancies, 0) > 0 as flagged,
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

comment on table mart_execution is '预算执行：每份报告一行，含低于90%与自相矛盾标记';
comment on column mart_execution.report_id is '报告ID';
comment on column mart_execution.district is '地区';
comment on column mart_execution.report_year is '报告年度';
comment on column mart_execution.title is '报告标题';
comment on column mart_execution.budget_wan is '预算金额（万元）';
comment on column mart_execution.received_wan is '到位资金（万元）';
comment on column mart_execution.spent_wan is '实际支出（万元）';
comment on column mart_execution.execution_rate_pct is '执行率（报告所述，%）';
comment on column mart_execution.execution_rate_calc_pct is '执行率（计算，%）';
comment on column mart_execution.below_90 is '执行率低于90%';
comment on column mart_execution.has_discrepancy is '存在自相矛盾';
comment on column mart_execution.flagged is '需关注（低于90%或存在矛盾）';
comment on column mart_execution.report_kind is '报告来源（evaluation_report评价报告/self_evaluation_form自评表/results_bulletin_row结果公告行）';
comment on column mart_execution.scope is '评价范围（项目/政策/部门整体）';
comment on column mart_execution.province is '省级行政区';
comment on column mart_execution.city is '地级行政区（直辖市为空）';
comment on column mart_execution.adcode is '行政区划代码（6位）';
