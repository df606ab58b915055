//! Self-referral references in PostgreSQL.

use super::PostgresTransaction;
use crate::AppError;
use crate::storage::{NewReference, ReferenceRow, ReferralStorage, from_id};

#[async_trait::async_trait]
impl ReferralStorage for PostgresTransaction {
    async fn add_reference(&mut self, reference: NewReference<'_>) -> Result<bool, AppError> {
        let done = sqlx::query(
            "INSERT INTO self_referral_references (reference, area_id, referral_id, person_id, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (reference) DO NOTHING",
        )
        .bind(reference.reference)
        .bind(reference.area_id)
        .bind(reference.referral_id.to_string())
        .bind(reference.person_id.to_string())
        .bind(reference.created_at.to_rfc3339())
        .execute(self.db())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn delete_reference(&mut self, reference: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM self_referral_references WHERE reference = $1")
            .bind(reference)
            .execute(self.db())
            .await?;
        Ok(())
    }

    async fn reference(&mut self, reference: &str) -> Result<Option<ReferenceRow>, AppError> {
        let row: Option<(String, String, String)> =
            sqlx::query_as("SELECT area_id, referral_id, person_id FROM self_referral_references WHERE reference = $1")
                .bind(reference)
                .fetch_optional(self.db())
                .await?;
        row.map(|(area_id, referral, person)| {
            Ok(ReferenceRow {
                area_id,
                referral_id: from_id(&referral, "referral id")?,
                person_id: from_id(&person, "person id")?,
            })
        })
        .transpose()
    }
}
