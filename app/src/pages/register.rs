//! `/`: everyone on the register this device holds, with whether each is on the server yet.

use chrono::Local;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::element_ids as ids;
use crate::local_store::{self, PersonRow};
use crate::state::AppState;

/// Rows shown at first, and added by "Show more".
const PAGE_ROWS: usize = 100;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Shown once, on the first page after a save.
    let notice = state.notice.get_untracked();
    state.notice.set(None);
    let count = move || state.people.with(Vec::len);
    // A long register shows a page at a time.
    let shown = RwSignal::new(PAGE_ROWS);

    view! {
        {notice.map(|text| view! {
            <div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert"
                aria-labelledby="notice-title" id=ids::NOTICE>
                <div class="nhsuk-notification-banner__header">
                    <h2 class="nhsuk-notification-banner__title" id="notice-title">"Success"</h2>
                </div>
                <div class="nhsuk-notification-banner__content">
                    <p class="nhsuk-notification-banner__heading">{text}</p>
                </div>
            </div>
        })}
        <h1>"Register"</h1>
        <Show when=move || state.demo.get()>
            <div class="nhsuk-inset-text" id=ids::DEMO_BANNER>
                <span class="nhsuk-u-visually-hidden">"Information: "</span>
                <p>"This is a demo area. Everyone listed is fictional and their NHS numbers are from the test range."</p>
            </div>
        </Show>
        {move || state.storage_problem.get().map(|p| view! {
            <div class="nhsuk-error-summary" role="alert"><h2 class="nhsuk-error-summary__title">{p}</h2></div>
        })}
        // Coordinators add people; a referring professional adds the people they refer.
        <Show when=move || state.session.with(|s| s.user().is_some_and(|u| u.role.may_create_person()))>
            <a class="nhsuk-button" id=ids::ADD_PERSON_LINK href="/people/new" role="button" draggable="false">"Add a person"</a>
        </Show>
        <p class="nhsuk-body" id=ids::REGISTER_COUNT data-count=move || count().to_string()>
            {move || match count() { 1 => "1 person".to_string(), n => format!("{n} people") }}
        </p>
        <Show
            when=move || { count() > 0 }
            fallback=|| view! { <p class="nhsuk-body" id=ids::REGISTER_EMPTY>"Nobody is on the register on this device yet."</p> }
        >
            <table class="nhsuk-table" id=ids::REGISTER_TABLE>
                <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"People on the register"</caption>
                <thead class="nhsuk-table__head">
                    <tr class="nhsuk-table__row">
                        <th scope="col" class="nhsuk-table__header">"Name"</th>
                        <th scope="col" class="nhsuk-table__header">"Date of birth"</th>
                        <th scope="col" class="nhsuk-table__header">"NHS number"</th>
                        <th scope="col" class="nhsuk-table__header">"Sent to the server"</th>
                    </tr>
                </thead>
                <tbody class="nhsuk-table__body">
                    <For
                        each=move || state.people.with(|people| people.iter().take(shown.get()).cloned().collect::<Vec<_>>())
                        key=PersonRow::view_key
                        let:row
                    >
                        <PersonRowView row=row/>
                    </For>
                </tbody>
            </table>
            <Show when=move || { count() > shown.get() }>
                <p class="nhsuk-body">{move || format!("Showing {} of {}", shown.get().min(count()), count())}</p>
                <button class="nhsuk-button nhsuk-button--secondary" id=ids::SHOW_MORE
                    on:click=move |_| shown.update(|n| *n += PAGE_ROWS)>"Show more people"</button>
            </Show>
        </Show>
    }
}

#[component]
fn PersonRowView(row: PersonRow) -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = row.id.to_string();
    let text = |field: &str| row.fields.get(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let name = format!("{} {}", text("given_name"), text("family_name"));
    let today = Local::now().date_naive();
    let (born, nhs_number) = match &row.person {
        Some(person) => (
            format!("{} (age {})", person.date_of_birth.format("%-d %B %Y"), person.age_on(today)),
            person.nhs_number.map(|n| n.to_string()).unwrap_or_else(|| "Not known".into()),
        ),
        None => (text("date_of_birth"), text("nhs_number")),
    };
    let (tag_class, tag_text) = match (row.refused.is_empty(), row.on_server) {
        (false, _) => ("nhsuk-tag nhsuk-tag--red", "Refused by the server"),
        (true, true) => ("nhsuk-tag nhsuk-tag--green", "Sent"),
        (true, false) => ("nhsuk-tag nhsuk-tag--yellow", "Saved on this device, not sent yet"),
    };
    let refused = row
        .refused
        .iter()
        .map(|(seq, reasons)| {
            let seq = *seq;
            let why = reasons.iter().map(|r| r.message.clone()).collect::<Vec<_>>().join("; ");
            view! {
                <p class="nhsuk-body-s dsr-refused">{why}</p>
                <button class="nhsuk-button nhsuk-button--secondary nhsuk-button--small" id=ids::discard_refused(seq)
                    on:click=move |_| spawn_local(async move {
                        local_store::discard_refused(seq).await.ok();
                        state.reload().await;
                    })>"Discard this change"</button>
            }
        })
        .collect_view();
    view! {
        <tr class="nhsuk-table__row" id=ids::person_row(&id) data-on-server=row.on_server.to_string()>
            <td class="nhsuk-table__cell">
                <a href=format!("/people/{id}/edit") id=ids::edit_person_link(&id)>{name}</a>
            </td>
            <td class="nhsuk-table__cell">{born}</td>
            <td class="nhsuk-table__cell dsr-nowrap">{nhs_number}</td>
            <td class="nhsuk-table__cell">
                <strong class=tag_class>{tag_text}</strong>
                {refused}
            </td>
        </tr>
    }
}
