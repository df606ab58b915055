//! The sync API over HTTP and SQLite: push, pull, resends, gaps, conflicts, rejections, limits,
//! the append-only log, and durability across reopening the database.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::http::StatusCode;
use common::{TestServer, test_server};
use dsr_server::Store;
use dsr_shared::api::ApiError;
use dsr_shared::sync::{Conflict, PullResponse, PushOutcome, PushResponse};
use dsr_shared::{ClientId, RecordId};
use serde_json::{Value, json};

fn client(n: u8) -> ClientId {
    ClientId::from_time_and_random(u64::from(n), [n; 10])
}

fn record(n: u8) -> RecordId {
    RecordId::from_time_and_random(u64::from(n), [n; 10])
}

fn create(seq: u64, id: RecordId, given: &str) -> Value {
    json!({ "seq": seq, "record_id": id, "kind": "person", "base_version": null, "changes": {
        "given_name": { "old": null, "new": given },
        "family_name": { "old": null, "new": "Example" },
        "date_of_birth": { "old": null, "new": "2011-04-23" } } })
}

fn edit(seq: u64, id: RecordId, base: u64, field: &str, old: Value, new: Value) -> Value {
    json!({ "seq": seq, "record_id": id, "kind": "person", "base_version": base,
            "changes": { field: { "old": old, "new": new } } })
}

async fn push(server: &TestServer, client: ClientId, mutations: Vec<Value>) -> PushResponse {
    let reply = server.post_json("/api/sync/push", &json!({ "client_id": client, "mutations": mutations })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

async fn pull(server: &TestServer, cursor: u64, limit: u32) -> PullResponse {
    pull_view(server, cursor, 1, limit).await
}

/// A pull by client 1 that holds view `view` (the first pull of a fresh device answers view 1).
async fn pull_view(server: &TestServer, cursor: u64, view: u64, limit: u32) -> PullResponse {
    let reply =
        server.get(&format!("/api/sync/pull?client_id={}&cursor={cursor}&view={view}&limit={limit}", client(1))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn a_pushed_create_is_applied_and_pulled() {
    let server = test_server().await;
    let response = push(&server, client(1), vec![create(1, record(1), "Alex")]).await;
    assert_eq!(response.results[0].outcome, PushOutcome::Applied { record_version: 1, change_seq: 1 });
    let page = pull(&server, 0, 500).await;
    assert_eq!((page.changes.len(), page.cursor, page.more), (1, 1, false));
    assert_eq!(page.changes[0].record.field("given_name"), &json!("Alex"));
    assert!(pull(&server, 1, 500).await.changes.is_empty());
}

#[tokio::test]
async fn a_resend_gets_the_stored_answer_and_applies_once() {
    let server = test_server().await;
    let first = push(&server, client(1), vec![create(1, record(1), "Alex")]).await;
    let again = push(
        &server,
        client(1),
        vec![create(1, record(1), "Alex"), edit(2, record(1), 1, "given_name", json!("Alex"), json!("Sam"))],
    )
    .await;
    assert_eq!(again.results[0].outcome, first.results[0].outcome);
    assert!(again.results[0].repeated);
    assert_eq!(again.results[1].outcome, PushOutcome::Applied { record_version: 2, change_seq: 2 });
    assert_eq!(pull(&server, 0, 500).await.changes.len(), 2);
}

#[tokio::test]
async fn a_gap_is_refused_with_the_seq_to_resend_from() {
    let server = test_server().await;
    let response = push(&server, client(1), vec![create(3, record(1), "Alex")]).await;
    assert_eq!(response.results[0].outcome, PushOutcome::Gap { expected: 1 });
    assert!(pull(&server, 0, 500).await.changes.is_empty());
}

#[tokio::test]
async fn a_clash_keeps_the_servers_value_and_is_listed_as_a_conflict() {
    let server = test_server().await;
    push(&server, client(1), vec![create(1, record(1), "Alex")]).await;
    push(&server, client(1), vec![edit(2, record(1), 1, "given_name", json!("Alex"), json!("Alexander"))]).await;
    let clash = push(&server, client(2), vec![edit(1, record(1), 1, "given_name", json!("Alex"), json!("Ali"))]).await;
    let PushOutcome::Conflict { fields, conflict_ids, .. } = &clash.results[0].outcome else { panic!("{clash:?}") };
    assert_eq!(fields, &["given_name".to_string()]);
    let stored = server.store.record(record(1)).await.ok().flatten().unwrap_or_else(|| panic!("no record"));
    assert_eq!(stored.field("given_name"), &json!("Alexander"));
    let reply = server.get("/api/sync/conflicts").await;
    let conflicts: Vec<Conflict> = reply.json();
    assert_eq!(conflicts.len(), 1);
    assert_eq!(&conflicts[0].id, &conflict_ids[0]);
    assert_eq!(
        (&conflicts[0].base, &conflicts[0].theirs, &conflicts[0].ours),
        (&json!("Alex"), &json!("Alexander"), &json!("Ali"))
    );
}

#[tokio::test]
async fn a_rejected_mutation_is_answered_with_reasons_and_does_not_block_the_next() {
    let server = test_server().await;
    push(&server, client(1), vec![create(1, record(1), "Alex")]).await;
    let response = push(
        &server,
        client(1),
        vec![
            edit(2, record(1), 1, "nhs_number", Value::Null, json!("943 476 5918")),
            edit(3, record(1), 1, "family_name", json!("Example"), json!("Sample")),
        ],
    )
    .await;
    let PushOutcome::Rejected { reasons } = &response.results[0].outcome else { panic!("{response:?}") };
    assert_eq!(reasons[0].field, "nhs_number");
    assert!(reasons[0].message.contains("not a valid NHS number"), "{reasons:?}");
    assert_eq!(response.results[1].outcome, PushOutcome::Applied { record_version: 2, change_seq: 2 });
}

#[tokio::test]
async fn pull_pages_in_order() {
    let server = test_server().await;
    // Five different people (the same name and date of birth twice would be the same person).
    let names = ["Alex", "Sam", "Kai", "Robin", "Jo"];
    let creates: Vec<Value> = (1..=5).map(|n| create(u64::from(n), record(n), names[usize::from(n) - 1])).collect();
    push(&server, client(1), creates).await;
    let first = pull_view(&server, 0, 0, 2).await;
    assert_eq!(
        (first.changes.iter().map(|c| c.change_seq).collect::<Vec<_>>(), first.cursor, first.more, first.view),
        (vec![1, 2], 2, true, 1)
    );
    let last = pull_view(&server, 4, first.view, 2).await;
    assert_eq!((last.changes.len(), last.cursor, last.more, last.view), (1, 5, false, 1));
    // A view this server never gave: start again.
    let stranger = pull_view(&server, 4, 7, 2).await;
    assert!(stranger.reset && stranger.changes.is_empty() && stranger.cursor == 0, "{stranger:?}");
}

#[tokio::test]
async fn malformed_pushes_and_pulls_get_clear_4xx_errors() {
    let server = test_server().await;
    let too_many: Vec<Value> =
        (1..=1001).map(|n| edit(n, record(1), 1, "given_name", json!("A"), json!("B"))).collect();
    let reply = server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": too_many })).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    assert_eq!(reply.json::<ApiError>().fields[0].field, "mutations");
    let backwards = vec![create(2, record(1), "A"), create(1, record(2), "B")];
    let reply = server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": backwards })).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let reply = server.post_json("/api/sync/push", &json!({ "client_id": "not-a-uuid", "mutations": [] })).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.json::<ApiError>().message.contains("client_id"), "the error names the field");
    assert_eq!(
        server.get(&format!("/api/sync/pull?client_id={}&cursor=abc", client(1))).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        server.get(&format!("/api/sync/pull?client_id={}&limit=0", client(1))).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        server.get(&format!("/api/sync/pull?client_id={}&limit=5000", client(1))).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let huge = server.get(&format!("/api/sync/pull?client_id={}&cursor={}", client(1), u64::MAX)).await;
    assert_eq!(huge.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(huge.json::<ApiError>().fields[0].field, "cursor");
}

#[tokio::test]
async fn the_change_log_is_append_only_and_survives_reopening_the_database() {
    let server = test_server().await;
    push(&server, client(1), vec![create(1, record(1), "Alex")]).await;
    let reopened = Store::open_url(&server.database_url).await.unwrap_or_else(|e| panic!("{e}"));
    let me = reopened.acting_as(server.coordinator).await.unwrap_or_else(|e| panic!("{e}"));
    let request = dsr_server::PullRequest { client: client(2), cursor: 0, view_no: 0, limit: 10 };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    assert_eq!(reopened.pull(&me, request, chrono::Utc::now(), today).await.map(|p| p.changes.len()).ok(), Some(1));
    let pool = server.db().await;
    let update = sqlx::query("UPDATE change_log SET version = 9").execute(&pool).await;
    assert!(update.is_err_and(|e| e.to_string().contains("append-only")));
    let delete = sqlx::query("DELETE FROM change_log").execute(&pool).await;
    assert!(delete.is_err());
    for statement in ["UPDATE audit SET action = 'x'", "DELETE FROM audit"] {
        let changed = sqlx::query(statement).execute(&pool).await;
        assert!(changed.is_err_and(|e| e.to_string().contains("append-only")), "{statement}");
    }
}

/// Many devices at once (issue 20): every push answered, each change numbered once with no gap in the
/// log, and a record created and changed in one push stored as its last change (the log and the
/// records are written a statement each per push).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_devices_pushing_at_once_are_all_applied_numbered_once_without_gaps() {
    const DEVICES: u8 = 24;
    const PUSHES: u64 = 4;
    let server = std::sync::Arc::new(test_server().await);
    let mut running = tokio::task::JoinSet::new();
    for device in 1..=DEVICES {
        let server = server.clone();
        running.spawn(async move {
            let mut applied = Vec::new();
            for n in 0..PUSHES {
                let id = RecordId::from_time_and_random(u64::from(device) * 100 + n, [device; 10]);
                let given = format!("Device{device}");
                let mutations = vec![
                    create(2 * n + 1, id, &given),
                    edit(2 * n + 2, id, 1, "given_name", json!(given), json!(format!("{given}-{n}"))),
                ];
                let answer = push(&server, client(device), mutations).await;
                for result in answer.results {
                    let PushOutcome::Applied { change_seq, .. } = result.outcome else {
                        panic!("device {device} push {n}: {:?}", result.outcome);
                    };
                    applied.push((id, change_seq));
                }
            }
            applied
        });
    }
    let mut applied = Vec::new();
    while let Some(done) = running.join_next().await {
        applied.extend(done.unwrap_or_else(|e| panic!("{e}")));
    }
    let total = u64::from(DEVICES) * PUSHES * 2;
    let mut numbers: Vec<u64> = applied.iter().map(|(_, seq)| *seq).collect();
    numbers.sort_unstable();
    assert_eq!(numbers, (1..=total).collect::<Vec<_>>(), "every change numbered once, no gap");
    let page = pull(&server, 0, 2000).await;
    let pulled: Vec<u64> = page.changes.iter().map(|c| c.change_seq).collect();
    assert_eq!(pulled, (1..=total).collect::<Vec<_>>(), "the log read back in order, no gap");
    for (id, _) in &applied {
        let record = server.store.record(*id).await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|| panic!("{id}"));
        assert_eq!(record.version, 2, "{id}: the change after the create is the record's state");
        assert!(record.fields["given_name"].as_str().is_some_and(|g| g.contains('-')), "{:?}", record.fields);
    }
}

/// PostgreSQL: pushes queued behind a write that waits (here on the change log's counter, locked by
/// another session, as a second server process's write would lock it) hold no connection while they
/// wait, so the server still reads: a device's pull and the health check are answered while more
/// pushes wait than the pool has connections. Had each waiting push held a connection, every read
/// would wait for one (10 s, then a 503). Then, the lock let go, every push is applied once, in turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reads_are_answered_while_more_pushes_wait_to_write_than_there_are_connections() {
    const WAITING: u8 = 16;
    let server = std::sync::Arc::new(test_server().await);
    if !server.on_postgres() {
        eprintln!("PostgreSQL only (SQLite's writes queue in the server: sync_store's writer-held tests)");
        return;
    }
    push(&server, client(1), vec![create(1, record(1), "Alex")]).await;
    let before = pull(&server, 0, 100).await;
    let other = sqlx::PgPool::connect(&server.database_url).await.unwrap_or_else(|e| panic!("{e}"));
    let mut lock = other.begin().await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::query("SELECT last FROM change_counter WHERE id = 1 FOR UPDATE")
        .execute(&mut *lock)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut pushes = tokio::task::JoinSet::new();
    for device in 2..=WAITING + 1 {
        let server = server.clone();
        pushes.spawn(async move {
            push(&server, client(device), vec![create(1, record(device), &format!("Device{device}"))]).await
        });
    }
    // Until one of the server's writes waits on the lock (the others are then queued behind it).
    loop {
        let (waiting,): (i64,) = sqlx::query_as(
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND application_name = 'dsr-server' AND wait_event_type = 'Lock'",
        )
        .fetch_one(&other)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
        if waiting > 0 {
            break;
        }
        // A push that ends here never reached the lock: the wait would never end.
        if let Some(ended) = pushes.try_join_next() {
            panic!("a push ended while the counter was locked: {:?}", ended.map(|answer| answer.results));
        }
        tokio::task::yield_now().await;
    }
    let again = pull_view(&server, before.cursor, before.view, 100).await;
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    assert_eq!(server.get("/api/health").await.status, StatusCode::OK);
    assert!(!pushes.is_empty() && pushes.try_join_next().is_none(), "a push was applied while the counter was locked");

    lock.rollback().await.unwrap_or_else(|e| panic!("{e}"));
    let mut numbers = Vec::new();
    while let Some(answer) = pushes.join_next().await {
        for result in answer.unwrap_or_else(|e| panic!("{e}")).results {
            let PushOutcome::Applied { change_seq, .. } = result.outcome else { panic!("{:?}", result.outcome) };
            numbers.push(change_seq);
        }
    }
    numbers.sort_unstable();
    assert_eq!(numbers, (2..=u64::from(WAITING) + 1).collect::<Vec<_>>(), "each applied once, numbered without gaps");
}

#[tokio::test]
async fn a_device_that_synced_before_accounts_starts_again_and_becomes_its_users() {
    let server = test_server().await;
    push(&server, client(1), vec![create(1, record(1), "Alex")]).await;
    // As the sync engine left it before accounts: no owner, no view.
    let pool = server.db().await;
    sqlx::query(&format!("INSERT INTO sync_clients (client_id, last_seq) VALUES ('{}', 3)", client(7)))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    pool.close().await;
    let reply = server.get(&format!("/api/sync/pull?client_id={}&cursor=1&view=0", client(7))).await;
    let page: PullResponse = reply.json();
    assert!(page.reset, "it may hold anything: it must start again ({page:?})");
    let reply = server.get(&format!("/api/sync/pull?client_id={}&cursor=0&view=0", client(7))).await;
    let page: PullResponse = reply.json();
    assert!(!page.reset && page.changes.len() == 1 && page.view > 0, "{page:?}");
}

/// The next event of a server-sent event stream (comments, the keep-alives, skipped).
async fn next_event(body: &mut axum::body::BodyDataStream, buffer: &mut String) -> Option<String> {
    use futures_util::StreamExt;
    loop {
        if let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            if block.lines().all(|l| l.starts_with(':') || l.is_empty()) {
                continue;
            }
            return Some(block);
        }
        let chunk = body.next().await?.unwrap_or_else(|e| panic!("stream: {e}"));
        buffer.push_str(&String::from_utf8_lossy(&chunk));
    }
}

#[tokio::test]
async fn devices_hear_at_once_of_changes_in_their_area_and_of_no_other() {
    use axum::body::Body;
    use axum::http::{Request, header};
    use tower::ServiceExt;

    let server = test_server().await;
    let clock = dsr_server::Clock::System;
    dsr_server::admin::create_coordinator(&server.store, &clock, "Another area", "other", "Al Other", common::PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, other) = server.login("other", common::PASSWORD).await;

    let unsigned = server.send_raw(Request::get("/api/sync/events").body(Body::empty()).unwrap_or_default()).await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED, "only a signed-in user hears anything");

    let request =
        Request::get("/api/sync/events").header(header::COOKIE, &server.cookie).body(Body::empty()).unwrap_or_default();
    let response = server.app.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(content_type, "text/event-stream");
    let mut body = response.into_body().into_data_stream();
    let mut buffer = String::new();
    let first = next_event(&mut body, &mut buffer).await.unwrap_or_default();
    assert!(first.contains("event: changes") && first.contains("data: connected"), "{first}");
    assert!(first.contains("retry: 2000"), "the browser is told to come back soon: {first}");

    // A change in another area is not heard here; the next change in this one is, with its number.
    let mutations = json!({ "client_id": client(9), "mutations": [create(1, record(9), "Elsewhere")] });
    let theirs = server.post_json_as(&other, "/api/sync/push", &mutations).await;
    assert_eq!(theirs.status, StatusCode::OK, "{}", theirs.text());
    let ours = push(&server, client(1), vec![create(1, record(1), "Alex")]).await;
    let PushOutcome::Applied { change_seq, .. } = ours.results[0].outcome else { panic!("{:?}", ours.results) };
    let heard = next_event(&mut body, &mut buffer).await.unwrap_or_default();
    assert!(heard.contains(&format!("data: {change_seq}\n")), "expected change {change_seq}: {heard}");
    assert!(!heard.contains("Alex"), "an announcement carries no record: {heard}");

    // The server stopping ends the stream (a graceful shutdown does not wait for it).
    server.store.changes().stop();
    assert_eq!(next_event(&mut body, &mut buffer).await, None);
}
