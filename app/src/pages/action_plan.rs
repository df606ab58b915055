//! After the meeting.
//!
//! - `/people/{id}/reviews/{review}/actions`: the recommendations and the action plan (each action with an
//!   owner from the care network, a due date and a status, overdue marked), and the review's new rating.
//! - `/people/{id}/actions/{action}`: one action: its updates over time (each with a status), and the
//!   family's disagreement with it.

use dsr_shared::RecordId;
use dsr_shared::action::{Action, ActionStatus, ActionUpdate, Recommendation};
use dsr_shared::kloe::KeyQuestion;
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
        "question" => ids::RECOMMENDATION_QUESTION,
        "responsible" => ids::RECOMMENDATION_RESPONSIBLE,
        "by_when" => ids::RECOMMENDATION_BY_DAY,
        "measure" => ids::RECOMMENDATION_MEASURE,
        "prompts" => ids::RECOMMENDATION_PROMPTS,
        "recommendation_id" => ids::ACTION_RECOMMENDATION,
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
    let question = RwSignal::new(String::new());
    let responsible = RwSignal::new(String::new());
    let (by_day, by_month, by_year) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let measure = RwSignal::new(String::new());
    let chosen_prompts = RwSignal::new(std::collections::BTreeSet::<String>::new());
    let for_recommendation = RwSignal::new(String::new());
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
        let Some((row, file)) = untrack(page) else { return };
        // SMART: what, who, by when, how we will know, and the question (and lines of enquiry) it answers.
        let mut found = ValidationErrors::new();
        let text = LongText::parse(&recommendation.get_untracked())
            .map_err(|_| found.add("recommendation", "Write what is to happen"))
            .ok();
        let answers = KeyQuestion::ALL.into_iter().find(|q| q.name() == question.get_untracked());
        found.require(answers.is_none(), "question", "Choose the key question it answers");
        let who = ShortText::parse(&responsible.get_untracked())
            .map_err(|_| found.add("responsible", "Say who is responsible for it"))
            .ok();
        let by =
            date_from_parts(&by_day.get_untracked(), &by_month.get_untracked(), &by_year.get_untracked(), "The date")
                .map_err(|m| found.add("by_when", m))
                .ok();
        let how = LongText::parse(&measure.get_untracked())
            .map_err(|_| found.add("measure", "Say how we will know it has happened"))
            .ok();
        let (Some(text), Some(who), Some(by), Some(how), Some(answers)) = (text, who, by, how, answers) else {
            return errors.set(found);
        };
        // Only the lines of enquiry under the question chosen (boxes ticked under another are left).
        let policy = state.area_policy();
        let template = file.review.template(row.person.as_ref(), &policy, today());
        let under: Vec<String> =
            file.review.kloe(&policy).for_question(template, answers).iter().map(|p| p.key.clone()).collect();
        let prompts = chosen_prompts.get_untracked().into_iter().filter(|k| under.contains(k)).collect();
        let r = Recommendation {
            id: RecommendationId::from_uuid(new_id().as_uuid()),
            review_id: file.review.id,
            person_id: file.review.person_id,
            text,
            responsible: Some(who),
            by_when: Some(by),
            measure: Some(how),
            question: Some(answers),
            prompts,
        };
        let records = vec![(RecordKind::Recommendation, RecordId::from_uuid(r.id.as_uuid()), fields_of(&r))];
        save_then(state, records, errors, "The recommendation was saved on this device".into(), move || {
            for s in [recommendation, question, responsible, by_day, by_month, by_year, measure] {
                s.set(String::new());
            }
            chosen_prompts.set(Default::default());
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
        // An action hangs off the recommendation it carries out (once the review has any).
        let chosen = file.recommendations.iter().find(|r| r.id.to_string() == for_recommendation.get_untracked());
        found.require(
            chosen.is_none() && !file.recommendations.is_empty(),
            "recommendation_id",
            "Choose the recommendation the action is for",
        );
        let recommendation_id = chosen.map(|r| r.id);
        let (Some(what), Some(who), Some(due)) = (what, who, due) else { return errors.set(found) };
        if !found.is_empty() {
            return errors.set(found);
        }
        let action = Action {
            id: ActionId::from_uuid(new_id().as_uuid()),
            review_id: Some(file.review.id),
            meeting_id: None,
            person_id: file.review.person_id,
            recommendation_id,
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
        let policy = state.area_policy();
        let template = file.review.template(row.person.as_ref(), &policy, today);
        let kloe = file.review.kloe(&policy).clone();
        let lines = dsr_shared::report::recommendations(&file.recommendations, &file.actions, &kloe, template);
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
            <div id=ids::RECOMMENDATIONS>
                {if lines.is_empty() {
                    view! { <p class="nhsuk-body">"None yet."</p> }.into_any()
                } else {
                    super::report::recommendations_list(lines).into_any()
                }}
            </div>
            {may_plan.then(|| {
                let question_options: Vec<(String, &'static str, &'static str)> = KeyQuestion::ALL
                    .into_iter()
                    .map(|q| (ids::recommendation_question(q.name()), q.name(), q.text(template)))
                    .collect();
                let kloe = kloe.clone();
                let prompt_boxes = move || {
                    let Some(q) = KeyQuestion::ALL.into_iter().find(|q| q.name() == question.get()) else {
                        return view! { <p class="nhsuk-body-s">"Choose the key question first."</p> }.into_any();
                    };
                    kloe.for_question(template, q).into_iter().map(|p| {
                        let key = p.key.clone();
                        let id = ids::recommendation_prompt(&key);
                        let checked = { let key = key.clone(); move || chosen_prompts.with(|c| c.contains(&key)) };
                        view! {
                            <div class="nhsuk-checkboxes__item">
                                <input class="nhsuk-checkboxes__input" id=id.clone() type="checkbox" prop:checked=checked
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        chosen_prompts.update(|c| { if on { c.insert(key.clone()); } else { c.remove(&key); } });
                                    }/>
                                <label class="nhsuk-label nhsuk-checkboxes__label" for=id>{p.title().to_string()}</label>
                            </div>
                        }
                    }).collect_view().into_any()
                };
                view! {
                <form novalidate on:submit=add_recommendation class="dsr-panel">
                    <h3>"Add a recommendation"</h3>
                    <TextAreaField id=ids::RECOMMENDATION_TEXT label="What is to happen" value=recommendation error=error_for("recommendation") rows=3/>
                    {radio_group(ids::RECOMMENDATION_QUESTION, "The key question it answers", question_options, question, error_for("question"))}
                    <div class="nhsuk-form-group">
                        <fieldset class="nhsuk-fieldset" id=ids::RECOMMENDATION_PROMPTS>
                            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"The lines of enquiry it answers (optional)"</legend>
                            <div class="nhsuk-checkboxes">{prompt_boxes}</div>
                        </fieldset>
                    </div>
                    <TextField id=ids::RECOMMENDATION_RESPONSIBLE label="Who is responsible" hint="A person or a role in the care network: for example, GP, CAMHS clinician"
                        value=responsible error=error_for("responsible") width_class="nhsuk-u-width-two-thirds"/>
                    <DateField id=ids::RECOMMENDATION_BY legend="By when" day=by_day month=by_month year=by_year error=error_for("by_when")
                        part_ids=[ids::RECOMMENDATION_BY_DAY, ids::RECOMMENDATION_BY_MONTH, ids::RECOMMENDATION_BY_YEAR]/>
                    <TextAreaField id=ids::RECOMMENDATION_MEASURE label="How we will know it has happened" value=measure error=error_for("measure") rows=2/>
                    <button class="nhsuk-button nhsuk-button--secondary" id=ids::ADD_RECOMMENDATION type="submit">"Add the recommendation"</button>
                </form>
            }})}
            <h2>"Action plan"</h2>
            {if actions.is_empty() {
                view! { <p class="nhsuk-body" id=ids::ACTION_PLAN>"No actions yet."</p> }.into_any()
            } else {
                action_table(actions, row.id, today).into_any()
            }}
            {may_plan.then(|| view! {
                <form novalidate on:submit=add_action class="dsr-panel">
                    <h3>"Add an action"</h3>
                    {(!file.recommendations.is_empty()).then(|| view! {
                        <div class=move || if errors.with(|e| e.message_for("recommendation_id").is_some()) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                            <label class="nhsuk-label" for=ids::ACTION_RECOMMENDATION>"The recommendation it carries out"</label>
                            {move || error_for("recommendation_id").get().map(|e| view! { <span class="nhsuk-error-message"><span class="nhsuk-u-visually-hidden">"Error: "</span>{e}</span> })}
                            <select class="nhsuk-select" id=ids::ACTION_RECOMMENDATION prop:value=move || for_recommendation.get()
                                on:change=move |ev| for_recommendation.set(event_target_value(&ev))>
                                <option value="">"Choose a recommendation"</option>
                                {file.recommendations.iter().map(|r| view! { <option value=r.id.to_string()>{r.text.as_str().to_string()}</option> }).collect_view()}
                            </select>
                        </div>
                    })}
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
