-- An area's audit trail is listed newest first (the audit page, before any filter): found by area in
-- entry order, rather than the whole area's trail read and sorted for each page. The index by area
-- and action served the self-referral limits' counts, which have counted in `attempts` since 0010:
-- nothing reads it, and every audit entry written paid for it.
DROP INDEX audit_by_area_action;
CREATE INDEX audit_by_area ON audit (area_id, id);
