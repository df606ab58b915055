-- An area's audit trail is listed newest first (the audit page, before any filter): found by area in
-- entry order, rather than the whole area's trail read and sorted for each page. Nothing reads the
-- index by area and action (the self-referral limits count in `attempts`), and every audit entry
-- written paid for it.
DROP INDEX audit_by_area_action;
CREATE INDEX audit_by_area ON audit (area_id, id);
