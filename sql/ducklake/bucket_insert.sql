-- The new rows of the buckets being replaced (see bucket_delete.sql): `incoming` is the Arrow
-- table of the contract's columns plus lake_bucket, registered by the caller.
insert into lake.{table} by name select * from incoming;
