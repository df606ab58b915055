//! Removing a person's details (retention and erasure): what a purge blanks and deletes besides the
//! tombstones it writes through the change log.

use dsr_shared::sync::Record;
use dsr_shared::{PersonId, RecordId};

use super::{PurgeRow, RecordFields};
use crate::AppError;

/// The areas that have entries in the audit trail (not the empty area), each found by one search of
/// the trail's index by area (`audit_by_area`): the same text on both backends.
pub(super) const AUDIT_AREAS: &str = "WITH RECURSIVE areas (area) AS (
        SELECT MIN(area_id) FROM audit
        UNION ALL
        SELECT (SELECT MIN(area_id) FROM audit WHERE area_id > areas.area) FROM areas WHERE areas.area IS NOT NULL
    )
    SELECT area FROM areas WHERE area IS NOT NULL";

#[async_trait::async_trait]
pub trait RetentionStorage: Send {
    /// The live person records in `area` whose register status is `left`.
    async fn people_who_left(&mut self, area: &str) -> Result<Vec<RecordFields>, AppError>;

    /// The log's entries of a record: (change number, version).
    async fn record_history(&mut self, record: RecordId) -> Result<Vec<(u64, u64)>, AppError>;

    /// Replaces the record kept in the log's entry `change_seq` by a blank one (the database allows
    /// exactly this change to the log).
    async fn blank_change(&mut self, change_seq: u64, blank: &Record) -> Result<(), AppError>;

    /// Blanks old and new values, reasons and details in the audit trail's entries about `person`, in
    /// every area and in none (the database allows exactly this change to the trail). Area by area
    /// ([`AUDIT_AREAS`], then no area): the trail's index by person leads with the area, and a
    /// statement by person alone would read the whole trail inside the writers' turn.
    async fn blank_audit(&mut self, person: PersonId, detail: &str) -> Result<(), AppError>;

    /// Deletes what else is kept about `person`'s records: their conflicts, match keys, assignments
    /// and self-referral references.
    async fn forget_person(&mut self, person: PersonId, records: &[RecordId]) -> Result<(), AppError>;

    /// Records that a person's details were removed (again: the latest time).
    async fn add_purge(&mut self, purge: PurgeRow<'_>) -> Result<(), AppError>;
}
