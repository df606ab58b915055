//! The PostgreSQL backend, for deployments that outgrow one machine (several areas, high
//! availability, managed backups). A write transaction first locks the change log's counter row, so
//! writers take turns as on SQLite: the log's numbers are given in commit order with no gaps, and
//! what a transaction checks stays true until it commits. Uniqueness is kept by constraints; the
//! change log, the audit trail and the policies' versions are append-only by triggers; a commit
//! returns once it is durable (`synchronous_commit` on, PostgreSQL's default). Its migrations are in
//! `server/migrations/postgres`.

mod accounts;
mod audit;
mod copy;
mod policy;
mod referrals;
mod retention;
mod sessions;
mod sync;

use std::sync::Arc;
use std::time::Duration;

use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{PgConnection, Postgres};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{CLOSED, Database, Mode, Transaction, wait_for_turn};
use crate::AppError;

/// Connections in the pool: one writes at a time (see the module's words), the others read.
const CONNECTIONS: u32 = 8;

/// A PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresDatabase {
    pool: PgPool,
    /// This process's writes, one at a time, in the order they asked (tokio's semaphore is fair).
    writers: Arc<Semaphore>,
}

impl PostgresDatabase {
    /// Connects (`postgres://user:password@host:port/database`) and applies the migrations.
    pub async fn open(url: &str) -> Result<Self, crate::StartError> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(CONNECTIONS)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options.application_name("dsr-server"))
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool, writers: Arc::new(Semaphore::new(1)) })
    }
}

#[async_trait::async_trait]
impl Database for PostgresDatabase {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn begin(&self, mode: Mode) -> Result<Box<dyn Transaction>, AppError> {
        let (connection, turn) = match mode {
            Mode::Read => (Connection::Plain(self.pool.acquire().await?), None),
            Mode::Write => {
                let turn = wait_for_turn(self.writers.clone().acquire_owned())
                    .await?
                    .map_err(|_| AppError::Unavailable(CLOSED.into()))?;
                let mut transaction = self.pool.begin().await?;
                sqlx::query("SELECT last FROM change_counter WHERE id = 1 FOR UPDATE")
                    .execute(&mut *transaction)
                    .await?;
                (Connection::Transaction(transaction), Some(turn))
            }
        };
        Ok(Box::new(PostgresTransaction { connection, _turn: turn }))
    }

    async fn ping(&self) -> Result<(), AppError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    async fn close(&self) {
        self.writers.close();
        self.pool.close().await;
    }

    async fn backup(&self, _to: &std::path::Path) -> Result<(), AppError> {
        Err(AppError::BadRequest {
            status: axum::http::StatusCode::BAD_REQUEST,
            code: "backup_with_pg_dump",
            message: "Back up a PostgreSQL database with pg_dump (pg_dump --format=custom --file=dsr.dump URL) and \
                      restore it with pg_restore (see the README)"
                .into(),
        })
    }

    async fn setting(&self, name: &str) -> Result<String, AppError> {
        let (value,): (String,) = sqlx::query_as("SELECT current_setting($1)").bind(name).fetch_one(&self.pool).await?;
        Ok(value)
    }
}

enum Connection {
    Plain(PoolConnection<Postgres>),
    Transaction(sqlx::Transaction<'static, Postgres>),
}

/// A transaction on the PostgreSQL database (for [`Mode::Read`], a connection of its own).
pub struct PostgresTransaction {
    connection: Connection,
    /// A write's turn, held until it commits or is dropped (after its connection is given back).
    _turn: Option<OwnedSemaphorePermit>,
}

impl PostgresTransaction {
    fn db(&mut self) -> &mut PgConnection {
        match &mut self.connection {
            Connection::Plain(connection) => connection,
            Connection::Transaction(transaction) => transaction,
        }
    }
}

#[async_trait::async_trait]
impl Transaction for PostgresTransaction {
    async fn commit(self: Box<Self>) -> Result<(), AppError> {
        if let Connection::Transaction(transaction) = self.connection {
            transaction.commit().await?;
        }
        Ok(())
    }
}

/// Ids as text, for `= ANY($n)`.
fn texts<T: ToString>(ids: impl IntoIterator<Item = T>) -> Vec<String> {
    ids.into_iter().map(|id| id.to_string()).collect()
}
