//! `/api/audit`: the audit trail for coordinators (per person, per user, CSV export), and the reads
//! devices record while offline.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use dsr_shared::accounts::{AuditEntry, ViewEvents};
use dsr_shared::api::ApiError;
use dsr_shared::{PersonId, UserId, ValidationErrors};
use serde::Deserialize;

use crate::AppState;
use crate::audit_store::{AuditEvent, AuditFilter, ViewsRecorded, to_csv};
use crate::auth::CurrentUser;
use crate::error::{ApiJson, ApiQuery, AppError};

const DEFAULT_ENTRIES: u32 = 500;
const MAX_ENTRIES: u32 = 100_000;
/// At most this many device-reported reads at once.
pub const MAX_VIEW_EVENTS: usize = 500;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries about this person.
    person_id: Option<PersonId>,
    /// Only entries by this user.
    user_id: Option<UserId>,
    /// At most this many, newest first (default 500).
    limit: Option<u32>,
}

async fn entries(
    state: &AppState,
    user: &CurrentUser,
    query: &AuditQuery,
    action: &'static str,
) -> Result<Vec<AuditEntry>, AppError> {
    user.require_coordinator()?;
    let limit = query.limit.unwrap_or(DEFAULT_ENTRIES);
    let mut errors = ValidationErrors::new();
    errors.require(
        !(1..=MAX_ENTRIES).contains(&limit),
        "limit",
        &format!("The limit must be between 1 and {MAX_ENTRIES}"),
    );
    errors.into_result()?;
    if let Some(id) = query.user_id {
        state.store.user_in_area(&user.area_id, id).await?;
    }
    if let Some(person) = query.person_id
        && !state.store.person_known_in_area(&user.area_id, person).await?
    {
        return Err(AppError::NotFound("There is no such person in your area".into()));
    }
    let filter = AuditFilter { person: query.person_id, user: query.user_id };
    let found = state.store.audit_entries(&user.area_id, filter, limit).await?;
    // Reading the trail is itself recorded (the entries show what was done to a person).
    let mut event = AuditEvent::by(user, action).detail(match query.user_id {
        Some(id) => format!("entries by user {id}"),
        None => "entries".to_string(),
    });
    event.person_id = query.person_id;
    state.store.audit(&event, state.clock.now()).await?;
    Ok(found)
}

#[utoipa::path(get, path = "/audit", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "Audit entries of the coordinator's area, newest first", body = Vec<AuditEntry>),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 404, description = "No such user or person in this area", body = ApiError),
        (status = 422, description = "The limit is not between 1 and 100,000", body = ApiError),
    ))]
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<ApiJson<Vec<AuditEntry>>, AppError> {
    Ok(ApiJson(entries(&state, &user, &query, "audit.read").await?))
}

#[utoipa::path(get, path = "/audit/export", tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "The same entries as CSV, oldest first", content_type = "text/csv", body = String),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 404, description = "No such user or person in this area", body = ApiError),
        (status = 422, description = "The limit is not between 1 and 100,000", body = ApiError),
    ))]
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<impl IntoResponse, AppError> {
    let found = entries(&state, &user, &query, "audit.export").await?;
    let name = match (query.person_id, query.user_id) {
        (Some(p), _) => format!("audit-person-{p}.csv"),
        (None, Some(u)) => format!("audit-user-{u}.csv"),
        (None, None) => "audit.csv".to_string(),
    };
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        to_csv(&found)?,
    ))
}

#[utoipa::path(post, path = "/audit/views", tag = "audit",
    request_body = ViewEvents,
    responses(
        (status = 200, description = "Recorded, the reads that could have happened: of a person the user may read now or was sent before, \
            on the user's own device, dated between the device's sign-in and now. The others are counted as refused (and the refusal \
            is audited); the answer does not depend on whether a person id exists. Events sent before are not recorded again", body = ViewsRecorded),
        (status = 400, description = "The body is not valid JSON", body = ApiError),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "The account has been closed", body = ApiError),
        (status = 413, description = "The body is larger than the server accepts", body = ApiError),
        (status = 415, description = "The body is not sent as JSON", body = ApiError),
        (status = 422, description = "Too many events at once, or a screen not in the list", body = ApiError),
    ))]
pub async fn views(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiJson(request): ApiJson<ViewEvents>,
) -> Result<ApiJson<ViewsRecorded>, AppError> {
    let mut errors = ValidationErrors::new();
    errors.require(
        request.events.len() > MAX_VIEW_EVENTS,
        "events",
        &format!("Send at most {MAX_VIEW_EVENTS} events at once"),
    );
    errors.into_result()?;
    let answer = state
        .store
        .audit_device_views(
            &user,
            &request.client_id.to_string(),
            &request.events,
            state.clock.now(),
            state.clock.today(),
        )
        .await?;
    Ok(ApiJson(answer))
}
