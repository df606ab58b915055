//! The sync aggregate in PostgreSQL. Rows of a batch travel as one jsonb array per statement, lists
//! of ids as one text array (`= ANY($n)`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use dsr_shared::access::View;
use dsr_shared::sync::{Change, Conflict, Fields, PushResult, Record, RecordKind};
use dsr_shared::{PersonId, RecordId, UserId};
use serde_json::{Value, json};

use super::{PostgresTransaction, texts};
use crate::AppError;
use crate::storage::columns::{ConflictColumns, DeviceColumns, FieldsColumns, RecordColumns};
use crate::storage::{
    Author, ConflictRow, DeviceRow, LogEntry, LoggedChange, RecordFields, StoredRecord, SyncStorage, from_id,
    from_json, to_json,
};

const RECORD_COLUMNS: &str = "id, kind, version, fields::text AS fields, deleted, area_id, change_seq";

#[async_trait::async_trait]
impl SyncStorage for PostgresTransaction {
    async fn device(&mut self, client: &str) -> Result<Option<DeviceRow>, AppError> {
        let row: Option<DeviceColumns> = sqlx::query_as(
            "SELECT last_seq, user_id, claimed_at, view_no, view::text AS view, prev_view_no, prev_view::text AS prev_view
             FROM sync_clients WHERE client_id = $1",
        )
        .bind(client)
        .fetch_optional(self.db())
        .await?;
        row.map(DeviceColumns::read).transpose()
    }

    async fn add_device(&mut self, client: &str, owner: UserId, now: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query("INSERT INTO sync_clients (client_id, last_seq, user_id, claimed_at) VALUES ($1, 0, $2, $3)")
            .bind(client)
            .bind(owner.to_string())
            .bind(now.to_rfc3339())
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn claim_device(&mut self, client: &str, owner: UserId, now: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query("UPDATE sync_clients SET user_id = $1, claimed_at = $2 WHERE client_id = $3")
            .bind(owner.to_string())
            .bind(now.to_rfc3339())
            .bind(client)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn set_device_view(
        &mut self,
        client: &str,
        view_no: u64,
        view: &View,
        previous: Option<(u64, &View)>,
    ) -> Result<(), AppError> {
        sqlx::query(
            "UPDATE sync_clients SET view_no = $1, view = $2::jsonb, prev_view_no = $3, prev_view = $4::jsonb
             WHERE client_id = $5",
        )
        .bind(view_no as i64)
        .bind(to_json(view)?)
        .bind(previous.map(|(n, _)| n as i64))
        .bind(previous.map(|(_, v)| to_json(v)).transpose()?)
        .bind(client)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn stored_answers(
        &mut self,
        client: &str,
        low: u64,
        high: u64,
    ) -> Result<BTreeMap<u64, PushResult>, AppError> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT seq, result::text FROM client_mutations WHERE client_id = $1 AND seq BETWEEN $2 AND $3",
        )
        .bind(client)
        .bind(low as i64)
        .bind(high as i64)
        .fetch_all(self.db())
        .await?;
        rows.into_iter().map(|(seq, result)| Ok((seq as u64, from_json(&result, "stored answer")?))).collect()
    }

    async fn records(&mut self, ids: &BTreeSet<RecordId>) -> Result<Vec<StoredRecord>, AppError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<RecordColumns> =
            sqlx::query_as(&format!("SELECT {RECORD_COLUMNS} FROM records WHERE id = ANY($1)"))
                .bind(texts(ids))
                .fetch_all(self.db())
                .await?;
        rows.into_iter().map(RecordColumns::read).collect()
    }

    async fn person_records(&mut self, person: PersonId, area: &str) -> Result<Vec<StoredRecord>, AppError> {
        let rows: Vec<RecordColumns> =
            sqlx::query_as(&format!("SELECT {RECORD_COLUMNS} FROM records WHERE person_id = $1 AND area_id = $2"))
                .bind(person.to_string())
                .bind(area)
                .fetch_all(self.db())
                .await?;
        rows.into_iter().map(RecordColumns::read).collect()
    }

    async fn records_about(
        &mut self,
        kind: RecordKind,
        people: &BTreeSet<PersonId>,
    ) -> Result<Vec<RecordFields>, AppError> {
        if people.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<FieldsColumns> = sqlx::query_as(
            "SELECT id, kind, person_id, fields::text AS fields FROM records
             WHERE person_id = ANY($1) AND kind = $2 AND NOT deleted",
        )
        .bind(texts(people))
        .bind(kind.name())
        .fetch_all(self.db())
        .await?;
        rows.into_iter().map(FieldsColumns::read).collect()
    }

    async fn records_in_area(&mut self, area: &str, kinds: &[RecordKind]) -> Result<Vec<RecordFields>, AppError> {
        let rows: Vec<FieldsColumns> = sqlx::query_as(
            "SELECT id, kind, person_id, fields::text AS fields FROM records
             WHERE area_id = $1 AND NOT deleted AND kind = ANY($2)",
        )
        .bind(area)
        .bind(kinds.iter().map(|k| k.name().to_string()).collect::<Vec<_>>())
        .fetch_all(self.db())
        .await?;
        rows.into_iter().map(FieldsColumns::read).collect()
    }

    async fn people_in_area(
        &mut self,
        area: &str,
        people: &BTreeSet<PersonId>,
    ) -> Result<BTreeSet<PersonId>, AppError> {
        if people.is_empty() {
            return Ok(BTreeSet::new());
        }
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM records WHERE id = ANY($1) AND kind = 'person' AND NOT deleted AND area_id = $2",
        )
        .bind(texts(people))
        .bind(area)
        .fetch_all(self.db())
        .await?;
        rows.iter().map(|(id,)| from_id(id, "person id")).collect()
    }

    async fn person_in_area(&mut self, area: &str, person: PersonId, deleted_too: bool) -> Result<bool, AppError> {
        let row: Option<(i32,)> = sqlx::query_as(
            "SELECT 1 FROM records WHERE id = $1 AND kind = 'person' AND area_id = $2 AND ($3 OR NOT deleted)",
        )
        .bind(person.to_string())
        .bind(area)
        .bind(deleted_too)
        .fetch_optional(self.db())
        .await?;
        Ok(row.is_some())
    }

    async fn last_change_seq(&mut self) -> Result<u64, AppError> {
        let (last,): (i64,) =
            sqlx::query_as("SELECT last FROM change_counter WHERE id = 1").fetch_one(self.db()).await?;
        Ok(last as u64)
    }

    async fn append_changes(&mut self, entries: &[LogEntry<'_>], author: Author<'_>) -> Result<(), AppError> {
        let Some(last) = entries.iter().map(|e| e.change_seq).max() else { return Ok(()) };
        let rows = entries
            .iter()
            .map(|e| {
                Ok(json!([
                    e.change_seq,
                    e.record.id,
                    e.record.kind.name(),
                    e.record.version,
                    serde_json::to_value(e.record).map_err(|e| AppError::Corrupt(format!("cannot encode: {e}")))?,
                    e.client_seq
                ]))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        sqlx::query(
            "INSERT INTO change_log (change_seq, record_id, kind, version, record, client_id, client_seq, at, user_id)
             SELECT (v ->> 0)::bigint, v ->> 1, v ->> 2, (v ->> 3)::bigint, v -> 4, $1, (v ->> 5)::bigint, $2, $3
             FROM jsonb_array_elements($4::jsonb) WITH ORDINALITY AS e (v, n) ORDER BY n",
        )
        .bind(author.client_id)
        .bind(author.at.to_rfc3339())
        .bind(author.user_id.map(|u| u.to_string()))
        .bind(Value::Array(rows).to_string())
        .execute(self.db())
        .await?;
        sqlx::query("UPDATE change_counter SET last = GREATEST(last, $1) WHERE id = 1")
            .bind(last as i64)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn save_records(&mut self, area: &str, records: &[(&Record, u64)]) -> Result<(), AppError> {
        if records.is_empty() {
            return Ok(());
        }
        // A record changed twice in one write: its last state wins.
        let mut rows: BTreeMap<RecordId, Value> = BTreeMap::new();
        for (record, change_seq) in records {
            rows.insert(
                record.id,
                json!([
                    record.id,
                    record.kind.name(),
                    record.version,
                    record.fields,
                    record.deleted,
                    change_seq,
                    record.person_id()
                ]),
            );
        }
        sqlx::query(
            "INSERT INTO records (id, kind, version, fields, deleted, change_seq, area_id, person_id)
             SELECT v ->> 0, v ->> 1, (v ->> 2)::bigint, v -> 3, (v ->> 4)::boolean, (v ->> 5)::bigint, $1, v ->> 6
             FROM jsonb_array_elements($2::jsonb) AS e (v)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, fields = excluded.fields,
                 deleted = excluded.deleted, change_seq = excluded.change_seq",
        )
        .bind(area)
        .bind(Value::Array(rows.into_values().collect()).to_string())
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn store_answers(
        &mut self,
        client: &str,
        answers: &[PushResult],
        last_seq: u64,
        at: DateTime<Utc>,
    ) -> Result<(), AppError> {
        if answers.is_empty() {
            return Ok(());
        }
        let rows = answers
            .iter()
            .map(|r| {
                let answer = serde_json::to_value(r).map_err(|e| AppError::Corrupt(format!("cannot encode: {e}")))?;
                Ok(json!([r.seq, answer]))
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        sqlx::query(
            "INSERT INTO client_mutations (client_id, seq, result, at)
             SELECT $1, (v ->> 0)::bigint, v -> 1, $2 FROM jsonb_array_elements($3::jsonb) AS e (v)",
        )
        .bind(client)
        .bind(at.to_rfc3339())
        .bind(Value::Array(rows).to_string())
        .execute(self.db())
        .await?;
        sqlx::query("UPDATE sync_clients SET last_seq = $1 WHERE client_id = $2")
            .bind(last_seq as i64)
            .bind(client)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn add_conflicts(&mut self, area: &str, client: &str, conflicts: &[Conflict]) -> Result<(), AppError> {
        for conflict in conflicts {
            sqlx::query(
                "INSERT INTO conflicts (id, record_id, kind, field, base, theirs, ours, client_id, client_seq, at, area_id)
                 VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7::jsonb, $8, $9, $10, $11)",
            )
            .bind(&conflict.id)
            .bind(conflict.record_id.to_string())
            .bind(conflict.kind.name())
            .bind(&conflict.field)
            .bind(to_json(&conflict.base)?)
            .bind(to_json(&conflict.theirs)?)
            .bind(to_json(&conflict.ours)?)
            .bind(client)
            .bind(conflict.client_seq as i64)
            .bind(conflict.at.to_rfc3339())
            .bind(area)
            .execute(self.db())
            .await?;
        }
        Ok(())
    }

    async fn log_page(
        &mut self,
        area: &str,
        after: u64,
        caseload_of: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<LoggedChange>, AppError> {
        // The caseload's user is the last parameter, there only when the page is scoped to it. A caseload's
        // page is found from the records changed since the cursor, as on SQLite (`records_changed_by_person`).
        let sql = if caseload_of.is_some() {
            "SELECT c.change_seq, c.record::text, c.client_id FROM records r
             JOIN change_log c ON c.record_id = r.id AND c.change_seq > $1
             WHERE r.person_id IN (SELECT person_id FROM caseload WHERE user_id = $4) AND r.change_seq > $1
               AND r.area_id = $2
             ORDER BY c.change_seq LIMIT $3"
        } else {
            "SELECT c.change_seq, c.record::text, c.client_id FROM change_log c JOIN records r ON r.id = c.record_id
             WHERE c.change_seq > $1 AND r.area_id = $2 ORDER BY c.change_seq LIMIT $3"
        };
        let mut query = sqlx::query_as(sql).bind(after as i64).bind(area).bind(i64::from(limit));
        if let Some(user) = caseload_of {
            query = query.bind(user.to_string());
        }
        let rows: Vec<(i64, String, String)> = query.fetch_all(self.db()).await?;
        rows.into_iter()
            .map(|(seq, record, client_id)| {
                let change = Change { change_seq: seq as u64, record: from_json(&record, "change log")? };
                Ok(LoggedChange { change, client_id })
            })
            .collect()
    }

    async fn open_conflicts(&mut self, area: &str) -> Result<Vec<ConflictRow>, AppError> {
        let rows: Vec<ConflictColumns> = sqlx::query_as(
            "SELECT c.id, c.record_id, c.kind, c.field, c.base::text AS base, c.theirs::text AS theirs,
                    c.ours::text AS ours, c.client_id, c.client_seq, c.at, r.person_id, r.fields ->> 'review_id' AS review_id
             FROM conflicts c JOIN records r ON r.id = c.record_id
             WHERE c.resolved_at IS NULL AND r.area_id = $1 ORDER BY c.at, c.id",
        )
        .bind(area)
        .fetch_all(self.db())
        .await?;
        rows.into_iter().map(ConflictColumns::read).collect()
    }

    async fn people_with_keys(&mut self, area: &str, keys: &[String]) -> Result<Vec<(RecordId, Fields)>, AppError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT r.id, r.fields::text FROM records r WHERE r.kind = 'person' AND NOT r.deleted AND r.id IN (
                 SELECT k.person_id FROM person_match_keys k WHERE k.area_id = $1 AND k.key = ANY($2))",
        )
        .bind(area)
        .bind(keys)
        .fetch_all(self.db())
        .await?;
        rows.iter().map(|(id, fields)| Ok((from_id(id, "person id")?, from_json(fields, "person fields")?))).collect()
    }

    async fn set_match_keys(&mut self, area: &str, people: &[(RecordId, Vec<String>)]) -> Result<(), AppError> {
        if people.is_empty() {
            return Ok(());
        }
        sqlx::query("DELETE FROM person_match_keys WHERE person_id = ANY($1)")
            .bind(texts(people.iter().map(|(id, _)| id)))
            .execute(self.db())
            .await?;
        let (keys, ids): (Vec<String>, Vec<String>) =
            people.iter().flat_map(|(id, keys)| keys.iter().map(move |k| (k.clone(), id.to_string()))).unzip();
        if keys.is_empty() {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO person_match_keys (area_id, key, person_id)
             SELECT $1, k, p FROM UNNEST($2::text[], $3::text[]) AS u (k, p) ON CONFLICT DO NOTHING",
        )
        .bind(area)
        .bind(keys)
        .bind(ids)
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn match_key_count(&mut self) -> Result<u64, AppError> {
        let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM person_match_keys").fetch_one(self.db()).await?;
        Ok(keys as u64)
    }

    async fn live_people(&mut self) -> Result<Vec<(RecordFields, Option<String>)>, AppError> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT id, fields::text, area_id FROM records WHERE kind = 'person' AND NOT deleted")
                .fetch_all(self.db())
                .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(id, fields, area)| {
                let id: RecordId = id.parse().ok()?;
                let fields: Fields = serde_json::from_str(&fields).ok()?;
                let person = Some(PersonId::from_uuid(id.as_uuid()));
                Some((RecordFields { id, kind: RecordKind::Person, person_id: person, fields }, area))
            })
            .collect())
    }
}
