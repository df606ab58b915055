//! Backup and restore (issue 20, point 7), as the README tells an operator to do them: SQLite with
//! `dsr-server backup` while the server runs (its changes still in the write-ahead log too), restored by
//! opening the file; PostgreSQL with `pg_dump` and `pg_restore` into a new database. Either way the
//! restored database holds every change, numbers and all, and its audit trail.

#![allow(clippy::panic, reason = "a broken promise fails the test with a message")]

mod common;

use std::process::Command;

use chrono::Utc;
use common::{TestServer, test_server};
use dsr_server::{PullRequest, Store};
use dsr_shared::ClientId;
use serde_json::json;

/// A few people pushed by the test coordinator.
async fn people(server: &TestServer) {
    let mutations: Vec<serde_json::Value> = (1..=5)
        .map(|n| {
            json!({ "seq": n, "record_id": format!("0193b000-0000-7000-8000-{n:012}"), "kind": "person",
                "base_version": null, "changes": {
                    "given_name": { "old": null, "new": format!("Backup{n}") },
                    "family_name": { "old": null, "new": "Example" },
                    "date_of_birth": { "old": null, "new": "2011-02-03" } } })
        })
        .collect();
    let body = json!({ "client_id": "0193b000-0000-7000-8000-00000000b0b0", "mutations": mutations });
    let reply = server.post_json("/api/sync/push", &body).await;
    assert_eq!(reply.status, axum::http::StatusCode::OK, "{}", reply.text());
}

/// What a new device of the coordinator is sent, and the area's audit trail.
async fn contents(store: &Store, server: &TestServer) -> (Vec<(u64, String)>, usize) {
    let me = store.acting_as(server.coordinator).await.unwrap_or_else(|e| panic!("{e}"));
    let trail = store.audit_entries(&me.area_id, Default::default(), 10_000).await.unwrap_or_else(|e| panic!("{e}"));
    let request =
        PullRequest { client: ClientId::from_time_and_random(5, [5; 10]), cursor: 0, view_no: 0, limit: 1000 };
    let page = store.pull(&me, request, Utc::now(), Utc::now().date_naive()).await.unwrap_or_else(|e| panic!("{e}"));
    let changes = page.changes.iter().map(|c| (c.change_seq, c.record.field("given_name").to_string())).collect();
    (changes, trail.len())
}

#[tokio::test]
async fn a_sqlite_backup_taken_while_the_server_runs_restores_everything() {
    let server = test_server().await;
    if server.on_postgres() {
        return; // This run's database is PostgreSQL: the test below backs it up.
    }
    people(&server).await;
    let backup = server.dir.path().join("backup.sqlite3");
    let binary = env!("CARGO_BIN_EXE_dsr-server");
    let run = || {
        Command::new(binary)
            .args(["--database-url", &server.database_url, "backup", "--to", &backup.display().to_string()])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let done = run();
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(done.status.success(), "{said} {}", String::from_utf8_lossy(&done.stderr));
    assert!(said.contains("5 changes in its log"), "{said}");
    // A backup never overwrites a file.
    let again = run();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("exists already"));

    let before = contents(&server.store, &server).await;
    let restored = Store::open_url(&format!("sqlite://{}", backup.display())).await.unwrap_or_else(|e| panic!("{e}"));
    let after = contents(&restored, &server).await;
    assert_eq!(before.0.len(), 5);
    assert_eq!(before.0, after.0);
    assert_eq!(before.1, after.1, "the audit trail came back whole");
}

#[tokio::test]
async fn a_postgres_dump_restores_everything_into_a_new_database() {
    let Some(postgres) = common::test_postgres() else {
        eprintln!("no DSR_TEST_POSTGRES: this test runs in the test command's PostgreSQL pass");
        return;
    };
    let server = test_server().await;
    people(&server).await;
    let bin = std::env::var("DSR_TEST_POSTGRES_BIN").unwrap_or_else(|_| "/usr/lib/postgresql/15/bin".into());
    let dump = server.dir.path().join("dsr.dump");
    let dumped = Command::new(format!("{bin}/pg_dump"))
        .args(["--format=custom", "--file", &dump.display().to_string(), &server.database_url])
        .output()
        .unwrap_or_else(|e| panic!("pg_dump: {e}"));
    assert!(dumped.status.success(), "pg_dump: {}", String::from_utf8_lossy(&dumped.stderr));
    let restored_url = common::new_database(server.dir.path()).await;
    assert!(restored_url.starts_with(&postgres));
    let restored = Command::new(format!("{bin}/pg_restore"))
        .args(["--no-owner", "--exit-on-error", "--dbname", &restored_url, &dump.display().to_string()])
        .output()
        .unwrap_or_else(|e| panic!("pg_restore: {e}"));
    assert!(restored.status.success(), "pg_restore: {}", String::from_utf8_lossy(&restored.stderr));

    let before = contents(&server.store, &server).await;
    let store = Store::open_url(&restored_url).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(before.0.len(), 5);
    assert_eq!(before.0, contents(&store, &server).await.0);
    // The restored database goes on numbering after the last change, and refuses rewrites as before.
    let reopened = store.acting_as(server.coordinator).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reopened.area_id, server.area);
    let pool = common::connect(&restored_url).await;
    assert!(sqlx::query("DELETE FROM change_log").execute(&pool).await.is_err());
    let (last,): (i64,) =
        sqlx::query_as("SELECT last FROM change_counter").fetch_one(&pool).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(last, 5);
    // The server itself says it cannot back PostgreSQL up, and how.
    let refused = Command::new(env!("CARGO_BIN_EXE_dsr-server"))
        .args([
            "--database-url",
            &server.database_url,
            "backup",
            "--to",
            &server.dir.path().join("x").display().to_string(),
        ])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!refused.status.success() && String::from_utf8_lossy(&refused.stderr).contains("pg_dump"));
}
