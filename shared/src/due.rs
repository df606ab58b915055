//! The due-items engine: given everything known about a person, the area's policy and today, what is
//! due or overdue, each with a date, the event it follows from, a reason in plain words and the rule
//! it comes from. Pure: the app runs it offline, the server for the register and reports.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::admission::{Admission, current_admission};
use crate::calendar::long_date as show;
use crate::consent::{Consent, ConsentScope, has_consent, register_consent_withdrawn};
use crate::period::Period;
use crate::person::{Person, RegisterStatus, age_on};
use crate::policy::AreaPolicy;
use crate::rating::{Rating, RatingChange, current_rating};
use crate::referral::Referral;
use crate::review::{Review, ReviewKind, ReviewStatus};
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
        }
    }
}

/// The rule a due item comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueRule {
    CetrForRed,
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
    ConsentWithdrawn,
    RetentionPurge,
    ActionDue,
}

impl DueRule {
    /// Where the rule comes from.
    pub fn source(&self) -> &'static str {
        match self {
            DueRule::CetrForRed => {
                "Seed 002 (NHS England): Red, a C(E)TR must take place. Time allowed: policy reviews.red_review_within"
            }
            DueRule::KeyworkerReferral => {
                "Seeds 001, 002: keyworker referral for children and young people; policy keyworker"
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
            DueRule::ConsentWithdrawn => "Seed 001: details removed on request at any time",
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

struct Collector {
    today: NaiveDate,
    items: Vec<DueItem>,
}

impl Collector {
    fn push(&mut self, rule: DueRule, since: NaiveDate, due_on: NaiveDate, reason: String, about: About) {
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

/// Everything due or overdue for the person on `today`, soonest first.
pub fn due_items(file: &PersonFile, policy: &AreaPolicy, today: NaiveDate) -> Vec<DueItem> {
    let mut due = Collector { today, items: Vec::new() };
    let person = &file.person;
    let calendar = &policy.calendar;

    if let RegisterStatus::Left { on, .. } = person.register_status {
        let retention = policy.retention_after_leaving;
        let reason = format!("Left the register on {}: details are removed {retention} later", show(on));
        due.push(DueRule::RetentionPurge, on, retention.after(on, calendar), reason, About::default());
        return finish(due);
    }

    referrals(&mut due, file, policy);
    register_consent(&mut due, file, today);
    rating_rules(&mut due, file, policy, today);
    if let Some(admission) = current_admission(&file.admissions, today) {
        admission_rules(&mut due, file, admission, policy);
    }
    review_rules(&mut due, file, policy, today);
    for action in file.actions.iter().filter(|a| a.is_open()) {
        let meeting = file.reviews.iter().find(|r| r.id == action.review_id).and_then(|r| r.meeting_on);
        let since = meeting.unwrap_or(action.due_on).min(action.due_on);
        let about = About { action_id: Some(action.id), review_id: Some(action.review_id), ..About::default() };
        due.push(
            DueRule::ActionDue,
            since,
            action.due_on,
            format!("Action for {}: {}", action.owner, action.description),
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

fn register_consent(due: &mut Collector, file: &PersonFile, today: NaiveDate) {
    let RegisterStatus::OnRegister { since } = file.person.register_status else { return };
    if let Some(withdrawn) = register_consent_withdrawn(&file.consents, today) {
        let reason = format!("Consent was withdrawn on {}: take the person off the register", show(withdrawn));
        due.push(DueRule::ConsentWithdrawn, withdrawn, withdrawn, reason, About::default());
    } else if !has_consent(&file.consents, ConsentScope::Register, None, today) {
        let reason = "No consent (or best-interests decision) to be on the register is recorded".to_string();
        due.push(DueRule::RegisterConsent, since, since, reason, About::default());
    }
}

fn rating_rules(due: &mut Collector, file: &PersonFile, policy: &AreaPolicy, today: NaiveDate) {
    let Some(change) = current_rating(&file.ratings) else { return };
    let since = change.at.date_naive();
    let in_hospital = current_admission(&file.admissions, today).is_some();
    if change.to == Rating::Red && !in_hospital {
        let reviewed = file.reviews.iter().any(|r| {
            r.is_active() && matches!(r.kind, ReviewKind::Community | ReviewKind::Laep) && r.requested_on >= since
        });
        if !reviewed {
            let within = policy.reviews.red_review_within;
            let reason =
                format!("Rated Red on {}: a Care (Education) and Treatment Review must take place", show(since));
            due.push(DueRule::CetrForRed, since, within.after(since, &policy.calendar), reason, About::default());
        }
    }
    let person = &file.person;
    let age = person.age_on(today);
    let keyworker = &policy.keyworker;
    if person.on_register(today)
        && age < i32::from(keyworker.younger_than)
        && keyworker.ratings.contains(&change.to)
        && person.keyworker.is_none()
        && person.keyworker_referral_offered.is_none()
    {
        let reason = format!(
            "Offer a referral to the keyworker service (aged {age}, rated {}; offered under {})",
            change.to.label(),
            keyworker.younger_than
        );
        due.push(DueRule::KeyworkerReferral, since, since, reason, About::default());
    }
}

fn admission_rules(due: &mut Collector, file: &PersonFile, admission: &Admission, policy: &AreaPolicy) {
    let reviews = &policy.reviews;
    let calendar = &policy.calendar;
    let child = age_on(file.person.date_of_birth, admission.admitted_on) < i32::from(policy.adult_age);
    let about = About { admission_id: Some(admission.id), ..About::default() };
    let for_this = |r: &&Review| r.admission_id == Some(admission.id) && r.was_held();
    let admitted = show(admission.admitted_on);

    let post_admission_held = file.reviews.iter().filter(for_this).any(|r| r.kind == ReviewKind::PostAdmission);
    if !admission.community_review_before && !post_admission_held {
        let within = if child { reviews.post_admission_child } else { reviews.post_admission_adult };
        let reason =
            format!("Admitted on {admitted} without a community review: a post-admission review within {within}");
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
        None if admission.community_review_before => {
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
