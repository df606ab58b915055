//! DSR meetings over the API: a DSR panel member reads the area's meetings and what the agenda needs of
//! everyone, records decisions (the decision, the rating it gives, a referral's triage, an amendment to
//! final minutes) and nothing else; families never see a meeting or what it decided.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::http::StatusCode;
use common::{TestServer, client, id, person, test_server};
use dsr_shared::access::Role;
use dsr_shared::meeting::{DsrMeeting, MeetingDecision, MeetingStatus, RatingDecision, ReferralDecision};
use dsr_shared::rating::Rating;
use dsr_shared::referral::{Triage, TriageOutcome};
use dsr_shared::sync::{PullResponse, PushOutcome, PushResponse};
use dsr_shared::text::{LongText, ShortText};
use dsr_shared::{ClientId, DsrMeetingId, RecordId};
use serde_json::{Value, json};

/// A mutation making (or, with `base`, changing to) `value`'s fields.
fn mutation(
    seq: u64,
    record: RecordId,
    kind: &str,
    value: &impl serde::Serialize,
    base: Option<(u64, &Value)>,
) -> Value {
    let value = serde_json::to_value(value).unwrap_or_else(|e| panic!("{e}"));
    let mut changes = serde_json::Map::new();
    for (field, new) in value.as_object().cloned().unwrap_or_default() {
        if field == "id" {
            continue;
        }
        let old = base.map(|(_, old)| old.get(&field).cloned().unwrap_or(Value::Null)).unwrap_or(Value::Null);
        if base.is_some() && old == new {
            continue;
        }
        changes.insert(field, json!({ "old": old, "new": new }));
    }
    json!({ "seq": seq, "record_id": record, "kind": kind, "base_version": base.map(|(v, _)| v), "changes": changes })
}

async fn push_as(server: &TestServer, cookie: &str, device: ClientId, mutations: Vec<Value>) -> Vec<PushOutcome> {
    let reply =
        server.post_json_as(cookie, "/api/sync/push", &json!({ "client_id": device, "mutations": mutations })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json::<PushResponse>().results.into_iter().map(|r| r.outcome).collect()
}

async fn pulled(server: &TestServer, cookie: &str, device: ClientId) -> Vec<RecordId> {
    let reply = server.get_as(cookie, &format!("/api/sync/pull?client_id={device}&cursor=0&view=0&limit=2000")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    reply.json::<PullResponse>().changes.into_iter().map(|c| c.record.id).collect()
}

fn applied(outcome: &PushOutcome) -> bool {
    matches!(outcome, PushOutcome::Applied { .. })
}

fn refused_for(outcome: &PushOutcome, words: &str) -> bool {
    matches!(outcome, PushOutcome::Rejected { reasons } if reasons.iter().any(|r| r.message.contains(words)))
}

fn short(text: &str) -> ShortText {
    ShortText::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

fn long(text: &str) -> LongText {
    LongText::parse(text).unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn a_dsr_panel_member_reads_the_meeting_and_records_decisions_and_nothing_more() {
    let server = test_server().await;
    let on = chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default();
    let meeting_id = DsrMeetingId::from_uuid(id(50).as_uuid());
    let meeting = DsrMeeting::scheduled(meeting_id, on);
    let referral_id = id(21);
    // The coordinator: a person, rated Amber, with a referral waiting; a visit note; the meeting.
    let setup = vec![
        json!({ "seq": 1, "record_id": id(1), "kind": "person", "changes": {
            "given_name": { "new": "Robin" }, "family_name": { "new": "Agenda" }, "date_of_birth": { "new": "2012-05-06" } } }),
        json!({ "seq": 2, "record_id": id(20), "kind": "rating_change", "changes": {
            "person_id": { "new": id(1) }, "to": { "new": "amber" }, "reason": { "new": "School worried" },
            "by": { "new": "Jo Coordinator" }, "at": { "new": "2026-11-01T10:00:00Z" }, "source": { "new": "dsr_meeting" } } }),
        json!({ "seq": 3, "record_id": referral_id, "kind": "referral", "changes": {
            "person_id": { "new": id(1) }, "reason": { "new": "Not going to school" }, "submitted_on": { "new": "2026-11-20" },
            "route": { "new": { "route": "self_referral", "by": "Pat Agenda", "relationship": "Parent" } } } }),
        json!({ "seq": 4, "record_id": id(30), "kind": "visit_note", "changes": {
            "person_id": { "new": id(1) }, "visited_on": { "new": "2026-11-20" }, "by": { "new": "Sam" },
            "note": { "new": "Visited at home" } } }),
        mutation(5, id(50), "dsr_meeting", &meeting, None),
    ];
    assert!(push_as(&server, &server.cookie, client(1), setup).await.iter().all(applied));

    let (_, panel) = server.staff("dsr.panel", Role::DsrPanel).await;
    let seen = pulled(&server, &panel, client(2)).await;
    for expected in [id(1), id(20), referral_id, id(50)] {
        assert!(seen.contains(&expected), "the panel reads {expected}: {seen:?}");
    }
    assert!(!seen.contains(&id(30)), "never visit notes");

    // The decision: re-rated Red, the referral accepted, dated by the meeting.
    let mut decision = MeetingDecision::blank(meeting_id, on, person(1), short("Pat Panel"));
    decision.rating = Some(RatingDecision::Changed { to: Rating::Red, reason: long("Placement breaking down") });
    decision.referral = Some(ReferralDecision {
        referral_id: dsr_shared::ReferralId::from_uuid(referral_id.as_uuid()),
        accepted: true,
        reason: None,
        tell_family_by: on,
    });
    let change = decision
        .rating_change(dsr_shared::RatingChangeId::from_uuid(id(22).as_uuid()), Some(Rating::Amber), short("Pat Panel"))
        .unwrap_or_else(|| panic!("no rating change"));
    let referral = server.store.record(referral_id).await.ok().flatten().unwrap_or_else(|| panic!("no referral"));
    let old_referral = Value::Object(referral.fields.clone().into_iter().collect());
    let triage = Triage { outcome: TriageOutcome::Accepted, decided_on: on, by: short("DSR meeting") };
    let decision_id = RecordId::from_uuid(decision.id.as_uuid());
    let answers = push_as(
        &server,
        &panel,
        client(2),
        vec![
            mutation(1, decision_id, "meeting_decision", &decision, None),
            mutation(2, id(22), "rating_change", &change, None),
            json!({ "seq": 3, "record_id": referral_id, "kind": "referral", "base_version": referral.version,
                    "changes": { "triage": { "old": old_referral.get("triage").cloned().unwrap_or(Value::Null), "new": triage } } }),
        ],
    )
    .await;
    assert!(answers.iter().all(applied), "{answers:?}");

    // Not the panel's part: the arrangements, a new meeting, a rating already given, a visit note.
    let stored = server.store.record(id(50)).await.ok().flatten().unwrap_or_else(|| panic!("no meeting"));
    let old_meeting = Value::Object(stored.fields.clone().into_iter().collect());
    let mut moved = meeting.clone();
    moved.place = Some(short("Room 9"));
    let rating = server.store.record(id(20)).await.ok().flatten().unwrap_or_else(|| panic!("no rating"));
    let answers = push_as(
        &server,
        &panel,
        client(2),
        vec![
            mutation(4, id(50), "dsr_meeting", &moved, Some((stored.version, &old_meeting))),
            mutation(
                5,
                id(51),
                "dsr_meeting",
                &DsrMeeting::scheduled(DsrMeetingId::from_uuid(id(51).as_uuid()), on),
                None,
            ),
            json!({ "seq": 6, "record_id": id(20), "kind": "rating_change", "base_version": rating.version,
                    "changes": { "to": { "old": "amber", "new": "green" } } }),
            json!({ "seq": 7, "record_id": id(31), "kind": "visit_note", "changes": {
                "person_id": { "new": id(1) }, "visited_on": { "new": "2026-11-20" }, "by": { "new": "Pat" },
                "note": { "new": "Not mine to write" } } }),
        ],
    )
    .await;
    assert!(refused_for(&answers[0], "does not include place"), "{:?}", answers[0]);
    assert!(refused_for(&answers[1], "not make a new one"), "{:?}", answers[1]);
    assert!(refused_for(&answers[2], "does not include to"), "{:?}", answers[2]);
    assert!(
        refused_for(&answers[3], "read this record but not change it") || refused_for(&answers[3], "access"),
        "{:?}",
        answers[3]
    );

    // An action the meeting agrees joins the follow-up, naming the meeting; a review's action plan is not
    // the panel's to write.
    let agreed = decision
        .new_action(
            dsr_shared::ActionId::from_uuid(id(40).as_uuid()),
            long("Call the school"),
            short("Sam Keyworker"),
            on,
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
    let mut review_action = agreed.clone();
    review_action.meeting_id = None;
    review_action.review_id = Some(dsr_shared::ReviewId::from_uuid(id(45).as_uuid()));
    let answers = push_as(
        &server,
        &panel,
        client(2),
        vec![mutation(8, id(40), "action", &agreed, None), mutation(9, id(41), "action", &review_action, None)],
    )
    .await;
    assert!(applied(&answers[0]), "{:?}", answers[0]);
    assert!(refused_for(&answers[1], "not a review's action plan"), "{:?}", answers[1]);

    // Final minutes: the panel records an amendment.
    let mut final_minutes = meeting.clone();
    final_minutes.status = MeetingStatus::Final;
    final_minutes.chair = Some(short("Jo Coordinator"));
    final_minutes.attendees = dsr_shared::meeting::parse_meeting_attendees("Jo Coordinator").unwrap_or_default();
    let answers = push_as(
        &server,
        &server.cookie,
        client(1),
        vec![mutation(6, id(50), "dsr_meeting", &final_minutes, Some((stored.version, &old_meeting)))],
    )
    .await;
    assert!(applied(&answers[0]), "{answers:?}");
    let stored = server.store.record(id(50)).await.ok().flatten().unwrap_or_else(|| panic!("no meeting"));
    let old_meeting = Value::Object(stored.fields.clone().into_iter().collect());
    let amended = final_minutes.amended(
        final_minutes.clone(),
        on,
        short("Pat Panel"),
        Some("The decision about Robin Agenda changed"),
    );
    let answers = push_as(
        &server,
        &panel,
        client(2),
        vec![mutation(10, id(50), "dsr_meeting", &amended, Some((stored.version, &old_meeting)))],
    )
    .await;
    assert!(applied(&answers[0]), "{answers:?}");

    // A family never sees the meeting or what it decided, even about their own child.
    let reply =
        server.post_json("/api/invites", &json!({ "display_name": "Pat Agenda", "person_id": person(1) })).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let code = reply.json::<dsr_shared::accounts::InviteCreated>().code;
    let accept = json!({ "code": code, "username": "pat.agenda", "password": "our own long password" });
    let reply = server.post_json("/api/invites/accept", &accept).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let (_, family) = server.login("pat.agenda", "our own long password").await;
    let seen = pulled(&server, &family, client(3)).await;
    assert!(seen.contains(&id(1)), "the family sees their child");
    for hidden in [id(50), decision_id, id(20), id(22), id(40)] {
        assert!(!seen.contains(&hidden), "the family is not sent {hidden}: {seen:?}");
    }
}
