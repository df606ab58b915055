//! The sync protocol: the shapes both sides use, and the server's push logic as plain Rust so that the
//! server (on SQLite) and the seeded simulation (in memory) run the very same code.
//! See `../shared/handbook/sync.md` for the promises.
//!
//! - A [`Record`] is an envelope: id, kind, server-assigned version, fields (JSON values by name),
//!   and a tombstone flag. Deletion is a tombstone, never a disappearance.
//! - A [`Mutation`] is one saved change from one device: `(client_id, seq)` identifies it, `seq` goes
//!   up by one per device, and each changed field carries the value the device started from (`old`)
//!   and its new value.
//! - [`push::process`] applies a batch: exactly once per `(client_id, seq)`, in order (a gap is
//!   refused), per-field merge (a field changes only if the server still holds `old`; a clash keeps the
//!   server's value and records a [`Conflict`]); invalid results are rejected with reasons and never
//!   block the queue.

pub mod device;
pub mod memory;
pub mod push;
pub mod validate;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{ClientId, FieldError, RecordId};

/// A record's fields: name to JSON value. A missing field and `null` are the same.
pub type Fields = BTreeMap<String, Value>;

/// What kind of thing a record is; decides how its fields are validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Person,
    Referral,
    Consent,
    RatingChange,
    RiskAssessment,
    Admission,
    VisitNote,
    Review,
    Planner,
    FamilyViews,
    KloeFinding,
    Recommendation,
    Action,
    /// A DSR meeting: about the area, not one person (its items name people).
    DsrMeeting,
    /// A multi-agency meeting about one person.
    MultiAgencyMeeting,
    /// What a DSR meeting decided about one person (its own record, so members recording decisions
    /// about different people at once never clash, and each reader holds only the people they may see).
    MeetingDecision,
}

impl RecordKind {
    pub const ALL: [RecordKind; 16] = [
        RecordKind::Person,
        RecordKind::Referral,
        RecordKind::Consent,
        RecordKind::RatingChange,
        RecordKind::RiskAssessment,
        RecordKind::Admission,
        RecordKind::VisitNote,
        RecordKind::Review,
        RecordKind::Planner,
        RecordKind::FamilyViews,
        RecordKind::KloeFinding,
        RecordKind::Recommendation,
        RecordKind::Action,
        RecordKind::DsrMeeting,
        RecordKind::MultiAgencyMeeting,
        RecordKind::MeetingDecision,
    ];

    /// Records of this kind have an id that follows from another record's (a review's planner and
    /// family views from the review, a meeting's decision about a person from the two): two devices
    /// offline may both create the same one. The server takes a second create as changes to the first,
    /// field by field, so neither device's words are refused or lost (a field both set differently is
    /// a conflict, as for any two edits).
    pub fn made_on_many_devices(self) -> bool {
        matches!(self, RecordKind::Planner | RecordKind::FamilyViews | RecordKind::MeetingDecision)
    }

    /// Its name in JSON and in the database (`rating_change`).
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Person => "person",
            RecordKind::Referral => "referral",
            RecordKind::Consent => "consent",
            RecordKind::RatingChange => "rating_change",
            RecordKind::RiskAssessment => "risk_assessment",
            RecordKind::Admission => "admission",
            RecordKind::VisitNote => "visit_note",
            RecordKind::Review => "review",
            RecordKind::Planner => "planner",
            RecordKind::FamilyViews => "family_views",
            RecordKind::KloeFinding => "kloe_finding",
            RecordKind::Recommendation => "recommendation",
            RecordKind::Action => "action",
            RecordKind::DsrMeeting => "dsr_meeting",
            RecordKind::MultiAgencyMeeting => "multi_agency_meeting",
            RecordKind::MeetingDecision => "meeting_decision",
        }
    }

    pub fn from_name(name: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Whether records of this kind are about one person (and carry `person_id`, or are the person).
    pub fn is_about_one_person(self) -> bool {
        self != RecordKind::DsrMeeting
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A record as the server holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Record {
    pub id: RecordId,
    pub kind: RecordKind,
    /// Goes up by one with every accepted change.
    pub version: u64,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub fields: Fields,
    /// Deleted: a tombstone.
    #[serde(default)]
    pub deleted: bool,
}

impl Record {
    /// A field's value; a missing field reads as `null`.
    pub fn field(&self, name: &str) -> &Value {
        self.fields.get(name).unwrap_or(&Value::Null)
    }

    /// The person this record is about: a person record is itself; other kinds name theirs in
    /// `person_id`; a DSR meeting is about the area (`None`).
    pub fn person_id(&self) -> Option<crate::PersonId> {
        person_of(self.kind, self.id, &self.fields)
    }

    /// The review this record belongs to (a finding, recommendation or action names it in `review_id`).
    pub fn review_id(&self) -> Option<crate::ReviewId> {
        self.fields.get("review_id").and_then(|v| serde_json::from_value(v.clone()).ok())
    }
}

impl Record {
    /// This record purged: a tombstone keeping only which person it was about (so every device that
    /// held it is told to delete its copy), none of its content.
    pub fn purged(&self) -> Record {
        let mut fields = Fields::new();
        if self.kind != RecordKind::Person
            && let Some(person) = self.fields.get("person_id")
        {
            fields.insert("person_id".into(), person.clone());
        }
        Record { id: self.id, kind: self.kind, version: self.version, fields, deleted: true }
    }
}

/// The person a person record's fields make (`None` when they do not make one): the one reading the app,
/// the push's duplicate check and the server's lookups share.
pub fn person_from(id: RecordId, fields: &Fields) -> Option<crate::Person> {
    domain_from(id, fields)
}

/// A record's fields (and its id) as a domain value, `None` when they do not make one. Read in place:
/// the fields are not copied first (the register reads every person's file this way).
pub fn domain_from<T: serde::de::DeserializeOwned>(id: RecordId, fields: &Fields) -> Option<T> {
    use serde::de::value::MapDeserializer;
    let id = Value::String(id.to_string());
    let entries = fields.iter().filter(|(k, _)| k.as_str() != "id").map(|(k, v)| (k.as_str(), v)).chain([("id", &id)]);
    T::deserialize(MapDeserializer::<_, serde_json::Error>::new(entries)).ok()
}

/// A domain value's fields as a record holds them: no `id` (the record's own), no empty values.
pub fn fields_of<T: Serialize>(value: &T) -> Fields {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map.into_iter().filter(|(k, v)| k != "id" && !v.is_null()).collect(),
        _ => Fields::new(),
    }
}

/// The person a record of `kind` with these fields is about (see [`Record::person_id`]).
pub fn person_of(kind: RecordKind, id: RecordId, fields: &Fields) -> Option<crate::PersonId> {
    match kind {
        RecordKind::Person => Some(crate::PersonId::from_uuid(id.as_uuid())),
        kind if !kind.is_about_one_person() => None,
        _ => fields.get("person_id").and_then(|v| serde_json::from_value(v.clone()).ok()),
    }
}

/// One field's change: the value the device started from and the value it wants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = serde_json::Value))]
    pub old: Value,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = serde_json::Value))]
    pub new: Value,
}

/// One saved change from one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mutation {
    /// Per device, starting at 1 and going up by one.
    pub seq: u64,
    pub record_id: RecordId,
    pub kind: RecordKind,
    /// The version the device started from; `None` creates the record.
    #[serde(default)]
    pub base_version: Option<u64>,
    /// Changed fields (a create lists every field).
    #[serde(default)]
    pub changes: BTreeMap<String, FieldChange>,
    /// Deletes the record (a tombstone).
    #[serde(default)]
    pub delete: bool,
    /// Why, where the user said (kept in the audit trail).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Longest reason a mutation may carry.
pub const MAX_REASON_CHARS: usize = 2000;

/// `POST /api/sync/push`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub client_id: ClientId,
    pub mutations: Vec<Mutation>,
}

/// What happened to one mutation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum PushOutcome {
    /// Every changed field was applied.
    Applied { record_version: u64, change_seq: u64 },
    /// Nothing needed changing: the server already held these values.
    Unchanged { record_version: u64 },
    /// Some fields clashed with changes made elsewhere: the server kept its values for those and
    /// recorded a conflict for a person to resolve. Other fields were applied (then `change_seq` is set).
    Conflict { record_version: u64, change_seq: Option<u64>, conflict_ids: Vec<String>, fields: Vec<String> },
    /// Refused as it is: the reasons say why. The device keeps it for the user to fix or discard.
    Rejected { reasons: Vec<FieldError> },
    /// A mutation before this one is missing: send again from `expected`.
    Gap { expected: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResult {
    pub seq: u64,
    #[serde(flatten)]
    pub outcome: PushOutcome,
    /// True when this mutation had been processed before and this is the stored answer.
    #[serde(default)]
    pub repeated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub results: Vec<PushResult>,
}

/// One entry of the change log: the record as it was after the change numbered `change_seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub change_seq: u64,
    pub record: Record,
}

/// `GET /api/sync/pull?cursor=N&limit=M`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// Changes after the cursor, in order.
    pub changes: Vec<Change>,
    /// Records this user may no longer see: the device deletes its copy.
    #[serde(default)]
    pub removed: Vec<RecordId>,
    /// Store this and send it next time.
    pub cursor: u64,
    /// More changes wait: pull again at once.
    pub more: bool,
    /// The number of what this device may now hold (its view): store it with `cursor`, send it next time.
    #[serde(default)]
    pub view: u64,
    /// What this device may hold changed too much to say record by record: delete every record (keep
    /// unsent changes and drafts) and pull again from cursor 0, view 0.
    #[serde(default)]
    pub reset: bool,
}

/// A clash a person must resolve: both sides changed `field` from `base`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conflict {
    /// `client:seq:field`.
    pub id: String,
    pub record_id: RecordId,
    pub kind: RecordKind,
    pub field: String,
    #[cfg_attr(feature = "openapi", schema(value_type = serde_json::Value))]
    pub base: Value,
    /// The server's value, kept.
    #[cfg_attr(feature = "openapi", schema(value_type = serde_json::Value))]
    pub theirs: Value,
    /// The device's value, not applied.
    #[cfg_attr(feature = "openapi", schema(value_type = serde_json::Value))]
    pub ours: Value,
    pub client_id: ClientId,
    pub client_seq: u64,
    pub at: DateTime<Utc>,
}

impl Conflict {
    pub fn make_id(client_id: ClientId, seq: u64, field: &str) -> String {
        format!("{client_id}:{seq}:{field}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `domain_from` replaced: the fields copied into an object with the id, then read.
    fn copied<T: serde::de::DeserializeOwned>(id: RecordId, fields: &Fields) -> Option<T> {
        let mut object: serde_json::Map<String, Value> = fields.clone().into_iter().collect();
        object.insert("id".into(), Value::String(id.to_string()));
        serde_json::from_value(Value::Object(object)).ok()
    }

    fn fields(value: Value) -> Fields {
        match value {
            Value::Object(map) => map.into_iter().collect(),
            _ => Fields::new(),
        }
    }

    #[test]
    fn a_domain_value_read_in_place_is_the_one_read_from_a_copy() {
        let id = RecordId::from_uuid(uuid::Uuid::from_u128(7));
        let other = uuid::Uuid::from_u128(9).to_string();
        let cases = [
            // A person, with a field the type does not know, a null, and an id of its own (the record's wins).
            serde_json::json!({ "given_name": "Alex", "family_name": "Example", "date_of_birth": "2010-03-04",
                "nhs_number": null, "colour": "blue", "id": other }),
            serde_json::json!({ "given_name": "Alex", "family_name": "Example", "date_of_birth": "2010-03-04",
                "register_status": { "status": "referred" }, "keyworker": { "name": "Sam Keyworker" } }),
            // Not a person: a missing name, a wrong type, a date that is not one.
            serde_json::json!({ "family_name": "Example", "date_of_birth": "2010-03-04" }),
            serde_json::json!({ "given_name": 5, "family_name": "Example", "date_of_birth": "2010-03-04" }),
            serde_json::json!({ "given_name": "Alex", "family_name": "Example", "date_of_birth": "not a date" }),
            serde_json::json!({}),
        ];
        for case in cases {
            let fields = fields(case.clone());
            let in_place: Option<crate::Person> = domain_from(id, &fields);
            assert_eq!(in_place, copied::<crate::Person>(id, &fields), "{case}");
            if let Some(person) = in_place {
                assert_eq!(RecordId::from_uuid(person.id.as_uuid()), id);
            }
        }
        // At least one case makes a person (else the comparison above proves little).
        assert!(
            person_from(
                id,
                &fields(serde_json::json!({ "given_name": "Alex", "family_name": "Example",
            "date_of_birth": "2010-03-04" }))
            )
            .is_some()
        );
    }
}
