-- Ranked full-text search over findings.
--   $1: the query segmented by jieba in search mode (space-joined, as findings.search_text) — ranks (BM25)
--   $2: the query's tokens in precise mode (a list) — every one must occur in the finding
--   $3: how many rows
with hits as (
    -- the words that must occur first: BM25 (whose statistics are the whole index's) is scored
    -- only for the findings that hold them
    select finding_id, fts_main_findings.match_bm25(finding_id, $1) as score
    from findings
    where list_has_all(string_split(search_text, ' '), $2)
),
final as (
    select
        r.district,
        r.report_year,
        r.title,
        f.kind,
        f.seq,
        f.heading,
        f.body,
        f.theme,
        round(h.score, 4) as score
    from hits h
    join findings f using (finding_id)
    join reports r using (report_id)
    where h.score is not null
)
select * from final
order by score desc, report_year desc, district, title, kind, seq
limit $3;
