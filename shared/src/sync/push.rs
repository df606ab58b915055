//! The server's push logic, as plain Rust over a [`Batch`]: the state a batch of mutations needs is
//! loaded into it, [`process`] decides everything, and the caller writes the batch's outputs in the
//! same transaction. The SQLite server and the in-memory simulation share this code.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

use super::validate::{AreaRules, check_with_policy, validate_fields};
use super::{Change, Conflict, Fields, Mutation, PushOutcome, PushResult, Record, RecordKind, person_of};
use crate::access::{PersonAccess, PersonFacts, Role, area_access, person_access, write_rule};
use crate::{ClientId, FieldError, PersonId, RecordId};

/// The state a push needs, and what it decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    /// Current state of every record the batch touches (absent: not on the server).
    pub records: BTreeMap<RecordId, Record>,
    /// The client's last processed seq (0 before its first).
    pub last_seq: u64,
    /// Stored answers for the seqs of this batch already processed.
    pub stored: BTreeMap<u64, PushResult>,
    /// The number the next accepted change gets in the change log.
    pub next_change_seq: u64,
    /// Output: new log entries, in order (their records are the records' new states).
    pub changes: Vec<Change>,
    /// Output: answers to store, by seq.
    pub answered: Vec<PushResult>,
    /// Output: conflicts to store.
    pub conflicts: Vec<Conflict>,
    /// Who is pushing and what they may change; `None` allows everything (the reference server).
    pub access: Option<WriteAccess>,
    /// Output: each change's record as it was before it (`None` for a create), in the order of `changes`.
    pub before: Vec<Option<Record>>,
    /// Output: people created by a user who sees only their own people, to assign to that user.
    pub assigned: Vec<PersonId>,
    /// The area's rules new records are checked against (`None`: only each kind's own rules).
    pub rules: Option<AreaRules>,
    /// Output: mutations refused for want of access (seq, record, kind, person), for the audit trail.
    pub refused: Vec<(u64, RecordId, RecordKind, Option<PersonId>)>,
}

/// What the pushing user may change.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteAccess {
    pub role: Role,
    /// What the user may do with each person the batch touches (absent: nothing).
    pub people: BTreeMap<PersonId, PersonAccess>,
    /// Records of another area: nobody here may touch them (not even to create one with that id).
    pub foreign: std::collections::BTreeSet<RecordId>,
}

impl WriteAccess {
    /// Whether this mutation is within the user's access; the reason when not.
    fn check(
        &mut self,
        m: &Mutation,
        current: Option<&Record>,
    ) -> Result<Option<PersonId>, std::borrow::Cow<'static, str>> {
        if self.foreign.contains(&m.record_id) {
            return Err("You do not have access to this record".into());
        }
        let person = match current {
            Some(record) => {
                let moved = m.changes.get("person_id").is_some_and(|c| &c.new != record.field("person_id"));
                if moved && record.kind != RecordKind::Person {
                    return Err("A record cannot be moved to another person".into());
                }
                record.person_id()
            }
            None => {
                let fields: Fields = m.changes.iter().map(|(k, c)| (k.clone(), c.new.clone())).collect();
                person_of(m.kind, m.record_id, &fields)
            }
        };
        if m.delete && !self.role.may_delete() {
            return Err("Only a DSR coordinator can delete records".into());
        }
        let Some(person) = person else {
            let access = area_access(self.role);
            return if access.write.contains(m.kind) {
                self.within_rule(m, current).map(|()| None)
            } else if access.read.contains(m.kind) {
                Err("You can read this record but not change it".into())
            } else {
                Err("You do not have access to this kind of record".into())
            };
        };
        if m.kind == RecordKind::Person && current.is_none() {
            if !self.role.may_create_person() || self.people.contains_key(&person) {
                return Err("You cannot add people to the register".into());
            }
            return Ok(Some(person));
        }
        // What the record will hold decides who may read it (a meeting's action is the meeting's).
        let mut fields = current.map(|r| r.fields.clone()).unwrap_or_default();
        fields.extend(m.changes.iter().map(|(k, c)| (k.clone(), c.new.clone())));
        let read_as = crate::access::read_as(m.kind, &fields);
        let was_read_as = current.map_or(read_as, |r| crate::access::read_as(r.kind, &r.fields));
        match self.people.get(&person) {
            Some(access) if !access.read.contains(read_as) || !access.read.contains(was_read_as) => {
                Err("You do not have access to this person's records".into())
            }
            Some(_)
                if m.kind == RecordKind::Action
                    && crate::access::writes_only_meeting_actions(self.role)
                    && (read_as != RecordKind::MeetingDecision || was_read_as != RecordKind::MeetingDecision) =>
            {
                Err("You record the actions a DSR meeting agrees, not a review's action plan".into())
            }
            Some(access) if access.write.contains(m.kind) => self.within_rule(m, current).map(|()| Some(person)),
            Some(access) if access.read.contains(m.kind) => Err("You can read this record but not change it".into()),
            _ => Err("You do not have access to this person's records".into()),
        }
    }

    /// Whether `m` stays within the role's part of a kind it may write ([`write_rule`]): making a new
    /// record, or changing only the fields that are its part.
    fn within_rule(&self, m: &Mutation, current: Option<&Record>) -> Result<(), std::borrow::Cow<'static, str>> {
        let rule = write_rule(self.role, m.kind);
        match current.filter(|r| !r.deleted) {
            None if !rule.create => Err("You can add to this kind of record but not make a new one".into()),
            None => Ok(()),
            Some(record) => {
                // A field counts as written when the change would alter what is stored.
                let written = m.changes.iter().filter(|(k, c)| &c.new != record.field(k)).map(|(k, _)| k);
                match written.into_iter().find(|k| !rule.may_change(k)) {
                    Some(field) => Err(format!("Your part of this record does not include {field}").into()),
                    None => Ok(()),
                }
            }
        }
    }
}

/// Applies `mutations` from `client` to `batch`, returning one result per mutation, in order.
pub fn process(
    batch: &mut Batch,
    client: ClientId,
    mutations: &[Mutation],
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Vec<PushResult> {
    let mut results = Vec::with_capacity(mutations.len());
    for mutation in mutations {
        if mutation.seq <= batch.last_seq {
            // Sent before: the stored answer, nothing changes.
            let stored = batch.stored.get(&mutation.seq).cloned();
            let outcome = stored.map(|r| r.outcome).unwrap_or(PushOutcome::Rejected {
                reasons: vec![FieldError {
                    field: "seq".into(),
                    message: "This change was processed long ago and its answer is no longer kept".into(),
                }],
            });
            results.push(PushResult { seq: mutation.seq, outcome, repeated: true });
            continue;
        }
        if mutation.seq != batch.last_seq + 1 {
            results.push(PushResult {
                seq: mutation.seq,
                outcome: PushOutcome::Gap { expected: batch.last_seq + 1 },
                repeated: false,
            });
            continue;
        }
        let outcome = apply(batch, client, mutation, now, today);
        if let (PushOutcome::Applied { .. }, Some(access)) = (&outcome, batch.access.as_mut()) {
            // A referrer who adds a person is assigned to them, so they see what they submitted.
            if mutation.kind == RecordKind::Person && mutation.base_version.is_none() {
                let person = PersonId::from_uuid(mutation.record_id.as_uuid());
                access.people.insert(person, person_access(access.role, true, PersonFacts::default()));
                if !access.role.sees_whole_register() {
                    batch.assigned.push(person);
                }
            }
        }
        let result = PushResult { seq: mutation.seq, outcome, repeated: false };
        batch.last_seq = mutation.seq;
        batch.answered.push(result.clone());
        batch.stored.insert(mutation.seq, result.clone());
        results.push(result);
    }
    results
}

/// A family withdrawing a consent themselves where the area's policy makes that a request to the DSR
/// coordinator (they may ask: `withdrawal_requested_on`; the coordinator withdraws).
fn family_withdrawal_refused(batch: &Batch, m: &Mutation) -> Option<PushOutcome> {
    let family = batch.access.as_ref().is_some_and(|a| a.role == Role::Family);
    let takes_effect = batch.rules.as_ref().is_none_or(|r| r.policy.families.withdrawal_takes_effect);
    let withdraws = m.kind == RecordKind::Consent && m.changes.get("withdrawn_on").is_some_and(|c| !c.new.is_null());
    (family && withdraws && !takes_effect).then(|| {
        reject(
            "withdrawn_on",
            "In your area a family's withdrawal of consent goes to the DSR coordinator as a request: ask to withdraw, and they will confirm it with you",
        )
    })
}

fn reject(field: &str, message: &str) -> PushOutcome {
    PushOutcome::Rejected { reasons: vec![FieldError { field: field.into(), message: message.into() }] }
}

fn apply(batch: &mut Batch, client: ClientId, m: &Mutation, now: DateTime<Utc>, today: NaiveDate) -> PushOutcome {
    let current = batch.records.get(&m.record_id).cloned();
    if let Some(access) = batch.access.as_mut() {
        match access.check(m, current.as_ref()) {
            Ok(_) => {}
            Err(message) => {
                let person = current.as_ref().and_then(Record::person_id);
                batch.refused.push((m.seq, m.record_id, m.kind, person));
                return reject("record", &message);
            }
        }
    }
    if let Some(refusal) = family_withdrawal_refused(batch, m) {
        return refusal;
    }
    if m.reason.as_ref().is_some_and(|r| r.chars().count() > super::MAX_REASON_CHARS) {
        return reject("reason", "A reason has at most 2000 characters");
    }
    if m.reason.as_ref().is_some_and(|r| r.chars().any(crate::text::is_stray_control)) {
        return reject("reason", crate::text::STRAY_CONTROL_MESSAGE);
    }
    let mut record = match (&current, m.base_version) {
        (None, None) if m.delete => {
            return reject("record", "There is nothing to delete: the record is not on the server");
        }
        (None, None) => Record { id: m.record_id, kind: m.kind, version: 0, fields: BTreeMap::new(), deleted: false },
        (None, Some(_)) => return reject("record", "The record is not on the server"),
        // The same record made on two devices (its id follows from another's): the second create is
        // changes from nothing, merged field by field below.
        (Some(r), None) if r.kind == m.kind && m.kind.made_on_many_devices() && !r.deleted => r.clone(),
        (Some(_), None) => return reject("record", "A record with this id is already on the server"),
        (Some(r), Some(_)) if r.kind != m.kind => return reject("kind", "The record is of another kind"),
        (Some(r), Some(_)) if r.deleted => return reject("record", "The record was deleted on the server"),
        (Some(r), Some(_)) => r.clone(),
    };

    if m.delete {
        if Some(record.version) != m.base_version {
            return reject(
                "record",
                "The record changed on the server since this device read it: look at it again before deleting",
            );
        }
        record.deleted = true;
        return commit(batch, record);
    }

    // Per field: take the new value only where the server still holds the value the device started from
    // (for a create, nothing).
    let creating = m.base_version.is_none();
    let mut applied = false;
    let mut clashes = Vec::new();
    for (field, change) in &m.changes {
        let server = record.field(field).clone();
        // A create merged into the same record made elsewhere: a field it leaves empty wrote nothing.
        let empty = match &change.new {
            Value::Null => true,
            Value::Array(items) => items.is_empty(),
            Value::Object(map) => map.is_empty(),
            Value::String(text) => text.is_empty(),
            _ => false,
        };
        if creating && current.is_some() && empty {
            continue;
        }
        let old = if creating { &Value::Null } else { &change.old };
        if server == *old || current.is_none() {
            if server != change.new {
                set(&mut record, field, change.new.clone());
                applied = true;
            }
        } else if server != change.new {
            clashes.push((field.clone(), change.old.clone(), server, change.new.clone()));
        }
    }

    if let Err(reasons) = validate_fields(record.kind, record.id, &record.fields, today) {
        return PushOutcome::Rejected { reasons };
    }
    if let Some(reasons) = duplicate_of(batch, current.as_ref(), &record) {
        return PushOutcome::Rejected { reasons };
    }
    if let (None, Some(rules)) = (&current, &batch.rules) {
        let born = record.person_id().and_then(|p| {
            rules.born.get(&p).copied().or_else(|| {
                let person = batch.records.get(&RecordId::from_uuid(p.as_uuid()))?;
                serde_json::from_value(person.field("date_of_birth").clone()).ok()
            })
        });
        if let Err(reasons) = check_with_policy(record.kind, record.id, &record.fields, born, &rules.policy) {
            return PushOutcome::Rejected { reasons };
        }
    }

    let (version, change_seq) = if applied || current.is_none() {
        match commit(batch, record) {
            PushOutcome::Applied { record_version, change_seq } => (record_version, Some(change_seq)),
            other => return other,
        }
    } else {
        (record.version, None)
    };

    if clashes.is_empty() {
        return match change_seq {
            Some(change_seq) => PushOutcome::Applied { record_version: version, change_seq },
            None => PushOutcome::Unchanged { record_version: version },
        };
    }
    let mut conflict_ids = Vec::new();
    let mut fields = Vec::new();
    for (field, base, theirs, ours) in clashes {
        let id = Conflict::make_id(client, m.seq, &field);
        batch.conflicts.push(Conflict {
            id: id.clone(),
            record_id: m.record_id,
            kind: m.kind,
            field: field.clone(),
            base,
            theirs,
            ours,
            client_id: client,
            client_seq: m.seq,
            at: now,
        });
        conflict_ids.push(id);
        fields.push(field);
    }
    PushOutcome::Conflict { record_version: version, change_seq, conflict_ids, fields }
}

/// The fields that say who a person is: a change to one of them is checked for duplicates.
const IDENTITY: [&str; 4] = ["given_name", "family_name", "date_of_birth", "nhs_number"];

/// A person added, changed in who they are, or accepted onto the register, who is already in the area
/// (same NHS number, or names and date of birth): the reasons to refuse it. The person pushing sees the
/// other record's id only when they see the whole register. A person let through joins the index, so
/// the rest of the batch is checked against them too.
fn duplicate_of(batch: &mut Batch, current: Option<&Record>, record: &Record) -> Option<Vec<FieldError>> {
    if record.kind != RecordKind::Person {
        return None;
    }
    let sees_all = batch.access.as_ref().is_none_or(|a| a.role.sees_whole_register());
    let index = batch.rules.as_mut()?.people.as_mut()?;
    let accepted = |r: &Record| r.field("register_status").get("status") == Some(&Value::from("on_register"));
    let checked = match current {
        None => true,
        Some(before) => {
            IDENTITY.iter().any(|f| before.field(f) != record.field(f)) || (accepted(record) && !accepted(before))
        }
    };
    let person = super::person_from(record.id, &record.fields)?;
    if checked && let Some((other, why)) = index.find(&person) {
        let message = if sees_all {
            format!("{} (record {})", why.message(), other.id)
        } else {
            format!("{}. This person may already be known to the DSR team: contact the DSR coordinator", why.finding())
        };
        return Some(vec![FieldError { field: why.field().into(), message }]);
    }
    index.insert(person);
    None
}

fn set(record: &mut Record, field: &str, value: Value) {
    if value.is_null() {
        record.fields.remove(field);
    } else {
        record.fields.insert(field.to_string(), value);
    }
}

/// Gives the record its next version and the change its log number.
fn commit(batch: &mut Batch, mut record: Record) -> PushOutcome {
    batch.before.push(batch.records.get(&record.id).cloned());
    record.version += 1;
    let change_seq = batch.next_change_seq;
    batch.next_change_seq += 1;
    batch.records.insert(record.id, record.clone());
    let record_version = record.version;
    batch.changes.push(Change { change_seq, record });
    PushOutcome::Applied { record_version, change_seq }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests;
