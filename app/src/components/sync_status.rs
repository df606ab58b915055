//! Always on screen: is this device online, is anything waiting to be sent, anything refused or
//! clashing, when did it last sync. Announced politely to screen readers when it changes.

use leptos::prelude::*;

use crate::element_ids as ids;
use crate::state::{AppState, Connection};

#[component]
pub fn SyncStatusBar() -> impl IntoView {
    let state = expect_context::<AppState>();
    let connection = move || state.sync.with(|s| s.connection);
    let tag_class = move || match connection() {
        Connection::Online => "nhsuk-tag nhsuk-tag--green",
        Connection::Offline => "nhsuk-tag nhsuk-tag--grey",
        Connection::ServerUnreachable => "nhsuk-tag nhsuk-tag--orange",
    };
    let tag_text = move || match connection() {
        Connection::Online => "Online",
        Connection::Offline => "Offline",
        Connection::ServerUnreachable => "Server not reachable",
    };
    let waiting = move || match state.counts.with(|c| c.waiting) {
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
    // Families and young people see whether what they wrote has been sent, not how syncing works.
    let staff = move || state.session.with(|s| s.user().is_none_or(|u| u.role.is_staff()));
    let conflicts = move || state.counts.with(|c| c.conflicts);
    let refused = move || state.counts.with(|c| c.refused);

    view! {
        <div class="dsr-sync-status" id=ids::SYNC_STATUS role="status" aria-live="polite">
            <div class="nhsuk-width-container dsr-sync-status__row">
                <strong class=tag_class id=ids::CONNECTION>{tag_text}</strong>
                <span class="dsr-sync-status__item" id=ids::UNSYNCED data-count=move || state.counts.with(|c| c.waiting).to_string()>
                    {waiting}
                </span>
                <Show when=staff>
                    <span class="dsr-sync-status__item" id=ids::LAST_SYNC>{last}</span>
                    {move || state.sync.with(|s| s.received).map(|n| view! {
                        <span class="dsr-sync-status__item" id=ids::SYNC_PROGRESS>{format!("Received {n} changes so far")}</span>
                    })}
                </Show>
                {move || (conflicts() > 0).then(|| view! {
                    <a class="dsr-sync-status__problem" href="/conflicts" id=ids::CONFLICTS_LINK>
                        {match conflicts() { 1 => "1 change clashes: choose which is right".to_string(), n => format!("{n} changes clash: choose which are right") }}
                    </a>
                })}
                {move || (refused() > 0).then(|| view! {
                    <span class="dsr-sync-status__problem">
                        {match refused() { 1 => "1 change was refused: see the register".to_string(), n => format!("{n} changes were refused: see the register") }}
                    </span>
                })}
                {move || state.sync.with(|s| s.problem.clone()).map(|p| view! { <span class="dsr-sync-status__problem">{p}</span> })}
                <Show when=move || state.needs_sign_in.get()>
                    <a class="dsr-sync-status__problem" href="/sign-in" id=ids::SIGN_IN_AGAIN_LINK>
                        "Sign in again to send and fetch changes"
                    </a>
                </Show>
            </div>
        </div>
    }
}
