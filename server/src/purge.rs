//! Removing a person's details: when the area's retention period after they left the register has
//! passed (a job, [`Store::purge_due`]), and at once on an erasure request ([`Store::purge_person`]).
//! Every record about the person becomes a tombstone through the change log (so every device that
//! holds a copy deletes it on its next sync), earlier states in the log are blanked, old and new values
//! in the audit trail are blanked, and conflicts about them are deleted. What stays: that records
//! existed, who did what and when, and that the purge happened (`purges`).

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use dsr_shared::PersonId;
use dsr_shared::person::Person;
use dsr_shared::sync::Record;
use sqlx::{Sqlite, Transaction};

use crate::audit_store::{AuditEvent, audit_in};
use crate::{AppError, Clock, Store};

/// The audit entries' `detail` once purged (the migration's trigger allows exactly this).
const PURGED_DETAIL: &str = "details removed (purge)";
/// The change log's client for purge tombstones.
const PURGE_CLIENT: &str = "purge";

/// Why a person's details were removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PurgeReason {
    /// The policy's retention period after leaving the register has passed.
    Retention,
    /// The person (or someone for them) asked for their data to be erased: who asked, and how.
    Erasure(String),
}

impl PurgeReason {
    fn name(&self) -> &'static str {
        match self {
            PurgeReason::Retention => "retention",
            PurgeReason::Erasure(_) => "erasure",
        }
    }
}

type Row = (String, String, i64, String, i64);

fn record_of((id, kind, version, fields, deleted): &Row) -> Result<Record, AppError> {
    Ok(Record {
        id: id.parse().map_err(|_| AppError::Corrupt(format!("record id {id}")))?,
        kind: serde_json::from_value(serde_json::Value::String(kind.clone()))
            .map_err(|e| AppError::Corrupt(format!("record kind: {e}")))?,
        version: *version as u64,
        fields: serde_json::from_str(fields).map_err(|e| AppError::Corrupt(format!("record fields: {e}")))?,
        deleted: *deleted != 0,
    })
}

impl Store {
    /// Removes the details of `person` in `area_id` now; the number of records purged (0 when there is
    /// no such person in the area).
    pub async fn purge_person(
        &self,
        area_id: &str,
        person: PersonId,
        why: PurgeReason,
        requested_by: Option<&crate::CurrentUser>,
        now: DateTime<Utc>,
    ) -> Result<usize, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let purged = purge_in(&mut tx, area_id, person, why, requested_by, now).await?;
        tx.commit().await?;
        if purged > 0 {
            self.changes().announce(area_id, 0);
        }
        Ok(purged)
    }

    /// Purges everyone whose retention period after leaving has passed on `today`, area by area with
    /// each area's policy. Returns how many people were purged.
    pub async fn purge_due(&self, now: DateTime<Utc>, today: NaiveDate) -> Result<usize, AppError> {
        let mut purged = 0;
        for area in self.areas().await? {
            let policy = self.policy_of_area(&area).await?.policy;
            let rows: Vec<(String, String)> = sqlx::query_as(
                "SELECT id, fields FROM records
                 WHERE area_id = ? AND kind = 'person' AND deleted = 0
                   AND fields ->> '$.register_status.status' = 'left'",
            )
            .bind(&area.id)
            .fetch_all(self.pool())
            .await?;
            for (id, fields) in rows {
                let mut object: serde_json::Map<String, serde_json::Value> =
                    serde_json::from_str(&fields).map_err(|e| AppError::Corrupt(format!("person: {e}")))?;
                object.insert("id".into(), serde_json::Value::String(id.clone()));
                // A stored person that no longer reads is left for a person to look at, not guessed at.
                let Ok(person) = serde_json::from_value::<Person>(serde_json::Value::Object(object)) else {
                    tracing::warn!("a person record in an area does not read; not purged");
                    continue;
                };
                if person.purge_due(&policy).is_some_and(|due| due <= today) {
                    self.purge_person(&area.id, person.id, PurgeReason::Retention, None, now).await?;
                    purged += 1;
                }
            }
        }
        Ok(purged)
    }
}

async fn purge_in(
    tx: &mut Transaction<'_, Sqlite>,
    area_id: &str,
    person: PersonId,
    why: PurgeReason,
    requested_by: Option<&crate::CurrentUser>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let person_text = person.to_string();
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, kind, version, fields, deleted FROM records WHERE person_id = ? AND area_id = ? ORDER BY id",
    )
    .bind(&person_text)
    .bind(area_id)
    .fetch_all(&mut **tx)
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let (max_seq,): (i64,) =
        sqlx::query_as("SELECT COALESCE(MAX(change_seq), 0) FROM change_log").fetch_one(&mut **tx).await?;
    let at = now.to_rfc3339();
    for (next_seq, row) in (max_seq + 1..).zip(rows.iter()) {
        let record = record_of(row)?;
        // Every earlier state in the log: blanked, as tombstones of their versions.
        let history: Vec<(i64, i64)> = sqlx::query_as("SELECT change_seq, version FROM change_log WHERE record_id = ?")
            .bind(record.id.to_string())
            .fetch_all(&mut **tx)
            .await?;
        for (seq, version) in history {
            let blank = Record { version: version as u64, ..record.purged() };
            sqlx::query("UPDATE change_log SET record = ? WHERE change_seq = ?")
                .bind(serde_json::to_string(&blank).map_err(|e| AppError::Corrupt(e.to_string()))?)
                .bind(seq)
                .execute(&mut **tx)
                .await?;
        }
        // The purge itself: a new version, a tombstone, so devices delete their copies.
        let tombstone = Record { version: record.version + 1, ..record.purged() };
        let json = serde_json::to_string(&tombstone).map_err(|e| AppError::Corrupt(e.to_string()))?;
        sqlx::query(
            "INSERT INTO change_log (change_seq, record_id, kind, version, record, client_id, client_seq, at, user_id)
             VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)",
        )
        .bind(next_seq)
        .bind(record.id.to_string())
        .bind(&row.1)
        .bind(tombstone.version as i64)
        .bind(&json)
        .bind(PURGE_CLIENT)
        .bind(&at)
        .bind(requested_by.map(|u| u.id.to_string()))
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE records SET version = ?, fields = ?, deleted = 1, change_seq = ? WHERE id = ?")
            .bind(tombstone.version as i64)
            .bind(serde_json::to_string(&tombstone.fields).map_err(|e| AppError::Corrupt(e.to_string()))?)
            .bind(next_seq)
            .bind(record.id.to_string())
            .execute(&mut **tx)
            .await?;
        sqlx::query("DELETE FROM conflicts WHERE record_id = ?").bind(record.id.to_string()).execute(&mut **tx).await?;
        sqlx::query("DELETE FROM person_match_keys WHERE person_id = ?")
            .bind(record.id.to_string())
            .execute(&mut **tx)
            .await?;
    }
    // Old and new values, and reasons, in the audit trail: blanked; who, when and what stay.
    sqlx::query("UPDATE audit SET changes = NULL, reason = NULL, detail = ? WHERE person_id = ?")
        .bind(PURGED_DETAIL)
        .bind(&person_text)
        .execute(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM caseload WHERE person_id = ?").bind(&person_text).execute(&mut **tx).await?;
    // A self-referral's reference finds nothing once its person is gone: it goes too.
    sqlx::query("DELETE FROM self_referral_references WHERE person_id = ?")
        .bind(&person_text)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO purges (person_id, area_id, purged_at, why, requested_by, records) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (person_id) DO UPDATE SET purged_at = excluded.purged_at, records = excluded.records",
    )
    .bind(&person_text)
    .bind(area_id)
    .bind(&at)
    .bind(why.name())
    .bind(requested_by.map(|u| u.id.to_string()))
    .bind(rows.len() as i64)
    .execute(&mut **tx)
    .await?;
    // One entry for the purge, written after the blanking (so an erasure's request stays readable).
    let event = AuditEvent {
        action: if matches!(why, PurgeReason::Erasure(_)) { "person.erased" } else { "person.purged" },
        reason: match &why {
            PurgeReason::Erasure(request) => Some(request.clone()),
            PurgeReason::Retention => None,
        },
        area_id: Some(area_id.to_string()),
        user_id: requested_by.map(|u| u.id),
        person_id: Some(person),
        detail: Some(format!("{} record(s) removed ({})", rows.len(), why.name())),
        ..AuditEvent::default()
    };
    audit_in(tx, &event, now).await?;
    Ok(rows.len())
}

/// Runs [`Store::purge_due`] now and then every `every` until the server stops.
pub fn spawn_purge_job(store: Store, clock: Clock, every: Duration) {
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        loop {
            ticker.tick().await;
            match store.purge_due(clock.now(), clock.today()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(people = n, "retention: details removed"),
                Err(error) => tracing::error!("retention purge failed: {error}"),
            }
        }
    });
}
