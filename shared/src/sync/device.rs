//! The device half of sync, as pure decisions: what a save sends, what the device shows while changes
//! wait, what the server's answers and pulled pages do to the device's copy, its outbox and its
//! conflicts, and what a view reset keeps. No I/O and no clock: the app reads IndexedDB, asks these
//! functions what to write, and writes it in one transaction; the seeded simulation
//! (`shared/tests/sync_simulation.rs`) does the same over [`DeviceStore`] thousands of times with the
//! faults a tablet meets.
//!
//! The device's state:
//! - a [`LocalRecord`] per record: the server's last word as far as this device knows (`server`) and
//!   what it shows (`fields`), which is always [`view_of`] the server copy and the record's outbox
//!   entries (waiting and refused, in seq order): a change saved here shows at once, and stays shown
//!   until the server has it;
//! - the outbox: [`OutboxEntry`] by seq, each a [`Mutation`] not yet answered, or refused and kept for
//!   the user to fix or discard;
//! - [`LocalConflict`]s the server reported, for a person to resolve;
//! - the next seq and the [`PullState`] (cursor, view, and the records an answer told about before the
//!   pull brings them).
//!
//! Every plan is a [`Writes`] with the [`Guard`] it was planned from: whoever applies it must first check
//! that what the guard names is unchanged since it was read (another tab may have saved meanwhile), and
//! plan again if not.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FieldChange, Fields, Mutation, PullResponse, PushOutcome, PushResult, Record, RecordKind};
use crate::{FieldError, RecordId};

/// A record as this device holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalRecord {
    pub id: RecordId,
    pub kind: RecordKind,
    /// The server's last word as far as this device knows; `None` until the server has it.
    #[serde(default)]
    pub server: Option<Record>,
    /// What this device shows: [`view_of`] the server copy and this record's outbox entries.
    pub fields: Fields,
}

impl LocalRecord {
    /// Deleted on the server (a tombstone): not shown.
    pub fn is_deleted(&self) -> bool {
        self.server.as_ref().is_some_and(|s| s.deleted)
    }

    /// The server's version of it as this device knows it (0 before the server has it).
    pub fn version(&self) -> u64 {
        self.server.as_ref().map_or(0, |s| s.version)
    }
}

/// A saved change waiting for (or refused by) the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxEntry {
    pub seq: u64,
    pub mutation: Mutation,
    /// The server's reasons, when it refused the change. Kept for the user to fix or discard.
    #[serde(default)]
    pub refused: Option<Vec<FieldError>>,
}

impl OutboxEntry {
    /// Not answered yet: the next sync sends it.
    pub fn is_waiting(&self) -> bool {
        self.refused.is_none()
    }
}

/// A field both this device and someone else changed: the server kept theirs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalConflict {
    pub id: String,
    pub record_id: RecordId,
    pub kind: RecordKind,
    pub field: String,
    /// The value this device started from.
    pub base: Value,
    /// The value this device wanted.
    pub ours: Value,
}

/// Where this device's pulls stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullState {
    /// The last change this device has stored.
    pub cursor: u64,
    /// The number of what this device may hold, as the server last said.
    pub view: u64,
    /// Records an answer told about (the server's version after this device's change) before a pull
    /// brings them: an older version pulled meanwhile is not shown over them.
    #[serde(default)]
    pub ahead: BTreeMap<RecordId, u64>,
}

/// What a plan read, which must be unchanged when its [`Writes`] are applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Guard {
    /// The outbox's seqs, when the plan read the outbox.
    pub outbox: Option<Vec<u64>>,
    /// Records the plan read (each as it was then, or absent).
    pub records: Vec<RecordId>,
    /// The next seq, when the plan gives one out.
    pub next_seq: Option<u64>,
}

/// What to write, all in one transaction (after checking the [`Guard`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Writes {
    pub guard: Guard,
    /// Delete every record first (a view reset), then apply the rest.
    pub clear_records: bool,
    pub put_records: Vec<LocalRecord>,
    pub delete_records: Vec<RecordId>,
    pub put_outbox: Vec<OutboxEntry>,
    pub delete_outbox: Vec<u64>,
    pub put_conflicts: Vec<LocalConflict>,
    pub delete_conflicts: Vec<String>,
    pub next_seq: Option<u64>,
    pub pull: Option<PullState>,
}

impl Writes {
    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        !self.clear_records
            && self.put_records.is_empty()
            && self.delete_records.is_empty()
            && self.put_outbox.is_empty()
            && self.delete_outbox.is_empty()
            && self.put_conflicts.is_empty()
            && self.delete_conflicts.is_empty()
            && self.next_seq.is_none()
            && self.pull.is_none()
    }

    /// Every record these writes touch (to refresh what the pages show).
    pub fn touched(&self) -> BTreeSet<RecordId> {
        self.put_records.iter().map(|r| r.id).chain(self.delete_records.iter().copied()).collect()
    }
}

fn overlay(fields: &mut Fields, changes: &BTreeMap<String, FieldChange>) {
    for (name, change) in changes {
        if change.new.is_null() {
            fields.remove(name);
        } else {
            fields.insert(name.clone(), change.new.clone());
        }
    }
}

/// What the device shows for a record: the server's fields with the record's outbox entries (waiting
/// and refused: a refused change stays in sight until fixed or discarded) on top, in seq order.
pub fn view_of<'a>(server: Option<&Record>, entries: impl IntoIterator<Item = &'a OutboxEntry>) -> Fields {
    let mut fields = server.map(|s| s.fields.clone()).unwrap_or_default();
    let mut entries: Vec<&OutboxEntry> = entries.into_iter().collect();
    entries.sort_by_key(|e| e.seq);
    for entry in entries {
        overlay(&mut fields, &entry.mutation.changes);
    }
    fields
}

/// What the server will hold when the next change to this record arrives, as far as this device
/// knows: the server copy with the waiting (not refused) entries applied.
pub fn base_of<'a>(server: Option<&Record>, entries: impl IntoIterator<Item = &'a OutboxEntry>) -> Fields {
    view_of(server, entries.into_iter().filter(|e| e.is_waiting()))
}

fn entries_for(outbox: &[OutboxEntry], id: RecordId) -> Vec<&OutboxEntry> {
    outbox.iter().filter(|e| e.mutation.record_id == id).collect()
}

/// Plans saving new values for a record's fields (a form saved; `null` clears a field). `local` is the
/// record as read, `outbox` every outbox entry, `next_seq` the seq to give the change.
///
/// - Each changed field carries the value the server will hold when the change arrives ([`base_of`]),
///   so the server can tell a clash from a change of its own making.
/// - A record the server does not have and nothing waiting will create (a create refused or
///   discarded) is created again, whole, with `base_version: None`.
/// - A record created here and not confirmed yet will be version 1 when this change arrives (a device's
///   changes apply in order): base version 1.
/// - What this save covers of earlier refused changes to the record is replaced by it (the save is
///   their fix: a refused change covered whole goes, one covered in part keeps the rest); a re-create
///   replaces every refused change to the record.
/// - `resolving`: a conflict this save resolves is removed with it.
///
/// `None` when there is nothing to write.
pub fn plan_save(
    kind: RecordKind,
    id: RecordId,
    local: Option<&LocalRecord>,
    outbox: &[OutboxEntry],
    next_seq: u64,
    values: &Fields,
    resolving: Option<&str>,
) -> Option<Writes> {
    let mine = entries_for(outbox, id);
    let server = local.and_then(|l| l.server.as_ref());
    let waiting = mine.iter().any(|e| e.is_waiting());
    let creating = server.is_none() && !waiting;
    let base = if creating { Fields::new() } else { base_of(server, mine.iter().copied()) };
    let target: Fields = if creating {
        let mut whole = view_of(server, mine.iter().copied());
        whole.extend(values.iter().map(|(k, v)| (k.clone(), v.clone())));
        whole.retain(|_, v| !v.is_null());
        whole
    } else {
        values.clone()
    };
    let changes: BTreeMap<String, FieldChange> = target
        .iter()
        .filter(|(field, new)| base.get(*field).unwrap_or(&Value::Null) != *new)
        .map(|(field, new)| {
            (field.clone(), FieldChange { old: base.get(field).cloned().unwrap_or(Value::Null), new: new.clone() })
        })
        .collect();
    // What this save covers of earlier refused changes is replaced by it: a refused change it covers
    // whole goes, one it covers in part keeps only the rest.
    let mut superseded: Vec<u64> = Vec::new();
    let mut trimmed: Vec<OutboxEntry> = Vec::new();
    for entry in mine.iter().filter(|e| !e.is_waiting()) {
        let rest: BTreeMap<String, FieldChange> = entry
            .mutation
            .changes
            .iter()
            .filter(|(f, _)| !creating && !values.contains_key(*f))
            .map(|(f, c)| (f.clone(), c.clone()))
            .collect();
        if rest.is_empty() {
            superseded.push(entry.seq);
        } else if rest.len() < entry.mutation.changes.len() {
            let mut kept = (*entry).clone();
            kept.mutation.changes = rest;
            trimmed.push(kept);
        }
    }
    if changes.is_empty() && superseded.is_empty() && trimmed.is_empty() && resolving.is_none() {
        return None;
    }
    let mut writes = Writes {
        guard: Guard { outbox: Some(outbox.iter().map(|e| e.seq).collect()), records: vec![id], next_seq: None },
        delete_outbox: superseded.clone(),
        put_outbox: trimmed.clone(),
        delete_conflicts: resolving.map(str::to_string).into_iter().collect(),
        ..Writes::default()
    };
    let mut remaining: Vec<OutboxEntry> = mine
        .iter()
        .filter(|e| !superseded.contains(&e.seq))
        .map(|e| trimmed.iter().find(|t| t.seq == e.seq).cloned().unwrap_or_else(|| (*e).clone()))
        .collect();
    if !changes.is_empty() {
        let base_version = if creating { None } else { Some(server.map_or(1, |s| s.version)) };
        let mutation =
            Mutation { seq: next_seq, record_id: id, kind, base_version, changes, delete: false, reason: None };
        let entry = OutboxEntry { seq: next_seq, mutation, refused: None };
        remaining.push(entry.clone());
        writes.put_outbox.push(entry);
        writes.next_seq = Some(next_seq + 1);
        writes.guard.next_seq = Some(next_seq);
    }
    if writes.put_outbox.is_empty() && writes.delete_outbox.is_empty() {
        // Only a conflict to forget.
        return Some(writes);
    }
    match (server, remaining.is_empty()) {
        (None, true) => writes.delete_records.push(id),
        _ => writes.put_records.push(LocalRecord {
            id,
            kind: local.map_or(kind, |l| l.kind),
            server: server.cloned(),
            fields: view_of(server, &remaining),
        }),
    }
    Some(writes)
}

/// Plans discarding a refused change (the user chose to drop it): the record shows the server's
/// fields with what still waits; a record the server never had and nothing else is about goes.
/// Discarding a refused create of a record the server never had discards the record's other refused
/// changes with it.
/// `None` when the change is not in the outbox (already gone) or is not a refused one.
pub fn plan_discard(seq: u64, local: Option<&LocalRecord>, outbox: &[OutboxEntry]) -> Option<Writes> {
    let entry = outbox.iter().find(|e| e.seq == seq && !e.is_waiting())?;
    let id = entry.mutation.record_id;
    let server = local.and_then(|l| l.server.as_ref());
    // Discarding a record's refused create discards the refused changes made to it after (they
    // cannot apply without it).
    let whole_record = server.is_none() && entry.mutation.base_version.is_none();
    let discarded: Vec<u64> = entries_for(outbox, id)
        .into_iter()
        .filter(|e| e.seq == seq || (whole_record && !e.is_waiting()))
        .map(|e| e.seq)
        .collect();
    let remaining: Vec<&OutboxEntry> =
        entries_for(outbox, id).into_iter().filter(|e| !discarded.contains(&e.seq)).collect();
    let mut writes = Writes {
        guard: Guard { outbox: Some(outbox.iter().map(|e| e.seq).collect()), records: vec![id], next_seq: None },
        delete_outbox: discarded,
        ..Writes::default()
    };
    match (local, server, remaining.is_empty()) {
        (None, _, _) => {}
        (Some(_), None, true) => writes.delete_records.push(id),
        (Some(l), _, _) => {
            writes.put_records.push(LocalRecord { fields: view_of(server, remaining), ..l.clone() });
        }
    }
    Some(writes)
}

/// The changes to send, in seq order: the waiting entries, at most `limit`.
pub fn to_send(outbox: &[OutboxEntry], limit: usize) -> Vec<Mutation> {
    let mut waiting: Vec<&OutboxEntry> = outbox.iter().filter(|e| e.is_waiting()).collect();
    waiting.sort_by_key(|e| e.seq);
    waiting.into_iter().take(limit).map(|e| e.mutation.clone()).collect()
}

/// Plans storing the server's answers to a push. `outbox` is every outbox entry, `records` the local
/// records the answered changes are about (those the device holds), `pull` the pull state.
///
/// - Applied, unchanged or clashing: the entry leaves the outbox and the record's server copy takes the
///   change (without the clashing fields) at the version the server gave, so the record shows what
///   the server now holds until a pull brings it (and an older version pulled meanwhile does not hide
///   it: `ahead`). A clash becomes a [`LocalConflict`].
/// - Refused: the entry stays, marked with the reasons, but without the fields later saves on this
///   device changed again (theirs to show); one left with nothing goes.
/// - Gap: nothing (the entry is sent again, in order).
///
/// An answer for an entry no longer in the outbox (stored already) changes nothing.
pub fn plan_answers(
    outbox: &[OutboxEntry],
    records: &BTreeMap<RecordId, LocalRecord>,
    pull: &PullState,
    results: &[PushResult],
) -> Writes {
    let mut entries: BTreeMap<u64, OutboxEntry> = outbox.iter().map(|e| (e.seq, e.clone())).collect();
    let mut working: BTreeMap<RecordId, LocalRecord> = BTreeMap::new();
    let mut ahead = pull.ahead.clone();
    let mut writes = Writes {
        guard: Guard { outbox: Some(outbox.iter().map(|e| e.seq).collect()), records: Vec::new(), next_seq: None },
        ..Writes::default()
    };
    // In seq order, as the server applied them (a request may have been reordered on the way).
    let mut results: Vec<&PushResult> = results.iter().collect();
    results.sort_by_key(|r| r.seq);
    for result in results {
        let Some(entry) = entries.get(&result.seq).cloned() else { continue };
        if !entry.is_waiting() {
            continue;
        }
        let m = &entry.mutation;
        let (version, clashed): (u64, &[String]) = match &result.outcome {
            PushOutcome::Applied { record_version, .. } | PushOutcome::Unchanged { record_version } => {
                (*record_version, &[])
            }
            PushOutcome::Conflict { record_version, conflict_ids, fields, .. } => {
                for (id, field) in conflict_ids.iter().zip(fields) {
                    let change =
                        m.changes.get(field).cloned().unwrap_or(FieldChange { old: Value::Null, new: Value::Null });
                    writes.put_conflicts.push(LocalConflict {
                        id: id.clone(),
                        record_id: m.record_id,
                        kind: m.kind,
                        field: field.clone(),
                        base: change.old,
                        ours: change.new,
                    });
                }
                (*record_version, fields.as_slice())
            }
            PushOutcome::Rejected { reasons } => {
                // What later saves here changed again is theirs to show: the refusal keeps the rest,
                // and goes when nothing is left.
                let later: BTreeSet<&String> = entries
                    .values()
                    .filter(|e| e.seq > entry.seq && e.mutation.record_id == m.record_id)
                    .flat_map(|e| e.mutation.changes.keys())
                    .collect();
                let mut refused = OutboxEntry { refused: Some(reasons.clone()), ..entry.clone() };
                refused.mutation.changes.retain(|f, _| !later.contains(f));
                if refused.mutation.changes.is_empty() {
                    entries.remove(&entry.seq);
                    writes.delete_outbox.push(entry.seq);
                    if let Some(local) = records.get(&m.record_id) {
                        working.entry(m.record_id).or_insert_with(|| local.clone());
                    }
                } else {
                    entries.insert(refused.seq, refused.clone());
                    writes.put_outbox.push(refused);
                }
                continue;
            }
            PushOutcome::Gap { .. } => continue,
        };
        entries.remove(&result.seq);
        writes.delete_outbox.push(result.seq);
        let Some(local) = working.get(&m.record_id).or_else(|| records.get(&m.record_id)).cloned() else { continue };
        let mut local = local;
        // At `version` the server holds this change's values (applied, or already there); a copy
        // pulled since at a later version is newer still, and stays.
        if version >= local.version() {
            let mut server = local.server.clone().unwrap_or(Record {
                id: m.record_id,
                kind: m.kind,
                version: 0,
                fields: Fields::new(),
                deleted: false,
            });
            let applied: BTreeMap<String, FieldChange> =
                m.changes.iter().filter(|(f, _)| !clashed.contains(f)).map(|(f, c)| (f.clone(), c.clone())).collect();
            overlay(&mut server.fields, &applied);
            server.version = version;
            if m.delete {
                server.deleted = true;
            }
            local.server = Some(server);
            ahead.insert(m.record_id, version);
        }
        working.insert(m.record_id, local);
    }
    for (id, mut local) in working {
        local.fields = view_of(local.server.as_ref(), entries.values().filter(|e| e.mutation.record_id == id));
        writes.guard.records.push(id);
        writes.put_records.push(local);
    }
    if ahead != pull.ahead {
        writes.pull = Some(PullState { ahead, ..pull.clone() });
    }
    writes
}

/// Plans storing a page (or a part of one) of the server's changes: each record shows the server's
/// fields with this device's outbox entries on top; a record the server no longer lets this device hold
/// goes (kept, without the server's copy, while this device has changes to it not answered or refused:
/// nobody's typing is dropped unseen). `cursor` and `view` are what this part covers.
pub fn plan_pulled(
    changes: &[super::Change],
    removed: &[RecordId],
    cursor: u64,
    view: u64,
    outbox: &[OutboxEntry],
    pull: &PullState,
) -> Writes {
    let mut ahead = pull.ahead.clone();
    let mut by_id: BTreeMap<RecordId, LocalRecord> = BTreeMap::new();
    for change in changes {
        let record = &change.record;
        if ahead.get(&record.id).is_some_and(|v| *v > record.version) {
            continue;
        }
        ahead.remove(&record.id);
        let fields = view_of(Some(record), entries_for(outbox, record.id));
        by_id.insert(record.id, LocalRecord { id: record.id, kind: record.kind, server: Some(record.clone()), fields });
    }
    let mut writes = Writes {
        guard: Guard { outbox: Some(outbox.iter().map(|e| e.seq).collect()), records: Vec::new(), next_seq: None },
        ..Writes::default()
    };
    for id in removed {
        by_id.remove(id);
        ahead.remove(id);
        let mine = entries_for(outbox, *id);
        match mine.first() {
            Some(first) => writes.put_records.push(LocalRecord {
                id: *id,
                kind: first.mutation.kind,
                server: None,
                fields: view_of(None, mine.iter().copied()),
            }),
            None => writes.delete_records.push(*id),
        }
    }
    writes.put_records.extend(by_id.into_values());
    writes.pull = Some(PullState { cursor, view, ahead });
    writes
}

/// Plans storing a whole pulled page in parts of at most `part` changes, each part with the cursor that
/// covers it (so the cursor never runs ahead of what is stored); the removals and the page's own cursor
/// go with the last part.
pub fn plan_page(page: &PullResponse, part: usize, outbox: &[OutboxEntry], pull: &PullState) -> Vec<Writes> {
    let parts: Vec<&[super::Change]> = page.changes.chunks(part.max(1)).collect();
    if parts.is_empty() {
        return vec![plan_pulled(&[], &page.removed, page.cursor, page.view, outbox, pull)];
    }
    let last = parts.len() - 1;
    let mut state = pull.clone();
    let mut plans = Vec::with_capacity(parts.len());
    for (i, changes) in parts.into_iter().enumerate() {
        let (removed, cursor) = if i == last {
            (page.removed.as_slice(), page.cursor)
        } else {
            (&[][..], changes.last().map_or(page.cursor, |c| c.change_seq))
        };
        let writes = plan_pulled(changes, removed, cursor, page.view, outbox, &state);
        if let Some(next) = &writes.pull {
            state = next.clone();
        }
        plans.push(writes);
    }
    plans
}

/// Plans a view reset (the server said what this device may hold changed too much to say record by
/// record): every record goes and pulls start again from the beginning; records this device has
/// changes to (waiting or refused) stay, without the server's copy, until the pull brings them back.
pub fn plan_reset(outbox: &[OutboxEntry]) -> Writes {
    let mut kept: BTreeMap<RecordId, LocalRecord> = BTreeMap::new();
    for entry in outbox {
        let id = entry.mutation.record_id;
        kept.entry(id).or_insert_with(|| LocalRecord {
            id,
            kind: entry.mutation.kind,
            server: None,
            fields: view_of(None, entries_for(outbox, id)),
        });
    }
    Writes {
        guard: Guard { outbox: Some(outbox.iter().map(|e| e.seq).collect()), records: Vec::new(), next_seq: None },
        clear_records: true,
        put_records: kept.into_values().collect(),
        pull: Some(PullState::default()),
        ..Writes::default()
    }
}

/// Changes that would be lost if this device's data were deleted now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{waiting} change(s) not sent yet and {refused} refused change(s) are only on this device")]
pub struct Unsent {
    pub waiting: usize,
    pub refused: usize,
}

/// Whether the user may sign out (which deletes the device's data): not while changes are only here.
/// (Access ended by the server is not a choice: that deletes regardless.)
pub fn may_sign_out(outbox: &[OutboxEntry]) -> Result<(), Unsent> {
    let waiting = outbox.iter().filter(|e| e.is_waiting()).count();
    let refused = outbox.len() - waiting;
    if waiting + refused == 0 { Ok(()) } else { Err(Unsent { waiting, refused }) }
}

/// A device's whole state in memory: what the simulation and the tests run the plans against, and
/// a model of what the app keeps in IndexedDB.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceStore {
    pub records: BTreeMap<RecordId, LocalRecord>,
    pub outbox: BTreeMap<u64, OutboxEntry>,
    pub conflicts: BTreeMap<String, LocalConflict>,
    pub next_seq: u64,
    pub pull: PullState,
}

impl Default for DeviceStore {
    fn default() -> Self {
        Self {
            records: BTreeMap::new(),
            outbox: BTreeMap::new(),
            conflicts: BTreeMap::new(),
            next_seq: 1,
            pull: PullState::default(),
        }
    }
}

/// What a plan read, as it was: compared with the store when the plan's writes are applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    outbox: Option<Vec<u64>>,
    records: Vec<(RecordId, Option<LocalRecord>)>,
    next_seq: Option<u64>,
}

impl DeviceStore {
    /// Every outbox entry, in seq order.
    pub fn entries(&self) -> Vec<OutboxEntry> {
        self.outbox.values().cloned().collect()
    }

    /// What the device shows for a record (`None` when it holds none, or a tombstone).
    pub fn shown(&self, id: RecordId) -> Option<&Fields> {
        self.records.get(&id).filter(|r| !r.is_deleted()).map(|r| &r.fields)
    }

    /// What `guard` names, as it is now.
    pub fn seen(&self, guard: &Guard) -> Seen {
        Seen {
            outbox: guard.outbox.as_ref().map(|_| self.outbox.keys().copied().collect()),
            records: guard.records.iter().map(|id| (*id, self.records.get(id).cloned())).collect(),
            next_seq: guard.next_seq.map(|_| self.next_seq),
        }
    }

    /// Applies `writes` in one step if what they were planned from is unchanged (`seen` is what the plan
    /// read); `false` (nothing written) otherwise: plan again.
    pub fn apply_if_unchanged(&mut self, seen: &Seen, writes: Writes) -> bool {
        if self.seen(&writes.guard) != *seen {
            return false;
        }
        self.apply(writes);
        true
    }

    /// Applies `writes` (the caller checked the guard).
    pub fn apply(&mut self, writes: Writes) {
        if writes.clear_records {
            self.records.clear();
        }
        for id in writes.delete_records {
            self.records.remove(&id);
        }
        for record in writes.put_records {
            self.records.insert(record.id, record);
        }
        for seq in writes.delete_outbox {
            self.outbox.remove(&seq);
        }
        for entry in writes.put_outbox {
            self.outbox.insert(entry.seq, entry);
        }
        for id in writes.delete_conflicts {
            self.conflicts.remove(&id);
        }
        for conflict in writes.put_conflicts {
            self.conflicts.insert(conflict.id.clone(), conflict);
        }
        if let Some(next) = writes.next_seq {
            self.next_seq = next;
        }
        if let Some(pull) = writes.pull {
            self.pull = pull;
        }
    }

    /// Plans a save against this store (see [`plan_save`]).
    pub fn plan_save(
        &self,
        kind: RecordKind,
        id: RecordId,
        values: &Fields,
        resolving: Option<&str>,
    ) -> Option<Writes> {
        plan_save(kind, id, self.records.get(&id), &self.entries(), self.next_seq, values, resolving)
    }

    /// The local records `results` are about (what [`plan_answers`] reads).
    pub fn records_answered(&self, results: &[PushResult]) -> BTreeMap<RecordId, LocalRecord> {
        results
            .iter()
            .filter_map(|r| self.outbox.get(&r.seq))
            .filter_map(|e| self.records.get(&e.mutation.record_id))
            .map(|r| (r.id, r.clone()))
            .collect()
    }

    /// Every invariant of the device's state that holds after any sequence of applied plans: each
    /// record shows its server copy with its outbox entries on top, and each outbox entry's key is its
    /// seq, below the next seq.
    pub fn check(&self) -> Result<(), String> {
        for (id, record) in &self.records {
            if record.id != *id {
                return Err(format!("record {id} stored under another id"));
            }
            let entries = self.outbox.values().filter(|e| e.mutation.record_id == *id);
            let expected = view_of(record.server.as_ref(), entries);
            if record.fields != expected {
                return Err(format!(
                    "record {id} shows {:?}, not its server copy with its changes {expected:?}",
                    record.fields
                ));
            }
        }
        for (seq, entry) in &self.outbox {
            if entry.seq != *seq || entry.mutation.seq != *seq || *seq >= self.next_seq {
                return Err(format!("outbox entry {seq} is out of place"));
            }
            if !self.records.contains_key(&entry.mutation.record_id) {
                return Err(format!("outbox entry {seq} is about a record this device does not hold"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests;
