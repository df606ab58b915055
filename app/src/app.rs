//! The app's shell: header, sync state, and the routes.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::header::Header;
use crate::components::sync_status::SyncStatusBar;
use crate::element_ids as ids;
use crate::pages::{add_person::AddPersonPage, not_found::NotFoundPage, register::RegisterPage};
use crate::state::AppState;
use crate::sync;

#[component]
pub fn App() -> impl IntoView {
    let state = AppState::new();
    provide_context(state);
    sync::start(state);

    view! {
        <Router>
            <a class="nhsuk-skip-link" href=format!("#{}", ids::MAIN)>"Skip to main content"</a>
            <Header/>
            <SyncStatusBar/>
            <div class="nhsuk-width-container">
                <main class="nhsuk-main-wrapper" id=ids::MAIN role="main">
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=RegisterPage/>
                        <Route path=path!("/people/new") view=AddPersonPage/>
                    </Routes>
                </main>
            </div>
        </Router>
    }
}
