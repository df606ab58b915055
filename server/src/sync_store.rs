//! The sync engine's tables: push runs the shared push logic (`dsr_shared::sync::push`) inside one
//! `BEGIN IMMEDIATE` transaction (SQLite's single writer, so change numbers have no gaps) and answers
//! only after the commit is durable (`synchronous=FULL`). Pull pages the change log by number.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use dsr_shared::access::View;
use dsr_shared::sync::push::{Batch, process};
use dsr_shared::sync::validate::AreaRules;
use dsr_shared::sync::{
    Change, Conflict, Fields, Mutation, PullResponse, PushOutcome, PushRequest, PushResponse, PushResult, Record,
    RecordKind, person_from, person_of,
};
use dsr_shared::{ClientId, PersonId, RecordId};
use serde_json::Value;
use sqlx::{Sqlite, Transaction};

use crate::access_store::{view_for, write_access};
use crate::audit_store::{AuditEvent, audit_in, audit_many};
use crate::auth::CurrentUser;
use crate::policy_store::{area_policy, dates_of_birth};
use crate::{AppError, Store};

fn json<T: serde::Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Corrupt(format!("cannot encode: {e}")))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::Corrupt(format!("{what}: {e}")))
}

impl Store {
    /// Applies a device's mutations for `user`: exactly once per (client, seq), in order, merged per
    /// field, each within the user's access; every change and every refusal is audited.
    pub async fn push(
        &self,
        user: &CurrentUser,
        request: &PushRequest,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<PushResponse, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let client = request.client_id.to_string();
        let device = claim_device(&mut tx, &client, user, now).await?;
        let last_seq = device.last_seq;
        let mut batch = Batch { last_seq, ..Batch::default() };

        let repeated: Vec<i64> = request.mutations.iter().filter(|m| m.seq <= last_seq).map(|m| m.seq as i64).collect();
        if let (Some(low), Some(high)) = (repeated.iter().min(), repeated.iter().max()) {
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT seq, result FROM client_mutations WHERE client_id = ? AND seq BETWEEN ? AND ?")
                    .bind(&client)
                    .bind(low)
                    .bind(high)
                    .fetch_all(&mut *tx)
                    .await?;
            for (seq, result) in rows {
                batch.stored.insert(seq as u64, parse::<PushResult>(&result, "stored answer")?);
            }
        }
        let ids: BTreeSet<RecordId> = request.mutations.iter().map(|m| m.record_id).collect();
        let mut foreign = BTreeSet::new();
        let mut touched = BTreeSet::new();
        for (record, area) in records_with_area(&mut *tx, &ids).await? {
            if area.as_deref() != Some(user.area_id.as_str()) {
                foreign.insert(record.id);
            }
            touched.extend(record.person_id());
            batch.records.insert(record.id, record);
        }
        for m in &request.mutations {
            let fields: Fields = m.changes.iter().map(|(k, c)| (k.clone(), c.new.clone())).collect();
            touched.extend(person_of(m.kind, m.record_id, &fields));
        }
        batch.access = Some(write_access(&mut tx, user, &touched, foreign, today).await?);
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
            possible_duplicates(&mut tx, &user.area_id, &request.mutations, &batch.records).await?
        };
        // A family's consent changes are checked against the policy too (a withdrawal may be a request).
        let family_consent = user.role == dsr_shared::access::Role::Family
            && request.mutations.iter().any(|m| m.kind == RecordKind::Consent);
        if !checked_people.is_empty() || people.is_some() || family_consent {
            let area = crate::accounts_store::area_name(&mut tx, &user.area_id).await?;
            let policy = area_policy(&mut tx, &user.area_id, &area).await?.policy;
            let born = dates_of_birth(&mut tx, &checked_people).await?;
            batch.rules = Some(AreaRules { policy, born, people });
        }
        let (max_seq,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(change_seq), 0) FROM change_log").fetch_one(&mut *tx).await?;
        batch.next_change_seq = max_seq as u64 + 1;

        let results = process(&mut batch, request.client_id, &request.mutations, now, today);
        write(&mut tx, user, request, &batch, now).await?;
        tx.commit().await?;
        if let Some(last) = batch.changes.last() {
            self.changes().announce(&user.area_id, last.change_seq);
        }
        Ok(PushResponse { results })
    }

    /// Up to `limit` changes after `cursor` that `user` may see, with what the device must delete or
    /// fetch because the user's access changed since its view `view_no`; each person whose records
    /// are sent is audited as read.
    pub async fn pull(
        &self,
        user: &CurrentUser,
        request: PullRequest,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<PullResponse, AppError> {
        let PullRequest { client, cursor, view_no, limit } = request;
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let client_text = client.to_string();
        let device = claim_device(&mut tx, &client_text, user, now).await?;
        let view = view_for(&mut tx, user, today).await?;
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
            tx.commit().await?;
            return Ok(PullResponse {
                changes: Vec::new(),
                removed: Vec::new(),
                cursor: 0,
                more: true,
                view: 0,
                reset: true,
            });
        };

        let mut changes = Vec::new();
        let mut removed = Vec::new();
        let mut answer_view = view_no;
        if view != base {
            for person in view.people_changed_from(&base) {
                for (_, _, row) in person_records(&mut tx, &person, &user.area_id).await? {
                    let (was, is) = (base.holds_record(&row.record), view.holds_record(&row.record));
                    if was && !is {
                        removed.push(row.record.id);
                    } else if is && !was && !row.record.deleted && row.change_seq <= cursor {
                        // Later changes come through the log below: only what the device missed before it.
                        changes.push(row);
                    }
                }
            }
            answer_view = device.view_no.max(view_no) + 1;
            sqlx::query(
                "UPDATE sync_clients SET view_no = ?, view = ?, prev_view_no = ?, prev_view = ? WHERE client_id = ?",
            )
            .bind(answer_view as i64)
            .bind(json(&view)?)
            .bind(view_no as i64)
            .bind(json(&base)?)
            .bind(&client_text)
            .execute(&mut *tx)
            .await?;
        } else if cursor == 0 {
            answer_view = device.view_no.max(view_no) + 1;
            sqlx::query("UPDATE sync_clients SET view_no = ?, view = ?, prev_view_no = NULL, prev_view = NULL WHERE client_id = ?")
                .bind(answer_view as i64)
                .bind(json(&view)?)
                .bind(&client_text)
                .execute(&mut *tx)
                .await?;
        }

        let scope = if view.is_area_wide() {
            ""
        } else {
            " AND r.person_id IN (SELECT person_id FROM caseload WHERE user_id = ?3)"
        };
        let sql = format!(
            "SELECT c.change_seq, c.record FROM change_log c JOIN records r ON r.id = c.record_id
             WHERE c.change_seq > ?1 AND r.area_id = ?2{scope} ORDER BY c.change_seq LIMIT ?4"
        );
        let rows: Vec<(i64, String)> = sqlx::query_as(&sql)
            .bind(cursor as i64)
            .bind(&user.area_id)
            .bind(user.id.to_string())
            .bind(i64::from(limit) + 1)
            .fetch_all(&mut *tx)
            .await?;
        let more = rows.len() > limit as usize;
        let mut new_cursor = cursor;
        for (seq, record) in rows.into_iter().take(limit as usize) {
            new_cursor = seq as u64;
            let record: Record = parse(&record, "change log")?;
            if view.holds_record(&record) {
                changes.push(Change { change_seq: seq as u64, record });
            }
        }

        let mut sent: BTreeMap<Option<PersonId>, usize> = BTreeMap::new();
        for change in &changes {
            *sent.entry(change.record.person_id()).or_default() += 1;
        }
        let events: Vec<AuditEvent> = sent
            .into_iter()
            .map(|(person, count)| AuditEvent {
                person_id: person,
                client_id: Some(client_text.clone()),
                ..AuditEvent::by(user, "person.sent").detail(format!("{count} record(s) sent to the device"))
            })
            .collect();
        audit_many(&mut tx, &events, now).await?;
        tx.commit().await?;
        Ok(PullResponse { changes, removed, cursor: new_cursor, more, view: answer_view, reset: false })
    }

    /// The current state of a record.
    pub async fn record(&self, id: RecordId) -> Result<Option<Record>, AppError> {
        Ok(records_with_area(self.pool(), &BTreeSet::from([id])).await?.into_iter().next().map(|(record, _)| record))
    }

    /// Conflicts not yet resolved on records `user` may see, oldest first (each person's values read
    /// is audited).
    pub async fn open_conflicts(
        &self,
        user: &CurrentUser,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Vec<Conflict>, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let view = view_for(&mut tx, user, today).await?;
        let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
            "SELECT json_object('id', c.id, 'record_id', c.record_id, 'kind', c.kind, 'field', c.field, 'base', json(c.base),
                    'theirs', json(c.theirs), 'ours', json(c.ours), 'client_id', c.client_id, 'client_seq', c.client_seq, 'at', c.at),
                    r.person_id, json_extract(r.fields, '$.review_id')
             FROM conflicts c JOIN records r ON r.id = c.record_id
             WHERE c.resolved_at IS NULL AND r.area_id = ? ORDER BY c.at, c.id",
        )
        .bind(&user.area_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut conflicts = Vec::new();
        let mut people = BTreeSet::new();
        for (row, person, review) in rows {
            let conflict: Conflict = parse(&row, "conflict")?;
            let person: Option<PersonId> = person.and_then(|p| p.parse().ok());
            let review = review.and_then(|r| r.parse().ok());
            if view.holds(person, conflict.kind, review) {
                people.insert(person);
                conflicts.push(conflict);
            }
        }
        for person in people {
            let event = AuditEvent {
                person_id: person,
                ..AuditEvent::by(user, "person.sent").detail("conflicting values sent")
            };
            audit_in(&mut tx, &event, now).await?;
        }
        tx.commit().await?;
        Ok(conflicts)
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

/// A device as the server knows it.
struct Device {
    last_seq: u64,
    view_no: u64,
    view: Option<View>,
    prev_view_no: Option<u64>,
    prev_view: Option<View>,
}

/// The device's state, making it the user's on first contact. A device used by someone else is
/// refused: each sign-in starts with a wiped device and a new device id.
/// The area's people who share a match key (NHS number, or names and date of birth) with a person the push
/// adds or changes: all a duplicate could be, found in `person_match_keys`. `None` when the push touches
/// no person.
async fn possible_duplicates(
    tx: &mut Transaction<'_, Sqlite>,
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
    // One statement for the whole push: the records of everyone sharing one of its keys.
    let keys: Vec<String> = keys.into_iter().collect();
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT r.id, r.fields FROM records r WHERE r.kind = 'person' AND r.deleted = 0 AND r.id IN (
             SELECT k.person_id FROM person_match_keys k WHERE k.area_id = ? AND k.key IN (SELECT value FROM json_each(?)))",
    )
    .bind(area_id)
    .bind(json(&keys)?)
    .fetch_all(&mut **tx)
    .await?;
    let people = rows.into_iter().filter_map(|(id, fields)| {
        let fields = serde_json::from_str::<Fields>(&fields).ok()?;
        person_from(id.parse().ok()?, &fields)
    });
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

/// Keeps `person_match_keys` in step with the person records a push wrote (each with its new keys): two
/// statements for the whole push, whatever its size.
pub(crate) async fn write_match_keys(
    tx: &mut Transaction<'_, Sqlite>,
    area_id: &str,
    people: &[(RecordId, Vec<String>)],
) -> Result<(), AppError> {
    if people.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = people.iter().map(|(id, _)| id.to_string()).collect();
    sqlx::query("DELETE FROM person_match_keys WHERE person_id IN (SELECT value FROM json_each(?))")
        .bind(json(&ids)?)
        .execute(&mut **tx)
        .await?;
    let rows: Vec<(String, String)> =
        people.iter().flat_map(|(id, keys)| keys.iter().map(move |k| (k.clone(), id.to_string()))).collect();
    if rows.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT OR IGNORE INTO person_match_keys (area_id, key, person_id)
         SELECT ?, value ->> '$[0]', value ->> '$[1]' FROM json_each(?)",
    )
    .bind(area_id)
    .bind(json(&rows)?)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Fills `person_match_keys` for people recorded before it existed (once: when it is empty).
    pub(crate) async fn fill_match_keys(&self) -> Result<(), AppError> {
        let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM person_match_keys").fetch_one(self.pool()).await?;
        if keys > 0 {
            return Ok(());
        }
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as("SELECT id, fields, area_id FROM records WHERE kind = 'person' AND deleted = 0")
                .fetch_all(&mut *tx)
                .await?;
        let mut by_area: BTreeMap<String, Vec<(RecordId, Vec<String>)>> = BTreeMap::new();
        for (id, fields, area) in rows {
            let (Ok(id), Ok(fields), Some(area)) = (id.parse(), serde_json::from_str::<Fields>(&fields), area) else {
                continue;
            };
            let record = Record { id, kind: RecordKind::Person, version: 0, fields, deleted: false };
            by_area.entry(area).or_default().push((id, match_keys_of(&record)));
        }
        for (area, people) in by_area {
            write_match_keys(&mut tx, &area, &people).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

async fn claim_device(
    tx: &mut Transaction<'_, Sqlite>,
    client: &str,
    user: &CurrentUser,
    now: DateTime<Utc>,
) -> Result<Device, AppError> {
    type Row = (i64, Option<String>, i64, Option<String>, Option<i64>, Option<String>);
    let row: Option<Row> = sqlx::query_as(
        "SELECT last_seq, user_id, view_no, view, prev_view_no, prev_view FROM sync_clients WHERE client_id = ?",
    )
    .bind(client)
    .fetch_optional(&mut **tx)
    .await?;
    let me = user.id.to_string();
    let Some((last_seq, owner, view_no, view, prev_view_no, prev_view)) = row else {
        sqlx::query("INSERT INTO sync_clients (client_id, last_seq, user_id, claimed_at) VALUES (?, 0, ?, ?)")
            .bind(client)
            .bind(&me)
            .bind(now.to_rfc3339())
            .execute(&mut **tx)
            .await?;
        return Ok(Device { last_seq: 0, view_no: 0, view: None, prev_view_no: None, prev_view: None });
    };
    match owner {
        Some(owner) if owner != me => {
            return Err(AppError::BadRequest {
                status: axum::http::StatusCode::FORBIDDEN,
                code: "device_of_another_user",
                message: "This device's data belongs to another account: sign out, then sign in again".into(),
            });
        }
        Some(_) => {}
        None => {
            // A device from before accounts: the first user to sync it owns it.
            sqlx::query("UPDATE sync_clients SET user_id = ?, claimed_at = ? WHERE client_id = ?")
                .bind(&me)
                .bind(now.to_rfc3339())
                .bind(client)
                .execute(&mut **tx)
                .await?;
        }
    }
    let view_of = |text: Option<String>| text.map(|t| parse::<View>(&t, "device view")).transpose();
    Ok(Device {
        last_seq: last_seq as u64,
        view_no: view_no as u64,
        view: view_of(view)?,
        prev_view_no: prev_view_no.map(|n| n as u64),
        prev_view: view_of(prev_view)?,
    })
}

/// Every record about a person in an area: id, kind, and the record with the change that made it.
async fn person_records(
    tx: &mut Transaction<'_, Sqlite>,
    person: &PersonId,
    area: &str,
) -> Result<Vec<(RecordId, RecordKind, Change)>, AppError> {
    let rows: Vec<RecordRow> = sqlx::query_as(
        "SELECT id, kind, version, fields, deleted, area_id, change_seq FROM records WHERE person_id = ? AND area_id = ?",
    )
    .bind(person.to_string())
    .bind(area)
    .fetch_all(&mut **tx)
    .await?;
    rows.into_iter()
        .map(|row| {
            let change_seq = row.6 as u64;
            let (record, _) = to_record(row)?;
            Ok((record.id, record.kind, Change { change_seq, record }))
        })
        .collect()
}

type RecordRow = (String, String, i64, String, i64, Option<String>, i64);

/// These records, with their areas, in one statement (those that exist).
async fn records_with_area<'e, E>(
    executor: E,
    ids: &BTreeSet<RecordId>,
) -> Result<Vec<(Record, Option<String>)>, AppError>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<RecordRow> = sqlx::query_as(
        "SELECT id, kind, version, fields, deleted, area_id, change_seq FROM records
         WHERE id IN (SELECT value FROM json_each(?))",
    )
    .bind(json(ids)?)
    .fetch_all(executor)
    .await?;
    rows.into_iter().map(to_record).collect()
}

fn to_record((id, kind, version, fields, deleted, area, _): RecordRow) -> Result<(Record, Option<String>), AppError> {
    Ok((
        Record {
            id: id.parse().map_err(|_| AppError::Corrupt(format!("record id {id}")))?,
            kind: RecordKind::from_name(&kind).ok_or_else(|| AppError::Corrupt(format!("record kind {kind}")))?,
            version: version as u64,
            fields: parse(&fields, "record fields")?,
            deleted: deleted != 0,
        },
        area,
    ))
}

async fn write(
    tx: &mut Transaction<'_, Sqlite>,
    user: &CurrentUser,
    request: &PushRequest,
    batch: &Batch,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let at = now.to_rfc3339();
    let client_text = request.client_id.to_string();
    let user_text = user.id.to_string();
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
    // The log and the records are written a statement each, whatever the number of changes (rows as
    // one JSON array): a statement costs a round trip to the database's thread.
    let mut log_rows = Vec::with_capacity(batch.changes.len());
    let mut record_rows: BTreeMap<RecordId, Value> = BTreeMap::new();
    for (change, before) in batch.changes.iter().zip(&batch.before) {
        let record = &change.record;
        let kind = record.kind.name();
        let client_seq = made_by.get(&change.change_seq).copied().unwrap_or(0);
        log_rows.push(serde_json::json!([
            change.change_seq,
            record.id,
            kind,
            record.version,
            json(record)?,
            client_seq
        ]));
        // A record's area and person are set when it is made and never change; its last change wins.
        record_rows.insert(
            record.id,
            serde_json::json!([
                record.id,
                kind,
                record.version,
                json(&record.fields)?,
                i64::from(record.deleted),
                change.change_seq,
                record.person_id()
            ]),
        );
        if let Some(keys) = changed_match_keys(before.as_ref(), record) {
            match_keys.push((record.id, keys));
        }
        let action = match (before, record.deleted) {
            (None, _) => "record.create",
            (Some(_), true) => "record.delete",
            (Some(_), false) => "record.update",
        };
        let event = AuditEvent {
            client_id: Some(client_text.clone()),
            person_id: record.person_id(),
            record_id: Some(record.id.to_string()),
            kind: Some(kind.to_string()),
            changes: Some(field_changes(before.as_ref(), record)),
            reason: mutations.get(&client_seq).and_then(|m| m.reason.clone()),
            detail: Some(format!("version {}", record.version)),
            ..AuditEvent::by(user, action)
        };
        events.push(event);
    }
    if !log_rows.is_empty() {
        sqlx::query(
            "INSERT INTO change_log (change_seq, record_id, kind, version, record, client_id, client_seq, at, user_id)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, ?1, value ->> 5, ?2, ?3
             FROM json_each(?4) ORDER BY key",
        )
        .bind(&client_text)
        .bind(&at)
        .bind(&user_text)
        .bind(Value::Array(log_rows).to_string())
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "INSERT INTO records (id, kind, version, fields, deleted, change_seq, area_id, person_id)
             SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, ?1, value ->> 6
             FROM json_each(?2) WHERE true
             ON CONFLICT (id) DO UPDATE SET version = excluded.version, fields = excluded.fields,
                 deleted = excluded.deleted, change_seq = excluded.change_seq",
        )
        .bind(&user.area_id)
        .bind(Value::Array(record_rows.into_values().collect()).to_string())
        .execute(&mut **tx)
        .await?;
    }
    for (seq, record_id, kind, person) in &batch.refused {
        let event = AuditEvent {
            client_id: Some(client_text.clone()),
            person_id: *person,
            record_id: Some(record_id.to_string()),
            kind: Some(kind.name().to_string()),
            detail: Some(format!("change {seq} refused: no access")),
            ..AuditEvent::by(user, "record.refused")
        };
        events.push(event);
    }
    audit_many(tx, &events, now).await?;
    write_match_keys(tx, &user.area_id, &match_keys).await?;
    for person in &batch.assigned {
        crate::accounts_store::assign(tx, user.id, *person, user.id, now).await?;
    }
    if !batch.answered.is_empty() {
        let answers = batch
            .answered
            .iter()
            .map(|r| Ok(serde_json::json!([r.seq, json(r)?])))
            .collect::<Result<Vec<_>, AppError>>()?;
        sqlx::query(
            "INSERT INTO client_mutations (client_id, seq, result, at)
             SELECT ?1, value ->> 0, value ->> 1, ?2 FROM json_each(?3) ORDER BY key",
        )
        .bind(&client_text)
        .bind(&at)
        .bind(Value::Array(answers).to_string())
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE sync_clients SET last_seq = ? WHERE client_id = ?")
            .bind(batch.last_seq as i64)
            .bind(&client_text)
            .execute(&mut **tx)
            .await?;
    }
    for conflict in &batch.conflicts {
        sqlx::query(
            "INSERT INTO conflicts (id, record_id, kind, field, base, theirs, ours, client_id, client_seq, at, area_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&conflict.id)
        .bind(conflict.record_id.to_string())
        .bind(conflict.kind.name())
        .bind(&conflict.field)
        .bind(json(&conflict.base)?)
        .bind(json(&conflict.theirs)?)
        .bind(json(&conflict.ours)?)
        .bind(&client_text)
        .bind(conflict.client_seq as i64)
        .bind(conflict.at.to_rfc3339())
        .bind(&user.area_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The fields a change altered: `{field: {old, new}}`.
fn field_changes(before: Option<&Record>, after: &Record) -> Value {
    let empty = Fields::new();
    let old = before.map_or(&empty, |r| &r.fields);
    let names: BTreeSet<&String> = old.keys().chain(after.fields.keys()).collect();
    let mut changes = serde_json::Map::new();
    for name in names {
        let (o, n) = (old.get(name).unwrap_or(&Value::Null), after.field(name));
        if o != n {
            changes.insert(name.clone(), serde_json::json!({ "old": o, "new": n }));
        }
    }
    Value::Object(changes)
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

    #[tokio::test]
    async fn people_recorded_before_the_match_keys_are_found_after_a_restart() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("dsr.sqlite3");
        let clock = crate::Clock::Fixed(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default());
        let store = Store::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
        crate::admin::create_coordinator(&store, &clock, "Area", "jo.coordinator", "Jo", "a long test password")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let jo =
            store.user_by_username("jo.coordinator").await.ok().flatten().unwrap_or_else(|| panic!("no coordinator"));
        let jo = store.acting_as(jo.id).await.unwrap_or_else(|e| panic!("{e}"));
        let (now, today) = (clock.now(), clock.today());
        let client = ClientId::from_time_and_random(1, [1; 10]);
        let push = PushRequest { client_id: client, mutations: vec![create(1, 1, "9434765919")] };
        store.push(&jo, &push, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        // As if recorded before the table existed: its keys are gone; opening the store fills them again.
        sqlx::query("DELETE FROM person_match_keys").execute(store.pool()).await.unwrap_or_else(|e| panic!("{e}"));
        drop(store);
        let store = Store::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
        let again = PushRequest { client_id: client, mutations: vec![create(2, 2, "943 476 5919")] };
        let answer = store.push(&jo, &again, now, today).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(&answer.results[0].outcome, PushOutcome::Rejected { reasons } if reasons[0].field == "nhs_number"),
            "{answer:?}"
        );
    }
}
