//! Always on screen: is this device online, is anything waiting to be sent, when did it last sync.
//! Announced politely to screen readers when it changes.

use leptos::prelude::*;

use crate::element_ids as ids;
use crate::state::{AppState, Connection};

#[component]
pub fn SyncStatusBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let unsent = state.unsent_count();
    let connection = move || state.sync.with(|s| s.connection);
    let (tag_class, tag_text) = (
        move || match connection() {
            Connection::Online => "nhsuk-tag nhsuk-tag--green",
            Connection::Offline => "nhsuk-tag nhsuk-tag--grey",
            Connection::ServerUnreachable => "nhsuk-tag nhsuk-tag--orange",
        },
        move || match connection() {
            Connection::Online => "Online",
            Connection::Offline => "Offline",
            Connection::ServerUnreachable => "Server not reachable",
        },
    );
    let waiting = move || match unsent.get() {
        0 => "Everything saved on this device has been sent".to_string(),
        1 => "1 change saved on this device, not sent yet".to_string(),
        n => format!("{n} changes saved on this device, not sent yet"),
    };
    let last = move || {
        state.sync.with(|s| match (&s.last_sync, s.running) {
            (_, true) => "Sending and fetching changes…".to_string(),
            (Some(at), false) => format!("Last sync {}", at.format("%H:%M")),
            (None, false) => "Not synced yet".to_string(),
        })
    };
    let problem = move || state.sync.with(|s| s.problem.clone());

    view! {
        <div class="dsr-sync-status" id=ids::SYNC_STATUS role="status" aria-live="polite">
            <div class="nhsuk-width-container dsr-sync-status__row">
                <strong class=tag_class id=ids::CONNECTION>{tag_text}</strong>
                <span class="dsr-sync-status__item" id=ids::UNSYNCED data-count=move || unsent.get().to_string()>
                    {waiting}
                </span>
                <span class="dsr-sync-status__item" id=ids::LAST_SYNC>{last}</span>
                {move || problem().map(|p| view! { <span class="dsr-sync-status__problem">{p}</span> })}
            </div>
        </div>
    }
}
