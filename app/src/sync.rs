//! The sync loop: push the outbox in order, store each answer, then pull every change after the
//! cursor, page by page, storing each page with its cursor. One loop per browser: tabs take turns
//! through the Web Locks API. Woken at start, by saves, by the `online` event, by the server's
//! announcements of new changes (`/api/sync/events`, so a decision recorded on another tablet shows
//! here within a second) and by a timer that backs off while the server cannot be reached.

use std::cell::{Cell, RefCell};

use chrono::Local;
use dsr_shared::accounts::ViewEvents;
use dsr_shared::sync::{PullResponse, PushOutcome, PushRequest};
use gloo_timers::callback::Timeout;
use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use crate::api::{self, ApiFailure};
use crate::local_store;
use crate::state::{AppState, Connection, browser_online};
use crate::timing;

/// At most this many reads sent to the audit trail at once (the server's limit).
const MAX_VIEW_EVENTS: usize = 500;
/// At most this many changes in one push.
const PUSH_BATCH: usize = 200;
/// At most this many changes in one pull page.
/// (A page of 1,000 ~1 KB records is parsed in about 10 ms on a 2-core tablet: a draft being
/// written meanwhile is not held up long.)
const PULL_PAGE: u32 = 1000;
/// How often a long pull's progress is shown (ms): once a second, not after every page. A page is
/// stored every 30-60 ms in a first sync, and each new figure meant a new frame: Chromium holds a
/// page's tasks after a key is pressed until the next frame is drawn ("defer renderer tasks after
/// input"), and while frames keep coming at the screen's rate the next one is up to 17 ms away, so a
/// draft's write, typed meanwhile, waited for it (draft autosave during a sync of 100,000: median
/// 7.6 -> 4.2 ms, p95 15.2 -> 10.5 ms). A screen reader also announced every figure.
const PROGRESS_EVERY_MS: f64 = 1000.0;
/// The timer's interval when all is well, and the longest wait when the server cannot be reached.
const EVERY_MS: u32 = 15_000;
/// The timer's interval while the server's announcements are heard: they wake the loop for every
/// change, so the timer is only a safety net.
const LISTENING_EVERY_MS: u32 = 300_000;
const LONGEST_WAIT_MS: u32 = 120_000;

thread_local! {
    static RUNNING: Cell<bool> = const { Cell::new(false) };
    static AGAIN: Cell<bool> = const { Cell::new(false) };
    static FAILURES: Cell<u32> = const { Cell::new(0) };
    static STARTED: Cell<bool> = const { Cell::new(false) };
    /// Set when this device's data is being deleted (signing out, access ended): no sync starts again
    /// in this page, so nothing is written after the wipe (a new device id, say).
    static STOPPED: Cell<bool> = const { Cell::new(false) };
    /// The open announcement stream and its listener (kept together: the listener lives as long as it).
    static LISTENING: RefCell<Option<Listening>> = const { RefCell::new(None) };
    /// The server announced changes since the last sync started (another device saved something).
    static ANNOUNCED: Cell<bool> = const { Cell::new(false) };
    /// The cursor and view where this tab's last sync ended.
    static ENDED_AT: Cell<Option<(u64, u64)>> = const { Cell::new(None) };
}

/// An open announcement stream and the listener it calls.
type Listening = (web_sys::EventSource, Closure<dyn Fn(web_sys::MessageEvent)>);

/// The server's announcements: an EventSource on `/api/sync/events` whose every `changes` event wakes
/// the loop (the first comes on connecting, so a device that was offline catches up at once). The
/// browser reconnects by itself after a dropped connection; one the server refused (signed out) stays
/// closed until the next sync that succeeds opens it again.
fn listen(state: AppState) {
    LISTENING.with(|listening| {
        let mut listening = listening.borrow_mut();
        if listening.as_ref().is_some_and(|(source, _)| source.ready_state() != web_sys::EventSource::CLOSED) {
            return;
        }
        let Ok(source) = web_sys::EventSource::new("/api/sync/events") else { return };
        let on_changes = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |_| {
            ANNOUNCED.with(|a| a.set(true));
            request(state);
        });
        if source.add_event_listener_with_callback("changes", on_changes.as_ref().unchecked_ref()).is_ok()
            && let Some((old, _)) = listening.replace((source, on_changes))
        {
            old.close();
        }
    });
}

/// Whether the server's announcements are being heard (the stream is open).
fn listening() -> bool {
    LISTENING
        .with(|l| l.borrow().as_ref().is_some_and(|(source, _)| source.ready_state() == web_sys::EventSource::OPEN))
}

/// Stops syncing in this page for good, and listening (signing out, or access ended: the device's
/// data is about to be deleted, and nothing may be written after that).
pub fn stop() {
    STOPPED.with(|s| s.set(true));
    LISTENING.with(|listening| {
        if let Some((source, _)) = listening.borrow_mut().take() {
            source.close();
        }
    });
}

fn stopped() -> bool {
    STOPPED.with(Cell::get)
}

/// Stops syncing ([`stop`]) and waits until a sync under way has finished writing, so the device's
/// data can be deleted with nothing written after.
pub async fn stop_and_settle() {
    stop();
    while RUNNING.with(Cell::get) {
        gloo_timers::future::TimeoutFuture::new(20).await;
    }
}

/// Starts the loop (once per page, when the user's data is open): a first sync now, then on
/// `online`/`offline` events and a timer.
pub fn start(state: AppState) {
    if STARTED.with(|s| s.replace(true)) {
        request(state);
        return;
    }
    state.follow_storage();
    spawn_local(async move {
        match local_store::policy().await {
            Ok(Some(document)) => state.policy.set(document),
            Ok(None) => {}
            Err(error) => state.storage_problem.set(Some(error.to_string())),
        }
        state.reload().await;
        if let Ok(health) = api::health().await {
            state.demo.set(health.demo);
        }
        run(state).await;
    });
    let on_online = window_event_listener(leptos::ev::online, move |_| request(state));
    let on_offline = window_event_listener(leptos::ev::offline, move |_| {
        state.sync.update(|s| s.connection = Connection::Offline);
    });
    // The app lives as long as the page: keep the listeners.
    std::mem::forget((on_online, on_offline));
    schedule(state, EVERY_MS);
}

/// Asks for a sync soon (after a save, or when the network comes back).
pub fn request(state: AppState) {
    spawn_local(run(state));
}

/// The next timed sync, after `ms`.
fn schedule(state: AppState, ms: u32) {
    Timeout::new(ms, move || {
        spawn_local(async move {
            run(state).await;
            let failures = FAILURES.with(Cell::get);
            let wait = match failures {
                0 if listening() => LISTENING_EVERY_MS,
                0 => EVERY_MS,
                _ => (2_000u32 << failures.min(6)).min(LONGEST_WAIT_MS),
            };
            schedule(state, wait);
        })
    })
    .forget();
}

/// Runs a sync unless one is running in this tab (then it runs once more when that one ends).
async fn run(state: AppState) {
    if RUNNING.with(Cell::get) {
        AGAIN.with(|a| a.set(true));
        return;
    }
    RUNNING.with(|r| r.set(true));
    loop {
        AGAIN.with(|a| a.set(false));
        with_browser_lock(async move { sync_once(state).await }).await;
        if !AGAIN.with(Cell::get) || stopped() {
            break;
        }
    }
    RUNNING.with(|r| r.set(false));
}

/// Runs `work` holding the browser-wide lock "dsr-sync"; when another tab holds it, that tab is
/// syncing and this one skips. Without the Web Locks API, runs `work` directly.
async fn with_browser_lock<F: std::future::Future<Output = ()> + 'static>(work: F) {
    let locks = web_sys::window().and_then(|w| Reflect::get(&w.navigator(), &"locks".into()).ok());
    let Some(locks) = locks.filter(|l| !l.is_undefined() && !l.is_null()) else {
        work.await;
        return;
    };
    let Some(request) = Reflect::get(&locks, &"request".into()).ok().and_then(|f| f.dyn_into::<Function>().ok()) else {
        work.await;
        return;
    };
    let options = Object::new();
    Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE).ok();
    let callback = Closure::once(move |lock: JsValue| -> Promise {
        if lock.is_null() {
            Promise::resolve(&JsValue::NULL)
        } else {
            future_to_promise(async move {
                work.await;
                Ok(JsValue::NULL)
            })
        }
    });
    let called = request.call3(&locks, &"dsr-sync".into(), &options, callback.as_ref().unchecked_ref());
    if let Ok(promise) = called.and_then(|p| p.dyn_into::<Promise>()) {
        JsFuture::from(promise).await.ok();
    }
}

async fn sync_once(state: AppState) {
    if state.needs_sign_in.get_untracked() || stopped() {
        return;
    }
    if !browser_online() {
        state.sync.update(|s| s.connection = Connection::Offline);
        return;
    }
    let started = timing::now();
    state.sync.update(|s| {
        s.running = true;
        s.received = None;
    });
    let outcome = push_then_pull(state).await;
    timing::record("dsr-sync-exchange", started);
    let outcome = match outcome {
        Ok(()) => {
            // Recent records folded into pages, while this tab holds the sync lock (no pull or
            // answer is written meanwhile; a save in another tab makes it wait for the next time).
            if let Err(error) = local_store::pages::compact().await {
                leptos::logging::warn!("could not fold recent records into pages: {error}");
            }
            fetch_policy(state).await
        }
        Err(error) => Err(error),
    };
    // What the sync stored is shown already: the copy in memory follows every write.
    state.sync.update(|s| {
        s.running = false;
        s.received = None;
        match outcome {
            Ok(()) => {
                s.connection = Connection::Online;
                s.last_sync = Some(Local::now());
                s.problem = None;
                listen(state);
            }
            Err(SyncError::Api(ApiFailure::Unreachable)) => {
                s.connection = if browser_online() { Connection::ServerUnreachable } else { Connection::Offline };
                s.problem = None;
            }
            Err(SyncError::Api(ApiFailure::SignedOut(_))) => {
                s.connection = Connection::Online;
                s.problem = None;
                state.needs_sign_in.set(true);
            }
            Err(SyncError::Api(ApiFailure::AccessEnded(error))) => {
                stop();
                let code = error.code.clone();
                spawn_local(async move { crate::session::sign_out(Some(&code)).await });
            }
            Err(error) => s.problem = Some(error.to_string()),
        }
    });
    FAILURES.with(|f| {
        f.set(if state.sync.with_untracked(|s| s.problem.is_none() && s.connection == Connection::Online) {
            0
        } else {
            f.get() + 1
        })
    });
}

#[derive(Debug, thiserror::Error)]
enum SyncError {
    #[error("{0}")]
    Api(#[from] ApiFailure),
    #[error("{0}")]
    Store(#[from] local_store::StoreError),
}

/// The area's policy, kept on the device when it changed (the forms and due dates follow it offline).
async fn fetch_policy(state: AppState) -> Result<(), SyncError> {
    let document = api::policy().await?;
    if state.policy.with_untracked(|d| *d != document) {
        local_store::set_policy(&document).await?;
        state.use_policy(document).await;
    }
    Ok(())
}

/// Sends the outbox, then takes every change after the cursor.
async fn push_then_pull(state: AppState) -> Result<(), SyncError> {
    let client_id = local_store::client_id().await?;
    let started = timing::now();
    // Woken by another device's change, when this tab's last sync left nothing to send: its pull is
    // asked for while the sync's start is read (what someone waits to see), and used only if that read
    // finds nothing to send and the same cursor (another tab may have synced or saved meanwhile).
    let announced = ANNOUNCED.with(|a| a.replace(false));
    let guess = ENDED_AT.with(Cell::get).filter(|(cursor, _)| announced && *cursor > 0);
    let (start, early) = match guess {
        Some((cursor, view)) => {
            let (start, page) =
                futures::future::join(local_store::sync_start(PUSH_BATCH), fetch_page(client_id, cursor, view)).await;
            (start?, page.ok().map(|page| ((cursor, view), page)))
        }
        None => (local_store::sync_start(PUSH_BATCH).await?, None),
    };
    timing::record("dsr-sync-start", started);
    let (mut mutations, mut pushed) = (start.waiting, false);
    let mut start_read = start.read;
    loop {
        if pushed {
            mutations = local_store::waiting(PUSH_BATCH).await?;
        }
        if mutations.is_empty() {
            break;
        }
        pushed = true;
        let response = api::push(&PushRequest { client_id, mutations: std::mem::take(&mut mutations) }).await?;
        local_store::store_answers(&response.results).await?;
        // A gap means the server lacks an earlier change this device no longer holds: nothing more
        // can be sent in order, so stop rather than loop.
        if response.results.iter().any(|r| matches!(r.outcome, PushOutcome::Gap { .. })) {
            break;
        }
    }
    // Reads of people's records on this device, for the audit trail (read again after a push: that
    // took a while).
    let views = match start.views {
        Some(views) if !pushed => views,
        _ => local_store::views().await?,
    };
    for chunk in views.chunks(MAX_VIEW_EVENTS) {
        let events = chunk.iter().map(|v| v.event.clone()).collect();
        match api::send_views(&ViewEvents { client_id, events }).await {
            // Refused as they are, they would block every later sync: they are dropped.
            Ok(()) | Err(ApiFailure::Refused(_)) => {}
            Err(other) => return Err(other.into()),
        }
        local_store::views_sent(&chunk.iter().map(|v| v.id.clone()).collect::<Vec<_>>()).await?;
    }
    let (mut cursor, mut view) = match start.cursor {
        Some(cursor) if !pushed => cursor,
        _ => local_store::cursor().await?,
    };
    let mut received = 0;
    let mut shown_at = f64::NEG_INFINITY;
    // The next page, fetched while the one before was stored (or the first, asked for early).
    let mut ahead = early.filter(|(asked, _)| !pushed && *asked == (cursor, view)).map(|(_, page)| page);
    if cursor == 0 {
        // A first sync: the area's policy before its people are stored, so the register is built once
        // with it (a policy arriving after 10,000 people would build every row again); the first page
        // is asked for meanwhile (never early: an announcement's early pull follows an earlier sync).
        let first = fetch_page(client_id, cursor, view);
        let (policy, first) = futures::future::join(fetch_policy(state), first).await;
        policy?;
        ahead = Some(first?);
    }
    loop {
        let page = match ahead.take() {
            Some(page) => page,
            None => fetch_page(client_id, cursor, view).await?,
        };
        if page.reset {
            // What this device may hold changed too much to say record by record: start again.
            ENDED_AT.with(|e| e.set(None));
            local_store::reset().await?;
            (cursor, view) = (0, 0);
            continue;
        }
        received += page.changes.len();
        // While this page is stored, the next is fetched (the server's time and the network's overlap
        // the device's): it is the request the next turn would make, and is used only once this page
        // is stored (dropped if storing fails, as a device that stopped here would).
        let started = timing::now();
        let next = async { if page.more { Some(fetch_page(client_id, page.cursor, page.view).await) } else { None } };
        // Nothing sent: the first page is planned from what the sync started from.
        let first = start_read.take().filter(|_| !pushed);
        let (stored, next) = futures::future::join(local_store::store_pulled(&page, first), next).await;
        stored?;
        timing::record("dsr-pull-store", started);
        cursor = page.cursor;
        view = page.view;
        if !page.more {
            state.rows_now();
            ENDED_AT.with(|e| e.set(Some((cursor, view))));
            break;
        }
        ahead = next.transpose()?;
        let now = timing::now();
        if now - shown_at >= PROGRESS_EVERY_MS {
            shown_at = now;
            state.sync.update(|s| s.received = Some(received));
        }
    }
    Ok(())
}

/// One pull page, timed.
async fn fetch_page(client: dsr_shared::ClientId, cursor: u64, view: u64) -> Result<PullResponse, ApiFailure> {
    let started = timing::now();
    let page = api::pull(client, cursor, view, PULL_PAGE).await;
    timing::record("dsr-pull-fetch", started);
    page
}
