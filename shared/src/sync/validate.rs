//! Which fields each kind of record has, and whether a record's fields are valid: the same domain
//! types and rules the forms use.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::NaiveDate;
use serde_json::Value;

use super::{Fields, RecordKind};
use crate::action::{Action, Recommendation};
use crate::admission::Admission;
use crate::consent::Consent;
use crate::kloe::KloeFinding;
use crate::meeting::{DsrMeeting, MeetingDecision};
use crate::multi_agency_meeting::MultiAgencyMeeting;
use crate::person::{Person, check_date_of_birth};
use crate::planner::{FamilyViews, Planner};
use crate::policy::AreaPolicy;
use crate::rating::RatingChange;
use crate::referral::Referral;
use crate::review::Review;
use crate::risk::{RiskAssessment, RiskDecision};
use crate::validation::Checked;
use crate::visit_note::VisitNote;
use crate::{FieldError, PersonId, RecordId, ValidationErrors};

/// Checks a record's fields (as they would be after a change) against its kind's rules: the fields must
/// make the kind's domain type (every field's own checks and the type's rules), with no unknown fields.
pub fn validate_fields(
    kind: RecordKind,
    id: RecordId,
    fields: &Fields,
    today: NaiveDate,
) -> Result<(), Vec<FieldError>> {
    // Wherever a string is, a NUL or escape is refused with the field named (the types below check
    // their own texts; a free-form field would otherwise take it).
    let strays: Vec<FieldError> = fields
        .iter()
        .filter_map(|(name, value)| crate::text::stray_control_in(value).map(|_| name))
        .map(|name| FieldError { field: name.clone(), message: crate::text::STRAY_CONTROL_MESSAGE.into() })
        .collect();
    if !strays.is_empty() {
        return Err(strays);
    }
    match kind {
        RecordKind::Person => validate_person(id, fields, today),
        RecordKind::Referral => validate_as::<Referral>(kind, id, fields).map(drop),
        RecordKind::Consent => validate_as::<Consent>(kind, id, fields).map(drop),
        RecordKind::RatingChange => validate_as::<RatingChange>(kind, id, fields).map(drop),
        RecordKind::RiskAssessment => validate_as::<RiskAssessment>(kind, id, fields).map(drop),
        RecordKind::Admission => validate_as::<Admission>(kind, id, fields).map(drop),
        RecordKind::VisitNote => {
            validate_as::<VisitNote>(kind, id, fields)?.check_date(today).map_err(|e| e.fields().to_vec())
        }
        RecordKind::Review => validate_as::<Review>(kind, id, fields).map(drop),
        RecordKind::Planner => validate_as::<Planner>(kind, id, fields).map(drop),
        RecordKind::FamilyViews => validate_as::<FamilyViews>(kind, id, fields).map(drop),
        RecordKind::KloeFinding => validate_as::<KloeFinding>(kind, id, fields).map(drop),
        RecordKind::Recommendation => validate_as::<Recommendation>(kind, id, fields).map(drop),
        RecordKind::Action => validate_as::<Action>(kind, id, fields).map(drop),
        RecordKind::DsrMeeting => validate_as::<DsrMeeting>(kind, id, fields).map(drop),
        RecordKind::MultiAgencyMeeting => {
            validate_as::<MultiAgencyMeeting>(kind, id, fields)?.check_date(today).map_err(|e| e.fields().to_vec())
        }
        RecordKind::MeetingDecision => validate_as::<MeetingDecision>(kind, id, fields).map(drop),
    }
}

/// The rules of an area that a record is checked against when it is made, beyond its own type's: who
/// may consent at the person's age, and that a risk assessment was scored with a version of the
/// area's tool as that tool scores it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AreaRules {
    pub policy: AreaPolicy,
    /// The dates of birth of the people a batch touches.
    pub born: BTreeMap<PersonId, NaiveDate>,
    /// The people of the area that a person added or changed in the batch may be (same NHS number or
    /// date of birth), to stop the same person being on the register twice. `None`: not checked (the
    /// public self-referral form: a family is never told who is on the register; the coordinator sees
    /// the match when accepting the referral).
    pub people: Option<crate::person::PeopleIndex>,
}

/// Checks a new record of `kind` (its fields already valid for the kind) against the area's policy;
/// `born` is the date of birth of the person it is about, where known.
pub fn check_with_policy(
    kind: RecordKind,
    id: RecordId,
    fields: &Fields,
    born: Option<NaiveDate>,
    policy: &AreaPolicy,
) -> Result<(), Vec<FieldError>> {
    match kind {
        RecordKind::Consent => {
            let (Ok(consent), Some(born)) = (validate_as::<Consent>(kind, id, fields), born) else { return Ok(()) };
            consent.check_giver(born, &policy.consent).map_err(ValidationErrors::into_fields)
        }
        RecordKind::RiskAssessment => {
            let Ok(assessment) = validate_as::<RiskAssessment>(kind, id, fields) else { return Ok(()) };
            let Some(tool) = policy.risk_tool_version(assessment.tool_id, assessment.tool_version) else {
                return Err(vec![error("tool_version", "The area has no such version of this risk tool")]);
            };
            let decision = RiskDecision {
                confirmed: assessment.confirmed,
                override_reason: assessment.override_reason.clone(),
                by: assessment.by.clone(),
                at: assessment.at,
            };
            let scored = RiskAssessment::complete(
                assessment.id,
                assessment.person_id,
                tool,
                assessment.answers.clone(),
                decision,
            )
            .map_err(ValidationErrors::into_fields)?;
            let mut errors = Vec::new();
            if scored.score != assessment.score {
                errors.push(error("score", format!("The answers score {}, not {}", scored.score, assessment.score)));
            }
            if scored.suggested != assessment.suggested {
                errors.push(error(
                    "suggested",
                    format!("The answers suggest {}, not {}", scored.suggested.label(), assessment.suggested.label()),
                ));
            }
            if errors.is_empty() { Ok(()) } else { Err(errors) }
        }
        _ => Ok(()),
    }
}

/// The field names a kind has (from the domain type itself, so the two cannot drift apart), without `id`.
pub fn known_fields(kind: RecordKind) -> &'static [&'static str] {
    static PERSON: OnceLock<Vec<&'static str>> = OnceLock::new();
    let all: &'static [&'static str] = match kind {
        RecordKind::Person => PERSON.get_or_init(|| {
            let minimal = serde_json::json!({
                "id": RecordId::from_time_and_random(0, [0; 10]),
                "given_name": "x", "family_name": "x", "date_of_birth": "2000-01-01",
            });
            let sample = serde_json::from_value::<Person>(minimal).and_then(serde_json::to_value);
            match sample {
                Ok(Value::Object(map)) => {
                    map.keys().map(|k| &*Box::leak(k.clone().into_boxed_str())).filter(|k| *k != "id").collect()
                }
                _ => Vec::new(),
            }
        }),
        RecordKind::Referral => Referral::FIELDS,
        RecordKind::Consent => Consent::FIELDS,
        RecordKind::RatingChange => RatingChange::FIELDS,
        RecordKind::RiskAssessment => RiskAssessment::FIELDS,
        RecordKind::Admission => Admission::FIELDS,
        RecordKind::VisitNote => VisitNote::FIELDS,
        RecordKind::Review => Review::FIELDS,
        RecordKind::Planner => Planner::FIELDS,
        RecordKind::FamilyViews => FamilyViews::FIELDS,
        RecordKind::KloeFinding => KloeFinding::FIELDS,
        RecordKind::Recommendation => Recommendation::FIELDS,
        RecordKind::Action => Action::FIELDS,
        RecordKind::DsrMeeting => DsrMeeting::FIELDS,
        RecordKind::MultiAgencyMeeting => MultiAgencyMeeting::FIELDS,
        RecordKind::MeetingDecision => MeetingDecision::FIELDS,
    };
    // Every validated type's `FIELDS` starts with `id`, which is the record's own id, not a field.
    all.strip_prefix(&["id"][..]).unwrap_or(all)
}

/// The fields as `T`: read as its unchecked form (each field's own checks), then its rules, each broken
/// rule reported on the field it names.
fn validate_as<T: Checked>(kind: RecordKind, id: RecordId, fields: &Fields) -> Result<T, Vec<FieldError>> {
    let raw = deserialize_as::<T::Unchecked>(kind, id, fields)?;
    T::try_from(raw).map_err(ValidationErrors::into_fields)
}

/// Unknown fields, then `T` built from the fields (with the record's id): the first failing field named
/// by its path.
fn deserialize_as<T: serde::de::DeserializeOwned>(
    kind: RecordKind,
    id: RecordId,
    fields: &Fields,
) -> Result<T, Vec<FieldError>> {
    let known = known_fields(kind);
    let mut errors: Vec<FieldError> = fields
        .keys()
        .filter(|k| !known.contains(&k.as_str()))
        .map(|k| error(k.as_str(), format!("A {} has no such field", kind.name().replace('_', " "))))
        .collect();
    let mut object: serde_json::Map<String, Value> =
        fields.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
    object.insert("id".into(), Value::String(id.to_string()));
    match serde_path_to_error::deserialize::<_, T>(Value::Object(object)) {
        Ok(value) if errors.is_empty() => return Ok(value),
        Ok(_) => {}
        Err(problem) => {
            let path = problem.path().to_string();
            let inner = problem.into_inner().to_string();
            let field = match path.as_str() {
                "." | "" => inner.split('`').nth(1).unwrap_or("record").to_string(),
                other => other.split('.').next().unwrap_or(other).to_string(),
            };
            errors.push(error(field, inner));
        }
    }
    Err(errors)
}

fn error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), message: message.into() }
}

/// A person's fields must make a [`Person`] whose date of birth is not in the future.
fn validate_person(id: RecordId, fields: &Fields, today: NaiveDate) -> Result<(), Vec<FieldError>> {
    let person = deserialize_as::<Person>(RecordKind::Person, id, fields)?;
    check_date_of_birth(person.date_of_birth, today).map(drop).map_err(|message| vec![error("date_of_birth", message)])
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::day;
    use serde_json::json;

    fn fields(value: Value) -> Fields {
        serde_json::from_value(value).unwrap_or_default()
    }

    fn id() -> RecordId {
        RecordId::from_time_and_random(1, [1; 10])
    }

    #[test]
    fn a_broken_rule_across_fields_is_reported_on_its_fields() {
        let review = fields(json!({
            "person_id": RecordId::from_time_and_random(1, [2; 10]), "kind": "inpatient", "name": "ctr",
            "status": "held", "requested_on": "2026-11-02", "meeting_on": "2026-11-20",
            "panel": { "clinical_expert": "Kim", "expert_by_experience": "Lee" } }));
        let reasons = validate_fields(RecordKind::Review, id(), &review, day(2026, 12, 1)).err().unwrap_or_default();
        let fields: Vec<&str> = reasons.iter().map(|r| r.field.as_str()).collect();
        assert_eq!(fields, ["panel", "admission_id"], "{reasons:?}");
        assert_eq!(reasons[0].message, "Name the chair");
    }

    #[test]
    fn a_valid_person_passes_and_errors_name_the_field() {
        let good = fields(json!({"given_name": "Alex", "family_name": "Example", "date_of_birth": "2011-04-23"}));
        assert_eq!(validate_fields(RecordKind::Person, id(), &good, day(2026, 11, 25)), Ok(()));
        let mut bad = good.clone();
        bad.insert("nhs_number".into(), json!("9434765918"));
        let errors = validate_fields(RecordKind::Person, id(), &bad, day(2026, 11, 25)).err().unwrap_or_default();
        assert_eq!(errors[0].field, "nhs_number");
        assert!(errors[0].message.contains("not a valid NHS number"), "{errors:?}");
        let mut missing = good.clone();
        missing.remove("family_name");
        let errors = validate_fields(RecordKind::Person, id(), &missing, day(2026, 11, 25)).err().unwrap_or_default();
        assert_eq!(errors[0].field, "family_name", "{errors:?}");
        let mut future = good.clone();
        future.insert("date_of_birth".into(), json!("2027-01-01"));
        assert!(validate_fields(RecordKind::Person, id(), &future, day(2026, 11, 25)).is_err());
        let mut unknown = good;
        unknown.insert("shoe_size".into(), json!(9));
        let errors = validate_fields(RecordKind::Person, id(), &unknown, day(2026, 11, 25)).err().unwrap_or_default();
        assert_eq!(errors[0].field, "shoe_size");
    }

    #[test]
    fn a_person_has_the_fields_of_the_domain_type() {
        let known = known_fields(RecordKind::Person);
        for field in ["given_name", "family_name", "date_of_birth", "nhs_number", "diagnosis", "register_status"] {
            assert!(known.contains(&field), "{field}");
        }
        assert!(!known.contains(&"id"));
    }

    #[test]
    fn every_kind_is_checked_by_its_domain_type() {
        let person = RecordId::from_time_and_random(1, [2; 10]);
        let good = fields(json!({
            "person_id": person, "visited_on": "2026-11-20", "by": "Sam Keyworker",
            "note": "Visited at home; Alex showed me the new timetable"
        }));
        assert_eq!(
            validate_fields(RecordKind::VisitNote, id(), &good, day(2026, 11, 25)),
            Ok(()),
            "{:?}",
            known_fields(RecordKind::VisitNote)
        );
        let mut unknown = good.clone();
        unknown.insert("mood".into(), json!("ok"));
        let errors =
            validate_fields(RecordKind::VisitNote, id(), &unknown, day(2026, 11, 25)).err().unwrap_or_default();
        assert_eq!(errors[0].field, "mood");
        assert!(errors[0].message.contains("visit note has no such field"), "{errors:?}");
        let mut future = good.clone();
        future.insert("visited_on".into(), json!("2026-11-26"));
        let errors = validate_fields(RecordKind::VisitNote, id(), &future, day(2026, 11, 25)).err().unwrap_or_default();
        assert_eq!(errors[0].field, "visited_on", "{errors:?}");
        let mut missing = good;
        missing.remove("person_id");
        let errors =
            validate_fields(RecordKind::VisitNote, id(), &missing, day(2026, 11, 25)).err().unwrap_or_default();
        assert_eq!(errors[0].field, "person_id", "{errors:?}");
        for kind in RecordKind::ALL {
            assert!(!known_fields(kind).is_empty(), "{kind}");
            assert!(!known_fields(kind).contains(&"id"), "{kind}");
            assert_eq!(
                kind.is_about_one_person(),
                kind == RecordKind::Person || known_fields(kind).contains(&"person_id"),
                "{kind}"
            );
            assert_eq!(RecordKind::from_name(kind.name()), Some(kind));
            assert_eq!(serde_json::to_value(kind).ok(), Some(json!(kind.name())));
        }
    }
}
