//! What a purge blanks and deletes, in PostgreSQL.

use dsr_shared::sync::Record;
use dsr_shared::{PersonId, RecordId};

use super::PostgresTransaction;
use crate::AppError;
use crate::storage::columns::FieldsColumns;
use crate::storage::retention::AUDIT_AREAS;
use crate::storage::{PurgeRow, RecordFields, RetentionStorage, to_json};

/// A person's entries in one area of the audit trail, blanked (found by `audit_by_area_person`).
const BLANK_AUDIT_IN_AREA: &str =
    "UPDATE audit SET changes = NULL, reason = NULL, detail = $1 WHERE area_id = $2 AND person_id = $3";
/// A person's entries in no area, blanked (by the same index).
const BLANK_AUDIT_IN_NO_AREA: &str =
    "UPDATE audit SET changes = NULL, reason = NULL, detail = $1 WHERE area_id IS NULL AND person_id = $2";

#[async_trait::async_trait]
impl RetentionStorage for PostgresTransaction {
    async fn people_who_left(&mut self, area: &str) -> Result<Vec<RecordFields>, AppError> {
        let rows: Vec<FieldsColumns> = sqlx::query_as(
            "SELECT id, kind, person_id, fields::text AS fields FROM records
             WHERE area_id = $1 AND kind = 'person' AND NOT deleted
               AND fields -> 'register_status' ->> 'status' = 'left'",
        )
        .bind(area)
        .fetch_all(self.db())
        .await?;
        rows.into_iter().map(FieldsColumns::read).collect()
    }

    async fn record_history(&mut self, record: RecordId) -> Result<Vec<(u64, u64)>, AppError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT change_seq, version FROM change_log WHERE record_id = $1")
            .bind(record.to_string())
            .fetch_all(self.db())
            .await?;
        Ok(rows.into_iter().map(|(seq, version)| (seq as u64, version as u64)).collect())
    }

    async fn blank_change(&mut self, change_seq: u64, blank: &Record) -> Result<(), AppError> {
        sqlx::query("UPDATE change_log SET record = $1::jsonb WHERE change_seq = $2")
            .bind(to_json(blank)?)
            .bind(change_seq as i64)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn blank_audit(&mut self, person: PersonId, detail: &str) -> Result<(), AppError> {
        let person = person.to_string();
        let areas: Vec<(String,)> = sqlx::query_as(AUDIT_AREAS).fetch_all(self.db()).await?;
        for (area,) in &areas {
            sqlx::query(BLANK_AUDIT_IN_AREA).bind(detail).bind(area).bind(&person).execute(self.db()).await?;
        }
        sqlx::query(BLANK_AUDIT_IN_NO_AREA).bind(detail).bind(&person).execute(self.db()).await?;
        Ok(())
    }

    async fn forget_person(&mut self, person: PersonId, records: &[RecordId]) -> Result<(), AppError> {
        let ids = super::texts(records);
        sqlx::query("DELETE FROM conflicts WHERE record_id = ANY($1)").bind(&ids).execute(self.db()).await?;
        sqlx::query("DELETE FROM person_match_keys WHERE person_id = ANY($1)").bind(&ids).execute(self.db()).await?;
        for table in ["caseload", "self_referral_references"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE person_id = $1"))
                .bind(person.to_string())
                .execute(self.db())
                .await?;
        }
        Ok(())
    }

    async fn add_purge(&mut self, purge: PurgeRow<'_>) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO purges (person_id, area_id, purged_at, why, requested_by, records) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (person_id) DO UPDATE SET purged_at = excluded.purged_at, records = excluded.records",
        )
        .bind(purge.person_id.to_string())
        .bind(purge.area_id)
        .bind(purge.purged_at.to_rfc3339())
        .bind(purge.why)
        .bind(purge.requested_by.map(|u| u.to_string()))
        .bind(purge.records as i64)
        .execute(self.db())
        .await?;
        Ok(())
    }
}
