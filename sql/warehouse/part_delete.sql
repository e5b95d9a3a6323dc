-- An update of the warehouse (pipelines/warehouse.py, update_into) starts from a copy of the last
-- one: in each landed table the rows of the lake parts that changed since are deleted (this file),
-- then the rows of their new parts are inserted (part_insert.sql).
-- {table}: the landed table; getvariable('old_parts'): the changed parts as the last build read them.
-- A row goes when every column equals (nulls equal) a row of those parts; the builder checks that
-- exactly as many rows went as the parts hold, else it builds the whole warehouse afresh.
delete from {table} as t
using read_parquet(getvariable('old_parts')) as o
where t is not distinct from o;
