-- mart_finding_themes: district × report_year × kind (问题/建议) × theme.
-- A district is keyed within its province and city (上海市普陀区 never merges with another 普陀区).
create or replace table mart_finding_themes as
with findings as (
    select * from findings
),
reports as (
    select report_id, province, city, district, adcode, report_year from reports
),
final as (
    select
        r.district,
        r.report_year,
        f.kind,
        coalesce(f.theme, '未分类') as theme,
        count(*) as n_findings,
        count(distinct f.report_id) as n_reports,
        -- added for documents from anywhere (appended: existing columns keep their positions)
        r.province,
        r.city,
        min(r.adcode) as adcode
    from findings f
    join reports r using (report_id)
    group by r.province, r.city, r.district, r.report_year, f.kind, coalesce(f.theme, '未分类')
)
select * from final
order by province, city, district, report_year, kind, n_findings desc, theme;

comment on table mart_finding_themes is '问题与建议主题分布：地区×年度×类别×主题';
comment on column mart_finding_themes.district is '地区';
comment on column mart_finding_themes.report_year is '报告年度';
comment on column mart_finding_themes.kind is '类别（问题/建议）';
comment on column mart_finding_themes.theme is '主题';
comment on column mart_finding_themes.n_findings is '条数';
comment on column mart_finding_themes.n_reports is '涉及报告数';
comment on column mart_finding_themes.province is '省级行政区';
comment on column mart_finding_themes.city is '地级行政区（直辖市为空）';
comment on column mart_finding_themes.adcode is '行政区划代码（6位）';
