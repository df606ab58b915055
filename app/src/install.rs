//! Installing the app on this device: the browser's install prompt (`beforeinstallprompt`) is kept
//! until the person asks for it, and the storage notice offers it. An installed app's storage is kept
//! by the browser (it is not cleared under pressure), so installing is the first thing the notice
//! suggests.

use std::cell::RefCell;

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// The browser's install prompt, held back until the person asks for it.
    static PROMPT: RefCell<Option<JsValue>> = const { RefCell::new(None) };
}

/// Whether the browser can install the app now (it offered its prompt and the app is not installed).
#[derive(Debug, Clone, Copy)]
pub struct Install {
    pub available: RwSignal<bool>,
    /// Installed in this page's lifetime (`appinstalled`), or opened as the installed app.
    pub installed: RwSignal<bool>,
}

impl Install {
    /// Listens for the browser's install prompt and for the app being installed.
    pub fn listen() -> Self {
        let install = Install { available: RwSignal::new(false), installed: RwSignal::new(running_installed()) };
        // Offered before the app was loaded: the page's start-up script kept it (`app/index.html`).
        let early = js_sys::Reflect::get(&js_sys::global(), &"dsrInstallPrompt".into()).ok().filter(|e| e.is_object());
        if let Some(event) = early {
            PROMPT.with(|p| *p.borrow_mut() = Some(event));
            install.available.set(true);
        }
        // Kept as long as the page: the browser may offer its prompt at any moment.
        let offered = window_event_listener_untyped("beforeinstallprompt", move |event| {
            // The browser's own banner is not shown: the notice offers installing when it helps.
            event.prevent_default();
            PROMPT.with(|p| *p.borrow_mut() = Some(event.into()));
            install.available.set(true);
        });
        let done = window_event_listener_untyped("appinstalled", move |_| {
            PROMPT.with(|p| p.borrow_mut().take());
            install.available.set(false);
            install.installed.set(true);
        });
        std::mem::forget((offered, done));
        install
    }

    /// Shows the browser's install prompt; true when the person accepted.
    pub async fn prompt(self) -> bool {
        let Some(event) = PROMPT.with(|p| p.borrow_mut().take()) else { return false };
        self.available.set(false);
        let shown = js_sys::Reflect::get(&event, &"prompt".into())
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
            .and_then(|prompt| prompt.call0(&event).ok());
        if let Some(promise) = shown.and_then(|p| p.dyn_into::<js_sys::Promise>().ok()) {
            JsFuture::from(promise).await.ok();
        }
        // `userChoice`: `{ outcome: "accepted" | "dismissed" }`.
        let choice = js_sys::Reflect::get(&event, &"userChoice".into()).ok();
        let outcome = match choice.and_then(|c| c.dyn_into::<js_sys::Promise>().ok()) {
            Some(promise) => JsFuture::from(promise).await.ok(),
            None => None,
        };
        let accepted = outcome
            .and_then(|o| js_sys::Reflect::get(&o, &"outcome".into()).ok())
            .and_then(|o| o.as_string())
            .is_some_and(|o| o == "accepted");
        if accepted {
            self.installed.set(true);
        }
        accepted
    }
}

/// Whether this page runs as the installed app (its own window, no browser bar).
fn running_installed() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(display-mode: standalone)").ok().flatten())
        .is_some_and(|m| m.matches())
}
