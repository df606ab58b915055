//! Reading what a plan needs and writing what it decided: [`read`] gathers the outbox, the pull state,
//! the next seq and some records (opened, and their sealed bytes kept); [`commit`] seals a plan's
//! [`Writes`] outside any transaction, then in one transaction checks that what the plan's guard names
//! is as it was read (another tab may have saved meanwhile: then nothing is written and the caller plans
//! again) and writes everything.

use std::collections::BTreeMap;

use dsr_shared::RecordId;
use rexie::{Rexie, TransactionMode};
use wasm_bindgen::JsValue;

use super::pages::{self, PAGE_AT_LEAST, gone_marker, is_gone, open_page, seal_page};
use super::schema::{CONFLICTS, META, OUTBOX, PAGES, RECORDS, VIEWS};
use super::seal::{seal, seal_outbox, sealed_bytes, unseal, unseal_outbox};
use super::{LocalRecord, OutboxEntry, PullState, StoreError, Writes, key, seq_key};

/// How a record stood in `records` when read: absent, a deletion marker, or sealed bytes.
type Stood = (bool, bool, Option<Vec<u8>>);

fn stood(value: &Option<JsValue>) -> Stood {
    (value.is_some(), value.as_ref().is_some_and(is_gone), sealed_bytes(value))
}

/// What a plan was made from.
pub(crate) struct Read {
    /// Every outbox entry, in seq order.
    pub outbox: Vec<OutboxEntry>,
    /// The records asked for: how they stood in `records` and what they hold (from a page when not there).
    pub records: BTreeMap<RecordId, (Stood, Option<LocalRecord>)>,
    pub next_seq: u64,
    pub pull: PullState,
    /// The pages' numbers: a new page (another tab's pull) or a compaction changes them.
    pub pages: Vec<u32>,
    /// The next page number, as this tab's index knows it.
    pub next_page: u32,
}

impl Read {
    pub fn record(&self, id: RecordId) -> Option<&LocalRecord> {
        self.records.get(&id).and_then(|(_, r)| r.as_ref())
    }

    pub fn held(&self) -> BTreeMap<RecordId, LocalRecord> {
        self.records.iter().filter_map(|(id, (_, r))| r.clone().map(|r| (*id, r))).collect()
    }

    fn outbox_keys(&self) -> Vec<u64> {
        self.outbox.iter().map(|e| e.seq).collect()
    }
}

/// Reads the outbox, the next seq, the pull state and these records (from `records`, or the page
/// holding them), in one transaction.
pub(crate) async fn read(db: &Rexie, ids: &[RecordId]) -> Result<Read, StoreError> {
    match read_in(db, ids, false).await? {
        Started::Read(read, _) => Ok(read),
        // Not asked to stop at the outbox.
        Started::Outbox(_) => Err(StoreError::Data("the outbox alone was read".into())),
    }
}

/// What a sync starts from, in one transaction.
pub(crate) enum Started {
    /// Changes wait to be sent (the outbox, still sealed): the rest is read after they are sent.
    Outbox(Vec<JsValue>),
    /// Nothing waits: what a plan is made from (see [`read`], no records asked for), and the reads
    /// waiting for the audit trail.
    Read(Read, Vec<JsValue>),
}

pub(crate) async fn read_for_sync(db: &Rexie) -> Result<Started, StoreError> {
    read_in(db, &[], true).await
}

/// Reads for a plan; for a sync (`for_sync`), the outbox first, and only it when it holds anything.
async fn read_in(db: &Rexie, ids: &[RecordId], for_sync: bool) -> Result<Started, StoreError> {
    pages::ensure_index(db).await?;
    // Where each asked-for record is when not in `records`, and the next page number.
    let (located, next_page) =
        pages::with_index(|index| (ids.iter().map(|id| index.of.get(id).copied()).collect::<Vec<_>>(), index.next));
    let stores: &[&str] =
        if for_sync { &[RECORDS, OUTBOX, META, PAGES, VIEWS] } else { &[RECORDS, OUTBOX, META, PAGES] };
    let tx = db.transaction(stores, TransactionMode::ReadOnly)?;
    let outbox_values = tx.store(OUTBOX)?.get_all(None, None).await?;
    if for_sync && !outbox_values.is_empty() {
        tx.done().await?;
        return Ok(Started::Outbox(outbox_values));
    }
    let store = tx.store(RECORDS)?;
    let page_store = tx.store(PAGES)?;
    let mut raw = Vec::with_capacity(ids.len());
    let mut wanted_pages: BTreeMap<u32, Option<JsValue>> = BTreeMap::new();
    for (id, page) in ids.iter().zip(&located) {
        let value = store.get(key(&id.to_string())).await?;
        if value.is_none()
            && let Some(page) = page
            && !wanted_pages.contains_key(page)
        {
            wanted_pages.insert(*page, page_store.get(JsValue::from_f64(f64::from(*page))).await?);
        }
        raw.push((*id, value));
    }
    let page_keys: Vec<u32> =
        page_store.get_all_keys(None, None).await?.iter().map(|k| k.as_f64().unwrap_or(0.0) as u32).collect();
    let meta = tx.store(META)?;
    let next_seq = super::meta::next_seq(&meta).await?;
    let pull = super::meta::pull_state(&meta).await?;
    let views = if for_sync { tx.store(VIEWS)?.get_all(None, None).await? } else { Vec::new() };
    tx.done().await?;
    let outbox = unseal_outbox(outbox_values).await?;
    let mut in_pages: BTreeMap<RecordId, LocalRecord> = BTreeMap::new();
    for value in wanted_pages.into_values().flatten() {
        for record in open_page(value).await? {
            in_pages.insert(record.id, record);
        }
    }
    let mut records = BTreeMap::new();
    for (id, value) in raw {
        let how = stood(&value);
        let record = match value {
            Some(value) if is_gone(&value) => None,
            Some(value) => Some(unseal::<LocalRecord>(value).await?),
            None => in_pages.remove(&id),
        };
        records.insert(id, (how, record));
    }
    Ok(Started::Read(Read { outbox, records, next_seq, pull, pages: page_keys, next_page }, views))
}

/// An IndexedDB request not yet asked for (it is asked for when first polled).
type Request<'a> = std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), rexie::Error>> + 'a>>;

/// A request's answer dropped (a put's key).
async fn unit(request: impl std::future::Future<Output = Result<JsValue, rexie::Error>>) -> Result<(), rexie::Error> {
    request.await.map(|_| ())
}

/// Asks for every request at once, in the order given (each is polled once, in turn, before any answer
/// can come), and waits for all of their answers: the first failure is returned (it aborted the
/// transaction, so nothing of it is written).
async fn in_order(requests: Vec<Request<'_>>) -> Result<(), StoreError> {
    use std::task::Poll;
    let mut failed = None;
    // A request answered is taken out.
    let mut waiting: Vec<Option<Request>> = requests.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        for slot in &mut waiting {
            if let Some(request) = slot
                && let Poll::Ready(answer) = request.as_mut().poll(cx)
            {
                *slot = None;
                if let Err(error) = answer {
                    failed.get_or_insert(error);
                }
            }
        }
        if waiting.iter().any(Option::is_some) { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    failed.map_or(Ok(()), |error| Err(error.into()))
}

/// Writes `writes` if what their guard names is as `read` found it; `false` (nothing written) when
/// something changed meanwhile. `read` then knows what was written (the pages, the pull state), so a
/// page's next part can be written from it. Tells the listener and the other tabs after the transaction commits.
pub(crate) async fn commit(db: &Rexie, read: &mut Read, writes: Writes) -> Result<bool, StoreError> {
    let sealed = seal_writes(&writes, read.next_page).await?;
    write_sealed(db, read, writes, sealed).await
}

/// What [`commit`] writes, sealed (sealing is not an IndexedDB request: it is done before the
/// transaction opens, and a pulled page's next part can be sealed while this one is written).
pub(crate) struct Sealed {
    /// A pulled part big enough is one page (sealed as one value), numbered `page_no`.
    page: Option<JsValue>,
    page_no: u32,
    /// Anything else, record by record.
    records: Vec<JsValue>,
    outbox: Vec<JsValue>,
    conflicts: Vec<JsValue>,
}

impl Sealed {
    /// Writing it adds a page.
    pub(crate) fn is_page(&self) -> bool {
        self.page.is_some()
    }
}

/// Seals what `writes` puts; a page is numbered `next_page`.
pub(crate) async fn seal_writes(writes: &Writes, next_page: u32) -> Result<Sealed, StoreError> {
    let as_page = writes.pull.is_some() && writes.put_records.len() >= PAGE_AT_LEAST;
    let page = if as_page { Some(seal_page(next_page, &writes.put_records).await?) } else { None };
    let records: Vec<JsValue> = if as_page {
        Vec::new()
    } else {
        futures::future::join_all(writes.put_records.iter().map(|r| seal("id", key(&r.id.to_string()), r)))
            .await
            .into_iter()
            .collect::<Result<_, _>>()?
    };
    let mut outbox = Vec::with_capacity(writes.put_outbox.len());
    for entry in &writes.put_outbox {
        outbox.push(seal_outbox(entry).await?);
    }
    let mut conflicts = Vec::with_capacity(writes.put_conflicts.len());
    for conflict in &writes.put_conflicts {
        conflicts.push(seal("id", key(&conflict.id), conflict).await?);
    }
    Ok(Sealed { page, page_no: next_page, records, outbox, conflicts })
}

/// Writes what [`seal_writes`] sealed of `writes`, as [`commit`] does.
pub(crate) async fn write_sealed(
    db: &Rexie,
    read: &mut Read,
    writes: Writes,
    sealed: Sealed,
) -> Result<bool, StoreError> {
    // Sealed for another page number than the next (a page was written meanwhile): sealed again.
    let sealed = if sealed.page.is_some() && sealed.page_no != read.next_page {
        seal_writes(&writes, read.next_page).await?
    } else {
        sealed
    };
    let Sealed { page, records, outbox, conflicts, .. } = sealed;
    let as_page = page.is_some();
    pages::ensure_index(db).await?;
    let in_a_page: Vec<bool> =
        pages::with_index(|index| writes.delete_records.iter().map(|id| index.of.contains_key(id)).collect());

    let tx = db.transaction(&[RECORDS, OUTBOX, META, CONFLICTS, PAGES], TransactionMode::ReadWrite)?;
    let record_store = tx.store(RECORDS)?;
    let outbox_store = tx.store(OUTBOX)?;
    let page_store = tx.store(PAGES)?;
    let conflict_store = tx.store(CONFLICTS)?;
    let meta = tx.store(META)?;
    // Every read asked for at once (one round trip to the database, not one each): the guard's, and
    // for a page, the recent records' keys (the page holds the newest copy now: recent copies of its
    // records go; a first sync has none, so it pays for one read of the keys, not a delete per record).
    let numbers = |keys: Vec<JsValue>| keys.iter().map(|k| k.as_f64().unwrap_or(-1.0)).collect::<Vec<f64>>();
    let guarded_outbox = writes.guard.outbox.is_some();
    let guarded_seq = writes.guard.next_seq.is_some();
    let (page_keys, outbox_keys, now, next_seq, recent) = futures::join!(
        page_store.get_all_keys(None, None),
        async { if guarded_outbox { Some(outbox_store.get_all_keys(None, None).await) } else { None } },
        futures::future::join_all(writes.guard.records.iter().map(|id| record_store.get(key(&id.to_string())))),
        async { if guarded_seq { Some(super::meta::next_seq(&meta).await) } else { None } },
        async { if as_page { Some(record_store.get_all_keys(None, None).await) } else { None } },
    );
    // The guard: unchanged since read? (Pages always: a new page may hold a newer copy of anything.)
    let mut unchanged = numbers(page_keys?) == read.pages.iter().map(|p| f64::from(*p)).collect::<Vec<_>>();
    if let Some(keys) = outbox_keys {
        unchanged &= numbers(keys?) == read.outbox_keys().iter().map(|s| *s as f64).collect::<Vec<_>>();
    }
    for (id, value) in writes.guard.records.iter().zip(now) {
        unchanged &= read.records.get(id).map(|(then, _)| then) == Some(&stood(&value?));
    }
    if let Some(next) = next_seq {
        unchanged &= next? == read.next_seq;
    }
    if !unchanged {
        tx.abort().await.ok();
        return Ok(false);
    }
    let recent: std::collections::BTreeSet<String> = match recent {
        Some(keys) => keys?.iter().filter_map(JsValue::as_string).collect(),
        None => Default::default(),
    };
    // Records held in a page are deleted with a marker; others, outright.
    let deletes = writes
        .delete_records
        .iter()
        .zip(&in_a_page)
        .map(|(id, in_a_page)| {
            let marker = if *in_a_page && !writes.clear_records { Some(gone_marker(*id)?) } else { None };
            Ok((key(&id.to_string()), marker))
        })
        .collect::<Result<Vec<(JsValue, Option<JsValue>)>, StoreError>>()?;
    let next_seq = writes.next_seq.map(super::meta::next_seq_entry);
    let pull = writes.pull.as_ref().map(super::meta::pull_state_entries).transpose()?;
    // Every write asked for at once, in order, and the transaction committed after the last (one
    // round trip again).
    let mut requests: Vec<Request> = Vec::new();
    if writes.clear_records {
        requests.push(Box::pin(record_store.clear()));
        requests.push(Box::pin(page_store.clear()));
    }
    for (id, marker) in &deletes {
        requests.push(match marker {
            Some(marker) => Box::pin(unit(record_store.put(marker, None))),
            None => Box::pin(record_store.delete(id.clone())),
        });
    }
    for record in &records {
        requests.push(Box::pin(unit(record_store.put(record, None))));
    }
    if let Some(page) = &page {
        requests.push(Box::pin(unit(page_store.put(page, None))));
        // A recent copy (or a marker written just now) of a record the page holds goes.
        let marked: std::collections::BTreeSet<String> =
            writes.delete_records.iter().map(|id| id.to_string()).collect();
        for record in &writes.put_records {
            let id = record.id.to_string();
            if recent.contains(&id) || marked.contains(&id) {
                requests.push(Box::pin(record_store.delete(key(&id))));
            }
        }
    }
    for seq in &writes.delete_outbox {
        requests.push(Box::pin(outbox_store.delete(seq_key(*seq))));
    }
    for entry in &outbox {
        requests.push(Box::pin(unit(outbox_store.put(entry, None))));
    }
    for id in &writes.delete_conflicts {
        requests.push(Box::pin(conflict_store.delete(key(id))));
    }
    for conflict in &conflicts {
        requests.push(Box::pin(unit(conflict_store.put(conflict, None))));
    }
    for (value, name) in next_seq.iter().chain(pull.iter().flatten()) {
        requests.push(Box::pin(unit(meta.put(value, Some(name)))));
    }
    let (written, committed) = futures::future::join(in_order(requests), tx.commit()).await;
    written?;
    committed?;
    if writes.clear_records {
        pages::set_index(pages::PageIndex::default());
    }
    // What this tab now knows was read: the next part of a page is planned from here.
    if writes.clear_records {
        (read.pages, read.next_page) = (Vec::new(), 0);
    }
    if as_page {
        read.pages.push(read.next_page);
        read.next_page += 1;
    }
    if let Some(pull) = &writes.pull {
        read.pull = pull.clone();
    }
    pages::update_index(|index| {
        if as_page {
            index.add(read.next_page - 1, &writes.put_records.iter().map(|r| r.id).collect::<Vec<_>>());
        }
        for id in &writes.delete_records {
            index.of.remove(id);
        }
    });
    super::written(writes);
    Ok(true)
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::task::Poll;

    use super::*;

    /// A request as IndexedDB answers one: asked for on its first poll (noted in `log`), answered on a
    /// later one (`fails`: with an error).
    fn request(n: usize, fails: bool, log: Rc<RefCell<Vec<String>>>) -> Request<'static> {
        let mut asked = false;
        Box::pin(std::future::poll_fn(move |cx| {
            if !asked {
                asked = true;
                log.borrow_mut().push(format!("ask {n}"));
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
            log.borrow_mut().push(format!("answer {n}"));
            Poll::Ready(if fails { Err(rexie::Error::TransactioncommitFailed) } else { Ok(()) })
        }))
    }

    #[test]
    fn every_request_is_asked_for_in_order_before_any_answer_is_taken() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let requests = (0..4).map(|n| request(n, false, log.clone())).collect();
        let answer = futures::executor::block_on(in_order(requests));
        assert!(answer.is_ok());
        let log = log.borrow().join(", ");
        assert_eq!(log, "ask 0, ask 1, ask 2, ask 3, answer 0, answer 1, answer 2, answer 3");
    }

    #[test]
    fn a_failed_request_fails_the_whole_after_every_answer_came() {
        let log = Rc::new(RefCell::new(Vec::new()));
        let requests = (0..3).map(|n| request(n, n == 1, log.clone())).collect();
        let answer = futures::executor::block_on(in_order(requests));
        assert!(matches!(answer, Err(StoreError::IndexedDb(_))), "{answer:?}");
        assert_eq!(log.borrow().len(), 6, "every request answered: {:?}", log.borrow());
    }
}
