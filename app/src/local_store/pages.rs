//! `pages`: pulled records stored a few hundred to a sealed value, so a first sync of 10,000 records
//! is forty writes rather than 10,000. A page is `{ page: n, ids: [...], sealed }`: its records' ids in
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
use wasm_bindgen::JsValue;

use super::schema::{PAGES, RECORDS};
use super::seal::{seal, unseal, unseal_all};
use super::{LocalRecord, StoreError, from_js, key, open, to_js};

/// Records per page, and per part of a pulled page stored in one transaction: small enough that a
/// draft or a save waiting for the database is not held up long.
pub const PAGE_RECORDS: usize = 250;
/// A pulled part of at least this many records is stored as a page; smaller ones record by record.
pub const PAGE_AT_LEAST: usize = 50;
/// Recent records (or superseded copies in pages) beyond which [`compact`] folds them into pages.
const COMPACT_RECENT: usize = 300;

/// The records of one page, as sealed.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PageRecords {
    pub records: Vec<LocalRecord>,
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

/// A stored page's number and ids (no decryption).
pub(crate) fn page_ids(value: &JsValue) -> Result<(u32, Vec<RecordId>), StoreError> {
    let page = js_sys::Reflect::get(value, &key("page")).ok().and_then(|p| p.as_f64()).unwrap_or(0.0) as u32;
    let ids: Vec<RecordId> = from_js(js_sys::Reflect::get(value, &key("ids")).unwrap_or(JsValue::UNDEFINED))?;
    Ok((page, ids))
}

/// A page sealed for storing: `{ page, ids, sealed }`.
pub(crate) async fn seal_page(page: u32, records: &[LocalRecord]) -> Result<JsValue, StoreError> {
    #[derive(Serialize)]
    struct PageRecordsRef<'a> {
        records: &'a [LocalRecord],
    }
    let value = seal("page", JsValue::from_f64(f64::from(page)), &PageRecordsRef { records }).await?;
    let ids: Vec<RecordId> = records.iter().map(|r| r.id).collect();
    js_sys::Reflect::set(&value, &key("ids"), &to_js(&ids)?).map_err(|_| StoreError::Data("page".into()))?;
    Ok(value)
}

/// Opens a stored page.
pub(crate) async fn open_page(value: JsValue) -> Result<Vec<LocalRecord>, StoreError> {
    Ok(unseal::<PageRecords>(value).await?.records)
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
