//! The door: a small build of the app (`src/bin/dsr-door.rs`) with only the pages someone without
//! an account, or not yet signed in, needs: sign in, an invitation, a reset code, the self-referral
//! form and its status. It is what a first visit downloads (a parent following the self-referral link,
//! a keyworker opening the app for the first time on a mobile connection), a fraction of the whole app.
//!
//! The rest of the app (the register, sync, every staff and family page) is a second build, loaded by
//! the door when it is needed: at once on a device that holds someone's data (its unlock page is the
//! app's), after a sign-in, and in the background as soon as someone starts typing on the sign-in page.
//! Its files are named in `index.html` (`<link rel="dsr-app-script">`, `<link rel="dsr-app-wasm">`,
//! hashed by `scripts/finish-build.mjs`) and loaded by the page's start-up script (`dsrLoadApp`,
//! `dsrStartApp` in `app/index.html`). After a sign-in the door hands over the opened data key (it
//! cannot be read out, only used) with the user's id, so nobody types their password twice. A failed
//! load is shown with a way to try again, never a page that does nothing.

use std::any::Any;
use std::cell::RefCell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::Router;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::CryptoKey;

use crate::app::{SignedOutPages, register_service_worker};
use crate::components::header::Header;
use crate::components::page::FocusOnNavigation;
use crate::crypto::{self, CryptoError};
use crate::element_ids as ids;
use crate::local_store::{self, Lock};
use crate::session::{Next, SessionError};
use crate::state::{AppState, Session};

/// The opened data key of the user the door just signed in, for the app.
pub struct Handover {
    pub user_id: String,
    pub key: CryptoKey,
}

/// Where the handover waits for the app, on the page's global object (both builds run in one page).
const HANDOVER: &str = "dsrHandover";

thread_local! {
    /// The door's mounted view, dropped (unmounted) when the app takes over the page.
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
    /// A sign-in's handover, kept until the app has loaded (and again if it failed to).
    static PENDING: RefCell<Option<Handover>> = const { RefCell::new(None) };
    /// The door's reactive owner, cleaned up (its router's and its own listeners removed) when the app
    /// takes the page over: the app's router must be the only one handling links.
    static OWNER: RefCell<Option<Owner>> = const { RefCell::new(None) };
    /// Why the app did not load, for the page to say (set up by [`Door`]).
    static FAILED: RefCell<Option<RwSignal<Option<String>>>> = const { RefCell::new(None) };
}

/// In the door: after a sign-in, hand over to the app (there is no one to sign in again here).
pub const IN_THE_DOOR: Next =
    Next { open: |state, lock| Box::pin(hand_over(state, lock)), signed_in_again: |_, _| Box::pin(async {}) };

/// Takes away `index.html`'s static "Opening…" shell: the build starting now shows its own view.
pub fn remove_static_shell() {
    if let Some(shell) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.get_element_by_id("dsr-shell")) {
        shell.remove();
    }
}

/// Keeps the door's mounted view until the app takes the page over.
pub fn keep_mounted(mounted: Box<dyn Any>) {
    MOUNTED.with(|m| *m.borrow_mut() = Some(mounted));
}

/// The door's whole page: the signed-out pages, or "Opening…" while the app loads, or what went wrong.
#[component]
pub fn Door() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    let failed = RwSignal::new(None::<String>);
    FAILED.with(|f| *f.borrow_mut() = Some(failed));
    OWNER.with(|o| *o.borrow_mut() = Owner::current());
    register_service_worker();
    spawn_local(async move {
        match local_store::lock().await {
            // Someone's data is here: the app opens it (its unlock page).
            Ok(Some(_)) => start_app(failed).await,
            Ok(None) => state.session.set(Session::SignedOut),
            Err(error) => {
                state.storage_problem.set(Some(error.to_string()));
                state.session.set(Session::SignedOut);
            }
        }
    });
    // The app is fetched as soon as someone starts to sign in, so it is there (or nearly) when they have.
    let typing = window_event_listener(leptos::ev::input, |event| {
        let on_sign_in = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|e| e.id() == ids::SIGN_IN_USERNAME || e.id() == ids::SIGN_IN_PASSWORD);
        if on_sign_in {
            spawn_local(async {
                load_app().await.ok();
            });
        }
    });
    on_cleanup(move || typing.remove());
    view! {
        <Router>
            <FocusOnNavigation/>
            <a class="nhsuk-skip-link" href=format!("#{}", ids::MAIN)>"Skip to main content"</a>
            <Header/>
            <div class="nhsuk-width-container">
                <main class="nhsuk-main-wrapper" id=ids::MAIN role="main">
                    {move || match state.session.get() {
                        Session::SignedOut => view! { <SignedOutPages/> }.into_any(),
                        _ => view! { <Opening/> }.into_any(),
                    }}
                </main>
            </div>
        </Router>
    }
}

/// While the app loads; or why it did not, with a way to try again.
#[component]
fn Opening() -> impl IntoView {
    let Some(failed) = FAILED.with(|f| *f.borrow()) else { return ().into_any() };
    let again = move |_| {
        failed.set(None);
        spawn_local(start_app(failed));
    };
    view! {
        {move || match failed.get() {
            None => view! {
                <p class="nhsuk-body" id=ids::APP_LOADING role="status">"Opening the register on this device…"</p>
            }.into_any(),
            Some(problem) => view! {
                <div class="nhsuk-error-summary" id=ids::APP_LOAD_FAILED role="alert" tabindex="-1">
                    <h2 class="nhsuk-error-summary__title">"The rest of the app could not be loaded"</h2>
                    <div class="nhsuk-error-summary__body">
                        <p>"Check this device's connection, then try again. Nothing you saved is lost."</p>
                        <p class="nhsuk-body-s">{problem}</p>
                    </div>
                </div>
                <button class="nhsuk-button" type="button" id=ids::APP_LOAD_AGAIN on:click=again>"Try again"</button>
            }.into_any(),
        }}
    }
    .into_any()
}

/// After a sign-in: the opened key kept for the app, the address set to the register, the app loaded.
async fn hand_over(state: AppState, lock: Lock) -> Result<(), SessionError> {
    let key = crypto::open_key().ok_or(SessionError::Crypto(CryptoError::Locked))?;
    PENDING.with(|p| *p.borrow_mut() = Some(Handover { user_id: lock.user_id.clone(), key }));
    crypto::lock();
    state.session.set(Session::Starting);
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        history.replace_state_with_url(&JsValue::NULL, "", Some("/")).ok();
    }
    if let Some(failed) = FAILED.with(|f| *f.borrow()) {
        spawn_local(start_app(failed));
    }
    Ok(())
}

/// Loads the app; once loaded, leaves the page to it (with the handover, if a sign-in made one).
async fn start_app(failed: RwSignal<Option<String>>) {
    if let Err(problem) = load_app().await {
        failed.set(Some(problem));
        return;
    }
    if let Some(handover) = PENDING.with(|p| p.borrow_mut().take()) {
        let value = js_sys::Object::new();
        js_sys::Reflect::set(&value, &"userId".into(), &handover.user_id.into()).ok();
        js_sys::Reflect::set(&value, &"key".into(), &handover.key).ok();
        js_sys::Reflect::set(&js_sys::global(), &HANDOVER.into(), &value).ok();
    }
    // The door leaves the page (its listeners with it); the app's own view takes its place.
    FAILED.with(|f| f.borrow_mut().take());
    if let Some(owner) = OWNER.with(|o| o.borrow_mut().take()) {
        owner.cleanup();
    }
    MOUNTED.with(|m| m.borrow_mut().take());
    if let Err(problem) = call_global("dsrStartApp").await {
        // Nothing of the door is left to show it in: the page says so itself.
        if let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
            body.set_inner_html(&format!(
                "<div class=\"nhsuk-width-container\"><main class=\"nhsuk-main-wrapper\" id=\"{}\"><h1>The app could not start</h1>\
                 <p class=\"nhsuk-body\">Nothing you saved is lost. <a href=\"/\">Open the app again</a>.</p></main></div>",
                ids::APP_LOAD_FAILED
            ));
        }
        leptos::logging::error!("the app could not start: {problem}");
    }
}

/// The app's script and WebAssembly fetched and compiled (once; again after a failure).
async fn load_app() -> Result<(), String> {
    call_global("dsrLoadApp").await.map(|_| ())
}

/// Calls one of the page's start-up functions and waits for its promise.
async fn call_global(name: &str) -> Result<JsValue, String> {
    let function = js_sys::Reflect::get(&js_sys::global(), &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or_else(|| format!("the page has no {name}"))?;
    let promise = function
        .call0(&JsValue::NULL)
        .map_err(describe)?
        .dyn_into::<js_sys::Promise>()
        .map_err(|_| format!("{name} gave no promise"))?;
    JsFuture::from(promise).await.map_err(describe)
}

fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".to_string())
}

/// In the app, at start: the key the door handed over, if it did (taken: read once).
pub fn take_handover() -> Option<Handover> {
    let global = js_sys::global();
    let value = js_sys::Reflect::get(&global, &HANDOVER.into()).ok().filter(|v| v.is_object())?;
    js_sys::Reflect::delete_property(global.unchecked_ref::<js_sys::Object>(), &HANDOVER.into()).ok();
    let user_id = js_sys::Reflect::get(&value, &"userId".into()).ok()?.as_string()?;
    let key = js_sys::Reflect::get(&value, &"key".into()).ok()?.dyn_into::<CryptoKey>().ok()?;
    Some(Handover { user_id, key })
}
