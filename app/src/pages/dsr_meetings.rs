//! `/meetings` and `/meetings/{id}`: the DSR meetings of the area (a coordinator's). The list shows the
//! upcoming and past meetings and schedules the next one from the area's cadence; a meeting's page holds
//! when and where it is and who chairs it, and its agenda, built from the register on this device as of
//! the meeting's date (`dsr_shared::agenda`), in sections, each person with why they are there. Works
//! offline: meetings are records like any other, saved on the device and sent when there is a connection.

use dsr_shared::ValidationErrors;
use dsr_shared::agenda::{AgendaItem, Section, agenda};
use dsr_shared::meeting::{DsrMeeting, MeetingStatus};
use dsr_shared::sync::RecordKind;
use dsr_shared::text::ShortText;
use dsr_shared::{DsrMeetingId, RecordId};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_params_map;

use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{TextField, checkbox};
use crate::element_ids as ids;
use crate::record_forms::{fields_of, long_date, new_id, save_all_changed, today};
use crate::state::AppState;

/// The area's meetings on this device, loaded again whenever the register reloads (after a sync or a save).
fn use_meetings(state: AppState) -> RwSignal<Option<Vec<DsrMeeting>>> {
    let meetings = RwSignal::new(None);
    Effect::new(move |_| {
        state.people.track();
        spawn_local(async move {
            match crate::local_store::dsr_meetings().await {
                Ok(found) => meetings.set(Some(found)),
                Err(error) => state.storage_problem.set(Some(error.to_string())),
            }
        });
    });
    meetings
}

fn status_words(status: MeetingStatus) -> &'static str {
    match status {
        MeetingStatus::Scheduled => "Scheduled",
        MeetingStatus::Open => "Under way",
        MeetingStatus::Final => "Minutes final",
    }
}

fn when_and_where(meeting: &DsrMeeting) -> String {
    let mut text = long_date(meeting.date);
    if let Some(time) = &meeting.time {
        text.push_str(&format!(", {time}"));
    }
    match (&meeting.place, meeting.video) {
        (Some(place), true) => text.push_str(&format!(", {place} and by video")),
        (Some(place), false) => text.push_str(&format!(", {place}")),
        (None, true) => text.push_str(", by video"),
        (None, false) => {}
    }
    text
}

#[component]
pub fn MeetingsPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let meetings = use_meetings(state);
    let errors = RwSignal::new(ValidationErrors::new());
    let next_date = move || {
        let policy = state.policy.with(|d| d.policy.clone());
        policy.meetings.next_meeting_on_or_after(today(), &policy.calendar, policy.meeting_on_bank_holiday)
    };
    let already = move || meetings.with(|m| m.as_ref().is_some_and(|m| m.iter().any(|m| m.date == next_date())));
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

/// One agenda item: the person (their name links to their page) and why they are here.
fn agenda_item(item: AgendaItem, name: String) -> impl IntoView {
    let person = item.person_id.to_string();
    view! {
        <li class="dsr-agenda-item" data-person=person.clone()>
            <a href=format!("/people/{person}")>{name}</a>
            <ul class="nhsuk-list nhsuk-list--bullet">
                {item.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view()}
            </ul>
        </li>
    }
}

#[component]
pub fn DsrMeetingPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let meetings = use_meetings(state);
    let id = use_params_map().with_untracked(|p| p.get("id")).and_then(|id| id.parse::<DsrMeetingId>().ok());
    let time = RwSignal::new(String::new());
    let place = RwSignal::new(String::new());
    let chair = RwSignal::new(String::new());
    let video = RwSignal::new(false);
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
            filled.set(true);
        }
    });
    let save = move |ev: SubmitEvent| {
        ev.prevent_default();
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
        spawn_local(async move {
            let change = vec![(RecordKind::DsrMeeting, record, Some(fields_of(&old)), fields_of(&new))];
            match save_all_changed(change).await {
                Ok(()) => state.saved("The meeting was saved on this device").await,
                Err(found) => errors.set(found),
            }
        });
    };
    let the_agenda = move || {
        let meeting = this()?;
        let all = meetings.get().unwrap_or_default();
        let policy = state.policy.with(|d| d.policy.clone());
        state.people.with(|people| {
            let files: Vec<dsr_shared::due::PersonFile> = people.iter().filter_map(|r| r.file.clone()).collect();
            let names: std::collections::BTreeMap<dsr_shared::PersonId, String> =
                files.iter().map(|f| (f.person.id, f.person.full_name())).collect();
            let items = meeting.arrange(agenda(&files, &all, &policy, meeting.date));
            Some((items, names))
        })
    };
    view! {
        <a class="nhsuk-back-link" href="/meetings">"Back to the meetings"</a>
        {move || match this() {
            None => view! { <h1>"Meeting not found on this device"</h1> }.into_any(),
            Some(m) => view! {
                <h1 id=ids::DSR_MEETING_HEADING>{format!("DSR meeting: {}", when_and_where(&m))}</h1>
                <p class="nhsuk-body">{status_words(m.status)}</p>
            }.into_any(),
        }}
        {move || state.notice.get().map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
        <ErrorSummary errors=errors field_id=|field| match field { "time" => ids::DSR_MEETING_TIME, "place" => ids::DSR_MEETING_PLACE, _ => ids::DSR_MEETING_CHAIR }/>
        // When and where: open while nothing is set, folded away once it is (the agenda is what the meeting reads).
        <details class="nhsuk-details" open=move || this().is_some_and(|m| m.time.is_none() || m.place.is_none() || m.chair.is_none())>
            <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"When, where and who chairs"</span></summary>
            <div class="nhsuk-details__text">
                <form novalidate on:submit=save>
                    <TextField id=ids::DSR_MEETING_TIME label="Time" value=time error=error_for("time") hint="Hours and minutes, like 10:00" width_class="nhsuk-input--width-5"/>
                    <TextField id=ids::DSR_MEETING_PLACE label="Place" value=place error=error_for("place") width_class="nhsuk-u-width-two-thirds"/>
                    <div class="nhsuk-checkboxes nhsuk-u-margin-bottom-4">{checkbox("dsr-meeting-video", "Also by video", video)}</div>
                    <TextField id=ids::DSR_MEETING_CHAIR label="Chair" value=chair error=error_for("chair") width_class="nhsuk-u-width-two-thirds"/>
                    <button class="nhsuk-button" id=ids::SAVE_DSR_MEETING type="submit">"Save"</button>
                </form>
            </div>
        </details>
        <h2>"Agenda"</h2>
        <p class="nhsuk-body">"From the register on this device as of the meeting's date. Everyone Red and everyone in hospital is on every agenda."</p>
        <div id=ids::AGENDA>
            {move || match the_agenda() {
                None => view! { <p class="nhsuk-body">"Opening…"</p> }.into_any(),
                Some((items, _)) if items.is_empty() => view! { <p class="nhsuk-body">"Nobody is due to be discussed."</p> }.into_any(),
                Some((items, names)) => Section::ALL.into_iter().filter_map(|section| {
                    let here: Vec<AgendaItem> = items.iter().filter(|i| i.section == section).cloned().collect();
                    (!here.is_empty()).then(|| {
                        let key = serde_json::to_value(section).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
                        view! {
                            <section id=ids::agenda_section(&key)>
                                <h3>{format!("{} ({})", section.title(), here.len())}</h3>
                                <ol class="dsr-agenda">
                                    {here.into_iter().map(|item| {
                                        let name = names.get(&item.person_id).cloned().unwrap_or_else(|| "Not on this device".into());
                                        agenda_item(item, name)
                                    }).collect_view()}
                                </ol>
                            </section>
                        }
                    })
                }).collect_view().into_any(),
            }}
        </div>
    }
}
