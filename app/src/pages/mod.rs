//! One module per route.

pub mod add_person;
pub mod not_found;
pub mod register;
