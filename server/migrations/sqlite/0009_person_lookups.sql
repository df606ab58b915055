-- Finding the people a person being added may already be (same NHS number, or same names and date of
-- birth), so the same person is never on the register twice (issue 12). Each person on the register (not
-- deleted, not left) has a row per key (`dsr_shared::person::match_keys`), kept in step with every write
-- of the person's record; a push looks its people up here, one indexed lookup each.
CREATE TABLE person_match_keys (
    area_id   TEXT NOT NULL,
    key       TEXT NOT NULL,
    person_id TEXT NOT NULL,
    PRIMARY KEY (area_id, key, person_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX person_match_keys_by_person ON person_match_keys (person_id);
