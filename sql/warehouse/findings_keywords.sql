-- Keywords per finding: TF-IDF over the warehouse's own findings, IDF = ln((n + 1) / (df + 1)) + 1,
-- words of two or more characters (jieba tokens, stop words removed), top 5; ties by the word.
create or replace table findings as
with findings_in as (
    select * from findings
),
n as (
    select count(*) as n from findings_in
),
tokens as (
    select finding_id, unnest(tokens) as token from findings_in
),
tf as (
    select finding_id, token, count(*) as tf from tokens where length(token) >= 2 group by all
),
df as (
    select token, count(*) as df from tf group by token
),
scored as (
    select tf.finding_id, tf.token, tf.tf * (ln((n.n + 1.0) / (df.df + 1.0)) + 1.0) as weight
    from tf join df using (token) cross join n
),
top5 as (
    select * from scored
    qualify row_number() over (partition by finding_id order by weight desc, token) <= 5
),
ranked as (
    -- list_sort over (−weight, token) structs: an ordered aggregate would keep sort state per finding
    select finding_id, list_transform(list_sort(list({'neg_weight': -weight, 'token': token})), x -> x.token) as keywords
    from top5
    group by finding_id
),
final as (
    select f.* replace (coalesce(r.keywords, []::varchar[]) as keywords)
    from findings_in f
    left join ranked r using (finding_id)
)
select * from final
order by report_id, kind, seq;
