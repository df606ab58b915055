-- Accounts, need-to-know access and the audit trail (issue 5).
-- Several areas share one deployment: every user, record and audit entry belongs to one area.

CREATE TABLE areas (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY NOT NULL,
    area_id       TEXT NOT NULL REFERENCES areas (id),
    username      TEXT UNIQUE,                  -- lower case; NULL until an invited family sets theirs
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,                -- dsr_shared::access::Role
    password_hash TEXT,                         -- argon2id PHC string; NULL until an invite is accepted
    disabled_at   TEXT,
    created_at    TEXT NOT NULL,
    created_by    TEXT                          -- NULL for the first coordinator (server command)
) STRICT;

CREATE INDEX users_by_area ON users (area_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY NOT NULL,       -- SHA-256 of the cookie's token: a stolen database opens no session
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE invites (
    code_hash  TEXT PRIMARY KEY NOT NULL,       -- SHA-256 of the one-time code
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;

CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at       TEXT NOT NULL
) STRICT;

CREATE INDEX login_failures_by_username ON login_failures (username, at);

-- Who is assigned to whom: a keyworker's caseload, an advocate's or panel member's people, what a
-- referrer submitted, a family's own child.
CREATE TABLE caseload (
    user_id   TEXT NOT NULL REFERENCES users (id),
    person_id TEXT NOT NULL,
    added_at  TEXT NOT NULL,
    added_by  TEXT NOT NULL,
    PRIMARY KEY (user_id, person_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX caseload_by_person ON caseload (person_id);

-- The audit trail: every read of a person's record and every change, append-only.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,                  -- when the server recorded it (RFC 3339)
    happened_at TEXT,                           -- when it happened on the device, when told by one
    area_id     TEXT,
    user_id     TEXT,
    client_id   TEXT,
    action      TEXT NOT NULL,                  -- e.g. record.update, person.sent, person.viewed, session.login
    person_id   TEXT,
    record_id   TEXT,
    kind        TEXT,
    changes     TEXT,                           -- JSON {field: {old, new}}
    reason      TEXT,
    detail      TEXT
) STRICT;

CREATE INDEX audit_by_person ON audit (person_id, id);
CREATE INDEX audit_by_user ON audit (user_id, id);
CREATE INDEX audit_by_area ON audit (area_id, id);

CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- Device-reported reads are sent again after a lost answer: each is recorded once.
CREATE TABLE audit_device_events (
    id TEXT PRIMARY KEY NOT NULL
) STRICT, WITHOUT ROWID;

-- Every record belongs to an area and (except DSR meetings) to one person, which never changes.
-- Records from before accounts join the first area made (see accounts_store).
ALTER TABLE records ADD COLUMN area_id TEXT;
ALTER TABLE records ADD COLUMN person_id TEXT;
UPDATE records SET person_id = id WHERE kind = 'person';
CREATE INDEX records_by_person ON records (person_id);
CREATE INDEX records_by_area ON records (area_id, change_seq);

ALTER TABLE change_log ADD COLUMN user_id TEXT;

-- Each device belongs to one user; what it was last told it may hold (its view), with the one before,
-- so that a lost answer can be asked for again.
ALTER TABLE sync_clients ADD COLUMN user_id TEXT;
ALTER TABLE sync_clients ADD COLUMN view_no INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sync_clients ADD COLUMN view TEXT;
ALTER TABLE sync_clients ADD COLUMN prev_view_no INTEGER;
ALTER TABLE sync_clients ADD COLUMN prev_view TEXT;

ALTER TABLE conflicts ADD COLUMN area_id TEXT;
