-- Full-text index over findings. DuckDB's FTS does not segment Chinese, so `search_text` holds
-- jieba-segmented tokens joined by spaces; queries must be segmented the same way (bpe search does).
-- The index's terms are those words: text is split on whitespace only.
--
-- This is the index that
--     pragma create_fts_index('findings', 'finding_id', 'search_text', stemmer = 'none',
--         stopwords = 'none', ignore = '\s+', strip_accents = 0, lower = 0, overwrite = 1)
-- creates (the schema fts_main_findings: the same tables, columns, types, values and macros;
-- match_bm25 is the extension's macro, word for word), written as set-based statements: the
-- extension fills `len`, `termid` and `df` with correlated UPDATEs over every term, which took
-- half of the build. The FTS extension must be loaded (match_bm25 calls its `stem`).
-- (`ignore` is the pattern the extension's tokenizer replaces by a space before it splits on
-- whitespace: '\s+' keeps each word whole. With ignore = '' the empty pattern matched between every
-- two characters and every term was one character: 9.1 million terms at 10,000 reports instead
-- of 4.0 million, and a ranking by characters, not words.)
--   docs.docid   = the finding's rowid (findings is written in its order: report_id, kind, seq)
--   terms        = one row per token occurrence: tokenize(search_text), empty tokens dropped;
--                  the rows in termid order (the extension's are in docid order: same rows)
--                  (stemmer 'none' and no stop words leave tokens as they are)
--   dict.termid  = terms numbered from 0 by their first document, then by the term (the
--                  extension's `select distinct term from terms order by docid, term`: by the
--                  first docid its scan of terms meets, which is the smallest)
--   dict.df      = documents holding the term; docs.len = the document's terms
drop schema if exists fts_main_findings cascade;
create schema fts_main_findings;
create table fts_main_findings.stopwords (sw varchar);
create macro fts_main_findings.tokenize(s) as string_split_regex(regexp_replace(CAST(s AS VARCHAR), '\s+', ' ', 'g'), '\s+');
create table fts_main_findings.fields (fieldid bigint, field varchar);
insert into fts_main_findings.fields values (0, 'search_text');

create table fts_main_findings.dict as
with doc_terms as (
    -- each document's distinct terms
    select rowid as docid, unnest(list_distinct(fts_main_findings.tokenize(search_text))) as term
    from findings
),
terms as (
    select term, min(docid) as first_docid, count(*) as df
    from doc_terms
    where term is not null and len(term) > 0
    group by term
)
select row_number() over (order by first_docid, term) - 1 as termid, term, df
from terms;

create table fts_main_findings.terms as
with tokens as (
    select rowid as docid, unnest(fts_main_findings.tokenize(search_text)) as w
    from findings
)
select t.docid, (select fieldid from fts_main_findings.fields where field = 'search_text') as fieldid, d.termid
from tokens t
join fts_main_findings.dict d on d.term = t.w
-- stored by term: a search's terms are then a few row groups, which the scan finds from their
-- min/max and reads alone (at 10,000 reports: 4 million rows, 43 ms of a search's scan → 2 ms)
order by d.termid;

create table fts_main_findings.docs as
select f.rowid as docid, f.finding_id as name, coalesce(t.len, 0) as len
from findings f
left join (select docid, count(*) as len from fts_main_findings.terms group by docid) t on t.docid = f.rowid;

create table fts_main_findings.stats as (
    select count(docs.docid) as num_docs, sum(docs.len) / count(docs.len) as avgdl
    from fts_main_findings.docs as docs
);

create macro fts_main_findings.match_bm25(docname, query_string, fields := NULL, k := 1.2, b := 0.75, conjunctive := false) AS (
    WITH tokens AS (
        SELECT DISTINCT stem(unnest(fts_main_findings.tokenize(query_string)), 'none') AS t
    ),
    fieldids AS (
        SELECT fieldid
        FROM fts_main_findings.fields
        WHERE CASE WHEN fields IS NULL THEN 1 ELSE field IN (SELECT * FROM (SELECT UNNEST(string_split(fields, ','))) AS fsq) END
    ),
    qtermids AS (
        SELECT termid
        FROM fts_main_findings.dict AS dict,
             tokens
        WHERE dict.term = tokens.t
    ),
    qterms AS (
        SELECT termid,
               docid
        FROM fts_main_findings.terms AS terms
        WHERE CASE WHEN fields IS NULL THEN 1 ELSE fieldid IN (SELECT * FROM fieldids) END
          AND termid IN (SELECT qtermids.termid FROM qtermids)
    ),
    term_tf AS (
        SELECT termid,
               docid,
               COUNT(*) AS tf
        FROM qterms
        GROUP BY docid,
                 termid
    ),
    cdocs AS (
        SELECT docid
        FROM qterms
        GROUP BY docid
        HAVING CASE WHEN conjunctive THEN COUNT(DISTINCT termid) = (SELECT COUNT(*) FROM tokens) ELSE 1 END
    ),
    subscores AS (
        SELECT docs.docid,
               len,
               term_tf.termid,
               tf,
               df,
               (log(((SELECT num_docs FROM fts_main_findings.stats) - df + 0.5) / (df + 0.5) + 1) * ((tf * (k + 1)/(tf + k * (1 - b + b * (len / (SELECT avgdl FROM fts_main_findings.stats))))))) AS subscore
        FROM term_tf,
             cdocs,
             fts_main_findings.docs AS docs,
             fts_main_findings.dict AS dict
        WHERE term_tf.docid = cdocs.docid
          AND term_tf.docid = docs.docid
          AND term_tf.termid = dict.termid
    ),
    scores AS (
        SELECT docid,
               sum(subscore) AS score
        FROM subscores
        GROUP BY docid
    )
    SELECT score
    FROM scores,
         fts_main_findings.docs AS docs
    WHERE scores.docid = docs.docid
      AND docs.name = docname
);
