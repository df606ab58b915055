//! Moving an area (issue 20, point 5): `dsr-server copy-database` copies every table into a new, empty
//! database of either backend, with the change log's numbers, and checks counts and checksums; the copy
//! then works as the original did. On a PostgreSQL run (`DSR_TEST_POSTGRES`) the demo area goes from
//! SQLite to PostgreSQL and back; otherwise from one SQLite file to another.

#![allow(clippy::panic, reason = "a broken promise fails the test with a message")]

mod common;

use chrono::{TimeZone, Utc};
use dsr_server::{AppState, Clock, Config, PullRequest, Store, copy_database};
use dsr_shared::ClientId;
use dsr_shared::sync::{FieldChange, Mutation, PushOutcome, PushRequest, RecordKind};
use serde_json::json;

fn config(dir: &std::path::Path) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap_or_else(|e| panic!("{e}")),
        data_dir: dir.join("source"),
        database_url: None,
        static_dir: dir.join("dist"),
        demo: true,
        session_hours: 12,
        secure_cookies: false,
        behind_proxy: false,
        purge_every_minutes: 60,
        command: None,
    }
}

/// Everything the demo coordinator's new device is sent (numbers and records).
async fn everything(store: &Store) -> Vec<(u64, serde_json::Value)> {
    let user = store.user_by_username("coordinator").await.ok().flatten().unwrap_or_else(|| panic!("no coordinator"));
    let me = store.acting_as(user.id).await.unwrap_or_else(|e| panic!("{e}"));
    let today = Utc::now().date_naive();
    let (mut cursor, mut view, mut all) = (0, 0, Vec::new());
    loop {
        let request =
            PullRequest { client: ClientId::from_time_and_random(77, [7; 10]), cursor, view_no: view, limit: 500 };
        let page = store.pull(&me, request, Utc::now(), today).await.unwrap_or_else(|e| panic!("{e}"));
        all.extend(page.changes.iter().map(|c| (c.change_seq, serde_json::to_value(&c.record).unwrap_or_default())));
        (cursor, view) = (page.cursor, page.view);
        if !page.more {
            return all;
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_area_is_copied_whole_and_works_in_the_copy() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let config = config(dir.path());
    let state = AppState::open(&config).await.unwrap_or_else(|e| panic!("demo: {e}"));
    // An erasure too: its blanked log and audit entries travel as they are.
    let coordinator =
        state.store.user_by_username("coordinator").await.ok().flatten().unwrap_or_else(|| panic!("no user"));
    let me = state.store.acting_as(coordinator.id).await.unwrap_or_else(|e| panic!("{e}"));
    let erased = dsr_server::demo_people(Utc::now().date_naive())[49].id;
    let removed = state
        .store
        .purge_person(
            &me.area_id,
            erased,
            dsr_server::PurgeReason::Erasure("Asked by letter".into()),
            Some(&me),
            Utc::now(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(removed > 0);
    state.store.close().await;
    let source_url = format!("sqlite://{}", config.database_path().display());
    std::fs::create_dir_all(dir.path().join("target")).unwrap_or_else(|e| panic!("{e}"));
    let target_url = common::new_database(&dir.path().join("target")).await;

    let copied = copy_database(&source_url, &target_url).await.unwrap_or_else(|e| panic!("copy: {e}"));
    assert_eq!(copied.len(), 19, "every table");
    assert!(copied.iter().all(|t| t.matches()), "{copied:?}");
    let rows = |name: &str| copied.iter().find(|t| t.table == name).map_or(0, |t| t.rows);
    for table in
        ["areas", "users", "records", "change_log", "audit", "caseload", "area_policies", "purges", "person_match_keys"]
    {
        assert!(rows(table) > 0, "{table} copied empty: {copied:?}");
    }

    // The copy holds what the original does: the same log, numbers and all; the same trail; the same policy.
    let (source, target) = (
        Store::open_url(&source_url).await.unwrap_or_else(|e| panic!("{e}")),
        Store::open_url(&target_url).await.unwrap_or_else(|e| panic!("{e}")),
    );
    let trail = |store: Store, area: String| async move {
        store.audit_entries(&area, Default::default(), 100_000).await.unwrap_or_else(|e| panic!("{e}"))
    };
    assert_eq!(trail(source.clone(), me.area_id.clone()).await, trail(target.clone(), me.area_id.clone()).await);
    assert_eq!(
        source.policy_of(&me).await.ok().map(|p| (p.version, p.policy)),
        target.policy_of(&me).await.ok().map(|p| (p.version, p.policy))
    );
    let log = everything(&source).await;
    assert!(log.len() > 100, "{}", log.len());
    assert_eq!(log, everything(&target).await);

    // It goes on where the original stopped: the next change is numbered after the last copied.
    let last = log.iter().map(|(seq, _)| *seq).max().unwrap_or(0);
    let id = dsr_shared::RecordId::from_time_and_random(1_765_000_000_000, [4; 10]);
    let mutation = Mutation {
        seq: 1,
        record_id: id,
        kind: RecordKind::Person,
        base_version: None,
        changes: [("given_name", "Copy"), ("family_name", "Test"), ("date_of_birth", "2012-01-01")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), FieldChange { old: json!(null), new: json!(v) }))
            .collect(),
        delete: false,
        reason: None,
    };
    let push = PushRequest { client_id: ClientId::from_time_and_random(78, [8; 10]), mutations: vec![mutation] };
    let today = Utc::now().date_naive();
    let answer = target.push(&me, push, Utc::now(), today).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(
        matches!(answer.results[0].outcome, PushOutcome::Applied { change_seq, .. } if change_seq > last),
        "{answer:?}"
    );
    // Signing in works in the copy (the accounts and their password hashes came too).
    let app = AppState::new(
        target.clone(),
        Clock::Fixed(Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).single().unwrap_or_default()),
        dir.path().join("dist"),
        false,
    );
    let login = axum::http::Request::post("/api/session/login")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(json!({ "username": "keyworker", "password": "dsr-demo-password" }).to_string()))
        .unwrap_or_default();
    let response = tower::ServiceExt::oneshot(dsr_server::app(app), login).await.unwrap_or_else(|e| match e {});
    assert_eq!(response.status(), axum::http::StatusCode::OK);

    // A database that holds data is never copied into.
    let refused = copy_database(&source_url, &target_url).await;
    assert!(refused.as_ref().is_err_and(|e| e.to_string().contains("already holds data")), "{refused:?}");
    source.close().await;
    target.close().await;

    // And back again, into a new SQLite file: every count and checksum still matches.
    let back = format!("sqlite://{}", dir.path().join("back.sqlite3").display());
    let copied_back = copy_database(&target_url, &back).await.unwrap_or_else(|e| panic!("copy back: {e}"));
    assert!(copied_back.iter().all(|t| t.matches()));
    let back_rows = |name: &str| copied_back.iter().find(|t| t.table == name).map_or(0, |t| t.rows);
    assert_eq!(back_rows("change_log"), rows("change_log") + 1, "the copy's own new change came back too");
    assert!(back_rows("audit") > rows("audit"));
}

#[tokio::test]
async fn the_copy_command_says_what_it_copied_and_refuses_what_it_cannot_read() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let from = format!("sqlite://{}", dir.path().join("from.sqlite3").display());
    let to = format!("sqlite://{}", dir.path().join("to.sqlite3").display());
    let store = Store::open_url(&from).await.unwrap_or_else(|e| panic!("{e}"));
    let clock = Clock::System;
    dsr_server::admin::create_coordinator(&store, &clock, "Area", "jo.coordinator", "Jo", "a long test password")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    store.close().await;
    let binary = env!("CARGO_BIN_EXE_dsr-server");
    let run = |args: Vec<String>| {
        std::process::Command::new(binary)
            .args(["--data-dir", &dir.path().display().to_string()])
            .args(args)
            .env("RUST_LOG", "warn")
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let done = run(vec!["copy-database".into(), "--from".into(), from.clone(), "--to".into(), to.clone()]);
    let said = String::from_utf8_lossy(&done.stdout);
    assert!(done.status.success(), "{said} {}", String::from_utf8_lossy(&done.stderr));
    assert!(said.contains("users") && said.contains("every count and checksum matches"), "{said}");
    let wrong = run(vec!["copy-database".into(), "--from".into(), "mysql://x/y".into(), "--to".into(), to]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("is not a database URL"), "{:?}", wrong);
}
