//! The audit trail: who read or changed what, when, with old and new values and the reason given.
//! Append-only (the database refuses changes); written in the same transaction as what it records.

use chrono::{DateTime, Utc};
use dsr_shared::accounts::AuditEntry;

use crate::auth::CurrentUser;
pub use crate::storage::{AuditEvent, AuditFilter};
use crate::{AppError, Store};

impl AuditEvent {
    /// An event done by the signed-in `user`.
    pub fn by(user: &CurrentUser, action: &'static str) -> Self {
        AuditEvent { action, area_id: Some(user.area_id.clone()), user_id: Some(user.id), ..AuditEvent::default() }
    }

    pub fn person(mut self, person: dsr_shared::PersonId) -> Self {
        self.person_id = Some(person);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// A device's clock may run this far ahead of the server's.
const VIEW_CLOCK_SKEW_MINUTES: i64 = 5;

/// What became of the reads a device reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ViewsRecorded {
    /// Recorded now (a resent event is not recorded twice, nor counted here).
    pub recorded: usize,
    /// Not recorded: they could not have happened (see `POST /api/audit/views`).
    pub refused: usize,
}

impl Store {
    /// Records device-reported reads; an event id seen before is skipped. A read is recorded only if
    /// it could have happened: of a person the user may read now or whose records their device held
    /// before (sent to it or written on it; read while assigned, reported after), on the user's own
    /// device, dated between the device's sign-in (or the account's creation) and now. The others are counted, not recorded,
    /// and one entry says how many were refused; the answer is the same whoever the ids name.
    pub async fn audit_device_views(
        &self,
        user: &CurrentUser,
        client: &str,
        events: &[dsr_shared::accounts::ViewEvent],
        now: DateTime<Utc>,
        today: chrono::NaiveDate,
    ) -> Result<ViewsRecorded, AppError> {
        let mut tx = self.write().await?;
        let view = crate::access_store::view_for(&mut *tx, user, today).await?;
        let device = tx.device(client).await?;
        let created = tx.user(user.id).await?.map(|u| u.created_at);
        let mine = device.as_ref().is_none_or(|device| device.owner == Some(user.id));
        let since = device.as_ref().and_then(|device| device.claimed_at).or(created).unwrap_or(now);
        let until = now + chrono::Duration::minutes(VIEW_CLOCK_SKEW_MINUTES);
        let mut answer = ViewsRecorded::default();
        let mut entries = Vec::new();
        for event in events {
            let readable = !view.kinds_for(Some(event.person_id)).is_empty()
                && (!view.is_area_wide() || tx.person_in_area(&user.area_id, event.person_id, true).await?);
            let could_have_read = mine
                && (since..=until).contains(&event.at)
                && (readable || tx.has_held(&user.area_id, user.id, event.person_id).await?);
            if !could_have_read {
                answer.refused += 1;
                continue;
            }
            if !tx.note_device_event(&event.id.to_string()).await? {
                continue;
            }
            let screen = event.screen.label();
            entries.push(AuditEvent {
                client_id: Some(client.to_string()),
                happened_at: Some(event.at),
                // Read while assigned, reported after the assignment ended: still a read, and said so.
                ..AuditEvent::by(user, "person.viewed").person(event.person_id).detail(if readable {
                    screen.to_string()
                } else {
                    format!("{screen} (no longer assigned when reported)")
                })
            });
            answer.recorded += 1;
        }
        if answer.refused > 0 {
            entries.push(AuditEvent {
                client_id: Some(client.to_string()),
                ..AuditEvent::by(user, "audit.views_refused").detail(format!(
                    "{} reported read(s) refused: of no one this account was sent, from another account's device, \
                     or dated outside {since} to {now}",
                    answer.refused
                ))
            });
        }
        tx.append_audit(&entries, now).await?;
        tx.commit().await?;
        Ok(answer)
    }

    /// Records one event on its own.
    pub async fn audit(&self, event: &AuditEvent, now: DateTime<Utc>) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        tx.append_audit(std::slice::from_ref(event), now).await?;
        tx.commit().await
    }

    /// An area's entries, newest first, filtered by person and/or user, at most `limit`.
    pub async fn audit_entries(
        &self,
        area_id: &str,
        filter: AuditFilter,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, AppError> {
        self.read().await?.audit_entries(area_id, filter, limit).await
    }
}

/// The entries as CSV (RFC 4180), oldest first, for a spreadsheet.
pub fn to_csv(entries: &[AuditEntry]) -> Result<String, AppError> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let header = [
        "id",
        "at",
        "happened_at",
        "user_id",
        "user_name",
        "action",
        "person_id",
        "record_id",
        "kind",
        "changes",
        "reason",
        "detail",
    ];
    let fail = |e: csv::Error| AppError::Corrupt(format!("cannot write CSV: {e}"));
    writer.write_record(header).map_err(fail)?;
    for e in entries.iter().rev() {
        writer
            .write_record(
                [
                    e.id.to_string(),
                    e.at.to_rfc3339(),
                    e.happened_at.map(|t| t.to_rfc3339()).unwrap_or_default(),
                    e.user_id.map(|u| u.to_string()).unwrap_or_default(),
                    e.user_name.clone().unwrap_or_default(),
                    e.action.clone(),
                    e.person_id.map(|p| p.to_string()).unwrap_or_default(),
                    e.record_id.clone().unwrap_or_default(),
                    e.kind.clone().unwrap_or_default(),
                    e.changes.as_ref().map(|c| c.to_string()).unwrap_or_default(),
                    e.reason.clone().unwrap_or_default(),
                    e.detail.clone().unwrap_or_default(),
                ]
                .map(|cell| dsr_shared::text::spreadsheet_cell(&cell).into_owned()),
            )
            .map_err(fail)?;
    }
    let bytes = writer.into_inner().map_err(|e| AppError::Corrupt(format!("cannot write CSV: {e}")))?;
    String::from_utf8(bytes).map_err(|e| AppError::Corrupt(format!("CSV is not UTF-8: {e}")))
}
