//! Configuration from command-line flags and environment variables (`dsr-server --help`).

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Parser)]
#[command(name = "dsr-server", version, about = "Dynamic Support Register: the app, its JSON API and its database")]
pub struct Config {
    /// Address and port to listen on (port 0 picks a free port and prints it).
    #[arg(long, env = "DSR_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory for the SQLite database (created when missing).
    #[arg(long, env = "DSR_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// The database: `sqlite://PATH` or `postgres://USER:PASSWORD@HOST:PORT/DATABASE` (an existing,
    /// empty or migrated database). Without it, the SQLite file `dsr.sqlite3` in the data directory.
    #[arg(long, env = "DSR_DATABASE_URL")]
    pub database_url: Option<String>,

    /// Directory holding the built app (`trunk build` writes `dist/`).
    #[arg(long, env = "DSR_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Load a fictional demo area (about 50 people with NHS numbers from the 999 test range) and one
    /// account per role, whose sign-in details are printed at start.
    #[arg(long, env = "DSR_DEMO")]
    pub demo: bool,

    /// Hours a sign-in lasts (devices keep working offline; they sign in again to sync).
    #[arg(long, env = "DSR_SESSION_HOURS", default_value_t = crate::state::DEFAULT_SESSION_HOURS,
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub session_hours: u32,

    /// Mark the session cookie Secure (when a proxy in front serves HTTPS without `X-Forwarded-Proto`).
    #[arg(long, env = "DSR_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// A reverse proxy serves the app: take the client's address for sign-in and form limits from the
    /// last `X-Forwarded-For` entry (without this, every client behind the proxy shares one limit).
    #[arg(long, env = "DSR_BEHIND_PROXY")]
    pub behind_proxy: bool,

    /// Minutes between runs of the retention job, which removes the details of people who left the
    /// register longer ago than their area's retention period (it also runs at start).
    #[arg(long, env = "DSR_PURGE_EVERY_MINUTES", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=10_080))]
    pub purge_every_minutes: u64,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Administration commands (without one, the server serves).
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Command {
    /// Creates an area (when missing) and its first DSR coordinator. The password is read from
    /// DSR_NEW_PASSWORD, or from the first line of standard input.
    CreateCoordinator {
        /// The area's name, e.g. "North Example ICB".
        #[arg(long)]
        area: String,
        /// The coordinator's username.
        #[arg(long)]
        username: String,
        /// The coordinator's name as others see it.
        #[arg(long)]
        name: String,
    },
    /// Writes a consistent backup of the SQLite database (taken while the server runs) to a new file;
    /// restore by stopping the server and putting the file in the data directory as dsr.sqlite3 (or
    /// pointing --database-url at it). A PostgreSQL database is backed up with pg_dump instead.
    Backup {
        /// The new backup file.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Copies every table of one database into another, new and empty one, of either backend (an
    /// area moving from SQLite to PostgreSQL, say), then compares every table's count and checksum.
    /// Stop the server using the source first: what it writes during the copy would be missed.
    CopyDatabase {
        /// The database copied: sqlite://PATH or postgres://USER:PASSWORD@HOST:PORT/DATABASE.
        #[arg(long)]
        from: String,
        /// The new, empty database it is copied into (migrated first when it has no tables).
        #[arg(long)]
        to: String,
    },
}

impl Config {
    /// The database file inside the data directory.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("dsr.sqlite3")
    }

    /// The database's URL: the one given, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| format!("sqlite://{}", self.database_path().display()))
    }
}
