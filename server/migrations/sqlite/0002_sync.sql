-- The sync engine: records (envelopes), an append-only change log with gap-free numbers, each
-- device's processed mutations with their stored answers, and conflicts for a person to resolve.

CREATE TABLE records (
    id         TEXT PRIMARY KEY NOT NULL,   -- UUID v7 made on the device
    kind       TEXT NOT NULL,
    version    INTEGER NOT NULL,            -- up by one per accepted change
    fields     TEXT NOT NULL,               -- JSON object
    deleted    INTEGER NOT NULL DEFAULT 0,  -- tombstone
    change_seq INTEGER NOT NULL             -- the change that made this state
) STRICT;

CREATE TABLE change_log (
    change_seq INTEGER PRIMARY KEY NOT NULL, -- gap-free: assigned inside the single writer transaction
    record_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    record     TEXT NOT NULL,                -- JSON of the record after the change
    client_id  TEXT NOT NULL,                -- who made it (the audit trail of writes)
    client_seq INTEGER NOT NULL,
    at         TEXT NOT NULL                 -- RFC 3339
) STRICT;

CREATE INDEX change_log_by_record ON change_log (record_id, change_seq);

CREATE TRIGGER change_log_is_append_only_update BEFORE UPDATE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;

CREATE TRIGGER change_log_is_append_only_delete BEFORE DELETE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'the change log is append-only');
END;

CREATE TABLE sync_clients (
    client_id TEXT PRIMARY KEY NOT NULL,
    last_seq  INTEGER NOT NULL
) STRICT;

CREATE TABLE client_mutations (
    client_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    result    TEXT NOT NULL,                 -- JSON: the answer, returned again on a resend
    at        TEXT NOT NULL,
    PRIMARY KEY (client_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE conflicts (
    id          TEXT PRIMARY KEY NOT NULL,   -- client:seq:field
    record_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    field       TEXT NOT NULL,
    base        TEXT NOT NULL,               -- JSON values
    theirs      TEXT NOT NULL,
    ours        TEXT NOT NULL,
    client_id   TEXT NOT NULL,
    client_seq  INTEGER NOT NULL,
    at          TEXT NOT NULL,
    resolved_at TEXT
) STRICT;

CREATE INDEX conflicts_by_record ON conflicts (record_id);
