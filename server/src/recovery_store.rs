//! Getting back in: password reset codes (hashed, one-time, expiring; a new one replaces an unused one)
//! and each device's recovery secret.

use chrono::{DateTime, Utc};
use dsr_shared::ClientId;
use dsr_shared::UserId;

use crate::{AppError, Store};

/// The account a reset code opens: known, unused, in date, for this username, the account not closed.
const OPEN_RESET: &str = "SELECT r.user_id FROM password_resets r JOIN users u ON u.id = r.user_id
     WHERE r.code_hash = ? AND r.used_at IS NULL AND r.expires_at > ? AND u.username = ? AND u.disabled_at IS NULL";

impl Store {
    /// A new reset code for `user` (any earlier one not used stops working).
    pub async fn create_reset(
        &self,
        user: UserId,
        by: UserId,
        code_hash: &str,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM password_resets WHERE user_id = ? AND used_at IS NULL")
            .bind(user.to_string())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO password_resets (code_hash, user_id, created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(code_hash)
        .bind(user.to_string())
        .bind(now.to_rfc3339())
        .bind(by.to_string())
        .bind(expires.to_rfc3339())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether a reset code is open for this username (checked before any password is hashed).
    pub async fn reset_is_open(&self, code_hash: &str, username: &str, now: DateTime<Utc>) -> Result<bool, AppError> {
        let row: Option<(String,)> = sqlx::query_as(OPEN_RESET)
            .bind(code_hash)
            .bind(now.to_rfc3339())
            .bind(username)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.is_some())
    }

    /// Uses a reset code: the user's new password. `None` when the code is unknown, used, expired or
    /// for another username.
    pub async fn reset_password(
        &self,
        code_hash: &str,
        username: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let row: Option<(String,)> = sqlx::query_as(OPEN_RESET)
            .bind(code_hash)
            .bind(now.to_rfc3339())
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((user_id,)) = row else { return Ok(None) };
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(&user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE password_resets SET used_at = ? WHERE code_hash = ?")
            .bind(now.to_rfc3339())
            .bind(code_hash)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        user_id.parse().map(Some).map_err(|_| AppError::Corrupt(format!("user id {user_id}")))
    }

    /// Keeps a device's new recovery secret (a new data key at each sign-in replaces the last).
    pub async fn set_device_recovery(
        &self,
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
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A device's recovery secret, if it has one.
    pub async fn device_recovery(&self, user: UserId, client: ClientId) -> Result<Option<String>, AppError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT secret FROM device_recovery WHERE user_id = ? AND client_id = ?")
                .bind(user.to_string())
                .bind(client.to_string())
                .fetch_optional(self.pool())
                .await?;
        Ok(row.map(|(secret,)| secret))
    }
}
