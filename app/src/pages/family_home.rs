//! `/` for a family or young person's account: "Your child's review" (or "Your review"): what is
//! happening now and next in plain words, what they can do now (the planner, their views, the report
//! once shared), and who to contact in the area. No register, no counts, no ratings. The words come
//! from `dsr_shared::family_home`, so the tests there say what each situation shows.

use dsr_shared::family_home::{FamilyHome, Reader, TaskKind, contact, title};
use leptos::prelude::*;

use crate::element_ids as ids;
use crate::state::{AppState, today};

/// Whose account this is, from the session.
fn reader(state: AppState) -> Reader {
    let young = state.session.with_untracked(|s| s.user().is_some_and(|u| u.young_person));
    if young { Reader::YoungPerson } else { Reader::Family }
}

#[component]
pub fn FamilyHomePage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let reader = reader(state);
    // Shown once, after a save (the planner, their views) brought them back here.
    let notice = state.notice.get_untracked();
    state.notice.set(None);
    // Everyone this account is for, as this device holds them (usually one child).
    let homes = move || {
        state.policy.with(|document| {
            state.people.with(|people| {
                people
                    .iter()
                    .filter_map(|row| {
                        let person = row.person.as_ref()?;
                        let file = row.file.as_ref()?;
                        let files: Vec<_> = file.reviews.iter().filter_map(|r| row.review_file(r.id)).collect();
                        let name = person.given_name.as_str();
                        Some((row.id, FamilyHome::of(name, reader, &files, &document.policy, today())))
                    })
                    .collect::<Vec<_>>()
            })
        })
    };
    let heading = move || title(reader, state.people.with(|p| p.len()));
    Effect::new(move |_| crate::components::page::set_title(heading()));
    // Follows the area's policy (it may arrive with the first sync, after the page opens).
    let who_to_contact = move || state.policy.with(|d| contact(&d.policy.families));
    view! {
        {notice.map(|text| view! { <div class="nhsuk-inset-text" id=ids::NOTICE role="status"><p>{text}</p></div> })}
        <h1 id=ids::FAMILY_HOME_HEADING>{heading}</h1>
        {move || {
            let homes = homes();
            let several = homes.len() > 1;
            if homes.is_empty() {
                return view! {
                    <p class="nhsuk-body-l" id=ids::FAMILY_HOME_EMPTY>"Nothing is here yet. It appears once this device has fetched it: keep the app open while you have a connection."</p>
                }.into_any();
            }
            homes.into_iter().map(|(person, home)| {
                let base = format!("/people/{person}/reviews");
                view! {
                    <section class="dsr-family-home" id=ids::family_home(&person.to_string())>
                        {several.then(|| view! { <h2>{home.heading.clone()}</h2> })}
                        <h2 class="nhsuk-heading-m">{if reader == Reader::YoungPerson { "What is happening" } else { "What is happening now" }}</h2>
                        {home.now.iter().map(|line| view! { <p class="nhsuk-body-l">{line.clone()}</p> }).collect_view()}
                        {(!home.tasks.is_empty()).then(|| view! {
                            <h2 class="nhsuk-heading-m">"What you can do now"</h2>
                            <ul class="nhsuk-list dsr-family-tasks">
                                {home.tasks.iter().map(|task| {
                                    let page = match task.kind {
                                        TaskKind::Planner => "planner",
                                        TaskKind::FamilyViews => "family-views",
                                        TaskKind::Report => "report",
                                    };
                                    view! {
                                        <li>
                                            <a class="nhsuk-action-link__link dsr-family-task" id=ids::family_task(page)
                                                href=format!("{base}/{}/{page}", task.review)>
                                                <span class="nhsuk-action-link__text">{task.label.clone()}</span>
                                            </a>
                                            {(!task.status.is_empty()).then(|| view! { <p class="dsr-cell-detail">{task.status.clone()}</p> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        })}
                        {(!home.earlier_reports.is_empty()).then(|| view! {
                            <h2 class="nhsuk-heading-m">"Earlier reports"</h2>
                            <ul class="nhsuk-list">
                                {home.earlier_reports.iter().map(|(review, label)| view! {
                                    <li><a href=format!("{base}/{review}/report")>{label.clone()}</a></li>
                                }).collect_view()}
                            </ul>
                        })}
                    </section>
                }
            }).collect_view().into_any()
        }}
        <div class="nhsuk-card" id=ids::FAMILY_CONTACT>
            <div class="nhsuk-card__content">
                <h2 class="nhsuk-card__heading">"Who to contact"</h2>
                {move || match who_to_contact() {
                    Some((name, phone, email)) => view! {
                        <p class="nhsuk-body">{name}</p>
                        {phone.map(|p| view! { <p class="nhsuk-body">"Phone: "<a href=format!("tel:{}", p.replace(' ', ""))>{p.clone()}</a></p> })}
                        {email.map(|e| view! { <p class="nhsuk-body">"Email: "<a href=format!("mailto:{e}")>{e.clone()}</a></p> })}
                    }.into_any(),
                    None => view! {
                        <p class="nhsuk-body">"Ask the person who gave you your account, or your keyworker if you have one."</p>
                    }.into_any(),
                }}
            </div>
        </div>
    }
}
