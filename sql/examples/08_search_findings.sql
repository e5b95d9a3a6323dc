-- 08 在问题与建议中检索关键词（子串匹配）
-- 问题：哪些报告的问题或建议（标题或正文）提到了"满意度"？改 params 里的 term 可检索其他词。
-- 这是逐行子串匹配（contains），不需要索引；全文检索（fts）版本另见。
-- Question: which problems and suggestions (heading or body) mention 满意度
-- (satisfaction)? Change `term` in params to search for another word. A plain
-- substring match over every row, no index needed. Source: findings joined to reports.
-- province and city (added columns) tell apart districts of the same name (上海市普陀区, 舟山市普陀区).
with params as (
    select '满意度' as term
),
hits as (
    select f.report_id, f.kind, f.seq, f.theme, f.heading, f.body, p.term
    from findings f, params p
    where contains(coalesce(f.heading, ''), p.term)
       or contains(coalesce(f.body, ''), p.term)
)
select
    r.district,
    r.report_year,
    r.title,
    h.kind,
    h.seq,
    h.theme,
    h.heading,
    case
        when contains(coalesce(h.body, ''), h.term)
            then substr(h.body, greatest(1, instr(h.body, h.term) - 30), 80)
    end as snippet,
    r.province,
    r.city
from hits h
join reports r using (report_id)
order by r.province, r.city, r.district, r.report_year, r.title, h.kind, h.seq;
