//! Signing in and getting back in: sessions, password reset codes, devices' recovery secrets, and
//! the attempts counted against guessing.

use chrono::{DateTime, Utc};
use dsr_shared::{ClientId, UserId};

use super::{AttemptCount, SessionRow};
use crate::AppError;

#[async_trait::async_trait]
pub trait SessionStorage: Send {
    /// Adds a session (and forgets the ones that expired by `now`).
    async fn add_session(
        &mut self,
        token_hash: &str,
        user: UserId,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), AppError>;

    /// The session with this token's hash, with its user.
    async fn session(&mut self, token_hash: &str) -> Result<Option<SessionRow>, AppError>;

    async fn delete_session(&mut self, token_hash: &str) -> Result<(), AppError>;

    /// Keeps a reset code's hash for `user`; any unused earlier one stops working.
    async fn add_reset(
        &mut self,
        code_hash: &str,
        user: UserId,
        by: UserId,
        now: DateTime<Utc>,
        expires: DateTime<Utc>,
    ) -> Result<(), AppError>;

    /// The account a reset code opens: known, unused, in date, for this username, the account not closed.
    async fn open_reset(
        &mut self,
        code_hash: &str,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, AppError>;

    /// Marks a reset code used.
    async fn use_reset(&mut self, code_hash: &str, now: DateTime<Utc>) -> Result<(), AppError>;

    /// Keeps a device's recovery secret (replacing its last).
    async fn set_device_recovery(
        &mut self,
        user: UserId,
        client: ClientId,
        secret: &str,
        now: DateTime<Utc>,
    ) -> Result<(), AppError>;

    async fn device_recovery(&mut self, user: UserId, client: ClientId) -> Result<Option<String>, AppError>;

    /// Forgets the attempts made before `before`.
    async fn forget_attempts_before(&mut self, before: DateTime<Utc>) -> Result<(), AppError>;

    /// The attempts under `(scope, key)` made after `since`.
    async fn attempts_since(&mut self, scope: &str, key: &str, since: DateTime<Utc>) -> Result<AttemptCount, AppError>;

    /// Counts an attempt; its id, to give it back.
    async fn add_attempt(&mut self, scope: &str, key: &str, now: DateTime<Utc>) -> Result<i64, AppError>;

    /// Gives attempts back.
    async fn delete_attempts(&mut self, ids: &[i64]) -> Result<(), AppError>;

    /// Forgets every attempt under `(scope, key)`.
    async fn clear_attempts(&mut self, scope: &str, key: &str) -> Result<(), AppError>;
}
