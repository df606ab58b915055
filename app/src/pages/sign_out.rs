//! `/sign-out`: signing out deletes everything this device holds. Changes only on this device (not
//! sent yet, or refused and not fixed or discarded) would be lost, so signing out is refused while
//! there are any (the device core's `may_sign_out`): the page says how many and offers to send them.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::element_ids as ids;
use crate::local_store;
use crate::session;
use crate::state::AppState;
use crate::sync;

#[component]
pub fn SignOutPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Counted from storage (works while the device is locked too).
    let unsent = LocalResource::new(|| async { local_store::outbox_count().await.unwrap_or(0) });
    let busy = RwSignal::new(false);
    let sign_out = move |_| {
        busy.set(true);
        spawn_local(async { session::sign_out(None).await });
    };
    let open = move || state.session.with(|s| s.user().is_some());

    view! {
        <a class="nhsuk-back-link" href="/">"Back"</a>
        <h1>"Sign out"</h1>
        <Suspense fallback=|| view! { <p class="nhsuk-body">"Checking this device…"</p> }>
            {move || unsent.get().map(|n| {
                let n = if open() { state.counts.with(|c| c.waiting + c.refused) } else { n };
                if n == 0 {
                    view! {
                        <p class="nhsuk-body">"Everything saved on this device has been sent. Signing out deletes this device's copy of the register."</p>
                    }.into_any()
                } else {
                    view! {
                        <div class="nhsuk-warning-callout" id=ids::SIGN_OUT_WARNING data-count=n.to_string()>
                            <h3 class="nhsuk-warning-callout__label">
                                <span role="text"><span class="nhsuk-u-visually-hidden">"Important: "</span>"Changes not sent"</span>
                            </h3>
                            <p>{if n == 1 { "1 change on this device has not reached the server. Signing out would delete it, so you cannot sign out yet: it would be lost.".to_string() }
                                else { format!("{n} changes on this device have not reached the server. Signing out would delete them, so you cannot sign out yet: they would be lost.") }}</p>
                            <p>"Connect to the internet and wait until the status bar says everything has been sent, then sign out. A change the server refused is fixed or discarded from the register first."</p>
                        </div>
                        <Show when=open>
                            <button class="nhsuk-button nhsuk-button--secondary" type="button" on:click=move |_| sync::request(state)>
                                "Try to send them now"
                            </button>
                        </Show>
                    }.into_any()
                }
            })}
        </Suspense>
        {move || {
            let n = unsent.get()?;
            let n = if open() { state.counts.with(|c| c.waiting + c.refused) } else { n };
            (n == 0).then(|| view! {
                <button class="nhsuk-button nhsuk-button--warning" id=ids::SIGN_OUT_BUTTON type="button"
                    disabled=move || busy.get() on:click=sign_out>
                    "Sign out and delete this device's copy"
                </button>
            })
        }}
    }
}
