//! The device's own copy of everything, in IndexedDB (through rexie): I/O only. What to write is
//! decided by the device core in `dsr_shared::sync::device` (the same plans the seeded simulation
//! runs); these modules read what a plan needs, ask it, and write its [`Writes`] in one transaction
//! after checking that what it read is unchanged (another tab may have written meanwhile). Every
//! committed [`Writes`] is handed to the listener set with [`on_written`] (the app's copy in memory
//! follows the device's storage without reading it again) and announced to the page's other tabs.
//!
//! By job:
//! - [`schema`]: the stores, their version, and upgrades of older data;
//! - [`seal`]: sealing (AES-GCM, see [`crate::crypto`]) and opening what is stored;
//! - [`outbox`]: saves, the changes waiting for the server, its answers, discarding a refused change;
//! - [`records`]: the records (pulled pages, a view reset) and reading everything into memory;
//! - [`pages`]: pulled records a few hundred to a sealed value, and folding recent ones into pages;
//! - [`meta`]: this device's id, the pull state, the sign-in lock, the area's policy, wiping;
//! - [`drafts`]: half-typed forms, written by [`draft_writer`] (a worker) off the main thread;
//! - [`views`]: reads of a person's record waiting for the audit trail;
//! - [`foreground`]: drafts and saves first, the sync's background work giving way to them.
//!
//! Encryption is not an IndexedDB request, so it never happens inside a transaction (which would commit
//! early): values are read in one transaction, opened, planned and sealed outside it, and written in a
//! second one that first checks nothing changed meanwhile (and plans again if it did).

mod draft_writer;
pub mod drafts;
pub mod foreground;
pub mod meta;
pub mod outbox;
pub mod pages;
pub mod records;
pub mod schema;
pub mod seal;
pub mod views;
mod writes;

use std::cell::RefCell;

pub use dsr_shared::sync::device::{LocalConflict, LocalRecord, OutboxEntry, PullState, Writes};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

pub use drafts::{Draft, PUBLIC_DRAFT, delete_draft, load_draft, save_draft};
pub use meta::cursor;
pub use meta::{Lock, client_id, lock, policy, random_bytes, set_lock, set_policy, wipe};
pub use outbox::{SyncStart, discard_refused, may_sign_out, save, store_answers, sync_start, waiting};
pub(crate) use records::store_pulled;
pub use records::{conflicts, load_all, reset};
pub use schema::open;
pub use seal::seal_plaintext;
pub use views::{ViewRecord, record_views, views, views_sent};

/// Why reading or writing this device's storage failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("this device's storage (IndexedDB) failed: {0}")]
    IndexedDb(String),
    #[error("this device holds data it cannot read: {0}")]
    Data(String),
    #[error("{0}")]
    Crypto(#[from] crate::crypto::CryptoError),
    #[error("this device kept changing while {0}; try again")]
    Busy(&'static str),
}

impl From<rexie::Error> for StoreError {
    fn from(error: rexie::Error) -> Self {
        StoreError::IndexedDb(error.to_string())
    }
}

/// How often a two-step write plans again when something changed between its steps.
pub(crate) const ATTEMPTS: usize = 5;

pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| StoreError::Data(e.to_string()))
}

pub(crate) fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, StoreError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| StoreError::Data(e.to_string()))
}

pub(crate) fn key(text: &str) -> JsValue {
    JsValue::from_str(text)
}

pub(crate) fn seq_key(seq: u64) -> JsValue {
    JsValue::from_f64(seq as f64)
}

type Listener = Box<dyn Fn(Writes)>;

thread_local! {
    static LISTENER: RefCell<Option<Listener>> = const { RefCell::new(None) };
    static CHANNEL: RefCell<Option<web_sys::BroadcastChannel>> = const { RefCell::new(None) };
}

/// The name of the channel tabs announce their writes on.
pub const CHANNEL_NAME: &str = "dsr-store";

/// Sets what hears every committed write (the app's copy in memory).
pub fn on_written(listener: impl Fn(Writes) + 'static) {
    LISTENER.with(|l| *l.borrow_mut() = Some(Box::new(listener)));
}

/// Calls `heard` whenever another tab of this app wrote to the device's storage (its copy in memory
/// must be read again). Messages are posted and heard on one channel object, so a tab never hears itself.
pub fn on_other_tab(heard: impl Fn() + 'static) {
    let closure = wasm_bindgen::closure::Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
        // Where records are may have changed too.
        pages::forget_index();
        heard();
    });
    with_channel(|channel| channel.set_onmessage(Some(wasm_bindgen::JsCast::unchecked_ref(closure.as_ref()))));
    // Lives as long as the page.
    closure.forget();
}

fn with_channel(f: impl FnOnce(&web_sys::BroadcastChannel)) {
    CHANNEL.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            *c = web_sys::BroadcastChannel::new(CHANNEL_NAME).ok();
        }
        if let Some(channel) = c.as_ref() {
            f(channel);
        }
    });
}

/// Tells the page's other tabs that this one wrote (they read the device's storage again).
pub(crate) fn announce_to_other_tabs() {
    with_channel(|channel| {
        channel.post_message(&JsValue::from_str("written")).ok();
    });
}

/// Tells the listener and the page's other tabs that `writes` were committed.
pub(crate) fn written(writes: Writes) {
    LISTENER.with(|l| {
        if let Some(listener) = l.borrow().as_ref() {
            listener(writes);
        }
    });
    announce_to_other_tabs();
}
