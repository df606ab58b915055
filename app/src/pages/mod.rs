//! One module per route.

pub mod accounts;
pub mod action_plan;
pub mod add_person;
pub mod admission;
pub mod audit;
pub mod conflicts;
pub mod consent;
pub mod dashboard;
pub mod dsr_meetings;
pub mod easy_read_report;
pub mod edit_person;
pub mod family_home;
pub mod follow_up;
pub mod invitation;
pub mod leave;
pub mod meeting;
pub mod multi_agency_meeting;
pub mod not_found;
pub mod papers;
pub mod partners;
pub mod person;
pub mod planner;
pub mod policy;
pub mod referrals;
pub mod register;
pub mod report;
pub mod reset_password;
pub mod reviews;
pub mod risk;
pub mod self_referral;
pub mod self_referral_status;
pub mod sign_in;
pub mod sign_out;
pub mod unlock;
pub mod visit_note;

/// `/`: the register for staff; for a family or young person's account, their own home.
#[leptos::component]
pub fn HomePage() -> impl leptos::IntoView {
    use leptos::prelude::*;
    let state = expect_context::<crate::state::AppState>();
    let family = state.session.with_untracked(|s| s.user().is_some_and(|u| !u.role.is_staff()));
    if family {
        view! { <family_home::FamilyHomePage/> }.into_any()
    } else {
        view! { <register::RegisterPage/> }.into_any()
    }
}

/// The person id in the route (`/people/:id/...`), following the route.
pub(crate) fn route_person_id() -> impl Fn() -> Option<dsr_shared::RecordId> + Copy {
    let params = leptos_router::hooks::use_params_map();
    move || leptos::prelude::With::with(&params, |p| p.get("id").and_then(|id| id.parse().ok()))
}

/// Whether this device's copy of the person in the route has been read (at once, or just after an
/// unlock, when the list loads a moment later).
pub(crate) fn person_loaded() -> leptos::prelude::Signal<bool> {
    use leptos::prelude::*;
    let state = expect_context::<crate::state::AppState>();
    let id = route_person_id();
    Signal::derive(move || id().is_some_and(|id| state.person(id).is_some()))
}

/// Shows its page once `loaded` (this device's copy of what the page is about has been read), and
/// makes it once: later syncs never reset a form being filled in.
#[leptos::component]
pub(crate) fn OnceLoaded(
    #[prop(into)] loaded: leptos::prelude::Signal<bool>,
    children: leptos::children::ChildrenFn,
) -> impl leptos::IntoView {
    use leptos::prelude::*;
    let ready = Memo::new(move |_| loaded.get());
    // "Opening…" gave way to the page: focus, on the heading that went, goes to the page's own.
    Effect::new(move |was: Option<bool>| {
        let now = ready.get();
        if was == Some(false) && now {
            request_animation_frame(|| {
                if crate::components::page::focus_lost() {
                    crate::components::page::focus_heading();
                }
            });
        }
        now
    });
    move || {
        if ready.get() {
            untrack(|| children()).into_any()
        } else {
            view! {
                <h1>"Opening…"</h1>
                <p class="nhsuk-body">"If this stays, it is not on this device: it may not have reached it yet, or you no longer work with this person."</p>
            }
            .into_any()
        }
    }
}

/// The review id in the route (`/people/:id/reviews/:review/...`).
pub(crate) fn route_review_id() -> impl Fn() -> Option<dsr_shared::ReviewId> + Copy {
    let params = leptos_router::hooks::use_params_map();
    move || leptos::prelude::With::with(&params, |p| p.get("review").and_then(|id| id.parse().ok()))
}

/// The action id in the route (`/people/:id/actions/:action`).
pub(crate) fn route_action_id() -> impl Fn() -> Option<dsr_shared::ActionId> + Copy {
    let params = leptos_router::hooks::use_params_map();
    move || leptos::prelude::With::with(&params, |p| p.get("action").and_then(|id| id.parse().ok()))
}

/// Whether this device holds the person in the route and their review in the route.
pub(crate) fn review_loaded() -> leptos::prelude::Signal<bool> {
    let file = route_review_file();
    leptos::prelude::Signal::derive(move || file().is_some())
}

/// Whether this device holds the person in the route and their action in the route.
pub(crate) fn action_loaded() -> leptos::prelude::Signal<bool> {
    use leptos::prelude::*;
    let state = expect_context::<crate::state::AppState>();
    let (person, action) = (route_person_id(), route_action_id());
    Signal::derive(move || {
        let (Some(person), Some(action)) = (person(), action()) else { return false };
        state.person(person).is_some_and(|row| row.file.is_some_and(|f| f.actions.iter().any(|a| a.id == action)))
    })
}

/// Notes, for the audit trail, that the person in the route was read on `screen` (once per person the
/// page shows; kept on the device even offline and sent with the next sync).
pub(crate) fn note_read(screen: dsr_shared::accounts::Screen) {
    use leptos::prelude::*;
    let state = expect_context::<crate::state::AppState>();
    let person = route_person_id();
    Effect::new(move |_| {
        if let Some(id) = person() {
            state.record_read(id, screen);
        }
    });
}

/// The person and review in the route, as this device holds them (tracked: pages follow changes).
pub(crate) fn route_review_file()
-> impl Fn() -> Option<(crate::read_model::PersonRow, dsr_shared::report::ReviewFile)> + Copy {
    use leptos::prelude::*;
    let state = expect_context::<crate::state::AppState>();
    let (person, review) = (route_person_id(), route_review_id());
    move || {
        let row = person().and_then(|id| state.person(id))?;
        let file = row.review_file(review()?)?;
        Some((row, file))
    }
}

/// The review page's address, for back links (the register when the route names no review).
pub(crate) fn review_path(person: Option<dsr_shared::RecordId>, review: Option<dsr_shared::ReviewId>) -> String {
    match (person, review) {
        (Some(person), Some(review)) => format!("/people/{person}/reviews/{review}"),
        (Some(person), None) => format!("/people/{person}"),
        _ => "/".into(),
    }
}

/// Where a page about a review goes back to, and the link's words: the review for staff; a family's
/// own home for a family or young person (their way in, in their words).
pub(crate) fn back_from_review(
    person: Option<dsr_shared::RecordId>,
    review: Option<dsr_shared::ReviewId>,
) -> (String, &'static str) {
    use leptos::prelude::*;
    let state = expect_context::<crate::state::AppState>();
    let family = state.session.with_untracked(|s| s.user().is_some_and(|u| !u.role.is_staff()));
    if family { ("/".into(), "Back to your home page") } else { (review_path(person, review), "Back to the review") }
}
