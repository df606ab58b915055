//! `/people/{id}/reviews/{review}/meeting`: the meeting on a tablet, in a room with no network. The
//! panel's findings under the four key questions (worded for a child or an adult, at home or in
//! hospital), who came, whether the family was given verbal feedback, and that the meeting took place.
//! Everything is kept as a draft while typed and saved on the device; it is sent when there is a
//! connection. The young person's planner and the family's views are shown for reading, once consent
//! lets the panel open the papers.

use dsr_shared::RecordId;
use dsr_shared::consent::{ConsentScope, has_consent};
use dsr_shared::kloe::{KeyQuestion, KloeFinding, KloeTemplate};
use dsr_shared::planner::{FamilyQuestion, PlannerQuestion};
use dsr_shared::review::{Review, ReviewStatus};
use dsr_shared::risk::AgeBand;
use dsr_shared::sync::RecordKind;
use dsr_shared::text::LongText;
use dsr_shared::{KloeFindingId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::WordsField;
use crate::element_ids as ids;
use crate::record_forms::{access_to, fields_of, long_date, new_id, person_row, save_all_changed, today};
use crate::state::AppState;

fn field_element(field: &str) -> String {
    match field {
        "panel" | "meeting_on" => ids::OPEN_MEETING.into(),
        "held" => ids::MEETING_HELD.into(),
        other => other
            .strip_prefix("finding:")
            .map(ids::finding)
            .or_else(|| other.strip_prefix("concerns:").map(ids::concerns))
            .unwrap_or_else(|| ids::MAIN.into()),
    }
}

/// A yes-or-no box kept as text ("yes" or empty), so the draft can hold it.
fn yes_box(id: String, label: String, value: RwSignal<String>) -> impl IntoView {
    view! {
        <div class="nhsuk-checkboxes__item">
            <input class="nhsuk-checkboxes__input" id=id.clone() type="checkbox" prop:checked=move || value.get() == "yes"
                on:change=move |ev| value.set(if event_target_checked(&ev) { "yes".into() } else { String::new() })/>
            <label class="nhsuk-label nhsuk-checkboxes__label" for=id>{label}</label>
        </div>
    }
}

/// A key question, its recorded finding (if any), and the finding and concerns being typed.
type QuestionFields = (KeyQuestion, Option<KloeFinding>, RwSignal<String>, RwSignal<String>);

fn yes(value: bool) -> String {
    if value { "yes".into() } else { String::new() }
}

#[component]
pub fn MeetingPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    super::note_read(dsr_shared::accounts::Screen::ReviewMeeting);
    let navigate = use_navigate();
    let row = person_row(state);
    let review_id = untrack(super::route_review_id());
    let file = row.as_ref().zip(review_id).and_then(|(r, id)| r.review_file(id));
    let Some((row, file)) = row.zip(file) else {
        return view! { <h1>"Review not found on this device"</h1> }.into_any();
    };
    let policy = state.area_policy();
    let today = today();
    let review = file.review.clone();
    let person = row.person.clone();
    let band = person
        .as_ref()
        .map(|p| AgeBand::for_age(p.age_on(review.meeting_on.unwrap_or(today)), policy.adult_age))
        .unwrap_or(AgeBand::Under18);
    let template = KloeTemplate::for_review(band, review.kind);
    let access = access_to(state, &row);
    let consents = row.file.as_ref().map(|f| f.consents.clone()).unwrap_or_default();
    let papers_open = has_consent(&consents, ConsentScope::Review, Some(review.id), today);

    // One finding (and its concerns) per key question, starting from what is recorded.
    let questions: Vec<QuestionFields> = KeyQuestion::ALL
        .into_iter()
        .map(|q| {
            let found = file.findings.iter().find(|f| f.question == q).cloned();
            let finding = RwSignal::new(found.as_ref().map(|f| f.finding.as_str().to_string()).unwrap_or_default());
            let concerns = RwSignal::new(
                found.as_ref().and_then(|f| f.concerns.as_ref()).map(|c| c.as_str().to_string()).unwrap_or_default(),
            );
            (q, found, finding, concerns)
        })
        .collect();
    let came: Vec<RwSignal<String>> =
        review.attendees.iter().map(|a| RwSignal::new(yes(a.attended == Some(true)))).collect();
    let feedback = RwSignal::new(yes(review.verbal_feedback_given));
    let held = RwSignal::new(yes(review.was_held()));
    let mut draft_fields: Vec<(String, RwSignal<String>)> = Vec::new();
    for (q, _, finding, concerns) in &questions {
        draft_fields.push((format!("finding:{}", q.name()), *finding));
        draft_fields.push((format!("concerns:{}", q.name()), *concerns));
    }
    for (i, signal) in came.iter().enumerate() {
        draft_fields.push((format!("attended:{i}"), *signal));
    }
    draft_fields.push(("verbal_feedback".into(), feedback));
    draft_fields.push(("held".into(), held));
    let draft = use_draft(format!("meeting:{}", review.id), draft_fields);
    let errors = RwSignal::new(ValidationErrors::new());
    let saving = RwSignal::new(false);
    let back = format!("/people/{}/reviews/{}", row.id, review.id);

    let on_submit = {
        let questions = questions.clone();
        let review = review.clone();
        let came = came.clone();
        let back = back.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            let mut found = ValidationErrors::new();
            let mut records = Vec::new();
            for (q, existing, finding, concerns) in &questions {
                let name = q.name();
                let text = finding.get_untracked();
                let concern_text = concerns.get_untracked();
                if text.trim().is_empty() {
                    found.require(
                        !concern_text.trim().is_empty(),
                        &format!("finding:{name}"),
                        "Write the finding the concerns belong to",
                    );
                    continue;
                }
                let Ok(text) = LongText::parse(&text)
                    .map_err(|e| found.add(format!("finding:{name}"), format!("The finding {e}")))
                else {
                    continue;
                };
                let concerns = if concern_text.trim().is_empty() {
                    None
                } else {
                    LongText::parse(&concern_text)
                        .map_err(|e| found.add(format!("concerns:{name}"), format!("The concerns {e}")))
                        .ok()
                };
                let finding = KloeFinding {
                    id: existing.as_ref().map(|f| f.id).unwrap_or_else(|| KloeFindingId::from_uuid(new_id().as_uuid())),
                    review_id: review.id,
                    person_id: review.person_id,
                    question: *q,
                    finding: text,
                    concerns,
                };
                records.push((
                    RecordKind::KloeFinding,
                    RecordId::from_uuid(finding.id.as_uuid()),
                    existing.as_ref().map(fields_of),
                    fields_of(&finding),
                ));
            }
            let mut attendees = review.attendees.clone();
            for (a, signal) in attendees.iter_mut().zip(&came) {
                a.attended = Some(signal.get_untracked() == "yes");
            }
            let holding = held.get_untracked() == "yes"
                && matches!(review.status, ReviewStatus::Requested | ReviewStatus::Arranged);
            if holding && let Some(reason) = review.too_early_to_hold(today) {
                found.add("held", reason);
            }
            let status = if holding { ReviewStatus::Held } else { review.status };
            let updated = Review {
                attendees,
                verbal_feedback_given: feedback.get_untracked() == "yes",
                status,
                ..review.clone()
            };
            if let Err(e) = dsr_shared::Validate::validate(&updated) {
                for f in e.into_fields() {
                    found.add(&f.field, format!("{} (change the arrangements first)", f.message));
                }
            }
            if !found.is_empty() {
                return errors.set(found);
            }
            if updated != review {
                records.push((
                    RecordKind::Review,
                    RecordId::from_uuid(updated.id.as_uuid()),
                    Some(fields_of(&review)),
                    fields_of(&updated),
                ));
            }
            errors.set(ValidationErrors::new());
            saving.set(true);
            let navigate = navigate.clone();
            let back = back.clone();
            spawn_local(async move {
                match save_all_changed(records).await {
                    Ok(()) => {
                        draft.clear().await;
                        state.saved("The meeting's record was saved on this device").await;
                        navigate(&back, Default::default());
                    }
                    Err(found) => {
                        errors.set(found);
                        saving.set(false);
                    }
                }
            });
        }
    };

    let finding_fields = questions
        .iter()
        .map(|(q, _, finding, concerns)| {
            let name = q.name();
            let (finding_key, concerns_key) = (format!("finding:{name}"), format!("concerns:{name}"));
            let finding_error = Signal::derive(move || errors.with(|e| e.message_for(&finding_key).map(str::to_owned)));
            let concerns_error = Signal::derive(move || errors.with(|e| e.message_for(&concerns_key).map(str::to_owned)));
            view! {
                <section class="dsr-key-question">
                    <h2>{q.text(template)}</h2>
                    <WordsField id=ids::finding(name) label="What the panel found".to_string() value=*finding error=finding_error rows=5/>
                    <WordsField id=ids::concerns(name) label="Concerns (optional)".to_string() value=*concerns error=concerns_error rows=3/>
                </section>
            }
        })
        .collect_view();
    let attendance = review
        .attendees
        .iter()
        .zip(&came)
        .enumerate()
        .map(|(i, (a, signal))| {
            yes_box(ids::attended(i), format!("{} ({})", a.name.as_str(), a.role.as_str()), *signal)
        })
        .collect_view();
    let families = policy.families.clone();
    let papers = (access.read.contains(RecordKind::Planner) && papers_open).then(|| {
        view! {
            <details class="nhsuk-details">
                <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"The young person's planner and the family's views"</span></summary>
                <div class="nhsuk-details__text">
                    {file.planner().map(|p| view! {
                        <h3>"The young person's planner"</h3>
                        {PlannerQuestion::ALL.into_iter().filter_map(|q| p.answer(q).map(|a| view! {
                            <p class="nhsuk-body"><strong>{q.wording(&families).to_string()}</strong><br/>{a.as_str().to_string()}</p>
                        })).collect_view()}
                    })}
                    {file.family_views().map(|v| view! {
                        <h3>{format!("The family's views: {} ({})", v.by.as_str(), v.relationship.as_str())}</h3>
                        {FamilyQuestion::ALL.into_iter().filter_map(|q| v.family_answer(q).map(|a| view! {
                            <p class="nhsuk-body"><strong>{q.wording(&families).to_string()}</strong><br/>{a.as_str().to_string()}</p>
                        })).collect_view()}
                        {PlannerQuestion::ALL.into_iter().filter_map(|q| v.answer(q).map(|a| view! {
                            <p class="nhsuk-body"><strong>{q.wording(&families).to_string()}</strong><br/>{a.as_str().to_string()}</p>
                        })).collect_view()}
                        {v.anything_else.as_ref().map(|t| view! { <p class="nhsuk-body">{t.as_str().to_string()}</p> })}
                    })}
                </div>
            </details>
        }
    });
    view! {
        <a class="nhsuk-back-link" href=back>"Back to the review"</a>
        <span class="nhsuk-caption-l">{person.as_ref().map(|p| p.full_name()).unwrap_or_default()}</span>
        <h1>{format!("{} meeting", review.name.short())}</h1>
        <p class="nhsuk-body">{format!("{}{}. Everything is kept on this tablet as you type, with or without a connection.",
            review.meeting_on.map(long_date).unwrap_or_else(|| "No date set".into()),
            review.place.as_ref().map(|p| format!(", {}", p.as_str())).unwrap_or_default())}</p>
        {(!papers_open).then(|| view! {
            <div class="nhsuk-warning-callout" id=ids::PAPERS_CLOSED>
                <h3 class="nhsuk-warning-callout__label">"Papers not open yet"</h3>
                <p>"Consent for this review, or a best-interests decision, is not recorded: the panel cannot read the papers."</p>
            </div>
        })}
        {papers}
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            {finding_fields}
            <h2>"On the day"</h2>
            <div class="nhsuk-form-group">
                <fieldset class="nhsuk-fieldset">
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Who came"</legend>
                    <div class="nhsuk-checkboxes">
                        {if review.attendees.is_empty() { view! { <p class="nhsuk-body">"Nobody was listed as invited."</p> }.into_any() } else { attendance.into_any() }}
                    </div>
                </fieldset>
            </div>
            <div class="nhsuk-checkboxes nhsuk-u-margin-bottom-4">
                {yes_box(ids::VERBAL_FEEDBACK.into(), "The panel gave the family verbal feedback at the end".into(), feedback)}
                {yes_box(ids::MEETING_HELD.into(), "The meeting took place".into(), held)}
            </div>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_MEETING type="submit" disabled=move || saving.get()>"Save the meeting's record"</button>
        </form>
    }
    .into_any()
}
