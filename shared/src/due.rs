//! The due-items engine: given everything known about a person, the area's policy and today, what is
//! due or overdue, each with a date, the event it follows from, a reason in plain words and the rule
//! it comes from. Pure: the app runs it offline, the server for the register and reports.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::KindSet;
use crate::action::Action;
use crate::admission::{Admission, current_admission};
use crate::calendar::{Calendar, long_date as show};
use crate::consent::{Consent, ConsentScope, consent_outgrown, has_consent, register_consent_withdrawn};
use crate::multi_agency_meeting::MultiAgencyMeeting;
use crate::period::Period;
use crate::person::{Person, RegisterStatus, age_on};
use crate::policy::AreaPolicy;
use crate::rating::{Rating, RatingChange, RequiredAction, current_rating};
use crate::referral::Referral;
use crate::review::{Review, ReviewKind, ReviewStatus};
use crate::sync::RecordKind;
use crate::{ActionId, AdmissionId, ReferralId, ReviewId};

/// Everything known about one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFile {
    pub person: Person,
    #[serde(default)]
    pub referrals: Vec<Referral>,
    #[serde(default)]
    pub consents: Vec<Consent>,
    #[serde(default)]
    pub ratings: Vec<RatingChange>,
    #[serde(default)]
    pub admissions: Vec<Admission>,
    #[serde(default)]
    pub reviews: Vec<Review>,
    #[serde(default)]
    pub actions: Vec<Action>,
    #[serde(default)]
    pub multi_agency_meetings: Vec<MultiAgencyMeeting>,
    /// What DSR meetings decided about them.
    #[serde(default)]
    pub meeting_decisions: Vec<crate::meeting::MeetingDecision>,
}

impl PersonFile {
    pub fn new(person: Person) -> Self {
        Self {
            person,
            referrals: Vec::new(),
            consents: Vec::new(),
            ratings: Vec::new(),
            admissions: Vec::new(),
            reviews: Vec::new(),
            actions: Vec::new(),
            multi_agency_meetings: Vec::new(),
            meeting_decisions: Vec::new(),
        }
    }

    /// The files of the people among `records` (kind, id, fields), each with their records of the kinds
    /// a file holds; a record whose fields make no value of its kind is left out, as the app leaves it.
    /// The server reads an area this way for its downloads; the app builds its own as records arrive.
    pub fn gather<'a>(
        records: impl IntoIterator<Item = (RecordKind, crate::RecordId, &'a crate::sync::Fields)>,
    ) -> Vec<PersonFile> {
        use crate::sync::{domain_from, person_from, person_of};
        let records: Vec<_> = records.into_iter().collect();
        let mut files: std::collections::BTreeMap<crate::PersonId, PersonFile> = records
            .iter()
            .filter(|(kind, _, _)| *kind == RecordKind::Person)
            .filter_map(|(_, id, fields)| person_from(*id, fields))
            .map(|p| (p.id, PersonFile::new(p)))
            .collect();
        for (kind, id, fields) in records {
            let Some(file) = person_of(kind, id, fields).and_then(|p| files.get_mut(&p)) else { continue };
            match kind {
                RecordKind::Referral => file.referrals.extend(domain_from(id, fields)),
                RecordKind::Consent => file.consents.extend(domain_from(id, fields)),
                RecordKind::RatingChange => file.ratings.extend(domain_from(id, fields)),
                RecordKind::Admission => file.admissions.extend(domain_from(id, fields)),
                RecordKind::Review => file.reviews.extend(domain_from(id, fields)),
                RecordKind::Action => file.actions.extend(domain_from(id, fields)),
                RecordKind::MultiAgencyMeeting => file.multi_agency_meetings.extend(domain_from(id, fields)),
                RecordKind::MeetingDecision => file.meeting_decisions.extend(domain_from(id, fields)),
                _ => {}
            }
        }
        files.into_values().collect()
    }

    /// Under the policy's adult age on the day of `admission`: a child's timescales apply to that stay
    /// (the due engine's and the figures' alike).
    pub fn child_when_admitted(&self, admission: &Admission, policy: &AreaPolicy) -> bool {
        age_on(self.person.date_of_birth, admission.admitted_on) < i32::from(policy.adult_age)
    }

    /// The most recent community C(E)TR held in the `counts_for` before `admitted_on` (an LAEP is not a
    /// community C(E)TR and never counts): whether the admission came after a community review.
    pub fn community_review_before(
        &self,
        admitted_on: NaiveDate,
        counts_for: Period,
        calendar: &Calendar,
    ) -> Option<&Review> {
        let from = counts_for.before(admitted_on, calendar);
        self.reviews
            .iter()
            .filter(|r| r.kind == ReviewKind::Community && r.was_held())
            .filter(|r| r.meeting_on.is_some_and(|m| m >= from && m <= admitted_on))
            .max_by_key(|r| r.meeting_on)
    }
}

/// The rule a due item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueRule {
    CetrForRed,
    AmberMeeting,
    GreenPartners,
    KeyworkerReferral,
    PostAdmissionReview,
    InpatientReview,
    OversightVisit,
    ReviewArrangements,
    ReviewConsent,
    PapersToPanel,
    ReportToFamily,
    ReferralTriage,
    SelfReferralContact,
    FamilyToldOfDecision,
    RegisterConsent,
    ConsentAtNewAge,
    ConsentWithdrawn,
    WithdrawalRequested,
    RetentionPurge,
    ActionDue,
}

impl DueRule {
    pub const ALL: [DueRule; 20] = [
        DueRule::CetrForRed,
        DueRule::AmberMeeting,
        DueRule::GreenPartners,
        DueRule::KeyworkerReferral,
        DueRule::PostAdmissionReview,
        DueRule::InpatientReview,
        DueRule::OversightVisit,
        DueRule::ReviewArrangements,
        DueRule::ReviewConsent,
        DueRule::PapersToPanel,
        DueRule::ReportToFamily,
        DueRule::ReferralTriage,
        DueRule::SelfReferralContact,
        DueRule::FamilyToldOfDecision,
        DueRule::RegisterConsent,
        DueRule::ConsentAtNewAge,
        DueRule::ConsentWithdrawn,
        DueRule::WithdrawalRequested,
        DueRule::RetentionPurge,
        DueRule::ActionDue,
    ];

    /// What is due, as the register's filter offers it ("Red without a C(E)TR").
    pub fn label(self) -> &'static str {
        match self {
            DueRule::CetrForRed => "Red without a C(E)TR",
            DueRule::AmberMeeting => "Amber without a multi-agency meeting or C(E)TR",
            DueRule::GreenPartners => "Green: partners to identify",
            DueRule::KeyworkerReferral => "Keyworker referral to offer",
            DueRule::PostAdmissionReview => "In hospital: the C(E)TR after admission",
            DueRule::InpatientReview => "In hospital: the next C(E)TR",
            DueRule::OversightVisit => "In hospital: an oversight visit",
            DueRule::ReviewArrangements => "A C(E)TR to arrange",
            DueRule::ReviewConsent => "A C(E)TR without consent",
            DueRule::PapersToPanel => "Papers to send to a panel",
            DueRule::ReportToFamily => "A C(E)TR report to send",
            DueRule::ReferralTriage => "A referral to decide",
            DueRule::SelfReferralContact => "A self-referrer to contact",
            DueRule::FamilyToldOfDecision => "A family to tell of a decision",
            DueRule::RegisterConsent => "Consent to the register to record",
            DueRule::ConsentAtNewAge => "Consent to ask again at a new age",
            DueRule::ConsentWithdrawn => "Consent withdrawn: leaving",
            DueRule::WithdrawalRequested => "A family asks to withdraw consent",
            DueRule::RetentionPurge => "Details to remove after leaving",
            DueRule::ActionDue => "An action due",
        }
    }

    /// Its name in JSON (`cetr_for_red`).
    pub fn name(self) -> String {
        serde_json::to_value(self).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }

    pub fn from_name(name: &str) -> Option<DueRule> {
        serde_json::from_value(serde_json::Value::String(name.to_string())).ok()
    }

    /// Where the rule comes from.
    pub fn source(&self) -> &'static str {
        match self {
            DueRule::CetrForRed => {
                "Seed 002 (NHS England): Red, a C(E)TR must take place; met only by a community C(E)TR held, or arranged with a date, within policy reviews.red_review_within (an LAEP does not count)"
            }
            DueRule::AmberMeeting => {
                "Seed 002 (NHS England): Amber, a multi-agency meeting and/or a C(E)TR; policy reviews.amber_meeting_within"
            }
            DueRule::GreenPartners => {
                "Seed 002 (NHS England): Green, identify the partners who would need to be involved in a C(E)TR; policy reviews.green_partners_within"
            }
            DueRule::KeyworkerReferral => {
                "Seeds 001, 002: keyworker referral for children and young people, offered again when the risk rises to Amber or Red; policy keyworker"
            }
            DueRule::PostAdmissionReview => {
                "Seed 001: within 10 working days (children); seed 000: two weeks; adults 4 weeks; policy reviews.post_admission_*"
            }
            DueRule::InpatientReview => {
                "Seed 000: every 3 months (children); seed 001: 6 weeks after a community review; adults 6 or 12 months (secure)"
            }
            DueRule::OversightVisit => {
                "Handbook: commissioner oversight visits every 6 weeks (children) or 8 weeks (adults) placed out of area"
            }
            DueRule::ReviewArrangements => "Seed 000: arrangements start at least two weeks before the meeting",
            DueRule::ReviewConsent => {
                "Seed 000: consent before a C(E)TR goes ahead; handbook: panel sees papers only once consent is recorded"
            }
            DueRule::PapersToPanel => "Handbook: papers to the panel at least 24 hours before",
            DueRule::ReportToFamily => {
                "Seed 000: the report goes to the family and everyone who took part within two weeks"
            }
            DueRule::ReferralTriage => {
                "Seed 001: self-referrals considered at the monthly DSR meeting; handbook: risk-review within 4 weeks"
            }
            DueRule::SelfReferralContact => "Handbook: some areas contact a self-referrer within 5 working days",
            DueRule::FamilyToldOfDecision => {
                "Seed 001: families are told whether their child has been placed on the register"
            }
            DueRule::RegisterConsent => {
                "Seeds 001, 002: people are on the register with consent (or a best-interests decision)"
            }
            DueRule::ConsentAtNewAge => {
                "Seed 002: from 14 the person needs to agree to the register; seed 000: from 16 they consent to a CETR; policy consent"
            }
            DueRule::ConsentWithdrawn => "Seed 001: details removed on request at any time",
            DueRule::WithdrawalRequested => {
                "Seed 001: consent can be withdrawn at any time; policy families.withdrawal_takes_effect (no: the family's request reaches the coordinator, who confirms it at once)"
            }
            DueRule::RetentionPurge => {
                "Seed 001: details removed and files deleted 12 months after leaving; policy retention_after_leaving"
            }
            DueRule::ActionDue => "Seed 001: each action has an owner; the coordinator follows up",
        }
    }
}

/// One thing due for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DueItem {
    pub rule: DueRule,
    /// When it is due. Never before `since`.
    pub due_on: NaiveDate,
    /// The event it follows from (admission, rating, request, meeting...).
    pub since: NaiveDate,
    /// Due before today.
    pub overdue: bool,
    pub reason: String,
    #[serde(default)]
    pub review_id: Option<ReviewId>,
    #[serde(default)]
    pub action_id: Option<ActionId>,
    #[serde(default)]
    pub referral_id: Option<ReferralId>,
    #[serde(default)]
    pub admission_id: Option<AdmissionId>,
}

/// What a due item is about, beyond the person.
#[derive(Debug, Clone, Copy, Default)]
struct About {
    review_id: Option<ReviewId>,
    action_id: Option<ActionId>,
    referral_id: Option<ReferralId>,
    admission_id: Option<AdmissionId>,
}

struct Collector<'a> {
    today: NaiveDate,
    calendar: &'a Calendar,
    items: Vec<DueItem>,
}

impl Collector<'_> {
    fn push(&mut self, rule: DueRule, since: NaiveDate, due_on: NaiveDate, reason: String, about: About) {
        // No deadline the rules work out falls on a day nobody works: it moves to the working day before.
        // (An action's date is the one people chose; the purge is the server's own job.)
        let due_on = match rule {
            DueRule::ActionDue | DueRule::RetentionPurge => due_on,
            _ => self.calendar.working_day_on_or_before(due_on),
        };
        // Nothing can be required before the event that asks for it.
        let due_on = due_on.max(since);
        self.items.push(DueItem {
            rule,
            due_on,
            since,
            overdue: due_on < self.today,
            reason,
            review_id: about.review_id,
            action_id: about.action_id,
            referral_id: about.referral_id,
            admission_id: about.admission_id,
        });
    }
}

/// The kinds of record the due items are worked out from.
pub const DUE_INPUTS: [RecordKind; 8] = [
    RecordKind::Person,
    RecordKind::Referral,
    RecordKind::Consent,
    RecordKind::RatingChange,
    RecordKind::Admission,
    RecordKind::Review,
    RecordKind::Action,
    RecordKind::MultiAgencyMeeting,
];

/// Whether someone who may read the kinds in `read` sees every input of the due items: otherwise the
/// items worked out on their device would be partial, and "nothing is due" could be false, so they
/// are not shown (the page says they are not shown on this account).
pub fn due_shown_with(read: KindSet) -> bool {
    DUE_INPUTS.iter().all(|kind| read.contains(*kind))
}

/// Everything due or overdue for the person on `today`, soonest first.
pub fn due_items(file: &PersonFile, policy: &AreaPolicy, today: NaiveDate) -> Vec<DueItem> {
    let mut due = Collector { today, calendar: &policy.calendar, items: Vec::new() };
    let person = &file.person;
    let calendar = &policy.calendar;

    if let RegisterStatus::Left { on, .. } = person.register_status {
        let retention = policy.retention_after_leaving;
        let reason = format!("Left the register on {}: details are removed {retention} later", show(on));
        due.push(DueRule::RetentionPurge, on, retention.after(on, calendar), reason, About::default());
        return finish(due);
    }

    referrals(&mut due, file, policy);
    withdrawal_requests(&mut due, file);
    register_consent(&mut due, file, policy, today);
    rating_rules(&mut due, file, policy, today);
    if let Some(admission) = current_admission(&file.admissions, today) {
        admission_rules(&mut due, file, admission, policy);
    }
    review_rules(&mut due, file, policy, today);
    for action in file.actions.iter().filter(|a| a.is_open()) {
        let review = action.review_id.and_then(|id| file.reviews.iter().find(|r| r.id == id));
        let decided = action.meeting_id.and_then(|id| file.meeting_decisions.iter().find(|d| d.meeting_id == id));
        let meeting = review.and_then(|r| r.meeting_on).or(decided.map(|d| d.meeting_on));
        let since = meeting.unwrap_or(action.due_on).min(action.due_on);
        let about = About { action_id: Some(action.id), review_id: action.review_id, ..About::default() };
        let from = if action.meeting_id.is_some() { " (from the DSR meeting)" } else { "" };
        due.push(
            DueRule::ActionDue,
            since,
            action.due_on,
            format!("Action for {}{from}: {}", action.owner, action.description),
            about,
        );
    }
    finish(due)
}

fn finish(mut due: Collector) -> Vec<DueItem> {
    due.items.sort_by_key(|item| (item.due_on, item.rule));
    due.items
}

fn referrals(due: &mut Collector, file: &PersonFile, policy: &AreaPolicy) {
    for referral in &file.referrals {
        let about = About { referral_id: Some(referral.id), ..About::default() };
        match &referral.triage {
            None => {
                let by = referral.triage_due(policy);
                let reason = if referral.is_self_referral() {
                    format!("Self-referral: decide at the DSR meeting on {}", show(by))
                } else {
                    format!("Referral: risk-review it within {}", policy.referrals.triage_within)
                };
                due.push(DueRule::ReferralTriage, referral.submitted_on, by, reason, about);
                if let (Some(by), None) = (referral.contact_due(policy), referral.contacted_on) {
                    let reason = "Contact the family who referred themselves".to_string();
                    due.push(DueRule::SelfReferralContact, referral.submitted_on, by, reason, about);
                }
            }
            Some(triage) if referral.family_told_on.is_none() => {
                let reason = "Tell the family the decision about the register".to_string();
                due.push(DueRule::FamilyToldOfDecision, triage.decided_on, triage.decided_on, reason, about);
            }
            Some(_) => {}
        }
    }
}

/// A family asked to withdraw a consent (their area makes it a request): the coordinator confirms it
/// with them and withdraws it, at once.
fn withdrawal_requests(due: &mut Collector, file: &PersonFile) {
    for consent in file.consents.iter().filter(|c| c.withdrawn_on.is_none()) {
        let Some(asked) = consent.withdrawal_requested_on else { continue };
        let who = consent.withdrawal_asked_by.as_ref().map(|w| format!(" ({})", w.as_str())).unwrap_or_default();
        let reason = format!(
            "The family asked on {} to withdraw consent {}{who}: confirm it with them and withdraw it",
            show(asked),
            crate::consent::scope_words(consent.scope)
        );
        due.push(DueRule::WithdrawalRequested, asked, asked, reason, About::default());
    }
}

fn register_consent(due: &mut Collector, file: &PersonFile, policy: &AreaPolicy, today: NaiveDate) {
    let RegisterStatus::OnRegister { since } = file.person.register_status else { return };
    if let Some(withdrawn) = register_consent_withdrawn(&file.consents, today) {
        let reason = format!("Consent was withdrawn on {}: take the person off the register", show(withdrawn));
        due.push(DueRule::ConsentWithdrawn, withdrawn, withdrawn, reason, About::default());
    } else if !has_consent(&file.consents, ConsentScope::Register, None, today) {
        let reason = "No consent (or best-interests decision) to be on the register is recorded".to_string();
        due.push(DueRule::RegisterConsent, since, since, reason, About::default());
    }
    // A parent's consent given for a younger child is not the whole answer once the child is older.
    for scope in [ConsentScope::Register, ConsentScope::InformationSharing] {
        let born = file.person.date_of_birth;
        if let Some((turned, needed)) = consent_outgrown(&file.consents, scope, None, born, &policy.consent, today) {
            due.push(DueRule::ConsentAtNewAge, turned, turned, needed, About::default());
        }
    }
}

fn rating_rules(due: &mut Collector, file: &PersonFile, policy: &AreaPolicy, today: NaiveDate) {
    let Some(change) = current_rating(&file.ratings) else { return };
    let since = change.at.date_naive();
    let in_hospital = current_admission(&file.admissions, today).is_some();
    // What NHS England's table asks for at this rating (seed 002). Blue's inpatient reviews and visits
    // follow the admission itself (admission_rules); the keyworker referral follows the area's policy.
    for action in change.to.required_actions() {
        match action {
            RequiredAction::CetrMustTakePlace if !in_hospital => red_review(due, file, policy, today, since),
            RequiredAction::MultiAgencyMeetingOrCetr if !in_hospital => amber_meeting(due, file, policy, today, since),
            RequiredAction::IdentifyCetrPartners if file.person.cetr_partners.is_empty() => {
                let within = policy.reviews.green_partners_within;
                let reason = format!(
                    "Rated Green on {}: identify the partners who would need to be involved in a Care (Education) and Treatment Review",
                    show(since)
                );
                due.push(
                    DueRule::GreenPartners,
                    since,
                    within.after(since, &policy.calendar),
                    reason,
                    About::default(),
                );
            }
            _ => {}
        }
    }
    keyworker_referral(due, file, policy, today, change);
}

/// A community review held on or after `since` (even late: it took place). An LAEP is not a community
/// C(E)TR; a cancelled review does not count.
fn held_since(review: &Review, since: NaiveDate) -> bool {
    review.kind == ReviewKind::Community && review.was_held() && review.meeting_on.is_some_and(|m| m >= since)
}

/// A community review arranged for a day from `today` to the deadline `by` (and not before `since`):
/// it answers the rule once it is recorded as held.
fn arranged_in_window(review: &Review, since: NaiveDate, by: NaiveDate, today: NaiveDate) -> Option<NaiveDate> {
    let counts = review.kind == ReviewKind::Community && review.is_active() && !review.was_held();
    review.meeting_on.filter(|m| counts && *m >= since && *m <= by && *m >= today)
}

/// What a rating that needs a community review (Red, or Amber without a multi-agency meeting) shows:
/// nothing once one was held since the rating; while one is arranged inside the window, an item due on
/// its meeting day (so a date that passes unheld is overdue at once); otherwise an item due by the
/// deadline that says what is wrong with the nearest review (no date, a date after the deadline, not
/// recorded as held, an LAEP that does not count).
fn needs_community_review(
    due: &mut Collector,
    file: &PersonFile,
    rule: DueRule,
    (since, by, today): (NaiveDate, NaiveDate, NaiveDate),
    asked: &str,
) {
    if file.reviews.iter().any(|r| held_since(r, since)) {
        return;
    }
    let arranged = file
        .reviews
        .iter()
        .filter_map(|r| arranged_in_window(r, since, by, today).map(|m| (m, r)))
        .min_by_key(|(m, _)| *m);
    if let Some((meeting, review)) = arranged {
        let reason = format!(
            "{asked}: the {} arranged for {} (in time, the deadline is {}) answers it once recorded as held",
            review.name.short(),
            show(meeting),
            show(by)
        );
        due.push(rule, since, meeting, reason, About { review_id: Some(review.id), ..About::default() });
        return;
    }
    let candidates = file.reviews.iter().filter(|r| r.kind == ReviewKind::Community && r.is_active() && !r.was_held());
    let latest = candidates.max_by_key(|r| (r.meeting_on.is_some(), r.meeting_on, r.requested_on));
    let (mut why, review_id) = match latest {
        Some(r) => match r.meeting_on {
            Some(m) if m > by => (format!("the {} arranged for {} is after that", r.name.short(), show(m)), Some(r.id)),
            Some(m) if m < since => {
                (format!("the {} arranged for {} was before the rating", r.name.short(), show(m)), Some(r.id))
            }
            Some(m) => (format!("the {} arranged for {} is not recorded as held", r.name.short(), show(m)), Some(r.id)),
            None => (
                format!("the {} requested on {} has no meeting date yet", r.name.short(), show(r.requested_on)),
                Some(r.id),
            ),
        },
        None => ("no community review is arranged".to_string(), None),
    };
    let laep = file.reviews.iter().filter(|r| r.kind == ReviewKind::Laep && r.is_active() && r.requested_on >= since);
    if let Some(laep) = laep.max_by_key(|r| r.requested_on) {
        let on = laep.meeting_on.unwrap_or(laep.requested_on);
        why.push_str(&format!(
            "; the Local Area Emergency Protocol (LAEP) meeting of {} is not a community C(E)TR and does not count",
            show(on)
        ));
    }
    let reason = format!("{asked} by {}; {why}", show(by));
    due.push(rule, since, by, reason, About { review_id, ..About::default() });
}

/// Red: "a C(E)TR must take place" (seed 002), read on the side of safety (handbook).
fn red_review(due: &mut Collector, file: &PersonFile, policy: &AreaPolicy, today: NaiveDate, since: NaiveDate) {
    let by = policy.calendar.working_day_on_or_before(policy.reviews.red_review_within.after(since, &policy.calendar));
    let asked =
        format!("Rated Red on {}: a community Care (Education) and Treatment Review must take place", show(since));
    needs_community_review(due, file, DueRule::CetrForRed, (since, by, today), &asked);
}

/// Amber: "a multi-agency meeting and/or a C(E)TR" (seed 002), either recorded since the rating.
fn amber_meeting(due: &mut Collector, file: &PersonFile, policy: &AreaPolicy, today: NaiveDate, since: NaiveDate) {
    if file.multi_agency_meetings.iter().any(|m| m.held_on >= since) {
        return;
    }
    let by =
        policy.calendar.working_day_on_or_before(policy.reviews.amber_meeting_within.after(since, &policy.calendar));
    let asked = format!(
        "Rated Amber on {}: a multi-agency meeting or a community Care (Education) and Treatment Review (none recorded yet)",
        show(since)
    );
    needs_community_review(due, file, DueRule::AmberMeeting, (since, by, today), &asked);
}

/// How high a rating is in the community (Blue is not on that scale).
fn level(rating: Rating) -> Option<u8> {
    match rating {
        Rating::Green => Some(1),
        Rating::Amber => Some(2),
        Rating::Red => Some(3),
        Rating::Blue => None,
    }
}

/// The day the person's risk last rose to Amber or Red (a first rating, a rise, or a discharge back
/// into the community at Amber or Red).
pub fn risk_rose_on(history: &[RatingChange]) -> Option<NaiveDate> {
    history
        .iter()
        .filter(|c| matches!(c.to, Rating::Amber | Rating::Red))
        .filter(|c| match c.from.and_then(level) {
            None => true,
            Some(from) => level(c.to).is_some_and(|to| to > from),
        })
        .map(|c| c.at.date_naive())
        .max()
}

/// The keyworker service, for children and young people at the policy's ratings who have no keyworker:
/// offered once, and again whenever the risk rises to Amber or Red after the last offer, unless the
/// family declined within the policy's `declined_holds_for`.
fn keyworker_referral(
    due: &mut Collector,
    file: &PersonFile,
    policy: &AreaPolicy,
    today: NaiveDate,
    current: &RatingChange,
) {
    let person = &file.person;
    let keyworker = &policy.keyworker;
    let age = person.age_on(today);
    if !person.on_register(today)
        || age >= i32::from(keyworker.younger_than)
        || !keyworker.ratings.contains(&current.to)
        || person.keyworker.is_some()
    {
        return;
    }
    let rose = risk_rose_on(&file.ratings).filter(|r| matches!(current.to, Rating::Amber | Rating::Red) && *r <= today);
    let last_asked = person.keyworker_referral_offered.max(person.keyworker_referral_declined);
    let asked_since = match (rose, last_asked) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(rose), Some(asked)) => asked >= rose,
    };
    if asked_since {
        return;
    }
    if let Some(declined) = person.keyworker_referral_declined
        && today < keyworker.declined_holds_for.after(declined, &policy.calendar)
    {
        return;
    }
    let since = match (rose, last_asked) {
        (Some(rose), Some(_)) => rose,
        _ => current.at.date_naive(),
    };
    let again = match (last_asked, person.keyworker_referral_declined) {
        (Some(_), Some(declined)) => format!(
            "; the risk rose to {} on {} (the family declined on {})",
            current.to.label(),
            show(since),
            show(declined)
        ),
        (Some(_), None) => format!("; offered before, and the risk rose to {} on {}", current.to.label(), show(since)),
        (None, _) => String::new(),
    };
    let reason = format!(
        "Offer a referral to the keyworker service (aged {age}, rated {}; offered under {}){again}",
        current.to.label(),
        keyworker.younger_than
    );
    due.push(DueRule::KeyworkerReferral, since, since, reason, About::default());
}

fn admission_rules(due: &mut Collector, file: &PersonFile, admission: &Admission, policy: &AreaPolicy) {
    let reviews = &policy.reviews;
    let calendar = &policy.calendar;
    let child = file.child_when_admitted(admission, policy);
    let about = About { admission_id: Some(admission.id), ..About::default() };
    let for_this = |r: &&Review| r.admission_id == Some(admission.id) && r.was_held();
    let admitted = show(admission.admitted_on);

    // Derived from the reviews on record, never from a tick box: an LAEP does not count.
    let community_before =
        file.community_review_before(admission.admitted_on, reviews.community_review_counts_for, calendar).is_some();
    let post_admission_held = file.reviews.iter().filter(for_this).any(|r| r.kind == ReviewKind::PostAdmission);
    if !community_before && !post_admission_held {
        let within = if child { reviews.post_admission_child } else { reviews.post_admission_adult };
        let reason = format!(
            "Admitted on {admitted} with no community C(E)TR held in the {} before (an LAEP does not count): a post-admission review within {within}",
            reviews.community_review_counts_for
        );
        due.push(
            DueRule::PostAdmissionReview,
            admission.admitted_on,
            within.after(admission.admitted_on, calendar),
            reason,
            about,
        );
    }

    let repeat: Period = match (child, admission.secure) {
        (true, _) => reviews.inpatient_repeat_child,
        (false, true) => reviews.inpatient_repeat_adult_secure,
        (false, false) => reviews.inpatient_repeat_adult,
    };
    let last_held = file.reviews.iter().filter(for_this).filter_map(|r| r.meeting_on).max();
    let next = match last_held {
        Some(last) => {
            Some((last, repeat, format!("Last inpatient review on {}: the next within {repeat}", show(last))))
        }
        None if community_before => {
            let first = if child { reviews.inpatient_after_community_child } else { repeat };
            Some((
                admission.admitted_on,
                first,
                format!("Admitted on {admitted} after a community review: an inpatient review within {first}"),
            ))
        }
        None => None,
    };
    if let Some((from, period, reason)) = next {
        due.push(DueRule::InpatientReview, from, period.after(from, calendar), reason, about);
    }

    let visits = &policy.oversight_visits;
    if admission.out_of_area || !visits.out_of_area_only {
        let every = if child { visits.child_every } else { visits.adult_every };
        let last = admission.last_oversight();
        let placed = if admission.out_of_area { "placed out of area" } else { "in hospital" };
        let reason = format!("Commissioner oversight visit every {every} ({placed})");
        due.push(DueRule::OversightVisit, last, every.after(last, calendar), reason, about);
    }
}

fn review_rules(due: &mut Collector, file: &PersonFile, policy: &AreaPolicy, today: NaiveDate) {
    for review in file.reviews.iter().filter(|r| r.is_active()) {
        let about = About { review_id: Some(review.id), ..About::default() };
        let name = review.name.short();
        match review.status {
            ReviewStatus::Requested | ReviewStatus::Arranged => {
                if let (ReviewStatus::Requested, Some(start), Some(meeting)) =
                    (review.status, review.arrangements_start(policy), review.meeting_on)
                {
                    let reason = format!(
                        "Arrange the {name}: arrangements start {} before the meeting on {}",
                        policy.reviews.arrangements_before,
                        show(meeting)
                    );
                    due.push(DueRule::ReviewArrangements, review.requested_on, start, reason, about);
                }
                let born = file.person.date_of_birth;
                let outgrown = consent_outgrown(
                    &file.consents,
                    ConsentScope::Review,
                    Some(review.id),
                    born,
                    &policy.consent,
                    today,
                );
                if let Some((turned, needed)) = outgrown {
                    let by = review.papers_due(policy).unwrap_or(turned).max(turned);
                    due.push(DueRule::ConsentAtNewAge, turned, by, format!("{needed} ({name})"), about);
                }
                if !has_consent(&file.consents, ConsentScope::Review, Some(review.id), today) {
                    let by = review.papers_due(policy).unwrap_or(review.requested_on);
                    let reason = format!(
                        "Record consent for the {name} (or a best-interests decision): the panel cannot open the papers without it"
                    );
                    due.push(DueRule::ReviewConsent, review.requested_on, by, reason, about);
                }
                if let (None, Some(by)) = (review.papers_sent_on, review.papers_due(policy)) {
                    let reason = format!(
                        "Send the papers to the panel at least {} before the meeting",
                        policy.reviews.papers_before
                    );
                    due.push(DueRule::PapersToPanel, review.requested_on, by, reason, about);
                }
            }
            ReviewStatus::Held => {
                if let (Some(meeting), Some(by)) = (review.meeting_on, review.report_due(policy)) {
                    let reason = format!(
                        "Send the {name} report to the family and everyone who took part within {}",
                        policy.reviews.report_within
                    );
                    due.push(DueRule::ReportToFamily, meeting, by, reason, about);
                }
            }
            ReviewStatus::ReportShared | ReviewStatus::Cancelled => {}
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests;
