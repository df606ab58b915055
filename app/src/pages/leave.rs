//! `/people/{id}/leave`: taking someone off the register: what will happen, then why, the date, and who
//! asked for it; their details are removed by the server when the area's retention period has passed.
//! `/people/{id}/erase`: an erasure request: what will happen, who asked and why, carried out at once by
//! the server (it needs a connection). Neither is ever one tap.

use dsr_shared::person::{LeaveReason, Person, RegisterStatus, date_from_parts};
use dsr_shared::sync::RecordKind;
use dsr_shared::{PersonId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::api;
use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextAreaField, TextField};
use crate::components::what_will_happen::WhatWillHappen;
use crate::element_ids as ids;
use crate::local_store;
use crate::record_forms::{fields_of, person_row};
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "on" => ids::LEAVE_DAY,
        "asked_by" => ids::LEAVE_ASKED_BY,
        "reason" => ids::LEAVE_NOTE,
        _ => ids::LEAVE_REASON,
    }
}

fn erase_field(field: &str) -> &'static str {
    match field {
        "asked_by" => ids::ERASE_ASKED_BY,
        _ => ids::ERASE_REASON,
    }
}

#[component]
pub fn LeavePage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let Some((id, person)) = person_row(state).and_then(|r| Some((r.id, r.person?))) else {
        return view! { <h1>"This person's record needs fixing first"</h1> }.into_any();
    };
    let today = chrono::Local::now().date_naive();
    let reason = RwSignal::new(String::new());
    let (day, month, year) = (
        RwSignal::new(today.format("%-d").to_string()),
        RwSignal::new(today.format("%-m").to_string()),
        RwSignal::new(today.format("%Y").to_string()),
    );
    let asked_by = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let draft = use_draft(
        format!("leave:{id}"),
        vec![
            ("reason", reason),
            ("day", day),
            ("month", month),
            ("year", year),
            ("asked_by", asked_by),
            ("note", note),
        ],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let retention = state.area_policy().retention_after_leaving;
    let name = person.full_name();
    let on_submit = {
        let person = person.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let mut found = ValidationErrors::new();
            let chosen = LeaveReason::CHOSEN.into_iter().find(|r| r.name() == reason.get_untracked());
            if chosen.is_none() {
                found.add("leave", "Choose why they are leaving the register");
            }
            let on = date_from_parts(&day.get_untracked(), &month.get_untracked(), &year.get_untracked(), "The date")
                .map_err(|m| found.add("on", m))
                .ok();
            found.require(on.is_some_and(|on| on > today), "on", "The date they leave cannot be in the future");
            let asked = dsr_shared::text::WhoAsked::parse(
                &asked_by.get_untracked(),
                "Say who asked for them to be taken off the register (it may be you: the DSR meeting's decision)",
                &note.get_untracked(),
                None,
            )
            .map_err(|e| e.into_fields().into_iter().for_each(|f| found.add(f.field, f.message)))
            .ok();
            let (Some(reason), Some(on), Some(asked)) = (chosen.filter(|_| found.is_empty()), on, asked) else {
                return errors.set(found);
            };
            let updated = Person {
                register_status: RegisterStatus::Left { on, reason },
                leaving_asked_by: Some(asked.asked_by),
                leaving_note: asked.reason,
                ..person.clone()
            };
            let navigate = navigate.clone();
            let name = person.full_name();
            spawn_local(async move {
                match local_store::save(RecordKind::Person, id, fields_of(&updated), None).await {
                    Ok(()) => {
                        draft.clear().await;
                        state.saved(format!("{name} is off the register. This was saved on this device.")).await;
                        navigate(&format!("/people/{id}"), Default::default());
                    }
                    Err(error) => {
                        let mut found = ValidationErrors::new();
                        found.add("leave", format!("Nothing was saved: {error}"));
                        errors.set(found);
                    }
                }
            });
        }
    };
    view! {
        <a class="nhsuk-back-link" href=format!("/people/{id}")>"Back"</a>
        <span class="nhsuk-caption-l">{name}</span>
        <h1>"Take off the register"</h1>
        <WhatWillHappen id=ids::LEAVE_EFFECTS effects=Person::leaving_effects(retention)/>
        <p class="nhsuk-body">"If they ask for their data to be erased now, use an erasure request instead."</p>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            <div class=move || if error_for("leave").get().is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                <fieldset class="nhsuk-fieldset" id=ids::LEAVE_REASON>
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Why are they leaving?"</legend>
                    {move || error_for("leave").get().map(|m| view! { <span class="nhsuk-error-message">{m}</span> })}
                    <div class="nhsuk-radios">
                        {LeaveReason::CHOSEN.into_iter().map(|r| {
                            let id = ids::leave_reason(r.name());
                            view! {
                                <div class="nhsuk-radios__item">
                                    <input class="nhsuk-radios__input" id=id.clone() name="leave" type="radio" value=r.name()
                                        prop:checked=move || reason.get() == r.name() on:change=move |_| reason.set(r.name().into())/>
                                    <label class="nhsuk-label nhsuk-radios__label" for=id>{r.label()}</label>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            </div>
            <DateField id=ids::LEAVE_DATE legend="Date they leave" day=day month=month year=year error=error_for("on")
                part_ids=[ids::LEAVE_DAY, "leave-date-month", "leave-date-year"]/>
            <TextField id=ids::LEAVE_ASKED_BY label="Who asked for this?"
                hint="Their name and who they are, for example: Sam Parent, his mother; or the DSR meeting of 8 December"
                value=asked_by error=error_for("asked_by")/>
            <TextAreaField id=ids::LEAVE_NOTE label="Anything they said about why (optional)" value=note error=error_for("reason") rows=3/>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_LEAVE type="submit">"Take off the register"</button>
        </form>
    }
    .into_any()
}

#[component]
pub fn ErasePage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let Some((id, person)) = person_row(state).and_then(|r| Some((r.id, r.person?))) else {
        return view! { <h1>"This person's record needs fixing first"</h1> }.into_any();
    };
    let asked_by = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let busy = RwSignal::new(false);
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let name = person.full_name();
    let on_submit = {
        let name = name.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let request =
                dsr_shared::api::ErasureRequest { asked_by: asked_by.get_untracked(), reason: reason.get_untracked() };
            // The server's own checks first.
            if let Err(found) = request.validate() {
                return errors.set(found);
            }
            busy.set(true);
            let navigate = navigate.clone();
            let name = name.clone();
            spawn_local(async move {
                match api::erase(PersonId::from_uuid(id.as_uuid()), &request).await {
                    Ok(erased) => {
                        state.notice.set(Some(format!(
                            "{name}'s details were erased ({} records). Every device deletes its copy when it next syncs.",
                            erased.records
                        )));
                        crate::sync::request(state);
                        navigate("/", Default::default());
                    }
                    Err(failure) => errors.set(failure.form_errors(
                        "reason",
                        "The server cannot be reached: an erasure is carried out on the server, so try again when you are connected",
                    )),
                }
                busy.set(false);
            });
        }
    };
    view! {
        <a class="nhsuk-back-link" href=format!("/people/{id}")>"Back"</a>
        <span class="nhsuk-caption-l">{name.clone()}</span>
        <h1>"Erasure request"</h1>
        <WhatWillHappen id=ids::ERASE_EFFECTS effects=dsr_shared::api::ErasureRequest::EFFECTS/>
        <ErrorSummary errors=errors field_id=erase_field/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::ERASE_ASKED_BY label="Who asked for their details to be erased?"
                hint="Their name and who they are, for example: Sam Parent, his mother" value=asked_by error=error_for("asked_by")/>
            <TextAreaField id=ids::ERASE_REASON label="Why, and how they asked" hint="For example: a letter on 20 November; they are moving away. Kept in the audit trail."
                value=reason error=error_for("reason") rows=3/>
            <button class="nhsuk-button nhsuk-button--warning" id=ids::CONFIRM_ERASE type="submit" disabled=move || busy.get()>"Erase everything about them now"</button>
        </form>
    }
    .into_any()
}
