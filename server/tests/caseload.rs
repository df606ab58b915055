//! The person's keyworker is the one whose caseload holds them (issue 12, point 3): assigning a keyworker
//! names them on the person's record for every device (so the register, the person page and the due
//! items see it), taking them off names the next one or clears it, and a keyworker referral is no longer
//! asked for once a keyworker is named.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{client, id, person, test_server};
use dsr_shared::access::Role;
use dsr_shared::due::{DueRule, PersonFile, due_items};
use dsr_shared::policy::AreaPolicy;
use dsr_shared::rating::RatingChange;
use serde_json::{Value, json};

async fn person_record(server: &common::TestServer) -> Value {
    let record = server.store.record(id(1)).await.unwrap_or_else(|e| panic!("{e}"));
    serde_json::to_value(record.unwrap_or_else(|| panic!("no person"))).unwrap_or_default()
}

#[tokio::test]
async fn the_keyworker_is_the_one_whose_caseload_holds_the_person() {
    let server = test_server().await;
    // A child rated Amber, on the register, with no keyworker: a keyworker referral is due.
    let on = json!({ "status": "on_register", "since": "2026-09-01" });
    let body = json!({ "client_id": client(1), "mutations": [
        { "seq": 1, "record_id": id(1), "kind": "person", "changes": {
            "given_name": { "new": "Alex" }, "family_name": { "new": "Example" }, "date_of_birth": { "new": "2012-03-04" },
            "register_status": { "new": on } } },
        { "seq": 2, "record_id": id(2), "kind": "rating_change", "changes": {
            "person_id": { "new": id(1) }, "to": { "new": "amber" }, "reason": { "new": "Discussed at the DSR meeting" },
            "by": { "new": "Jo Coordinator" }, "at": { "new": "2026-11-02T10:00:00Z" }, "source": { "new": "dsr_meeting" } } } ] });
    let reply = server.post_json("/api/sync/push", &body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let (kim, _) = server.staff("kim.keyworker", Role::Keyworker).await;
    let (lee, _) = server.staff("lee.keyworker", Role::Keyworker).await;
    let (advocate, _) = server.staff("ash.advocate", Role::Advocate).await;

    // An advocate on the caseload is not a keyworker.
    server.post_json(&format!("/api/users/{advocate}/people"), &json!({ "person_id": person(1) })).await;
    assert_eq!(person_record(&server).await["fields"]["keyworker"], Value::Null);

    // Kim takes Alex on: Alex's record names Kim, so no keyworker referral is asked for any more.
    let reply = server.post_json(&format!("/api/users/{kim}/people"), &json!({ "person_id": person(1) })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let record = person_record(&server).await;
    assert_eq!(record["fields"]["keyworker"]["name"], "Test kim.keyworker", "{record}");
    let fields: dsr_shared::sync::Fields = serde_json::from_value(record["fields"].clone()).unwrap_or_default();
    let alex = dsr_shared::sync::person_from(id(1), &fields).unwrap_or_else(|| panic!("not a person: {record}"));
    let mut file = PersonFile::new(alex);
    let rating = server.store.record(id(2)).await.ok().flatten().unwrap_or_else(|| panic!("no rating"));
    let mut rating_fields = rating.fields.clone();
    rating_fields.insert("id".into(), json!(id(2)));
    let rating: RatingChange = serde_json::from_value(json!(rating_fields)).unwrap_or_else(|e| panic!("{e}"));
    file.ratings.push(rating);
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    let rules: Vec<DueRule> = due_items(&file, &AreaPolicy::default(), today).iter().map(|i| i.rule).collect();
    assert!(!rules.contains(&DueRule::KeyworkerReferral), "{rules:?}");

    // Lee joins; Kim leaves: Lee is named. Lee leaves: nobody is.
    server.post_json(&format!("/api/users/{lee}/people"), &json!({ "person_id": person(1) })).await;
    assert_eq!(person_record(&server).await["fields"]["keyworker"]["name"], "Test kim.keyworker");
    let remove = |user: dsr_shared::UserId| {
        Request::delete(format!("/api/users/{user}/people/{}", person(1))).body(Body::empty()).unwrap_or_default()
    };
    assert_eq!(server.send(remove(kim)).await.status, StatusCode::OK);
    assert_eq!(person_record(&server).await["fields"]["keyworker"]["name"], "Test lee.keyworker");
    assert_eq!(server.send(remove(lee)).await.status, StatusCode::OK);
    assert_eq!(person_record(&server).await["fields"]["keyworker"], Value::Null);

    // The coordinator's devices hear of each change through the change log, and the audit trail has it.
    let audit = server.get("/api/audit").await.text();
    assert!(audit.contains("The keyworker caseload changed"), "{audit}");
}
