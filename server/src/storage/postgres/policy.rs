//! Areas' policies in PostgreSQL (append-only: triggers refuse changes).

use super::PostgresTransaction;
use crate::AppError;
use crate::storage::columns::{PolicyColumns, unless_unique};
use crate::storage::{NewPolicy, PolicyRow, PolicyStorage, to_json};

#[async_trait::async_trait]
impl PolicyStorage for PostgresTransaction {
    async fn latest_policy(&mut self, area: &str) -> Result<Option<PolicyRow>, AppError> {
        let row: Option<PolicyColumns> = sqlx::query_as(
            "SELECT p.version, p.policy::text AS policy, p.changed_at, u.display_name AS changed_by
             FROM area_policies p JOIN users u ON u.id = p.changed_by
             WHERE p.area_id = $1 ORDER BY p.version DESC LIMIT 1",
        )
        .bind(area)
        .fetch_optional(self.db())
        .await?;
        row.map(PolicyColumns::read).transpose()
    }

    async fn add_policy(&mut self, policy: NewPolicy<'_>) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO area_policies (area_id, version, policy, changed_at, changed_by, reason) VALUES ($1, $2, $3::jsonb, $4, $5, $6)",
        )
        .bind(policy.area_id)
        .bind(policy.version as i64)
        .bind(to_json(policy.policy)?)
        .bind(policy.changed_at.to_rfc3339())
        .bind(policy.changed_by.to_string())
        .bind(policy.reason)
        .execute(self.db())
        .await
        .map_err(|e| {
            unless_unique(e, || {
                AppError::Conflict("Someone changed the policy at the same time: open it again and redo your change".into())
            })
        })?;
        Ok(())
    }
}
