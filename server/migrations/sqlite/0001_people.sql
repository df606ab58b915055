-- People on the register. The sync-engine issue replaces this with records and a change log.
CREATE TABLE people (
    id            TEXT PRIMARY KEY NOT NULL,  -- UUID v7 made on the device
    given_name    TEXT NOT NULL,
    family_name   TEXT NOT NULL,
    date_of_birth TEXT NOT NULL,              -- YYYY-MM-DD
    nhs_number    TEXT,                       -- ten digits, or NULL when not known
    created_at    TEXT NOT NULL               -- RFC 3339, when the server first stored it
) STRICT;

CREATE INDEX people_by_name ON people (family_name, given_name);
