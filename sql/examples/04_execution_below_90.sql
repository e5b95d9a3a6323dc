-- 04 预算执行率低于90%的项目
-- 问题：哪些项目的预算执行率（优先用计算值：支出/到位资金，否则支出/预算）低于90%？
-- Question: which projects spent less than 90% of their funds (computed rate:
-- spent / received, else spent / budget; the stated rate when none can be computed)?
-- Source: mart_execution. The 200 lowest first; drop the limit for all (mart_execution.below_90 flags every one).
-- province and city (added columns) tell apart districts of the same name (上海市普陀区, 舟山市普陀区).
select
    district,
    report_year,
    title,
    budget_wan,
    received_wan,
    spent_wan,
    execution_rate_pct,
    execution_rate_calc_pct,
    has_discrepancy,
    province,
    city
from mart_execution
where below_90
order by coalesce(execution_rate_calc_pct, execution_rate_pct), province, city, district, report_year, title
limit 200;
