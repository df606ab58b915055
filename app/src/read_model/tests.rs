use dsr_shared::sync::device::{self, DeviceStore, OutboxEntry};
use dsr_shared::sync::{Change, PullResponse, Record};
use serde_json::json;

use super::*;

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
}

fn person_id(n: u8) -> PersonId {
    PersonId::from_time_and_random(u64::from(n), [n; 10])
}

fn record_of(person: PersonId) -> RecordId {
    RecordId::from_uuid(person.as_uuid())
}

fn person_fields(given: &str, family: &str) -> Fields {
    [("given_name", json!(given)), ("family_name", json!(family)), ("date_of_birth", json!("2011-04-23"))]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
}

fn rating(person: PersonId, to: &str) -> Fields {
    [
        ("person_id", json!(person)),
        ("to", json!(to)),
        ("reason", json!("Discussed at the DSR meeting")),
        ("by", json!("Jo Coordinator")),
        ("at", json!("2026-10-01T10:00:00Z")),
        ("source", json!("dsr_meeting")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

fn pulled(changes: Vec<(RecordId, RecordKind, Fields)>, store: &DeviceStore) -> Writes {
    let changes: Vec<Change> = changes
        .into_iter()
        .enumerate()
        .map(|(i, (id, kind, fields))| Change {
            change_seq: store.pull.cursor + i as u64 + 1,
            record: Record { id, kind, version: 1, fields, deleted: false },
        })
        .collect();
    let cursor = changes.last().map_or(store.pull.cursor, |c| c.change_seq);
    let page = PullResponse { changes, removed: vec![], cursor, more: false, view: 0, reset: false };
    let entries: Vec<OutboxEntry> = store.outbox.values().cloned().collect();
    device::plan_page(&page, 1000, &entries, &store.pull).remove(0)
}

fn policy() -> AreaPolicy {
    AreaPolicy::default()
}

#[test]
fn a_pulled_rating_rebuilds_only_its_persons_row_and_the_register_keeps_its_order() {
    let (alex, sam) = (person_id(1), person_id(2));
    let mut copy = DeviceCopy::default();
    let writes = pulled(
        vec![
            (record_of(sam), RecordKind::Person, person_fields("Sam", "Zed")),
            (record_of(alex), RecordKind::Person, person_fields("Alex", "Able")),
        ],
        &copy.store,
    );
    let touched = copy.apply(writes.clone());
    assert_eq!(touched.people, [alex, sam].into_iter().collect());
    let role = Some(Role::Coordinator);
    let mut rows = people_rows(copy.rows(&policy(), today(), role));
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![record_of(alex), record_of(sam)]);
    assert_eq!(rows[1].register.as_ref().and_then(|r| r.rating), None);

    // A rating for Sam arrives: only Sam's row is built again, and shows it.
    let rating_id = RecordId::from_time_and_random(9, [9; 10]);
    let writes = pulled(vec![(rating_id, RecordKind::RatingChange, rating(sam, "red"))], &copy.store);
    let touched = copy.apply(writes.clone());
    assert_eq!(touched.people, [sam].into_iter().collect());
    let fresh = touched.people.iter().filter_map(|p| copy.row(*p, &policy(), today(), role)).map(Arc::new).collect();
    rows.replace(&touched.people, fresh);
    assert_eq!(
        plain(&rows),
        unshared(copy.rows(&policy(), today(), role)),
        "the rows updated in place equal the rows built afresh"
    );
    assert_eq!(rows[1].register.as_ref().and_then(|r| r.rating), Some(dsr_shared::rating::Rating::Red));
}

#[test]
fn a_save_shows_as_waiting_and_a_renamed_person_moves_to_their_place() {
    let (alex, sam) = (person_id(1), person_id(2));
    let mut copy = DeviceCopy::default();
    let writes = pulled(
        vec![
            (record_of(alex), RecordKind::Person, person_fields("Alex", "Able")),
            (record_of(sam), RecordKind::Person, person_fields("Sam", "Baker")),
        ],
        &copy.store,
    );
    copy.apply(writes.clone());
    let role = Some(Role::Coordinator);
    let mut rows = people_rows(copy.rows(&policy(), today(), role));
    assert!(rows.iter().all(|r| r.on_server));
    let rename: Fields = [("family_name".to_string(), json!("Cole"))].into_iter().collect();
    let writes = copy.store.plan_save(RecordKind::Person, record_of(alex), &rename, None);
    let touched = copy.apply(writes.unwrap_or_default());
    let fresh = touched.people.iter().filter_map(|p| copy.row(*p, &policy(), today(), role)).map(Arc::new).collect();
    rows.replace(&touched.people, fresh);
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![record_of(sam), record_of(alex)]);
    assert!(!rows[1].on_server, "the change waits to be sent");
    assert_eq!(copy.counts(), Counts { waiting: 1, refused: 0, conflicts: 0 });
}

#[test]
fn a_view_reset_rebuilds_everything_and_meetings_are_noticed() {
    let alex = person_id(1);
    let mut copy = DeviceCopy::default();
    let meeting = RecordId::from_time_and_random(7, [7; 10]);
    let writes = pulled(vec![(record_of(alex), RecordKind::Person, person_fields("Alex", "Able"))], &copy.store);
    copy.apply(writes.clone());
    let writes = pulled(vec![(meeting, RecordKind::DsrMeeting, Fields::new())], &copy.store);
    assert!(copy.apply(writes.clone()).meetings);
    let touched = copy.apply(device::plan_reset(&[]));
    assert!(touched.all);
    assert!(copy.rows(&policy(), today(), Some(Role::Coordinator)).is_empty());
}

#[test]
fn rows_changed_in_place_equal_rows_built_afresh_and_the_changes_are_kept_for_lists() {
    // Twelve people; then renames of 1 to 12 of them, each moving them in the list: the rows updated
    // in place equal the rows built afresh, and each change is kept (what left, what came) for the
    // lists that follow the rows.
    let mut copy = DeviceCopy::default();
    let names = ["Ash", "Bay", "Cole", "Dee", "Eve", "Fox", "Gray", "Hill", "Ives", "Joy", "Kent", "Lee"];
    let people: Vec<_> = (1..=12u8).map(person_id).collect();
    let records =
        people.iter().zip(names).map(|(p, n)| (record_of(*p), RecordKind::Person, person_fields("Sam", n))).collect();
    copy.apply(pulled(records, &copy.store));
    let role = Some(Role::Coordinator);
    let mut rows = people_rows(copy.rows(&policy(), today(), role));
    let start = rows.generation();
    for touched_count in 1..=12usize {
        let mut changed = Vec::new();
        for (n, person) in people.iter().take(touched_count).enumerate() {
            // Every third moves to the end of the list, the rest to the start.
            let family = if n % 3 == 0 { format!("Zed{touched_count}") } else { format!("Aa{touched_count}{n}") };
            changed.push((record_of(*person), RecordKind::Person, person_fields("Sam", &family)));
        }
        let touched = copy.apply(pulled(changed, &copy.store));
        let before = rows.generation();
        let fresh: Vec<Arc<PersonRow>> =
            touched.people.iter().filter_map(|p| copy.row(*p, &policy(), today(), role)).map(Arc::new).collect();
        rows.replace(&touched.people, fresh);
        assert_eq!(plain(&rows), unshared(copy.rows(&policy(), today(), role)), "{touched_count} touched");
        let changes = rows.changes_since(before).unwrap_or_else(|| panic!("the last change is kept"));
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].removed.len(), touched_count);
        assert_eq!(changes[0].added.len(), touched_count);
        let first = record_of(people[0]);
        let added = changes[0].added.iter().find(|a| a.id == first);
        assert!(rows.get(first).zip(added).is_some_and(|(r, a)| Arc::ptr_eq(r, a)), "found by id: the row shown");
    }
    // Twelve changes: the first ones are no longer kept; the last eight are, in order.
    assert!(rows.changes_since(start).is_none(), "a list that far behind reads every row again");
    let kept = rows.changes_since(rows.generation() - 8).unwrap_or_default();
    assert_eq!(
        kept.iter().map(|c| c.generation).collect::<Vec<_>>(),
        ((rows.generation() - 7)..=rows.generation()).collect::<Vec<_>>()
    );
    assert_eq!(rows.changes_since(rows.generation()).map(|c| c.len()), Some(0));
    // A reset forgets them.
    let before = rows.generation();
    rows.reset(copy.rows(&policy(), today(), role));
    assert!(rows.changes_since(before).is_none());
}

/// Rows as the app keeps them.
fn people_rows(rows: Vec<Arc<PersonRow>>) -> PeopleRows {
    let mut kept = PeopleRows::default();
    kept.reset(rows);
    kept
}

/// Shared rows as plain rows.
fn unshared(rows: Vec<Arc<PersonRow>>) -> Vec<PersonRow> {
    rows.iter().map(|r| PersonRow::clone(r)).collect()
}

/// The rows kept, as plain rows.
fn plain(rows: &PeopleRows) -> Vec<PersonRow> {
    rows.iter().map(|r| PersonRow::clone(r)).collect()
}

#[test]
fn the_register_list_and_counts_followed_change_by_change_equal_those_read_afresh() {
    use dsr_shared::register::{RegisterFilter, SortBy};
    // Every column both ways, a rating filter, a search: for each, a list followed through renames
    // (moving people across the list), ratings, a keyworker, a record that makes no person (listed
    // first) is, at every step, the list read from every row; so are the counts and keyworkers.
    let mut filters: Vec<RegisterFilter> = SortBy::ALL
        .into_iter()
        .flat_map(|sort| {
            [false, true].map(|descending| RegisterFilter { sort, descending, ..RegisterFilter::default() })
        })
        .collect();
    filters.push(RegisterFilter { ratings: vec![Some(dsr_shared::rating::Rating::Red)], ..RegisterFilter::default() });
    filters.push(RegisterFilter { search: "a".into(), sort: SortBy::Rating, ..RegisterFilter::default() });
    let role = Some(Role::Coordinator);
    let names = ["Ash", "Bay", "Cole", "Dee", "Eve", "Fox", "Gray", "Hill", "Ives", "Joy"];
    let people: Vec<_> = (1..=10u8).map(person_id).collect();
    let mut copy = DeviceCopy::default();
    let records =
        people.iter().zip(names).map(|(p, n)| (record_of(*p), RecordKind::Person, person_fields("Sam", n))).collect();
    copy.apply(pulled(records, &copy.store));
    let mut rows = people_rows(copy.rows(&policy(), today(), role));
    let mut lists: Vec<ShownRows> = filters.iter().map(|f| ShownRows::of(&rows, f.clone())).collect();
    let mut tally = RegisterTally::of(&rows);
    let rating_of = |n: u8| RecordId::from_time_and_random(100 + u64::from(n), [n; 10]);
    let steps: Vec<Vec<(RecordId, RecordKind, Fields)>> = vec![
        vec![(rating_of(1), RecordKind::RatingChange, rating(people[2], "red"))],
        vec![(record_of(people[0]), RecordKind::Person, person_fields("Sam", "Zed"))],
        vec![
            (rating_of(2), RecordKind::RatingChange, rating(people[5], "amber")),
            (record_of(people[7]), RecordKind::Person, person_fields("Al", "Aa")),
            (record_of(people[3]), RecordKind::Person, {
                let mut f = person_fields("Kim", "Dee");
                f.insert("keyworker".into(), json!({ "name": "Pat Keyworker", "role": "Keyworker" }));
                f
            }),
        ],
        vec![(record_of(people[4]), RecordKind::Person, person_fields("", ""))],
        vec![(rating_of(3), RecordKind::RatingChange, rating(people[0], "red"))],
        (0..10).map(|n| (record_of(people[n]), RecordKind::Person, person_fields("Ann", names[9 - n]))).collect(),
    ];
    for (step, changes) in steps.into_iter().enumerate() {
        let touched = copy.apply(pulled(changes, &copy.store));
        let fresh =
            touched.people.iter().filter_map(|p| copy.row(*p, &policy(), today(), role)).map(Arc::new).collect();
        rows.replace(&touched.people, fresh);
        lists = lists
            .into_iter()
            .zip(&filters)
            .map(|(list, filter)| {
                let followed = list.follow(&rows, filter.clone());
                let afresh = ShownRows::of(&rows, filter.clone());
                let ids = |l: &ShownRows| l.iter().map(|r| r.id).collect::<Vec<_>>();
                assert_eq!(ids(&followed), ids(&afresh), "step {step}, {filter:?}");
                followed
            })
            .collect();
        // The counts per rating and the keyworkers, followed, are those counted afresh.
        tally = tally.follow(&rows);
        assert_eq!(tally, RegisterTally::of(&rows), "step {step}");
        if step == 3 || step == 4 {
            // The record that makes no person is listed first under every filter.
            let odd = record_of(people[4]);
            assert!(
                lists.iter().all(|l| l.first().is_some_and(|r| r.id == odd && r.register.is_none())),
                "step {step}"
            );
        }
    }
}
