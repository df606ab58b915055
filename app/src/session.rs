//! Signing in and out on this device: a first sign-in makes the device's data key (wrapped by the
//! password), opening the app again asks for the password to unlock it (offline too), and signing out
//! deletes everything the device holds.

use dsr_shared::accounts::SessionInfo;
use leptos::prelude::*;
use leptos::task::spawn_local;

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

/// At start: is someone's data here (locked), or nobody's?
pub fn start(state: AppState) {
    spawn_local(async move {
        let session = match local_store::lock().await {
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

/// After the server accepted the password (sign-in or invitation): a new data key for this device,
/// wrapped by the password, then the app opens.
pub async fn signed_in(
    state: AppState,
    info: &SessionInfo,
    username: &str,
    password: &str,
) -> Result<(), SessionError> {
    let key = crypto::new_data_key(password).await?;
    let lock = Lock {
        user_id: info.user.id.to_string(),
        username: username.trim().to_lowercase(),
        display_name: info.user.display_name.clone(),
        role: info.user.role,
        area_name: info.area.name.clone(),
        key,
        young_person: info.user.young_person,
    };
    local_store::set_lock(&lock).await?;
    open(state, lock).await
}

/// Opens the data with the password (no network needed).
pub async fn unlock(state: AppState, lock: Lock, password: &str) -> Result<(), SessionError> {
    crypto::unlock(&lock.key, password).await?;
    open(state, lock).await
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
