//! Each area's policy: every version kept (append-only).

use super::{NewPolicy, PolicyRow};
use crate::AppError;

#[async_trait::async_trait]
pub trait PolicyStorage: Send {
    /// The newest version of the area's policy, if it was ever changed.
    async fn latest_policy(&mut self, area: &str) -> Result<Option<PolicyRow>, AppError>;

    /// Adds a version; [`AppError::Conflict`] when that version exists already.
    async fn add_policy(&mut self, policy: NewPolicy<'_>) -> Result<(), AppError>;
}
