//! Unlocking this device: its data is encrypted with a key only the user's password opens. Works
//! with no network.

use dsr_shared::ValidationErrors;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error_summary::ErrorSummary;
use crate::components::fields::PasswordField;
use crate::crypto::CryptoError;
use crate::element_ids as ids;
use crate::local_store::Lock;
use crate::session::{self, SessionError};
use crate::state::AppState;

#[component]
pub fn UnlockPage(lock: Lock) -> impl IntoView {
    let state = expect_context::<AppState>();
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let busy = RwSignal::new(false);
    let error_for = Signal::derive(move || errors.with(|e| e.message_for("password").map(str::to_owned)));
    let name = lock.display_name.clone();
    let area = lock.area_name.clone();

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let secret = password.get_untracked();
        if secret.is_empty() {
            let mut found = ValidationErrors::new();
            found.add("password", "Enter your password");
            return errors.set(found);
        }
        busy.set(true);
        let lock = lock.clone();
        spawn_local(async move {
            if let Err(error) = session::unlock(state, lock, &secret).await {
                let mut found = ValidationErrors::new();
                match error {
                    SessionError::Crypto(CryptoError::WrongPassword) => {
                        found.add("password", "That is not the password this device was locked with");
                    }
                    other => found.add("password", other.to_string()),
                }
                errors.set(found);
                password.set(String::new());
            }
            busy.set(false);
        });
    };

    view! {
        <h1>"Unlock this device"</h1>
        <p class="nhsuk-body">{format!("The register on this device belongs to {name} ({area}). Enter your password to open it.")}</p>
        <ErrorSummary errors=errors field_id=|_| ids::UNLOCK_PASSWORD/>
        <form novalidate on:submit=on_submit>
            <PasswordField id=ids::UNLOCK_PASSWORD label="Password" value=password error=error_for/>
            <button class="nhsuk-button" id=ids::UNLOCK_BUTTON type="submit" disabled=move || busy.get()>
                {move || if busy.get() { "Unlocking…" } else { "Unlock" }}
            </button>
        </form>
        <p class="nhsuk-body">
            <a href="/sign-out" id=ids::SIGN_OUT_LINK>"Not you? Sign out"</a>
            " (this deletes everything on this device, including changes not sent yet)."
        </p>
    }
}
