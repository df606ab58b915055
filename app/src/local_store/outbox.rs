//! `outbox`: saving (the record and its outbox entry in one transaction), the changes waiting to be
//! sent, storing the server's answers, and discarding a refused change. Every decision is the device
//! core's ([`dsr_shared::sync::device`]); this module reads, writes and plans again when another tab
//! wrote in between.

use dsr_shared::RecordId;
use dsr_shared::sync::device::{self, Unsent};
use dsr_shared::sync::{Fields, PushResult, RecordKind};

use super::writes::{commit, read};
use super::{ATTEMPTS, OutboxEntry, StoreError, open};

/// Saves new values for a record's fields (`null` clears one): the record and its outbox entry in one
/// transaction (and, when this resolves a conflict, the conflict's removal too). Nothing is written
/// when nothing changed.
pub async fn save(kind: RecordKind, id: RecordId, values: Fields, resolving: Option<&str>) -> Result<(), StoreError> {
    let _first = super::foreground::foreground();
    let db = open().await?;
    for _ in 0..ATTEMPTS {
        let mut read = read(&db, &[id]).await?;
        let Some(writes) =
            device::plan_save(kind, id, read.record(id), &read.outbox, read.next_seq, &values, resolving)
        else {
            return Ok(());
        };
        if commit(&db, &mut read, writes).await? {
            return Ok(());
        }
    }
    Err(StoreError::Busy("saving"))
}

/// Discards a refused change (a refused create takes its record, and its other refused changes, with it).
pub async fn discard_refused(seq: u64) -> Result<(), StoreError> {
    let db = open().await?;
    for _ in 0..ATTEMPTS {
        let first = read(&db, &[]).await?;
        let Some(entry) = first.outbox.iter().find(|e| e.seq == seq) else { return Ok(()) };
        let id = entry.mutation.record_id;
        let mut read = read(&db, &[id]).await?;
        let Some(writes) = device::plan_discard(seq, read.record(id), &read.outbox) else { return Ok(()) };
        if commit(&db, &mut read, writes).await? {
            return Ok(());
        }
    }
    Err(StoreError::Busy("discarding the change"))
}

/// Every outbox entry, in seq order.
pub async fn entries() -> Result<Vec<OutboxEntry>, StoreError> {
    let db = open().await?;
    // The outbox alone (not what a plan reads): every sync starts here.
    let tx = db.transaction(&[super::schema::OUTBOX], rexie::TransactionMode::ReadOnly)?;
    let values = tx.store(super::schema::OUTBOX)?.get_all(None, None).await?;
    tx.done().await?;
    super::seal::unseal_outbox(values).await
}

/// Saved changes waiting to be sent, in seq order, at most `limit`.
pub async fn waiting(limit: usize) -> Result<Vec<dsr_shared::sync::Mutation>, StoreError> {
    Ok(device::to_send(&entries().await?, limit))
}

/// What a sync starts from, read in one transaction (a sync with nothing to send goes straight to
/// its pull): the changes waiting to be sent (at most `limit`) and, when none wait, the reads waiting
/// for the audit trail, the cursor and view of the last pull, and what storing the first pulled page
/// plans from (its writes check that nothing changed since). When changes wait, only the outbox is
/// read: a sync sending them reads the rest after.
pub struct SyncStart {
    pub waiting: Vec<dsr_shared::sync::Mutation>,
    pub views: Option<Vec<super::ViewRecord>>,
    pub cursor: Option<(u64, u64)>,
    pub(crate) read: Option<super::writes::Read>,
}

pub async fn sync_start(limit: usize) -> Result<SyncStart, StoreError> {
    use super::writes::{Started, read_for_sync};
    let db = open().await?;
    match read_for_sync(&db).await? {
        Started::Read(read, views) => Ok(SyncStart {
            waiting: device::to_send(&read.outbox, limit),
            views: Some(views.into_iter().map(super::from_js).collect::<Result<_, _>>()?),
            cursor: Some((read.pull.cursor, read.pull.view)),
            read: Some(read),
        }),
        Started::Outbox(values) => {
            let waiting = device::to_send(&super::seal::unseal_outbox(values).await?, limit);
            Ok(SyncStart { waiting, views: None, cursor: None, read: None })
        }
    }
}

/// Whether the user may sign out: not while changes are only on this device.
pub async fn may_sign_out() -> Result<Result<(), Unsent>, StoreError> {
    Ok(device::may_sign_out(&entries().await?))
}

/// Stores the server's answers (see [`device::plan_answers`]).
pub async fn store_answers(results: &[PushResult]) -> Result<(), StoreError> {
    let db = open().await?;
    for _ in 0..ATTEMPTS {
        let first = read(&db, &[]).await?;
        let ids: Vec<RecordId> = results
            .iter()
            .filter_map(|r| first.outbox.iter().find(|e| e.seq == r.seq))
            .map(|e| e.mutation.record_id)
            .collect();
        let mut read = read(&db, &ids).await?;
        let writes = device::plan_answers(&read.outbox, &read.held(), &read.pull, results);
        if writes.is_empty() || commit(&db, &mut read, writes).await? {
            return Ok(());
        }
    }
    Err(StoreError::Busy("storing the server's answers"))
}
