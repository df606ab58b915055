//! `pages`: pulled records stored a few hundred to a sealed value, so a first sync of 10,000 records
//! is twenty writes rather than 10,000. A page is `{ page: n, ids: [...], sealed }`: its records' ids in
//! clear (random ids, as every store's keys are; never anything about a person) so a record can be found
//! without opening every page, and the records sealed together.
//!
//! Where a record is: the `records` store (recent: saves, answers, small pulls) wins over pages, a later
//! page over an earlier one, and a marker `{ id, gone: true }` in `records` says a record held in a page
//! was deleted. [`compact`] folds it all back into fresh pages in the background. This tab keeps an index
//! of which page holds each id (rebuilt from the pages' ids when unknown, and when another tab wrote).

use std::cell::RefCell;
use std::collections::BTreeMap;

use dsr_shared::RecordId;
use rexie::{Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use super::schema::{PAGES, RECORDS};
use super::seal::{seal, unseal, unseal_all};
use super::{LocalRecord, StoreError, from_js, key, open, to_js};

/// Records per page, and per part of a pulled page stored in one transaction: small enough that a
/// draft or a save waiting for the database is not held up long (a part's work on the page is about
/// 1.5 ms to serialise, 1.5 ms to follow in memory), large enough that a first sync is not mostly
/// transactions' round trips (10,000 records synced in 0.96 s with parts of 250, 0.88 s with 500, no
/// faster with 1,000, taking turns on a 2-core machine).
pub const PAGE_RECORDS: usize = 500;
/// A pulled part of at least this many records is stored as a page; smaller ones record by record.
pub const PAGE_AT_LEAST: usize = 50;
/// Recent records (or superseded copies in pages) beyond which [`compact`] folds them into pages.
const COMPACT_RECENT: usize = 300;

/// The records of one page, as sealed.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct PageRecords {
    pub records: Vec<StoredRecord>,
}

/// A record as a page holds it. Since storage version 5, what the device shows is left out when it is
/// the server's copy (most pulled records): written and read once, not twice. Version 4's pages, with
/// both, read as they are.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct StoredRecord {
    id: RecordId,
    kind: dsr_shared::sync::RecordKind,
    #[serde(default)]
    server: Option<dsr_shared::sync::Record>,
    /// `None`: the server's fields.
    #[serde(default)]
    fields: Option<dsr_shared::sync::Fields>,
}

impl From<StoredRecord> for LocalRecord {
    fn from(stored: StoredRecord) -> LocalRecord {
        let fields = match stored.fields {
            Some(fields) => fields,
            None => stored.server.as_ref().map(|s| s.fields.clone()).unwrap_or_default(),
        };
        LocalRecord { id: stored.id, kind: stored.kind, server: stored.server, fields }
    }
}

/// A record as a page seals it (see [`StoredRecord`]).
#[derive(Serialize)]
struct StoredRef<'a> {
    id: RecordId,
    kind: dsr_shared::sync::RecordKind,
    server: &'a Option<dsr_shared::sync::Record>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fields: Option<&'a dsr_shared::sync::Fields>,
}

impl<'a> From<&'a LocalRecord> for StoredRef<'a> {
    fn from(record: &'a LocalRecord) -> StoredRef<'a> {
        let shown_is_server = record.server.as_ref().is_some_and(|s| s.fields == record.fields);
        StoredRef {
            id: record.id,
            kind: record.kind,
            server: &record.server,
            fields: (!shown_is_server).then_some(&record.fields),
        }
    }
}

/// Which page holds each record (the latest page holding it), and the next page number.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageIndex {
    pub of: BTreeMap<RecordId, u32>,
    pub next: u32,
    /// Copies held in pages, superseded ones included.
    pub copies: usize,
}

thread_local! {
    static INDEX: RefCell<Option<PageIndex>> = const { RefCell::new(None) };
}

/// Forgets the index (another tab wrote): the next use reads the pages' ids again.
pub fn forget_index() {
    INDEX.with(|i| *i.borrow_mut() = None);
}

pub(crate) fn set_index(index: PageIndex) {
    INDEX.with(|i| *i.borrow_mut() = Some(index));
}

pub(crate) fn update_index(f: impl FnOnce(&mut PageIndex)) {
    INDEX.with(|i| {
        if let Some(index) = i.borrow_mut().as_mut() {
            f(index);
        }
    });
}

/// Makes sure this tab knows the index, reading the pages' ids when it does not.
pub(crate) async fn ensure_index(db: &Rexie) -> Result<(), StoreError> {
    if INDEX.with(|i| i.borrow().is_some()) {
        return Ok(());
    }
    let tx = db.transaction(&[PAGES], TransactionMode::ReadOnly)?;
    let values = tx.store(PAGES)?.get_all(None, None).await?;
    tx.done().await?;
    let mut index = PageIndex::default();
    for value in values {
        let (page, ids) = page_ids(&value)?;
        index.add(page, &ids);
    }
    set_index(index);
    Ok(())
}

/// Reads the index (known: [`ensure_index`] first), without copying it.
pub(crate) fn with_index<T>(f: impl FnOnce(&PageIndex) -> T) -> T {
    INDEX.with(|i| f(i.borrow().as_ref().unwrap_or(&PageIndex::default())))
}

impl PageIndex {
    pub fn add(&mut self, page: u32, ids: &[RecordId]) {
        for id in ids {
            self.of.insert(*id, page);
        }
        self.copies += ids.len();
        self.next = self.next.max(page + 1);
    }
}

/// A stored page's number and ids (no decryption): since storage version 5 the ids are packed, 16
/// bytes each (version 4 wrote them as text, read as it is).
pub(crate) fn page_ids(value: &JsValue) -> Result<(u32, Vec<RecordId>), StoreError> {
    let page = js_sys::Reflect::get(value, &key("page")).ok().and_then(|p| p.as_f64()).unwrap_or(0.0) as u32;
    let ids = js_sys::Reflect::get(value, &key("ids")).unwrap_or(JsValue::UNDEFINED);
    let ids: Vec<RecordId> = match ids.dyn_ref::<js_sys::Uint8Array>() {
        Some(packed) => unpack_ids(&packed.to_vec()).ok_or_else(|| StoreError::Data("page ids".into()))?,
        None => from_js(ids)?,
    };
    Ok((page, ids))
}

/// Ids packed as their 16 bytes each, one after another.
pub(crate) fn pack_ids(ids: impl Iterator<Item = RecordId>) -> Vec<u8> {
    ids.flat_map(|id| id.as_uuid().into_bytes()).collect()
}

/// The ids [`pack_ids`] packed (`None` when the bytes are not whole ids).
pub(crate) fn unpack_ids(bytes: &[u8]) -> Option<Vec<RecordId>> {
    let (ids, rest) = bytes.as_chunks::<16>();
    rest.is_empty().then(|| ids.iter().map(|b| RecordId::from_uuid(uuid::Uuid::from_bytes(*b))).collect())
}

/// A page sealed for storing: `{ page, ids, sealed }`.
pub(crate) async fn seal_page(page: u32, records: &[LocalRecord]) -> Result<JsValue, StoreError> {
    #[derive(Serialize)]
    struct PageRecordsRef<'a> {
        records: Vec<StoredRef<'a>>,
    }
    let stored = PageRecordsRef { records: records.iter().map(StoredRef::from).collect() };
    let value = seal("page", JsValue::from_f64(f64::from(page)), &stored).await?;
    let ids = js_sys::Uint8Array::from(pack_ids(records.iter().map(|r| r.id)).as_slice());
    js_sys::Reflect::set(&value, &key("ids"), &ids).map_err(|_| StoreError::Data("page".into()))?;
    Ok(value)
}

/// Opens a stored page.
pub(crate) async fn open_page(value: JsValue) -> Result<Vec<LocalRecord>, StoreError> {
    Ok(unseal::<PageRecords>(value).await?.records.into_iter().map(LocalRecord::from).collect())
}

/// A marker in `records` saying the record with this id (held in a page) was deleted.
pub(crate) fn gone_marker(id: RecordId) -> Result<JsValue, StoreError> {
    #[derive(Serialize)]
    struct Gone {
        id: RecordId,
        gone: bool,
    }
    to_js(&Gone { id, gone: true })
}

/// Whether a value of `records` is a [`gone_marker`].
pub(crate) fn is_gone(value: &JsValue) -> bool {
    js_sys::Reflect::get(value, &key("gone")).ok().and_then(|g| g.as_bool()).unwrap_or(false)
}

/// Every record the device holds, in the order that decides which copy wins, with the index of pages.
pub(crate) async fn read_everything(
    records: Vec<JsValue>,
    pages: Vec<JsValue>,
) -> Result<(BTreeMap<RecordId, LocalRecord>, PageIndex), StoreError> {
    let mut index = PageIndex::default();
    let mut numbered: Vec<(u32, JsValue)> = Vec::with_capacity(pages.len());
    for value in pages {
        let (page, ids) = page_ids(&value)?;
        index.add(page, &ids);
        numbered.push((page, value));
    }
    numbered.sort_by_key(|(page, _)| *page);
    let opened = futures::future::join_all(numbered.into_iter().map(|(_, v)| open_page(v))).await;
    let mut all = BTreeMap::new();
    for page in opened {
        for record in page? {
            all.insert(record.id, record);
        }
    }
    let (gone, kept): (Vec<JsValue>, Vec<JsValue>) = records.into_iter().partition(is_gone);
    for record in unseal_all::<LocalRecord>(kept).await? {
        all.insert(record.id, record);
    }
    for value in gone {
        if let Ok(id) = from_js::<RecordId>(js_sys::Reflect::get(&value, &key("id")).unwrap_or(JsValue::UNDEFINED)) {
            all.remove(&id);
        }
    }
    Ok((all, index))
}

/// What `records` holds, to tell whether anything was written: each value's key and sealed bytes.
fn fingerprint(values: &[JsValue]) -> Vec<(Option<String>, Option<Vec<u8>>, bool)> {
    values
        .iter()
        .map(|v| {
            let id = js_sys::Reflect::get(v, &key("id")).ok().and_then(|i| i.as_string());
            (id, super::seal::sealed_bytes(&Some(v.clone())), is_gone(v))
        })
        .collect()
}

/// Folds recent records and superseded page copies into fresh pages when there are enough of them,
/// in one transaction that first checks nothing was written meanwhile (else it tries another time).
pub async fn compact() -> Result<bool, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS, PAGES], TransactionMode::ReadOnly)?;
    let recent_count = tx.store(RECORDS)?.count(None).await? as usize;
    let page_keys = tx.store(PAGES)?.get_all_keys(None, None).await?;
    ensure_index(&db).await?;
    let live_in_pages = with_index(|i| (i.of.len(), i.copies));
    let superseded = live_in_pages.1.saturating_sub(live_in_pages.0);
    if recent_count < COMPACT_RECENT && superseded < COMPACT_RECENT {
        tx.done().await.ok();
        return Ok(false);
    }
    let records = tx.store(RECORDS)?.get_all(None, None).await?;
    let pages = tx.store(PAGES)?.get_all(None, None).await?;
    tx.done().await?;
    let recent = fingerprint(&records);
    let (all, _) = read_everything(records, pages).await?;
    let all: Vec<LocalRecord> = all.into_values().collect();
    let mut sealed = Vec::new();
    let mut index = PageIndex::default();
    for (i, chunk) in all.chunks(PAGE_RECORDS).enumerate() {
        let page = i as u32;
        sealed.push(seal_page(page, chunk).await?);
        index.add(page, &chunk.iter().map(|r| r.id).collect::<Vec<_>>());
    }
    let tx = db.transaction(&[RECORDS, PAGES], TransactionMode::ReadWrite)?;
    // Unchanged since read: the same pages, and the same recent records, byte for byte (a save may
    // rewrite a record under the same key).
    let same_keys =
        |a: &[JsValue], b: &[JsValue]| a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.as_f64() == y.as_f64());
    let now: Vec<JsValue> = tx.store(RECORDS)?.get_all(None, None).await?;
    if !same_keys(&tx.store(PAGES)?.get_all_keys(None, None).await?, &page_keys) || fingerprint(&now) != recent {
        tx.abort().await.ok();
        return Ok(false);
    }
    tx.store(RECORDS)?.clear().await?;
    let store = tx.store(PAGES)?;
    store.clear().await?;
    for value in sealed {
        store.put(&value, None).await?;
    }
    tx.done().await?;
    set_index(index);
    super::announce_to_other_tabs();
    Ok(true)
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use dsr_shared::sync::{Fields, Record, RecordKind};
    use serde_json::json;

    fn fields(name: &str) -> Fields {
        [("given_name".to_string(), json!(name))].into_iter().collect()
    }

    fn record(n: u8, shown: &str, server: Option<&str>) -> LocalRecord {
        let id = RecordId::from_time_and_random(u64::from(n), [n; 10]);
        let server =
            server.map(|s| Record { id, kind: RecordKind::Person, version: 3, fields: fields(s), deleted: false });
        LocalRecord { id, kind: RecordKind::Person, server, fields: fields(shown) }
    }

    /// A page as sealed (its JSON) and read back.
    fn round_trip(records: &[LocalRecord]) -> (serde_json::Value, Vec<LocalRecord>) {
        let stored: Vec<StoredRef> = records.iter().map(StoredRef::from).collect();
        let json = serde_json::to_value(serde_json::json!({ "records": stored })).unwrap_or_else(|e| panic!("{e}"));
        let page: PageRecords = serde_json::from_value(json.clone()).unwrap_or_else(|e| panic!("{e}"));
        (json, page.records.into_iter().map(LocalRecord::from).collect())
    }

    #[test]
    fn a_page_keeps_what_the_device_shows_once_when_it_is_the_servers_and_reads_back_whole() {
        // Pulled (shown = the server's), changed here (shown differs), new here (no server copy yet).
        let records = [record(1, "Alex", Some("Alex")), record(2, "Sam", Some("Samuel")), record(3, "Kai", None)];
        let (json, read) = round_trip(&records);
        assert_eq!(read, records);
        let stored = json["records"].as_array().cloned().unwrap_or_default();
        assert!(stored[0].get("fields").is_none(), "the server's fields are not written twice: {}", stored[0]);
        assert_eq!(stored[1]["fields"], json!({ "given_name": "Sam" }));
        assert_eq!(stored[2]["fields"], json!({ "given_name": "Kai" }));
    }

    #[test]
    fn a_page_version_4_wrote_reads_as_it_is() {
        // Version 4 sealed whole local records: the server's fields and the shown ones, both.
        let v4 = json!({ "records": [
            { "id": "0193d000-0000-7000-8000-000000000031", "kind": "person",
              "server": { "id": "0193d000-0000-7000-8000-000000000031", "kind": "person", "version": 2, "fields": { "given_name": "Alex" } },
              "fields": { "given_name": "Alex" } },
            { "id": "0193d000-0000-7000-8000-000000000032", "kind": "person", "server": null, "fields": { "given_name": "Sam" } } ] });
        let page: PageRecords = serde_json::from_value(v4).unwrap_or_else(|e| panic!("{e}"));
        let read: Vec<LocalRecord> = page.records.into_iter().map(LocalRecord::from).collect();
        assert_eq!(read[0].fields, fields("Alex"));
        assert_eq!(read[0].version(), 2);
        assert_eq!((read[1].fields.clone(), read[1].server.is_none()), (fields("Sam"), true));
    }

    #[test]
    fn ids_packed_unpack_to_the_same_ids_and_broken_bytes_are_refused() {
        let ids: Vec<RecordId> = (1..=250u8).map(|n| RecordId::from_time_and_random(u64::from(n), [n; 10])).collect();
        let packed = pack_ids(ids.iter().copied());
        assert_eq!(packed.len(), 250 * 16);
        assert_eq!(unpack_ids(&packed), Some(ids));
        assert_eq!(unpack_ids(&packed[..17]), None);
        assert_eq!(unpack_ids(&[]), Some(Vec::new()));
    }
}
