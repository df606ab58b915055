//! `views`: reads of a person's record on this device, kept (even offline) until the sync loop has
//! sent them to the server's audit trail.

use rexie::TransactionMode;
use serde::{Deserialize, Serialize};

use super::meta::random_bytes;
use super::schema::{VIEWS, transaction};
use super::{StoreError, from_js, key, to_js};

/// A read of a person's record on this device, for the audit trail (no personal data: ids and time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ViewRecord {
    pub id: String,
    pub event: dsr_shared::accounts::ViewEvent,
}

/// Notes that people's records were opened here (one person's page, or everyone on a meeting's agenda),
/// in one transaction; sent to the server's audit trail by the sync loop.
pub async fn record_views(
    people: &[dsr_shared::PersonId],
    screen: dsr_shared::accounts::Screen,
) -> Result<(), StoreError> {
    let millis = js_sys::Date::now() as u64;
    let at = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(millis as i64).unwrap_or_default();
    let tx = transaction(&[VIEWS], TransactionMode::ReadWrite).await?;
    let store = tx.store(VIEWS)?;
    for person in people {
        let id = uuid::Builder::from_unix_timestamp_millis(millis, &random_bytes()).into_uuid();
        let event = dsr_shared::accounts::ViewEvent { id, person_id: *person, at, screen };
        store.put(&to_js(&ViewRecord { id: id.to_string(), event })?, None).await?;
    }
    tx.done().await?;
    Ok(())
}

/// Reads waiting to be sent.
pub async fn views() -> Result<Vec<ViewRecord>, StoreError> {
    let tx = transaction(&[VIEWS], TransactionMode::ReadOnly).await?;
    let values = tx.store(VIEWS)?.get_all(None, None).await?;
    tx.done().await?;
    values.into_iter().map(from_js).collect()
}

/// Forgets reads the server has recorded.
pub async fn views_sent(ids: &[String]) -> Result<(), StoreError> {
    let tx = transaction(&[VIEWS], TransactionMode::ReadWrite).await?;
    let store = tx.store(VIEWS)?;
    for id in ids {
        store.delete(key(id)).await?;
    }
    tx.done().await?;
    Ok(())
}
