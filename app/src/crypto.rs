//! Device protection: what this device keeps (records, outbox, drafts, conflicts) is encrypted with
//! AES-GCM (WebCrypto). The data key is random, made at sign-in, and stored only wrapped by a key
//! derived from the user's password (PBKDF2-SHA-256, 600,000 rounds): a lost tablet's storage holds
//! nothing readable without the password. The unwrapped key lives in memory only, and cannot be
//! exported from it.
//!
//! Getting back in after a password reset: the data key is also kept wrapped by a recovery secret the
//! server holds for this user and device ([`RecoveryWrap`]), given only to a signed-in session of that
//! user. With it the key is opened and wrapped again with the new password, so what the device has not
//! sent survives a forgotten password. The server already holds everything the device has sent; the
//! secret opens only what it has not, and only with the user's own session.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

/// PBKDF2 rounds (OWASP's figure for PBKDF2-HMAC-SHA-256).
pub const PBKDF2_ROUNDS: u32 = 600_000;
const IV_BYTES: usize = 12;

thread_local! {
    static DATA_KEY: RefCell<Option<CryptoKey>> = const { RefCell::new(None) };
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum CryptoError {
    #[error("this browser cannot encrypt (WebCrypto is missing)")]
    Unavailable,
    #[error("the password is not right")]
    WrongPassword,
    #[error("this device is locked: enter your password")]
    Locked,
    #[error("encryption failed: {0}")]
    Failed(String),
}

/// The data key, wrapped by the password's key, with what is needed to unwrap it. Kept in `meta`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedKey {
    pub salt: Vec<u8>,
    pub rounds: u32,
    pub iv: Vec<u8>,
    pub wrapped: Vec<u8>,
}

/// The data key wrapped by the device's recovery secret (see the module's note). Kept in the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoveryWrap {
    pub iv: Vec<u8>,
    pub wrapped: Vec<u8>,
}

/// A recovery secret as the server gives it (64 hex digits) as bytes; `None` if it is not that.
pub fn secret_bytes(hex: &str) -> Option<Vec<u8>> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()).collect()
}

fn subtle() -> Result<SubtleCrypto, CryptoError> {
    web_sys::window().and_then(|w| w.crypto().ok()).map(|c| c.subtle()).ok_or(CryptoError::Unavailable)
}

fn random(n: usize) -> Result<Vec<u8>, CryptoError> {
    let mut bytes = vec![0u8; n];
    let crypto = web_sys::window().and_then(|w| w.crypto().ok()).ok_or(CryptoError::Unavailable)?;
    crypto.get_random_values_with_u8_array(&mut bytes).map_err(|e| CryptoError::Failed(format!("{e:?}")))?;
    Ok(bytes)
}

fn object(entries: &[(&str, JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in entries {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

fn usages(list: &[&str]) -> JsValue {
    list.iter().map(|u| JsValue::from_str(u)).collect::<Array>().into()
}

async fn wait(promise: Result<js_sys::Promise, JsValue>) -> Result<JsValue, JsValue> {
    JsFuture::from(promise?).await
}

fn failed(e: JsValue) -> CryptoError {
    CryptoError::Failed(format!("{e:?}"))
}

fn aes_gcm(iv: &[u8]) -> Object {
    object(&[("name", "AES-GCM".into()), ("iv", Uint8Array::from(iv).into())])
}

/// The key-wrapping key from a password and salt.
async fn password_key(password: &str, salt: &[u8], rounds: u32) -> Result<CryptoKey, CryptoError> {
    let subtle = subtle()?;
    let raw = Uint8Array::from(password.as_bytes());
    let base = wait(subtle.import_key_with_object(
        "raw",
        &raw,
        &object(&[("name", "PBKDF2".into())]),
        false,
        &usages(&["deriveKey"]),
    ))
    .await
    .map_err(failed)?;
    let params = object(&[
        ("name", "PBKDF2".into()),
        ("hash", "SHA-256".into()),
        ("salt", Uint8Array::from(salt).into()),
        ("iterations", JsValue::from(rounds)),
    ]);
    let kind = object(&[("name", "AES-GCM".into()), ("length", JsValue::from(256))]);
    let key = wait(subtle.derive_key_with_object_and_object(
        &params,
        base.unchecked_ref(),
        &kind,
        false,
        &usages(&["wrapKey", "unwrapKey"]),
    ))
    .await
    .map_err(failed)?;
    Ok(key.unchecked_into())
}

async fn unwrap(wrapped: &WrappedKey, password_key: &CryptoKey) -> Result<CryptoKey, CryptoError> {
    unwrap_raw(&wrapped.wrapped, &wrapped.iv, password_key, false).await
}

/// Opens a wrapped data key; `extractable` only to wrap it again at once (never kept in memory so).
async fn unwrap_raw(
    wrapped: &[u8],
    iv: &[u8],
    wrapping: &CryptoKey,
    extractable: bool,
) -> Result<CryptoKey, CryptoError> {
    let subtle = subtle()?;
    let key = wait(subtle.unwrap_key_with_u8_array_and_object_and_object(
        "raw",
        wrapped,
        wrapping,
        &aes_gcm(iv),
        &object(&[("name", "AES-GCM".into())]),
        extractable,
        &usages(&["encrypt", "decrypt"]),
    ))
    .await
    // AES-GCM's tag fails to verify: a wrong password (or secret).
    .map_err(|_| CryptoError::WrongPassword)?;
    Ok(key.unchecked_into())
}

/// The key-wrapping key from a recovery secret.
async fn secret_key(secret: &[u8]) -> Result<CryptoKey, CryptoError> {
    let subtle = subtle()?;
    let key = wait(subtle.import_key_with_object(
        "raw",
        &Uint8Array::from(secret),
        &object(&[("name", "AES-GCM".into())]),
        false,
        &usages(&["wrapKey", "unwrapKey"]),
    ))
    .await
    .map_err(failed)?;
    Ok(key.unchecked_into())
}

async fn wrap(key: &CryptoKey, wrapping: &CryptoKey) -> Result<(Vec<u8>, Vec<u8>), CryptoError> {
    let iv = random(IV_BYTES)?;
    let wrapped = wait(subtle()?.wrap_key_with_object("raw", key, wrapping, &aes_gcm(&iv))).await.map_err(failed)?;
    Ok((iv, Uint8Array::new(&wrapped).to_vec()))
}

/// `key` (extractable) wrapped by a new password.
async fn wrap_with_password(key: &CryptoKey, password: &str) -> Result<(WrappedKey, CryptoKey), CryptoError> {
    let salt = random(16)?;
    let kek = password_key(password, &salt, PBKDF2_ROUNDS).await?;
    let (iv, wrapped) = wrap(key, &kek).await?;
    Ok((WrappedKey { salt, rounds: PBKDF2_ROUNDS, iv, wrapped }, kek))
}

/// The data key (opened with `password` as it is wrapped now) wrapped by a recovery secret too: for a
/// device whose key was made before it had one.
pub async fn recovery_wrap(wrapped: &WrappedKey, password: &str, secret: &[u8]) -> Result<RecoveryWrap, CryptoError> {
    let kek = password_key(password, &wrapped.salt, wrapped.rounds).await?;
    let key = unwrap_raw(&wrapped.wrapped, &wrapped.iv, &kek, true).await?;
    let (iv, wrapped) = wrap(&key, &secret_key(secret).await?).await?;
    Ok(RecoveryWrap { iv, wrapped })
}

/// After a password reset: opens the data key with the recovery secret, wraps it with the new password
/// (what the lock keeps from now on) and keeps it unlocked in memory.
pub async fn recover(recovery: &RecoveryWrap, secret: &[u8], new_password: &str) -> Result<WrappedKey, CryptoError> {
    let key = unwrap_raw(&recovery.wrapped, &recovery.iv, &secret_key(secret).await?, true).await?;
    let (wrapped, kek) = wrap_with_password(&key, new_password).await?;
    let usable = unwrap(&wrapped, &kek).await?;
    DATA_KEY.with(|k| *k.borrow_mut() = Some(usable));
    Ok(wrapped)
}

/// Makes a new data key for this device, wrapped by `password` (and by the device's recovery secret,
/// when `recovery_secret` brings one: asked for while the password's key is derived), and keeps it
/// unlocked in memory.
pub async fn new_data_key(
    password: &str,
    recovery_secret: impl std::future::Future<Output = Option<Vec<u8>>>,
) -> Result<(WrappedKey, Option<RecoveryWrap>), CryptoError> {
    let subtle = subtle()?;
    let algorithm = object(&[("name", "AES-GCM".into()), ("length", JsValue::from(256))]);
    let key: CryptoKey = wait(subtle.generate_key_with_object(&algorithm, true, &usages(&["encrypt", "decrypt"])))
        .await
        .map_err(failed)?
        .unchecked_into();
    let (wrapped, recovery_secret) = futures::future::join(wrap_with_password(&key, password), recovery_secret).await;
    let (wrapped, kek) = wrapped?;
    let recovery = match recovery_secret.as_deref() {
        Some(secret) => {
            let (iv, wrapped) = wrap(&key, &secret_key(secret).await?).await?;
            Some(RecoveryWrap { iv, wrapped })
        }
        None => None,
    };
    // Use a non-extractable copy: the key in memory cannot be read out, only used.
    let usable = unwrap(&wrapped, &kek).await?;
    DATA_KEY.with(|k| *k.borrow_mut() = Some(usable));
    Ok((wrapped, recovery))
}

/// Unlocks this device's data with the password; `WrongPassword` when it is not the one used.
pub async fn unlock(wrapped: &WrappedKey, password: &str) -> Result<(), CryptoError> {
    let kek = password_key(password, &wrapped.salt, wrapped.rounds).await?;
    let key = unwrap(wrapped, &kek).await?;
    DATA_KEY.with(|k| *k.borrow_mut() = Some(key));
    Ok(())
}

/// Whether this device's data key is open (someone is signed in and unlocked).
pub fn is_unlocked() -> bool {
    DATA_KEY.with(|k| k.borrow().is_some())
}

/// The open data key, to hand over to the app's build after the door signed someone in (it cannot be
/// read out: only used).
pub fn open_key() -> Option<CryptoKey> {
    DATA_KEY.with(|k| k.borrow().clone())
}

/// Takes the data key the door opened (see [`crate::door`]).
pub fn adopt(key: CryptoKey) {
    DATA_KEY.with(|k| *k.borrow_mut() = Some(key));
}

/// Forgets the data key (sign-out, or locking the app).
pub fn lock() {
    DATA_KEY.with(|k| *k.borrow_mut() = None);
}

fn data_key() -> Result<CryptoKey, CryptoError> {
    DATA_KEY.with(|k| k.borrow().clone()).ok_or(CryptoError::Locked)
}

/// Encrypts `plain`: a fresh IV, then the ciphertext (with its tag), as one byte array.
pub async fn seal_bytes(plain: &[u8]) -> Result<Uint8Array, CryptoError> {
    let key = data_key()?;
    let iv = random(IV_BYTES)?;
    let sealed = wait(subtle()?.encrypt_with_object_and_u8_array(&aes_gcm(&iv), &key, plain)).await.map_err(failed)?;
    let sealed = Uint8Array::new(&sealed);
    let out = Uint8Array::new_with_length((IV_BYTES as u32) + sealed.length());
    out.subarray(0, IV_BYTES as u32).copy_from(&iv);
    out.set(&sealed, IV_BYTES as u32);
    Ok(out)
}

/// Decrypts what [`seal_bytes`] made.
pub async fn open_bytes(sealed: &Uint8Array) -> Result<Vec<u8>, CryptoError> {
    let key = data_key()?;
    let bytes = sealed.to_vec();
    if bytes.len() < IV_BYTES {
        return Err(CryptoError::Failed("sealed data too short".into()));
    }
    let (iv, data) = bytes.split_at(IV_BYTES);
    let plain = wait(subtle()?.decrypt_with_object_and_u8_array(&aes_gcm(iv), &key, data)).await.map_err(failed)?;
    Ok(Uint8Array::new(&plain).to_vec())
}
