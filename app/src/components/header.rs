//! The NHS header with the service name.

use dsr_shared::access::Role;
use leptos::prelude::*;

use crate::element_ids as ids;
use crate::state::AppState;

/// The NHS logo as the design system draws it.
const NHS_LOGO_PATH: &str = "M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z";

#[component]
pub fn Header() -> impl IntoView {
    let state = expect_context::<AppState>();
    let user = move || state.session.with(|s| s.user().cloned());
    view! {
        <header class="nhsuk-header" role="banner">
            <div class="nhsuk-header__container nhsuk-width-container">
                <div class="nhsuk-header__service">
                    <a class="nhsuk-header__service-logo" href="/" aria-label="NHS Dynamic Support Register homepage">
                        <svg class="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80"
                            height="40" width="100" focusable="false" role="img" aria-label="NHS">
                            <title>"NHS"</title>
                            <path fill="currentcolor" d=NHS_LOGO_PATH></path>
                        </svg>
                        <span class="nhsuk-header__service-name">"Dynamic Support Register"</span>
                    </a>
                </div>
                {move || user().map(|user| view! {
                    <nav class="dsr-header-account" aria-label="Your account">
                        <span id=ids::SIGNED_IN_AS>{format!("{} · {}", user.display_name, user.role.label())}</span>
                        {user.role.attends_dsr_meetings().then(|| view! {
                            <a href="/meetings" id=ids::MEETINGS_LINK>"Meetings"</a>
                        })}
                        {matches!(user.role, Role::Coordinator | Role::Keyworker).then(|| view! {
                            <a href="/dashboard" id=ids::DASHBOARD_LINK>"Figures"</a>
                        })}
                        {(user.role == Role::Coordinator).then(|| view! {
                            <a href="/referrals" id=ids::REFERRALS_LINK>"Referrals"</a>
                            <a href="/actions" id=ids::FOLLOW_UP_LINK>"Follow-up"</a>
                            <a href="/accounts" id=ids::ACCOUNTS_LINK>"Accounts"</a>
                        })}
                        {(user.role == Role::Referrer).then(|| view! {
                            <a href="/referrals/new" id=ids::REFERRALS_LINK>"Make a referral"</a>
                        })}
                        {user.role.is_staff().then(|| view! { <a href="/policy" id=ids::POLICY_LINK>"Area policy"</a> })}
                        <a href="/sign-out" id=ids::SIGN_OUT_LINK>"Sign out"</a>
                    </nav>
                })}
            </div>
        </header>
    }
}
