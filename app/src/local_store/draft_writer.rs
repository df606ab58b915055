//! The draft writer: drafts are sealed and stored by a dedicated worker (`app/draft-writer.js`), not
//! on the page's main thread. On the main thread a draft's IndexedDB transaction ends only when the page
//! gets round to its `complete` event, behind whatever else it is doing: during an initial sync of
//! 100,000 records a keystroke's draft took 6 ms in the middle and 26 ms at the 95th percentile, against
//! 2 ms and 5-9 ms for the same write in a worker in the same sync. The worker is started on the first
//! draft written and kept for the page's life; its file is named in `index.html`
//! (`<link rel="dsr-draft-writer">`, hashed by `scripts/finish-build.mjs`) and kept by the service
//! worker for opening offline.
//!
//! Where there is no worker (it could not be started, its file did not load, or it answered with an
//! error) [`ask`] says so and the caller writes on the main thread as before: a draft is never dropped
//! for want of a worker. The caller writes one draft operation of a form at a time (see
//! `components::draft`), so the worker's and the main thread's writes never overtake each other.

use std::cell::RefCell;

use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, MessageEvent, Worker};

use super::schema::{DB_NAME, DB_VERSION};

/// What the worker is asked to do with a form's draft.
pub(crate) enum Op<'a> {
    /// Store `json` (a [`super::Draft`]) under `key`: sealed with `crypto_key`, or in clear without one.
    Put { key: &'a str, json: &'a [u8], crypto_key: Option<&'a CryptoKey> },
    /// Delete the draft under `key`.
    Delete { key: &'a str },
}

/// When the worker did its parts of a write, in milliseconds since the page started (the page's own
/// clock: the worker's times converted), for the page's measures.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stored {
    pub seal_start: f64,
    pub seal_end: f64,
    pub tx_start: f64,
    /// When the transaction committed: the draft is on the device from then on.
    pub stored: f64,
}

enum State {
    NotStarted,
    Running(Running),
    /// Being closed for a sign-out: what was asked before is finished, nothing more is asked.
    Closing(Running),
    /// The worker failed to start or stopped: drafts are written on the main thread.
    Unavailable,
}

struct Running {
    worker: Worker,
    next_id: u32,
    /// What was asked and not yet answered: each message's id, and the function settling the promise its
    /// caller awaits (with the worker's answer, or `undefined` when the worker stopped first).
    waiting: Vec<(u32, Function)>,
}

thread_local! {
    static WRITER: RefCell<State> = const { RefCell::new(State::NotStarted) };
}

/// Asks the worker to do `op` and waits for it to be done. `None` when there is no worker to ask or it
/// could not do it (the caller then does it on the main thread); an error only while signing out.
pub(crate) async fn ask(op: Op<'_>) -> Option<Result<Stored, super::StoreError>> {
    let answer = WRITER.with(|writer| {
        let mut writer = writer.borrow_mut();
        if matches!(*writer, State::NotStarted) {
            *writer = start().map_or(State::Unavailable, State::Running);
        }
        match &mut *writer {
            State::Running(running) => post(running, &message_for(&op)).map(Ok),
            State::Closing(_) => Some(Err(super::StoreError::Busy("signing out"))),
            State::NotStarted | State::Unavailable => None,
        }
    })?;
    let answer = match answer {
        Err(refused) => return Some(Err(refused)),
        Ok(answer) => JsFuture::from(answer).await.unwrap_or(JsValue::UNDEFINED),
    };
    if answer.is_undefined() {
        // The worker stopped before answering.
        return None;
    }
    let field = |name: &str| Reflect::get(&answer, &name.into()).unwrap_or(JsValue::UNDEFINED);
    if field("ok").as_bool() != Some(true) {
        let error = field("error").as_string().unwrap_or_default();
        leptos::logging::warn!("the draft writer could not store a draft ({error}); storing it here instead");
        return None;
    }
    // The worker's clock counts from its own start: its times are turned into this page's.
    let origin = web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.time_origin());
    let at = |name: &str| field(name).as_f64().map_or(0.0, |t| t - origin);
    Some(Ok(Stored {
        seal_start: at("sealStart"),
        seal_end: at("sealEnd"),
        tx_start: at("txStart"),
        stored: at("stored"),
    }))
}

/// Lets everything asked of the worker so far finish, then stops it (sign-out, before the device is
/// wiped: no draft is written after the wipe). A later sign-in on this page starts a new one.
pub(crate) async fn close() {
    let closing = WRITER.with(|writer| {
        let mut writer = writer.borrow_mut();
        let State::Running(mut running) = std::mem::replace(&mut *writer, State::NotStarted) else {
            return None;
        };
        let message = Object::new();
        set(&message, "op", &"close".into());
        let answer = post(&mut running, &message);
        let worker = running.worker.clone();
        *writer = State::Closing(running);
        Some((answer, worker))
    });
    if let Some((answer, worker)) = closing {
        if let Some(answer) = answer {
            JsFuture::from(answer).await.ok();
        }
        worker.terminate();
    }
    WRITER.with(|writer| *writer.borrow_mut() = State::NotStarted);
}

/// The worker's file, as `index.html` names it.
fn worker_url() -> Option<String> {
    web_sys::window()?.document()?.query_selector("link[rel='dsr-draft-writer']").ok()??.get_attribute("href")
}

/// Starts the worker, with its answers and failures handled.
fn start() -> Option<Running> {
    let worker = Worker::new(&worker_url()?).ok()?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| answered(event.data()));
    worker.set_onmessage(Some(on_message.into_js_value().unchecked_ref()));
    // The file did not load, or the worker failed: whatever waits is written on the main thread.
    let on_error = Closure::<dyn FnMut(JsValue)>::new(|_: JsValue| stopped());
    worker.set_onerror(Some(on_error.into_js_value().unchecked_ref()));
    Some(Running { worker, next_id: 0, waiting: Vec::new() })
}

/// The message asking for `op`.
fn message_for(op: &Op<'_>) -> Object {
    let message = Object::new();
    set(&message, "database", &DB_NAME.into());
    set(&message, "version", &DB_VERSION.into());
    match op {
        Op::Put { key, json, crypto_key } => {
            set(&message, "op", &"put".into());
            set(&message, "key", &(*key).into());
            set(&message, "json", &Uint8Array::from(*json).into());
            set(&message, "cryptoKey", &crypto_key.map_or(JsValue::NULL, |k| k.clone().into()));
        }
        Op::Delete { key } => {
            set(&message, "op", &"delete".into());
            set(&message, "key", &(*key).into());
        }
    }
    message
}

/// Sends `message` to the worker, numbered; the promise is settled with its answer. `None` when it
/// cannot be sent.
fn post(running: &mut Running, message: &Object) -> Option<Promise> {
    let id = running.next_id;
    running.next_id += 1;
    set(message, "id", &id.into());
    running.worker.post_message(message).ok()?;
    let mut settle = None;
    let answer = Promise::new(&mut |resolve, _| settle = Some(resolve));
    running.waiting.push((id, settle?));
    Some(answer)
}

/// The worker's answer to one message: its caller's promise settled with it.
fn answered(data: JsValue) {
    let Some(id) = Reflect::get(&data, &"id".into()).ok().and_then(|id| id.as_f64()) else { return };
    let settle = WRITER.with(|writer| match &mut *writer.borrow_mut() {
        State::Running(running) | State::Closing(running) => {
            let at = running.waiting.iter().position(|(waiting, _)| f64::from(*waiting) == id)?;
            Some(running.waiting.remove(at).1)
        }
        State::NotStarted | State::Unavailable => None,
    });
    if let Some(settle) = settle {
        settle.call1(&JsValue::NULL, &data).ok();
    }
}

/// The worker failed: it is stopped, and whatever it was asked and had not answered is written on the
/// main thread (each caller's promise settled with `undefined`: its caller hears `None`).
fn stopped() {
    let state = WRITER.with(|writer| std::mem::replace(&mut *writer.borrow_mut(), State::Unavailable));
    if let State::Running(running) | State::Closing(running) = state {
        running.worker.terminate();
        for (_, settle) in running.waiting {
            settle.call1(&JsValue::NULL, &JsValue::UNDEFINED).ok();
        }
    }
}

fn set(object: &Object, name: &str, value: &JsValue) {
    // Setting a property on a fresh plain object cannot fail.
    let _ = Reflect::set(object, &name.into(), value);
}
