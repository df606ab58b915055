-- Getting back in (issue 16): one-time password reset codes a coordinator issues, and the secret each
-- device's data key is also wrapped by, so a reset does not lose what the device has not sent.

CREATE TABLE password_resets (
    code_hash  TEXT PRIMARY KEY NOT NULL,       -- SHA-256 of the one-time code
    user_id    TEXT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;

CREATE INDEX password_resets_by_user ON password_resets (user_id);

-- The server already holds everything a device has sent; this opens only what it has not (its outbox
-- and drafts), and only for a signed-in session of the device's own user.
CREATE TABLE device_recovery (
    user_id    TEXT NOT NULL REFERENCES users (id),
    client_id  TEXT NOT NULL,
    secret     TEXT NOT NULL,                   -- 32 random bytes, hex
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, client_id)
) STRICT, WITHOUT ROWID;
