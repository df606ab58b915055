//! The named rows the storage interface reads and writes, in domain types (ids parsed, JSON read,
//! times as times): a backend turns its columns into these and nothing else leaves it.

use chrono::{DateTime, Utc};
use dsr_shared::access::{Role, View};
use dsr_shared::policy::AreaPolicy;
use dsr_shared::sync::{Change, Conflict, Fields, Record, RecordKind};
use dsr_shared::{PersonId, RecordId, ReferralId, ReviewId, UserId};

/// A device as the server knows it (`sync_clients`).
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRow {
    /// The last mutation number of the device's that was answered.
    pub last_seq: u64,
    /// The account whose device it is; none for a device that synced before accounts existed.
    pub owner: Option<UserId>,
    /// When its owner first synced it (its sign-in).
    pub claimed_at: Option<DateTime<Utc>>,
    /// The number of the view the device was last told, and that view.
    pub view_no: u64,
    pub view: Option<View>,
    /// The view before it, while the device may not have heard of the new one yet.
    pub prev_view_no: Option<u64>,
    pub prev_view: Option<View>,
}

/// A record as stored: its current state, its area and the change that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRecord {
    pub record: Record,
    /// None for records kept from before areas existed (the first area adopts them).
    pub area_id: Option<String>,
    pub change_seq: u64,
}

/// A live (not deleted) record's fields, with whom it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordFields {
    pub id: RecordId,
    pub kind: RecordKind,
    pub person_id: Option<PersonId>,
    pub fields: Fields,
}

/// A change to write to the log.
#[derive(Debug, Clone, Copy)]
pub struct LogEntry<'a> {
    pub change_seq: u64,
    pub record: &'a Record,
    /// The device's number of the mutation that made it (0 when the server made it: a purge).
    pub client_seq: u64,
}

/// A change read from the log for a pull, with the device that made it.
#[derive(Debug, Clone)]
pub struct LoggedChange {
    pub change: Change,
    /// The device whose mutation made it (`purge` and the like when the server made it).
    pub client_id: String,
}

/// Who made the changes of one write, and when.
#[derive(Debug, Clone, Copy)]
pub struct Author<'a> {
    /// The device (or the server's job, such as `purge`).
    pub client_id: &'a str,
    pub user_id: Option<UserId>,
    pub at: DateTime<Utc>,
}

/// A conflict not yet resolved, with what it is about (for access).
#[derive(Debug, Clone, PartialEq)]
pub struct ConflictRow {
    pub conflict: Conflict,
    pub person_id: Option<PersonId>,
    /// The review the conflicting record belongs to, if any.
    pub review_id: Option<ReviewId>,
}

/// A user as stored, for sign-in.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: UserId,
    pub area_id: String,
    pub username: Option<String>,
    pub display_name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub disabled: bool,
    /// A family account that is the young person's own.
    pub young_person: bool,
    pub created_at: DateTime<Utc>,
}

/// A new user's details.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub area_id: &'a str,
    pub username: Option<&'a str>,
    pub display_name: &'a str,
    pub role: Role,
    pub password_hash: Option<&'a str>,
    pub created_by: Option<UserId>,
    /// A family account that is the young person's own.
    pub young_person: bool,
}

/// A session with its user.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub user: StoredUser,
    pub expires_at: DateTime<Utc>,
}

/// The attempts counted under a limit's key since a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptCount {
    pub count: u64,
    pub oldest: Option<DateTime<Utc>>,
}

/// Which audit entries to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct AuditFilter {
    pub person: Option<PersonId>,
    pub user: Option<UserId>,
}

/// One thing to record in the audit trail.
#[derive(Debug, Clone, Default)]
pub struct AuditEvent {
    pub action: &'static str,
    pub area_id: Option<String>,
    pub user_id: Option<UserId>,
    pub client_id: Option<String>,
    pub person_id: Option<PersonId>,
    pub record_id: Option<String>,
    pub kind: Option<String>,
    /// What changed, as JSON text (`{field: {old, new}}`), written as it is.
    pub changes: Option<String>,
    pub reason: Option<String>,
    pub detail: Option<String>,
    pub happened_at: Option<DateTime<Utc>>,
}

/// A version of an area's policy.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyRow {
    pub version: u64,
    pub policy: AreaPolicy,
    pub changed_at: DateTime<Utc>,
    /// The name of who changed it.
    pub changed_by: String,
}

/// A new version of an area's policy.
#[derive(Debug, Clone, Copy)]
pub struct NewPolicy<'a> {
    pub area_id: &'a str,
    pub version: u64,
    pub policy: &'a AreaPolicy,
    pub changed_at: DateTime<Utc>,
    pub changed_by: UserId,
    pub reason: Option<&'a str>,
}

/// What a self-referral reference points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceRow {
    pub area_id: String,
    pub referral_id: RecordId,
    pub person_id: RecordId,
}

/// A new self-referral reference.
#[derive(Debug, Clone, Copy)]
pub struct NewReference<'a> {
    pub reference: &'a str,
    pub area_id: &'a str,
    pub referral_id: ReferralId,
    pub person_id: PersonId,
    pub created_at: DateTime<Utc>,
}

/// That a person's details were removed.
#[derive(Debug, Clone, Copy)]
pub struct PurgeRow<'a> {
    pub person_id: PersonId,
    pub area_id: &'a str,
    pub purged_at: DateTime<Utc>,
    /// `retention` or `erasure`.
    pub why: &'a str,
    pub requested_by: Option<UserId>,
    pub records: usize,
}
