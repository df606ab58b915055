-- A person's records of one kind (their consents, a family's reviews) are read on every push and
-- pull: found by person and kind, rather than by reading every record about the person (years of
-- visit notes). The index still serves every lookup by person alone.
DROP INDEX records_by_person;
CREATE INDEX records_by_person ON records (person_id, kind);
