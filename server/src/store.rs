//! The database: SQLite through sqlx. Every query the server makes is a method here, so another
//! database (PostgreSQL) can sit behind the same interface later.

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::AppError;

#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Told after every commit that adds to the change log (or changes who sees what) in an area.
    changes: crate::announce::Announcer,
}

impl Store {
    /// Opens the database file (creating it when missing) in WAL mode with `synchronous=FULL`, so an
    /// answered write survives a power cut, and applies the migrations.
    pub async fn open(path: &Path) -> Result<Self, crate::StartError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let store = Self { pool, changes: crate::announce::Announcer::new() };
        store.fill_match_keys().await.map_err(crate::StartError::Storage)?;
        Ok(store)
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Where changes in an area are announced (to devices listening on `/api/sync/events`).
    pub fn changes(&self) -> &crate::announce::Announcer {
        &self.changes
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection (the server is stopping): later requests are answered 503.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// A pragma's value, for tests and diagnostics (`journal_mode`, `synchronous`).
    pub async fn pragma(&self, name: &str) -> Result<String, AppError> {
        if !name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
            return Err(AppError::Corrupt(format!("not a pragma name: {name}")));
        }
        let row: (String,) =
            sqlx::query_as(&format!("SELECT CAST({name} AS TEXT) FROM pragma_{name}")).fetch_one(&self.pool).await?;
        Ok(row.0)
    }
}
