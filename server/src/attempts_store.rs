//! The attempts counted by `limits`: reserved with the count in one write transaction.

use chrono::{DateTime, Utc};

use crate::limits::{self, Limit, Reservation};
use crate::{AppError, Store};

impl Store {
    /// Reserves one attempt under each `(limit, key)`, or refuses with [`AppError::Throttled`] (and
    /// reserves nothing) when any of them is reached. The count and the reservation are one
    /// `BEGIN IMMEDIATE` transaction: SQLite's single writer makes parallel attempts queue here.
    pub async fn reserve_attempts(&self, keys: &[(Limit, &str)], now: DateTime<Utc>) -> Result<Reservation, AppError> {
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let longest = limits::ALL.iter().map(Limit::window).max().unwrap_or_default();
        sqlx::query("DELETE FROM attempts WHERE at < ?").bind((now - longest).to_rfc3339()).execute(&mut *tx).await?;
        for (limit, key) in keys {
            let (count, oldest): (i64, Option<String>) =
                sqlx::query_as("SELECT COUNT(*), MIN(at) FROM attempts WHERE scope = ? AND key = ? AND at > ?")
                    .bind(limit.scope)
                    .bind(key)
                    .bind((now - limit.window()).to_rfc3339())
                    .fetch_one(&mut *tx)
                    .await?;
            if count >= i64::from(limit.max) {
                let oldest =
                    oldest.and_then(|t| DateTime::parse_from_rfc3339(&t).ok()).map_or(now, |t| t.with_timezone(&Utc));
                let retry_after_secs = (oldest + limit.window() - now).num_seconds().max(1) as u64;
                return Err(AppError::Throttled { retry_after_secs, limit: *limit });
            }
        }
        let mut reservation = Reservation::default();
        for (limit, key) in keys {
            let (id,): (i64,) = sqlx::query_as("INSERT INTO attempts (scope, key, at) VALUES (?, ?, ?) RETURNING id")
                .bind(limit.scope)
                .bind(key)
                .bind(now.to_rfc3339())
                .fetch_one(&mut *tx)
                .await?;
            reservation.ids.push(id);
        }
        tx.commit().await?;
        Ok(reservation)
    }

    /// Gives back a reservation: the attempt succeeded, or the secret could not be checked.
    pub async fn release_attempts(&self, reservation: Reservation) -> Result<(), AppError> {
        for id in reservation.ids {
            sqlx::query("DELETE FROM attempts WHERE id = ?").bind(id).execute(self.pool()).await?;
        }
        Ok(())
    }

    /// Forgets every attempt under `(limit, key)`: the right password clears the username's failures.
    pub async fn clear_attempts(&self, limit: Limit, key: &str) -> Result<(), AppError> {
        sqlx::query("DELETE FROM attempts WHERE scope = ? AND key = ?")
            .bind(limit.scope)
            .bind(key)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}
