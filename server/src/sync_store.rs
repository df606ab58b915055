//! Sync: push runs the shared push logic (`dsr_shared::sync::push`) inside one write transaction
//! (writers one at a time, so change numbers have no gaps) and answers only after the commit is
//! durable. Pull pages the change log by number, within the user's view.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use dsr_shared::sync::push::{Batch, process};
use dsr_shared::sync::validate::AreaRules;
use dsr_shared::sync::{
    Change, Conflict, Fields, Mutation, PullResponse, PushOutcome, PushRequest, PushResponse, Record, RecordKind,
    person_from, person_of,
};
use dsr_shared::{ClientId, PersonId, RecordId};
use serde_json::Value;

use crate::access_store::{view_for, write_access};
use crate::auth::CurrentUser;
use crate::policy_store::{area_policy, dates_of_birth};
use crate::storage::{AuditEvent, Author, DeviceRow, LogEntry, LoggedChange, Transaction};
use crate::{AppError, Store};

impl Store {
    /// Applies a device's mutations for `user`: exactly once per (client, seq), in order, merged per
    /// field, each within the user's access; every change and every refusal is audited.
    ///
    /// Run start to end where the database's writes are best run (see [`Store::in_writes_runtime`]).
    pub async fn push(
        &self,
        user: &CurrentUser,
        request: PushRequest,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<PushResponse, AppError> {
        let (store, user) = (self.clone(), user.clone());
        self.in_writes_runtime(async move { store.push_in_turn(&user, &request, now, today).await }).await
    }

    async fn push_in_turn(
        &self,
        user: &CurrentUser,
        request: &PushRequest,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<PushResponse, AppError> {
        let mut tx = self.write().await?;
        let client = request.client_id.to_string();
        let device = claim_device(&mut *tx, &client, user, now).await?;
        let last_seq = device.last_seq;
        let mut batch = Batch { last_seq, ..Batch::default() };

        let repeated = request.mutations.iter().map(|m| m.seq).filter(|seq| *seq <= last_seq);
        if let (Some(low), Some(high)) = (repeated.clone().min(), repeated.max()) {
            batch.stored = tx.stored_answers(&client, low, high).await?;
        }
        let ids: BTreeSet<RecordId> = request.mutations.iter().map(|m| m.record_id).collect();
        let mut foreign = BTreeSet::new();
        let mut touched = BTreeSet::new();
        for stored in tx.records(&ids).await? {
            if stored.area_id.as_deref() != Some(user.area_id.as_str()) {
                foreign.insert(stored.record.id);
            }
            touched.extend(stored.record.person_id());
            batch.records.insert(stored.record.id, stored.record);
        }
        for m in &request.mutations {
            let fields: Fields = m.changes.iter().map(|(k, c)| (k.clone(), c.new.clone())).collect();
            touched.extend(person_of(m.kind, m.record_id, &fields));
        }
        batch.access = Some(write_access(&mut *tx, user, &touched, foreign, today).await?);
        // New consents and risk assessments are checked against the area's own policy.
        let checked_people: BTreeSet<PersonId> = request
            .mutations
            .iter()
            .filter(|m| m.base_version.is_none() && matches!(m.kind, RecordKind::Consent | RecordKind::RiskAssessment))
            .filter_map(|m| {
                let fields: Fields = m.changes.iter().map(|(k, c)| (k.clone(), c.new.clone())).collect();
                person_of(m.kind, m.record_id, &fields)
            })
            .collect();
        // People added or changed are checked against the area's people they may be (not for the public
        // self-referral form: a family is never told who is on the register).
        let people = if user.is_self_referral_form() {
            None
        } else {
            possible_duplicates(&mut *tx, &user.area_id, &request.mutations, &batch.records).await?
        };
        // A family's consent changes are checked against the policy too (a withdrawal may be a request).
        let family_consent = user.role == dsr_shared::access::Role::Family
            && request.mutations.iter().any(|m| m.kind == RecordKind::Consent);
        if !checked_people.is_empty() || people.is_some() || family_consent {
            let area = crate::accounts_store::area_name(&mut *tx, &user.area_id).await?;
            let policy = area_policy(&mut *tx, &user.area_id, &area).await?.policy;
            let born = dates_of_birth(&mut *tx, &checked_people).await?;
            batch.rules = Some(AreaRules { policy, born, people });
        }
        batch.next_change_seq = tx.last_change_seq().await? + 1;

        let results = process(&mut batch, request.client_id, &request.mutations, now, today);
        write(&mut *tx, user, request, &batch, now).await?;
        tx.commit().await?;
        if let Some(last) = batch.changes.last() {
            self.changes().announce(&user.area_id, last.change_seq);
        }
        Ok(PushResponse { results })
    }

    /// Up to `limit` changes after `cursor` that `user` may see, with what the device must delete or
    /// fetch because the user's access changed since its view `view_no`; each person whose records
    /// are sent is audited as read.
    ///
    /// Worked out first on a reader: a pull that changes no view and sends nothing to audit writes
    /// nothing, so it is answered from there and never waits for the writers' turn. That is most pulls:
    /// the 15-second timer, an announcement of a change this user may not see, and a device's pull right
    /// after its own push, which sends back only what it made itself (not audited: see
    /// [`made_by_this_device`]). Any other is worked out again, from the start, in a write transaction,
    /// where the database's writes are best run (see [`Store::in_writes_runtime`]); a view of the whole
    /// area goes there straight away when a change after its cursor was announced.
    /// Reads outside a transaction may see a later state from one statement to the next; the page is
    /// one statement (a prefix of the log, which is numbered in commit order), and the reader's answer
    /// sends only changes the device made and the view holds, and moves the cursor past the others its
    /// view does not hold; should the user's access have grown meanwhile, the device's stored view (not
    /// updated by the reader) differs from the next pull's, which sends that person's records up to the
    /// cursor.
    ///
    /// Tried and not kept (session 23): a pull that sends records worked out on a read snapshot
    /// (SQLite's deferred `BEGIN`, PostgreSQL's `REPEATABLE READ READ ONLY`), taking the writers' turn
    /// only for its audit entries. With 20 devices it carried 15% more (1,684 against 1,468 mutations/s,
    /// four rounds each, alternated), but with 200 the push p99 grew from 655-767 to 794-894 ms: each
    /// pull then queued twice, for one of the 4 readers and for the turn (8 readers did worse still).
    pub async fn pull(
        &self,
        user: &CurrentUser,
        request: PullRequest,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<PullResponse, AppError> {
        // A pull reading the whole area (a coordinator's, a DSR panel member's) goes straight to the
        // writers' turn when a change after its cursor was announced since the server started: the answer
        // almost surely sends another's change (a write), and working it out twice would cost every busy
        // device's pull. A keyworker's page (their caseload) is mostly what their own device has just
        // pushed, sent back without a write.
        if self.changes().newest() <= request.cursor || !user.role.reads_whole_area() {
            let mut tx = self.read().await?;
            if let Pulled::Answer(answer) = pull_in(&mut *tx, user, &request, now, today, false).await? {
                return Ok(answer);
            }
        }
        let (store, user) = (self.clone(), user.clone());
        self.in_writes_runtime(async move {
            let mut tx = store.write().await?;
            match pull_in(&mut *tx, &user, &request, now, today, true).await? {
                Pulled::Answer(answer) => {
                    tx.commit().await?;
                    Ok(answer)
                }
                Pulled::NeedsWrite => Err(AppError::Corrupt("a pull in a write transaction asked for one".into())),
            }
        })
        .await
    }

    /// The current state of a record.
    pub async fn record(&self, id: RecordId) -> Result<Option<Record>, AppError> {
        let mut tx = self.read().await?;
        Ok(tx.records(&BTreeSet::from([id])).await?.into_iter().next().map(|stored| stored.record))
    }

    /// Conflicts not yet resolved on records `user` may see, oldest first (each person's values read
    /// is audited).
    pub async fn open_conflicts(
        &self,
        user: &CurrentUser,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Vec<Conflict>, AppError> {
        let mut tx = self.write().await?;
        let view = view_for(&mut *tx, user, today).await?;
        let mut conflicts = Vec::new();
        let mut people = BTreeSet::new();
        for row in tx.open_conflicts(&user.area_id).await? {
            if view.holds(row.person_id, row.conflict.kind, row.review_id) {
                people.insert(row.person_id);
                conflicts.push(row.conflict);
            }
        }
        let events: Vec<AuditEvent> = people
            .into_iter()
            .map(|person| AuditEvent {
                person_id: person,
                ..AuditEvent::by(user, "person.sent").detail("conflicting values sent")
            })
            .collect();
        tx.append_audit(&events, now).await?;
        tx.commit().await?;
        Ok(conflicts)
    }

    /// Fills the match keys of people recorded before they were kept (once: when there are none).
    pub(crate) async fn fill_match_keys(&self) -> Result<(), AppError> {
        if self.read().await?.match_key_count().await? > 0 {
            return Ok(());
        }
        let mut tx = self.write().await?;
        let mut by_area: BTreeMap<String, Vec<(RecordId, Vec<String>)>> = BTreeMap::new();
        for (person, area) in tx.live_people().await? {
            let Some(area) = area else { continue };
            let record =
                Record { id: person.id, kind: RecordKind::Person, version: 0, fields: person.fields, deleted: false };
            by_area.entry(area).or_default().push((record.id, match_keys_of(&record)));
        }
        for (area, people) in by_area {
            tx.set_match_keys(&area, &people).await?;
        }
        tx.commit().await
    }
}

/// What a pull asks for.
#[derive(Debug, Clone, Copy)]
pub struct PullRequest {
    pub client: ClientId,
    pub cursor: u64,
    pub view_no: u64,
    pub limit: u32,
}

/// What [`Store::pull`] works out: the answer, or (on a reader) that answering needs a write.
enum Pulled {
    Answer(PullResponse),
    NeedsWrite,
}

/// A pull worked out in `tx`; with `may_write` false nothing is written and [`Pulled::NeedsWrite`] is
/// the answer wherever a write would be (a device to claim, a view to store, records sent to audit).
async fn pull_in(
    tx: &mut dyn Transaction,
    user: &CurrentUser,
    request: &PullRequest,
    now: DateTime<Utc>,
    today: NaiveDate,
    may_write: bool,
) -> Result<Pulled, AppError> {
    let PullRequest { client, cursor, view_no, limit } = *request;
    let client_text = client.to_string();
    let device = if may_write {
        claim_device(tx, &client_text, user, now).await?
    } else {
        match tx.device(&client_text).await? {
            Some(device) if device.owner.is_some() => owned_by(device, user)?,
            // A device new to the server, or from before accounts: claiming it writes.
            _ => return Ok(Pulled::NeedsWrite),
        }
    };
    let view = view_for(tx, user, today).await?;
    let base = if cursor == 0 {
        // A device with nothing: the log from the start, filtered by the view, is all it needs.
        Some(view.clone())
    } else if view_no == device.view_no {
        // None for a device that synced before accounts: it may hold anything, so it starts again.
        device.view.clone()
    } else if Some(view_no) == device.prev_view_no {
        device.prev_view.clone()
    } else {
        None
    };
    let Some(base) = base.filter(|base| !view.needs_reset_from(base)) else {
        return Ok(Pulled::Answer(PullResponse {
            changes: Vec::new(),
            removed: Vec::new(),
            cursor: 0,
            more: true,
            view: 0,
            reset: true,
        }));
    };
    // A view to store (the user's access changed, or a device starting from nothing): a write.
    if !may_write && (view != base || cursor == 0) {
        return Ok(Pulled::NeedsWrite);
    }
    // An area-wide view holds nearly every change: with any after the cursor the answer sends records
    // (a write), so the reader does not read the log only for the writer to read it again.
    if !may_write && view.is_area_wide() && tx.last_change_seq().await? > cursor {
        return Ok(Pulled::NeedsWrite);
    }

    let mut changes = Vec::new();
    let mut removed = Vec::new();
    let mut answer_view = view_no;
    if view != base {
        for person in view.people_changed_from(&base) {
            for stored in tx.person_records(person, &user.area_id).await? {
                let record = &stored.record;
                let (was, is) = (base.holds_record(record), view.holds_record(record));
                if was && !is {
                    removed.push(record.id);
                } else if is && !was && !record.deleted && stored.change_seq <= cursor {
                    // Later changes come through the log below: only what the device missed before it.
                    changes.push(Change { change_seq: stored.change_seq, record: stored.record });
                }
            }
        }
        answer_view = device.view_no.max(view_no) + 1;
        tx.set_device_view(&client_text, answer_view, &view, Some((view_no, &base))).await?;
    } else if cursor == 0 {
        answer_view = device.view_no.max(view_no) + 1;
        tx.set_device_view(&client_text, answer_view, &view, None).await?;
    }

    // Each person whose records are sent is audited as read: every record sent for a change of access,
    // and every change from the log but those this device made itself (see [`made_by_this_device`]).
    let mut sent: BTreeMap<Option<PersonId>, usize> = BTreeMap::new();
    for change in &changes {
        *sent.entry(change.record.person_id()).or_default() += 1;
    }
    let caseload_of = (!view.is_area_wide()).then_some(user.id);
    let page = tx.log_page(&user.area_id, cursor, caseload_of, limit.saturating_add(1)).await?;
    let more = page.len() > limit as usize;
    let mut new_cursor = cursor;
    for logged in page.into_iter().take(limit as usize) {
        new_cursor = logged.change.change_seq;
        if view.holds_record(&logged.change.record) {
            if !made_by_this_device(&logged, &client_text, cursor) {
                *sent.entry(logged.change.record.person_id()).or_default() += 1;
            }
            changes.push(logged.change);
        }
    }

    // An audit entry is a write.
    if !may_write && !sent.is_empty() {
        return Ok(Pulled::NeedsWrite);
    }
    let events: Vec<AuditEvent> = sent
        .into_iter()
        .map(|(person, count)| AuditEvent {
            person_id: person,
            client_id: Some(client_text.clone()),
            ..AuditEvent::by(user, "person.sent").detail(format!("{count} record(s) sent to the device"))
        })
        .collect();
    if !events.is_empty() {
        tx.append_audit(&events, now).await?;
    }
    Ok(Pulled::Answer(PullResponse { changes, removed, cursor: new_cursor, more, view: answer_view, reset: false }))
}

/// Whether a change from the log is one this device made, sent back to it after a cursor it already
/// held (it learns the change's number and the record as merged): not audited as sent, as it shows the
/// device nothing it did not hold. The change is the device's own mutation; whatever the record carries
/// from other changes reached the device before its cursor (audited then) or comes earlier in this same
/// page (audited now, as another's change), since the log is sent in order and the record is the same.
/// The device's own writes are in the audit trail already (`record.create`, `record.update`, ...).
/// A device starting from nothing (cursor 0) is audited for everything it is sent.
fn made_by_this_device(logged: &LoggedChange, client: &str, cursor: u64) -> bool {
    cursor > 0 && logged.client_id == client
}

/// The device's state, making it the user's on first contact. A device used by someone else is
/// refused: each sign-in starts with a wiped device and a new device id.
async fn claim_device(
    tx: &mut dyn Transaction,
    client: &str,
    user: &CurrentUser,
    now: DateTime<Utc>,
) -> Result<DeviceRow, AppError> {
    let Some(device) = tx.device(client).await? else {
        tx.add_device(client, user.id, now).await?;
        return Ok(DeviceRow {
            last_seq: 0,
            owner: Some(user.id),
            claimed_at: Some(now),
            view_no: 0,
            view: None,
            prev_view_no: None,
            prev_view: None,
        });
    };
    if device.owner.is_none() {
        // A device from before accounts: the first user to sync it owns it.
        tx.claim_device(client, user.id, now).await?;
        return Ok(device);
    }
    owned_by(device, user)
}

/// The device, when `user` owns it; refused when another account does.
fn owned_by(device: DeviceRow, user: &CurrentUser) -> Result<DeviceRow, AppError> {
    match device.owner {
        Some(owner) if owner != user.id => Err(AppError::BadRequest {
            status: axum::http::StatusCode::FORBIDDEN,
            code: "device_of_another_user",
            message: "This device's data belongs to another account: sign out, then sign in again".into(),
        }),
        _ => Ok(device),
    }
}

/// The area's people who share a match key (NHS number, or names and date of birth) with a person the push
/// adds or changes: all a duplicate could be, found by their match keys. `None` when the push touches
/// no person.
async fn possible_duplicates(
    tx: &mut dyn Transaction,
    area_id: &str,
    mutations: &[Mutation],
    current: &BTreeMap<RecordId, Record>,
) -> Result<Option<dsr_shared::person::PeopleIndex>, AppError> {
    let mut keys = BTreeSet::new();
    let mut touched = false;
    for m in mutations.iter().filter(|m| m.kind == RecordKind::Person) {
        touched = true;
        // The person as the push would leave them (what is on the server, with the push's new values).
        let mut fields = current.get(&m.record_id).map(|r| r.fields.clone()).unwrap_or_default();
        fields.extend(m.changes.iter().map(|(k, c)| (k.clone(), c.new.clone())));
        if let Some(person) = person_from(m.record_id, &fields) {
            keys.extend(dsr_shared::person::match_keys(&person).into_iter().map(|(key, _)| key));
        }
    }
    if !touched {
        return Ok(None);
    }
    // One read for the whole push: the records of everyone sharing one of its keys.
    let keys: Vec<String> = keys.into_iter().collect();
    let rows = tx.people_with_keys(area_id, &keys).await?;
    let people = rows.into_iter().filter_map(|(id, fields)| person_from(id, &fields));
    Ok(Some(dsr_shared::person::PeopleIndex::new(people)))
}

/// A person record's match keys: while it is on the register or referred (none once deleted, purged or left).
fn match_keys_of(record: &Record) -> Vec<String> {
    if record.kind != RecordKind::Person || record.deleted {
        return Vec::new();
    }
    let person = person_from(record.id, &record.fields);
    let person = person.filter(|p| !matches!(p.register_status, dsr_shared::person::RegisterStatus::Left { .. }));
    person.map(|p| dsr_shared::person::match_keys(&p).into_iter().map(|(key, _)| key).collect()).unwrap_or_default()
}

/// The keys a person record written now must have, when they differ from the ones it had.
fn changed_match_keys(before: Option<&Record>, record: &Record) -> Option<Vec<String>> {
    if record.kind != RecordKind::Person {
        return None;
    }
    let keys = match_keys_of(record);
    let had = before.map(match_keys_of).unwrap_or_default();
    (keys != had || before.is_none()).then_some(keys)
}

/// Writes what a push did: its changes (log and records, a statement each whatever their number),
/// its audit entries, match keys, assignments, answers and conflicts.
async fn write(
    tx: &mut dyn Transaction,
    user: &CurrentUser,
    request: &PushRequest,
    batch: &Batch,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let client_text = request.client_id.to_string();
    let mutations: BTreeMap<u64, &Mutation> = request.mutations.iter().map(|m| (m.seq, m)).collect();
    // Which mutation made each change (for the log's audit columns).
    let made_by: BTreeMap<u64, u64> = batch
        .answered
        .iter()
        .filter_map(|r| match &r.outcome {
            PushOutcome::Applied { change_seq, .. } => Some((*change_seq, r.seq)),
            PushOutcome::Conflict { change_seq: Some(change_seq), .. } => Some((*change_seq, r.seq)),
            _ => None,
        })
        .collect();
    let mut events = Vec::with_capacity(batch.changes.len() + batch.refused.len());
    let mut match_keys = Vec::new();
    let mut log = Vec::with_capacity(batch.changes.len());
    let mut records = Vec::with_capacity(batch.changes.len());
    for (change, before) in batch.changes.iter().zip(&batch.before) {
        let record = &change.record;
        let client_seq = made_by.get(&change.change_seq).copied().unwrap_or(0);
        log.push(LogEntry { change_seq: change.change_seq, record, client_seq });
        records.push((record, change.change_seq));
        if let Some(keys) = changed_match_keys(before.as_ref(), record) {
            match_keys.push((record.id, keys));
        }
        let action = match (before, record.deleted) {
            (None, _) => "record.create",
            (Some(_), true) => "record.delete",
            (Some(_), false) => "record.update",
        };
        events.push(AuditEvent {
            client_id: Some(client_text.clone()),
            person_id: record.person_id(),
            record_id: Some(record.id.to_string()),
            kind: Some(record.kind.name().to_string()),
            changes: Some(field_changes(before.as_ref(), record)?),
            reason: mutations.get(&client_seq).and_then(|m| m.reason.clone()),
            detail: Some(format!("version {}", record.version)),
            ..AuditEvent::by(user, action)
        });
    }
    let author = Author { client_id: &client_text, user_id: Some(user.id), at: now };
    tx.append_changes(&log, author).await?;
    tx.save_records(&user.area_id, &records).await?;
    for (seq, record_id, kind, person) in &batch.refused {
        events.push(AuditEvent {
            client_id: Some(client_text.clone()),
            person_id: *person,
            record_id: Some(record_id.to_string()),
            kind: Some(kind.name().to_string()),
            detail: Some(format!("change {seq} refused: no access")),
            ..AuditEvent::by(user, "record.refused")
        });
    }
    tx.append_audit(&events, now).await?;
    tx.set_match_keys(&user.area_id, &match_keys).await?;
    for person in &batch.assigned {
        tx.assign(user.id, *person, user.id, now).await?;
    }
    tx.store_answers(&client_text, &batch.answered, batch.last_seq, now).await?;
    tx.add_conflicts(&user.area_id, &client_text, &batch.conflicts).await?;
    Ok(())
}

/// The fields a change altered: `{field: {old, new}}`, as JSON text (written from the records' own
/// values, not copied into a JSON value first: a batch of 500 people is 500 entries of ~1 KB each).
fn field_changes(before: Option<&Record>, after: &Record) -> Result<String, AppError> {
    #[derive(serde::Serialize)]
    struct FieldChange<'a> {
        old: &'a Value,
        new: &'a Value,
    }
    let empty = Fields::new();
    let old = before.map_or(&empty, |r| &r.fields);
    let names: BTreeSet<&String> = old.keys().chain(after.fields.keys()).collect();
    let changes: BTreeMap<&str, FieldChange<'_>> = names
        .into_iter()
        .map(|name| (name.as_str(), FieldChange { old: old.get(name).unwrap_or(&Value::Null), new: after.field(name) }))
        .filter(|(_, change)| change.old != change.new)
        .collect();
    serde_json::to_string(&changes).map_err(|e| AppError::Corrupt(format!("a change's fields: {e}")))
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use dsr_shared::sync::FieldChange;

    fn create(seq: u64, n: u8, nhs: &str) -> Mutation {
        let fields =
            [("given_name", "Alex"), ("family_name", "Example"), ("date_of_birth", "2012-03-04"), ("nhs_number", nhs)];
        Mutation {
            seq,
            record_id: RecordId::from_time_and_random(1_764_000_000_000, [n; 10]),
            kind: RecordKind::Person,
            base_version: None,
            changes: fields
                .into_iter()
                .map(|(k, v)| (k.to_string(), FieldChange { old: Value::Null, new: Value::String(v.into()) }))
                .collect(),
            delete: false,
            reason: None,
        }
    }

    /// A new area's coordinator, signed in.
    async fn coordinator(store: &Store, clock: &crate::Clock, area: &str, username: &str) -> CurrentUser {
        crate::admin::create_coordinator(store, clock, area, username, "Jo", "a long test password")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let user = store.user_by_username(username).await.ok().flatten().unwrap_or_else(|| panic!("no coordinator"));
        store.acting_as(user.id).await.unwrap_or_else(|e| panic!("{e}"))
    }

    /// A store with an area, its coordinator Jo, and Alex pushed from Jo's tablet (its change 1).
    struct WithAlex {
        /// Holds the database's folder until the test ends.
        dir: tempfile::TempDir,
        store: Store,
        jo: CurrentUser,
        now: DateTime<Utc>,
        today: NaiveDate,
        tablet: ClientId,
    }

    async fn with_alex() -> WithAlex {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let clock = crate::Clock::Fixed(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default());
        let store = Store::open(&dir.path().join("dsr.sqlite3")).await.unwrap_or_else(|e| panic!("{e}"));
        let jo = coordinator(&store, &clock, "Area", "jo.coordinator").await;
        let (now, today) = (clock.now(), clock.today());
        let tablet = ClientId::from_time_and_random(1, [1; 10]);
        let push = PushRequest { client_id: tablet, mutations: vec![create(1, 1, "9434765919")] };
        store.push(&jo, push, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        WithAlex { dir, store, jo, now, today, tablet }
    }

    /// Alex's given name made Alexa: the tablet's change `seq`, on Alex's first version.
    fn rename_alex(seq: u64) -> Mutation {
        let mut rename = create(seq, 1, "9434765919");
        rename.base_version = Some(1);
        rename.changes = [(
            "given_name".to_string(),
            FieldChange { old: serde_json::json!("Alex"), new: serde_json::json!("Alexa") },
        )]
        .into();
        rename
    }

    #[tokio::test]
    async fn people_recorded_before_the_match_keys_are_found_after_a_restart() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("dsr.sqlite3");
        let clock = crate::Clock::Fixed(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default());
        let store = Store::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
        let jo = coordinator(&store, &clock, "Area", "jo.coordinator").await;
        let (now, today) = (clock.now(), clock.today());
        let client = ClientId::from_time_and_random(1, [1; 10]);
        let push = PushRequest { client_id: client, mutations: vec![create(1, 1, "9434765919")] };
        store.push(&jo, push, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        // As if recorded before the table existed: its keys are gone; opening the store fills them again.
        let pool =
            sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display())).await.unwrap_or_else(|e| panic!("{e}"));
        sqlx::query("DELETE FROM person_match_keys").execute(&pool).await.unwrap_or_else(|e| panic!("{e}"));
        pool.close().await;
        drop(store);
        let store = Store::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
        let again = PushRequest { client_id: client, mutations: vec![create(2, 2, "943 476 5919")] };
        let answer = store.push(&jo, again, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(&answer.results[0].outcome, PushOutcome::Rejected { reasons } if reasons[0].field == "nhs_number"),
            "{answer:?}"
        );
    }

    #[tokio::test]
    async fn a_pull_that_sends_nothing_is_answered_while_the_writers_turn_is_taken() {
        let WithAlex { dir: _dir, store, jo, now, today, tablet } = with_alex().await;
        let clock = crate::Clock::Fixed(now);
        let laptop = ClientId::from_time_and_random(2, [2; 10]);
        let first = PullRequest { client: laptop, cursor: 0, view_no: 0, limit: 100 };
        let first = store.pull(&jo, first, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.changes.len(), 1);

        // Another request holds the writers' turn; the laptop's next pull has nothing to send and is
        // answered all the same (taking a turn, it would wait for this one: 30 s, then a 503).
        let held = store.write().await.unwrap_or_else(|e| panic!("{e}"));
        let again = PullRequest { client: laptop, cursor: first.cursor, view_no: first.view, limit: 100 };
        let answer = store.pull(&jo, again, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            (answer.changes.len(), answer.cursor, answer.view, answer.reset),
            (0, first.cursor, first.view, false)
        );
        drop(held);
        // A device of another account is refused there too.
        let sam = coordinator(&store, &clock, "Other", "sam.coordinator").await;
        let held = store.write().await.unwrap_or_else(|e| panic!("{e}"));
        let theirs = PullRequest { client: laptop, cursor: first.cursor, view_no: first.view, limit: 100 };
        let refused = store.pull(&sam, theirs, now, today).await.map(|_| ()).map_err(|e| e.to_string());
        assert!(refused.as_ref().is_err_and(|e| e.contains("another account")), "{refused:?}");
        drop(held);

        // With the turn free, a pull with something to send still sends it.
        let push = PushRequest { client_id: tablet, mutations: vec![rename_alex(2)] };
        store.push(&jo, push, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        let next = PullRequest { client: laptop, cursor: first.cursor, view_no: first.view, limit: 100 };
        let next = store.pull(&jo, next, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(given_names(&next), [serde_json::json!("Alexa")]);
    }

    /// The given names of the records a pull sent, in order.
    fn given_names(page: &PullResponse) -> Vec<Value> {
        page.changes.iter().map(|c| c.record.field("given_name").clone()).collect()
    }

    /// A keyworker's device pulling right after its own push is sent back its changes from a reader,
    /// answered while the writers' turn is taken (it writes nothing: its view is unchanged and nothing
    /// sent needs an audit entry). A change made elsewhere is still sent, by a pull that takes the turn.
    #[tokio::test]
    async fn a_pull_sending_back_a_devices_own_changes_is_answered_while_the_writers_turn_is_taken() {
        let WithAlex { dir: _dir, store, jo, now, today, tablet } = with_alex().await;
        let sam = crate::storage::NewUser {
            area_id: &jo.area_id,
            username: Some("sam.keyworker"),
            display_name: "Sam",
            role: dsr_shared::access::Role::Keyworker,
            password_hash: None,
            created_by: Some(jo.id),
            young_person: false,
        };
        let sam = store.create_user(&sam, now).await.unwrap_or_else(|e| panic!("{e}"));
        let alex = PersonId::from_uuid(create(1, 1, "9434765919").record_id.as_uuid());
        store.assign(sam, alex, jo.id, now).await.unwrap_or_else(|e| panic!("{e}"));
        let sam = store.acting_as(sam).await.unwrap_or_else(|e| panic!("{e}"));
        let phone = ClientId::from_time_and_random(3, [3; 10]);
        let first = PullRequest { client: phone, cursor: 0, view_no: 0, limit: 100 };
        let first = store.pull(&sam, first, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first.changes.len(), 1, "Alex");

        let note_id = RecordId::from_time_and_random(1_764_000_000_000, [9; 10]);
        let note = Mutation {
            seq: 1,
            record_id: note_id,
            kind: RecordKind::VisitNote,
            base_version: None,
            changes: [
                ("person_id", alex.to_string()),
                ("visited_on", "2026-11-25".into()),
                ("by", "Sam".into()),
                ("note", "At home".into()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), FieldChange { old: Value::Null, new: Value::String(v) }))
            .collect(),
            delete: false,
            reason: None,
        };
        let push = PushRequest { client_id: phone, mutations: vec![note] };
        let pushed = store.push(&sam, push, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(pushed.results[0].outcome, PushOutcome::Applied { .. }), "{pushed:?}");

        // Another request holds the writers' turn; the phone's pull gets its note back all the same
        // (taking a turn, it would wait for this one: 30 s, then a 503).
        let held = store.write().await.unwrap_or_else(|e| panic!("{e}"));
        let next = PullRequest { client: phone, cursor: first.cursor, view_no: first.view, limit: 100 };
        let back = store.pull(&sam, next, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.changes.iter().map(|c| c.record.id).collect::<Vec<_>>(), [note_id]);
        assert_eq!((back.view, back.reset, back.more), (first.view, false, false));
        drop(held);

        // Jo renames Alex from her tablet: the phone's next pull sends it (in the turn, audited).
        let rename = PushRequest { client_id: tablet, mutations: vec![rename_alex(2)] };
        store.push(&jo, rename, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        let after = PullRequest { client: phone, cursor: back.cursor, view_no: back.view, limit: 100 };
        let after = store.pull(&sam, after, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(given_names(&after), [serde_json::json!("Alexa")]);
    }

    /// Polls `work` once (a push or a pull hands itself to the writes' thread on its first poll), then
    /// drops it, as axum drops a handler whose client has gone.
    async fn give_up_on<T>(work: impl std::future::Future<Output = T>) {
        let mut work = std::pin::pin!(work);
        let first = std::future::poll_fn(|cx| std::task::Poll::Ready(work.as_mut().poll(cx).is_ready())).await;
        assert!(!first, "the write ended while the writers' turn was held");
    }

    /// Waits (up to a minute: only a write never carried out takes that long) for `check` to hold.
    async fn until<F: std::future::Future<Output = bool>>(what: &str, check: impl Fn() -> F) {
        for _ in 0..600 {
            if check().await {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{what}: not within a minute");
    }

    /// On SQLite the busiest writes run on a thread of their own, and a panic there is the caller's.
    #[tokio::test]
    async fn writes_run_on_a_thread_of_their_own() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(&dir.path().join("dsr.sqlite3")).await.unwrap_or_else(|e| panic!("{e}"));
        let thread = store
            .in_writes_runtime(async { Ok(std::thread::current().name().map(str::to_string)) })
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(thread.as_deref(), Some(crate::storage::sqlite::WRITES_THREAD));
        let panicked = tokio::spawn({
            let store = store.clone();
            async move { store.in_writes_runtime::<()>(async { panic!("planted") }).await }
        })
        .await;
        assert!(panicked.is_err_and(|e| e.is_panic()), "the caller did not see the panic");
    }

    /// A push or a pull that writes, once begun, is carried out even when its caller goes away (a
    /// tablet losing its signal mid-request): the push is applied (its answer kept for the device's
    /// next try, as for an answer lost on the way) and the pull's device and view are stored. Both wait
    /// here for a turn held by another write, so neither can end before the caller is gone.
    #[tokio::test]
    async fn a_write_whose_caller_goes_away_is_carried_out() {
        let WithAlex { dir: _dir, store, jo, now, today, tablet } = with_alex().await;
        let held = store.write().await.unwrap_or_else(|e| panic!("{e}"));
        let rename = || PushRequest { client_id: tablet, mutations: vec![rename_alex(2)] };
        let id = rename().mutations[0].record_id;
        let version = async || store.record(id).await.ok().flatten().map(|r| r.version);
        give_up_on(store.push(&jo, rename(), now, today)).await;
        // A change after its cursor was announced: the pull goes straight to the writes' thread.
        let laptop = ClientId::from_time_and_random(2, [2; 10]);
        let pull = PullRequest { client: laptop, cursor: 0, view_no: 0, limit: 100 };
        give_up_on(store.pull(&jo, pull, now, today)).await;
        assert_eq!(version().await, Some(1), "applied while the turn was held");
        drop(held);

        until("the push applied", || async { version().await == Some(2) }).await;
        let answer = store.push(&jo, rename(), now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(answer.results[0].outcome, PushOutcome::Applied { record_version: 2, .. }), "{answer:?}");
        assert_eq!(version().await, Some(2), "the device's next try applied it again");
        let laptop = laptop.to_string();
        until("the laptop's view stored", || async {
            let Ok(mut tx) = store.read().await else { return false };
            tx.device(&laptop).await.ok().flatten().is_some_and(|device| device.view_no > 0)
        })
        .await;
    }
}
