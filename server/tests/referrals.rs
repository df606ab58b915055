//! Self-referral from the public form: no account needed, checked by the same rules, received into
//! the area's register (referred, waiting for the next DSR meeting), audited, and limited per client
//! (with a ceiling per area).

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{TestServer, client, json_from, test_server};
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
    assert!(received.reference.starts_with("DSR-") && received.reference.len() == 8, "{}", received.reference);
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
async fn one_client_sending_many_self_referrals_is_limited_and_every_other_family_is_not() {
    let server = test_server().await;
    let from = |addr: &str| json_from(addr, Method::POST, "/api/referrals/self", &referral(&server.area));
    for n in 0..dsr_server::MAX_SELF_REFERRALS {
        let reply = server.send_raw(from("192.0.2.20:1")).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{n}: {}", reply.text());
    }
    let reply = server.send_raw(from("192.0.2.20:2")).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.text());
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    let message = reply.json::<ApiError>().message;
    assert!(
        message.contains("referrals have been sent from this connection") && message.contains("phone"),
        "{message}"
    );
    assert!(!message.contains("password"), "{message}");
    // Another family, in the same area, is not held up.
    let reply = server.send_raw(from("203.0.113.50:1")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    // A form sent back to be corrected does not count.
    let mut wrong = referral(&server.area);
    wrong["reason"] = json!("");
    for _ in 0..10 {
        let request = json_from("198.51.100.1:1", Method::POST, "/api/referrals/self", &wrong);
        assert_eq!(server.send_raw(request).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let reply = server.send_raw(from("198.51.100.1:1")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
}

#[tokio::test]
async fn the_same_child_is_never_on_the_register_twice_and_a_family_is_never_told_who_is() {
    let server = test_server().await;
    // Kai is on the register already (added by the coordinator).
    let on = json!({ "status": "on_register", "since": "2026-09-01" });
    let kai = json!({ "seq": 1, "record_id": common::id(1), "kind": "person", "changes": {
        "given_name": { "new": "Kai" }, "family_name": { "new": "Selfreferred" }, "date_of_birth": { "new": "2012-03-04" },
        "nhs_number": { "new": "9434765919" }, "register_status": { "new": on } } });
    let reply = server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": [kai] })).await;
    assert!(reply.text().contains("\"applied\""), "{}", reply.text());

    // Added again by the coordinator, with the same NHS number: refused on that field, naming the record.
    let again = json!({ "seq": 2, "record_id": common::id(2), "kind": "person", "changes": {
        "given_name": { "new": "Kye" }, "family_name": { "new": "Other" }, "date_of_birth": { "new": "2012-03-05" },
        "nhs_number": { "new": "943 476 5919" } } });
    let reply = server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": [again] })).await;
    let answer: dsr_shared::sync::PushResponse = reply.json();
    let dsr_shared::sync::PushOutcome::Rejected { reasons } = &answer.results[0].outcome else { panic!("{answer:?}") };
    assert_eq!(reasons[0].field, "nhs_number");
    assert!(reasons[0].message.contains(&common::id(1).to_string()), "{reasons:?}");

    // The family refers Kai themselves: received as always (nothing tells them who is on the register).
    let reply = send(&server, &referral(&server.area)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let page: PullResponse =
        server.get(&format!("/api/sync/pull?client_id={}&cursor=0&limit=100", client(9))).await.json();
    let referred = page
        .changes
        .iter()
        .find(|c| c.record.kind.name() == "person" && c.record.id != common::id(1))
        .unwrap_or_else(|| panic!("the self-referred person is not on the server"))
        .record
        .clone();
    // Accepting that referral onto the register is stopped: it is the same child.
    let accept = json!({ "seq": 3, "record_id": referred.id, "kind": "person", "base_version": referred.version,
        "changes": { "register_status": { "old": referred.field("register_status"), "new": on } } });
    let reply = server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": [accept] })).await;
    let answer: dsr_shared::sync::PushResponse = reply.json();
    let dsr_shared::sync::PushOutcome::Rejected { reasons } = &answer.results[0].outcome else { panic!("{answer:?}") };
    assert_eq!(reasons[0].field, "given_name");
    assert!(reasons[0].message.contains("name and date of birth"), "{reasons:?}");
}

async fn check(server: &TestServer, from: &str, reference: &str, born: [&str; 3]) -> common::Reply {
    let body = json!({ "reference": reference, "dob_day": born[0], "dob_month": born[1], "dob_year": born[2] });
    server.send_raw(json_from(from, Method::POST, "/api/referrals/self/status", &body)).await
}

#[tokio::test]
async fn a_family_checks_their_self_referral_with_its_reference_and_the_childs_date_of_birth() {
    let server = test_server().await;
    let received: SelfReferralReceived = send(&server, &referral(&server.area)).await.json();
    let code = received.reference.clone();
    // Typed as a family would: lower case, no hyphen.
    let reply = check(&server, "192.0.2.30:1", &code.to_lowercase().replace('-', " "), ["4", "3", "2012"]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let status: dsr_shared::referral::SelfReferralStatus = reply.json();
    assert_eq!((status.reference.as_str(), status.decided), (code.as_str(), false));
    let said = status.lines.join(" ");
    assert!(said.contains("We received it today") && said.contains("at their meeting on Tuesday 8 December"), "{said}");
    assert!(
        !reply.text().contains("Kai") && !reply.text().contains("school"),
        "nothing they did not give: {}",
        reply.text()
    );
    // A wrong date of birth and an unknown reference get the same answer.
    let wrong_date = check(&server, "192.0.2.30:1", &code, ["5", "3", "2012"]).await;
    let other = if code == "DSR-2222" { "DSR-3333" } else { "DSR-2222" };
    let wrong_reference = check(&server, "192.0.2.30:1", other, ["4", "3", "2012"]).await;
    assert_eq!((wrong_date.status, wrong_reference.status), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(wrong_date.json::<ApiError>().message, wrong_reference.json::<ApiError>().message);
    // Not a reference or not a date: named, 422.
    let reply = check(&server, "192.0.2.30:1", "12345", ["31", "2", "2012"]).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    let fields: Vec<String> = reply.json::<ApiError>().fields.into_iter().map(|f| f.field).collect();
    assert_eq!(fields, vec!["reference", "date_of_birth"]);
    // Audited.
    let audit: Value = server.get("/api/audit").await.json();
    assert!(audit.to_string().contains("referral.self_status"), "{audit}");
}

#[tokio::test]
async fn checks_that_find_nothing_are_limited_per_client_and_a_family_who_gets_it_right_is_not() {
    let server = test_server().await;
    let received: SelfReferralReceived = send(&server, &referral(&server.area)).await.json();
    let code = received.reference;
    // A family checking often with the right details is never held up.
    for _ in 0..15 {
        assert_eq!(check(&server, "192.0.2.40:1", &code, ["4", "3", "2012"]).await.status, StatusCode::OK);
    }
    // Someone trying dates (or references): stopped after ten in the hour, even the right one then.
    let limit = dsr_server::limits::SELF_REFERRAL_STATUS_PER_CLIENT.max;
    for day in 1..=limit {
        let reply = check(&server, "198.51.100.9:1", &code, [&(day + 5).to_string(), "3", "2012"]).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{day}: {}", reply.text());
    }
    let reply = check(&server, "198.51.100.9:2", &code, ["4", "3", "2012"]).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "{}", reply.text());
    assert!(reply.headers.contains_key(header::RETRY_AFTER));
    assert!(reply.json::<ApiError>().message.to_lowercase().contains("phone"), "the way round it is said");
    // Another family is not held up.
    assert_eq!(check(&server, "203.0.113.9:1", &code, ["4", "3", "2012"]).await.status, StatusCode::OK);
}
