//! `/dashboard`: the area's figures (a coordinator's; a keyworker's caseload for others who hold one),
//! worked out on this device from its copy, so it works offline: the register by rating now and at each
//! month end, admissions and discharges, people in hospital, referrals, the reviews, reports and visits
//! on time, open actions, keyworker referrals. Each figure has a chart with its numbers on it, the same
//! numbers as a table, and what it counts one tap away; the page prints. Coordinators also download the
//! register, the follow-up list and the anonymised return (online: the server keeps the audit trail).

use chrono::NaiveDate;
use dsr_shared::access::Role;
use dsr_shared::due::PersonFile;
use dsr_shared::measures::aggregate::{AggregateReturn, aggregate_return};
use dsr_shared::measures::{
    ActionTally, ByRating, COMMUNITY_REVIEW_TARGET_PERCENT, Dashboard, Filters, Measure, RATING_ORDER, STAY_BANDS,
    Share, dashboard, month_ends,
};
use dsr_shared::rating::Rating;
use dsr_shared::register::AgeGroup;
use leptos::prelude::*;

use crate::components::chart::{BarChart, ChartPatterns, Legend, Series};
use crate::element_ids as ids;
use crate::record_forms::{long_date, today};
use crate::state::{AppState, Connection};

/// How each rating is drawn: its colour and a pattern of its own.
fn rating_series(rating: Option<Rating>) -> Series {
    match rating {
        Some(Rating::Red) => Series { name: "Red", class: "dsr-series--red", pattern: "dsr-pattern-solid" },
        Some(Rating::Amber) => Series { name: "Amber", class: "dsr-series--amber", pattern: "dsr-pattern-hatch" },
        Some(Rating::Green) => Series { name: "Green", class: "dsr-series--green", pattern: "dsr-pattern-dots" },
        Some(Rating::Blue) => Series { name: "Blue", class: "dsr-series--blue", pattern: "dsr-pattern-cross" },
        None => Series { name: "Not rated", class: "dsr-series--grey", pattern: "dsr-pattern-solid" },
    }
}

const ADMITTED: Series = Series { name: "Admissions", class: "dsr-series--blue", pattern: "dsr-pattern-solid" };
const DISCHARGED: Series = Series { name: "Discharges", class: "dsr-series--green", pattern: "dsr-pattern-hatch" };
const REFERRED: Series = Series { name: "Referrals", class: "dsr-series--blue", pattern: "dsr-pattern-solid" };
const STAYS: Series = Series { name: "People in hospital", class: "dsr-series--blue", pattern: "dsr-pattern-cross" };

fn month_label(day: NaiveDate) -> String {
    day.format("%b %y").to_string()
}

/// What a figure counts and where it comes from, one tap away.
fn definition(measure: Measure) -> impl IntoView {
    view! {
        <details class="nhsuk-details dsr-definition">
            <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"What this counts"</span></summary>
            <div class="nhsuk-details__text">
                <p>{measure.definition()}</p>
                <p class="nhsuk-body-s">"Source: "{measure.source()}</p>
            </div>
        </details>
    }
}

/// One figure's section: its title, what it counts, then the chart and table given.
fn section(measure: Measure, body: AnyView) -> impl IntoView {
    view! {
        <section class="dsr-figure" id=ids::figure(measure.name())>
            <h2>{measure.title()}</h2>
            {definition(measure)}
            {body}
        </section>
    }
}

fn by_rating_table(rows: Vec<(String, ByRating)>) -> impl IntoView {
    view! {
        <table class="nhsuk-table dsr-figure-table">
            <thead class="nhsuk-table__head"><tr>
                <th scope="col">"Day"</th>
                {RATING_ORDER.iter().map(|r| view! { <th scope="col" class="dsr-number">{rating_series(*r).name}</th> }).collect_view()}
                <th scope="col" class="dsr-number">"All"</th>
            </tr></thead>
            <tbody class="nhsuk-table__body">
                {rows.into_iter().map(|(day, counts)| view! {
                    <tr class="nhsuk-table__row">
                        <th scope="row">{day}</th>
                        {RATING_ORDER.iter().map(|r| view! { <td class="nhsuk-table__cell dsr-number">{counts.get(*r)}</td> }).collect_view()}
                        <td class="nhsuk-table__cell dsr-number">{counts.total()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn register_section(board: &Dashboard) -> impl IntoView + use<> {
    let (now_day, now) = board.now;
    let mut rows: Vec<(String, ByRating)> = board.month_ends.iter().map(|(d, c)| (long_date(*d), *c)).collect();
    rows.push((format!("{} (now)", long_date(now_day)), now));
    let labels: Vec<String> =
        board.month_ends.iter().map(|(d, _)| month_label(*d)).chain(["Now".to_string()]).collect();
    let values: Vec<Vec<usize>> = board
        .month_ends
        .iter()
        .map(|(_, c)| *c)
        .chain([now])
        .map(|c| RATING_ORDER.iter().map(|r| c.get(*r)).collect())
        .collect();
    let series: Vec<Series> = RATING_ORDER.iter().map(|r| rating_series(*r)).collect();
    let summary = RATING_ORDER
        .iter()
        .map(|r| format!("{} {}", rating_series(*r).name, now.get(*r)))
        .collect::<Vec<_>>()
        .join(", ");
    section(
        Measure::RegisterByRating,
        view! {
            <p class="nhsuk-body-l" id=ids::DASHBOARD_NOW>{format!("{} people on the register on {}: {summary}.", now.total(), long_date(now_day))}</p>
            <Legend series=series.clone()/>
            <BarChart labels=labels series=series values=values stacked=true/>
            {by_rating_table(rows)}
        }
        .into_any(),
    )
}

fn admissions_section(board: &Dashboard) -> impl IntoView + use<> {
    let labels: Vec<String> = board.admissions.iter().map(|m| month_label(m.month)).collect();
    let values: Vec<Vec<usize>> = board.admissions.iter().map(|m| vec![m.admissions, m.discharges]).collect();
    let rows = board.admissions.clone();
    section(
        Measure::AdmissionsAndDischarges,
        view! {
            <Legend series=vec![ADMITTED, DISCHARGED]/>
            <BarChart labels=labels series=vec![ADMITTED, DISCHARGED] values=values/>
            <table class="nhsuk-table dsr-figure-table">
                <thead class="nhsuk-table__head"><tr><th scope="col">"Month"</th><th scope="col" class="dsr-number">"Admissions"</th><th scope="col" class="dsr-number">"Discharges"</th></tr></thead>
                <tbody class="nhsuk-table__body">
                    {rows.into_iter().map(|m| view! {
                        <tr class="nhsuk-table__row"><th scope="row">{m.month.format("%B %Y").to_string()}</th>
                        <td class="nhsuk-table__cell dsr-number">{m.admissions}</td><td class="nhsuk-table__cell dsr-number">{m.discharges}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    )
}

fn days(value: Option<f64>) -> String {
    value.map_or("None".to_string(), |d| format!("{d:.0} days"))
}

fn inpatients_section(board: &Dashboard) -> impl IntoView + use<> {
    let found = board.inpatients.clone();
    let labels: Vec<String> = STAY_BANDS.iter().map(|b| b.to_string()).collect();
    let values: Vec<Vec<usize>> = found.bands.iter().map(|n| vec![*n]).collect();
    section(
        Measure::Inpatients,
        view! {
            <dl class="nhsuk-summary-list">
                <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"In hospital"</dt><dd class="nhsuk-summary-list__value" id=ids::DASHBOARD_INPATIENTS>{found.count}</dd></div>
                <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Placed out of area"</dt><dd class="nhsuk-summary-list__value">{found.out_of_area}</dd></div>
                <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Median length of stay"</dt><dd class="nhsuk-summary-list__value">{days(found.median_days)}</dd></div>
                <div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">"Longest stay"</dt><dd class="nhsuk-summary-list__value">{days(found.longest_days.map(|d| d as f64))}</dd></div>
            </dl>
            <BarChart labels=labels series=vec![STAYS] values=values/>
            <table class="nhsuk-table dsr-figure-table">
                <thead class="nhsuk-table__head"><tr><th scope="col">"Length of stay"</th><th scope="col" class="dsr-number">"People"</th></tr></thead>
                <tbody class="nhsuk-table__body">
                    {STAY_BANDS.iter().zip(found.bands).map(|(band, n)| view! {
                        <tr class="nhsuk-table__row"><th scope="row">{*band}</th><td class="nhsuk-table__cell dsr-number">{n}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
    )
}

fn referrals_section(board: &Dashboard) -> impl IntoView + use<> {
    let found = board.referrals.clone();
    let labels: Vec<String> = found.by_month.iter().map(|(m, _)| month_label(*m)).collect();
    let values: Vec<Vec<usize>> = found.by_month.iter().map(|(_, n)| vec![*n]).collect();
    section(
        Measure::Referrals,
        view! {
            <BarChart labels=labels series=vec![REFERRED] values=values/>
            <table class="nhsuk-table dsr-figure-table">
                <tbody class="nhsuk-table__body">
                    <tr class="nhsuk-table__row"><th scope="row">"Received"</th><td class="nhsuk-table__cell dsr-number" id=ids::DASHBOARD_REFERRALS>{found.received}</td></tr>
                    <tr class="nhsuk-table__row"><th scope="row">"Contacted (median time to first contact)"</th><td class="nhsuk-table__cell dsr-number">{format!("{} ({})", found.contacted, days(found.median_days_to_contact))}</td></tr>
                    <tr class="nhsuk-table__row"><th scope="row">"Not contacted yet"</th><td class="nhsuk-table__cell dsr-number">{found.waiting_for_contact}</td></tr>
                    <tr class="nhsuk-table__row"><th scope="row">"Accepted"</th><td class="nhsuk-table__cell dsr-number">{found.accepted}</td></tr>
                    <tr class="nhsuk-table__row"><th scope="row">"Declined"</th><td class="nhsuk-table__cell dsr-number">{found.declined}</td></tr>
                    <tr class="nhsuk-table__row"><th scope="row">"Waiting for a decision (median time to decision)"</th><td class="nhsuk-table__cell dsr-number">{format!("{} ({})", found.waiting_for_decision, days(found.median_days_to_decision))}</td></tr>
                </tbody>
            </table>
        }
        .into_any(),
    )
}

/// A share as a bar with its words ("9 of 10 (90%)"), and the target's mark where there is one.
fn share_bar(share: Share, target: Option<f64>) -> impl IntoView {
    let percent = share.percent().unwrap_or(0.0);
    view! {
        <div class="dsr-share">
            // Drawn in SVG (its sizes are attributes: the content security policy allows no inline style).
            <svg class="dsr-share__track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                <rect x="0" y="0" width="100" height="10" class="dsr-share__rest"></rect>
                <rect x="0" y="0" width=format!("{percent:.1}") height="10" class="dsr-share__met"></rect>
                {target.map(|t| view! { <line x1=t x2=t y1="0" y2="10" class="dsr-share__target"></line> })}
            </svg>
            <p class="nhsuk-body dsr-share__words">
                {share.words()}
                {target.map(|t| format!(" (target {t:.0}%)"))}
            </p>
        </div>
    }
}

fn on_time_section(measure: Measure, share: Share, target: Option<f64>) -> impl IntoView {
    section(
        measure,
        view! {
            {share_bar(share, target)}
            <table class="nhsuk-table dsr-figure-table">
                <tbody class="nhsuk-table__body">
                    <tr class="nhsuk-table__row"><th scope="row">"Met"</th><td class="nhsuk-table__cell dsr-number">{share.met}</td></tr>
                    <tr class="nhsuk-table__row"><th scope="row">"Missed"</th><td class="nhsuk-table__cell dsr-number">{share.missed}</td></tr>
                </tbody>
            </table>
        }
        .into_any(),
    )
}

fn tally_table(caption: &'static str, tallies: Vec<ActionTally>) -> impl IntoView {
    view! {
        <table class="nhsuk-table dsr-figure-table">
            <caption class="nhsuk-table__caption">{caption}</caption>
            <thead class="nhsuk-table__head"><tr><th scope="col">"Name"</th><th scope="col" class="dsr-number">"Open"</th><th scope="col" class="dsr-number">"Overdue"</th></tr></thead>
            <tbody class="nhsuk-table__body">
                {tallies.into_iter().map(|t| view! {
                    <tr class="nhsuk-table__row"><th scope="row">{t.name}</th><td class="nhsuk-table__cell dsr-number">{t.open}</td>
                    <td class="nhsuk-table__cell dsr-number">{(t.overdue > 0).then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">{format!("{} overdue", t.overdue)}</strong> })}{(t.overdue == 0).then_some("0")}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

fn actions_section(board: &Dashboard) -> impl IntoView + use<> {
    let found = board.actions.clone();
    section(
        Measure::OpenActions,
        view! {
            <p class="nhsuk-body" id=ids::DASHBOARD_ACTIONS>{format!("{} open, {} overdue.", found.open, found.overdue)}</p>
            {tally_table("By owner", found.by_owner)}
            {tally_table("By agency", found.by_agency)}
        }
        .into_any(),
    )
}

fn keyworker_section(board: &Dashboard) -> impl IntoView + use<> {
    let k = board.keyworker;
    section(
        Measure::KeyworkerReferrals,
        view! {
            <table class="nhsuk-table dsr-figure-table">
                <tbody class="nhsuk-table__body">
                    <tr class="nhsuk-table__row"><th scope="row">"Offered"</th><td class="nhsuk-table__cell dsr-number">{k.offered}</td></tr>
                    <tr class="nhsuk-table__row"><th scope="row">"Accepted"</th><td class="nhsuk-table__cell dsr-number">{k.accepted}</td></tr>
                    <tr class="nhsuk-table__row"><th scope="row">"Declined"</th><td class="nhsuk-table__cell dsr-number">{k.declined}</td></tr>
                    <tr class="nhsuk-table__row"><th scope="row">"Have a keyworker now"</th><td class="nhsuk-table__cell dsr-number">{k.with_keyworker}</td></tr>
                </tbody>
            </table>
        }
        .into_any(),
    )
}

/// The anonymised return for a month end, as this device works it out (the server's file holds the same).
fn return_preview(figures: AggregateReturn) -> impl IntoView {
    view! {
        <table class="nhsuk-table dsr-figure-table" id=ids::RETURN_PREVIEW>
            <caption class="nhsuk-table__caption">{format!("The return for {}", long_date(figures.month_end))}</caption>
            <thead class="nhsuk-table__head"><tr><th scope="col">"Breakdown"</th><th scope="col">"Category"</th><th scope="col" class="dsr-number">"People"</th></tr></thead>
            <tbody class="nhsuk-table__body">
                {figures.rows.into_iter().map(|r| view! {
                    <tr class="nhsuk-table__row"><td class="nhsuk-table__cell">{r.breakdown}</td><td class="nhsuk-table__cell">{r.category}</td><td class="nhsuk-table__cell dsr-number">{r.figure}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <p class="nhsuk-body-s">{figures.note}</p>
    }
}

/// Who the figures are for: a coordinator (the area) and a keyworker (their caseload) hold every kind of
/// record they are worked out from. Another role's device does not (an advocate holds no ratings), so its
/// figures would be false ("not rated" for a rating it may not read): they are not shown.
fn holds_what_the_figures_need(role: Option<Role>) -> bool {
    matches!(role, Some(Role::Coordinator | Role::Keyworker))
}

#[component]
pub fn DashboardPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    if !holds_what_the_figures_need(state.role()) {
        return view! {
            <a class="nhsuk-back-link" href="/">"Back"</a>
            <h1>"Figures"</h1>
            <p class="nhsuk-body" id=ids::DASHBOARD_NOT_SHOWN>
                "The figures are for DSR coordinators and keyworkers. Your account does not hold everything they are worked out from, so they are not shown here."
            </p>
        }
        .into_any();
    }
    let coordinator = state.role() == Some(Role::Coordinator);
    let start = Filters::last_twelve_months(today());
    let from = RwSignal::new(start.from.to_string());
    let to = RwSignal::new(start.to.to_string());
    let age = RwSignal::new(String::new());
    let filters = Memo::new(move |_| Filters::parse(&from.get(), &to.get(), &age.get()));
    let board = Memo::new(move |_| {
        let filters = filters.get().ok()?;
        let policy = state.policy.with(|p| p.policy.clone());
        state.people.with(|people| {
            let started = crate::timing::now();
            let files: Vec<&PersonFile> = people.iter().filter_map(|row| row.file.as_ref()).collect();
            let board = dashboard(&files, &policy, &filters, today());
            crate::timing::record("dsr-dashboard", started);
            Some(board)
        })
    });
    let error = move |field: &'static str| {
        filters.with(|f| f.as_ref().err().and_then(|e| e.message_for(field).map(str::to_owned)))
    };
    let online = move || state.sync.with(|s| s.connection == Connection::Online);
    let month_end_choices = month_ends(today() - chrono::Days::new(366), today());
    let month_end = RwSignal::new(month_end_choices.last().map(ToString::to_string).unwrap_or_default());
    let preview = move || {
        let day: NaiveDate = month_end.get().parse().ok()?;
        let rules = state.policy.with(|p| p.policy.returns);
        Some(state.people.with(|people| {
            let files: Vec<&PersonFile> = people.iter().filter_map(|row| row.file.as_ref()).collect();
            aggregate_return(&files, day, &rules)
        }))
    };
    let query = move || {
        filters.with(|f| f.as_ref().ok().map(|f| f.age.map_or(String::new(), |a| format!("&age={}", a.name()))))
    };
    let field = move |id: &'static str,
                      label: &'static str,
                      kind: &'static str,
                      value: RwSignal<String>,
                      name: &'static str| {
        view! {
            <div class=move || if error(name).is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                <label class="nhsuk-label" for=id>{label}</label>
                {move || error(name).map(|e| view! { <span class="nhsuk-error-message" id=ids::error_message(id)><span class="nhsuk-u-visually-hidden">"Error:"</span>" "{e}</span> })}
                <input class="nhsuk-input nhsuk-input--width-10" type=kind id=id name=name prop:value=move || value.get()
                    on:change=move |ev| value.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <a class="nhsuk-back-link dsr-no-print" href="/">"Back to the register"</a>
        <h1>{if coordinator { "The area's figures" } else { "Your caseload's figures" }}</h1>
        <p class="nhsuk-body">
            {if coordinator {
                "Worked out on this device from the register it holds, so they work offline. Each figure says what it counts."
            } else {
                "The people you work with, worked out on this device from what it holds, so they work offline. Each figure says what it counts."
            }}
        </p>
        <form class="dsr-filters dsr-no-print" id=ids::DASHBOARD_FILTERS on:submit=|ev| ev.prevent_default()>
            {field(ids::DASHBOARD_FROM, "From", "date", from, "from")}
            {field(ids::DASHBOARD_TO, "To", "date", to, "to")}
            <div class=move || if error("age").is_some() { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                <label class="nhsuk-label" for=ids::DASHBOARD_AGE>"Age band"</label>
                <select class="nhsuk-select" id=ids::DASHBOARD_AGE on:change=move |ev| age.set(event_target_value(&ev))>
                    <option value="" selected=true>"Everyone"</option>
                    {AgeGroup::ALL.into_iter().map(|g| view! { <option value=g.name()>{g.label()}</option> }).collect_view()}
                </select>
            </div>
            <button class="nhsuk-button nhsuk-button--secondary" type="button" id=ids::PRINT_DASHBOARD on:click=super::report::print_page>"Print"</button>
        </form>
        <ChartPatterns series=RATING_ORDER.iter().map(|r| rating_series(*r)).chain([ADMITTED, DISCHARGED, REFERRED, STAYS]).collect()/>
        <div id=ids::DASHBOARD>
            {move || board.get().map(|board| view! {
                <p class="nhsuk-body-s">{board.filters.describe()}</p>
                {register_section(&board)}
                {admissions_section(&board)}
                {inpatients_section(&board)}
                {referrals_section(&board)}
                {on_time_section(Measure::CommunityReviewBeforeAdmission, board.community_review_before_admission, Some(COMMUNITY_REVIEW_TARGET_PERCENT))}
                {on_time_section(Measure::PostAdmissionReviewsOnTime, board.post_admission_reviews, None)}
                {on_time_section(Measure::ReportsOnTime, board.reports, None)}
                {on_time_section(Measure::OversightVisitsOnTime, board.oversight_visits, None)}
                {actions_section(&board)}
                {keyworker_section(&board)}
            })}
        </div>
        {coordinator.then(|| view! {
            <section class="dsr-figure dsr-no-print" id=ids::DOWNLOADS>
                <h2>"Downloads"</h2>
                <p class="nhsuk-body">"Each download is recorded in the audit trail: who, when and which filters."</p>
                {move || if online() {
                    let age = query().unwrap_or_default();
                    view! {
                        <ul class="nhsuk-list">
                            <li>"The register: "<a id=ids::DOWNLOAD_REGISTER_CSV href=format!("/api/exports/register?format=csv{age}") download>"CSV"</a>" or "
                                <a id=ids::DOWNLOAD_REGISTER_XLSX href=format!("/api/exports/register?format=xlsx{age}") download>"Excel (XLSX)"</a></li>
                            <li>"The follow-up list: "<a id=ids::DOWNLOAD_FOLLOW_UP_CSV href=format!("/api/exports/follow-up?format=csv{age}") download>"CSV"</a>" or "
                                <a id=ids::DOWNLOAD_FOLLOW_UP_XLSX href=format!("/api/exports/follow-up?format=xlsx{age}") download>"Excel (XLSX)"</a></li>
                        </ul>
                    }.into_any()
                } else {
                    view! { <p class="nhsuk-inset-text">"Downloads need a connection: the server records each one. The figures above work offline."</p> }.into_any()
                }}
                <h3>"The anonymised return"</h3>
                <p class="nhsuk-body">"The people on the register at a month end, by rating, age band, diagnosis and whether they are in hospital: no names, NHS numbers, dates of birth or free text, and small numbers hidden as your area's policy says."</p>
                <div class="nhsuk-form-group">
                    <label class="nhsuk-label" for=ids::RETURN_MONTH_END>"Month end"</label>
                    <select class="nhsuk-select" id=ids::RETURN_MONTH_END on:change=move |ev| month_end.set(event_target_value(&ev))>
                        {month_end_choices.iter().rev().enumerate().map(|(i, d)| view! {
                            <option value=d.to_string() selected=i == 0>{long_date(*d)}</option>
                        }).collect_view()}
                    </select>
                </div>
                {move || preview().map(return_preview)}
                {move || online().then(|| {
                    let day = month_end.get();
                    view! {
                        <p class="nhsuk-body">"Download the return: "
                            <a id=ids::DOWNLOAD_RETURN_CSV href=format!("/api/exports/return?format=csv&month_end={day}") download>"CSV"</a>" or "
                            <a id=ids::DOWNLOAD_RETURN_XLSX href=format!("/api/exports/return?format=xlsx&month_end={day}") download>"Excel (XLSX)"</a>
                        </p>
                    }
                })}
            </section>
        })}
    }
    .into_any()
}
