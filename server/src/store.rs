//! The server's operations on what it keeps: each a transaction on the [`Database`] (SQLite by
//! default), written once for every backend in terms of the storage interface (`crate::storage`).
//! The files `*_store.rs` hold them by subject.

use std::path::Path;
use std::sync::Arc;

use crate::AppError;
use crate::storage::{Database, Mode, Transaction};

#[derive(Debug, Clone)]
pub struct Store {
    db: Arc<dyn Database>,
    /// Told after every commit that adds to the change log (or changes who sees what) in an area.
    changes: crate::announce::Announcer,
}

impl Store {
    /// Opens the SQLite database file (creating it when missing) in WAL mode with
    /// `synchronous=FULL`, so an answered write survives a power cut, and applies the migrations.
    pub async fn open(path: &Path) -> Result<Self, crate::StartError> {
        let db = crate::storage::sqlite::SqliteDatabase::open(path).await?;
        Self::with_database(Arc::new(db)).await
    }

    /// The store over an opened database (migrated).
    pub async fn with_database(db: Arc<dyn Database>) -> Result<Self, crate::StartError> {
        let store = Self { db, changes: crate::announce::Announcer::new() };
        store.fill_match_keys().await.map_err(crate::StartError::Storage)?;
        Ok(store)
    }

    /// A transaction that only reads.
    pub(crate) async fn read(&self) -> Result<Box<dyn Transaction>, AppError> {
        self.db.begin(Mode::Read).await
    }

    /// A transaction that writes: all or nothing, durable once committed.
    pub(crate) async fn write(&self) -> Result<Box<dyn Transaction>, AppError> {
        self.db.begin(Mode::Write).await
    }

    /// Where changes in an area are announced (to devices listening on `/api/sync/events`).
    pub fn changes(&self) -> &crate::announce::Announcer {
        &self.changes
    }

    /// Which database this is (`sqlite`, `postgres`).
    pub fn backend(&self) -> &'static str {
        self.db.backend()
    }

    /// Answers when the database answers.
    pub async fn ping(&self) -> Result<(), AppError> {
        self.db.ping().await
    }

    /// Closes every connection (the server is stopping): later requests are answered 503.
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// A setting of the database, for tests and diagnostics (SQLite: a pragma's value, such as
    /// `journal_mode` or `synchronous`).
    pub async fn pragma(&self, name: &str) -> Result<String, AppError> {
        self.db.setting(name).await
    }
}
