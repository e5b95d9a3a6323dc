-- mart_indicator_loss: where projects lose points, by district and over all districts (全部).
-- A district is keyed within its province and city (上海市普陀区 never merges with another 普陀区).
create or replace table mart_indicator_loss as
with indicators as (
    select * from indicator_scores
),
reports as (
    select report_id, province, city, district, adcode from reports
),
joined as (
    select r.province, r.city, coalesce(r.district, '未知') as district, r.adcode, i.*
    from indicators i
    join reports r using (report_id)
    where i.max_score is not null and i.score is not null
),
grouped as (
    select
        case when grouping(district) = 1 then '全部' else district end as district,
        level1,
        level2,
        level3,
        count(distinct report_id) as n_reports,
        sum(max_score) as max_score_sum,
        sum(score) as score_sum,
        -- null on the 全部 rows
        province,
        city,
        case when grouping(district) = 0 then min(adcode) end as adcode
    from joined
    group by grouping sets ((province, city, district, level1, level2, level3), (level1, level2, level3))
),
final as (
    select
        district,
        level1,
        level2,
        level3,
        n_reports,
        max_score_sum,
        score_sum,
        round(100 * (1 - score_sum / nullif(max_score_sum, 0)), 2) as loss_rate_pct,
        -- added for documents from anywhere (appended: existing columns keep their positions)
        province,
        city,
        adcode
    from grouped
)
select * from final
order by province, city, district, loss_rate_pct desc, level1, level2, level3;

comment on table mart_indicator_loss is '指标失分：各地区及全部地区在各项指标上的失分率';
comment on column mart_indicator_loss.district is '地区（全部=所有地区）';
comment on column mart_indicator_loss.level1 is '一级指标';
comment on column mart_indicator_loss.level2 is '二级指标';
comment on column mart_indicator_loss.level3 is '三级指标';
comment on column mart_indicator_loss.n_reports is '报告数';
comment on column mart_indicator_loss.max_score_sum is '分值合计';
comment on column mart_indicator_loss.score_sum is '得分合计';
comment on column mart_indicator_loss.loss_rate_pct is '失分率（%）';
comment on column mart_indicator_loss.province is '省级行政区（全部行为空）';
comment on column mart_indicator_loss.city is '地级行政区（直辖市与全部行为空）';
comment on column mart_indicator_loss.adcode is '行政区划代码（6位，全部行为空）';
