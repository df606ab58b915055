//! Said once on a device whose browser may clear what it holds: what to do about it. Shown on the
//! first screen after the browser refused to keep this site's storage, then never again on this device
//! (not on every screen: a warning always there stops being read). It offers installing the app
//! (an installed app's storage is kept) and says the other way: keep syncing, as a change is safe once
//! sent.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_location;

use crate::element_ids as ids;
use crate::install::Install;
use crate::state::AppState;

/// This device has been told (a flag in `localStorage`, which holds nothing about anyone).
const SHOWN_KEY: &str = "dsr:storage-notice-shown";

#[component]
pub fn StorageNotice() -> impl IntoView {
    let state = expect_context::<AppState>();
    let install = expect_context::<Install>();
    let shown = RwSignal::new(false);
    let shown_on = StoredValue::new(String::new());
    let path = use_location().pathname;
    // Decided once: when the browser has refused, and this device was never told.
    Effect::new(move |told: Option<bool>| {
        if told == Some(true) {
            return true;
        }
        if !state.storage_not_persistent.get() || install.installed.get() || already_told() {
            return false;
        }
        remember_told();
        shown_on.set_value(path.get_untracked());
        shown.set(true);
        true
    });
    // Gone at the next screen (and once the app is installed).
    Effect::new(move |_| {
        let now = path.get();
        if shown.get_untracked() && now != shown_on.get_value() {
            shown.set(false);
        }
    });
    let install_now = move |_| {
        spawn_local(async move {
            if install.prompt().await {
                shown.set(false);
                // An installed app's storage is usually granted at once: asked again.
                crate::app::ask_for_persistent_storage(state).await;
            }
        });
    };
    view! {
        <Show when=move || shown.get() && !install.installed.get()>
            <div class="nhsuk-width-container">
                <div class="nhsuk-warning-callout dsr-storage-notice" id=ids::STORAGE_WARNING role="region" aria-labelledby="storage-notice-label">
                    <h2 class="nhsuk-warning-callout__label" id="storage-notice-label">
                        <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"Keep what you save here safe"</span>
                    </h2>
                    <p>"This browser may clear what is saved on this device if the device runs short of space, changes you have not sent yet among them."</p>
                    <p>"To stop that, either:"</p>
                    <ul>
                        <li>"install the app on this device"
                            {move || (!install.available.get()).then_some(" (in your browser's menu: \u{201c}Install app\u{201d} or \u{201c}Add to Home screen\u{201d})")}
                        </li>
                        <li>"or connect and sync often: a change is safe once it is sent (the bar above says when everything has been sent)"</li>
                    </ul>
                    <div class="nhsuk-button-group">
                        <Show when=move || install.available.get()>
                            <button class="nhsuk-button" type="button" id=ids::INSTALL_APP on:click=install_now>"Install the app"</button>
                        </Show>
                        <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::STORAGE_NOTICE_DISMISS
                            on:click=move |_| shown.set(false)>"I understand"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

fn already_told() -> bool {
    local_storage().and_then(|s| s.get_item(SHOWN_KEY).ok().flatten()).is_some()
}

fn remember_told() {
    if let Some(storage) = local_storage() {
        storage.set_item(SHOWN_KEY, "1").ok();
    }
}
