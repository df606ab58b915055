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
    let response = state.store.push(&user, request, state.clock.now(), state.clock.today()).await?;
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

/// The longest one announcement stream lasts: the browser then connects again, through sign-in, so
/// a session that ended stops hearing announcements within this time.
const EVENTS_FOR_AT_MOST: std::time::Duration = std::time::Duration::from_secs(300);
/// A comment sent this often keeps proxies from closing a quiet stream.
const EVENTS_KEEP_ALIVE: std::time::Duration = std::time::Duration::from_secs(20);
/// How long a browser waits before connecting again after the stream ends or drops.
const EVENTS_RETRY: std::time::Duration = std::time::Duration::from_secs(2);

#[utoipa::path(get, path = "/sync/events", tag = "sync",
    responses(
        (status = 200, description = "A stream of server-sent events (`text/event-stream`). The first event, `changes` with data `connected`, comes at once: pull then, to catch up. Each later `changes` event (data: the newest change number, or 0 when only who may see what changed) says that something changed in the area: pull. An event carries no record and no name; the pull decides what this user may see. The stream ends after at most five minutes and when the server stops; the browser connects again by itself.", content_type = "text/event-stream", body = String),
        (status = 401, description = "Not signed in, or the session has ended", body = ApiError),
        (status = 403, description = "The account has been closed", body = ApiError),
    ))]
pub async fn events(
    State(state): State<AppState>,
    user: CurrentUser,
) -> axum::response::sse::Sse<
    impl futures_util::Stream<Item = Result<axum::response::sse::Event, std::convert::Infallible>>,
> {
    use axum::response::sse::{Event, KeepAlive, Sse};
    use futures_util::StreamExt;
    use tokio_stream::wrappers::BroadcastStream;

    let area: std::sync::Arc<str> = user.area_id.as_str().into();
    // Subscribed before the first event is sent, so nothing committed after it is missed.
    let announcements = BroadcastStream::new(state.store.changes().subscribe()).filter_map(move |heard| {
        let event = match heard {
            Ok(announcement) if announcement.area_id == area => Some(announcement.change_seq.to_string()),
            Ok(_) => None,
            // Fell behind: one event stands for all that were missed.
            Err(_lagged) => Some("0".to_string()),
        };
        std::future::ready(event.map(|data| Ok(Event::default().event("changes").data(data))))
    });
    let connected = Event::default().event("changes").data("connected").retry(EVENTS_RETRY);
    let stopping = state.store.changes().stopping();
    let stream =
        futures_util::stream::once(std::future::ready(Ok(connected))).chain(announcements).take_until(async move {
            tokio::select! {
                () = tokio::time::sleep(EVENTS_FOR_AT_MOST) => {}
                () = stopping => {}
            }
        });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(EVENTS_KEEP_ALIVE))
}
