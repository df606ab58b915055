//! Reusable parts of pages.

pub mod error_summary;
pub mod fields;
pub mod header;
pub mod sync_status;
