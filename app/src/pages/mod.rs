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
pub mod register;
pub mod sign_in;
pub mod sign_out;
pub mod unlock;
pub mod visit_note;
