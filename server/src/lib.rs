//! The Dynamic Support Register's server: the app's static files, the JSON API under `/api`,
//! and the SQLite database. `main.rs` only reads configuration and calls [`AppState::open`] and [`serve`];
//! tests drive the same [`app`].

mod access_store;
mod accounts_store;
pub mod admin;
pub mod announce;
mod attempts_store;
mod audit_store;
mod auth;
mod caseload;
mod clock;
mod config;
mod demo;
mod error;
mod files_store;
pub mod limits;
mod openapi;
mod passwords;
mod policy_store;
mod purge;
mod recovery_store;
mod routes;
mod security;
mod self_referral_store;
mod state;
mod static_files;
mod storage;
mod store;
mod sync_store;

use std::future::Future;

use axum::Router;
use tower_http::trace::TraceLayer;

pub use accounts_store::NewUser;
pub use auth::{CurrentUser, SESSION_COOKIE};
pub use clock::Clock;
pub use config::Config;
pub use demo::{DEMO_CLIENT, demo_people, demo_push};
pub use error::{AppError, StartError};
pub use passwords::{PasswordWork, hash_password};
pub use purge::{PurgeReason, spawn_purge_job};
pub use routes::{MAX_BODY_BYTES, MAX_MUTATIONS_PER_PUSH, MAX_PUSH_BYTES, MAX_SELF_REFERRALS, openapi};
pub use state::AppState;
pub use store::{Store, copy_database, open_database};
pub use sync_store::PullRequest;

/// The whole HTTP application: `/api` (JSON), then the app's static files with `index.html` for app routes.
pub fn app(state: AppState) -> Router {
    let router = Router::new()
        .nest("/api", routes::api_router(state.clone()))
        .fallback_service(static_files::service(&state.static_dir));
    security::with_headers(router, &state.csp, state.secure_cookies).layer(TraceLayer::new_for_http())
}

/// Serves `app(state)` on `listener` until `shutdown` completes, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let changes = state.store.changes().clone();
    let store = state.store.clone();
    let shutdown = async move {
        shutdown.await;
        // Announcement streams never end by themselves: ended here, so the requests in flight can finish.
        changes.stop();
    };
    axum::serve(listener, app(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(StartError::Serve)?;
    // Every connection closed: the database is left whole and tidy (SQLite folds its write-ahead log in).
    store.close().await;
    tracing::info!("server stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {error}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!("cannot listen for SIGTERM: {error}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
