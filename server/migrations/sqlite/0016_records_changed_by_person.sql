-- A keyworker's pull reads their caseload's changes after its cursor: found from the records changed
-- since then (a record's `change_seq` is its latest change's number, so any change after the cursor
-- leaves it past the cursor too), rather than from every record about each person (years of visit
-- notes, each looked up in the log: 1-2 ms a pull for a person with 500 records).
CREATE INDEX IF NOT EXISTS records_changed_by_person ON records (person_id, change_seq);

-- Every write sets a record's number to its latest change's (`save_records`, the purge's tombstones):
-- made certain for what was written before, as the page now relies on it.
UPDATE records SET change_seq = (SELECT MAX(c.change_seq) FROM change_log c WHERE c.record_id = records.id)
WHERE change_seq < (SELECT MAX(c.change_seq) FROM change_log c WHERE c.record_id = records.id);
