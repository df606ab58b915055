//! What every handler can reach.

use std::path::PathBuf;

use crate::{Clock, Config, StartError, Store, demo, security};

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    pub static_dir: PathBuf,
    pub demo: bool,
    /// The Content-Security-Policy, with the hashes of the app's inline start-up script.
    pub csp: String,
}

impl AppState {
    /// Opens (creating when missing) the data directory and database, applies migrations and,
    /// when asked, loads the demo area.
    pub async fn open(config: &Config) -> Result<Self, StartError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|source| StartError::DataDir { path: config.data_dir.clone(), source })?;
        let store = Store::open(&config.database_path()).await?;
        let clock = Clock::System;
        if config.demo {
            let response = store
                .push(&demo::demo_push(clock.today()), clock.now(), clock.today())
                .await
                .map_err(StartError::Demo)?;
            let added = response.results.iter().filter(|r| !r.repeated).count();
            tracing::info!(added, "demo area loaded: every person in it is fictional");
        }
        if !config.static_dir.join("index.html").is_file() {
            tracing::warn!(dir = %config.static_dir.display(), "no index.html: build the app with `trunk build --release`");
        }
        Ok(Self::new(store, clock, config.static_dir.clone(), config.demo))
    }

    pub fn new(store: Store, clock: Clock, static_dir: PathBuf, demo: bool) -> Self {
        let csp = security::content_security_policy(&static_dir);
        Self { store, clock, static_dir, demo, csp }
    }
}
