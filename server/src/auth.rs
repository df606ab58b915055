//! Who is asking: passwords (argon2id), session tokens in an HttpOnly, SameSite=Strict cookie, and the
//! [`CurrentUser`] extractor every protected handler takes, so a handler cannot forget to ask.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Argon2, password_hash::rand_core::OsRng};
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

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes), off the async threads.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| AppError::Corrupt(format!("cannot hash a password: {e}")))
    })
    .await
    .map_err(|e| AppError::Corrupt(format!("password hashing stopped: {e}")))?
}

/// Checks a password against a stored hash. With no hash (unknown user, invite not accepted) it still
/// does the work of one check, so a wrong username takes as long as a wrong password.
pub async fn verify_password(stored: Option<String>, password: String) -> bool {
    tokio::task::spawn_blocking(move || {
        let argon2 = Argon2::default();
        match stored.as_deref().map(PasswordHash::new) {
            Some(Ok(hash)) => argon2.verify_password(password.as_bytes(), &hash).is_ok(),
            _ => {
                let salt = SaltString::generate(&mut OsRng);
                let _ = argon2.hash_password(password.as_bytes(), &salt);
                false
            }
        }
    })
    .await
    .unwrap_or(false)
}

/// Password hashing within a memory budget: each argon2 check takes 19 MiB, so at most `permits` run
/// at once; a request that cannot start one within [`PasswordWork::WAIT`] is answered 503 with
/// `Retry-After` instead of queueing without end (60 parallel anonymous sign-ins once took the server
/// from 161 MB to 1.25 GB).
#[derive(Debug, Clone)]
pub struct PasswordWork {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
}

impl PasswordWork {
    /// How long a request waits for a turn before being told to come back.
    pub const WAIT: std::time::Duration = std::time::Duration::from_secs(5);

    /// At most `at_once` checks at a time (at least one).
    pub fn new(at_once: usize) -> Self {
        Self { permits: std::sync::Arc::new(tokio::sync::Semaphore::new(at_once.max(1))), wait: Self::WAIT }
    }

    /// Waits at most `wait` for a turn.
    pub fn with_wait(mut self, wait: std::time::Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Takes every turn at once, while the permit is held (tests: the server made as busy as it gets).
    pub fn take_every_turn(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        let all = u32::try_from(self.permits.available_permits()).ok()?;
        self.permits.clone().try_acquire_many_owned(all).ok()
    }

    /// One check per processor, between 2 and 4: the budget is then at most 76 MiB.
    pub fn for_this_machine() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, usize::from).clamp(2, 4))
    }

    async fn turn(&self) -> Result<tokio::sync::OwnedSemaphorePermit, AppError> {
        match tokio::time::timeout(self.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(AppError::Busy { retry_after_secs: 2 }),
        }
    }

    /// [`hash_password`], within the budget.
    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        let _permit = self.turn().await?;
        hash_password(password).await
    }

    /// [`verify_password`], within the budget.
    pub async fn verify(&self, stored: Option<String>, password: String) -> Result<bool, AppError> {
        let _permit = self.turn().await?;
        Ok(verify_password(stored, password).await)
    }
}

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

    #[tokio::test]
    async fn a_password_checks_against_its_hash_and_nothing_else() {
        let hash = hash_password("correct horse battery".into()).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(Some(hash.clone()), "correct horse battery".into()).await);
        assert!(!verify_password(Some(hash), "correct horse batterY".into()).await);
        assert!(!verify_password(None, "anything at all".into()).await);
    }

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
