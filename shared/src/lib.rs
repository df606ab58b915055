//! The Dynamic Support Register's domain: types, rules and the wire shapes shared by the app and the server.
//!
//! Pure Rust: no I/O and no clock. Anything that depends on "now" or "today" takes it as an argument.

pub mod action;
pub mod admission;
pub mod api;
pub mod calendar;
pub mod consent;
pub mod due;
pub mod ids;
pub mod kloe;
pub mod meeting;
pub mod nhs_number;
pub mod period;
pub mod person;
pub mod planner;
pub mod policy;
pub mod rating;
pub mod referral;
pub mod review;
pub mod risk;
pub mod text;
pub mod validation;
pub mod visit_note;

pub use ids::*;
pub use nhs_number::NhsNumber;
pub use person::{Person, PersonForm, PersonName, PersonSubmission};
pub use validation::{FieldError, Validate, ValidationErrors};
