//! Which fields each kind of record has, and whether a record's fields are valid: the same domain
//! types and rules the forms use.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde_json::Value;

use super::{Fields, RecordKind};
use crate::person::{Person, check_date_of_birth};
use crate::{FieldError, RecordId};

/// Checks a record's fields (as they would be after a change) against its kind's rules.
pub fn validate_fields(
    kind: RecordKind,
    id: RecordId,
    fields: &Fields,
    today: NaiveDate,
) -> Result<(), Vec<FieldError>> {
    match kind {
        RecordKind::Person => validate_person(id, fields, today),
    }
}

/// The field names a kind has (from the domain type itself, so the two cannot drift apart). Worked
/// out once: every pushed change is checked against them.
pub fn known_fields(kind: RecordKind) -> &'static [String] {
    static PERSON: OnceLock<Vec<String>> = OnceLock::new();
    match kind {
        RecordKind::Person => PERSON.get_or_init(|| {
            let minimal = serde_json::json!({
                "id": RecordId::from_time_and_random(0, [0; 10]),
                "given_name": "x", "family_name": "x", "date_of_birth": "2000-01-01",
            });
            let sample = serde_json::from_value::<Person>(minimal).and_then(serde_json::to_value);
            match sample {
                Ok(Value::Object(map)) => map.keys().filter(|k| *k != "id").cloned().collect(),
                _ => Vec::new(),
            }
        }),
    }
}

fn error(field: impl Into<String>, message: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), message: message.into() }
}

/// A person's fields must make a [`Person`] (every field's own checks) whose date of birth is not in
/// the future, with no fields a person does not have.
fn validate_person(id: RecordId, fields: &Fields, today: NaiveDate) -> Result<(), Vec<FieldError>> {
    let known = known_fields(RecordKind::Person);
    let mut errors: Vec<FieldError> =
        fields.keys().filter(|k| !known.contains(k)).map(|k| error(k.as_str(), "A person has no such field")).collect();
    let mut object: serde_json::Map<String, Value> =
        fields.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), v.clone())).collect();
    object.insert("id".into(), Value::String(id.to_string()));
    match serde_path_to_error::deserialize::<_, Person>(Value::Object(object)) {
        Ok(person) => {
            if let Err(message) = check_date_of_birth(person.date_of_birth, today) {
                errors.push(error("date_of_birth", message));
            }
        }
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
    if errors.is_empty() { Ok(()) } else { Err(errors) }
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
            assert!(known.iter().any(|k| k == field), "{field}");
        }
        assert!(!known.iter().any(|k| k == "id"));
    }
}
