-- mart_district_year: district × report_year — scores, money, execution and ex-ante reductions.
-- A district is keyed within its province and city, so 上海市普陀区 never merges with another 普陀区.
create or replace table mart_district_year as
with reports as (
    select * from reports where district is not null and report_year is not null
),
exante as (
    select * from audit_reductions
    where kind = '事前绩效评估' and report_id is null and district is not null and report_year is not null
),
report_stats as (
    select
        province,
        city,
        district,
        report_year,
        min(adcode) as adcode,
        count(*) as n_reports,
        round(avg(total_score), 2) as avg_score,
        min(total_score) as min_score,
        max(total_score) as max_score,
        count(*) filter (where grade = '优') as n_excellent,
        count(*) filter (where grade = '良') as n_good,
        count(*) filter (where grade = '中') as n_fair,
        count(*) filter (where grade = '差') as n_poor,
        sum(budget_wan) as budget_wan,
        sum(spent_wan) as spent_wan,
        round(100 * sum(spent_wan) filter (where coalesce(received_wan, budget_wan) > 0)
              / nullif(sum(coalesce(received_wan, budget_wan)) filter (where spent_wan is not null), 0), 2)
            as execution_rate_pct
    from reports
    group by province, city, district, report_year
),
exante_stats as (
    select
        province,
        city,
        district,
        report_year,
        min(adcode) as adcode,
        sum(n_items) as exante_items,
        sum(submitted_wan) as exante_submitted_wan,
        sum(reduced_wan) as exante_reduced_wan,
        round(100 * sum(reduced_wan) filter (where submitted_wan is not null)
              / nullif(sum(submitted_wan), 0), 2) as exante_reduction_rate_pct
    from exante
    group by province, city, district, report_year
),
keys as (
    -- union treats nulls as equal; the joins below do too (is not distinct from): province and
    -- city are null where the gazetteer could not tell a place apart, and for a municipality's city
    select province, city, district, report_year from report_stats
    union
    select province, city, district, report_year from exante_stats
),
final as (
    select
        k.district,
        k.report_year,
        coalesce(r.n_reports, 0) as n_reports,
        r.avg_score,
        r.min_score,
        r.max_score,
        coalesce(r.n_excellent, 0) as n_excellent,
        coalesce(r.n_good, 0) as n_good,
        coalesce(r.n_fair, 0) as n_fair,
        coalesce(r.n_poor, 0) as n_poor,
        r.budget_wan,
        r.spent_wan,
        r.execution_rate_pct,
        e.exante_items,
        e.exante_submitted_wan,
        e.exante_reduced_wan,
        e.exante_reduction_rate_pct,
        round(r.avg_score - lag(r.avg_score) over (partition by k.province, k.city, k.district order by k.report_year), 2)
            as avg_score_delta,
        -- added for documents from anywhere (appended: existing columns keep their positions)
        k.province,
        k.city,
        coalesce(r.adcode, e.adcode) as adcode
    from keys k
    left join report_stats r
      on r.province is not distinct from k.province and r.city is not distinct from k.city
     and r.district = k.district and r.report_year = k.report_year
    left join exante_stats e
      on e.province is not distinct from k.province and e.city is not distinct from k.city
     and e.district = k.district and e.report_year = k.report_year
)
select * from final
order by province, city, district, report_year;

comment on table mart_district_year is '地区年度对比：得分、资金、执行率与事前评估审减';
comment on column mart_district_year.district is '地区';
comment on column mart_district_year.report_year is '报告年度';
comment on column mart_district_year.n_reports is '报告数';
comment on column mart_district_year.avg_score is '平均得分';
comment on column mart_district_year.min_score is '最低得分';
comment on column mart_district_year.max_score is '最高得分';
comment on column mart_district_year.n_excellent is '优（个）';
comment on column mart_district_year.n_good is '良（个）';
comment on column mart_district_year.n_fair is '中（个）';
comment on column mart_district_year.n_poor is '差（个）';
comment on column mart_district_year.budget_wan is '预算合计（万元）';
comment on column mart_district_year.spent_wan is '支出合计（万元）';
comment on column mart_district_year.execution_rate_pct is '执行率（Σ支出/Σ到位或预算，%）';
comment on column mart_district_year.exante_items is '事前绩效评估项目数';
comment on column mart_district_year.exante_submitted_wan is '事前评估涉及资金（万元）';
comment on column mart_district_year.exante_reduced_wan is '事前评估审减资金（万元）';
comment on column mart_district_year.exante_reduction_rate_pct is '事前评估审减率（%）';
comment on column mart_district_year.avg_score_delta is '平均得分较上一年度变化';
comment on column mart_district_year.province is '省级行政区';
comment on column mart_district_year.city is '地级行政区（直辖市为空）';
comment on column mart_district_year.adcode is '行政区划代码（6位）';
