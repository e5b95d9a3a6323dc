-- 06 平均得分同比变化
-- 问题：各地区的平均得分与上一年度（仓库中该地区的前一个年度）相比升降了多少？
-- 只有一个年度的地区，变化为空。
-- Question: how much did each district's average score move against its previous
-- year in the warehouse? Districts with a single year have a null change.
-- Source: mart_district_year.avg_score_delta
-- (the previous year of the same district of the same province and city).
-- province and city (added columns) tell apart districts of the same name (上海市普陀区, 舟山市普陀区).
select
    district,
    report_year,
    avg_score,
    avg_score - avg_score_delta as previous_avg_score,
    avg_score_delta,
    province,
    city
from mart_district_year
where avg_score is not null
order by abs(avg_score_delta) desc nulls last, province, city, district, report_year;
