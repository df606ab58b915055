//! The sign-in page (shown when nobody's data is on this device), and signing in again when the
//! server's session has ended while this device kept working.

use dsr_shared::ValidationErrors;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiFailure};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{PasswordField, TextField};
use crate::element_ids as ids;
use crate::session;
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "username" => ids::SIGN_IN_USERNAME,
        _ => ids::SIGN_IN_PASSWORD,
    }
}

/// Why the app came back to the sign-in page, from its address (`?ended=...`).
fn reason_shown() -> Option<&'static str> {
    let search = web_sys::window().and_then(|w| w.location().search().ok()).unwrap_or_default();
    if search.contains("ended=account_disabled") {
        Some("Your account has been closed, so this device's copy of the register was deleted.")
    } else if search.contains("ended=device_of_another_user") {
        Some("This device held another account's data, so it was deleted. Sign in again.")
    } else if search.contains("signed_out") {
        Some("You have signed out. Nothing from the register is left on this device.")
    } else {
        None
    }
}

/// Turns an API failure into messages on the form.
pub fn problem(error: ApiFailure) -> ValidationErrors {
    let mut errors = ValidationErrors::new();
    match error {
        ApiFailure::Unreachable => errors.add(
            "form",
            "The server cannot be reached. You need a connection to sign in on this device the first time.",
        ),
        ApiFailure::Refused(e) | ApiFailure::SignedOut(e) | ApiFailure::AccessEnded(e) if e.fields.is_empty() => {
            errors.add("password", e.message)
        }
        ApiFailure::Refused(e) | ApiFailure::SignedOut(e) | ApiFailure::AccessEnded(e) => {
            for field in e.fields {
                errors.add(&field.field, field.message);
            }
        }
        ApiFailure::Server(message) => errors.add("form", format!("The server had a problem: {message}")),
    }
    errors
}

/// After the server's answer to a sign-in (or an accepted invitation): this device's data opens for
/// the user, or the form says what went wrong.
pub async fn open_signed_in(
    state: AppState,
    answer: Result<dsr_shared::accounts::SessionInfo, ApiFailure>,
    username: &str,
    password: &str,
) -> Result<(), ValidationErrors> {
    let info = answer.map_err(problem)?;
    session::signed_in(state, &info, username, password).await.map_err(|e| {
        let mut errors = ValidationErrors::new();
        errors.add("form", e.to_string());
        errors
    })
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = leptos_router::hooks::use_navigate();
    // Signing in again: the device's data stays, the username is the one it belongs to.
    let again = move || state.session.with(|s| s.user().map(|u| u.username.clone()));
    let username = RwSignal::new(again().unwrap_or_default());
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
        let (name, secret) = (username.get_untracked(), password.get_untracked());
        let mut found = ValidationErrors::new();
        found.require(name.trim().is_empty(), "username", "Enter your username");
        found.require(secret.is_empty(), "password", "Enter your password");
        if !found.is_empty() {
            return errors.set(found);
        }
        busy.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            let result = match api::login(&name, &secret).await {
                Ok(_) if again().is_some() => {
                    (session::next().signed_in_again)(state, secret).await;
                    Ok(())
                }
                answer => open_signed_in(state, answer, &name, &secret).await,
            };
            match result {
                // The register, whatever address the sign-in was on.
                Ok(()) => navigate("/", Default::default()),
                Err(found) => errors.set(found),
            }
            busy.set(false);
        });
    };

    view! {
        {reason_shown().map(|text| view! {
            <div class="nhsuk-inset-text" id=ids::SIGN_IN_MESSAGE><p>{text}</p></div>
        })}
        <h1>{move || if again().is_some() { "Sign in again to sync" } else { "Sign in" }}</h1>
        <Show when=move || again().is_some()>
            <p class="nhsuk-body">"Your session on the server has ended. Everything on this device is kept; sign in to send and fetch changes."</p>
        </Show>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::SIGN_IN_USERNAME label="Username" value=username error=error_for("username")
                width_class="nhsuk-u-width-two-thirds" autocomplete="username"/>
            <PasswordField id=ids::SIGN_IN_PASSWORD label="Password" value=password error=error_for("password")/>
            <button class="nhsuk-button" id=ids::SIGN_IN_BUTTON type="submit" disabled=move || busy.get()>
                {move || if busy.get() { "Signing in…" } else { "Sign in" }}
            </button>
        </form>
        <Show when=move || again().is_none()>
            <p class="nhsuk-body">
                <a href="/invitation" id=ids::INVITATION_LINK>"I have an invitation code"</a>
            </p>
            <p class="nhsuk-body">
                <a href="/reset-password" id=ids::FORGOTTEN_PASSWORD_LINK>"Forgotten your password? Use a reset code"</a>
                " from your DSR coordinator."
            </p>
            <h2>"No account?"</h2>
            <p class="nhsuk-body">
                <a href="/self-referral" id=ids::SELF_REFERRAL_LINK>"Ask for support for yourself or your child"</a>
            </p>
            <p class="nhsuk-body">
                <a href="/self-referral/status" id=ids::SELF_REFERRAL_STATUS_LINK>"Check a referral you sent"</a>
            </p>
        </Show>
    }
}
