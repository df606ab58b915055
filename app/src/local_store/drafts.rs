//! `drafts`: half-typed forms, by form key, sealed (a public form's, before anyone signs in, in clear).
//!
//! Tried and not kept (session 22): drafts in a database of their own. In a storage bucket of their own
//! (`navigator.storageBuckets`), Chromium 156 was seen, in six runs out of six, never to report the end of
//! a draft's transaction (neither `complete` nor `abort`) written during an initial sync, which held
//! back every later keystroke's draft; in a second database beside this one, draft autosave during a
//! sync of 100,000 was no quicker (p95 12.0-14.9 ms against 10.3-14.2 ms here, runs alternated).

use std::collections::BTreeMap;

use rexie::TransactionMode;
use serde::{Deserialize, Serialize};

use super::schema::{DRAFTS, transaction};
use super::seal::{seal, unseal};
use super::{StoreError, key, to_js};

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

pub async fn save_draft(draft: &Draft) -> Result<(), StoreError> {
    let _first = super::foreground::foreground();
    // Sealing and the transaction timed apart (`dsr-draft-seal`, `dsr-draft-tx`): the profile tools
    // list them beside what else ran meanwhile.
    let started = crate::timing::now();
    let entry = if draft.key.starts_with(PUBLIC_DRAFT) && !crate::crypto::is_unlocked() {
        to_js(draft)?
    } else {
        seal("key", key(&draft.key), draft).await?
    };
    crate::timing::record("dsr-draft-seal", started);
    let started = crate::timing::now();
    let tx = transaction(&[DRAFTS], TransactionMode::ReadWrite).await?;
    let store = tx.store(DRAFTS)?;
    // Committed as soon as the put is asked for (not after its answer came back to this page, which
    // waits behind whatever else the page is doing, a sync's work among it): one wait, not two.
    let (put, committed) = futures::future::join(store.put(&entry, None), tx.commit()).await;
    crate::timing::record("dsr-draft-tx", started);
    put?;
    committed?;
    Ok(())
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

pub async fn delete_draft(form: &str) -> Result<(), StoreError> {
    let tx = transaction(&[DRAFTS], TransactionMode::ReadWrite).await?;
    tx.store(DRAFTS)?.delete(key(form)).await?;
    tx.done().await?;
    Ok(())
}
