-- The Dynamic Support Register's schema on PostgreSQL: the same tables as SQLite's migrations leave,
-- in one step (PostgreSQL has no databases from before). Ids are text (UUIDs, and "purge" for the
-- retention job's changes); times are RFC 3339 text as the server wrote them (kept to the nanosecond,
-- compared as text: every time is written in the same form, UTC); JSON is jsonb.

-- The change log's last number: a write transaction locks this row first, so writers take turns and
-- the log's numbers are given in commit order with no gaps (SQLite's single writer does the same).
CREATE TABLE change_counter (
    id   integer PRIMARY KEY CHECK (id = 1),
    last bigint NOT NULL
);
INSERT INTO change_counter (id, last) VALUES (1, 0);

CREATE TABLE areas (
    id         text PRIMARY KEY,
    name       text NOT NULL UNIQUE,
    created_at text NOT NULL
);

CREATE TABLE users (
    id            text PRIMARY KEY,
    area_id       text NOT NULL REFERENCES areas (id),
    username      text UNIQUE,                  -- lower case; NULL until an invited family sets theirs
    display_name  text NOT NULL,
    role          text NOT NULL,
    password_hash text,                         -- argon2id PHC string; NULL until an invite is accepted
    disabled_at   text,
    created_at    text NOT NULL,
    created_by    text,
    young_person  boolean NOT NULL DEFAULT false
);
CREATE INDEX users_by_area ON users (area_id);

CREATE TABLE sessions (
    token_hash text PRIMARY KEY,                -- SHA-256 of the cookie's token
    user_id    text NOT NULL REFERENCES users (id),
    created_at text NOT NULL,
    expires_at text NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

CREATE TABLE invites (
    code_hash  text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id),
    created_at text NOT NULL,
    expires_at text NOT NULL,
    used_at    text
);

CREATE TABLE caseload (
    user_id   text NOT NULL REFERENCES users (id),
    person_id text NOT NULL,
    added_at  text NOT NULL,
    added_by  text NOT NULL,
    PRIMARY KEY (user_id, person_id)
);
CREATE INDEX caseload_by_person ON caseload (person_id);

CREATE TABLE records (
    id         text PRIMARY KEY,
    kind       text NOT NULL,
    version    bigint NOT NULL,
    fields     jsonb NOT NULL,
    deleted    boolean NOT NULL DEFAULT false,
    change_seq bigint NOT NULL,
    area_id    text,
    person_id  text
);
CREATE INDEX records_by_person ON records (person_id);
CREATE INDEX records_by_area_kind ON records (area_id, kind);

CREATE TABLE change_log (
    change_seq bigint PRIMARY KEY,
    record_id  text NOT NULL,
    kind       text NOT NULL,
    version    bigint NOT NULL,
    record     jsonb NOT NULL,
    client_id  text NOT NULL,
    client_seq bigint NOT NULL,
    at         text NOT NULL,
    user_id    text
);
CREATE INDEX change_log_by_record ON change_log (record_id, change_seq);

-- Append-only: the one change allowed is a purge blanking a record's earlier state (a deleted record
-- whose fields hold nothing but its person).
CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.change_seq = OLD.change_seq AND NEW.record_id = OLD.record_id AND NEW.kind = OLD.kind
       AND NEW.version = OLD.version AND NEW.client_id = OLD.client_id AND NEW.client_seq = OLD.client_seq
       AND NEW.at = OLD.at AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id
       AND NEW.record -> 'deleted' = 'true'::jsonb
       AND NOT EXISTS (SELECT 1 FROM jsonb_object_keys(COALESCE(NEW.record -> 'fields', '{}'::jsonb)) k
                       WHERE k <> 'person_id')
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the change log is append-only (only a purge may blank a record)';
END;
$$;
CREATE TRIGGER change_log_is_append_only BEFORE UPDATE OR DELETE ON change_log
    FOR EACH ROW EXECUTE FUNCTION change_log_append_only();
CREATE TRIGGER change_log_is_never_truncated BEFORE TRUNCATE ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION change_log_append_only();

CREATE TABLE sync_clients (
    client_id    text PRIMARY KEY,
    last_seq     bigint NOT NULL,
    user_id      text,
    view_no      bigint NOT NULL DEFAULT 0,
    view         jsonb,
    prev_view_no bigint,
    prev_view    jsonb,
    claimed_at   text
);

-- Exactly once per (client, seq): the answer is kept under its key and given again on a resend.
CREATE TABLE client_mutations (
    client_id text NOT NULL,
    seq       bigint NOT NULL,
    result    jsonb NOT NULL,
    at        text NOT NULL,
    PRIMARY KEY (client_id, seq)
);

CREATE TABLE conflicts (
    id          text PRIMARY KEY,
    record_id   text NOT NULL,
    kind        text NOT NULL,
    field       text NOT NULL,
    base        jsonb NOT NULL,
    theirs      jsonb NOT NULL,
    ours        jsonb NOT NULL,
    client_id   text NOT NULL,
    client_seq  bigint NOT NULL,
    at          text NOT NULL,
    resolved_at text,
    area_id     text
);
CREATE INDEX conflicts_by_record ON conflicts (record_id);

CREATE TABLE audit (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          text NOT NULL,
    happened_at text,
    area_id     text,
    user_id     text,
    client_id   text,
    action      text NOT NULL,
    person_id   text,
    record_id   text,
    kind        text,
    changes     jsonb,
    reason      text,
    detail      text
);
CREATE INDEX audit_by_area_person ON audit (area_id, person_id, id);
CREATE INDEX audit_by_area_user ON audit (area_id, user_id, id) WHERE user_id IS NOT NULL;
CREATE INDEX audit_by_area_action ON audit (area_id, action, at);

-- Append-only: the one change allowed is a purge blanking old and new values, reasons and details.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.id = OLD.id AND NEW.at = OLD.at AND NEW.happened_at IS NOT DISTINCT FROM OLD.happened_at
       AND NEW.area_id IS NOT DISTINCT FROM OLD.area_id AND NEW.user_id IS NOT DISTINCT FROM OLD.user_id
       AND NEW.client_id IS NOT DISTINCT FROM OLD.client_id AND NEW.action = OLD.action
       AND NEW.person_id IS NOT DISTINCT FROM OLD.person_id AND NEW.record_id IS NOT DISTINCT FROM OLD.record_id
       AND NEW.kind IS NOT DISTINCT FROM OLD.kind
       AND NEW.changes IS NULL AND NEW.reason IS NULL AND NEW.detail IS NOT DISTINCT FROM 'details removed (purge)'
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only (only a purge may blank old and new values)';
END;
$$;
CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_is_never_truncated BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

CREATE TABLE audit_device_events (
    id text PRIMARY KEY
);

CREATE TABLE area_policies (
    area_id    text NOT NULL REFERENCES areas (id),
    version    bigint NOT NULL,
    policy     jsonb NOT NULL,
    changed_at text NOT NULL,
    changed_by text NOT NULL REFERENCES users (id),
    reason     text,
    PRIMARY KEY (area_id, version)
);

CREATE FUNCTION area_policies_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'policy versions are append-only';
END;
$$;
CREATE TRIGGER area_policies_are_append_only BEFORE UPDATE OR DELETE ON area_policies
    FOR EACH ROW EXECUTE FUNCTION area_policies_append_only();
CREATE TRIGGER area_policies_are_never_truncated BEFORE TRUNCATE ON area_policies
    FOR EACH STATEMENT EXECUTE FUNCTION area_policies_append_only();

CREATE TABLE purges (
    person_id    text PRIMARY KEY,
    area_id      text NOT NULL,
    purged_at    text NOT NULL,
    why          text NOT NULL,
    requested_by text,
    records      bigint NOT NULL
);

CREATE TABLE person_match_keys (
    area_id   text NOT NULL,
    key       text NOT NULL,
    person_id text NOT NULL,
    PRIMARY KEY (area_id, key, person_id)
);
CREATE INDEX person_match_keys_by_person ON person_match_keys (person_id);

CREATE TABLE attempts (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scope text NOT NULL,
    key   text NOT NULL,
    at    text NOT NULL
);
CREATE INDEX attempts_by_key ON attempts (scope, key, at);

CREATE TABLE self_referral_references (
    reference   text PRIMARY KEY,
    area_id     text NOT NULL REFERENCES areas (id),
    referral_id text NOT NULL,
    person_id   text NOT NULL,
    created_at  text NOT NULL
);
CREATE INDEX self_referral_references_by_person ON self_referral_references (person_id);

CREATE TABLE password_resets (
    code_hash  text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id),
    created_at text NOT NULL,
    created_by text NOT NULL,
    expires_at text NOT NULL,
    used_at    text
);
CREATE INDEX password_resets_by_user ON password_resets (user_id);

CREATE TABLE device_recovery (
    user_id    text NOT NULL REFERENCES users (id),
    client_id  text NOT NULL,
    secret     text NOT NULL,
    created_at text NOT NULL,
    PRIMARY KEY (user_id, client_id)
);
