//! The audit trail: append-only (the database refuses changes to entries, bar a purge's blanking).

use chrono::{DateTime, Utc};
use dsr_shared::PersonId;
use dsr_shared::accounts::AuditEntry;

use super::{AuditEvent, AuditFilter};
use crate::AppError;

#[async_trait::async_trait]
pub trait AuditStorage: Send {
    /// Records events, in order, at `now`.
    async fn append_audit(&mut self, events: &[AuditEvent], now: DateTime<Utc>) -> Result<(), AppError>;

    /// An area's entries, newest first, filtered by person and/or user, at most `limit`.
    async fn audit_entries(&mut self, area: &str, filter: AuditFilter, limit: u32)
    -> Result<Vec<AuditEntry>, AppError>;

    /// Whether a device of `user`'s ever held `person`'s records in `area`: they were sent to it, or it
    /// wrote them (a change a device made is sent back to it unaudited: see `sync_store::pull`).
    async fn has_held(&mut self, area: &str, user: dsr_shared::UserId, person: PersonId) -> Result<bool, AppError>;

    /// Notes a device-reported event's id; `false` when it was noted before.
    async fn note_device_event(&mut self, id: &str) -> Result<bool, AppError>;
}
