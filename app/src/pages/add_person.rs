//! `/people/new`: add a person to the register. Saved on this device first, then sent.

use dsr_shared::{PersonForm, PersonId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextField};
use crate::element_ids as ids;
use crate::state::AppState;
use crate::{local_store, sync};

/// The element that an error on each field of the form links to.
fn field_element(field: &str) -> &'static str {
    match field {
        "given_name" => ids::GIVEN_NAME,
        "family_name" => ids::FAMILY_NAME,
        "date_of_birth" => ids::DATE_OF_BIRTH_DAY,
        "nhs_number" => ids::NHS_NUMBER,
        _ => ids::MAIN,
    }
}

#[component]
pub fn AddPersonPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let given_name = RwSignal::new(String::new());
    let family_name = RwSignal::new(String::new());
    let dob_day = RwSignal::new(String::new());
    let dob_month = RwSignal::new(String::new());
    let dob_year = RwSignal::new(String::new());
    let nhs_number = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let saving = RwSignal::new(false);
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let form = PersonForm {
            given_name: given_name.get_untracked(),
            family_name: family_name.get_untracked(),
            dob_day: dob_day.get_untracked(),
            dob_month: dob_month.get_untracked(),
            dob_year: dob_year.get_untracked(),
            nhs_number: nhs_number.get_untracked(),
        };
        let today = chrono::Local::now().date_naive();
        match form.validate(new_person_id(), today) {
            Err(found) => errors.set(found),
            Ok(person) => {
                errors.set(ValidationErrors::new());
                saving.set(true);
                let navigate = navigate.clone();
                spawn_local(async move {
                    match local_store::save_new_person(&person).await {
                        Ok(()) => {
                            state.notice.set(Some(format!("{} was saved on this device", person.full_name())));
                            state.reload_people().await;
                            sync::request(state);
                            navigate("/", Default::default());
                        }
                        Err(error) => {
                            let mut problem = ValidationErrors::new();
                            problem.add("form", format!("Nothing was saved: {error}"));
                            errors.set(problem);
                            saving.set(false);
                        }
                    }
                });
            }
        }
    };

    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        <ErrorSummary errors=errors field_id=field_element/>
        <h1>"Add a person to the register"</h1>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::GIVEN_NAME label="Given name" value=given_name error=error_for("given_name")
                width_class="nhsuk-u-width-two-thirds" autocomplete="off"/>
            <TextField id=ids::FAMILY_NAME label="Family name" value=family_name error=error_for("family_name")
                width_class="nhsuk-u-width-two-thirds" autocomplete="off"/>
            <DateField id=ids::DATE_OF_BIRTH legend="Date of birth" hint="For example, 15 3 2012"
                day=dob_day month=dob_month year=dob_year error=error_for("date_of_birth")
                part_ids=[ids::DATE_OF_BIRTH_DAY, ids::DATE_OF_BIRTH_MONTH, ids::DATE_OF_BIRTH_YEAR]/>
            <TextField id=ids::NHS_NUMBER label="NHS number (optional)"
                hint="10 digits, for example 485 777 3456. Leave it blank if you do not know it."
                value=nhs_number error=error_for("nhs_number") width_class="nhsuk-input--width-10" input_mode="numeric"/>
            <button class="nhsuk-button" id=ids::SAVE_PERSON type="submit" data-module="nhsuk-button" disabled=move || saving.get()>
                "Save person"
            </button>
        </form>
    }
}

/// A UUID v7 from the browser's clock and its cryptographic random source.
fn new_person_id() -> PersonId {
    let mut random = [0u8; 10];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        crypto.get_random_values_with_u8_array(&mut random).ok();
    }
    PersonId::from_time_and_random(js_sys::Date::now() as u64, random)
}
