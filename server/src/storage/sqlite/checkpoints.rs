//! Checkpoints off the writers' path. In WAL mode a commit appends pages to the write-ahead log, and
//! the log is copied back into the database file by a checkpoint. Left to SQLite, the connection whose
//! commit takes the log past 1,000 pages runs that checkpoint inside its commit (copying some 4 MB and
//! syncing the database file), and every write in its group waits for it: under load, one commit in
//! thirty took 5-16 ms instead of 0.8, and they held the writer for over a quarter of its commit time.
//!
//! So the writer's own checkpoints are left for a log grown far past that ([`BACKSTOP_PAGES`]: should
//! this task fall behind or stop), and a task of its own, on a connection of its own, runs a passive
//! checkpoint (it never waits for readers or the writer, and writers go on appending meanwhile) once
//! about [`PAGES`] pages are waiting to be copied, as SQLite's own, never more often than every
//! [`SOONEST`], and, with fewer waiting, once [`LATEST`] has passed (each checkpoint syncs the
//! database file, so not one after every commit: a browser's initial sync commits a pull ten times a
//! second). How many are waiting it reads after each commit from the log's index, the `-shm` file
//! ([`waiting_pages`]). Nothing about durability changes: a commit is durable in the log
//! (`synchronous=FULL`) before it is answered, whether or not it has been checkpointed.
//!
//! Until session 28 the task guessed instead, from the pages the last checkpoint found and how long
//! since the one before: after a quiet moment it found none and waited the full second, and a burst of
//! large pushes (500 people each, ~800 pages a commit) took the log past the backstop meanwhile, so the
//! writer copied ~10,000 pages inside one commit (173 ms, while its push waited).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::SqliteConnection;
use tokio::sync::{Notify, watch};

/// The writer checkpoints by itself only past this many pages in the log (about 40 MB).
pub(super) const BACKSTOP_PAGES: u32 = 10_000;
/// A checkpoint once about this many pages wait to be copied (SQLite's own default).
const PAGES: u32 = 1_000;
/// Never two checkpoints closer than this.
const SOONEST: Duration = Duration::from_millis(100);
/// Nor, with fewer pages waiting, further apart than this.
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
    /// Starts the task on `connection` (its own: a checkpoint holds it while it copies) to the database
    /// file `database`.
    pub(super) fn start(connection: SqliteConnection, database: &std::path::Path) -> Arc<Self> {
        let checkpoints =
            Arc::new(Checkpoints { committed: Notify::new(), stopping: Notify::new(), done: watch::Sender::new(0) });
        let mut index = database.as_os_str().to_owned();
        index.push("-shm");
        tokio::spawn(run(checkpoints.clone(), connection, PathBuf::from(index)));
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

/// Pages committed to the log and not yet copied into the database file, as the log's index (`index`,
/// the `-shm` file beside the database, kept open) says: its header's `mxFrame` (the last frame
/// committed; at byte 16) less its checkpoint information's `nBackfill` (the frames copied; at byte
/// 96), each a 32-bit number in the machine's byte order (<https://www.sqlite.org/walformat.html>,
/// unchanged since WAL came in 2010). Read without SQLite's locks: a value caught mid-update only moves
/// a checkpoint a commit sooner or later. `None` when it cannot be read (then a commit since the last
/// checkpoint is taken as [`PAGES`] waiting, and none as nothing).
fn waiting_pages(mut index: &std::fs::File) -> Option<u32> {
    use std::io::{Read, Seek, SeekFrom};
    let mut header = [0u8; 100];
    index.seek(SeekFrom::Start(0)).ok()?;
    index.read_exact(&mut header).ok()?;
    let number = |at: usize| header.get(at..at + 4).and_then(|b| b.try_into().ok()).map(u32::from_ne_bytes);
    Some(number(16)?.saturating_sub(number(96)?))
}

/// How long until the next checkpoint is due, `waiting` pages being in the log and `since` having
/// passed since the last: none when it is due now, `None` when nothing waits.
fn due_in(waiting: u32, since: Duration) -> Option<Duration> {
    match waiting {
        0 => None,
        waiting if waiting < PAGES => Some(LATEST.saturating_sub(since)),
        _ => Some(SOONEST.saturating_sub(since)),
    }
}

async fn run(checkpoints: Arc<Checkpoints>, mut connection: SqliteConnection, index: PathBuf) {
    let mut last = Instant::now();
    let mut committed = false;
    // Opened once (it lasts while any connection is open, this task's own among them); again after a failed read.
    let mut file = None;
    loop {
        if file.is_none() {
            file = std::fs::File::open(&index).ok();
        }
        let read = file.as_ref().and_then(waiting_pages);
        if read.is_none() {
            file = None;
        }
        let waiting = read.unwrap_or(if committed { PAGES } else { 0 });
        let wait = due_in(waiting, last.elapsed());
        if wait != Some(Duration::ZERO) {
            // Not due: looked at again after the next commit, or when it falls due.
            tokio::select! {
                biased;
                () = checkpoints.stopping.notified() => break,
                () = checkpoints.committed.notified() => committed = true,
                () = tokio::time::sleep(wait.unwrap_or_default()), if wait.is_some() => {}
            }
            continue;
        }
        (last, committed) = (Instant::now(), false);
        // A passive checkpoint copies what no reader still needs; what it cannot copy now, a later one does.
        let done: Result<(i64, i64, i64), _> =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(&mut connection).await;
        if let Err(error) = done {
            tracing::warn!(%error, "checkpoint failed (the writer checkpoints by itself past {BACKSTOP_PAGES} pages)");
        }
        checkpoints.done.send_modify(|done| *done += 1);
    }
    sqlx::Connection::close(connection).await.ok();
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::storage::sqlite::SqliteDatabase;
    use sqlx::{ConnectOptions, Connection};

    /// Due once 1,000 pages wait and 100 ms have passed since the last; with fewer waiting, once a
    /// second has; with none, not at all.
    #[test]
    fn a_checkpoint_is_due_every_thousand_pages_or_every_second() {
        let ms = Duration::from_millis;
        assert_eq!(due_in(0, ms(5_000)), None, "nothing waits");
        assert_eq!(due_in(1, ms(0)), Some(ms(1_000)));
        assert_eq!(due_in(999, ms(400)), Some(ms(600)));
        assert_eq!(due_in(999, ms(1_500)), Some(ms(0)));
        assert_eq!(due_in(1_000, ms(30)), Some(ms(70)));
        assert_eq!(due_in(10_000, ms(100)), Some(ms(0)));
        // After a quiet minute a burst is checkpointed at once, not a second later.
        assert_eq!(due_in(2_400, ms(60_000)), Some(ms(0)));
    }

    /// What the log's index says waits is what a checkpoint then finds and copies; after it, none.
    #[tokio::test]
    async fn the_pages_waiting_are_read_from_the_logs_index() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("dsr.sqlite3");
        let index = dir.path().join("dsr.sqlite3-shm");
        assert!(std::fs::File::open(&index).is_err(), "no index yet");
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .pragma("wal_autocheckpoint", "0");
        let mut writer = options.connect().await.unwrap_or_else(|e| panic!("{e}"));
        let mut checkpointer = options.connect().await.unwrap_or_else(|e| panic!("{e}"));
        let checkpoint = async |connection: &mut SqliteConnection| -> (i64, i64, i64) {
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(connection)
                .await
                .unwrap_or_else(|e| panic!("{e}"))
        };
        checkpoint(&mut checkpointer).await;
        let index = std::fs::File::open(&index).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(waiting_pages(&index), Some(0));
        sqlx::query("CREATE TABLE scratch (text TEXT NOT NULL)")
            .execute(&mut writer)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        for rows in [1, 500, 1_000] {
            let before = waiting_pages(&index).unwrap_or_else(|| panic!("no index"));
            sqlx::query(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?)
                 INSERT INTO scratch (text) SELECT hex(randomblob(1000)) FROM c",
            )
            .bind(rows)
            .execute(&mut writer)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            let waiting = waiting_pages(&index).unwrap_or_else(|| panic!("no index"));
            // About two rows of 2,000 bytes a page.
            assert!(waiting > before + rows / 2, "{rows} rows: {before} then {waiting} pages waiting");
        }
        let waiting = waiting_pages(&index).unwrap_or_else(|| panic!("no index"));
        let (busy, in_log, copied) = checkpoint(&mut checkpointer).await;
        assert_eq!((busy, in_log, copied), (0, i64::from(waiting), i64::from(waiting)));
        assert_eq!(waiting_pages(&index), Some(0), "all copied");
        writer.close().await.ok();
        checkpointer.close().await.ok();
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
