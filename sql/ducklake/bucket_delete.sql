-- The production profile (pipelines/ducklake.py, replace_buckets): the rows of the buckets being
-- replaced go from a landed table of the lake schema, before their new rows are inserted
-- (bucket_insert.sql), in the same transaction. {table}: the landed table; {buckets}: the
-- raw-path buckets (lake.bucket_of), a comma-separated list of integers. The table is partitioned
-- by lake_bucket, so this ends whole data files of those buckets (no delete files are written).
delete from lake.{table} where lake_bucket in ({buckets});
