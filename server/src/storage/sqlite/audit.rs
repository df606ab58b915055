//! The audit trail in SQLite (triggers refuse changes, bar a purge's blanking).

use chrono::{DateTime, Utc};
use dsr_shared::accounts::AuditEntry;
use dsr_shared::{PersonId, UserId};
use sqlx::{QueryBuilder, Sqlite};

use super::{SqliteTransaction, rows_per_statement};
use crate::AppError;
use crate::storage::columns::AuditColumns;
use crate::storage::{AuditEvent, AuditFilter, AuditStorage};

#[async_trait::async_trait]
impl AuditStorage for SqliteTransaction {
    async fn append_audit(&mut self, events: &[AuditEvent], now: DateTime<Utc>) -> Result<(), AppError> {
        let at = now.to_rfc3339();
        for chunk in events.chunks(rows_per_statement(12)) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO audit (at, happened_at, area_id, user_id, client_id, action, person_id, record_id, kind,
                                    changes, reason, detail) ",
            );
            insert.push_values(chunk, |mut row, e| {
                row.push_bind(at.as_str())
                    .push_bind(e.happened_at.map(|t| t.to_rfc3339()))
                    .push_bind(e.area_id.as_deref())
                    .push_bind(e.user_id.map(|u| u.to_string()))
                    .push_bind(e.client_id.as_deref())
                    .push_bind(e.action)
                    .push_bind(e.person_id.map(|p| p.to_string()))
                    .push_bind(e.record_id.as_deref())
                    .push_bind(e.kind.as_deref())
                    .push_bind(e.changes.as_ref().map(|c| c.to_string()))
                    .push_bind(e.reason.as_deref())
                    .push_bind(e.detail.as_deref());
            });
            insert.build().execute(self.db()).await?;
        }
        Ok(())
    }

    async fn audit_entries(
        &mut self,
        area: &str,
        filter: AuditFilter,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, AppError> {
        let rows: Vec<AuditColumns> = sqlx::query_as(
            "SELECT a.id, a.at, a.happened_at, a.user_id, u.display_name AS user_name, a.action, a.person_id,
                    a.record_id, a.kind, a.changes, a.reason, a.detail
             FROM audit a LEFT JOIN users u ON u.id = a.user_id
             WHERE a.area_id = ?1 AND (?2 IS NULL OR a.person_id = ?2) AND (?3 IS NULL OR a.user_id = ?3)
             ORDER BY a.id DESC LIMIT ?4",
        )
        .bind(area)
        .bind(filter.person.map(|p| p.to_string()))
        .bind(filter.user.map(|u| u.to_string()))
        .bind(i64::from(limit))
        .fetch_all(self.db())
        .await?;
        rows.into_iter().map(AuditColumns::read).collect()
    }

    async fn was_sent(&mut self, area: &str, user: UserId, person: PersonId) -> Result<bool, AppError> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT 1 FROM audit WHERE area_id = ? AND person_id = ? AND user_id = ? AND action = 'person.sent' LIMIT 1",
        )
        .bind(area)
        .bind(person.to_string())
        .bind(user.to_string())
        .fetch_optional(self.db())
        .await?;
        Ok(row.is_some())
    }

    async fn note_device_event(&mut self, id: &str) -> Result<bool, AppError> {
        let new = sqlx::query("INSERT INTO audit_device_events (id) VALUES (?) ON CONFLICT DO NOTHING")
            .bind(id)
            .execute(self.db())
            .await?;
        Ok(new.rows_affected() > 0)
    }
}
