//! `/people/{id}`: one person: details, teams and contacts, consent, the rating with its history
//! (who, when, why, where from), what is due and overdue (the due engine), reviews, actions and visit
//! notes. Opening it is a read, noted for the audit trail (even offline).

use chrono::Local;
use dsr_shared::access::Role;
use dsr_shared::consent::{ConsentScope, GivenBy, has_consent, register_consent_withdrawn};
use dsr_shared::due::{DueItem, due_items, due_shown_with};
use dsr_shared::person::{Professional, RegisterStatus};
use dsr_shared::policy::AreaPolicy;
use dsr_shared::rating::current_rating;
use dsr_shared::sync::RecordKind;
use leptos::prelude::*;
use serde::Serialize;

use crate::element_ids as ids;
use crate::local_store;
use crate::pages::register::{NOT_SHOWN, rating_tag};
use crate::read_model::PersonRow;
use crate::record_forms::long_date;
use crate::state::AppState;

/// A domain value's name in plain words (`best_interests` -> "Best interests").
fn words<T: Serialize>(value: &T) -> String {
    let name = match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(serde_json::Value::Object(o)) => o.values().next().and_then(|v| v.as_str()).unwrap_or_default().to_string(),
        _ => String::new(),
    };
    let spaced = name.replace('_', " ").replace("dsr ", "DSR ").replace("ehc", "EHC");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
        .replace("Dsr ", "DSR ")
}

fn professional(p: &Professional) -> String {
    let mut parts = vec![format!("{} ({})", p.name.as_str(), p.role.as_str())];
    parts.extend(p.team.as_ref().map(|t| t.as_str().to_string()));
    parts.extend(p.contact.as_ref().map(|c| c.as_str().to_string()));
    parts.join(", ")
}

/// One row of a summary list: what, and its value.
pub(crate) fn summary_row(key: &'static str, value: String) -> impl IntoView {
    view! {
        <div class="nhsuk-summary-list__row">
            <dt class="nhsuk-summary-list__key">{key}</dt>
            <dd class="nhsuk-summary-list__value">{value}</dd>
        </div>
    }
}

#[component]
pub fn PersonPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = super::route_person_id();
    let row = move || id().and_then(|id| state.person(id));
    Effect::new(move |_| {
        if let Some(id) = id() {
            state.record_read(id, dsr_shared::accounts::Screen::PersonPage);
        }
    });
    let role = move || state.session.with(|s| s.user().map(|u| u.role));
    // Shown once, after a save that came back here.
    let notice = state.notice.get_untracked();
    state.notice.set(None);
    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        {notice.map(|text| view! {
            <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div>
        })}
        {move || match row() {
            Some(row) => person_view(row, role(), &state.policy.with(|d| d.policy.clone())).into_any(),
            None => view! {
                <h1>"Person not found on this device"</h1>
                <p class="nhsuk-body">"They may not have reached this device yet, or you no longer work with them."</p>
            }
            .into_any(),
        }}
    }
}

fn person_view(row: PersonRow, role: Option<Role>, policy: &AreaPolicy) -> impl IntoView {
    let today = Local::now().date_naive();
    let (Some(person), Some(file)) = (row.person.clone(), row.file.clone()) else {
        return view! {
            <h1>"This record needs fixing"</h1>
            <p class="nhsuk-body">"A change to it was refused by the server. Open the register to fix or discard it."</p>
        }
        .into_any();
    };
    let id = row.id.to_string();
    // What this account may read: anything else is said to be not shown, never shown as absent.
    let read = crate::read_model::readable(role, &file, today);
    let sees = |kind: RecordKind| read.contains(kind);
    let rating = row.register.as_ref().and_then(|r| r.rating);
    let due_shown = due_shown_with(read);
    let mut due = if due_shown { due_items(&file, policy, today) } else { Vec::new() };
    due.sort_by_key(|d| (d.due_on, d.rule));
    let keyworker_due = due.iter().any(|d| d.rule == dsr_shared::due::DueRule::KeyworkerReferral);
    let required = (due_shown && sees(RecordKind::RatingChange))
        .then(|| current_rating(&file.ratings).map(|c| required_actions_view(c.to, &due)))
        .flatten();
    let status_text = match person.register_status {
        RegisterStatus::Referred => "Referred: waiting for the DSR team's decision".to_string(),
        RegisterStatus::OnRegister { since } => format!("On the register since {}", since.format("%-d %B %Y")),
        RegisterStatus::Left { on, reason } => format!(
            "Left the register on {} ({}){}. Their details are removed on {}.",
            on.format("%-d %B %Y"),
            reason.label().to_lowercase(),
            person
                .leaving_asked_by
                .as_ref()
                .map(|who| format!(", at the request of {}", who.as_str()))
                .unwrap_or_default(),
            person.purge_due(policy).map(|d| d.format("%-d %B %Y").to_string()).unwrap_or_default()
        ),
    };
    let has_left = matches!(person.register_status, RegisterStatus::Left { .. });
    // The keyworker referral: offered today, or declined today by the family (which is also an offer).
    let keyworker_answer = |field: &'static str| {
        let record = row.id;
        move |_| {
            let state = expect_context::<AppState>();
            let today = serde_json::Value::String(Local::now().date_naive().to_string());
            let mut fields = dsr_shared::sync::Fields::new();
            fields.insert("keyworker_referral_offered".into(), today.clone());
            if field == "keyworker_referral_declined" {
                fields.insert(field.into(), today);
            }
            leptos::task::spawn_local(async move {
                match local_store::save(RecordKind::Person, record, fields, None).await {
                    Ok(()) => {
                        state.reload().await;
                        crate::sync::request(state);
                    }
                    Err(error) => state.storage_problem.set(Some(error.to_string())),
                }
            });
        }
    };
    let mut history = file.ratings.clone();
    history.sort_by_key(|r| std::cmp::Reverse((r.at, r.id)));
    let registered = has_consent(&file.consents, ConsentScope::Register, None, today);
    let withdrawn = register_consent_withdrawn(&file.consents, today);
    let consent_text = match (registered, withdrawn) {
        (true, _) => "Consent to be on the register is recorded".to_string(),
        (false, Some(on)) => format!("Consent was withdrawn on {}: removal has started", on.format("%-d %B %Y")),
        (false, None) => "No consent (or best-interests decision) recorded yet".to_string(),
    };
    let mut notes = row.visit_notes.clone();
    notes.sort_by_key(|n| std::cmp::Reverse(n.visited_on));
    let may_change = matches!(role, Some(Role::Coordinator | Role::Keyworker));
    let may_consent = matches!(role, Some(Role::Coordinator | Role::Keyworker | Role::Family));
    let coordinator = role == Some(Role::Coordinator);
    let in_hospital = dsr_shared::admission::current_admission(&file.admissions, today).is_some();
    let text = |t: &Option<dsr_shared::text::LongText>| {
        t.as_ref().map(|t| t.as_str().to_string()).unwrap_or_else(|| "Not recorded".into())
    };

    view! {
        <span class="nhsuk-caption-l">{format!("Age {}", person.age_on(today))}</span>
        <h1 id=ids::PERSON_NAME>{person.full_name()}" "{sees(RecordKind::RatingChange).then(|| rating_tag(rating))}</h1>
        <p class="nhsuk-body" id=ids::PERSON_RATING>
            {if !sees(RecordKind::RatingChange) {
                "The rating is not shown on this account.".to_string()
            } else {
                rating.map(|r| r.meaning().to_string()).unwrap_or_else(|| "Not rated yet".into())
            }}
        </p>
        <div class="dsr-button-row">
            {may_change.then(|| view! {
                <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/edit") id=ids::edit_person_link(&id)>"Change details"</a>
            })}
            {may_change.then(|| view! {
                <a class="nhsuk-button" href=format!("/people/{id}/visit-notes/new") id=ids::ADD_VISIT_NOTE>"Write a home visit note"</a>
            })}
            {(may_change && !in_hospital).then(|| view! {
                <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/risk/new") id=ids::ADD_RISK_ASSESSMENT>"Fill in the risk checklist"</a>
            })}
            {coordinator.then(|| if in_hospital {
                view! { <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/discharge") id=ids::ADD_DISCHARGE>"Record a discharge"</a> }.into_any()
            } else {
                view! { <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/admission/new") id=ids::ADD_ADMISSION>"Record an admission"</a> }.into_any()
            })}
            {coordinator.then(|| view! {
                <a class="nhsuk-button nhsuk-button--secondary" href=format!("/audit?person={id}") id=ids::AUDIT_LINK>"Who has read or changed this record"</a>
            })}
        </div>

        <p class="nhsuk-body" id=ids::PERSON_STATUS>{status_text}</p>
        {coordinator.then(|| view! {
            <div class="dsr-button-row">
                {(!has_left).then(|| view! {
                    <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/leave") id=ids::LEAVE_REGISTER>"Take off the register"</a>
                })}
                <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/erase") id=ids::ERASE_PERSON>"Erasure request"</a>
            </div>
        })}

        {required}

        <h2>"Due and overdue"</h2>
        {if !due_shown {
            view! { <p class="nhsuk-body" id=ids::PERSON_DUE data-hidden="true">"What is due is worked out by the DSR team. It is not shown on this account."</p> }.into_any()
        } else if due.is_empty() {
            view! { <p class="nhsuk-body" id=ids::PERSON_DUE>"Nothing is due."</p> }.into_any()
        } else {
            view! {
                <ul class="nhsuk-list nhsuk-list--border" id=ids::PERSON_DUE>
                    {due.into_iter().map(|item| view! {
                        <li data-rule=words(&item.rule) data-overdue=item.overdue.to_string()>
                            {item.overdue.then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
                            <strong>{item.due_on.format("%-d %B %Y").to_string()}</strong>": "{item.reason}
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}

        {(keyworker_due && may_change).then(|| view! {
            <div class="dsr-button-row">
                <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::KEYWORKER_OFFERED on:click=keyworker_answer("keyworker_referral_offered")>
                    "Record that a keyworker referral was offered today"
                </button>
                <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::KEYWORKER_DECLINED on:click=keyworker_answer("keyworker_referral_declined")>
                    "Record that the family declined it today"
                </button>
            </div>
        })}

        <h2>"Rating history"</h2>
        {if !sees(RecordKind::RatingChange) {
            view! { <p class="nhsuk-body" id=ids::RATING_HISTORY data-hidden="true">"Ratings are not shown on this account."</p> }.into_any()
        } else if history.is_empty() {
            view! { <p class="nhsuk-body" id=ids::RATING_HISTORY>"No rating recorded yet."</p> }.into_any()
        } else {
            view! {
                <ol class="dsr-timeline" id=ids::RATING_HISTORY>
                    {history.into_iter().map(|change| view! {
                        <li class="dsr-timeline__item">
                            <p class="dsr-timeline__what">
                                {change.from.map(|f| view! { {rating_tag(Some(f))}" to " })}
                                {rating_tag(Some(change.to))}
                            </p>
                            <p class="dsr-cell-detail">{format!("{} by {} · {}", change.at.with_timezone(&Local).format("%-d %B %Y"), change.by.as_str(), words(&change.source))}</p>
                            <p class="dsr-cell-detail">{format!("Why: {}", change.reason.as_str())}</p>
                        </li>
                    }).collect_view()}
                </ol>
            }.into_any()
        }}

        <h2>"Consent"</h2>
        <p class="nhsuk-body" id=ids::PERSON_CONSENT>{if sees(RecordKind::Consent) { consent_text } else { format!("Consent: {}.", NOT_SHOWN.to_lowercase()) }}</p>
        {may_consent.then(|| view! {
            <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/consent/new") id=ids::ADD_CONSENT>"Record consent"</a>
        })}
        <ul class="nhsuk-list">
            {file.consents.iter().map(|c| {
                let consent_id = c.id.to_string();
                let withdraw = (may_consent && c.in_force(today)).then(|| view! {
                    " "
                    <a class="nhsuk-link" id=ids::withdraw_consent(&consent_id)
                        href=format!("/people/{id}/consent/{consent_id}/withdraw")>"Withdraw"</a>
                });
                let given = match &c.given_by {
                    GivenBy::ThePerson { .. } => "by the person".to_string(),
                    GivenBy::ParentalResponsibility { name, relationship, .. } => format!("by {} ({})", name.as_str(), relationship.as_str()),
                    GivenBy::BestInterests { decision_maker, reason } => format!("best-interests decision by {}: {}", decision_maker.as_str(), reason.as_str()),
                };
                let asked_by = c.withdrawal_asked_by.as_ref().map(|a| format!(" at the request of {}", a.as_str())).unwrap_or_default();
                let withdrawn = match (c.withdrawn_on, c.withdrawal_requested_on) {
                    (Some(w), _) => format!(", withdrawn {}{asked_by}", w.format("%-d %B %Y")),
                    (None, Some(r)) => format!(". Withdrawal asked for on {}{asked_by}: waiting for the DSR coordinator to confirm it", r.format("%-d %B %Y")),
                    (None, None) => String::new(),
                };
                view! { <li>{format!("{}: given {} on {}{}", words(&c.scope), given, c.given_on.format("%-d %B %Y"), withdrawn)}{withdraw}</li> }
            }).collect_view()}
        </ul>

        <h2>"Details"</h2>
        <dl class="nhsuk-summary-list">
            {summary_row("Date of birth", person.date_of_birth.format("%-d %B %Y").to_string())}
            {summary_row("NHS number", person.nhs_number.map(|n| n.to_string()).unwrap_or_else(|| "Not known".into()))}
            {summary_row("Diagnosis", person.diagnosis.as_ref().map(words).unwrap_or_else(|| "Not recorded".into()))}
            {summary_row("Local authority or postcode", person.local_authority_or_postcode.as_ref().map(|t| t.as_str().to_string()).unwrap_or_else(|| "Not recorded".into()))}
            {summary_row("Status", row.register.as_ref().map(|r| r.status.label().to_string()).unwrap_or_default())}
            {summary_row("Why enhanced support may be needed", text(&person.why_support_may_be_needed))}
            {summary_row("What has been tried", text(&person.what_has_been_tried))}
            {summary_row("What could reduce the risk", text(&person.what_could_reduce_risk))}
            {summary_row("EHC plan", words(&person.ehc_plan))}
            {summary_row("Education placement", person.education_placement.as_ref().map(|t| t.as_str().to_string()).unwrap_or_else(|| "Not recorded".into()))}
        </dl>

        <h2>"Teams and contacts"</h2>
        <dl class="nhsuk-summary-list" id=ids::PERSON_CONTACTS>
            {summary_row("Keyworker", person.keyworker.as_ref().map(professional).unwrap_or_else(|| "None yet".into()))}
            {summary_row("Care coordinator", person.care_coordinator.as_ref().map(professional).unwrap_or_else(|| "None yet".into()))}
            {person.professionals.iter().map(|p| summary_row("Professional", professional(p))).collect_view()}
        </dl>

        <h2>"Partners for a review"</h2>
        <p class="nhsuk-body">"The partners who would need to be involved in a Care (Education) and Treatment Review."</p>
        {if person.cetr_partners.is_empty() {
            view! { <p class="nhsuk-body" id=ids::PERSON_PARTNERS>"None identified yet."</p> }.into_any()
        } else {
            view! {
                <ul class="nhsuk-list nhsuk-list--bullet" id=ids::PERSON_PARTNERS>
                    {person.cetr_partners.iter().map(|p| view! { <li>{p.line()}</li> }).collect_view()}
                </ul>
            }.into_any()
        }}
        {may_change.then(|| view! {
            <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/partners") id=ids::CHANGE_PARTNERS>"Change the partners"</a>
        })}

        <h2>"Multi-agency meetings"</h2>
        {if !sees(RecordKind::MultiAgencyMeeting) {
            view! { <p class="nhsuk-body" id=ids::PERSON_MEETINGS data-hidden="true">{format!("Multi-agency meetings: {}.", NOT_SHOWN.to_lowercase())}</p> }.into_any()
        } else if file.multi_agency_meetings.is_empty() {
            view! { <p class="nhsuk-body" id=ids::PERSON_MEETINGS>"None recorded."</p> }.into_any()
        } else {
            let mut meetings = file.multi_agency_meetings.clone();
            meetings.sort_by_key(|m| std::cmp::Reverse(m.held_on));
            view! {
                <ul class="nhsuk-list nhsuk-list--border" id=ids::PERSON_MEETINGS>
                    {meetings.into_iter().map(|m| view! {
                        <li>
                            <strong>{format!("{}: {}", long_date(m.held_on), m.agencies.iter().map(|a| a.as_str()).collect::<Vec<_>>().join(", "))}</strong>
                            <p class="dsr-cell-detail">{format!("Agreed: {}", m.agreed.as_str())}</p>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {may_change.then(|| view! {
            <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/multi-agency-meetings/new") id=ids::ADD_MULTI_AGENCY_MEETING>"Record a multi-agency meeting"</a>
        })}

        <h2>"Reviews"</h2>
        {coordinator.then(|| view! {
            <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{id}/reviews/new") id=ids::ARRANGE_REVIEW>"Request a review"</a>
        })}
        {if !sees(RecordKind::Review) {
            view! { <p class="nhsuk-body" id=ids::PERSON_REVIEWS data-hidden="true">{format!("Reviews: {}.", NOT_SHOWN.to_lowercase())}</p> }.into_any()
        } else if file.reviews.is_empty() {
            view! { <p class="nhsuk-body" id=ids::PERSON_REVIEWS>"No review yet."</p> }.into_any()
        } else {
            let mut reviews = file.reviews.clone();
            reviews.sort_by_key(|r| std::cmp::Reverse((r.meeting_on.unwrap_or(r.requested_on), r.id)));
            view! {
                <ul class="nhsuk-list nhsuk-list--border" id=ids::PERSON_REVIEWS>
                    {reviews.into_iter().map(|r| {
                        let review_id = r.id.to_string();
                        let overdue = r.report_overdue(policy, today);
                        view! {
                            <li>
                                <a href=format!("/people/{id}/reviews/{review_id}") id=ids::review_link(&review_id)>
                                    {format!("{} {}", r.kind.short_label(), r.name.short())}
                                </a>
                                {format!(": {}{}", r.status.label().to_lowercase(),
                                    r.meeting_on.map(|d| format!(", meeting {}", long_date(d))).unwrap_or_default())}
                                {overdue.then(|| view! { " "<strong class="nhsuk-tag nhsuk-tag--red">"Report overdue"</strong> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}

        <h2>"Actions"</h2>
        {if !sees(RecordKind::Action) {
            view! { <p class="nhsuk-body" id=ids::PERSON_ACTIONS data-hidden="true">{format!("Actions: {}.", NOT_SHOWN.to_lowercase())}</p> }.into_any()
        } else if file.actions.is_empty() {
            view! { <p class="nhsuk-body" id=ids::PERSON_ACTIONS>"No actions yet."</p> }.into_any()
        } else {
            let mut actions = file.actions.clone();
            actions.sort_by_key(|a| (!a.is_open(), a.due_on, a.id));
            view! {
                <ul class="nhsuk-list nhsuk-list--border" id=ids::PERSON_ACTIONS>
                    {actions.into_iter().map(|a| {
                        let action_id = a.id.to_string();
                        view! {
                            <li data-overdue=a.is_overdue(today).to_string()>
                                {a.is_overdue(today).then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
                                <a href=format!("/people/{id}/actions/{action_id}") id=ids::action_link(&action_id)>{a.description.as_str().to_string()}</a>
                                {format!(": {}, due {}, {}", a.owner.as_str(), long_date(a.due_on), a.status.label().to_lowercase())}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}

        <h2>"Visit notes"</h2>
        {if !sees(RecordKind::VisitNote) {
            view! { <p class="nhsuk-body" data-hidden="true">{format!("Visit notes: {}.", NOT_SHOWN.to_lowercase())}</p> }.into_any()
        } else if notes.is_empty() {
            view! { <p class="nhsuk-body">"No visit notes on this device."</p> }.into_any()
        } else {
            view! {
                <ul class="nhsuk-list nhsuk-list--border" id=ids::VISIT_NOTES>
                    {notes.into_iter().map(|n| view! {
                        <li>
                            <strong>{format!("{} by {}", n.visited_on.format("%-d %B %Y"), n.by.as_str())}</strong>
                            <p class="dsr-cell-detail">{n.note.as_str().to_string()}</p>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
    .into_any()
}

/// What the person's rating requires (NHS England's table, seed 002), each with where it stands: due,
/// overdue or nothing outstanding, from the due items.
fn required_actions_view(rating: dsr_shared::rating::Rating, due: &[DueItem]) -> impl IntoView + use<> {
    let rows = rating
        .required_actions()
        .iter()
        .map(|action| {
            let item = action.rule().and_then(|rule| due.iter().find(|d| d.rule == rule));
            let (state, class) = match item {
                Some(i) if i.overdue => (format!("Overdue since {}", long_date(i.due_on)), "nhsuk-tag nhsuk-tag--red"),
                Some(i) => (format!("Due by {}", long_date(i.due_on)), "nhsuk-tag nhsuk-tag--yellow"),
                None => ("Nothing outstanding".to_string(), "nhsuk-tag nhsuk-tag--grey"),
            };
            view! {
                <li data-action=format!("{action:?}") data-state=if item.is_some() { "due" } else { "clear" }>
                    <strong class=class>{state}</strong>" "{action.describe()}
                    {item.map(|i| view! { <span class="dsr-cell-detail">{i.reason.clone()}</span> })}
                </li>
            }
        })
        .collect_view();
    view! {
        <h2>{format!("What {} asks for", rating.label())}</h2>
        <ul class="nhsuk-list nhsuk-list--border" id=ids::REQUIRED_ACTIONS>{rows}</ul>
    }
}
