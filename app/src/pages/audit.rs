//! `/audit?person=ID` or `/audit?user=ID`: the audit trail about a person or by a user (coordinators):
//! who read or changed what, when, old and new values, and the reason given; with a CSV download.

use dsr_shared::accounts::AuditEntry;
use dsr_shared::{PersonId, UserId};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::api;
use crate::element_ids as ids;
use crate::state::AppState;

/// What an action means, in words.
fn describe(action: &str) -> &str {
    match action {
        "record.create" => "Added",
        "record.update" => "Changed",
        "record.delete" => "Deleted",
        "record.refused" => "Tried to change (refused: no access)",
        "person.sent" => "Record sent to their device",
        "person.viewed" => "Opened the record",
        "session.login" => "Signed in",
        "session.login_failed" => "Failed to sign in",
        "session.logout" => "Signed out",
        "user.create" => "Made an account",
        "user.invite" => "Invited a family member",
        "invite.accept" => "Set up their account",
        "user.disable" => "Closed an account",
        "caseload.add" => "Assigned someone to the person",
        "caseload.remove" => "Ended an assignment",
        "audit.read" => "Read the audit trail",
        "audit.export" => "Downloaded the audit trail",
        other => other,
    }
}

fn changes(entry: &AuditEntry) -> String {
    let Some(serde_json::Value::Object(map)) = &entry.changes else { return String::new() };
    map.iter()
        .map(|(field, change)| {
            let show = |v: &serde_json::Value| match v {
                serde_json::Value::Null => "(empty)".to_string(),
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{}: {} → {}", field.replace('_', " "), show(&change["old"]), show(&change["new"]))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let query = use_query_map();
    let person = move || query.with(|q| q.get("person").and_then(|p| p.parse::<PersonId>().ok()));
    let user = move || query.with(|q| q.get("user").and_then(|u| u.parse::<UserId>().ok()));
    let entries = LocalResource::new(move || {
        let (person, user) = (person(), user());
        async move { api::audit(person, user).await }
    });
    let title = move || match person() {
        Some(p) => {
            let name = state.people.with(|people| {
                people
                    .iter()
                    .find(|r| r.id.as_uuid() == p.as_uuid())
                    .and_then(|r| r.person.as_ref().map(|x| x.full_name()))
            });
            format!("Audit trail: {}", name.unwrap_or_else(|| "a person".into()))
        }
        None => "Audit trail: one account".to_string(),
    };

    view! {
        <a class="nhsuk-back-link" href=move || if person().is_some() { "/".to_string() } else { "/accounts".to_string() }>"Back"</a>
        <h1>{title}</h1>
        <p class="nhsuk-body">
            <a href=move || api::audit_export_path(person(), user()) id=ids::AUDIT_EXPORT download>"Download as CSV"</a>
        </p>
        <Transition fallback=|| view! { <p class="nhsuk-body">"Loading…"</p> }>
            {move || entries.get().map(|result| match result {
                Err(error) => view! { <p class="nhsuk-body">{format!("The audit trail cannot be shown: {error}")}</p> }.into_any(),
                Ok(list) if list.is_empty() => view! { <p class="nhsuk-body">"Nothing recorded yet."</p> }.into_any(),
                Ok(list) => view! {
                    <table class="nhsuk-table dsr-dense-table" id=ids::AUDIT_TABLE>
                        <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Audit entries, newest first"</caption>
                        <thead class="nhsuk-table__head"><tr class="nhsuk-table__row">
                            <th scope="col" class="nhsuk-table__header">"When"</th>
                            <th scope="col" class="nhsuk-table__header">"Who"</th>
                            <th scope="col" class="nhsuk-table__header">"What"</th>
                            <th scope="col" class="nhsuk-table__header">"Details"</th>
                        </tr></thead>
                        <tbody class="nhsuk-table__body">
                            {list.into_iter().map(|entry| {
                                let when = entry.happened_at.unwrap_or(entry.at).with_timezone(&chrono::Local).format("%-d %b %Y %H:%M").to_string();
                                let details = [entry.kind.clone().map(|k| k.replace('_', " ")), Some(changes(&entry)), entry.reason.clone().map(|r| format!("Reason: {r}")), entry.detail.clone()]
                                    .into_iter().flatten().filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" · ");
                                view! {
                                    <tr class="nhsuk-table__row" data-action=entry.action.clone()>
                                        <td class="nhsuk-table__cell">{when}</td>
                                        <td class="nhsuk-table__cell">{entry.user_name.clone().unwrap_or_else(|| "Unknown".into())}</td>
                                        <td class="nhsuk-table__cell">{describe(&entry.action).to_string()}</td>
                                        <td class="nhsuk-table__cell">{details}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            })}
        </Transition>
    }
}
