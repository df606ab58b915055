//! Group commit: SQLite has one writer at a time. Rather than every write transaction queueing for
//! SQLite's lock on a connection of its own (its busy handler sleeps and retries, up to 100 ms a
//! try, so a queue of writers is served in no order and with long gaps) and paying a durable commit
//! of its own, the server's writes take turns on one connection, in the order they asked (a fair
//! queue). Each runs inside a savepoint of a transaction shared with the writes queued behind it: the
//! shared transaction commits (durably: `synchronous=FULL`) once nobody is waiting for a turn, or it
//! has been open [`GROUP_WINDOW`], or it holds [`MOST_IN_GROUP`] writes; each write is answered only
//! after that commit.
//!
//! The code that takes the turns of the busiest writes (pushes, and pulls that send records) runs on a
//! thread of its own ([`writes_runtime`]): a turn is a dozen statements, each a hop from the task to the
//! connection's thread and back, and among the server's other tasks (200 devices' requests being read
//! and answered) every hop back waited for a worker, while every other writer waited for the turn.
//!
//! What stays true: writes are applied one at a time, in turn, so the change log's numbers are given in
//! commit order without gaps; a write's caller hears "done" only once it is durable; a write that fails
//! or is abandoned (its request dropped) is undone to its own savepoint, the others kept; a failure of
//! the shared transaction itself (its commit, or SQLite undoing it all after an I/O error) fails every
//! write in it, none of them answered as done. Reads run on other connections and see only what was
//! committed.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::SqliteConnection;
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

use super::checkpoints::Checkpoints;
use crate::AppError;
use crate::storage::{CLOSED, wait_for_turn};

/// At most this many writes share a commit.
const MOST_IN_GROUP: usize = 64;
/// A group open this long commits at its next write's end: a write waits for the writes after it in
/// its group, so a group is kept short. A commit costs about 0.9 ms and 0.55 ms more for each write's
/// pages (the load benchmark, 200 devices): at 2 ms a group held about two writes and commits took
/// 40% of the writer's time; at 10 ms about eight (25 ms carried no more). See docs/decisions/storage.md.
/// Only when writes queue: a write that finds nobody waiting commits at once.
const GROUP_WINDOW: Duration = Duration::from_millis(10);

/// Name of the thread the busiest writes run on.
pub(crate) const WRITES_THREAD: &str = "dsr-writes";

/// The runtime of one thread on which the server's busiest writes run (see the module's words): one
/// per process, as the server keeps one database. `None` (the writes then run where they are called)
/// should the thread not start.
pub(super) fn writes_runtime() -> Option<tokio::runtime::Handle> {
    static RUNTIME: std::sync::LazyLock<Option<tokio::runtime::Runtime>> = std::sync::LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name(WRITES_THREAD)
            .enable_all()
            .build()
            .inspect_err(|error| tracing::warn!(%error, "no thread of its own for writes: they run where called"))
            .ok()
    });
    RUNTIME.as_ref().map(|runtime| runtime.handle().clone())
}

/// The connection that writes, taken in turn.
pub(super) struct Writer {
    state: Arc<Mutex<WriterState>>,
    /// Writes waiting for their turn (a write that finds one waiting leaves the commit to the group).
    waiting: AtomicUsize,
    /// [`GROUP_WINDOW`] (longer in tests, so a group's size does not depend on the machine's speed).
    window: Duration,
}

struct WriterState {
    /// `None` once closed.
    connection: Option<SqliteConnection>,
    /// Told of each commit, to checkpoint off the writers' path (none in some tests).
    checkpoints: Option<Arc<Checkpoints>>,
    group: Option<Group>,
    next_group: u64,
    /// A turn ended without undoing its writes (dropped outside a runtime): undone at the next turn.
    unfinished: bool,
}

/// The shared transaction under way.
struct Group {
    id: u64,
    opened: std::time::Instant,
    /// The writes whose savepoints were released into it, waiting for its commit.
    members: Vec<oneshot::Sender<Result<(), String>>>,
    /// A task is queued to commit it after the writes waiting now.
    closer_queued: bool,
}

/// A write's turn: the writer connection, inside the write's savepoint, until [`Turn::commit`] or drop.
pub(super) struct Turn {
    guard: Option<OwnedMutexGuard<WriterState>>,
    writer: Arc<Writer>,
}

/// Counts a write as waiting until dropped (also when its request is dropped while it waits).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Runs statements in order on the writer connection.
async fn run(connection: &mut SqliteConnection, statements: &[&'static str]) -> Result<(), sqlx::Error> {
    for statement in statements {
        sqlx::query(statement).execute(&mut *connection).await?;
    }
    Ok(())
}

fn closed() -> AppError {
    AppError::Unavailable(CLOSED.into())
}

impl Writer {
    pub(super) fn new(connection: SqliteConnection, checkpoints: Arc<Checkpoints>) -> Arc<Self> {
        Self::with_window(connection, Some(checkpoints), GROUP_WINDOW)
    }

    fn with_window(connection: SqliteConnection, checkpoints: Option<Arc<Checkpoints>>, window: Duration) -> Arc<Self> {
        Arc::new(Writer {
            state: Arc::new(Mutex::new(WriterState {
                connection: Some(connection),
                checkpoints,
                group: None,
                next_group: 1,
                unfinished: false,
            })),
            waiting: AtomicUsize::new(0),
            window,
        })
    }

    /// Waits for this write's turn, then begins its savepoint (and the shared transaction, if none).
    pub(super) async fn begin(self: &Arc<Self>) -> Result<Turn, AppError> {
        let mut guard = {
            let _waiting = Waiting::new(&self.waiting);
            wait_for_turn(self.state.clone().lock_owned()).await?
        };
        if guard.unfinished {
            guard.undo_turn().await;
        }
        if guard.group.is_none() {
            let connection = guard.connection.as_mut().ok_or_else(closed)?;
            if let Err(error) = run(&mut *connection, &["BEGIN IMMEDIATE", "SAVEPOINT dsr_group"]).await {
                // Begun without its savepoint, the transaction would refuse every later BEGIN.
                guard.fail_group(&error.to_string()).await;
                return Err(error.into());
            }
            let id = guard.next_group;
            guard.next_group += 1;
            guard.group =
                Some(Group { id, opened: std::time::Instant::now(), members: Vec::new(), closer_queued: false });
        }
        let connection = guard.connection.as_mut().ok_or_else(closed)?;
        if let Err(error) = run(&mut *connection, &["SAVEPOINT dsr_write"]).await {
            guard.fail_group(&error.to_string()).await;
            return Err(error.into());
        }
        guard.unfinished = true;
        Ok(Turn { guard: Some(guard), writer: self.clone() })
    }

    /// Commits what is under way and closes the connection: later writes are answered 503.
    pub(super) async fn close(&self) {
        let mut state = self.state.lock().await;
        if state.unfinished {
            state.undo_turn().await;
        }
        if state.group.is_some() {
            state.commit_group().await;
        }
        if let Some(connection) = state.connection.take() {
            sqlx::Connection::close(connection).await.ok();
        }
    }

    /// After a turn: commits the group now when nobody waits for a turn, or it is old or full;
    /// otherwise leaves it to the writes waiting, with a task queued behind them to commit it should
    /// none of them (all of them waiting now have had their turn by then).
    async fn leave(self: &Arc<Self>, mut guard: OwnedMutexGuard<WriterState>) {
        let Some(group) = guard.group.as_mut() else { return };
        if self.waiting.load(Ordering::SeqCst) == 0
            || group.members.len() >= MOST_IN_GROUP
            || group.opened.elapsed() >= self.window
        {
            guard.commit_group().await;
        } else if !group.closer_queued {
            group.closer_queued = true;
            let id = group.id;
            let state = self.state.clone();
            tokio::spawn(async move {
                let mut state = state.lock_owned().await;
                if state.group.as_ref().is_some_and(|g| g.id == id) {
                    state.commit_group().await;
                }
            });
        }
    }
}

impl WriterState {
    /// Undoes the writes of the turn under way (its savepoint); a failure fails the whole group.
    async fn undo_turn(&mut self) {
        self.unfinished = false;
        let Some(connection) = self.connection.as_mut() else { return };
        if let Err(error) = run(&mut *connection, &["ROLLBACK TO dsr_write", "RELEASE dsr_write"]).await {
            self.fail_group(&error.to_string()).await;
        }
    }

    /// Commits the shared transaction and tells each of its writes how it went. `RELEASE dsr_group`
    /// first: should SQLite have undone the whole transaction after an error, the savepoint is gone and
    /// the group fails rather than committing nothing and answering "done".
    async fn commit_group(&mut self) {
        let Some(group) = self.group.take() else { return };
        let result = match self.connection.as_mut() {
            Some(connection) => {
                run(&mut *connection, &["RELEASE dsr_group", "COMMIT"]).await.map(|_| ()).map_err(|e| e.to_string())
            }
            None => Err(CLOSED.into()),
        };
        if result.is_err()
            && let Some(connection) = self.connection.as_mut()
        {
            run(&mut *connection, &["ROLLBACK"]).await.ok();
        }
        if result.is_ok()
            && let Some(checkpoints) = &self.checkpoints
        {
            checkpoints.committed();
        }
        for member in group.members {
            member.send(result.clone()).ok();
        }
    }

    /// Undoes the shared transaction: every write in it is told it failed.
    async fn fail_group(&mut self, error: &str) {
        self.unfinished = false;
        if let Some(connection) = self.connection.as_mut() {
            run(&mut *connection, &["ROLLBACK"]).await.ok();
        }
        if let Some(group) = self.group.take() {
            for member in group.members {
                member.send(Err(error.to_string())).ok();
            }
        }
    }
}

impl Turn {
    /// The writer connection, for this write's statements.
    pub(super) fn connection(&mut self) -> &mut SqliteConnection {
        #[allow(clippy::expect_used, reason = "a turn holds the connection from begin until it ends")]
        self.guard.as_mut().and_then(|g| g.connection.as_mut()).expect("a turn holds an open connection")
    }

    /// Keeps this write's changes (releases its savepoint into the group), then waits until the group's
    /// commit is durable.
    pub(super) async fn commit(mut self) -> Result<(), AppError> {
        let Some(mut guard) = self.guard.take() else { return Err(closed()) };
        guard.unfinished = false;
        let connection = guard.connection.as_mut().ok_or_else(closed)?;
        if let Err(error) = run(&mut *connection, &["RELEASE dsr_write"]).await {
            guard.fail_group(&error.to_string()).await;
            return Err(error.into());
        }
        let (done, committed) = oneshot::channel();
        match guard.group.as_mut() {
            Some(group) => group.members.push(done),
            None => {
                // Never expected (a turn begins inside a group): undone rather than left open.
                guard.fail_group("the write's transaction was lost").await;
                return Err(AppError::Unavailable("the write's transaction was lost".into()));
            }
        }
        self.writer.leave(guard).await;
        match committed.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(AppError::Unavailable(format!("the commit failed: {error}"))),
            Err(_) => Err(AppError::Unavailable("the commit was abandoned".into())),
        }
    }
}

impl Drop for Turn {
    /// Ended without commit (an error, or its request dropped): its savepoint is undone and the group
    /// goes on, by a task, as statements are asynchronous; outside a runtime, at the next turn.
    fn drop(&mut self) {
        let Some(guard) = self.guard.take() else { return };
        let writer = self.writer.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let mut guard = guard;
                guard.undo_turn().await;
                writer.leave(guard).await;
            });
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use sqlx::ConnectOptions;
    use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

    /// A scratch database with a table of numbered notes, a table that refers to it, and its writer.
    async fn scratch() -> (tempfile::TempDir, Arc<Writer>, SqliteConnectOptions) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let options = SqliteConnectOptions::new()
            .filename(dir.path().join("scratch.sqlite3"))
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true);
        let mut setup = options.connect().await.unwrap_or_else(|e| panic!("{e}"));
        for sql in [
            "CREATE TABLE notes (n INTEGER PRIMARY KEY, text TEXT NOT NULL)",
            "CREATE TABLE links (note INTEGER NOT NULL REFERENCES notes (n) DEFERRABLE INITIALLY DEFERRED)",
        ] {
            sqlx::query(sql).execute(&mut setup).await.unwrap_or_else(|e| panic!("{e}"));
        }
        // Groups end only when nobody waits (or at 64): which writes share one is the test's to decide.
        let writer = Writer::with_window(
            options.connect().await.unwrap_or_else(|e| panic!("{e}")),
            None,
            Duration::from_secs(3600),
        );
        (dir, writer, options)
    }

    /// What another connection reads: only what was committed.
    async fn committed(options: &SqliteConnectOptions) -> Vec<String> {
        let mut reader = options.connect().await.unwrap_or_else(|e| panic!("{e}"));
        sqlx::query_as::<_, (String,)>("SELECT text FROM notes ORDER BY n")
            .fetch_all(&mut reader)
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|(text,)| text)
            .collect()
    }

    async fn write_note(writer: &Arc<Writer>, text: &str) -> Result<(), AppError> {
        let mut turn = writer.begin().await?;
        sqlx::query("INSERT INTO notes (n, text) VALUES ((SELECT COALESCE(MAX(n), 0) + 1 FROM notes), ?)")
            .bind(text)
            .execute(turn.connection())
            .await?;
        turn.commit().await
    }

    /// Many writes at once: each is told "done" only when another connection can read it, and their
    /// numbers (read and given inside the turn, as the change log's are) have no gap or repeat.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_at_once_are_numbered_in_turn_and_read_back_once_told_done() {
        let (_dir, writer, options) = scratch().await;
        let mut tasks = Vec::new();
        for i in 0..200 {
            let writer = writer.clone();
            let options = options.clone();
            tasks.push(tokio::spawn(async move {
                let text = format!("note {i}");
                write_note(&writer, &text).await.unwrap_or_else(|e| panic!("{e}"));
                assert!(committed(&options).await.contains(&text), "{text} told done before it was committed");
            }));
        }
        for task in tasks {
            task.await.unwrap_or_else(|e| panic!("{e}"));
        }
        let mut reader = options.connect().await.unwrap_or_else(|e| panic!("{e}"));
        let numbers: Vec<(i64,)> = sqlx::query_as("SELECT n FROM notes ORDER BY n")
            .fetch_all(&mut reader)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(numbers.iter().map(|(n,)| *n).collect::<Vec<_>>(), (1..=200).collect::<Vec<_>>());
    }

    /// A turn that has written note 1 (`text`) and is held, so that writes asked for meanwhile queue
    /// behind it and share its group.
    async fn first_note_held(writer: &Arc<Writer>, text: &str) -> Turn {
        let mut first = writer.begin().await.unwrap_or_else(|e| panic!("{e}"));
        sqlx::query("INSERT INTO notes (n, text) VALUES (1, ?)")
            .bind(text)
            .execute(first.connection())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        first
    }

    /// A write that fails (or whose request is dropped) after writing is undone alone: the writes
    /// sharing its group keep theirs, and the next turn is not held up.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_ended_without_commit_is_undone_alone() {
        let (_dir, writer, options) = scratch().await;
        // The first turn is held while the others queue behind it, so they share a group.
        let first = first_note_held(&writer, "kept before").await;
        let abandoned = {
            let writer = writer.clone();
            tokio::spawn(async move {
                let mut turn = writer.begin().await.unwrap_or_else(|e| panic!("{e}"));
                sqlx::query("INSERT INTO notes (n, text) VALUES ((SELECT MAX(n) + 1 FROM notes), 'abandoned')")
                    .execute(turn.connection())
                    .await
                    .unwrap_or_else(|e| panic!("{e}"));
                drop(turn);
            })
        };
        let after = {
            let writer = writer.clone();
            tokio::spawn(async move { write_note(&writer, "kept after").await })
        };
        while writer.waiting.load(Ordering::SeqCst) < 2 {
            tokio::task::yield_now().await;
        }
        first.commit().await.unwrap_or_else(|e| panic!("{e}"));
        abandoned.await.unwrap_or_else(|e| panic!("{e}"));
        after.await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(committed(&options).await, vec!["kept before".to_string(), "kept after".to_string()]);
        // And a write alone after all that.
        write_note(&writer, "later").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(committed(&options).await.last().map(String::as_str), Some("later"));
    }

    /// When the shared commit fails (here a deferred foreign key one write broke), every write in the
    /// group is told it failed and none of it is kept; the writer goes on.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_commit_fails_every_write_in_its_group() {
        let (_dir, writer, options) = scratch().await;
        let first = first_note_held(&writer, "in the failed group").await;
        let breaking = {
            let writer = writer.clone();
            tokio::spawn(async move {
                let mut turn = writer.begin().await?;
                sqlx::query("INSERT INTO links (note) VALUES (99)").execute(turn.connection()).await?;
                turn.commit().await
            })
        };
        while writer.waiting.load(Ordering::SeqCst) < 1 {
            tokio::task::yield_now().await;
        }
        let first = first.commit();
        let (first, breaking) = tokio::join!(first, breaking);
        assert!(matches!(first, Err(AppError::Unavailable(_))), "{first:?}");
        assert!(matches!(breaking, Ok(Err(AppError::Unavailable(_)))), "{breaking:?}");
        assert!(committed(&options).await.is_empty());
        write_note(&writer, "after").await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(committed(&options).await, vec!["after".to_string()]);
    }

    /// Closing commits what was told to wait for the commit, then refuses writes (503).
    #[tokio::test]
    async fn closing_refuses_later_writes() {
        let (_dir, writer, options) = scratch().await;
        write_note(&writer, "before closing").await.unwrap_or_else(|e| panic!("{e}"));
        writer.close().await;
        assert!(matches!(writer.begin().await, Err(AppError::Unavailable(_))));
        assert_eq!(committed(&options).await, vec!["before closing".to_string()]);
    }
}
