//! `/reset-password`: someone who has forgotten their password, on a device with nobody's data on it,
//! chooses a new one with the reset code their DSR coordinator gave them, and is signed in. (A device
//! locked with someone's data has the same form on its unlock page, which keeps that data.)

use dsr_shared::ValidationErrors;
use dsr_shared::accounts::ResetPassword;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api;
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{PasswordField, TextField};
use crate::element_ids as ids;
use crate::pages::sign_in::open_signed_in;
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "username" => ids::RESET_USERNAME,
        "code" => ids::RESET_CODE,
        _ => ids::RESET_PASSWORD,
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = leptos_router::hooks::use_navigate();
    let username = RwSignal::new(String::new());
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
        let request = ResetPassword {
            username: username.get_untracked(),
            code: code.get_untracked(),
            password: password.get_untracked(),
        };
        if let Err(found) = request.validate() {
            return errors.set(found);
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let answer = api::reset_password(&request).await;
            match open_signed_in(state, answer, &request.username, &request.password).await {
                Ok(()) => navigate("/", Default::default()),
                Err(found) => errors.set(found),
            }
            busy.set(false);
        });
    };
    view! {
        <a class="nhsuk-back-link" href="/">"Back to sign in"</a>
        <h1>"Choose a new password"</h1>
        <p class="nhsuk-body">"If you have forgotten your password, ask your DSR coordinator for a reset code. It works once, for 3 days."</p>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::RESET_USERNAME label="Your username" value=username error=error_for("username")
                width_class="nhsuk-u-width-two-thirds" autocomplete="username"/>
            <TextField id=ids::RESET_CODE label="Reset code" hint="12 letters and numbers, for example ABCD-EFGH-JKMN"
                value=code error=error_for("code") width_class="nhsuk-input--width-20"/>
            <PasswordField id=ids::RESET_PASSWORD label="Choose a new password"
                hint="At least 10 characters. Three random words work well." value=password
                error=error_for("password") autocomplete="new-password"/>
            <button class="nhsuk-button" id=ids::RESET_BUTTON type="submit" disabled=move || busy.get()>
                "Choose the new password and sign in"
            </button>
        </form>
    }
}
