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
use dsr_shared::sync::device;

#[component]
pub fn SignOutPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    // The device core's rule, over the copy in memory when the data is open (it follows every send),
    // else over storage (works while the device is locked too; storage it cannot read holds nothing
    // that could be sent, so it does not stop the sign-out).
    let stored = LocalResource::new(|| async { local_store::may_sign_out().await.unwrap_or(Ok(())) });
    let busy = RwSignal::new(false);
    let sign_out = move |_| {
        busy.set(true);
        spawn_local(async { session::sign_out(None).await });
    };
    let open = move || state.session.with(|s| s.user().is_some());
    // How many changes are only on this device (`None` while storage is being read).
    let unsent = move || {
        let rule = if open() {
            state.counts.track();
            state.copy.with_value(|c| device::may_sign_out(&c.store.entries()))
        } else {
            stored.get()?
        };
        Some(rule.err().map_or(0, |u| u.waiting + u.refused))
    };

    view! {
        <a class="nhsuk-back-link" href="/">"Back"</a>
        <h1>"Sign out"</h1>
        <Suspense fallback=|| view! { <p class="nhsuk-body">"Checking this device…"</p> }>
            {move || unsent().map(|n| {
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
            (unsent()? == 0).then(|| view! {
                <button class="nhsuk-button nhsuk-button--warning" id=ids::SIGN_OUT_BUTTON type="button"
                    disabled=move || busy.get() on:click=sign_out>
                    "Sign out and delete this device's copy"
                </button>
            })
        }}
    }
}
