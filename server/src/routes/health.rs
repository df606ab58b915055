//! `GET /api/health`: readiness, whether the server and its database answer (503 when the database does
//! not within a few seconds, so a load balancer sends no one here). Public (a load balancer asks it), so
//! it says no more than that, and whether the data is the fictional demo (the app shows a banner then):
//! no version, no counts, no names.

use std::time::Duration;

use axum::extract::State;
use dsr_shared::api::Health;

use crate::AppState;
use crate::error::{ApiJson, AppError};

/// How long the database has to answer before the server says it is not ready.
const DATABASE_ANSWERS_WITHIN: Duration = Duration::from_secs(3);

#[utoipa::path(get, path = "/health", tag = "system",
    security(()),
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 503, description = "The database does not answer (within 3 s): not ready; `Retry-After` says when to ask again", body = dsr_shared::api::ApiError),
    ))]
pub async fn health(State(state): State<AppState>) -> Result<ApiJson<Health>, AppError> {
    tokio::time::timeout(DATABASE_ANSWERS_WITHIN, state.store.ping())
        .await
        .map_err(|_| AppError::Unavailable(format!("no answer within {DATABASE_ANSWERS_WITHIN:?}")))??;
    Ok(ApiJson(Health { status: "ok".into(), demo: state.demo }))
}
