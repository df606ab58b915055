//! `/people/{id}/reviews/{review}/papers`: the papers the panel reads before the review, the checklist
//! for its kind (in the community or in hospital, a child's or an adult's; from the review's version of
//! the area's key lines of enquiry), each received or not and from whom. The coordinator records them;
//! the panel sees the list. None of the papers this app holds opens until consent for the review, or
//! a best-interests decision, is recorded.

use dsr_shared::RecordId;
use dsr_shared::ValidationErrors;
use dsr_shared::consent::{ConsentScope, has_consent};
use dsr_shared::kloe::papers::{InApp, PaperReceived, checklist, received_count};
use dsr_shared::review::Review;
use dsr_shared::sync::RecordKind;
use dsr_shared::text::ShortText;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error_summary::ErrorSummary;
use crate::element_ids as ids;
use crate::record_forms::{access_to, fields_of, long_date, save_all_changed, today};
use crate::state::AppState;

fn field_element(field: &str) -> String {
    field.strip_prefix("from:").map(ids::paper_from).unwrap_or_else(|| ids::PAPERS.into())
}

#[component]
pub fn PapersPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    super::note_read(dsr_shared::accounts::Screen::ReviewPapers);
    let page = super::route_review_file();
    let Some((row, file)) = untrack(page) else {
        return view! { <h1>"Review not found on this device"</h1> }.into_any();
    };
    let policy = state.area_policy();
    let today = today();
    let review = file.review.clone();
    let template = review.template(row.person.as_ref(), &policy, today);
    let kloe = review.kloe(&policy).clone();
    let access = access_to(state, &row);
    let role = state.role();
    let may_record = access.write.contains(RecordKind::Review)
        && role.is_some_and(|r| dsr_shared::access::write_rule(r, RecordKind::Review).may_change("papers"));
    let consents = row.file.as_ref().map(|f| f.consents.clone()).unwrap_or_default();
    let papers_open = has_consent(&consents, ConsentScope::Review, Some(review.id), today);
    let base = format!("/people/{}/reviews/{}", row.id, review.id);
    // The last review held before this one, whose report the panel reads.
    let previous = row.file.as_ref().and_then(|f| {
        f.reviews
            .iter()
            .filter(|r| r.id != review.id && r.was_held())
            .filter(|r| r.meeting_on.zip(review.meeting_on).is_none_or(|(then, now)| then < now))
            .max_by_key(|r| r.meeting_on)
            .map(|r| r.id)
    });
    let open_link = |in_app: InApp| -> Option<String> {
        match in_app {
            InApp::Planner => access.read.contains(RecordKind::Planner).then(|| format!("{base}/planner")),
            InApp::PreviousReport => previous.map(|p| format!("/people/{}/reviews/{p}/report", row.id)),
            InApp::RiskChecklist => {
                access.read.contains(RecordKind::RiskAssessment).then(|| format!("/people/{}", row.id))
            }
        }
    };

    // What the coordinator types: per paper, received (a box) and from whom.
    let lines = checklist(&kloe.papers, template, &review.papers);
    let fields: Vec<(String, RwSignal<bool>, RwSignal<String>)> = lines
        .iter()
        .map(|l| {
            (
                l.paper.key.clone(),
                RwSignal::new(l.is_received()),
                RwSignal::new(
                    l.received.and_then(|r| r.from.as_ref()).map(|f| f.as_str().to_string()).unwrap_or_default(),
                ),
            )
        })
        .collect();
    let errors = RwSignal::new(ValidationErrors::new());
    let notice = RwSignal::new(None::<String>);
    let saving = RwSignal::new(false);
    let on_save = {
        let fields = fields.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if saving.get_untracked() {
                return;
            }
            // The review as this device holds it now (after an earlier save here, or one pulled).
            let Some((_, file)) = untrack(page) else { return };
            let review = file.review;
            let mut found = ValidationErrors::new();
            // Papers of another kind of review (the review changed kind) are kept as recorded.
            let mut papers: Vec<PaperReceived> =
                review.papers.iter().filter(|p| !fields.iter().any(|(k, _, _)| *k == p.paper)).cloned().collect();
            for (key, received, from) in &fields {
                let (received, from_text) = (received.get_untracked(), from.get_untracked());
                let from = match from_text.trim() {
                    "" => None,
                    text => ShortText::parse(text)
                        .map_err(|e| found.add(format!("from:{key}"), format!("Who sent it {e}")))
                        .ok(),
                };
                let before = review.papers.iter().find(|p| p.paper == *key);
                if !received && from.is_none() && before.is_none() {
                    continue;
                }
                // The day it came: kept from when it was first recorded as received.
                let on = if received { before.filter(|b| b.received).and_then(|b| b.on).or(Some(today)) } else { None };
                papers.push(PaperReceived { paper: key.clone(), received, from, on });
            }
            if !found.is_empty() {
                return errors.set(found);
            }
            let updated = Review { papers, ..review.clone() };
            if updated == review {
                return notice.set(Some("Nothing changed".into()));
            }
            let change = (
                RecordKind::Review,
                RecordId::from_uuid(updated.id.as_uuid()),
                Some(fields_of(&review)),
                fields_of(&updated),
            );
            saving.set(true);
            errors.set(ValidationErrors::new());
            spawn_local(async move {
                match save_all_changed(vec![change]).await {
                    Ok(()) => notice.set(Some("The papers were saved on this device".into())),
                    Err(found) => errors.set(found),
                }
                saving.set(false);
            });
        }
    };
    let (received, expected) = received_count(&lines);
    let rows = lines
        .iter()
        .zip(fields.iter().cloned())
        .map(|(line, (key, received, from))| {
            let key = key.as_str();
            let paper = line.paper;
            let status = match line.received {
                Some(r) if r.received => format!(
                    "Received{}{}",
                    r.from.as_ref().map(|f| format!(" from {}", f.as_str())).unwrap_or_default(),
                    r.on.map(|d| format!(" on {}", long_date(d))).unwrap_or_default()
                ),
                _ => "Not received".into(),
            };
            let open = paper.in_app.and_then(open_link);
            view! {
                <tr class="nhsuk-table__row" id=ids::paper(key)>
                    <td class="nhsuk-table__cell">{paper.name.clone()}
                        {paper.optional.then(|| view! { <span class="dsr-cell-detail">" (if there is one)"</span> })}</td>
                    <td class="nhsuk-table__cell">
                        {if may_record {
                            view! {
                                <div class="nhsuk-checkboxes__item">
                                    <input class="nhsuk-checkboxes__input" id=ids::paper_received(key) type="checkbox"
                                        prop:checked=move || received.get() on:change=move |ev| received.set(event_target_checked(&ev))/>
                                    <label class="nhsuk-label nhsuk-checkboxes__label" for=ids::paper_received(key)>"Received"</label>
                                </div>
                                <label class="nhsuk-label nhsuk-u-margin-top-2" for=ids::paper_from(key)>"From"</label>
                                <input class="nhsuk-input" id=ids::paper_from(key) type="text" prop:value=move || from.get()
                                    on:input=move |ev| from.set(event_target_value(&ev))/>
                            }.into_any()
                        } else {
                            view! { <span>{status.clone()}</span> }.into_any()
                        }}
                    </td>
                    <td class="nhsuk-table__cell">
                        {match (open, papers_open) {
                            (Some(href), true) => view! { <a href=href id=ids::paper_open(key)>"Open"</a> }.into_any(),
                            (Some(_), false) => view! { <strong class="nhsuk-tag nhsuk-tag--grey">"Closed until consent"</strong> }.into_any(),
                            (None, _) => view! { <span class="dsr-cell-detail">"Not held in this app"</span> }.into_any(),
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <a class="nhsuk-back-link" href=base.clone()>"Back to the review"</a>
        <span class="nhsuk-caption-l">{row.person.as_ref().map(|p| p.full_name()).unwrap_or_default()}</span>
        <h1>"Papers for the panel"</h1>
        <p class="nhsuk-body">{format!("{}: {} of the {} papers expected have been received. {}",
            template.label(), received, expected,
            review.papers_sent_on.map(|d| format!("The papers went to the panel on {}.", long_date(d))).unwrap_or_default())}</p>
        {(!papers_open).then(|| view! {
            <div class="nhsuk-warning-callout" id=ids::PAPERS_CLOSED>
                <h3 class="nhsuk-warning-callout__label">"Papers not open yet"</h3>
                <p>"Consent for this review, or a best-interests decision, is not recorded: the panel opens none of the papers until it is."</p>
            </div>
        })}
        {move || notice.get().map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
        <ErrorSummary errors=errors field_id=field_element/>
        <form novalidate on:submit=on_save>
            <table class="nhsuk-table" id=ids::PAPERS>
                <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Papers for the panel"</caption>
                <thead class="nhsuk-table__head"><tr>
                    <th scope="col">"Paper"</th><th scope="col">"Received"</th><th scope="col">"Open"</th>
                </tr></thead>
                <tbody class="nhsuk-table__body">{rows}</tbody>
            </table>
            {may_record.then(|| view! {
                <button class="nhsuk-button" id=ids::SAVE_PAPERS type="submit" disabled=move || saving.get()>"Save the papers"</button>
            })}
        </form>
    }
    .into_any()
}
