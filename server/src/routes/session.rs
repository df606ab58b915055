//! `/api/session`: sign in (password, throttled), who am I, sign out.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum_extra::extract::cookie::CookieJar;
use dsr_shared::ValidationErrors;
use dsr_shared::accounts::{LoginRequest, SessionInfo, normalise_username};
use dsr_shared::api::ApiError;

use crate::AppState;
use crate::audit_store::AuditEvent;
use crate::auth::{self, CurrentUser};
use crate::error::{ApiJson, AppError};
use crate::limits::{self, ClientAddr};

/// A password longer than this is refused before it is hashed.
pub const MAX_PASSWORD_BYTES: usize = 1024;

#[utoipa::path(post, path = "/session/login", tag = "session",
    security(()),
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: the session cookie (HttpOnly, SameSite=Strict) is set", body = SessionInfo),
        (status = 400, description = "The body is not valid JSON", body = ApiError),
        (status = 401, description = "The username or password is not right, or the account is closed (the same answer for each)", body = ApiError),
        (status = 413, description = "The body is larger than the server accepts", body = ApiError),
        (status = 415, description = "The body is not sent as JSON", body = ApiError),
        (status = 422, description = "Username or password missing or too long, or the body lacks a field", body = ApiError),
        (status = 429, description = "Too many wrong passwords for this username, or from this client: wait (Retry-After)", body = ApiError),
        (status = 503, description = "Too many sign-ins being checked at once: try again shortly (Retry-After)", body = ApiError),
    ))]
pub async fn login(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    jar: CookieJar,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<(CookieJar, ApiJson<SessionInfo>), AppError> {
    let username = normalise_username(&request.username);
    let mut errors = ValidationErrors::new();
    dsr_shared::accounts::check_typed_username(&mut errors, "username", &username);
    errors.require(request.password.is_empty(), "password", "Enter your password");
    errors.require(request.password.len() > MAX_PASSWORD_BYTES, "password", "That password is too long");
    errors.into_result()?;

    let now = state.clock.now();
    // Reserved before the password is checked: of parallel attempts, only as many as the limit are checked.
    let reservation = state
        .store
        .reserve_attempts(&[(limits::SIGN_IN_PER_USERNAME, &username), (limits::SIGN_IN_PER_CLIENT, &client.0)], now)
        .await?;
    let user = state.store.user_by_username(&username).await?;
    let hash = user.as_ref().and_then(|u| u.password_hash.clone());
    let right = match state.passwords.verify(hash, request.password).await {
        Ok(right) => right,
        Err(busy) => {
            // Not checked: it does not count against anyone.
            state.store.release_attempts(reservation).await?;
            return Err(busy);
        }
    };
    // A closed account answers a right password as it answers a wrong one (and it counts as a failure).
    let Some(user) = user.as_ref().filter(|u| right && !u.disabled) else {
        let known = user;
        let event = AuditEvent {
            action: "session.login_failed",
            area_id: known.as_ref().map(|u| u.area_id.clone()),
            user_id: known.as_ref().map(|u| u.id),
            detail: Some(
                match &known {
                    None => "unknown username",
                    Some(u) if u.disabled && right => "closed account",
                    Some(_) => "wrong password",
                }
                .into(),
            ),
            ..AuditEvent::default()
        };
        state.store.audit(&event, now).await?;
        return Err(AppError::unauthorized(
            "wrong_credentials",
            "The username or password is not right. If your account has been closed, ask your DSR coordinator.",
        ));
    };
    state.store.clear_attempts(limits::SIGN_IN_PER_USERNAME, &username).await?;
    state.store.release_attempts(reservation).await?;
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
    security(()),
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
