-- The warehouse (schema main) holds each landed table as the embedded warehouse does: the lake's
-- rows with the contract's columns (lake_bucket left out), copied in the transaction that builds
-- the marts, so that marts and landed tables of one snapshot agree. {table}: the landed table.
create or replace table main.{table} as select * exclude (lake_bucket) from lake.{table};
