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

    /// Directory holding the built app (`trunk build` writes `dist/`).
    #[arg(long, env = "DSR_STATIC_DIR", default_value = "dist")]
    pub static_dir: PathBuf,

    /// Load a fictional demo area (about 50 people with NHS numbers from the 999 test range).
    #[arg(long, env = "DSR_DEMO")]
    pub demo: bool,
}

impl Config {
    /// The database file inside the data directory.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("dsr.sqlite3")
    }
}
