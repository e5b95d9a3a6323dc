-- 05 评价等级分布
-- 问题：每个报告年度里，优、良、中、差各有多少份报告，占当年报告的比例是多少？
-- Question: per report year, how many reports were graded 优 / 良 / 中 / 差
-- (excellent / good / fair / poor), and what share of the year's reports is that?
-- Reports without a grade are counted as '未评级'. Source: mart_report_scores.
-- Districts outside Beijing are named with their city (or province): 上海市普陀区, 舟山市普陀区.
with graded as (
    select report_year, coalesce(grade, '未评级') as grade,
           case when province is null or province = '北京市' or district in (province, city) then district
             else coalesce(city, province) || district end as district
    from mart_report_scores
)
select
    report_year,
    grade,
    count(*) as n_reports,
    round(100.0 * count(*) / sum(count(*)) over (partition by report_year), 2) as share_pct,
    string_agg(distinct district, '、' order by district) as districts
from graded
group by report_year, grade
order by report_year desc, coalesce(list_position(['优', '良', '中', '差'], grade), 99), grade;
