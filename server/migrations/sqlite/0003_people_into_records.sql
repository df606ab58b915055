-- People created through the skeleton's /api/people become sync records (version 1), each with its
-- change-log entry, made by the migration's own client id; then the old table goes.

INSERT INTO records (id, kind, version, fields, deleted, change_seq)
SELECT id, 'person', 1,
       CASE WHEN nhs_number IS NULL
            THEN json_object('given_name', given_name, 'family_name', family_name, 'date_of_birth', date_of_birth)
            ELSE json_object('given_name', given_name, 'family_name', family_name, 'date_of_birth', date_of_birth,
                             'nhs_number', nhs_number)
       END,
       0,
       (SELECT COALESCE(MAX(change_seq), 0) FROM change_log) + ROW_NUMBER() OVER (ORDER BY created_at, id)
FROM people;

INSERT INTO change_log (change_seq, record_id, kind, version, record, client_id, client_seq, at)
SELECT r.change_seq, r.id, 'person', 1,
       json_object('id', r.id, 'kind', 'person', 'version', 1, 'fields', json(r.fields), 'deleted', json('false')),
       '00000000-0000-7000-8000-00000000a161', r.change_seq, p.created_at
FROM records r JOIN people p ON p.id = r.id;

DROP TABLE people;
