//! Sealing what is stored: every value in `records`, `outbox`, `drafts` and `conflicts` is
//! `{ <key>: ..., sealed: bytes }` (AES-GCM with the device's data key, see [`crate::crypto`]).

use dsr_shared::FieldError;
use dsr_shared::sync::Mutation;
use rexie::TransactionMode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

use super::schema::{CONFLICTS, DRAFTS, OUTBOX, RECORDS};
use super::{OutboxEntry, StoreError, from_js, key, open, seq_key};

/// Seals `value` as `{ <key_field>: key, sealed: bytes }`.
pub(crate) async fn seal<T: Serialize>(key_field: &str, key_value: JsValue, value: &T) -> Result<JsValue, StoreError> {
    let json = serde_json::to_vec(value).map_err(|e| StoreError::Data(e.to_string()))?;
    let sealed = crate::crypto::seal_bytes(&json).await?;
    let entry = js_sys::Object::new();
    js_sys::Reflect::set(&entry, &key(key_field), &key_value).map_err(|_| StoreError::Data("entry".into()))?;
    js_sys::Reflect::set(&entry, &key("sealed"), &sealed).map_err(|_| StoreError::Data("entry".into()))?;
    Ok(entry.into())
}

/// Opens what [`seal`] made. An entry from before encryption (no `sealed`) is read as it is.
pub(crate) async fn unseal<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, StoreError> {
    let sealed = js_sys::Reflect::get(&value, &key("sealed")).unwrap_or(JsValue::UNDEFINED);
    if sealed.is_undefined() {
        return from_js(value);
    }
    let bytes = crate::crypto::open_bytes(&sealed.unchecked_into()).await?;
    serde_json::from_slice(&bytes).map_err(|e| StoreError::Data(e.to_string()))
}

/// Opens many entries at once (WebCrypto works on them in parallel).
pub(crate) async fn unseal_all<T: for<'de> Deserialize<'de>>(values: Vec<JsValue>) -> Result<Vec<T>, StoreError> {
    futures::future::join_all(values.into_iter().map(unseal::<T>)).await.into_iter().collect()
}

pub(crate) fn sealed_bytes(value: &Option<JsValue>) -> Option<Vec<u8>> {
    let value = value.as_ref()?;
    let sealed = js_sys::Reflect::get(value, &key("sealed")).ok().filter(|v| !v.is_undefined())?;
    Some(sealed.unchecked_into::<js_sys::Uint8Array>().to_vec())
}

/// An outbox entry as sealed: its seq stays in clear (the store's key), and the mutation inside is
/// sealed without it, so a seq can be given out in the same transaction that writes the entry.
#[derive(Serialize, Deserialize)]
struct SealedOutbox {
    mutation: Mutation,
    #[serde(default)]
    refused: Option<Vec<FieldError>>,
}

pub(crate) async fn seal_outbox(entry: &OutboxEntry) -> Result<JsValue, StoreError> {
    seal("seq", seq_key(entry.seq), &SealedOutbox { mutation: entry.mutation.clone(), refused: entry.refused.clone() })
        .await
}

pub(crate) async fn unseal_outbox(values: Vec<JsValue>) -> Result<Vec<OutboxEntry>, StoreError> {
    let seqs: Vec<u64> = values
        .iter()
        .map(|v| js_sys::Reflect::get(v, &key("seq")).ok().and_then(|s| s.as_f64()).unwrap_or(0.0) as u64)
        .collect();
    let plain =
        values.iter().any(|v| js_sys::Reflect::get(v, &key("sealed")).map(|s| s.is_undefined()).unwrap_or(true));
    let mut entries: Vec<OutboxEntry> = if plain {
        // Entries from before encryption are whole OutboxEntry values.
        let mut out = Vec::with_capacity(values.len());
        for value in values {
            let sealed = js_sys::Reflect::get(&value, &key("sealed")).unwrap_or(JsValue::UNDEFINED);
            if sealed.is_undefined() {
                out.push(from_js::<OutboxEntry>(value)?);
            } else {
                let inner: SealedOutbox = unseal(value).await?;
                out.push(OutboxEntry { seq: 0, mutation: inner.mutation, refused: inner.refused });
            }
        }
        out
    } else {
        unseal_all::<SealedOutbox>(values)
            .await?
            .into_iter()
            .map(|inner| OutboxEntry { seq: 0, mutation: inner.mutation, refused: inner.refused })
            .collect()
    };
    for (entry, seq) in entries.iter_mut().zip(seqs) {
        entry.seq = seq;
        entry.mutation.seq = seq;
    }
    entries.sort_by_key(|e| e.seq);
    Ok(entries)
}

/// Seals whatever is still in clear from before encryption (records, outbox, drafts, conflicts).
/// Run once the data key is unlocked.
pub async fn seal_plaintext() -> Result<usize, StoreError> {
    let db = open().await?;
    let mut sealed = 0;
    for (store, key_field) in [(RECORDS, "id"), (DRAFTS, "key"), (CONFLICTS, "id"), (OUTBOX, "seq")] {
        let tx = db.transaction(&[store], TransactionMode::ReadOnly)?;
        let values = tx.store(store)?.get_all(None, None).await?;
        tx.done().await?;
        let plain: Vec<JsValue> = values
            .into_iter()
            .filter(|v| js_sys::Reflect::get(v, &key("sealed")).map(|s| s.is_undefined()).unwrap_or(false))
            .filter(|v| !super::pages::is_gone(v))
            .collect();
        if plain.is_empty() {
            continue;
        }
        let mut rewritten = Vec::with_capacity(plain.len());
        for value in plain {
            let key_value = js_sys::Reflect::get(&value, &key(key_field)).unwrap_or(JsValue::UNDEFINED);
            let entry = if store == OUTBOX {
                let entry: OutboxEntry = from_js(value)?;
                seal_outbox(&entry).await?
            } else {
                let json: Value = from_js(value)?;
                seal(key_field, key_value, &json).await?
            };
            rewritten.push(entry);
        }
        sealed += rewritten.len();
        let tx = db.transaction(&[store], TransactionMode::ReadWrite)?;
        let target = tx.store(store)?;
        for entry in rewritten {
            target.put(&entry, None).await?;
        }
        tx.done().await?;
    }
    Ok(sealed)
}
