//! `/`: everyone on the register this device holds, with whether each is on the server yet.

use chrono::Local;
use leptos::prelude::*;

use crate::element_ids as ids;
use crate::local_store::StoredPerson;
use crate::state::AppState;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    // Shown once, on the first page after a save.
    let notice = state.notice.get_untracked();
    state.notice.set(None);
    let count = move || state.people.with(Vec::len);

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
        <a class="nhsuk-button" id=ids::ADD_PERSON_LINK href="/people/new" role="button" draggable="false">"Add a person"</a>
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
                        <For each=move || state.people.get() key=|p| (p.id.clone(), p.on_server, p.refused.clone()) let:stored>
                            <PersonRow stored=stored/>
                        </For>
                    </tbody>
            </table>
        </Show>
    }
}

#[component]
fn PersonRow(stored: StoredPerson) -> impl IntoView {
    let person = &stored.person;
    let today = Local::now().date_naive();
    let born = format!("{} (age {})", person.date_of_birth.format("%-d %B %Y"), person.age_on(today));
    let nhs_number = person.nhs_number.map(|n| n.to_string()).unwrap_or_else(|| "Not known".into());
    let (tag_class, tag_text) = match (&stored.refused, stored.on_server) {
        (Some(_), _) => ("nhsuk-tag nhsuk-tag--red", "Refused by the server"),
        (None, true) => ("nhsuk-tag nhsuk-tag--green", "Sent"),
        (None, false) => ("nhsuk-tag nhsuk-tag--yellow", "Saved on this device, not sent yet"),
    };
    view! {
        <tr class="nhsuk-table__row" id=ids::person_row(&stored.id) data-on-server=stored.on_server.to_string()>
            <td class="nhsuk-table__cell">{person.full_name()}</td>
            <td class="nhsuk-table__cell">{born}</td>
            <td class="nhsuk-table__cell dsr-nowrap">{nhs_number}</td>
            <td class="nhsuk-table__cell">
                <strong class=tag_class>{tag_text}</strong>
                {stored.refused.clone().map(|why| view! { <p class="nhsuk-body-s dsr-refused">{why}</p> })}
            </td>
        </tr>
    }
}
