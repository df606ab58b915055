-- Attempts at something limited (a password, an invitation code, a public form), counted per key
-- (a username, a client address, an area) and reserved before the secret is checked, in the same
-- transaction as the count, so parallel attempts cannot all pass the limit (issue 13). A failed
-- attempt keeps its row; a successful one removes it. Replaces login_failures.
CREATE TABLE attempts (
    id    INTEGER PRIMARY KEY,
    scope TEXT NOT NULL,
    key   TEXT NOT NULL,
    at    TEXT NOT NULL
) STRICT;

CREATE INDEX attempts_by_key ON attempts (scope, key, at);

DROP TABLE login_failures;

-- When a device was first synced by its user (each sign-in starts a new device): reads it reports
-- must fall between then and now. NULL for devices from before this column (the account's creation
-- is the bound then).
ALTER TABLE sync_clients ADD COLUMN claimed_at TEXT;
