//! `GET /api/health`: the server and its database answer. Public (a load balancer asks it), so it says
//! no more than that, and whether the data is the fictional demo (the app shows a banner then): no
//! version, no counts, no names.

use axum::extract::State;
use dsr_shared::api::Health;

use crate::AppState;
use crate::error::{ApiJson, AppError};

#[utoipa::path(get, path = "/health", tag = "system",
    security(()),
    responses(
        (status = 200, description = "The server and its database answer", body = Health),
        (status = 500, description = "The database does not answer", body = dsr_shared::api::ApiError),
    ))]
pub async fn health(State(state): State<AppState>) -> Result<ApiJson<Health>, AppError> {
    state.store.ping().await?;
    Ok(ApiJson(Health { status: "ok".into(), demo: state.demo }))
}
