//! An area's policy: every number the handbook marks configurable, with the handbook's defaults
//! (from the seeds and national guidance). Data, never code: each area loads its own from TOML, and
//! any value it leaves out keeps the default.
//!
//! ```toml
//! area_name = "Example ICB"
//! [consent]
//! child_must_agree_from = 14
//! [reviews]
//! post_admission_child = "5 working days"
//! ```

use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::consent::ConsentScope;
use crate::kloe::prompts::KloePrompts;
use crate::meeting::{HolidayMove, MeetingCadence};
use crate::period::Period;
use crate::rating::Rating;
use crate::risk::{AgeBand, RiskTool, example_tools};
use crate::{Validate, ValidationErrors};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AreaPolicy {
    pub area_name: String,
    /// Adulthood for reviews and risk tools (child and adult timescales, CTR or CETR).
    pub adult_age: u8,
    pub consent: ConsentPolicy,
    pub reviews: ReviewPolicy,
    pub oversight_visits: OversightPolicy,
    pub referrals: ReferralPolicy,
    pub keyworker: KeyworkerPolicy,
    /// How long after someone leaves the register their details are removed. Seed 001: 12 months.
    pub retention_after_leaving: Period,
    pub meetings: MeetingCadence,
    /// Where a DSR meeting the cadence puts on a bank holiday goes.
    pub meeting_on_bank_holiday: HolidayMove,
    /// Who comes back to the DSR meeting's agenda, and how often.
    pub agenda: AgendaPolicy,
    /// The area's risk tools: every version of every band (old assessments keep their version).
    pub risk_tools: Vec<RiskTool>,
    /// Working days: England's bank holidays plus any the area adds.
    pub calendar: Calendar,
    /// What families and young people see: who to contact, and the planner's wording.
    pub families: FamilyPolicy,
    /// The area's key lines of enquiry: every version (a review keeps the one it was held with).
    pub kloe: Vec<KloePrompts>,
    /// How the anonymised figures that leave the area hide small numbers. Left out of the JSON while it
    /// is the default, so a device still running the app from before it reads its area's policy.
    #[serde(skip_serializing_if = "ReturnPolicy::is_default")]
    pub returns: ReturnPolicy,
}

/// How the anonymised aggregate return hides small numbers (NHS England's statistical disclosure
/// control for Assuring Transformation and the Learning Disability and Autism statistics: counts of 1 to
/// 4 shown as `*`, totals rounded to the nearest 5). Configurable: some areas and returns differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReturnPolicy {
    /// A count from 1 up to (not including) this is shown as `*`; 1 suppresses nothing.
    pub suppress_below: u32,
    /// Totals are rounded to the nearest multiple of this; 1 leaves them exact.
    pub round_totals_to: u32,
}

impl ReturnPolicy {
    pub fn is_default(&self) -> bool {
        *self == ReturnPolicy::default()
    }
}

impl Default for ReturnPolicy {
    fn default() -> Self {
        ReturnPolicy { suppress_below: 5, round_totals_to: 5 }
    }
}

/// What families and young people see of the area: who to contact (on their home page), and the
/// planner's questions as the area's own planner words them (seed 000: areas send their own booklet
/// and planner; the questions are seed 003's unless the area words them otherwise).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct FamilyPolicy {
    /// Who families contact about the register and reviews (a team or a person); empty: not set.
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    /// A question's name (`current_situation`, `at_home`...) to the area's wording of it.
    pub question_wording: std::collections::BTreeMap<String, String>,
    /// A family's (or young person's) withdrawal of consent on their own account takes effect at once.
    /// Otherwise (the default) it reaches the DSR coordinator as a request, who confirms it with them.
    pub withdrawal_takes_effect: bool,
}

impl FamilyPolicy {
    /// The area's wording of the question named `name`, if it words it its own way.
    pub fn wording(&self, name: &str) -> Option<&str> {
        self.question_wording.get(name).map(|w| w.trim()).filter(|w| !w.is_empty())
    }

    fn check(&self, errors: &mut ValidationErrors) {
        let one_line = |text: &str| text.chars().count() <= 200 && !text.contains(['\n', '\r']);
        errors.require(
            !one_line(&self.contact_name),
            "families.contact_name",
            "Write a name of at most 200 characters",
        );
        let phone = self.contact_phone.trim();
        let phone_ok = phone.chars().all(|c| c.is_ascii_digit() || " +()-".contains(c))
            && phone.chars().filter(char::is_ascii_digit).count() >= 6
            && phone.len() <= 30;
        errors.require(
            !phone.is_empty() && !phone_ok,
            "families.contact_phone",
            "Write a phone number, for example 01632 960 001",
        );
        let email = self.contact_email.trim();
        let email_ok = email.len() <= 200
            && !email.contains(char::is_whitespace)
            && email.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
        errors.require(
            !email.is_empty() && !email_ok,
            "families.contact_email",
            "Write an email address, for example dsr.team@nhs.net",
        );
        let known: Vec<&str> = crate::planner::question_names().map(|(name, _)| name).collect();
        for (name, words) in &self.question_wording {
            let field = format!("families.question_wording.{name}");
            errors.require(!known.contains(&name.as_str()), &field, "There is no such question");
            errors.require(!one_line(words.trim()), &field, "Write the question in one line of at most 200 characters");
        }
    }
}

/// Who may consent, by age, set separately for being on the register and for a review, because the
/// sources differ. Handbook: 16+ the young person (Mental Capacity Act applies); under 16 a person with
/// parental responsibility, or the child if Gillick competent. Seed 002 (the register): "under 14
/// parents may consent, after 14 the person needs to agree"; seed 000 (a CETR): from 16 the young
/// person consents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ConsentPolicy {
    /// The register (and information sharing): from this age the person consents for themselves (or a
    /// best-interests decision is made).
    pub consents_for_themselves_from: u8,
    /// The register: from this age (below the one above) a parent's consent also needs the child's
    /// agreement (seed 002: 14).
    pub child_must_agree_from: Option<u8>,
    /// A review (C(E)TR): from this age the young person consents for themselves (seed 000: 16).
    pub review_consents_for_themselves_from: u8,
    /// A review: from this age a parent's consent also needs the child's agreement (none by default).
    pub review_child_must_agree_from: Option<u8>,
}

/// The ages that decide who consents to one thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentAges {
    /// From this age the person consents for themselves.
    pub themselves_from: u8,
    /// From this age a parent's consent also needs the child's agreement.
    pub child_agrees_from: Option<u8>,
}

impl ConsentPolicy {
    /// The ages for consent of `scope`: a review's own, or the register's (information sharing too).
    pub fn ages(&self, scope: ConsentScope) -> ConsentAges {
        match scope {
            ConsentScope::Review => ConsentAges {
                themselves_from: self.review_consents_for_themselves_from,
                child_agrees_from: self.review_child_must_agree_from,
            },
            ConsentScope::Register | ConsentScope::InformationSharing => ConsentAges {
                themselves_from: self.consents_for_themselves_from,
                child_agrees_from: self.child_must_agree_from,
            },
        }
    }
}

/// C(E)TR timescales. Seeds 000, 001 and national guidance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReviewPolicy {
    /// Arrangements start at least this long before the meeting (seed 000: two weeks).
    pub arrangements_before: Period,
    /// Papers reach the panel at least this long before the meeting (24 hours).
    pub papers_before: Period,
    /// The report reaches the family and everyone who took part within this (seed 000: two weeks).
    pub report_within: Period,
    /// A child admitted without a community review has one within this (seed 001: 10 working days;
    /// seed 000: two weeks; an interim national measure: 5 working days, the strictest and the default).
    pub post_admission_child: Period,
    /// An adult likewise (4 weeks).
    pub post_admission_adult: Period,
    /// A child in hospital has a review this often (seed 000: every 3 months).
    pub inpatient_repeat_child: Period,
    /// A child admitted after a community review that did not prevent admission has a repeat within
    /// this (seed 001: 6 weeks).
    pub inpatient_after_community_child: Period,
    /// An adult in hospital: every 6 months.
    pub inpatient_repeat_adult: Period,
    /// An adult in a secure setting: every 12 months.
    pub inpatient_repeat_adult_secure: Period,
    /// Someone rated Red has a community review within this. Not set by the handbook (a Red "must"
    /// have one): the default is the two weeks arrangements take.
    pub red_review_within: Period,
    /// Someone rated Amber has a multi-agency meeting or a C(E)TR within this (not set by the sources).
    pub amber_meeting_within: Period,
    /// Someone rated Green has the partners who would be involved in a C(E)TR identified within this.
    pub green_partners_within: Period,
    /// A community C(E)TR held this long before an admission counts as "a community review before
    /// admission" (then no post-admission review is due). Not set by the sources.
    pub community_review_counts_for: Period,
    /// Up to this age a person whose education placement has broken down has a CETR, not a CTR.
    pub cetr_education_age_limit: u8,
}

/// Commissioner oversight visits to inpatients placed out of area.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OversightPolicy {
    pub child_every: Period,
    pub adult_every: Period,
    /// Visits only for people placed out of area (the national framework), or for every inpatient.
    pub out_of_area_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReferralPolicy {
    /// A referral is risk-reviewed (triaged) within this (handbook example: 4 weeks).
    pub triage_within: Period,
    /// A self-referring family is contacted within this, when the area sets it (example: 5 working days).
    pub self_referral_contact_within: Option<Period>,
}

/// Keyworkers: for children and young people on the register (handbook: aged 0-25; seed 002: "under 25").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeyworkerPolicy {
    /// Offered to people younger than this.
    pub younger_than: u8,
    /// Offered at these ratings (some areas: Red, Amber or Blue only).
    pub ratings: Vec<Rating>,
    /// A family who declined a keyworker referral is not asked again within this, even when the risk
    /// rises (after it, a rise to Amber or Red offers it again).
    pub declined_holds_for: Period,
}

impl Default for AreaPolicy {
    fn default() -> Self {
        Self {
            area_name: "Area".into(),
            adult_age: 18,
            consent: ConsentPolicy::default(),
            reviews: ReviewPolicy::default(),
            oversight_visits: OversightPolicy::default(),
            referrals: ReferralPolicy::default(),
            keyworker: KeyworkerPolicy::default(),
            retention_after_leaving: Period::Months(12),
            meetings: MeetingCadence::default(),
            meeting_on_bank_holiday: HolidayMove::default(),
            agenda: AgendaPolicy::default(),
            risk_tools: example_tools(),
            calendar: Calendar::england(),
            families: FamilyPolicy::default(),
            kloe: vec![KloePrompts::default_set()],
            returns: ReturnPolicy::default(),
        }
    }
}

/// How often each rating comes back to the DSR meeting's agenda. Red and Blue (in hospital) come to
/// every meeting: that is not configurable (nobody Red slips through). Seed 001: the register is reviewed
/// at the monthly meeting; handbook: "how often each rating comes back is policy".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgendaPolicy {
    /// Amber people come back when last rated or discussed this long ago; none: at every meeting.
    pub amber_back_after: Option<Period>,
    /// Green people come back to be re-rated when last rated or discussed this long ago.
    pub green_back_after: Period,
}

impl Default for AgendaPolicy {
    fn default() -> Self {
        Self { amber_back_after: None, green_back_after: Period::Months(3) }
    }
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        Self {
            consents_for_themselves_from: 16,
            child_must_agree_from: Some(14),
            review_consents_for_themselves_from: 16,
            review_child_must_agree_from: None,
        }
    }
}

impl Default for ReviewPolicy {
    fn default() -> Self {
        Self {
            arrangements_before: Period::Weeks(2),
            papers_before: Period::Hours(24),
            report_within: Period::Weeks(2),
            post_admission_child: Period::WorkingDays(5),
            post_admission_adult: Period::Weeks(4),
            inpatient_repeat_child: Period::Months(3),
            inpatient_after_community_child: Period::Weeks(6),
            inpatient_repeat_adult: Period::Months(6),
            inpatient_repeat_adult_secure: Period::Months(12),
            red_review_within: Period::Weeks(2),
            amber_meeting_within: Period::Weeks(4),
            green_partners_within: Period::Weeks(4),
            community_review_counts_for: Period::Months(6),
            cetr_education_age_limit: 25,
        }
    }
}

impl Default for OversightPolicy {
    fn default() -> Self {
        Self { child_every: Period::Weeks(6), adult_every: Period::Weeks(8), out_of_area_only: true }
    }
}

impl Default for ReferralPolicy {
    fn default() -> Self {
        Self { triage_within: Period::Weeks(4), self_referral_contact_within: Some(Period::WorkingDays(5)) }
    }
}

impl Default for KeyworkerPolicy {
    fn default() -> Self {
        Self { younger_than: 25, ratings: Rating::ALL.to_vec(), declined_holds_for: Period::Months(3) }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("the policy file is not valid TOML for a policy: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("the policy breaks a rule: {0}")]
    Invalid(ValidationErrors),
}

impl AreaPolicy {
    /// Reads a policy from TOML; anything left out keeps its default. Checked before it is returned.
    pub fn from_toml(text: &str) -> Result<Self, PolicyError> {
        let policy: AreaPolicy = toml::from_str(text)?;
        policy.validate().map_err(PolicyError::Invalid)?;
        Ok(policy)
    }

    /// The newest version of the area's key lines of enquiry (what a review arranged now works from).
    pub fn kloe_prompts(&self) -> &KloePrompts {
        static DEFAULT: std::sync::OnceLock<KloePrompts> = std::sync::OnceLock::new();
        self.kloe.iter().max_by_key(|k| k.version).unwrap_or_else(|| DEFAULT.get_or_init(KloePrompts::default_set))
    }

    /// The version a review works from: the one it names (kept however the area edits them since), or
    /// the first (a review from before versions were kept).
    pub fn kloe_version(&self, version: Option<u32>) -> &KloePrompts {
        let named = version.and_then(|v| self.kloe.iter().find(|k| k.version == v));
        let first = || self.kloe.iter().min_by_key(|k| k.version);
        named.or_else(first).unwrap_or_else(|| self.kloe_prompts())
    }

    /// The newest version of the risk tool for `band`.
    pub fn risk_tool(&self, band: AgeBand) -> Option<&RiskTool> {
        self.risk_tools.iter().filter(|t| t.age_band == band).max_by_key(|t| t.version)
    }
}

impl AreaPolicy {
    /// The next DSR meeting on or after `day`, moved off a bank holiday as the policy says.
    pub fn next_dsr_meeting(&self, day: chrono::NaiveDate) -> chrono::NaiveDate {
        self.meetings.next_meeting_on_or_after(day, &self.calendar, self.meeting_on_bank_holiday)
    }

    /// Where the default of a setting (named by its field path) comes from, in plain words: the policy
    /// page shows it beside the setting. Where the sources differ, the default is the strictest.
    pub fn default_source(field: &str) -> &'static str {
        // Every question's wording has the one source.
        let field = if field.starts_with("families.question_wording.") { "families.question_wording" } else { field };
        DEFAULT_SOURCES.iter().find(|(f, _)| *f == field).map_or("", |(_, source)| source)
    }

    /// Every length of time the policy sets, named by its field path (`reviews.report_within`).
    pub fn periods(&self) -> [(&'static str, Period); 19] {
        let r = &self.reviews;
        [
            ("reviews.arrangements_before", r.arrangements_before),
            ("reviews.papers_before", r.papers_before),
            ("reviews.report_within", r.report_within),
            ("reviews.post_admission_child", r.post_admission_child),
            ("reviews.post_admission_adult", r.post_admission_adult),
            ("reviews.inpatient_repeat_child", r.inpatient_repeat_child),
            ("reviews.inpatient_after_community_child", r.inpatient_after_community_child),
            ("reviews.inpatient_repeat_adult", r.inpatient_repeat_adult),
            ("reviews.inpatient_repeat_adult_secure", r.inpatient_repeat_adult_secure),
            ("reviews.red_review_within", r.red_review_within),
            ("reviews.amber_meeting_within", r.amber_meeting_within),
            ("reviews.green_partners_within", r.green_partners_within),
            ("reviews.community_review_counts_for", r.community_review_counts_for),
            ("keyworker.declined_holds_for", self.keyworker.declined_holds_for),
            ("oversight_visits.child_every", self.oversight_visits.child_every),
            ("oversight_visits.adult_every", self.oversight_visits.adult_every),
            ("referrals.triage_within", self.referrals.triage_within),
            ("agenda.green_back_after", self.agenda.green_back_after),
            ("retention_after_leaving", self.retention_after_leaving),
        ]
    }

    /// A tool by its id and version (an assessment names the version it was made with).
    pub fn risk_tool_version(&self, id: crate::RiskToolId, version: u32) -> Option<&RiskTool> {
        self.risk_tools.iter().find(|t| t.id == id && t.version == version)
    }

    /// The policy a coordinator's edit makes: everything as `proposed`, except that a risk tool is never
    /// changed in place. A tool whose questions, weights or thresholds differ from the version it names
    /// becomes a new version of its band; every version this policy had is kept, so old assessments
    /// keep theirs.
    pub fn revise(&self, proposed: AreaPolicy) -> AreaPolicy {
        let mut tools = self.risk_tools.clone();
        for mut tool in proposed.risk_tools.clone() {
            let same_version =
                self.risk_tools.iter().find(|t| t.age_band == tool.age_band && t.version == tool.version);
            match same_version {
                Some(old) if *old == tool => {}
                _ => {
                    let newest = tools.iter().filter(|t| t.age_band == tool.age_band).map(|t| t.version).max();
                    if let Some(old) = self.risk_tools.iter().find(|t| t.age_band == tool.age_band) {
                        tool.id = old.id;
                    }
                    tool.version = newest.map_or(1, |v| v + 1);
                    tools.push(tool);
                }
            }
        }
        // Likewise the key lines of enquiry: an edit of a version is the next version, every one kept.
        let mut kloe = self.kloe.clone();
        for set in proposed.kloe.clone() {
            if self.kloe.contains(&set) {
                continue;
            }
            let newest = kloe.iter().map(|k| k.version).max().unwrap_or(0);
            kloe.push(KloePrompts { version: newest + 1, ..set });
        }
        AreaPolicy { risk_tools: tools, kloe, ..proposed }
    }
}

/// The longest any timescale of the process may be set to.
pub const MAX_PERIOD_YEARS: u32 = 5;
/// The longest a person's details may be kept after they leave the register (records management
/// schedules keep some health records for decades).
pub const MAX_RETENTION_YEARS: u32 = 30;

/// Where each default comes from (field path, source). Every setting of the policy form has one.
pub const DEFAULT_SOURCES: &[(&str, &str)] = &[
    ("adult_age", "Handbook: child and adult timescales; 18"),
    ("reviews.arrangements_before", "Seed 000: arrangements start at least 2 weeks before the meeting"),
    ("reviews.papers_before", "Handbook: papers reach the panel at least 24 hours before"),
    ("reviews.report_within", "Seed 000: the report goes out within 2 weeks of the meeting"),
    (
        "reviews.post_admission_child",
        "Seed 001: 10 working days; seed 000: two weeks; interim national measure: 5 working days (the strictest, used)",
    ),
    ("reviews.post_admission_adult", "Handbook (national guidance): within 4 weeks"),
    ("reviews.inpatient_repeat_child", "Seed 000: every 3 months"),
    (
        "reviews.inpatient_after_community_child",
        "Seed 001: 6 weeks after a community review that did not prevent admission",
    ),
    ("reviews.inpatient_repeat_adult", "Handbook (national guidance): every 6 months"),
    ("reviews.inpatient_repeat_adult_secure", "Handbook (national guidance): every 12 months in secure settings"),
    (
        "reviews.red_review_within",
        "Seed 002 (NHS England): for Red 'a C(E)TR must take place'; no time is set, so the 2 weeks arrangements take",
    ),
    (
        "reviews.amber_meeting_within",
        "Seed 002 (NHS England): for Amber a multi-agency meeting and/or a C(E)TR; no time is set: 4 weeks",
    ),
    (
        "reviews.green_partners_within",
        "Seed 002 (NHS England): for Green identify the partners for a C(E)TR; no time is set: 4 weeks",
    ),
    (
        "reviews.community_review_counts_for",
        "Not set by the sources: a community C(E)TR held up to 6 months before an admission counts",
    ),
    ("reviews.cetr_education_age_limit", "Seed 000: a CETR for 18-25s whose education placement broke down"),
    ("oversight_visits.child_every", "Handbook: every 6 weeks for children"),
    ("oversight_visits.adult_every", "Handbook: every 8 weeks for adults"),
    ("oversight_visits.out_of_area_only", "Handbook: for inpatients placed out of area"),
    ("consent.consents_for_themselves_from", "Handbook, seed 000: from 16 the young person (Mental Capacity Act)"),
    ("consent.child_must_agree_from", "Seed 002: 'under 14 parents may consent, after 14 the person needs to agree'"),
    ("consent.review_consents_for_themselves_from", "Seed 000: from 16 the young person consents to a CETR"),
    ("consent.review_child_must_agree_from", "No source asks for it: none"),
    ("referrals.triage_within", "Handbook: some areas risk-review a referral within 4 weeks"),
    ("referrals.self_referral_contact_within", "Handbook: some areas contact a self-referrer within 5 working days"),
    ("meetings", "Handbook: monthly in most areas, fortnightly in some; the day is an example"),
    ("meeting_on_bank_holiday", "Not set by the sources: the working day before, so no decision is later"),
    ("calendar.extra_holidays", "Bank holidays in England are built in"),
    ("keyworker.younger_than", "Handbook, seed 002: keyworkers for people aged 0-25"),
    ("keyworker.ratings", "Handbook: some areas offer keyworkers at Red, Amber or Blue only; default every rating"),
    (
        "keyworker.declined_holds_for",
        "Not set by the sources: a declined referral is offered again on a rise to Amber or Red after 3 months",
    ),
    (
        "agenda.amber_back_after",
        "Handbook: the DSR meeting goes through the people on the register; Amber at every meeting unless the area says otherwise",
    ),
    (
        "agenda.green_back_after",
        "Seed 001: the register is reviewed at the monthly meeting; Green re-rated every 3 months (our default)",
    ),
    ("retention_after_leaving", "Seed 001: details removed 12 months after leaving (the shortest of the sources)"),
    (
        "returns.suppress_below",
        "NHS England's statistical disclosure control for Assuring Transformation: counts of 1 to 4 suppressed",
    ),
    ("returns.round_totals_to", "NHS England's statistical disclosure control: totals rounded to the nearest 5"),
    ("families.contact_name", "Not set by the sources: each area names its own team"),
    ("families.contact_phone", "Not set by the sources: each area gives its own"),
    ("families.contact_email", "Not set by the sources: each area gives its own"),
    (
        "families.withdrawal_takes_effect",
        "Seed 001: consent can be withdrawn at any time; not set by the sources how: a request the coordinator confirms (our default)",
    ),
    (
        "families.question_wording",
        "Seed 003: the questions the review asks the young person; the family's own: handbook ('the family fills in their own views')",
    ),
];

impl Validate for AreaPolicy {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(self.area_name.trim().is_empty(), "area_name", "Enter the area's name");
        errors.require(!(16..=21).contains(&self.adult_age), "adult_age", "Adulthood starts between 16 and 21");
        errors.require(
            !(1..=20).contains(&self.returns.suppress_below),
            "returns.suppress_below",
            "Counts below a number from 1 (hide nothing) to 20 are hidden",
        );
        errors.require(
            !(1..=100).contains(&self.returns.round_totals_to),
            "returns.round_totals_to",
            "Round totals to a number from 1 (exact) to 100",
        );
        // The register's ages and a review's, each on its own fields.
        for (scope, themselves, agrees) in [
            (ConsentScope::Register, "consent.consents_for_themselves_from", "consent.child_must_agree_from"),
            (
                ConsentScope::Review,
                "consent.review_consents_for_themselves_from",
                "consent.review_child_must_agree_from",
            ),
        ] {
            let ages = self.consent.ages(scope);
            errors.require(
                !(12..=18).contains(&ages.themselves_from),
                themselves,
                "The age a person consents for themselves must be between 12 and 18",
            );
            errors.require(
                ages.child_agrees_from.is_some_and(|age| age >= ages.themselves_from),
                agrees,
                "The age a child must agree must be below the age they consent for themselves",
            );
        }
        // Papers may reach the panel on the day itself; every other length of time must be longer than zero.
        for (field, period) in self.periods() {
            errors.require(period.is_zero() && field != "reviews.papers_before", field, "Must be longer than zero");
            // A length no process needs is a typing slip (or an attempt to stall every deadline).
            let most = if field == "retention_after_leaving" { MAX_RETENTION_YEARS } else { MAX_PERIOD_YEARS };
            errors.require(
                period.longer_than_years(most),
                field,
                &format!("Must be at most {most} years (for example {} months)", most * 12),
            );
        }
        if let Some(amber) = self.agenda.amber_back_after {
            errors.require(amber.is_zero(), "agenda.amber_back_after", "Must be longer than zero, or left empty");
            errors.require(
                amber.longer_than_years(MAX_PERIOD_YEARS),
                "agenda.amber_back_after",
                &format!("Must be at most {MAX_PERIOD_YEARS} years"),
            );
        }
        errors.require(self.keyworker.ratings.is_empty(), "keyworker.ratings", "Name at least one rating");
        self.families.check(&mut errors);
        for band in [AgeBand::Under18, AgeBand::Adult] {
            errors.require(
                self.risk_tool(band).is_none(),
                "risk_tools",
                &format!("There is no risk tool for {band:?}"),
            );
        }
        errors.require(self.kloe.is_empty(), "kloe", "The area needs its key lines of enquiry");
        for set in &self.kloe {
            if let Err(problems) = set.validate() {
                errors.add("kloe", format!("Version {} of the key lines of enquiry: {problems}", set.version));
            }
            errors.require(
                self.kloe.iter().filter(|k| k.version == set.version).count() > 1,
                "kloe",
                &format!("Two sets of key lines of enquiry have version {}", set.version),
            );
        }
        for tool in &self.risk_tools {
            if let Err(problems) = tool.validate() {
                errors.add("risk_tools", format!("{}: {problems}", tool.name));
            }
            let same = self.risk_tools.iter().filter(|t| t.age_band == tool.age_band && t.version == tool.version);
            errors.require(
                same.count() > 1,
                "risk_tools",
                &format!("Two tools for {:?} have version {}", tool.age_band, tool.version),
            );
        }
        errors.into_result()
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_handbooks() {
        let policy = AreaPolicy::default();
        assert_eq!(policy.validate(), Ok(()));
        // The strictest of the sources (seed 001: 10 working days; interim national measure: 5).
        assert_eq!(policy.reviews.post_admission_child, Period::WorkingDays(5));
        assert_eq!(policy.reviews.inpatient_repeat_adult_secure, Period::Months(12));
        assert_eq!(policy.oversight_visits.child_every, Period::Weeks(6));
        assert_eq!(policy.oversight_visits.adult_every, Period::Weeks(8));
        assert_eq!(policy.retention_after_leaving, Period::Months(12));
        assert_eq!(policy.consent.consents_for_themselves_from, 16);
        // The register and a review differ: agreement from 14 (seed 002), consent to a CETR at 16.
        assert_eq!(policy.consent.ages(ConsentScope::Register).child_agrees_from, Some(14));
        assert_eq!(policy.consent.ages(ConsentScope::Review).child_agrees_from, None);
        assert_eq!(policy.consent.ages(ConsentScope::Review).themselves_from, 16);
        assert_eq!(policy.referrals.triage_within, Period::Weeks(4));
    }

    #[test]
    fn a_policy_loads_from_toml_and_keeps_defaults_for_the_rest() {
        let policy = AreaPolicy::from_toml(
            r#"
            area_name = "Cambridgeshire and Peterborough (example)"
            retention_after_leaving = "24 months"
            [consent]
            child_must_agree_from = 14
            [reviews]
            post_admission_child = "10 working days"
            [keyworker]
            ratings = ["red", "amber", "blue"]
            [meetings]
            monthly = { week = 2, weekday = "Tue" }
            "#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(policy.consent.child_must_agree_from, Some(14));
        assert_eq!(policy.reviews.post_admission_child, Period::WorkingDays(10));
        assert_eq!(policy.reviews.post_admission_adult, Period::Weeks(4));
        assert_eq!(policy.retention_after_leaving, Period::Months(24));
        assert_eq!(policy.keyworker.ratings, vec![Rating::Red, Rating::Amber, Rating::Blue]);
        assert_eq!(policy.risk_tools.len(), 2);
    }

    #[test]
    fn bad_policies_are_refused_with_the_field_named() {
        let unknown = AreaPolicy::from_toml("retention = \"1 month\"").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(unknown.contains("retention"), "{unknown}");
        let bad_period = AreaPolicy::from_toml("[reviews]\nreport_within = \"soon\"").err().map(|e| e.to_string());
        assert!(bad_period.unwrap_or_default().contains("not a length of time"));
        let zero = AreaPolicy::from_toml("[reviews]\nreport_within = \"0 days\"").err().map(|e| e.to_string());
        assert!(zero.unwrap_or_default().contains("reviews.report_within"));
        let ages = AreaPolicy::from_toml("[consent]\nchild_must_agree_from = 16").err().map(|e| e.to_string());
        assert!(ages.unwrap_or_default().contains("consent.child_must_agree_from"));
        let review = AreaPolicy::from_toml("[consent]\nreview_child_must_agree_from = 17").err().map(|e| e.to_string());
        assert!(review.unwrap_or_default().contains("consent.review_child_must_agree_from"));
        // A length no process needs: a field error, never a stalled server.
        let huge = AreaPolicy::from_toml("[referrals]\ntriage_within = \"4000000000 working days\"").err();
        let huge = huge.map(|e| e.to_string()).unwrap_or_default();
        assert!(huge.contains("referrals.triage_within") && huge.contains("at most 5 years"), "{huge}");
        assert!(AreaPolicy::from_toml("retention_after_leaving = \"25 years\"").is_err(), "not a unit");
        assert!(AreaPolicy::from_toml("retention_after_leaving = \"300 months\"").is_ok(), "25 years of retention");
        assert!(AreaPolicy::from_toml("retention_after_leaving = \"400 months\"").is_err());
    }

    #[test]
    fn a_changed_risk_tool_becomes_a_new_version_and_old_versions_stay() {
        let policy = AreaPolicy::default();
        let mut proposed = policy.clone();
        proposed.reviews.report_within = Period::Weeks(3);
        // Unchanged tools: nothing new.
        let same = policy.revise(proposed.clone());
        assert_eq!(same.risk_tools, policy.risk_tools);
        assert_eq!(same.reviews.report_within, Period::Weeks(3));
        // A changed threshold: a new version with the same id, the old one kept.
        let adult = proposed.risk_tools.iter_mut().find(|t| t.age_band == AgeBand::Adult);
        let Some(adult) = adult else { panic!("no adult tool") };
        adult.red_from = 9;
        let old = policy.risk_tool(AgeBand::Adult).cloned().unwrap_or_else(|| panic!("no adult tool"));
        let revised = policy.revise(proposed.clone());
        assert_eq!(revised.validate(), Ok(()));
        assert_eq!(revised.risk_tools.len(), 3);
        let newest = revised.risk_tool(AgeBand::Adult).unwrap_or_else(|| panic!("no adult tool"));
        assert_eq!((newest.version, newest.red_from, newest.id), (2, 9, old.id));
        assert_eq!(revised.risk_tool_version(old.id, 1), Some(&old));
        // Dropping a version from the proposal does not delete it.
        let mut fewer = revised.clone();
        fewer.risk_tools.retain(|t| t.version == 2 || t.age_band == AgeBand::Under18);
        assert_eq!(revised.revise(fewer).risk_tools.len(), 3);
    }

    #[test]
    fn a_policy_stored_before_the_review_consent_ages_still_loads() {
        let old = r#"{"area_name":"Old","consent":{"consents_for_themselves_from":16,"child_must_agree_from":null}}"#;
        let policy: AreaPolicy = serde_json::from_str(old).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(policy.consent.child_must_agree_from, None);
        assert_eq!(policy.consent.review_consents_for_themselves_from, 16);
        assert_eq!(policy.meeting_on_bank_holiday, HolidayMove::WorkingDayBefore);
    }

    #[test]
    fn every_setting_names_the_source_of_its_default() {
        let policy = AreaPolicy::default();
        for (field, _) in policy.periods() {
            assert!(!AreaPolicy::default_source(field).is_empty(), "{field}");
        }
        for (_, settings) in crate::policy_form::SECTIONS {
            for setting in settings {
                assert!(!AreaPolicy::default_source(setting.field).is_empty(), "{}", setting.field);
            }
        }
    }

    #[test]
    fn a_review_keeps_its_kloe_version_after_the_area_edits_them() {
        let policy = AreaPolicy::default();
        assert_eq!(policy.kloe_prompts().version, 1);
        // The area rewords a prompt: that is version 2, and version 1 is kept as it was.
        let mut proposed = policy.clone();
        proposed.kloe[0].prompts[0].text = "Safeguarding, as our area asks it".into();
        let revised = policy.revise(proposed);
        assert_eq!(revised.validate(), Ok(()));
        assert_eq!(revised.kloe.iter().map(|k| k.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(revised.kloe_prompts().prompts[0].text, "Safeguarding, as our area asks it");
        // A review held with version 1 still reads version 1; one from before versions, the first.
        assert_eq!(revised.kloe_version(Some(1)), &KloePrompts::default_set());
        assert_eq!(revised.kloe_version(None).version, 1);
        assert_eq!(revised.kloe_version(Some(9)).version, 1, "an unknown version reads as the first");
        // Saving the same again makes no new version.
        assert_eq!(revised.revise(revised.clone()).kloe.len(), 2);
        // A set the panel could not work from is refused.
        let mut broken = revised.clone();
        broken.kloe[1].prompts.clear();
        assert!(broken.validate().is_err_and(|e| e.message_for("kloe").is_some()));
        // A policy stored before the key lines of enquiry were kept reads with the default set.
        let mut stored = serde_json::to_value(AreaPolicy::default()).unwrap_or_default();
        stored.as_object_mut().map(|o| o.remove("kloe"));
        let read: AreaPolicy = serde_json::from_value(stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(read.kloe, vec![KloePrompts::default_set()]);
    }

    #[test]
    fn the_newest_tool_version_is_used() {
        let mut policy = AreaPolicy::default();
        let mut newer = policy.risk_tool(AgeBand::Adult).cloned().unwrap_or_else(|| panic!("no adult tool"));
        newer.version = 2;
        newer.red_from = 9;
        policy.risk_tools.push(newer);
        assert_eq!(policy.validate(), Ok(()));
        assert_eq!(policy.risk_tool(AgeBand::Adult).map(|t| (t.version, t.red_from)), Some((2, 9)));
        assert_eq!(policy.risk_tool(AgeBand::Under18).map(|t| t.version), Some(1));
    }
}
