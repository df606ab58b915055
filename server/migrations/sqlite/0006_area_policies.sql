-- Each area's policy (issue 5: each area has its own users and policy; issue 6: coordinators edit it).
-- Every version is kept: a changed policy is a new row, never an update, so what applied when stays known.

CREATE TABLE area_policies (
    area_id    TEXT NOT NULL REFERENCES areas (id),
    version    INTEGER NOT NULL,                -- 1, 2, ... per area; no row means the handbook's defaults
    policy     TEXT NOT NULL,                   -- JSON of dsr_shared::policy::AreaPolicy
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL REFERENCES users (id),
    reason     TEXT,
    PRIMARY KEY (area_id, version)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER area_policies_are_append_only_update BEFORE UPDATE ON area_policies
BEGIN
    SELECT RAISE(ABORT, 'policy versions are append-only');
END;

CREATE TRIGGER area_policies_are_append_only_delete BEFORE DELETE ON area_policies
BEGIN
    SELECT RAISE(ABORT, 'policy versions are append-only');
END;
