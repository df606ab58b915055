//! What a purge blanks and deletes, in SQLite.

use dsr_shared::sync::Record;
use dsr_shared::{PersonId, RecordId};

use super::SqliteTransaction;
use crate::AppError;
use crate::storage::columns::FieldsColumns;
use crate::storage::retention::AUDIT_AREAS;
use crate::storage::{PurgeRow, RecordFields, RetentionStorage, to_json};

/// A person's entries in one area of the audit trail, blanked (found by `audit_by_area_person`).
const BLANK_AUDIT_IN_AREA: &str =
    "UPDATE audit SET changes = NULL, reason = NULL, detail = ? WHERE area_id = ? AND person_id = ?";
/// A person's entries in no area, blanked (by the same index).
const BLANK_AUDIT_IN_NO_AREA: &str =
    "UPDATE audit SET changes = NULL, reason = NULL, detail = ? WHERE area_id IS NULL AND person_id = ?";

#[async_trait::async_trait]
impl RetentionStorage for SqliteTransaction {
    async fn people_who_left(&mut self, area: &str) -> Result<Vec<RecordFields>, AppError> {
        let rows: Vec<FieldsColumns> = sqlx::query_as(
            "SELECT id, kind, person_id, fields FROM records
             WHERE area_id = ? AND kind = 'person' AND deleted = 0
               AND fields ->> '$.register_status.status' = 'left'",
        )
        .bind(area)
        .fetch_all(self.db())
        .await?;
        rows.into_iter().map(FieldsColumns::read).collect()
    }

    async fn record_history(&mut self, record: RecordId) -> Result<Vec<(u64, u64)>, AppError> {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT change_seq, version FROM change_log WHERE record_id = ?")
            .bind(record.to_string())
            .fetch_all(self.db())
            .await?;
        Ok(rows.into_iter().map(|(seq, version)| (seq as u64, version as u64)).collect())
    }

    async fn blank_change(&mut self, change_seq: u64, blank: &Record) -> Result<(), AppError> {
        sqlx::query("UPDATE change_log SET record = ? WHERE change_seq = ?")
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
        let ids = to_json(records)?;
        sqlx::query("DELETE FROM conflicts WHERE record_id IN (SELECT value FROM json_each(?))")
            .bind(&ids)
            .execute(self.db())
            .await?;
        sqlx::query("DELETE FROM person_match_keys WHERE person_id IN (SELECT value FROM json_each(?))")
            .bind(&ids)
            .execute(self.db())
            .await?;
        for table in ["caseload", "self_referral_references"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE person_id = ?"))
                .bind(person.to_string())
                .execute(self.db())
                .await?;
        }
        Ok(())
    }

    async fn add_purge(&mut self, purge: PurgeRow<'_>) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO purges (person_id, area_id, purged_at, why, requested_by, records) VALUES (?, ?, ?, ?, ?, ?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::sqlite::query_plan;

    /// A purge's blanking of the audit trail searches the trail's indexes, area by area: it never reads
    /// the whole trail (which grows by an entry per change pushed) inside the writers' turn.
    #[tokio::test]
    async fn the_audit_trail_is_blanked_by_index_area_by_area() {
        // The areas: the first and each next one, a search of the index by area (and no step reading
        // the trail otherwise).
        let areas = query_plan(AUDIT_AREAS).await;
        let reads: Vec<&str> = areas.iter().map(String::as_str).filter(|step| step.contains(" audit ")).collect();
        assert_eq!(
            reads,
            vec![
                "SEARCH audit USING COVERING INDEX audit_by_area",
                "SEARCH audit USING COVERING INDEX audit_by_area (area_id>?)"
            ],
            "{areas:?}"
        );
        for statement in [BLANK_AUDIT_IN_AREA, BLANK_AUDIT_IN_NO_AREA] {
            let plan = query_plan(statement).await;
            assert_eq!(
                plan,
                vec!["SEARCH audit USING COVERING INDEX audit_by_area_person (area_id=? AND person_id=?)".to_string()],
                "{statement}"
            );
        }
    }
}
