//! Getting back in: password reset codes (hashed, one-time, expiring; a new one replaces an unused one)
//! and each device's recovery secret.

use chrono::{DateTime, Utc};
use dsr_shared::ClientId;
use dsr_shared::UserId;

use crate::{AppError, Store};

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
        let mut tx = self.write().await?;
        tx.add_reset(code_hash, user, by, now, expires).await?;
        tx.commit().await
    }

    /// Whether a reset code is open for this username (checked before any password is hashed).
    pub async fn reset_is_open(&self, code_hash: &str, username: &str, now: DateTime<Utc>) -> Result<bool, AppError> {
        Ok(self.read().await?.open_reset(code_hash, username, now).await?.is_some())
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
        let mut tx = self.write().await?;
        let Some(user) = tx.open_reset(code_hash, username, now).await? else { return Ok(None) };
        tx.set_password(user, password_hash).await?;
        tx.use_reset(code_hash, now).await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    /// Keeps a device's new recovery secret (a new data key at each sign-in replaces the last).
    pub async fn set_device_recovery(
        &self,
        user: UserId,
        client: ClientId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        tx.set_device_recovery(user, client, secret, now).await?;
        tx.commit().await
    }

    /// A device's recovery secret, if it has one.
    pub async fn device_recovery(&self, user: UserId, client: ClientId) -> Result<Option<String>, AppError> {
        self.read().await?.device_recovery(user, client).await
    }
}
