//! The sync aggregate: records, the change log, devices, their stored answers, conflicts and the
//! people's match keys.

use std::collections::{BTreeMap, BTreeSet};

use dsr_shared::access::View;
use dsr_shared::sync::{Conflict, Fields, PushResult, Record, RecordKind};
use dsr_shared::{PersonId, RecordId, UserId};

use super::{Author, ConflictRow, DeviceRow, LogEntry, LoggedChange, RecordFields, StoredRecord};
use crate::AppError;

#[async_trait::async_trait]
pub trait SyncStorage: Send {
    /// The device `client`, if the server has heard from it.
    async fn device(&mut self, client: &str) -> Result<Option<DeviceRow>, AppError>;

    /// Records a new device, `owner`'s from `now`.
    async fn add_device(
        &mut self,
        client: &str,
        owner: UserId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), AppError>;

    /// Gives a device from before accounts to `owner`.
    async fn claim_device(
        &mut self,
        client: &str,
        owner: UserId,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), AppError>;

    /// Keeps the view the device is told now (`view_no`) and the one before it, when it may still
    /// hold that (`previous`).
    async fn set_device_view(
        &mut self,
        client: &str,
        view_no: u64,
        view: &View,
        previous: Option<(u64, &View)>,
    ) -> Result<(), AppError>;

    /// The answers stored for the device's mutations numbered `low..=high`.
    async fn stored_answers(
        &mut self,
        client: &str,
        low: u64,
        high: u64,
    ) -> Result<BTreeMap<u64, PushResult>, AppError>;

    /// These records as stored (those that exist), in one read.
    async fn records(&mut self, ids: &BTreeSet<RecordId>) -> Result<Vec<StoredRecord>, AppError>;

    /// Every record about `person` in `area`, deleted ones too.
    async fn person_records(&mut self, person: PersonId, area: &str) -> Result<Vec<StoredRecord>, AppError>;

    /// The live records of `kind` about any of `people`.
    async fn records_about(
        &mut self,
        kind: RecordKind,
        people: &BTreeSet<PersonId>,
    ) -> Result<Vec<RecordFields>, AppError>;

    /// The live records of these kinds in `area`.
    async fn records_in_area(&mut self, area: &str, kinds: &[RecordKind]) -> Result<Vec<RecordFields>, AppError>;

    /// Which of `people` are live person records in `area`.
    async fn people_in_area(&mut self, area: &str, people: &BTreeSet<PersonId>)
    -> Result<BTreeSet<PersonId>, AppError>;

    /// Whether `person` is a person record in `area`; `deleted_too` counts a deleted one's tombstone.
    async fn person_in_area(&mut self, area: &str, person: PersonId, deleted_too: bool) -> Result<bool, AppError>;

    /// The number of the last change in the log (0 when it is empty). In a write transaction, no other
    /// writer adds to the log until this one ends, so the next numbers are this one's.
    async fn last_change_seq(&mut self) -> Result<u64, AppError>;

    /// Appends changes to the log, all by `author`.
    async fn append_changes(&mut self, entries: &[LogEntry<'_>], author: Author<'_>) -> Result<(), AppError>;

    /// Writes records' new states, each made by the change numbered with it; a new record is put in
    /// `area` (a record's area and person never change).
    async fn save_records(&mut self, area: &str, records: &[(&Record, u64)]) -> Result<(), AppError>;

    /// Keeps the device's answers (given again when it sends the same mutations) and its last number.
    async fn store_answers(
        &mut self,
        client: &str,
        answers: &[PushResult],
        last_seq: u64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), AppError>;

    /// Keeps conflicts found by a push from `client` in `area`.
    async fn add_conflicts(&mut self, area: &str, client: &str, conflicts: &[Conflict]) -> Result<(), AppError>;

    /// Up to `limit` changes after `after` to records in `area` (only those about the people on
    /// `caseload_of`'s caseload, when given), in order, each with the device that made it.
    async fn log_page(
        &mut self,
        area: &str,
        after: u64,
        caseload_of: Option<UserId>,
        limit: u32,
    ) -> Result<Vec<LoggedChange>, AppError>;

    /// The conflicts not resolved in `area`, oldest first.
    async fn open_conflicts(&mut self, area: &str) -> Result<Vec<ConflictRow>, AppError>;

    /// The live person records in `area` that share one of `keys`: their ids and fields.
    async fn people_with_keys(&mut self, area: &str, keys: &[String]) -> Result<Vec<(RecordId, Fields)>, AppError>;

    /// Replaces the match keys of each of `people` in `area` with the ones given.
    async fn set_match_keys(&mut self, area: &str, people: &[(RecordId, Vec<String>)]) -> Result<(), AppError>;

    /// How many match keys are kept.
    async fn match_key_count(&mut self) -> Result<u64, AppError>;

    /// Every live person record, with its area (none for one kept from before areas).
    async fn live_people(&mut self) -> Result<Vec<(RecordFields, Option<String>)>, AppError>;
}
