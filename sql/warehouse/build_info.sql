-- Which lake and which SQL this warehouse was built from ($1: signature, $2: extractor version).
create or replace table bpe_build_info as
select $1::varchar as signature, $2::varchar as extractor_version, now() as built_at;
