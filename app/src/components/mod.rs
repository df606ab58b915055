//! Reusable parts of pages.

pub mod chart;
pub mod draft;
pub mod duplicate;
pub mod easy_read;
pub mod error_summary;
pub mod fields;
pub mod header;
pub mod page;
pub mod person_form;
pub mod storage_notice;
pub mod sync_status;
pub mod what_will_happen;
