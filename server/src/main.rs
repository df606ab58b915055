//! The `dsr-server` binary: reads configuration, opens the database, serves until Ctrl-C or SIGTERM.

use clap::Parser;
use dsr_server::{AppState, Config, shutdown_signal};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .init();
    let config = Config::parse();
    match run(config).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error:#}");
            eprintln!("dsr-server: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), dsr_server::StartError> {
    if let Some(command) = &config.command {
        return dsr_server::admin::run(&config, command).await;
    }
    let state = AppState::open(&config).await?;
    dsr_server::spawn_purge_job(
        state.store.clone(),
        state.clock,
        std::time::Duration::from_secs(config.purge_every_minutes * 60),
    );
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| dsr_server::StartError::Bind { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| dsr_server::StartError::Bind { addr: config.listen, source })?;
    // Tests read this line to learn the port when they ask for port 0.
    println!("Dynamic Support Register listening on http://{addr}");
    dsr_server::serve(listener, state, shutdown_signal()).await
}
