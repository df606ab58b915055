//! Signing in and out on this device: a first sign-in makes the device's data key (wrapped by the
//! password), opening the app again asks for the password to unlock it (offline too), and signing out
//! deletes everything the device holds.

use dsr_shared::accounts::SessionInfo;
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::cell::Cell;

use dsr_shared::accounts::ResetPassword;

use crate::api::{self, ApiFailure};
use crate::crypto::{self, CryptoError};
use crate::local_store::{self, Lock, StoreError};
use crate::state::{AppState, Session};
use crate::sync;

#[derive(Debug, Clone, thiserror::Error)]
pub enum SessionError {
    #[error("{0}")]
    Crypto(#[from] CryptoError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// At start: is someone's data here (locked), or nobody's? Opened at once when the door has just
/// signed this user in and handed their opened key over ([`crate::door::take_handover`]).
pub fn start(state: AppState) {
    spawn_local(async move {
        let handed = crate::door::take_handover();
        let session = match local_store::lock().await {
            Ok(Some(lock)) if handed.as_ref().is_some_and(|h| h.user_id == lock.user_id) => {
                if let Some(handover) = handed {
                    crypto::adopt(handover.key);
                }
                if let Err(error) = open(state, lock.clone()).await {
                    state.storage_problem.set(Some(error.to_string()));
                    crypto::lock();
                    state.session.set(Session::Locked(lock));
                }
                return;
            }
            Ok(Some(lock)) => Session::Locked(lock),
            Ok(None) => Session::SignedOut,
            Err(error) => {
                state.storage_problem.set(Some(error.to_string()));
                Session::SignedOut
            }
        };
        state.session.set(session);
    });
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum RecoveryError {
    #[error("{0}")]
    Server(ApiFailure),
    #[error(
        "This device was locked before it could be opened with a reset code. Your password is changed: sign in with it on another device, or sign out of this one (what it has not sent is lost)."
    )]
    NoRecovery,
    #[error("The reset code is for another account than the one this device belongs to")]
    OtherAccount,
    #[error("{0}")]
    Session(#[from] SessionError),
}

impl From<CryptoError> for RecoveryError {
    fn from(e: CryptoError) -> Self {
        RecoveryError::Session(SessionError::Crypto(e))
    }
}

impl From<StoreError> for RecoveryError {
    fn from(e: StoreError) -> Self {
        RecoveryError::Session(SessionError::Store(e))
    }
}

/// A new recovery secret from the server for this device (`None` when it cannot be had now: the data
/// key is then wrapped by the password alone, and gets a recovery wrap at a later unlock).
async fn new_recovery_secret() -> Option<Vec<u8>> {
    let client = local_store::client_id().await.ok()?;
    let answer = api::new_device_recovery(client).await.ok()?;
    crypto::secret_bytes(&answer.secret)
}

/// After the server accepted the password (sign-in or invitation): a new data key for this device,
/// wrapped by the password and the device's recovery secret, then the app opens.
pub async fn signed_in(
    state: AppState,
    info: &SessionInfo,
    username: &str,
    password: &str,
) -> Result<(), SessionError> {
    let (key, recovery) = crypto::new_data_key(password, new_recovery_secret()).await?;
    let lock = Lock {
        user_id: info.user.id.to_string(),
        username: username.trim().to_lowercase(),
        display_name: info.user.display_name.clone(),
        role: info.user.role,
        area_name: info.area.name.clone(),
        key,
        young_person: info.user.young_person,
        recovery,
    };
    local_store::set_lock(&lock).await?;
    (next().open)(state, lock).await
}

/// What a device does once someone has signed in, which differs by build: the app opens the data and
/// starts syncing ([`IN_THE_APP`]); the door, which has only the signed-out pages, hands the opened key
/// over to the app ([`crate::door`]). Pages reach these only through [`next`], so the door's build
/// holds none of the app's sync or register code.
#[derive(Clone, Copy)]
pub struct Next {
    /// The device's data opened for the signed-in user (the data key is open, the lock stored).
    pub open: fn(AppState, Lock) -> LocalBoxFuture<'static, Result<(), SessionError>>,
    /// The same person signed in again after their session ended (only the app has a user to be again).
    pub signed_in_again: fn(AppState, String) -> LocalBoxFuture<'static, ()>,
}

/// In the app: open the data, sync.
pub const IN_THE_APP: Next = Next {
    open: |state, lock| Box::pin(open(state, lock)),
    signed_in_again: |state, password| Box::pin(signed_in_again(state, password)),
};

thread_local! {
    static NEXT: Cell<Next> = const { Cell::new(IN_THE_APP_UNSET) };
}

/// Before a build says what comes next: nothing can be opened.
const IN_THE_APP_UNSET: Next = Next {
    open: |_, _| Box::pin(async { Err(SessionError::Crypto(CryptoError::Locked)) }),
    signed_in_again: |_, _| Box::pin(async {}),
};

/// Says what comes after a sign-in in this build (its `main`, before mounting).
pub fn set_next(next: Next) {
    NEXT.with(|n| n.set(next));
}

/// What comes after a sign-in in this build.
pub fn next() -> Next {
    NEXT.with(Cell::get)
}

/// The same person signed in again: carry on syncing. If their password was reset meanwhile, the
/// device's key is wrapped with the new one, for the next unlock.
async fn signed_in_again(state: AppState, password: String) {
    if let Err(error) = password_changed(state, &password).await {
        leptos::logging::warn!("the device still opens with the old password: {error}");
    }
    state.needs_sign_in.set(false);
    sync::request(state);
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign("/");
    }
}

/// Opens the data with the password (no network needed). A device locked before it had a recovery
/// wrap gets one now, when the server can be reached.
pub async fn unlock(state: AppState, mut lock: Lock, password: &str) -> Result<(), SessionError> {
    crypto::unlock(&lock.key, password).await?;
    if lock.recovery.is_none()
        && let Some(secret) = new_recovery_secret().await
        && let Ok(recovery) = crypto::recovery_wrap(&lock.key, password, &secret).await
    {
        lock.recovery = Some(recovery);
        local_store::set_lock(&lock).await?;
    }
    open(state, lock).await
}

/// The data key opened with this device's recovery secret and wrapped with `new_password` from now on
/// (the session must be the lock's user's).
async fn rewrap(lock: &mut Lock, new_password: &str) -> Result<(), RecoveryError> {
    let recovery = lock.recovery.clone().ok_or(RecoveryError::NoRecovery)?;
    let client = local_store::client_id().await?;
    let answer = api::device_recovery(client).await.map_err(|e| match e {
        ApiFailure::Refused(_) => RecoveryError::NoRecovery,
        other => RecoveryError::Server(other),
    })?;
    let secret = crypto::secret_bytes(&answer.secret).ok_or(RecoveryError::NoRecovery)?;
    lock.key = crypto::recover(&recovery, &secret, new_password).await?;
    local_store::set_lock(lock).await?;
    Ok(())
}

/// A locked device after a password reset: the code and new password sign in; the data key is opened
/// with the device's recovery secret and wrapped with the new password; nothing unsent is lost.
pub async fn reset_and_unlock(
    state: AppState,
    mut lock: Lock,
    code: &str,
    new_password: &str,
) -> Result<(), RecoveryError> {
    let request =
        ResetPassword { username: lock.username.clone(), code: code.to_string(), password: new_password.to_string() };
    let info = api::reset_password(&request).await.map_err(RecoveryError::Server)?;
    if info.user.id.to_string() != lock.user_id {
        let _ = api::logout().await;
        return Err(RecoveryError::OtherAccount);
    }
    rewrap(&mut lock, new_password).await?;
    open(state, lock).await?;
    Ok(())
}

/// Signed in again (the session had ended) with a password this device's key is not wrapped by: the
/// password was reset. The key is wrapped with the new one, so the next unlock takes it.
pub async fn password_changed(state: AppState, password: &str) -> Result<(), RecoveryError> {
    let Some(mut lock) = state.session.with_untracked(|s| s.user().cloned()) else { return Ok(()) };
    if crypto::unlock(&lock.key, password).await.is_ok() {
        return Ok(());
    }
    rewrap(&mut lock, password).await?;
    state.session.set(Session::Open(lock));
    Ok(())
}

async fn open(state: AppState, lock: Lock) -> Result<(), SessionError> {
    // Data kept from before this device encrypted is sealed now.
    local_store::seal_plaintext().await?;
    state.session.set(Session::Open(lock));
    state.needs_sign_in.set(false);
    sync::start(state);
    Ok(())
}

/// Signs out: ends the session on the server when it can be reached, deletes everything this device
/// holds, and starts afresh at the sign-in page (`ended` says why, when it was not the user's choice).
pub async fn sign_out(ended: Option<&str>) {
    crate::sync::stop_and_settle().await;
    // Offline, the server's session simply runs out.
    let _ = crate::api::logout().await;
    if let Err(error) = local_store::wipe().await {
        leptos::logging::error!("could not wipe this device: {error}");
    }
    let target = match ended {
        Some(reason) => format!("/?ended={reason}"),
        None => "/?signed_out=1".to_string(),
    };
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(&target);
    }
}
