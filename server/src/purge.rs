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

use crate::storage::{AuditEvent, Author, LogEntry, PurgeRow, Transaction};
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
        let mut tx = self.write().await?;
        let purged = purge_in(&mut *tx, area_id, person, why, requested_by, now).await?;
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
            let left = self.read().await?.people_who_left(&area.id).await?;
            for row in left {
                let mut object: serde_json::Map<String, serde_json::Value> = row.fields.into_iter().collect();
                object.insert("id".into(), serde_json::Value::String(row.id.to_string()));
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
    tx: &mut dyn Transaction,
    area_id: &str,
    person: PersonId,
    why: PurgeReason,
    requested_by: Option<&crate::CurrentUser>,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let mut records = tx.person_records(person, area_id).await?;
    if records.is_empty() {
        return Ok(0);
    }
    records.sort_by_key(|stored| stored.record.id);
    let first_seq = tx.last_change_seq().await? + 1;
    let mut tombstones = Vec::with_capacity(records.len());
    for (next_seq, stored) in (first_seq..).zip(&records) {
        let record = &stored.record;
        // Every earlier state in the log: blanked, as tombstones of their versions.
        for (seq, version) in tx.record_history(record.id).await? {
            tx.blank_change(seq, &Record { version, ..record.purged() }).await?;
        }
        // The purge itself: a new version, a tombstone, so devices delete their copies.
        tombstones.push((Record { version: record.version + 1, ..record.purged() }, next_seq));
    }
    let log: Vec<LogEntry<'_>> =
        tombstones.iter().map(|(record, seq)| LogEntry { change_seq: *seq, record, client_seq: 0 }).collect();
    let author = Author { client_id: PURGE_CLIENT, user_id: requested_by.map(|u| u.id), at: now };
    tx.append_changes(&log, author).await?;
    let saved: Vec<(&Record, u64)> = tombstones.iter().map(|(record, seq)| (record, *seq)).collect();
    tx.save_records(area_id, &saved).await?;
    let ids: Vec<dsr_shared::RecordId> = records.iter().map(|stored| stored.record.id).collect();
    // Old and new values, and reasons, in the audit trail: blanked; who, when and what stay. Conflicts,
    // match keys, assignments and a self-referral's reference (which would find nothing) go.
    tx.blank_audit(person, PURGED_DETAIL).await?;
    tx.forget_person(person, &ids).await?;
    tx.add_purge(PurgeRow {
        person_id: person,
        area_id,
        purged_at: now,
        why: why.name(),
        requested_by: requested_by.map(|u| u.id),
        records: records.len(),
    })
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
        detail: Some(format!("{} record(s) removed ({})", records.len(), why.name())),
        ..AuditEvent::default()
    };
    tx.append_audit(&[event], now).await?;
    Ok(records.len())
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
