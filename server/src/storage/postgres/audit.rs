//! The audit trail in PostgreSQL (triggers refuse changes, bar a purge's blanking).

use chrono::{DateTime, Utc};
use dsr_shared::accounts::AuditEntry;
use dsr_shared::{PersonId, UserId};
use serde_json::json;

use super::PostgresTransaction;
use crate::AppError;
use crate::storage::columns::AuditColumns;
use crate::storage::{AuditEvent, AuditFilter, AuditStorage};

#[async_trait::async_trait]
impl AuditStorage for PostgresTransaction {
    async fn append_audit(&mut self, events: &[AuditEvent], now: DateTime<Utc>) -> Result<(), AppError> {
        if events.is_empty() {
            return Ok(());
        }
        let rows: Vec<serde_json::Value> = events
            .iter()
            .map(|e| {
                json!([
                    e.happened_at.map(|t| t.to_rfc3339()),
                    e.area_id,
                    e.user_id.map(|u| u.to_string()),
                    e.client_id,
                    e.action,
                    e.person_id.map(|p| p.to_string()),
                    e.record_id,
                    e.kind,
                    e.changes.as_deref(),
                    e.reason,
                    e.detail,
                ])
            })
            .collect();
        sqlx::query(
            "INSERT INTO audit (at, happened_at, area_id, user_id, client_id, action, person_id, record_id, kind, changes,
                                reason, detail)
             SELECT $1, v ->> 0, v ->> 1, v ->> 2, v ->> 3, v ->> 4, v ->> 5, v ->> 6, v ->> 7, (v ->> 8)::jsonb,
                    v ->> 9, v ->> 10
             FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e (v, n) ORDER BY n",
        )
        .bind(now.to_rfc3339())
        .bind(serde_json::Value::Array(rows).to_string())
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn audit_entries(
        &mut self,
        area: &str,
        filter: AuditFilter,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, AppError> {
        // A statement for each narrowing, so that each reads one index in order and stops at the page's
        // end (with `$2 IS NULL OR person_id = $2`, only the area narrows the read, and the whole area's
        // trail is sorted for every page).
        // Only what the statement names is bound: PostgreSQL refuses a parameter it cannot type.
        let (person, user) = (filter.person.map(|p| p.to_string()), filter.user.map(|u| u.to_string()));
        let narrowing = match (&person, &user) {
            (Some(_), Some(_)) => " AND a.person_id = $3 AND a.user_id = $4",
            (Some(_), None) => " AND a.person_id = $3",
            (None, Some(_)) => " AND a.user_id = $3",
            (None, None) => "",
        };
        let sql = format!(
            "SELECT a.id, a.at, a.happened_at, a.user_id, u.display_name AS user_name, a.action, a.person_id,
                    a.record_id, a.kind, a.changes::text AS changes, a.reason, a.detail
             FROM audit a LEFT JOIN users u ON u.id = a.user_id
             WHERE a.area_id = $1{narrowing} ORDER BY a.id DESC LIMIT $2"
        );
        let mut query = sqlx::query_as(&sql).bind(area).bind(i64::from(limit));
        for value in [person, user].into_iter().flatten() {
            query = query.bind(value);
        }
        let rows: Vec<AuditColumns> = query.fetch_all(self.db()).await?;
        rows.into_iter().map(AuditColumns::read).collect()
    }

    async fn has_held(&mut self, area: &str, user: UserId, person: PersonId) -> Result<bool, AppError> {
        let row: Option<(i32,)> = sqlx::query_as(
            "SELECT 1 FROM audit WHERE area_id = $1 AND person_id = $2 AND user_id = $3 AND action IN ('person.sent', 'record.create', 'record.update', 'record.delete') LIMIT 1",
        )
        .bind(area)
        .bind(person.to_string())
        .bind(user.to_string())
        .fetch_optional(self.db())
        .await?;
        Ok(row.is_some())
    }

    async fn note_device_event(&mut self, id: &str) -> Result<bool, AppError> {
        let new = sqlx::query("INSERT INTO audit_device_events (id) VALUES ($1) ON CONFLICT DO NOTHING")
            .bind(id)
            .execute(self.db())
            .await?;
        Ok(new.rows_affected() > 0)
    }
}
