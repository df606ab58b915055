//! The device's own copy of everything, in IndexedDB (through rexie). Every save lands here first, in
//! one transaction with its outbox entry; the sync loop sends the outbox and brings the server's
//! changes back.
//!
//! Stores (version 2):
//! - `records`: one [`LocalRecord`] per record: the server's last word and what this device shows.
//! - `outbox`: [`OutboxEntry`] by seq: saved changes not yet answered, and refused ones kept for the user.
//! - `drafts`: half-typed forms, by form key.
//! - `conflicts`: clashes the server reported, for a person to resolve.
//! - `meta`: this device's client id, next seq, pull cursor.
//!
//! Version 1 (the walking skeleton) had `records` of people and `meta`; [`open`] upgrades its data
//! (people not yet sent become outbox entries) so nothing typed before the upgrade is lost.

use std::cell::Cell;
use std::collections::BTreeMap;

use dsr_shared::sync::{FieldChange, Fields, Mutation, PullResponse, PushOutcome, PushResult, Record, RecordKind};
use dsr_shared::{ClientId, FieldError, Person, RecordId};
use rexie::{ObjectStore, Rexie, Store, TransactionMode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::JsValue;

pub const DB_NAME: &str = "dsr";
pub const DB_VERSION: u32 = 2;
pub const RECORDS: &str = "records";
pub const OUTBOX: &str = "outbox";
pub const DRAFTS: &str = "drafts";
pub const CONFLICTS: &str = "conflicts";
pub const META: &str = "meta";

const META_CLIENT_ID: &str = "client_id";
const META_NEXT_SEQ: &str = "next_seq";
const META_CURSOR: &str = "cursor";

/// A record as this device holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalRecord {
    /// The record's id as text: the store's key.
    pub id: String,
    pub kind: RecordKind,
    /// The server's last word; `None` until the server has it.
    #[serde(default)]
    pub server: Option<Record>,
    /// What this device shows: the server's fields with this device's unsent changes on top.
    pub fields: Fields,
}

/// A saved change waiting for (or refused by) the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: u64,
    pub mutation: Mutation,
    /// The server's reasons, when it refused the change. Kept for the user to fix or discard.
    #[serde(default)]
    pub refused: Option<Vec<FieldError>>,
}

/// A half-typed form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub key: String,
    pub values: BTreeMap<String, String>,
}

/// A field both this device and someone else changed: the server kept theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalConflict {
    pub id: String,
    pub record_id: RecordId,
    pub kind: RecordKind,
    pub field: String,
    /// The value this device started from.
    pub base: Value,
    /// The value this device wanted.
    pub ours: Value,
}

/// A person on the register as the pages show them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub id: RecordId,
    /// `None` when the fields do not make a valid person (a refused change).
    pub person: Option<Person>,
    pub fields: Fields,
    /// The server holds this device's latest version.
    pub on_server: bool,
    /// Refused changes to this person: (seq, reasons).
    pub refused: Vec<(u64, Vec<FieldError>)>,
}

impl PersonRow {
    /// The register's order: family name, then given name.
    pub fn sort_key(&self) -> (String, String, RecordId) {
        let name = |field: &str| self.fields.get(field).and_then(Value::as_str).unwrap_or("").to_lowercase();
        (name("family_name"), name("given_name"), self.id)
    }

    /// Changes whenever what the row shows changes (the list re-renders only such rows).
    pub fn view_key(&self) -> String {
        let text = |field: &str| self.fields.get(field).and_then(Value::as_str).unwrap_or("");
        format!(
            "{}|{}|{}|{}|{}|{}|{}",
            self.id,
            self.on_server,
            self.refused.len(),
            text("given_name"),
            text("family_name"),
            text("date_of_birth"),
            text("nhs_number")
        )
    }
}

/// How much is waiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub waiting: usize,
    pub refused: usize,
    pub conflicts: usize,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("this device's storage (IndexedDB) failed: {0}")]
    IndexedDb(String),
    #[error("this device holds data it cannot read: {0}")]
    Data(String),
}

impl From<rexie::Error> for StoreError {
    fn from(error: rexie::Error) -> Self {
        StoreError::IndexedDb(error.to_string())
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| StoreError::Data(e.to_string()))
}

fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, StoreError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| StoreError::Data(e.to_string()))
}

fn key(text: &str) -> JsValue {
    JsValue::from_str(text)
}

fn seq_key(seq: u64) -> JsValue {
    JsValue::from_f64(seq as f64)
}

thread_local! {
    static UPGRADED: Cell<bool> = const { Cell::new(false) };
}

/// Opens the database, creating or upgrading its stores, and upgrades version-1 data once per page.
pub async fn open() -> Result<Rexie, StoreError> {
    let db = Rexie::builder(DB_NAME)
        .version(DB_VERSION)
        .add_object_store(ObjectStore::new(RECORDS).key_path("id"))
        .add_object_store(ObjectStore::new(OUTBOX).key_path("seq"))
        .add_object_store(ObjectStore::new(DRAFTS).key_path("key"))
        .add_object_store(ObjectStore::new(CONFLICTS).key_path("id"))
        .add_object_store(ObjectStore::new(META))
        .build()
        .await?;
    if !UPGRADED.with(Cell::get) {
        upgrade_version_1_data(&db).await?;
        UPGRADED.with(|u| u.set(true));
    }
    Ok(db)
}

/// A person as version 1 stored them.
#[derive(Deserialize)]
struct StoredPersonV1 {
    person: Person,
    on_server: bool,
}

/// Version 1 kept people as `{ id, person, on_server, refused }`. Those the server had come back by
/// pull (the server moved them into records); the others become outbox entries, so they are sent.
async fn upgrade_version_1_data(db: &Rexie) -> Result<(), StoreError> {
    let tx = db.transaction(&[RECORDS, OUTBOX, META], TransactionMode::ReadWrite)?;
    let records = tx.store(RECORDS)?;
    let outbox = tx.store(OUTBOX)?;
    let meta = tx.store(META)?;
    for value in records.get_all(None, None).await? {
        let has_person = js_sys::Reflect::has(&value, &key("person")).unwrap_or(false);
        if !has_person {
            continue;
        }
        let old: StoredPersonV1 = from_js(value)?;
        let id = old.person.id.to_string();
        records.delete(key(&id)).await?;
        if old.on_server {
            continue;
        }
        let fields = person_fields(&old.person);
        let changes =
            fields.iter().map(|(k, v)| (k.clone(), FieldChange { old: Value::Null, new: v.clone() })).collect();
        let seq = next_seq(&meta).await?;
        let mutation = Mutation {
            seq,
            record_id: RecordId::from_uuid(old.person.id.as_uuid()),
            kind: RecordKind::Person,
            base_version: None,
            changes,
            delete: false,
            reason: None,
        };
        outbox.put(&to_js(&OutboxEntry { seq, mutation, refused: None })?, None).await?;
        let local = LocalRecord { id, kind: RecordKind::Person, server: None, fields };
        records.put(&to_js(&local)?, None).await?;
    }
    tx.done().await?;
    Ok(())
}

/// A person's fields as a record holds them (no id, no empty values).
pub fn person_fields(person: &Person) -> Fields {
    match serde_json::to_value(person) {
        Ok(Value::Object(map)) => map.into_iter().filter(|(k, v)| k != "id" && !v.is_null()).collect(),
        _ => Fields::new(),
    }
}

/// Reads a person from a record's fields; `None` when they do not make a valid person.
pub fn person_from(id: RecordId, fields: &Fields) -> Option<Person> {
    let mut object: serde_json::Map<String, Value> = fields.clone().into_iter().collect();
    object.insert("id".into(), Value::String(id.to_string()));
    serde_json::from_value(Value::Object(object)).ok()
}

async fn next_seq(meta: &Store) -> Result<u64, StoreError> {
    let current = match meta.get(key(META_NEXT_SEQ)).await? {
        Some(value) => value.as_f64().unwrap_or(1.0) as u64,
        None => 1,
    };
    meta.put(&seq_key(current + 1), Some(&key(META_NEXT_SEQ))).await?;
    Ok(current)
}

/// This device's id, made once (a UUID v7 from the browser's clock and random source).
pub async fn client_id() -> Result<ClientId, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    let meta = tx.store(META)?;
    let id = match meta.get(key(META_CLIENT_ID)).await?.and_then(|v| v.as_string()) {
        Some(text) => text.parse().map_err(|_| StoreError::Data("client id".into()))?,
        None => {
            let id = ClientId::from_time_and_random(js_sys::Date::now() as u64, random_bytes());
            meta.put(&key(&id.to_string()), Some(&key(META_CLIENT_ID))).await?;
            id
        }
    };
    tx.done().await?;
    Ok(id)
}

/// Ten bytes from the browser's cryptographic random source.
pub fn random_bytes() -> [u8; 10] {
    let mut random = [0u8; 10];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        crypto.get_random_values_with_u8_array(&mut random).ok();
    }
    random
}

/// Saves new values for a record's fields: the record and its outbox entry in one transaction (and,
/// when this resolves a conflict, the conflict's removal too). Fields whose value is unchanged are left
/// out; nothing is written when nothing changed.
pub async fn save(kind: RecordKind, id: RecordId, values: Fields, resolving: Option<&str>) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS, OUTBOX, META, CONFLICTS], TransactionMode::ReadWrite)?;
    let records = tx.store(RECORDS)?;
    let local: Option<LocalRecord> = match records.get(key(&id.to_string())).await? {
        Some(value) => Some(from_js(value)?),
        None => None,
    };
    // A record the server never accepted (its create was refused or discarded) is created again,
    // whole: an edit of it would be refused as "not on the server".
    let waiting_for_it = if local.as_ref().is_some_and(|l| l.server.is_none()) {
        outbox_entries(&tx.store(OUTBOX)?).await?.iter().any(|e| e.mutation.record_id == id && e.refused.is_none())
    } else {
        true
    };
    let recreate = local.as_ref().is_some_and(|l| l.server.is_none()) && !waiting_for_it;
    let values = if recreate {
        let mut whole = local.as_ref().map(|l| l.fields.clone()).unwrap_or_default();
        whole.extend(values);
        whole.retain(|_, v| !v.is_null());
        whole
    } else {
        values
    };
    let current = if recreate { Fields::new() } else { local.as_ref().map(|l| l.fields.clone()).unwrap_or_default() };
    let changes: BTreeMap<String, FieldChange> = values
        .iter()
        .filter(|(field, new)| current.get(*field).unwrap_or(&Value::Null) != *new)
        .map(|(field, new)| {
            (field.clone(), FieldChange { old: current.get(field).cloned().unwrap_or(Value::Null), new: new.clone() })
        })
        .collect();
    if !changes.is_empty() {
        // A record this device created and the server has not confirmed will be version 1 when this
        // change arrives (a device's changes apply in order).
        let base_version =
            if recreate { None } else { local.as_ref().map(|l| l.server.as_ref().map_or(1, |r| r.version)) };
        let meta = tx.store(META)?;
        let seq = next_seq(&meta).await?;
        let mutation =
            Mutation { seq, record_id: id, kind, base_version, changes: changes.clone(), delete: false, reason: None };
        tx.store(OUTBOX)?.put(&to_js(&OutboxEntry { seq, mutation, refused: None })?, None).await?;
        let mut record = local.unwrap_or(LocalRecord { id: id.to_string(), kind, server: None, fields: Fields::new() });
        if recreate {
            record.fields.clear();
            // The fix supersedes the refused change it fixes.
            let outbox = tx.store(OUTBOX)?;
            for entry in outbox_entries(&outbox).await? {
                if entry.mutation.record_id == id && entry.refused.is_some() {
                    outbox.delete(seq_key(entry.seq)).await?;
                }
            }
        }
        for (field, change) in changes {
            if change.new.is_null() {
                record.fields.remove(&field);
            } else {
                record.fields.insert(field, change.new);
            }
        }
        records.put(&to_js(&record)?, None).await?;
    }
    if let Some(conflict) = resolving {
        tx.store(CONFLICTS)?.delete(key(conflict)).await?;
    }
    tx.done().await?;
    Ok(())
}

/// Every outbox entry, in seq order.
async fn outbox_entries(store: &Store) -> Result<Vec<OutboxEntry>, StoreError> {
    let mut entries =
        store.get_all(None, None).await?.into_iter().map(from_js::<OutboxEntry>).collect::<Result<Vec<_>, _>>()?;
    entries.sort_by_key(|e| e.seq);
    Ok(entries)
}

/// Saved changes waiting to be sent, in seq order.
pub async fn waiting() -> Result<Vec<OutboxEntry>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
    let entries = outbox_entries(&tx.store(OUTBOX)?).await?;
    tx.done().await?;
    Ok(entries.into_iter().filter(|e| e.refused.is_none()).collect())
}

/// Stores the server's answers: answered entries leave the outbox (a refused one stays, marked);
/// clashes become conflicts. One transaction.
pub async fn store_answers(results: &[PushResult]) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[OUTBOX, CONFLICTS], TransactionMode::ReadWrite)?;
    let outbox = tx.store(OUTBOX)?;
    let conflicts = tx.store(CONFLICTS)?;
    for result in results {
        let Some(value) = outbox.get(seq_key(result.seq)).await? else { continue };
        let mut entry: OutboxEntry = from_js(value)?;
        match &result.outcome {
            PushOutcome::Applied { .. } | PushOutcome::Unchanged { .. } => outbox.delete(seq_key(result.seq)).await?,
            PushOutcome::Conflict { conflict_ids, fields, .. } => {
                for (id, field) in conflict_ids.iter().zip(fields) {
                    let change = entry
                        .mutation
                        .changes
                        .get(field)
                        .cloned()
                        .unwrap_or(FieldChange { old: Value::Null, new: Value::Null });
                    let conflict = LocalConflict {
                        id: id.clone(),
                        record_id: entry.mutation.record_id,
                        kind: entry.mutation.kind,
                        field: field.clone(),
                        base: change.old,
                        ours: change.new,
                    };
                    conflicts.put(&to_js(&conflict)?, None).await?;
                }
                outbox.delete(seq_key(result.seq)).await?;
            }
            PushOutcome::Rejected { reasons } => {
                entry.refused = Some(reasons.clone());
                outbox.put(&to_js(&entry)?, None).await?;
            }
            PushOutcome::Gap { .. } => {}
        }
    }
    tx.done().await?;
    Ok(())
}

/// Records written per transaction when storing pulled changes: small enough that a draft or a
/// save waiting for the database is not held up long.
const PULL_CHUNK: usize = 250;

/// Takes a page of the server's changes. Each chunk of records is stored in one transaction with the
/// cursor that covers it, so the cursor never runs ahead of what is stored. Each record shows the
/// server's fields with this device's waiting changes on top.
pub async fn store_pulled(page: &PullResponse) -> Result<(), StoreError> {
    let db = open().await?;
    let chunks: Vec<&[dsr_shared::sync::Change]> = page.changes.chunks(PULL_CHUNK).collect();
    let last = chunks.len().saturating_sub(1);
    if chunks.is_empty() {
        return store_chunk(&db, &[], &page.removed, page.cursor).await;
    }
    for (i, chunk) in chunks.into_iter().enumerate() {
        let (removed, cursor) = if i == last {
            (page.removed.as_slice(), page.cursor)
        } else {
            (&[][..], chunk.last().map_or(page.cursor, |c| c.change_seq))
        };
        store_chunk(&db, chunk, removed, cursor).await?;
    }
    Ok(())
}

async fn store_chunk(
    db: &Rexie,
    changes: &[dsr_shared::sync::Change],
    removed: &[RecordId],
    cursor: u64,
) -> Result<(), StoreError> {
    let tx = db.transaction(&[RECORDS, OUTBOX, META], TransactionMode::ReadWrite)?;
    let records = tx.store(RECORDS)?;
    let waiting: Vec<OutboxEntry> =
        outbox_entries(&tx.store(OUTBOX)?).await?.into_iter().filter(|e| e.refused.is_none()).collect();
    // Every put is issued at once and the transaction awaited once: far faster than one await each.
    let mut values = Vec::with_capacity(changes.len());
    for change in changes {
        let record = &change.record;
        let mut fields = record.fields.clone();
        for entry in waiting.iter().filter(|e| e.mutation.record_id == record.id) {
            for (field, c) in &entry.mutation.changes {
                if c.new.is_null() {
                    fields.remove(field);
                } else {
                    fields.insert(field.clone(), c.new.clone());
                }
            }
        }
        let local = LocalRecord { id: record.id.to_string(), kind: record.kind, server: Some(record.clone()), fields };
        values.push((to_js(&local)?, None));
    }
    records.put_all(values.into_iter()).await?;
    for id in removed {
        records.delete(key(&id.to_string())).await?;
    }
    tx.store(META)?.put(&seq_key(cursor), Some(&key(META_CURSOR))).await?;
    tx.done().await?;
    Ok(())
}

/// The cursor of the last pull (0 before the first).
pub async fn cursor() -> Result<u64, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadOnly)?;
    let cursor = tx.store(META)?.get(key(META_CURSOR)).await?.and_then(|v| v.as_f64()).unwrap_or(0.0) as u64;
    tx.done().await?;
    Ok(cursor)
}

/// Everyone on this device, by family name, with what the server has of them.
pub async fn people() -> Result<(Vec<PersonRow>, Counts), StoreError> {
    people_among(None).await
}

/// Only the people with these ids (after a sync that touched a few): rows for those still here.
pub async fn people_with_ids(ids: &[RecordId]) -> Result<(Vec<PersonRow>, Counts), StoreError> {
    people_among(Some(ids)).await
}

async fn people_among(only: Option<&[RecordId]>) -> Result<(Vec<PersonRow>, Counts), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS, OUTBOX, CONFLICTS], TransactionMode::ReadOnly)?;
    let store = tx.store(RECORDS)?;
    let values = match only {
        None => store.get_all(None, None).await?,
        Some(ids) => {
            let mut found = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(value) = store.get(key(&id.to_string())).await? {
                    found.push(value);
                }
            }
            found
        }
    };
    let records = values.into_iter().map(from_js::<LocalRecord>).collect::<Result<Vec<_>, _>>()?;
    let outbox = outbox_entries(&tx.store(OUTBOX)?).await?;
    let conflicts = tx.store(CONFLICTS)?.count(None).await? as usize;
    tx.done().await?;

    let mut rows: Vec<PersonRow> = records
        .into_iter()
        .filter(|r| r.kind == RecordKind::Person && !r.server.as_ref().is_some_and(|s| s.deleted))
        .filter_map(|r| {
            let id: RecordId = r.id.parse().ok()?;
            let mine = outbox.iter().filter(|e| e.mutation.record_id == id);
            let waiting = mine.clone().any(|e| e.refused.is_none());
            let refused = mine.filter_map(|e| e.refused.clone().map(|reasons| (e.seq, reasons))).collect();
            Some(PersonRow {
                id,
                person: person_from(id, &r.fields),
                on_server: r.server.is_some() && !waiting,
                refused,
                fields: r.fields,
            })
        })
        .collect();
    rows.sort_by_key(PersonRow::sort_key);
    let counts = Counts {
        waiting: outbox.iter().filter(|e| e.refused.is_none()).count(),
        refused: outbox.iter().filter(|e| e.refused.is_some()).count(),
        conflicts,
    };
    Ok((rows, counts))
}

/// Discards a refused change; a refused create takes its record with it.
pub async fn discard_refused(seq: u64) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[OUTBOX, RECORDS], TransactionMode::ReadWrite)?;
    let outbox = tx.store(OUTBOX)?;
    if let Some(value) = outbox.get(seq_key(seq)).await? {
        let entry: OutboxEntry = from_js(value)?;
        outbox.delete(seq_key(seq)).await?;
        let records = tx.store(RECORDS)?;
        if let Some(value) = records.get(key(&entry.mutation.record_id.to_string())).await? {
            let mut local: LocalRecord = from_js(value)?;
            match &local.server {
                None => records.delete(key(&local.id)).await?,
                Some(server) => {
                    local.fields = server.fields.clone();
                    records.put(&to_js(&local)?, None).await?;
                }
            }
        }
    }
    tx.done().await?;
    Ok(())
}

/// Conflicts waiting for a person, with the record each is about.
pub async fn conflicts() -> Result<Vec<(LocalConflict, Option<LocalRecord>)>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[CONFLICTS, RECORDS], TransactionMode::ReadOnly)?;
    let list: Vec<LocalConflict> =
        tx.store(CONFLICTS)?.get_all(None, None).await?.into_iter().map(from_js).collect::<Result<Vec<_>, _>>()?;
    let records = tx.store(RECORDS)?;
    let mut out = Vec::with_capacity(list.len());
    for conflict in list {
        let record = match records.get(key(&conflict.record_id.to_string())).await? {
            Some(value) => Some(from_js::<LocalRecord>(value)?),
            None => None,
        };
        out.push((conflict, record));
    }
    tx.done().await?;
    Ok(out)
}

pub async fn save_draft(draft: &Draft) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
    tx.store(DRAFTS)?.put(&to_js(draft)?, None).await?;
    tx.done().await?;
    Ok(())
}

pub async fn load_draft(form: &str) -> Result<Option<Draft>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadOnly)?;
    let draft = match tx.store(DRAFTS)?.get(key(form)).await? {
        Some(value) => Some(from_js(value)?),
        None => None,
    };
    tx.done().await?;
    Ok(draft)
}

pub async fn delete_draft(form: &str) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
    tx.store(DRAFTS)?.delete(key(form)).await?;
    tx.done().await?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use dsr_shared::{PersonForm, PersonId};

    fn person() -> Person {
        let form = PersonForm {
            given_name: "Alex".into(),
            family_name: "Example".into(),
            dob_day: "1".into(),
            dob_month: "2".into(),
            dob_year: "2012".into(),
            nhs_number: String::new(),
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        form.validate(PersonId::from_time_and_random(1, [2; 10]), today).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn a_persons_fields_round_trip_without_the_id_or_empty_values() {
        let person = person();
        let fields = person_fields(&person);
        assert!(!fields.contains_key("id") && !fields.contains_key("nhs_number"));
        assert_eq!(fields.get("given_name"), Some(&Value::String("Alex".into())));
        assert_eq!(person_from(RecordId::from_uuid(person.id.as_uuid()), &fields), Some(person));
    }

    #[test]
    fn a_version_1_record_still_reads() {
        let v1 = serde_json::json!({ "id": person().id, "person": person(), "on_server": false, "refused": null });
        let old: StoredPersonV1 = serde_json::from_value(v1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(old.person, person());
        assert!(!old.on_server);
    }
}
