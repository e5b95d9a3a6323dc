-- 07 最常见的问题主题
-- 问题：评价报告"存在的主要问题"里，哪些主题出现得最多，涉及多少份报告、哪些地区？
-- Question: among the problems found by evaluations (kind = '问题'), which themes
-- come up most often, in how many reports and in which districts?
-- Source: mart_finding_themes.
-- Districts outside Beijing are named with their city (or province): 上海市普陀区, 舟山市普陀区.
with themes as (
    select
        theme, kind, n_findings, n_reports,
        case when province is null or province = '北京市' or district in (province, city) then district
             else coalesce(city, province) || district end as district
    from mart_finding_themes
)
select
    theme,
    sum(n_findings) as n_findings,
    sum(n_reports) as n_reports,
    count(distinct district) as n_districts,
    string_agg(distinct district, '、' order by district) as districts
from themes
where kind = '问题'
group by theme
order by n_findings desc, n_reports desc, theme;
