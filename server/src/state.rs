//! What every handler can reach.

use std::path::PathBuf;

use crate::{Clock, Config, StartError, Store, demo, security};

/// How long a sign-in lasts unless configured.
pub const DEFAULT_SESSION_HOURS: u32 = 12;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    pub static_dir: PathBuf,
    pub demo: bool,
    /// The Content-Security-Policy, with the hashes of the app's inline start-up script.
    pub csp: String,
    /// How long a sign-in lasts.
    pub session_lifetime: chrono::Duration,
    /// Mark the session cookie Secure even without `X-Forwarded-Proto: https`.
    pub secure_cookies: bool,
    /// Trust the last `X-Forwarded-For` address as the client's (a reverse proxy in front).
    pub behind_proxy: bool,
    /// Password hashing within a memory budget.
    pub passwords: crate::passwords::PasswordWork,
}

impl AppState {
    /// Opens (creating when missing) the data directory and database, applies migrations and,
    /// when asked, loads the demo area.
    pub async fn open(config: &Config) -> Result<Self, StartError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|source| StartError::DataDir { path: config.data_dir.clone(), source })?;
        let store = Store::open_url(&config.database_url()).await?;
        tracing::info!(database = %crate::store::redacted(&config.database_url()), backend = store.backend(), "database open");
        let clock = Clock::System;
        if config.demo {
            let added = demo::load_demo(&store, &clock).await.map_err(StartError::Demo)?;
            tracing::info!(added, "demo area loaded: every person in it is fictional");
            println!("Demo area: sign in with any of these usernames and the password {}", demo::DEMO_PASSWORD);
            for (username, name, role, _) in demo::DEMO_ACCOUNTS {
                println!("  {username:<12} {name} ({})", role.label());
            }
        }
        if store.user_count().await.map_err(StartError::Store)? == 0 {
            println!(
                "No accounts yet. Make the first DSR coordinator with:\n  dsr-server create-coordinator --area \"Your area\" --username you --name \"Your Name\"\n(or ./scripts/run.sh create-coordinator ...; the password is asked for), or start with --demo for a fictional area."
            );
        }
        if !config.static_dir.join("index.html").is_file() {
            tracing::warn!(dir = %config.static_dir.display(), "no index.html: build the app with `trunk build --release`");
        }
        let mut state = Self::new(store, clock, config.static_dir.clone(), config.demo);
        state.session_lifetime = chrono::Duration::hours(i64::from(config.session_hours));
        state.secure_cookies = config.secure_cookies;
        state.behind_proxy = config.behind_proxy;
        Ok(state)
    }

    pub fn new(store: Store, clock: Clock, static_dir: PathBuf, demo: bool) -> Self {
        let csp = security::content_security_policy(&static_dir);
        Self {
            store,
            clock,
            static_dir,
            demo,
            csp,
            session_lifetime: chrono::Duration::hours(DEFAULT_SESSION_HOURS.into()),
            secure_cookies: false,
            behind_proxy: false,
            passwords: crate::passwords::PasswordWork::for_this_machine(),
        }
    }
}
