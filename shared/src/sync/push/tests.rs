use chrono::TimeZone;
use serde_json::json;

use super::*;
use crate::sync::memory::MemoryServer;
use crate::sync::{FieldChange, PushRequest, RecordKind};
use crate::test_support::day;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default()
}

fn client(n: u8) -> ClientId {
    ClientId::from_time_and_random(u64::from(n), [n; 10])
}

fn record_id(n: u8) -> RecordId {
    RecordId::from_time_and_random(u64::from(n), [n; 10])
}

fn change(old: Value, new: Value) -> FieldChange {
    FieldChange { old, new }
}

fn create(seq: u64, id: RecordId, given: &str) -> Mutation {
    Mutation {
        seq,
        record_id: id,
        kind: RecordKind::Person,
        base_version: None,
        changes: [
            ("given_name".to_string(), change(Value::Null, json!(given))),
            ("family_name".to_string(), change(Value::Null, json!("Example"))),
            ("date_of_birth".to_string(), change(Value::Null, json!("2011-04-23"))),
        ]
        .into_iter()
        .collect(),
        delete: false,
        reason: None,
    }
}

fn edit(seq: u64, id: RecordId, base: u64, field: &str, old: Value, new: Value) -> Mutation {
    Mutation {
        seq,
        record_id: id,
        kind: RecordKind::Person,
        base_version: Some(base),
        changes: [(field.to_string(), change(old, new))].into_iter().collect(),
        delete: false,
        reason: None,
    }
}

fn run(server: &mut MemoryServer, c: ClientId, mutations: &[Mutation]) -> Vec<PushOutcome> {
    push(server, c, mutations).into_iter().map(|r| r.outcome).collect()
}

fn push(server: &mut MemoryServer, c: ClientId, mutations: &[Mutation]) -> Vec<PushResult> {
    let request = PushRequest { client_id: c, mutations: mutations.to_vec() };
    server.push(&request, now(), day(2026, 11, 25)).results
}

fn fresh() -> MemoryServer {
    MemoryServer::default()
}

#[test]
fn a_create_is_applied_as_version_one_with_the_next_log_number() {
    let mut batch = fresh();
    let id = record_id(1);
    assert_eq!(
        run(&mut batch, client(1), &[create(1, id, "Alex")]),
        vec![PushOutcome::Applied { record_version: 1, change_seq: 1 }]
    );
    assert_eq!(batch.records[&id].field("given_name"), &json!("Alex"));
    assert_eq!(batch.log.len(), 1);
    assert_eq!(batch.clients[&client(1)].last_seq, 1);
}

#[test]
fn sending_again_returns_the_stored_answer_and_changes_nothing() {
    let mut batch = fresh();
    let id = record_id(1);
    let first = push(&mut batch, client(1), &[create(1, id, "Alex")]);
    let again = push(&mut batch, client(1), &[create(1, id, "Alex")]);
    assert_eq!(again[0].outcome, first[0].outcome);
    assert!(again[0].repeated && !first[0].repeated);
    assert_eq!(batch.log.len(), 1);
}

#[test]
fn a_gap_is_refused_so_order_is_kept() {
    let mut batch = fresh();
    let id = record_id(1);
    let results = run(&mut batch, client(1), &[create(2, id, "Alex")]);
    assert_eq!(results, vec![PushOutcome::Gap { expected: 1 }]);
    assert!(batch.log.is_empty() && batch.clients[&client(1)].last_seq == 0);
}

#[test]
fn untouched_fields_merge_and_the_same_field_clashes_into_a_conflict() {
    let mut batch = fresh();
    let id = record_id(1);
    run(&mut batch, client(1), &[create(1, id, "Alex")]);
    // Device 2 changes the family name from version 1; device 1 changes the given name from version 1.
    let ok = run(&mut batch, client(2), &[edit(1, id, 1, "family_name", json!("Example"), json!("Sample"))]);
    assert_eq!(ok, vec![PushOutcome::Applied { record_version: 2, change_seq: 2 }]);
    let merged = run(&mut batch, client(1), &[edit(2, id, 1, "given_name", json!("Alex"), json!("Alexander"))]);
    assert_eq!(merged, vec![PushOutcome::Applied { record_version: 3, change_seq: 3 }]);
    assert_eq!(batch.records[&id].field("family_name"), &json!("Sample"));
    // Device 2, still at version 2, changes the given name it saw as "Alex": a clash.
    let clash = run(&mut batch, client(2), &[edit(2, id, 2, "given_name", json!("Alex"), json!("Ali"))]);
    let PushOutcome::Conflict { record_version, change_seq, fields, .. } = &clash[0] else { panic!("{clash:?}") };
    assert_eq!((*record_version, *change_seq, fields.as_slice()), (3, None, ["given_name".to_string()].as_slice()));
    assert_eq!(batch.records[&id].field("given_name"), &json!("Alexander"), "the server keeps its value");
    let conflict = &batch.conflicts[0];
    assert_eq!(
        (&conflict.base, &conflict.theirs, &conflict.ours),
        (&json!("Alex"), &json!("Alexander"), &json!("Ali"))
    );
}

#[test]
fn the_same_new_value_on_both_sides_is_no_conflict() {
    let mut batch = fresh();
    let id = record_id(1);
    run(&mut batch, client(1), &[create(1, id, "Alex"), edit(2, id, 1, "given_name", json!("Alex"), json!("Sam"))]);
    let same = run(&mut batch, client(2), &[edit(1, id, 1, "given_name", json!("Alex"), json!("Sam"))]);
    assert_eq!(same, vec![PushOutcome::Unchanged { record_version: 2 }]);
    assert!(batch.conflicts.is_empty());
}

#[test]
fn a_rejected_change_never_blocks_the_next_one() {
    let mut batch = fresh();
    let id = record_id(1);
    run(&mut batch, client(1), &[create(1, id, "Alex")]);
    let results = run(
        &mut batch,
        client(1),
        &[
            edit(2, id, 1, "nhs_number", Value::Null, json!("9434765918")),
            edit(3, id, 1, "nhs_number", Value::Null, json!("9434765919")),
        ],
    );
    let PushOutcome::Rejected { reasons } = &results[0] else { panic!("{results:?}") };
    assert_eq!(reasons[0].field, "nhs_number");
    assert_eq!(results[1], PushOutcome::Applied { record_version: 2, change_seq: 2 });
    assert_eq!(batch.clients[&client(1)].last_seq, 3);
}

#[test]
fn deletion_is_a_tombstone_and_needs_the_current_version() {
    let mut batch = fresh();
    let id = record_id(1);
    run(&mut batch, client(1), &[create(1, id, "Alex"), edit(2, id, 1, "given_name", json!("Alex"), json!("Sam"))]);
    let mut stale = edit(1, id, 1, "given_name", Value::Null, Value::Null);
    stale.changes.clear();
    stale.delete = true;
    assert!(matches!(run(&mut batch, client(2), &[stale.clone()])[0], PushOutcome::Rejected { .. }));
    let mut current = stale;
    current.seq = 2;
    current.base_version = Some(2);
    assert_eq!(run(&mut batch, client(2), &[current]), vec![PushOutcome::Applied { record_version: 3, change_seq: 3 }]);
    assert!(batch.records[&id].deleted);
    let late = run(&mut batch, client(1), &[edit(3, id, 2, "given_name", json!("Sam"), json!("Kim"))]);
    assert!(matches!(late[0], PushOutcome::Rejected { .. }));
}

#[test]
fn creating_an_existing_id_or_editing_a_missing_record_is_rejected() {
    let mut batch = fresh();
    let id = record_id(1);
    run(&mut batch, client(1), &[create(1, id, "Alex")]);
    assert!(matches!(run(&mut batch, client(2), &[create(1, id, "Alex")])[0], PushOutcome::Rejected { .. }));
    let missing = edit(2, record_id(9), 1, "given_name", json!("A"), json!("B"));
    assert!(matches!(run(&mut batch, client(2), &[missing])[0], PushOutcome::Rejected { .. }));
}

#[test]
fn a_reviews_planner_started_on_two_devices_offline_is_one_record_with_both_their_words() {
    use crate::planner::Planner;
    let mut batch = fresh();
    let review = crate::ReviewId::from_time_and_random(5, [5; 10]);
    let person = crate::PersonId::from_time_and_random(6, [6; 10]);
    let id = RecordId::from_uuid(Planner::id_for(review).as_uuid());
    let planner = |seq, answers: Value| {
        let mut fields = json!({ "review_id": review, "person_id": person });
        if let (Some(to), Value::Object(more)) = (fields.as_object_mut(), answers) {
            to.extend(more);
        }
        create_of(seq, id, RecordKind::Planner, fields)
    };
    // The young person on one tablet, their advocate on another, both offline, answer different
    // questions and one the same way.
    // A list one left empty (no disagreements) is nothing written, not a clash with the other's.
    let disagreement = json!([{ "about": "No new school", "recorded_by": "Jo", "on": "2026-12-01" }]);
    let first = planner(
        1,
        json!({ "are_you_safe": "Yes, at home", "education": "Not at the moment", "disagreements": disagreement }),
    );
    let second =
        planner(1, json!({ "what_is_working": "My dog", "education": "Not at the moment", "disagreements": [] }));
    assert_eq!(run(&mut batch, client(1), &[first]), vec![PushOutcome::Applied { record_version: 1, change_seq: 1 }]);
    assert_eq!(run(&mut batch, client(2), &[second]), vec![PushOutcome::Applied { record_version: 2, change_seq: 2 }]);
    let stored = &batch.records[&id];
    assert_eq!(
        (stored.field("are_you_safe"), stored.field("what_is_working"), stored.field("education")),
        (&json!("Yes, at home"), &json!("My dog"), &json!("Not at the moment"))
    );
    assert_eq!(stored.field("disagreements"), &disagreement);
    // A third device answers a question already answered otherwise: a conflict, the first words stay
    // until someone chooses, and its other answers apply.
    let third = planner(1, json!({ "are_you_safe": "Not always", "other_support": "A quiet room" }));
    let PushOutcome::Conflict { fields, .. } = &run(&mut batch, client(3), &[third])[0] else {
        panic!("a clash on are_you_safe is a conflict");
    };
    assert_eq!(fields, &vec!["are_you_safe".to_string()]);
    let stored = &batch.records[&id];
    assert_eq!(
        (stored.field("are_you_safe"), stored.field("other_support")),
        (&json!("Yes, at home"), &json!("A quiet room"))
    );
    // Records whose ids are made at random are never created twice.
    assert!(!RecordKind::Person.made_on_many_devices() && !RecordKind::VisitNote.made_on_many_devices());
}

/// One push by a user with `role` who may do `people` to their people, over `records` already stored.
fn push_as(
    role: Role,
    people: &[(RecordId, PersonAccess)],
    records: &[Record],
    mutations: &[Mutation],
) -> (Vec<PushOutcome>, Batch) {
    let mut batch = Batch {
        records: records.iter().map(|r| (r.id, r.clone())).collect(),
        next_change_seq: 10,
        access: Some(WriteAccess {
            role,
            people: people.iter().map(|(id, a)| (PersonId::from_uuid(id.as_uuid()), *a)).collect(),
            foreign: records.iter().filter(|r| r.fields.contains_key("foreign")).map(|r| r.id).collect(),
        }),
        ..Batch::default()
    };
    let results = process(&mut batch, client(1), mutations, now(), day(2026, 11, 25));
    (results.into_iter().map(|r| r.outcome).collect(), batch)
}

fn stored_person(n: u8) -> Record {
    let fields: Fields = [("given_name", "Alex"), ("family_name", "Example"), ("date_of_birth", "2011-04-23")]
        .into_iter()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    Record { id: record_id(n), kind: RecordKind::Person, version: 1, fields, deleted: false }
}

fn visit_note(seq: u64, id: RecordId, person: RecordId) -> Mutation {
    let changes = [
        ("person_id", json!(person)),
        ("visited_on", json!("2026-11-20")),
        ("by", json!("Sam Keyworker")),
        ("note", json!("Visited at home")),
    ];
    Mutation {
        seq,
        record_id: id,
        kind: RecordKind::VisitNote,
        base_version: None,
        changes: changes.into_iter().map(|(k, v)| (k.to_string(), change(Value::Null, v))).collect(),
        delete: false,
        reason: None,
    }
}

fn refused(outcome: &PushOutcome) -> bool {
    matches!(outcome, PushOutcome::Rejected { reasons } if reasons[0].field == "record")
}

#[test]
fn a_keyworker_writes_to_their_caseload_only() {
    let keyworker = person_access(Role::Keyworker, true, PersonFacts::default());
    let (outcomes, batch) = push_as(
        Role::Keyworker,
        &[(record_id(1), keyworker)],
        &[stored_person(1), stored_person(2)],
        &[
            visit_note(1, record_id(11), record_id(1)),
            visit_note(2, record_id(12), record_id(2)),
            edit(3, record_id(2), 1, "given_name", json!("Alex"), json!("Alexa")),
            create(4, record_id(3), "New"),
        ],
    );
    assert!(matches!(outcomes[0], PushOutcome::Applied { .. }), "{outcomes:?}");
    assert!(outcomes[1..].iter().all(refused), "{outcomes:?}");
    assert_eq!(batch.refused.iter().map(|r| r.0).collect::<Vec<_>>(), vec![2, 3, 4]);
    assert!(batch.assigned.is_empty());
}

#[test]
fn a_family_cannot_write_what_they_may_only_read() {
    let family = person_access(Role::Family, true, PersonFacts::default());
    let (outcomes, _) = push_as(
        Role::Family,
        &[(record_id(1), family)],
        &[stored_person(1)],
        &[
            edit(1, record_id(1), 1, "given_name", json!("Alex"), json!("Al")),
            visit_note(2, record_id(11), record_id(1)),
        ],
    );
    assert!(
        matches!(&outcomes[0], PushOutcome::Rejected { reasons } if reasons[0].message.contains("read this record but not change it")),
        "{outcomes:?}"
    );
    assert!(refused(&outcomes[1]), "{outcomes:?}");
}

#[test]
fn a_familys_withdrawal_is_a_request_unless_the_areas_policy_says_it_takes_effect() {
    let family = person_access(Role::Family, true, PersonFacts::default());
    let consent_fields: Fields = serde_json::from_value(json!({
        "person_id": record_id(1), "scope": "register", "given_on": "2026-09-01", "recorded_by": "Jo Coordinator",
        "given_by": { "kind": "parental_responsibility", "name": "Pat", "relationship": "Mother", "child_agreed": null }
    }))
    .unwrap_or_default();
    let consent =
        Record { id: record_id(5), kind: RecordKind::Consent, version: 1, fields: consent_fields, deleted: false };
    let withdraw = |field: &str| Mutation {
        kind: RecordKind::Consent,
        ..edit(1, record_id(5), 1, field, Value::Null, json!("2026-11-25"))
    };
    let push = |policy: crate::policy::AreaPolicy, m: Mutation| {
        let mut batch = Batch {
            records: [(record_id(1), stored_person(1)), (record_id(5), consent.clone())].into_iter().collect(),
            next_change_seq: 10,
            access: Some(WriteAccess {
                role: Role::Family,
                people: [(PersonId::from_uuid(record_id(1).as_uuid()), family)].into_iter().collect(),
                foreign: Default::default(),
            }),
            rules: Some(AreaRules { policy, ..AreaRules::default() }),
            ..Batch::default()
        };
        process(&mut batch, client(1), &[m], now(), day(2026, 11, 25)).remove(0).outcome
    };
    let by_default = crate::policy::AreaPolicy::default();
    let refused = push(by_default.clone(), withdraw("withdrawn_on"));
    assert!(
        matches!(&refused, PushOutcome::Rejected { reasons } if reasons[0].field == "withdrawn_on" && reasons[0].message.contains("as a request")),
        "{refused:?}"
    );
    assert!(matches!(push(by_default.clone(), withdraw("withdrawal_requested_on")), PushOutcome::Applied { .. }));
    let mut at_once = by_default;
    at_once.families.withdrawal_takes_effect = true;
    assert!(matches!(push(at_once, withdraw("withdrawn_on")), PushOutcome::Applied { .. }));
}

#[test]
fn a_referrer_who_adds_a_person_is_assigned_to_them_and_nobody_else_is() {
    let (outcomes, batch) = push_as(
        Role::Referrer,
        &[],
        &[stored_person(2)],
        &[
            // Invalid at first (no family name): not created, not assigned, and may be sent again fixed.
            Mutation {
                changes: create(1, record_id(1), "Alex")
                    .changes
                    .into_iter()
                    .filter(|(k, _)| k != "family_name")
                    .collect(),
                ..create(1, record_id(1), "Alex")
            },
            create(2, record_id(1), "Alex"),
            edit(3, record_id(2), 1, "given_name", json!("Alex"), json!("Alexa")),
        ],
    );
    assert!(
        matches!(&outcomes[0], PushOutcome::Rejected { reasons } if reasons[0].field == "family_name"),
        "{outcomes:?}"
    );
    assert!(matches!(outcomes[1], PushOutcome::Applied { .. }), "{outcomes:?}");
    assert!(refused(&outcomes[2]), "{outcomes:?}");
    assert_eq!(batch.assigned, vec![PersonId::from_uuid(record_id(1).as_uuid())]);
    let (outcomes, _) = push_as(Role::Keyworker, &[], &[], &[create(1, record_id(1), "Alex")]);
    assert!(refused(&outcomes[0]), "{outcomes:?}");
}

#[test]
fn records_stay_with_their_person_and_only_coordinators_delete() {
    let keyworker = person_access(Role::Keyworker, true, PersonFacts::default());
    let note = Record {
        id: record_id(11),
        kind: RecordKind::VisitNote,
        version: 1,
        fields: visit_note(1, record_id(11), record_id(1)).changes.into_iter().map(|(k, c)| (k, c.new)).collect(),
        deleted: false,
    };
    let both = [(record_id(1), keyworker), (record_id(2), keyworker)];
    let (outcomes, _) = push_as(
        Role::Keyworker,
        &both,
        &[stored_person(1), stored_person(2), note.clone()],
        &[
            Mutation {
                kind: RecordKind::VisitNote,
                ..edit(1, record_id(11), 1, "person_id", json!(record_id(1)), json!(record_id(2)))
            },
            Mutation {
                delete: true,
                kind: RecordKind::VisitNote,
                ..edit(2, record_id(11), 1, "note", Value::Null, Value::Null)
            },
        ],
    );
    assert!(
        matches!(&outcomes[0], PushOutcome::Rejected { reasons } if reasons[0].message.contains("moved to another person")),
        "{outcomes:?}"
    );
    assert!(
        matches!(&outcomes[1], PushOutcome::Rejected { reasons } if reasons[0].message.contains("Only a DSR coordinator")),
        "{outcomes:?}"
    );
    let coordinator = person_access(Role::Coordinator, true, PersonFacts::default());
    let (outcomes, batch) = push_as(
        Role::Coordinator,
        &[(record_id(1), coordinator)],
        &[note],
        &[Mutation {
            delete: true,
            kind: RecordKind::VisitNote,
            reason: Some("Entered on the wrong person".into()),
            ..edit(1, record_id(11), 1, "note", Value::Null, Value::Null)
        }],
    );
    assert!(matches!(outcomes[0], PushOutcome::Applied { .. }), "{outcomes:?}");
    assert_eq!(batch.before.len(), 1);
    assert_eq!(batch.before[0].as_ref().map(|r| r.version), Some(1));
}

#[test]
fn another_areas_records_cannot_be_touched_even_by_a_coordinator() {
    let mut theirs = stored_person(5);
    theirs.fields.insert("foreign".into(), json!(true));
    let (outcomes, _) = push_as(
        Role::Coordinator,
        &[],
        &[theirs],
        &[
            create(1, record_id(5), "Alex"),
            edit(2, record_id(5), 1, "given_name", json!("Alex"), json!("Al")),
            visit_note(3, record_id(12), record_id(5)),
        ],
    );
    assert!(outcomes.iter().all(refused), "{outcomes:?}");
    // A coordinator adds a person and a note about them in one push.
    let (outcomes, batch) = push_as(
        Role::Coordinator,
        &[],
        &[],
        &[create(1, record_id(6), "Sam"), visit_note(2, record_id(13), record_id(6))],
    );
    assert!(outcomes.iter().all(|o| matches!(o, PushOutcome::Applied { .. })), "{outcomes:?}");
    assert!(batch.assigned.is_empty());
}

fn create_of(seq: u64, id: RecordId, kind: RecordKind, fields: Value) -> Mutation {
    let fields: Fields = serde_json::from_value(fields).unwrap_or_default();
    Mutation {
        seq,
        record_id: id,
        kind,
        base_version: None,
        changes: fields.into_iter().map(|(k, v)| (k, change(Value::Null, v))).collect(),
        delete: false,
        reason: None,
    }
}

fn with_rules(policy: crate::policy::AreaPolicy, records: &[Record], mutations: &[Mutation]) -> Vec<PushOutcome> {
    let mut batch = Batch {
        records: records.iter().map(|r| (r.id, r.clone())).collect(),
        next_change_seq: 10,
        rules: Some(AreaRules { policy, ..AreaRules::default() }),
        ..Batch::default()
    };
    process(&mut batch, client(1), mutations, now(), day(2026, 11, 25)).into_iter().map(|r| r.outcome).collect()
}

#[test]
fn a_new_consent_is_checked_against_the_areas_consent_ages() {
    // Alex was born 2011-04-23: 15 on the day. By default (seed 002) the child must agree to the register
    // as well; an area may let a parent consent alone.
    let person = stored_person(1);
    let consent = |seq, n| {
        create_of(
            seq,
            record_id(n),
            RecordKind::Consent,
            json!({ "person_id": person.id, "scope": "register", "given_on": "2026-11-20", "recorded_by": "Jo",
                    "given_by": { "kind": "parental_responsibility", "name": "Pat", "relationship": "Mother",
                                  "child_agreed": null } }),
        )
    };
    let mut lenient = crate::policy::AreaPolicy::default();
    lenient.consent.child_must_agree_from = None;
    assert!(matches!(
        with_rules(lenient, std::slice::from_ref(&person), &[consent(1, 20)])[0],
        PushOutcome::Applied { .. }
    ));
    let strict = crate::policy::AreaPolicy::default();
    let outcome = &with_rules(strict, std::slice::from_ref(&person), &[consent(1, 21)])[0];
    assert!(
        matches!(outcome, PushOutcome::Rejected { reasons } if reasons[0].field == "given_by" && reasons[0].message.contains("must agree")),
        "{outcome:?}"
    );
    // A person made in the same push counts too.
    let mut younger = crate::policy::AreaPolicy::default();
    younger.consent.consents_for_themselves_from = 15;
    let made = create(1, record_id(2), "Sam");
    let mut parent = consent(2, 22);
    parent.changes.insert("person_id".into(), change(Value::Null, json!(record_id(2))));
    let outcomes = with_rules(younger, &[], &[made, parent]);
    assert!(
        matches!(&outcomes[1], PushOutcome::Rejected { reasons } if reasons[0].field == "given_by"),
        "{outcomes:?}"
    );
}

#[test]
fn a_risk_assessment_must_be_scored_by_a_version_of_the_areas_tool() {
    let policy = crate::policy::AreaPolicy::default();
    let Some(tool) = policy.risk_tool(crate::risk::AgeBand::Under18).cloned() else { panic!("no tool") };
    let answers: BTreeMap<String, bool> = tool.items.iter().map(|i| (i.key.clone(), i.weight > 1)).collect();
    let score = tool.score(&answers);
    let suggested = tool.suggest(&answers);
    let assessment = |seq, n, score: u32, version: u32| {
        create_of(
            seq,
            record_id(n),
            RecordKind::RiskAssessment,
            json!({ "person_id": record_id(1), "tool_id": tool.id, "tool_version": version, "answers": answers,
                    "score": score, "suggested": suggested, "confirmed": suggested, "by": "Sam Keyworker",
                    "at": "2026-11-25T09:00:00Z" }),
        )
    };
    let person = stored_person(1);
    let outcomes = with_rules(
        policy,
        &[person],
        &[assessment(1, 30, score, 1), assessment(2, 31, score + 1, 1), assessment(3, 32, score, 7)],
    );
    assert!(matches!(outcomes[0], PushOutcome::Applied { .. }), "{outcomes:?}");
    assert!(matches!(&outcomes[1], PushOutcome::Rejected { reasons } if reasons[0].field == "score"), "{outcomes:?}");
    assert!(
        matches!(&outcomes[2], PushOutcome::Rejected { reasons } if reasons[0].field == "tool_version"),
        "{outcomes:?}"
    );
}

fn person_of(record: &Record) -> crate::Person {
    super::super::person_from(record.id, &record.fields).unwrap_or_else(|| panic!("not a person: {record:?}"))
}

fn with_people(
    role: Option<Role>,
    records: &[Record],
    people: Option<Vec<Record>>,
    mutations: &[Mutation],
) -> Vec<PushOutcome> {
    let mut batch = Batch {
        records: records.iter().map(|r| (r.id, r.clone())).collect(),
        next_change_seq: 10,
        rules: Some(AreaRules {
            people: people.map(|p| crate::person::PeopleIndex::new(p.iter().map(person_of))),
            ..AreaRules::default()
        }),
        access: role.map(|role| WriteAccess {
            role,
            people: records
                .iter()
                .map(|r| (PersonId::from_uuid(r.id.as_uuid()), person_access(role, true, PersonFacts::default())))
                .collect(),
            foreign: Default::default(),
        }),
        ..Batch::default()
    };
    process(&mut batch, client(1), mutations, now(), day(2026, 11, 25)).into_iter().map(|r| r.outcome).collect()
}

fn rejected_on(outcome: &PushOutcome, field: &str) -> String {
    match outcome {
        PushOutcome::Rejected { reasons } if reasons[0].field == field => reasons[0].message.clone(),
        other => panic!("not rejected on {field}: {other:?}"),
    }
}

#[test]
fn the_same_person_cannot_be_added_twice_nor_accepted_twice() {
    // Alex Example, born 2011-04-23, NHS number 943 476 5919, is on the register.
    let mut alex = stored_person(1);
    alex.fields.insert("nhs_number".into(), json!("9434765919"));
    alex.fields.insert("register_status".into(), json!({ "status": "on_register", "since": "2026-09-01" }));
    let people = Some(vec![alex.clone()]);
    // The same name and date of birth, no NHS number: refused, naming the record to a coordinator.
    let message =
        rejected_on(&with_people(None, &[], people.clone(), &[create(1, record_id(2), "Alex")])[0], "given_name");
    assert!(message.contains("name and date of birth") && message.contains(&record_id(1).to_string()), "{message}");
    // Another name with the same NHS number: refused on the NHS number.
    let mut renamed = create(1, record_id(3), "Alexandra");
    renamed.changes.insert("nhs_number".into(), change(Value::Null, json!("9434765919")));
    let message =
        rejected_on(&with_people(Some(Role::Coordinator), &[], people.clone(), &[renamed.clone()])[0], "nhs_number");
    assert!(message.contains("NHS number"), "{message}");
    // A referring professional is told to contact the coordinator, never shown whose record it is.
    let message = rejected_on(&with_people(Some(Role::Referrer), &[], people.clone(), &[renamed])[0], "nhs_number");
    assert!(
        message.contains("contact the DSR coordinator") && !message.contains(&record_id(1).to_string()),
        "{message}"
    );
    // Someone else entirely is added.
    assert!(matches!(
        with_people(None, &[], people.clone(), &[create(1, record_id(4), "Sam")])[0],
        PushOutcome::Applied { .. }
    ));
    // A self-referral for the same child waits (the family is never told); accepting it onto the
    // register is stopped.
    let referred = stored_person(5);
    let accept = edit(
        1,
        record_id(5),
        1,
        "register_status",
        Value::Null,
        json!({ "status": "on_register", "since": "2026-11-25" }),
    );
    rejected_on(
        &with_people(None, std::slice::from_ref(&referred), people.clone(), std::slice::from_ref(&accept))[0],
        "given_name",
    );
    // Changing something else about a person is not held up by an old duplicate; without the area's
    // people (the public form) nothing is checked.
    let note = edit(1, record_id(5), 1, "what_has_been_tried", Value::Null, json!("Respite weekends"));
    assert!(matches!(
        with_people(None, std::slice::from_ref(&referred), people, &[note])[0],
        PushOutcome::Applied { .. }
    ));
    assert!(matches!(with_people(None, &[referred], None, &[accept])[0], PushOutcome::Applied { .. }));
    // Two people made in one push are checked against each other.
    let both =
        with_people(None, &[], Some(Vec::new()), &[create(1, record_id(6), "Kai"), create(2, record_id(7), "Kai")]);
    assert!(matches!(both[0], PushOutcome::Applied { .. }));
    rejected_on(&both[1], "given_name");
}
