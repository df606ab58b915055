-- Finding the people a person being added may already be (same NHS number or date of birth), so the
-- same person is never on the register twice (issue 12): expression indexes the duplicate check uses.
CREATE INDEX records_person_nhs_number ON records (area_id, (fields ->> '$.nhs_number')) WHERE kind = 'person';
CREATE INDEX records_person_date_of_birth ON records (area_id, (fields ->> '$.date_of_birth')) WHERE kind = 'person';
