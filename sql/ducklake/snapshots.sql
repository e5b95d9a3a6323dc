-- Every snapshot of the DuckLake `bpe`, oldest first: what each commit changed, and who said what.
select snapshot_id as id, snapshot_time as time, changes, author, commit_message as message
from bpe.snapshots()
order by snapshot_id;
