//! Checkpoints off the writers' path. In WAL mode a commit appends pages to the write-ahead log, and
//! the log is copied back into the database file by a checkpoint. Left to SQLite, the connection whose
//! commit takes the log past 1,000 pages runs that checkpoint inside its commit (copying some 4 MB and
//! syncing the database file), and every write in its group waits for it: under load, one commit in
//! thirty took 5-16 ms instead of 0.8, and they held the writer for over a quarter of its commit time.
//!
//! So the writer's own checkpoints are left for a log grown far past that ([`BACKSTOP_PAGES`]: should
//! this task fall behind or stop), and a task of its own, on a connection of its own, runs a passive
//! checkpoint (it never waits for readers or the writer, and writers go on appending meanwhile) after
//! commits: about every [`PAGES`] pages written, as SQLite's own, judged by the pages the last one
//! found in the log, never more often than every [`SOONEST`] nor, with anything committed, less often
//! than every [`LATEST`] (each checkpoint syncs the database file, so not one after every commit: a
//! browser's initial sync commits a pull ten times a second). Nothing about
//! durability changes: a commit is durable in the log (`synchronous=FULL`) before it is answered,
//! whether or not it has been checkpointed.

use std::sync::Arc;
use std::time::Duration;

use sqlx::SqliteConnection;
use tokio::sync::{Notify, watch};

/// The writer checkpoints by itself only past this many pages in the log (about 40 MB).
pub(super) const BACKSTOP_PAGES: u32 = 10_000;
/// About this many pages in the log between checkpoints (SQLite's own default).
const PAGES: i64 = 1_000;
/// Never two checkpoints closer than this.
const SOONEST: Duration = Duration::from_millis(100);
/// Nor, with something committed, further apart than this (at 7,000 pages a second, a busy moment of
/// the load benchmark, the log stays under the backstop).
const LATEST: Duration = Duration::from_secs(1);

/// Tells the checkpoint task that something was committed; counts its checkpoints.
#[derive(Debug)]
pub(super) struct Checkpoints {
    committed: Notify,
    stopping: Notify,
    /// Checkpoints run so far (for tests: a wait on a count only a checkpoint raises).
    done: watch::Sender<u64>,
}

impl Checkpoints {
    /// Starts the task on `connection` (its own: a checkpoint holds it while it copies).
    pub(super) fn start(connection: SqliteConnection) -> Arc<Self> {
        let checkpoints =
            Arc::new(Checkpoints { committed: Notify::new(), stopping: Notify::new(), done: watch::Sender::new(0) });
        tokio::spawn(run(checkpoints.clone(), connection));
        checkpoints
    }

    /// Something was committed: a checkpoint is due (the task runs one when its interval allows).
    pub(super) fn committed(&self) {
        self.committed.notify_one();
    }

    /// Ends the task (its connection closed; SQLite checkpoints at the last connection's close).
    pub(super) fn stop(&self) {
        self.stopping.notify_one();
    }

    /// The count of checkpoints run, to wait on.
    #[cfg(test)]
    pub(super) fn done(&self) -> watch::Receiver<u64> {
        self.done.subscribe()
    }
}

/// How long to wait before the next checkpoint, this one having found `pages` pages written in `took`
/// (since the one before): long enough for about [`PAGES`] more at that rate.
fn until_next(took: Duration, pages: i64) -> Duration {
    took.mul_f64(PAGES as f64 / pages.max(1) as f64).clamp(SOONEST, LATEST)
}

async fn run(checkpoints: Arc<Checkpoints>, mut connection: SqliteConnection) {
    let mut since = std::time::Instant::now();
    loop {
        tokio::select! {
            () = checkpoints.stopping.notified() => break,
            () = checkpoints.committed.notified() => {}
        }
        let took = since.elapsed();
        since = std::time::Instant::now();
        // A passive checkpoint copies what no reader still needs; what it cannot copy now, a later one does.
        let found: Result<(i64, i64, i64), _> =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut connection).await;
        let pages = match found {
            Ok((_, pages, _)) => pages,
            Err(error) => {
                tracing::warn!(%error, "checkpoint failed (the writer checkpoints by itself past {BACKSTOP_PAGES} pages)");
                PAGES
            }
        };
        checkpoints.done.send_modify(|done| *done += 1);
        tokio::select! {
            () = checkpoints.stopping.notified() => break,
            () = tokio::time::sleep(until_next(took, pages)) => {}
        }
    }
    sqlx::Connection::close(connection).await.ok();
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::storage::sqlite::SqliteDatabase;

    /// About every 1,000 pages at the rate the last interval saw, within 100 ms and 1 s.
    #[test]
    fn checkpoints_come_about_every_thousand_pages() {
        let second = Duration::from_secs(1);
        assert_eq!(until_next(second, 10_000), Duration::from_millis(100));
        assert_eq!(until_next(second, 4_000), Duration::from_millis(250));
        assert_eq!(until_next(Duration::from_millis(500), 1_000), Duration::from_millis(500));
        assert_eq!(until_next(second, 10), second);
        assert_eq!(until_next(Duration::from_secs(60), 0), second);
    }

    /// The writer leaves checkpoints to the task (its own only past the backstop), and the task keeps
    /// the log short: eight writes of about 2 MB each, and the log never holds much more than one of
    /// them (left to the backstop it would hold all 16 MB); everything written is there to read.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_log_is_checkpointed_off_the_writers_path() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("dsr.sqlite3");
        let db = SqliteDatabase::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
        sqlx::query("CREATE TABLE scratch (n INTEGER PRIMARY KEY, text TEXT NOT NULL)")
            .execute(&db.pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let wal = dir.path().join("dsr.sqlite3-wal");
        let mut largest = 0;
        for _ in 0..8 {
            let mut done = db.checkpoints.done();
            let before = *done.borrow_and_update();
            let mut turn = db.writer.begin().await.unwrap_or_else(|e| panic!("{e}"));
            let (backstop,): (i64,) = sqlx::query_as("PRAGMA wal_autocheckpoint")
                .fetch_one(turn.connection())
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(backstop, i64::from(BACKSTOP_PAGES), "the writer checkpoints by itself only past the backstop");
            sqlx::query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000)
                 INSERT INTO scratch (text) SELECT hex(randomblob(1000)) FROM c",
            )
            .execute(turn.connection())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            turn.commit().await.unwrap_or_else(|e| panic!("{e}"));
            // A checkpoint begun after this commit (the one it asked for) has run.
            tokio::time::timeout(Duration::from_secs(60), done.wait_for(|done| *done > before))
                .await
                .unwrap_or_else(|_| panic!("no checkpoint after a commit within 60 s"))
                .unwrap_or_else(|e| panic!("{e}"));
            largest = largest.max(std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0));
        }
        assert!(largest < 6_000_000, "the log grew to {largest} bytes: not checkpointed");
        let (rows,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM scratch").fetch_one(&db.pool).await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(rows, 8_000);
        db.writer.close().await;
    }
}
