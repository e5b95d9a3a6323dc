-- The landed tables: exact copies of the lake's Parquet files (the lake is the truth).
-- getvariable('lake') is set by the builder to the lake folder it reads (where <data root>/lake points).
-- findings is landed with its keywords by findings_keywords.sql.
create or replace table documents as select * from read_parquet(getvariable('lake') || '/documents/*.parquet');
create or replace table reports as select * from read_parquet(getvariable('lake') || '/reports/*.parquet');
create or replace table dimension_scores as select * from read_parquet(getvariable('lake') || '/dimension_scores/*.parquet');
create or replace table indicator_scores as select * from read_parquet(getvariable('lake') || '/indicator_scores/*.parquet');
create or replace table targets as select * from read_parquet(getvariable('lake') || '/targets/*.parquet');
create or replace table audit_reductions as select * from read_parquet(getvariable('lake') || '/audit_reductions/*.parquet');
create or replace table facts as select * from read_parquet(getvariable('lake') || '/facts/*.parquet');
create or replace table discrepancies as select * from read_parquet(getvariable('lake') || '/discrepancies/*.parquet');
create or replace table pages as select * from read_parquet(getvariable('lake') || '/pages/*.parquet');
