//! Reviews through the API: who may write each part of a review, and the panel opening the papers only
//! once consent for that review is recorded (handbook: information governance; issue 7).

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::http::StatusCode;
use common::{TestServer, client, id, test_server};
use dsr_shared::ClientId;
use dsr_shared::access::Role;
use dsr_shared::accounts::InviteCreated;
use dsr_shared::sync::{PullResponse, PushOutcome, PushResponse};
use serde_json::{Value, json};

const PERSON: u8 = 1;
const REVIEW: u8 = 20;

fn mutation(seq: u64, n: u8, kind: &str, fields: Value) -> Value {
    let changes: serde_json::Map<String, Value> =
        fields.as_object().cloned().unwrap_or_default().into_iter().map(|(k, v)| (k, json!({ "new": v }))).collect();
    json!({ "seq": seq, "record_id": id(n), "kind": kind, "changes": changes })
}

fn review(status: &str, chair: Option<&str>) -> Value {
    json!({
        "person_id": id(PERSON), "kind": "community", "name": "cetr", "status": status,
        "requested_on": "2026-11-02", "meeting_on": "2026-11-20", "format": "both",
        "panel": { "chair": chair, "clinical_expert": "Kim Clinical", "expert_by_experience": "Lee Experience" },
        "attendees": [ { "name": "Sam Parent", "role": "Mother" } ] })
}

/// Pushes as this user; each mutation's outcome.
async fn push(server: &TestServer, cookie: &str, device: ClientId, mutations: Vec<Value>) -> Vec<PushOutcome> {
    let reply =
        server.post_json_as(cookie, "/api/sync/push", &json!({ "client_id": device, "mutations": mutations })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json::<PushResponse>().results.into_iter().map(|r| r.outcome).collect()
}

/// The kinds of record (by id number) a fresh device of this user is sent.
async fn pulled(server: &TestServer, cookie: &str, device: ClientId) -> Vec<(String, String)> {
    let reply = server.get_as(cookie, &format!("/api/sync/pull?client_id={device}&cursor=0&view=0&limit=2000")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let page: PullResponse = reply.json();
    page.changes.into_iter().map(|c| (c.record.kind.name().to_string(), c.record.id.to_string())).collect()
}

/// Alex, the person every review here is about, born on `born` (seq 1 of the coordinator's device).
fn the_person(born: &str) -> Value {
    json!({ "seq": 1, "record_id": id(PERSON), "kind": "person", "changes": {
        "given_name": { "new": "Alex" }, "family_name": { "new": "Example" }, "date_of_birth": { "new": born } } })
}

/// Sam Parent's family account for Alex, invited by the coordinator and accepted: its cookie.
async fn family_account(server: &TestServer) -> String {
    let reply =
        server.post_json("/api/invites", &json!({ "display_name": "Sam Parent", "person_id": id(PERSON) })).await;
    let invite: InviteCreated = reply.json();
    let accept = json!({ "code": invite.code, "username": "sam.parent", "password": "our own long password" });
    let reply = server.post_json("/api/invites/accept", &accept).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    server.login("sam.parent", "our own long password").await.1
}

fn applied(outcome: &PushOutcome) -> bool {
    matches!(outcome, PushOutcome::Applied { .. })
}

fn has(records: &[(String, String)], kind: &str, n: u8) -> bool {
    records.iter().any(|(k, i)| k == kind && *i == id(n).to_string())
}

#[tokio::test]
async fn each_part_of_a_review_is_written_by_its_people_and_the_papers_open_with_consent() {
    let server = test_server().await;
    let outcomes = push(
        &server,
        &server.cookie,
        client(1),
        vec![the_person("2011-04-23"), mutation(2, REVIEW, "review", review("arranged", Some("Dr Chair")))],
    )
    .await;
    assert!(outcomes.iter().all(applied), "{outcomes:?}");
    let (panel_id, panel) = server.staff("panel", Role::PanelMember).await;
    let reply = server.post_json(&format!("/api/users/{panel_id}/people"), &json!({ "person_id": id(PERSON) })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let family = family_account(&server).await;

    // The family writes the planner and their views; not the panel's findings, nor the review.
    let planner = json!({ "review_id": id(REVIEW), "person_id": id(PERSON),
        "are_you_safe": "I feel safe with Mum", "take_part": "video" });
    let views = json!({ "review_id": id(REVIEW), "person_id": id(PERSON), "by": "Sam Parent", "relationship": "Mother",
        "anything_else": "We need respite" });
    let finding = json!({ "review_id": id(REVIEW), "person_id": id(PERSON), "question": "is_the_person_safe",
        "finding": "Safe at home" });
    let outcomes = push(
        &server,
        &family,
        client(2),
        vec![
            mutation(1, 21, "planner", planner),
            mutation(2, 22, "family_views", views),
            mutation(3, 23, "kloe_finding", finding.clone()),
            json!({ "seq": 4, "record_id": id(REVIEW), "kind": "review", "base_version": 1,
                "changes": { "verbal_feedback_given": { "old": null, "new": true } } }),
        ],
    )
    .await;
    assert!(applied(&outcomes[0]) && applied(&outcomes[1]), "{outcomes:?}");
    assert!(
        matches!(outcomes[2], PushOutcome::Rejected { .. }) && matches!(outcomes[3], PushOutcome::Rejected { .. }),
        "{outcomes:?}"
    );

    // Before consent for the review: the panel sees the review, not the person or the papers.
    let before = pulled(&server, &panel, client(3)).await;
    assert!(has(&before, "review", REVIEW), "{before:?}");
    assert!(
        !has(&before, "person", PERSON) && !has(&before, "planner", 21) && !has(&before, "family_views", 22),
        "{before:?}"
    );

    // Consent for this review is recorded: the papers open.
    let consent = json!({ "person_id": id(PERSON), "scope": "review", "review_id": id(REVIEW),
        "given_by": { "kind": "parental_responsibility", "name": "Sam Parent", "relationship": "Mother" },
        "given_on": "2026-11-10", "recorded_by": "Jo Coordinator" });
    let outcomes = push(&server, &server.cookie, client(1), vec![mutation(3, 24, "consent", consent)]).await;
    assert!(applied(&outcomes[0]), "{outcomes:?}");
    let after = pulled(&server, &panel, client(4)).await;
    assert!(
        has(&after, "person", PERSON) && has(&after, "planner", 21) && has(&after, "family_views", 22),
        "{after:?}"
    );

    // The panel records its findings and the day (who came, feedback, held); not a new rating.
    let held = json!({ "seq": 2, "record_id": id(REVIEW), "kind": "review", "base_version": 1, "changes": {
        "status": { "old": "arranged", "new": "held" }, "verbal_feedback_given": { "old": null, "new": true },
        "attendees": { "old": [ { "name": "Sam Parent", "role": "Mother" } ],
                       "new": [ { "name": "Sam Parent", "role": "Mother", "attended": true } ] } } });
    let rating = json!({ "person_id": id(PERSON), "to": "red", "reason": "The review", "by": "Pat Panel",
        "at": "2026-11-20T12:00:00Z", "source": "review" });
    let outcomes = push(
        &server,
        &panel,
        client(4),
        vec![mutation(1, 23, "kloe_finding", finding), held, mutation(3, 25, "rating_change", rating)],
    )
    .await;
    assert!(applied(&outcomes[0]) && applied(&outcomes[1]), "{outcomes:?}");
    assert!(matches!(outcomes[2], PushOutcome::Rejected { .. }), "{outcomes:?}");

    // The family is not sent the panel's draft findings: the report is not shared yet.
    let family_sees = pulled(&server, &family, client(5)).await;
    assert!(!has(&family_sees, "kloe_finding", 23) && has(&family_sees, "review", REVIEW), "{family_sees:?}");

    // The advocate, with the young person: adds their disagreement to the planner, and the family's
    // disagreement to an action; not findings.
    let (advocate_id, advocate) = server.staff("advocate", Role::Advocate).await;
    let reply =
        server.post_json(&format!("/api/users/{advocate_id}/people"), &json!({ "person_id": id(PERSON) })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let action = json!({ "review_id": id(REVIEW), "person_id": id(PERSON), "description": "Request an EHC needs assessment",
        "owner": "School SENCo", "due_on": "2026-12-04", "status": "open" });
    let outcomes = push(&server, &panel, client(4), vec![mutation(4, 27, "action", action)]).await;
    assert!(applied(&outcomes[0]), "{outcomes:?}");
    let disagreement =
        json!({ "about": "I do not want a residential school", "recorded_by": "Ali Advocate", "on": "2026-11-21" });
    let outcomes = push(
        &server,
        &advocate,
        client(6),
        vec![
            json!({ "seq": 1, "record_id": id(21), "kind": "planner", "base_version": 1,
                "changes": { "disagreements": { "old": null, "new": [disagreement.clone()] } } }),
            json!({ "seq": 2, "record_id": id(27), "kind": "action", "base_version": 1,
                "changes": { "family_disagreement": { "old": null, "new": disagreement } } }),
            mutation(
                3,
                28,
                "kloe_finding",
                json!({ "review_id": id(REVIEW), "person_id": id(PERSON),
                "question": "good_care_now", "finding": "Not the advocate's to write" }),
            ),
        ],
    )
    .await;
    assert!(applied(&outcomes[0]) && applied(&outcomes[1]), "{outcomes:?}");
    assert!(matches!(outcomes[2], PushOutcome::Rejected { .. }), "{outcomes:?}");

    // The family and the advocate answer different questions of the planner at once, each from the same
    // version: both answers are kept, with no conflict (each answer is its own field).
    let answer = |seq: u64, field: &str, words: &str| {
        json!({ "seq": seq, "record_id": id(21), "kind": "planner", "base_version": 2,
            "changes": { field: { "old": null, "new": words } } })
    };
    let by_family = push(&server, &family, client(2), vec![answer(5, "what_is_working", "Drawing helps")]).await;
    let by_advocate = push(&server, &advocate, client(6), vec![answer(4, "education", "College in September")]).await;
    assert!(applied(&by_family[0]) && applied(&by_advocate[0]), "{by_family:?} {by_advocate:?}");
    let reply =
        server.get_as(&family, &format!("/api/sync/pull?client_id={}&cursor=0&view=0&limit=2000", client(7))).await;
    let page: PullResponse = reply.json();
    let planner =
        page.changes.iter().rev().find(|c| c.record.id == id(21)).map(|c| c.record.fields.clone()).unwrap_or_default();
    assert_eq!(
        (planner["what_is_working"].as_str(), planner["education"].as_str()),
        (Some("Drawing helps"), Some("College in September"))
    );
    assert_eq!(planner["are_you_safe"], "I feel safe with Mum");

    // A review marked held without its chair is refused, naming the panel.
    let outcomes =
        push(&server, &server.cookie, client(1), vec![mutation(4, 26, "review", review("held", None))]).await;
    match &outcomes[0] {
        PushOutcome::Rejected { reasons } => assert!(reasons.iter().any(|r| r.field == "panel"), "{reasons:?}"),
        other => panic!("a held review with no chair was not refused: {other:?}"),
    }
}

/// One page of a pull from `cursor` with `view`.
async fn pull_page(server: &TestServer, cookie: &str, device: ClientId, cursor: u64, view: u64) -> PullResponse {
    let uri = format!("/api/sync/pull?client_id={device}&cursor={cursor}&view={view}&limit=2000");
    let reply = server.get_as(cookie, &uri).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json()
}

#[tokio::test]
async fn a_family_device_is_sent_a_reviews_outcome_only_once_the_report_is_shared_and_loses_it_if_unshared() {
    let server = test_server().await;
    let finding = json!({ "review_id": id(REVIEW), "person_id": id(PERSON), "question": "is_the_person_safe",
        "finding": "Two incidents at school this term" });
    let recommendation = json!({ "review_id": id(REVIEW), "person_id": id(PERSON), "text": "Agree a school place" });
    let action = json!({ "review_id": id(REVIEW), "person_id": id(PERSON), "description": "Request an EHC needs assessment",
        "owner": "School SENCo", "due_on": "2026-12-04", "status": "open" });
    let outcomes = push(
        &server,
        &server.cookie,
        client(1),
        vec![
            the_person("2011-04-23"),
            mutation(2, REVIEW, "review", review("held", Some("Dr Chair"))),
            mutation(3, 23, "kloe_finding", finding),
            mutation(4, 26, "recommendation", recommendation),
            mutation(5, 27, "action", action),
        ],
    )
    .await;
    assert!(outcomes.iter().all(applied), "{outcomes:?}");
    let family = family_account(&server).await;

    // Held, report not shared: the family's device has the review (when, who) but none of its outcome.
    let first = pull_page(&server, &family, client(5), 0, 0).await;
    let held: Vec<String> = first.changes.iter().map(|c| c.record.kind.name().to_string()).collect();
    assert_eq!(held, vec!["person", "review"], "{held:?}");

    // The coordinator shares the report: the same device's next pull brings the outcome.
    let shared = json!({ "seq": 6, "record_id": id(REVIEW), "kind": "review", "base_version": 1, "changes": {
        "status": { "old": "held", "new": "report_shared" },
        "report_shared": { "old": null, "new": [ { "to": "Sam Parent", "on": "2026-11-25" } ] } } });
    assert!(push(&server, &server.cookie, client(1), vec![shared]).await.iter().all(applied));
    let second = pull_page(&server, &family, client(5), first.cursor, first.view).await;
    let mut got: Vec<String> = second.changes.iter().map(|c| c.record.id.to_string()).collect();
    got.sort();
    let mut wanted = vec![id(23).to_string(), id(26).to_string(), id(27).to_string(), id(REVIEW).to_string()];
    wanted.sort();
    assert_eq!(got, wanted, "{second:?}");
    assert!(second.removed.is_empty());

    // Shared by mistake and taken back: the device is told to delete the outcome again.
    let unshared = json!({ "seq": 7, "record_id": id(REVIEW), "kind": "review", "base_version": 2, "changes": {
        "status": { "old": "report_shared", "new": "held" },
        "report_shared": { "old": [ { "to": "Sam Parent", "on": "2026-11-25" } ], "new": [] } } });
    assert!(push(&server, &server.cookie, client(1), vec![unshared]).await.iter().all(applied));
    let third = pull_page(&server, &family, client(5), second.cursor, second.view).await;
    let mut removed: Vec<String> = third.removed.iter().map(ToString::to_string).collect();
    removed.sort();
    assert_eq!(removed, vec![id(23).to_string(), id(26).to_string(), id(27).to_string()]);
    assert!(third.changes.iter().all(|c| c.record.kind.name() == "review"), "{third:?}");
}

/// The access matrix at field level, through the API: each role changes only its own part of a record.
#[tokio::test]
async fn each_role_changes_only_its_own_fields_of_a_record() {
    let server = test_server().await;
    let action = json!({ "review_id": id(REVIEW), "person_id": id(PERSON), "description": "Request an EHC needs assessment",
        "owner": "School SENCo", "due_on": "2026-12-04", "status": "open" });
    let consent = json!({ "person_id": id(PERSON), "scope": "register",
        "given_by": { "kind": "parental_responsibility", "name": "Sam Parent", "relationship": "Mother" },
        "given_on": "2026-11-10", "recorded_by": "Jo Coordinator" });
    let outcomes = push(
        &server,
        &server.cookie,
        client(1),
        vec![
            the_person("2016-04-23"),
            mutation(2, REVIEW, "review", review("arranged", Some("Dr Chair"))),
            mutation(3, 27, "action", action.clone()),
            mutation(4, 24, "consent", consent),
        ],
    )
    .await;
    assert!(outcomes.iter().all(applied), "{outcomes:?}");
    let mut cookies = Vec::new();
    for (username, role) in [("advocate", Role::Advocate), ("panel", Role::PanelMember)] {
        let (user, cookie) = server.staff(username, role).await;
        let reply = server.post_json(&format!("/api/users/{user}/people"), &json!({ "person_id": id(PERSON) })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        cookies.push(cookie);
    }
    let family = family_account(&server).await;
    let (advocate, panel) = (&cookies[0], &cookies[1]);
    let change = |seq: u64, n: u8, kind: &str, field: &str, old: Value, new: Value| {
        json!({ "seq": seq, "record_id": id(n), "kind": kind, "base_version": 1,
            "changes": { field: { "old": old, "new": new } } })
    };
    let refused_field = |outcome: &PushOutcome| match outcome {
        PushOutcome::Rejected { reasons } => reasons[0].message.clone(),
        other => panic!("applied: {other:?}"),
    };

    // The advocate: not the action's description, not a new action; the family's disagreement, yes.
    let disagreement =
        json!({ "about": "Not a residential school", "recorded_by": "Ali Advocate", "on": "2026-11-21" });
    let outcomes = push(
        &server,
        advocate,
        client(2),
        vec![
            change(1, 27, "action", "description", json!("Request an EHC needs assessment"), json!("Nothing to do")),
            mutation(2, 29, "action", action),
            change(3, 27, "action", "family_disagreement", Value::Null, disagreement),
        ],
    )
    .await;
    assert!(refused_field(&outcomes[0]).contains("description"), "{outcomes:?}");
    assert!(refused_field(&outcomes[1]).contains("not make a new one"), "{outcomes:?}");
    assert!(applied(&outcomes[2]), "{outcomes:?}");

    // The panel: not the arrangements (the date, the chair); who came, yes.
    let outcomes = push(
        &server,
        panel,
        client(3),
        vec![
            change(1, REVIEW, "review", "meeting_on", json!("2026-11-20"), json!("2027-06-01")),
            json!({ "seq": 2, "record_id": id(REVIEW), "kind": "review", "base_version": 1, "changes": {
                "panel": { "old": null, "new": { "chair": "Someone Else", "clinical_expert": "Kim Clinical", "expert_by_experience": "Lee Experience" } } } }),
            change(3, REVIEW, "review", "attendees", json!([ { "name": "Sam Parent", "role": "Mother" } ]),
                json!([ { "name": "Sam Parent", "role": "Mother", "attended": true } ])),
        ],
    )
    .await;
    assert!(refused_field(&outcomes[0]).contains("meeting_on"), "{outcomes:?}");
    assert!(refused_field(&outcomes[1]).contains("panel"), "{outcomes:?}");
    assert!(applied(&outcomes[2]), "{outcomes:?}");

    // The family: not who recorded the staff's consent; asking to withdraw it, yes; withdrawing it
    // themselves only where the area's policy says so (by default it is a request to the coordinator).
    let outcomes = push(
        &server,
        &family,
        client(4),
        vec![
            change(1, 24, "consent", "recorded_by", json!("Jo Coordinator"), json!("Sam Parent")),
            change(2, 24, "consent", "withdrawn_on", Value::Null, json!("2026-11-24")),
            change(3, 24, "consent", "withdrawal_requested_on", Value::Null, json!("2026-11-24")),
        ],
    )
    .await;
    assert!(refused_field(&outcomes[0]).contains("recorded_by"), "{outcomes:?}");
    assert!(refused_field(&outcomes[1]).contains("as a request"), "{outcomes:?}");
    assert!(applied(&outcomes[2]), "{outcomes:?}");
}
