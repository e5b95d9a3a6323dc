-- recurring_findings: the same department (or district) raising the same theme in consecutive years.
-- Subjects are matched within their province and city: 上海市普陀区 is not 舟山市普陀区, and a
-- department of one province is not the namesake department of another.
create or replace table recurring_findings as
with findings as (
    select * from findings where kind = '问题' and theme is not null and theme <> '其他'
),
reports as (
    select report_id, province, city, district, department, report_year from reports where report_year is not null
),
by_subject as (
    -- one row per (level, subject, theme, year): a department's reports, and a district's
    select 'department' as level, r.department as subject, r.province, r.city, r.district, f.theme, r.report_year,
           count(*) as n_findings, min(f.heading) as example_heading
    from findings f join reports r using (report_id)
    where r.department is not null
    group by all
    union all
    select 'district', r.district, r.province, r.city, r.district, f.theme, r.report_year, count(*), min(f.heading)
    from findings f join reports r using (report_id)
    where r.district is not null
    group by all
),
final as (
    select
        cur.level,
        cur.subject,
        cur.district,
        cur.theme,
        prev.report_year as first_year,
        cur.report_year as repeat_year,
        prev.n_findings as n_first,
        cur.n_findings as n_repeat,
        prev.example_heading as first_heading,
        cur.example_heading as repeat_heading,
        -- added for documents from anywhere (appended: existing columns keep their positions)
        cur.province,
        cur.city
    from by_subject cur
    join by_subject prev
      on prev.level = cur.level and prev.subject = cur.subject and prev.theme = cur.theme
     and prev.province is not distinct from cur.province and prev.city is not distinct from cur.city
     and prev.report_year = cur.report_year - 1
)
select * from final
order by level, province, city, subject, theme, repeat_year;

comment on table recurring_findings is '反复出现的问题：同一部门或地区连续两年出现同一主题的问题';
comment on column recurring_findings.level is '层级（department部门/district地区）';
comment on column recurring_findings.subject is '部门或地区';
comment on column recurring_findings.district is '地区';
comment on column recurring_findings.theme is '问题主题';
comment on column recurring_findings.first_year is '前一年度';
comment on column recurring_findings.repeat_year is '再次出现的年度';
comment on column recurring_findings.n_first is '前一年度条数';
comment on column recurring_findings.n_repeat is '再次出现条数';
comment on column recurring_findings.first_heading is '前一年度示例';
comment on column recurring_findings.repeat_heading is '再次出现示例';
comment on column recurring_findings.province is '省级行政区';
comment on column recurring_findings.city is '地级行政区（直辖市为空）';
