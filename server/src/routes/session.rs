//! `/api/session`: sign in (password, throttled), who am I, sign out.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::cookie::CookieJar;
use chrono::Duration;
use dsr_shared::ValidationErrors;
use dsr_shared::accounts::{LoginRequest, SessionInfo, normalise_username};
use dsr_shared::api::ApiError;

use crate::AppState;
use crate::audit_store::AuditEvent;
use crate::auth::{self, CurrentUser};
use crate::error::{ApiJson, AppError};

/// Wrong passwords allowed for one username within [`THROTTLE_MINUTES`] before sign-in pauses.
pub const MAX_FAILURES: u32 = 5;
pub const THROTTLE_MINUTES: i64 = 15;

#[utoipa::path(post, path = "/session/login", tag = "session",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie (HttpOnly, SameSite=Strict) is set", body = SessionInfo),
        (status = 401, description = "The username or password is not right", body = ApiError),
        (status = 403, description = "The account has been closed", body = ApiError),
        (status = 422, description = "Username or password missing", body = ApiError),
        (status = 429, description = "Too many wrong passwords for this username: wait (Retry-After)", body = ApiError),
    ))]
pub async fn login(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<(CookieJar, ApiJson<SessionInfo>), AppError> {
    let username = normalise_username(&request.username);
    let mut errors = ValidationErrors::new();
    errors.require(username.is_empty(), "username", "Enter your username");
    errors.require(request.password.is_empty(), "password", "Enter your password");
    errors.require(request.password.chars().count() > 1000, "password", "That password is too long");
    errors.into_result()?;

    let now = state.clock.now();
    let (failures, last) = state.store.login_failures(&username, now - Duration::minutes(THROTTLE_MINUTES)).await?;
    if failures >= MAX_FAILURES {
        let until = last.unwrap_or(now) + Duration::minutes(THROTTLE_MINUTES);
        return Err(AppError::Throttled { retry_after_secs: (until - now).num_seconds().max(1) as u64 });
    }
    let user = state.store.user_by_username(&username).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    if !auth::verify_password(hash, request.password).await {
        state.store.record_login_failure(&username, now).await?;
        let event = AuditEvent {
            action: "session.login_failed",
            area_id: user.as_ref().map(|u| u.area_id.clone()),
            user_id: user.as_ref().map(|u| u.id),
            detail: Some(if user.is_some() { "wrong password" } else { "unknown username" }.into()),
            ..AuditEvent::default()
        };
        state.store.audit(&event, now).await?;
        return Err(AppError::unauthorized("wrong_credentials", "The username or password is not right"));
    }
    let Some(user) = user else {
        return Err(AppError::unauthorized("wrong_credentials", "The username or password is not right"));
    };
    if user.disabled {
        return Err(AppError::BadRequest {
            status: StatusCode::FORBIDDEN,
            code: "account_disabled",
            message: "This account has been closed. Ask your DSR coordinator if you need access.".into(),
        });
    }
    state.store.clear_login_failures(&username).await?;
    let (jar, info) = start_session(&state, &headers, jar, user.id, "session.login").await?;
    Ok((jar, ApiJson(info)))
}

/// Opens a session for a user who has just proved who they are: the cookie and what the app needs.
pub async fn start_session(
    state: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
    user: dsr_shared::UserId,
    action: &'static str,
) -> Result<(CookieJar, SessionInfo), AppError> {
    let now = state.clock.now();
    let token = auth::new_token();
    let hash = auth::token_hash(&token);
    state.store.create_session(&hash, user, now, state.session_lifetime).await?;
    let Some(found) = state.store.session_user(&hash).await? else {
        return Err(AppError::Corrupt("a session just made is missing".into()));
    };
    state.store.audit(&AuditEvent::by(&found.user, action), now).await?;
    let secure = auth::is_secure(headers, state.secure_cookies);
    let jar = jar.add(auth::session_cookie(token, state.session_lifetime.num_seconds(), secure));
    let info = session_info(state, &found.user).await?;
    Ok((jar, info))
}

async fn session_info(state: &AppState, user: &CurrentUser) -> Result<SessionInfo, AppError> {
    Ok(SessionInfo {
        user: state.store.user_summary(&user.area_id, user.id).await?,
        area: state.store.area(&user.area_id).await?,
        expires_at: user.expires_at,
    })
}

#[utoipa::path(get, path = "/session", tag = "session",
    responses(
        (status = 200, description = "The signed-in user, their area and when the session ends", body = SessionInfo),
        (status = 401, description = "Not signed in, or the session has ended", body = ApiError),
        (status = 403, description = "The account has been closed: delete this device's copy", body = ApiError),
    ))]
pub async fn current(State(state): State<AppState>, user: CurrentUser) -> Result<ApiJson<SessionInfo>, AppError> {
    Ok(ApiJson(session_info(&state, &user).await?))
}

#[utoipa::path(post, path = "/session/logout", tag = "session",
    responses((status = 204, description = "Signed out (the session ends on the server, the cookie is removed)")))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    user: Option<CurrentUser>,
) -> Result<(StatusCode, CookieJar), AppError> {
    if let Some(user) = user {
        state.store.delete_session(&user.session_hash).await?;
        state.store.audit(&AuditEvent::by(&user, "session.logout"), state.clock.now()).await?;
    }
    let jar = jar.add(auth::expired_session_cookie(auth::is_secure(&headers, state.secure_cookies)));
    Ok((StatusCode::NO_CONTENT, jar))
}
