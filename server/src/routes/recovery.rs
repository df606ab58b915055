//! Getting back in without losing anything: a coordinator issues a one-time reset code (like an
//! invitation: hashed, expiring, limited, audited); the user sets a new password with it and is signed
//! in; a device locked with the old password opens its data key with its recovery secret (given only
//! to a signed-in session of its own user) and wraps it again with the new password, so what it has
//! not sent survives.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::cookie::CookieJar;
use chrono::Duration;
use dsr_shared::accounts::{
    DeviceRecovery, RESET_CODE_HOURS, ResetCodeCreated, ResetPassword, SessionInfo, normalise_invite_code,
    normalise_username,
};
use dsr_shared::api::ApiError;
use dsr_shared::{ClientId, UserId, ValidationErrors};
use rand::RngCore;

use crate::AppState;
use crate::audit_store::AuditEvent;
use crate::auth::{self, CurrentUser};
use crate::error::{ApiJson, ApiPath, AppError};
use crate::limits::{self, ClientAddr};

#[utoipa::path(post, path = "/users/{id}/reset-code", tag = "accounts",
    params(("id" = UserId, Path, description = "The account that cannot sign in")),
    responses(
        (status = 201, description = "The one-time code to pass on (shown once); any earlier unused code stops working", body = ResetCodeCreated),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "Not a DSR coordinator", body = ApiError),
        (status = 404, description = "No such user in this area", body = ApiError),
        (status = 422, description = "The account is closed, still has its invitation open, or is the coordinator's own", body = ApiError),
    ))]
pub async fn reset_code(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(id): ApiPath<UserId>,
) -> Result<(StatusCode, ApiJson<ResetCodeCreated>), AppError> {
    user.require_coordinator()?;
    let target = state.store.user_in_area(&user.area_id, id).await?;
    let mut errors = ValidationErrors::new();
    errors.require(id == user.id, "id", "You cannot reset your own password; ask another coordinator");
    errors.require(target.disabled, "id", "This account is closed: it cannot be opened again with a code");
    errors.require(
        target.password_hash.is_none(),
        "id",
        "This family member has not used their invitation yet: give them a new invitation instead",
    );
    errors.into_result()?;
    let code = super::users::one_time_code();
    let now = state.clock.now();
    let expires = now + Duration::hours(RESET_CODE_HOURS);
    state.store.create_reset(id, user.id, &auth::token_hash(&code), now, expires).await?;
    let event = AuditEvent::by(&user, "user.reset_code").detail(format!("account {id}"));
    state.store.audit(&event, now).await?;
    let created = ResetCodeCreated {
        user: state.store.user_summary(&user.area_id, id).await?,
        code,
        expires_on: dsr_shared::calendar::date_in_england(expires),
    };
    Ok((StatusCode::CREATED, ApiJson(created)))
}

#[utoipa::path(post, path = "/password-reset", tag = "accounts",
    security(()),
    request_body = ResetPassword,
    responses(
        (status = 200, description = "The new password is set and the user is signed in", body = SessionInfo),
        (status = 400, description = "The body is not valid JSON", body = ApiError),
        (status = 413, description = "The body is larger than the server accepts", body = ApiError),
        (status = 415, description = "The body is not sent as JSON", body = ApiError),
        (status = 422, description = "The code is not right for this username, used or expired; or the password needs attention", body = ApiError),
        (status = 429, description = "Too many codes that were not right from this client: wait (Retry-After)", body = ApiError),
        (status = 503, description = "Too many passwords being set at once: try again shortly (Retry-After)", body = ApiError),
    ))]
pub async fn reset_password(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(request): ApiJson<ResetPassword>,
) -> Result<(CookieJar, ApiJson<SessionInfo>), AppError> {
    request.validate()?;
    let username = normalise_username(&request.username);
    let now = state.clock.now();
    let code_hash = auth::token_hash(&normalise_invite_code(&request.code));
    let code = super::users::CodeUse {
        limit: limits::RESET_PER_CLIENT,
        wrong: "This code is not right for this username, has been used already or has expired. Check both, or ask your DSR coordinator for a new one.",
        password: request.password.clone(),
    };
    let id = code
        .set_password(
            &state,
            &client,
            async || state.store.reset_is_open(&code_hash, &username, now).await,
            async |hash: String| state.store.reset_password(&code_hash, &username, &hash, now).await,
        )
        .await?;
    let (jar, info) = super::session::start_session(&state, &headers, jar, id, "password.reset").await?;
    Ok((jar, ApiJson(info)))
}

#[utoipa::path(put, path = "/devices/{client_id}/recovery", tag = "session",
    params(("client_id" = ClientId, Path, description = "This device's client id (as it syncs)")),
    responses(
        (status = 200, description = "A new recovery secret for this device's new data key (replacing any before)", body = DeviceRecovery),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "The account has been closed", body = ApiError),
    ))]
pub async fn new_device_recovery(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(client): ApiPath<ClientId>,
) -> Result<ApiJson<DeviceRecovery>, AppError> {
    let mut random = [0u8; 32];
    rand::rng().fill_bytes(&mut random);
    let secret: String = random.iter().map(|b| format!("{b:02x}")).collect();
    state.store.set_device_recovery(user.id, client, &secret, state.clock.now()).await?;
    Ok(ApiJson(DeviceRecovery { secret }))
}

#[utoipa::path(get, path = "/devices/{client_id}/recovery", tag = "session",
    params(("client_id" = ClientId, Path, description = "This device's client id (as it syncs)")),
    responses(
        (status = 200, description = "The device's recovery secret, to open its data after a password reset (audited)", body = DeviceRecovery),
        (status = 401, description = "Not signed in", body = ApiError),
        (status = 403, description = "The account has been closed", body = ApiError),
        (status = 404, description = "This user has no recovery secret for that device", body = ApiError),
    ))]
pub async fn device_recovery(
    State(state): State<AppState>,
    user: CurrentUser,
    ApiPath(client): ApiPath<ClientId>,
) -> Result<ApiJson<DeviceRecovery>, AppError> {
    let Some(secret) = state.store.device_recovery(user.id, client).await? else {
        return Err(AppError::NotFound(
            "This device has no way to open its data after a reset: sign out of it and sign in again".into(),
        ));
    };
    let event = AuditEvent::by(&user, "device.recover").detail(format!("device {client}"));
    state.store.audit(&event, state.clock.now()).await?;
    Ok(ApiJson(DeviceRecovery { secret }))
}
