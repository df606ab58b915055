-- Fewer indexes to update on every write (each push writes a log entry, a record and an audit entry):
-- the audit trail is listed per area by person or by user, and nothing looks records up by area.
DROP INDEX audit_by_person;
DROP INDEX audit_by_user;
DROP INDEX audit_by_area;
CREATE INDEX audit_by_area_person ON audit (area_id, person_id, id);
CREATE INDEX audit_by_area_user ON audit (area_id, user_id, id) WHERE user_id IS NOT NULL;
DROP INDEX records_by_area;
