//! Each area's own policy: read by everyone in the area, changed by its coordinators (never over
//! someone else's change), every version kept and audited; new consents and risk assessments pushed
//! by devices are checked against it.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{TestServer, client, id, test_server};
use dsr_shared::api::{ApiError, PolicyDocument};
use dsr_shared::period::Period;
use dsr_shared::risk::AgeBand;
use dsr_shared::sync::{PushOutcome, PushResponse};
use serde_json::{Value, json};

async fn put_policy(server: &TestServer, cookie: &str, body: &Value) -> common::Reply {
    let request = Request::builder()
        .method(Method::PUT)
        .uri("/api/area/policy")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_string()))
        .unwrap_or_default();
    server.send_raw(request).await
}

async fn policy(server: &TestServer, cookie: &str) -> PolicyDocument {
    let reply = server.get_as(cookie, "/api/area/policy").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn an_area_starts_with_the_handbooks_defaults_under_its_own_name() {
    let server = test_server().await;
    let document = policy(&server, &server.cookie).await;
    assert_eq!(document.version, 0);
    assert_eq!(document.policy.area_name, common::AREA);
    // The strictest of the sources (the interim national measure).
    assert_eq!(document.policy.reviews.post_admission_child, Period::WorkingDays(5));
    assert_eq!(document.changed_by, None);
}

#[tokio::test]
async fn a_coordinator_changes_the_policy_and_every_version_is_kept_and_audited() {
    let server = test_server().await;
    let mut document = policy(&server, &server.cookie).await;
    document.policy.reviews.post_admission_child = Period::WorkingDays(10);
    document.policy.retention_after_leaving = Period::Months(24);
    let update = json!({ "base_version": 0, "policy": document.policy, "reason": "Seed 001's 10 working days" });
    let reply = put_policy(&server, &server.cookie, &update).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let saved: PolicyDocument = reply.json();
    assert_eq!((saved.version, saved.changed_by.as_deref()), (1, Some("Jo Coordinator")));
    let read = policy(&server, &server.cookie).await;
    assert_eq!(read.policy.reviews.post_admission_child, Period::WorkingDays(10));
    assert_eq!(read.policy.retention_after_leaving, Period::Months(24));

    // The audit trail names the sections that changed, old and new, and the reason.
    let audit: Value = server.get("/api/audit").await.json();
    let entry = audit.as_array().and_then(|a| a.iter().find(|e| e["action"] == "policy.change")).cloned();
    let entry = entry.unwrap_or_else(|| panic!("no policy.change entry: {audit}"));
    assert_eq!(entry["reason"], "Seed 001's 10 working days");
    let changes = entry["changes"].to_string();
    assert!(changes.contains("5 working days") && changes.contains("10 working days"), "{changes}");
    assert!(changes.contains("24 months"), "{changes}");

    // A second coordinator who opened version 0 cannot overwrite version 1.
    let stale = json!({ "base_version": 0, "policy": document.policy });
    let reply = put_policy(&server, &server.cookie, &stale).await;
    assert_eq!(reply.status, StatusCode::CONFLICT, "{}", reply.text());
    assert!(reply.json::<ApiError>().message.contains("Jo Coordinator changed the policy"));
    // Stored versions cannot be rewritten, even from inside the server's database.
    let versions: Vec<(i64,)> = sqlx::query_as("SELECT version FROM area_policies ORDER BY version")
        .fetch_all(&server.db().await)
        .await
        .unwrap_or_default();
    assert_eq!(versions, vec![(1,)]);
}

#[tokio::test]
async fn a_policy_that_breaks_a_rule_is_refused_with_the_field_named() {
    let server = test_server().await;
    let document = policy(&server, &server.cookie).await;
    let mut body = json!({ "base_version": 0, "policy": document.policy });
    body["policy"]["consent"]["child_must_agree_from"] = json!(17);
    let reply = put_policy(&server, &server.cookie, &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    let error: ApiError = reply.json();
    assert_eq!(error.fields[0].field, "consent.child_must_agree_from", "{error:?}");
    body["policy"]["consent"]["child_must_agree_from"] = json!(14);
    body["policy"]["reviews"]["report_within"] = json!("soon");
    let reply = put_policy(&server, &server.cookie, &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    assert!(reply.text().contains("not a length of time"), "{}", reply.text());
    body["policy"]["reviews"]["report_within"] = json!("2 weeks");
    body["policy"]["shoe_size"] = json!(9);
    let reply = put_policy(&server, &server.cookie, &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    assert_eq!(policy(&server, &server.cookie).await.version, 0, "nothing was saved");
}

#[tokio::test]
async fn a_changed_risk_tool_is_a_new_version_and_the_old_one_stays() {
    let server = test_server().await;
    let mut document = policy(&server, &server.cookie).await;
    let Some(tool) = document.policy.risk_tools.iter_mut().find(|t| t.age_band == AgeBand::Under18) else {
        panic!("no under-18 tool")
    };
    tool.red_from = 9;
    let reply = put_policy(&server, &server.cookie, &json!({ "base_version": 0, "policy": document.policy })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let saved: PolicyDocument = reply.json();
    let versions: Vec<(u32, u32)> = saved
        .policy
        .risk_tools
        .iter()
        .filter(|t| t.age_band == AgeBand::Under18)
        .map(|t| (t.version, t.red_from))
        .collect();
    assert_eq!(versions, vec![(1, 8), (2, 9)]);
}

#[tokio::test]
async fn each_area_has_its_own_policy_and_pushed_consents_follow_it() {
    let server = test_server().await;
    let other = server.other_area_coordinator("Area B", "coord.b").await;
    // Area B lets a parent consent to the register alone; area A keeps the default (seed 002: from 14 the
    // child must agree as well).
    let mut document = policy(&server, &other).await;
    document.policy.consent.child_must_agree_from = None;
    let reply = put_policy(&server, &other, &json!({ "base_version": 0, "policy": document.policy })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let a = policy(&server, &server.cookie).await;
    assert_eq!((a.version, a.policy.consent.child_must_agree_from), (0, Some(14)));
    let b = policy(&server, &other).await;
    assert_eq!((b.version, b.policy.consent.child_must_agree_from, b.policy.area_name.as_str()), (1, None, "Area B"));

    // A 15-year-old (born 2011-04-23, the server's day is 2026-11-25), a parent's consent without the child's agreement.
    let person = |n: u8| {
        json!({ "seq": 1, "record_id": id(n), "kind": "person", "changes": {
        "given_name": { "new": "Alex" }, "family_name": { "new": "Example" }, "date_of_birth": { "new": "2011-04-23" } } })
    };
    let consent = |n: u8, of: u8| {
        json!({ "seq": 2, "record_id": id(n), "kind": "consent", "changes": {
        "person_id": { "new": id(of) }, "scope": { "new": "register" }, "given_on": { "new": "2026-11-20" },
        "recorded_by": { "new": "Jo" },
        "given_by": { "new": { "kind": "parental_responsibility", "name": "Pat", "relationship": "Mother", "child_agreed": null } } } })
    };
    for (cookie, device, n, refused) in [(&server.cookie, client(1), 1u8, true), (&other, client(2), 3u8, false)] {
        let body = json!({ "client_id": device, "mutations": [person(n), consent(n + 1, n)] });
        let reply = server.post_json_as(cookie, "/api/sync/push", &body).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let answer: PushResponse = reply.json();
        assert!(matches!(answer.results[0].outcome, PushOutcome::Applied { .. }));
        match &answer.results[1].outcome {
            PushOutcome::Rejected { reasons } if refused => {
                assert_eq!(reasons[0].field, "given_by");
                assert!(reasons[0].message.contains("must agree"), "{reasons:?}");
            }
            PushOutcome::Applied { .. } if !refused => {}
            other => panic!("area {n}: {other:?}"),
        }
    }
}
