//! Who is asking: passwords (argon2id), session tokens in an HttpOnly, SameSite=Strict cookie, and the
//! [`CurrentUser`] extractor every protected handler takes, so a handler cannot forget to ask.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use base64::Engine;
use chrono::{DateTime, Utc};
use dsr_shared::UserId;
use dsr_shared::access::Role;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{AppError, AppState};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "dsr_session";

/// A new random token (a session, an invite): 32 bytes, URL-safe base64.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database keeps of a token: its SHA-256, so a copy of the database opens no session.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The session cookie: HttpOnly, SameSite=Strict, for the whole site, Secure when served over TLS.
pub fn session_cookie(token: String, max_age_secs: i64, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(time::Duration::seconds(max_age_secs))
        .build()
}

/// A cookie that removes the session cookie.
pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    session_cookie(String::new(), 0, secure)
}

/// Whether this request came over TLS (directly configured, or through a proxy that says so).
pub fn is_secure(parts_headers: &axum::http::HeaderMap, configured: bool) -> bool {
    configured
        || parts_headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// The signed-in user making this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: UserId,
    pub area_id: String,
    pub role: Role,
    pub display_name: String,
    pub username: String,
    pub session_hash: String,
    pub expires_at: DateTime<Utc>,
}

impl CurrentUser {
    /// Refuses (403) anyone but a coordinator.
    pub fn require_coordinator(&self) -> Result<(), AppError> {
        if self.role == Role::Coordinator {
            Ok(())
        } else {
            Err(AppError::forbidden("Only a DSR coordinator can do this"))
        }
    }

    /// The area's public self-referral form (no account): see `Store::self_referral_form`.
    pub fn is_self_referral_form(&self) -> bool {
        self.id == crate::accounts_store::self_referral_form_id()
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(token) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()).filter(|t| !t.is_empty()) else {
            return Err(AppError::unauthorized("not_signed_in", "Sign in to continue"));
        };
        let now = state.clock.now();
        match state.store.session_user(&token_hash(&token)).await? {
            None => Err(AppError::unauthorized("not_signed_in", "Sign in to continue")),
            Some(session) if session.disabled => Err(AppError::BadRequest {
                status: axum::http::StatusCode::FORBIDDEN,
                code: "account_disabled",
                message: "This account has been closed. Ask your DSR coordinator if you need access.".into(),
            }),
            Some(session) if session.user.expires_at <= now => {
                Err(AppError::unauthorized("session_expired", "Your session has ended: sign in again"))
            }
            Some(session) => Ok(session.user),
        }
    }
}

/// For handlers that work signed in or not (sign out): any problem with the session reads as none.
impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        match <CurrentUser as FromRequestParts<AppState>>::from_request_parts(parts, state).await {
            Ok(user) => Ok(Some(user)),
            Err(AppError::BadRequest { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }
}

/// A session found by its token, with whether its user has been disabled since.
#[derive(Debug, Clone)]
pub struct FoundSession {
    pub user: CurrentUser,
    pub disabled: bool,
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_only_as_hashes() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn the_cookie_is_http_only_and_strict() {
        let cookie = session_cookie("t".into(), 3600, true).to_string();
        for part in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/", "Max-Age=3600"] {
            assert!(cookie.contains(part), "{cookie}");
        }
        assert!(!session_cookie("t".into(), 3600, false).to_string().contains("Secure"));
    }
}
