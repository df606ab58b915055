//! `/people/{id}/edit`: change a person's details, on this device first.

use leptos::prelude::*;

use crate::components::person_form::PersonFormView;
use crate::state::AppState;

#[component]
pub fn EditPersonPage() -> impl IntoView {
    let state = expect_context::<AppState>();
    let id = super::route_person_id();
    let row = move || id().and_then(|id| state.person(id));
    // Opening a person's record is a read: noted here (even offline) for the audit trail.
    Effect::new(move |_| {
        if let Some(id) = id() {
            state.record_read(id, dsr_shared::accounts::Screen::EditForm);
        }
    });
    let coordinator =
        move || state.session.with(|s| s.user().is_some_and(|u| u.role == dsr_shared::access::Role::Coordinator));
    view! {
        <a class="nhsuk-back-link" href="/">"Back to the register"</a>
        {move || match row().and_then(|r| r.person.map(|p| (r.id, p))) {
            Some((id, person)) => view! {
                <h1>{format!("Change {}'s details", person.full_name())}</h1>
                <Show when=coordinator>
                    <p class="nhsuk-body">
                        <a href=format!("/audit?person={id}") id=crate::element_ids::AUDIT_LINK>"Who has read or changed this record"</a>
                    </p>
                </Show>
                <PersonFormView id=id existing=Some(person) submit_label="Save changes"/>
            }
            .into_any(),
            None => view! {
                <h1>"Person not found on this device"</h1>
                <p>"They may not have reached this device yet. Go back to the register and try again after the next sync."</p>
            }
            .into_any(),
        }}
    }
}
