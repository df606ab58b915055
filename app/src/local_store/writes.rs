//! Reading what a plan needs and writing what it decided: [`read`] gathers the outbox, the pull state,
//! the next seq and some records (opened, and their sealed bytes kept); [`commit`] seals a plan's
//! [`Writes`] outside any transaction, then in one transaction checks that what the plan's guard names
//! is as it was read (another tab may have saved meanwhile: then nothing is written and the caller plans
//! again) and writes everything.

use std::collections::BTreeMap;

use dsr_shared::RecordId;
use rexie::{Rexie, TransactionMode};
use wasm_bindgen::JsValue;

use super::schema::{CONFLICTS, META, OUTBOX, RECORDS};
use super::seal::{seal, seal_outbox, sealed_bytes, unseal, unseal_outbox};
use super::{LocalRecord, OutboxEntry, PullState, StoreError, Writes, key, seq_key};

/// What a plan was made from.
pub(crate) struct Read {
    /// Every outbox entry, in seq order.
    pub outbox: Vec<OutboxEntry>,
    /// The records asked for: their sealed bytes as read (`None`: absent) and what they hold.
    pub records: BTreeMap<RecordId, (Option<Vec<u8>>, Option<LocalRecord>)>,
    pub next_seq: u64,
    pub pull: PullState,
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

/// Reads the outbox, the next seq, the pull state and these records, in one transaction.
pub(crate) async fn read(db: &Rexie, ids: &[RecordId]) -> Result<Read, StoreError> {
    let tx = db.transaction(&[RECORDS, OUTBOX, META], TransactionMode::ReadOnly)?;
    let store = tx.store(RECORDS)?;
    let mut raw = Vec::with_capacity(ids.len());
    for id in ids {
        raw.push((*id, store.get(key(&id.to_string())).await?));
    }
    let outbox_values = tx.store(OUTBOX)?.get_all(None, None).await?;
    let meta = tx.store(META)?;
    let next_seq = super::meta::next_seq(&meta).await?;
    let pull = super::meta::pull_state(&meta).await?;
    tx.done().await?;
    let outbox = unseal_outbox(outbox_values).await?;
    let mut records = BTreeMap::new();
    for (id, value) in raw {
        let bytes = sealed_bytes(&value);
        let record = match value {
            Some(value) => Some(unseal::<LocalRecord>(value).await?),
            None => None,
        };
        records.insert(id, (bytes, record));
    }
    Ok(Read { outbox, records, next_seq, pull })
}

/// Writes `writes` if what their guard names is as `read` found it; `false` (nothing written) when
/// something changed meanwhile. Tells the listener and the other tabs after the transaction commits.
pub(crate) async fn commit(db: &Rexie, read: &Read, writes: &Writes) -> Result<bool, StoreError> {
    // Sealing is not an IndexedDB request: done before the transaction opens.
    let records: Vec<JsValue> =
        futures::future::join_all(writes.put_records.iter().map(|r| seal("id", key(&r.id.to_string()), r)))
            .await
            .into_iter()
            .collect::<Result<_, _>>()?;
    let mut outbox = Vec::with_capacity(writes.put_outbox.len());
    for entry in &writes.put_outbox {
        outbox.push(seal_outbox(entry).await?);
    }
    let mut conflicts = Vec::with_capacity(writes.put_conflicts.len());
    for conflict in &writes.put_conflicts {
        conflicts.push(seal("id", key(&conflict.id), conflict).await?);
    }

    let tx = db.transaction(&[RECORDS, OUTBOX, META, CONFLICTS], TransactionMode::ReadWrite)?;
    let record_store = tx.store(RECORDS)?;
    let outbox_store = tx.store(OUTBOX)?;
    let meta = tx.store(META)?;
    // The guard: unchanged since read?
    let mut unchanged = true;
    if writes.guard.outbox.is_some() {
        let now: Vec<u64> =
            outbox_store.get_all_keys(None, None).await?.iter().map(|k| k.as_f64().unwrap_or(-1.0) as u64).collect();
        unchanged &= now == read.outbox_keys();
    }
    for id in &writes.guard.records {
        let now = record_store.get(key(&id.to_string())).await?;
        let then = read.records.get(id).map(|(bytes, _)| bytes.clone());
        unchanged &= then == Some(sealed_bytes(&now)) && now.is_some() == then.as_ref().is_some_and(Option::is_some);
    }
    if writes.guard.next_seq.is_some() {
        unchanged &= super::meta::next_seq(&meta).await? == read.next_seq;
    }
    if !unchanged {
        tx.abort().await.ok();
        return Ok(false);
    }
    if writes.clear_records {
        record_store.clear().await?;
    }
    for id in &writes.delete_records {
        record_store.delete(key(&id.to_string())).await?;
    }
    if !records.is_empty() {
        record_store.put_all(records.into_iter().map(|r| (r, None))).await?;
    }
    for seq in &writes.delete_outbox {
        outbox_store.delete(seq_key(*seq)).await?;
    }
    for entry in outbox {
        outbox_store.put(&entry, None).await?;
    }
    let conflict_store = tx.store(CONFLICTS)?;
    for id in &writes.delete_conflicts {
        conflict_store.delete(key(id)).await?;
    }
    for conflict in conflicts {
        conflict_store.put(&conflict, None).await?;
    }
    if let Some(next) = writes.next_seq {
        super::meta::set_next_seq(&meta, next).await?;
    }
    if let Some(pull) = &writes.pull {
        super::meta::set_pull_state(&meta, pull).await?;
    }
    tx.done().await?;
    super::written(writes);
    Ok(true)
}
