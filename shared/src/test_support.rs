//! Helpers for this crate's tests: dates and texts from literals.

use chrono::NaiveDate;

use crate::text::{LongText, ShortText};

pub(crate) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("bad test date {y}-{m}-{d}"))
}

pub(crate) fn short(s: &str) -> ShortText {
    ShortText::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

pub(crate) fn long(s: &str) -> LongText {
    LongText::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}
