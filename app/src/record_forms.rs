//! What the forms that make domain records share: new record ids, a rating change's fields, and
//! saving several records with the server's own checks first (each on this device, then sent).

use dsr_shared::rating::{Rating, RatingSource};
use dsr_shared::sync::{Fields, RecordKind};
use dsr_shared::{RecordId, ValidationErrors};
use leptos::prelude::*;
use serde_json::{Value, json};

use crate::local_store::{self, PersonRow};
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
    let today = chrono::Local::now().date_naive();
    for (kind, id, fields) in &records {
        if let Err(reasons) = dsr_shared::sync::validate::validate_fields(*kind, *id, fields, today) {
            let mut found = ValidationErrors::new();
            for reason in reasons {
                found.add(&reason.field, reason.message);
            }
            return Err(found);
        }
    }
    for (kind, id, fields) in records {
        local_store::save(kind, id, fields, None).await.map_err(|e| {
            let mut found = ValidationErrors::new();
            found.add("form", format!("Nothing more was saved: {e}"));
            found
        })?;
    }
    Ok(())
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
