//! One module per route.

pub mod accounts;
pub mod add_person;
pub mod admission;
pub mod audit;
pub mod conflicts;
pub mod consent;
pub mod edit_person;
pub mod invitation;
pub mod not_found;
pub mod person;
pub mod policy;
pub mod register;
pub mod risk;
pub mod sign_in;
pub mod sign_out;
pub mod unlock;
pub mod visit_note;

/// The person id in the route (`/people/:id/...`), following the route.
pub(crate) fn route_person_id() -> impl Fn() -> Option<dsr_shared::RecordId> + Copy {
    let params = leptos_router::hooks::use_params_map();
    move || leptos::prelude::With::with(&params, |p| p.get("id").and_then(|id| id.parse().ok()))
}
