//! Unlocking this device: its data is encrypted with a key only the user's password opens. Works
//! with no network. A forgotten password is not the end of what the device holds: with a reset code
//! from the DSR coordinator (and a connection) the user chooses a new password here, and the data key,
//! opened with the device's recovery secret, is wrapped with it; changes not sent yet are kept.

use dsr_shared::ValidationErrors;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{PasswordField, TextField};
use crate::crypto::CryptoError;
use crate::element_ids as ids;
use crate::local_store::Lock;
use crate::session::{self, RecoveryError, SessionError};
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
    let reset = reset_form(state, lock.clone());

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
        {reset}
        <p class="nhsuk-body">
            <a href="/sign-out" id=ids::SIGN_OUT_LINK>"Not you? Sign out"</a>
            " (this deletes everything on this device, including changes not sent yet)."
        </p>
    }
}

fn reset_field(field: &str) -> &'static str {
    match field {
        "code" => ids::RESET_CODE,
        _ => ids::RESET_PASSWORD,
    }
}

/// "Forgotten your password?": a reset code and a new password open the device, keeping everything.
fn reset_form(state: AppState, lock: Lock) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let busy = RwSignal::new(false);
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = dsr_shared::accounts::ResetPassword {
            username: lock.username.clone(),
            code: code.get_untracked(),
            password: password.get_untracked(),
        };
        if let Err(found) = request.validate() {
            return errors.set(found);
        }
        busy.set(true);
        let lock = lock.clone();
        spawn_local(async move {
            if let Err(error) = session::reset_and_unlock(state, lock, &request.code, &request.password).await {
                errors.set(match error {
                    RecoveryError::Server(failure) => failure.form_errors(
                        "code",
                        "There is no connection: choosing a new password needs one. Try again when you have signal.",
                    ),
                    other => {
                        let mut found = ValidationErrors::new();
                        found.add("code", other.to_string());
                        found
                    }
                });
            }
            busy.set(false);
        });
    };
    view! {
        <details class="nhsuk-details" id=ids::FORGOTTEN_PASSWORD>
            <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"Forgotten your password?"</span></summary>
            <div class="nhsuk-details__text">
                <p>"Ask your DSR coordinator for a reset code. With it you choose a new password here. Everything on this device stays, including changes not sent yet."</p>
                <p>"You need a connection for this."</p>
                <ErrorSummary errors=errors field_id=reset_field/>
                <form novalidate on:submit=on_submit>
                    <TextField id=ids::RESET_CODE label="Reset code" hint="12 letters and numbers, for example ABCD-EFGH-JKMN"
                        value=code error=error_for("code") width_class="nhsuk-input--width-20"/>
                    <PasswordField id=ids::RESET_PASSWORD label="Choose a new password"
                        hint="At least 10 characters. Three random words work well." value=password
                        error=error_for("password") autocomplete="new-password"/>
                    <button class="nhsuk-button" id=ids::RESET_BUTTON type="submit" disabled=move || busy.get()>
                        {move || if busy.get() { "Unlocking…" } else { "Choose the new password and unlock" }}
                    </button>
                </form>
            </div>
        </details>
    }
}
