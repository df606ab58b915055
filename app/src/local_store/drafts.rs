//! `drafts`: half-typed forms, by form key, sealed (a public form's, before anyone signs in, in clear),
//! written by the draft writer, a worker ([`super::draft_writer`]), or on the page where there is none
//! (same values either way: the worker seals as [`super::seal`] does).
//!
//! Tried and not kept (session 22): drafts in a database of their own. In a storage bucket of their own
//! (`navigator.storageBuckets`), Chromium 156 was seen, in six runs out of six, never to report the end of
//! a draft's transaction (neither `complete` nor `abort`) written during an initial sync, which held
//! back every later keystroke's draft; in a second database beside this one, draft autosave during a
//! sync of 100,000 was no quicker (p95 12.0-14.9 ms against 10.3-14.2 ms here, runs alternated).

use std::collections::BTreeMap;

use rexie::TransactionMode;
use serde::{Deserialize, Serialize};

use super::draft_writer::{self, Op};
use super::schema::{DRAFTS, transaction};
use super::seal::{seal, unseal};
use super::{StoreError, key, to_js};
use crate::crypto::CryptoError;

/// Where a draft was written, as its measures (`dsr-draft-seal`, `dsr-draft-tx`) say in their `detail`:
/// by the draft writer (a worker), or on the page's main thread where there is none.
pub const BY_THE_WRITER: &str = "draft writer";
pub const ON_THE_PAGE: &str = "page";

/// A half-typed form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub key: String,
    pub values: BTreeMap<String, String>,
}

/// Drafts of forms used with no account (the public self-referral form) start with this. With no
/// sign-in there is no data key, so they are kept in clear on the family's own device until sent
/// (and sealed like the rest if someone signs in on it before then).
pub const PUBLIC_DRAFT: &str = "public:";

/// Stores `draft` on this device: by the draft writer (a worker, see [`super::draft_writer`]) or, where
/// there is none, here. Answers when it was stored (milliseconds since the page started). Its parts are
/// measured (`dsr-draft-seal`, `dsr-draft-tx`, their `detail` saying which wrote it): the profile tools
/// list them beside what else ran.
pub async fn save_draft(draft: &Draft) -> Result<f64, StoreError> {
    let in_clear = draft.key.starts_with(PUBLIC_DRAFT) && !crate::crypto::is_unlocked();
    let crypto_key = if in_clear { None } else { Some(crate::crypto::open_key().ok_or(CryptoError::Locked)?) };
    let json = serde_json::to_vec(draft).map_err(|e| StoreError::Data(e.to_string()))?;
    let asked = Op::Put { key: &draft.key, json: &json, crypto_key: crypto_key.as_ref() };
    if let Some(stored) = draft_writer::ask(asked).await {
        let stored = stored?;
        crate::timing::record_detailed("dsr-draft-seal", stored.seal_start, stored.seal_end, Some(BY_THE_WRITER));
        crate::timing::record_detailed("dsr-draft-tx", stored.tx_start, stored.stored, Some(BY_THE_WRITER));
        return Ok(stored.stored);
    }
    // No worker: written here, the sync's background work giving way meanwhile.
    let _first = super::foreground::foreground();
    let started = crate::timing::now();
    let entry = if in_clear { to_js(draft)? } else { seal("key", key(&draft.key), draft).await? };
    crate::timing::record_detailed("dsr-draft-seal", started, crate::timing::now(), Some(ON_THE_PAGE));
    let started = crate::timing::now();
    let tx = transaction(&[DRAFTS], TransactionMode::ReadWrite).await?;
    let store = tx.store(DRAFTS)?;
    // Committed as soon as the put is asked for (not after its answer came back to this page, which
    // waits behind whatever else the page is doing, a sync's work among it): one wait, not two.
    let (put, committed) = futures::future::join(store.put(&entry, None), tx.commit()).await;
    crate::timing::record_detailed("dsr-draft-tx", started, crate::timing::now(), Some(ON_THE_PAGE));
    put?;
    committed?;
    Ok(crate::timing::now())
}

pub async fn load_draft(form: &str) -> Result<Option<Draft>, StoreError> {
    let tx = transaction(&[DRAFTS], TransactionMode::ReadOnly).await?;
    let value = tx.store(DRAFTS)?.get(key(form)).await?;
    tx.done().await?;
    match value {
        Some(value) => Ok(Some(unseal(value).await?)),
        None => Ok(None),
    }
}

/// Deletes the draft of `form` (by the draft writer, like [`save_draft`], or here where there is none).
pub async fn delete_draft(form: &str) -> Result<(), StoreError> {
    if let Some(done) = draft_writer::ask(Op::Delete { key: form }).await {
        return done.map(|_| ());
    }
    let tx = transaction(&[DRAFTS], TransactionMode::ReadWrite).await?;
    tx.store(DRAFTS)?.delete(key(form)).await?;
    tx.done().await?;
    Ok(())
}
