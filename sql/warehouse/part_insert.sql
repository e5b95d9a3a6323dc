-- An update of the warehouse (see part_delete.sql): the rows of the new lake parts
-- (getvariable('new_parts')) of the landed table {table}.
insert into {table} select * from read_parquet(getvariable('new_parts'));
