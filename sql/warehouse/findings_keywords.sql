-- findings, landed from the lake with their keywords: TF-IDF over the warehouse's own findings,
-- IDF = ln((n + 1) / (df + 1)) + 1, words of two or more characters (jieba tokens, stop words
-- removed), top 5; ties by the word. (keywords are null in the lake: they need every finding.)
-- getvariable('lake') is set by the builder to the lake folder it reads (where <data root>/lake points).
create or replace table findings as
with findings_in as (
    select * from read_parquet(getvariable('lake') || '/findings/*.parquet')
),
n as (
    select count(*) as n from findings_in
),
tokens as (
    select finding_id, unnest(list_filter(tokens, t -> length(t) >= 2)) as token from findings_in
),
tf as (
    select finding_id, token, count(*) as tf from tokens group by all
),
df as (
    select token, count(*) as df from tf group by token
),
idf as (
    -- once per word, not once per (finding, word): the same expression, the same doubles
    select df.token, ln((n.n + 1.0) / (df.df + 1.0)) + 1.0 as idf from df cross join n
),
scored as (
    select tf.finding_id, tf.token, tf.tf * idf.idf as weight
    from tf join idf using (token)
),
ranked as (
    -- the 5 smallest (−weight, word): the top 5 by weight, ties by the word, in that order
    select finding_id, list_transform(min({'neg_weight': -weight, 'token': token}, 5), x -> x.token) as keywords
    from scored
    group by finding_id
),
final as (
    select f.* replace (coalesce(r.keywords, []::varchar[]) as keywords)
    from findings_in f
    left join ranked r using (finding_id)
)
select * from final
order by report_id, kind, seq;
