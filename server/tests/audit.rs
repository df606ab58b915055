//! The audit trail is complete: every write path and every read of a person's record leaves exactly
//! one entry (who, when, what, old and new values, reason); coordinators list it per person and per
//! user and export it as CSV.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{PASSWORD, TestServer, client, id, person, test_server};
use dsr_shared::access::Role;
use dsr_shared::accounts::{AuditEntry, InviteCreated};
use dsr_shared::sync::PullResponse;
use dsr_shared::{ClientId, RecordId};
use serde_json::{Value, json};

/// The audit entries recorded so far, read straight from the database.
/// Action, person, changes, reason.
type Entry = (String, Option<String>, Option<String>, Option<String>);

async fn entries(server: &TestServer) -> Vec<Entry> {
    let pool = server.db().await;
    let rows = sqlx::query_as("SELECT action, person_id, CAST(changes AS TEXT), reason FROM audit ORDER BY id")
        .fetch_all(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    pool.close().await;
    rows
}

/// Runs `step` and returns its value and the entries it added.
macro_rules! added {
    ($server:expr, $step:expr) => {{
        let before = entries($server).await.len();
        let value = $step;
        let after = entries($server).await;
        (value, after[before..].to_vec())
    }};
}

fn actions(added: &[Entry]) -> Vec<&str> {
    added.iter().map(|(a, ..)| a.as_str()).collect()
}

async fn push(server: &TestServer, cookie: &str, client: ClientId, mutations: Value) -> Value {
    let reply =
        server.post_json_as(cookie, "/api/sync/push", &json!({ "client_id": client, "mutations": mutations })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

fn create(seq: u64, n: u8, given: &str) -> Value {
    json!({ "seq": seq, "record_id": id(n), "kind": "person", "changes": {
        "given_name": { "new": given }, "family_name": { "new": "Example" }, "date_of_birth": { "new": "2011-04-23" } } })
}

#[tokio::test]
async fn every_write_and_every_read_of_a_person_leaves_exactly_one_entry() {
    let server = test_server().await;
    let me = server.cookie.clone();
    let c = client(1);

    let (_, added) = added!(&server, push(&server, &me, c, json!([create(1, 1, "Alex"), create(2, 2, "Sam")])).await);
    assert_eq!(actions(&added), ["record.create", "record.create"]);
    let changes: Value = serde_json::from_str(added[0].2.as_deref().unwrap_or("null")).unwrap_or_default();
    assert_eq!(changes["given_name"], json!({ "old": null, "new": "Alex" }));
    assert_eq!(added[0].1.as_deref(), Some(person(1).to_string().as_str()));

    let edit = json!([{ "seq": 3, "record_id": id(1), "kind": "person", "base_version": 1,
        "changes": { "given_name": { "old": "Alex", "new": "Alexa" } }, "reason": "Prefers Alexa" }]);
    let (_, added) = added!(&server, push(&server, &me, c, edit.clone()).await);
    assert_eq!(actions(&added), ["record.update"]);
    let changes: Value = serde_json::from_str(added[0].2.as_deref().unwrap_or("null")).unwrap_or_default();
    assert_eq!(changes, json!({ "given_name": { "old": "Alex", "new": "Alexa" } }), "only the changed field");
    assert_eq!(added[0].3.as_deref(), Some("Prefers Alexa"));

    // Sent again: the stored answer, no second entry. A change to what is already there: no write.
    assert!(added!(&server, push(&server, &me, c, edit).await).1.is_empty());
    let same = json!([{ "seq": 4, "record_id": id(1), "kind": "person", "base_version": 2,
        "changes": { "given_name": { "old": "Alexa", "new": "Alexa" } } }]);
    assert!(added!(&server, push(&server, &me, c, same).await).1.is_empty());

    let delete = json!([{ "seq": 5, "record_id": id(2), "kind": "person", "base_version": 1, "delete": true, "reason": "Entered twice" }]);
    let (_, added) = added!(&server, push(&server, &me, c, delete).await);
    assert_eq!(actions(&added), ["record.delete"]);
    assert_eq!(added[0].3.as_deref(), Some("Entered twice"));

    // A refused change (no access) is recorded too.
    let (keyworker, kw) = server.staff("keyworker", Role::Keyworker).await;
    let sneaky = json!([{ "seq": 1, "record_id": id(1), "kind": "person", "base_version": 2,
        "changes": { "given_name": { "old": "Alexa", "new": "Changed" } } }]);
    let (_, added) = added!(&server, push(&server, &kw, client(2), sneaky).await);
    assert_eq!(actions(&added), ["record.refused"]);

    // A pull is a read of each person whose records it sends: one entry per person.
    let (_, added) = added!(&server, {
        let reply = server.get(&format!("/api/sync/pull?client_id={c}&cursor=0")).await;
        let page: PullResponse = reply.json();
        // Four changes (two creates, an update, a delete) about two people.
        assert_eq!(page.changes.len(), 4);
    });
    assert_eq!(actions(&added), ["person.sent", "person.sent"]);

    // Reads on the device, reported later: once each, however often sent.
    let event_a = json!({ "id": uuid::Uuid::now_v7(), "person_id": person(1), "at": "2026-11-25T10:00:00Z", "screen": "person page" });
    let event_b = json!({ "id": uuid::Uuid::now_v7(), "person_id": person(1), "at": "2026-11-25T10:00:00Z", "screen": "edit form" });
    let views = json!({ "client_id": c, "events": [event_a, event_b] });
    let (_, added) =
        added!(&server, assert_eq!(server.post_json("/api/audit/views", &views).await.status, StatusCode::OK));
    assert_eq!(actions(&added), ["person.viewed", "person.viewed"]);
    assert!(added!(&server, server.post_json("/api/audit/views", &views).await).1.is_empty());

    // Accounts: each change one entry.
    let (_, added) = added!(&server, server.staff("advocate", Role::Advocate).await);
    assert_eq!(actions(&added), ["user.create", "session.login"]);
    let (_, added) = added!(
        &server,
        server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person(1) })).await
    );
    // A keyworker's caseload names them on the person's record: a change, audited as any other.
    assert_eq!(actions(&added), ["caseload.add", "record.update"]);
    let (_, added) = added!(&server, {
        let request = Request::delete(format!("/api/users/{keyworker}/people/{}", person(1)))
            .body(Body::empty())
            .unwrap_or_default();
        server.send(request).await
    });
    assert_eq!(actions(&added), ["caseload.remove", "record.update"]);
    let (invite, added) = added!(
        &server,
        server
            .post_json("/api/invites", &json!({ "display_name": "Chris Parent", "person_id": person(1) }))
            .await
            .json::<InviteCreated>()
    );
    assert_eq!(actions(&added), ["user.invite"]);
    let code = invite.code;
    let accept = json!({ "code": code, "username": "chris", "password": "our own long password" });
    let (_, added) = added!(
        &server,
        server
            .send_raw(
                Request::post("/api/invites/accept")
                    .header("content-type", "application/json")
                    .body(Body::from(accept.to_string()))
                    .unwrap_or_default()
            )
            .await
    );
    assert_eq!(actions(&added), ["invite.accept"]);
    let close = json!({ "asked_by": "Sam Lee, team manager", "reason": "Left the team" });
    let (_, added) = added!(&server, server.post_json(&format!("/api/users/{keyworker}/disable"), &close).await);
    assert_eq!(actions(&added), ["user.disable"]);
    assert_eq!(added[0].3.as_deref(), Some("Asked by Sam Lee, team manager: Left the team"), "who asked and why kept");

    // The area's policy: one entry, with the sections that changed and the reason.
    let mut document: Value = server.get("/api/area/policy").await.json();
    document["policy"]["retention_after_leaving"] = json!("24 months");
    let update =
        json!({ "base_version": document["version"], "policy": document["policy"], "reason": "Agreed at the meeting" });
    let (_, added) = added!(&server, {
        let request = Request::put("/api/area/policy")
            .header("content-type", "application/json")
            .body(Body::from(update.to_string()))
            .unwrap_or_default();
        assert_eq!(server.send(request).await.status, StatusCode::OK)
    });
    assert_eq!(actions(&added), ["policy.change"]);
    assert!(added[0].2.as_deref().unwrap_or_default().contains("24 months"));
    assert_eq!(added[0].3.as_deref(), Some("Agreed at the meeting"));
    // An erasure request: one entry for it (the records' own entries are blanked, not added to).
    let (_, added) = added!(
        &server,
        server
            .post_json(
                &format!("/api/people/{}/erase", person(2)),
                &json!({ "asked_by": "Sam Parent, her mother", "reason": "Asked in writing" })
            )
            .await
    );
    assert_eq!(actions(&added), ["person.erased"]);

    // Sessions.
    let bad = json!({ "username": "coordinator", "password": "wrong password" });
    let (_, added) = added!(
        &server,
        server
            .send_raw(
                Request::post("/api/session/login")
                    .header("content-type", "application/json")
                    .body(Body::from(bad.to_string()))
                    .unwrap_or_default()
            )
            .await
    );
    assert_eq!(actions(&added), ["session.login_failed"]);
    let (cookie, added) = added!(&server, server.login("advocate", PASSWORD).await.1);
    assert_eq!(actions(&added), ["session.login"]);
    let (_, added) = added!(
        &server,
        server
            .send_raw(
                Request::post("/api/session/logout").header("cookie", &cookie).body(Body::empty()).unwrap_or_default()
            )
            .await
    );
    assert_eq!(actions(&added), ["session.logout"]);

    // Reading the trail is recorded; per person it shows who did what, with old and new values.
    let (listed, added) =
        added!(&server, server.get(&format!("/api/audit?person_id={}", person(1))).await.json::<Vec<AuditEntry>>());
    assert_eq!(actions(&added), ["audit.read"]);
    let update = listed
        .iter()
        .find(|e| e.action == "record.update" && e.changes.as_ref().is_some_and(|c| c.get("given_name").is_some()))
        .unwrap_or_else(|| panic!("no update listed"));
    assert_eq!(update.user_name.as_deref(), Some("Jo Coordinator"));
    assert_eq!(update.changes.as_ref().map(|c| c["given_name"]["new"].clone()), Some(json!("Alexa")));
    assert!(listed.iter().all(|e| e.person_id == Some(person(1))));
    let by_user: Vec<AuditEntry> = server.get(&format!("/api/audit?user_id={keyworker}")).await.json();
    assert!(
        by_user.iter().any(|e| e.action == "record.refused") && by_user.iter().all(|e| e.user_id == Some(keyworker))
    );

    let (csv, added) = added!(&server, server.get(&format!("/api/audit/export?person_id={}", person(1))).await.text());
    assert_eq!(actions(&added), ["audit.export"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = reader.headers().map(|h| h.iter().map(String::from).collect()).unwrap_or_default();
    assert_eq!(&header[..6], ["id", "at", "happened_at", "user_id", "user_name", "action"]);
    let rows: Vec<csv::StringRecord> = reader.records().filter_map(Result::ok).collect();
    assert!(
        rows.iter().any(|r| &r[5] == "record.update" && r[9].contains("Alexa") && &r[10] == "Prefers Alexa"),
        "{csv}"
    );
    assert!(rows.iter().any(|r| &r[5] == "person.viewed" && &r[2] == "2026-11-25T10:00:00+00:00"), "{csv}");
}

/// An entry's number, area, person and user, as stored.
type Listed = (i64, Option<String>, Option<String>, Option<String>);

/// The audit page lists an area's newest entries first, narrowed by person, by user, or both, and
/// never another area's: each narrowing is its own statement (one index read in order), checked here
/// against the whole trail read straight from the database.
#[tokio::test]
async fn the_trail_is_listed_newest_first_by_person_by_user_or_both() {
    let server = test_server().await;
    let me = server.cookie.clone();
    let (keyworker, kw) = server.staff("keyworker", Role::Keyworker).await;
    push(&server, &me, client(1), json!([create(1, 1, "Alex"), create(2, 2, "Sam")])).await;
    for n in [1, 2] {
        let reply =
            server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person(n) })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    }
    // The keyworker's changes: two to Alex, one to Sam.
    for (seq, record, version, old, new) in
        [(1, 1, 2, "Alex", "Alexa"), (2, 1, 3, "Alexa", "Alexandra"), (3, 2, 2, "Sam", "Samuel")]
    {
        let edit = json!([{ "seq": seq, "record_id": id(record), "kind": "person", "base_version": version,
            "changes": { "given_name": { "old": old, "new": new } } }]);
        let answer = push(&server, &kw, client(2), edit).await;
        assert_eq!(answer["results"][0]["status"], "applied", "{answer}");
    }
    // Another area's trail, which no listing here may show.
    let elsewhere = server.other_area_coordinator("Elsewhere", "coordinator.b").await;
    push(&server, &elsewhere, client(3), json!([create(1, 3, "Foreign")])).await;

    let area = server.coordinator_user().await.area_id;
    let (p1, p2) = (person(1).to_string(), person(2).to_string());
    let kw_id = keyworker.to_string();
    let filters: [(Option<&str>, Option<&str>); 5] =
        [(None, None), (Some(&p1), None), (None, Some(&kw_id)), (Some(&p1), Some(&kw_id)), (Some(&p2), Some(&kw_id))];
    for (person_filter, user_filter) in filters {
        for limit in [2, 100] {
            // What the page must hold: read before the request (reading the trail adds an entry).
            let pool = server.db().await;
            let all: Vec<Listed> = sqlx::query_as("SELECT id, area_id, person_id, user_id FROM audit ORDER BY id DESC")
                .fetch_all(&pool)
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            pool.close().await;
            let expected: Vec<u64> = all
                .iter()
                .filter(|(_, a, p, u)| {
                    a.as_deref() == Some(area.as_str())
                        && person_filter.is_none_or(|f| p.as_deref() == Some(f))
                        && user_filter.is_none_or(|f| u.as_deref() == Some(f))
                })
                .take(limit)
                .map(|(id, ..)| *id as u64)
                .collect();
            let mut query = format!("/api/audit?limit={limit}");
            if let Some(p) = person_filter {
                query.push_str(&format!("&person_id={p}"));
            }
            if let Some(u) = user_filter {
                query.push_str(&format!("&user_id={u}"));
            }
            let reply = server.get(&query).await;
            assert_eq!(reply.status, StatusCode::OK, "{query}: {}", reply.text());
            let listed: Vec<u64> = reply.json::<Vec<AuditEntry>>().iter().map(|e| e.id).collect();
            assert_eq!(listed, expected, "{query}");
            assert!(!listed.is_empty(), "{query}: the scenario leaves entries for every narrowing");
        }
    }
}

/// A device's pull, as `cookie`, after `cursor` with view `view`.
async fn pull(server: &TestServer, cookie: &str, client: ClientId, cursor: u64, view: u64) -> PullResponse {
    let reply = server.get_as(cookie, &format!("/api/sync/pull?client_id={client}&cursor={cursor}&view={view}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

fn note(seq: u64, n: u8, text: &str) -> Value {
    json!({ "seq": seq, "record_id": id(n), "kind": "visit_note", "changes": {
        "person_id": { "new": person(1) }, "visited_on": { "new": "2026-11-25" }, "by": { "new": "Sam" },
        "note": { "new": text } } })
}

/// The detail of the newest entry.
async fn last_detail(server: &TestServer) -> Option<String> {
    let pool = server.db().await;
    let row: (Option<String>,) = sqlx::query_as("SELECT detail FROM audit ORDER BY id DESC LIMIT 1")
        .fetch_one(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    pool.close().await;
    row.0
}

/// A device is sent back the changes it made itself (their numbers, the records as stored) without an
/// entry: it held them already, and its writes are in the trail. Anything else a pull sends is a read,
/// one entry per person counting only the others' changes: everything a device starting from nothing
/// is sent, another's change in the same page as the device's own, and the same account's changes
/// made on its other device.
#[tokio::test]
async fn a_device_sent_back_only_its_own_changes_leaves_no_entry_and_anything_else_does() {
    let server = test_server().await;
    let coordinator = server.cookie.clone();
    push(&server, &coordinator, client(1), json!([create(1, 1, "Alex")])).await;
    let (keyworker, cookie) = server.staff("keyworker", Role::Keyworker).await;
    let reply = server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person(1) })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let (tablet, laptop) = (client(2), client(3));

    let (first, added) = added!(&server, pull(&server, &cookie, tablet, 0, 0).await);
    assert_eq!(actions(&added), ["person.sent"], "a device starting from nothing");
    let (laptop_first, added) = added!(&server, pull(&server, &cookie, laptop, 0, 0).await);
    assert_eq!(actions(&added), ["person.sent"]);

    // Two notes written on the tablet and sent back to it: their writes are the only entries.
    let (_, added) = added!(
        &server,
        push(&server, &cookie, tablet, json!([note(1, 21, "At home"), note(2, 22, "Phoned mum")])).await
    );
    assert_eq!(actions(&added), ["record.create", "record.create"]);
    let (back, added) = added!(&server, pull(&server, &cookie, tablet, first.cursor, first.view).await);
    assert_eq!(back.changes.iter().map(|c| c.record.id).collect::<Vec<_>>(), [id(21), id(22)]);
    assert!(added.is_empty(), "{added:?}");

    // The coordinator adds to note 21 and the tablet writes note 23: one page with both, one entry for
    // the coordinator's change.
    let edit = json!([{ "seq": 2, "record_id": id(21), "kind": "visit_note", "base_version": 1,
        "changes": { "note": { "old": "At home", "new": "At home; calmer" } } }]);
    push(&server, &coordinator, client(1), edit).await;
    push(&server, &cookie, tablet, json!([note(3, 23, "Walked to school")])).await;
    let (page, added) = added!(&server, pull(&server, &cookie, tablet, back.cursor, back.view).await);
    let sent: Vec<(RecordId, u64)> = page.changes.iter().map(|c| (c.record.id, c.record.version)).collect();
    assert_eq!(sent, [(id(21), 2), (id(23), 1)]);
    assert_eq!(actions(&added), ["person.sent"]);
    assert_eq!(added[0].1.as_deref(), Some(person(1).to_string().as_str()));
    assert_eq!(last_detail(&server).await.as_deref(), Some("1 record(s) sent to the device"));

    // The keyworker's laptop is sent the tablet's notes: another device, a read.
    let (other, added) = added!(&server, pull(&server, &cookie, laptop, laptop_first.cursor, laptop_first.view).await);
    assert_eq!(other.changes.len(), 4, "{other:?}");
    assert_eq!(actions(&added), ["person.sent"]);
    assert_eq!(last_detail(&server).await.as_deref(), Some("4 record(s) sent to the device"));
}

/// A read reported by a device after its user's access ended is recorded when that device's user held
/// the person's records: sent to them, or written by them (a device is not sent back its own changes
/// as a read, so writing is holding too); refused otherwise.
#[tokio::test]
async fn a_read_reported_after_access_ended_is_kept_from_whoever_held_the_records() {
    let server = test_server().await;
    push(&server, &server.cookie.clone(), client(1), json!([create(1, 1, "Alex")])).await;
    let mut held = Vec::new();
    for (n, username) in [(2, "writer"), (3, "stranger")] {
        let (keyworker, cookie) = server.staff(username, Role::Keyworker).await;
        let reply =
            server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person(1) })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        // The writer's device writes a note before it has pulled anything; the stranger's does nothing.
        if username == "writer" {
            push(&server, &cookie, client(n), json!([note(1, 20 + n, "At home")])).await;
        }
        let request = Request::delete(format!("/api/users/{keyworker}/people/{}", person(1)))
            .body(Body::empty())
            .unwrap_or_default();
        assert_eq!(server.send(request).await.status, StatusCode::OK);
        let event = json!({ "id": uuid::Uuid::now_v7(), "person_id": person(1), "at": "2026-11-25T10:00:00Z", "screen": "person page" });
        let views = json!({ "client_id": client(n), "events": [event] });
        let reply = server.post_json_as(&cookie, "/api/audit/views", &views).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        held.push((username, reply.json::<Value>()));
    }
    assert_eq!(held[0].1["recorded"], json!(1), "{held:?}");
    assert_eq!((held[1].1["recorded"].clone(), held[1].1["refused"].clone()), (json!(0), json!(1)), "{held:?}");
}
