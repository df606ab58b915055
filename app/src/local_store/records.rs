//! `records` (and `conflicts`): storing the server's changes page by page, a view reset, and reading
//! everything into memory once when the data is opened.

use std::collections::{BTreeMap, VecDeque};

use dsr_shared::sync::PullResponse;
use dsr_shared::sync::device::{self, DeviceStore};
use rexie::TransactionMode;

use super::schema::{CONFLICTS, META, OUTBOX, PAGES, RECORDS, transaction};
use super::seal::{unseal_all, unseal_outbox};
use super::writes::{commit, read, seal_writes, write_sealed};
use super::{ATTEMPTS, LocalConflict, LocalRecord, StoreError, Writes, open};

/// Takes a page of the server's changes, in parts, each stored in one transaction with the cursor that
/// covers it (so the cursor never runs ahead of what is stored). A save landing meanwhile (its change
/// must show on top of these records) makes the rest be planned again. `first`: what the sync read
/// when it started, planned from instead of reading again (its writes check nothing changed since).
pub(crate) async fn store_pulled(
    page: &PullResponse,
    mut first: Option<super::writes::Read>,
) -> Result<(), StoreError> {
    let db = open().await?;
    let mut attempts = 0;
    let mut done_to = None::<u64>;
    loop {
        let mut read = match first.take() {
            Some(read) => read,
            None => read(&db, &[]).await?,
        };
        let rest;
        let todo = match done_to {
            None => page,
            Some(cursor) => {
                rest = PullResponse {
                    changes: page.changes.iter().filter(|c| c.change_seq > cursor).cloned().collect(),
                    removed: page.removed.clone(),
                    ..*page
                };
                &rest
            }
        };
        let mut overtaken = false;
        let mut plans: VecDeque<Writes> =
            device::plan_page(todo, super::pages::PAGE_RECORDS, &read.outbox, &read.pull).into();
        // Each part is sealed while the part before it is written.
        let mut sealed = match plans.front() {
            Some(first) => Some(seal_writes(first, read.next_page).await?),
            None => None,
        };
        // Only a large page gives way to drafts and saves (a small one is what someone waits for).
        let large = todo.changes.len() >= super::pages::PAGE_AT_LEAST;
        while let Some(writes) = plans.pop_front() {
            if large {
                // Each step its own task (the part before ended within the task its transaction's
                // end ran in; the browser runs every step that is ready in one task otherwise, and
                // a draft's write would wait behind all of them).
                super::foreground::next_task().await;
                super::foreground::give_way().await;
            }
            let cursor = writes.pull.as_ref().map(|p| p.cursor);
            // Sealed while the part before was written (or now, should it not have been).
            let this = match sealed.take() {
                Some(this) => this,
                None => seal_writes(&writes, read.next_page).await?,
            };
            let next_page = read.next_page + u32::from(this.is_page());
            let next = async {
                match plans.front() {
                    Some(next) => {
                        if large {
                            // Sealed in a task of its own, after this part's write was asked for.
                            super::foreground::next_task().await;
                            super::foreground::give_way().await;
                        }
                        Some(seal_writes(next, next_page).await)
                    }
                    None => None,
                }
            };
            let (written, next) = futures::future::join(write_sealed(&db, &mut read, writes, this), next).await;
            if !written? {
                overtaken = true;
                break;
            }
            done_to = cursor;
            sealed = next.transpose()?;
        }
        if !overtaken {
            return Ok(());
        }
        attempts += 1;
        if attempts >= ATTEMPTS {
            return Err(StoreError::Busy("storing the server's changes"));
        }
    }
}

/// A view reset: every record goes (those with changes only here stay until pulled again) and pulls
/// start from the beginning.
pub async fn reset() -> Result<(), StoreError> {
    let db = open().await?;
    for _ in 0..ATTEMPTS {
        let mut read = read(&db, &[]).await?;
        let writes = device::plan_reset(&read.outbox);
        if commit(&db, &mut read, writes).await? {
            return Ok(());
        }
    }
    Err(StoreError::Busy("starting again from the server's copy"))
}

/// Everything the device holds, opened: read once when the data is unlocked; the app's copy in memory
/// then follows every write ([`super::on_written`]).
pub async fn load_all() -> Result<DeviceStore, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS, OUTBOX, CONFLICTS, META, PAGES], TransactionMode::ReadOnly)?;
    let records = tx.store(RECORDS)?.get_all(None, None).await?;
    let pages = tx.store(PAGES)?.get_all(None, None).await?;
    let outbox = tx.store(OUTBOX)?.get_all(None, None).await?;
    let conflicts = tx.store(CONFLICTS)?.get_all(None, None).await?;
    let meta = tx.store(META)?;
    let next_seq = super::meta::next_seq(&meta).await?;
    let pull = super::meta::pull_state(&meta).await?;
    tx.done().await?;
    let (records, index) = super::pages::read_everything(records, pages).await?;
    super::pages::set_index(index);
    let outbox = unseal_outbox(outbox).await?;
    let conflicts: Vec<LocalConflict> = unseal_all(conflicts).await?;
    Ok(DeviceStore {
        records,
        outbox: outbox.into_iter().map(|e| (e.seq, e)).collect(),
        conflicts: conflicts.into_iter().map(|c| (c.id.clone(), c)).collect::<BTreeMap<_, _>>(),
        next_seq,
        pull,
    })
}

/// Conflicts waiting for a person, with the record each is about.
pub async fn conflicts() -> Result<Vec<(LocalConflict, Option<LocalRecord>)>, StoreError> {
    let tx = transaction(&[CONFLICTS], TransactionMode::ReadOnly).await?;
    let list = tx.store(CONFLICTS)?.get_all(None, None).await?;
    tx.done().await?;
    let list: Vec<LocalConflict> = unseal_all(list).await?;
    let ids: Vec<dsr_shared::RecordId> =
        list.iter().map(|c| c.record_id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let db = open().await?;
    let read = read(&db, &ids).await?;
    let records: Vec<LocalRecord> = read.held().into_values().collect();
    Ok(list
        .into_iter()
        .map(|c| {
            let record = records.iter().find(|r| r.id == c.record_id).cloned();
            (c, record)
        })
        .collect())
}
