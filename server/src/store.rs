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

    /// Opens the database at `url`: `sqlite://PATH` (a file, made when missing) or
    /// `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (an existing database), and applies its backend's
    /// migrations.
    pub async fn open_url(url: &str) -> Result<Self, crate::StartError> {
        Self::with_database(open_database(url).await?).await
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

    /// Runs `work` (a write, start to end) where the database's writes are best run (see
    /// [`crate::storage::Database::writes_runtime`]; SQLite: a thread of its own). Once begun it runs
    /// to its end even if the caller goes away (a push then is applied, and its answer kept for the
    /// device's next try, as when an answer is lost on the way); a panic in it is the caller's.
    pub(crate) async fn in_writes_runtime<T: Send + 'static>(
        &self,
        work: impl std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    ) -> Result<T, AppError> {
        let Some(runtime) = self.db.writes_runtime() else { return work.await };
        match runtime.spawn(work).await {
            Ok(done) => done,
            Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
            Err(error) => Err(AppError::Unavailable(format!("the write was stopped: {error}"))),
        }
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
    /// `journal_mode` or `synchronous`; PostgreSQL: a setting, such as `synchronous_commit`).
    pub async fn setting(&self, name: &str) -> Result<String, AppError> {
        self.db.setting(name).await
    }
}

/// Opens the database at `url` (see [`Store::open_url`]) and applies its backend's migrations.
pub async fn open_database(url: &str) -> Result<Arc<dyn Database>, crate::StartError> {
    Ok(match Backend::of(url)? {
        Backend::Sqlite(path) => Arc::new(crate::storage::sqlite::SqliteDatabase::open(&path).await?),
        Backend::Postgres => Arc::new(crate::storage::postgres::PostgresDatabase::open(url).await?),
    })
}

/// Backs up the database at `url` to the new file `to` (see [`Database::backup`]), then opens the
/// backup to check it: the number of changes in its log.
pub async fn backup_database(url: &str, to: &std::path::Path) -> Result<u64, crate::StartError> {
    if to.exists() {
        return Err(crate::StartError::Admin(AppError::Conflict(format!(
            "{} exists already: a backup is written to a new file",
            to.display()
        ))));
    }
    let db = open_database(url).await?;
    let written = db.backup(to).await.map_err(crate::StartError::Admin);
    db.close().await;
    written?;
    let backup = open_database(&format!("sqlite://{}", to.display())).await?;
    let log = crate::storage::copy::table("change_log")
        .ok_or_else(|| crate::StartError::Admin(AppError::Corrupt("no change log table".into())))?;
    let changes = backup.count_rows(log).await.map_err(crate::StartError::Admin);
    backup.close().await;
    changes
}

/// Copies the database at `from` into the new, empty one at `to` (either backend to either), then
/// compares every table's count and checksum; what each table held.
pub async fn copy_database(from: &str, to: &str) -> Result<Vec<crate::storage::copy::TableCopied>, crate::StartError> {
    let (source, target) = (open_database(from).await?, open_database(to).await?);
    let copied = crate::storage::copy::copy_database(&*source, &*target).await.map_err(crate::StartError::Admin);
    source.close().await;
    target.close().await;
    copied
}

/// Which backend a database URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL server's database (the URL as given).
    Postgres,
}

impl Backend {
    /// `sqlite://PATH` (also `sqlite:PATH`; a relative path is from the working directory), or
    /// `postgres://...` / `postgresql://...`.
    pub fn of(url: &str) -> Result<Self, crate::StartError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Backend::Postgres);
        }
        let path = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"));
        match path.map(|p| p.split('?').next().unwrap_or(p)) {
            Some(path) if !path.is_empty() => Ok(Backend::Sqlite(path.into())),
            _ => Err(crate::StartError::DatabaseUrl(redacted(url))),
        }
    }
}

/// A database URL without its password (for messages and logs).
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***@{}", &url[..scheme], &url[at + 1..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_url_names_its_backend() {
        assert_eq!(Backend::of("sqlite://data/dsr.sqlite3").ok(), Some(Backend::Sqlite("data/dsr.sqlite3".into())));
        assert_eq!(
            Backend::of("sqlite:///srv/dsr.sqlite3?mode=rwc").ok(),
            Some(Backend::Sqlite("/srv/dsr.sqlite3".into()))
        );
        assert_eq!(Backend::of("postgres://dsr@db.example/dsr").ok(), Some(Backend::Postgres));
        assert_eq!(Backend::of("postgresql://dsr@db.example/dsr").ok(), Some(Backend::Postgres));
        for wrong in ["mysql://x/y", "sqlite://", "data/dsr.sqlite3", ""] {
            assert!(matches!(Backend::of(wrong), Err(crate::StartError::DatabaseUrl(_))), "{wrong}");
        }
    }

    #[test]
    fn a_database_urls_password_is_never_shown() {
        assert_eq!(redacted("postgres://dsr:secret@db:5432/dsr"), "postgres://dsr:***@db:5432/dsr");
        assert_eq!(redacted("postgres://dsr@db/dsr"), "postgres://dsr@db/dsr");
        assert_eq!(redacted("sqlite://data/dsr.sqlite3"), "sqlite://data/dsr.sqlite3");
    }
}
