//! After the meeting.
//!
//! - `/people/{id}/reviews/{review}/actions`: the recommendations and the action plan (each action with an
//!   owner from the care network, a due date and a status, overdue marked), and the review's new rating.
//! - `/people/{id}/actions/{action}`: one action: its updates over time (each with a status), and the
//!   family's disagreement with it.

use dsr_shared::RecordId;
use dsr_shared::action::{Action, ActionStatus, ActionUpdate, Recommendation};
use dsr_shared::person::date_from_parts;
use dsr_shared::planner::Disagreement;
use dsr_shared::rating::{Rating, RatingSource};
use dsr_shared::sync::RecordKind;
use dsr_shared::text::{LongText, ShortText};
use dsr_shared::{ActionId, RecommendationId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextAreaField, TextField, radio_group};
use crate::element_ids as ids;
use crate::pages::register::rating_tag;
use crate::record_forms::{
    access_to, fields_of, long_date, new_id, one_error, person_row, rating_change, recorder, save_all, signed_in_name,
    today,
};
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "text" | "recommendation" => ids::RECOMMENDATION_TEXT,
        "description" => ids::ACTION_DESCRIPTION,
        "owner" => ids::ACTION_OWNER,
        "due_on" => ids::ACTION_DUE_DAY,
        "to" | "rating" => ids::RERATE,
        "reason" => ids::RERATE_REASON,
        "status" => ids::ACTION_STATUS,
        "note" | "updates" => ids::ACTION_NOTE,
        "family_disagreement" => ids::ACTION_DISAGREEMENT,
        _ => ids::MAIN,
    }
}

/// Saves records on the device, then tells the page through `done` (a notice) or `errors`.
fn save_then(
    state: AppState,
    records: Vec<(RecordKind, dsr_shared::RecordId, dsr_shared::sync::Fields)>,
    errors: RwSignal<ValidationErrors>,
    notice: String,
    after: impl FnOnce() + 'static,
) {
    spawn_local(async move {
        match save_all(records).await {
            Ok(()) => {
                errors.set(ValidationErrors::new());
                state.saved(notice).await;
                after();
            }
            Err(found) => errors.set(found),
        }
    });
}

/// The action plan as a table: what, who, by when, where it stands.
pub fn action_table(actions: Vec<Action>, person: dsr_shared::RecordId, today: chrono::NaiveDate) -> impl IntoView {
    view! {
        <table class="nhsuk-table" id=ids::ACTION_PLAN>
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Action plan"</caption>
            <thead class="nhsuk-table__head"><tr>
                <th scope="col">"Action"</th><th scope="col">"Owner"</th><th scope="col">"Due"</th><th scope="col">"Status"</th>
            </tr></thead>
            <tbody class="nhsuk-table__body">
                {actions.into_iter().map(|a| {
                    let id = a.id.to_string();
                    view! {
                        <tr class="nhsuk-table__row" data-overdue=a.is_overdue(today).to_string()>
                            <td class="nhsuk-table__cell"><a href=format!("/people/{person}/actions/{id}") id=ids::action_link(&id)>{a.description.as_str().to_string()}</a>
                                {a.family_disagreement.as_ref().map(|_| view! { <p class="dsr-cell-detail">"The family disagrees"</p> })}</td>
                            <td class="nhsuk-table__cell">{a.owner.as_str().to_string()}</td>
                            <td class="nhsuk-table__cell">
                                {a.is_overdue(today).then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
                                {long_date(a.due_on)}
                            </td>
                            <td class="nhsuk-table__cell">{a.status.label()}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// `/people/{id}/reviews/{review}/actions`.
#[component]
pub fn ActionPlanPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    super::note_read(dsr_shared::accounts::Screen::ActionPlan);
    let page = super::route_review_file();
    let errors = RwSignal::new(ValidationErrors::new());
    let recommendation = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let (day, month, year) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let rerate = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let notice = RwSignal::new(None::<String>);
    let initial = state.notice.get_untracked();
    state.notice.set(None);
    notice.set(initial);

    let add_recommendation = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some((_, file)) = untrack(page) else { return };
        let Ok(text) = LongText::parse(&recommendation.get_untracked()) else {
            return errors.set(one_error("recommendation", "Write the recommendation"));
        };
        let r = Recommendation {
            id: RecommendationId::from_uuid(new_id().as_uuid()),
            review_id: file.review.id,
            person_id: file.review.person_id,
            text,
        };
        let records = vec![(RecordKind::Recommendation, RecordId::from_uuid(r.id.as_uuid()), fields_of(&r))];
        save_then(state, records, errors, "The recommendation was saved on this device".into(), move || {
            recommendation.set(String::new());
            notice.set(state.notice.get_untracked());
            state.notice.set(None);
        });
    };

    let add_action = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some((_, file)) = untrack(page) else { return };
        let mut found = ValidationErrors::new();
        let what = LongText::parse(&description.get_untracked())
            .map_err(|_| found.add("description", "Say what is to be done"))
            .ok();
        let who = ShortText::parse(&owner.get_untracked())
            .map_err(|_| found.add("owner", "Name who in the care network owns it"))
            .ok();
        let due = date_from_parts(&day.get_untracked(), &month.get_untracked(), &year.get_untracked(), "The due date")
            .map_err(|m| found.add("due_on", m))
            .ok();
        let (Some(what), Some(who), Some(due)) = (what, who, due) else { return errors.set(found) };
        let action = Action {
            id: ActionId::from_uuid(new_id().as_uuid()),
            review_id: Some(file.review.id),
            meeting_id: None,
            person_id: file.review.person_id,
            recommendation_id: None,
            description: what,
            owner: who,
            due_on: due,
            status: ActionStatus::Open,
            updates: Vec::new(),
            family_disagreement: None,
        };
        let records = vec![(RecordKind::Action, RecordId::from_uuid(action.id.as_uuid()), fields_of(&action))];
        save_then(
            state,
            records,
            errors,
            format!("The action for {} was saved on this device", action.owner.as_str()),
            move || {
                for s in [description, owner, day, month, year] {
                    s.set(String::new());
                }
                notice.set(state.notice.get_untracked());
                state.notice.set(None);
            },
        );
    };

    let save_rating = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some((row, file)) = untrack(page) else { return };
        let mut found = ValidationErrors::new();
        let to = match rerate.get_untracked().as_str() {
            "red" => Some(Rating::Red),
            "amber" => Some(Rating::Amber),
            "green" => Some(Rating::Green),
            _ => None,
        };
        found.require(to.is_none(), "rating", "Choose the rating the review gives");
        found.require(reason.with_untracked(|r| r.trim().is_empty()), "reason", "Say why, as the review concluded");
        let Some(to) = to.filter(|_| found.is_empty()) else { return errors.set(found) };
        let from = row.register.as_ref().and_then(|r| r.rating);
        let why = format!(
            "{} on {}: {}",
            file.review.name.short(),
            file.review.meeting_on.map(long_date).unwrap_or_default(),
            reason.get_untracked().trim()
        );
        let fields = rating_change(row.id, from, to, &why, &signed_in_name(state), RatingSource::Review);
        let records = vec![(RecordKind::RatingChange, new_id(), fields)];
        save_then(state, records, errors, "The new rating was saved on this device".into(), move || {
            reason.set(String::new());
            rerate.set(String::new());
            notice.set(state.notice.get_untracked());
            state.notice.set(None);
        });
    };

    move || {
        let Some((row, file)) = page() else {
            return view! { <h1>"Review not found on this device"</h1> }.into_any();
        };
        let access = access_to(state, &row);
        let today = today();
        let may_plan = access.write.contains(RecordKind::Action) && access.write.contains(RecordKind::Recommendation);
        let may_rate = access.write.contains(RecordKind::RatingChange) && file.review.was_held();
        let rating = row.register.as_ref().and_then(|r| r.rating);
        let in_hospital = rating == Some(Rating::Blue);
        let mut actions = file.actions.clone();
        actions.sort_by_key(|a| (a.due_on, a.id));
        let rating_options: Vec<(String, &'static str, &'static str)> = vec![
            (ids::rerate_to("red"), "red", "Red: at high risk of admission without support"),
            (ids::rerate_to("amber"), "amber", "Amber: at risk; the community needs to act"),
            (ids::rerate_to("green"), "green", "Green: needs are met; keep under review"),
        ];
        view! {
            <a class="nhsuk-back-link" href=format!("/people/{}/reviews/{}", row.id, file.review.id)>"Back to the review"</a>
            <span class="nhsuk-caption-l">{row.person.as_ref().map(|p| p.full_name()).unwrap_or_default()}" "{rating_tag(rating)}</span>
            <h1>"Recommendations and action plan"</h1>
            {move || notice.get().map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
            <ErrorSummary errors=errors field_id=field_element/>
            <h2>"Recommendations"</h2>
            {if file.recommendations.is_empty() {
                view! { <p class="nhsuk-body" id=ids::RECOMMENDATIONS>"None yet."</p> }.into_any()
            } else {
                view! { <ol class="nhsuk-list nhsuk-list--number" id=ids::RECOMMENDATIONS>
                    {file.recommendations.iter().map(|r| view! { <li>{r.text.as_str().to_string()}</li> }).collect_view()}
                </ol> }.into_any()
            }}
            {may_plan.then(|| view! {
                <form novalidate on:submit=add_recommendation>
                    <TextAreaField id=ids::RECOMMENDATION_TEXT label="Add a recommendation" value=recommendation error=error_for("recommendation") rows=3/>
                    <button class="nhsuk-button nhsuk-button--secondary" id=ids::ADD_RECOMMENDATION type="submit">"Add the recommendation"</button>
                </form>
            })}
            <h2>"Action plan"</h2>
            {if actions.is_empty() {
                view! { <p class="nhsuk-body" id=ids::ACTION_PLAN>"No actions yet."</p> }.into_any()
            } else {
                action_table(actions, row.id, today).into_any()
            }}
            {may_plan.then(|| view! {
                <form novalidate on:submit=add_action class="dsr-panel">
                    <h3>"Add an action"</h3>
                    <TextAreaField id=ids::ACTION_DESCRIPTION label="What is to be done" value=description error=error_for("description") rows=3/>
                    <TextField id=ids::ACTION_OWNER label="Who owns it" hint="Someone in the care network: for example, School SENCo, CAMHS clinician"
                        value=owner error=error_for("owner") width_class="nhsuk-u-width-two-thirds"/>
                    <DateField id=ids::ACTION_DUE legend="Due by" day=day month=month year=year error=error_for("due_on")
                        part_ids=[ids::ACTION_DUE_DAY, ids::ACTION_DUE_MONTH, ids::ACTION_DUE_YEAR]/>
                    <button class="nhsuk-button nhsuk-button--secondary" id=ids::ADD_ACTION type="submit">"Add the action"</button>
                </form>
            })}
            {(may_rate && !in_hospital).then(|| view! {
                <form novalidate on:submit=save_rating>
                    <h2>"The review's rating"</h2>
                    {radio_group(ids::RERATE, "After the review, the person is", rating_options, rerate, error_for("rating"))}
                    <TextAreaField id=ids::RERATE_REASON label="Why" value=reason error=error_for("reason") rows=3/>
                    <button class="nhsuk-button" id=ids::SAVE_RERATE type="submit">"Save the rating"</button>
                </form>
            })}
        }
        .into_any()
    }
}

/// `/people/{id}/actions/{action}`.
#[component]
pub fn ActionPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    super::note_read(dsr_shared::accounts::Screen::Action);
    let row = person_row(state);
    let action_id = untrack(super::route_action_id());
    let current = move || {
        let row = super::route_person_id()().and_then(|id| state.person(id))?;
        row.file.as_ref()?.actions.iter().find(|a| Some(a.id) == action_id).cloned()
    };
    let Some((row, first)) = row.zip(untrack(current)) else {
        return view! { <h1>"Action not found on this device"</h1> }.into_any();
    };
    let access = access_to(state, &row);
    // Each role its own part: an advocate records the family's disagreement, not updates (access::write_rule).
    let role = state.role();
    let writes = |field: &str| {
        access.write.contains(RecordKind::Action)
            && role.is_some_and(|r| dsr_shared::access::write_rule(r, RecordKind::Action).may_change(field))
    };
    let (may_update, may_disagree) = (writes("updates"), writes("family_disagreement"));
    let status = RwSignal::new(first.status.name().to_string());
    let note = RwSignal::new(String::new());
    let disagreement = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let notice = RwSignal::new(None::<String>);
    let after_save = move || {
        note.set(String::new());
        disagreement.set(String::new());
        notice.set(state.notice.get_untracked());
        state.notice.set(None);
    };
    let save_update = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(mut action) = untrack(current) else { return };
        let Some(chosen) = ActionStatus::from_name(&status.get_untracked()) else {
            return errors.set(one_error("status", "Choose where the action stands"));
        };
        let Ok(words) = LongText::parse(&note.get_untracked()) else {
            return errors
                .set(one_error("note", "Write what happened (for example: chased by phone, the referral was made)"));
        };
        let mut found = ValidationErrors::new();
        let Some(by) = recorder(state, "note", &mut found) else { return errors.set(found) };
        if let Err(e) = action.update(ActionUpdate { on: today(), by, note: words, status: chosen }) {
            return errors.set(e);
        }
        let records = vec![(RecordKind::Action, RecordId::from_uuid(action.id.as_uuid()), fields_of(&action))];
        save_then(state, records, errors, "The update was saved on this device".into(), after_save);
    };
    let save_disagreement = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(mut action) = untrack(current) else { return };
        let Ok(about) = LongText::parse(&disagreement.get_untracked()) else {
            return errors
                .set(one_error("family_disagreement", "Write what the family disagrees with, in their words"));
        };
        let mut found = ValidationErrors::new();
        let Some(recorded_by) = recorder(state, "family_disagreement", &mut found) else { return errors.set(found) };
        action.family_disagreement = Some(Disagreement { about, recorded_by, on: today() });
        let records = vec![(RecordKind::Action, RecordId::from_uuid(action.id.as_uuid()), fields_of(&action))];
        save_then(state, records, errors, "The family's disagreement was saved on this device".into(), after_save);
    };
    let status_options: Vec<(String, &'static str, &'static str)> =
        ActionStatus::ALL.iter().map(|s| (ids::action_status(s.name()), s.name(), s.label())).collect();
    // Back to where the action was agreed: the review's action plan, or the DSR meeting's decision.
    let (back, back_text) = match (first.review_id, first.meeting_id) {
        (Some(review), _) => (format!("/people/{}/reviews/{review}/actions", row.id), "Back to the action plan"),
        (None, Some(meeting)) => (format!("/meetings/{meeting}/people/{}", row.id), "Back to the meeting's decision"),
        (None, None) => ("/actions".to_string(), "Back to the follow-up"),
    };
    view! {
        <a class="nhsuk-back-link" href=back>{back_text}</a>
        <span class="nhsuk-caption-l">{row.person.as_ref().map(|p| p.full_name()).unwrap_or_default()}</span>
        {move || current().map(|a| {
            let today = today();
            view! {
                <h1>{a.description.as_str().to_string()}</h1>
                <p class="nhsuk-body" id=ids::ACTION_STATUS>
                    {a.is_overdue(today).then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
                    <strong class="nhsuk-tag">{a.status.label()}</strong>
                    {format!(" Owner: {}. Due by {}.", a.owner.as_str(), long_date(a.due_on))}
                </p>
                {a.family_disagreement.as_ref().map(|d| view! {
                    <div class="nhsuk-inset-text"><p>{format!("The family disagrees: {} (recorded by {} on {})", d.about.as_str(), d.recorded_by.as_str(), long_date(d.on))}</p></div>
                })}
                <h2>"Updates"</h2>
                {if a.updates.is_empty() {
                    view! { <p class="nhsuk-body" id=ids::ACTION_UPDATES>"No updates yet."</p> }.into_any()
                } else {
                    view! { <ol class="dsr-timeline" id=ids::ACTION_UPDATES>
                        {a.updates.iter().rev().map(|u| view! {
                            <li class="dsr-timeline__item">
                                <p class="dsr-timeline__what"><strong>{u.status.label()}</strong></p>
                                <p class="dsr-cell-detail">{format!("{} by {}", long_date(u.on), u.by.as_str())}</p>
                                <p class="dsr-cell-detail">{u.note.as_str().to_string()}</p>
                            </li>
                        }).collect_view()}
                    </ol> }.into_any()
                }}
            }
        })}
        {move || notice.get().map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
        <ErrorSummary errors=errors field_id=field_element/>
        {may_update.then(|| view! {
            <form novalidate on:submit=save_update>
                <h2>"Add an update"</h2>
                {radio_group(ids::ACTION_STATUS, "Where it stands now", status_options, status, error_for("status"))}
                <TextAreaField id=ids::ACTION_NOTE label="What happened" value=note error=error_for("note") rows=3/>
                <button class="nhsuk-button" id=ids::SAVE_ACTION_UPDATE type="submit">"Save the update"</button>
            </form>
        })}
        {may_disagree.then(|| view! {
            <form novalidate on:submit=save_disagreement>
                <h2>"The family's disagreement"</h2>
                <TextAreaField id=ids::ACTION_DISAGREEMENT label="What the family disagrees with, in their words"
                    value=disagreement error=error_for("family_disagreement") rows=3/>
                <button class="nhsuk-button nhsuk-button--secondary" id=ids::SAVE_ACTION_DISAGREEMENT type="submit">"Record the disagreement"</button>
            </form>
        })}
    }
    .into_any()
}
