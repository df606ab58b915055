-- A self-referral's short reference (DSR-7K4Q), given to the family to quote on the phone and to check
-- what happened to it with the child's date of birth, without an account (issue 16). It holds nothing
-- about anyone: the referral and person it points to are read, and checked, when it is used.
CREATE TABLE self_referral_references (
    reference   TEXT PRIMARY KEY NOT NULL,   -- DSR- and four characters, upper case
    area_id     TEXT NOT NULL REFERENCES areas (id),
    referral_id TEXT NOT NULL,
    person_id   TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;

CREATE INDEX self_referral_references_by_person ON self_referral_references (person_id);
