use chrono::TimeZone;
use proptest::prelude::*;
use serde_json::json;

use super::*;
use crate::ClientId;
use crate::sync::memory::MemoryServer;
use crate::sync::{Change, PushRequest};
use crate::test_support::day;

fn today() -> chrono::NaiveDate {
    day(2026, 11, 25)
}

fn now() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default()
}

fn id(n: u8) -> RecordId {
    RecordId::from_time_and_random(u64::from(n), [n; 10])
}

fn client() -> ClientId {
    ClientId::from_time_and_random(9, [9; 10])
}

fn fields(pairs: &[(&str, Value)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn alex() -> Fields {
    fields(&[("given_name", json!("Alex")), ("family_name", json!("Example")), ("date_of_birth", json!("2011-04-23"))])
}

/// Saves on the store, as the app does: plan, then write.
fn save(store: &mut DeviceStore, record: RecordId, values: &Fields) {
    if let Some(writes) = store.plan_save(RecordKind::Person, record, values, None) {
        let seen = store.seen(&writes.guard);
        assert!(store.apply_if_unchanged(&seen, writes));
    }
    store.check().unwrap_or_else(|e| panic!("{e}"));
}

/// Sends the outbox to `server` and stores the answers.
fn push(store: &mut DeviceStore, server: &mut MemoryServer) -> Vec<PushResult> {
    let request = PushRequest { client_id: client(), mutations: to_send(&store.entries(), 100) };
    let results = server.push(&request, now(), today()).results;
    let writes = plan_answers(&store.entries(), &store.records_answered(&results), &store.pull, &results);
    store.apply(writes);
    store.check().unwrap_or_else(|e| panic!("{e}"));
    results
}

/// Pulls everything after the cursor, in pages of `limit`.
fn pull(store: &mut DeviceStore, server: &MemoryServer, limit: usize) {
    loop {
        let page = server.pull(store.pull.cursor, limit);
        for writes in plan_page(&page, 2, &store.entries(), &store.pull) {
            store.apply(writes);
        }
        store.check().unwrap_or_else(|e| panic!("{e}"));
        if !page.more {
            break;
        }
    }
}

fn edit_on_server(server: &mut MemoryServer, record: RecordId, field: &str, old: Value, new: Value) {
    let other = ClientId::from_time_and_random(8, [8; 10]);
    let seq = server.clients.get(&other).map_or(0, |c| c.last_seq) + 1;
    let version = server.records.get(&record).map_or(0, |r| r.version);
    let mutation = Mutation {
        seq,
        record_id: record,
        kind: RecordKind::Person,
        base_version: Some(version),
        changes: [(field.to_string(), FieldChange { old, new })].into_iter().collect(),
        delete: false,
        reason: None,
    };
    server.push(&PushRequest { client_id: other, mutations: vec![mutation] }, now(), today());
}

#[test]
fn a_new_record_is_a_create_shown_at_once_and_its_next_edit_starts_from_version_1() {
    let mut store = DeviceStore::default();
    save(&mut store, id(1), &alex());
    assert_eq!(store.shown(id(1)), Some(&alex()));
    let first = &store.outbox[&1].mutation;
    assert_eq!((first.base_version, first.changes.len()), (None, 3));
    save(&mut store, id(1), &fields(&[("given_name", json!("Sam"))]));
    let second = &store.outbox[&2].mutation;
    assert_eq!(second.base_version, Some(1), "the create will have made version 1 when this arrives");
    assert_eq!(second.changes["given_name"], FieldChange { old: json!("Alex"), new: json!("Sam") });
    assert_eq!(store.shown(id(1)).and_then(|f| f.get("given_name")), Some(&json!("Sam")));
    // Saving the same values again writes nothing.
    assert_eq!(store.plan_save(RecordKind::Person, id(1), &fields(&[("given_name", json!("Sam"))]), None), None);
}

#[test]
fn an_applied_answer_shows_the_servers_version_before_the_pull_and_an_older_pulled_version_does_not_hide_it() {
    let mut server = MemoryServer::default();
    let mut store = DeviceStore::default();
    save(&mut store, id(1), &alex());
    push(&mut store, &mut server);
    pull(&mut store, &server, 10);
    // Someone else changes the family name; then this device renames, and the answer comes back.
    edit_on_server(&mut server, id(1), "family_name", json!("Example"), json!("Sample"));
    save(&mut store, id(1), &fields(&[("given_name", json!("Sam"))]));
    push(&mut store, &mut server);
    assert!(store.outbox.is_empty());
    let local = &store.records[&id(1)];
    assert_eq!((local.version(), local.fields.get("given_name")), (3, Some(&json!("Sam"))));
    assert_eq!(store.pull.ahead.get(&id(1)), Some(&3));
    // A pull of version 2 alone (the other change) does not take "Sam" away.
    let page = server.pull(store.pull.cursor, 1);
    assert_eq!(page.changes[0].record.version, 2);
    for writes in plan_page(&page, 10, &store.entries(), &store.pull) {
        store.apply(writes);
    }
    assert_eq!(store.shown(id(1)).and_then(|f| f.get("given_name")), Some(&json!("Sam")));
    // The rest brings version 3 with both changes, and nothing is ahead any more.
    pull(&mut store, &server, 10);
    assert_eq!(store.records[&id(1)].server.as_ref(), server.records.get(&id(1)));
    assert!(store.pull.ahead.is_empty());
    // An edit of the same field now starts from the server's value: no clash with itself.
    save(&mut store, id(1), &fields(&[("given_name", json!("Kim"))]));
    assert_eq!(store.outbox.values().next().map(|e| e.mutation.changes["given_name"].old.clone()), Some(json!("Sam")));
}

#[test]
fn a_change_waiting_stays_on_top_of_every_pulled_version_and_a_clash_becomes_a_conflict() {
    let mut server = MemoryServer::default();
    let mut store = DeviceStore::default();
    save(&mut store, id(1), &alex());
    push(&mut store, &mut server);
    pull(&mut store, &server, 10);
    save(&mut store, id(1), &fields(&[("given_name", json!("Sam"))]));
    edit_on_server(&mut server, id(1), "given_name", json!("Alex"), json!("Jo"));
    pull(&mut store, &server, 10);
    assert_eq!(store.shown(id(1)).and_then(|f| f.get("given_name")), Some(&json!("Sam")), "reads its own write");
    assert_eq!(store.records[&id(1)].version(), 2);
    let results = push(&mut store, &mut server);
    assert!(matches!(results[0].outcome, PushOutcome::Conflict { .. }));
    let conflict = store.conflicts.values().next().cloned().unwrap_or_else(|| panic!("no conflict"));
    assert_eq!((conflict.base, conflict.ours), (json!("Alex"), json!("Sam")));
    pull(&mut store, &server, 10);
    assert_eq!(store.shown(id(1)).and_then(|f| f.get("given_name")), Some(&json!("Jo")), "the server kept theirs");
    // Resolving it: the save carries the conflict's removal.
    let writes =
        store.plan_save(RecordKind::Person, id(1), &fields(&[("given_name", json!("Sam"))]), Some(&conflict.id));
    let writes = writes.unwrap_or_else(|| panic!("a plan"));
    assert_eq!(writes.delete_conflicts, vec![conflict.id.clone()]);
    store.apply(writes);
    assert!(store.conflicts.is_empty());
    assert_eq!(store.outbox.values().next().map(|e| e.mutation.changes["given_name"].old.clone()), Some(json!("Jo")));
}

#[test]
fn a_refused_change_stays_in_sight_its_fix_supersedes_it_and_starts_from_the_servers_value() {
    let mut server = MemoryServer::default();
    let mut store = DeviceStore::default();
    save(&mut store, id(1), &alex());
    push(&mut store, &mut server);
    pull(&mut store, &server, 10);
    save(&mut store, id(1), &fields(&[("nhs_number", json!("9434765918"))])); // invalid check digit
    let results = push(&mut store, &mut server);
    assert!(matches!(results[0].outcome, PushOutcome::Rejected { .. }));
    assert!(store.outbox[&2].refused.is_some());
    assert_eq!(store.shown(id(1)).and_then(|f| f.get("nhs_number")), Some(&json!("9434765918")));
    pull(&mut store, &server, 10);
    assert_eq!(store.shown(id(1)).and_then(|f| f.get("nhs_number")), Some(&json!("9434765918")), "still in sight");
    assert!(may_sign_out(&store.entries()).is_err(), "a refused change is only on this device");
    // The fix: the server never held the refused value, so the change starts from nothing.
    save(&mut store, id(1), &fields(&[("nhs_number", json!("9434765919"))]));
    assert_eq!(store.outbox.keys().copied().collect::<Vec<_>>(), vec![3]);
    assert_eq!(store.outbox[&3].mutation.changes["nhs_number"].old, Value::Null);
    let results = push(&mut store, &mut server);
    assert!(matches!(results[0].outcome, PushOutcome::Applied { .. }), "{results:?}");
    assert_eq!(may_sign_out(&store.entries()), Ok(()));
}

#[test]
fn a_refused_create_is_created_again_whole_and_discarding_it_takes_the_record_away() {
    let mut server = MemoryServer::default();
    let mut store = DeviceStore::default();
    let mut bad = alex();
    bad.insert("nhs_number".into(), json!("9434765918"));
    save(&mut store, id(1), &bad);
    push(&mut store, &mut server);
    assert!(store.outbox[&1].refused.is_some());
    // Fixing one field re-creates the record whole.
    save(&mut store, id(1), &fields(&[("nhs_number", json!("9434765919"))]));
    let entry = &store.outbox[&2];
    assert_eq!((entry.mutation.base_version, entry.mutation.changes.len()), (None, 4));
    assert!(!store.outbox.contains_key(&1), "the fix supersedes the refused create");

    // Another refused create, discarded: the record goes with it.
    save(&mut store, id(2), &bad);
    push(&mut store, &mut server);
    let refused = store.outbox.values().find(|e| e.mutation.record_id == id(2)).map(|e| e.seq);
    let refused = refused.unwrap_or_else(|| panic!("the refused create is kept"));
    assert_eq!(plan_discard(refused + 100, store.records.get(&id(2)), &store.entries()), None);
    let writes = plan_discard(refused, store.records.get(&id(2)), &store.entries());
    store.apply(writes.unwrap_or_else(|| panic!("a plan")));
    assert!(store.shown(id(2)).is_none());
    store.check().unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn removed_and_reset_keep_only_what_this_device_has_not_had_answered() {
    let mut server = MemoryServer::default();
    let mut store = DeviceStore::default();
    save(&mut store, id(1), &alex());
    save(&mut store, id(2), &alex());
    push(&mut store, &mut server);
    pull(&mut store, &server, 10);
    save(&mut store, id(2), &fields(&[("given_name", json!("Sam"))]));
    let writes = plan_pulled(&[], &[id(1), id(2)], store.pull.cursor, 7, &store.entries(), &store.pull);
    store.apply(writes);
    store.check().unwrap_or_else(|e| panic!("{e}"));
    assert!(store.shown(id(1)).is_none());
    assert_eq!(store.shown(id(2)), Some(&fields(&[("given_name", json!("Sam"))])), "the unsent change stays");
    assert_eq!(store.pull.view, 7);

    let writes = plan_reset(&store.entries());
    store.apply(writes);
    store.check().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store.pull, PullState::default());
    assert_eq!(store.records.keys().copied().collect::<Vec<_>>(), vec![id(2)]);
}

#[test]
fn a_page_is_stored_in_parts_each_with_the_cursor_that_covers_it() {
    let record = |n: u8, change_seq: u64| Change {
        change_seq,
        record: Record { id: id(n), kind: RecordKind::Person, version: 1, fields: alex(), deleted: false },
    };
    let page = PullResponse {
        changes: vec![record(1, 4), record(2, 5), record(3, 9)],
        removed: vec![id(4)],
        cursor: 12,
        more: false,
        view: 3,
        reset: false,
    };
    let plans = plan_page(&page, 2, &[], &PullState { cursor: 3, view: 3, ahead: BTreeMap::new() });
    let cursors: Vec<u64> = plans.iter().filter_map(|w| w.pull.as_ref().map(|p| p.cursor)).collect();
    assert_eq!(cursors, vec![5, 12]);
    assert_eq!(plans[0].delete_records, Vec::<RecordId>::new());
    assert_eq!(plans[1].delete_records, vec![id(4)]);
    let empty = PullResponse { changes: vec![], removed: vec![], cursor: 12, more: false, view: 4, reset: false };
    let plans = plan_page(&empty, 2, &[], &PullState::default());
    assert_eq!(plans.len(), 1);
    assert_eq!(plans[0].pull.as_ref().map(|p| (p.cursor, p.view)), Some((12, 4)));
}

#[test]
fn a_plan_made_before_another_tab_saved_is_not_applied() {
    let mut store = DeviceStore::default();
    save(&mut store, id(1), &alex());
    let mine = store.plan_save(RecordKind::Person, id(1), &fields(&[("given_name", json!("Sam"))]), None);
    let mine = mine.unwrap_or_else(|| panic!("a plan"));
    let seen = store.seen(&mine.guard);
    // The other tab saves first.
    save(&mut store, id(1), &fields(&[("family_name", json!("Sample"))]));
    assert!(!store.apply_if_unchanged(&seen, mine));
    store.check().unwrap_or_else(|e| panic!("{e}"));
}

/// A person's field and a value for it (some invalid: a refusal; `null` clears it).
fn person_field() -> impl Strategy<Value = (String, Value)> {
    prop_oneof![
        (Just("given_name"), prop_oneof![Just(json!("Alex")), Just(json!("Sam")), Just(Value::Null)]),
        (Just("family_name"), prop_oneof![Just(json!("Example")), Just(json!("Sample"))]),
        (
            Just("nhs_number"),
            prop_oneof![
                Just(json!("9434765919")),
                Just(json!("9990000018")),
                Just(json!("9434765918")),
                Just(Value::Null)
            ]
        ),
    ]
    .prop_map(|(f, v)| (f.to_string(), v))
}

fn values() -> impl Strategy<Value = Fields> {
    proptest::collection::btree_map(
        prop_oneof![Just("given_name"), Just("family_name"), Just("nhs_number")].prop_map(String::from),
        Just(Value::Null),
        1..3,
    )
    .prop_flat_map(|keys| {
        let n = keys.len();
        proptest::collection::vec(person_field(), n).prop_map(|pairs| pairs.into_iter().collect::<Fields>())
    })
}

/// One thing a device does, for the property test.
#[derive(Debug, Clone)]
enum Step {
    Save(u8, Fields),
    Sync,
    OtherDevice(u8, String, Value),
    Discard,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0u8..3, values()).prop_map(|(n, v)| Step::Save(n, v)),
        2 => Just(Step::Sync),
        1 => (0u8..3, person_field()).prop_map(|(n, (f, v))| Step::OtherDevice(n, f, v)),
        1 => Just(Step::Discard),
    ]
}

proptest! {
    /// After any sequence of saves, syncs, other devices' changes and discards: the store's invariants
    /// hold, a save shows at once what it saved, and once everything is sent, pulled and no refusal is
    /// left, the device shows exactly what the server holds.
    #[test]
    fn any_sequence_keeps_the_device_consistent_and_it_converges(steps in proptest::collection::vec(step(), 1..30)) {
        let mut server = MemoryServer::default();
        let mut store = DeviceStore::default();
        let mut applied = 0;
        for step in steps {
            match step {
                Step::Save(n, mut values) => {
                    if store.shown(id(n)).is_none() {
                        // A new person: whole, with what the step adds.
                        let mut whole = alex();
                        whole.append(&mut values);
                        values = whole;
                    }
                    save(&mut store, id(n), &values);
                    let shown = store.shown(id(n)).cloned().unwrap_or_default();
                    for (field, value) in &values {
                        prop_assert_eq!(shown.get(field).unwrap_or(&Value::Null), value);
                    }
                }
                Step::Sync => {
                    let results = push(&mut store, &mut server);
                    applied += results.iter().filter(|r| matches!(r.outcome, PushOutcome::Applied { .. })).count();
                    pull(&mut store, &server, 3);
                }
                Step::OtherDevice(n, field, value) => {
                    if let Some(record) = server.records.get(&id(n)) {
                        let old = record.field(&field).clone();
                        edit_on_server(&mut server, id(n), &field, old, value);
                    }
                }
                Step::Discard => {
                    if let Some(seq) = store.outbox.values().find(|e| !e.is_waiting()).map(|e| e.seq) {
                        let record = store.outbox[&seq].mutation.record_id;
                        if let Some(writes) = plan_discard(seq, store.records.get(&record), &store.entries()) {
                            store.apply(writes);
                        }
                    }
                }
            }
            prop_assert_eq!(store.check(), Ok(()));
        }
        push(&mut store, &mut server);
        while let Some(seq) = store.outbox.values().find(|e| !e.is_waiting()).map(|e| e.seq) {
            let record = store.outbox[&seq].mutation.record_id;
            let writes = plan_discard(seq, store.records.get(&record), &store.entries());
            store.apply(writes.unwrap_or_default());
        }
        pull(&mut store, &server, 3);
        prop_assert!(store.outbox.is_empty());
        prop_assert_eq!(store.records.is_empty(), applied == 0 && server.records.is_empty());
        let held: BTreeMap<RecordId, Record> =
            store.records.values().filter_map(|r| r.server.clone()).map(|r| (r.id, r)).collect();
        prop_assert_eq!(&held, &server.records);
        for record in store.records.values() {
            prop_assert_eq!(Some(&record.fields), server.records.get(&record.id).map(|r| &r.fields));
        }
    }
}
