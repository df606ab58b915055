//! The storage interface: everything the server keeps goes through [`Database`] and the
//! [`Transaction`] it begins. A transaction's operations are split by aggregate, a trait each
//! ([`SyncStorage`], [`AccountStorage`], [`SessionStorage`], [`AuditStorage`], [`PolicyStorage`],
//! [`ReferralStorage`], [`RetentionStorage`]), and return named rows of domain types; what to do with
//! them (the push core in `dsr_shared`, access, policy) is written once, in [`crate::Store`], for every
//! backend. Each backend (`sqlite`, one day `postgres`) has its own SQL and its own migrations.

mod accounts;
mod audit;
mod columns;
pub mod copy;
mod policy;
pub(crate) mod postgres;
mod referrals;
mod retention;
mod rows;
mod sessions;
pub(crate) mod sqlite;
mod sync;

pub use accounts::AccountStorage;
pub use audit::AuditStorage;
pub use policy::PolicyStorage;
pub use referrals::ReferralStorage;
pub use retention::RetentionStorage;
pub use rows::*;
pub use sessions::SessionStorage;
pub use sync::SyncStorage;

use crate::AppError;

/// How long a write waits for its turn (each backend's writes take turns) before it is answered 503,
/// as a pool's acquire timeout would.
const LONGEST_WAIT_FOR_TURN: std::time::Duration = std::time::Duration::from_secs(30);

/// Waits for a write's turn, at most [`LONGEST_WAIT_FOR_TURN`].
pub(crate) async fn wait_for_turn<T>(turn: impl std::future::Future<Output = T>) -> Result<T, AppError> {
    tokio::time::timeout(LONGEST_WAIT_FOR_TURN, turn)
        .await
        .map_err(|_| AppError::Unavailable(format!("no turn to write within {} s", LONGEST_WAIT_FOR_TURN.as_secs())))
}

/// Why a request made once the database is closed (the server stopping) is answered 503.
pub(crate) const CLOSED: &str = "the database is closed";

/// What a transaction will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Reads only.
    Read,
    /// Reads and writes, as one: all or nothing, writers one at a time where the change log needs it
    /// (its numbers are given in commit order without gaps), durable before `commit` returns.
    Write,
}

/// A database the server keeps its data in.
#[async_trait::async_trait]
pub trait Database: copy::TableCopy + Send + Sync + std::fmt::Debug {
    /// Which backend this is (`sqlite`, `postgres`).
    fn backend(&self) -> &'static str;

    /// Where writes that take turns are best run, if anywhere in particular: SQLite's writes take
    /// turns on one connection, each statement a hop between the caller's task and the connection's
    /// thread, and a turn holds every other writer back until it ends; run among the server's other
    /// tasks (HTTP, JSON), each hop of a turn waits behind them. `None`: wherever the caller is.
    fn writes_runtime(&self) -> Option<tokio::runtime::Handle> {
        None
    }

    /// Begins a transaction. Dropping it without [`Transaction::commit`] undoes its writes.
    async fn begin(&self, mode: Mode) -> Result<Box<dyn Transaction>, AppError>;

    /// Answers when the database answers.
    async fn ping(&self) -> Result<(), AppError>;

    /// Closes every connection (the server is stopping): later requests are answered 503.
    async fn close(&self);

    /// Writes a consistent copy of the whole database, taken while it is in use, to the new file `to`
    /// (SQLite: `VACUUM INTO`). PostgreSQL is backed up with its own tools (`pg_dump`): refused.
    async fn backup(&self, to: &std::path::Path) -> Result<(), AppError>;

    /// A setting of the database as text, for tests and diagnostics (SQLite's pragmas such as
    /// `journal_mode` and `synchronous`; PostgreSQL's settings such as `synchronous_commit`).
    async fn setting(&self, name: &str) -> Result<String, AppError>;
}

/// One transaction, with every aggregate's operations.
#[async_trait::async_trait]
pub trait Transaction:
    SyncStorage + AccountStorage + SessionStorage + AuditStorage + PolicyStorage + ReferralStorage + RetentionStorage + Send
{
    /// Makes the transaction's writes durable, then returns.
    async fn commit(self: Box<Self>) -> Result<(), AppError>;
}

/// A JSON value as stored.
pub(crate) fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Corrupt(format!("cannot encode: {e}")))
}

/// A stored JSON value; `what` names it in the error.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> Result<T, AppError> {
    serde_json::from_str(text).map_err(|e| AppError::Corrupt(format!("{what}: {e}")))
}

/// A stored time (RFC 3339); `what` names it in the error.
pub(crate) fn from_time(text: &str, what: &str) -> Result<chrono::DateTime<chrono::Utc>, AppError> {
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| AppError::Corrupt(format!("{what}: {text}")))
}

/// A stored id; `what` names it in the error.
pub(crate) fn from_id<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, AppError> {
    text.parse().map_err(|_| AppError::Corrupt(format!("{what} {text}")))
}
