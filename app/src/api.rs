//! The typed client of the server's JSON API (`/api`, described at `/api/openapi.json`).

use dsr_shared::api::{ApiError, Health};
use dsr_shared::sync::{PullResponse, PushRequest, PushResponse};
use gloo_net::http::{Request, Response};
use serde::de::DeserializeOwned;

/// Why a call did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiFailure {
    /// No answer: offline, or the server is down. Try again later.
    #[error("cannot reach the server")]
    Unreachable,
    /// The server refused the request (4xx): it will not succeed as it is.
    #[error("{}", .0.message)]
    Refused(ApiError),
    /// The server failed (5xx) or answered something this app does not understand. Try again later.
    #[error("the server had a problem: {0}")]
    Server(String),
}

async fn read<T: DeserializeOwned>(response: Result<Response, gloo_net::Error>) -> Result<T, ApiFailure> {
    let response = response.map_err(|_| ApiFailure::Unreachable)?;
    let status = response.status();
    if response.ok() {
        return response.json::<T>().await.map_err(|e| ApiFailure::Server(e.to_string()));
    }
    match response.json::<ApiError>().await {
        Ok(error) if (400..500).contains(&status) => Err(ApiFailure::Refused(error)),
        Ok(error) => Err(ApiFailure::Server(error.message)),
        Err(_) => Err(ApiFailure::Server(format!("status {status}"))),
    }
}

pub async fn health() -> Result<Health, ApiFailure> {
    read(Request::get("/api/health").send().await).await
}

pub async fn push(request: &PushRequest) -> Result<PushResponse, ApiFailure> {
    let request = Request::post("/api/sync/push").json(request).map_err(|e| ApiFailure::Server(e.to_string()))?;
    read(request.send().await).await
}

pub async fn pull(cursor: u64, limit: u32) -> Result<PullResponse, ApiFailure> {
    read(Request::get(&format!("/api/sync/pull?cursor={cursor}&limit={limit}")).send().await).await
}
