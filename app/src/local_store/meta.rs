//! `meta`: this device's client id and next seq, the pull state, the sign-in [`Lock`] with the wrapped
//! data key, and the area's policy (sealed); and wiping everything.

use dsr_shared::ClientId;
use dsr_shared::api::PolicyDocument;
use rexie::{Store, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

use super::schema::{ALL_STORES, META, transaction};
use super::{PullState, StoreError, from_js, key, seq_key, to_js};

pub(crate) const META_CLIENT_ID: &str = "client_id";
pub(crate) const META_NEXT_SEQ: &str = "next_seq";
const META_CURSOR: &str = "cursor";
const META_VIEW: &str = "view";
const META_AHEAD: &str = "ahead";
const META_LOCK: &str = "lock";
const META_POLICY: &str = "policy";

/// The seq the next saved change gets.
pub(crate) async fn next_seq(meta: &Store) -> Result<u64, StoreError> {
    Ok(match meta.get(key(META_NEXT_SEQ)).await? {
        Some(value) => value.as_f64().unwrap_or(1.0) as u64,
        None => 1,
    })
}

/// The meta entry (value, key) the next seq is kept in.
pub(crate) fn next_seq_entry(next: u64) -> (JsValue, JsValue) {
    (seq_key(next), key(META_NEXT_SEQ))
}

/// The pull state: cursor and view (0 before the first pull) and the records answered ahead of it.
pub(crate) async fn pull_state(meta: &Store) -> Result<PullState, StoreError> {
    let number = |v: Option<wasm_bindgen::JsValue>| v.and_then(|v| v.as_f64()).unwrap_or(0.0) as u64;
    let cursor = number(meta.get(key(META_CURSOR)).await?);
    let view = number(meta.get(key(META_VIEW)).await?);
    let ahead = match meta.get(key(META_AHEAD)).await? {
        Some(value) if !value.is_undefined() && !value.is_null() => from_js(value)?,
        _ => Default::default(),
    };
    Ok(PullState { cursor, view, ahead })
}

/// The meta entries (value, key) the pull state is kept in.
pub(crate) fn pull_state_entries(pull: &PullState) -> Result<[(JsValue, JsValue); 3], StoreError> {
    Ok([
        (seq_key(pull.cursor), key(META_CURSOR)),
        (seq_key(pull.view), key(META_VIEW)),
        (to_js(&pull.ahead)?, key(META_AHEAD)),
    ])
}

/// The cursor and view of the last pull (0 before the first).
pub async fn cursor() -> Result<(u64, u64), StoreError> {
    let tx = transaction(&[META], TransactionMode::ReadOnly).await?;
    let pull = pull_state(&tx.store(META)?).await?;
    tx.done().await?;
    Ok((pull.cursor, pull.view))
}

/// This device's id, made once (a UUID v7 from the browser's clock and random source).
pub async fn client_id() -> Result<ClientId, StoreError> {
    // It never changes until the device's data is wiped: read once per page.
    if let Some(id) = CLIENT_ID.with(std::cell::Cell::get) {
        return Ok(id);
    }
    let tx = transaction(&[META], TransactionMode::ReadWrite).await?;
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
    CLIENT_ID.with(|c| c.set(Some(id)));
    Ok(id)
}

thread_local! {
    /// This device's id, once read (forgotten when the data is wiped).
    static CLIENT_ID: std::cell::Cell<Option<ClientId>> = const { std::cell::Cell::new(None) };
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
    /// A family account that is the young person's own (kept from before: `false`).
    #[serde(default)]
    pub young_person: bool,
    /// The data key wrapped by this device's recovery secret too (see `crypto`), so a password reset
    /// does not lose what is not sent. `None` for a device locked before it had one (it gets one at its
    /// next unlock with a connection).
    #[serde(default)]
    pub recovery: Option<crate::crypto::RecoveryWrap>,
}

/// The sign-in this device's data belongs to, if any.
pub async fn lock() -> Result<Option<Lock>, StoreError> {
    let tx = transaction(&[META], TransactionMode::ReadOnly).await?;
    let value = tx.store(META)?.get(key(META_LOCK)).await?;
    tx.done().await?;
    value.map(from_js).transpose()
}

pub async fn set_lock(lock: &Lock) -> Result<(), StoreError> {
    let tx = transaction(&[META], TransactionMode::ReadWrite).await?;
    tx.store(META)?.put(&to_js(lock)?, Some(&key(META_LOCK))).await?;
    tx.done().await?;
    Ok(())
}

/// The area's policy as this device last fetched it (sealed like everything the sign-in holds; wiped
/// with the rest at sign-out).
pub async fn policy() -> Result<Option<PolicyDocument>, StoreError> {
    let tx = transaction(&[META], TransactionMode::ReadOnly).await?;
    let value = tx.store(META)?.get(key(META_POLICY)).await?;
    tx.done().await?;
    let Some(value) = value else { return Ok(None) };
    let json = crate::crypto::open_bytes(&value.unchecked_into()).await?;
    serde_json::from_slice(&json).map(Some).map_err(|e| StoreError::Data(format!("policy: {e}")))
}

pub async fn set_policy(document: &PolicyDocument) -> Result<(), StoreError> {
    let json = serde_json::to_vec(document).map_err(|e| StoreError::Data(e.to_string()))?;
    let sealed = crate::crypto::seal_bytes(&json).await?;
    let tx = transaction(&[META], TransactionMode::ReadWrite).await?;
    tx.store(META)?.put(&sealed, Some(&key(META_POLICY))).await?;
    tx.done().await?;
    Ok(())
}

/// Deletes everything this device holds (sign-out, a closed account): the draft writer stopped once
/// what it was asked is done (so no draft lands after the wipe), every store emptied in one
/// transaction, then the data key forgotten.
pub async fn wipe() -> Result<(), StoreError> {
    super::draft_writer::close().await;
    CLIENT_ID.with(|c| c.set(None));
    let tx = transaction(&ALL_STORES, TransactionMode::ReadWrite).await?;
    for store in ALL_STORES {
        tx.store(store)?.clear().await?;
    }
    tx.done().await?;
    crate::crypto::lock();
    Ok(())
}
