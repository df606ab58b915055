//! A person's Care (Education) and Treatment Reviews.
//!
//! - `/people/{id}/reviews/new` and `/people/{id}/reviews/{review}/arrange`: request a review and arrange
//!   it: the kind (community, LAEP, post-admission, inpatient), named CTR or CETR by the rules, the
//!   meeting's date, place and format, the panel and who is invited; the dates that follow are shown as
//!   the date is typed.
//! - `/people/{id}/reviews/{review}`: the review: where it stands, its dates (overdue marked), whether
//!   consent lets the panel open the papers, and the way to the planner, family views, meeting, action
//!   plan and report.

use dsr_shared::RecordId;
use dsr_shared::admission::current_admission;
use dsr_shared::consent::{ConsentScope, has_consent};
use dsr_shared::due::due_items;
use dsr_shared::person::date_from_parts;
use dsr_shared::review::{
    MeetingFormat, Panel, Review, ReviewKind, ReviewStatus, attendees_text, parse_attendees, review_name,
};
use dsr_shared::sync::RecordKind;
use dsr_shared::text::ShortText;
use dsr_shared::{ReviewId, ValidationErrors};
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::use_navigate;

use crate::components::draft::{DraftSaved, use_draft};
use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{DateField, TextAreaField, TextField, radio_group};
use crate::element_ids as ids;
use crate::pages::person::summary_row;
use crate::pages::register::rating_tag;
use crate::record_forms::{access_to, fields_of, long_date, new_id, person_row, save_all, save_changed, today};
use crate::state::AppState;

fn field_element(field: &str) -> &'static str {
    match field {
        "kind" => ids::REVIEW_KIND,
        "meeting_on" => ids::REVIEW_DAY,
        "place" => ids::REVIEW_PLACE,
        "format" => ids::REVIEW_FORMAT,
        "panel" | "chair" => ids::REVIEW_CHAIR,
        "clinical_expert" => ids::REVIEW_CLINICAL_EXPERT,
        "expert_by_experience" => ids::REVIEW_EXPERT_BY_EXPERIENCE,
        "attendees" => ids::REVIEW_ATTENDEES,
        _ => ids::MAIN,
    }
}

/// An optional line of text: empty is `None`, too long or broken is an error for `field`.
fn optional_line(text: &str, field: &str, what: &str, errors: &mut ValidationErrors) -> Option<ShortText> {
    if text.trim().is_empty() {
        return None;
    }
    ShortText::parse(text).map_err(|e| errors.add(field, format!("{what} {e}"))).ok()
}

/// Request (no `review` in the route) or change the arrangements of a review.
#[component]
pub fn ArrangeReviewPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let navigate = use_navigate();
    let row = person_row(state);
    let person = row.as_ref().and_then(|r| r.person.clone());
    let file = row.as_ref().and_then(|r| r.file.clone());
    let existing: Option<Review> = untrack(super::route_review_id())
        .and_then(|id| file.as_ref().and_then(|f| f.reviews.iter().find(|r| r.id == id).cloned()));
    let policy = state.area_policy();
    let today = today();
    let admission = file.as_ref().and_then(|f| current_admission(&f.admissions, today).cloned());
    let kinds: Vec<ReviewKind> = if admission.is_some() {
        vec![ReviewKind::PostAdmission, ReviewKind::Inpatient, ReviewKind::Laep]
    } else {
        vec![ReviewKind::Community, ReviewKind::Laep]
    };
    let text = |t: &Option<ShortText>| t.as_ref().map(|t| t.as_str().to_string()).unwrap_or_default();
    let kind = RwSignal::new(existing.as_ref().map(|r| r.kind).unwrap_or(kinds[0]).name().to_string());
    let meeting = existing.as_ref().and_then(|r| r.meeting_on);
    let day = RwSignal::new(meeting.map(|d| d.format("%-d").to_string()).unwrap_or_default());
    let month = RwSignal::new(meeting.map(|d| d.format("%-m").to_string()).unwrap_or_default());
    let year = RwSignal::new(meeting.map(|d| d.format("%Y").to_string()).unwrap_or_default());
    let place = RwSignal::new(existing.as_ref().map(|r| text(&r.place)).unwrap_or_default());
    let format =
        RwSignal::new(existing.as_ref().and_then(|r| r.format).map(|f| f.name().to_string()).unwrap_or_default());
    let chair = RwSignal::new(existing.as_ref().map(|r| text(&r.panel.chair)).unwrap_or_default());
    let clinical = RwSignal::new(existing.as_ref().map(|r| text(&r.panel.clinical_expert)).unwrap_or_default());
    let by_experience =
        RwSignal::new(existing.as_ref().map(|r| text(&r.panel.expert_by_experience)).unwrap_or_default());
    let attendees = RwSignal::new(existing.as_ref().map(|r| attendees_text(&r.attendees)).unwrap_or_default());
    let draft = use_draft(
        format!(
            "review:{}:{}",
            row.as_ref().map(|r| r.id.to_string()).unwrap_or_default(),
            existing.as_ref().map(|r| r.id.to_string()).unwrap_or_else(|| "new".into())
        ),
        vec![
            ("kind", kind),
            ("day", day),
            ("month", month),
            ("year", year),
            ("place", place),
            ("format", format),
            ("chair", chair),
            ("clinical_expert", clinical),
            ("expert_by_experience", by_experience),
            ("attendees", attendees),
        ],
    );
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let saving = RwSignal::new(false);

    // What it is called, and the dates that follow from the meeting date typed so far.
    let name = person
        .as_ref()
        .map(|p| review_name(p.age_on(today), p.in_education, p.education_placement_broken_down, &policy));
    let typed_date = move || date_from_parts(&day.get(), &month.get(), &year.get(), "The meeting date").ok();
    let dates = {
        let policy = policy.clone();
        let existing = existing.clone();
        move || {
            let meeting_on = typed_date()?;
            let probe = Review { meeting_on: Some(meeting_on), ..existing.clone().unwrap_or_else(blank_review) };
            let start = probe.arrangements_start(&policy)?;
            let late = (start < today)
                .then_some(" This is less than the usual notice: arrangements should start at least two weeks before.");
            Some(format!(
                "Arrangements start by {}. Papers to the panel by {}. The report is due by {}.{}",
                long_date(start),
                probe.papers_due(&policy).map(long_date).unwrap_or_default(),
                probe.report_due(&policy).map(long_date).unwrap_or_default(),
                late.unwrap_or_default()
            ))
        }
    };
    let is_laep = move || kind.get() == ReviewKind::Laep.name();

    let row_id = row.as_ref().map(|r| r.id);
    let person_link = row.as_ref().map(|r| format!("/people/{}", r.id)).unwrap_or_else(|| "/".into());
    let on_submit = {
        let existing = existing.clone();
        let admission = admission.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            let (Some(row_id), Some(name)) = (row_id, name) else { return };
            if saving.get_untracked() {
                return;
            }
            let mut found = ValidationErrors::new();
            let chosen = ReviewKind::from_name(&kind.get_untracked());
            found.require(chosen.is_none(), "kind", "Choose the kind of review");
            let typed = [day.get_untracked(), month.get_untracked(), year.get_untracked()];
            let meeting_on = if typed.iter().all(|p| p.trim().is_empty()) {
                None
            } else {
                date_from_parts(&typed[0], &typed[1], &typed[2], "The meeting date")
                    .map_err(|m| found.add("meeting_on", m))
                    .ok()
            };
            let place = optional_line(&place.get_untracked(), "place", "The place", &mut found);
            let panel = Panel {
                chair: optional_line(&chair.get_untracked(), "chair", "The chair's name", &mut found),
                clinical_expert: optional_line(
                    &clinical.get_untracked(),
                    "clinical_expert",
                    "The clinical expert's name",
                    &mut found,
                ),
                expert_by_experience: optional_line(
                    &by_experience.get_untracked(),
                    "expert_by_experience",
                    "The expert by experience's name",
                    &mut found,
                ),
            };
            let people =
                parse_attendees(&attendees.get_untracked()).map_err(|m| found.add("attendees", m)).unwrap_or_default();
            let Some(kind) = chosen.filter(|_| found.is_empty()) else { return errors.set(found) };
            // A Local Area Emergency Protocol meeting has no independent experts: names typed before the
            // kind was changed are not kept.
            let panel = if kind == ReviewKind::Laep {
                Panel { clinical_expert: None, expert_by_experience: None, ..panel }
            } else {
                panel
            };
            let base = existing.clone().unwrap_or_else(|| Review {
                id: ReviewId::from_uuid(new_id().as_uuid()),
                person_id: dsr_shared::PersonId::from_uuid(row_id.as_uuid()),
                requested_on: today,
                ..blank_review()
            });
            // Who came is kept for people still invited (it is recorded on the day).
            let attendees = people
                .into_iter()
                .map(|mut a| {
                    a.attended = base.attendees.iter().find(|b| b.name == a.name).and_then(|b| b.attended);
                    a
                })
                .collect();
            let status = match (base.status, meeting_on) {
                (ReviewStatus::Requested, Some(_)) => ReviewStatus::Arranged,
                (ReviewStatus::Arranged, None) => ReviewStatus::Requested,
                (status, _) => status,
            };
            let review = Review {
                kind,
                name,
                status,
                admission_id: if kind.is_inpatient() {
                    admission.as_ref().map(|a| a.id).or(base.admission_id)
                } else {
                    None
                },
                meeting_on,
                place,
                format: MeetingFormat::from_name(&format.get_untracked()),
                panel,
                attendees,
                // The key lines of enquiry the panel will work from: the area's newest when arranged.
                kloe_version: base
                    .kloe_version
                    .or_else(|| meeting_on.map(|_| state.area_policy().kloe_prompts().version)),
                ..base
            };
            if let Err(e) = dsr_shared::Validate::validate(&review) {
                return errors.set(e);
            }
            errors.set(ValidationErrors::new());
            saving.set(true);
            let navigate = navigate.clone();
            let fields = fields_of(&review);
            let opened = existing.as_ref().map(fields_of);
            spawn_local(async move {
                match save_changed(RecordKind::Review, RecordId::from_uuid(review.id.as_uuid()), opened, fields).await {
                    Ok(()) => {
                        draft.clear().await;
                        state.saved(format!("The {} was saved on this device", review.name.short())).await;
                        navigate(&format!("/people/{row_id}/reviews/{}", review.id), Default::default());
                    }
                    Err(found) => {
                        errors.set(found);
                        saving.set(false);
                    }
                }
            });
        }
    };

    let kind_options: Vec<(String, &'static str, &'static str)> =
        kinds.iter().map(|k| (ids::review_kind(k.name()), k.name(), k.label())).collect();
    let format_options: Vec<(String, &'static str, &'static str)> =
        MeetingFormat::ALL.iter().map(|f| (ids::review_format(f.name()), f.name(), f.label())).collect();
    view! {
        <a class="nhsuk-back-link" href=person_link>"Back"</a>
        <span class="nhsuk-caption-l">{person.as_ref().map(|p| p.full_name()).unwrap_or_default()}</span>
        <h1>{if existing.is_some() { "Change the review's arrangements" } else { "Request a review" }}</h1>
        <div class="nhsuk-inset-text" id=ids::REVIEW_NAME>
            <p>{name.map(|n| format!("This will be a {}.", n.full())).unwrap_or_default()}</p>
        </div>
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_submit>
            {radio_group(ids::REVIEW_KIND, "Kind of review", kind_options, kind, error_for("kind"))}
            <DateField id=ids::REVIEW_DATE legend="Meeting date" hint="Leave empty if it is not set yet. For example, 15 1 2027"
                day=day month=month year=year error=error_for("meeting_on")
                part_ids=[ids::REVIEW_DAY, ids::REVIEW_MONTH, ids::REVIEW_YEAR]/>
            <p class="nhsuk-body" id=ids::REVIEW_DATES aria-live="polite">{dates}</p>
            <TextField id=ids::REVIEW_PLACE label="Place (optional)" hint="For example: the family home, Riverside School"
                value=place error=error_for("place") width_class="nhsuk-u-width-two-thirds"/>
            {radio_group(ids::REVIEW_FORMAT, "How people take part", format_options, format, error_for("format"))}
            <h2>"The panel"</h2>
            <TextField id=ids::REVIEW_CHAIR label="Chair" hint="A commissioner not involved in everyday care"
                value=chair error=error_for("panel") width_class="nhsuk-u-width-two-thirds"/>
            <Show when=move || !is_laep() fallback=|| view! {
                <p class="nhsuk-body">"A Local Area Emergency Protocol meeting has no independent experts."</p>
            }>
                <TextField id=ids::REVIEW_CLINICAL_EXPERT label="Clinical expert" value=clinical
                    error=error_for("clinical_expert") width_class="nhsuk-u-width-two-thirds"/>
                <TextField id=ids::REVIEW_EXPERT_BY_EXPERIENCE label="Expert by experience" value=by_experience
                    error=error_for("expert_by_experience") width_class="nhsuk-u-width-two-thirds"/>
            </Show>
            <TextAreaField id=ids::REVIEW_ATTENDEES label="Who is invited"
                hint="One person on each line: their name, a comma, then their role. For example: Sam Parent, mother"
                value=attendees error=error_for("attendees") rows=6/>
            <DraftSaved draft=draft/>
            <button class="nhsuk-button" id=ids::SAVE_REVIEW type="submit" disabled=move || saving.get()>"Save the review"</button>
        </form>
    }
}

/// A review with nothing set (the fields a new one starts from).
fn blank_review() -> Review {
    Review::requested(
        ReviewId::from_uuid(uuid::Uuid::nil()),
        dsr_shared::PersonId::from_uuid(uuid::Uuid::nil()),
        ReviewKind::Community,
        dsr_shared::review::ReviewName::Cetr,
        today(),
    )
}

/// Saves a changed review on this device (a button on the review page).
fn change_review(state: AppState, review: Review, notice: &'static str) {
    spawn_local(async move {
        match save_all(vec![(RecordKind::Review, RecordId::from_uuid(review.id.as_uuid()), fields_of(&review))]).await {
            Ok(()) => state.saved(notice).await,
            Err(found) => state.storage_problem.set(Some(found.to_string())),
        }
    });
}

/// `/people/{id}/reviews/{review}`.
#[component]
pub fn ReviewPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    super::note_read(dsr_shared::accounts::Screen::Review);
    let page = super::route_review_file();
    let notice = state.notice.get_untracked();
    state.notice.set(None);
    move || page().map(|(row, file)| review_view(state, row, file, notice.clone()))
}

fn review_view(
    state: AppState,
    row: crate::read_model::PersonRow,
    file: dsr_shared::report::ReviewFile,
    notice: Option<String>,
) -> impl IntoView {
    let policy = state.policy.with(|d| d.policy.clone());
    let today = today();
    let access = access_to(state, &row);
    let review = file.review.clone();
    let person_id = row.id;
    let base = format!("/people/{person_id}/reviews/{}", review.id);
    let consents = row.file.as_ref().map(|f| f.consents.clone()).unwrap_or_default();
    let consent_given = has_consent(&consents, ConsentScope::Review, Some(review.id), today);
    let name = row.person.as_ref().map(|p| p.full_name()).unwrap_or_default();
    let rating = row.register.as_ref().and_then(|r| r.rating);
    let due: Vec<_> = row
        .file
        .as_ref()
        .map(|f| due_items(f, &policy, today))
        .unwrap_or_default()
        .into_iter()
        .filter(|d| d.review_id == Some(review.id))
        .collect();
    let date = |d: Option<chrono::NaiveDate>| d.map(long_date).unwrap_or_else(|| "Not set yet".into());
    let panel = [
        ("Chair", &review.panel.chair),
        ("Clinical expert", &review.panel.clinical_expert),
        ("Expert by experience", &review.panel.expert_by_experience),
    ]
    .iter()
    .filter_map(|(role, n)| n.as_ref().map(|n| format!("{role}: {}", n.as_str())))
    .collect::<Vec<_>>()
    .join("; ");
    let invited = review
        .attendees
        .iter()
        .map(|a| {
            let came = match a.attended {
                Some(true) => ", came",
                Some(false) => ", could not come",
                None => "",
            };
            format!("{} ({}{came})", a.name.as_str(), a.role.as_str())
        })
        .collect::<Vec<_>>()
        .join("; ");
    let report_overdue = review.report_overdue(&policy, today);
    let template = review.template(row.person.as_ref(), &policy, today);
    let kloe = review.kloe(&policy);
    let (covered, prompts) = {
        let recorded = dsr_shared::kloe::recorded_prompts(&file.findings);
        let coverage = kloe.coverage(template, &recorded);
        (coverage.iter().map(|c| c.covered).sum::<usize>(), coverage.iter().map(|c| c.total).sum::<usize>())
    };
    // Findings recorded on whole key questions, before the lines of enquiry: said so, never "0 covered".
    let meeting_progress = if covered == 0 && !file.findings.is_empty() {
        " (findings recorded on the key questions)".to_string()
    } else {
        format!(" ({covered} of {prompts} lines of enquiry covered)")
    };
    let (received, expected) = kloe.papers_received(template, &review.papers);
    // The papers are the coordinator's to record and the panel's to read.
    let papers_link = access.write.contains(RecordKind::KloeFinding) || access.write.contains(RecordKind::Review);
    let coordinator =
        state.session.with_untracked(|s| s.user().map(|u| u.role)) == Some(dsr_shared::access::Role::Coordinator);
    let may_arrange = coordinator && access.write.contains(RecordKind::Review) && review.is_active();
    let may_consent = access.write.contains(RecordKind::Consent);
    let reads = |k| access.read.contains(k);
    let meeting_link = access.write.contains(RecordKind::KloeFinding);
    let papers_due =
        review.papers_sent_on.is_none() && matches!(review.status, ReviewStatus::Requested | ReviewStatus::Arranged);
    let papers_sent = Review { papers_sent_on: Some(today), ..review.clone() };
    let cancelled = Review { status: ReviewStatus::Cancelled, ..review.clone() };
    view! {
        <a class="nhsuk-back-link" href=format!("/people/{person_id}")>"Back to "{name.clone()}</a>
        {notice.map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
        <span class="nhsuk-caption-l">{name.clone()}" "{rating_tag(rating)}</span>
        <h1>{review.name.full()}</h1>
        <p class="nhsuk-body" id=ids::REVIEW_STATUS>
            <strong class="nhsuk-tag">{review.status.label()}</strong>" "{format!("{} review, requested on {}", review.kind.short_label(), long_date(review.requested_on))}
        </p>
        <dl class="nhsuk-summary-list" id=ids::REVIEW_DATES>
            {summary_row("Meeting", date(review.meeting_on))}
            {summary_row("Place", review.place.as_ref().map(|p| p.as_str().to_string()).unwrap_or_else(|| "Not set yet".into()))}
            {summary_row("How", review.format.map(|f| f.label().to_string()).unwrap_or_else(|| "Not set yet".into()))}
            {summary_row("Arrangements start by", date(review.arrangements_start(&policy)))}
            {summary_row("Papers to the panel by", match review.papers_sent_on {
                Some(sent) => format!("{} (Papers went to the panel on {})", date(review.papers_due(&policy)), long_date(sent)),
                None => date(review.papers_due(&policy)),
            })}
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">"Report due by"</dt>
                <dd class="nhsuk-summary-list__value">
                    {report_overdue.then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
                    {date(review.report_due(&policy))}
                </dd>
            </div>
            {summary_row("Panel", if panel.is_empty() { "Not named yet".into() } else { panel })}
            {summary_row("Invited", if invited.is_empty() { "Nobody yet".into() } else { invited })}
        </dl>
        {may_arrange.then(|| view! {
            <div class="dsr-button-row">
                <a class="nhsuk-button nhsuk-button--secondary" href=format!("{base}/arrange") id=ids::CHANGE_ARRANGEMENTS>"Change the arrangements"</a>
                {papers_due.then(|| view! {
                    <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::PAPERS_SENT
                        on:click=move |_| change_review(state, papers_sent.clone(), "Recorded that the papers went to the panel")>
                        "Record that the papers went to the panel today"
                    </button>
                })}
                {(!review.was_held()).then(|| view! {
                    <button class="nhsuk-button nhsuk-button--warning" type="button" id=ids::CANCEL_REVIEW
                        on:click=move |_| change_review(state, cancelled.clone(), "The review was cancelled")>
                        "Cancel the review"
                    </button>
                })}
            </div>
        })}

        <h2>"Consent for this review"</h2>
        <div class="nhsuk-inset-text" id=ids::REVIEW_CONSENT>
            <p>{if consent_given {
                "Consent (or a best-interests decision) for this review is recorded: the panel can open the papers."
            } else {
                "Not recorded yet. The panel cannot open the papers until consent, or a best-interests decision, is recorded."
            }}</p>
        </div>
        {(may_consent && !consent_given).then(|| view! {
            <a class="nhsuk-button nhsuk-button--secondary" href=format!("/people/{person_id}/consent/new?review={}", review.id)
                id=ids::RECORD_REVIEW_CONSENT>"Record consent for this review"</a>
        })}

        {(!due.is_empty()).then(|| view! {
            <h2>"Due for this review"</h2>
            <ul class="nhsuk-list nhsuk-list--border">
                {due.into_iter().map(|item| view! {
                    <li data-overdue=item.overdue.to_string()>
                        {item.overdue.then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
                        <strong>{long_date(item.due_on)}</strong>": "{item.reason}
                    </li>
                }).collect_view()}
            </ul>
        })}

        <h2>"Before, during and after the meeting"</h2>
        <ul class="nhsuk-list dsr-review-steps">
            {reads(RecordKind::Planner).then(|| view! {
                <li><a href=format!("{base}/planner") id=ids::OPEN_PLANNER>"The young person's planner"</a>
                    {format!(" ({})", if file.planners.is_empty() { "not started" } else { "started" })}</li>
            })}
            {reads(RecordKind::FamilyViews).then(|| view! {
                <li><a href=format!("{base}/family-views") id=ids::OPEN_FAMILY_VIEWS>"The family's views"</a>
                    {if file.family_views.is_empty() { " (not given yet)" } else { " (given)" }}</li>
            })}
            {meeting_link.then(|| view! {
                <li><a href=format!("{base}/meeting") id=ids::OPEN_MEETING>"The meeting: key lines of enquiry, attendance and feedback"</a>
                    {meeting_progress}</li>
            })}
            {papers_link.then(|| view! {
                <li><a href=format!("{base}/papers") id=ids::OPEN_PAPERS>"The papers for the panel"</a>
                    {format!(" ({received} of the {expected} expected received)")}</li>
            })}
            {reads(RecordKind::Action).then(|| view! {
                <li><a href=format!("{base}/actions") id=ids::OPEN_ACTION_PLAN>"Recommendations and action plan"</a>
                    {format!(" ({} recommendations, {} actions)", file.recommendations.len(), file.actions.len())}</li>
            })}
            <li><a href=format!("{base}/report") id=ids::OPEN_REPORT>"The report"</a></li>
        </ul>
    }
}
