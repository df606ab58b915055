//! The stores and their version, and upgrades of data older versions wrote.
//!
//! Stores (version 5):
//! - `records`: recent records, one [`LocalRecord`] each (sealed): the server's last word and what this
//!   device shows; saves, answers and small pulls land here (and a marker when a record held in a page
//!   is deleted).
//! - `pages`: pulled records a few hundred to a sealed value (see [`super::pages`]).
//! - `outbox`: [`OutboxEntry`] by seq (sealed, the seq in clear): saved changes not yet answered, and
//!   refused ones kept for the user.
//! - `drafts`: half-typed forms, by form key (sealed).
//! - `conflicts`: clashes the server reported, for a person to resolve (sealed).
//! - `meta`: this device's client id, next seq, pull state, and the sign-in lock.
//! - `views`: reads of a person's record on this device, waiting to go to the audit trail.
//!
//! Version 5 writes pages more compactly (a record's shown fields left out when they are the server's,
//! the ids in clear packed as bytes; see [`super::pages`]); version 4's pages read as they are, so the
//! upgrade rewrites nothing, and a tab still running version 4 is told to close its connection rather
//! than read pages it does not know. Version 4 added `pages`: version 3's `records` are read as they are (recent records) and folded into
//! pages in the background ([`super::pages::compact`]). Version 1 (the walking skeleton) had `records` of people and `meta`; [`open`] upgrades its data
//! (people not yet sent become outbox entries) so nothing typed before the upgrade is lost. Data from
//! before encryption is read as it is and sealed at the first unlock ([`super::seal::seal_plaintext`]).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use dsr_shared::sync::{FieldChange, Mutation, RecordKind};
use dsr_shared::{Person, RecordId};
use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::Deserialize;
use serde_json::Value;

use super::{LocalRecord, OutboxEntry, StoreError, from_js, key, to_js};

pub const DB_NAME: &str = "dsr";
pub const DB_VERSION: u32 = 5;
pub const RECORDS: &str = "records";
pub const OUTBOX: &str = "outbox";
pub const DRAFTS: &str = "drafts";
pub const CONFLICTS: &str = "conflicts";
pub const META: &str = "meta";
pub const VIEWS: &str = "views";
pub const PAGES: &str = "pages";
/// Every store, for wiping.
pub const ALL_STORES: [&str; 7] = [RECORDS, OUTBOX, DRAFTS, CONFLICTS, META, VIEWS, PAGES];

thread_local! {
    static UPGRADED: Cell<bool> = const { Cell::new(false) };
    /// This page's connection, opened once and shared by every read and write (opening one costs
    /// milliseconds: a pulled change or a save would pay it several times over).
    static CONNECTION: RefCell<Option<Rc<Rexie>>> = const { RefCell::new(None) };
}

/// The database, open: this page's shared connection, opened (creating or upgrading its stores) the
/// first time, or again once closed. It closes itself when another tab opens a newer version (idb's
/// `versionchange` handler), so it never blocks that upgrade. Version-1 data is upgraded once per page.
pub async fn open() -> Result<Rc<Rexie>, StoreError> {
    // A closed connection (a newer version opened elsewhere, site data cleared) refuses new transactions.
    let usable = |db: &Rc<Rexie>| db.transaction(&[META], TransactionMode::ReadOnly).is_ok();
    if let Some(db) = CONNECTION.with(|c| c.borrow().clone()).filter(usable) {
        return Ok(db);
    }
    let db = Rc::new(connect().await?);
    if !UPGRADED.with(Cell::get) {
        upgrade_version_1_data(&db).await?;
        UPGRADED.with(|u| u.set(true));
    }
    // Two reads may have opened at once: the first usable connection kept is everyone's (another is
    // closed by the garbage collector, or by idb's handler should a newer version open meanwhile).
    Ok(CONNECTION.with(|c| {
        let mut kept = c.borrow_mut();
        match kept.as_ref().filter(|k| usable(k)) {
            Some(k) => k.clone(),
            None => kept.insert(db).clone(),
        }
    }))
}

/// A transaction on this page's shared connection, asked of the connection kept with no probe first
/// (a probe is a transaction of its own: one more round trip to the database before every draft's
/// write); only when the connection kept refuses (closed because a newer version opened elsewhere, or
/// site data cleared) is the database opened again.
pub async fn transaction(stores: &[&str], mode: TransactionMode) -> Result<rexie::Transaction, StoreError> {
    if let Some(db) = CONNECTION.with(|c| c.borrow().clone())
        && let Ok(tx) = db.transaction(stores, mode)
    {
        return Ok(tx);
    }
    Ok(open().await?.transaction(stores, mode)?)
}

/// Opens a new connection to the database, creating or upgrading its stores.
async fn connect() -> Result<Rexie, StoreError> {
    Ok(Rexie::builder(DB_NAME)
        .version(DB_VERSION)
        .add_object_store(ObjectStore::new(RECORDS).key_path("id"))
        .add_object_store(ObjectStore::new(OUTBOX).key_path("seq"))
        .add_object_store(ObjectStore::new(DRAFTS).key_path("key"))
        .add_object_store(ObjectStore::new(CONFLICTS).key_path("id"))
        .add_object_store(ObjectStore::new(META))
        .add_object_store(ObjectStore::new(VIEWS).key_path("id"))
        .add_object_store(ObjectStore::new(PAGES).key_path("page"))
        .build()
        .await?)
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
        let id = RecordId::from_uuid(old.person.id.as_uuid());
        records.delete(key(&id.to_string())).await?;
        if old.on_server {
            continue;
        }
        let fields = dsr_shared::sync::fields_of(&old.person);
        let changes =
            fields.iter().map(|(k, v)| (k.clone(), FieldChange { old: Value::Null, new: v.clone() })).collect();
        let seq = super::meta::next_seq(&meta).await?;
        meta.put(&super::seq_key(seq + 1), Some(&key(super::meta::META_NEXT_SEQ))).await?;
        let mutation = Mutation {
            seq,
            record_id: id,
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
    fn a_version_1_record_still_reads() {
        let v1 = serde_json::json!({ "id": person().id, "person": person(), "on_server": false, "refused": null });
        let old: StoredPersonV1 = serde_json::from_value(v1).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(old.person, person());
        assert!(!old.on_server);
    }

    #[test]
    fn a_version_3_record_reads_as_the_cores_local_record() {
        // What version 3 of the app wrote (its own LocalRecord, the id as text) opens as the core's.
        let stored = serde_json::json!({ "id": "0193d000-0000-7000-8000-000000000031", "kind": "person",
            "server": { "id": "0193d000-0000-7000-8000-000000000031", "kind": "person", "version": 2,
                "fields": { "given_name": "Alex" } },
            "fields": { "given_name": "Sam" } });
        let record: LocalRecord = serde_json::from_value(stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((record.version(), record.fields.get("given_name")), (2, Some(&serde_json::json!("Sam"))));
    }
}
