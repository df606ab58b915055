//! Need-to-know: who may see and change which records. Only a small group of named staff see the
//! register; everyone else sees only the people they are assigned to, and of those only the kinds of
//! record their part in the process needs (handbook: domain, "Who uses the product" and "Information
//! governance"; issue 5).
//!
//! - A **coordinator** administers an area: its users, its policy and the whole register, and runs its
//!   DSR meetings.
//! - A **DSR panel member** (the senior professionals who meet to go through the register: a different
//!   panel from a C(E)TR's) sees the register's people as the agenda needs them (never visit notes, the
//!   planner, the family's views or a review's findings), the area's meetings, and records the meeting's
//!   decisions: a decision, the rating it gives, a referral's triage, an amendment to final minutes.
//! - A **keyworker** sees their caseload; an **advocate** the people they support (planner and views);
//!   a **panel member** the people whose reviews they sit on, the papers only once consent (or a
//!   best-interests decision) for a review is recorded; a **referring professional** only what they
//!   submitted; a **family member or young person** their own child's consent, planner, views, review
//!   report and action plan.
//! - When register consent is withdrawn, everyone but the coordinators and the family loses access
//!   (withdrawal starts removal from the register).
//!
//! - A review's outcome (the panel's findings, recommendations and actions) is the panel's draft until
//!   the report is shared: a family's devices are not sent it before ([`outcome_withheld`]), not only
//!   not shown it.
//!
//! The server decides every read and write with [`person_access`]; what a device may hold is a
//! [`View`], and [`View::people_changed_from`] with [`View::holds`] says what a device must delete or
//! fetch when access changes.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::consent::{Consent, ConsentScope, register_consent_withdrawn};
use crate::review::Review;
use crate::sync::{Record, RecordKind};
use crate::{PersonId, ReviewId};

/// A user's role in an area. Each user has exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Coordinator,
    Keyworker,
    Advocate,
    PanelMember,
    Referrer,
    Family,
    DsrPanel,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Coordinator,
        Role::Keyworker,
        Role::Advocate,
        Role::PanelMember,
        Role::Referrer,
        Role::Family,
        Role::DsrPanel,
    ];

    /// Its name in JSON and in the database.
    pub fn name(self) -> &'static str {
        match self {
            Role::Coordinator => "coordinator",
            Role::Keyworker => "keyworker",
            Role::Advocate => "advocate",
            Role::PanelMember => "panel_member",
            Role::Referrer => "referrer",
            Role::Family => "family",
            Role::DsrPanel => "dsr_panel",
        }
    }

    pub fn from_name(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == name)
    }

    /// As people say it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Coordinator => "DSR coordinator",
            Role::Keyworker => "Keyworker",
            Role::Advocate => "Advocate",
            Role::PanelMember => "Panel member",
            Role::Referrer => "Referring professional",
            Role::Family => "Family member or young person",
            Role::DsrPanel => "DSR panel member",
        }
    }

    /// Staff accounts get a password from the coordinator's form; families are invited with a one-time
    /// code and set their own.
    pub fn is_staff(self) -> bool {
        self != Role::Family
    }

    /// Whether this role sees every person in the area and all of their records (otherwise only those
    /// assigned to the user, or for a DSR panel member, part of everyone's: [`Role::reads_whole_area`]).
    pub fn sees_whole_register(self) -> bool {
        self == Role::Coordinator
    }

    /// Whether this role reads about everyone in the area (a coordinator all of it; a DSR panel member
    /// what the agenda needs) rather than the people assigned to the user: nobody is assigned to them.
    pub fn reads_whole_area(self) -> bool {
        matches!(self, Role::Coordinator | Role::DsrPanel)
    }

    /// May open DSR meetings' agendas and record their decisions.
    pub fn attends_dsr_meetings(self) -> bool {
        matches!(self, Role::Coordinator | Role::DsrPanel)
    }

    /// May put a new person on the system (a coordinator, or a professional making a referral, who is
    /// then assigned to the person so they see what they submitted).
    pub fn may_create_person(self) -> bool {
        matches!(self, Role::Coordinator | Role::Referrer)
    }

    /// May delete (tombstone) a record they may write. Only coordinators delete: everyone else corrects.
    pub fn may_delete(self) -> bool {
        self == Role::Coordinator
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of record kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KindSet(u32);

impl KindSet {
    pub const EMPTY: KindSet = KindSet(0);

    pub fn all() -> KindSet {
        Self::of(&RecordKind::ALL)
    }

    pub fn of(kinds: &[RecordKind]) -> KindSet {
        KindSet(kinds.iter().fold(0, |bits, k| bits | Self::bit(*k)))
    }

    fn bit(kind: RecordKind) -> u32 {
        let index = RecordKind::ALL.iter().position(|k| *k == kind).unwrap_or(0);
        1 << index
    }

    pub fn contains(self, kind: RecordKind) -> bool {
        self.0 & Self::bit(kind) != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: KindSet) -> KindSet {
        KindSet(self.0 | other.0)
    }

    /// The kinds in `self` and not in `other`.
    pub fn without(self, other: KindSet) -> KindSet {
        KindSet(self.0 & !other.0)
    }
}

/// What a user may do with one person's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PersonAccess {
    pub read: KindSet,
    pub write: KindSet,
}

impl PersonAccess {
    pub const NONE: PersonAccess = PersonAccess { read: KindSet::EMPTY, write: KindSet::EMPTY };
}

/// What the server knows about a person that changes who may see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PersonFacts {
    /// Register consent was given and none is in force now: the person is leaving the register.
    pub register_consent_withdrawn: bool,
    /// Consent (or a best-interests decision) for one of their reviews is in force: its panel may open
    /// the papers.
    pub review_papers_open: bool,
}

impl PersonFacts {
    /// From the person's consent records, on `day`.
    pub fn from_consents(consents: &[Consent], day: NaiveDate) -> PersonFacts {
        PersonFacts {
            register_consent_withdrawn: register_consent_withdrawn(consents, day).is_some(),
            review_papers_open: consents.iter().any(|c| c.scope == ConsentScope::Review && c.in_force(day)),
        }
    }
}

use RecordKind as K;

/// The papers a panel member reads once consent for the review is recorded.
const PANEL_PAPERS: [RecordKind; 7] =
    [K::Person, K::Consent, K::RatingChange, K::RiskAssessment, K::Admission, K::Planner, K::FamilyViews];

/// What a DSR panel member reads of each person: what the agenda is built from (the person, referrals,
/// consent, ratings, the risk checklist, admissions, reviews with their recommendations and actions,
/// multi-agency meetings) and the meetings' decisions; never visit notes, the planner, the family's
/// views or a review's findings.
pub const DSR_PANEL_READS: [RecordKind; 11] = [
    K::Person,
    K::Referral,
    K::Consent,
    K::RatingChange,
    K::RiskAssessment,
    K::Admission,
    K::Review,
    K::Recommendation,
    K::Action,
    K::MultiAgencyMeeting,
    K::MeetingDecision,
];

/// The need-to-know rule: what a user with `role` may read and write of one person's records, given
/// whether they are assigned to the person and what is known about the person.
pub fn person_access(role: Role, assigned: bool, facts: PersonFacts) -> PersonAccess {
    if role == Role::Coordinator {
        return PersonAccess { read: KindSet::all(), write: KindSet::all() };
    }
    if !assigned || (facts.register_consent_withdrawn && role != Role::Family) {
        return PersonAccess::NONE;
    }
    let (read, write): (KindSet, KindSet) = match role {
        Role::Coordinator => (KindSet::all(), KindSet::all()),
        Role::Keyworker => (
            KindSet::of(&[
                K::Person,
                K::Referral,
                K::Consent,
                K::RatingChange,
                K::RiskAssessment,
                K::Admission,
                K::VisitNote,
                K::Review,
                K::Planner,
                K::FamilyViews,
                K::KloeFinding,
                K::Recommendation,
                K::Action,
                K::MultiAgencyMeeting,
                // What the DSR meeting decided about their person (the follow-up is theirs too).
                K::MeetingDecision,
            ]),
            KindSet::of(&[
                K::Person,
                K::Consent,
                K::RatingChange,
                K::RiskAssessment,
                K::VisitNote,
                K::Planner,
                K::FamilyViews,
                K::Action,
                K::MultiAgencyMeeting,
            ]),
        ),
        Role::Advocate => (
            KindSet::of(&[K::Person, K::Consent, K::Review, K::Planner, K::FamilyViews, K::Recommendation, K::Action]),
            // Actions: the advocate records the family's disagreement with one.
            KindSet::of(&[K::Planner, K::FamilyViews, K::Action]),
        ),
        Role::PanelMember => {
            let always = KindSet::of(&[K::Review, K::KloeFinding, K::Recommendation, K::Action]);
            let papers = if facts.review_papers_open { KindSet::of(&PANEL_PAPERS) } else { KindSet::EMPTY };
            // The review: the panel records on the day who came, that feedback was given, that it was held.
            (always.union(papers), KindSet::of(&[K::Review, K::KloeFinding, K::Recommendation, K::Action]))
        }
        Role::Referrer => (KindSet::of(&[K::Person, K::Referral, K::Consent]), KindSet::of(&[K::Referral, K::Consent])),
        Role::Family => (
            KindSet::of(&[
                K::Person,
                K::Consent,
                K::Review,
                K::Planner,
                K::FamilyViews,
                K::KloeFinding,
                K::Recommendation,
                K::Action,
            ]),
            KindSet::of(&[K::Consent, K::Planner, K::FamilyViews]),
        ),
        // The meeting's decision and what follows from it: the rating it gives, a referral's triage, the
        // meeting's actions (only those: see `writes_only_meeting_actions`), the C(E)TR it asks for and
        // the keyworker referral it makes.
        Role::DsrPanel => (
            KindSet::of(&DSR_PANEL_READS),
            KindSet::of(&[K::MeetingDecision, K::RatingChange, K::Referral, K::Action, K::Review, K::Person]),
        ),
    };
    PersonAccess { read, write }
}

/// Which fields of an existing record a role may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldsWritable {
    Any,
    Only(&'static [&'static str]),
}

/// Least privilege per field: of a kind a role may write (by [`person_access`]), whether it may make
/// new records of it, and which fields of existing ones it may change. Each role's part in the process:
/// an advocate records the family's disagreement with an action, not the action; the panel records the
/// day (who came, feedback given, held), not the arrangements; a family or referrer may withdraw a
/// consent, never change who gave or recorded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteRule {
    pub create: bool,
    pub update: FieldsWritable,
}

impl WriteRule {
    const ANY: WriteRule = WriteRule { create: true, update: FieldsWritable::Any };

    /// Whether `field` of an existing record may be changed.
    pub fn may_change(&self, field: &str) -> bool {
        match self.update {
            FieldsWritable::Any => true,
            FieldsWritable::Only(fields) => fields.contains(&field),
        }
    }
}

/// The panel's part of a review: the day itself.
pub const PANEL_REVIEW_FIELDS: &[&str] = &["attendees", "verbal_feedback_given", "status"];
/// An advocate's part of an action: the family's disagreement.
pub const ADVOCATE_ACTION_FIELDS: &[&str] = &["family_disagreement"];
/// What a family or referrer may change of a consent: withdrawing it.
pub const CONSENT_WITHDRAWAL_FIELDS: &[&str] =
    &["withdrawn_on", "withdrawal_asked_by", "withdrawal_reason", "withdrawal_requested_on"];
/// A DSR panel member's part of a referral: the meeting's triage.
pub const DSR_PANEL_REFERRAL_FIELDS: &[&str] = &["triage"];
/// A DSR panel member's part of a meeting: an amendment to final minutes (the arrangements are the
/// coordinator's).
pub const DSR_PANEL_MEETING_FIELDS: &[&str] = &["amendments"];
/// A DSR panel member's part of a person's record: that the meeting made a keyworker referral.
pub const DSR_PANEL_PERSON_FIELDS: &[&str] = &["keyworker_referral_offered"];

/// The rule for `role` writing `kind` (meaningful where [`person_access`] lets the role write the kind).
pub fn write_rule(role: Role, kind: RecordKind) -> WriteRule {
    match (role, kind) {
        (Role::Advocate, K::Action) => {
            WriteRule { create: false, update: FieldsWritable::Only(ADVOCATE_ACTION_FIELDS) }
        }
        (Role::PanelMember, K::Review) => {
            WriteRule { create: false, update: FieldsWritable::Only(PANEL_REVIEW_FIELDS) }
        }
        (Role::Family | Role::Referrer, K::Consent) => {
            WriteRule { create: true, update: FieldsWritable::Only(CONSENT_WITHDRAWAL_FIELDS) }
        }
        (Role::DsrPanel, K::Referral) => {
            WriteRule { create: false, update: FieldsWritable::Only(DSR_PANEL_REFERRAL_FIELDS) }
        }
        // A rating once recorded is history: a new one is added, none is changed.
        (Role::DsrPanel, K::RatingChange) => WriteRule { create: true, update: FieldsWritable::Only(&[]) },
        (Role::DsrPanel, K::DsrMeeting) => {
            WriteRule { create: false, update: FieldsWritable::Only(DSR_PANEL_MEETING_FIELDS) }
        }
        (Role::DsrPanel, K::Person) => {
            WriteRule { create: false, update: FieldsWritable::Only(DSR_PANEL_PERSON_FIELDS) }
        }
        // The C(E)TR the meeting asks for, as a request; arranging it is the coordinator's.
        (Role::DsrPanel, K::Review) => WriteRule { create: true, update: FieldsWritable::Only(&[]) },
        _ => WriteRule::ANY,
    }
}

/// Records about no one person (DSR meetings): the coordinators' business; the DSR panel reads the
/// meetings and amends final minutes ([`write_rule`]). Nobody else sees them.
pub fn area_access(role: Role) -> PersonAccess {
    match role {
        Role::Coordinator => PersonAccess { read: KindSet::all(), write: KindSet::all() },
        Role::DsrPanel => PersonAccess { read: KindSet::of(&[K::DsrMeeting]), write: KindSet::of(&[K::DsrMeeting]) },
        _ => PersonAccess::NONE,
    }
}

/// Whether `role` writes only the actions a DSR meeting agreed, never a review's action plan.
pub fn writes_only_meeting_actions(role: Role) -> bool {
    role == Role::DsrPanel
}

/// The kind whose readers may read a record of `kind` with `fields`: its own, except that an action a
/// DSR meeting agreed (it names the meeting) is read as the meeting's decision is: families, advocates
/// and C(E)TR panels, who read a review's actions, never see a meeting's.
pub fn read_as(kind: RecordKind, fields: &crate::sync::Fields) -> RecordKind {
    let from_meeting = fields.get("meeting_id").is_some_and(|v| !v.is_null());
    if kind == K::Action && from_meeting { K::MeetingDecision } else { kind }
}

/// The kinds that make up a review's outcome: what the panel found, recommended and asked to be done.
pub const REVIEW_OUTCOME: [RecordKind; 3] = [K::KloeFinding, K::Recommendation, K::Action];

/// Whether a review's outcome is withheld from `role`: from a family until the report is shared with
/// them (before that the findings and recommendations are the panel's draft).
pub fn outcome_withheld(role: Role, review: &Review) -> bool {
    role == Role::Family && review.report_shared.is_empty()
}

/// What a device may hold of one person: the kinds, less the outcome of the `withheld` reviews.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(from = "HeldStored")]
pub struct Held {
    pub kinds: KindSet,
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub withheld: BTreeSet<ReviewId>,
}

impl Held {
    pub fn kinds(kinds: KindSet) -> Held {
        Held { kinds, withheld: BTreeSet::new() }
    }

    /// Whether a record of `kind` (of review `review`, for an outcome kind) is held.
    pub fn holds(&self, kind: RecordKind, review: Option<ReviewId>) -> bool {
        self.kinds.contains(kind)
            && !(REVIEW_OUTCOME.contains(&kind) && review.is_some_and(|r| self.withheld.contains(&r)))
    }
}

/// A device's view as stored: before outcomes were withheld, only the kinds.
#[derive(Deserialize)]
#[serde(untagged)]
enum HeldStored {
    Kinds(KindSet),
    Held {
        kinds: KindSet,
        #[serde(default)]
        withheld: BTreeSet<ReviewId>,
    },
}

impl From<HeldStored> for Held {
    fn from(stored: HeldStored) -> Held {
        match stored {
            HeldStored::Kinds(kinds) => Held::kinds(kinds),
            HeldStored::Held { kinds, withheld } => Held { kinds, withheld },
        }
    }
}

/// What one device may hold: the whole area, or per person what it may read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    WholeArea,
    People(BTreeMap<PersonId, Held>),
    /// Everyone in the area but `except` (their register consent is withdrawn), each with their records
    /// of `kinds`, and the area's own records (its meetings) of `area`: a DSR panel member's.
    Register {
        kinds: KindSet,
        area: KindSet,
        #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
        except: BTreeSet<PersonId>,
    },
}

impl Default for View {
    fn default() -> Self {
        View::People(BTreeMap::new())
    }
}

impl View {
    /// The kinds of a person's records this view holds.
    pub fn kinds_for(&self, person: Option<PersonId>) -> KindSet {
        match (self, person) {
            (View::WholeArea, _) => KindSet::all(),
            (View::People(_), None) => KindSet::EMPTY,
            (View::People(people), Some(person)) => people.get(&person).map(|h| h.kinds).unwrap_or_default(),
            (View::Register { area, .. }, None) => *area,
            (View::Register { kinds, except, .. }, Some(person)) => {
                if except.contains(&person) {
                    KindSet::EMPTY
                } else {
                    *kinds
                }
            }
        }
    }

    /// Whether this view reaches everyone in the area (rather than only the people it names).
    pub fn is_area_wide(&self) -> bool {
        matches!(self, View::WholeArea | View::Register { .. })
    }

    /// Whether this view holds a record of `kind` about `person` (of review `review`, for an outcome).
    pub fn holds(&self, person: Option<PersonId>, kind: RecordKind, review: Option<ReviewId>) -> bool {
        match (self, person) {
            (View::WholeArea, _) => true,
            (View::People(_), None) => false,
            (View::People(people), Some(person)) => people.get(&person).is_some_and(|h| h.holds(kind, review)),
            (View::Register { .. }, _) => self.kinds_for(person).contains(kind),
        }
    }

    /// Whether this view holds `record`. An action a DSR meeting agreed is the meeting's: held only where
    /// the meeting's decisions are ([`read_as`]).
    pub fn holds_record(&self, record: &Record) -> bool {
        self.holds(record.person_id(), read_as(record.kind, &record.fields), record.review_id())
    }

    /// The people of whom `self` holds something other than `old` did: for each of their records, a
    /// device deletes what `old` held and `self` does not, and is sent what `self` holds and `old` did
    /// not. A device that held the whole area and now holds less cannot be told person by person: it
    /// starts again (see [`View::needs_reset_from`]).
    pub fn people_changed_from(&self, old: &View) -> BTreeSet<PersonId> {
        match (self, old) {
            (View::People(new), View::People(old)) => {
                new.keys().chain(old.keys()).filter(|p| new.get(p) != old.get(p)).copied().collect()
            }
            // The same kinds for everyone: only those whose consent was withdrawn or given again.
            (View::Register { except: new, .. }, View::Register { except: old, .. }) => {
                new.symmetric_difference(old).copied().collect()
            }
            _ => BTreeSet::new(),
        }
    }

    /// True when going from `old` to `self` cannot be done by removing and fetching some people's
    /// records: between views of different shapes (the whole area, some people, the register's part),
    /// or between register views of different kinds.
    pub fn needs_reset_from(&self, old: &View) -> bool {
        match (old, self) {
            (View::WholeArea, View::WholeArea) | (View::People(_), View::People(_)) => false,
            (View::Register { kinds: k1, area: a1, .. }, View::Register { kinds: k2, area: a2, .. }) => {
                k1 != k2 || a1 != a2
            }
            _ => true,
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::consent::GivenBy;
    use crate::test_support::{day, short};
    use crate::{ConsentId, ReviewId};
    use proptest::prelude::*;

    const OPEN: PersonFacts = PersonFacts { register_consent_withdrawn: false, review_papers_open: true };
    const CLOSED: PersonFacts = PersonFacts { register_consent_withdrawn: false, review_papers_open: false };
    const WITHDRAWN: PersonFacts = PersonFacts { register_consent_withdrawn: true, review_papers_open: true };

    #[test]
    fn coordinators_see_and_change_everything_in_their_area() {
        for facts in [OPEN, CLOSED, WITHDRAWN] {
            for assigned in [true, false] {
                let access = person_access(Role::Coordinator, assigned, facts);
                assert_eq!(access.read, KindSet::all());
                assert_eq!(access.write, KindSet::all());
            }
        }
        assert_eq!(area_access(Role::Coordinator).read, KindSet::all());
    }

    #[test]
    fn nobody_else_sees_a_person_they_are_not_assigned_to_nor_meetings() {
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Coordinator) {
            assert_eq!(person_access(role, false, OPEN), PersonAccess::NONE, "{role}");
            if role != Role::DsrPanel {
                assert_eq!(area_access(role), PersonAccess::NONE, "{role}");
                assert!(!person_access(role, true, OPEN).read.contains(K::MeetingDecision) || role == Role::Keyworker);
            }
        }
        // Families and advocates never see a meeting nor what it decided.
        for role in [Role::Family, Role::Advocate] {
            assert!(!person_access(role, true, OPEN).read.contains(K::MeetingDecision), "{role}");
            assert!(!area_access(role).read.contains(K::DsrMeeting), "{role}");
        }
    }

    #[test]
    fn the_dsr_panel_reads_what_the_agenda_needs_of_everyone_and_records_decisions() {
        let panel = person_access(Role::DsrPanel, true, CLOSED);
        for kind in DSR_PANEL_READS {
            assert!(panel.read.contains(kind), "{kind}");
        }
        for kind in [K::VisitNote, K::Planner, K::FamilyViews, K::KloeFinding] {
            assert!(!panel.read.contains(kind), "{kind} is not the panel's business");
        }
        assert_eq!(
            panel.write,
            KindSet::of(&[K::MeetingDecision, K::RatingChange, K::Referral, K::Action, K::Review, K::Person])
        );
        let person = write_rule(Role::DsrPanel, K::Person);
        assert!(!person.create && person.may_change("keyworker_referral_offered") && !person.may_change("given_name"));
        let review = write_rule(Role::DsrPanel, K::Review);
        assert!(review.create && !review.may_change("meeting_on") && !review.may_change("status"));
        assert!(writes_only_meeting_actions(Role::DsrPanel) && !writes_only_meeting_actions(Role::Keyworker));
        assert_eq!(person_access(Role::DsrPanel, true, WITHDRAWN), PersonAccess::NONE, "withdrawn consent");
        assert!(area_access(Role::DsrPanel).read.contains(K::DsrMeeting));
        // A meeting: the panel reads it and amends final minutes; only a coordinator arranges one.
        let meeting = write_rule(Role::DsrPanel, K::DsrMeeting);
        assert!(!meeting.create && meeting.may_change("amendments"));
        for field in ["date", "time", "place", "chair", "attendees", "status", "order", "added"] {
            assert!(!meeting.may_change(field), "{field}");
        }
        assert!(write_rule(Role::DsrPanel, K::Referral).may_change("triage"));
        assert!(!write_rule(Role::DsrPanel, K::Referral).may_change("referrer"));
        assert!(write_rule(Role::DsrPanel, K::RatingChange).create);
        assert!(!write_rule(Role::DsrPanel, K::RatingChange).may_change("to"), "a rating given stays in the history");
        assert!(Role::DsrPanel.reads_whole_area() && !Role::DsrPanel.sees_whole_register());
        assert_eq!(Role::from_name("dsr_panel"), Some(Role::DsrPanel));
    }

    #[test]
    fn a_meetings_action_is_held_only_where_its_decisions_are() {
        let person = PersonId::from_time_and_random(1, [1; 10]);
        let fields = |meeting: serde_json::Value| -> crate::sync::Fields {
            [("person_id".to_string(), serde_json::json!(person)), ("meeting_id".to_string(), meeting)].into()
        };
        let record = |meeting| Record {
            id: crate::RecordId::from_time_and_random(2, [2; 10]),
            kind: K::Action,
            version: 1,
            fields: fields(meeting),
            deleted: false,
        };
        let of_meeting = record(serde_json::json!(crate::DsrMeetingId::from_time_and_random(3, [3; 10])));
        let of_review = record(serde_json::Value::Null);
        for role in Role::ALL {
            let read = person_access(role, true, OPEN).read;
            let view = View::People([(person, Held::kinds(read))].into());
            assert_eq!(view.holds_record(&of_review), read.contains(K::Action), "{role}");
            assert_eq!(view.holds_record(&of_meeting), read.contains(K::MeetingDecision), "{role}");
        }
        for role in [Role::Family, Role::Advocate, Role::PanelMember] {
            let view = View::People([(person, Held::kinds(person_access(role, true, OPEN).read))].into());
            assert!(!view.holds_record(&of_meeting), "{role} never sees a meeting's action");
        }
    }

    #[test]
    fn a_register_view_holds_its_kinds_of_everyone_but_those_who_withdrew() {
        let (p1, p2) = (PersonId::from_time_and_random(1, [1; 10]), PersonId::from_time_and_random(2, [2; 10]));
        let kinds = KindSet::of(&DSR_PANEL_READS);
        let area = KindSet::of(&[K::DsrMeeting]);
        let view = View::Register { kinds, area, except: BTreeSet::new() };
        assert!(view.holds(Some(p1), K::RatingChange, None) && view.holds(Some(p2), K::MeetingDecision, None));
        assert!(!view.holds(Some(p1), K::VisitNote, None));
        assert!(view.holds(None, K::DsrMeeting, None) && view.is_area_wide());
        let withdrew = View::Register { kinds, area, except: [p2].into() };
        assert!(!withdrew.holds(Some(p2), K::Person, None) && withdrew.holds(Some(p1), K::Person, None));
        assert_eq!(withdrew.people_changed_from(&view), [p2].into());
        assert!(!withdrew.needs_reset_from(&view));
        let fewer = View::Register { kinds: KindSet::of(&[K::Person]), area, except: BTreeSet::new() };
        assert!(fewer.needs_reset_from(&view), "other kinds for everyone: start again");
        assert!(view.needs_reset_from(&View::WholeArea) && View::WholeArea.needs_reset_from(&view));
        assert!(view.needs_reset_from(&View::default()));
        // Stored and read back.
        let stored = serde_json::to_string(&withdrew).unwrap_or_default();
        assert_eq!(serde_json::from_str::<View>(&stored).ok(), Some(withdrew));
    }

    #[test]
    fn families_see_the_report_and_plan_but_not_visit_notes_or_risk_scores() {
        let family = person_access(Role::Family, true, CLOSED);
        for kind in [K::Person, K::Consent, K::Review, K::Planner, K::FamilyViews, K::Recommendation, K::Action] {
            assert!(family.read.contains(kind), "{kind}");
        }
        for kind in [K::VisitNote, K::RiskAssessment, K::RatingChange, K::Referral, K::DsrMeeting] {
            assert!(!family.read.contains(kind), "{kind}");
        }
        assert!(family.write.contains(K::Planner) && family.write.contains(K::Consent));
        assert!(!family.write.contains(K::Person));
    }

    #[test]
    fn panel_members_open_the_papers_only_once_consent_is_recorded() {
        let before = person_access(Role::PanelMember, true, CLOSED);
        assert!(before.read.contains(K::Review) && before.read.contains(K::KloeFinding));
        for kind in PANEL_PAPERS {
            assert!(!before.read.contains(kind), "{kind} before consent");
        }
        let after = person_access(Role::PanelMember, true, OPEN);
        for kind in PANEL_PAPERS {
            assert!(after.read.contains(kind), "{kind} after consent");
        }
        assert!(!after.read.contains(K::VisitNote));
    }

    #[test]
    fn withdrawn_consent_ends_access_for_all_but_coordinators_and_the_family() {
        for role in [Role::Keyworker, Role::Advocate, Role::PanelMember, Role::Referrer, Role::DsrPanel] {
            assert_eq!(person_access(role, true, WITHDRAWN), PersonAccess::NONE, "{role}");
        }
        assert!(person_access(Role::Family, true, WITHDRAWN).read.contains(K::Consent));
    }

    /// The field-level matrix: for every role and every kind it may write, what it may create and change.
    #[test]
    fn each_role_writes_only_its_own_part_of_a_record() {
        let expected = |role: Role, kind: RecordKind| -> (bool, Option<&'static [&'static str]>) {
            match (role, kind) {
                (Role::Advocate, K::Action) => (false, Some(&["family_disagreement"])),
                (Role::PanelMember, K::Review) => (false, Some(&["attendees", "verbal_feedback_given", "status"])),
                (Role::Family | Role::Referrer, K::Consent) => (
                    true,
                    Some(&["withdrawn_on", "withdrawal_asked_by", "withdrawal_reason", "withdrawal_requested_on"]),
                ),
                (Role::DsrPanel, K::Referral) => (false, Some(&["triage"])),
                (Role::DsrPanel, K::RatingChange | K::Review) => (true, Some(&[])),
                (Role::DsrPanel, K::Person) => (false, Some(&["keyworker_referral_offered"])),
                _ => (true, None),
            }
        };
        for role in Role::ALL {
            let writes = person_access(role, true, OPEN).write;
            for kind in RecordKind::ALL.into_iter().filter(|k| writes.contains(*k)) {
                let rule = write_rule(role, kind);
                let (create, only) = expected(role, kind);
                assert_eq!(rule.create, create, "{role} creating {kind}");
                match only {
                    None => assert_eq!(rule.update, FieldsWritable::Any, "{role} changing {kind}"),
                    Some(fields) => {
                        assert_eq!(rule.update, FieldsWritable::Only(fields), "{role} changing {kind}");
                        for field in
                            ["description", "owner", "due_on", "meeting_on", "panel", "recorded_by", "given_by"]
                        {
                            assert!(!rule.may_change(field), "{role} may not change {kind}.{field}");
                        }
                    }
                }
            }
        }
        assert!(write_rule(Role::Advocate, K::Action).may_change("family_disagreement"));
        assert!(write_rule(Role::Family, K::Consent).may_change("withdrawn_on"));
    }

    #[test]
    fn referrers_see_only_what_they_submitted() {
        let referrer = person_access(Role::Referrer, true, OPEN);
        assert_eq!(referrer.read, KindSet::of(&[K::Person, K::Referral, K::Consent]));
        assert!(Role::Referrer.may_create_person() && !Role::Keyworker.may_create_person());
    }

    #[test]
    fn what_a_role_may_write_it_may_read() {
        for role in Role::ALL {
            for facts in [OPEN, CLOSED] {
                let access = person_access(role, true, facts);
                assert_eq!(access.write.without(access.read), KindSet::EMPTY, "{role}");
            }
        }
    }

    #[test]
    fn facts_come_from_the_consent_records() {
        let person = PersonId::from_time_and_random(1, [1; 10]);
        let consent = |scope, review_id, withdrawn_on| Consent {
            id: ConsentId::from_time_and_random(1, [2; 10]),
            person_id: person,
            scope,
            review_id,
            given_by: GivenBy::ThePerson { gillick_competent: false },
            given_on: day(2026, 1, 5),
            withdrawn_on,
            withdrawal_asked_by: None,
            withdrawal_reason: None,
            withdrawal_requested_on: None,
            recorded_by: short("Jo Coordinator"),
        };
        let review = Some(ReviewId::from_time_and_random(1, [3; 10]));
        let today = day(2026, 11, 25);
        assert_eq!(PersonFacts::from_consents(&[], today), CLOSED);
        let on_register = consent(ConsentScope::Register, None, None);
        let for_review = consent(ConsentScope::Review, review, None);
        assert_eq!(PersonFacts::from_consents(&[on_register.clone(), for_review.clone()], today), OPEN);
        let withdrawn = consent(ConsentScope::Register, None, Some(day(2026, 11, 1)));
        assert!(PersonFacts::from_consents(&[withdrawn, for_review], today).register_consent_withdrawn);
    }

    fn view(entries: &[(u8, &[RecordKind])]) -> View {
        View::People(
            entries
                .iter()
                .map(|(n, kinds)| (PersonId::from_time_and_random(1, [*n; 10]), Held::kinds(KindSet::of(kinds))))
                .collect(),
        )
    }

    fn review_of(status_shared: bool) -> Review {
        use crate::review::{ReviewKind, ReviewStatus};
        let mut review =
            crate::review::tests::review(ReviewKind::Community, ReviewStatus::Held, Some(day(2026, 12, 1)));
        if status_shared {
            review.report_shared.push(crate::review::ReportShare { to: short("Sam Parent"), on: day(2026, 12, 9) });
        }
        review
    }

    #[test]
    fn a_family_is_not_sent_a_reviews_outcome_until_the_report_is_shared() {
        let (draft, shared) = (review_of(false), review_of(true));
        assert!(outcome_withheld(Role::Family, &draft));
        assert!(!outcome_withheld(Role::Family, &shared));
        for role in Role::ALL.into_iter().filter(|r| *r != Role::Family) {
            assert!(!outcome_withheld(role, &draft), "{role}");
        }
        let person = draft.person_id;
        let family = person_access(Role::Family, true, CLOSED).read;
        let before = View::People([(person, Held { kinds: family, withheld: [draft.id].into() })].into());
        let after = View::People([(person, Held::kinds(family))].into());
        for kind in REVIEW_OUTCOME {
            assert!(!before.holds(Some(person), kind, Some(draft.id)), "{kind} before");
            assert!(
                before.holds(Some(person), kind, Some(ReviewId::from_time_and_random(9, [9; 10]))),
                "another review"
            );
            assert!(after.holds(Some(person), kind, Some(draft.id)), "{kind} after");
        }
        assert!(before.holds(Some(person), K::Review, Some(draft.id)), "the review itself: when and who");
        assert!(before.holds(Some(person), K::Planner, Some(draft.id)), "their own planner");
        assert_eq!(after.people_changed_from(&before), [person].into());
        assert!(before.people_changed_from(&before).is_empty());
    }

    #[test]
    fn a_view_stored_before_outcomes_were_withheld_still_reads() {
        let p = PersonId::from_time_and_random(1, [1; 10]);
        let stored = format!("{{\"people\":{{\"{p}\":3}}}}");
        let view: View = serde_json::from_str(&stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(view, View::People([(p, Held::kinds(KindSet(3)))].into()));
        let again: View =
            serde_json::from_str(&serde_json::to_string(&view).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, view);
    }

    #[test]
    fn a_view_change_names_the_people_whose_records_change() {
        let old = view(&[(1, &[K::Person, K::VisitNote]), (2, &[K::Person]), (4, &[K::Person])]);
        let new = view(&[(1, &[K::Person]), (3, &[K::Person, K::Consent]), (4, &[K::Person])]);
        let p = |n: u8| PersonId::from_time_and_random(1, [n; 10]);
        assert_eq!(new.people_changed_from(&old), [p(1), p(2), p(3)].into());
        assert!(!new.needs_reset_from(&old));
        assert!(new.needs_reset_from(&View::WholeArea));
        assert_eq!(View::WholeArea.kinds_for(None), KindSet::all());
        assert_eq!(new.kinds_for(None), KindSet::EMPTY);
    }

    proptest! {
        /// A device applying the server's instructions (for each changed person's records: delete what
        /// the old view held and the new does not, fetch what the new holds and the old did not) holds
        /// exactly what the new view holds.
        #[test]
        fn applying_a_view_change_gives_the_new_view(
            old in proptest::collection::btree_map(0u8..8, (0u32..(1 << 14), proptest::collection::btree_set(0u8..3, 0..3)), 0..6),
            new in proptest::collection::btree_map(0u8..8, (0u32..(1 << 14), proptest::collection::btree_set(0u8..3, 0..3)), 0..6),
        ) {
            let review = |n: u8| ReviewId::from_time_and_random(2, [n; 10]);
            let make = |m: &BTreeMap<u8, (u32, BTreeSet<u8>)>| View::People(m.iter()
                .map(|(n, (bits, withheld))| (
                    PersonId::from_time_and_random(1, [*n; 10]),
                    Held { kinds: KindSet(*bits), withheld: withheld.iter().map(|r| review(*r)).collect() },
                ))
                .collect());
            let (old, new) = (make(&old), make(&new));
            // Every record there could be: each person, kind and review.
            let records: Vec<(PersonId, RecordKind, Option<ReviewId>)> = (0u8..8)
                .flat_map(|n| RecordKind::ALL.into_iter().flat_map(move |k| (0u8..3).map(move |r| (n, k, r))))
                .map(|(n, k, r)| (PersonId::from_time_and_random(1, [n; 10]), k, Some(review(r))))
                .collect();
            let mut held: BTreeSet<(PersonId, RecordKind, Option<ReviewId>)> =
                records.iter().filter(|(p, k, r)| old.holds(Some(*p), *k, *r)).copied().collect();
            let changed = new.people_changed_from(&old);
            for record @ (p, k, r) in &records {
                if changed.contains(p) {
                    if old.holds(Some(*p), *k, *r) && !new.holds(Some(*p), *k, *r) { held.remove(record); }
                    if !old.holds(Some(*p), *k, *r) && new.holds(Some(*p), *k, *r) { held.insert(*record); }
                }
            }
            let wanted: BTreeSet<_> = records.iter().filter(|(p, k, r)| new.holds(Some(*p), *k, *r)).copied().collect();
            prop_assert_eq!(held, wanted);
        }
    }
}
