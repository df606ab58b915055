//! A deterministic, seeded simulation of sync: several devices edit people at random, go offline,
//! have answers dropped (and resend), have requests duplicated and reordered, and the server restarts
//! (its state goes through JSON and back). After each run every promise of `sync.md` is checked:
//! exactly once, order, no silent overwrite, rejected is visible, convergence.
//!
//! `DSR_SIM_CASES=10000 cargo test -p dsr-shared --test sync_simulation -- --nocapture` runs 10,000
//! cases; the default run does 300.

#![allow(clippy::panic, reason = "a broken promise fails the test with the seed that shows it")]

use std::collections::BTreeMap;

use chrono::{NaiveDate, TimeZone, Utc};
use dsr_shared::sync::memory::{ClientState, MemoryServer};
use dsr_shared::sync::{FieldChange, Fields, Mutation, PushOutcome, PushRequest, Record, RecordKind};
use dsr_shared::{ClientId, RecordId};
use serde_json::{Value, json};

/// A small, fast, seeded generator (SplitMix64): the same seed, the same run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const GIVEN: [&str; 4] = ["Alex", "Sam", "Kim", "Jo"];
const FAMILY: [&str; 3] = ["Example", "Sample", "Demoford"];
const NHS: [&str; 3] = ["9434765919", "9990000018", "9434765918"]; // the last is invalid

struct Device {
    id: ClientId,
    /// What the server last told this device, by record.
    confirmed: BTreeMap<RecordId, Record>,
    /// Saved here, not yet answered, in seq order.
    outbox: Vec<Mutation>,
    next_seq: u64,
    cursor: u64,
    /// The final answer to each of this device's mutations.
    answers: BTreeMap<u64, PushOutcome>,
    /// Every mutation this device made, by seq (never changed once made).
    made: BTreeMap<u64, Mutation>,
    online: bool,
}

impl Device {
    /// The device's view: the server's last word plus its own unsent changes.
    fn view(&self, id: &RecordId) -> Option<Fields> {
        let mut fields = self.confirmed.get(id).map(|r| r.fields.clone());
        for m in self.outbox.iter().filter(|m| m.record_id == *id) {
            let f = fields.get_or_insert_with(Fields::new);
            for (name, change) in &m.changes {
                if change.new.is_null() {
                    f.remove(name);
                } else {
                    f.insert(name.clone(), change.new.clone());
                }
            }
        }
        fields
    }

    fn base_version(&self, id: &RecordId) -> Option<u64> {
        self.confirmed.get(id).map(|r| r.version)
    }

    fn save(&mut self, record_id: RecordId, base_version: Option<u64>, changes: BTreeMap<String, FieldChange>) {
        let mutation = Mutation {
            seq: self.next_seq,
            record_id,
            kind: RecordKind::Person,
            base_version,
            changes,
            delete: false,
            reason: None,
        };
        self.made.insert(mutation.seq, mutation.clone());
        self.outbox.push(mutation);
        self.next_seq += 1;
    }
}

struct Outcome {
    mutations: usize,
    conflicts: usize,
    rejected: usize,
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
}

fn run(seed: u64) -> Outcome {
    let mut rng = Rng(seed);
    let now = Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default();
    let mut server = MemoryServer::default();
    let devices_n = 2 + rng.below(3) as usize;
    let mut devices: Vec<Device> = (0..devices_n)
        .map(|i| Device {
            id: ClientId::from_time_and_random(seed, [i as u8 + 1; 10]),
            confirmed: BTreeMap::new(),
            outbox: Vec::new(),
            next_seq: 1,
            cursor: 0,
            answers: BTreeMap::new(),
            made: BTreeMap::new(),
            online: true,
        })
        .collect();
    let mut record_ids: Vec<RecordId> = Vec::new();
    let mut made = 0usize;

    let steps = 20 + rng.below(40);
    for step in 0..steps {
        let d = rng.below(devices_n as u64) as usize;
        match rng.below(10) {
            // Create a person.
            0 | 1 => {
                let id = RecordId::from_time_and_random(seed.wrapping_mul(1000) + step, [d as u8; 10]);
                let mut changes = BTreeMap::new();
                let mut put = |name: &str, value: Value| {
                    changes.insert(name.to_string(), FieldChange { old: Value::Null, new: value });
                };
                put("given_name", json!(GIVEN[rng.below(4) as usize]));
                put("family_name", json!(FAMILY[rng.below(3) as usize]));
                put("date_of_birth", json!("2011-04-23"));
                devices[d].save(id, None, changes);
                record_ids.push(id);
                made += 1;
            }
            // Edit a field of a person this device can see.
            2..=5 => {
                let visible: Vec<RecordId> =
                    record_ids.iter().filter(|id| devices[d].view(id).is_some()).copied().collect();
                if visible.is_empty() {
                    continue;
                }
                let id = visible[rng.below(visible.len() as u64) as usize];
                let fields = devices[d].view(&id).unwrap_or_default();
                let (name, new) = match rng.below(3) {
                    0 => ("given_name", json!(GIVEN[rng.below(4) as usize])),
                    1 => ("family_name", json!(FAMILY[rng.below(3) as usize])),
                    _ => ("nhs_number", json!(NHS[rng.below(3) as usize])),
                };
                let old = fields.get(name).cloned().unwrap_or(Value::Null);
                if old == new {
                    continue;
                }
                // A record whose create is not confirmed yet will be version 1 when this edit arrives
                // (a device's mutations apply in order).
                let base = devices[d].base_version(&id).unwrap_or(1);
                let mut changes = BTreeMap::new();
                changes.insert(name.to_string(), FieldChange { old, new });
                devices[d].save(id, Some(base), changes);
                made += 1;
            }
            // Go offline or come back.
            6 => devices[d].online = !devices[d].online,
            // Sync, with faults.
            7 | 8 => {
                if devices[d].online {
                    sync(&mut server, &mut devices[d], &mut rng, now, true);
                }
            }
            // Server restart: only what it stored survives.
            _ => {
                let stored = serde_json::to_string(&server).unwrap_or_default();
                server = serde_json::from_str(&stored).unwrap_or_else(|e| panic!("seed {seed}: restart: {e}"));
            }
        }
    }

    // Everyone comes online and syncs until nothing is left to send.
    for _ in 0..50 {
        for device in devices.iter_mut() {
            device.online = true;
            sync(&mut server, device, &mut rng, now, false);
        }
        if devices.iter().all(|d| d.outbox.is_empty()) {
            break;
        }
    }
    for device in devices.iter_mut() {
        sync(&mut server, device, &mut rng, now, false);
    }

    check(seed, &server, &devices);
    let rejected =
        devices.iter().flat_map(|d| d.answers.values()).filter(|a| matches!(a, PushOutcome::Rejected { .. })).count();
    Outcome { mutations: made, conflicts: server.conflicts.len(), rejected }
}

/// Push the outbox, then pull everything new. With `faults`: duplicate or reorder the request, or
/// lose the answer (the device resends later).
fn sync(server: &mut MemoryServer, device: &mut Device, rng: &mut Rng, now: chrono::DateTime<Utc>, faults: bool) {
    if !device.outbox.is_empty() {
        let mut mutations = device.outbox.clone();
        if faults && rng.chance(20) && mutations.len() > 1 {
            let (a, b) = (rng.below(mutations.len() as u64) as usize, rng.below(mutations.len() as u64) as usize);
            mutations.swap(a, b);
        }
        let request = PushRequest { client_id: device.id, mutations };
        let mut response = server.push(&request, now, day());
        if faults && rng.chance(15) {
            response = server.push(&request, now, day()); // delivered twice
        }
        if faults && rng.chance(20) {
            return; // the answer is lost on the way back
        }
        for result in response.results {
            if matches!(result.outcome, PushOutcome::Gap { .. }) {
                continue;
            }
            device.outbox.retain(|m| m.seq != result.seq);
            device.answers.insert(result.seq, result.outcome);
        }
    }
    loop {
        let page = server.pull(device.cursor, 7);
        for change in page.changes {
            device.confirmed.insert(change.record.id, change.record);
        }
        device.cursor = page.cursor;
        if !page.more {
            break;
        }
    }
}

fn check(seed: u64, server: &MemoryServer, devices: &[Device]) {
    let no_state = ClientState::default();
    // Exactly once: each device's every mutation has one stored answer, and the device holds that answer.
    let mut made_by: BTreeMap<u64, &Mutation> = BTreeMap::new();
    for device in devices {
        let state = server.clients.get(&device.id).unwrap_or(&no_state);
        assert_eq!(state.last_seq, device.next_seq - 1, "seed {seed}: every mutation was processed");
        for (seq, mutation) in &device.made {
            let stored = state.results.get(seq).map(|r| &r.outcome);
            assert_eq!(stored, device.answers.get(seq), "seed {seed}: device answer = stored answer for seq {seq}");
            let change_seq = match stored {
                Some(PushOutcome::Applied { change_seq, .. }) => Some(*change_seq),
                Some(PushOutcome::Conflict { change_seq, .. }) => *change_seq,
                Some(PushOutcome::Gap { .. }) | None => panic!("seed {seed}: seq {seq} has no final answer"),
                _ => None,
            };
            if let Some(change_seq) = change_seq {
                assert!(made_by.insert(change_seq, mutation).is_none(), "seed {seed}: change {change_seq} made twice");
            }
        }
    }
    // The log: gap-free numbers, each change made by exactly one mutation; versions go up by one.
    let mut current: BTreeMap<RecordId, &Record> = BTreeMap::new();
    for (i, change) in server.log.iter().enumerate() {
        assert_eq!(change.change_seq, i as u64 + 1, "seed {seed}: gap-free log");
        let mutation =
            made_by.get(&change.change_seq).unwrap_or_else(|| panic!("seed {seed}: change with no mutation"));
        let previous = current.get(&change.record.id).copied();
        assert_eq!(change.record.version, previous.map_or(0, |r| r.version) + 1, "seed {seed}: versions go up by one");
        // No silent overwrite: a field changes only to the mutation's new value from its old value;
        // a clash keeps the server's value and is recorded as a conflict; other fields never change.
        let fields: std::collections::BTreeSet<&String> = change
            .record
            .fields
            .keys()
            .chain(previous.into_iter().flat_map(|r| r.fields.keys()))
            .chain(mutation.changes.keys())
            .collect();
        for field in fields {
            let before = previous.map_or(&Value::Null, |r| r.field(field));
            let after = change.record.field(field);
            match mutation.changes.get(field) {
                None => assert_eq!(before, after, "seed {seed}: untouched field {field} changed"),
                Some(c) if previous.is_none() || *before == c.old => assert_eq!(after, &c.new, "seed {seed}: {field}"),
                Some(c) => {
                    assert_eq!(after, before, "seed {seed}: clash on {field} must keep the server's value");
                    if *before != c.new {
                        let id = format!(
                            "{}:{}:{field}",
                            devices
                                .iter()
                                .find(|d| d.made.get(&mutation.seq) == Some(mutation))
                                .map(|d| d.id.to_string())
                                .unwrap_or_default(),
                            mutation.seq
                        );
                        assert!(
                            server.conflicts.iter().any(|x| x.id == id),
                            "seed {seed}: clash on {field} recorded as a conflict"
                        );
                    }
                }
            }
        }
        current.insert(change.record.id, &change.record);
    }
    for conflict in &server.conflicts {
        assert_ne!(conflict.theirs, conflict.ours, "seed {seed}: a conflict has two different values");
        assert_ne!(conflict.theirs, conflict.base, "seed {seed}: the server's value had changed");
    }
    // Convergence: every device's copy equals the server's.
    for device in devices {
        assert_eq!(device.confirmed, server.records, "seed {seed}: device converged");
    }
}

#[test]
fn seeded_simulation_keeps_every_sync_promise() {
    let cases: u64 = std::env::var("DSR_SIM_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let started = std::time::Instant::now();
    let (mut mutations, mut conflicts, mut rejected) = (0, 0, 0);
    for seed in 0..cases {
        let outcome = run(seed);
        mutations += outcome.mutations;
        conflicts += outcome.conflicts;
        rejected += outcome.rejected;
    }
    println!(
        "sync simulation: {cases} cases, {mutations} mutations, {conflicts} conflicts, {rejected} rejected, {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(conflicts > 0 && rejected > 0, "the simulation must exercise conflicts and rejections");
}
