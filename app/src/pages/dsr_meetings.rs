//! `/meetings`, `/meetings/{id}` and `/meetings/{id}/minutes`: the DSR meetings of the area (run by a
//! coordinator, attended by the DSR panel). The list shows the upcoming and past meetings and schedules
//! the next one from the area's cadence; a meeting's page holds when and where it is and who chairs it,
//! and its agenda, built from the register on this device as of the meeting's date
//! (`dsr_shared::agenda`), in sections, each person with why they are there and what was decided; the
//! minutes (`dsr_shared::minutes`) print to a clean PDF. Works offline: meetings are records like any
//! other, saved on the device and sent when there is a connection; while one is open, decisions made on
//! other tablets arrive as the server announces them (`crate::sync`). Opening an agenda, a decision or
//! the minutes is recorded in the audit trail as a read of everyone on it.

use dsr_shared::ValidationErrors;
use dsr_shared::agenda::{AgendaItem, Section, agenda};
use dsr_shared::meeting::{DsrMeeting, MeetingStatus, meeting_attendees_text, parse_meeting_attendees};
use dsr_shared::minutes::when_and_where;
use dsr_shared::sync::RecordKind;
use dsr_shared::text::ShortText;
use dsr_shared::{DsrMeetingId, RecordId};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{TextAreaField, TextField, checkbox};
use crate::element_ids as ids;
use crate::record_forms::{fields_of, long_date, new_id, recorder, save_all_changed, today};
use crate::state::AppState;

fn status_words(status: MeetingStatus) -> &'static str {
    match status {
        MeetingStatus::Scheduled => "Scheduled",
        MeetingStatus::Open => "Under way",
        MeetingStatus::Final => "Minutes final",
    }
}

/// Whether the signed-in user arranges meetings (a coordinator) rather than attends them.
fn runs_meetings(state: AppState) -> bool {
    state.role() == Some(dsr_shared::access::Role::Coordinator)
}

/// The meeting with `id` on this device, its agenda in the chair's order as of its date, and the files
/// the agenda was built from (tracked: the page follows what sync brings).
fn arranged_agenda(
    state: AppState,
    id: Option<DsrMeetingId>,
) -> Option<(DsrMeeting, Vec<AgendaItem>, Vec<dsr_shared::due::PersonFile>)> {
    let all = state.meetings.get()?;
    let meeting = all.iter().find(|m| Some(m.id) == id)?.clone();
    let policy = state.policy.with(|d| d.policy.clone());
    let files: Vec<dsr_shared::due::PersonFile> =
        state.people.with(|people| people.iter().filter_map(|r| r.file.clone()).collect());
    let items = meeting.arrange(agenda(&files, &all, &policy, meeting.date));
    Some((meeting, items, files))
}

/// Records, once per page, that everyone on `people` was read on `screen`.
fn audit_once(
    state: AppState,
    screen: dsr_shared::accounts::Screen,
    people: impl Fn() -> Option<Vec<dsr_shared::PersonId>> + 'static,
) {
    let done = StoredValue::new(false);
    Effect::new(move |_| {
        if let Some(people) = people()
            && !done.get_value()
        {
            done.set_value(true);
            state.record_reads(people, screen);
        }
    });
}

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let meetings = state.meetings;
    let errors = RwSignal::new(ValidationErrors::new());
    let next_date = move || {
        let policy = state.policy.with(|d| d.policy.clone());
        policy.meetings.next_meeting_on_or_after(today(), &policy.calendar, policy.meeting_on_bank_holiday)
    };
    let already = move || {
        !runs_meetings(state) || meetings.with(|m| m.as_ref().is_some_and(|m| m.iter().any(|m| m.date == next_date())))
    };
    let schedule = move |_| {
        let meeting = DsrMeeting::scheduled(DsrMeetingId::from_uuid(new_id().as_uuid()), next_date());
        let id = RecordId::from_uuid(meeting.id.as_uuid());
        spawn_local(async move {
            match save_all_changed(vec![(RecordKind::DsrMeeting, id, None, fields_of(&meeting))]).await {
                Ok(()) => {
                    state
                        .saved(format!("The meeting on {} was scheduled on this device", long_date(meeting.date)))
                        .await
                }
                Err(found) => errors.set(found),
            }
        });
    };
    let table = |list: Vec<DsrMeeting>, id: &'static str, empty: &'static str| {
        if list.is_empty() {
            return view! { <p class="nhsuk-body" id=id>{empty}</p> }.into_any();
        }
        view! {
            <table class="nhsuk-table" id=id>
                <thead class="nhsuk-table__head"><tr><th scope="col">"Meeting"</th><th scope="col">"Status"</th></tr></thead>
                <tbody class="nhsuk-table__body">
                    {list.into_iter().map(|m| {
                        let key = m.id.to_string();
                        view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell"><a href=format!("/meetings/{key}") id=ids::dsr_meeting_link(&key)>{when_and_where(&m)}</a></td>
                                <td class="nhsuk-table__cell">{status_words(m.status)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        <h1>"DSR meetings"</h1>
        <ErrorSummary errors=errors field_id=|_| ids::SCHEDULE_NEXT_MEETING/>
        {move || state.notice.get().map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
        {move || (!already()).then(|| view! {
            <p class="nhsuk-body">{format!("The next meeting, as the area's policy sets them, is on {}.", long_date(next_date()))}</p>
            <button class="nhsuk-button" id=ids::SCHEDULE_NEXT_MEETING type="button" on:click=schedule>"Schedule the next meeting"</button>
        })}
        {move || match meetings.get() {
            None => view! { <p class="nhsuk-body">"Opening…"</p> }.into_any(),
            Some(all) => {
                let today = today();
                let (mut upcoming, past): (Vec<DsrMeeting>, Vec<DsrMeeting>) = all.into_iter().partition(|m| m.date >= today);
                upcoming.sort_by_key(|m| m.date);
                let mut past = past;
                past.sort_by_key(|m| std::cmp::Reverse(m.date));
                view! {
                    <h2>"Upcoming"</h2>
                    {table(upcoming, ids::UPCOMING_MEETINGS, "No meeting is scheduled.")}
                    <h2>"Past"</h2>
                    {table(past, ids::PAST_MEETINGS, "No meetings yet.")}
                }
                .into_any()
            }
        }}
    }
}

/// One agenda item: the person (their name links to their page), why they are here, and what was
/// decided (as the minutes will say it).
fn agenda_item(
    item: AgendaItem,
    name: String,
    meeting: DsrMeetingId,
    decision: Option<(&dsr_shared::meeting::MeetingDecision, Vec<String>)>,
    reorder: Option<Callback<(dsr_shared::PersonId, bool)>>,
) -> impl IntoView {
    let person = item.person_id.to_string();
    let person_id = item.person_id;
    let decided = decision.map(|(d, actions)| {
        let mut words = dsr_shared::minutes::decision_words(d);
        words.extend(actions.into_iter().map(|a| format!("Action: {a}")));
        if words.is_empty() {
            words.push("Discussed.".to_string());
        }
        words
    });
    view! {
        <li class="dsr-agenda-item" data-person=person.clone()>
            <a href=format!("/people/{person}")>{name.clone()}</a>" · "
            <a href=format!("/meetings/{meeting}/people/{person}") id=ids::decision_link(&person)>
                {if decided.is_some() { "Change the decision" } else { "Record the decision" }}
            </a>
            <ul class="nhsuk-list nhsuk-list--bullet">
                {item.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ul>
            {decided.map(|words| view! {
                <div class="dsr-decided" id=ids::agenda_decision(&person)>
                    <strong class="nhsuk-tag nhsuk-tag--green">"Decided"</strong>
                    <ul class="nhsuk-list">{words.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul>
                </div>
            })}
            {reorder.map(|reorder| view! {
                <div class="dsr-reorder dsr-no-print">
                    <button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" id=ids::move_up(&person)
                        on:click=move |_| reorder.run((person_id, true))>"Move up"<span class="nhsuk-u-visually-hidden">{format!(" {name}")}</span></button>
                    <button type="button" class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" id=ids::move_down(&person)
                        on:click=move |_| reorder.run((person_id, false))>"Move down"</button>
                </div>
            })}
        </li>
    }
}

#[component]
pub fn DsrMeetingPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let meetings = state.meetings;
    let id = use_params_map().with_untracked(|p| p.get("id")).and_then(|id| id.parse::<DsrMeetingId>().ok());
    let time = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let chair = RwSignal::new(String::new());
    let video = RwSignal::new(false);
    let attendees = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let this = move || meetings.with(|all| all.as_ref().and_then(|all| all.iter().find(|m| Some(m.id) == id).cloned()));
    // The form opens with what is recorded (once the meeting is loaded).
    let filled = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(m) = this()
            && !filled.get_untracked()
        {
            time.set(m.time.map(|t| t.to_string()).unwrap_or_default());
            place.set(m.place.map(|p| p.to_string()).unwrap_or_default());
            chair.set(m.chair.map(|c| c.to_string()).unwrap_or_default());
            video.set(m.video);
            attendees.set(meeting_attendees_text(&m.attendees));
            filled.set(true);
        }
    });
    // Saves what the form says; `status`: the meeting opened or its minutes marked final as well.
    let store = move |status: Option<MeetingStatus>| {
        let Some(old) = this() else { return };
        let text = |signal: RwSignal<String>| {
            let value = signal.get_untracked();
            if value.trim().is_empty() { Ok(None) } else { ShortText::parse(&value).map(Some) }
        };
        let mut found = ValidationErrors::new();
        let mut new = old.clone();
        new.video = video.get_untracked();
        for (field, signal, target) in
            [("time", time, &mut new.time), ("place", place, &mut new.place), ("chair", chair, &mut new.chair)]
        {
            match text(signal) {
                Ok(value) => *target = value,
                Err(e) => found.add(field, format!("This {e}")),
            }
        }
        match parse_meeting_attendees(&attendees.get_untracked()) {
            Ok(list) => new.attendees = list,
            Err(e) => found.add("attendees", e),
        }
        if let Some(status) = status {
            new.status = status;
        }
        // Final minutes change only by amendment.
        let Some(by) = recorder(state, "chair", &mut found) else { return errors.set(found) };
        let new = old.amended(new, today(), by, None);
        if let Err(e) = dsr_shared::Validate::validate(&new) {
            for f in e.into_fields() {
                found.add(&f.field, f.message);
            }
        }
        if !found.is_empty() {
            return errors.set(found);
        }
        errors.set(ValidationErrors::new());
        let record = RecordId::from_uuid(new.id.as_uuid());
        let notice = match status {
            Some(MeetingStatus::Open) => "The meeting is open: record each decision from the agenda",
            Some(MeetingStatus::Final) => "The minutes are final: later changes are recorded as amendments",
            _ => "The meeting was saved on this device",
        };
        spawn_local(async move {
            let change = vec![(RecordKind::DsrMeeting, record, Some(fields_of(&old)), fields_of(&new))];
            match save_all_changed(change).await {
                Ok(()) => state.saved(notice).await,
                Err(found) => errors.set(found),
            }
        });
    };
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        store(None);
    };
    let the_agenda = move || {
        let (meeting, items, files) = arranged_agenda(state, id)?;
        let names: std::collections::BTreeMap<dsr_shared::PersonId, String> =
            files.iter().map(|f| (f.person.id, f.person.full_name())).collect();
        // Each decision with the actions the meeting agreed about the person.
        let decided: std::collections::BTreeMap<
            dsr_shared::PersonId,
            (dsr_shared::meeting::MeetingDecision, Vec<String>),
        > = files
            .iter()
            .flat_map(|f| {
                let meeting = &meeting;
                f.meeting_decisions
                    .iter()
                    .filter(move |d| d.meeting_id == meeting.id)
                    .map(move |d| (d.person_id, (d.clone(), dsr_shared::minutes::action_lines(meeting, f, &d.actions))))
            })
            .collect();
        Some((items, names, meeting.id, decided))
    };
    // The chair's changes to the agenda: saved on the device (an amendment once the minutes are final).
    let save_arranged = move |new: DsrMeeting, notice: &'static str| {
        let Some(old) = this() else { return };
        let mut found = ValidationErrors::new();
        let Some(by) = recorder(state, "agenda", &mut found) else { return errors.set(found) };
        let new = old.amended(new, today(), by, None);
        let record = RecordId::from_uuid(new.id.as_uuid());
        spawn_local(async move {
            let change = vec![(RecordKind::DsrMeeting, record, Some(fields_of(&old)), fields_of(&new))];
            match save_all_changed(change).await {
                Ok(()) => state.saved(notice).await,
                Err(found) => errors.set(found),
            }
        });
    };
    let reorder = Callback::new(move |(person, up): (dsr_shared::PersonId, bool)| {
        let Some((meeting, items, _)) = arranged_agenda(state, id) else { return };
        save_arranged(meeting.moved(&items, person, up), "The agenda's order was saved on this device");
    });
    let add_person = RwSignal::new(String::new());
    let add_reason = RwSignal::new(String::new());
    let add_by_hand = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(meeting) = this() else { return };
        let mut found = ValidationErrors::new();
        let person = add_person.get_untracked().parse::<dsr_shared::PersonId>().ok();
        if person.is_none() {
            found.add("add_person", "Choose who to add");
        }
        let reason = found.check("add_reason", ShortText::parse(&add_reason.get_untracked()));
        let (Some(person), Some(reason)) = (person, reason) else { return errors.set(found) };
        add_reason.set(String::new());
        save_arranged(meeting.with_added(person, reason), "They were added to the agenda on this device");
    };
    // Everyone on this device not on the agenda, by name: who can be added by hand.
    let addable = move || {
        let on_agenda: std::collections::BTreeSet<dsr_shared::PersonId> = arranged_agenda(state, id)
            .map(|(_, items, _)| items.iter().map(|i| i.person_id).collect())
            .unwrap_or_default();
        let mut people: Vec<(String, String)> = state.people.with(|people| {
            people
                .iter()
                .filter_map(|r| r.person.as_ref())
                .filter(|p| !on_agenda.contains(&p.id))
                .map(|p| (p.id.to_string(), p.full_name()))
                .collect()
        });
        people.sort_by(|a, b| a.1.cmp(&b.1));
        people
    };
    audit_once(state, dsr_shared::accounts::Screen::DsrMeetingAgenda, move || {
        the_agenda()
            .map(|(items, names, ..)| items.iter().map(|i| i.person_id).filter(|p| names.contains_key(p)).collect())
    });
    let runs = runs_meetings(state);
    view! {
        <a class="nhsuk-back-link" href="/meetings">"Back to the meetings"</a>
        {move || match this() {
            None => view! { <h1>"Meeting not found on this device"</h1> }.into_any(),
            Some(m) => view! {
                <h1 id=ids::DSR_MEETING_HEADING>{format!("DSR meeting: {}", when_and_where(&m))}</h1>
                <p class="nhsuk-body">{status_words(m.status)}</p>
                {(!m.amendments.is_empty()).then(|| view! {
                    <h2>"Amendments to the minutes"</h2>
                    <ul class="nhsuk-list nhsuk-list--bullet" id=ids::DSR_MEETING_AMENDMENTS>
                        {m.amendments.iter().map(|a| view! { <li>{format!("{}, {}: {}", long_date(a.on), a.by, a.what)}</li> }).collect_view()}
                    </ul>
                })}
            }.into_any(),
        }}
        {move || state.notice.get().map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
        <ErrorSummary errors=errors field_id=|field| match field { "time" => ids::DSR_MEETING_TIME, "place" => ids::DSR_MEETING_PLACE, "attendees" => ids::DSR_MEETING_ATTENDEES, "add_person" => ids::AGENDA_ADD_PERSON, "add_reason" => ids::AGENDA_ADD_REASON, _ => ids::DSR_MEETING_CHAIR }/>
        {move || this().map(|m| view! {
            <p class="nhsuk-body">
                <a href=format!("/meetings/{}/minutes", m.id) id=ids::DSR_MINUTES_LINK>"The minutes (print or save as PDF)"</a>
            </p>
        })}
        {(!runs).then(|| view! {
            <p class="nhsuk-body" id=ids::DSR_MEETING_ARRANGEMENTS>{move || this().map(|m| format!(
                "Chair: {}. {} attending.",
                m.chair.map(|c| c.to_string()).unwrap_or_else(|| "not named yet".into()),
                m.attendees.iter().filter(|a| a.present).count()
            ))}</p>
        })}
        // When and where (the coordinator's): open while nothing is set, folded away once it is (the
        // agenda is what the meeting reads).
        {runs.then(|| view! {
            <details class="nhsuk-details" open=move || this().is_some_and(|m| m.time.is_none() || m.place.is_none() || m.chair.is_none())>
                <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"When, where and who chairs"</span></summary>
                <div class="nhsuk-details__text">
                    <form novalidate on:submit=save>
                        <TextField id=ids::DSR_MEETING_TIME label="Time" value=time error=error_for("time") hint="Hours and minutes, like 10:00" width_class="nhsuk-input--width-5"/>
                        <TextField id=ids::DSR_MEETING_PLACE label="Place" value=place error=error_for("place") width_class="nhsuk-u-width-two-thirds"/>
                        <div class="nhsuk-checkboxes nhsuk-u-margin-bottom-4">{checkbox("dsr-meeting-video", "Also by video", video)}</div>
                        <TextField id=ids::DSR_MEETING_CHAIR label="Chair" value=chair error=error_for("chair") width_class="nhsuk-u-width-two-thirds"/>
                        <TextAreaField id=ids::DSR_MEETING_ATTENDEES label="Attendees" value=attendees error=error_for("attendees") rows=5
                            hint="One per line: name, role, agency. Start a line with 'Apologies:' for someone who sent apologies."/>
                        <button class="nhsuk-button" id=ids::SAVE_DSR_MEETING type="submit">"Save"</button>
                    </form>
                </div>
            </details>
        })}
        {move || this().filter(|_| runs).map(|m| match m.status {
            MeetingStatus::Scheduled => view! {
                <button class="nhsuk-button nhsuk-button--secondary" id=ids::OPEN_DSR_MEETING type="button" on:click=move |_| store(Some(MeetingStatus::Open))>"Open the meeting"</button>
            }.into_any(),
            MeetingStatus::Open => view! {
                <button class="nhsuk-button nhsuk-button--secondary" id=ids::FINAL_DSR_MEETING type="button" on:click=move |_| store(Some(MeetingStatus::Final))>"Mark the minutes final"</button>
            }.into_any(),
            MeetingStatus::Final => ().into_any(),
        })}
        <h2>"Agenda"</h2>
        <p class="nhsuk-body">"From the register on this device as of the meeting's date. Everyone Red and everyone in hospital is on every agenda."</p>
        <div id=ids::AGENDA>
            {move || match the_agenda() {
                None => view! { <p class="nhsuk-body">"Opening…"</p> }.into_any(),
                Some((items, ..)) if items.is_empty() => view! { <p class="nhsuk-body">"Nobody is due to be discussed."</p> }.into_any(),
                Some((items, names, meeting, decided)) => Section::ALL.into_iter().filter_map(|section| {
                    let here: Vec<AgendaItem> = items.iter().filter(|i| i.section == section).cloned().collect();
                    (!here.is_empty()).then(|| {
                        let key = serde_json::to_value(section).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                        view! {
                            <section id=ids::agenda_section(&key)>
                                <h3>{format!("{} ({})", section.title(), here.len())}</h3>
                                <ol class="dsr-agenda">
                                    {here.into_iter().filter_map(|item| {
                                        // Someone this reader may not see is not on their copy of the agenda.
                                        let name = names.get(&item.person_id).cloned()?;
                                        let decision = decided.get(&item.person_id).map(|(d, actions)| (d, actions.clone()));
                                        Some(agenda_item(item, name, meeting, decision, runs.then_some(reorder)))
                                    }).collect_view()}
                                </ol>
                            </section>
                        }
                    })
                }).collect_view().into_any(),
            }}
        </div>
        {runs.then(|| view! {
            <form novalidate on:submit=add_by_hand class="dsr-no-print">
                <h2>"Add someone to the agenda"</h2>
                <div class="nhsuk-form-group" class:nhsuk-form-group--error=move || errors.with(|e| e.message_for("add_person").is_some())>
                    <label class="nhsuk-label" for=ids::AGENDA_ADD_PERSON>"Who"</label>
                    {move || errors.with(|e| e.message_for("add_person").map(|m| view! { <span class="nhsuk-error-message"><span class="nhsuk-u-visually-hidden">"Error: "</span>{m.to_string()}</span> }))}
                    <select class="nhsuk-select" id=ids::AGENDA_ADD_PERSON on:change=move |ev| add_person.set(event_target_value(&ev))>
                        <option value="">"Choose a person"</option>
                        {move || addable().into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </div>
                <TextField id=ids::AGENDA_ADD_REASON label="Why they are to be discussed" value=add_reason error=error_for("add_reason") width_class="nhsuk-u-width-two-thirds"/>
                <button class="nhsuk-button nhsuk-button--secondary" id=ids::AGENDA_ADD type="submit">"Add to the agenda"</button>
            </form>
        })}
    }
}

/// `/meetings/{id}/minutes`: the minutes, from the decisions recorded (`dsr_shared::minutes`), as a plain
/// page that prints to a clean PDF: the print stylesheet leaves out the app's header and buttons, marks
/// every page "Confidential" and numbers it. Built from this device's copy, so each reader's minutes hold
/// only the people they may see.
#[component]
pub fn MinutesPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = use_params_map().with_untracked(|p| p.get("id")).and_then(|id| id.parse::<DsrMeetingId>().ok());
    let area =
        StoredValue::new(state.session.with_untracked(|s| s.user().map(|u| u.area_name.clone())).unwrap_or_default());
    let minutes = move || {
        let (meeting, items, files) = arranged_agenda(state, id)?;
        Some(area.with_value(|area| dsr_shared::minutes::minutes(area, &meeting, &items, &files)))
    };
    audit_once(state, dsr_shared::accounts::Screen::DsrMeetingMinutes, move || {
        minutes().map(|m| m.items.iter().map(|i| i.person_id).collect())
    });
    let print = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.print();
        }
    };
    let list = |heading: &'static str, lines: Vec<String>| {
        (!lines.is_empty()).then(|| view! {
            <h3>{heading}</h3>
            <ul class="nhsuk-list nhsuk-list--bullet">{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
        })
    };
    view! {
        <a class="nhsuk-back-link" href=id.map(|m| format!("/meetings/{m}")).unwrap_or_else(|| "/meetings".into())>"Back to the meeting"</a>
        {move || match minutes() {
            None => view! { <h1>"Meeting not found on this device"</h1> }.into_any(),
            Some(m) => view! {
                <article class="dsr-report dsr-minutes" id=ids::MINUTES>
                    <p class="dsr-confidential"><strong>"Confidential"</strong>": personal information about people on the Dynamic Support Register. Do not share beyond the people who need it."</p>
                    <h1>{m.title.clone()}</h1>
                    <p class="nhsuk-body-l">{m.when.clone()}</p>
                    <p class="nhsuk-body">{m.status.clone()}</p>
                    <button class="nhsuk-button nhsuk-button--secondary" id=ids::PRINT_MINUTES type="button" on:click=print>"Print or save as PDF"</button>
                    <h2>"Who was there"</h2>
                    <p class="nhsuk-body">{format!("Chair: {}", m.chair.clone().unwrap_or_else(|| "not named".into()))}</p>
                    {list("Present", m.present.clone())}
                    {list("Apologies", m.apologies.clone())}
                    <h2>"People discussed"</h2>
                    {if m.items.is_empty() {
                        view! { <p class="nhsuk-body">"No decision recorded yet."</p> }.into_any()
                    } else {
                        m.items.iter().cloned().map(|item| view! {
                            <section class="dsr-minutes-item">
                                <h3>{item.name}</h3>
                                {item.section.map(|s| view! { <p class="nhsuk-body-s">{s}</p> })}
                                {(!item.why.is_empty()).then(|| view! { <p class="nhsuk-body-s">{format!("On the agenda because: {}", item.why.join("; "))}</p> })}
                                {item.discussion.map(|d| view! { <h4>"Discussion"</h4><p class="nhsuk-body">{d}</p> })}
                                {(!item.decisions.is_empty()).then(|| view! {
                                    <h4>"Decided"</h4>
                                    <ul class="nhsuk-list nhsuk-list--bullet">{item.decisions.into_iter().map(|d| view! { <li>{d}</li> }).collect_view()}</ul>
                                })}
                                {(!item.actions.is_empty()).then(|| view! {
                                    <h4>"Actions"</h4>
                                    <ul class="nhsuk-list nhsuk-list--bullet">{item.actions.into_iter().map(|a| view! { <li>{a}</li> }).collect_view()}</ul>
                                })}
                            </section>
                        }).collect_view().into_any()
                    }}
                    {list("On the agenda, no decision recorded", m.not_reached.clone())}
                    {list("Amendments after the minutes were final", m.amendments.clone())}
                </article>
            }.into_any(),
        }}
    }
}

/// `/meetings/{meeting}/people/{id}`: what the meeting decided about one person, on a tablet, offline
/// too. The decision is its own record (one per person per meeting), so members recording different
/// people at once never clash; a re-rating also enters the person's rating history (source "DSR
/// meeting", dated by the meeting) and a referral decision the referral's triage.
#[component]
pub fn DecisionPage() -> impl IntoView {
    use dsr_shared::meeting::{MeetingDecision, RatingDecision, ReferralDecision};
    use dsr_shared::person::date_from_parts;
    use dsr_shared::rating::Rating;
    use dsr_shared::text::LongText;

    use crate::components::fields::{DateField, TextAreaField, radio_group};
    use crate::record_forms::person_row;

    let state = expect_context::<AppState>();
    super::note_read(dsr_shared::accounts::Screen::DsrMeetingDecision);
    let meetings = state.meetings;
    let meeting_id =
        use_params_map().with_untracked(|p| p.get("meeting")).and_then(|id| id.parse::<DsrMeetingId>().ok());
    let row = person_row(state);
    let file = row.as_ref().and_then(|r| r.file.clone());
    // The person's file as the page opened with it (what a request follows from).
    let opened = StoredValue::new(file.clone());
    let name = file.as_ref().map(|f| f.person.full_name()).unwrap_or_default();
    let person_id = file.as_ref().map(|f| f.person.id);
    let current = file.as_ref().and_then(|f| dsr_shared::rating::current_rating(&f.ratings).map(|r| r.to));
    let waiting = file.as_ref().and_then(|f| f.referrals.iter().find(|r| r.triage.is_none()).map(|r| r.id));
    // The actions this meeting agreed about the person: in the follow-up, each with its own page.
    let recorded_actions: Vec<dsr_shared::action::Action> = file
        .as_ref()
        .map(|f| f.actions.iter().filter(|a| a.meeting_id.is_some() && a.meeting_id == meeting_id).cloned().collect())
        .unwrap_or_default();
    let existing = move || {
        let (meeting, person) = (meeting_id?, person_id?);
        file.as_ref()?.meeting_decisions.iter().find(|d| d.id == MeetingDecision::id_for(meeting, person)).cloned()
    };
    let first = existing();
    let text = |t: Option<&LongText>| RwSignal::new(t.map(|t| t.to_string()).unwrap_or_default());
    let discussion = text(first.as_ref().and_then(|d| d.discussion.as_ref()));
    let note = text(first.as_ref().and_then(|d| d.note.as_ref()));
    let (rating_choice, rating_reason) = match first.as_ref().and_then(|d| d.rating.clone()) {
        Some(RatingDecision::Changed { to, reason }) => (to.label().to_lowercase(), reason.to_string()),
        Some(RatingDecision::Confirmed { .. }) => ("confirmed".to_string(), String::new()),
        None => (String::new(), String::new()),
    };
    let rating = RwSignal::new(rating_choice);
    let reason = RwSignal::new(rating_reason);
    let referral = RwSignal::new(String::new());
    let referral_reason = RwSignal::new(String::new());
    let (tell_day, tell_month, tell_year) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let action_description = RwSignal::new(String::new());
    let action_owner = RwSignal::new(String::new());
    let (due_day, due_month, due_year) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let review_requested = RwSignal::new(first.as_ref().is_some_and(|d| d.review_requested));
    let keyworker_requested = RwSignal::new(first.as_ref().is_some_and(|d| d.keyworker_referral_requested));
    let deferred = RwSignal::new(first.as_ref().is_some_and(|d| d.deferred));
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let legacy_actions = first.as_ref().map(|d| d.actions.clone()).unwrap_or_default();
    let person_key = person_id.map(|p| p.to_string()).unwrap_or_default();
    let name_for_amendment = name.clone();
    let navigate = leptos_router::hooks::use_navigate();

    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(meeting), Some(person)) = (
            meetings.with_untracked(|m| m.as_ref().and_then(|m| m.iter().find(|m| Some(m.id) == meeting_id).cloned())),
            person_id,
        ) else {
            return errors
                .set(crate::record_forms::one_error("decision", "This meeting or person is not on this device"));
        };
        let mut found = ValidationErrors::new();
        let long = |field: &str, value: RwSignal<String>, found: &mut ValidationErrors| -> Option<LongText> {
            let value = value.get_untracked();
            if value.trim().is_empty() { None } else { found.check(field, LongText::parse(&value)) }
        };
        let old = existing();
        let Some(recorded_by) = recorder(state, "decision", &mut found) else { return errors.set(found) };
        let mut decision =
            old.clone().unwrap_or_else(|| MeetingDecision::blank(meeting.id, meeting.date, person, recorded_by));
        decision.discussion = long("discussion", discussion, &mut found);
        decision.note = long("note", note, &mut found);
        decision.rating = match rating.get_untracked().as_str() {
            "" => None,
            "confirmed" => current.map(|rating| RatingDecision::Confirmed { rating }),
            chosen => {
                let to = Rating::ALL.into_iter().find(|r| r.label().to_lowercase() == chosen);
                match (to, long("rating_reason", reason, &mut found)) {
                    (Some(to), Some(reason)) => Some(RatingDecision::Changed { to, reason }),
                    (Some(_), None) => {
                        found.add("rating_reason", "Say why the rating changes");
                        None
                    }
                    _ => None,
                }
            }
        };
        let choice = referral.get_untracked();
        if let Some(referral_id) = waiting
            && !choice.is_empty()
        {
            let (d, m, y) = (tell_day.get_untracked(), tell_month.get_untracked(), tell_year.get_untracked());
            match date_from_parts(&d, &m, &y, "The date the family is told by") {
                Ok(tell_family_by) => {
                    decision.referral = Some(ReferralDecision {
                        referral_id,
                        accepted: choice == "accepted",
                        reason: long("referral_reason", referral_reason, &mut found),
                        tell_family_by,
                    });
                }
                Err(e) => found.add("tell_family_by", e),
            }
        }
        // An action agreed: it joins the follow-up as its own record, naming the meeting.
        let description = action_description.get_untracked();
        let mut agreed = None;
        if !description.trim().is_empty() {
            let owner = ShortText::parse(&action_owner.get_untracked());
            let due = date_from_parts(
                &due_day.get_untracked(),
                &due_month.get_untracked(),
                &due_year.get_untracked(),
                "The action's due date",
            );
            match (LongText::parse(&description), owner, due) {
                (Ok(description), Ok(owner), Ok(due_on)) => {
                    let id = dsr_shared::ActionId::from_uuid(new_id().as_uuid());
                    match decision.new_action(id, description, owner, due_on) {
                        Ok(action) => agreed = Some(action),
                        Err(e) => {
                            for f in e.into_fields() {
                                found.add(&f.field, f.message);
                            }
                        }
                    }
                }
                (_, Err(_), _) => found.add("action_owner", "Say who owns the action"),
                (_, _, Err(e)) => found.add("action_due", e),
                (Err(e), _, _) => found.add("action_description", format!("The action {e}")),
            }
        }
        decision.review_requested = review_requested.get_untracked();
        decision.keyworker_referral_requested = keyworker_requested.get_untracked();
        decision.deferred = deferred.get_untracked();
        if let Err(e) = dsr_shared::Validate::validate(&decision) {
            for f in e.into_fields() {
                found.add(&f.field, f.message);
            }
        }
        if !found.is_empty() {
            return errors.set(found);
        }
        errors.set(ValidationErrors::new());
        let mut records = vec![(
            RecordKind::MeetingDecision,
            RecordId::from_uuid(decision.id.as_uuid()),
            old.as_ref().map(fields_of),
            fields_of(&decision),
        )];
        if let Some(action) = &agreed {
            records.push((RecordKind::Action, RecordId::from_uuid(action.id.as_uuid()), None, fields_of(action)));
        }
        if let Some(file) = opened.get_value() {
            // A C(E)TR asked for: requested, dated by the meeting (unless one is under way already).
            let policy = state.area_policy();
            let review_id = dsr_shared::ReviewId::from_uuid(new_id().as_uuid());
            if let Some(review) = decision.requested_review(review_id, &file, &policy) {
                records.push((RecordKind::Review, RecordId::from_uuid(review.id.as_uuid()), None, fields_of(&review)));
            }
            // A keyworker referral made at the meeting: offered on its date.
            if decision.keyworker_referral_requested
                && file.person.keyworker_referral_offered.is_none_or(|on| on < decision.meeting_on)
            {
                let mut referred = file.person.clone();
                referred.keyworker_referral_offered = Some(decision.meeting_on);
                records.push((
                    RecordKind::Person,
                    RecordId::from_uuid(file.person.id.as_uuid()),
                    Some(fields_of(&file.person)),
                    fields_of(&referred),
                ));
            }
        }
        // A changed rating enters the history, dated by the meeting (once: not again on a later save).
        let changed_before = old.as_ref().is_some_and(|o| o.rating == decision.rating);
        if !changed_before
            && let Some(change) = decision.rating_change(
                dsr_shared::RatingChangeId::from_uuid(new_id().as_uuid()),
                current,
                decision.recorded_by.clone(),
            )
        {
            records.push((
                RecordKind::RatingChange,
                RecordId::from_uuid(change.id.as_uuid()),
                None,
                fields_of(&change),
            ));
        }
        // A referral decided: its triage, dated by the meeting.
        if let Some((referral_id, triage)) = decision.triage()
            && let Some(referral) = row_referral(state, person, referral_id)
        {
            let mut decided = referral.clone();
            decided.triage = Some(triage);
            records.push((
                RecordKind::Referral,
                RecordId::from_uuid(referral_id.as_uuid()),
                Some(fields_of(&referral)),
                fields_of(&decided),
            ));
        }
        // After the minutes are final, a changed decision is an amendment to them.
        if meeting.status == MeetingStatus::Final {
            let what = format!("The decision about {} changed", name_for_amendment);
            let amended = meeting.amended(meeting.clone(), today(), decision.recorded_by.clone(), Some(&what));
            records.push((
                RecordKind::DsrMeeting,
                RecordId::from_uuid(meeting.id.as_uuid()),
                Some(fields_of(&meeting)),
                fields_of(&amended),
            ));
        }
        let back = format!("/meetings/{}", meeting.id);
        let navigate = navigate.clone();
        spawn_local(async move {
            match save_all_changed(records).await {
                Ok(()) => {
                    state.saved("The decision was saved on this device").await;
                    navigate(&back, Default::default());
                }
                Err(found) => errors.set(found),
            }
        });
    };
    let mut rating_options: Vec<(String, &'static str, &'static str)> = Vec::new();
    if current.is_some() {
        rating_options.push(("rating-confirmed".into(), "confirmed", "Rating confirmed"));
    }
    for (value, label) in [("red", "Changed to Red"), ("amber", "Changed to Amber"), ("green", "Changed to Green")] {
        rating_options.push((format!("rating-{value}"), value, label));
    }
    view! {
        <a class="nhsuk-back-link" href=meeting_id.map(|m| format!("/meetings/{m}")).unwrap_or_else(|| "/meetings".into())>"Back to the agenda"</a>
        <h1 id=ids::DECISION_HEADING>{format!("Decision: {name}")}</h1>
        <p class="nhsuk-body">{match current { Some(r) => format!("Rated {} now.", r.label()), None => "Not rated yet.".to_string() }}</p>
        <ErrorSummary errors=errors field_id=decision_field/>
        <form novalidate on:submit=save>
            <TextAreaField id=ids::DECISION_DISCUSSION label="Discussion (for the minutes)" value=discussion error=error_for("discussion") rows=4/>
            {radio_group(ids::DECISION_RATING, "Rating", rating_options, rating, error_for("rating"))}
            <TextAreaField id=ids::DECISION_RATING_REASON label="Why the rating changes" value=reason error=error_for("rating_reason") rows=2/>
            {waiting.map(|_| view! {
                {radio_group(ids::DECISION_REFERRAL, "The referral", vec![
                    ("referral-accepted".into(), "accepted", "Accepted onto the register"),
                    ("referral-declined".into(), "declined", "Declined"),
                ], referral, error_for("referral"))}
                <TextAreaField id=ids::DECISION_REFERRAL_REASON label="Why (required when declined)" value=referral_reason error=error_for("referral_reason") rows=2/>
                <DateField id=ids::DECISION_TELL_FAMILY legend="The family is told by" day=tell_day month=tell_month year=tell_year error=error_for("tell_family_by")
                    part_ids=[ids::DECISION_TELL_FAMILY_DAY, ids::DECISION_TELL_FAMILY_MONTH, ids::DECISION_TELL_FAMILY_YEAR]/>
            })}
            <h2>"Actions"</h2>
            {(!recorded_actions.is_empty() || !legacy_actions.is_empty()).then(|| view! {
                <ul class="nhsuk-list nhsuk-list--bullet" id=ids::DECISION_ACTIONS>
                    {legacy_actions.iter().map(|a| view! { <li>{format!("{} ({}, by {})", a.description, a.owner, long_date(a.due_on))}</li> }).collect_view()}
                    {recorded_actions.iter().map(|a| {
                        let id = a.id.to_string();
                        view! {
                            <li>
                                <a href=format!("/people/{person_key}/actions/{id}") id=ids::action_link(&id)>{a.description.to_string()}</a>
                                {format!(" ({}, by {}): {}", a.owner, long_date(a.due_on), a.status.label())}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
            <TextAreaField id=ids::DECISION_ACTION label="An action agreed" value=action_description error=error_for("action_description") rows=2/>
            <TextField id=ids::DECISION_ACTION_OWNER label="Who owns it" value=action_owner error=error_for("action_owner") width_class="nhsuk-u-width-two-thirds"/>
            <DateField id=ids::DECISION_ACTION_DUE legend="Due by" day=due_day month=due_month year=due_year error=error_for("action_due")
                part_ids=[ids::DECISION_ACTION_DUE_DAY, ids::DECISION_ACTION_DUE_MONTH, ids::DECISION_ACTION_DUE_YEAR]/>
            <div class="nhsuk-checkboxes nhsuk-u-margin-bottom-4">
                {checkbox(ids::DECISION_REVIEW_REQUESTED, "A C(E)TR is requested (it is added to their reviews as requested)", review_requested)}
                {checkbox(ids::DECISION_KEYWORKER_REQUESTED, "A keyworker referral is made (recorded as offered on the meeting's date)", keyworker_requested)}
                {checkbox(ids::DECISION_DEFERRED, "Deferred to the next meeting", deferred)}
            </div>
            <TextAreaField id=ids::DECISION_NOTE label="Note" value=note error=error_for("note") rows=2/>
            <button class="nhsuk-button" id=ids::SAVE_MEETING_DECISION type="submit">"Save the decision"</button>
        </form>
    }
}

fn row_referral(
    state: AppState,
    person: dsr_shared::PersonId,
    id: dsr_shared::ReferralId,
) -> Option<dsr_shared::referral::Referral> {
    let row = state.person(RecordId::from_uuid(person.as_uuid()))?;
    row.file?.referrals.into_iter().find(|r| r.id == id)
}

fn decision_field(field: &str) -> &'static str {
    match field {
        "discussion" => ids::DECISION_DISCUSSION,
        "rating" => ids::DECISION_RATING,
        "rating_reason" => ids::DECISION_RATING_REASON,
        "referral" => ids::DECISION_REFERRAL,
        "referral_reason" => ids::DECISION_REFERRAL_REASON,
        "tell_family_by" => ids::DECISION_TELL_FAMILY,
        "action_description" | "actions" => ids::DECISION_ACTION,
        "action_owner" => ids::DECISION_ACTION_OWNER,
        "action_due" => ids::DECISION_ACTION_DUE,
        "note" => ids::DECISION_NOTE,
        _ => ids::DECISION_HEADING,
    }
}
