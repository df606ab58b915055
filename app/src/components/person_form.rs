//! The person form used to add a person and to change their details: label, hint and error message
//! per field, the error summary, a draft saved as the user types, saved on this device first.

use dsr_shared::sync::{Fields, RecordKind};
use dsr_shared::{Person, PersonForm, RecordId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::Value;

use crate::components::draft::{DraftRestored, DraftSaved, use_draft};
use crate::components::duplicate::{DuplicateNotice, possible_duplicate};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextField};
use crate::element_ids as ids;
use crate::local_store;
use crate::state::AppState;

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

/// The fields this form changes on an existing person (the rest of the record is left alone).
const IDENTITY_FIELDS: [&str; 4] = ["given_name", "family_name", "date_of_birth", "nhs_number"];

#[component]
pub fn PersonFormView(
    /// The person's id: new for a new person.
    id: RecordId,
    /// The current details, when changing an existing person.
    existing: Option<Person>,
    submit_label: &'static str,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let start = existing.as_ref().map(|p| PersonForm {
        given_name: p.given_name.to_string(),
        family_name: p.family_name.to_string(),
        dob_day: p.date_of_birth.format("%-d").to_string(),
        dob_month: p.date_of_birth.format("%-m").to_string(),
        dob_year: p.date_of_birth.format("%Y").to_string(),
        nhs_number: p.nhs_number.map(|n| n.to_string()).unwrap_or_default(),
    });
    let start = start.unwrap_or_default();
    let given_name = RwSignal::new(start.given_name);
    let family_name = RwSignal::new(start.family_name);
    let dob_day = RwSignal::new(start.dob_day);
    let dob_month = RwSignal::new(start.dob_month);
    let dob_year = RwSignal::new(start.dob_year);
    let nhs_number = RwSignal::new(start.nhs_number);
    let draft_key = if existing.is_some() { format!("edit-person:{id}") } else { "add-person".to_string() };
    let draft = use_draft(
        draft_key,
        vec![
            ("given_name", given_name),
            ("family_name", family_name),
            ("dob_day", dob_day),
            ("dob_month", dob_month),
            ("dob_year", dob_year),
            ("nhs_number", nhs_number),
        ],
    );
    let is_new = existing.is_none();
    let errors = RwSignal::new(ValidationErrors::new());
    let duplicate = RwSignal::new(None);
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
        let person = match form.validate(dsr_shared::PersonId::from_uuid(id.as_uuid()), today) {
            Err(found) => return errors.set(found),
            Ok(person) => person,
        };
        // The same person twice is stopped here, offline, with a link to them (the server checks again).
        let found = possible_duplicate(state, &person);
        if let Some(found) = &found {
            let mut problem = ValidationErrors::new();
            problem.add(found.why.field(), found.why.message());
            errors.set(problem);
        }
        let stop = found.is_some();
        duplicate.set(found);
        if stop {
            return;
        }
        errors.set(ValidationErrors::new());
        saving.set(true);
        let mut values: Fields = dsr_shared::sync::fields_of(&person);
        if !is_new {
            values.retain(|field, _| IDENTITY_FIELDS.contains(&field.as_str()));
            // A cleared NHS number is removed.
            values.entry("nhs_number".to_string()).or_insert(Value::Null);
        }
        let navigate = navigate.clone();
        spawn_local(async move {
            let started = crate::timing::now();
            let saved = local_store::save(RecordKind::Person, id, values, None).await;
            crate::timing::record("dsr-save", started);
            match saved {
                Ok(()) => {
                    // Shown saved first; the draft (stopped now) is deleted after.
                    let cleared = draft.clear();
                    state.saved(format!("{} was saved on this device", person.full_name())).await;
                    let started = crate::timing::now();
                    navigate("/", Default::default());
                    crate::timing::record("dsr-navigate", started);
                    let started = crate::timing::now();
                    cleared.await;
                    crate::timing::record("dsr-draft-clear", started);
                }
                Err(error) => {
                    let mut problem = ValidationErrors::new();
                    problem.add("form", format!("Nothing was saved: {error}"));
                    errors.set(problem);
                    saving.set(false);
                }
            }
        });
    };

    view! {
        <ErrorSummary errors=errors field_id=field_element/>
        <DuplicateNotice found=duplicate/>
        <DraftRestored draft=draft/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::GIVEN_NAME label="Given name" value=given_name error=error_for("given_name")
                width_class="nhsuk-u-width-two-thirds"/>
            <TextField id=ids::FAMILY_NAME label="Family name" value=family_name error=error_for("family_name")
                width_class="nhsuk-u-width-two-thirds"/>
            <DateField id=ids::DATE_OF_BIRTH legend="Date of birth" hint="For example, 15 3 2012"
                day=dob_day month=dob_month year=dob_year error=error_for("date_of_birth")
                part_ids=[ids::DATE_OF_BIRTH_DAY, ids::DATE_OF_BIRTH_MONTH, ids::DATE_OF_BIRTH_YEAR]/>
            <TextField id=ids::NHS_NUMBER label="NHS number (optional)"
                hint="10 digits, for example 485 777 3456. Leave it blank if you do not know it."
                value=nhs_number error=error_for("nhs_number") width_class="nhsuk-input--width-10" input_mode="numeric"/>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_PERSON type="submit" disabled=move || saving.get()>
                {submit_label}
            </button>
        </form>
    }
}
