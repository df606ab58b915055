#![allow(clippy::panic, reason = "a failed step fails the test")]

//! The attack suite (issue 13): what a black-box attacker tried, each as a test that failed before the
//! fix. Sign-in bursts, invitation codes, the password-hashing budget and the public form's limits here;
//! field-level writes in `access.rs`; the memory an anonymous burst costs is measured on the real binary
//! in `tests/tests/attacks.rs`.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use dsr_server::{Clock, PasswordWork};
use dsr_shared::api::ApiError;
use serde_json::{Value, json};

use common::json_from as from;

fn sign_in(username: &str, password: &str) -> Value {
    json!({ "username": username, "password": password })
}

#[tokio::test]
async fn a_burst_of_parallel_wrong_passwords_is_checked_only_up_to_the_limit() {
    let server = test_server().await;
    server.staff("target", dsr_shared::access::Role::Keyworker).await;
    // 30 wrong passwords at once, with the right one among them.
    let mut burst = Vec::new();
    for n in 0..31 {
        let password = if n == 17 { PASSWORD.to_string() } else { format!("wrong password number {n}") };
        let app = server.app.clone();
        let request = from("192.0.2.10:5000", Method::POST, "/api/session/login", &sign_in("target", &password));
        burst.push(tokio::spawn(async move {
            use tower::ServiceExt;
            app.oneshot(request).await.map(|r| r.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        }));
    }
    let mut statuses = Vec::new();
    for task in burst {
        statuses.push(task.await.unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    }
    let checked = statuses.iter().filter(|s| **s != StatusCode::TOO_MANY_REQUESTS).count();
    assert!(checked <= 5, "only five attempts may be checked, {checked} were: {statuses:?}");
    assert!(
        statuses.iter().all(|s| [StatusCode::OK, StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(s))
    );
    // Whatever came of the burst, the right password now waits like any other.
    let reply = server
        .send_raw(from("192.0.2.10:5000", Method::POST, "/api/session/login", &sign_in("target", PASSWORD)))
        .await;
    if !statuses.contains(&StatusCode::OK) {
        assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.text());
        let retry: u64 = reply.headers[header::RETRY_AFTER].to_str().ok().and_then(|v| v.parse().ok()).unwrap_or(0);
        assert!((1..=15 * 60).contains(&retry), "{retry}");
        assert!(reply.json::<ApiError>().message.contains("Too many wrong passwords for this username"));
    }
}

#[tokio::test]
async fn one_client_trying_many_usernames_is_stopped_and_others_are_not() {
    let server = test_server().await;
    for n in 0..30 {
        let reply = server
            .send_raw(from(
                "198.51.100.7:4000",
                Method::POST,
                "/api/session/login",
                &sign_in(&format!("user{n}"), "guess guess guess"),
            ))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {n}: {}", reply.text());
    }
    let reply = server
        .send_raw(from("198.51.100.7:4001", Method::POST, "/api/session/login", &sign_in("coordinator", PASSWORD)))
        .await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "the 31st from one client: {}", reply.text());
    assert!(reply.json::<ApiError>().message.contains("from this connection"));
    // Another client is not held up.
    let reply = server
        .send_raw(from("203.0.113.9:4000", Method::POST, "/api/session/login", &sign_in("coordinator", PASSWORD)))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

#[tokio::test]
async fn usernames_and_passwords_are_bounded_before_anything_is_looked_up() {
    let server = test_server().await;
    let long = "a".repeat(10_000);
    for body in [sign_in(&long, PASSWORD), sign_in("coordinator", &"p".repeat(5_000))] {
        let reply = server.send_raw(from("192.0.2.1:1", Method::POST, "/api/session/login", &body)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    }
}

#[tokio::test]
async fn when_every_hashing_turn_is_taken_sign_in_says_busy_and_a_wrong_invite_code_is_refused_without_hashing() {
    let work = PasswordWork::new(2).with_wait(std::time::Duration::from_millis(50));
    let clock = Clock::Fixed(
        chrono::DateTime::parse_from_rfc3339("2026-11-25T10:00:00Z").map(|t| t.to_utc()).unwrap_or_default(),
    );
    let held = work.clone();
    let server = test_server_with(clock, move |mut state| {
        state.passwords = work;
        state
    })
    .await;
    let invite =
        server.post_json("/api/invites", &json!({ "display_name": "Chris Parent", "person_id": person(1) })).await;
    // No person 1: make one first.
    let invite = if invite.status == StatusCode::NOT_FOUND {
        let create = json!({ "client_id": client(1), "mutations": [{ "seq": 1, "record_id": id(1), "kind": "person",
            "changes": { "given_name": { "old": null, "new": "Chris" }, "family_name": { "old": null, "new": "Example" },
                         "date_of_birth": { "old": null, "new": "2012-03-04" } } }] });
        assert_eq!(server.post_json("/api/sync/push", &create).await.status, StatusCode::OK);
        server.post_json("/api/invites", &json!({ "display_name": "Chris Parent", "person_id": person(1) })).await
    } else {
        invite
    };
    assert_eq!(invite.status, StatusCode::CREATED, "{}", invite.text());
    let code = invite.json::<Value>()["code"].as_str().unwrap_or_default().to_string();

    let every_turn = held.take_every_turn().unwrap_or_else(|| panic!("the turns are free"));
    // A sign-in cannot be checked: 503 with Retry-After, and it does not count as a wrong password.
    let reply = server
        .send_raw(from("192.0.2.2:1", Method::POST, "/api/session/login", &sign_in("coordinator", PASSWORD)))
        .await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.text());
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(reply.json::<ApiError>().code, "busy");
    // A wrong invitation code is answered at once: nothing is hashed for it.
    let accept = |code: &str| json!({ "code": code, "username": "chris.parent", "password": "our own long password" });
    let reply =
        server.send_raw(from("192.0.2.3:1", Method::POST, "/api/invites/accept", &accept("ABCD-EFGH-JKMN-PQRS"))).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    // The right code needs a hash: busy.
    let reply = server.send_raw(from("192.0.2.3:1", Method::POST, "/api/invites/accept", &accept(&code))).await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{}", reply.text());
    drop(every_turn);
    let reply = server.send_raw(from("192.0.2.3:1", Method::POST, "/api/invites/accept", &accept(&code))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    // The busy answers did not count: the coordinator signs in.
    let reply = server
        .send_raw(from("192.0.2.2:1", Method::POST, "/api/session/login", &sign_in("coordinator", PASSWORD)))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
}

#[tokio::test]
async fn wrong_invitation_codes_from_one_client_are_limited() {
    let server = test_server().await;
    let accept =
        json!({ "code": "ABCD-EFGH-JKMN-PQRS", "username": "someone.new", "password": "our own long password" });
    for n in 0..10 {
        let reply = server.send_raw(from("192.0.2.4:1", Method::POST, "/api/invites/accept", &accept)).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {n}: {}", reply.text());
    }
    let reply = server.send_raw(from("192.0.2.4:1", Method::POST, "/api/invites/accept", &accept)).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.text());
    let reply = server.send_raw(from("192.0.2.5:1", Method::POST, "/api/invites/accept", &accept)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "another client: {}", reply.text());
}

#[tokio::test]
async fn a_device_can_only_report_reads_that_could_have_happened_and_the_answer_names_no_one() {
    let server = test_server().await;
    let create = |n: u8| {
        json!({ "seq": n, "record_id": id(n), "kind": "person", "changes": {
            "given_name": { "new": "Alex" }, "family_name": { "new": format!("Example{n}") }, "date_of_birth": { "new": "2012-03-04" } } })
    };
    let reply = server
        .post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": [create(1), create(2)] }))
        .await;
    assert!(reply.text().matches("\"applied\"").count() == 2, "{}", reply.text());
    let (keyworker, cookie) = server.staff("keyworker", dsr_shared::access::Role::Keyworker).await;
    let reply = server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person(1) })).await;
    assert_eq!(reply.status, StatusCode::OK);
    // The keyworker's device syncs (and so is theirs from now, 10:00).
    let reply = server.get_as(&cookie, &format!("/api/sync/pull?client_id={}&cursor=0", client(7))).await;
    assert_eq!(reply.status, StatusCode::OK);

    let report = |person_id: Value, at: &str, screen: &str, device: dsr_shared::ClientId| json!({ "client_id": device, "events": [{ "id": uuid::Uuid::now_v7(), "person_id": person_id, "at": at, "screen": screen }] });
    let answer = |reply: &Reply| (reply.status, reply.json::<Value>());
    let now = "2026-11-25T10:00:00Z";
    // Their own person, now: recorded.
    let reply = server
        .post_json_as(&cookie, "/api/audit/views", &report(json!(person(1)), now, "person page", client(7)))
        .await;
    assert_eq!(answer(&reply), (StatusCode::OK, json!({ "recorded": 1, "refused": 0 })));
    // Someone in the area they were never sent, someone who does not exist: the same answer, nothing recorded.
    let unassigned = server
        .post_json_as(&cookie, "/api/audit/views", &report(json!(person(2)), now, "person page", client(7)))
        .await;
    let nobody = server
        .post_json_as(&cookie, "/api/audit/views", &report(json!(person(99)), now, "person page", client(7)))
        .await;
    assert_eq!(answer(&unassigned), (StatusCode::OK, json!({ "recorded": 0, "refused": 1 })));
    assert_eq!(unassigned.text(), nobody.text());
    // Dated in 1999, or tomorrow: refused.
    for at in ["1999-01-01T00:00:00Z", "2026-11-26T10:00:00Z"] {
        let reply = server
            .post_json_as(&cookie, "/api/audit/views", &report(json!(person(1)), at, "person page", client(7)))
            .await;
        assert_eq!(answer(&reply), (StatusCode::OK, json!({ "recorded": 0, "refused": 1 })), "{at}");
    }
    // Reported as from another account's device (the coordinator's): refused.
    let reply = server
        .post_json_as(&cookie, "/api/audit/views", &report(json!(person(1)), now, "person page", client(1)))
        .await;
    assert_eq!(answer(&reply), (StatusCode::OK, json!({ "recorded": 0, "refused": 1 })));
    // A screen the product does not have: the words of the trail are the product's.
    let reply = server
        .post_json_as(
            &cookie,
            "/api/audit/views",
            &report(json!(person(1)), now, "Jo Coordinator deleted this", client(7)),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());

    // The trail: one read of person 1 by the keyworker, and the refusals said without naming anyone.
    let trail: Vec<Value> = server.get(&format!("/api/audit?user_id={keyworker}")).await.json();
    let viewed: Vec<&Value> = trail.iter().filter(|e| e["action"] == "person.viewed").collect();
    assert_eq!(viewed.len(), 1, "{trail:?}");
    assert_eq!(viewed[0]["person_id"], json!(person(1)));
    let refused: Vec<&Value> = trail.iter().filter(|e| e["action"] == "audit.views_refused").collect();
    assert_eq!(refused.len(), 5, "{trail:?}");
    assert!(refused.iter().all(|e| e["person_id"].is_null()), "{refused:?}");

    // Unassigned later, a read from while they were assigned still counts (and says so).
    let request =
        Request::delete(format!("/api/users/{keyworker}/people/{}", person(1))).body(Body::empty()).unwrap_or_default();
    assert_eq!(server.send(request).await.status, StatusCode::OK);
    let reply =
        server.post_json_as(&cookie, "/api/audit/views", &report(json!(person(1)), now, "planner", client(7))).await;
    assert_eq!(answer(&reply), (StatusCode::OK, json!({ "recorded": 1, "refused": 0 })));
}

#[tokio::test]
async fn a_policy_period_no_process_needs_is_refused_with_a_field_error() {
    let server = test_server().await;
    let document: Value = server.get("/api/area/policy").await.json();
    let mut policy = document["policy"].clone();
    policy["referrals"]["triage_within"] = json!("4000000000 working days");
    let update = json!({ "base_version": document["version"], "policy": policy, "reason": "stall every deadline" });
    let reply = server.send(from("192.0.2.9:1", Method::PUT, "/api/area/policy", &update)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    let error: ApiError = reply.json();
    assert!(
        error.fields.iter().any(|f| f.field == "referrals.triage_within" && f.message.contains("at most 5 years")),
        "{error:?}"
    );
    // A hidden control character in one of the policy's texts: refused, the field named.
    let mut policy = document["policy"].clone();
    policy["area_name"] = json!("Test\u{0}area");
    let update = json!({ "base_version": document["version"], "policy": policy, "reason": "a NUL" });
    let reply = server.send(from("192.0.2.9:1", Method::PUT, "/api/area/policy", &update)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    assert_eq!(reply.json::<ApiError>().fields[0].field, "area_name");
}

#[tokio::test]
async fn exports_are_safe_to_open_and_hidden_control_characters_are_refused_by_field() {
    let server = test_server().await;
    let formula = json!({ "seq": 1, "record_id": id(1), "kind": "person", "reason": "=cmd|' /C calc'!A0", "changes": {
        "given_name": { "new": "@SUM(1+1)" }, "family_name": { "new": "-2+3" }, "date_of_birth": { "new": "2012-03-04" } } });
    let reply = server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": [formula] })).await;
    assert!(reply.text().contains("\"applied\""), "{}", reply.text());
    let csv = server.get(&format!("/api/audit/export?person_id={}", person(1))).await.text();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for row in reader.records().filter_map(Result::ok) {
        for cell in row.iter() {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a cell a spreadsheet would run: {cell:?} in {csv}"
            );
        }
    }
    assert!(csv.contains("'=cmd|"), "{csv}");

    // A NUL in a record's field, in a change's reason, in an account's name: each refused with its field.
    let nul = json!({ "seq": 2, "record_id": id(2), "kind": "person", "changes": {
        "given_name": { "new": "Al\u{0}ex" }, "family_name": { "new": "Example" }, "date_of_birth": { "new": "2012-03-04" } } });
    let reason = json!({ "seq": 3, "record_id": id(3), "kind": "person", "reason": "why\u{0}", "changes": {
        "given_name": { "new": "Alex" }, "family_name": { "new": "Other" }, "date_of_birth": { "new": "2012-03-05" } } });
    let reply =
        server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": [nul, reason] })).await;
    let answer: dsr_shared::sync::PushResponse = reply.json();
    let fields: Vec<String> = answer
        .results
        .iter()
        .map(|r| match &r.outcome {
            dsr_shared::sync::PushOutcome::Rejected { reasons } => reasons[0].field.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(fields, ["given_name", "reason"]);
    let reply = server
        .post_json("/api/users", &json!({ "username": "nul.user", "display_name": "Nul\u{0}User", "role": "keyworker", "password": PASSWORD }))
        .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    assert_eq!(reply.json::<ApiError>().fields[0].field, "display_name");
}

#[tokio::test]
async fn api_answers_are_never_cached_and_https_answers_say_to_keep_to_https() {
    let server = test_server().await;
    let get = |uri: &str, https: bool| {
        let mut request = Request::get(uri);
        if https {
            request = request.header("x-forwarded-proto", "https");
        }
        request.body(Body::empty()).unwrap_or_default()
    };
    // Personal data: the register as the coordinator's device pulls it.
    let pull = format!("/api/sync/pull?client_id={}&cursor=0", client(1));
    for uri in [pull.as_str(), "/api/session", "/api/audit", "/api/health", "/api/no-such-route"] {
        let reply = server.send(get(uri, false)).await;
        assert_eq!(reply.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-store"), "{uri}");
        assert!(!reply.headers.contains_key(header::STRICT_TRANSPORT_SECURITY), "plain HTTP: {uri}");
        let reply = server.send(get(uri, true)).await;
        let hsts = reply.headers.get(header::STRICT_TRANSPORT_SECURITY).and_then(|v| v.to_str().ok()).unwrap_or("");
        assert!(hsts.starts_with("max-age=31536000"), "{uri}: {hsts:?}");
    }
    // The health check is public and says only that the server answers (and whether it is the demo).
    let health: Value = server.send_raw(get("/api/health", false)).await.json();
    assert_eq!(health, json!({ "status": "ok", "demo": false }));
    let api: Value = server.send_raw(get("/api/openapi.json", false)).await.json();
    assert_eq!(api["paths"]["/api/health"]["get"]["security"], json!([{}]), "documented as public");
}
