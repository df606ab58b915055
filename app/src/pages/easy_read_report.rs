//! `/people/{id}/reviews/{review}/report/easy-read`: the review's report in easy read, for the young
//! person and anyone who wants it: short parts, a picture each, "Read this to me" on every part, and
//! printable. A family reads the easy-read version of the report they were given (the version shared,
//! which never changes); staff see what the report says today, to print and send.

use dsr_shared::access::Role;
use dsr_shared::easy_read::{self, EasySection, ReportReader};
use dsr_shared::report::Report;
use leptos::prelude::*;

use crate::components::easy_read::{ReadAloud, picture, pictures_credit};
use crate::element_ids as ids;
use crate::record_forms::today;
use crate::state::AppState;

fn section_view(index: usize, section: EasySection) -> impl IntoView {
    let heard = section.read_aloud();
    view! {
        <section class="dsr-easy-section">
            <div class="dsr-easy-question">
                {picture(section.picture, 96)}
                <div class="dsr-easy-words">
                    <h2>{section.heading}</h2>
                    {section.lines.into_iter().map(|line| view! {
                        <p class="dsr-own-words">{line.label.map(|l| view! { <strong>{format!("{l}: ")}</strong> })}{line.words}</p>
                    }).collect_view()}
                    <div class="dsr-no-print"><ReadAloud id=ids::read_aloud_section(index) text=heard/></div>
                </div>
            </div>
        </section>
    }
}

#[component]
pub fn EasyReadReportPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let page = super::route_review_file();
    super::note_read(dsr_shared::accounts::Screen::ReviewReport);
    let print = super::report::print_page;
    move || {
        let Some((row, file)) = page() else {
            return view! { <h1>"Review not found on this device"</h1> }.into_any();
        };
        let Some(person) = row.person.clone() else {
            return view! { <h1>"This record needs fixing"</h1> }.into_any();
        };
        let policy = state.policy.with(|d| d.policy.clone());
        let user = state.session.with_untracked(|s| s.user().map(|u| (u.role, u.young_person)));
        let family = matches!(user, Some((Role::Family, _)));
        let reader = match user {
            Some((Role::Family, false)) => ReportReader::Family { first_name: person.given_name.as_str() },
            _ => ReportReader::YoungPerson,
        };
        let report_href = format!("/people/{}/reviews/{}/report", row.id, file.review.id);
        // A family reads the version they were given; before it is shared there is nothing to read.
        let (content, version) = if family {
            match file.review.latest_report() {
                Some(v) => (v.content.clone(), Some(v.number)),
                None => {
                    return view! {
                        <a class="nhsuk-back-link" href=report_href>"Back to the report"</a>
                        <h1>"Your report in easy read"</h1>
                        <div class="dsr-easy-read dsr-easy-words" id=ids::REPORT_NOT_YET>
                            <p>"The report is not ready yet."</p>
                            <p>"You can read it here when the review team shares it."</p>
                        </div>
                    }
                    .into_any();
                }
            }
        } else {
            (Report::of(&file, &person, &policy, today()).content, None)
        };
        let sections = easy_read::report(&content, reader, &policy.families);
        let title = match reader {
            ReportReader::YoungPerson => "Your report in easy read".to_string(),
            ReportReader::Family { first_name } => format!("{first_name}'s report in easy read"),
        };
        view! {
            <div class="dsr-no-print">
                <a class="nhsuk-back-link" href=report_href>"Back to the report"</a>
            </div>
            <article class="dsr-report dsr-easy-read dsr-easy-report" id=ids::EASY_READ_REPORT>
                <h1>{title}</h1>
                {version.map(|n| view! { <p class="nhsuk-body-l" id=ids::REPORT_VERSION>{format!("This is version {n} of your report.")}</p> })}
                <div class="dsr-no-print">
                    <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::PRINT_REPORT on:click=print>"Print or save as PDF"</button>
                </div>
                {sections.into_iter().enumerate().map(|(i, s)| section_view(i, s)).collect_view()}
                {pictures_credit()}
            </article>
        }
        .into_any()
    }
}
