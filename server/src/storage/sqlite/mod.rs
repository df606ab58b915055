//! The SQLite backend (the default: one file in the data directory, nothing to run). WAL mode with
//! `synchronous=FULL`, so an answered write survives a power cut. Writes take turns on one connection,
//! in order, sharing commits with the writes queued behind them ([`group_commit`]), so the change
//! log's numbers are given in commit order without gaps; reads use a pool of other connections; the
//! log is checkpointed on a connection of its own ([`checkpoints`]). Its migrations are in
//! `server/migrations/sqlite`.

mod accounts;
mod audit;
mod checkpoints;
mod copy;
mod group_commit;
mod policy;
mod referrals;
mod retention;
mod sessions;
mod sync;

#[cfg(test)]
pub(crate) use group_commit::WRITES_THREAD;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Sqlite, SqliteConnection};

use super::{Database, Mode, Transaction};
use crate::AppError;

/// A SQLite database file.
#[derive(Clone)]
pub struct SqliteDatabase {
    /// Reads (and `copy-database`'s writes into a new database).
    pool: SqlitePool,
    /// The server's writes, in turn.
    writer: Arc<group_commit::Writer>,
    /// Checkpoints, off the writer's path.
    checkpoints: Arc<checkpoints::Checkpoints>,
}

impl std::fmt::Debug for SqliteDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteDatabase").field("pool", &self.pool).finish_non_exhaustive()
    }
}

impl SqliteDatabase {
    /// Opens the database file (creating it when missing) and applies the migrations.
    pub async fn open(path: &Path) -> Result<Self, crate::StartError> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options.clone()).await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let checkpoints = checkpoints::Checkpoints::start(options.connect().await?, path);
        // A write's savepoint keeps the pages it changes in a journal of its own, which SQLite spills to a
        // new temporary file past 64 KiB (a push of ten records with their audit entries does, at times:
        // about 57 files created and deleted a second under load); in memory, never.
        let writer_options = options
            .pragma("wal_autocheckpoint", checkpoints::BACKSTOP_PAGES.to_string())
            .pragma("temp_store", "memory");
        let writer = group_commit::Writer::new(writer_options.connect().await?, checkpoints.clone());
        Ok(Self { pool, writer, checkpoints })
    }
}

#[async_trait::async_trait]
impl Database for SqliteDatabase {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn writes_runtime(&self) -> Option<tokio::runtime::Handle> {
        group_commit::writes_runtime()
    }

    async fn begin(&self, mode: Mode) -> Result<Box<dyn Transaction>, AppError> {
        let connection = match mode {
            // Reads need no transaction: each statement reads a consistent state.
            Mode::Read => Connection::Plain(self.pool.acquire().await?),
            Mode::Write => Connection::Turn(self.writer.begin().await?),
        };
        Ok(Box::new(SqliteTransaction { connection }))
    }

    async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writer.close().await;
        self.checkpoints.stop();
        self.pool.close().await;
    }

    async fn backup(&self, to: &Path) -> Result<(), AppError> {
        let to = to.to_str().ok_or_else(|| AppError::BadRequest {
            status: axum::http::StatusCode::BAD_REQUEST,
            code: "backup_path",
            message: format!("{} is not a path SQLite can be given", to.display()),
        })?;
        sqlx::query("VACUUM INTO ?").bind(to).execute(&self.pool).await?;
        Ok(())
    }

    async fn setting(&self, name: &str) -> Result<String, AppError> {
        if !name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
            return Err(AppError::Corrupt(format!("not a pragma name: {name}")));
        }
        let row: (String,) =
            sqlx::query_as(&format!("SELECT CAST({name} AS TEXT) FROM pragma_{name}")).fetch_one(&self.pool).await?;
        Ok(row.0)
    }
}

enum Connection {
    Plain(PoolConnection<Sqlite>),
    Turn(group_commit::Turn),
}

/// A transaction on the SQLite database (for [`Mode::Read`], a connection of its own).
pub struct SqliteTransaction {
    connection: Connection,
}

impl SqliteTransaction {
    fn db(&mut self) -> &mut SqliteConnection {
        match &mut self.connection {
            Connection::Plain(connection) => connection,
            Connection::Turn(turn) => turn.connection(),
        }
    }
}

#[async_trait::async_trait]
impl Transaction for SqliteTransaction {
    async fn commit(self: Box<Self>) -> Result<(), AppError> {
        if let Connection::Turn(turn) = self.connection {
            turn.commit().await?;
        }
        Ok(())
    }
}

/// How many rows of `columns` values one statement may carry: well under SQLite's limit of 32,766
/// parameters, and a statement a row or a thousand alike (a statement costs a round trip).
fn rows_per_statement(columns: usize) -> usize {
    (30_000 / columns).max(1)
}

/// The steps of SQLite's plan for `sql` (its parameters left unbound: a plan does not depend on them),
/// on a new database with every migration: for tests that a read finds its rows by the index meant.
#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
async fn query_plan(sql: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let db = SqliteDatabase::open(&dir.path().join("dsr.sqlite3")).await.unwrap_or_else(|e| panic!("{e}"));
    let plan: Vec<(i64, i64, i64, String)> = sqlx::query_as(&format!("EXPLAIN QUERY PLAN {sql}"))
        .fetch_all(&db.pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    db.close().await;
    plan.into_iter().map(|(_, _, _, detail)| detail).collect()
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    /// The writer's savepoint journals stay in memory (no temporary file made and deleted for a large
    /// write); the readers keep SQLite's default.
    #[tokio::test]
    async fn the_writer_keeps_its_savepoint_journals_in_memory() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let db = SqliteDatabase::open(&dir.path().join("dsr.sqlite3")).await.unwrap_or_else(|e| panic!("{e}"));
        let mut turn = db.writer.begin().await.unwrap_or_else(|e| panic!("{e}"));
        let (store,): (i64,) =
            sqlx::query_as("PRAGMA temp_store").fetch_one(turn.connection()).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(store, 2, "temp_store = MEMORY on the writer");
        drop(turn);
        db.close().await;
    }
}
