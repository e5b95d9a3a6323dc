-- 03 各地区各年度事前绩效评估审减率
-- 问题：各地区每年做了多少个事前绩效评估项目，涉及多少资金、审减多少、审减率是多少？
-- （报告未给出涉及资金时审减率为空，不作推算。）
-- Question: per district and year, how many ex-ante performance assessments were
-- done, how much money did they cover and cut, and at what reduction rate?
-- (The rate stays null when the report gives no amount assessed.) Source: mart_district_year.
-- province and city (added columns) tell apart districts of the same name (上海市普陀区, 舟山市普陀区).
select
    district,
    report_year,
    exante_items,
    exante_submitted_wan,
    exante_reduced_wan,
    exante_reduction_rate_pct,
    province,
    city
from mart_district_year
where exante_items is not null
   or exante_submitted_wan is not null
   or exante_reduced_wan is not null
order by report_year desc, exante_reduction_rate_pct desc nulls last, province, city, district;
