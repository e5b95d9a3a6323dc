-- mart_finding_themes: district × report_year × kind (问题/建议) × theme.
create or replace table mart_finding_themes as
with findings as (
    select * from findings
),
reports as (
    select report_id, district, report_year from reports
),
final as (
    select
        r.district,
        r.report_year,
        f.kind,
        coalesce(f.theme, '未分类') as theme,
        count(*) as n_findings,
        count(distinct f.report_id) as n_reports
    from findings f
    join reports r using (report_id)
    group by all
)
select * from final
order by district, report_year, kind, n_findings desc, theme;

comment on table mart_finding_themes is '问题与建议主题分布：地区×年度×类别×主题';
comment on column mart_finding_themes.district is '地区';
comment on column mart_finding_themes.report_year is '报告年度';
comment on column mart_finding_themes.kind is '类别（问题/建议）';
comment on column mart_finding_themes.theme is '主题';
comment on column mart_finding_themes.n_findings is '条数';
comment on column mart_finding_themes.n_reports is '涉及报告数';
