//! The person's keyworker is the keyworker whose caseload holds them (issue 12, point 3): assigning a
//! keyworker to a person names them on the person's record, and taking them off names the next
//! keyworker on the person's caseload or, with none, clears it. The change goes through the sync engine
//! like any other (the change log, every device, the audit trail), made by the coordinator who changed
//! the caseload; a keyworker recorded by hand stays until a keyworker is on the caseload.

use chrono::{DateTime, NaiveDate, Utc};
use dsr_shared::person::Professional;
use dsr_shared::sync::{FieldChange, Mutation, PushRequest, RecordKind};
use dsr_shared::text::ShortText;
use dsr_shared::{ClientId, PersonId, RecordId};
use rand::RngCore;
use serde_json::Value;

use crate::auth::CurrentUser;
use crate::{AppError, Store};

impl Store {
    /// Makes the person's record name a keyworker whose caseload holds them. `removed` is the name of a
    /// keyworker just taken off their caseload: the record stops naming them. Nothing changes when the
    /// record already names a keyworker on the caseload, or names someone typed in by hand.
    pub async fn keyworker_follows_caseload(
        &self,
        by: &CurrentUser,
        person: PersonId,
        removed: Option<&str>,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<(), AppError> {
        let id = RecordId::from_uuid(person.as_uuid());
        let Some(record) = self.record(id).await?.filter(|r| !r.deleted) else { return Ok(()) };
        let on_caseload = self.caseload_keyworkers(person).await?;
        let current = record.field("keyworker").clone();
        let named = current.get("name").and_then(Value::as_str);
        // Already a keyworker on the caseload: left alone. With nobody on the caseload, a keyworker typed
        // in by hand stays; one just taken off the caseload goes.
        let on_it = named.is_some_and(|name| on_caseload.iter().any(|k| k == name));
        let typed_in = named.is_some_and(|name| removed != Some(name)) && on_caseload.is_empty();
        if on_it || typed_in {
            return Ok(());
        }
        let new = match on_caseload.first() {
            Some(name) => {
                let keyworker = Professional {
                    name: ShortText::parse(name).map_err(|e| AppError::Corrupt(format!("keyworker name: {e}")))?,
                    role: ShortText::parse("Keyworker").map_err(|e| AppError::Corrupt(format!("role: {e}")))?,
                    team: None,
                    contact: None,
                };
                serde_json::to_value(keyworker).map_err(|e| AppError::Corrupt(format!("keyworker: {e}")))?
            }
            None => Value::Null,
        };
        if new == current {
            return Ok(());
        }
        let mut random = [0u8; 10];
        rand::rng().fill_bytes(&mut random);
        let mutation = Mutation {
            seq: 1,
            record_id: id,
            kind: RecordKind::Person,
            base_version: Some(record.version),
            changes: [("keyworker".to_string(), FieldChange { old: current, new })].into_iter().collect(),
            delete: false,
            reason: Some("The keyworker caseload changed".into()),
        };
        // Each change is its own device, as for the self-referral form.
        let client_id = ClientId::from_time_and_random(now.timestamp_millis().max(0) as u64, random);
        self.push(by, PushRequest { client_id, mutations: vec![mutation] }, now, today).await?;
        Ok(())
    }
}
