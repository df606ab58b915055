//! A deterministic, seeded simulation of sync, both halves: the server's push logic
//! ([`MemoryServer`], the same `push::process` the real server runs) and the device's
//! (`dsr_shared::sync::device`, the same plans the app writes to IndexedDB). Several devices edit people
//! at random, go offline (for a month, too), have answers dropped (and resend), have requests duplicated
//! and reordered, and the server restarts (its state goes through JSON and back). A device meets what a
//! tablet meets: the tab closed mid-transaction (the transaction never commits), a crash between a save
//! and its upload or after the server's commit and before the answer is stored, a second tab saving
//! between a plan's read and its write, sign-out with unsent changes (refused), refused changes fixed
//! or discarded, and the server resetting what it may hold.
//!
//! Checked after every step: each device's store is consistent, it reads its own writes, and nothing
//! goes backwards (its cursor, its copy's versions). Checked after each run: every promise of `sync.md`:
//! exactly once, order, no silent overwrite, rejected is visible, no outbox stuck, convergence.
//!
//! `DSR_SIM_CASES=10000 cargo test -p dsr-shared --test sync_simulation -- --nocapture` runs 10,000
//! cases; the default run does 300. A planted bug in each of several device plans is caught
//! (`every_planted_bug_in_the_device_core_is_caught`). To look into a failing seed: `DSR_SIM_SEED=<seed>
//! DSR_SIM_CASES=1`, with `DSR_SIM_WATCH=<the start of a record id>` to print that record on every
//! device at every step, and every answer.

#![allow(clippy::panic, reason = "a broken promise fails the test with the seed that shows it")]

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, TimeZone, Utc};
use dsr_shared::sync::device::{self, DeviceStore, LocalRecord, OutboxEntry, PullState, Unsent, Writes};
use dsr_shared::sync::memory::{ClientState, MemoryServer};
use dsr_shared::sync::{Fields, Mutation, PullResponse, PushOutcome, PushRequest, PushResult, Record, RecordKind};
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
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const GIVEN: [&str; 4] = ["Alex", "Sam", "Kim", "Jo"];
const FAMILY: [&str; 3] = ["Example", "Sample", "Demoford"];
const NHS: [&str; 3] = ["9434765919", "9990000018", "9434765918"]; // the last is invalid

type SaveFn =
    fn(RecordKind, RecordId, Option<&LocalRecord>, &[OutboxEntry], u64, &Fields, Option<&str>) -> Option<Writes>;
type AnswersFn = fn(&[OutboxEntry], &BTreeMap<RecordId, LocalRecord>, &PullState, &[PushResult]) -> Writes;
type PageFn = fn(&PullResponse, usize, &[OutboxEntry], &PullState) -> Vec<Writes>;
type DiscardFn = fn(u64, Option<&LocalRecord>, &[OutboxEntry]) -> Option<Writes>;

/// The device plans the simulation runs: the real ones, or one with a planted bug.
#[derive(Clone, Copy)]
struct Core {
    plan_save: SaveFn,
    plan_answers: AnswersFn,
    plan_page: PageFn,
    plan_discard: DiscardFn,
    plan_reset: fn(&[OutboxEntry]) -> Writes,
    may_sign_out: fn(&[OutboxEntry]) -> Result<(), Unsent>,
}

const REAL: Core = Core {
    plan_save: device::plan_save,
    plan_answers: device::plan_answers,
    plan_page: device::plan_page,
    plan_discard: device::plan_discard,
    plan_reset: device::plan_reset,
    may_sign_out: device::may_sign_out,
};

/// What the faults did, counted over a run.
#[derive(Default, Clone, Copy)]
struct Counts {
    mutations: usize,
    conflicts: usize,
    rejected: usize,
    tab_closed: usize,
    other_tab: usize,
    answers_lost: usize,
    sign_outs_refused: usize,
    signed_out: usize,
    resets: usize,
    month_offline: usize,
    discarded: usize,
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, o: Counts) {
        self.mutations += o.mutations;
        self.conflicts += o.conflicts;
        self.rejected += o.rejected;
        self.tab_closed += o.tab_closed;
        self.other_tab += o.other_tab;
        self.answers_lost += o.answers_lost;
        self.sign_outs_refused += o.sign_outs_refused;
        self.signed_out += o.signed_out;
        self.resets += o.resets;
        self.month_offline += o.month_offline;
        self.discarded += o.discarded;
    }
}

/// A value this device saved and must show: until `until_version` of the record (when the server's
/// answer gave one) or for as long as the change is in the outbox (`None`).
#[derive(Debug, Clone, PartialEq)]
struct Own {
    value: Value,
    seq: u64,
    until_version: Option<u64>,
}

struct Device {
    client: ClientId,
    store: DeviceStore,
    /// Earlier sign-ins on this device (client id, how many changes it made).
    retired: Vec<(ClientId, u64)>,
    /// The answer stored for each of this device's mutations, by (client, seq).
    answers: BTreeMap<(ClientId, u64), PushOutcome>,
    /// Every mutation this device committed, as sent, by (client, seq).
    made: BTreeMap<(ClientId, u64), Mutation>,
    /// Refused changes the user discarded or replaced.
    dropped: BTreeSet<(ClientId, u64)>,
    /// What this device must show of what it saved, by record and field.
    own: BTreeMap<(RecordId, String), Own>,
    online: bool,
    /// Steps left offline for "a month".
    away: u64,
}

impl Device {
    fn new(client: ClientId) -> Self {
        Device {
            client,
            store: DeviceStore::default(),
            retired: Vec::new(),
            answers: BTreeMap::new(),
            made: BTreeMap::new(),
            dropped: BTreeSet::new(),
            own: BTreeMap::new(),
            online: true,
            away: 0,
        }
    }

    /// Applies `writes` as one IndexedDB transaction would, if what they were planned from is unchanged.
    fn commit(&mut self, seen: &device::Seen, writes: Writes) -> bool {
        let touched_outbox: BTreeSet<u64> =
            writes.put_outbox.iter().map(|e| e.seq).chain(writes.delete_outbox.iter().copied()).collect();
        let before: BTreeMap<u64, OutboxEntry> = self
            .store
            .outbox
            .iter()
            .filter(|(s, _)| touched_outbox.contains(s))
            .map(|(s, e)| (*s, e.clone()))
            .collect();
        if !self.store.apply_if_unchanged(seen, writes) {
            return false;
        }
        // Refused changes that left the outbox (discarded or replaced), and new mutations.
        for seq in touched_outbox {
            match (before.get(&seq), self.store.outbox.get(&seq)) {
                (Some(old), None) if old.refused.is_some() => {
                    self.dropped.insert((self.client, seq));
                    // What it carried is no longer this device's to show (a fix carries its own).
                    self.own.retain(|_, own| own.seq != seq);
                }
                (None, Some(new)) => {
                    self.made.insert((self.client, seq), new.mutation.clone());
                }
                _ => {}
            }
        }
        true
    }
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
}

struct World {
    core: Core,
    seed: u64,
    rng: Rng,
    server: MemoryServer,
    devices: Vec<Device>,
    record_ids: Vec<RecordId>,
    counts: Counts,
    step: u64,
}

type Checked<T> = Result<T, String>;

impl World {
    fn now(&self) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default()
    }

    /// The values a save of device `d` would write: a new person, or one field of a person it shows.
    fn edit_for(&mut self, d: usize) -> (RecordId, Fields) {
        let create = self.rng.chance(25);
        let visible: Vec<RecordId> =
            self.record_ids.iter().filter(|id| self.devices[d].store.shown(**id).is_some()).copied().collect();
        if create || visible.is_empty() {
            let id = RecordId::from_time_and_random(self.seed.wrapping_mul(100_000) + self.step, [d as u8 + 1; 10]);
            self.step += 1;
            let mut fields = Fields::new();
            fields.insert("given_name".into(), json!(self.rng.pick(&GIVEN)));
            fields.insert("family_name".into(), json!(self.rng.pick(&FAMILY)));
            fields.insert("date_of_birth".into(), json!("2011-04-23"));
            if self.rng.chance(10) {
                fields.insert("nhs_number".into(), json!(NHS[2]));
            }
            self.record_ids.push(id);
            return (id, fields);
        }
        let id = self.rng.pick(&visible);
        let (name, new) = match self.rng.below(3) {
            0 => ("given_name", json!(self.rng.pick(&GIVEN))),
            1 => ("family_name", json!(self.rng.pick(&FAMILY))),
            _ => ("nhs_number", json!(self.rng.pick(&NHS))),
        };
        let mut fields = Fields::new();
        fields.insert(name.into(), new);
        (id, fields)
    }

    /// A save on device `d`, as the app makes it: read, plan, write if nothing changed meanwhile (else
    /// plan again). With faults: the other tab saves between the read and the write; the tab is closed
    /// before the transaction commits (the save never happened: the form's draft still holds it).
    fn save(&mut self, d: usize, record: RecordId, values: &Fields, faults: bool) -> Checked<()> {
        for _ in 0..5 {
            let dev = &self.devices[d];
            let Some(writes) = (self.core.plan_save)(
                RecordKind::Person,
                record,
                dev.store.records.get(&record),
                &dev.store.entries(),
                dev.store.next_seq,
                values,
                None,
            ) else {
                return self.check_shows(d, record, values);
            };
            let seen = dev.store.seen(&writes.guard);
            if faults && self.rng.chance(10) {
                self.counts.other_tab += 1;
                let (other, other_values) = self.edit_for(d);
                self.save(d, other, &other_values, false)?;
            }
            if faults && self.rng.chance(5) {
                self.counts.tab_closed += 1;
                return Ok(());
            }
            let new = writes.put_outbox.iter().find(|e| Some(e.seq) == writes.next_seq.map(|n| n - 1)).cloned();
            if self.devices[d].commit(&seen, writes) {
                self.counts.mutations += usize::from(new.is_some());
                let dev = &mut self.devices[d];
                // What the change carries must show until answered (a value the server already
                // holds is the server's to change).
                for (field, change) in new.iter().flat_map(|e| &e.mutation.changes) {
                    let seq = new.as_ref().map_or(0, |e| e.seq);
                    dev.own
                        .insert((record, field.clone()), Own { value: change.new.clone(), seq, until_version: None });
                }
                return self.check_shows(d, record, values);
            }
        }
        // The app says "try again" (the form and its draft keep what was typed).
        if faults {
            return Ok(());
        }
        Err("a save kept being overtaken by the other tab".into())
    }

    fn check_shows(&self, d: usize, record: RecordId, values: &Fields) -> Checked<()> {
        let shown = self.devices[d].store.shown(record).cloned().unwrap_or_default();
        for (field, value) in values {
            if shown.get(field).unwrap_or(&Value::Null) != value {
                return Err(format!("a save of {field} = {value} on device {d} is not shown: {shown:?}"));
            }
        }
        Ok(())
    }

    /// Push every waiting change (in batches), then pull everything new. With faults: requests
    /// duplicated or reordered, answers lost (a crash after the server's commit), the tab closed while
    /// storing answers or a page, the other tab saving in between, a view reset.
    fn sync(&mut self, d: usize, faults: bool) -> Checked<()> {
        if !self.devices[d].online {
            return Ok(());
        }
        let batch = 1 + self.rng.below(4) as usize;
        loop {
            let mut mutations = device::to_send(&self.devices[d].store.entries(), batch);
            if mutations.is_empty() {
                break;
            }
            if faults && self.rng.chance(15) && mutations.len() > 1 {
                let (a, b) =
                    (self.rng.below(mutations.len() as u64) as usize, self.rng.below(mutations.len() as u64) as usize);
                mutations.swap(a, b);
            }
            let request = PushRequest { client_id: self.devices[d].client, mutations };
            let now = self.now();
            let mut response = self.server.push(&request, now, day());
            if faults && self.rng.chance(10) {
                response = self.server.push(&request, now, day()); // delivered twice
            }
            if faults && self.rng.chance(15) {
                self.counts.answers_lost += 1;
                return Ok(()); // lost on the way back, or the tab crashed before storing it
            }
            if !self.store_answers(d, &response.results, faults)? {
                return Ok(());
            }
            if response.results.iter().any(|r| matches!(r.outcome, PushOutcome::Gap { .. })) {
                break;
            }
        }
        let mut pages = 0;
        loop {
            pages += 1;
            if pages > 10_000 {
                return Err("pulling never ends".into());
            }
            let limit = 1 + self.rng.below(8) as usize;
            let page = if faults && self.rng.chance(2) {
                PullResponse { changes: vec![], removed: vec![], cursor: 0, more: true, view: 0, reset: true }
            } else {
                self.server.pull(self.devices[d].store.pull.cursor, limit)
            };
            if page.reset {
                self.counts.resets += 1;
                let writes = (self.core.plan_reset)(&self.devices[d].store.entries());
                let seen = self.devices[d].store.seen(&writes.guard);
                if !self.devices[d].commit(&seen, writes) {
                    return Err("a reset was overtaken".into());
                }
                // What the server had answered is no longer held until pulled again.
                let dev = &mut self.devices[d];
                dev.own.retain(|_, own| own.until_version.is_none());
                continue;
            }
            let mut parts =
                (self.core.plan_page)(&page, 3, &self.devices[d].store.entries(), &self.devices[d].store.pull);
            let mut i = 0;
            let mut attempts = 0;
            while i < parts.len() {
                let seen = self.devices[d].store.seen(&parts[i].guard);
                if faults && self.rng.chance(3) {
                    self.counts.other_tab += 1;
                    let (other, values) = self.edit_for(d);
                    self.save(d, other, &values, false)?;
                }
                if faults && self.rng.chance(2) {
                    self.counts.tab_closed += 1;
                    return Ok(());
                }
                let before = self.devices[d].store.clone();
                if self.devices[d].commit(&seen, parts[i].clone()) {
                    self.after_pull(d, &before)?;
                    i += 1;
                } else {
                    // A save landed meanwhile: plan the rest again, from what is stored now.
                    attempts += 1;
                    if attempts > 20 {
                        return Err("storing a page kept being overtaken".into());
                    }
                    let rest = PullResponse {
                        changes: page
                            .changes
                            .iter()
                            .filter(|c| c.change_seq > self.devices[d].store.pull.cursor)
                            .cloned()
                            .collect(),
                        ..page.clone()
                    };
                    parts =
                        (self.core.plan_page)(&rest, 3, &self.devices[d].store.entries(), &self.devices[d].store.pull);
                    i = 0;
                }
            }
            if !page.more {
                break;
            }
        }
        Ok(())
    }

    /// Stores a push's answers; `false` when the tab closed before they were stored.
    fn store_answers(&mut self, d: usize, results: &[PushResult], faults: bool) -> Checked<bool> {
        for _ in 0..20 {
            let dev = &self.devices[d];
            let writes = (self.core.plan_answers)(
                &dev.store.entries(),
                &dev.store.records_answered(results),
                &dev.store.pull,
                results,
            );
            let seen = dev.store.seen(&writes.guard);
            if std::env::var("DSR_SIM_WATCH").is_ok() {
                eprintln!(
                    "  answers to dev {d}: {:?}",
                    results.iter().map(|r| (r.seq, &r.outcome)).collect::<Vec<_>>()
                );
            }
            let waiting_before: BTreeMap<u64, OutboxEntry> =
                dev.store.outbox.iter().filter(|(_, e)| e.is_waiting()).map(|(s, e)| (*s, e.clone())).collect();
            if faults && self.rng.chance(5) {
                self.counts.other_tab += 1;
                let (other, values) = self.edit_for(d);
                self.save(d, other, &values, false)?;
            }
            if faults && self.rng.chance(3) {
                self.counts.tab_closed += 1;
                return Ok(false);
            }
            if !self.devices[d].commit(&seen, writes) {
                continue;
            }
            let dev = &mut self.devices[d];
            for result in results {
                let Some(entry) = waiting_before.get(&result.seq) else { continue };
                if matches!(result.outcome, PushOutcome::Gap { .. }) {
                    continue;
                }
                dev.answers.insert((dev.client, result.seq), result.outcome.clone());
                if matches!(result.outcome, PushOutcome::Rejected { .. }) && !dev.store.outbox.contains_key(&result.seq)
                {
                    // Refused, but every field it changed was saved again since: replaced.
                    dev.dropped.insert((dev.client, result.seq));
                }
                let m = &entry.mutation;
                for field in m.changes.keys() {
                    let key = (m.record_id, field.clone());
                    if dev.own.get(&key).is_none_or(|o| o.seq != result.seq) {
                        continue; // a later save of this field is what must show
                    }
                    match &result.outcome {
                        PushOutcome::Applied { record_version, .. } | PushOutcome::Unchanged { record_version } => {
                            if let Some(own) = dev.own.get_mut(&key) {
                                own.until_version = Some(*record_version);
                            }
                        }
                        PushOutcome::Conflict { record_version, fields, .. } => {
                            if fields.contains(field) {
                                dev.own.remove(&key);
                            } else if let Some(own) = dev.own.get_mut(&key) {
                                own.until_version = Some(*record_version);
                            }
                        }
                        _ => {}
                    }
                }
            }
            return Ok(true);
        }
        Err("storing answers kept being overtaken".into())
    }

    /// Nothing went backwards in a pull: the cursor, and each record's version.
    fn after_pull(&self, d: usize, before: &DeviceStore) -> Checked<()> {
        let now = &self.devices[d].store;
        if now.pull.cursor < before.pull.cursor {
            return Err(format!("device {d}'s cursor went back from {} to {}", before.pull.cursor, now.pull.cursor));
        }
        for (id, old) in &before.records {
            if let Some(new) = now.records.get(id)
                && new.version() < old.version()
            {
                return Err(format!(
                    "device {d}'s copy of {id} went back from version {} to {}",
                    old.version(),
                    new.version()
                ));
            }
        }
        Ok(())
    }

    /// After every step, on every device: a consistent store that shows what it saved.
    fn check_devices(&mut self) -> Checked<()> {
        for (d, dev) in self.devices.iter_mut().enumerate() {
            dev.store.check().map_err(|e| format!("device {d}: {e}"))?;
            let store = &dev.store;
            // Values the server has moved past are no longer this device's to show.
            dev.own.retain(|(id, _), own| match own.until_version {
                Some(v) => store.records.get(id).is_some_and(|r| r.version() <= v),
                None => true,
            });
            for ((id, field), own) in &dev.own {
                let shown = store.shown(*id).and_then(|f| f.get(field)).unwrap_or(&Value::Null);
                if *shown != own.value {
                    return Err(format!(
                        "device {d} does not read its own write: {id} {field} shows {shown}, saved {} (seq {}, until {:?}); it holds {:?}, ahead {:?}",
                        own.value,
                        own.seq,
                        own.until_version,
                        store.records.get(id),
                        store.pull.ahead.get(id)
                    ));
                }
            }
            for ((client, seq), outcome) in &dev.answers {
                if matches!(outcome, PushOutcome::Rejected { .. })
                    && *client == dev.client
                    && !dev.dropped.contains(&(*client, *seq))
                    && store.outbox.get(seq).is_none_or(|e| e.refused.is_none())
                {
                    return Err(format!("device {d}'s refused change {seq} vanished unseen"));
                }
            }
        }
        Ok(())
    }

    /// The user deals with a refused change: fixes it (a valid NHS number) or discards it.
    fn deal_with_refused(&mut self, d: usize) -> Checked<()> {
        let refused: Vec<OutboxEntry> =
            self.devices[d].store.outbox.values().filter(|e| !e.is_waiting()).cloned().collect();
        let Some(entry) = refused.first() else { return Ok(()) };
        if self.rng.chance(50) {
            let mut values = Fields::new();
            for field in entry.mutation.changes.keys() {
                let shown = self.devices[d].store.shown(entry.mutation.record_id).and_then(|f| f.get(field)).cloned();
                let value = if field == "nhs_number" { json!(NHS[0]) } else { shown.unwrap_or(Value::Null) };
                values.insert(field.clone(), value);
            }
            return self.save(d, entry.mutation.record_id, &values, false);
        }
        let dev = &self.devices[d];
        let Some(writes) =
            (self.core.plan_discard)(entry.seq, dev.store.records.get(&entry.mutation.record_id), &dev.store.entries())
        else {
            return Err("a refused change could not be discarded".into());
        };
        let seen = dev.store.seen(&writes.guard);
        if !self.devices[d].commit(&seen, writes) {
            return Err("a discard was overtaken".into());
        }
        self.counts.discarded += 1;
        let dev = &mut self.devices[d];
        dev.own.retain(|_, own| own.seq != entry.seq);
        Ok(())
    }

    /// The user signs out: refused while changes are only on this device; otherwise everything goes
    /// and the next sign-in is a new client.
    fn sign_out(&mut self, d: usize) -> Checked<()> {
        let dev = &mut self.devices[d];
        match (self.core.may_sign_out)(&dev.store.entries()) {
            Err(_) => {
                self.counts.sign_outs_refused += 1;
                Ok(())
            }
            Ok(()) => {
                if !dev.store.outbox.is_empty() {
                    return Err(format!("device {d} signed out with {} changes only on it", dev.store.outbox.len()));
                }
                self.counts.signed_out += 1;
                let next = ClientId::from_time_and_random(self.seed + 1_000_000 + self.step, [d as u8 + 100; 10]);
                self.step += 1;
                dev.retired.push((dev.client, dev.store.next_seq - 1));
                dev.client = next;
                dev.store = DeviceStore::default();
                dev.own.clear();
                Ok(())
            }
        }
    }
}

fn run(core: Core, seed: u64) -> Checked<Counts> {
    let mut rng = Rng(seed);
    let devices_n = 2 + rng.below(3) as usize;
    let devices =
        (0..devices_n).map(|i| Device::new(ClientId::from_time_and_random(seed, [i as u8 + 1; 10]))).collect();
    let mut world = World {
        core,
        seed,
        rng,
        server: MemoryServer::default(),
        devices,
        record_ids: Vec::new(),
        counts: Counts::default(),
        step: 0,
    };
    let fail = |e: String| format!("seed {seed}: {e}");

    let steps = 30 + world.rng.below(50);
    for _ in 0..steps {
        let d = world.rng.below(devices_n as u64) as usize;
        if let Ok(watch) = std::env::var("DSR_SIM_WATCH") {
            for (i, dev) in world.devices.iter().enumerate() {
                for r in dev.store.records.values().filter(|r| r.id.to_string().starts_with(&watch)) {
                    eprintln!(
                        "  dev {i} v{} server {:?} shown {:?} ahead {:?} outbox {:?}",
                        r.version(),
                        r.server.as_ref().map(|s| s.fields.get("given_name")),
                        r.fields.get("given_name"),
                        dev.store.pull.ahead.get(&r.id),
                        dev.store
                            .outbox
                            .values()
                            .filter(|e| e.mutation.record_id == r.id)
                            .map(|e| (
                                e.seq,
                                e.refused.is_some(),
                                e.mutation.changes.get("given_name").map(|c| c.new.clone())
                            ))
                            .collect::<Vec<_>>()
                    );
                }
            }
        }
        if world.devices[d].away > 0 {
            world.devices[d].away -= 1;
            if world.devices[d].away == 0 {
                world.devices[d].online = true;
            }
        }
        match world.rng.below(20) {
            0..=7 => {
                let (id, values) = world.edit_for(d);
                world.save(d, id, &values, true).map_err(fail)?;
            }
            8..=12 => world.sync(d, true).map_err(fail)?,
            13 => world.devices[d].online = !world.devices[d].online,
            14 => {
                // Away for a month: offline while the others carry on.
                world.counts.month_offline += 1;
                world.devices[d].online = false;
                world.devices[d].away = 20 + world.rng.below(20);
            }
            15 => world.deal_with_refused(d).map_err(fail)?,
            16 => world.sign_out(d).map_err(fail)?,
            17 => {
                // A crash between a save and its upload: the save is stored, the sync never ran.
                let (id, values) = world.edit_for(d);
                world.save(d, id, &values, false).map_err(fail)?;
            }
            _ => {
                // Server restart: only what it stored survives.
                let stored = serde_json::to_string(&world.server).unwrap_or_default();
                world.server = serde_json::from_str(&stored).map_err(|e| fail(format!("restart: {e}")))?;
            }
        }
        world.check_devices().map_err(fail)?;
    }

    // Everyone comes back online, deals with what was refused, and syncs until nothing waits.
    for _ in 0..60 {
        for d in 0..devices_n {
            world.devices[d].online = true;
            world.devices[d].away = 0;
            world.sync(d, false).map_err(fail)?;
            while world.devices[d].store.outbox.values().any(|e| !e.is_waiting()) {
                world.deal_with_refused(d).map_err(fail)?;
            }
            world.check_devices().map_err(fail)?;
        }
        if world.devices.iter().all(|d| d.store.outbox.is_empty()) {
            break;
        }
    }
    for d in 0..devices_n {
        world.sync(d, false).map_err(fail)?;
        if !world.devices[d].store.outbox.is_empty() {
            return Err(fail(format!("device {d}'s outbox is stuck: {:?}", world.devices[d].store.outbox.keys())));
        }
    }
    world.check_devices().map_err(fail)?;
    check_server(&world).map_err(fail)?;
    world.counts.conflicts = world.server.conflicts.len();
    world.counts.rejected = world
        .devices
        .iter()
        .flat_map(|d| d.answers.values())
        .filter(|a| matches!(a, PushOutcome::Rejected { .. }))
        .count();
    Ok(world.counts)
}

fn check_server(world: &World) -> Checked<()> {
    let server = &world.server;
    let devices = &world.devices;
    let no_state = ClientState::default();
    // Exactly once: each client's every mutation has one stored answer, and the device holds that answer.
    let mut made_by: BTreeMap<u64, (ClientId, &Mutation)> = BTreeMap::new();
    for device in devices {
        let clients: Vec<(ClientId, u64)> =
            device.retired.iter().copied().chain([(device.client, device.store.next_seq - 1)]).collect();
        for (client, last) in clients {
            let state = server.clients.get(&client).unwrap_or(&no_state);
            if state.last_seq != last {
                return Err(format!("client {client}: {last} mutations made, {} processed", state.last_seq));
            }
        }
        for ((client, seq), mutation) in &device.made {
            let state = server.clients.get(client).unwrap_or(&no_state);
            let stored = state.results.get(seq).map(|r| &r.outcome);
            if stored != device.answers.get(&(*client, *seq)) {
                return Err(format!("device answer != stored answer for seq {seq}"));
            }
            let change_seq = match stored {
                Some(PushOutcome::Applied { change_seq, .. }) => Some(*change_seq),
                Some(PushOutcome::Conflict { change_seq, .. }) => *change_seq,
                Some(PushOutcome::Gap { .. }) | None => return Err(format!("seq {seq} has no final answer")),
                _ => None,
            };
            if let Some(change_seq) = change_seq
                && made_by.insert(change_seq, (*client, mutation)).is_some()
            {
                return Err(format!("change {change_seq} made twice"));
            }
        }
    }
    // The log: gap-free numbers, each change made by exactly one mutation; versions go up by one.
    let mut current: BTreeMap<RecordId, &Record> = BTreeMap::new();
    for (i, change) in server.log.iter().enumerate() {
        if change.change_seq != i as u64 + 1 {
            return Err("the log has a gap".into());
        }
        let (client, mutation) = made_by.get(&change.change_seq).ok_or("a change with no mutation")?;
        let previous = current.get(&change.record.id).copied();
        if change.record.version != previous.map_or(0, |r| r.version) + 1 {
            return Err("versions go up by one".into());
        }
        // No silent overwrite: a field changes only to the mutation's new value from its old value;
        // a clash keeps the server's value and is recorded as a conflict; other fields never change.
        let fields: BTreeSet<&String> = change
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
                None if before != after => return Err(format!("untouched field {field} changed")),
                None => {}
                Some(c) if (previous.is_none() || *before == c.old) && after != &c.new => {
                    return Err(format!("{field} is not what the change said"));
                }
                Some(c) if previous.is_none() || *before == c.old => {}
                Some(c) => {
                    if after != before {
                        return Err(format!("a clash on {field} must keep the server's value"));
                    }
                    let id = format!("{client}:{}:{field}", mutation.seq);
                    if *before != c.new && !server.conflicts.iter().any(|x| x.id == id) {
                        return Err(format!("a clash on {field} is not recorded as a conflict"));
                    }
                }
            }
        }
        current.insert(change.record.id, &change.record);
    }
    for conflict in &server.conflicts {
        if conflict.theirs == conflict.ours || conflict.theirs == conflict.base {
            return Err("a conflict without two different values".into());
        }
    }
    // Convergence: every device's copy equals the server's, and shows it.
    for (d, device) in devices.iter().enumerate() {
        let held: BTreeMap<RecordId, Record> =
            device.store.records.values().filter_map(|r| r.server.clone()).map(|r| (r.id, r)).collect();
        if held != server.records {
            return Err(format!("device {d} did not converge"));
        }
        if device.store.records.values().any(|r| Some(&r.fields) != server.records.get(&r.id).map(|s| &s.fields)) {
            return Err(format!("device {d} shows something other than the server's copy"));
        }
    }
    Ok(())
}

fn cases() -> u64 {
    std::env::var("DSR_SIM_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(300)
}

#[test]
fn seeded_simulation_keeps_every_sync_promise() {
    let cases = cases();
    let started = std::time::Instant::now();
    let mut total = Counts::default();
    let first: u64 = std::env::var("DSR_SIM_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(0);
    for seed in first..first + cases {
        total += run(REAL, seed).unwrap_or_else(|e| panic!("{e}"));
    }
    let c = total;
    println!(
        "sync simulation: {cases} cases, {} mutations, {} conflicts, {} rejected ({} discarded), faults: {} tabs closed mid-transaction, {} saves by another tab in between, {} answers lost, {} view resets, {} months offline, {} sign-outs refused with unsent changes, {} sign-outs; {:.1} s",
        c.mutations,
        c.conflicts,
        c.rejected,
        c.discarded,
        c.tab_closed,
        c.other_tab,
        c.answers_lost,
        c.resets,
        c.month_offline,
        c.sign_outs_refused,
        c.signed_out,
        started.elapsed().as_secs_f64()
    );
    assert!(
        c.conflicts > 0 && c.rejected > 0 && c.discarded > 0,
        "the simulation must exercise conflicts and rejections"
    );
    assert!(
        c.tab_closed > 0
            && c.other_tab > 0
            && c.answers_lost > 0
            && c.resets > 0
            && c.sign_outs_refused > 0
            && c.signed_out > 0,
        "the simulation must exercise every fault"
    );
}

/// Each planted bug is a plausible mistake in a device plan; the simulation must catch every one.
#[test]
fn every_planted_bug_in_the_device_core_is_caught() {
    let planted: [(&str, Core); 5] = [
        (
            "a refused change is dropped from the outbox",
            Core {
                plan_answers: |outbox, records, pull, results| {
                    let mut writes = device::plan_answers(outbox, records, pull, results);
                    let refused: Vec<u64> = writes.put_outbox.drain(..).map(|e| e.seq).collect();
                    writes.delete_outbox.extend(refused);
                    writes
                },
                ..REAL
            },
        ),
        (
            "a pulled record is shown without this device's waiting changes",
            Core { plan_page: |page, part, _outbox, pull| device::plan_page(page, part, &[], pull), ..REAL },
        ),
        (
            "an answer does not hold the record ahead of an older pulled version",
            Core {
                plan_answers: |outbox, records, pull, results| {
                    let mut writes = device::plan_answers(outbox, records, pull, results);
                    writes.pull = None;
                    writes
                },
                ..REAL
            },
        ),
        (
            "each part of a page stores the whole page's cursor",
            Core {
                plan_page: |page, part, outbox, pull| {
                    let mut plans = device::plan_page(page, part, outbox, pull);
                    for plan in &mut plans {
                        if let Some(state) = plan.pull.as_mut() {
                            state.cursor = page.cursor;
                        }
                    }
                    plans
                },
                ..REAL
            },
        ),
        ("sign-out is allowed with unsent changes", Core { may_sign_out: |_| Ok(()), ..REAL }),
    ];
    for (bug, core) in planted {
        let caught = (0..cases().min(500)).find_map(|seed| run(core, seed).err());
        let caught = caught.unwrap_or_else(|| panic!("the planted bug was not caught: {bug}"));
        println!("planted bug caught: {bug}: {caught}");
    }
}
