//! `/api/sync`: push a device's changes, pull everything after a cursor, list open conflicts.
//! The promises are in `../shared/handbook/sync.md`; the logic is `dsr_shared::sync::push`.

use axum::extract::State;
use dsr_shared::api::ApiError;
use dsr_shared::sync::{Conflict, PullResponse, PushRequest, PushResponse};
use dsr_shared::{ClientId, ValidationErrors};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{ApiJson, ApiQuery, AppError};
use crate::sync_store::PullRequest;

/// At most this many mutations in one push.
pub const MAX_MUTATIONS_PER_PUSH: usize = 1000;
/// Push bodies may be this large (a thousand ~4 KB mutations).
pub const MAX_PUSH_BYTES: usize = 8 * 1024 * 1024;
const DEFAULT_PULL: u32 = 500;
const MAX_PULL: u32 = 2000;

#[utoipa::path(post, path = "/sync/push", tag = "sync",
    request_body = PushRequest,
    responses(
        (status = 200, description = "One result per mutation, in order: applied, unchanged, conflict, rejected (with reasons) or gap (send again from `expected`). A resent mutation gets its stored answer with `repeated: true`. Answered only once durable.", body = PushResponse),
        (status = 400, description = "The body is not JSON", body = ApiError),
        (status = 401, description = "Not signed in, or the session has ended: sign in again (nothing on the device is lost)", body = ApiError),
        (status = 403, description = "The account has been closed, or the device belongs to another account: delete this device's copy", body = ApiError),
        (status = 413, description = "The body is too large", body = ApiError),
        (status = 422, description = "The request is malformed (too many mutations, seqs not increasing)", body = ApiError),
    ))]
pub async fn push(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<PushRequest>,
) -> Result<ApiJson<PushResponse>, AppError> {
    let mut errors = ValidationErrors::new();
    errors.require(
        request.mutations.len() > MAX_MUTATIONS_PER_PUSH,
        "mutations",
        &format!("Send at most {MAX_MUTATIONS_PER_PUSH} changes at once"),
    );
    errors.require(
        request.mutations.windows(2).any(|w| w[1].seq <= w[0].seq) || request.mutations.iter().any(|m| m.seq == 0),
        "mutations",
        "Each change's seq starts at 1 and goes up, in the order sent",
    );
    errors.into_result()?;
    let response = state.store.push(&user, &request, state.clock.now(), state.clock.today()).await?;
    Ok(ApiJson(response))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// This device's id (the one it pushes with).
    client_id: ClientId,
    /// The view number from the last pull (0 at first).
    #[serde(default)]
    view: u64,
    /// The cursor from the last pull (0 for everything).
    #[serde(default)]
    cursor: u64,
    /// At most this many changes (default 500, at most 2000).
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/sync/pull", tag = "sync",
    params(PullQuery),
    responses(
        (status = 200, description = "Changes after the cursor, in order; store `cursor` with them and pull again while `more`", body = PullResponse),
        (status = 400, description = "The client id, cursor, view or limit is missing or not a number", body = ApiError),
        (status = 401, description = "Not signed in, or the session has ended", body = ApiError),
        (status = 403, description = "The account has been closed, or the device belongs to another account", body = ApiError),
        (status = 422, description = "The limit is out of range", body = ApiError),
    ))]
pub async fn pull(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<ApiJson<PullResponse>, AppError> {
    let limit = query.limit.unwrap_or(DEFAULT_PULL);
    let mut errors = ValidationErrors::new();
    errors.require(!(1..=MAX_PULL).contains(&limit), "limit", &format!("The limit must be between 1 and {MAX_PULL}"));
    // Change numbers are stored as SQLite integers: a larger cursor is not one this server gave out.
    errors.require(query.cursor > i64::MAX as u64, "cursor", "The cursor is not one this server gave out");
    errors.require(query.view > i64::MAX as u64, "view", "The view is not one this server gave out");
    errors.into_result()?;
    let request = PullRequest { client: query.client_id, cursor: query.cursor, view_no: query.view, limit };
    Ok(ApiJson(state.store.pull(&user, request, state.clock.now(), state.clock.today()).await?))
}

#[utoipa::path(get, path = "/sync/conflicts", tag = "sync",
    responses(
        (status = 200, description = "Conflicts waiting for a person to resolve on records this user may see, oldest first", body = Vec<Conflict>),
        (status = 401, description = "Not signed in", body = ApiError),
    ))]
pub async fn conflicts(State(state): State<AppState>, user: CurrentUser) -> Result<ApiJson<Vec<Conflict>>, AppError> {
    Ok(ApiJson(state.store.open_conflicts(&user, state.clock.now(), state.clock.today()).await?))
}
