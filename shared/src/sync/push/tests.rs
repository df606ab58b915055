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
