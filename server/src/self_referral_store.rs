//! Self-referral references (`DSR-7K4Q`): made when a family's referral is received, looked up when they
//! check what happened to it. A reference points to a referral and its person; the records themselves
//! are read (and the date of birth checked) when it is used, so an erased person's reference finds nothing.

use chrono::{DateTime, Utc};
use dsr_shared::{PersonId, ReferralId};

use crate::storage::NewReference;
pub use crate::storage::ReferenceRow;
use crate::{AppError, Store};

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
        let mut tx = self.write().await?;
        let kept = tx
            .add_reference(NewReference {
                reference,
                area_id,
                referral_id: referral,
                person_id: person,
                created_at: now,
            })
            .await?;
        tx.commit().await?;
        Ok(kept)
    }

    /// Gives a reference back (the referral it was kept for was not received).
    pub async fn release_reference(&self, reference: &str) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        tx.delete_reference(reference).await?;
        tx.commit().await
    }

    /// What `reference` points to, if it is known.
    pub async fn reference(&self, reference: &str) -> Result<Option<ReferenceRow>, AppError> {
        self.read().await?.reference(reference).await
    }
}
