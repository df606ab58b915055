//! Getting back in: a coordinator's one-time reset code (hashed, expiring, one-time, limited, audited)
//! sets a new password and signs in; a device's recovery secret is given only to a signed-in session of
//! its own user, and goes when the account is closed.

#![allow(clippy::panic, reason = "a failed step fails the test")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, TestServer, client, json_from, person, test_server};
use dsr_shared::access::Role;
use dsr_shared::accounts::{DeviceRecovery, InviteCreated, ResetCodeCreated, SessionInfo};
use dsr_shared::api::ApiError;
use serde_json::json;

const NEW_PASSWORD: &str = "three new random words";

async fn reset(server: &TestServer, from: &str, username: &str, code: &str, password: &str) -> common::Reply {
    let body = json!({ "username": username, "code": code, "password": password });
    server.send_raw(json_from(from, Method::POST, "/api/password-reset", &body)).await
}

/// The audit trail's actions, oldest first.
async fn audit_actions(server: &TestServer) -> Vec<String> {
    let pool = server.db().await;
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT action FROM audit ORDER BY id").fetch_all(&pool).await.unwrap_or_else(|e| panic!("{e}"));
    rows.into_iter().map(|(a,)| a).collect()
}

#[tokio::test]
async fn a_reset_code_sets_a_new_password_once_and_signs_in() {
    let server = test_server().await;
    let (keyworker, keyworker_cookie) = server.staff("kim.keyworker", Role::Keyworker).await;

    // Only a coordinator gives codes, and not for their own account.
    let refused =
        server.post_json_as(&keyworker_cookie, &format!("/api/users/{keyworker}/reset-code"), &json!({})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.text());
    let own = server.post_json(&format!("/api/users/{}/reset-code", server.coordinator), &json!({})).await;
    assert_eq!(own.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", own.text());
    assert!(
        own.json::<ApiError>().message.contains("another coordinator") || own.text().contains("another coordinator")
    );

    let reply = server.post_json(&format!("/api/users/{keyworker}/reset-code"), &json!({})).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let first: ResetCodeCreated = reply.json();
    assert_eq!(first.user.id, keyworker);
    assert_eq!(first.expires_on.to_string(), "2026-11-28", "three days from 25 November");
    // A second code replaces the first, which then opens nothing.
    let second: ResetCodeCreated =
        server.post_json(&format!("/api/users/{keyworker}/reset-code"), &json!({})).await.json();
    let stale = reset(&server, "192.0.2.1:1", "kim.keyworker", &first.code, NEW_PASSWORD).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", stale.text());
    // The code is for one username: another's gets the same answer as a wrong code.
    let (_, _) = server.staff("other.keyworker", Role::Keyworker).await;
    let wrong_user = reset(&server, "192.0.2.1:1", "other.keyworker", &second.code, NEW_PASSWORD).await;
    assert_eq!(wrong_user.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong_user.json::<ApiError>().fields[0].message, stale.json::<ApiError>().fields[0].message);
    // A password that is too short is refused before the code is looked at.
    let short = reset(&server, "192.0.2.1:1", "kim.keyworker", &second.code, "short").await;
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(short.json::<ApiError>().fields[0].field, "password");

    // The right code, typed any way: a new password, and signed in.
    let typed = second.code.to_lowercase().replace('-', " ");
    let done = reset(&server, "192.0.2.1:1", " Kim.Keyworker ", &typed, NEW_PASSWORD).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text());
    let session: SessionInfo = done.json();
    assert_eq!(session.user.id, keyworker);
    assert!(
        done.headers.get(header::SET_COOKIE).is_some_and(|c| c.to_str().is_ok_and(|c| c.starts_with("dsr_session=")))
    );
    server.login("kim.keyworker", NEW_PASSWORD).await;
    let old = server
        .send_raw(json_from(
            "192.0.2.2:1",
            Method::POST,
            "/api/session/login",
            &json!({ "username": "kim.keyworker", "password": PASSWORD }),
        ))
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED, "the old password no longer works");
    // Once only.
    let again = reset(&server, "192.0.2.1:1", "kim.keyworker", &second.code, "yet another long password").await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    let actions = audit_actions(&server).await;
    assert_eq!(actions.iter().filter(|a| *a == "user.reset_code").count(), 2, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "password.reset").count(), 1, "{actions:?}");
}

#[tokio::test]
async fn a_reset_code_expires_and_closed_or_uninvited_accounts_get_none() {
    let server = test_server().await;
    let (keyworker, _) = server.staff("kim.keyworker", Role::Keyworker).await;
    let made: ResetCodeCreated =
        server.post_json(&format!("/api/users/{keyworker}/reset-code"), &json!({})).await.json();
    // The same database 73 hours later: the code has expired.
    let later = chrono::DateTime::parse_from_rfc3339("2026-11-28T11:00:01Z").map(|t| t.to_utc()).unwrap_or_default();
    let state = dsr_server::AppState::new(
        server.store.clone(),
        dsr_server::Clock::Fixed(later),
        server.dir.path().join("dist"),
        false,
    );
    let body = json!({ "username": "kim.keyworker", "code": made.code, "password": NEW_PASSWORD });
    let request = json_from("192.0.2.1:1", Method::POST, "/api/password-reset", &body);
    let reply = tower::ServiceExt::oneshot(dsr_server::app(state), request).await.unwrap_or_else(|e| match e {});
    assert_eq!(reply.status(), StatusCode::UNPROCESSABLE_ENTITY);

    // A family member who has not used their invitation gets a new invitation, not a reset code.
    let someone = json!({ "seq": 1, "record_id": common::id(1), "kind": "person", "changes": {
        "given_name": { "new": "Alex" }, "family_name": { "new": "Example" }, "date_of_birth": { "new": "2011-04-23" } } });
    let pushed = server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": [someone] })).await;
    assert_eq!(pushed.status, StatusCode::OK, "{}", pushed.text());
    let invite: InviteCreated = server
        .post_json("/api/invites", &json!({ "display_name": "Chris Parent", "person_id": person(1) }))
        .await
        .json();
    let pending = server.post_json(&format!("/api/users/{}/reset-code", invite.user.id), &json!({})).await;
    assert_eq!(pending.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", pending.text());
    // A closed account gets none, and a code given before it closed stops working.
    let code: ResetCodeCreated =
        server.post_json(&format!("/api/users/{keyworker}/reset-code"), &json!({})).await.json();
    let close = json!({ "asked_by": "Sam Lee, team manager", "reason": "Left the team" });
    assert_eq!(server.post_json(&format!("/api/users/{keyworker}/disable"), &close).await.status, StatusCode::OK);
    let closed = server.post_json(&format!("/api/users/{keyworker}/reset-code"), &json!({})).await;
    assert_eq!(closed.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", closed.text());
    let used = reset(&server, "192.0.2.1:1", "kim.keyworker", &code.code, NEW_PASSWORD).await;
    assert_eq!(used.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Another area's coordinator does not see the account at all.
    let other = server.other_area_coordinator("Area B", "coordinator.b").await;
    let (other_keyworker, _) = server.staff("kit.keyworker", Role::Keyworker).await;
    let foreign = server.post_json_as(&other, &format!("/api/users/{other_keyworker}/reset-code"), &json!({})).await;
    assert_eq!(foreign.status, StatusCode::NOT_FOUND, "{}", foreign.text());
}

#[tokio::test]
async fn wrong_reset_codes_from_one_client_are_limited() {
    let server = test_server().await;
    server.staff("kim.keyworker", Role::Keyworker).await;
    for n in 0..10 {
        let reply = reset(&server, "192.0.2.9:1", "kim.keyworker", &format!("AAAA-BBBB-CC{n:02}"), NEW_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "attempt {n}");
    }
    let limited = reset(&server, "192.0.2.9:1", "kim.keyworker", "AAAA-BBBB-CCCC", NEW_PASSWORD).await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS, "{}", limited.text());
    assert!(limited.headers.contains_key(header::RETRY_AFTER));
    // Another client is not held back by it.
    let other = reset(&server, "192.0.2.10:1", "kim.keyworker", "AAAA-BBBB-CCCC", NEW_PASSWORD).await;
    assert_eq!(other.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn a_device_recovery_secret_goes_only_to_its_own_user_and_is_audited_when_read() {
    let server = test_server().await;
    let (keyworker, cookie) = server.staff("kim.keyworker", Role::Keyworker).await;
    let (_, other_cookie) = server.staff("other.keyworker", Role::Keyworker).await;
    let path = format!("/api/devices/{}/recovery", client(1));
    let put = |cookie: &str| {
        Request::builder()
            .method(Method::PUT)
            .uri(&path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap_or_default()
    };
    // Not signed in: nothing.
    let anonymous = server.send_raw(Request::get(&path).body(Body::empty()).unwrap_or_default()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let made: DeviceRecovery = server.send_raw(put(&cookie)).await.json();
    assert_eq!(made.secret.len(), 64);
    assert!(made.secret.chars().all(|c| c.is_ascii_hexdigit()));
    let read: DeviceRecovery = server.get_as(&cookie, &path).await.json();
    assert_eq!(read, made);
    // Another user's session, the same device id: not theirs.
    assert_eq!(server.get_as(&other_cookie, &path).await.status, StatusCode::NOT_FOUND);
    // A new data key (signing in again on the device) gets a new secret.
    let renewed: DeviceRecovery = server.send_raw(put(&cookie)).await.json();
    assert_ne!(renewed, made);
    assert_eq!(server.get_as(&cookie, &path).await.json::<DeviceRecovery>(), renewed);
    let actions = audit_actions(&server).await;
    assert_eq!(actions.iter().filter(|a| *a == "device.recover").count(), 2, "{actions:?}");
    // A closed account's secrets are deleted: its devices cannot be opened with one again.
    let close = json!({ "asked_by": "Sam Lee, team manager", "reason": "Left the team" });
    assert_eq!(server.post_json(&format!("/api/users/{keyworker}/disable"), &close).await.status, StatusCode::OK);
    assert_eq!(server.get_as(&cookie, &path).await.status, StatusCode::FORBIDDEN);
    let pool = server.db().await;
    let (left,): (i64,) =
        sqlx::query_as(&format!("SELECT COUNT(*) FROM device_recovery WHERE user_id = '{keyworker}'"))
            .fetch_one(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(left, 0);
}
