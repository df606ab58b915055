//! `/people/{id}/reviews/{review}/report`: the review's report, one version for the family and the care
//! network ("tell it once"). A plain page that prints cleanly (the print stylesheet leaves out the
//! app's header, buttons and forms), so "Print or save as PDF" gives the PDF. It says when it is due
//! (overdue marked), and the coordinator records when and to whom it went. The family reads it in their
//! own account.

use dsr_shared::RecordId;
use dsr_shared::ValidationErrors;
use dsr_shared::kloe::FindingMark;
use dsr_shared::report::Report;
use dsr_shared::report::{ActionLine, QuestionFindings, RecommendationLine, ReportContent};
use dsr_shared::review::{Review, ShareHow};
use dsr_shared::sync::RecordKind;
use dsr_shared::text::ShortText;
use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error_summary::ErrorSummary;
use crate::components::fields::{TextField, radio_group};
use crate::element_ids as ids;
use crate::record_forms::{access_to, fields_of, long_date, one_error, save_all, today};
use crate::state::AppState;

fn said_list(saids: Vec<dsr_shared::report::Said>, empty: &'static str) -> impl IntoView {
    if saids.is_empty() {
        return view! { <p class="nhsuk-body">{empty}</p> }.into_any();
    }
    saids
        .into_iter()
        .map(|said| {
            view! {
                <h3>{said.heading}</h3>
                {if said.words.is_empty() {
                    view! { <p class="nhsuk-body">"Nothing recorded."</p> }.into_any()
                } else {
                    said.words.into_iter().map(|w| view! { <p class="nhsuk-body dsr-own-words">{w}</p> }).collect_view().into_any()
                }}
            }
        })
        .collect_view()
        .into_any()
}

/// The panel's findings, question by question, line of enquiry by line.
fn findings_list(questions: Vec<QuestionFindings>) -> impl IntoView {
    questions
        .into_iter()
        .map(|q| {
            view! {
                <h3>{q.heading.clone()}</h3>
                {q.is_empty().then(|| view! { <p class="nhsuk-body">"Nothing recorded."</p> })}
                {q.prompts.into_iter().map(|p| view! {
                    <h4 class="dsr-report-prompt">{p.title}</h4>
                    {p.found.into_iter().map(|m| view! {
                        <p class="nhsuk-body dsr-own-words">
                            {(m.mark != FindingMark::Finding).then(|| view! { <strong>{format!("{}: ", m.mark.label())}</strong> })}
                            {m.words}
                        </p>
                    }).collect_view()}
                }).collect_view()}
                {q.words.into_iter().map(|w| view! { <p class="nhsuk-body dsr-own-words">{w}</p> }).collect_view()}
                {(!q.not_covered.is_empty()).then(|| view! {
                    <p class="nhsuk-body-s">{format!("Not covered at this review: {}.", q.not_covered.join(", "))}</p>
                })}
            }
        })
        .collect_view()
}

/// The recommendations under the key question each answers (those from before SMART last), each with
/// who is responsible, by when, how we will know, and the actions agreed for it.
pub(super) fn recommendations_list(lines: Vec<RecommendationLine>) -> impl IntoView {
    if lines.is_empty() {
        return view! { <p class="nhsuk-body">"None."</p> }.into_any();
    }
    let mut groups: Vec<(Option<String>, Vec<RecommendationLine>)> = Vec::new();
    for line in lines {
        match groups.last_mut() {
            Some((heading, group)) if *heading == line.question => group.push(line),
            _ => groups.push((line.question.clone(), vec![line])),
        }
    }
    let several = groups.len() > 1 || groups.iter().any(|(h, _)| h.is_some());
    groups
        .into_iter()
        .map(|(heading, group)| {
            view! {
                {several.then(|| view! { <h3>{heading.unwrap_or_else(|| "Other recommendations".into())}</h3> })}
                <ol class="nhsuk-list nhsuk-list--number dsr-recommendations">
                    {group.into_iter().map(|r| {
                        let details = r.details();
                        view! {
                            <li>
                                <p class="nhsuk-body nhsuk-u-margin-bottom-1"><strong>{r.what}</strong></p>
                                {(!details.is_empty()).then(|| view! {
                                    <dl class="dsr-recommendation-parts">
                                        {details.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                                    </dl>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
        })
        .collect_view()
        .into_any()
}

/// The report's words (a live report, or a version as it was shared). `live_actions`: the action plan
/// with how each action is getting on (a live report); a shared version lists the actions as agreed.
fn report_body(content: ReportContent, live_actions: Option<Vec<ActionLine>>) -> impl IntoView {
    let agreed = content.actions.clone();
    view! {
        <h1>{content.title.clone()}</h1>
        <dl class="nhsuk-summary-list">
            {content.meeting.iter().map(|(k, v)| view! {
                <div class="nhsuk-summary-list__row">
                    <dt class="nhsuk-summary-list__key">{k.clone()}</dt>
                    <dd class="nhsuk-summary-list__value">{v.clone()}</dd>
                </div>
            }).collect_view()}
        </dl>
        <h2>"In the young person's own words"</h2>
        {said_list(content.young_person.clone(), "The young person's planner was not filled in.")}
        <h2>"The family's views"</h2>
        {said_list(content.family.clone(), "No views were recorded.")}
        <h2>"What the panel found"</h2>
        {findings_list(content.findings.clone())}
        <h2>"Recommendations"</h2>
        {recommendations_list(content.recommendations.clone())}
        <h2>"Action plan"</h2>
        {match live_actions {
            _ if agreed.is_empty() => view! { <p class="nhsuk-body">"No actions."</p> }.into_any(),
            Some(actions) => view! {
                <table class="nhsuk-table">
                    <thead class="nhsuk-table__head"><tr><th scope="col">"Action"</th><th scope="col">"Owner"</th><th scope="col">"Due"</th><th scope="col">"Status"</th></tr></thead>
                    <tbody class="nhsuk-table__body">
                        {actions.into_iter().map(|a| view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell">{a.description}</td>
                                <td class="nhsuk-table__cell">{a.owner}</td>
                                <td class="nhsuk-table__cell">{long_date(a.due_on)}{a.overdue.then_some(" (overdue)")}</td>
                                <td class="nhsuk-table__cell">{a.status}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
            None => view! {
                <table class="nhsuk-table">
                    <thead class="nhsuk-table__head"><tr><th scope="col">"Action"</th><th scope="col">"Owner"</th><th scope="col">"By"</th></tr></thead>
                    <tbody class="nhsuk-table__body">
                        {agreed.into_iter().map(|a| view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell">{a.description}</td>
                                <td class="nhsuk-table__cell">{a.owner}</td>
                                <td class="nhsuk-table__cell">{long_date(a.due_on)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any(),
        }}
        {(!content.disagreements.is_empty()).then(|| view! {
            <h2>"Disagreements recorded"</h2>
            <ul class="nhsuk-list nhsuk-list--bullet">{content.disagreements.iter().map(|d| view! { <li>{d.clone()}</li> }).collect_view()}</ul>
        })}
    }
}

/// "Print or save as PDF" (the print stylesheet leaves out the app around the report).
pub(super) fn print_page(_: leptos::ev::MouseEvent) {
    if let Some(window) = web_sys::window() {
        // Nothing to do when the browser cannot print: the page itself is the report.
        let _ = window.print();
    }
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let page = super::route_review_file();
    super::note_read(dsr_shared::accounts::Screen::ReviewReport);
    let shared_with = RwSignal::new(String::new());
    let shared_how = RwSignal::new(String::new());
    let errors = RwSignal::new(ValidationErrors::new());
    let error_for =
        move |field: &'static str| Signal::derive(move || errors.with(|e| e.message_for(field).map(str::to_owned)));
    let save_shared = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some((_, file)) = untrack(page) else { return };
        let Ok(to) = ShortText::parse(&shared_with.get_untracked()) else {
            return errors
                .set(one_error("report_shared", "Say who the report went to (for example: Sam Parent, the family)"));
        };
        let Some(how) = ShareHow::from_name(&shared_how.get_untracked()) else {
            return errors.set(one_error("how", "Say how it went to them: by email, by post or in person"));
        };
        let Some(person) = untrack(page).and_then(|(row, _)| row.person) else { return };
        let policy = state.area_policy();
        // What it says today is what they were given: the same as the last version, or the next one.
        let content = Report::of(&file, &person, &policy, today()).content;
        let mut review: Review = file.review.clone();
        let number = review.share_report(content, to, how, today());
        if let Err(e) = dsr_shared::Validate::validate(&review) {
            return errors.set(e);
        }
        let records = vec![(RecordKind::Review, RecordId::from_uuid(review.id.as_uuid()), fields_of(&review))];
        spawn_local(async move {
            match save_all(records).await {
                Ok(()) => {
                    errors.set(ValidationErrors::new());
                    shared_with.set(String::new());
                    state
                        .saved(format!("Recorded on this device that version {number} of the report was shared"))
                        .await;
                }
                Err(found) => errors.set(found),
            }
        });
    };
    let print = print_page;

    move || {
        let Some((row, file)) = page() else {
            return view! { <h1>"Review not found on this device"</h1> }.into_any();
        };
        let Some(person) = row.person.clone() else {
            return view! { <h1>"This record needs fixing"</h1> }.into_any();
        };
        let policy = state.policy.with(|d| d.policy.clone());
        let report = Report::of(&file, &person, &policy, today());
        // "Tell it once": the family reads the report when it goes to everyone, not a draft before.
        let role = state.session.with_untracked(|s| s.user().map(|u| u.role));
        let (back, back_words) = super::back_from_review(Some(row.id), Some(file.review.id));
        let easy_href = format!("/people/{}/reviews/{}/report/easy-read", row.id, file.review.id);
        if role == Some(dsr_shared::access::Role::Family) && file.review.report_shared.is_empty() {
            return view! {
                <a class="nhsuk-back-link" href=back>{back_words}</a>
                <h1>"The report"</h1>
                <p class="nhsuk-body" id=ids::REPORT_NOT_YET>{match report.due_on {
                    Some(due) => format!("The report will be here when the review team shares it with you and everyone who took part. It is due by {}.", long_date(due)),
                    None => "The report will be here after the meeting, when the review team shares it with you and everyone who took part.".to_string(),
                }}</p>
            }
            .into_any();
        }
        // A family reads the version they were given, as it was given: a shared report never changes.
        if role == Some(dsr_shared::access::Role::Family)
            && let Some(version) = file.review.latest_report()
        {
            let given = version
                .shared
                .last()
                .map(|s| format!("It was sent to you on {} {}.", long_date(s.on), s.how.words()))
                .unwrap_or_default();
            return view! {
                <div class="dsr-no-print">
                    <a class="nhsuk-back-link" href=back>{back_words}</a>
                    <p class="nhsuk-inset-text" id=ids::REPORT_VERSION>{format!("This is version {} of the report. {given}", version.number)}</p>
                    <p class="nhsuk-body"><a id=ids::EASY_READ_REPORT_LINK href=easy_href.clone()>"Read it in easy read, with pictures"</a></p>
                    <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::PRINT_REPORT on:click=print>"Print or save as PDF"</button>
                </div>
                <article class="dsr-report" id=ids::REPORT>
                    {report_body(version.content.clone(), None)}
                    <h2>"Who the report went to"</h2>
                    <p class="nhsuk-body" id=ids::REPORT_SHARED>{version.summary()}</p>
                </article>
            }
            .into_any();
        }
        let access = access_to(state, &row);
        let may_share = access.write.contains(RecordKind::Review)
            && state.session.with_untracked(|s| s.user().map(|u| u.role))
                == Some(dsr_shared::access::Role::Coordinator)
            && file.review.was_held();
        let actions = report.actions.clone();
        view! {
            <div class="dsr-no-print">
                <a class="nhsuk-back-link" href=back>{back_words}</a>
                <p class="nhsuk-body" id=ids::REPORT_DUE>
                    {report.overdue.then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
                    {match (report.due_on, report.shared.is_empty()) {
                        (Some(due), true) => format!("The report is due by {}.", long_date(due)),
                        (Some(due), false) => format!("The report was due by {}; it has been shared.", long_date(due)),
                        (None, _) => "The report is due two weeks after the meeting, once a date is set.".to_string(),
                    }}
                </p>
                <p class="nhsuk-body"><a id=ids::EASY_READ_REPORT_LINK href=easy_href>"The report in easy read, with pictures"</a></p>
                <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::PRINT_REPORT on:click=print>"Print or save as PDF"</button>
            </div>
            {file.review.latest_report().map(|latest| {
                let changed = file.review.report_changed_since_shared(&report.content);
                view! {
                    <div class="dsr-no-print" id=ids::REPORT_VERSIONS>
                        {changed.then(|| view! {
                            <div class="nhsuk-warning-callout" id=ids::REPORT_CHANGED>
                                <h3 class="nhsuk-warning-callout__label">"Changed since it was shared"</h3>
                                <p>{format!("The report says something different now from version {} that was shared. Share it again: it becomes version {}, and the family sees which version they have.", latest.number, latest.number + 1)}</p>
                            </div>
                        })}
                        <ul class="nhsuk-list">
                            {file.review.report_versions.iter().map(|v| view! { <li>{v.summary()}</li> }).collect_view()}
                        </ul>
                    </div>
                }
            })}
            <article class="dsr-report" id=ids::REPORT>
                {report_body(report.content.clone(), Some(actions))}
                <h2>"Who the report went to"</h2>
                <p class="nhsuk-body" id=ids::REPORT_SHARED>{if report.shared.is_empty() { "Not shared yet.".to_string() } else { report.shared.join("; ") }}</p>
            </article>
            {may_share.then(|| view! {
                <form novalidate on:submit=save_shared class="dsr-no-print">
                    <h2>"Record that the report was shared"</h2>
                    <ErrorSummary errors=errors field_id=|f: &str| if f == "how" { ids::SHARED_HOW } else { ids::SHARED_WITH }/>
                    <TextField id=ids::SHARED_WITH label="Who it went to today" hint="The same version goes to the family and everyone who took part"
                        value=shared_with error=error_for("report_shared") width_class="nhsuk-u-width-two-thirds"/>
                    {radio_group(
                        ids::SHARED_HOW,
                        "How it went to them",
                        ShareHow::ALL.iter().map(|h| (ids::shared_how(h.name()), h.name(), h.words())).collect(),
                        shared_how,
                        error_for("how"),
                    )}
                    <button class="nhsuk-button" id=ids::SAVE_SHARED type="submit">"Record that it was shared"</button>
                </form>
            })}
        }
        .into_any()
    }
}
