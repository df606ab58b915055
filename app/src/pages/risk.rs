//! `/people/{id}/risk/new`: the area's risk checklist for the person's age band. The score and the
//! suggested rating update as each question is answered; the user confirms the suggestion or chooses
//! another rating and says why. The assessment keeps its checklist version, and a new rating enters the
//! person's history (source: risk checklist). Blue is never scored: it follows an admission.

use dsr_shared::admission::current_admission;
use dsr_shared::rating::{Rating, RatingSource, current_rating};
use dsr_shared::risk::{AgeBand, RiskAnswers, RiskAssessment, RiskDecision, RiskTool};
use dsr_shared::sync::RecordKind;
use dsr_shared::text::{LongText, ShortText};
use dsr_shared::{PersonId, RiskAssessmentId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::TextAreaField;
use crate::element_ids as ids;
use crate::pages::register::rating_tag;
use crate::record_forms::{fields_of, new_id, person_row, rating_change, save_all, signed_in_name};
use crate::state::AppState;

const CHOICES: [Rating; 3] = [Rating::Red, Rating::Amber, Rating::Green];

/// The answers given so far (questions left unanswered are absent).
fn answers_of(answers: &[(String, RwSignal<String>)]) -> RiskAnswers {
    answers
        .iter()
        .filter_map(|(key, value)| match value.get().as_str() {
            "yes" => Some((key.clone(), true)),
            "no" => Some((key.clone(), false)),
            _ => None,
        })
        .collect()
}

#[component]
pub fn RiskPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let Some(row) = person_row(state) else {
        return view! { <h1>"Person not found on this device"</h1> }.into_any();
    };
    let (Some(person), Some(file)) = (row.person.clone(), row.file.clone()) else {
        return view! { <h1>"This record needs fixing first"</h1> }.into_any();
    };
    let today = chrono::Local::now().date_naive();
    let policy = state.area_policy();
    let band = AgeBand::for_age(person.age_on(today), policy.adult_age);
    let back = format!("/people/{}", row.id);
    let current = current_rating(&file.ratings).map(|r| r.to);
    if current_admission(&file.admissions, today).is_some() || current == Some(Rating::Blue) {
        return view! {
            <a class="nhsuk-back-link" href=back>"Back"</a>
            <h1>{format!("{} is in hospital", person.full_name())}</h1>
            <p class="nhsuk-body">"Blue is not scored: it follows the admission. Record the discharge to give a new rating."</p>
        }
        .into_any();
    }
    let Some(tool) = policy.risk_tool(band).cloned() else {
        return view! { <h1>"Your area has no risk checklist for this age"</h1> }.into_any();
    };
    view! { <RiskForm row_id=row.id person_id=person.id name=person.full_name() tool=tool current=current/> }.into_any()
}

#[component]
fn RiskForm(
    row_id: dsr_shared::RecordId,
    person_id: PersonId,
    name: String,
    tool: RiskTool,
    current: Option<Rating>,
) -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let answers: Vec<(String, RwSignal<String>)> =
        tool.items.iter().map(|i| (i.key.clone(), RwSignal::new(String::new()))).collect();
    let confirmed = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let mut draft_fields: Vec<(String, RwSignal<String>)> = answers.clone();
    draft_fields.push(("confirmed".into(), confirmed));
    draft_fields.push(("reason".into(), reason));
    let draft = use_draft(format!("risk:{row_id}"), draft_fields);
    let errors = RwSignal::new(ValidationErrors::new());
    let tool = StoredValue::new(tool);
    let answers = StoredValue::new(answers);

    let given = move || answers.with_value(|a| answers_of(a));
    let score = move || tool.with_value(|t| t.score(&given()));
    let suggested = move || tool.with_value(|t| t.suggest(&given()));
    let unanswered = move || tool.with_value(|t| t.unanswered(&given()).len());
    let possible: u32 = tool.with_value(|t| t.items.iter().map(|i| i.weight).sum());
    let chosen = move || CHOICES.into_iter().find(|r| r.label() == confirmed.get());
    let overriding = move || chosen().is_some_and(|c| c != suggested());
    let first_unanswered = move || {
        tool.with_value(|t| t.unanswered(&given()).first().map(|k| ids::risk_answer(k, true))).unwrap_or_default()
    };

    let field_element = move |field: &str| -> String {
        match field {
            "answers" => first_unanswered(),
            "override_reason" | "reason" => ids::RISK_REASON.to_string(),
            _ => ids::risk_confirm("red"),
        }
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let mut found = ValidationErrors::new();
        let Some(choice) = chosen() else {
            // In the form's order: the questions, then the rating.
            if unanswered() > 0 {
                found.add("answers", format!("Answer every question ({} left)", unanswered()));
            }
            found.add("confirmed", "Confirm the suggested rating or choose another");
            return errors.set(found);
        };
        let by = ShortText::parse(&signed_in_name(state)).ok();
        let override_reason = LongText::parse(&reason.get_untracked()).ok();
        let Some(by) = by else { return };
        let decision = RiskDecision {
            confirmed: choice,
            override_reason: override_reason.filter(|_| choice != suggested()),
            by: by.clone(),
            at: chrono::Utc::now(),
        };
        let id = new_id();
        let assessment = tool.with_value(|t| {
            RiskAssessment::complete(RiskAssessmentId::from_uuid(id.as_uuid()), person_id, t, given(), decision)
        });
        let assessment = match assessment {
            Ok(a) => a,
            Err(found) => {
                let mut shown = ValidationErrors::new();
                if unanswered() > 0 {
                    shown.add("answers", format!("Answer every question ({} left)", unanswered()));
                }
                for f in found.into_fields().into_iter().filter(|f| f.field != "answers") {
                    shown.add(&f.field, f.message);
                }
                return errors.set(shown);
            }
        };
        errors.set(ValidationErrors::new());
        let mut records = vec![(RecordKind::RiskAssessment, id, fields_of(&assessment))];
        if current != Some(assessment.confirmed) {
            let why = match &assessment.override_reason {
                Some(reason) => format!(
                    "Risk checklist scored {} (suggests {}); chosen instead: {}",
                    assessment.score,
                    assessment.suggested.label(),
                    reason.as_str()
                ),
                None => format!(
                    "Risk checklist ({}, version {}) scored {}",
                    tool.with_value(|t| t.name.to_string()),
                    assessment.tool_version,
                    assessment.score
                ),
            };
            records.push((
                RecordKind::RatingChange,
                new_id(),
                rating_change(row_id, current, assessment.confirmed, &why, by.as_str(), RatingSource::RiskTool),
            ));
        }
        let navigate = navigate.clone();
        let confirmed_label = assessment.confirmed.label();
        spawn_local(async move {
            match save_all(records).await {
                Ok(()) => {
                    draft.clear().await;
                    state.saved(format!("The risk checklist was saved on this device: {confirmed_label}")).await;
                    navigate(&format!("/people/{row_id}"), Default::default());
                }
                Err(found) => errors.set(found),
            }
        });
    };

    let questions = answers.with_value(|list| {
        tool.with_value(|t| {
            t.items
                .iter()
                .zip(list.iter().map(|(_, s)| *s))
                .enumerate()
                .map(|(n, (item, value))| {
                    let (yes, no) = (ids::risk_answer(&item.key, true), ids::risk_answer(&item.key, false));
                    let name = format!("risk-{}", item.key);
                    view! {
                        <div class="nhsuk-form-group dsr-risk-item">
                            <fieldset class="nhsuk-fieldset">
                                <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">
                                    {format!("{}. {}", n + 1, item.question)}
                                </legend>
                                {item.hint.as_ref().map(|h| view! { <div class="nhsuk-hint">{h.to_string()}</div> })}
                                <div class="nhsuk-radios nhsuk-radios--inline">
                                    <div class="nhsuk-radios__item">
                                        <input class="nhsuk-radios__input" id=yes.clone() name=name.clone() type="radio" value="yes"
                                            prop:checked=move || value.get() == "yes" on:change=move |_| value.set("yes".into())/>
                                        <label class="nhsuk-label nhsuk-radios__label" for=yes>{format!("Yes (scores {})", item.weight)}</label>
                                    </div>
                                    <div class="nhsuk-radios__item">
                                        <input class="nhsuk-radios__input" id=no.clone() name=name type="radio" value="no"
                                            prop:checked=move || value.get() == "no" on:change=move |_| value.set("no".into())/>
                                        <label class="nhsuk-label nhsuk-radios__label" for=no>"No"</label>
                                    </div>
                                </div>
                            </fieldset>
                        </div>
                    }
                })
                .collect_view()
        })
    });
    let reason_error = Signal::derive(move || errors.with(|e| e.message_for("override_reason").map(str::to_owned)));
    let confirm_error = Signal::derive(move || errors.with(|e| e.message_for("confirmed").map(str::to_owned)));
    let heading = tool.with_value(|t| format!("{} (version {})", t.name, t.version));
    view! {
        <a class="nhsuk-back-link" href=format!("/people/{row_id}")>"Back"</a>
        <span class="nhsuk-caption-l">{name}</span>
        <h1>"Risk checklist"</h1>
        <p class="nhsuk-body">{heading}". Answer each question. The score suggests a rating; you confirm it or choose another and say why."</p>
        <ErrorSummary errors=errors field_id=field_element/>
        <Show when=move || draft.restored.get()>
            <div class="nhsuk-inset-text" id=ids::DRAFT_RESTORED>
                <p>"We put back the answers you had given. Check them, then save."</p>
            </div>
        </Show>
        <form novalidate on:submit=on_submit>
            {questions}
            <div class="nhsuk-card dsr-risk-result" id=ids::RISK_SCORE aria-live="polite"
                data-score=move || score().to_string() data-suggested=move || suggested().label()>
                <div class="nhsuk-card__content">
                    <p class="nhsuk-body-l">{move || format!("Score: {} of {possible}", score())}</p>
                    <p class="nhsuk-body">"Suggested rating: "{move || rating_tag(Some(suggested()))}
                        {move || match unanswered() { 0 => String::new(), n => format!(" ({n} questions not answered yet)") }}</p>
                </div>
            </div>
            <div class=move || if confirm_error.with(Option::is_some) { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                <fieldset class="nhsuk-fieldset" id=ids::RISK_CONFIRM>
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">"The rating"</legend>
                    <div class="nhsuk-hint">{current.map(|c| format!("Now: {}", c.label())).unwrap_or_else(|| "Not rated yet".into())}</div>
                    {move || confirm_error.get().map(|m| view! { <span class="nhsuk-error-message" id=ids::error_message(ids::RISK_CONFIRM)>{m}</span> })}
                    <div class="nhsuk-radios">
                        {CHOICES.into_iter().map(|rating| {
                            let id = ids::risk_confirm(rating.label());
                            view! {
                                <div class="nhsuk-radios__item">
                                    <input class="nhsuk-radios__input" id=id.clone() name="confirmed" type="radio" value=rating.label()
                                        prop:checked=move || confirmed.get() == rating.label()
                                        on:change=move |_| confirmed.set(rating.label().into())/>
                                    <label class="nhsuk-label nhsuk-radios__label" for=id>
                                        {rating.label()}{move || (suggested() == rating).then_some(" (suggested by the checklist)")}
                                    </label>
                                </div>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            </div>
            <Show when=overriding>
                <TextAreaField id=ids::RISK_REASON label="Why a different rating from the suggestion"
                    hint="Kept in the rating history" value=reason error=reason_error rows=3/>
            </Show>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_RISK type="submit">"Save the checklist and rating"</button>
        </form>
    }
}
