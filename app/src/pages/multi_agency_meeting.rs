//! `/people/{id}/multi-agency-meetings/new`: a multi-agency meeting about one person (for someone rated
//! Amber, NHS England's table asks for "a multi-agency meeting and/or a C(E)TR"): when, which agencies
//! took part, what was agreed. Autosaved as a draft, saved on the device, sent when there is a
//! connection; checked with the server's own rules.

use dsr_shared::ValidationErrors;
use dsr_shared::multi_agency_meeting::parse_agencies;
use dsr_shared::person::date_from_parts;
use dsr_shared::sync::{Fields, RecordKind};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::{Value, json};

use crate::components::draft::{DraftRestored, DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextAreaField};
use crate::element_ids as ids;
use crate::record_forms::{new_id, one_error, person_row, save_all, signed_in_name};
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "held_on" => ids::MAM_DAY,
        "agencies" => ids::MAM_AGENCIES,
        _ => ids::MAM_AGREED,
    }
}

#[component]
pub fn MultiAgencyMeetingPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let row = person_row(state);
    let person = row.as_ref().map(|r| r.id);
    let name = row.as_ref().and_then(|r| r.person.as_ref().map(|p| p.full_name())).unwrap_or_default();
    let today = chrono::Local::now().date_naive();
    let day = RwSignal::new(today.format("%-d").to_string());
    let month = RwSignal::new(today.format("%-m").to_string());
    let year = RwSignal::new(today.format("%Y").to_string());
    let agencies = RwSignal::new(String::new());
    let agreed = RwSignal::new(String::new());
    let draft = use_draft(
        format!("multi-agency-meeting:{}", person.map(|p| p.to_string()).unwrap_or_default()),
        vec![("day", day), ("month", month), ("year", year), ("agencies", agencies), ("agreed", agreed)],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));

    let save = Action::new_local(move |fields: &Fields| {
        let fields = fields.clone();
        async move { save_all(vec![(RecordKind::MultiAgencyMeeting, new_id(), fields)]).await }
    });
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(person) = person else { return };
        if save.pending().get_untracked() {
            return;
        }
        let mut found = ValidationErrors::new();
        let held_on =
            date_from_parts(&day.get_untracked(), &month.get_untracked(), &year.get_untracked(), "The meeting date")
                .map_err(|m| found.add("held_on", m))
                .ok();
        let list = parse_agencies(&agencies.get_untracked()).map_err(|m| found.add("agencies", m)).ok();
        found.require(agreed.with_untracked(|a| a.trim().is_empty()), "agreed", "Write what was agreed");
        let (Some(held_on), Some(list)) = (held_on, list) else { return errors.set(found) };
        if !found.is_empty() {
            return errors.set(found);
        }
        let fields: Fields = [
            ("person_id", json!(person.to_string())),
            ("held_on", json!(held_on.to_string())),
            ("agencies", json!(list)),
            ("agreed", Value::String(agreed.get_untracked())),
            ("recorded_by", Value::String(signed_in_name(state))),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        // save_all checks the server's own rules first (at least two agencies, not in the future).
        errors.set(ValidationErrors::new());
        save.dispatch(fields);
    };
    Effect::new(move |_| {
        let Some(result) = save.value().get() else { return };
        match result {
            Ok(()) => {
                let navigate = navigate.clone();
                spawn_local(async move {
                    draft.clear().await;
                    state.saved("The multi-agency meeting was saved on this device").await;
                    if let Some(person) = person {
                        navigate(&format!("/people/{person}"), Default::default());
                    }
                });
            }
            Err(found) if found.is_empty() => errors.set(one_error("agreed", "Nothing was saved: try again")),
            Err(found) => errors.set(found),
        }
    });

    view! {
        <a class="nhsuk-back-link" href=person.map(|p| format!("/people/{p}")).unwrap_or_else(|| "/".into())>"Back"</a>
        <span class="nhsuk-caption-l">{name}</span>
        <h1>"Record a multi-agency meeting"</h1>
        <p class="nhsuk-body">"For someone rated Amber, a multi-agency meeting (or a Care (Education) and Treatment Review) must take place. Saved on this device as you type, and sent when there is a connection."</p>
        <ErrorSummary errors=errors field_id=field_element/>
        <DraftRestored draft=draft/>
        <form novalidate on:submit=on_submit>
            <DateField id=ids::MAM_DATE legend="Date of the meeting" day=day month=month year=year error=error_for("held_on")
                part_ids=[ids::MAM_DAY, "multi-agency-meeting-date-month", "multi-agency-meeting-date-year"]/>
            <TextAreaField id=ids::MAM_AGENCIES label="Agencies that took part"
                hint="One on each line, for example: CAMHS, School, Children's social care" value=agencies error=error_for("agencies")/>
            <TextAreaField id=ids::MAM_AGREED label="What was agreed" value=agreed error=error_for("agreed") rows=6/>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_MULTI_AGENCY_MEETING type="submit" disabled=move || save.pending().get()>
                "Save the meeting"
            </button>
        </form>
    }
}
