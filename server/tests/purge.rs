//! Leaving the register: a person's details are removed when the area's retention period after they
//! left has passed (the job, run with a moved clock) and at once on an erasure request. Devices are told
//! to delete their copies; the change log and the audit trail keep who did what and when, not the content.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{NaiveDate, TimeZone, Utc};
use common::{TestServer, client, id, person, test_server};
use dsr_server::PurgeReason;
use dsr_shared::access::Role;
use dsr_shared::sync::{PullResponse, PushOutcome, PushResponse};
use serde_json::{Value, json};

fn left(n: u8, given: &str, on: &str) -> Value {
    json!({ "seq": u64::from(n), "record_id": id(n), "kind": "person", "changes": {
        "given_name": { "new": given }, "family_name": { "new": "Leaver" }, "date_of_birth": { "new": "2011-04-23" },
        "register_status": { "new": { "status": "left", "on": on, "reason": "risk_gone" } } } })
}

fn note(seq: u64, n: u8, of: u8) -> Value {
    json!({ "seq": seq, "record_id": id(n), "kind": "visit_note", "changes": {
        "person_id": { "new": id(of) }, "visited_on": { "new": "2025-10-20" }, "by": { "new": "Sam" },
        "note": { "new": "Quentin talked about his new school" } } })
}

async fn push(server: &TestServer, cookie: &str, mutations: Vec<Value>) {
    let reply =
        server.post_json_as(cookie, "/api/sync/push", &json!({ "client_id": client(1), "mutations": mutations })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    for result in reply.json::<PushResponse>().results {
        assert!(matches!(result.outcome, PushOutcome::Applied { .. }), "{result:?}");
    }
}

fn at(day: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(2, 0, 0).unwrap_or_default())
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

#[tokio::test]
async fn details_are_removed_once_the_retention_period_after_leaving_has_passed() {
    let server = test_server().await; // 25 November 2026; retention 12 months
    push(
        &server,
        &server.cookie,
        vec![left(1, "Quentin", "2025-11-01"), left(2, "Rowena", "2026-06-01"), note(3, 3, 1)],
    )
    .await;
    // A keyworker whose tablet holds Quentin's records.
    let (keyworker, cookie) = server.staff("sam", Role::Keyworker).await;
    server.store.assign(keyworker, person(1), server.coordinator, Utc::now()).await.unwrap_or_else(|e| panic!("{e}"));
    let before: PullResponse =
        server.get_as(&cookie, &format!("/api/sync/pull?client_id={}&cursor=0&limit=100", client(5))).await.json();
    assert!(before.changes.iter().any(|c| c.record.id == id(3)));

    // The job on the server's day: Quentin's 12 months have passed, Rowena's have not.
    let purged =
        server.store.purge_due(at(day(2026, 11, 25)), day(2026, 11, 25)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(purged, 1);
    let quentin = server.store.record(id(1)).await.ok().flatten().unwrap_or_else(|| panic!("no record"));
    assert!(quentin.deleted && quentin.fields.is_empty(), "{quentin:?}");
    let rowena = server.store.record(id(2)).await.ok().flatten().unwrap_or_else(|| panic!("no record"));
    assert!(!rowena.deleted && rowena.field("given_name") == "Rowena");

    // The keyworker's tablet is told to delete its copies.
    let after: PullResponse = server
        .get_as(
            &cookie,
            &format!("/api/sync/pull?client_id={}&cursor={}&view={}&limit=100", client(5), before.cursor, before.view),
        )
        .await
        .json();
    assert!(after.removed.contains(&id(1)) && after.removed.contains(&id(3)), "{after:?}");
    // A coordinator's tablet gets tombstones that keep only whose record it was.
    let coordinator: PullResponse =
        server.get(&format!("/api/sync/pull?client_id={}&cursor=0&limit=100", client(7))).await.json();
    let note =
        coordinator.changes.iter().rev().find(|c| c.record.id == id(3)).unwrap_or_else(|| panic!("no tombstone"));
    assert!(note.record.deleted && note.record.fields.keys().all(|k| k == "person_id"), "{note:?}");
    // Nothing of Quentin is left in the log, the audit trail, or what a new device receives.
    let pool = server.db().await;
    let log: Vec<(String,)> =
        sqlx::query_as("SELECT CAST(record AS TEXT) FROM change_log").fetch_all(&pool).await.unwrap_or_default();
    let log = format!("{log:?}");
    assert!(!log.contains("Quentin") && !log.contains("new school") && log.contains("Rowena"), "{log}");
    let audit: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT CAST(changes AS TEXT) FROM audit").fetch_all(&pool).await.unwrap_or_default();
    assert!(!format!("{audit:?}").contains("Quentin"), "audit still holds the name");
    let fresh = server.get(&format!("/api/sync/pull?client_id={}&cursor=0&limit=100", client(6))).await.text();
    assert!(!fresh.contains("Quentin") && fresh.contains("Rowena"), "{fresh}");
    // The trail still says what happened, and the log and trail refuse any other rewrite.
    let purges: Vec<(String, String)> =
        sqlx::query_as("SELECT person_id, why FROM purges").fetch_all(&pool).await.unwrap_or_default();
    assert_eq!(purges, vec![(person(1).to_string(), "retention".to_string())]);
    assert!(sqlx::query("UPDATE change_log SET record = '{}' WHERE change_seq = 2").execute(&pool).await.is_err());
    assert!(sqlx::query("UPDATE audit SET action = 'x'").execute(&pool).await.is_err());
    assert!(sqlx::query("DELETE FROM audit").execute(&pool).await.is_err());

    // The clock moves on past Rowena's date: the next run removes hers.
    let purged = server.store.purge_due(at(day(2027, 6, 2)), day(2027, 6, 2)).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(purged, 1);
    assert!(server.store.record(id(2)).await.ok().flatten().is_some_and(|r| r.deleted));
    // Nothing left to do: running again changes nothing.
    assert_eq!(server.store.purge_due(at(day(2027, 6, 3)), day(2027, 6, 3)).await.unwrap_or_default(), 0);
}

#[tokio::test]
async fn the_job_runs_by_itself_with_the_servers_clock() {
    let server = common::test_server_at(dsr_server::Clock::Fixed(at(day(2027, 1, 10)))).await;
    push(&server, &server.cookie, vec![left(1, "Quentin", "2025-12-01")]).await;
    dsr_server::spawn_purge_job(
        server.store.clone(),
        dsr_server::Clock::Fixed(at(day(2027, 1, 10))),
        std::time::Duration::from_secs(3600),
    );
    // Waits for the record to be deleted (the bound only ends a test whose job never runs: a busy
    // machine may take seconds, never a minute).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < deadline {
        if server.store.record(id(1)).await.ok().flatten().is_some_and(|r| r.deleted) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the job did not remove the details of someone who left more than 12 months ago");
}

#[tokio::test]
async fn an_erasure_request_removes_a_persons_details_at_once_and_only_a_coordinator_may_make_it() {
    let server = test_server().await;
    push(&server, &server.cookie, vec![left(1, "Quentin", "2026-11-01"), note(2, 3, 1)]).await;
    let erase = |cookie: String, body: Value| {
        Request::post(format!("/api/people/{}/erase", person(1)))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, cookie)
            .body(Body::from(body.to_string()))
            .unwrap_or_default()
    };
    let (_, keyworker) = server.staff("sam", Role::Keyworker).await;
    let reply = server.send_raw(erase(keyworker, json!({ "reason": "asked" }))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let other = server.other_area_coordinator("Area B", "coord.b").await;
    let reply = server.send_raw(erase(other, json!({ "asked_by": "His mother", "reason": "asked" }))).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let reply = server.send_raw(erase(server.cookie.clone(), json!({ "reason": " " }))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Who asked, and why: both required, each named.
    let reply = server.send_raw(erase(server.cookie.clone(), json!({ "reason": "A letter" }))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<String> = reply.json::<dsr_shared::api::ApiError>().fields.into_iter().map(|f| f.field).collect();
    assert_eq!(fields, vec!["asked_by"]);
    assert!(!server.store.record(id(1)).await.ok().flatten().is_some_and(|r| r.deleted), "nothing erased yet");

    let reply = server
        .send_raw(erase(
            server.cookie.clone(),
            json!({ "asked_by": "His mother", "reason": "Letter from his mother, 20 November" }),
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.json::<Value>()["records"], 2);
    for n in [1, 3] {
        assert!(
            server
                .store
                .record(id(n))
                .await
                .ok()
                .flatten()
                .is_some_and(|r| r.deleted && !r.fields.contains_key("note"))
        );
    }
    let audit = server.get(&format!("/api/audit?person_id={}", person(1))).await.text();
    assert!(
        audit.contains("person.erased") && audit.contains("Asked by His mother: Letter from his mother"),
        "{audit}"
    );
    assert!(!audit.contains("Quentin"), "{audit}");
}

/// A purge blanks what the audit trail holds about the person wherever it was written (found area by
/// area): in their own area, in another area (a change by another area's coordinator, refused) and in
/// no area (entries from before areas); what it holds about anyone else is left as it was.
#[tokio::test]
async fn a_purge_blanks_the_persons_audit_entries_in_every_area_and_in_none() {
    let server = test_server().await;
    push(
        &server,
        &server.cookie,
        vec![left(1, "Quentin", "2026-11-01"), left(2, "Rowena", "2026-11-01"), note(3, 3, 1)],
    )
    .await;
    let other = server.other_area_coordinator("Area B", "coord.b").await;
    for (seq, n, given) in [(1, 1, "Quentin B"), (2, 2, "Rowena B")] {
        let change = json!({ "seq": seq, "record_id": id(n), "kind": "person", "base_version": 1,
            "reason": format!("{given} moved here"), "changes": { "given_name": { "new": given } } });
        let reply = server
            .post_json_as(&other, "/api/sync/push", &json!({ "client_id": client(2), "mutations": [change] }))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
    let pool = server.db().await;
    for (n, given) in [(1, "Quentin"), (2, "Rowena")] {
        sqlx::query(&format!(
            "INSERT INTO audit (at, action, person_id, changes, reason) VALUES ('2024-01-02T03:04:05+00:00',
             'record.update', '{}', '{{\"given_name\": {{\"old\": null, \"new\": \"{given}\"}}}}', 'Met {given}')",
            person(n)
        ))
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    }
    // Area, action, changes, reason, detail of the entries about person `n`, oldest first.
    type Entry = (Option<String>, String, Option<String>, Option<String>, Option<String>);
    let about = |n: u8| {
        let pool = pool.clone();
        async move {
            let rows: Vec<Entry> = sqlx::query_as(&format!(
                "SELECT area_id, action, CAST(changes AS TEXT), reason, detail FROM audit WHERE person_id = '{}' ORDER BY id",
                person(n)
            ))
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
            rows
        }
    };
    let quentin = about(1).await;
    let areas: std::collections::BTreeSet<Option<String>> = quentin.iter().map(|e| e.0.clone()).collect();
    assert_eq!(areas.len(), 3, "entries in his area, Area B's and none: {quentin:?}");
    assert!(format!("{quentin:?}").contains("Quentin"), "{quentin:?}");
    let rowena = about(2).await;

    let purged = server
        .store
        .purge_person(&server.coordinator_user().await.area_id, person(1), PurgeReason::Retention, None, Utc::now())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(purged, 2);

    let after = about(1).await;
    assert_eq!(after.len(), quentin.len() + 1, "no entry removed; one for the purge: {after:?}");
    for (before, entry) in quentin.iter().zip(&after) {
        assert_eq!((&entry.0, &entry.1), (&before.0, &before.1), "who and what stay");
        assert_eq!(
            (&entry.2, &entry.3, entry.4.as_deref()),
            (&None, &None, Some("details removed (purge)")),
            "{entry:?}"
        );
    }
    assert_eq!(after.last().map(|e| e.1.as_str()), Some("person.purged"));
    assert_eq!(about(2).await, rowena, "nothing about anyone else is blanked");
    assert!(format!("{rowena:?}").contains("Rowena"));
    pool.close().await;
}
