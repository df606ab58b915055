//! Sessions, reset codes, devices' recovery secrets and counted attempts in SQLite.

use chrono::{DateTime, Utc};
use dsr_shared::{ClientId, UserId};

use super::SqliteTransaction;
use crate::AppError;
use crate::storage::columns::{SessionColumns, USER_COLUMNS};
use crate::storage::{AttemptCount, SessionRow, SessionStorage, from_id, from_time};

#[async_trait::async_trait]
impl SessionStorage for SqliteTransaction {
    async fn add_session(
        &mut self,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), AppError> {
        sqlx::query("DELETE FROM sessions WHERE expires_at <= ?").bind(now.to_rfc3339()).execute(self.db()).await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user.to_string())
            .bind(now.to_rfc3339())
            .bind(expires.to_rfc3339())
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn session(&mut self, token_hash: &str) -> Result<Option<SessionRow>, AppError> {
        let row: Option<SessionColumns> = sqlx::query_as(&format!(
            "SELECT {USER_COLUMNS}, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?"
        ))
        .bind(token_hash)
        .fetch_optional(self.db())
        .await?;
        row.map(SessionColumns::read).transpose()
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?").bind(token_hash).execute(self.db()).await?;
        Ok(())
    }

    async fn add_reset(
        &mut self,
        code_hash: &str,
        user: UserId,
        by: UserId,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), AppError> {
        sqlx::query("DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL")
            .bind(user.to_string())
            .execute(self.db())
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (code_hash, user_id, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(code_hash)
        .bind(user.to_string())
        .bind(now.to_rfc3339())
        .bind(by.to_string())
        .bind(expires.to_rfc3339())
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn open_reset(
        &mut self,
        code_hash: &str,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, AppError> {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id
             WHERE r.code_hash = ? AND r.used_at IS NULL AND r.expires_at > ? AND u.username = ? AND u.disabled_at IS NULL",
        )
        .bind(code_hash)
        .bind(now.to_rfc3339())
        .bind(username)
        .fetch_optional(self.db())
        .await?;
        row.map(|(id,)| from_id(&id, "user id")).transpose()
    }

    async fn use_reset(&mut self, code_hash: &str, now: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query("UPDATE password_resets SET used_at = ? WHERE code_hash = ?")
            .bind(now.to_rfc3339())
            .bind(code_hash)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn set_device_recovery(
        &mut self,
        user: UserId,
        client: ClientId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        sqlx::query(
            "INSERT INTO device_recovery (user_id, client_id, secret, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (user_id, client_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at",
        )
        .bind(user.to_string())
        .bind(client.to_string())
        .bind(secret)
        .bind(now.to_rfc3339())
        .execute(self.db())
        .await?;
        Ok(())
    }

    async fn device_recovery(&mut self, user: UserId, client: ClientId) -> Result<Option<String>, AppError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT secret FROM device_recovery WHERE user_id = ? AND client_id = ?")
                .bind(user.to_string())
                .bind(client.to_string())
                .fetch_optional(self.db())
                .await?;
        Ok(row.map(|(secret,)| secret))
    }

    async fn forget_attempts_before(&mut self, before: DateTime<Utc>) -> Result<(), AppError> {
        sqlx::query("DELETE FROM attempts WHERE at < ?").bind(before.to_rfc3339()).execute(self.db()).await?;
        Ok(())
    }

    async fn attempts_since(&mut self, scope: &str, key: &str, since: DateTime<Utc>) -> Result<AttemptCount, AppError> {
        let (count, oldest): (i64, Option<String>) =
            sqlx::query_as("SELECT COUNT(*), MIN(at) FROM attempts WHERE scope = ? AND key = ? AND at > ?")
                .bind(scope)
                .bind(key)
                .bind(since.to_rfc3339())
                .fetch_one(self.db())
                .await?;
        Ok(AttemptCount {
            count: count as u64,
            oldest: oldest.as_deref().map(|t| from_time(t, "attempt time")).transpose()?,
        })
    }

    async fn add_attempt(&mut self, scope: &str, key: &str, now: DateTime<Utc>) -> Result<i64, AppError> {
        let (id,): (i64,) = sqlx::query_as("INSERT INTO attempts (scope, key, at) VALUES (?, ?, ?) RETURNING id")
            .bind(scope)
            .bind(key)
            .bind(now.to_rfc3339())
            .fetch_one(self.db())
            .await?;
        Ok(id)
    }

    async fn delete_attempts(&mut self, ids: &[i64]) -> Result<(), AppError> {
        if ids.is_empty() {
            return Ok(());
        }
        sqlx::query("DELETE FROM attempts WHERE id IN (SELECT value FROM json_each(?))")
            .bind(crate::storage::to_json(ids)?)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn clear_attempts(&mut self, scope: &str, key: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM attempts WHERE scope = ? AND key = ?")
            .bind(scope)
            .bind(key)
            .execute(self.db())
            .await?;
        Ok(())
    }
}
