//! One module per route.

pub mod add_person;
pub mod conflicts;
pub mod edit_person;
pub mod not_found;
pub mod register;
