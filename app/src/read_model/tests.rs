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
    let mut rows = copy.rows(&policy(), today(), role);
    assert_eq!(rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![record_of(alex), record_of(sam)]);
    assert_eq!(rows[1].register.as_ref().and_then(|r| r.rating), None);

    // A rating for Sam arrives: only Sam's row is built again, and shows it.
    let rating_id = RecordId::from_time_and_random(9, [9; 10]);
    let writes = pulled(vec![(rating_id, RecordKind::RatingChange, rating(sam, "red"))], &copy.store);
    let touched = copy.apply(writes.clone());
    assert_eq!(touched.people, [sam].into_iter().collect());
    let fresh: Vec<PersonRow> = touched.people.iter().filter_map(|p| copy.row(*p, &policy(), today(), role)).collect();
    replace_rows(&mut rows, &touched.people, fresh);
    assert_eq!(rows, copy.rows(&policy(), today(), role), "the rows updated in place equal the rows built afresh");
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
    let mut rows = copy.rows(&policy(), today(), role);
    assert!(rows.iter().all(|r| r.on_server));
    let rename: Fields = [("family_name".to_string(), json!("Cole"))].into_iter().collect();
    let writes = copy.store.plan_save(RecordKind::Person, record_of(alex), &rename, None);
    let touched = copy.apply(writes.unwrap_or_default());
    let fresh: Vec<PersonRow> = touched.people.iter().filter_map(|p| copy.row(*p, &policy(), today(), role)).collect();
    replace_rows(&mut rows, &touched.people, fresh);
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
fn a_few_rows_are_placed_as_the_merge_of_many_places_them() {
    // Twelve people; then renames of 1 to 12 of them, each moving them in the list: the rows updated
    // in place equal the rows built afresh, whichever way replace_rows takes.
    let mut copy = DeviceCopy::default();
    let names = ["Ash", "Bay", "Cole", "Dee", "Eve", "Fox", "Gray", "Hill", "Ives", "Joy", "Kent", "Lee"];
    let people: Vec<_> = (1..=12u8).map(person_id).collect();
    let records =
        people.iter().zip(names).map(|(p, n)| (record_of(*p), RecordKind::Person, person_fields("Sam", n))).collect();
    copy.apply(pulled(records, &copy.store));
    let role = Some(Role::Coordinator);
    let mut rows: Vec<std::sync::Arc<PersonRow>> =
        copy.rows(&policy(), today(), role).into_iter().map(std::sync::Arc::new).collect();
    for touched_count in 1..=12usize {
        let mut changed = Vec::new();
        for (n, person) in people.iter().take(touched_count).enumerate() {
            // Every third moves to the end of the list, the rest to the start.
            let family = if n % 3 == 0 { format!("Zed{touched_count}") } else { format!("Aa{touched_count}{n}") };
            changed.push((record_of(*person), RecordKind::Person, person_fields("Sam", &family)));
        }
        let touched = copy.apply(pulled(changed, &copy.store));
        let fresh: Vec<std::sync::Arc<PersonRow>> = touched
            .people
            .iter()
            .filter_map(|p| copy.row(*p, &policy(), today(), role))
            .map(std::sync::Arc::new)
            .collect();
        replace_rows(&mut rows, &touched.people, fresh);
        let afresh = copy.rows(&policy(), today(), role);
        assert_eq!(rows.iter().map(|r| PersonRow::clone(r)).collect::<Vec<_>>(), afresh, "{touched_count} touched");
    }
}
