//! `/people/{id}/visit-notes/new`: a keyworker's home-visit note, made for a tablet on a sofa with no
//! signal: large fields, autosaved as a draft while typing, saved on the device and sent when there is a
//! connection. Checked with the same rules as the server's.

use dsr_shared::person::date_from_parts;
use dsr_shared::sync::{Fields, RecordKind};
use dsr_shared::{RecordId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::Value;

use crate::components::draft::{DraftRestored, DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextAreaField, TextField};
use crate::element_ids as ids;
use crate::local_store;
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "visited_on" => ids::VISIT_DAY,
        "place" => ids::VISIT_PLACE,
        "young_persons_views" => ids::VISIT_YOUNG_PERSON,
        "family_views" => ids::VISIT_FAMILY,
        "risks_noticed" => ids::VISIT_RISKS,
        _ => ids::VISIT_NOTE,
    }
}

/// The note's fields as the record holds them (empty answers left out).
fn note_fields(person: RecordId, visited_on: chrono::NaiveDate, by: &str, texts: &[(&str, String)]) -> Fields {
    let mut fields = Fields::new();
    fields.insert("person_id".into(), Value::String(person.to_string()));
    fields.insert("visited_on".into(), Value::String(visited_on.to_string()));
    fields.insert("by".into(), Value::String(by.to_string()));
    for (name, text) in texts {
        if !text.trim().is_empty() {
            fields.insert((*name).to_string(), Value::String(text.clone()));
        }
    }
    fields
}

#[component]
pub fn VisitNotePage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let person = untrack(super::route_person_id());
    let name = person.and_then(|id| untrack(|| state.person(id))).and_then(|r| r.person.map(|p| p.full_name()));
    let today = chrono::Local::now().date_naive();
    let day = RwSignal::new(today.format("%-d").to_string());
    let month = RwSignal::new(today.format("%-m").to_string());
    let year = RwSignal::new(today.format("%Y").to_string());
    let place = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let young_person = RwSignal::new(String::new());
    let family = RwSignal::new(String::new());
    let risks = RwSignal::new(String::new());
    let draft = use_draft(
        format!("visit-note:{}", person.map(|p| p.to_string()).unwrap_or_default()),
        vec![
            ("day", day),
            ("month", month),
            ("year", year),
            ("place", place),
            ("note", note),
            ("young_persons_views", young_person),
            ("family_views", family),
            ("risks_noticed", risks),
        ],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let saving = RwSignal::new(false);
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(person) = person else { return };
        if saving.get_untracked() {
            return;
        }
        let by = state.session.with_untracked(|s| s.user().map(|u| u.display_name.clone())).unwrap_or_default();
        let today = chrono::Local::now().date_naive();
        let mut found = ValidationErrors::new();
        let visited_on = match date_from_parts(
            &day.get_untracked(),
            &month.get_untracked(),
            &year.get_untracked(),
            "The visit date",
        ) {
            Ok(date) => Some(date),
            Err(message) => {
                found.add("visited_on", message);
                None
            }
        };
        found.require(note.with_untracked(|n| n.trim().is_empty()), "note", "Write what happened at the visit");
        let Some(visited_on) = visited_on.filter(|_| found.is_empty()) else {
            return errors.set(found);
        };
        let texts = [
            ("place", place.get_untracked()),
            ("note", note.get_untracked()),
            ("young_persons_views", young_person.get_untracked()),
            ("family_views", family.get_untracked()),
            ("risks_noticed", risks.get_untracked()),
        ];
        let fields = note_fields(person, visited_on, &by, &texts);
        let id = RecordId::from_time_and_random(js_sys::Date::now() as u64, local_store::random_bytes());
        // The server's own rules, here first.
        if let Err(reasons) = dsr_shared::sync::validate::validate_fields(RecordKind::VisitNote, id, &fields, today) {
            let mut found = ValidationErrors::new();
            for reason in reasons {
                found.add(&reason.field, reason.message);
            }
            return errors.set(found);
        }
        errors.set(ValidationErrors::new());
        saving.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match local_store::save(RecordKind::VisitNote, id, fields, None).await {
                Ok(()) => {
                    draft.clear().await;
                    state.saved("The visit note was saved on this device").await;
                    navigate(&format!("/people/{person}"), Default::default());
                }
                Err(error) => {
                    let mut problem = ValidationErrors::new();
                    problem.add("note", format!("Nothing was saved: {error}"));
                    errors.set(problem);
                    saving.set(false);
                }
            }
        });
    };

    view! {
        <a class="nhsuk-back-link" href=person.map(|p| format!("/people/{p}")).unwrap_or_else(|| "/".into())>"Back"</a>
        <span class="nhsuk-caption-l">{name.clone().unwrap_or_default()}</span>
        <h1>"Home visit note"</h1>
        <p class="nhsuk-body">"Saved on this tablet as you type, and sent when there is a connection."</p>
        <ErrorSummary errors=errors field_id=field_element/>
        <DraftRestored draft=draft/>
        <form novalidate on:submit=on_submit>
            <DateField id=ids::VISIT_DATE legend="Date of the visit" day=day month=month year=year
                error=error_for("visited_on") part_ids=[ids::VISIT_DAY, ids::VISIT_MONTH, ids::VISIT_YEAR]/>
            <TextField id=ids::VISIT_PLACE label="Where (optional)" hint="For example: at home, at school"
                value=place error=error_for("place") width_class="nhsuk-u-width-two-thirds"/>
            <TextAreaField id=ids::VISIT_NOTE label="What happened" value=note error=error_for("note") rows=8/>
            <TextAreaField id=ids::VISIT_YOUNG_PERSON label="The young person's views (optional)"
                hint="In their own words, as they said them" value=young_person error=error_for("young_persons_views")/>
            <TextAreaField id=ids::VISIT_FAMILY label="The family's views (optional)" value=family error=error_for("family_views")/>
            <TextAreaField id=ids::VISIT_RISKS label="Risks noticed (optional)" hint="For the next DSR meeting"
                value=risks error=error_for("risks_noticed")/>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_VISIT_NOTE type="submit" disabled=move || saving.get()>"Save the note"</button>
        </form>
    }
}
