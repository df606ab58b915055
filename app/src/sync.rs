//! The plain exchange with the server: send every person saved on this device, then fetch
//! everyone. (The sync-engine issue replaces this with the outbox, push and cursor pull.)
//! Runs at start, after every save, when the browser comes back online, and every 30 seconds.

use chrono::Local;
use gloo_timers::callback::Interval;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiFailure};
use crate::local_store;
use crate::state::{AppState, Connection, browser_online};

const EVERY_MS: u32 = 30_000;

/// Starts the loop: a first sync now, then on `online`/`offline` events and a timer.
pub fn start(state: AppState) {
    spawn_local(async move {
        state.reload_people().await;
        if let Ok(health) = api::health().await {
            state.demo.set(health.demo);
        }
        sync_now(state).await;
    });
    let on_online = window_event_listener(leptos::ev::online, move |_| spawn_local(sync_now(state)));
    let on_offline = window_event_listener(leptos::ev::offline, move |_| {
        state.sync.update(|s| s.connection = Connection::Offline);
    });
    // The app lives as long as the page: keep the listeners and the timer.
    std::mem::forget((on_online, on_offline));
    Interval::new(EVERY_MS, move || spawn_local(sync_now(state))).forget();
}

/// Asks for a sync soon (after a save).
pub fn request(state: AppState) {
    spawn_local(sync_now(state));
}

/// One exchange. A second call while one runs is skipped: the running one, or the next timer tick,
/// picks up whatever is new.
pub async fn sync_now(state: AppState) {
    if state.sync.with_untracked(|s| s.running) {
        return;
    }
    if !browser_online() {
        state.sync.update(|s| s.connection = Connection::Offline);
        return;
    }
    state.sync.update(|s| s.running = true);
    let outcome = push_then_pull().await;
    state.reload_people().await;
    state.sync.update(|s| {
        s.running = false;
        match outcome {
            Ok(()) => {
                s.connection = Connection::Online;
                s.last_sync = Some(Local::now());
                s.problem = None;
            }
            Err(SyncError::Api(ApiFailure::Unreachable)) => {
                s.connection = if browser_online() { Connection::ServerUnreachable } else { Connection::Offline };
                s.problem = None;
            }
            Err(error) => s.problem = Some(error.to_string()),
        }
    });
}

#[derive(Debug, thiserror::Error)]
enum SyncError {
    #[error("{0}")]
    Api(#[from] ApiFailure),
    #[error("{0}")]
    Store(#[from] local_store::StoreError),
}

async fn push_then_pull() -> Result<(), SyncError> {
    for stored in local_store::all_people().await?.into_iter().filter(|p| p.is_waiting()) {
        match api::create_person(&stored.person.to_submission()).await {
            Ok(_) => local_store::record_answer(&stored.id, None).await?,
            Err(ApiFailure::Refused(error)) => {
                let reasons: Vec<String> = error.fields.iter().map(|f| f.message.clone()).collect();
                let why = if reasons.is_empty() { error.message } else { reasons.join("; ") };
                local_store::record_answer(&stored.id, Some(why)).await?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    local_store::store_from_server(api::list_people().await?).await?;
    Ok(())
}
