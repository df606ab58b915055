//! The audit trail: who read or changed what, when, with old and new values and the reason given.
//! Append-only (triggers refuse UPDATE and DELETE); written in the same transaction as what it records.

use chrono::{DateTime, Utc};
use dsr_shared::accounts::AuditEntry;
use dsr_shared::{PersonId, UserId};
use sqlx::{Sqlite, Transaction};

use crate::auth::CurrentUser;
use crate::{AppError, Store};

/// One thing to record.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub action: &'static str,
    pub area_id: Option<String>,
    pub user_id: Option<UserId>,
    pub client_id: Option<String>,
    pub person_id: Option<PersonId>,
    pub record_id: Option<String>,
    pub kind: Option<String>,
    pub changes: Option<serde_json::Value>,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub happened_at: Option<DateTime<Utc>>,
}

impl AuditEvent {
    /// An event done by the signed-in `user`.
    pub fn by(user: &CurrentUser, action: &'static str) -> Self {
        AuditEvent { action, area_id: Some(user.area_id.clone()), user_id: Some(user.id), ..AuditEvent::default() }
    }

    pub fn person(mut self, person: PersonId) -> Self {
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

/// Whether `person`'s records were ever sent to `user`'s devices.
async fn was_sent(tx: &mut Transaction<'_, Sqlite>, user: &CurrentUser, person: PersonId) -> Result<bool, AppError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT 1 FROM audit WHERE area_id = ? AND person_id = ? AND user_id = ? AND action = 'person.sent' LIMIT 1",
    )
    .bind(&user.area_id)
    .bind(person.to_string())
    .bind(user.id.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.is_some())
}

/// Which entries to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditFilter {
    pub person: Option<PersonId>,
    pub user: Option<UserId>,
}

impl Store {
    /// Records device-reported reads; an event id seen before is skipped. A read is recorded only if
    /// it could have happened: of a person the user may read now or whose records were sent to them
    /// before (read while assigned, reported after), on the user's own device, dated between the
    /// device's sign-in (or the account's creation) and now. The others are counted, not recorded,
    /// and one entry says how many were refused; the answer is the same whoever the ids name.
    pub async fn audit_device_views(
        &self,
        user: &CurrentUser,
        client: &str,
        events: &[dsr_shared::accounts::ViewEvent],
        now: DateTime<Utc>,
        today: chrono::NaiveDate,
    ) -> Result<ViewsRecorded, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let view = crate::access_store::view_for(&mut tx, user, today).await?;
        let device: Option<(Option<String>, Option<String>)> =
            sqlx::query_as("SELECT user_id, claimed_at FROM sync_clients WHERE client_id = ?")
                .bind(client)
                .fetch_optional(&mut *tx)
                .await?;
        let (created,): (String,) = sqlx::query_as("SELECT created_at FROM users WHERE id = ?")
            .bind(user.id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        let parse = |t: &str| DateTime::parse_from_rfc3339(t).ok().map(|t| t.with_timezone(&Utc));
        let mine = device.as_ref().is_none_or(|(owner, _)| owner.as_deref() == Some(user.id.to_string().as_str()));
        let since = device
            .as_ref()
            .and_then(|(_, claimed)| claimed.as_deref().and_then(parse))
            .or_else(|| parse(&created))
            .unwrap_or(now);
        let until = now + chrono::Duration::minutes(VIEW_CLOCK_SKEW_MINUTES);
        let mut answer = ViewsRecorded::default();
        for event in events {
            let readable = !view.kinds_for(Some(event.person_id)).is_empty()
                && (!view.is_area_wide()
                    || crate::access_store::person_in_area(&mut tx, &user.area_id, event.person_id).await?);
            let could_have_read = mine
                && (since..=until).contains(&event.at)
                && (readable || was_sent(&mut tx, user, event.person_id).await?);
            if !could_have_read {
                answer.refused += 1;
                continue;
            }
            let new = sqlx::query("INSERT INTO audit_device_events (id) VALUES (?) ON CONFLICT DO NOTHING")
                .bind(event.id.to_string())
                .execute(&mut *tx)
                .await?;
            if new.rows_affected() == 0 {
                continue;
            }
            let screen = event.screen.label();
            let entry = AuditEvent {
                client_id: Some(client.to_string()),
                happened_at: Some(event.at),
                // Read while assigned, reported after the assignment ended: still a read, and said so.
                ..AuditEvent::by(user, "person.viewed").person(event.person_id).detail(if readable {
                    screen.to_string()
                } else {
                    format!("{screen} (no longer assigned when reported)")
                })
            };
            audit_in(&mut tx, &entry, now).await?;
            answer.recorded += 1;
        }
        if answer.refused > 0 {
            let entry = AuditEvent {
                client_id: Some(client.to_string()),
                ..AuditEvent::by(user, "audit.views_refused").detail(format!(
                    "{} reported read(s) refused: of no one this account was sent, from another account's device, \
                     or dated outside {since} to {now}",
                    answer.refused
                ))
            };
            audit_in(&mut tx, &entry, now).await?;
        }
        tx.commit().await?;
        Ok(answer)
    }

    /// Records one event on its own.
    pub async fn audit(&self, event: &AuditEvent, now: DateTime<Utc>) -> Result<(), AppError> {
        let mut tx = self.pool().begin().await?;
        audit_in(&mut tx, event, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An area's entries, newest first, filtered by person and/or user, at most `limit`.
    pub async fn audit_entries(
        &self,
        area_id: &str,
        filter: AuditFilter,
        limit: u32,
    ) -> Result<Vec<AuditEntry>, AppError> {
        type Row = (
            i64,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            String,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT a.id, a.at, a.happened_at, a.user_id, u.display_name, a.action, a.person_id, a.record_id, a.kind,
                    a.changes, a.reason, a.detail
             FROM audit a LEFT JOIN users u ON u.id = a.user_id
             WHERE a.area_id = ?1 AND (?2 IS NULL OR a.person_id = ?2) AND (?3 IS NULL OR a.user_id = ?3)
             ORDER BY a.id DESC LIMIT ?4",
        )
        .bind(area_id)
        .bind(filter.person.map(|p| p.to_string()))
        .bind(filter.user.map(|u| u.to_string()))
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(
                |(
                    id,
                    at,
                    happened_at,
                    user_id,
                    user_name,
                    action,
                    person_id,
                    record_id,
                    kind,
                    changes,
                    reason,
                    detail,
                )| {
                    let time = |t: &str| {
                        DateTime::parse_from_rfc3339(t)
                            .map(|t| t.with_timezone(&Utc))
                            .map_err(|_| AppError::Corrupt(format!("audit time {t}")))
                    };
                    Ok(AuditEntry {
                        id: id as u64,
                        at: time(&at)?,
                        happened_at: happened_at.as_deref().map(time).transpose()?,
                        user_id: user_id.and_then(|u| u.parse().ok()),
                        user_name,
                        action,
                        person_id: person_id.and_then(|p| p.parse().ok()),
                        record_id,
                        kind,
                        changes: changes
                            .map(|c| serde_json::from_str(&c))
                            .transpose()
                            .map_err(|e| AppError::Corrupt(format!("audit changes: {e}")))?,
                        reason,
                        detail,
                    })
                },
            )
            .collect()
    }
}

/// Records one event inside `tx`.
pub(crate) async fn audit_in(
    tx: &mut Transaction<'_, Sqlite>,
    event: &AuditEvent,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO audit (at, happened_at, area_id, user_id, client_id, action, person_id, record_id, kind, changes,
                            reason, detail)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(now.to_rfc3339())
    .bind(event.happened_at.map(|t| t.to_rfc3339()))
    .bind(&event.area_id)
    .bind(event.user_id.map(|u| u.to_string()))
    .bind(&event.client_id)
    .bind(event.action)
    .bind(event.person_id.map(|p| p.to_string()))
    .bind(&event.record_id)
    .bind(&event.kind)
    .bind(event.changes.as_ref().map(|c| c.to_string()))
    .bind(&event.reason)
    .bind(&event.detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Records many events inside `tx` with one statement (a pull's reads, a push's changes).
pub(crate) async fn audit_many(
    tx: &mut Transaction<'_, Sqlite>,
    events: &[AuditEvent],
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    if events.is_empty() {
        return Ok(());
    }
    let rows: Vec<serde_json::Value> = events
        .iter()
        .map(|e| {
            serde_json::json!([
                e.happened_at.map(|t| t.to_rfc3339()),
                e.area_id,
                e.user_id.map(|u| u.to_string()),
                e.client_id,
                e.action,
                e.person_id.map(|p| p.to_string()),
                e.record_id,
                e.kind,
                e.changes.as_ref().map(|c| c.to_string()),
                e.reason,
                e.detail,
            ])
        })
        .collect();
    sqlx::query(
        "INSERT INTO audit (at, happened_at, area_id, user_id, client_id, action, person_id, record_id, kind, changes,
                            reason, detail)
         SELECT ?, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6,
                value ->> 7, value ->> 8, value ->> 9, value ->> 10
         FROM json_each(?) ORDER BY key",
    )
    .bind(now.to_rfc3339())
    .bind(serde_json::Value::Array(rows).to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
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
