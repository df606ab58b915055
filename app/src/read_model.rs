//! The register as the pages read it, built from the device's copy in memory: a [`PersonRow`] per
//! person (their file for the due engine, their notes and review papers, and the register's view of
//! them), the area's DSR meetings, and how much waits to be sent. Pure: the storage is read once into a
//! [`DeviceCopy`], which then follows every write ([`DeviceCopy::apply`]) and says whose rows to
//! build again; `today` is an argument.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dsr_shared::access::Role;
use dsr_shared::policy::AreaPolicy;
use dsr_shared::register::replace_in_order;
use dsr_shared::sync::device::{DeviceStore, LocalRecord, Writes};
use dsr_shared::sync::{Fields, RecordKind, person_from};
use dsr_shared::{FieldError, Person, PersonId, RecordId};
use serde::Deserialize;
use serde_json::Value;

/// A person on the register as the pages show them.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonRow {
    pub id: RecordId,
    /// The register's order: the register row's `sort_name` (family name, then given name, in lower
    /// case; from the fields when they make no person), then id. The register's filter relies on its
    /// rows coming in this order (it compares no names again).
    pub order: (String, RecordId),
    /// `None` when the fields do not make a valid person (a refused change).
    pub person: Option<Person>,
    /// The record's own words for what the register row shows, as typed (a row whose fields make no
    /// person shows them as they are): not the whole record, which a long register would copy again
    /// with every row built.
    pub texts: RowTexts,
    /// The server holds this device's latest version.
    pub on_server: bool,
    /// Refused changes to this person: (seq, reasons).
    pub refused: Vec<(u64, Vec<FieldError>)>,
    /// The person's records of other kinds this device holds (consents, ratings, reviews...), for the
    /// due engine and the person page. `None` when the person's own fields do not make a person.
    pub file: Option<dsr_shared::due::PersonFile>,
    pub visit_notes: Vec<dsr_shared::visit_note::VisitNote>,
    /// Their reviews' planners, views, findings and recommendations.
    pub papers: ReviewPapers,
    /// The register's view of them (rating, next due item), worked out when loaded.
    pub register: Option<dsr_shared::register::RegisterRow>,
}

/// The texts of a person's record the register row shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowTexts {
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: String,
    pub nhs_number: String,
}

impl RowTexts {
    pub fn of(fields: &Fields) -> RowTexts {
        let text = |field: &str| fields.get(field).and_then(Value::as_str).unwrap_or("").to_string();
        RowTexts {
            given_name: text("given_name"),
            family_name: text("family_name"),
            date_of_birth: text("date_of_birth"),
            nhs_number: text("nhs_number"),
        }
    }
}

/// What was recorded for a person's reviews besides the reviews and actions (which the due engine reads).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReviewPapers {
    pub planners: Vec<dsr_shared::planner::Planner>,
    pub family_views: Vec<dsr_shared::planner::FamilyViews>,
    pub findings: Vec<dsr_shared::kloe::KloeFinding>,
    pub recommendations: Vec<dsr_shared::action::Recommendation>,
}

impl PersonRow {
    /// Everything recorded for one of this person's reviews.
    pub fn review_file(&self, review: dsr_shared::ReviewId) -> Option<dsr_shared::report::ReviewFile> {
        let file = self.file.as_ref()?;
        let found = file.reviews.iter().find(|r| r.id == review)?.clone();
        Some(dsr_shared::report::ReviewFile {
            review: found,
            planners: self.papers.planners.iter().filter(|p| p.review_id == review).cloned().collect(),
            family_views: self.papers.family_views.iter().filter(|v| v.review_id == review).cloned().collect(),
            findings: self.papers.findings.iter().filter(|f| f.review_id == review).cloned().collect(),
            recommendations: self.papers.recommendations.iter().filter(|r| r.review_id == review).cloned().collect(),
            actions: file.actions.iter().filter(|a| a.review_id == Some(review)).cloned().collect(),
        })
    }

    /// Changes whenever what the row shows changes (the list re-renders only such rows).
    pub fn view_key(&self) -> String {
        let texts = &self.texts;
        format!(
            "{}|{}|{}|{}|{}|{}|{}|{:?}",
            self.id,
            self.on_server,
            self.refused.len(),
            texts.given_name,
            texts.family_name,
            texts.date_of_birth,
            texts.nhs_number,
            self.register.as_ref().map(|r| (
                r.rating,
                r.keyworker.clone(),
                r.next_due.as_ref().map(|d| (d.rule, d.due_on)),
                r.status
            ))
        )
    }

    /// Works out the register's view of this person from their file, as the user's role may see it (a
    /// rating or due items the role may not read are marked hidden, never shown as absent).
    pub fn with_register(
        mut self,
        policy: &dsr_shared::policy::AreaPolicy,
        today: chrono::NaiveDate,
        role: Option<dsr_shared::access::Role>,
    ) -> Self {
        self.register = self
            .file
            .as_ref()
            .map(|f| dsr_shared::register::RegisterRow::seen_with(f, policy, today, readable(role, f, today)));
        if let Some(register) = &self.register {
            self.order.0.clone_from(&register.sort_name);
        }
        self
    }
}

/// What the user's role may read of this person's records: the server's own rule, for a person this
/// device holds (so one the user is assigned to, or anyone for a coordinator).
pub fn readable(
    role: Option<dsr_shared::access::Role>,
    file: &dsr_shared::due::PersonFile,
    today: chrono::NaiveDate,
) -> dsr_shared::access::KindSet {
    use dsr_shared::access::{KindSet, PersonFacts, person_access};
    match role {
        Some(role) => person_access(role, true, PersonFacts::from_consents(&file.consents, today)).read,
        None => KindSet::EMPTY,
    }
}

/// How much is waiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub waiting: usize,
    pub refused: usize,
    pub conflicts: usize,
}

/// A record of another kind as its domain type (`None` when its fields do not make one).
pub fn domain<T: for<'de> Deserialize<'de>>(record: &LocalRecord) -> Option<T> {
    dsr_shared::sync::domain_from(record.id, &record.fields)
}

/// A person's records of other kinds, waiting for the person's own record.
#[derive(Default)]
struct Extras {
    referrals: Vec<dsr_shared::referral::Referral>,
    consents: Vec<dsr_shared::consent::Consent>,
    ratings: Vec<dsr_shared::rating::RatingChange>,
    admissions: Vec<dsr_shared::admission::Admission>,
    reviews: Vec<dsr_shared::review::Review>,
    actions: Vec<dsr_shared::action::Action>,
    multi_agency_meetings: Vec<dsr_shared::multi_agency_meeting::MultiAgencyMeeting>,
    meeting_decisions: Vec<dsr_shared::meeting::MeetingDecision>,
    visit_notes: Vec<dsr_shared::visit_note::VisitNote>,
    papers: ReviewPapers,
}

impl Extras {
    /// The person's file (what the due engine reads), their visit notes and their reviews' papers.
    fn into_file(
        self,
        person: Person,
    ) -> (dsr_shared::due::PersonFile, Vec<dsr_shared::visit_note::VisitNote>, ReviewPapers) {
        let file = dsr_shared::due::PersonFile {
            person,
            referrals: self.referrals,
            consents: self.consents,
            ratings: self.ratings,
            admissions: self.admissions,
            reviews: self.reviews,
            actions: self.actions,
            multi_agency_meetings: self.multi_agency_meetings,
            meeting_decisions: self.meeting_decisions,
        };
        (file, self.visit_notes, self.papers)
    }
}

/// One person's records of other kinds, sorted into their file.
fn extras_of<'a>(records: impl IntoIterator<Item = &'a LocalRecord>) -> Extras {
    let mut extras = Extras::default();
    for record in records {
        match record.kind {
            RecordKind::Referral => extras.referrals.extend(domain(record)),
            RecordKind::Consent => extras.consents.extend(domain(record)),
            RecordKind::RatingChange => extras.ratings.extend(domain(record)),
            RecordKind::Admission => extras.admissions.extend(domain(record)),
            RecordKind::Review => extras.reviews.extend(domain(record)),
            RecordKind::Action => extras.actions.extend(domain(record)),
            RecordKind::VisitNote => extras.visit_notes.extend(domain(record)),
            RecordKind::MultiAgencyMeeting => extras.multi_agency_meetings.extend(domain(record)),
            RecordKind::MeetingDecision => extras.meeting_decisions.extend(domain(record)),
            RecordKind::Planner => extras.papers.planners.extend(domain(record)),
            RecordKind::FamilyViews => extras.papers.family_views.extend(domain(record)),
            RecordKind::KloeFinding => extras.papers.findings.extend(domain(record)),
            RecordKind::Recommendation => extras.papers.recommendations.extend(domain(record)),
            _ => {}
        }
    }
    extras
}

/// What a write changed for the pages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touched {
    /// People whose rows must be built again.
    pub people: BTreeSet<PersonId>,
    /// The area's DSR meetings changed.
    pub meetings: bool,
    /// Everything changed (a view reset): build every row again.
    pub all: bool,
}

/// The device's copy, opened, in memory: what storage holds, with each record's person indexed, so a
/// write rebuilds only the rows of the people it touched.
#[derive(Debug, Clone, Default)]
pub struct DeviceCopy {
    pub store: DeviceStore,
    person_of: BTreeMap<RecordId, PersonId>,
    records_of: BTreeMap<PersonId, BTreeSet<RecordId>>,
}

impl DeviceCopy {
    pub fn new(store: DeviceStore) -> Self {
        let mut copy = DeviceCopy { store, ..DeviceCopy::default() };
        let records: Vec<(RecordId, Option<PersonId>)> =
            copy.store.records.values().map(|r| (r.id, person_of(r))).collect();
        for (id, person) in records {
            copy.index(id, person);
        }
        copy
    }

    fn index(&mut self, id: RecordId, person: Option<PersonId>) {
        if let Some(old) = self.person_of.remove(&id)
            && let Some(set) = self.records_of.get_mut(&old)
        {
            set.remove(&id);
        }
        if let Some(person) = person {
            self.person_of.insert(id, person);
            self.records_of.entry(person).or_default().insert(id);
        }
    }

    /// Applies a committed write to the copy; says whose rows changed.
    pub fn apply(&mut self, writes: Writes) -> Touched {
        let mut touched = Touched { all: writes.clear_records, ..Touched::default() };
        let ids: BTreeSet<RecordId> = writes
            .touched()
            .into_iter()
            .chain(writes.delete_outbox.iter().filter_map(|s| self.store.outbox.get(s)).map(|e| e.mutation.record_id))
            .chain(writes.put_outbox.iter().map(|e| e.mutation.record_id))
            .collect();
        for id in &ids {
            touched.people.extend(self.person_of.get(id).copied());
            if self.store.records.get(id).is_some_and(|r| r.kind == RecordKind::DsrMeeting) {
                touched.meetings = true;
            }
        }
        let cleared = writes.clear_records;
        self.store.apply(writes);
        if cleared {
            *self = DeviceCopy::new(std::mem::take(&mut self.store));
            return touched;
        }
        for id in &ids {
            let record = self.store.records.get(id);
            let person = record.and_then(person_of);
            if record.is_some_and(|r| r.kind == RecordKind::DsrMeeting) {
                touched.meetings = true;
            }
            touched.people.extend(person);
            self.index(*id, person);
        }
        touched
    }

    /// A person's row as the pages show it (`None` when the device holds no such person).
    pub fn row(
        &self,
        person: PersonId,
        policy: &AreaPolicy,
        today: chrono::NaiveDate,
        role: Option<Role>,
    ) -> Option<PersonRow> {
        let id = RecordId::from_uuid(person.as_uuid());
        let record = self.store.records.get(&id).filter(|r| r.kind == RecordKind::Person && !r.is_deleted())?;
        let mine = self.store.outbox.values().filter(|e| e.mutation.record_id == id);
        let waiting = mine.clone().any(|e| e.refused.is_none());
        let refused = mine.filter_map(|e| e.refused.clone().map(|reasons| (e.seq, reasons))).collect();
        let found = person_from(id, &record.fields);
        let (file, visit_notes, papers) = match found.clone() {
            Some(found) => {
                let others = self
                    .records_of
                    .get(&person)
                    .into_iter()
                    .flatten()
                    .filter(|r| **r != id)
                    .filter_map(|r| self.store.records.get(r))
                    .filter(|r| !r.is_deleted());
                let (file, notes, papers) = extras_of(others).into_file(found);
                (Some(file), notes, papers)
            }
            None => (None, Vec::new(), ReviewPapers::default()),
        };
        let texts = RowTexts::of(&record.fields);
        let row = PersonRow {
            id,
            order: (format!("{} {}", texts.family_name, texts.given_name).to_lowercase(), id),
            person: found,
            on_server: record.server.is_some() && !waiting,
            refused,
            texts,
            file,
            visit_notes,
            papers,
            register: None,
        };
        Some(row.with_register(policy, today, role))
    }

    /// Every person's row, in the register's order.
    pub fn rows(&self, policy: &AreaPolicy, today: chrono::NaiveDate, role: Option<Role>) -> Vec<Arc<PersonRow>> {
        let mut rows: Vec<Arc<PersonRow>> = self
            .store
            .records
            .values()
            .filter(|r| r.kind == RecordKind::Person)
            .filter_map(|r| self.row(PersonId::from_uuid(r.id.as_uuid()), policy, today, role))
            .map(Arc::new)
            .collect();
        // Sorted as `replace_in_order` sorts (one sort in the app's code, not two).
        let order: &dyn Fn(&Arc<PersonRow>, &Arc<PersonRow>) -> std::cmp::Ordering = &|a, b| a.order.cmp(&b.order);
        rows.sort_by(order);
        rows
    }

    /// The area's DSR meetings on this device, earliest first.
    pub fn meetings(&self) -> Vec<dsr_shared::meeting::DsrMeeting> {
        let mut meetings: Vec<dsr_shared::meeting::DsrMeeting> = self
            .store
            .records
            .values()
            .filter(|r| r.kind == RecordKind::DsrMeeting && !r.is_deleted())
            .filter_map(domain)
            .collect();
        meetings.sort_by_key(|m| (m.date, m.id));
        meetings
    }

    /// How much waits to be sent, was refused, or clashed.
    pub fn counts(&self) -> Counts {
        let waiting = self.store.outbox.values().filter(|e| e.refused.is_none()).count();
        Counts { waiting, refused: self.store.outbox.len() - waiting, conflicts: self.store.conflicts.len() }
    }
}

/// The person a record is about (see [`dsr_shared::sync::person_of`]).
fn person_of(record: &LocalRecord) -> Option<PersonId> {
    dsr_shared::sync::person_of(record.kind, record.id, &record.fields)
}

/// How many changes [`PeopleRows`] keeps for lists that follow it (a list further behind reads every
/// row again).
const KEPT_CHANGES: usize = 8;

/// Everyone's row in the register's order ([`PersonRow::order`]), each also found by id, with its last
/// changes numbered: a list drawn from the rows (the register's filtered order, its counts) follows a
/// change by the changed rows alone, not by reading every row again.
#[derive(Debug, Default)]
pub struct PeopleRows {
    rows: Vec<Arc<PersonRow>>,
    /// The same rows in id order (found by a binary search; kept as `rows` are, by the same one pass).
    by_id: Vec<Arc<PersonRow>>,
    /// Counts every change, resets included.
    generation: u64,
    /// The last changes, oldest first; a reset forgets them.
    recent: std::collections::VecDeque<RowsChange>,
}

/// One change to the rows: these left and these came (a changed person's row is in both).
#[derive(Debug)]
pub struct RowsChange {
    /// The rows' generation once this change was made.
    pub generation: u64,
    pub removed: Vec<Arc<PersonRow>>,
    pub added: Vec<Arc<PersonRow>>,
}

impl std::ops::Deref for PeopleRows {
    type Target = [Arc<PersonRow>];

    fn deref(&self) -> &[Arc<PersonRow>] {
        &self.rows
    }
}

impl PeopleRows {
    /// Every row anew, in the register's order (as [`DeviceCopy::rows`] gives them); lists following
    /// the rows read them all again.
    pub fn reset(&mut self, rows: Vec<Arc<PersonRow>>) {
        debug_assert!(rows.windows(2).all(|w| w[0].order <= w[1].order), "rows come in the register's order");
        self.by_id = Vec::with_capacity(rows.len());
        replace_in_order(&mut self.by_id, &[], rows.clone(), &by_id, &Arc::ptr_eq);
        self.rows = rows;
        self.generation += 1;
        self.recent.clear();
    }

    /// Replaces the rows of `people` with `fresh` ones (none for someone no longer held): each old row
    /// found by its id, then everyone moved once (see [`replace_in_order`]).
    pub fn replace(&mut self, people: &BTreeSet<PersonId>, fresh: Vec<Arc<PersonRow>>) {
        let removed: Vec<Arc<PersonRow>> =
            people.iter().filter_map(|p| self.get(RecordId::from_uuid(p.as_uuid())).cloned()).collect();
        replace_in_order(&mut self.by_id, &removed, fresh.clone(), &by_id, &Arc::ptr_eq);
        replace_in_order(&mut self.rows, &removed, fresh.clone(), &|a, b| a.order.cmp(&b.order), &Arc::ptr_eq);
        self.generation += 1;
        self.recent.push_back(RowsChange { generation: self.generation, removed, added: fresh });
        if self.recent.len() > KEPT_CHANGES {
            self.recent.pop_front();
        }
    }

    /// The rows' generation: a list drawn from them at this generation follows the changes after it.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The changes after `generation`, oldest first; `None` when some are no longer kept (a reset since,
    /// or too many): read every row again.
    pub fn changes_since(&self, generation: u64) -> Option<Vec<&RowsChange>> {
        if generation == self.generation {
            return Some(Vec::new());
        }
        let first = self.recent.front()?;
        (first.generation <= generation + 1 && generation < self.generation)
            .then(|| self.recent.iter().filter(|c| c.generation > generation).collect())
    }

    /// A person's row by their record's id.
    pub fn get(&self, id: RecordId) -> Option<&Arc<PersonRow>> {
        self.by_id.binary_search_by(|r| r.id.cmp(&id)).ok().map(|at| &self.by_id[at])
    }
}

/// Rows in id order.
fn by_id(a: &Arc<PersonRow>, b: &Arc<PersonRow>) -> std::cmp::Ordering {
    a.id.cmp(&b.id)
}

/// The rows the register shows under a filter, in order, as of a generation of everyone's rows: rows
/// whose fields do not make a person (a refused change to fix) first in name order, then those the
/// filter shows in its order, people equal there in name order, then by id (as everyone's rows are
/// kept). Follows each change to everyone's rows by the changed rows alone: a pulled page among
/// 100,000 costs a binary search per changed row, not a sort of everyone.
#[derive(Debug)]
pub struct ShownRows {
    generation: u64,
    filter: dsr_shared::register::RegisterFilter,
    rows: Vec<Arc<PersonRow>>,
}

impl std::ops::Deref for ShownRows {
    type Target = [Arc<PersonRow>];

    fn deref(&self) -> &[Arc<PersonRow>] {
        &self.rows
    }
}

impl ShownRows {
    /// Read from every row.
    pub fn of(people: &PeopleRows, filter: dsr_shared::register::RegisterFilter) -> ShownRows {
        use dsr_shared::register::RegisterRow;
        let (with_row, without): (Vec<&Arc<PersonRow>>, Vec<&Arc<PersonRow>>) =
            people.iter().partition(|p| p.register.is_some());
        let rows: Vec<&RegisterRow> = with_row.iter().filter_map(|p| p.register.as_ref()).collect();
        let order = filter.apply(&rows);
        let rows = without.into_iter().chain(order.into_iter().map(|i| with_row[i])).cloned().collect();
        ShownRows { generation: people.generation(), filter, rows }
    }

    /// The rows shown now: these, with the changes to `people` since, under the same filter; read from
    /// every row again when the filter changed or some changes are no longer kept.
    pub fn follow(mut self, people: &PeopleRows, filter: dsr_shared::register::RegisterFilter) -> ShownRows {
        if self.filter != filter {
            return ShownRows::of(people, filter);
        }
        let Some(changes) = people.changes_since(self.generation) else {
            return ShownRows::of(people, filter);
        };
        for change in changes {
            let shown = |rows: &[Arc<PersonRow>]| rows.iter().filter(|r| self.shows(r)).cloned().collect();
            let (gone, new): (Vec<_>, Vec<_>) = (shown(&change.removed), shown(&change.added));
            let filter = &self.filter;
            replace_in_order(&mut self.rows, &gone, new, &|a, b| shown_order(filter, a, b), &Arc::ptr_eq);
        }
        self.generation = people.generation();
        self
    }

    /// Whether the filter shows a row (a row whose fields make no person always).
    fn shows(&self, row: &PersonRow) -> bool {
        row.register.as_ref().is_none_or(|r| self.filter.matches(r))
    }
}

/// The register's counts per rating and its keyworkers, as of a generation of everyone's rows, kept
/// as rows change (see [`ShownRows`]).
#[derive(Debug, Clone, PartialEq)]
pub struct RegisterTally {
    generation: u64,
    pub counts: dsr_shared::register::RatingCounts,
    pub keyworkers: dsr_shared::register::KeyworkerTally,
}

impl RegisterTally {
    /// Counted from every row.
    pub fn of(people: &PeopleRows) -> RegisterTally {
        let mut tally = RegisterTally {
            generation: people.generation(),
            counts: Default::default(),
            keyworkers: Default::default(),
        };
        people.iter().filter_map(|p| p.register.as_ref()).for_each(|r| tally.add(r));
        tally
    }

    /// As now: these counts with the changes since; counted again when some are no longer kept.
    pub fn follow(mut self, people: &PeopleRows) -> RegisterTally {
        let Some(changes) = people.changes_since(self.generation) else {
            return RegisterTally::of(people);
        };
        for change in changes {
            change.removed.iter().filter_map(|r| r.register.as_ref()).for_each(|r| {
                self.counts.remove(r);
                self.keyworkers.remove(r);
            });
            change.added.iter().filter_map(|r| r.register.as_ref()).for_each(|r| self.add(r));
        }
        self.generation = people.generation();
        self
    }

    fn add(&mut self, row: &dsr_shared::register::RegisterRow) {
        self.counts.add(row);
        self.keyworkers.add(row);
    }
}

/// The order [`ShownRows::of`] puts rows in (see [`ShownRows`]).
fn shown_order(filter: &dsr_shared::register::RegisterFilter, a: &PersonRow, b: &PersonRow) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (&a.register, &b.register) {
        (None, None) => a.order.cmp(&b.order),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (Some(x), Some(y)) => filter.compare(x, y).then(a.id.cmp(&b.id)),
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests;
