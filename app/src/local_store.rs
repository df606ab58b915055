//! The device's own copy of the register, in IndexedDB (through rexie). Everything the user saves
//! lands here first; the server learns of it when the sync loop can reach it.
//!
//! Stores: `records` (one entry a person, keyed by id) and `meta` (small facts about this device).
//! The version is bumped for every schema change, and `upgrade` keeps older data working.

use dsr_shared::Person;
use rexie::{ObjectStore, Rexie, TransactionMode};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

pub const DB_NAME: &str = "dsr";
pub const DB_VERSION: u32 = 1;
pub const RECORDS: &str = "records";
pub const META: &str = "meta";

/// A person as this device holds them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredPerson {
    /// The person's id as text: the store's key.
    pub id: String,
    pub person: Person,
    /// True once the server has confirmed it holds this person.
    pub on_server: bool,
    /// The server's reason, when it refused this person; kept so the user can see it.
    #[serde(default)]
    pub refused: Option<String>,
}

impl StoredPerson {
    pub fn unsent(person: Person) -> Self {
        Self { id: person.id.to_string(), person, on_server: false, refused: None }
    }

    pub fn from_server(person: Person) -> Self {
        Self { id: person.id.to_string(), person, on_server: true, refused: None }
    }

    /// Waiting to be sent (not on the server and not refused by it).
    pub fn is_waiting(&self) -> bool {
        !self.on_server && self.refused.is_none()
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("this device's storage (IndexedDB) failed: {0}")]
    IndexedDb(String),
    #[error("this device holds a record it cannot read: {0}")]
    Data(String),
}

impl From<rexie::Error> for StoreError {
    fn from(error: rexie::Error) -> Self {
        StoreError::IndexedDb(error.to_string())
    }
}

fn to_js<T: Serialize>(value: &T) -> Result<JsValue, StoreError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| StoreError::Data(e.to_string()))
}

fn from_js<T: for<'de> Deserialize<'de>>(value: JsValue) -> Result<T, StoreError> {
    serde_wasm_bindgen::from_value(value).map_err(|e| StoreError::Data(e.to_string()))
}

async fn open() -> Result<Rexie, StoreError> {
    Ok(Rexie::builder(DB_NAME)
        .version(DB_VERSION)
        .add_object_store(ObjectStore::new(RECORDS).key_path("id"))
        .add_object_store(ObjectStore::new(META))
        .build()
        .await?)
}

/// Everyone this device holds, by family name then given name.
pub async fn all_people() -> Result<Vec<StoredPerson>, StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS], TransactionMode::ReadOnly)?;
    let values = tx.store(RECORDS)?.get_all(None, None).await?;
    tx.done().await?;
    let mut people = values.into_iter().map(from_js::<StoredPerson>).collect::<Result<Vec<_>, _>>()?;
    people.sort_by_key(|p| {
        (p.person.family_name.as_str().to_lowercase(), p.person.given_name.as_str().to_lowercase(), p.id.clone())
    });
    Ok(people)
}

/// Saves a person made on this device, marked as not yet sent.
pub async fn save_new_person(person: &Person) -> Result<(), StoreError> {
    put(&StoredPerson::unsent(person.clone())).await
}

/// Records the server's answer for a person this device sent.
pub async fn record_answer(id: &str, refused: Option<String>) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS], TransactionMode::ReadWrite)?;
    let store = tx.store(RECORDS)?;
    if let Some(value) = store.get(JsValue::from_str(id)).await? {
        let mut stored: StoredPerson = from_js(value)?;
        stored.on_server = refused.is_none();
        stored.refused = refused;
        store.put(&to_js(&stored)?, None).await?;
    }
    tx.done().await?;
    Ok(())
}

/// Takes the server's list in one transaction. A person this device holds unsent keeps this device's
/// version (it is sent on the next push); anything else takes the server's.
pub async fn store_from_server(people: Vec<Person>) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS], TransactionMode::ReadWrite)?;
    let store = tx.store(RECORDS)?;
    for person in people {
        let key = JsValue::from_str(&person.id.to_string());
        let local = match store.get(key).await? {
            Some(value) => Some(from_js::<StoredPerson>(value)?),
            None => None,
        };
        let keep_local = local.is_some_and(|l| !l.on_server && l.person != person);
        if !keep_local {
            store.put(&to_js(&StoredPerson::from_server(person))?, None).await?;
        }
    }
    tx.done().await?;
    Ok(())
}

async fn put(stored: &StoredPerson) -> Result<(), StoreError> {
    let db = open().await?;
    let tx = db.transaction(&[RECORDS], TransactionMode::ReadWrite)?;
    tx.store(RECORDS)?.put(&to_js(stored)?, None).await?;
    tx.done().await?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use dsr_shared::{PersonForm, PersonId};

    fn person() -> Person {
        let form = PersonForm {
            given_name: "Alex".into(),
            family_name: "Example".into(),
            dob_day: "1".into(),
            dob_month: "2".into(),
            dob_year: "2012".into(),
            nhs_number: String::new(),
        };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        form.validate(PersonId::from_time_and_random(1, [2; 10]), today).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn only_unsent_unrefused_people_wait_to_be_sent() {
        let unsent = StoredPerson::unsent(person());
        assert!(unsent.is_waiting());
        assert_eq!(unsent.id, unsent.person.id.to_string(), "the store's key is the person's id");
        assert!(!StoredPerson::from_server(person()).is_waiting());
        let refused = StoredPerson { refused: Some("Enter the given name".into()), ..unsent };
        assert!(!refused.is_waiting());
    }

    #[test]
    fn a_record_without_the_refused_field_still_reads() {
        // Written before `refused` existed: older data keeps working.
        let mut json = serde_json::to_value(StoredPerson::unsent(person())).unwrap_or_default();
        json.as_object_mut().map(|o| o.remove("refused"));
        let stored: StoredPerson = serde_json::from_value(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(stored.refused, None);
    }
}
