//! `/people/{id}/reviews/{review}/meeting`: the meeting on a tablet, in a room with no network. The
//! panel works through the key lines of enquiry of the review's template (child or adult, at home or
//! in hospital; the version the review was arranged with): for each prompt a member records a finding,
//! a concern, good practice or "not covered", saved on the device at once and sent when there is a
//! connection. Each member's record of a prompt is their own ([`KloeFinding::id_for`]), so several
//! members recording on their own tablets never write over each other; what others recorded shows as
//! it arrives. The page counts what is covered under each question and jumps to the next prompt not
//! covered. Then who came, whether the family was given verbal feedback, and that the meeting took
//! place. The young person's planner and the family's views are there to read once consent lets the
//! panel open the papers.

use dsr_shared::RecordId;
use dsr_shared::consent::{ConsentScope, has_consent};
use dsr_shared::kloe::prompts::KloePrompt;
use dsr_shared::kloe::{FindingMark, KeyQuestion, KloeFinding, in_reading_order, recorded_prompts};
use dsr_shared::planner::{FamilyQuestion, PlannerQuestion};
use dsr_shared::review::{Review, ReviewStatus};
use dsr_shared::sync::RecordKind;
use dsr_shared::text::LongText;
use dsr_shared::{UserId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::WordsField;
use crate::element_ids as ids;
use crate::record_forms::{access_to, fields_of, long_date, person_row, recorder, save_all_changed, today};
use crate::state::AppState;

fn field_element(field: &str) -> String {
    match field {
        "panel" | "meeting_on" => ids::OPEN_MEETING.into(),
        "held" => ids::MEETING_HELD.into(),
        _ => ids::MAIN.into(),
    }
}

/// Brings a line of enquiry into view and puts the cursor in its words.
fn go_to_prompt(key: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    if let Some(section) = document.get_element_by_id(&ids::prompt(key)) {
        section.scroll_into_view();
    }
    if let Some(words) = document.get_element_by_id(&ids::prompt_words(key)) {
        use wasm_bindgen::JsCast;
        if let Ok(words) = words.dyn_into::<web_sys::HtmlElement>() {
            // Nothing to do when it cannot take focus: it is in view.
            let _ = words.focus();
        }
    }
}

/// What the page shares with each line of enquiry's part.
#[derive(Clone)]
struct Panel {
    review: Review,
    /// The signed-in member (what their records' ids follow from).
    me: Option<UserId>,
    state: AppState,
    /// Every finding on this review this device holds, kept current as records arrive.
    findings: Memo<Vec<KloeFinding>>,
    /// Goes to the next prompt not covered after `key`, counting `key` as covered.
    next_after: Callback<String>,
}

/// One line of enquiry: what it asks, what every member recorded, and this member's own record.
fn prompt_part(panel: Panel, prompt: KloePrompt, may_write: bool) -> impl IntoView {
    let key = prompt.key.clone();
    let my_id = panel.me.map(|me| KloeFinding::id_for(panel.review.id, &key, me));
    let opened = panel.findings.with_untracked(|all| all.iter().find(|f| Some(f.id) == my_id).cloned());
    let mark = RwSignal::new(opened.as_ref().map(|f| f.mark.name().to_string()).unwrap_or_default());
    let words = RwSignal::new(
        opened.as_ref().and_then(|f| f.finding.as_ref()).map(|w| w.as_str().to_string()).unwrap_or_default(),
    );
    // What the form opened from (a save changes only what this member changed since): after a save,
    // what was saved.
    let opened = StoredValue::new(opened);
    let draft = use_draft(
        format!("kloe:{}:{key}", panel.review.id),
        vec![("mark".to_string(), mark), ("words".to_string(), words)],
    );
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let recorded = {
        let key = key.clone();
        move || {
            panel.findings.with(|all| {
                in_reading_order(all)
                    .into_iter()
                    .filter(|f| f.prompt.as_deref() == Some(key.as_str()))
                    .cloned()
                    .collect::<Vec<KloeFinding>>()
            })
        }
    };
    let on_save = {
        let (panel, prompt, key) = (panel.clone(), prompt.clone(), key.clone());
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            let Some(id) = my_id else {
                return error.set(Some("Sign in again: this device does not know who you are".into()));
            };
            let text = words.get_untracked();
            let chosen = FindingMark::from_name(&mark.get_untracked());
            let Some(chosen) = chosen.or_else(|| (!text.trim().is_empty()).then_some(FindingMark::Finding)) else {
                return error.set(Some("Write what the panel found, or choose \"Not covered\"".into()));
            };
            let mut found = ValidationErrors::new();
            let Some(by) = recorder(panel.state, "finding", &mut found) else {
                return error.set(found.into_fields().into_iter().next().map(|f| f.message));
            };
            let finding = match text.trim() {
                "" if chosen != FindingMark::NotCovered => {
                    return error.set(Some(format!("Write what the panel found ({})", chosen.label().to_lowercase())));
                }
                "" => None,
                _ => match LongText::parse(&text) {
                    Ok(t) => Some(t),
                    Err(e) => return error.set(Some(format!("What you wrote {e}"))),
                },
            };
            let record = KloeFinding {
                id,
                review_id: panel.review.id,
                person_id: panel.review.person_id,
                question: prompt.question,
                prompt: Some(key.clone()),
                mark: chosen,
                finding,
                concerns: None,
                by: Some(by),
            };
            let before = panel.findings.with_untracked(|all| all.iter().find(|f| f.id == id).map(fields_of));
            let base = opened.with_value(|o| o.as_ref().map(fields_of)).or(before);
            error.set(None);
            saving.set(true);
            let (key, next_after) = (key.clone(), panel.next_after);
            spawn_local(async move {
                let change = (RecordKind::KloeFinding, RecordId::from_uuid(id.as_uuid()), base, fields_of(&record));
                match save_all_changed(vec![change]).await {
                    Ok(()) => {
                        draft.clear().await;
                        saved.set(Some(format!("Saved on this device: {}", record.mark.label())));
                        opened.set_value(Some(record));
                        next_after.run(key);
                    }
                    Err(found) => error.set(found.into_fields().into_iter().next().map(|f| f.message)),
                }
                saving.set(false);
            });
        }
    };
    let name = format!("mark-{key}");
    let marks = FindingMark::ALL
        .into_iter()
        .map(|m| {
            let id = ids::prompt_mark(&key, m.name());
            view! {
                <div class="nhsuk-radios__item">
                    <input class="nhsuk-radios__input" id=id.clone() name=name.clone() type="radio" value=m.name()
                        prop:checked=move || mark.get() == m.name() on:change=move |_| mark.set(m.name().to_string())/>
                    <label class="nhsuk-label nhsuk-radios__label" for=id>{m.label()}</label>
                </div>
            }
        })
        .collect_view();
    let status = {
        let recorded = recorded.clone();
        move || {
            let on = recorded();
            if on.is_empty() {
                view! { <strong class="nhsuk-tag nhsuk-tag--grey">"Not covered yet"</strong> }.into_any()
            } else {
                FindingMark::ALL
                    .into_iter()
                    .filter(|m| on.iter().any(|f| f.mark == *m))
                    .map(|m| view! { <strong class=format!("nhsuk-tag dsr-mark dsr-mark--{}", m.name().replace('_', "-"))>{m.label()}</strong>" " })
                    .collect_view()
                    .into_any()
            }
        }
    };
    view! {
        <section class="dsr-prompt" id=ids::prompt(&key) tabindex="-1">
            <h3 class="dsr-prompt__title">{prompt.text.clone()}" "{status}</h3>
            <p class="dsr-cell-detail">"In easy read: "{prompt.easy_read.clone()}</p>
            <ul class="nhsuk-list dsr-prompt__recorded" id=ids::prompt_recorded(&key)>
                {move || recorded().into_iter().map(|f| view! {
                    <li>
                        <strong>{format!("{}, {}: ", f.by.as_ref().map(|b| b.as_str().to_string()).unwrap_or_else(|| "A panel member".into()), f.mark.label().to_lowercase())}</strong>
                        {f.finding.as_ref().map(|w| w.as_str().to_string()).unwrap_or_default()}
                    </li>
                }).collect_view()}
            </ul>
            {may_write.then(|| view! {
                <form novalidate on:submit=on_save class="dsr-prompt__form">
                    <div class="nhsuk-form-group">
                        <fieldset class="nhsuk-fieldset">
                            <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"What you make of it"</legend>
                            <div class="nhsuk-radios nhsuk-radios--inline">{marks}</div>
                        </fieldset>
                    </div>
                    <WordsField id=ids::prompt_words(&key) label="What the panel found (for \"not covered\", why, if you know)".to_string()
                        value=words error=Signal::derive(move || error.get()) rows=3/>
                    <DraftSaved draft=draft/>
                    <button class="nhsuk-button nhsuk-button--secondary" id=ids::save_prompt(&key) type="submit" disabled=move || saving.get()>"Save"</button>
                    {move || saved.get().map(|t| view! { <p class="nhsuk-body-s" role="status">{t}</p> })}
                </form>
            })}
        </section>
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
    let template = review.template(person.as_ref(), &policy, today);
    let kloe = review.kloe(&policy).clone();
    let access = access_to(state, &row);
    let consents = row.file.as_ref().map(|f| f.consents.clone()).unwrap_or_default();
    let papers_open = has_consent(&consents, ConsentScope::Review, Some(review.id), today);
    let may_write = access.write.contains(RecordKind::KloeFinding);

    // What every member recorded, kept current as records are saved here and arrive from others.
    let page = super::route_review_file();
    let findings = Memo::new(move |_| page().map(|(_, f)| f.findings).unwrap_or_default());
    let last = RwSignal::new(None::<String>);
    let kloe = StoredValue::new(kloe);
    let next_uncovered = move |after: Option<String>, also: Option<&str>| -> Option<String> {
        findings.with_untracked(|all| {
            let mut recorded = recorded_prompts(all);
            recorded.extend(also);
            kloe.with_value(|k| k.next_uncovered(template, &recorded, after.as_deref()).map(|p| p.key.clone()))
        })
    };
    let next_after = Callback::new(move |key: String| {
        let next = next_uncovered(Some(key.clone()), Some(&key));
        last.set(Some(key));
        if let Some(next) = next {
            go_to_prompt(&next);
        }
    });
    let panel = Panel {
        review: review.clone(),
        me: state.session.with_untracked(|s| s.user().and_then(|u| u.user_id.parse().ok())),
        state,
        findings,
        next_after,
    };
    let all_covered = RwSignal::new(false);
    let go_next = move |_| match next_uncovered(last.get_untracked(), None) {
        Some(next) => {
            all_covered.set(false);
            go_to_prompt(&next);
            last.set(Some(next));
        }
        None => all_covered.set(true),
    };
    let coverage = move || {
        findings.with(|all| {
            let recorded = recorded_prompts(all);
            kloe.with_value(|k| {
                k.coverage(template, &recorded)
                    .into_iter()
                    .map(|c| {
                        let missing: Vec<(String, String)> =
                            c.uncovered.iter().map(|p| (p.key.clone(), p.title().to_string())).collect();
                        view! {
                            <li id=ids::coverage(c.question.name())>
                                <a href=format!("#question-{}", c.question.name())>{c.question.text(template)}</a>
                                {format!(" {} of {} covered", c.covered, c.total)}
                                {(!missing.is_empty()).then(|| view! {
                                    <span class="dsr-cell-detail">" Not covered yet: "
                                        {missing.into_iter().enumerate().map(|(i, (key, title))| view! {
                                            {(i > 0).then_some(", ")}
                                            <a href=format!("#{}", ids::prompt(&key)) on:click=move |ev| { ev.prevent_default(); go_to_prompt(&key); }>{title}</a>
                                        }).collect_view()}
                                    </span>
                                })}
                            </li>
                        }
                    })
                    .collect_view()
            })
        })
    };
    let questions = kloe.with_value(|k| {
        KeyQuestion::ALL
            .into_iter()
            .map(|question| {
                let prompts: Vec<KloePrompt> = k.for_question(template, question).into_iter().cloned().collect();
                let whole: Vec<KloeFinding> =
                    file.findings.iter().filter(|f| f.question == question && f.prompt.is_none()).cloned().collect();
                let panel = panel.clone();
                view! {
                    <section class="dsr-key-question" id=format!("question-{}", question.name())>
                        <h2>{question.text(template)}</h2>
                        {(!whole.is_empty()).then(|| view! {
                            <div class="nhsuk-inset-text">
                                <p>"Recorded on the whole question:"</p>
                                {whole.into_iter().map(|f| view! {
                                    <p>{f.finding.as_ref().map(|w| w.as_str().to_string()).unwrap_or_default()}
                                        {f.concerns.as_ref().map(|c| format!(" Concerns: {}", c.as_str()))}</p>
                                }).collect_view()}
                            </div>
                        })}
                        {prompts.into_iter().map(|p| prompt_part(panel.clone(), p, may_write)).collect_view()}
                    </section>
                }
            })
            .collect_view()
    });

    let came: Vec<RwSignal<String>> =
        review.attendees.iter().map(|a| RwSignal::new(yes(a.attended == Some(true)))).collect();
    let feedback = RwSignal::new(yes(review.verbal_feedback_given));
    let held = RwSignal::new(yes(review.was_held()));
    let mut draft_fields: Vec<(String, RwSignal<String>)> = Vec::new();
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
    let (received, expected) = kloe.with_value(|k| k.papers_received(template, &review.papers));
    view! {
        <a class="nhsuk-back-link" href=back.clone()>"Back to the review"</a>
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
        <p class="nhsuk-body"><a href=format!("{back}/papers") id=ids::OPEN_PAPERS>"The papers"</a>
            {format!(": {received} of the {expected} expected received")}</p>
        {papers}
        <h2>"Key lines of enquiry"</h2>
        <p class="nhsuk-body">{format!("{}, version {} of the area's key lines of enquiry. Each of you records your own; what others record appears as it arrives.",
            template.label(), kloe.with_value(|k| k.version))}</p>
        <ul class="nhsuk-list dsr-coverage" id=ids::KLOE_COVERAGE>{coverage}</ul>
        <button class="nhsuk-button nhsuk-button--secondary" id=ids::NEXT_UNCOVERED type="button" on:click=go_next>"Go to the next line of enquiry not covered"</button>
        {move || all_covered.get().then(|| view! { <p class="nhsuk-body" role="status">"Every line of enquiry has something recorded."</p> })}
        {questions}
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
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
