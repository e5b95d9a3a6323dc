-- 问题：哪些问题和建议提到“满意度调查”？按相关度（BM25）排序。
-- Question: which problems and suggestions mention 满意度调查, ranked by relevance (BM25)?
--
-- DuckDB's full-text index does not segment Chinese: findings.search_text holds jieba tokens
-- joined by spaces, so the query is written as tokens too ('满意度 调查 满意度调查').
-- `bpe search "满意度调查"` segments for you. Run this file with `bpe sql -f <this file>`: it opens
-- the DuckDB CLI read-only with the FTS extension loaded from the project's wheel (in a plain
-- DuckDB CLI, LOAD that file first: .venv/lib/python3.11/site-packages/duckdb_extension_fts/
-- extensions/v1.5.5/fts.duckdb_extension).
-- province and city (added columns) tell apart districts of the same name (上海市普陀区, 舟山市普陀区).
-- Write the query as a literal: match_bm25 is a macro, and a subquery in its place is expanded
-- in several places and can take all the memory there is.
-- The words that must occur are tested first, so BM25 is scored only for the findings that hold them
-- (the scores are the same: BM25's statistics are the whole index's).
with hits as (
    select f.report_id, f.kind, f.heading, f.theme,
           fts_main_findings.match_bm25(f.finding_id, '满意度 调查 满意度调查') as score
    from findings f
    where contains(f.search_text, '满意度调查')  -- a quick substring test first, then the exact word
      and list_has_all(string_split(f.search_text, ' '), ['满意度调查'])
)
select r.district, r.report_year, h.kind, h.heading, h.theme, round(h.score, 3) as score, r.province, r.city
from hits h
join reports r using (report_id)
where h.score is not null
order by h.score desc
limit 100;
