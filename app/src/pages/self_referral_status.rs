//! `/self-referral/status`: a family who referred themselves checks what happened to it, with no
//! account: the reference they were given (`DSR-7K4Q`) and the child's date of birth. The answer is in
//! plain words (`dsr_shared::referral::Referral::status_for_family`); a wrong reference or date gets one
//! answer, whichever it is.

use dsr_shared::ValidationErrors;
use dsr_shared::referral::{SelfReferralStatus, SelfReferralStatusRequest};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::{self, ApiFailure};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextField};
use crate::element_ids as ids;

fn field_element(field: &str) -> &'static str {
    match field {
        "reference" => ids::STATUS_REFERENCE,
        "date_of_birth" => ids::STATUS_DOB_DAY,
        _ => ids::CHECK_SELF_REFERRAL,
    }
}

#[component]
pub fn SelfReferralStatusPage() -> impl IntoView {
    let reference = RwSignal::new(String::new());
    let (day, month, year) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let found = RwSignal::new(None::<SelfReferralStatus>);
    let busy = RwSignal::new(false);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let request = SelfReferralStatusRequest {
            reference: reference.get_untracked(),
            dob_day: day.get_untracked(),
            dob_month: month.get_untracked(),
            dob_year: year.get_untracked(),
        };
        // The server's own checks, before anything is sent.
        if let Err(problems) = request.parse() {
            found.set(None);
            return errors.set(problems);
        }
        errors.set(ValidationErrors::new());
        busy.set(true);
        spawn_local(async move {
            match api::self_referral_status(&request).await {
                Ok(status) => found.set(Some(status)),
                Err(failure) => {
                    found.set(None);
                    let mut problems = ValidationErrors::new();
                    match failure {
                        ApiFailure::Refused(error) if !error.fields.is_empty() => {
                            for f in error.fields {
                                problems.add(f.field, f.message);
                            }
                        }
                        ApiFailure::Unreachable => problems
                            .add("form", "You are not connected to the internet. Try again when you are connected."),
                        other => problems.add("form", other.to_string()),
                    }
                    errors.set(problems);
                }
            }
            busy.set(false);
        });
    };
    view! {
        <a class="nhsuk-back-link" href="/">"Back"</a>
        <h1>"Check a referral you sent"</h1>
        <p class="nhsuk-body-l">"If you asked for support for yourself or your child, you can see what has happened to it. You need the reference we gave you and the date of birth of the person it is about."</p>
        {move || found.get().map(|status| view! {
            <div class="nhsuk-card nhsuk-card--feature" id=ids::SELF_REFERRAL_STATUS>
                <div class="nhsuk-card__content nhsuk-card__content--feature">
                    <h2 class="nhsuk-card__heading nhsuk-card__heading--feature">{format!("Referral {}", status.reference)}</h2>
                    {status.lines.iter().map(|line| view! { <p class="nhsuk-body">{line.clone()}</p> }).collect_view()}
                </div>
            </div>
        })}
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::STATUS_REFERENCE label="Your reference" hint="For example, DSR-7K4Q" value=reference
                error=error_for("reference") width_class="nhsuk-input--width-10"/>
            <DateField id=ids::STATUS_DOB legend="Their date of birth" hint="For example, 4 3 2012" day=day month=month year=year
                error=error_for("date_of_birth") part_ids=[ids::STATUS_DOB_DAY, ids::STATUS_DOB_MONTH, ids::STATUS_DOB_YEAR]/>
            <button class="nhsuk-button" id=ids::CHECK_SELF_REFERRAL type="submit" disabled=move || busy.get()>
                {move || if busy.get() { "Checking…" } else { "Check" }}
            </button>
        </form>
        <p class="nhsuk-body">"If someone is in danger now, call 999. For urgent help with mental health, call NHS 111 and choose the mental health option."</p>
    }
}
