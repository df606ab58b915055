//! `/invitation`: a family member or young person uses the code their DSR coordinator gave them to
//! choose a username and password.

use dsr_shared::ValidationErrors;
use dsr_shared::accounts::AcceptInvite;
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
        "code" => ids::INVITE_CODE,
        "username" => ids::INVITE_USERNAME,
        _ => ids::INVITE_PASSWORD,
    }
}

#[component]
pub fn InvitationPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = leptos_router::hooks::use_navigate();
    let code = RwSignal::new(String::new());
    let username = RwSignal::new(String::new());
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
        let request = AcceptInvite {
            code: code.get_untracked(),
            username: username.get_untracked(),
            password: password.get_untracked(),
        };
        if let Err(found) = request.validate() {
            return errors.set(found);
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let answer = api::accept_invite(&request).await;
            let result = open_signed_in(state, answer, &request.username, &request.password).await;
            match result {
                // The register, whatever address the sign-in was on.
                Ok(()) => navigate("/", Default::default()),
                Err(found) => errors.set(found),
            }
            busy.set(false);
        });
    };

    view! {
        <a class="nhsuk-back-link" href="/">"Back to sign in"</a>
        <h1>"Set up your account"</h1>
        <p class="nhsuk-body">"Your DSR coordinator gave you a code. With it you choose a username and password. You can then fill in your planner, give your views and read the review report."</p>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::INVITE_CODE label="Your code" hint="12 letters and numbers, for example ABCD-EFGH-JKMN"
                value=code error=error_for("code") width_class="nhsuk-input--width-20"/>
            <TextField id=ids::INVITE_USERNAME label="Choose a username" hint="For example your email address, or your name and a number"
                value=username error=error_for("username") width_class="nhsuk-u-width-two-thirds" autocomplete="username"/>
            <PasswordField id=ids::INVITE_PASSWORD label="Choose a password"
                hint="At least 10 characters. Three random words work well." value=password
                error=error_for("password") autocomplete="new-password"/>
            <button class="nhsuk-button" id=ids::ACCEPT_INVITE_BUTTON type="submit" disabled=move || busy.get()>
                "Set up my account"
            </button>
        </form>
    }
}
