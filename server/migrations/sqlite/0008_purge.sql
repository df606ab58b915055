-- Removing a person's details (issue 6: when the policy's retention period after leaving has passed,
-- and on an erasure request). The change log and the audit trail stay append-only except for one
-- kind of change: a purge, which blanks personal content and keeps who did what, when, to which record.
-- (COALESCE: a condition that is NULL must refuse, not allow.)

DROP TRIGGER change_log_is_append_only_update;
CREATE TRIGGER change_log_is_append_only_update BEFORE UPDATE ON change_log
WHEN NOT COALESCE((
    NEW.change_seq = OLD.change_seq AND NEW.record_id = OLD.record_id AND NEW.kind = OLD.kind
    AND NEW.version = OLD.version AND NEW.client_id = OLD.client_id AND NEW.client_seq = OLD.client_seq
    AND NEW.at = OLD.at AND NEW.user_id IS OLD.user_id
    AND json_extract(NEW.record, '$.deleted') IS 1
    AND json_extract(NEW.record, '$.fields.given_name') IS NULL
    AND (SELECT COUNT(*) FROM json_each(NEW.record, '$.fields') WHERE key <> 'person_id') = 0
), 0)
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only (only a purge may blank a record)');
END;

DROP TRIGGER audit_is_append_only_update;
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
WHEN NOT COALESCE((
    NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.happened_at IS OLD.happened_at AND NEW.area_id IS OLD.area_id
    AND NEW.user_id IS OLD.user_id AND NEW.client_id IS OLD.client_id AND NEW.action = OLD.action
    AND NEW.person_id IS OLD.person_id AND NEW.record_id IS OLD.record_id AND NEW.kind IS OLD.kind
    AND NEW.changes IS NULL AND NEW.reason IS NULL AND NEW.detail IS 'details removed (purge)'
), 0)
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only (only a purge may blank old and new values)');
END;

-- That a person's details were removed, when, why and at whose request: no personal data.
CREATE TABLE purges (
    person_id    TEXT PRIMARY KEY NOT NULL,
    area_id      TEXT NOT NULL,
    purged_at    TEXT NOT NULL,
    why          TEXT NOT NULL,             -- retention | erasure
    requested_by TEXT,                      -- the coordinator, for an erasure request
    records      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX records_person_left ON records (area_id, kind) WHERE kind = 'person';
