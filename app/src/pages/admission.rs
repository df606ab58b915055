//! `/people/{id}/admission/new` and `/people/{id}/discharge`: recording an admission to a mental health
//! hospital makes the person Blue (a rating change with the admission as its source) and starts the
//! inpatient review clock; a discharge asks for the new rating and why.

use dsr_shared::admission::current_admission;
use dsr_shared::person::date_from_parts;
use dsr_shared::rating::{Rating, RatingSource, current_rating};
use dsr_shared::sync::{Fields, RecordKind};
use dsr_shared::{RecordId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::{Value, json};

use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextAreaField, TextField, checkbox};
use crate::element_ids as ids;
use crate::record_forms::{long_date, new_id, person_row, rating_change, save_all, signed_in_name};
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "hospital" => ids::ADMISSION_HOSPITAL,
        "admitted_on" => ids::ADMISSION_DAY,
        "discharged_on" => ids::DISCHARGE_DAY,
        "to" => ids::DISCHARGE_RATING,
        "reason" => ids::DISCHARGE_REASON,
        _ => ids::MAIN,
    }
}

#[component]
pub fn AdmissionPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let row = person_row(state);
    let today = chrono::Local::now().date_naive();
    let hospital = RwSignal::new(String::new());
    let (day, month, year) = (
        RwSignal::new(today.format("%-d").to_string()),
        RwSignal::new(today.format("%-m").to_string()),
        RwSignal::new(today.format("%Y").to_string()),
    );
    let secure = RwSignal::new(false);
    let out_of_area = RwSignal::new(false);
    let key = row.as_ref().map(|r| r.id.to_string()).unwrap_or_default();
    let draft = use_draft(
        format!("admission:{key}"),
        vec![("hospital", hospital), ("day", day), ("month", month), ("year", year)],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let name = row.as_ref().and_then(|r| r.person.as_ref().map(|p| p.full_name())).unwrap_or_default();
    let person = row.as_ref().map(|r| r.id);
    let from = row.as_ref().and_then(|r| r.file.as_ref()).and_then(|f| current_rating(&f.ratings)).map(|r| r.to);
    // Whether a community review came before is worked out from the reviews on record, never ticked.
    let file = row.as_ref().and_then(|r| r.file.clone());
    let policy = state.area_policy();
    let community_before = Memo::new(move |_| {
        let admitted_on = date_from_parts(&day.get(), &month.get(), &year.get(), "The admission date").ok()?;
        let file = file.as_ref()?;
        let counts_for = policy.reviews.community_review_counts_for;
        Some(match file.community_review_before(admitted_on, counts_for, &policy.calendar) {
            Some(review) => format!(
                "A community {} was held on {}: no post-admission review is needed, and the first inpatient review follows from the admission.",
                review.name.short(),
                review.meeting_on.map(long_date).unwrap_or_default()
            ),
            None => format!(
                "No community C(E)TR held in the {counts_for} before this date is on record (an LAEP does not count): a post-admission review will be due.",
            ),
        })
    });

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(person) = person else { return };
        let mut found = ValidationErrors::new();
        let admitted_on =
            date_from_parts(&day.get_untracked(), &month.get_untracked(), &year.get_untracked(), "The admission date")
                .map_err(|m| found.add("admitted_on", m))
                .ok();
        found.require(hospital.with_untracked(|h| h.trim().is_empty()), "hospital", "Enter the hospital");
        let Some(admitted_on) = admitted_on.filter(|_| found.is_empty()) else { return errors.set(found) };
        let hospital_name = hospital.get_untracked().trim().to_string();
        let admission: Fields = [
            ("person_id", json!(person.to_string())),
            ("hospital", json!(hospital_name)),
            ("admitted_on", json!(admitted_on.to_string())),
            ("secure", json!(secure.get_untracked())),
            ("out_of_area", json!(out_of_area.get_untracked())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let blue = rating_change(
            person,
            from,
            Rating::Blue,
            &format!("Admitted to {hospital_name}"),
            &signed_in_name(state),
            RatingSource::Admission,
        );
        let navigate = navigate.clone();
        spawn_local(async move {
            match save_all(vec![
                (RecordKind::Admission, new_id(), admission),
                (RecordKind::RatingChange, new_id(), blue),
            ])
            .await
            {
                Ok(()) => {
                    draft.clear().await;
                    state.saved("The admission was recorded on this device: the person is Blue").await;
                    navigate(&format!("/people/{person}"), Default::default());
                }
                Err(found) => errors.set(found),
            }
        });
    };
    view! {
        <a class="nhsuk-back-link" href=person.map(|p| format!("/people/{p}")).unwrap_or_else(|| "/".into())>"Back"</a>
        <span class="nhsuk-caption-l">{name}</span>
        <h1>"Record an admission"</h1>
        <p class="nhsuk-body">"The person becomes Blue, and the inpatient review clock starts."</p>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::ADMISSION_HOSPITAL label="Hospital" value=hospital error=error_for("hospital") width_class="nhsuk-u-width-two-thirds"/>
            <DateField id=ids::ADMISSION_DATE legend="Date of admission" day=day month=month year=year error=error_for("admitted_on")
                part_ids=[ids::ADMISSION_DAY, "admission-date-month", "admission-date-year"]/>
            <div class="nhsuk-checkboxes nhsuk-u-margin-bottom-5">
                {checkbox(ids::ADMISSION_SECURE, "A secure setting", secure)}
                {checkbox(ids::ADMISSION_OUT_OF_AREA, "Placed out of area", out_of_area)}
            </div>
            {move || community_before.get().map(|text| view! {
                <div class="nhsuk-inset-text" id=ids::ADMISSION_COMMUNITY_REVIEW><p>{text}</p></div>
            })}
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_ADMISSION type="submit">"Record the admission"</button>
        </form>
    }
}

#[component]
pub fn DischargePage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let row = person_row(state);
    let today = chrono::Local::now().date_naive();
    let (day, month, year) = (
        RwSignal::new(today.format("%-d").to_string()),
        RwSignal::new(today.format("%-m").to_string()),
        RwSignal::new(today.format("%Y").to_string()),
    );
    let rating = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let key = row.as_ref().map(|r| r.id.to_string()).unwrap_or_default();
    let draft = use_draft(
        format!("discharge:{key}"),
        vec![("rating", rating), ("reason", reason), ("day", day), ("month", month), ("year", year)],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let name = row.as_ref().and_then(|r| r.person.as_ref().map(|p| p.full_name())).unwrap_or_default();
    let person = row.as_ref().map(|r| r.id);
    let admission =
        row.as_ref().and_then(|r| r.file.as_ref()).and_then(|f| current_admission(&f.admissions, today).cloned());

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(person), Some(admission)) = (person, admission.clone()) else { return };
        let mut found = ValidationErrors::new();
        let discharged_on =
            date_from_parts(&day.get_untracked(), &month.get_untracked(), &year.get_untracked(), "The discharge date")
                .map_err(|m| found.add("discharged_on", m))
                .ok();
        let to = match rating.get_untracked().as_str() {
            "red" => Some(Rating::Red),
            "amber" => Some(Rating::Amber),
            "green" => Some(Rating::Green),
            _ => None,
        };
        found.require(to.is_none(), "to", "Choose the rating after discharge");
        found.require(reason.with_untracked(|r| r.trim().is_empty()), "reason", "Say why this rating");
        let (Some(discharged_on), Some(to)) = (discharged_on, to) else { return errors.set(found) };
        if !found.is_empty() {
            return errors.set(found);
        }
        let mut stay: Fields = match serde_json::to_value(&admission) {
            Ok(Value::Object(map)) => map.into_iter().filter(|(k, v)| k != "id" && !v.is_null()).collect(),
            _ => Fields::new(),
        };
        stay.insert("discharged_on".into(), json!(discharged_on.to_string()));
        let change = rating_change(
            person,
            Some(Rating::Blue),
            to,
            reason.get_untracked().trim(),
            &signed_in_name(state),
            RatingSource::Discharge,
        );
        let admission_id = RecordId::from_uuid(admission.id.as_uuid());
        let navigate = navigate.clone();
        spawn_local(async move {
            match save_all(vec![
                (RecordKind::Admission, admission_id, stay),
                (RecordKind::RatingChange, new_id(), change),
            ])
            .await
            {
                Ok(()) => {
                    draft.clear().await;
                    state.saved("The discharge was recorded on this device").await;
                    navigate(&format!("/people/{person}"), Default::default());
                }
                Err(found) => errors.set(found),
            }
        });
    };
    let radio = move |id: &'static str, value: &'static str, label: &'static str| {
        view! {
            <div class="nhsuk-radios__item">
                <input class="nhsuk-radios__input" id=id name="rating" type="radio" value=value
                    prop:checked=move || rating.get() == value on:change=move |_| rating.set(value.to_string())/>
                <label class="nhsuk-label nhsuk-radios__label" for=id>{label}</label>
            </div>
        }
    };
    view! {
        <a class="nhsuk-back-link" href=person.map(|p| format!("/people/{p}")).unwrap_or_else(|| "/".into())>"Back"</a>
        <span class="nhsuk-caption-l">{name}</span>
        <h1>"Record a discharge"</h1>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            <DateField id=ids::DISCHARGE_DATE legend="Date of discharge" day=day month=month year=year error=error_for("discharged_on")
                part_ids=[ids::DISCHARGE_DAY, "discharge-date-month", "discharge-date-year"]/>
            <div class=move || if error_for("to").get().is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                <fieldset class="nhsuk-fieldset" id=ids::DISCHARGE_RATING>
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Their rating now"</legend>
                    {move || error_for("to").get().map(|m| view! { <span class="nhsuk-error-message">{m}</span> })}
                    <div class="nhsuk-radios">
                        {radio(ids::DISCHARGE_RED, "red", "Red: immediate risk of admission")}
                        {radio(ids::DISCHARGE_AMBER, "amber", "Amber: at risk without urgent help")}
                        {radio(ids::DISCHARGE_GREEN, "green", "Green: risks managed well at the moment")}
                    </div>
                </fieldset>
            </div>
            <TextAreaField id=ids::DISCHARGE_REASON label="Why this rating" value=reason error=error_for("reason")/>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_DISCHARGE type="submit">"Record the discharge"</button>
        </form>
    }
}
