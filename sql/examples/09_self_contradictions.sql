-- 09 报告自相矛盾之处
-- 问题：哪些报告前后不一致（各维度得分之和≠总分、等级与分数段不符、表内合计不符、
-- 执行率所述与计算不符、同一金额印成两个数值），具体是什么？
-- Question: where does a report contradict itself (dimensions not adding up to the
-- total, grade outside its band, table totals, stated vs computed execution rate,
-- one amount printed with two values), and how? Source: discrepancies joined to reports.
-- province and city (added columns) tell apart districts of the same name (上海市普陀区, 舟山市普陀区).
select
    r.district,
    r.report_year,
    r.title,
    d."check",
    d.expected,
    d.found,
    d.detail,
    r.report_id,
    r.province,
    r.city
from discrepancies d
join reports r using (report_id)
order by r.province, r.city, r.district, r.report_year, r.title, d."check", d.expected;
