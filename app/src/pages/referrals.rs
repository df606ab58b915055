//! Referrals. `/referrals`: the coordinators' triage queue (every referral waiting for a decision or for
//! the family to be told, with the policy's deadline). `/referrals/{id}`: one referral: record the
//! first contact with a self-referring family, accept (the person goes on the register) or decline
//! (with a reason), and that the family was told. `/referrals/new`: a professional's referral, with the
//! consent it needs. All saved on the device first and sent by the sync loop.

use dsr_shared::access::Role;
use dsr_shared::consent::who_may_consent;
use dsr_shared::person::{Person, PersonForm, Professional};
use dsr_shared::referral::{Referral, ReferralRoute, Triage, TriageOutcome, TriageStep, triage_queue};
use dsr_shared::sync::RecordKind;
use dsr_shared::text::{LongText, ShortText};
use dsr_shared::{PersonId, RecordId, ReferralId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map};
use serde_json::json;

use crate::components::draft::{DraftSaved, use_draft};
use crate::components::duplicate::{DuplicateNotice, possible_duplicate};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextAreaField, TextField};
use crate::element_ids as ids;
use crate::local_store;
use crate::read_model::PersonRow;
use crate::record_forms::{fields_of, long_date as show, new_id, save_all, signed_in_name};
use crate::state::AppState;

/// Who referred, in words.
fn route_words(referral: &Referral) -> String {
    match &referral.route {
        ReferralRoute::Professional { referrer, .. } => {
            let team = referrer.team.as_ref().map(|t| format!(", {t}")).unwrap_or_default();
            format!("{} ({}{team})", referrer.name, referrer.role)
        }
        ReferralRoute::SelfReferral { by, relationship, contact } => {
            let contact = contact.as_ref().map(|c| format!(", {c}")).unwrap_or_default();
            format!("Self-referral by {by} ({relationship}{contact})")
        }
    }
}

fn role(state: AppState) -> Option<Role> {
    state.session.with(|s| s.user().map(|u| u.role))
}

#[component]
pub fn TriageQueuePage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let notice = state.notice.get_untracked();
    state.notice.set(None);
    let queue = move || {
        let today = chrono::Local::now().date_naive();
        let policy = state.policy.with(|d| d.policy.clone());
        state.people.with(|people| {
            let referrals = people.iter().filter_map(|p| p.file.as_ref()).flat_map(|f| f.referrals.iter());
            let entries = triage_queue(referrals, &policy, today);
            entries
                .into_iter()
                .map(|e| {
                    let name = people
                        .iter()
                        .find(|p| p.id.as_uuid() == e.referral.person_id.as_uuid())
                        .and_then(|p| p.person.as_ref().map(Person::full_name))
                        .unwrap_or_default();
                    (e, name)
                })
                .collect::<Vec<_>>()
        })
    };
    let may_refer = move || matches!(role(state), Some(Role::Coordinator | Role::Referrer));
    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        {notice.map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
        <h1>"Referrals waiting"</h1>
        <p class="nhsuk-body">"Self-referrals are decided at the next DSR meeting; professional referrals within the area's triage time. Soonest due first."</p>
        <Show when=may_refer>
            <a class="nhsuk-button nhsuk-button--secondary" href="/referrals/new" id=ids::NEW_REFERRAL>"Make a professional referral"</a>
        </Show>
        {move || {
            let rows = queue();
            if rows.is_empty() {
                return view! { <p class="nhsuk-body" id=ids::TRIAGE_QUEUE data-count="0">"No referrals are waiting."</p> }.into_any();
            }
            let count = rows.len().to_string();
            view! {
                <table class="nhsuk-table" id=ids::TRIAGE_QUEUE data-count=count>
                    <thead class="nhsuk-table__head"><tr class="nhsuk-table__row">
                        <th class="nhsuk-table__header" scope="col">"Person"</th>
                        <th class="nhsuk-table__header" scope="col">"Referred by"</th>
                        <th class="nhsuk-table__header" scope="col">"Waiting for"</th>
                    </tr></thead>
                    <tbody class="nhsuk-table__body">
                        {rows.into_iter().map(|(entry, name)| {
                            let id = entry.referral.id.to_string();
                            let step = match entry.step {
                                TriageStep::Decide => format!("A decision by {}", show(entry.due_on)),
                                TriageStep::TellFamily => format!("Telling the family (decided {})", show(entry.due_on)),
                            };
                            view! {
                                <tr class="nhsuk-table__row" id=ids::queue_row(&id) data-overdue=entry.overdue.to_string()>
                                    <td class="nhsuk-table__cell"><a href=format!("/referrals/{id}")>{name}</a>
                                        <p class="dsr-cell-detail">{format!("Referred {}", show(entry.referral.submitted_on))}</p></td>
                                    <td class="nhsuk-table__cell">{route_words(&entry.referral)}</td>
                                    <td class="nhsuk-table__cell">
                                        {entry.overdue.then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
                                        {step}
                                        {entry.contact_due.map(|d| view! { <p class="dsr-cell-detail">{format!("Contact the family by {}", show(d))}</p> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// Whether this device holds the referral in the route (see [`crate::pages::OnceLoaded`]).
pub fn referral_loaded() -> Signal<bool> {
    let state = expect_context::<AppState>();
    let params = use_params_map();
    Signal::derive(move || {
        let id: Option<ReferralId> = params.with(|p| p.get("id").and_then(|id| id.parse().ok()));
        id.is_some_and(|id| {
            state.people.with(|people| {
                people.iter().any(|row| row.file.as_ref().is_some_and(|f| f.referrals.iter().any(|r| r.id == id)))
            })
        })
    })
}

/// The referral in the route, with its person, as this device holds them.
fn route_referral(state: AppState) -> Option<(Referral, PersonRow)> {
    let params = use_params_map();
    let id: ReferralId = params.with_untracked(|p| p.get("id").and_then(|id| id.parse().ok()))?;
    state.people.with_untracked(|people| {
        people.iter().find_map(|row| {
            let referral = row.file.as_ref()?.referrals.iter().find(|r| r.id == id)?.clone();
            Some((referral, PersonRow::clone(row)))
        })
    })
}

#[component]
pub fn ReferralPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let Some((referral, row)) = route_referral(state) else {
        return view! {
            <a class="nhsuk-back-link" href="/referrals">"Back"</a>
            <h1>"Referral not found on this device"</h1>
        }
        .into_any();
    };
    let Some(person) = row.person.clone() else {
        return view! { <h1>"This person's record needs fixing first"</h1> }.into_any();
    };
    let coordinator = role(state) == Some(Role::Coordinator);
    let policy = state.area_policy();
    let today = chrono::Local::now().date_naive();
    let decision = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let told = RwSignal::new(String::new());
    let draft = use_draft(
        format!("referral:{}", referral.id),
        vec![("decision", decision), ("reason", reason), ("told", told)],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let field_element = |field: &str| match field {
        "reason" => ids::DECLINE_REASON,
        _ => ids::DECISION_ACCEPT,
    };
    let record_id = RecordId::from_uuid(referral.id.as_uuid());
    let person_record = row.id;
    // Someone on the register already may be this person: shown before deciding, and accepting is stopped.
    let duplicate = RwSignal::new(if referral.triage.is_none() { possible_duplicate(state, &person) } else { None });

    // Saves the referral as changed (checked by its own rules) and, when decided, the person's place on
    // the register; then back to the queue.
    let save = {
        let navigate = navigate.clone();
        let (referral, person) = (referral.clone(), person.clone());
        move |changed: Referral, notice: String| {
            if let Err(found) = dsr_shared::Validate::validate(&changed) {
                return errors.set(found);
            }
            let status = match (&referral.triage, &changed.triage) {
                (None, Some(triage)) => Some(triage.outcome.register_status(triage.decided_on)),
                _ => None,
            };
            let navigate = navigate.clone();
            let person = person.clone();
            spawn_local(async move {
                let mut saved = local_store::save(RecordKind::Referral, record_id, fields_of(&changed), None).await;
                if let (Ok(()), Some(status)) = (&saved, status) {
                    let updated = Person { register_status: status, ..person };
                    saved = local_store::save(RecordKind::Person, person_record, fields_of(&updated), None).await;
                }
                match saved {
                    Ok(()) => {
                        draft.clear().await;
                        state.saved(notice).await;
                        navigate("/referrals", Default::default());
                    }
                    Err(error) => {
                        let mut found = ValidationErrors::new();
                        found.add("decision", format!("Nothing more was saved: {error}"));
                        errors.set(found);
                    }
                }
            });
        }
    };

    let on_decide = {
        let (referral, save) = (referral.clone(), save.clone());
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let mut found = ValidationErrors::new();
            let outcome = match decision.get_untracked().as_str() {
                "accept" => Some(TriageOutcome::Accepted),
                "decline" => match LongText::parse(&reason.get_untracked()) {
                    Ok(reason) => Some(TriageOutcome::Declined { reason }),
                    Err(_) => {
                        found.add("reason", "Say why the referral is declined (the family will be told)");
                        None
                    }
                },
                _ => {
                    found.add("decision", "Choose whether the person goes on the register");
                    None
                }
            };
            let by = ShortText::parse(&signed_in_name(state)).ok();
            if let (Some(TriageOutcome::Accepted), Some(other)) = (&outcome, duplicate.get_untracked()) {
                found.add(
                    "decision",
                    format!(
                        "{}: {} may be the same person. Decline this referral, or correct the details first",
                        other.why.finding(),
                        other.name
                    ),
                );
            }
            let (Some(outcome), Some(by)) = (outcome, by) else { return errors.set(found) };
            if !found.is_empty() {
                return errors.set(found);
            }
            let accepted = outcome == TriageOutcome::Accepted;
            let changed = Referral {
                triage: Some(Triage { outcome, decided_on: today, by }),
                family_told_on: (told.get_untracked() == "yes").then_some(today),
                ..referral.clone()
            };
            let name = person_name(&changed, state);
            save(
                changed,
                if accepted {
                    format!("{name} is on the register. The decision was saved on this device.")
                } else {
                    format!("The referral for {name} was declined. The decision was saved on this device.")
                },
            );
        }
    };
    let contact = {
        let (referral, save) = (referral.clone(), save.clone());
        move |_| {
            save(
                Referral { contacted_on: Some(today), ..referral.clone() },
                "The first contact with the family was recorded".into(),
            )
        }
    };
    let family_told = {
        let (referral, save) = (referral.clone(), save.clone());
        move |_| {
            save(
                Referral { family_told_on: Some(today), ..referral.clone() },
                "Recorded that the family was told the decision".into(),
            )
        }
    };
    let due = referral.triage_due(&policy);
    let contact_due = referral.contact_due(&policy).filter(|_| referral.contacted_on.is_none());
    let decided = referral.triage.clone();
    view! {
        <a class="nhsuk-back-link" href="/referrals">"Back to the referrals"</a>
        <span class="nhsuk-caption-l">{format!("Age {}", person.age_on(today))}</span>
        <h1>{format!("Referral: {}", person.full_name())}</h1>
        <dl class="nhsuk-summary-list" id=ids::REFERRAL_DETAILS>
            <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Referred by"</dt><dd class="nhsuk-summary-list__value">{route_words(&referral)}</dd></div>
            <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Referred on"</dt><dd class="nhsuk-summary-list__value">{show(referral.submitted_on)}</dd></div>
            <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Why"</dt><dd class="nhsuk-summary-list__value dsr-own-words">{referral.reason.to_string()}</dd></div>
            <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Decision due"</dt><dd class="nhsuk-summary-list__value">{
                if referral.is_self_referral() { format!("At the DSR meeting on {}", show(due)) } else { format!("By {}", show(due)) }
            }</dd></div>
            {referral.contacted_on.map(|d| view! { <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Family contacted"</dt><dd class="nhsuk-summary-list__value">{show(d)}</dd></div> })}
            {decided.clone().map(|t| view! { <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Decision"</dt><dd class="nhsuk-summary-list__value">{
                match &t.outcome { TriageOutcome::Accepted => format!("Accepted on {} by {}", show(t.decided_on), t.by), TriageOutcome::Declined { reason } => format!("Declined on {} by {}: {reason}", show(t.decided_on), t.by) }
            }</dd></div> })}
        </dl>
        <ErrorSummary errors=errors field_id=field_element/>
        <DuplicateNotice found=duplicate/>
        {(coordinator && contact_due.is_some()).then(|| view! {
            <p class="nhsuk-body">{format!("Contact the family by {}.", contact_due.map(show).unwrap_or_default())}</p>
            <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::RECORD_CONTACT on:click=contact>"Record that we contacted the family today"</button>
        })}
        {(coordinator && decided.is_some() && referral.family_told_on.is_none()).then(|| view! {
            <button class="nhsuk-button" type="button" id=ids::RECORD_FAMILY_TOLD on:click=family_told>"Record that the family was told today"</button>
        })}
        {(coordinator && decided.is_none()).then(|| view! {
            <form novalidate on:submit=on_decide>
                <div class=move || if error_for("decision").get().is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                    <fieldset class="nhsuk-fieldset" id=ids::DECISION>
                        <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">"The decision"</legend>
                        {move || error_for("decision").get().map(|m| view! { <span class="nhsuk-error-message">{m}</span> })}
                        <div class="nhsuk-radios">
                            <div class="nhsuk-radios__item">
                                <input class="nhsuk-radios__input" id=ids::DECISION_ACCEPT name="decision" type="radio" value="accept"
                                    prop:checked=move || decision.get() == "accept" on:change=move |_| decision.set("accept".into())/>
                                <label class="nhsuk-label nhsuk-radios__label" for=ids::DECISION_ACCEPT>"Accept: they go on the register"</label>
                            </div>
                            <div class="nhsuk-radios__item">
                                <input class="nhsuk-radios__input" id=ids::DECISION_DECLINE name="decision" type="radio" value="decline"
                                    prop:checked=move || decision.get() == "decline" on:change=move |_| decision.set("decline".into())/>
                                <label class="nhsuk-label nhsuk-radios__label" for=ids::DECISION_DECLINE>"Decline"</label>
                            </div>
                        </div>
                    </fieldset>
                </div>
                <Show when=move || decision.get() == "decline">
                    <TextAreaField id=ids::DECLINE_REASON label="Why it is declined" hint="The family is told this, so use plain words"
                        value=reason error=error_for("reason") rows=3/>
                </Show>
                <div class="nhsuk-checkboxes__item nhsuk-u-margin-bottom-4">
                    <input class="nhsuk-checkboxes__input" id=ids::FAMILY_TOLD type="checkbox" prop:checked=move || told.get() == "yes"
                        on:change=move |ev| told.set(if event_target_checked(&ev) { "yes".into() } else { String::new() })/>
                    <label class="nhsuk-label nhsuk-checkboxes__label" for=ids::FAMILY_TOLD>"The family has been told the decision"</label>
                </div>
                <DraftSaved draft=draft/>
                <button class="nhsuk-button" id=ids::SAVE_DECISION type="submit">"Save the decision"</button>
            </form>
        })}
    }
    .into_any()
}

fn person_name(referral: &Referral, state: AppState) -> String {
    state
        .person(RecordId::from_uuid(referral.person_id.as_uuid()))
        .and_then(|r| r.person.map(|p| p.full_name()))
        .unwrap_or_else(|| "The person".into())
}

fn new_referral_field(field: &str) -> &'static str {
    match field {
        "given_name" => ids::GIVEN_NAME,
        "family_name" => ids::FAMILY_NAME,
        "date_of_birth" => ids::DATE_OF_BIRTH_DAY,
        "nhs_number" => ids::NHS_NUMBER,
        "where" => ids::REFERRAL_WHERE,
        "reason" => ids::REFERRAL_REASON,
        "tried" => ids::REFERRAL_TRIED,
        "referrer_name" => ids::REFERRER_NAME,
        "referrer_role" => ids::REFERRER_ROLE,
        "referrer_team" => ids::REFERRER_TEAM,
        "referrer_contact" => ids::REFERRER_CONTACT,
        "parent_name" => ids::CONSENT_PARENT_NAME,
        "parent_relationship" => ids::CONSENT_PARENT_RELATIONSHIP,
        _ => ids::REFERRAL_CONSENT,
    }
}

#[component]
pub fn NewReferralPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let text = || RwSignal::new(String::new());
    let (given, family, day, month, year, nhs) = (text(), text(), text(), text(), text(), text());
    let (place, reason, tried) = (text(), text(), text());
    let referrer_name = RwSignal::new(signed_in_name(state));
    let (referrer_role, referrer_team, referrer_contact) = (text(), text(), text());
    let (giver, parent_name, parent_relationship, child_agreed, confirmed) = (text(), text(), text(), text(), text());
    let gillick = text();
    let draft = use_draft(
        "referral:new".to_string(),
        vec![
            ("given_name", given),
            ("family_name", family),
            ("day", day),
            ("month", month),
            ("year", year),
            ("nhs_number", nhs),
            ("where", place),
            ("reason", reason),
            ("tried", tried),
            ("referrer_name", referrer_name),
            ("referrer_role", referrer_role),
            ("referrer_team", referrer_team),
            ("referrer_contact", referrer_contact),
            ("giver", giver),
            ("parent_name", parent_name),
            ("parent_relationship", parent_relationship),
            ("child_agreed", child_agreed),
            ("gillick", gillick),
            ("confirmed", confirmed),
        ],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let duplicate = RwSignal::new(None);
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let today = chrono::Local::now().date_naive();
    // Who may consent follows the date of birth as it is typed, and the area's policy.
    let who = move || {
        dsr_shared::person::date_from_parts(&day.get(), &month.get(), &year.get(), "Date of birth").ok().map(|born| {
            let ages = state.policy.with(|d| d.policy.consent.ages(dsr_shared::consent::ConsentScope::Register));
            who_may_consent(born, today, ages)
        })
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let person_id = new_id();
        let form = PersonForm {
            given_name: given.get_untracked(),
            family_name: family.get_untracked(),
            dob_day: day.get_untracked(),
            dob_month: month.get_untracked(),
            dob_year: year.get_untracked(),
            nhs_number: nhs.get_untracked(),
        };
        let mut found = ValidationErrors::new();
        let person = match form.validate(PersonId::from_uuid(person_id.as_uuid()), today) {
            Ok(p) => Some(p),
            Err(e) => {
                for f in e.into_fields() {
                    found.add(f.field, f.message);
                }
                None
            }
        };
        let short = |found: &mut ValidationErrors, field: &str, value: RwSignal<String>, missing: &str| {
            let v = value.get_untracked();
            if v.trim().is_empty() {
                if !missing.is_empty() {
                    found.add(field, missing);
                }
                None
            } else {
                found.check(field, ShortText::parse(&v))
            }
        };
        let place = short(&mut found, "where", place, "");
        let reason_text = match LongText::parse(&reason.get_untracked()) {
            Ok(t) => Some(t),
            Err(_) => {
                found.add("reason", "Say why enhanced support may be needed");
                None
            }
        };
        let tried_text = LongText::parse(&tried.get_untracked()).ok();
        let name = short(&mut found, "referrer_name", referrer_name, "Enter your name");
        let role_text =
            short(&mut found, "referrer_role", referrer_role, "Enter your role, for example CAMHS clinician");
        let team = short(&mut found, "referrer_team", referrer_team, "");
        let contact = short(&mut found, "referrer_contact", referrer_contact, "Enter a phone number or email address");
        found.require(
            confirmed.get_untracked() != "yes",
            "consent",
            "A professional referral needs consent: confirm it was given",
        );
        let given_by = match giver.get_untracked().as_str() {
            "the_person" => {
                Some(json!({ "kind": "the_person", "gillick_competent": gillick.get_untracked() == "yes" }))
            }
            "parental_responsibility" => {
                let n = short(
                    &mut found,
                    "parent_name",
                    parent_name,
                    "Enter the name of the person with parental responsibility",
                );
                let r = short(
                    &mut found,
                    "parent_relationship",
                    parent_relationship,
                    "Enter their relationship to the child",
                );
                let agreed = match child_agreed.get_untracked().as_str() {
                    "yes" => Some(true),
                    "no" => Some(false),
                    _ => None,
                };
                n.zip(r).map(|(n, r)| json!({ "kind": "parental_responsibility", "name": n, "relationship": r, "child_agreed": agreed }))
            }
            _ => {
                found.add("consent", "Say who gave consent");
                None
            }
        };
        let (Some(mut person), Some(reason_text), Some(name), Some(role_text), Some(contact), Some(given_by)) =
            (person, reason_text, name, role_text, contact, given_by)
        else {
            return errors.set(found);
        };
        if !found.is_empty() {
            return errors.set(found);
        }
        // Someone on this device already may be this person: stopped here, offline (the server checks again).
        let found_duplicate = possible_duplicate(state, &person);
        duplicate.set(found_duplicate.clone());
        if let Some(other) = found_duplicate {
            let mut found = ValidationErrors::new();
            found.add(other.why.field(), other.why.message());
            return errors.set(found);
        }
        person.local_authority_or_postcode = place;
        person.why_support_may_be_needed = Some(reason_text.clone());
        person.what_has_been_tried = tried_text;
        let referral_id = new_id();
        let referral = Referral {
            id: ReferralId::from_uuid(referral_id.as_uuid()),
            person_id: person.id,
            route: ReferralRoute::Professional {
                referrer: Professional { name, role: role_text, team, contact: Some(contact) },
                consent_confirmed: true,
            },
            reason: reason_text,
            submitted_on: today,
            contacted_on: None,
            triage: None,
            family_told_on: None,
        };
        let consent = json!({ "person_id": person.id, "scope": "register", "given_by": given_by, "given_on": today,
                              "recorded_by": signed_in_name(state) });
        let consent: dsr_shared::sync::Fields = serde_json::from_value(consent).unwrap_or_default();
        // The area's rule on who may consent at this age, as the server will check it.
        let consent_id = new_id();
        let mut whole: serde_json::Map<String, serde_json::Value> = consent.clone().into_iter().collect();
        whole.insert("id".into(), json!(consent_id));
        if let Ok(c) = serde_json::from_value::<dsr_shared::consent::Consent>(serde_json::Value::Object(whole))
            && let Err(problem) = c.check_giver(person.date_of_birth, &state.area_policy().consent)
        {
            let mut found = ValidationErrors::new();
            for f in problem.into_fields() {
                found.add("consent", f.message);
            }
            return errors.set(found);
        }
        let records = vec![
            (RecordKind::Person, person_id, fields_of(&person)),
            (RecordKind::Referral, referral_id, fields_of(&referral)),
            (RecordKind::Consent, consent_id, consent),
        ];
        let navigate = navigate.clone();
        let full_name = person.full_name();
        spawn_local(async move {
            match save_all(records).await {
                Ok(()) => {
                    draft.clear().await;
                    state
                        .saved(format!(
                            "The referral for {full_name} was saved on this device. It is sent when there is a connection, and the DSR team decides within their triage time."
                        ))
                        .await;
                    navigate(
                        if role(state) == Some(Role::Coordinator) { "/referrals" } else { "/" },
                        Default::default(),
                    );
                }
                Err(found) => errors.set(found),
            }
        });
    };

    let radio =
        |id: &'static str, value: &'static str, label: &'static str, chosen: RwSignal<String>, name: &'static str| {
            view! {
                <div class="nhsuk-radios__item">
                    <input class="nhsuk-radios__input" id=id name=name type="radio" value=value
                        prop:checked=move || chosen.get() == value on:change=move |_| chosen.set(value.to_string())/>
                    <label class="nhsuk-label nhsuk-radios__label" for=id>{label}</label>
                </div>
            }
        };
    view! {
        <a class="nhsuk-back-link" href="/">"Back"</a>
        <h1>"Refer someone to the register"</h1>
        <p class="nhsuk-body">"For professionals: CAMHS, social care, a school SENCo, an EHCP coordinator, a GP. The person (or their parent) must agree."</p>
        <ErrorSummary errors=errors field_id=new_referral_field/>
        <DuplicateNotice found=duplicate/>
        <form novalidate on:submit=on_submit>
            <h2>"The person"</h2>
            <TextField id=ids::GIVEN_NAME label="Given name" value=given error=error_for("given_name") width_class="nhsuk-u-width-two-thirds"/>
            <TextField id=ids::FAMILY_NAME label="Family name" value=family error=error_for("family_name") width_class="nhsuk-u-width-two-thirds"/>
            <DateField id=ids::DATE_OF_BIRTH legend="Date of birth" hint="For example, 23 4 2011" day=day month=month year=year
                error=error_for("date_of_birth") part_ids=[ids::DATE_OF_BIRTH_DAY, ids::DATE_OF_BIRTH_MONTH, ids::DATE_OF_BIRTH_YEAR]/>
            <TextField id=ids::NHS_NUMBER label="NHS number" hint="10 digits; leave empty if not known" value=nhs error=error_for("nhs_number")
                width_class="nhsuk-input--width-10" input_mode="numeric"/>
            <TextField id=ids::REFERRAL_WHERE label="Local authority or postcode" value=place error=error_for("where") width_class="nhsuk-u-width-one-half"/>
            <TextAreaField id=ids::REFERRAL_REASON label="Why enhanced support may be needed" value=reason error=error_for("reason")/>
            <TextAreaField id=ids::REFERRAL_TRIED label="What has been tried (optional)" value=tried error=error_for("tried") rows=3/>
            <h2>"You"</h2>
            <TextField id=ids::REFERRER_NAME label="Your name" value=referrer_name error=error_for("referrer_name") width_class="nhsuk-u-width-two-thirds"/>
            <TextField id=ids::REFERRER_ROLE label="Your role" hint="For example: CAMHS clinician, school SENCo" value=referrer_role error=error_for("referrer_role") width_class="nhsuk-u-width-two-thirds"/>
            <TextField id=ids::REFERRER_TEAM label="Team or service (optional)" value=referrer_team error=error_for("referrer_team") width_class="nhsuk-u-width-two-thirds"/>
            <TextField id=ids::REFERRER_CONTACT label="Phone or email" value=referrer_contact error=error_for("referrer_contact") width_class="nhsuk-u-width-two-thirds"/>
            <h2>"Consent"</h2>
            <div class="nhsuk-inset-text" id=ids::WHO_MAY_CONSENT><p>{move || who().map(|w| w.explain()).unwrap_or_else(|| "Enter the date of birth to see who may consent.".into())}</p></div>
            <div class=move || if error_for("consent").get().is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                <fieldset class="nhsuk-fieldset" id=ids::REFERRAL_CONSENT>
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Who agreed to the referral and to being on the register?"</legend>
                    {move || error_for("consent").get().map(|m| view! { <span class="nhsuk-error-message">{m}</span> })}
                    <div class="nhsuk-radios">
                        {radio(ids::CONSENT_BY_PERSON, "the_person", "The person themselves", giver, "giver")}
                        {radio(ids::CONSENT_BY_PARENT, "parental_responsibility", "Someone with parental responsibility", giver, "giver")}
                    </div>
                </fieldset>
            </div>
            <Show when=move || giver.get() == "the_person" && who().is_some_and(|w| !w.the_person)>
                <div class="nhsuk-checkboxes__item nhsuk-u-margin-bottom-4">
                    <input class="nhsuk-checkboxes__input" id=ids::CONSENT_GILLICK type="checkbox"
                        prop:checked=move || gillick.get() == "yes"
                        on:change=move |ev| gillick.set(if event_target_checked(&ev) { "yes".into() } else { String::new() })/>
                    <label class="nhsuk-label nhsuk-checkboxes__label" for=ids::CONSENT_GILLICK>"They are Gillick competent to decide"</label>
                </div>
            </Show>
            <Show when=move || giver.get() == "parental_responsibility">
                <TextField id=ids::CONSENT_PARENT_NAME label="Their name" value=parent_name error=error_for("parent_name") width_class="nhsuk-u-width-two-thirds"/>
                <TextField id=ids::CONSENT_PARENT_RELATIONSHIP label="Relationship to the child" value=parent_relationship error=error_for("parent_relationship") width_class="nhsuk-u-width-one-half"/>
                <Show when=move || who().is_some_and(|w| w.child_must_agree)>
                    <fieldset class="nhsuk-fieldset nhsuk-u-margin-bottom-4">
                        <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Does the young person agree?"</legend>
                        <div class="nhsuk-radios nhsuk-radios--inline">
                            {radio(ids::CONSENT_CHILD_AGREED, "yes", "Yes", child_agreed, "child_agreed")}
                            {radio("referral-child-disagreed", "no", "No", child_agreed, "child_agreed")}
                        </div>
                    </fieldset>
                </Show>
            </Show>
            <div class="nhsuk-checkboxes__item nhsuk-u-margin-bottom-4">
                <input class="nhsuk-checkboxes__input" id="referral-consent-confirmed" type="checkbox" prop:checked=move || confirmed.get() == "yes"
                    on:change=move |ev| confirmed.set(if event_target_checked(&ev) { "yes".into() } else { String::new() })/>
                <label class="nhsuk-label nhsuk-checkboxes__label" for="referral-consent-confirmed">"They agreed today to this referral and to being on the register"</label>
            </div>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_REFERRAL type="submit">"Send the referral"</button>
        </form>
    }
}
