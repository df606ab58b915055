//! `/people/{id}/consent/new`: recording consent to be on the register (or to share information), or a
//! best-interests decision in its place. The form says, from the area's policy and the person's age,
//! who may consent; the same rules check the answer. Withdrawal is recorded from the person page.

use dsr_shared::consent::{Consent, ConsentScope, who_may_consent};
use dsr_shared::person::date_from_parts;
use dsr_shared::sync::{Fields, RecordKind};
use dsr_shared::{RecordId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;
use serde_json::{Value, json};

use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextAreaField, TextField, radio};
use crate::components::what_will_happen::WhatWillHappen;
use crate::element_ids as ids;
use crate::local_store;
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "given_on" => ids::CONSENT_DAY,
        "parent_name" => ids::CONSENT_PARENT_NAME,
        "parent_relationship" => ids::CONSENT_PARENT_RELATIONSHIP,
        "decision_maker" => ids::CONSENT_DECISION_MAKER,
        "reason" => ids::CONSENT_REASON,
        _ => ids::CONSENT_GIVER,
    }
}

#[component]
pub fn ConsentPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let person_id = untrack(super::route_person_id());
    let person = person_id.and_then(|id| untrack(|| state.person(id))).and_then(|r| r.person);
    let policy = state.area_policy();
    let today = chrono::Local::now().date_naive();
    let born = person.as_ref().map(|p| p.date_of_birth);

    // From a review's page: consent for that review, so its panel may open the papers.
    let query = leptos_router::hooks::use_query_map();
    let review: Option<dsr_shared::review::Review> = untrack(|| query.with(|q| q.get("review")))
        .and_then(|id| id.parse::<dsr_shared::ReviewId>().ok())
        .and_then(|id| {
            person_id
                .and_then(|p| untrack(|| state.person(p)))
                .and_then(|r| r.file)
                .and_then(|f| f.reviews.into_iter().find(|r| r.id == id))
        });
    let scope = RwSignal::new(if review.is_some() { "review" } else { "register" }.to_string());
    // Who may consent depends on what is consented to: the register's ages and a review's differ.
    let consent_policy = policy.consent.clone();
    let who = Memo::new(move |_| {
        let scope = if scope.get() == "review" { ConsentScope::Review } else { ConsentScope::Register };
        born.map(|born| who_may_consent(born, today, consent_policy.ages(scope)))
    });
    let giver = RwSignal::new(
        if who.get_untracked().is_some_and(|w| w.the_person) { "the_person" } else { "parental_responsibility" }
            .to_string(),
    );
    let gillick = RwSignal::new(String::new());
    let parent_name = RwSignal::new(String::new());
    let parent_relationship = RwSignal::new(String::new());
    let child_agreed = RwSignal::new(String::new());
    let decision_maker = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let day = RwSignal::new(today.format("%-d").to_string());
    let month = RwSignal::new(today.format("%-m").to_string());
    let year = RwSignal::new(today.format("%Y").to_string());
    let draft = use_draft(
        format!("consent:{}", person_id.map(|p| p.to_string()).unwrap_or_default()),
        vec![
            ("scope", scope),
            ("giver", giver),
            ("gillick", gillick),
            ("parent_name", parent_name),
            ("parent_relationship", parent_relationship),
            ("child_agreed", child_agreed),
            ("decision_maker", decision_maker),
            ("reason", reason),
            ("day", day),
            ("month", month),
            ("year", year),
        ],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let born = person.as_ref().map(|p| p.date_of_birth);
    let review_id = review.as_ref().map(|r| r.id);
    let review_label = review.as_ref().map(|r| {
        format!(
            "The {} on {}: the panel may read the papers",
            r.name.short(),
            r.meeting_on.map(crate::record_forms::long_date).unwrap_or_else(|| "a date to be set".into())
        )
    });
    let back_to = super::review_path(person_id, review_id);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (Some(person_id), Some(born)) = (person_id, born) else { return };
        let mut found = ValidationErrors::new();
        let given_on = date_from_parts(&day.get_untracked(), &month.get_untracked(), &year.get_untracked(), "The date")
            .map_err(|m| found.add("given_on", m))
            .ok();
        let given_by = match giver.get_untracked().as_str() {
            "the_person" => json!({ "kind": "the_person", "gillick_competent": gillick.get_untracked() == "yes" }),
            "parental_responsibility" => {
                found.require(
                    parent_name.with_untracked(|n| n.trim().is_empty()),
                    "parent_name",
                    "Enter the name of the person with parental responsibility",
                );
                found.require(
                    parent_relationship.with_untracked(|n| n.trim().is_empty()),
                    "parent_relationship",
                    "Enter their relationship to the child",
                );
                let agreed = match child_agreed.get_untracked().as_str() {
                    "yes" => Some(true),
                    "no" => Some(false),
                    _ => None,
                };
                json!({ "kind": "parental_responsibility", "name": parent_name.get_untracked().trim(),
                        "relationship": parent_relationship.get_untracked().trim(), "child_agreed": agreed })
            }
            _ => {
                found.require(
                    decision_maker.with_untracked(|n| n.trim().is_empty()),
                    "decision_maker",
                    "Enter who made the best-interests decision",
                );
                found.require(
                    reason.with_untracked(|n| n.trim().is_empty()),
                    "reason",
                    "Say why the decision is in their best interests",
                );
                json!({ "kind": "best_interests", "decision_maker": decision_maker.get_untracked().trim(), "reason": reason.get_untracked().trim() })
            }
        };
        let Some(given_on) = given_on.filter(|_| found.is_empty()) else { return errors.set(found) };
        let recorded_by =
            state.session.with_untracked(|s| s.user().map(|u| u.display_name.clone())).unwrap_or_default();
        let mut fields = Fields::new();
        fields.insert("person_id".into(), Value::String(person_id.to_string()));
        fields.insert("scope".into(), Value::String(scope.get_untracked()));
        if scope.get_untracked() == "review"
            && let Some(review) = review_id
        {
            fields.insert("review_id".into(), Value::String(review.to_string()));
        }
        fields.insert("given_by".into(), given_by);
        fields.insert("given_on".into(), Value::String(given_on.to_string()));
        fields.insert("recorded_by".into(), Value::String(recorded_by));
        let id = RecordId::from_time_and_random(js_sys::Date::now() as u64, local_store::random_bytes());
        // The server's checks, then the policy's rule on who may consent at this age.
        let checked =
            dsr_shared::sync::validate::validate_fields(RecordKind::Consent, id, &fields, today).map_err(|reasons| {
                let mut found = ValidationErrors::new();
                for r in reasons {
                    found.add(if r.field == "given_by" { "giver" } else { &r.field }, r.message);
                }
                found
            });
        let consent: Result<Consent, ValidationErrors> = checked.and_then(|()| {
            let mut object: serde_json::Map<String, Value> = fields.clone().into_iter().collect();
            object.insert("id".into(), Value::String(id.to_string()));
            serde_json::from_value::<Consent>(Value::Object(object)).map_err(|e| {
                let mut found = ValidationErrors::new();
                found.add("giver", e.to_string());
                found
            })
        });
        let consent = consent.and_then(|c| {
            c.check_giver(born, &state.area_policy().consent).map_err(|e| {
                let mut found = ValidationErrors::new();
                for f in e.into_fields() {
                    found.add("giver", f.message);
                }
                found
            })
        });
        if let Err(found) = consent {
            return errors.set(found);
        }
        errors.set(ValidationErrors::new());
        let navigate = navigate.clone();
        let back_to = back_to.clone();
        spawn_local(async move {
            match local_store::save(RecordKind::Consent, id, fields, None).await {
                Ok(()) => {
                    draft.clear().await;
                    state.saved("Consent was recorded on this device").await;
                    navigate(&back_to, Default::default());
                }
                Err(error) => {
                    let mut problem = ValidationErrors::new();
                    problem.add("giver", format!("Nothing was saved: {error}"));
                    errors.set(problem);
                }
            }
        });
    };

    view! {
        <a class="nhsuk-back-link" href=person_id.map(|p| format!("/people/{p}")).unwrap_or_else(|| "/".into())>"Back"</a>
        <span class="nhsuk-caption-l">{person.as_ref().map(|p| p.full_name()).unwrap_or_default()}</span>
        <h1>"Record consent"</h1>
        <div class="nhsuk-inset-text" id=ids::WHO_MAY_CONSENT><p>{move || who.get().map(|w| w.explain()).unwrap_or_default()}</p></div>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            <div class="nhsuk-form-group">
                <fieldset class="nhsuk-fieldset">
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Consent to"</legend>
                    <div class="nhsuk-radios">
                        {radio("scope", ids::CONSENT_SCOPE_REGISTER.into(), "register", "Being on the register", scope)}
                        {radio("scope", "consent-scope-sharing".into(), "information_sharing", "Sharing information between services", scope)}
                        {review_label.clone().map(|label| view! {
                            <div class="nhsuk-radios__item">
                                <input class="nhsuk-radios__input" id=ids::CONSENT_SCOPE_REVIEW name="scope" type="radio" value="review"
                                    prop:checked=move || scope.get() == "review" on:change=move |_| scope.set("review".into())/>
                                <label class="nhsuk-label nhsuk-radios__label" for=ids::CONSENT_SCOPE_REVIEW>{label}</label>
                            </div>
                        })}
                    </div>
                </fieldset>
            </div>
            <div class=move || if error_for("giver").get().is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                <fieldset class="nhsuk-fieldset" id=ids::CONSENT_GIVER>
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Given by"</legend>
                    {move || error_for("giver").get().map(|m| view! { <span class="nhsuk-error-message" id=ids::error_message(ids::CONSENT_GIVER)>{m}</span> })}
                    <div class="nhsuk-radios">
                        {radio("giver", ids::CONSENT_BY_PERSON.into(), "the_person", "The person themselves", giver)}
                        {radio("giver", ids::CONSENT_BY_PARENT.into(), "parental_responsibility", "Someone with parental responsibility", giver)}
                        {radio("giver", ids::CONSENT_BY_BEST_INTERESTS.into(), "best_interests", "A best-interests decision (they lack capacity to decide)", giver)}
                    </div>
                </fieldset>
            </div>
            <Show when=move || giver.get() == "the_person" && who.get().is_some_and(|w| !w.the_person)>
                <div class="nhsuk-checkboxes__item nhsuk-u-margin-bottom-4">
                    <input class="nhsuk-checkboxes__input" id=ids::CONSENT_GILLICK type="checkbox"
                        prop:checked=move || gillick.get() == "yes"
                        on:change=move |ev| gillick.set(if event_target_checked(&ev) { "yes".into() } else { String::new() })/>
                    <label class="nhsuk-label nhsuk-checkboxes__label" for=ids::CONSENT_GILLICK>"They are Gillick competent to decide"</label>
                </div>
            </Show>
            <Show when=move || giver.get() == "parental_responsibility">
                <TextField id=ids::CONSENT_PARENT_NAME label="Their name" value=parent_name error=error_for("parent_name") width_class="nhsuk-u-width-two-thirds"/>
                <TextField id=ids::CONSENT_PARENT_RELATIONSHIP label="Relationship to the child" hint="For example: mother, foster carer"
                    value=parent_relationship error=error_for("parent_relationship") width_class="nhsuk-u-width-one-half"/>
                <Show when=move || who.get().is_some_and(|w| w.child_must_agree)>
                    <div class="nhsuk-form-group">
                        <fieldset class="nhsuk-fieldset">
                            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Does the young person agree?"</legend>
                            <div class="nhsuk-radios nhsuk-radios--inline">
                                {radio("child_agreed", ids::CONSENT_CHILD_AGREED.into(), "yes", "Yes", child_agreed)}
                                {radio("child_agreed", "consent-child-disagreed".into(), "no", "No", child_agreed)}
                            </div>
                        </fieldset>
                    </div>
                </Show>
            </Show>
            <Show when=move || giver.get() == "best_interests">
                <TextField id=ids::CONSENT_DECISION_MAKER label="Who made the decision" value=decision_maker error=error_for("decision_maker") width_class="nhsuk-u-width-two-thirds"/>
                <TextAreaField id=ids::CONSENT_REASON label="Why it is in their best interests" value=reason error=error_for("reason")/>
            </Show>
            <DateField id=ids::CONSENT_DATE legend="Date given" day=day month=month year=year error=error_for("given_on")
                part_ids=[ids::CONSENT_DAY, "consent-date-month", "consent-date-year"]/>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_CONSENT type="submit">"Record consent"</button>
        </form>
    }
}

/// `/people/{id}/consent/{consent}/withdraw`: withdrawing a consent, never by one tap. The page says
/// what will happen (from `dsr_shared::consent::withdrawal_effects`) and asks who asked for it and
/// why; the consent keeps both.
#[component]
pub fn WithdrawConsentPage() -> impl IntoView {
    use dsr_shared::consent::{withdrawal, withdrawal_effects, withdrawal_request_effects};
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let params = leptos_router::hooks::use_params_map();
    let consent_id: Option<dsr_shared::ConsentId> =
        untrack(|| params.with(|p| p.get("consent").and_then(|c| c.parse().ok())));
    let row = untrack(super::route_person_id()).and_then(|id| untrack(|| state.person(id)));
    let found = row.as_ref().and_then(|row| {
        let consent = row.file.as_ref()?.consents.iter().find(|c| Some(c.id) == consent_id)?.clone();
        Some((row.id, row.person.as_ref().map(|p| p.full_name()).unwrap_or_default(), consent))
    });
    let Some((person, name, consent)) = found else {
        return view! { <h1>"Consent not found on this device"</h1> }.into_any();
    };
    let back = format!("/people/{person}");
    let today = chrono::Local::now().date_naive();
    if !consent.in_force(today) {
        return view! {
            <a class="nhsuk-back-link" href=back>"Back"</a>
            <h1>"This consent is not in force"</h1>
            <p class="nhsuk-body">"It was withdrawn already, or has not started: there is nothing to withdraw."</p>
        }
        .into_any();
    }
    // A family's withdrawal is a request to the coordinator unless the area's policy says otherwise.
    let family = state.session.with_untracked(|s| s.user().is_some_and(|u| !u.role.is_staff()));
    let request = family && !state.area_policy().families.withdrawal_takes_effect;
    if request && let Some(asked) = consent.withdrawal_requested_on {
        return view! {
            <a class="nhsuk-back-link" href=back>"Back"</a>
            <h1>"You have asked already"</h1>
            <p class="nhsuk-body-l" id=ids::WITHDRAWAL_ASKED>{format!(
                "You asked on {} to withdraw this consent. The DSR coordinator will contact you to check, and then withdraw it.",
                asked.format("%-d %B %Y")
            )}</p>
        }
        .into_any();
    }
    // A coordinator confirming a family's request starts from what the family said.
    let asked_by =
        RwSignal::new(consent.withdrawal_asked_by.as_ref().map(|a| a.as_str().to_string()).unwrap_or_default());
    let reason = RwSignal::new(consent.withdrawal_reason.as_ref().map(|r| r.as_str().to_string()).unwrap_or_default());
    let draft = use_draft(format!("withdraw:{}", consent.id), vec![("asked_by", asked_by), ("reason", reason)]);
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let record = RecordId::from_uuid(consent.id.as_uuid());
    let what = dsr_shared::consent::scope_words(consent.scope);
    let on_submit = {
        let back = back.clone();
        let name = name.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let asked = match withdrawal(&asked_by.get_untracked(), &reason.get_untracked()) {
                Ok(asked) => asked,
                Err(found) => return errors.set(found),
            };
            let mut fields = Fields::new();
            fields.insert(if request { "withdrawal_requested_on" } else { "withdrawn_on" }.into(), json!(today));
            fields.insert("withdrawal_asked_by".into(), json!(asked.asked_by));
            fields.insert("withdrawal_reason".into(), json!(asked.reason));
            let done = if request {
                format!(
                    "Your request to withdraw consent {what} was saved on this device. It goes to the DSR coordinator when there is a connection, and they will contact you."
                )
            } else {
                format!("Consent {what} was withdrawn for {name}. This was saved on this device.")
            };
            let navigate = navigate.clone();
            let back = back.clone();
            spawn_local(async move {
                match local_store::save(RecordKind::Consent, record, fields, None).await {
                    Ok(()) => {
                        draft.clear().await;
                        state.saved(done).await;
                        crate::sync::request(state);
                        navigate(&back, Default::default());
                    }
                    Err(error) => {
                        let mut found = ValidationErrors::new();
                        found.add("asked_by", format!("Nothing was saved: {error}"));
                        errors.set(found);
                    }
                }
            });
        }
    };
    view! {
        <a class="nhsuk-back-link" href=back.clone()>"Back"</a>
        <span class="nhsuk-caption-l">{name.clone()}</span>
        <h1>{if request { format!("Ask to withdraw consent {what}") } else { format!("Withdraw consent {what}") }}</h1>
        {consent.withdrawal_requested_on.filter(|_| !request).map(|asked| view! {
            <p class="nhsuk-inset-text" id=ids::WITHDRAWAL_ASKED>{format!(
                "The family asked on {} for this consent to be withdrawn. Check with them, then confirm.",
                asked.format("%-d %B %Y")
            )}</p>
        })}
        {if request {
            view! { <WhatWillHappen id=ids::WITHDRAWAL_EFFECTS effects=withdrawal_request_effects(consent.scope)/> }.into_any()
        } else {
            view! { <WhatWillHappen id=ids::WITHDRAWAL_EFFECTS effects=withdrawal_effects(consent.scope)/> }.into_any()
        }}
        <ErrorSummary errors=errors field_id=|f| if f == "reason" { ids::WITHDRAWAL_REASON } else { ids::WITHDRAWAL_ASKED_BY }/>
        <form novalidate on:submit=on_submit>
            <TextField id=ids::WITHDRAWAL_ASKED_BY
                label=if request { "Your name, and who you are to them" } else { "Who asked for consent to be withdrawn?" }
                hint=if request { "For example: Pat Smith, his mother" } else { "Their name and who they are, for example: Pat Smith, his mother" }
                value=asked_by error=error_for("asked_by")/>
            <TextAreaField id=ids::WITHDRAWAL_REASON label="Why (optional)"
                hint=if request { "In your own words, if you want to say." } else { "In their words, if they said." }
                value=reason error=error_for("reason") rows=3/>
            <DraftSaved draft=draft/>
            <div class="nhsuk-button-group">
                <button class="nhsuk-button nhsuk-button--warning" id=ids::CONFIRM_WITHDRAWAL type="submit">
                    {if request { "Send my request" } else { "Withdraw consent" }}
                </button>
                <a class="nhsuk-link" href=back>"Cancel: keep consent"</a>
            </div>
        </form>
    }
    .into_any()
}
