//! The attempts counted by `limits`: reserved with the count in one write transaction.

use chrono::{DateTime, Utc};

use crate::limits::{self, Limit, Reservation};
use crate::{AppError, Store};

impl Store {
    /// Reserves one attempt under each `(limit, key)`, or refuses with [`AppError::Throttled`] (and
    /// reserves nothing) when any of them is reached. The count and the reservation are one write
    /// transaction: parallel attempts queue for the writer.
    pub async fn reserve_attempts(&self, keys: &[(Limit, &str)], now: DateTime<Utc>) -> Result<Reservation, AppError> {
        let mut tx = self.write().await?;
        let longest = limits::ALL.iter().map(Limit::window).max().unwrap_or_default();
        tx.forget_attempts_before(now - longest).await?;
        for (limit, key) in keys {
            let counted = tx.attempts_since(limit.scope, key, now - limit.window()).await?;
            if counted.count >= u64::from(limit.max) {
                let oldest = counted.oldest.unwrap_or(now);
                let retry_after_secs = (oldest + limit.window() - now).num_seconds().max(1) as u64;
                return Err(AppError::Throttled { retry_after_secs, limit: *limit });
            }
        }
        let mut reservation = Reservation::default();
        for (limit, key) in keys {
            reservation.ids.push(tx.add_attempt(limit.scope, key, now).await?);
        }
        tx.commit().await?;
        Ok(reservation)
    }

    /// Gives back a reservation: the attempt succeeded, or the secret could not be checked.
    pub async fn release_attempts(&self, reservation: Reservation) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        tx.delete_attempts(&reservation.ids).await?;
        tx.commit().await
    }

    /// Forgets every attempt under `(limit, key)`: the right password clears the username's failures.
    pub async fn clear_attempts(&self, limit: Limit, key: &str) -> Result<(), AppError> {
        let mut tx = self.write().await?;
        tx.clear_attempts(limit.scope, key).await?;
        tx.commit().await
    }
}
