//! Self-referral references (`DSR-7K4Q`).

use super::{NewReference, ReferenceRow};
use crate::AppError;

#[async_trait::async_trait]
pub trait ReferralStorage: Send {
    /// Keeps a reference; `false` when it is taken.
    async fn add_reference(&mut self, reference: NewReference<'_>) -> Result<bool, AppError>;

    async fn delete_reference(&mut self, reference: &str) -> Result<(), AppError>;

    async fn reference(&mut self, reference: &str) -> Result<Option<ReferenceRow>, AppError>;
}
