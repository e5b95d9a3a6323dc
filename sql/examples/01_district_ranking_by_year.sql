-- 01 各地区按年度平均得分排名
-- 问题：每个报告年度里，哪些地区的项目平均得分最高？（同分并列，排名相同）
-- Question: within each report year, which districts have the highest average
-- project score? Ties share a rank. Source: mart_district_year.
-- province and city (added columns) tell apart districts of the same name (上海市普陀区, 舟山市普陀区).
select
    report_year,
    rank() over (partition by report_year order by avg_score desc) as score_rank,
    district,
    n_reports,
    avg_score,
    min_score,
    max_score,
    province,
    city
from mart_district_year
where avg_score is not null
order by report_year desc, score_rank, province, city, district;
