//! The device's own copy of everything, in IndexedDB (through rexie). Every save lands here first, in
//! one transaction with its outbox entry; the sync loop sends the outbox and brings the server's
//! changes back.
//!
//! Stores (version 3):
//! - `records`: one [`LocalRecord`] per record: the server's last word and what this device shows.
//! - `outbox`: [`OutboxEntry`] by seq: saved changes not yet answered, and refused ones kept for the user.
//! - `drafts`: half-typed forms, by form key.
//! - `conflicts`: clashes the server reported, for a person to resolve.
//! - `meta`: this device's client id, next seq, pull cursor and view, and the sign-in [`Lock`].
//! - `views`: reads of a person's record on this device, waiting to go to the audit trail.
//!
//! Everything in `records`, `outbox`, `drafts` and `conflicts` is sealed (AES-GCM, see [`crate::crypto`]):
//! an entry is `{ <key>, sealed: bytes }`. Encryption is not an IndexedDB request, so it never happens
//! inside a transaction (which would commit early): values are read in one transaction, opened,
//! changed and sealed outside it, and written in a second one that first checks nothing changed
//! meanwhile (and starts again if it did).
//!
//! Version 1 (the walking skeleton) had `records` of people and `meta`; [`open`] upgrades its data
//! (people not yet sent become outbox entries) so nothing typed before the upgrade is lost. Data from
//! before encryption is read as it is and sealed at the first unlock ([`seal_plaintext`]).

use std::cell::Cell;
use std::collections::BTreeMap;

use dsr_shared::access::Role;
use dsr_shared::api::PolicyDocument;
use dsr_shared::policy::AreaPolicy;
use dsr_shared::sync::{FieldChange, Fields, Mutation, PullResponse, PushOutcome, PushResult, Record, RecordKind};
use dsr_shared::{ClientId, FieldError, Person, RecordId};
use rexie::{ObjectStore, Rexie, Store, TransactionMode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

pub const DB_NAME: &str = "dsr";
pub const DB_VERSION: u32 = 3;
pub const RECORDS: &str = "records";
pub const OUTBOX: &str = "outbox";
pub const DRAFTS: &str = "drafts";
pub const CONFLICTS: &str = "conflicts";
pub const META: &str = "meta";
pub const VIEWS: &str = "views";
/// Every store, for wiping.
pub const ALL_STORES: [&str; 6] = [RECORDS, OUTBOX, DRAFTS, CONFLICTS, META, VIEWS];

const META_CLIENT_ID: &str = "client_id";
const META_NEXT_SEQ: &str = "next_seq";
const META_CURSOR: &str = "cursor";
const META_VIEW: &str = "view";
const META_LOCK: &str = "lock";
const META_POLICY: &str = "policy";
/// How often a two-step write starts again when something changed between its steps.
const ATTEMPTS: usize = 5;

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
    /// The person's records of other kinds this device holds (consents, ratings, reviews...), for the
    /// due engine and the person page. `None` when the person's own fields do not make a person.
    pub file: Option<dsr_shared::due::PersonFile>,
    pub visit_notes: Vec<dsr_shared::visit_note::VisitNote>,
    /// Their reviews' planners, views, findings and recommendations.
    pub papers: ReviewPapers,
    /// The register's view of them (rating, next due item), worked out when loaded.
    pub register: Option<dsr_shared::register::RegisterRow>,
}

/// What was recorded for a person's reviews besides the reviews and actions (which the due engine reads).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewPapers {
    pub planners: Vec<dsr_shared::planner::Planner>,
    pub family_views: Vec<dsr_shared::planner::FamilyViews>,
    pub findings: Vec<dsr_shared::kloe::KloeFinding>,
    pub recommendations: Vec<dsr_shared::action::Recommendation>,
}

impl PersonRow {
    /// Everything recorded for one of this person's reviews.
    pub fn review_file(&self, review: dsr_shared::ReviewId) -> Option<dsr_shared::report::ReviewFile> {
        let file = self.file.as_ref()?;
        let found = file.reviews.iter().find(|r| r.id == review)?.clone();
        Some(dsr_shared::report::ReviewFile {
            review: found,
            planners: self.papers.planners.iter().filter(|p| p.review_id == review).cloned().collect(),
            family_views: self.papers.family_views.iter().filter(|v| v.review_id == review).cloned().collect(),
            findings: self.papers.findings.iter().filter(|f| f.review_id == review).cloned().collect(),
            recommendations: self.papers.recommendations.iter().filter(|r| r.review_id == review).cloned().collect(),
            actions: file.actions.iter().filter(|a| a.review_id == Some(review)).cloned().collect(),
        })
    }

    /// The register's order: family name, then given name.
    pub fn sort_key(&self) -> (String, String, RecordId) {
        let name = |field: &str| self.fields.get(field).and_then(Value::as_str).unwrap_or("").to_lowercase();
        (name("family_name"), name("given_name"), self.id)
    }

    /// Changes whenever what the row shows changes (the list re-renders only such rows).
    pub fn view_key(&self) -> String {
        let text = |field: &str| self.fields.get(field).and_then(Value::as_str).unwrap_or("");
        format!(
            "{}|{}|{}|{}|{}|{}|{}|{:?}",
            self.id,
            self.on_server,
            self.refused.len(),
            text("given_name"),
            text("family_name"),
            text("date_of_birth"),
            text("nhs_number"),
            self.register.as_ref().map(|r| (
                r.rating,
                r.keyworker.clone(),
                r.next_due.as_ref().map(|d| (d.rule, d.due_on)),
                r.status
            ))
        )
    }

    /// Works out the register's view of this person from their file, as the user's role may see it (a
    /// rating or due items the role may not read are marked hidden, never shown as absent).
    pub fn with_register(
        mut self,
        policy: &dsr_shared::policy::AreaPolicy,
        today: chrono::NaiveDate,
        role: Option<dsr_shared::access::Role>,
    ) -> Self {
        self.register = self
            .file
            .as_ref()
            .map(|f| dsr_shared::register::RegisterRow::seen_with(f, policy, today, readable(role, f, today)));
        self
    }
}

/// What the user's role may read of this person's records: the server's own rule, for a person this
/// device holds (so one the user is assigned to, or anyone for a coordinator).
pub fn readable(
    role: Option<dsr_shared::access::Role>,
    file: &dsr_shared::due::PersonFile,
    today: chrono::NaiveDate,
) -> dsr_shared::access::KindSet {
    use dsr_shared::access::{KindSet, PersonFacts, person_access};
    match role {
        Some(role) => person_access(role, true, PersonFacts::from_consents(&file.consents, today)).read,
        None => KindSet::EMPTY,
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
    #[error("{0}")]
    Crypto(#[from] crate::crypto::CryptoError),
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
        .add_object_store(ObjectStore::new(VIEWS).key_path("id"))
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
    dsr_shared::sync::fields_of(person)
}

/// Reads a person from a record's fields; `None` when they do not make a valid person.
pub use dsr_shared::sync::person_from;

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

/// The sign-in this device's data belongs to, with the wrapped data key. Kept in `meta`, in clear:
/// it holds nothing about anyone on the register.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    pub role: dsr_shared::access::Role,
    pub area_name: String,
    pub key: crate::crypto::WrappedKey,
}

/// The sign-in this device's data belongs to, if any.
pub async fn lock() -> Result<Option<Lock>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadOnly)?;
    let value = tx.store(META)?.get(key(META_LOCK)).await?;
    tx.done().await?;
    value.map(from_js).transpose()
}

pub async fn set_lock(lock: &Lock) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    tx.store(META)?.put(&to_js(lock)?, Some(&key(META_LOCK))).await?;
    tx.done().await?;
    Ok(())
}

/// The area's policy as this device last fetched it (sealed like everything the sign-in holds; wiped
/// with the rest at sign-out).
pub async fn policy() -> Result<Option<PolicyDocument>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadOnly)?;
    let value = tx.store(META)?.get(key(META_POLICY)).await?;
    tx.done().await?;
    let Some(value) = value else { return Ok(None) };
    let json = crate::crypto::open_bytes(&value.unchecked_into()).await?;
    serde_json::from_slice(&json).map(Some).map_err(|e| StoreError::Data(format!("policy: {e}")))
}

pub async fn set_policy(document: &PolicyDocument) -> Result<(), StoreError> {
    let json = serde_json::to_vec(document).map_err(|e| StoreError::Data(e.to_string()))?;
    let sealed = crate::crypto::seal_bytes(&json).await?;
    let db = open().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadWrite)?;
    tx.store(META)?.put(&sealed, Some(&key(META_POLICY))).await?;
    tx.done().await?;
    Ok(())
}

/// Deletes everything this device holds (sign-out, a closed account): every store emptied in one
/// transaction, then the data key forgotten.
pub async fn wipe() -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&ALL_STORES, TransactionMode::ReadWrite)?;
    for store in ALL_STORES {
        tx.store(store)?.clear().await?;
    }
    tx.done().await?;
    crate::crypto::lock();
    Ok(())
}

/// Deletes the records (keeping unsent changes, drafts and the sign-in) and starts pulling from the
/// beginning: the server said what this device may hold changed too much to say record by record.
pub async fn forget_records() -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS, META], TransactionMode::ReadWrite)?;
    tx.store(RECORDS)?.clear().await?;
    let meta = tx.store(META)?;
    meta.put(&seq_key(0), Some(&key(META_CURSOR))).await?;
    meta.put(&seq_key(0), Some(&key(META_VIEW))).await?;
    tx.done().await?;
    Ok(())
}

/// Seals `value` as `{ <key_field>: key, sealed: bytes }`.
async fn seal<T: Serialize>(key_field: &str, key_value: JsValue, value: &T) -> Result<JsValue, StoreError> {
    let json = serde_json::to_vec(value).map_err(|e| StoreError::Data(e.to_string()))?;
    let sealed = crate::crypto::seal_bytes(&json).await?;
    let entry = js_sys::Object::new();
    js_sys::Reflect::set(&entry, &key(key_field), &key_value).map_err(|_| StoreError::Data("entry".into()))?;
    js_sys::Reflect::set(&entry, &key("sealed"), &sealed).map_err(|_| StoreError::Data("entry".into()))?;
    Ok(entry.into())
}

/// Opens what [`seal`] made. An entry from before encryption (no `sealed`) is read as it is.
async fn unseal<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, StoreError> {
    let sealed = js_sys::Reflect::get(&value, &key("sealed")).unwrap_or(JsValue::UNDEFINED);
    if sealed.is_undefined() {
        return from_js(value);
    }
    let bytes = crate::crypto::open_bytes(&sealed.unchecked_into()).await?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Data(e.to_string()))
}

/// Opens many entries at once (WebCrypto works on them in parallel).
async fn unseal_all<T: for<'de> Deserialize<'de>>(values: Vec<JsValue>) -> Result<Vec<T>, StoreError> {
    futures::future::join_all(values.into_iter().map(unseal::<T>)).await.into_iter().collect()
}

fn sealed_bytes(value: &Option<JsValue>) -> Option<Vec<u8>> {
    let value = value.as_ref()?;
    let sealed = js_sys::Reflect::get(value, &key("sealed")).ok().filter(|v| !v.is_undefined())?;
    Some(sealed.unchecked_into::<js_sys::Uint8Array>().to_vec())
}

/// An outbox entry as sealed: its seq stays in clear (the store's key), and the mutation inside is
/// sealed without it, so a seq can be given out in the same transaction that writes the entry.
#[derive(Serialize, Deserialize)]
struct SealedOutbox {
    mutation: Mutation,
    #[serde(default)]
    refused: Option<Vec<FieldError>>,
}

async fn seal_outbox(entry: &OutboxEntry) -> Result<JsValue, StoreError> {
    seal("seq", seq_key(entry.seq), &SealedOutbox { mutation: entry.mutation.clone(), refused: entry.refused.clone() })
        .await
}

async fn unseal_outbox(values: Vec<JsValue>) -> Result<Vec<OutboxEntry>, StoreError> {
    let seqs: Vec<u64> = values
        .iter()
        .map(|v| js_sys::Reflect::get(v, &key("seq")).ok().and_then(|s| s.as_f64()).unwrap_or(0.0) as u64)
        .collect();
    let plain =
        values.iter().any(|v| js_sys::Reflect::get(v, &key("sealed")).map(|s| s.is_undefined()).unwrap_or(true));
    let mut entries: Vec<OutboxEntry> = if plain {
        // Entries from before encryption are whole OutboxEntry values.
        let mut out = Vec::with_capacity(values.len());
        for value in values {
            let sealed = js_sys::Reflect::get(&value, &key("sealed")).unwrap_or(JsValue::UNDEFINED);
            if sealed.is_undefined() {
                out.push(from_js::<OutboxEntry>(value)?);
            } else {
                let inner: SealedOutbox = unseal(value).await?;
                out.push(OutboxEntry { seq: 0, mutation: inner.mutation, refused: inner.refused });
            }
        }
        out
    } else {
        unseal_all::<SealedOutbox>(values)
            .await?
            .into_iter()
            .map(|inner| OutboxEntry { seq: 0, mutation: inner.mutation, refused: inner.refused })
            .collect()
    };
    for (entry, seq) in entries.iter_mut().zip(seqs) {
        entry.seq = seq;
        entry.mutation.seq = seq;
    }
    entries.sort_by_key(|e| e.seq);
    Ok(entries)
}

/// Every outbox entry, in seq order, and the raw values (to check nothing changed before writing).
async fn read_outbox(db: &Rexie) -> Result<(Vec<OutboxEntry>, Vec<JsValue>), StoreError> {
    let tx = db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
    let keys = tx.store(OUTBOX)?.get_all_keys(None, None).await?;
    let values = tx.store(OUTBOX)?.get_all(None, None).await?;
    tx.done().await?;
    Ok((unseal_outbox(values).await?, keys))
}

fn same_keys(a: &[JsValue], b: &[JsValue]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.as_f64() == y.as_f64())
}

/// Seals whatever is still in clear from before encryption (records, outbox, drafts, conflicts).
/// Run once the data key is unlocked.
pub async fn seal_plaintext() -> Result<usize, StoreError> {
    let db = open().await?;
    let mut sealed = 0;
    for (store, key_field) in [(RECORDS, "id"), (DRAFTS, "key"), (CONFLICTS, "id"), (OUTBOX, "seq")] {
        let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
        let values = tx.store(store)?.get_all(None, None).await?;
        tx.done().await?;
        let plain: Vec<JsValue> = values
            .into_iter()
            .filter(|v| js_sys::Reflect::get(v, &key("sealed")).map(|s| s.is_undefined()).unwrap_or(false))
            .collect();
        if plain.is_empty() {
            continue;
        }
        let mut rewritten = Vec::with_capacity(plain.len());
        for value in plain {
            let key_value = js_sys::Reflect::get(&value, &key(key_field)).unwrap_or(JsValue::UNDEFINED);
            let entry = if store == OUTBOX {
                let entry: OutboxEntry = from_js(value)?;
                seal_outbox(&entry).await?
            } else {
                let json: Value = from_js(value)?;
                seal(key_field, key_value, &json).await?
            };
            rewritten.push(entry);
        }
        sealed += rewritten.len();
        let tx = db.transaction(&[store], TransactionMode::ReadWrite)?;
        let target = tx.store(store)?;
        for entry in rewritten {
            target.put(&entry, None).await?;
        }
        tx.done().await?;
    }
    Ok(sealed)
}

/// Saves new values for a record's fields: the record and its outbox entry in one transaction (and,
/// when this resolves a conflict, the conflict's removal too). Fields whose value is unchanged are left
/// out; nothing is written when nothing changed.
pub async fn save(kind: RecordKind, id: RecordId, values: Fields, resolving: Option<&str>) -> Result<(), StoreError> {
    let db = open().await?;
    for _ in 0..ATTEMPTS {
        // Read.
        let tx = db.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
        let raw = tx.store(RECORDS)?.get(key(&id.to_string())).await?;
        tx.done().await?;
        let (outbox, outbox_keys) = read_outbox(&db).await?;
        let local: Option<LocalRecord> = match raw.clone() {
            Some(value) => Some(unseal(value).await?),
            None => None,
        };
        // Decide.
        let Some(plan) = plan_save(kind, id, local, &outbox, values.clone()) else {
            if let Some(conflict) = resolving {
                let tx = db.transaction(&[CONFLICTS], TransactionMode::ReadWrite)?;
                tx.store(CONFLICTS)?.delete(key(conflict)).await?;
                tx.done().await?;
            }
            return Ok(());
        };
        let record = seal("id", key(&id.to_string()), &plan.record).await?;
        let mutation = seal_outbox(&OutboxEntry { seq: 0, mutation: plan.mutation, refused: None }).await?;
        // Write, if nothing changed meanwhile.
        let tx = db.transaction(&[RECORDS, OUTBOX, META, CONFLICTS], TransactionMode::ReadWrite)?;
        let records = tx.store(RECORDS)?;
        let outbox_store = tx.store(OUTBOX)?;
        let now_raw = records.get(key(&id.to_string())).await?;
        let now_keys = outbox_store.get_all_keys(None, None).await?;
        if sealed_bytes(&now_raw) != sealed_bytes(&raw)
            || now_raw.is_some() != raw.is_some()
            || !same_keys(&now_keys, &outbox_keys)
        {
            tx.abort().await.ok();
            continue;
        }
        let seq = next_seq(&tx.store(META)?).await?;
        js_sys::Reflect::set(&mutation, &key("seq"), &seq_key(seq)).map_err(|_| StoreError::Data("entry".into()))?;
        outbox_store.put(&mutation, None).await?;
        for superseded in plan.superseded {
            outbox_store.delete(seq_key(superseded)).await?;
        }
        records.put(&record, None).await?;
        if let Some(conflict) = resolving {
            tx.store(CONFLICTS)?.delete(key(conflict)).await?;
        }
        tx.done().await?;
        return Ok(());
    }
    Err(StoreError::IndexedDb("this device kept changing the record while saving; try again".into()))
}

/// What a save writes.
struct SavePlan {
    record: LocalRecord,
    /// Its seq is given when written.
    mutation: Mutation,
    /// Refused changes the save supersedes (their seqs).
    superseded: Vec<u64>,
}

fn plan_save(
    kind: RecordKind,
    id: RecordId,
    local: Option<LocalRecord>,
    outbox: &[OutboxEntry],
    values: Fields,
) -> Option<SavePlan> {
    // A record the server never accepted (its create was refused or discarded) is created again,
    // whole: an edit of it would be refused as "not on the server".
    let never_accepted = local.as_ref().is_some_and(|l| l.server.is_none());
    let waiting_for_it = outbox.iter().any(|e| e.mutation.record_id == id && e.refused.is_none());
    let recreate = never_accepted && !waiting_for_it;
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
    if changes.is_empty() {
        return None;
    }
    // A record this device created and the server has not confirmed will be version 1 when this
    // change arrives (a device's changes apply in order).
    let base_version = if recreate { None } else { local.as_ref().map(|l| l.server.as_ref().map_or(1, |r| r.version)) };
    let mutation =
        Mutation { seq: 0, record_id: id, kind, base_version, changes: changes.clone(), delete: false, reason: None };
    let mut record = local.unwrap_or(LocalRecord { id: id.to_string(), kind, server: None, fields: Fields::new() });
    let mut superseded = Vec::new();
    if recreate {
        record.fields.clear();
        // The fix supersedes the refused change it fixes.
        superseded =
            outbox.iter().filter(|e| e.mutation.record_id == id && e.refused.is_some()).map(|e| e.seq).collect();
    }
    for (field, change) in changes {
        if change.new.is_null() {
            record.fields.remove(&field);
        } else {
            record.fields.insert(field, change.new);
        }
    }
    Some(SavePlan { record, mutation, superseded })
}

/// Saved changes waiting to be sent, in seq order.
pub async fn waiting() -> Result<Vec<OutboxEntry>, StoreError> {
    let db = open().await?;
    let (entries, _) = read_outbox(&db).await?;
    Ok(entries.into_iter().filter(|e| e.refused.is_none()).collect())
}

/// How many saved changes wait to be sent (no decryption needed).
pub async fn outbox_count() -> Result<usize, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[OUTBOX], TransactionMode::ReadOnly)?;
    let count = tx.store(OUTBOX)?.count(None).await?;
    tx.done().await?;
    Ok(count as usize)
}

/// Stores the server's answers: answered entries leave the outbox (a refused one stays, marked);
/// clashes become conflicts.
pub async fn store_answers(results: &[PushResult]) -> Result<(), StoreError> {
    let db = open().await?;
    let (entries, _) = read_outbox(&db).await?;
    let mut delete = Vec::new();
    let mut put = Vec::new();
    let mut conflicts = Vec::new();
    for result in results {
        let Some(entry) = entries.iter().find(|e| e.seq == result.seq) else { continue };
        match &result.outcome {
            PushOutcome::Applied { .. } | PushOutcome::Unchanged { .. } => delete.push(result.seq),
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
                    conflicts.push(seal("id", key(id), &conflict).await?);
                }
                delete.push(result.seq);
            }
            PushOutcome::Rejected { reasons } => {
                let refused = OutboxEntry { refused: Some(reasons.clone()), ..entry.clone() };
                put.push(seal_outbox(&refused).await?);
            }
            PushOutcome::Gap { .. } => {}
        }
    }
    let tx = db.transaction(&[OUTBOX, CONFLICTS], TransactionMode::ReadWrite)?;
    let outbox = tx.store(OUTBOX)?;
    for seq in delete {
        outbox.delete(seq_key(seq)).await?;
    }
    for entry in put {
        outbox.put(&entry, None).await?;
    }
    let store = tx.store(CONFLICTS)?;
    for conflict in conflicts {
        store.put(&conflict, None).await?;
    }
    tx.done().await?;
    Ok(())
}

/// Records written per transaction when storing pulled changes: small enough that a draft or a
/// save waiting for the database is not held up long.
const PULL_CHUNK: usize = 250;

/// Takes a page of the server's changes. Each chunk of records is stored in one transaction with the
/// cursor (and view) that covers it, so the cursor never runs ahead of what is stored. Each record
/// shows the server's fields with this device's waiting changes on top. Removed records go.
pub async fn store_pulled(page: &PullResponse) -> Result<(), StoreError> {
    let db = open().await?;
    let chunks: Vec<&[dsr_shared::sync::Change]> = page.changes.chunks(PULL_CHUNK).collect();
    let last = chunks.len().saturating_sub(1);
    if chunks.is_empty() {
        return store_chunk(&db, &[], &page.removed, page.cursor, page.view).await;
    }
    for (i, chunk) in chunks.into_iter().enumerate() {
        let (removed, cursor) = if i == last {
            (page.removed.as_slice(), page.cursor)
        } else {
            (&[][..], chunk.last().map_or(page.cursor, |c| c.change_seq))
        };
        store_chunk(&db, chunk, removed, cursor, page.view).await?;
    }
    Ok(())
}

async fn store_chunk(
    db: &Rexie,
    changes: &[dsr_shared::sync::Change],
    removed: &[RecordId],
    cursor: u64,
    view: u64,
) -> Result<(), StoreError> {
    for _ in 0..ATTEMPTS {
        let (outbox, outbox_keys) = read_outbox(db).await?;
        let waiting: Vec<&OutboxEntry> = outbox.iter().filter(|e| e.refused.is_none()).collect();
        let mut values = Vec::with_capacity(changes.len());
        let mut sealing = Vec::with_capacity(changes.len());
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
            let local =
                LocalRecord { id: record.id.to_string(), kind: record.kind, server: Some(record.clone()), fields };
            sealing.push(local);
        }
        for sealed in futures::future::join_all(sealing.iter().map(|l| seal("id", key(&l.id), l))).await {
            values.push((sealed?, None));
        }
        let tx = db.transaction(&[RECORDS, OUTBOX, META], TransactionMode::ReadWrite)?;
        // A save landed meanwhile: its change must show on top of these records, so start again.
        if !same_keys(&tx.store(OUTBOX)?.get_all_keys(None, None).await?, &outbox_keys) {
            tx.abort().await.ok();
            continue;
        }
        let records = tx.store(RECORDS)?;
        records.put_all(values.into_iter()).await?;
        for id in removed {
            records.delete(key(&id.to_string())).await?;
        }
        let meta = tx.store(META)?;
        meta.put(&seq_key(cursor), Some(&key(META_CURSOR))).await?;
        meta.put(&seq_key(view), Some(&key(META_VIEW))).await?;
        tx.done().await?;
        return Ok(());
    }
    Err(StoreError::IndexedDb(
        "this device kept changing while storing the server's changes; trying again later".into(),
    ))
}

/// The cursor and view of the last pull (0 before the first).
pub async fn cursor() -> Result<(u64, u64), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[META], TransactionMode::ReadOnly)?;
    let meta = tx.store(META)?;
    let cursor = meta.get(key(META_CURSOR)).await?.and_then(|v| v.as_f64()).unwrap_or(0.0) as u64;
    let view = meta.get(key(META_VIEW)).await?.and_then(|v| v.as_f64()).unwrap_or(0.0) as u64;
    tx.done().await?;
    Ok((cursor, view))
}

/// What a full read of this device's records gives the pages.
pub type Loaded = (Vec<PersonRow>, Counts, Vec<dsr_shared::meeting::DsrMeeting>);

/// Everyone on this device, by family name, with what the server has of them, and the area's DSR
/// meetings (a coordinator's), earliest first: read together, so the records are unsealed once.
pub async fn people(policy: &AreaPolicy, role: Option<Role>) -> Result<Loaded, StoreError> {
    people_among(None, policy, role).await
}

/// Only the people with these ids (after a sync that touched a few): rows for those still here.
/// `None` when some of the ids are records of other kinds (a consent, a rating...): then the people
/// they belong to need their whole file again, and the caller reloads everyone.
pub async fn people_with_ids(
    ids: &[RecordId],
    policy: &AreaPolicy,
    role: Option<Role>,
) -> Result<Option<(Vec<PersonRow>, Counts)>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let store = tx.store(RECORDS)?;
    let mut values = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(value) = store.get(key(&id.to_string())).await? {
            values.push(value);
        }
    }
    tx.done().await?;
    let records = unseal_all::<LocalRecord>(values).await?;
    if records.iter().any(|r| r.kind != RecordKind::Person) {
        return Ok(None);
    }
    people_among(Some(ids), policy, role).await.map(|(rows, counts, _)| Some((rows, counts)))
}

async fn people_among(
    only: Option<&[RecordId]>,
    policy: &AreaPolicy,
    role: Option<Role>,
) -> Result<Loaded, StoreError> {
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
    let outbox_values = tx.store(OUTBOX)?.get_all(None, None).await?;
    let conflicts = tx.store(CONFLICTS)?.count(None).await? as usize;
    tx.done().await?;
    let records = unseal_all::<LocalRecord>(values).await?;
    let outbox = unseal_outbox(outbox_values).await?;

    let (people, others): (Vec<LocalRecord>, Vec<LocalRecord>) = records
        .into_iter()
        .filter(|r| !r.server.as_ref().is_some_and(|s| s.deleted))
        .partition(|r| r.kind == RecordKind::Person);
    let mut extras = extras_by_person(&others);
    let mut meetings: Vec<dsr_shared::meeting::DsrMeeting> =
        others.iter().filter(|r| r.kind == RecordKind::DsrMeeting).filter_map(domain).collect();
    meetings.sort_by_key(|m| (m.date, m.id));
    let today = chrono::Local::now().date_naive();
    let mut rows: Vec<PersonRow> = people
        .into_iter()
        .filter_map(|r| {
            let id: RecordId = r.id.parse().ok()?;
            let mine = outbox.iter().filter(|e| e.mutation.record_id == id);
            let waiting = mine.clone().any(|e| e.refused.is_none());
            let refused = mine.filter_map(|e| e.refused.clone().map(|reasons| (e.seq, reasons))).collect();
            let person = person_from(id, &r.fields);
            let (file, visit_notes, papers) = match person.clone() {
                Some(person) => {
                    let (file, notes, papers) = extras.remove(&person.id).unwrap_or_default().into_file(person);
                    (Some(file), notes, papers)
                }
                None => (None, Vec::new(), ReviewPapers::default()),
            };
            let on_server = r.server.is_some() && !waiting;
            let row = PersonRow {
                id,
                person,
                on_server,
                refused,
                fields: r.fields,
                file,
                visit_notes,
                papers,
                register: None,
            };
            Some(row.with_register(policy, today, role))
        })
        .collect();
    rows.sort_by_key(PersonRow::sort_key);
    let counts = Counts {
        waiting: outbox.iter().filter(|e| e.refused.is_none()).count(),
        refused: outbox.iter().filter(|e| e.refused.is_some()).count(),
        conflicts,
    };
    Ok((rows, counts, meetings))
}

/// A record of another kind as its domain type (`None` when its fields do not make one).
fn domain<T: for<'de> Deserialize<'de>>(record: &LocalRecord) -> Option<T> {
    let mut object: serde_json::Map<String, Value> = record.fields.clone().into_iter().collect();
    object.insert("id".into(), Value::String(record.id.clone()));
    serde_json::from_value(Value::Object(object)).ok()
}

/// A person's records of other kinds, waiting for the person's own record.
#[derive(Default)]
struct Extras {
    referrals: Vec<dsr_shared::referral::Referral>,
    consents: Vec<dsr_shared::consent::Consent>,
    ratings: Vec<dsr_shared::rating::RatingChange>,
    admissions: Vec<dsr_shared::admission::Admission>,
    reviews: Vec<dsr_shared::review::Review>,
    actions: Vec<dsr_shared::action::Action>,
    multi_agency_meetings: Vec<dsr_shared::multi_agency_meeting::MultiAgencyMeeting>,
    meeting_decisions: Vec<dsr_shared::meeting::MeetingDecision>,
    visit_notes: Vec<dsr_shared::visit_note::VisitNote>,
    papers: ReviewPapers,
}

impl Extras {
    /// The person's file (what the due engine reads), their visit notes and their reviews' papers.
    fn into_file(
        self,
        person: Person,
    ) -> (dsr_shared::due::PersonFile, Vec<dsr_shared::visit_note::VisitNote>, ReviewPapers) {
        let file = dsr_shared::due::PersonFile {
            person,
            referrals: self.referrals,
            consents: self.consents,
            ratings: self.ratings,
            admissions: self.admissions,
            reviews: self.reviews,
            actions: self.actions,
            multi_agency_meetings: self.multi_agency_meetings,
            meeting_decisions: self.meeting_decisions,
        };
        (file, self.visit_notes, self.papers)
    }
}

/// Each person's records of other kinds, by person.
fn extras_by_person(records: &[LocalRecord]) -> BTreeMap<dsr_shared::PersonId, Extras> {
    let mut found: BTreeMap<dsr_shared::PersonId, Extras> = BTreeMap::new();
    for record in records {
        let Some(person_id) = record.fields.get("person_id").and_then(|v| serde_json::from_value(v.clone()).ok())
        else {
            continue;
        };
        let extras = found.entry(person_id).or_default();
        match record.kind {
            RecordKind::Referral => extras.referrals.extend(domain(record)),
            RecordKind::Consent => extras.consents.extend(domain(record)),
            RecordKind::RatingChange => extras.ratings.extend(domain(record)),
            RecordKind::Admission => extras.admissions.extend(domain(record)),
            RecordKind::Review => extras.reviews.extend(domain(record)),
            RecordKind::Action => extras.actions.extend(domain(record)),
            RecordKind::VisitNote => extras.visit_notes.extend(domain(record)),
            RecordKind::MultiAgencyMeeting => extras.multi_agency_meetings.extend(domain(record)),
            RecordKind::MeetingDecision => extras.meeting_decisions.extend(domain(record)),
            RecordKind::Planner => extras.papers.planners.extend(domain(record)),
            RecordKind::FamilyViews => extras.papers.family_views.extend(domain(record)),
            RecordKind::KloeFinding => extras.papers.findings.extend(domain(record)),
            RecordKind::Recommendation => extras.papers.recommendations.extend(domain(record)),
            _ => {}
        }
    }
    found
}

/// Discards a refused change; a refused create takes its record with it.
pub async fn discard_refused(seq: u64) -> Result<(), StoreError> {
    let db = open().await?;
    let (entries, _) = read_outbox(&db).await?;
    let Some(entry) = entries.into_iter().find(|e| e.seq == seq) else { return Ok(()) };
    let record_key = entry.mutation.record_id.to_string();
    let tx = db.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let raw = tx.store(RECORDS)?.get(key(&record_key)).await?;
    tx.done().await?;
    let local: Option<LocalRecord> = match raw {
        Some(value) => Some(unseal(value).await?),
        None => None,
    };
    let restored = match &local {
        Some(l) => match &l.server {
            Some(server) => {
                Some(seal("id", key(&l.id), &LocalRecord { fields: server.fields.clone(), ..l.clone() }).await?)
            }
            None => None,
        },
        None => None,
    };
    let tx = db.transaction(&[OUTBOX, RECORDS], TransactionMode::ReadWrite)?;
    tx.store(OUTBOX)?.delete(seq_key(seq)).await?;
    let records = tx.store(RECORDS)?;
    match (local, restored) {
        (Some(_), Some(restored)) => {
            records.put(&restored, None).await?;
        }
        (Some(_), None) => records.delete(key(&record_key)).await?,
        (None, _) => {}
    }
    tx.done().await?;
    Ok(())
}

/// Conflicts waiting for a person, with the record each is about.
pub async fn conflicts() -> Result<Vec<(LocalConflict, Option<LocalRecord>)>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[CONFLICTS, RECORDS], TransactionMode::ReadOnly)?;
    let list = tx.store(CONFLICTS)?.get_all(None, None).await?;
    let records = tx.store(RECORDS)?.get_all(None, None).await?;
    tx.done().await?;
    let list: Vec<LocalConflict> = unseal_all(list).await?;
    let wanted: std::collections::BTreeSet<String> = list.iter().map(|c| c.record_id.to_string()).collect();
    let records: Vec<JsValue> = records
        .into_iter()
        .filter(|r| {
            js_sys::Reflect::get(r, &key("id"))
                .ok()
                .and_then(|id| id.as_string())
                .is_some_and(|id| wanted.contains(&id))
        })
        .collect();
    let records: Vec<LocalRecord> = unseal_all(records).await?;
    Ok(list
        .into_iter()
        .map(|c| {
            let record = records.iter().find(|r| r.id == c.record_id.to_string()).cloned();
            (c, record)
        })
        .collect())
}

/// Drafts of forms used with no account (the public self-referral form) start with this. With no
/// sign-in there is no data key, so they are kept in clear on the family's own device until sent
/// (and sealed like the rest if someone signs in on it before then).
pub const PUBLIC_DRAFT: &str = "public:";

pub async fn save_draft(draft: &Draft) -> Result<(), StoreError> {
    let entry = if draft.key.starts_with(PUBLIC_DRAFT) && !crate::crypto::is_unlocked() {
        to_js(draft)?
    } else {
        seal("key", key(&draft.key), draft).await?
    };
    let db = open().await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
    tx.store(DRAFTS)?.put(&entry, None).await?;
    tx.done().await?;
    Ok(())
}

pub async fn load_draft(form: &str) -> Result<Option<Draft>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadOnly)?;
    let value = tx.store(DRAFTS)?.get(key(form)).await?;
    tx.done().await?;
    match value {
        Some(value) => Ok(Some(unseal(value).await?)),
        None => Ok(None),
    }
}

pub async fn delete_draft(form: &str) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[DRAFTS], TransactionMode::ReadWrite)?;
    tx.store(DRAFTS)?.delete(key(form)).await?;
    tx.done().await?;
    Ok(())
}

/// A read of a person's record on this device, for the audit trail (no personal data: ids and time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewRecord {
    pub id: String,
    pub event: dsr_shared::accounts::ViewEvent,
}

/// Notes that people's records were opened here (one person's page, or everyone on a meeting's agenda),
/// in one transaction; sent to the server's audit trail by the sync loop.
pub async fn record_views(
    people: &[dsr_shared::PersonId],
    screen: dsr_shared::accounts::Screen,
) -> Result<(), StoreError> {
    let millis = js_sys::Date::now() as u64;
    let at = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(millis as i64).unwrap_or_default();
    let db = open().await?;
    let tx = db.transaction(&[VIEWS], TransactionMode::ReadWrite)?;
    let store = tx.store(VIEWS)?;
    for person in people {
        let id = uuid::Builder::from_unix_timestamp_millis(millis, &random_bytes()).into_uuid();
        let event = dsr_shared::accounts::ViewEvent { id, person_id: *person, at, screen };
        store.put(&to_js(&ViewRecord { id: id.to_string(), event })?, None).await?;
    }
    tx.done().await?;
    Ok(())
}

/// Reads waiting to be sent.
pub async fn views() -> Result<Vec<ViewRecord>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[VIEWS], TransactionMode::ReadOnly)?;
    let values = tx.store(VIEWS)?.get_all(None, None).await?;
    tx.done().await?;
    values.into_iter().map(from_js).collect()
}

/// Forgets reads the server has recorded.
pub async fn views_sent(ids: &[String]) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[VIEWS], TransactionMode::ReadWrite)?;
    let store = tx.store(VIEWS)?;
    for id in ids {
        store.delete(key(id)).await?;
    }
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
