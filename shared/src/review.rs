//! Care (Education) and Treatment Reviews: kinds, naming (CTR or CETR), the panel, the dates that
//! follow from the meeting, and when the panel may open the papers. Sources: seed 000 (types,
//! naming, panel, two weeks' arrangements, report within two weeks), seed 001 (post-admission within
//! 10 working days; repeat within 6 weeks), seed 003 (in person, video or both), the handbook (LAEP
//! has no independent experts; papers 24 hours before).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::consent::{Consent, ConsentScope, has_consent};
use crate::policy::AreaPolicy;
use crate::text::ShortText;
use crate::{AdmissionId, PersonId, ReviewId, Validate, ValidationErrors, validated};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewKind {
    /// At risk of admission, living in the community.
    Community,
    /// Urgent, "blue light": Local Area Emergency Protocol, at the point of admission. Not a full
    /// C(E)TR: no independent experts.
    Laep,
    /// Admitted without a community review beforehand.
    PostAdmission,
    /// Repeats while in hospital.
    Inpatient,
}

impl ReviewKind {
    pub const ALL: [ReviewKind; 4] =
        [ReviewKind::Community, ReviewKind::Laep, ReviewKind::PostAdmission, ReviewKind::Inpatient];

    /// Its name in JSON and in forms.
    pub fn name(self) -> &'static str {
        match self {
            ReviewKind::Community => "community",
            ReviewKind::Laep => "laep",
            ReviewKind::PostAdmission => "post_admission",
            ReviewKind::Inpatient => "inpatient",
        }
    }

    pub fn from_name(name: &str) -> Option<ReviewKind> {
        ReviewKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// As people say it.
    pub fn label(self) -> &'static str {
        match self {
            ReviewKind::Community => "Community review: at risk of admission, living at home",
            ReviewKind::Laep => "Local Area Emergency Protocol (LAEP): urgent, at the point of admission",
            ReviewKind::PostAdmission => "Post-admission review: admitted without a community review",
            ReviewKind::Inpatient => "Inpatient review: a repeat review while in hospital",
        }
    }

    /// A short name for lists.
    pub fn short_label(self) -> &'static str {
        match self {
            ReviewKind::Community => "Community",
            ReviewKind::Laep => "LAEP",
            ReviewKind::PostAdmission => "Post-admission",
            ReviewKind::Inpatient => "Inpatient",
        }
    }

    pub fn is_inpatient(&self) -> bool {
        matches!(self, ReviewKind::PostAdmission | ReviewKind::Inpatient)
    }
}

/// CTR for adults not in education; CETR for children and young people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewName {
    Ctr,
    Cetr,
}

impl ReviewName {
    pub fn short(&self) -> &'static str {
        match self {
            ReviewName::Ctr => "CTR",
            ReviewName::Cetr => "CETR",
        }
    }

    /// The full name with the abbreviation, for the first time it appears on a page.
    pub fn full(&self) -> &'static str {
        match self {
            ReviewName::Ctr => "Care and Treatment Review (CTR)",
            ReviewName::Cetr => "Care, Education and Treatment Review (CETR)",
        }
    }
}

/// What a review is called for someone of `age`: a CETR under adulthood; for adults, a CETR when in
/// education, or when the education placement has broken down up to the policy's age limit (25);
/// otherwise a CTR (seed 000).
pub fn review_name(
    age: i32,
    in_education: Option<bool>,
    placement_broken_down: bool,
    policy: &AreaPolicy,
) -> ReviewName {
    let child = age < i32::from(policy.adult_age);
    let young_with_broken_placement =
        placement_broken_down && age <= i32::from(policy.reviews.cetr_education_age_limit);
    if child || in_education == Some(true) || young_with_broken_placement { ReviewName::Cetr } else { ReviewName::Ctr }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    Requested,
    /// Date, place, panel and attendees set.
    Arranged,
    /// The meeting took place.
    Held,
    /// The report went to the family and everyone who took part.
    ReportShared,
    Cancelled,
}

impl ReviewStatus {
    pub fn label(self) -> &'static str {
        match self {
            ReviewStatus::Requested => "Requested",
            ReviewStatus::Arranged => "Arranged",
            ReviewStatus::Held => "Meeting held",
            ReviewStatus::ReportShared => "Report shared",
            ReviewStatus::Cancelled => "Cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingFormat {
    InPerson,
    Video,
    Both,
}

impl MeetingFormat {
    pub const ALL: [MeetingFormat; 3] = [MeetingFormat::InPerson, MeetingFormat::Video, MeetingFormat::Both];

    pub fn name(self) -> &'static str {
        match self {
            MeetingFormat::InPerson => "in_person",
            MeetingFormat::Video => "video",
            MeetingFormat::Both => "both",
        }
    }

    pub fn from_name(name: &str) -> Option<MeetingFormat> {
        MeetingFormat::ALL.into_iter().find(|f| f.name() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            MeetingFormat::InPerson => "In person",
            MeetingFormat::Video => "By video",
            MeetingFormat::Both => "Both: in the room and by video",
        }
    }
}

/// The attendees typed one per line as "name, role" (the role after the first comma). Blank lines
/// are skipped; a line with no role, or a name or role that is not one line of text, is refused with
/// its line number.
pub fn parse_attendees(text: &str) -> Result<Vec<Attendee>, String> {
    let mut attendees = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let Some((name, role)) = line.split_once(',') else {
            return Err(format!(
                "Line {}: write the name, a comma, then their role (for example: Sam Parent, mother)",
                n + 1
            ));
        };
        let name = ShortText::parse(name).map_err(|e| format!("Line {}: the name {e}", n + 1))?;
        let role = ShortText::parse(role).map_err(|e| format!("Line {}: the role {e}", n + 1))?;
        attendees.push(Attendee { name, role, attended: None });
    }
    Ok(attendees)
}

/// The attendees as [`parse_attendees`] reads them.
pub fn attendees_text(attendees: &[Attendee]) -> String {
    attendees.iter().map(|a| format!("{}, {}", a.name.as_str(), a.role.as_str())).collect::<Vec<_>>().join("\n")
}

/// The panel: a chair (a commissioner not involved in everyday care), a clinical expert and an
/// expert by experience.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panel {
    pub chair: Option<ShortText>,
    pub clinical_expert: Option<ShortText>,
    pub expert_by_experience: Option<ShortText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attendee {
    pub name: ShortText,
    /// "Young person", "Parent", "Advocate", "CAMHS clinician", "School SENCo"...
    pub role: ShortText,
    /// Whether they came (recorded on the day).
    #[serde(default)]
    pub attended: Option<bool>,
}

/// The report went to someone, on a day ("tell it once": the same version to everyone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportShare {
    pub to: ShortText,
    pub on: NaiveDate,
}

/// How a report went to someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShareHow {
    Email,
    Post,
    InPerson,
}

impl ShareHow {
    pub const ALL: [ShareHow; 3] = [ShareHow::Email, ShareHow::Post, ShareHow::InPerson];

    pub fn name(self) -> &'static str {
        match self {
            ShareHow::Email => "email",
            ShareHow::Post => "post",
            ShareHow::InPerson => "in_person",
        }
    }

    pub fn from_name(name: &str) -> Option<ShareHow> {
        ShareHow::ALL.into_iter().find(|h| h.name() == name)
    }

    /// "by email", "by post", "in person".
    pub fn words(self) -> &'static str {
        match self {
            ShareHow::Email => "by email",
            ShareHow::Post => "by post",
            ShareHow::InPerson => "in person",
        }
    }
}

/// One sharing of a report version: to whom, when, how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionShare {
    pub to: ShortText,
    pub on: NaiveDate,
    pub how: ShareHow,
}

/// A report as it was shared: its words frozen, numbered from 1, with everyone it went to. A shared
/// report never changes; a change after it makes the next version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportVersion {
    pub number: u32,
    pub content: crate::report::ReportContent,
    pub shared: Vec<VersionShare>,
}

impl ReportVersion {
    /// "Version 2, shared on 10 December 2026 with Sam Parent by email".
    pub fn summary(&self) -> String {
        let shares: Vec<String> = self
            .shared
            .iter()
            .map(|s| format!("with {} {} on {}", s.to.as_str(), s.how.words(), crate::calendar::long_date(s.on)))
            .collect();
        format!("Version {}, shared {}", self.number, shares.join("; "))
    }
}

validated! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Review (unchecked ReviewUnchecked) {
        pub id: ReviewId,
        pub person_id: PersonId,
        pub kind: ReviewKind,
        pub name: ReviewName,
        pub status: ReviewStatus,
        pub requested_on: NaiveDate,
        /// The admission an inpatient or post-admission review belongs to.
        #[serde(default)]
        pub admission_id: Option<AdmissionId>,
        #[serde(default)]
        pub meeting_on: Option<NaiveDate>,
        #[serde(default)]
        pub place: Option<ShortText>,
        #[serde(default)]
        pub format: Option<MeetingFormat>,
        #[serde(default)]
        pub panel: Panel,
        #[serde(default)]
        pub attendees: Vec<Attendee>,
        #[serde(default)]
        pub papers_sent_on: Option<NaiveDate>,
        /// The panel gave the family verbal feedback at the end.
        #[serde(default)]
        pub verbal_feedback_given: bool,
        #[serde(default)]
        pub report_shared: Vec<ReportShare>,
        /// Every version of the report as shared, oldest first.
        #[serde(default)]
        pub report_versions: Vec<ReportVersion>,
        /// The version of the area's key lines of enquiry the panel works from, recorded when the review
        /// is arranged (the area may edit them afterwards); `None` for a review from before: the first.
        #[serde(default)]
        pub kloe_version: Option<u32>,
        /// The papers for the panel the coordinator has recorded (received or not, from whom): the
        /// checklist is in the review's version of the key lines of enquiry.
        #[serde(default)]
        pub papers: Vec<crate::kloe::papers::PaperReceived>,
    }
}

impl Validate for Review {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let arranged = matches!(self.status, ReviewStatus::Arranged | ReviewStatus::Held | ReviewStatus::ReportShared);
        let held = matches!(self.status, ReviewStatus::Held | ReviewStatus::ReportShared);
        errors.require(arranged && self.meeting_on.is_none(), "meeting_on", "Set the meeting date");
        errors.require(
            self.meeting_on.is_some_and(|m| m < self.requested_on),
            "meeting_on",
            "The meeting cannot be before the review was requested",
        );
        errors.require(held && self.panel.chair.is_none(), "panel", "Name the chair");
        if self.kind == ReviewKind::Laep {
            errors.require(
                self.panel.clinical_expert.is_some() || self.panel.expert_by_experience.is_some(),
                "panel",
                "A Local Area Emergency Protocol meeting has no independent experts",
            );
        } else {
            errors.require(
                held && (self.panel.clinical_expert.is_none() || self.panel.expert_by_experience.is_none()),
                "panel",
                "Name the clinical expert and the expert by experience",
            );
        }
        errors.require(
            self.kind.is_inpatient() && self.admission_id.is_none(),
            "admission_id",
            "Say which admission this review is for",
        );
        errors.require(
            self.status == ReviewStatus::ReportShared && self.report_shared.is_empty(),
            "report_shared",
            "Record who the report went to",
        );
        errors.require(
            self.report_shared.iter().any(|s| self.meeting_on.is_none_or(|m| s.on < m)),
            "report_shared",
            "The report is shared after the meeting",
        );
        let mut papers = std::collections::BTreeSet::new();
        for paper in &self.papers {
            let key = paper.paper.as_str();
            errors.require(!crate::kloe::is_key(key), "papers", &format!("'{key}' is not a paper's key"));
            errors.require(!papers.insert(key), "papers", &format!("The paper '{key}' is recorded twice"));
            errors.require(
                paper.on.is_some() && !paper.received,
                "papers",
                &format!("The paper '{key}' has a day it came but is not received"),
            );
        }
        errors.into_result()
    }
}

impl Review {
    /// A review requested on `on`: nothing arranged yet.
    pub fn requested(id: ReviewId, person_id: PersonId, kind: ReviewKind, name: ReviewName, on: NaiveDate) -> Review {
        Review {
            id,
            person_id,
            kind,
            name,
            status: ReviewStatus::Requested,
            requested_on: on,
            admission_id: None,
            meeting_on: None,
            place: None,
            format: None,
            panel: Panel::default(),
            attendees: Vec::new(),
            papers_sent_on: None,
            verbal_feedback_given: false,
            report_shared: Vec::new(),
            report_versions: Vec::new(),
            kloe_version: None,
            papers: Vec::new(),
        }
    }

    /// The template of key lines of enquiry for this review: a child's or an adult's (by the person's age
    /// on the meeting's day, or `today` before one is set; a child's when the person is not known here),
    /// in the community or in hospital (by the review's kind).
    pub fn template(
        &self,
        person: Option<&crate::person::Person>,
        policy: &crate::policy::AreaPolicy,
        today: NaiveDate,
    ) -> crate::kloe::KloeTemplate {
        let band = person
            .map(|p| crate::risk::AgeBand::for_age(p.age_on(self.meeting_on.unwrap_or(today)), policy.adult_age))
            .unwrap_or(crate::risk::AgeBand::Under18);
        crate::kloe::KloeTemplate::for_review(band, self.kind)
    }

    /// The key lines of enquiry the panel works from: the version recorded on the review, as the area
    /// kept it, whatever it has edited since.
    pub fn kloe<'a>(&self, policy: &'a crate::policy::AreaPolicy) -> &'a crate::kloe::prompts::KloePrompts {
        policy.kloe_version(self.kloe_version)
    }

    /// The last version of the report that was shared, if any.
    pub fn latest_report(&self) -> Option<&ReportVersion> {
        self.report_versions.last()
    }

    /// The report says something else now than the last version shared (it must be shared again).
    pub fn report_changed_since_shared(&self, now: &crate::report::ReportContent) -> bool {
        self.latest_report().is_some_and(|v| v.content != *now)
    }

    /// Records that the report saying `content` went to `to` on `on`, `how`: to the last version if
    /// it says the same, otherwise as the next version (a shared version never changes). Returns the
    /// version's number. The review counts as reported once shared.
    pub fn share_report(
        &mut self,
        content: crate::report::ReportContent,
        to: ShortText,
        how: ShareHow,
        on: NaiveDate,
    ) -> u32 {
        let share = VersionShare { to: to.clone(), on, how };
        let number = match self.report_versions.last_mut() {
            Some(last) if last.content == content => {
                last.shared.push(share);
                last.number
            }
            last => {
                let number = last.map_or(1, |l| l.number + 1);
                self.report_versions.push(ReportVersion { number, content, shared: vec![share] });
                number
            }
        };
        self.report_shared.push(ReportShare { to, on });
        if self.status == ReviewStatus::Held {
            self.status = ReviewStatus::ReportShared;
        }
        number
    }

    pub fn is_active(&self) -> bool {
        self.status != ReviewStatus::Cancelled
    }

    pub fn was_held(&self) -> bool {
        matches!(self.status, ReviewStatus::Held | ReviewStatus::ReportShared)
    }

    /// When arrangements should start: the policy's time before the meeting (two weeks). Like every
    /// date below, a day nobody works moves to the working day before.
    pub fn arrangements_start(&self, policy: &AreaPolicy) -> Option<NaiveDate> {
        let c = &policy.calendar;
        self.meeting_on.map(|m| c.working_day_on_or_before(policy.reviews.arrangements_before.before(m, c)))
    }

    /// When the papers must reach the panel (24 hours before the meeting; a Monday meeting's papers are
    /// due on the Friday, and after a bank holiday on the working day before it).
    pub fn papers_due(&self, policy: &AreaPolicy) -> Option<NaiveDate> {
        let c = &policy.calendar;
        self.meeting_on.map(|m| c.working_day_on_or_before(policy.reviews.papers_before.before(m, c)))
    }

    /// When the report must reach the family and everyone who took part (two weeks after).
    pub fn report_due(&self, policy: &AreaPolicy) -> Option<NaiveDate> {
        let c = &policy.calendar;
        self.meeting_on.map(|m| c.working_day_on_or_before(policy.reviews.report_within.after(m, c)).max(m))
    }

    /// Marking the review held on `today` would be before its meeting date (or it has no date yet): the
    /// reason, for the person marking it.
    pub fn too_early_to_hold(&self, today: NaiveDate) -> Option<String> {
        match self.meeting_on {
            None => Some("Set the meeting date first (change the arrangements)".to_string()),
            Some(day) if day > today => {
                Some(format!("The meeting is on {}: mark it as held on the day", crate::calendar::long_date(day)))
            }
            Some(_) => None,
        }
    }

    /// The report is late: the meeting was held, it has not gone to anyone, and its due date has passed.
    pub fn report_overdue(&self, policy: &AreaPolicy, today: NaiveDate) -> bool {
        self.status == ReviewStatus::Held && self.report_due(policy).is_some_and(|due| due < today)
    }

    /// The panel may open the papers only once consent for this review (or a best-interests decision)
    /// is in force.
    pub fn panel_may_open_papers(&self, consents: &[Consent], day: NaiveDate) -> bool {
        has_consent(consents, ConsentScope::Review, Some(self.id), day)
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
pub(crate) mod tests {
    use super::*;
    use crate::consent::GivenBy;
    use crate::test_support::{day, short as text};
    use crate::text::LongText;

    pub(crate) fn review(kind: ReviewKind, status: ReviewStatus, meeting_on: Option<NaiveDate>) -> Review {
        Review {
            id: ReviewId::from_time_and_random(1, [1; 10]),
            person_id: PersonId::from_time_and_random(1, [2; 10]),
            kind,
            name: ReviewName::Cetr,
            status,
            requested_on: day(2026, 10, 1),
            admission_id: None,
            meeting_on,
            place: None,
            format: Some(MeetingFormat::Both),
            panel: Panel {
                chair: Some(text("Chair")),
                clinical_expert: Some(text("Clinical expert")),
                expert_by_experience: Some(text("Expert by experience")),
            },
            attendees: Vec::new(),
            papers_sent_on: None,
            verbal_feedback_given: false,
            report_shared: Vec::new(),
            report_versions: Vec::new(),
            kloe_version: None,
            papers: Vec::new(),
        }
    }

    #[test]
    fn papers_are_recorded_once_each_by_key_and_come_on_a_day_only_when_received() {
        use crate::kloe::papers::PaperReceived;
        let received =
            |paper: &str, received: bool, on| PaperReceived { paper: paper.into(), received, from: None, on };
        let mut r = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2026, 12, 8)));
        r.papers = vec![received("planner", true, Some(day(2026, 12, 1))), received("crisis_plan", false, None)];
        assert!(r.validate().is_ok());
        for bad in [
            vec![received("Planner!", true, None)],
            vec![received("planner", true, None), received("planner", false, None)],
            vec![received("planner", false, Some(day(2026, 12, 1)))],
        ] {
            let fields: Vec<String> = Review { papers: bad.clone(), ..r.clone() }
                .validate()
                .err()
                .map(|e| e.into_fields().into_iter().map(|f| f.field).collect())
                .unwrap_or_default();
            assert_eq!(fields, ["papers"], "{bad:?}");
        }
    }

    #[test]
    fn a_review_works_from_the_kloe_version_it_was_arranged_with_after_the_area_edits_them() {
        let policy = AreaPolicy::default();
        let held = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2026, 12, 8)));
        let arranged = Review { kloe_version: Some(policy.kloe_prompts().version), ..held };
        let mut proposed = policy.clone();
        proposed.kloe[0].prompts[0].text = "Safeguarding, as our area asks it".into();
        let edited = policy.revise(proposed);
        assert_eq!(edited.kloe_prompts().version, 2);
        assert_eq!(arranged.kloe(&edited).version, 1);
        assert_ne!(arranged.kloe(&edited).prompts[0].text, "Safeguarding, as our area asks it");
        // A review stored before it named a version (the field missing) reads the first.
        let mut stored = serde_json::to_value(&arranged).unwrap_or_default();
        stored.as_object_mut().map(|o| o.remove("kloe_version"));
        let read: Review = serde_json::from_value(stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((read.kloe_version, read.kloe(&edited).version), (None, 1));
    }

    #[test]
    fn adults_not_in_education_have_a_ctr_and_everyone_else_a_cetr() {
        let policy = AreaPolicy::default();
        assert_eq!(review_name(15, None, false, &policy), ReviewName::Cetr);
        assert_eq!(review_name(19, Some(false), false, &policy), ReviewName::Ctr);
        assert_eq!(review_name(19, None, false, &policy), ReviewName::Ctr);
        assert_eq!(review_name(19, Some(true), false, &policy), ReviewName::Cetr);
        assert_eq!(review_name(22, Some(false), true, &policy), ReviewName::Cetr);
        assert_eq!(review_name(26, Some(false), true, &policy), ReviewName::Ctr);
        assert_eq!(ReviewName::Cetr.full(), "Care, Education and Treatment Review (CETR)");
    }

    #[test]
    fn attendees_are_typed_one_per_line_as_name_and_role() {
        let attendees = parse_attendees("Sam Parent, mother\n\n  Jo Advocate ,  advocate, independent\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(attendees.len(), 2);
        assert_eq!(attendees[1].name.as_str(), "Jo Advocate");
        assert_eq!(attendees[1].role.as_str(), "advocate, independent");
        assert_eq!(parse_attendees(&attendees_text(&attendees)), Ok(attendees));
        assert!(parse_attendees("Sam Parent").is_err_and(|e| e.starts_with("Line 1")));
        assert!(parse_attendees("ok, fine\n, mother").is_err_and(|e| e.starts_with("Line 2: the name")));
        assert_eq!(ReviewKind::from_name("post_admission"), Some(ReviewKind::PostAdmission));
        assert_eq!(MeetingFormat::from_name("both"), Some(MeetingFormat::Both));
    }

    #[test]
    fn the_report_is_overdue_two_weeks_after_the_meeting_until_shared() {
        let policy = AreaPolicy::default();
        let mut r = review(ReviewKind::Community, ReviewStatus::Held, Some(day(2026, 12, 10)));
        assert!(!r.report_overdue(&policy, day(2026, 12, 24)));
        assert!(r.report_overdue(&policy, day(2026, 12, 25)));
        r.status = ReviewStatus::ReportShared;
        assert!(!r.report_overdue(&policy, day(2026, 12, 25)));
    }

    #[test]
    fn a_review_is_held_on_or_after_its_meeting_date() {
        let r = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2026, 12, 10)));
        assert_eq!(
            r.too_early_to_hold(day(2026, 12, 9)).as_deref(),
            Some("The meeting is on 10 December 2026: mark it as held on the day")
        );
        assert_eq!(r.too_early_to_hold(day(2026, 12, 10)), None);
        assert!(
            review(ReviewKind::Community, ReviewStatus::Requested, None).too_early_to_hold(day(2026, 12, 10)).is_some()
        );
    }

    #[test]
    fn dates_follow_from_the_meeting() {
        let policy = AreaPolicy::default();
        let r = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2026, 12, 10)));
        assert_eq!(r.arrangements_start(&policy), Some(day(2026, 11, 26)));
        assert_eq!(r.papers_due(&policy), Some(day(2026, 12, 9)));
        assert_eq!(r.report_due(&policy), Some(day(2026, 12, 24)));
    }

    #[test]
    fn papers_due_on_a_day_nobody_works_move_to_the_working_day_before() {
        let policy = AreaPolicy::default();
        // A Monday meeting: papers 24 hours before would be Sunday, so Friday.
        let monday = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2026, 11, 30)));
        assert_eq!(monday.papers_due(&policy), Some(day(2026, 11, 27)));
        // Tuesday 29 December 2026, after Christmas (Friday 25) and Boxing Day's substitute (Monday 28):
        // papers on Thursday 24 December.
        let after_christmas = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2026, 12, 29)));
        assert_eq!(after_christmas.papers_due(&policy), Some(day(2026, 12, 24)));
        // Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        let after_easter = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2027, 3, 30)));
        assert_eq!(after_easter.papers_due(&policy), Some(day(2027, 3, 25)));
        // Arrangements two weeks before a meeting on 11 January 2027 would start on Monday 28 December 2026.
        let january = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2027, 1, 11)));
        assert_eq!(january.arrangements_start(&policy), Some(day(2026, 12, 24)));
        // A report due two weeks after a meeting on 14 December 2026 would be due on Monday 28 (a holiday).
        let december = review(ReviewKind::Community, ReviewStatus::Held, Some(day(2026, 12, 14)));
        assert_eq!(december.report_due(&policy), Some(day(2026, 12, 24)));
        // Leap day 2028 is a Tuesday: papers for a meeting on Wednesday 1 March are due then.
        let leap = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2028, 3, 1)));
        assert_eq!(leap.papers_due(&policy), Some(day(2028, 2, 29)));
    }

    #[test]
    fn a_held_review_names_its_panel_but_an_laep_has_no_independent_experts() {
        let mut r = review(ReviewKind::Community, ReviewStatus::Held, Some(day(2026, 12, 10)));
        assert_eq!(r.validate(), Ok(()));
        r.panel.expert_by_experience = None;
        assert!(r.validate().is_err());
        r.kind = ReviewKind::Laep;
        r.panel.clinical_expert = None;
        assert_eq!(r.validate(), Ok(()));
        r.panel.clinical_expert = Some(text("Dr Example"));
        assert!(r.validate().is_err());
    }

    #[test]
    fn an_inpatient_review_names_its_admission_and_an_arranged_one_its_date() {
        assert!(review(ReviewKind::PostAdmission, ReviewStatus::Requested, None).validate().is_err());
        assert!(review(ReviewKind::Community, ReviewStatus::Arranged, None).validate().is_err());
        let mut shared = review(ReviewKind::Community, ReviewStatus::ReportShared, Some(day(2026, 12, 10)));
        assert!(shared.validate().is_err());
        shared.report_shared.push(ReportShare { to: text("Family"), on: day(2026, 12, 9) });
        assert!(shared.validate().is_err(), "shared before the meeting");
        shared.report_shared[0].on = day(2026, 12, 15);
        assert_eq!(shared.validate(), Ok(()));
    }

    #[test]
    fn the_panel_opens_the_papers_only_with_consent_for_this_review() {
        let r = review(ReviewKind::Community, ReviewStatus::Arranged, Some(day(2026, 12, 10)));
        assert!(!r.panel_may_open_papers(&[], day(2026, 12, 9)));
        let consent = Consent {
            id: crate::ConsentId::from_time_and_random(1, [3; 10]),
            person_id: r.person_id,
            scope: ConsentScope::Review,
            review_id: Some(r.id),
            given_by: GivenBy::BestInterests {
                decision_maker: text("Dr Example"),
                reason: LongText::parse("Lacks capacity to decide about the review").unwrap_or_else(|e| panic!("{e}")),
            },
            given_on: day(2026, 11, 20),
            withdrawn_on: None,
            withdrawal_asked_by: None,
            withdrawal_reason: None,
            withdrawal_requested_on: None,
            recorded_by: text("Coordinator"),
        };
        assert!(r.panel_may_open_papers(std::slice::from_ref(&consent), day(2026, 12, 9)));
        assert!(!r.panel_may_open_papers(std::slice::from_ref(&consent), day(2026, 11, 19)));
    }
}
