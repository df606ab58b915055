//! Self-referral from the public form: no account needed, checked by the same rules, received into
//! the area's register (referred, waiting for the next DSR meeting), audited, and limited per area.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestServer, client, test_server};
use dsr_shared::accounts::AreaSummary;
use dsr_shared::api::ApiError;
use dsr_shared::referral::SelfReferralReceived;
use dsr_shared::sync::PullResponse;
use serde_json::{Value, json};

fn referral(area: &str) -> Value {
    json!({
        "area_id": area,
        "person": { "given_name": "Kai", "family_name": "Selfreferred", "dob_day": "4", "dob_month": "3",
                    "dob_year": "2012", "nhs_number": "" },
        "where_they_live": "Northtown",
        "reason": "He has stopped going to school and we are scared he will be sent away",
        "by": "Pat Selfreferred", "relationship": "Mother", "contact": "07700 900123", "agreed": true
    })
}

async fn send(server: &TestServer, body: &Value) -> common::Reply {
    let request = Request::post("/api/referrals/self")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default();
    server.send_raw(request).await
}

#[tokio::test]
async fn a_family_refers_themselves_without_an_account_and_the_referral_waits_for_the_next_meeting() {
    let server = test_server().await;
    let areas = server.send_raw(Request::get("/api/areas").body(Body::empty()).unwrap_or_default()).await;
    assert_eq!(areas.status, StatusCode::OK);
    let areas: Vec<AreaSummary> = areas.json();
    assert_eq!(areas.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(), vec![common::AREA]);

    let reply = send(&server, &referral(&server.area)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    assert!(!reply.text().contains("Kai"), "nothing about anyone is sent back: {}", reply.text());
    let received: SelfReferralReceived = reply.json();
    // The server's day is Wednesday 25 November 2026: the next meeting (second Tuesday) is 8 December;
    // contact within 5 working days is 2 December.
    assert_eq!(received.considered_on.to_string(), "2026-12-08");
    assert_eq!(received.contact_by.map(|d| d.to_string()), Some("2026-12-02".into()));

    // The coordinator's devices receive the referred person and the referral.
    let page: PullResponse =
        server.get(&format!("/api/sync/pull?client_id={}&cursor=0&limit=100", client(9))).await.json();
    let kinds: Vec<String> = page.changes.iter().map(|c| c.record.kind.name().to_string()).collect();
    assert_eq!(kinds, vec!["person", "referral"]);
    let person = &page.changes[0].record;
    assert_eq!(person.field("register_status"), &json!({ "status": "referred" }));
    let referral = &page.changes[1].record;
    assert_eq!(referral.id.to_string(), received.reference.to_string());
    assert_eq!(referral.field("route")["contact"], "07700 900123");
    // Audited, with no user (the form acts for the family).
    let audit: Value = server.get("/api/audit").await.json();
    assert!(audit.to_string().contains("referral.self"), "{audit}");
}

#[tokio::test]
async fn a_self_referral_names_what_needs_attention_and_an_unknown_area_is_404() {
    let server = test_server().await;
    let mut body = referral(&server.area);
    body["person"]["given_name"] = json!("");
    body["contact"] = json!("   ");
    body["agreed"] = json!(false);
    let reply = send(&server, &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    let error: ApiError = reply.json();
    let fields: Vec<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, vec!["given_name", "contact", "agreed"], "{error:?}");
    let reply = send(&server, &referral("no-such-area")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND, "{}", reply.text());
    let reply = send(&server, &json!({ "area_id": server.area })).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    let page: PullResponse =
        server.get(&format!("/api/sync/pull?client_id={}&cursor=0&limit=100", client(9))).await.json();
    assert!(page.changes.is_empty(), "nothing was added");
}

#[tokio::test]
async fn self_referrals_to_one_area_are_limited_when_a_form_is_abused() {
    let server = test_server().await;
    for n in 0..dsr_server::MAX_SELF_REFERRALS {
        let reply = send(&server, &referral(&server.area)).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{n}: {}", reply.text());
    }
    let reply = send(&server, &referral(&server.area)).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.text());
}
