//! The app's shell: header, sync state, the routes, the offline service worker and persistent storage.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;
use wasm_bindgen_futures::JsFuture;

use crate::components::header::Header;
use crate::components::page::{FocusOnNavigation, Titled};
use crate::components::storage_notice::StorageNotice;
use crate::components::sync_status::SyncStatusBar;
use crate::element_ids as ids;
use crate::install::Install;
use crate::pages::referrals::referral_loaded;
use crate::pages::{
    HomePage, accounts::AccountsPage, accounts::CloseAccountPage, action_plan::ActionPage, action_plan::ActionPlanPage,
    add_person::AddPersonPage, admission::AdmissionPage, admission::DischargePage, audit::AuditPage,
    conflicts::ConflictsPage, consent::ConsentPage, consent::WithdrawConsentPage, dashboard::DashboardPage,
    dsr_meetings::DecisionPage, dsr_meetings::DsrMeetingPage, dsr_meetings::MeetingsPage, dsr_meetings::MinutesPage,
    easy_read_report::EasyReadReportPage, edit_person::EditPersonPage, follow_up::FollowUpPage,
    invitation::InvitationPage, leave::ErasePage, leave::LeavePage, meeting::MeetingPage,
    multi_agency_meeting::MultiAgencyMeetingPage, not_found::NotFoundPage, papers::PapersPage, partners::PartnersPage,
    person::PersonPage, planner::FamilyViewsPage, planner::PlannerPage, policy::EditPolicyPage, policy::PolicyPage,
    referrals::NewReferralPage, referrals::ReferralPage, referrals::TriageQueuePage, report::ReportPage,
    reset_password::ResetPasswordPage, reviews::ArrangeReviewPage, reviews::ReviewPage, risk::RiskPage,
    self_referral::SelfReferralPage, self_referral_status::SelfReferralStatusPage, sign_in::SignInPage,
    sign_out::SignOutPage, unlock::UnlockPage, visit_note::VisitNotePage,
};
use crate::pages::{OnceLoaded, action_loaded, person_loaded, review_loaded};
use crate::session;
use crate::state::{AppState, Session};

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    provide_context(Install::listen());
    session::start(state);
    register_service_worker();
    spawn_local(keep_app_offline());
    spawn_local(ask_for_persistent_storage(state));

    view! {
        <Router>
            <FocusOnNavigation/>
            <a class="nhsuk-skip-link" href=format!("#{}", ids::MAIN)>"Skip to main content"</a>
            <Header/>
            // The sync state of this user's data; nothing to show before someone signs in.
            <Show when=move || state.session.with(|s| s.user().is_some())>
                <SyncStatusBar/>
                <StorageNotice/>
            </Show>
            <div class="nhsuk-width-container">
                <main class="nhsuk-main-wrapper" id=ids::MAIN role="main">
                    {move || match state.session.get() {
                        Session::Starting => view! { <p class="nhsuk-body">"Opening…"</p> }.into_any(),
                        Session::SignedOut => view! { <SignedOutPages/> }.into_any(),
                        Session::Locked(lock) => view! {
                            <Routes fallback=move || view! { <Titled title="Unlock this device"><UnlockPage lock=lock.clone()/></Titled> }>
                                <Route path=path!("/sign-out") view=|| view! { <Titled title="Sign out"><SignOutPage/></Titled> }/>
                            </Routes>
                        }.into_any(),
                        Session::Open(_) => view! {
                            <Routes fallback=|| view! { <Titled title="Page not found"><NotFoundPage/></Titled> }>
                                <Route path=path!("/") view=|| view! { <Titled title="Register"><HomePage/></Titled> }/>
                                <Route path=path!("/people/new") view=|| view! { <Titled title="Add a person to the register"><AddPersonPage/></Titled> }/>
                                <Route path=path!("/people/:id") view=|| view! { <Titled title="A person on the register"><PersonPage/></Titled> }/>
                                <Route path=path!("/people/:id/edit") view=|| view! { <Titled title="Change a person's details"><EditPersonPage/></Titled> }/>
                                <Route path=path!("/people/:id/visit-notes/new") view=|| view! { <Titled title="Home visit note"><VisitNotePage/></Titled> }/>
                                <Route path=path!("/people/:id/multi-agency-meetings/new") view=|| view! { <Titled title="Record a multi-agency meeting"><OnceLoaded loaded=person_loaded()><MultiAgencyMeetingPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/partners") view=|| view! { <Titled title="Partners for a review"><OnceLoaded loaded=person_loaded()><PartnersPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/consent/new") view=|| view! { <Titled title="Record consent"><OnceLoaded loaded=person_loaded()><ConsentPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/consent/:consent/withdraw") view=|| view! { <Titled title="Withdraw consent"><OnceLoaded loaded=person_loaded()><WithdrawConsentPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/admission/new") view=|| view! { <Titled title="Record an admission"><OnceLoaded loaded=person_loaded()><AdmissionPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/discharge") view=|| view! { <Titled title="Record a discharge"><OnceLoaded loaded=person_loaded()><DischargePage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/leave") view=|| view! { <Titled title="Take off the register"><OnceLoaded loaded=person_loaded()><LeavePage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/erase") view=|| view! { <Titled title="Erasure request"><OnceLoaded loaded=person_loaded()><ErasePage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/risk/new") view=|| view! { <Titled title="Risk checklist"><OnceLoaded loaded=person_loaded()><RiskPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/new") view=|| view! { <Titled title="Request a review"><OnceLoaded loaded=person_loaded()><ArrangeReviewPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/:review") view=|| view! { <Titled title="A review"><OnceLoaded loaded=review_loaded()><ReviewPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/:review/arrange") view=|| view! { <Titled title="Change the review's arrangements"><OnceLoaded loaded=review_loaded()><ArrangeReviewPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/:review/planner") view=|| view! { <Titled title="My planner"><OnceLoaded loaded=review_loaded()><PlannerPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/:review/family-views") view=|| view! { <Titled title="The family's views"><OnceLoaded loaded=review_loaded()><FamilyViewsPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/:review/meeting") view=|| view! { <Titled title="The review meeting"><OnceLoaded loaded=review_loaded()><MeetingPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/:review/papers") view=|| view! { <Titled title="Papers for the panel"><OnceLoaded loaded=review_loaded()><PapersPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/:review/actions") view=|| view! { <Titled title="Recommendations and action plan"><OnceLoaded loaded=review_loaded()><ActionPlanPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/:review/report") view=|| view! { <Titled title="The report"><OnceLoaded loaded=review_loaded()><ReportPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/reviews/:review/report/easy-read") view=|| view! { <Titled title="The report in easy read"><OnceLoaded loaded=review_loaded()><EasyReadReportPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/people/:id/actions/:action") view=|| view! { <Titled title="An action"><OnceLoaded loaded=action_loaded()><ActionPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/actions") view=|| view! { <Titled title="Follow-up: open actions"><FollowUpPage/></Titled> }/>
                                <Route path=path!("/dashboard") view=|| view! { <Titled title="Figures"><DashboardPage/></Titled> }/>
                                <Route path=path!("/meetings") view=|| view! { <Titled title="DSR meetings"><MeetingsPage/></Titled> }/>
                                <Route path=path!("/meetings/:id") view=|| view! { <Titled title="A DSR meeting"><DsrMeetingPage/></Titled> }/>
                                <Route path=path!("/meetings/:id/minutes") view=|| view! { <Titled title="A DSR meeting's minutes"><MinutesPage/></Titled> }/>
                                <Route path=path!("/meetings/:meeting/people/:id") view=|| view! { <Titled title="A DSR meeting's decision"><OnceLoaded loaded=person_loaded()><DecisionPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/conflicts") view=|| view! { <Titled title="Changes that clash"><ConflictsPage/></Titled> }/>
                                <Route path=path!("/sign-in") view=|| view! { <Titled title="Sign in"><SignInPage/></Titled> }/>
                                <Route path=path!("/sign-out") view=|| view! { <Titled title="Sign out"><SignOutPage/></Titled> }/>
                                <Route path=path!("/accounts") view=|| view! { <Titled title="Accounts"><AccountsPage/></Titled> }/>
                                <Route path=path!("/accounts/:id/close") view=|| view! { <Titled title="Close an account"><CloseAccountPage/></Titled> }/>
                                <Route path=path!("/audit") view=|| view! { <Titled title="Audit trail"><AuditPage/></Titled> }/>
                                <Route path=path!("/policy") view=|| view! { <Titled title="Area policy"><PolicyPage/></Titled> }/>
                                <Route path=path!("/referrals") view=|| view! { <Titled title="Referrals waiting"><TriageQueuePage/></Titled> }/>
                                <Route path=path!("/referrals/new") view=|| view! { <Titled title="Refer someone to the register"><NewReferralPage/></Titled> }/>
                                <Route path=path!("/referrals/:id") view=|| view! { <Titled title="A referral"><OnceLoaded loaded=referral_loaded()><ReferralPage/></OnceLoaded></Titled> }/>
                                <Route path=path!("/policy/edit") view=|| view! { <Titled title="Change the area's policy"><EditPolicyPage/></Titled> }/>
                            </Routes>
                        }.into_any(),
                    }}
                </main>
            </div>
        </Router>
    }
}

/// The pages of a device nobody is signed in on, in the app and in the door ([`crate::door`]).
#[component]
pub fn SignedOutPages() -> impl IntoView {
    view! {
        <Routes fallback=|| view! { <Titled title="Sign in"><SignInPage/></Titled> }>
            <Route path=path!("/invitation") view=|| view! { <Titled title="Set up your account"><InvitationPage/></Titled> }/>
            <Route path=path!("/reset-password") view=|| view! { <Titled title="Choose a new password"><ResetPasswordPage/></Titled> }/>
            <Route path=path!("/self-referral") view=|| view! { <Titled title="Ask for support to stay at home"><SelfReferralPage/></Titled> }/>
            <Route path=path!("/self-referral/status") view=|| view! { <Titled title="Check a referral you sent"><SelfReferralStatusPage/></Titled> }/>
        </Routes>
    }
}

/// The service worker (`/sw.js`) keeps the app shell so the app opens with no network; the app asks it
/// to keep the app's own files too (`cache-app`: the door's first visit does not fetch them).
pub fn register_service_worker() {
    if let Some(window) = web_sys::window() {
        let container = window.navigator().service_worker();
        // Ignored when the browser has no service workers: the app still works while online.
        let _ = container.register("/sw.js");
    }
}

/// Asks the service worker to keep the app's own files (not only the door's) for opening offline.
async fn keep_app_offline() {
    let Some(window) = web_sys::window() else { return };
    let Ok(ready) = window.navigator().service_worker().ready() else { return };
    let Ok(registration) = JsFuture::from(ready).await else { return };
    let registration: web_sys::ServiceWorkerRegistration = wasm_bindgen::JsCast::unchecked_into(registration);
    if let Some(worker) = registration.active() {
        worker.post_message(&"cache-app".into()).ok();
    }
}

/// Asks the browser not to clear this device's data under storage pressure; says so when refused.
pub async fn ask_for_persistent_storage(state: AppState) {
    let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) else { return };
    let Ok(promise) = storage.persist() else { return };
    let granted = JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false);
    state.storage_not_persistent.set(!granted);
}
