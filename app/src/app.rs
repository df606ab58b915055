//! The app's shell: header, sync state, the routes, the offline service worker and persistent storage.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen_futures::JsFuture;

use crate::components::header::Header;
use crate::components::sync_status::SyncStatusBar;
use crate::element_ids as ids;
use crate::pages::referrals::referral_loaded;
use crate::pages::{OnceLoaded, action_loaded, person_loaded, review_loaded};
use crate::pages::{
    accounts::AccountsPage, action_plan::ActionPage, action_plan::ActionPlanPage, add_person::AddPersonPage,
    admission::AdmissionPage, admission::DischargePage, audit::AuditPage, conflicts::ConflictsPage,
    consent::ConsentPage, dsr_meetings::DecisionPage, dsr_meetings::DsrMeetingPage, dsr_meetings::MeetingsPage,
    dsr_meetings::MinutesPage, edit_person::EditPersonPage, follow_up::FollowUpPage, invitation::InvitationPage,
    leave::ErasePage, leave::LeavePage, meeting::MeetingPage, multi_agency_meeting::MultiAgencyMeetingPage,
    not_found::NotFoundPage, partners::PartnersPage, person::PersonPage, planner::FamilyViewsPage,
    planner::PlannerPage, policy::EditPolicyPage, policy::PolicyPage, referrals::NewReferralPage,
    referrals::ReferralPage, referrals::TriageQueuePage, register::RegisterPage, report::ReportPage,
    reviews::ArrangeReviewPage, reviews::ReviewPage, risk::RiskPage, self_referral::SelfReferralPage,
    sign_in::SignInPage, sign_out::SignOutPage, unlock::UnlockPage, visit_note::VisitNotePage,
};
use crate::session;
use crate::state::{AppState, Session};

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    session::start(state);
    register_service_worker();
    spawn_local(ask_for_persistent_storage(state));

    view! {
        <Router>
            <a class="nhsuk-skip-link" href=format!("#{}", ids::MAIN)>"Skip to main content"</a>
            <Header/>
            // The sync state of this user's data; nothing to show before someone signs in.
            <Show when=move || state.session.with(|s| s.user().is_some())>
                <SyncStatusBar/>
            </Show>
            <div class="nhsuk-width-container">
                <main class="nhsuk-main-wrapper" id=ids::MAIN role="main">
                    {move || match state.session.get() {
                        Session::Starting => view! { <p class="nhsuk-body">"Opening…"</p> }.into_any(),
                        Session::SignedOut => view! {
                            <Routes fallback=SignInPage>
                                <Route path=path!("/invitation") view=InvitationPage/>
                                <Route path=path!("/self-referral") view=SelfReferralPage/>
                            </Routes>
                        }.into_any(),
                        Session::Locked(lock) => view! {
                            <Routes fallback=move || view! { <UnlockPage lock=lock.clone()/> }>
                                <Route path=path!("/sign-out") view=SignOutPage/>
                            </Routes>
                        }.into_any(),
                        Session::Open(_) => view! {
                            <Routes fallback=NotFoundPage>
                                <Route path=path!("/") view=RegisterPage/>
                                <Route path=path!("/people/new") view=AddPersonPage/>
                                <Route path=path!("/people/:id") view=PersonPage/>
                                <Route path=path!("/people/:id/edit") view=EditPersonPage/>
                                <Route path=path!("/people/:id/visit-notes/new") view=VisitNotePage/>
                                <Route path=path!("/people/:id/multi-agency-meetings/new") view=|| view! { <OnceLoaded loaded=person_loaded()><MultiAgencyMeetingPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/partners") view=|| view! { <OnceLoaded loaded=person_loaded()><PartnersPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/consent/new") view=|| view! { <OnceLoaded loaded=person_loaded()><ConsentPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/admission/new") view=|| view! { <OnceLoaded loaded=person_loaded()><AdmissionPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/discharge") view=|| view! { <OnceLoaded loaded=person_loaded()><DischargePage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/leave") view=|| view! { <OnceLoaded loaded=person_loaded()><LeavePage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/erase") view=|| view! { <OnceLoaded loaded=person_loaded()><ErasePage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/risk/new") view=|| view! { <OnceLoaded loaded=person_loaded()><RiskPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/reviews/new") view=|| view! { <OnceLoaded loaded=person_loaded()><ArrangeReviewPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/reviews/:review") view=|| view! { <OnceLoaded loaded=review_loaded()><ReviewPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/reviews/:review/arrange") view=|| view! { <OnceLoaded loaded=review_loaded()><ArrangeReviewPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/reviews/:review/planner") view=|| view! { <OnceLoaded loaded=review_loaded()><PlannerPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/reviews/:review/family-views") view=|| view! { <OnceLoaded loaded=review_loaded()><FamilyViewsPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/reviews/:review/meeting") view=|| view! { <OnceLoaded loaded=review_loaded()><MeetingPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/reviews/:review/actions") view=|| view! { <OnceLoaded loaded=review_loaded()><ActionPlanPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/reviews/:review/report") view=|| view! { <OnceLoaded loaded=review_loaded()><ReportPage/></OnceLoaded> }/>
                                <Route path=path!("/people/:id/actions/:action") view=|| view! { <OnceLoaded loaded=action_loaded()><ActionPage/></OnceLoaded> }/>
                                <Route path=path!("/actions") view=FollowUpPage/>
                                <Route path=path!("/meetings") view=MeetingsPage/>
                                <Route path=path!("/meetings/:id") view=DsrMeetingPage/>
                                <Route path=path!("/meetings/:id/minutes") view=MinutesPage/>
                                <Route path=path!("/meetings/:meeting/people/:id") view=|| view! { <OnceLoaded loaded=person_loaded()><DecisionPage/></OnceLoaded> }/>
                                <Route path=path!("/conflicts") view=ConflictsPage/>
                                <Route path=path!("/sign-in") view=SignInPage/>
                                <Route path=path!("/sign-out") view=SignOutPage/>
                                <Route path=path!("/accounts") view=AccountsPage/>
                                <Route path=path!("/audit") view=AuditPage/>
                                <Route path=path!("/policy") view=PolicyPage/>
                                <Route path=path!("/referrals") view=TriageQueuePage/>
                                <Route path=path!("/referrals/new") view=NewReferralPage/>
                                <Route path=path!("/referrals/:id") view=|| view! { <OnceLoaded loaded=referral_loaded()><ReferralPage/></OnceLoaded> }/>
                                <Route path=path!("/policy/edit") view=EditPolicyPage/>
                            </Routes>
                        }.into_any(),
                    }}
                </main>
            </div>
        </Router>
    }
}

/// The service worker (`/sw.js`) keeps the app shell so the app opens with no network.
fn register_service_worker() {
    if let Some(window) = web_sys::window() {
        let container = window.navigator().service_worker();
        // Ignored when the browser has no service workers: the app still works while online.
        let _ = container.register("/sw.js");
    }
}

/// Asks the browser not to clear this device's data under storage pressure; says so when refused.
async fn ask_for_persistent_storage(state: AppState) {
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else { return };
    let Ok(promise) = storage.persist() else { return };
    let granted = JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false);
    state.storage_not_persistent.set(!granted);
}
