-- mart_audit_reductions: district × report_year × kind of review (a district within its province and city).
create or replace table mart_audit_reductions as
with reductions as (
    select * from audit_reductions
),
final as (
    select
        district,
        report_year,
        kind,
        count(*) as n_rows,
        sum(n_items) as n_items,
        sum(submitted_wan) as submitted_wan,
        sum(approved_wan) as approved_wan,
        sum(reduced_wan) as reduced_wan,
        coalesce(
            round(100 * sum(reduced_wan) filter (where submitted_wan is not null) / nullif(sum(submitted_wan), 0), 2),
            case when count(*) = 1 then round(max(reduction_rate_pct), 2) end
        ) as reduction_rate_pct,
        -- added for documents from anywhere (appended: existing columns keep their positions);
        -- grouped by province and city too, so 上海市普陀区 never merges with another 普陀区
        province,
        city,
        min(adcode) as adcode
    from reductions
    group by province, city, district, report_year, kind
)
select * from final
order by province, city, district, report_year, kind;

comment on table mart_audit_reductions is '审减汇总：地区×年度×评审类型';
comment on column mart_audit_reductions.district is '地区';
comment on column mart_audit_reductions.report_year is '报告年度';
comment on column mart_audit_reductions.kind is '评审类型';
comment on column mart_audit_reductions.n_rows is '记录数';
comment on column mart_audit_reductions.n_items is '项目数';
comment on column mart_audit_reductions.submitted_wan is '涉及/送审金额（万元）';
comment on column mart_audit_reductions.approved_wan is '审定金额（万元）';
comment on column mart_audit_reductions.reduced_wan is '审减/核减金额（万元）';
comment on column mart_audit_reductions.reduction_rate_pct is '审减率（%）';
comment on column mart_audit_reductions.province is '省级行政区';
comment on column mart_audit_reductions.city is '地级行政区（直辖市为空）';
comment on column mart_audit_reductions.adcode is '行政区划代码（6位）';
