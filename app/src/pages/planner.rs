//! Before the meeting, in their own words.
//!
//! - `/people/{id}/reviews/{review}/planner`: the young person's planner: an answer to each question
//!   (in plain words or easy read: one question to a screen with a picture, read aloud on request), how they want to take part, who they want with them, how to
//!   communicate with them, who helped, and any disagreement with a proposed intervention (usually
//!   recorded by their advocate). The family can fill it in on their own account.
//! - `/people/{id}/reviews/{review}/family-views`: the family's views, in answer to their own questions
//!   (what they see at home, what helps, what worries them, what they want from the review).
//!
//! A review has one of each, whose id follows from the review's, so two devices that start one offline
//! write to the same record; any made before that are read merged into it, and the first save keeps it.
//! The questions are worded as the area's planner words them (its policy), and "before the meeting" is
//! said only before it.
//!
//! Both keep a draft on the device as they are typed (no signal needed), and save on the device, to be
//! sent when there is a connection. Words are kept exactly as given.

use std::collections::BTreeMap;

use dsr_shared::RecordId;
use dsr_shared::ValidationErrors;
use dsr_shared::easy_read::{self, EasyQuestion, FamilyPart, Picture, PlannerPart};
use dsr_shared::planner::{
    Disagreement, FamilyQuestion, FamilyViews, Helper, HelperRole, MeetingTime, Planner, PlannerQuestion, TakePart,
};
use dsr_shared::policy::FamilyPolicy;
use dsr_shared::sync::{Fields, RecordKind};
use dsr_shared::text::{LongText, ShortText};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::draft::{DraftSaved, FormDraft, use_draft};
use crate::components::easy_read::{EasyStep, intro as easy_intro, pictures_credit, step_buttons};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{TextAreaField, TextField, WordsField, checkbox, radio_group};
use crate::element_ids as ids;
use crate::record_forms::{fields_of, long_date, person_row, recorder, save_changed, signed_in_name, today};
use crate::state::AppState;

fn field_element(field: &str) -> String {
    match field {
        "who_with" => ids::PLANNER_WHO_WITH.into(),
        "communication_needs" => ids::PLANNER_COMMUNICATION.into(),
        "helped_by" => ids::PLANNER_HELPER_NAME.into(),
        "disagreement" => ids::DISAGREEMENT.into(),
        "by" => ids::VIEWS_BY.into(),
        "relationship" => ids::VIEWS_RELATIONSHIP.into(),
        "anything_else" => ids::VIEWS_ANYTHING_ELSE.into(),
        other => other.strip_prefix("answer:").map(ids::planner_answer).unwrap_or_else(|| ids::MAIN.into()),
    }
}

/// Someone's words: empty is `None`; too long is an error for `field`.
fn words(text: &str, field: &str, errors: &mut ValidationErrors) -> Option<LongText> {
    if text.trim().is_empty() {
        return None;
    }
    LongText::parse(text).map_err(|e| errors.add(field, format!("This answer {e}"))).ok()
}

/// One question asked on the form: its field name, its words (plain, as the area words it, and easy
/// read with its picture) and what is typed.
struct Asked {
    name: &'static str,
    plain: String,
    easy: EasyQuestion,
    value: RwSignal<String>,
}

/// One text box per question, with the question in plain words or easy read.
struct Answers(Vec<Asked>);

impl Asked {
    fn new(name: &'static str, plain: &str, easy: EasyQuestion, answer: Option<&LongText>) -> Asked {
        let value = RwSignal::new(answer.map(|a| a.as_str().to_string()).unwrap_or_default());
        Asked { name, plain: plain.to_string(), easy, value }
    }
}

impl Answers {
    /// The young person's questions, filled from `from`.
    fn planner(from: Option<&Planner>, families: &FamilyPolicy) -> Self {
        let ask = |q: PlannerQuestion| {
            Asked::new(q.name(), q.wording(families), easy_read::planner_question(q), from.and_then(|p| p.answer(q)))
        };
        Answers(PlannerQuestion::ALL.into_iter().map(ask).collect())
    }

    /// The family's own questions, filled from `from`.
    fn family(from: Option<&FamilyViews>, families: &FamilyPolicy) -> Self {
        let ask = |q: FamilyQuestion| {
            Asked::new(
                q.name(),
                q.wording(families),
                easy_read::family_question(q),
                from.and_then(|v| v.family_answer(q)),
            )
        };
        Answers(FamilyQuestion::ALL.into_iter().map(ask).collect())
    }

    fn len(&self) -> usize {
        self.0.len()
    }

    fn draft_fields(&self) -> Vec<(String, RwSignal<String>)> {
        self.0.iter().map(|a| (format!("answer:{}", a.name), a.value)).collect()
    }

    /// What was written, by question name (an empty box is no answer).
    fn read(&self, errors: &mut ValidationErrors) -> BTreeMap<&'static str, LongText> {
        self.0
            .iter()
            .filter_map(|a| words(&a.value.get_untracked(), &format!("answer:{}", a.name), errors).map(|w| (a.name, w)))
            .collect()
    }

    /// The questions: in easy read, the first screens (from 0), one question to a screen, with the
    /// question's easy-read words as the text box's label.
    fn view(
        &self,
        easy_read: RwSignal<bool>,
        step: RwSignal<usize>,
        errors: RwSignal<ValidationErrors>,
    ) -> impl IntoView + use<> {
        self.0
            .iter()
            .enumerate()
            .map(|(i, asked)| {
                let field = format!("answer:{}", asked.name);
                let (plain, easy) = (asked.plain.clone(), asked.easy);
                let label = Signal::derive(move || if easy_read.get() { easy.asks.to_string() } else { plain.clone() });
                let error = Signal::derive(move || errors.with(|e| e.message_for(&field).map(str::to_owned)));
                let (value, id) = (asked.value, ids::planner_answer(asked.name));
                view! {
                    <EasyStep easy_read=easy_read step=step index=i question=easy written=value label_asks=true>
                        <WordsField id=id.clone() label=label value=value error=error/>
                    </EasyStep>
                }
            })
            .collect_view()
    }
}

/// The disagreements recorded so far, with the one typed now (if any), recorded by the signed-in user
/// today.
fn with_new_disagreement(
    state: AppState,
    mut list: Vec<Disagreement>,
    typed: &str,
    found: &mut ValidationErrors,
) -> Vec<Disagreement> {
    if let Some(about) = words(typed, "disagreement", found)
        && let Some(recorded_by) = recorder(state, "disagreement", found)
    {
        list.push(Disagreement { about, recorded_by, on: today() });
    }
    list
}

/// Disagreements recorded so far.
fn disagreements_view(list: &[Disagreement]) -> impl IntoView + use<> {
    (!list.is_empty()).then(|| {
        view! {
            <h2>"Disagreements recorded"</h2>
            <ul class="nhsuk-list nhsuk-list--border">
                {list.iter().map(|d| view! {
                    <li>{d.about.as_str().to_string()}<p class="dsr-cell-detail">{format!("Recorded by {} on {}", d.recorded_by.as_str(), long_date(d.on))}</p></li>
                }).collect_view()}
            </ul>
        }
    })
}

/// Saves one record, then goes back to the review with a notice.
fn save_and_return(
    state: AppState,
    (saving, errors, draft): (RwSignal<bool>, RwSignal<ValidationErrors>, FormDraft),
    (kind, id, opened, fields): (RecordKind, dsr_shared::RecordId, Option<Fields>, Fields),
    back_to: String,
    notice: &'static str,
    navigate: impl Fn(&str, leptos_router::NavigateOptions) + 'static,
) {
    saving.set(true);
    spawn_local(async move {
        match save_changed(kind, id, opened, fields).await {
            Ok(()) => {
                draft.clear().await;
                state.saved(notice).await;
                navigate(&back_to, Default::default());
            }
            Err(found) => {
                errors.set(found);
                saving.set(false);
            }
        }
    });
}

/// `/people/{id}/reviews/{review}/planner`.
#[component]
pub fn PlannerPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    super::note_read(dsr_shared::accounts::Screen::Planner);
    let row = person_row(state);
    let review_id = untrack(super::route_review_id());
    let file = row.as_ref().zip(review_id).and_then(|(r, id)| r.review_file(id));
    // The review's one planner (any made on two devices before planners took the review's id, merged),
    // and what is stored under its id: a save writes what differs from that.
    let existing: Option<Planner> = file.as_ref().and_then(|f| f.planner());
    let stored: Option<Planner> = file.as_ref().and_then(|f| f.stored_planner().cloned());
    let families = state.area_policy().families;
    let answers = Answers::planner(existing.as_ref(), &families);
    let count = answers.len();
    let opt = |t: &Option<LongText>| t.as_ref().map(|t| t.as_str().to_string()).unwrap_or_default();
    let take_part =
        RwSignal::new(existing.as_ref().and_then(|p| p.take_part).map(|t| t.name().to_string()).unwrap_or_default());
    let who_with = RwSignal::new(existing.as_ref().map(|p| opt(&p.who_with)).unwrap_or_default());
    let communication = RwSignal::new(existing.as_ref().map(|p| opt(&p.communication_needs)).unwrap_or_default());
    let helper_name = RwSignal::new(
        existing.as_ref().and_then(|p| p.helped_by.as_ref()).map(|h| h.name.as_str().to_string()).unwrap_or_default(),
    );
    let helper_role = RwSignal::new(
        existing.as_ref().and_then(|p| p.helped_by.as_ref()).map(|h| h.role.name().to_string()).unwrap_or_default(),
    );
    let disagreement = RwSignal::new(String::new());
    let easy_read = RwSignal::new(false);
    let mut draft_fields = answers.draft_fields();
    draft_fields.extend([
        ("take_part".to_string(), take_part),
        ("who_with".to_string(), who_with),
        ("communication_needs".to_string(), communication),
        ("helper_name".to_string(), helper_name),
        ("helper_role".to_string(), helper_role),
        ("disagreement".to_string(), disagreement),
    ]);
    let draft = use_draft(format!("planner:{}", review_id.map(|r| r.to_string()).unwrap_or_default()), draft_fields);
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let saving = RwSignal::new(false);
    let earlier = existing.as_ref().map(|p| p.disagreements.clone()).unwrap_or_default();
    let (back, back_words) = super::back_from_review(row.as_ref().map(|r| r.id), review_id);

    let step = RwSignal::new(0_usize);
    let answer_fields = answers.view(easy_read, step, errors);
    // In easy read, after the questions: a screen for each other part of the planner.
    let part = |p: PlannerPart| count + PlannerPart::ALL.iter().position(|q| *q == p).unwrap_or_default();
    let screens = count + PlannerPart::ALL.len();
    let person_name = row.as_ref().and_then(|r| r.person.as_ref()).map(|p| p.full_name()).unwrap_or_default();
    let time = meeting_time(file.as_ref());
    let intro = time.planner_intro();
    let easy_intro_lines = easy_read::planner_intro(time);
    let navigate = use_navigate();
    let on_submit = {
        let back = back.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let Some(file) = file.as_ref() else { return };
            if saving.get_untracked() {
                return;
            }
            let mut found = ValidationErrors::new();
            let given = answers.read(&mut found);
            let helped_by =
                match (helper_name.get_untracked().trim(), HelperRole::from_name(&helper_role.get_untracked())) {
                    ("", None) => None,
                    ("", Some(_)) => {
                        found.add("helped_by", "Write the name of who helped");
                        None
                    }
                    (name, role) => ShortText::parse(name)
                        .map(|name| Helper { name, role: role.unwrap_or(HelperRole::Other) })
                        .map_err(|e| found.add("helped_by", format!("The name {e}")))
                        .ok(),
                };
            let earlier = existing.as_ref().map(|p| p.disagreements.clone()).unwrap_or_default();
            let disagreements = with_new_disagreement(state, earlier, &disagreement.get_untracked(), &mut found);
            // Everything the planner holds (merged words too), with what the form changed.
            let mut planner = existing.clone().unwrap_or_else(|| {
                Planner::new(Planner::id_for(file.review.id), file.review.id, file.review.person_id)
            });
            for question in PlannerQuestion::ALL {
                planner.set_answer(question, given.get(question.name()).cloned());
            }
            planner.take_part = TakePart::from_name(&take_part.get_untracked());
            planner.who_with = words(&who_with.get_untracked(), "who_with", &mut found);
            planner.communication_needs = words(&communication.get_untracked(), "communication_needs", &mut found);
            planner.helped_by = helped_by;
            planner.disagreements = disagreements;
            if !found.is_empty() {
                return errors.set(found);
            }
            if let Err(e) = dsr_shared::Validate::validate(&planner) {
                return errors.set(e);
            }
            errors.set(ValidationErrors::new());
            let opened = stored.as_ref().map(fields_of);
            let record = (RecordKind::Planner, RecordId::from_uuid(planner.id.as_uuid()), opened, fields_of(&planner));
            save_and_return(
                state,
                (saving, errors, draft),
                record,
                back.clone(),
                "The planner was saved on this device. It is sent when there is a connection, and the panel reads it before the meeting.",
                navigate.clone(),
            );
        }
    };

    let take_part_options: Vec<(String, &'static str, &'static str)> =
        TakePart::ALL.iter().map(|t| (ids::take_part(t.name()), t.name(), t.label())).collect();
    let helper_options: Vec<(String, &'static str, &'static str)> = HelperRole::ALL
        .iter()
        .map(|r| (format!("{}-{}", ids::PLANNER_HELPER_ROLE, r.name()), r.name(), r.label()))
        .collect();
    view! {
        <a class="nhsuk-back-link" href=back>{back_words}</a>
        <span class="nhsuk-caption-l">{person_name}</span>
        <h1>"My planner"</h1>
        <p class="nhsuk-body-l" id=ids::PLANNER_INTRO hidden=move || easy_read.get()>{intro}</p>
        <div class="nhsuk-checkboxes nhsuk-u-margin-bottom-4">
            {checkbox(ids::EASY_READ, "Show the questions in easy read", easy_read)}
        </div>
        <Show when=move || easy_read.get()>{
            let lines = easy_intro_lines.clone();
            move || easy_intro(ids::EASY_READ_INTRO, Picture::Clipboard, lines.clone())
        }</Show>
        <ErrorSummary errors=errors field_id=field_element/>
        <Show when=move || draft.restored.get()>
            <div class="nhsuk-inset-text" id=ids::DRAFT_RESTORED><p>"We put back what you had typed before."</p></div>
        </Show>
        <form novalidate on:submit=on_submit class=move || if easy_read.get() { "dsr-easy-read" } else { "" }>
            {answer_fields}
            <EasyStep easy_read=easy_read step=step index=part(PlannerPart::TakePart) question=PlannerPart::TakePart.easy_read()
                written=Signal::derive(move || TakePart::from_name(&take_part.get()).map(|t| t.label().to_string()).unwrap_or_default())>
                {radio_group(ids::PLANNER_TAKE_PART, "How do you want to take part in the meeting?", take_part_options, take_part, error_for("take_part"))}
            </EasyStep>
            <EasyStep easy_read=easy_read step=step index=part(PlannerPart::WhoWith) question=PlannerPart::WhoWith.easy_read() written=who_with>
                <TextAreaField id=ids::PLANNER_WHO_WITH label="Who do you want with you?" value=who_with error=error_for("who_with") rows=2/>
            </EasyStep>
            <EasyStep easy_read=easy_read step=step index=part(PlannerPart::Communication) question=PlannerPart::Communication.easy_read() written=communication>
                <TextAreaField id=ids::PLANNER_COMMUNICATION label="How should people talk with you?"
                    hint="For example: pictures, short sentences, time to answer, a quiet room" value=communication
                    error=error_for("communication_needs") rows=3/>
            </EasyStep>
            <EasyStep easy_read=easy_read step=step index=part(PlannerPart::HelpedBy) question=PlannerPart::HelpedBy.easy_read() written=helper_name>
                <TextField id=ids::PLANNER_HELPER_NAME label="Who helped fill this in? (optional)" value=helper_name
                    error=error_for("helped_by") width_class="nhsuk-u-width-two-thirds"/>
                {radio_group(ids::PLANNER_HELPER_ROLE, "They are", helper_options, helper_role, Signal::derive(|| None))}
            </EasyStep>
            <EasyStep easy_read=easy_read step=step index=part(PlannerPart::Disagreement) question=PlannerPart::Disagreement.easy_read() written=disagreement>
                {disagreements_view(&earlier)}
                <TextAreaField id=ids::DISAGREEMENT label="Do you disagree with something that is planned for you? (optional)"
                    hint="An advocate can write it here in the young person's words. It goes in the report."
                    value=disagreement error=error_for("disagreement") rows=3/>
            </EasyStep>
            {step_buttons(easy_read, step, screens)}
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_PLANNER type="submit" disabled=move || saving.get()>"Save my planner"</button>
            <Show when=move || easy_read.get()>{pictures_credit()}</Show>
        </form>
    }
}

/// Where the review's meeting is in time today (its words: "before the meeting" only before it).
fn meeting_time(file: Option<&dsr_shared::report::ReviewFile>) -> MeetingTime {
    MeetingTime::of(file.and_then(|f| f.review.meeting_on), today())
}

/// `/people/{id}/reviews/{review}/family-views`: the family's own views, one record for the review
/// (two relatives, or two devices, write to the same one).
#[component]
pub fn FamilyViewsPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    super::note_read(dsr_shared::accounts::Screen::FamilyViews);
    let row = person_row(state);
    let review_id = untrack(super::route_review_id());
    let file = row.as_ref().zip(review_id).and_then(|(r, id)| r.review_file(id));
    let existing: Option<FamilyViews> = file.as_ref().and_then(|f| f.family_views());
    let stored: Option<FamilyViews> = file.as_ref().and_then(|f| f.stored_family_views().cloned());
    let me = signed_in_name(state);
    let families = state.area_policy().families;
    let answers = Answers::family(existing.as_ref(), &families);
    let count = answers.len();
    // Answers given to the young person's questions before families had their own: kept and shown.
    let earlier_answers: Vec<(String, String)> = existing
        .as_ref()
        .map(|v| {
            PlannerQuestion::ALL
                .into_iter()
                .filter_map(|q| v.answer(q).map(|a| (q.wording(&families).to_string(), a.as_str().to_string())))
                .collect()
        })
        .unwrap_or_default();
    let by = RwSignal::new(existing.as_ref().map(|v| v.by.as_str().to_string()).unwrap_or_else(|| me.clone()));
    let relationship =
        RwSignal::new(existing.as_ref().map(|v| v.relationship.as_str().to_string()).unwrap_or_default());
    let anything_else = RwSignal::new(
        existing.as_ref().and_then(|v| v.anything_else.as_ref()).map(|t| t.as_str().to_string()).unwrap_or_default(),
    );
    let disagreement = RwSignal::new(String::new());
    let easy_read = RwSignal::new(false);
    let mut draft_fields = answers.draft_fields();
    draft_fields.extend([
        ("by".to_string(), by),
        ("relationship".to_string(), relationship),
        ("anything_else".to_string(), anything_else),
        ("disagreement".to_string(), disagreement),
    ]);
    let draft =
        use_draft(format!("family-views:{}", review_id.map(|r| r.to_string()).unwrap_or_default()), draft_fields);
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let saving = RwSignal::new(false);
    let earlier = existing.as_ref().map(|v| v.disagreements.clone()).unwrap_or_default();
    let (back, back_words) = super::back_from_review(row.as_ref().map(|r| r.id), review_id);
    let step = RwSignal::new(0_usize);
    let answer_fields = answers.view(easy_read, step, errors);
    let part = |p: FamilyPart| count + FamilyPart::ALL.iter().position(|q| *q == p).unwrap_or_default();
    let screens = count + FamilyPart::ALL.len();
    let person_name = row.as_ref().and_then(|r| r.person.as_ref()).map(|p| p.full_name()).unwrap_or_default();
    let time = meeting_time(file.as_ref());
    let intro = time.family_intro();
    let easy_intro_lines = easy_read::family_intro(time);
    let navigate = use_navigate();
    let on_submit = {
        let back = back.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let Some(file) = file.as_ref() else { return };
            if saving.get_untracked() {
                return;
            }
            let mut found = ValidationErrors::new();
            let given = answers.read(&mut found);
            let by_name = ShortText::parse(&by.get_untracked())
                .map_err(|e| found.add("by", e.message("Write your name", "Your name")))
                .ok();
            let relation = ShortText::parse(&relationship.get_untracked())
                .map_err(|_| found.add("relationship", "Say how you are related to them (for example: mother)"))
                .ok();
            let earlier = existing.as_ref().map(|v| v.disagreements.clone()).unwrap_or_default();
            let disagreements = with_new_disagreement(state, earlier, &disagreement.get_untracked(), &mut found);
            let else_words = words(&anything_else.get_untracked(), "anything_else", &mut found);
            let (Some(by_name), Some(relation)) = (by_name, relation) else { return errors.set(found) };
            if !found.is_empty() {
                return errors.set(found);
            }
            // Everything the record holds (merged and earlier answers too), with what the form changed.
            let mut views = existing.clone().unwrap_or_else(|| {
                FamilyViews::new(
                    FamilyViews::id_for(file.review.id),
                    file.review.id,
                    file.review.person_id,
                    by_name.clone(),
                    relation.clone(),
                )
            });
            (views.by, views.relationship) = (by_name, relation);
            for question in FamilyQuestion::ALL {
                views.set_family_answer(question, given.get(question.name()).cloned());
            }
            views.anything_else = else_words;
            views.disagreements = disagreements;
            if let Err(e) = dsr_shared::Validate::validate(&views) {
                return errors.set(e);
            }
            errors.set(ValidationErrors::new());
            let opened = stored.as_ref().map(fields_of);
            let record = (RecordKind::FamilyViews, RecordId::from_uuid(views.id.as_uuid()), opened, fields_of(&views));
            save_and_return(
                state,
                (saving, errors, draft),
                record,
                back.clone(),
                "Your views were saved on this device. They are sent when there is a connection, and the panel reads them.",
                navigate.clone(),
            );
        }
    };
    view! {
        <a class="nhsuk-back-link" href=back>{back_words}</a>
        <span class="nhsuk-caption-l">{person_name}</span>
        <h1>"The family's views"</h1>
        <p class="nhsuk-body" id=ids::FAMILY_VIEWS_INTRO hidden=move || easy_read.get()>{intro}</p>
        <div class="nhsuk-checkboxes nhsuk-u-margin-bottom-4">
            {checkbox(ids::EASY_READ, "Show the questions in easy read", easy_read)}
        </div>
        <Show when=move || easy_read.get()>{
            let lines = easy_intro_lines.clone();
            move || easy_intro(ids::EASY_READ_INTRO, Picture::Family, lines.clone())
        }</Show>
        <ErrorSummary errors=errors field_id=field_element/>
        <Show when=move || draft.restored.get()>
            <div class="nhsuk-inset-text" id=ids::DRAFT_RESTORED><p>"We put back what you had typed before."</p></div>
        </Show>
        <form novalidate on:submit=on_submit class=move || if easy_read.get() { "dsr-easy-read" } else { "" }>
            <TextField id=ids::VIEWS_BY label="Your name" hint="If more than one of you is giving these views, write all your names"
                value=by error=error_for("by") width_class="nhsuk-u-width-two-thirds"/>
            <TextField id=ids::VIEWS_RELATIONSHIP label="How you are related to them" hint="For example: mother, grandfather, foster carer"
                value=relationship error=error_for("relationship") width_class="nhsuk-u-width-one-half"/>
            {answer_fields}
            <EasyStep easy_read=easy_read step=step index=part(FamilyPart::AnythingElse) question=FamilyPart::AnythingElse.easy_read() written=anything_else>
                <TextAreaField id=ids::VIEWS_ANYTHING_ELSE label="Anything else you want the panel to know" value=anything_else
                    error=error_for("anything_else") rows=4/>
            </EasyStep>
            <EasyStep easy_read=easy_read step=step index=part(FamilyPart::Disagreement) question=FamilyPart::Disagreement.easy_read() written=disagreement>
                {disagreements_view(&earlier)}
                <TextAreaField id=ids::DISAGREEMENT label="Do you disagree with something that is planned? (optional)"
                    value=disagreement error=error_for("disagreement") rows=3/>
            </EasyStep>
            {step_buttons(easy_read, step, screens)}
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_FAMILY_VIEWS type="submit" disabled=move || saving.get()>"Save our views"</button>
            <Show when=move || easy_read.get()>{pictures_credit()}</Show>
        </form>
        {(!earlier_answers.is_empty()).then(|| view! {
            <h2>"What you wrote before"</h2>
            <p class="nhsuk-body">"These answers were given to the young person's questions. They are kept with your views."</p>
            {earlier_answers.into_iter().map(|(question, answer)| view! {
                <p class="nhsuk-body"><strong>{question}</strong><br/>{answer}</p>
            }).collect_view()}
        })}
    }
}
