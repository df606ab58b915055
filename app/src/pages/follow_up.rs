//! `/actions`: the follow-up: every open action this device holds (for a coordinator, the whole area),
//! from C(E)TR action plans and DSR meetings alike, by owner and then due date, overdue ones marked,
//! with a filter for the overdue only.

use dsr_shared::action::{Action, open_actions_by_owner};
use leptos::prelude::*;

use crate::components::fields::checkbox;
use crate::element_ids as ids;
use crate::record_forms::{long_date, today};
use crate::state::AppState;

#[component]
pub fn FollowUpPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let only_overdue = RwSignal::new(false);
    let groups = move || {
        let all: Vec<(Action, (String, String))> = state.people.with(|people| {
            people
                .iter()
                .filter_map(|row| {
                    let name = row.person.as_ref()?.full_name();
                    Some(
                        row.file.as_ref()?.actions.iter().map(move |a| (a.clone(), (row.id.to_string(), name.clone()))),
                    )
                })
                .flatten()
                .collect()
        });
        open_actions_by_owner(&all, today(), only_overdue.get())
    };
    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        <h1>"Follow-up: open actions"</h1>
        <p class="nhsuk-body">"Every open action from C(E)TR action plans and DSR meetings, by owner, earliest due first."</p>
        <div class="nhsuk-checkboxes nhsuk-u-margin-bottom-4">
            {checkbox(ids::FOLLOW_UP_OVERDUE_ONLY, "Show only overdue actions", only_overdue)}
        </div>
        <div id=ids::FOLLOW_UP>
            {move || {
                let today = today();
                let groups = groups();
                if groups.is_empty() {
                    return view! { <p class="nhsuk-body">"No open actions."</p> }.into_any();
                }
                groups.into_iter().map(|group| view! {
                    <h2>{group.owner.clone()}" "
                        {(group.overdue > 0).then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">{format!("{} overdue", group.overdue)}</strong> })}
                    </h2>
                    <table class="nhsuk-table">
                        <thead class="nhsuk-table__head"><tr><th scope="col">"Due"</th><th scope="col">"Person"</th><th scope="col">"Action"</th><th scope="col">"From"</th><th scope="col">"Status"</th></tr></thead>
                        <tbody class="nhsuk-table__body">
                            {group.actions.into_iter().map(|(a, (person, name))| {
                                let id = a.id.to_string();
                                view! {
                                    <tr class="nhsuk-table__row" data-overdue=a.is_overdue(today).to_string()>
                                        <td class="nhsuk-table__cell">
                                            {a.is_overdue(today).then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
                                            {long_date(a.due_on)}
                                        </td>
                                        <td class="nhsuk-table__cell"><a href=format!("/people/{person}")>{name}</a></td>
                                        <td class="nhsuk-table__cell"><a href=format!("/people/{person}/actions/{id}") id=ids::action_link(&id)>{a.description.as_str().to_string()}</a></td>
                                        <td class="nhsuk-table__cell">{if a.meeting_id.is_some() { "DSR meeting" } else { "C(E)TR action plan" }}</td>
                                        <td class="nhsuk-table__cell">{a.status.label()}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }).collect_view().into_any()
            }}
        </div>
    }
}
