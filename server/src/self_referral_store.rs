//! Self-referral references (`DSR-7K4Q`): made when a family's referral is received, looked up when they
//! check what happened to it. A reference points to a referral and its person; the records themselves
//! are read (and the date of birth checked) when it is used, so an erased person's reference finds nothing.

use chrono::{DateTime, Utc};
use dsr_shared::{PersonId, RecordId, ReferralId};

use crate::{AppError, Store};

/// What a reference points to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceRow {
    pub area_id: String,
    pub referral_id: RecordId,
    pub person_id: RecordId,
}

impl Store {
    /// Keeps `reference` for a referral about to be received; `false` when the reference is taken (the
    /// caller makes another).
    pub async fn reserve_reference(
        &self,
        reference: &str,
        area_id: &str,
        referral: ReferralId,
        person: PersonId,
        now: DateTime<Utc>,
    ) -> Result<bool, AppError> {
        let done = sqlx::query(
            "INSERT INTO self_referral_references (reference, area_id, referral_id, person_id, created_at)
             VALUES (?, ?, ?, ?, ?) ON CONFLICT (reference) DO NOTHING",
        )
        .bind(reference)
        .bind(area_id)
        .bind(referral.to_string())
        .bind(person.to_string())
        .bind(now.to_rfc3339())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a reference back (the referral it was kept for was not received).
    pub async fn release_reference(&self, reference: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM self_referral_references WHERE reference = ?")
            .bind(reference)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// What `reference` points to, if it is known.
    pub async fn reference(&self, reference: &str) -> Result<Option<ReferenceRow>, AppError> {
        let row: Option<(String, String, String)> =
            sqlx::query_as("SELECT area_id, referral_id, person_id FROM self_referral_references WHERE reference = ?")
                .bind(reference)
                .fetch_optional(self.pool())
                .await?;
        row.map(|(area_id, referral, person)| {
            Ok(ReferenceRow {
                area_id,
                referral_id: referral.parse().map_err(|_| AppError::Corrupt(format!("referral id {referral}")))?,
                person_id: person.parse().map_err(|_| AppError::Corrupt(format!("person id {person}")))?,
            })
        })
        .transpose()
    }
}
