//! What the forms that make domain records share: new record ids, a rating change's fields, and
//! saving several records with the server's own checks first (each on this device, then sent).

use dsr_shared::rating::{Rating, RatingSource};
use dsr_shared::sync::{Fields, RecordKind};
use dsr_shared::{RecordId, ValidationErrors};
use leptos::prelude::*;
use serde_json::{Value, json};

use crate::local_store;
use crate::read_model::PersonRow;
use crate::state::AppState;

/// A new record id (UUID v7), made on this device.
pub fn new_id() -> RecordId {
    RecordId::from_time_and_random(js_sys::Date::now() as u64, local_store::random_bytes())
}

pub use dsr_shared::sync::fields_of;

/// A rating change's fields.
pub fn rating_change(
    person: RecordId,
    from: Option<Rating>,
    to: Rating,
    reason: &str,
    by: &str,
    source: RatingSource,
) -> Fields {
    let value = json!({
        "person_id": person.to_string(), "from": from, "to": to, "reason": reason, "by": by,
        "at": chrono::Utc::now().to_rfc3339(), "source": source,
    });
    match value {
        Value::Object(map) => map.into_iter().filter(|(_, v)| !v.is_null()).collect(),
        _ => Fields::new(),
    }
}

/// Checks records with the server's rules, then saves them in order (each on this device first).
pub async fn save_all(records: Vec<(RecordKind, RecordId, Fields)>) -> Result<(), ValidationErrors> {
    save_all_changed(records.into_iter().map(|(kind, id, fields)| (kind, id, None, fields)).collect()).await
}

/// Checks each record's whole new fields with the server's rules, then saves, in order, only what the
/// user changed on the form since it opened from the record's `opened` fields (`None`: saved whole). A
/// field someone else changed meanwhile, and this user did not touch, is left as it is: two people
/// filling in different parts of one record at once both keep their words.
pub async fn save_all_changed(
    records: Vec<(RecordKind, RecordId, Option<Fields>, Fields)>,
) -> Result<(), ValidationErrors> {
    let today = chrono::Local::now().date_naive();
    for (kind, id, _, fields) in &records {
        if let Err(reasons) = dsr_shared::sync::validate::validate_fields(*kind, *id, fields, today) {
            let mut found = ValidationErrors::new();
            for reason in reasons {
                found.add(&reason.field, reason.message);
            }
            return Err(found);
        }
    }
    for (kind, id, opened, fields) in records {
        let changes = match opened {
            None => fields,
            Some(opened) => {
                let names: std::collections::BTreeSet<String> = opened.keys().chain(fields.keys()).cloned().collect();
                names
                    .into_iter()
                    .filter_map(|name| {
                        let new = fields.get(&name).cloned().unwrap_or(Value::Null);
                        (opened.get(&name).unwrap_or(&Value::Null) != &new).then_some((name, new))
                    })
                    .collect()
            }
        };
        local_store::save(kind, id, changes, None).await.map_err(|e| {
            let mut found = ValidationErrors::new();
            found.add("form", format!("Nothing more was saved: {e}"));
            found
        })?;
    }
    Ok(())
}

/// One record, as [`save_all_changed`] saves it.
pub async fn save_changed(
    kind: RecordKind,
    id: RecordId,
    opened: Option<Fields>,
    fields: Fields,
) -> Result<(), ValidationErrors> {
    save_all_changed(vec![(kind, id, opened, fields)]).await
}

/// The person in the route, as this device holds them when the page opens.
pub fn person_row(state: AppState) -> Option<PersonRow> {
    let id = untrack(crate::pages::route_person_id())?;
    untrack(|| state.person(id))
}

/// The signed-in user's name, as records name who did something.
pub fn signed_in_name(state: AppState) -> String {
    state.session.with_untracked(|s| s.user().map(|u| u.display_name.clone())).unwrap_or_default()
}

/// The signed-in user as a record names who recorded something; an error for `field` (never a silent
/// drop of what they typed) when the account's name cannot be used.
pub fn recorder(state: AppState, field: &str, errors: &mut ValidationErrors) -> Option<dsr_shared::text::ShortText> {
    dsr_shared::text::ShortText::parse(&signed_in_name(state))
        .map_err(|e| errors.add(field, format!("Your account's name {e}, so this cannot be recorded under it")))
        .ok()
}

/// What the signed-in user may read and write of this person's records: the server's own rule, for a
/// person this device holds (so one the user is assigned to).
pub fn access_to(state: AppState, row: &PersonRow) -> dsr_shared::access::PersonAccess {
    use dsr_shared::access::{PersonAccess, PersonFacts, person_access};
    let Some(role) = state.role() else { return PersonAccess::NONE };
    let today = chrono::Local::now().date_naive();
    let facts = row.file.as_ref().map(|f| PersonFacts::from_consents(&f.consents, today)).unwrap_or_default();
    person_access(role, true, facts)
}

/// Validation errors with one message.
pub fn one_error(field: &str, message: impl Into<String>) -> ValidationErrors {
    let mut found = ValidationErrors::new();
    found.add(field, message.into());
    found
}

pub use dsr_shared::calendar::long_date;

/// Today on this device.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}
