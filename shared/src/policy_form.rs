//! The area policy as a coordinator edits it: every setting as the words typed into one field, named
//! by the same dotted path the policy's own checks use (`reviews.report_within`), so an error lands on
//! its field. [`PolicyForm::of`] fills the form from a policy; [`PolicyForm::apply`] makes the policy
//! the form says, or names every field that needs attention.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Weekday};

use crate::kloe::KeyQuestion;
use crate::kloe::papers::Paper;
use crate::kloe::prompts::{KloePrompt, KloePrompts};
use crate::meeting::{HolidayMove, MeetingCadence};
use crate::period::Period;
use crate::planner::{FamilyQuestion, PlannerQuestion, question_names};
use crate::policy::AreaPolicy;
use crate::rating::Rating;
use crate::risk::{AgeBand, RiskItem, RiskTool};
use crate::text::ShortText;
use crate::{Validate, ValidationErrors};

/// One setting of the form: its field name, its label and hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    pub field: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
}

const fn setting(field: &'static str, label: &'static str, hint: &'static str) -> Setting {
    Setting { field, label, hint }
}

const PERIOD_HINT: &str = "A number and a unit: days, working days, weeks, months or hours";

/// The settings, in the order the page shows them, grouped under headings.
pub const SECTIONS: [(&str, &[Setting]); 9] = [
    (
        "C(E)TR timescales",
        &[
            setting(
                "reviews.arrangements_before",
                "Arrangements start at least this long before the meeting",
                PERIOD_HINT,
            ),
            setting(
                "reviews.papers_before",
                "Papers reach the panel at least this long before the meeting",
                PERIOD_HINT,
            ),
            setting("reviews.report_within", "The report is shared within this after the meeting", PERIOD_HINT),
            setting("reviews.post_admission_child", "Post-admission review for a child: within", PERIOD_HINT),
            setting("reviews.post_admission_adult", "Post-admission review for an adult: within", PERIOD_HINT),
            setting("reviews.inpatient_repeat_child", "Inpatient review for a child: every", PERIOD_HINT),
            setting(
                "reviews.inpatient_after_community_child",
                "Child admitted after a community review: next review within",
                PERIOD_HINT,
            ),
            setting("reviews.inpatient_repeat_adult", "Inpatient review for an adult: every", PERIOD_HINT),
            setting(
                "reviews.inpatient_repeat_adult_secure",
                "Inpatient review for an adult in a secure setting: every",
                PERIOD_HINT,
            ),
            setting(
                "reviews.red_review_within",
                "Someone rated Red has a community review held (or arranged) within",
                PERIOD_HINT,
            ),
            setting(
                "reviews.amber_meeting_within",
                "Someone rated Amber has a multi-agency meeting or a C(E)TR within",
                PERIOD_HINT,
            ),
            setting(
                "reviews.green_partners_within",
                "Someone rated Green has the partners for a C(E)TR identified within",
                PERIOD_HINT,
            ),
            setting(
                "reviews.community_review_counts_for",
                "A community review held this long before an admission counts (no post-admission review)",
                PERIOD_HINT,
            ),
            setting(
                "reviews.cetr_education_age_limit",
                "A broken-down education placement means a CETR up to this age",
                "In years",
            ),
            setting("adult_age", "Adult timescales and the adult risk tool apply from this age", "In years, 16 to 21"),
        ],
    ),
    (
        "Oversight visits",
        &[
            setting(
                "oversight_visits.child_every",
                "Commissioner oversight visit for a child in hospital: every",
                PERIOD_HINT,
            ),
            setting(
                "oversight_visits.adult_every",
                "Commissioner oversight visit for an adult in hospital: every",
                PERIOD_HINT,
            ),
            setting("oversight_visits.out_of_area_only", "Only for people placed out of area", "Yes or no"),
        ],
    ),
    (
        "Consent",
        &[
            setting(
                "consent.consents_for_themselves_from",
                "The register: a young person consents for themselves from this age",
                "In years",
            ),
            setting(
                "consent.child_must_agree_from",
                "The register: from this age a parent's consent also needs the young person's agreement",
                "In years; leave empty if your area does not ask for it",
            ),
            setting(
                "consent.review_consents_for_themselves_from",
                "A review (C(E)TR): a young person consents for themselves from this age",
                "In years",
            ),
            setting(
                "consent.review_child_must_agree_from",
                "A review (C(E)TR): from this age a parent's consent also needs the young person's agreement",
                "In years; leave empty if your area does not ask for it",
            ),
        ],
    ),
    (
        "Referrals and meetings",
        &[
            setting("referrals.triage_within", "A professional referral is risk-reviewed within", PERIOD_HINT),
            setting(
                "referrals.self_referral_contact_within",
                "A family who self-refer is contacted within",
                "A length of time; leave empty if your area sets no deadline",
            ),
            setting(
                "meetings",
                "DSR meetings",
                "For example: 'second Tuesday of the month', 'last Friday of the month' or 'every 2 weeks from 2026-12-08'",
            ),
            setting(
                "meeting_on_bank_holiday",
                "A DSR meeting that falls on a bank holiday moves to",
                "'the working day before' or 'the working day after'",
            ),
            setting(
                "agenda.amber_back_after",
                "Amber people come back to the meeting when last discussed this long ago",
                "A length of time; leave empty for every meeting (Red and Blue are always on it)",
            ),
            setting(
                "agenda.green_back_after",
                "Green people come back to be re-rated when last rated or discussed this long ago",
                PERIOD_HINT,
            ),
            setting(
                "calendar.extra_holidays",
                "Extra non-working days",
                "Dates such as 2027-06-04, separated by commas; bank holidays in England are already known",
            ),
        ],
    ),
    (
        "Keyworkers",
        &[
            setting("keyworker.younger_than", "A keyworker is offered to people younger than", "In years"),
            setting(
                "keyworker.ratings",
                "A keyworker is offered at these ratings",
                "Red, Amber, Green, Blue: separated by commas",
            ),
            setting(
                "keyworker.declined_holds_for",
                "After a family declines a keyworker referral, it is not offered again for",
                PERIOD_HINT,
            ),
        ],
    ),
    (
        "Leaving the register",
        &[setting(
            "retention_after_leaving",
            "Details are removed this long after someone leaves the register",
            PERIOD_HINT,
        )],
    ),
    (
        "Figures that leave the area",
        &[
            setting(
                "returns.suppress_below",
                "In the anonymised return, counts below this are shown as *",
                "A whole number: 5 hides 1 to 4; 1 hides nothing",
            ),
            setting(
                "returns.round_totals_to",
                "In the anonymised return, totals are rounded to the nearest",
                "A whole number: 5 by default; 1 leaves them exact",
            ),
        ],
    ),
    (
        "Families and young people",
        &[
            setting(
                "families.contact_name",
                "Who families contact",
                "A team or a person, shown on every family's home page; leave empty if not set",
            ),
            setting("families.contact_phone", "Their phone number", "For example 01632 960 001"),
            setting("families.contact_email", "Their email address", "For example dsr.team@nhs.net"),
            setting(
                "families.withdrawal_takes_effect",
                "A family who withdraws consent on their own account: it takes effect at once",
                "Yes or no. No: it reaches the DSR coordinator as a request, who confirms it with them",
            ),
        ],
    ),
    (
        "The planner's questions",
        &[
            setting(
                "families.question_wording.current_situation",
                PlannerQuestion::CurrentSituation.text(),
                YOUNG_PERSON_HINT,
            ),
            setting(
                "families.question_wording.how_you_and_your_family_feel",
                PlannerQuestion::HowYouAndYourFamilyFeel.text(),
                YOUNG_PERSON_HINT,
            ),
            setting("families.question_wording.are_you_safe", PlannerQuestion::AreYouSafe.text(), YOUNG_PERSON_HINT),
            setting(
                "families.question_wording.care_and_treatment",
                PlannerQuestion::CareAndTreatment.text(),
                YOUNG_PERSON_HINT,
            ),
            setting("families.question_wording.education", PlannerQuestion::Education.text(), YOUNG_PERSON_HINT),
            setting(
                "families.question_wording.what_is_working",
                PlannerQuestion::WhatIsWorking.text(),
                YOUNG_PERSON_HINT,
            ),
            setting("families.question_wording.other_support", PlannerQuestion::OtherSupport.text(), YOUNG_PERSON_HINT),
            setting("families.question_wording.at_home", FamilyQuestion::AtHome.text(), FAMILY_HINT),
            setting("families.question_wording.what_helps", FamilyQuestion::WhatHelps.text(), FAMILY_HINT),
            setting("families.question_wording.worries", FamilyQuestion::Worries.text(), FAMILY_HINT),
            setting("families.question_wording.from_the_review", FamilyQuestion::FromTheReview.text(), FAMILY_HINT),
        ],
    ),
];

const YOUNG_PERSON_HINT: &str =
    "The young person's planner asks this. Write it as your area's planner words it, or leave empty for these words";
const FAMILY_HINT: &str =
    "The family's views ask this. Write it as your area's planner words it, or leave empty for these words";

/// The form's values: field name to the text in it. Risk tool fields are named
/// `risk.<band>.amber_from`, `risk.<band>.red_from` and `risk.<band>.<n>.question` / `.weight`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyForm(pub BTreeMap<String, String>);

const ORDINALS: [&str; 5] = ["first", "second", "third", "fourth", "last"];
const DAY_NAMES: [(&str, Weekday); 7] = [
    ("monday", Weekday::Mon),
    ("tuesday", Weekday::Tue),
    ("wednesday", Weekday::Wed),
    ("thursday", Weekday::Thu),
    ("friday", Weekday::Fri),
    ("saturday", Weekday::Sat),
    ("sunday", Weekday::Sun),
];

/// A meeting cadence in words.
pub fn cadence_words(cadence: &MeetingCadence) -> String {
    match cadence {
        MeetingCadence::Monthly { week, weekday } => {
            let ordinal = ORDINALS[usize::from(week.clamp(&1, &5) - 1)];
            let day = DAY_NAMES.iter().find(|(_, d)| d == weekday).map_or("tuesday", |(n, _)| n);
            let mut day = day.to_string();
            day[..1].make_ascii_uppercase();
            format!("{ordinal} {day} of the month")
        }
        MeetingCadence::Every { weeks, from } => format!("every {weeks} weeks from {from}"),
    }
}

/// Reads a cadence from words (see [`cadence_words`]).
pub fn parse_cadence(text: &str) -> Result<MeetingCadence, String> {
    let text = text.trim().to_lowercase();
    let words: Vec<&str> = text.split_whitespace().collect();
    let problem = || {
        format!(
            "'{text}' is not a meeting pattern: write, for example, 'second Tuesday of the month' or 'every 2 weeks from 2026-12-08'"
        )
    };
    match words.as_slice() {
        ["every", n, "weeks" | "week", "from", date] => {
            let weeks: u32 = n.parse().map_err(|_| problem())?;
            let from: NaiveDate = date.parse().map_err(|_| problem())?;
            if weeks == 0 {
                return Err("Meetings must be at least a week apart".into());
            }
            Ok(MeetingCadence::Every { weeks, from })
        }
        [ordinal, day, "of", "the", "month"] | [ordinal, day, "of", "each", "month"] => {
            let week = ORDINALS.iter().position(|o| o == ordinal).ok_or_else(problem)? as u8 + 1;
            let weekday = DAY_NAMES.iter().find(|(n, _)| n == day).map(|(_, d)| *d).ok_or_else(problem)?;
            Ok(MeetingCadence::Monthly { week, weekday })
        }
        _ => Err(problem()),
    }
}

/// The band's name in field names.
pub fn band_field(band: AgeBand) -> &'static str {
    match band {
        AgeBand::Under18 => "under_18",
        AgeBand::Adult => "adult",
    }
}

impl PolicyForm {
    /// The form filled from `policy`; each band's risk tool is its newest version.
    pub fn of(policy: &AreaPolicy) -> PolicyForm {
        let mut form = BTreeMap::new();
        let mut put = |k: &str, v: String| {
            form.insert(k.to_string(), v);
        };
        for (field, period) in policy.periods() {
            put(field, period.to_string());
        }
        put("reviews.cetr_education_age_limit", policy.reviews.cetr_education_age_limit.to_string());
        put("adult_age", policy.adult_age.to_string());
        put("oversight_visits.out_of_area_only", yes_no(policy.oversight_visits.out_of_area_only).into());
        put("consent.consents_for_themselves_from", policy.consent.consents_for_themselves_from.to_string());
        put(
            "consent.child_must_agree_from",
            policy.consent.child_must_agree_from.map(|a| a.to_string()).unwrap_or_default(),
        );
        put(
            "consent.review_consents_for_themselves_from",
            policy.consent.review_consents_for_themselves_from.to_string(),
        );
        put(
            "consent.review_child_must_agree_from",
            policy.consent.review_child_must_agree_from.map(|a| a.to_string()).unwrap_or_default(),
        );
        put("meeting_on_bank_holiday", policy.meeting_on_bank_holiday.words().to_string());
        put(
            "referrals.self_referral_contact_within",
            policy.referrals.self_referral_contact_within.map(|p| p.to_string()).unwrap_or_default(),
        );
        put("meetings", cadence_words(&policy.meetings));
        put("agenda.amber_back_after", policy.agenda.amber_back_after.map(|p| p.to_string()).unwrap_or_default());
        put(
            "calendar.extra_holidays",
            policy.calendar.extra_holidays.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        );
        put("keyworker.younger_than", policy.keyworker.younger_than.to_string());
        put("returns.suppress_below", policy.returns.suppress_below.to_string());
        put("returns.round_totals_to", policy.returns.round_totals_to.to_string());
        put("keyworker.ratings", policy.keyworker.ratings.iter().map(|r| r.label()).collect::<Vec<_>>().join(", "));
        put("families.contact_name", policy.families.contact_name.clone());
        put("families.contact_phone", policy.families.contact_phone.clone());
        put("families.contact_email", policy.families.contact_email.clone());
        put("families.withdrawal_takes_effect", yes_no(policy.families.withdrawal_takes_effect).into());
        for (name, _) in question_names() {
            put(&format!("families.question_wording.{name}"), policy.families.wording(name).unwrap_or("").to_string());
        }
        for band in [AgeBand::Under18, AgeBand::Adult] {
            let Some(tool) = policy.risk_tool(band) else { continue };
            let b = band_field(band);
            put(&format!("risk.{b}.amber_from"), tool.amber_from.to_string());
            put(&format!("risk.{b}.red_from"), tool.red_from.to_string());
            for (n, item) in tool.items.iter().enumerate() {
                put(&format!("risk.{b}.{n}.question"), item.question.to_string());
                put(&format!("risk.{b}.{n}.weight"), item.weight.to_string());
            }
        }
        let kloe = policy.kloe_prompts();
        for (n, prompt) in kloe.prompts.iter().enumerate() {
            put(&format!("kloe.{n}.text"), prompt.text.clone());
            put(&format!("kloe.{n}.easy_read"), prompt.easy_read.clone());
        }
        for (n, paper) in kloe.papers.iter().enumerate() {
            put(&format!("papers.{n}.name"), paper.name.clone());
        }
        PolicyForm(form)
    }

    /// The newest version of the key lines of enquiry as the form edits it: each prompt's words and
    /// easy-read wording (a prompt emptied is removed); `kloe.new.question` (a key question's name),
    /// `.text` and `.easy_read` add a prompt for every template; each paper's name (emptied: removed);
    /// `papers.new.name` adds a paper, `papers.new.for` saying for which reviews (`all`, `community`,
    /// `hospital`). Kept at its version number here: the server makes an edit the next version.
    fn kloe(&self, kloe: &KloePrompts, errors: &mut ValidationErrors) -> KloePrompts {
        let mut edited = kloe.clone();
        edited.prompts = kloe
            .prompts
            .iter()
            .enumerate()
            .filter_map(|(n, prompt)| {
                // A prompt the form does not hold stays as it is; one emptied on it goes.
                let Some(text) = self.0.get(&format!("kloe.{n}.text")).map(|t| t.trim()) else {
                    return Some(prompt.clone());
                };
                if text.is_empty() {
                    return None;
                }
                let easy_read = self.get(&format!("kloe.{n}.easy_read"));
                if let Some(problem) = crate::easy_read::not_easy_read(easy_read) {
                    errors.add(format!("kloe.{n}.easy_read"), format!("The easy-read wording: {problem}"));
                }
                Some(KloePrompt { text: text.to_string(), easy_read: easy_read.to_string(), ..prompt.clone() })
            })
            .collect();
        let new_text = self.get("kloe.new.text");
        if !new_text.is_empty() {
            let question = KeyQuestion::ALL.into_iter().find(|q| q.name() == self.get("kloe.new.question"));
            let easy_read = self.get("kloe.new.easy_read");
            match (question, crate::easy_read::not_easy_read(easy_read)) {
                (None, _) => errors.add("kloe.new.question", "Choose the key question the new prompt is under"),
                (_, Some(problem)) => errors.add("kloe.new.easy_read", format!("The easy-read wording: {problem}")),
                (Some(question), None) => {
                    let key = new_key(new_text, "prompt", edited.prompts.iter().map(|p| p.key.as_str()));
                    edited.prompts.push(KloePrompt {
                        key,
                        question,
                        text: new_text.to_string(),
                        easy_read: easy_read.to_string(),
                        children: None,
                        inpatient: None,
                        source: "Added by the area".into(),
                    });
                }
            }
        }
        edited.papers = kloe
            .papers
            .iter()
            .enumerate()
            .filter_map(|(n, paper)| {
                let Some(name) = self.0.get(&format!("papers.{n}.name")).map(|t| t.trim()) else {
                    return Some(paper.clone());
                };
                (!name.is_empty()).then(|| Paper { name: name.to_string(), ..paper.clone() })
            })
            .collect();
        let new_paper = self.get("papers.new.name");
        if !new_paper.is_empty() {
            let inpatient = match self.get("papers.new.for") {
                "" | "all" => Ok(None),
                "community" => Ok(Some(false)),
                "hospital" => Ok(Some(true)),
                other => Err(format!("'{other}' is not a kind of review: all, community or hospital")),
            };
            match inpatient {
                Ok(inpatient) => {
                    let key = new_key(new_paper, "paper", edited.papers.iter().map(|p| p.key.as_str()));
                    edited.papers.push(Paper {
                        key,
                        name: new_paper.to_string(),
                        inpatient,
                        children: None,
                        optional: false,
                        in_app: None,
                        source: "Added by the area".into(),
                    });
                }
                Err(message) => errors.add("papers.new.for", message),
            }
        }
        edited
    }

    fn get(&self, field: &str) -> &str {
        self.0.get(field).map_or("", |v| v.trim())
    }

    /// The policy this form makes from `base` (what it leaves out stays as in `base`), checked by the
    /// policy's own rules. Changed risk tools keep their version number here: the server makes them
    /// new versions ([`AreaPolicy::revise`]).
    pub fn apply(&self, base: &AreaPolicy) -> Result<AreaPolicy, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut policy = base.clone();
        let period = |field: &str, errors: &mut ValidationErrors| -> Option<Period> {
            errors.check(field, Period::parse(self.get(field)))
        };
        macro_rules! set_period {
            ($field:literal, $target:expr) => {
                if let Some(p) = period($field, &mut errors) {
                    $target = p;
                }
            };
        }
        set_period!("reviews.arrangements_before", policy.reviews.arrangements_before);
        set_period!("reviews.papers_before", policy.reviews.papers_before);
        set_period!("reviews.report_within", policy.reviews.report_within);
        set_period!("reviews.post_admission_child", policy.reviews.post_admission_child);
        set_period!("reviews.post_admission_adult", policy.reviews.post_admission_adult);
        set_period!("reviews.inpatient_repeat_child", policy.reviews.inpatient_repeat_child);
        set_period!("reviews.inpatient_after_community_child", policy.reviews.inpatient_after_community_child);
        set_period!("reviews.inpatient_repeat_adult", policy.reviews.inpatient_repeat_adult);
        set_period!("reviews.inpatient_repeat_adult_secure", policy.reviews.inpatient_repeat_adult_secure);
        set_period!("reviews.red_review_within", policy.reviews.red_review_within);
        set_period!("reviews.amber_meeting_within", policy.reviews.amber_meeting_within);
        set_period!("reviews.green_partners_within", policy.reviews.green_partners_within);
        set_period!("reviews.community_review_counts_for", policy.reviews.community_review_counts_for);
        set_period!("keyworker.declined_holds_for", policy.keyworker.declined_holds_for);
        set_period!("oversight_visits.child_every", policy.oversight_visits.child_every);
        set_period!("oversight_visits.adult_every", policy.oversight_visits.adult_every);
        set_period!("referrals.triage_within", policy.referrals.triage_within);
        set_period!("retention_after_leaving", policy.retention_after_leaving);
        set_period!("agenda.green_back_after", policy.agenda.green_back_after);
        let amber = self.get("agenda.amber_back_after");
        policy.agenda.amber_back_after =
            if amber.is_empty() { None } else { errors.check("agenda.amber_back_after", Period::parse(amber)) };
        let contact = self.get("referrals.self_referral_contact_within");
        policy.referrals.self_referral_contact_within = if contact.is_empty() {
            None
        } else {
            errors.check("referrals.self_referral_contact_within", Period::parse(contact))
        };

        let age = |field: &str, errors: &mut ValidationErrors| -> Option<u8> {
            let text = self.get(field);
            let parsed = text.parse::<u8>().ok().filter(|a| *a <= 130);
            if parsed.is_none() {
                errors.add(field, format!("Enter an age in whole years, like 16 ('{text}' is not one)"));
            }
            parsed
        };
        if let Some(a) = age("adult_age", &mut errors) {
            policy.adult_age = a;
        }
        if let Some(a) = age("reviews.cetr_education_age_limit", &mut errors) {
            policy.reviews.cetr_education_age_limit = a;
        }
        if let Some(a) = age("consent.consents_for_themselves_from", &mut errors) {
            policy.consent.consents_for_themselves_from = a;
        }
        policy.consent.child_must_agree_from = if self.get("consent.child_must_agree_from").is_empty() {
            None
        } else {
            age("consent.child_must_agree_from", &mut errors)
        };
        if let Some(a) = age("consent.review_consents_for_themselves_from", &mut errors) {
            policy.consent.review_consents_for_themselves_from = a;
        }
        policy.consent.review_child_must_agree_from = if self.get("consent.review_child_must_agree_from").is_empty() {
            None
        } else {
            age("consent.review_child_must_agree_from", &mut errors)
        };
        match HolidayMove::from_words(self.get("meeting_on_bank_holiday")) {
            Some(moved) => policy.meeting_on_bank_holiday = moved,
            None => errors.add("meeting_on_bank_holiday", "Write 'the working day before' or 'the working day after'"),
        }
        if let Some(a) = age("keyworker.younger_than", &mut errors) {
            policy.keyworker.younger_than = a;
        }
        for (field, value) in [
            ("returns.suppress_below", &mut policy.returns.suppress_below),
            ("returns.round_totals_to", &mut policy.returns.round_totals_to),
        ] {
            // A form from before these settings leaves them as they are.
            if !self.0.contains_key(field) {
                continue;
            }
            let text = self.get(field);
            match text.trim().parse::<u32>() {
                Ok(number) => *value = number,
                Err(_) => errors.add(field, format!("Enter a whole number, like 5 ('{text}' is not one)")),
            }
        }
        match self.get("oversight_visits.out_of_area_only").to_lowercase().as_str() {
            "yes" => policy.oversight_visits.out_of_area_only = true,
            "no" => policy.oversight_visits.out_of_area_only = false,
            _ => errors.add("oversight_visits.out_of_area_only", "Answer yes or no"),
        }
        match parse_cadence(self.get("meetings")) {
            Ok(cadence) => policy.meetings = cadence,
            Err(message) => errors.add("meetings", message),
        }
        let mut holidays = Vec::new();
        for day in self.get("calendar.extra_holidays").split(',').map(str::trim).filter(|d| !d.is_empty()) {
            match day.parse::<NaiveDate>() {
                Ok(day) => holidays.push(day),
                Err(_) => errors.add("calendar.extra_holidays", format!("'{day}' is not a date like 2027-06-04")),
            }
        }
        holidays.sort();
        holidays.dedup();
        policy.calendar.extra_holidays = holidays;
        let mut ratings = Vec::new();
        for word in self.get("keyworker.ratings").split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match Rating::ALL.into_iter().find(|r| r.label().eq_ignore_ascii_case(word)) {
                Some(r) if !ratings.contains(&r) => ratings.push(r),
                Some(_) => {}
                None => {
                    errors.add("keyworker.ratings", format!("'{word}' is not a rating: use Red, Amber, Green or Blue"))
                }
            }
        }
        policy.keyworker.ratings = ratings;
        policy.families.contact_name = self.get("families.contact_name").to_string();
        policy.families.contact_phone = self.get("families.contact_phone").to_string();
        policy.families.contact_email = self.get("families.contact_email").to_string();
        match self.get("families.withdrawal_takes_effect").to_lowercase().as_str() {
            "yes" => policy.families.withdrawal_takes_effect = true,
            "no" => policy.families.withdrawal_takes_effect = false,
            _ => errors.add("families.withdrawal_takes_effect", "Answer yes or no"),
        }
        policy.families.question_wording = question_names()
            .filter_map(|(name, _)| {
                let words = self.get(&format!("families.question_wording.{name}"));
                (!words.is_empty()).then(|| (name.to_string(), words.to_string()))
            })
            .collect();

        let newest = base.kloe_prompts();
        let kloe = self.kloe(newest, &mut errors);
        if kloe != *newest {
            policy.kloe.retain(|k| k.version != newest.version);
            policy.kloe.push(kloe);
        }
        for band in [AgeBand::Under18, AgeBand::Adult] {
            let Some(tool) = base.risk_tool(band) else { continue };
            let edited = self.risk_tool(tool, &mut errors);
            if edited != *tool {
                policy.risk_tools.retain(|t| !(t.age_band == band && t.version == tool.version));
                policy.risk_tools.push(edited);
            }
        }
        errors.into_result()?;
        policy.validate()?;
        Ok(policy)
    }

    /// `tool` as the form edits it: thresholds, and each question's words and weight (a question
    /// emptied is removed; `risk.<band>.new.question` adds one).
    fn risk_tool(&self, tool: &RiskTool, errors: &mut ValidationErrors) -> RiskTool {
        let b = band_field(tool.age_band);
        let mut edited = tool.clone();
        let number = |field: String, errors: &mut ValidationErrors| -> Option<u32> {
            let text = self.get(&field);
            let n = text.parse::<u32>().ok();
            if n.is_none() {
                errors.add(field, format!("Enter a whole number ('{text}' is not one)"));
            }
            n
        };
        if let Some(n) = number(format!("risk.{b}.amber_from"), errors) {
            edited.amber_from = n;
        }
        if let Some(n) = number(format!("risk.{b}.red_from"), errors) {
            edited.red_from = n;
        }
        let mut items = Vec::new();
        for (n, item) in tool.items.iter().enumerate() {
            let question = self.get(&format!("risk.{b}.{n}.question"));
            if question.is_empty() {
                continue;
            }
            let mut item = item.clone();
            if let Some(q) = errors.check(&format!("risk.{b}.{n}.question"), ShortText::parse(question)) {
                item.question = q;
            }
            if let Some(w) = number(format!("risk.{b}.{n}.weight"), errors) {
                item.weight = w;
            }
            items.push(item);
        }
        let new_question = self.get(&format!("risk.{b}.new.question"));
        if !new_question.is_empty() {
            // A new question scores 1 unless a score is given.
            let weight_field = format!("risk.{b}.new.weight");
            let weight = if self.get(&weight_field).is_empty() { 1 } else { number(weight_field, errors).unwrap_or(1) };
            if let Some(question) = errors.check(&format!("risk.{b}.new.question"), ShortText::parse(new_question)) {
                items.push(RiskItem { key: question_key(&question, &items), question, hint: None, weight });
            }
        }
        // An "all of these" rule naming a removed question loses that question (a rule left empty goes).
        edited.red_if_all = tool
            .red_if_all
            .iter()
            .map(|rule| rule.iter().filter(|k| items.iter().any(|i| &&i.key == k)).cloned().collect::<Vec<_>>())
            .filter(|rule| !rule.is_empty())
            .collect();
        edited.items = items;
        edited
    }
}

/// A key for something new, from its first words (`crisis_plan`; `fallback` when they have no letter
/// or digit), not one of `taken`.
fn new_key<'a>(words: &str, fallback: &str, taken: impl Iterator<Item = &'a str> + Clone) -> String {
    let mut base: String = words
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|w| !w.is_empty())
        .take(4)
        .collect::<Vec<_>>()
        .join("_");
    if base.is_empty() {
        base = fallback.into();
    }
    let mut key = base.clone();
    let mut n = 2;
    while taken.clone().any(|t| t == key) {
        key = format!("{base}_{n}");
        n += 1;
    }
    key
}

fn yes_no(value: bool) -> &'static str {
    if value { "yes" } else { "no" }
}

/// A key for a new question, from its words, not used by any other question.
fn question_key(question: &ShortText, items: &[RiskItem]) -> String {
    new_key(question.as_str(), "question", items.iter().map(|i| i.key.as_str()))
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    fn form_of(policy: &AreaPolicy) -> PolicyForm {
        PolicyForm::of(policy)
    }

    #[test]
    fn an_untouched_form_gives_back_the_same_policy() {
        let policy = AreaPolicy::default();
        assert_eq!(form_of(&policy).apply(&policy), Ok(policy.clone()));
        for (_, settings) in SECTIONS {
            for setting in settings {
                assert!(form_of(&policy).0.contains_key(setting.field), "{}", setting.field);
            }
        }
    }

    #[test]
    fn edits_change_the_policy_and_bad_values_name_their_fields() {
        let policy = AreaPolicy::default();
        let mut form = form_of(&policy);
        form.0.insert("reviews.post_admission_child".into(), "5 working days".into());
        form.0.insert("consent.child_must_agree_from".into(), String::new());
        form.0.insert("consent.review_child_must_agree_from".into(), "14".into());
        form.0.insert("meeting_on_bank_holiday".into(), "The working day after".into());
        form.0.insert("referrals.self_referral_contact_within".into(), String::new());
        form.0.insert("meetings".into(), "last Friday of the month".into());
        form.0.insert("keyworker.ratings".into(), "red, Amber, blue".into());
        form.0.insert("calendar.extra_holidays".into(), "2027-06-04".into());
        let edited = form.apply(&policy).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edited.reviews.post_admission_child, Period::WorkingDays(5));
        assert_eq!(edited.consent.child_must_agree_from, None);
        assert_eq!(edited.consent.review_child_must_agree_from, Some(14));
        assert_eq!(edited.meeting_on_bank_holiday, HolidayMove::WorkingDayAfter);
        assert_eq!(edited.referrals.self_referral_contact_within, None);
        assert_eq!(edited.meetings, MeetingCadence::Monthly { week: 5, weekday: Weekday::Fri });
        assert_eq!(edited.keyworker.ratings, vec![Rating::Red, Rating::Amber, Rating::Blue]);
        assert_eq!(edited.calendar.extra_holidays.len(), 1);

        let mut bad = form_of(&policy);
        bad.0.insert("reviews.report_within".into(), "soon".into());
        bad.0.insert("consent.consents_for_themselves_from".into(), "sixteen".into());
        bad.0.insert("meetings".into(), "whenever".into());
        bad.0.insert("keyworker.ratings".into(), "purple".into());
        bad.0.insert("meeting_on_bank_holiday".into(), "whenever".into());
        let errors = bad.apply(&policy).err().unwrap_or_default();
        for field in [
            "reviews.report_within",
            "consent.consents_for_themselves_from",
            "meetings",
            "keyworker.ratings",
            "meeting_on_bank_holiday",
        ] {
            assert!(errors.message_for(field).is_some(), "{field}: {errors}");
        }
        // The policy's own rules, on their fields.
        let mut ages = form_of(&policy);
        ages.0.insert("consent.child_must_agree_from".into(), "17".into());
        let errors = ages.apply(&policy).err().unwrap_or_default();
        assert!(errors.message_for("consent.child_must_agree_from").is_some(), "{errors}");
    }

    #[test]
    fn how_the_return_hides_small_numbers_is_set_and_checked() {
        let policy = AreaPolicy::default();
        let mut form = form_of(&policy);
        form.0.insert("returns.suppress_below".into(), "10".into());
        form.0.insert("returns.round_totals_to".into(), "1".into());
        let edited = form.apply(&policy).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edited.returns, crate::policy::ReturnPolicy { suppress_below: 10, round_totals_to: 1 });
        for (field, value) in
            [("returns.suppress_below", "ten"), ("returns.suppress_below", "0"), ("returns.round_totals_to", "500")]
        {
            let mut bad = form_of(&policy);
            bad.0.insert(field.into(), value.into());
            let errors = bad.apply(&policy).err().unwrap_or_default();
            assert!(errors.message_for(field).is_some(), "{field} {value}: {errors}");
        }
        // A form from before these settings keeps them.
        let mut old = form_of(&edited);
        old.0.remove("returns.suppress_below");
        assert_eq!(old.apply(&edited).map(|p| p.returns.suppress_below), Ok(10));
    }

    #[test]
    fn the_families_contact_and_the_planners_wording_are_set_and_checked() {
        let policy = AreaPolicy::default();
        let mut form = form_of(&policy);
        form.0.insert("families.contact_name".into(), "The DSR team".into());
        form.0.insert("families.contact_phone".into(), "01632 960 001".into());
        form.0.insert("families.contact_email".into(), "dsr.team@nhs.net".into());
        form.0.insert("families.question_wording.at_home".into(), " How are things at home? ".into());
        form.0.insert("families.withdrawal_takes_effect".into(), "Yes".into());
        let edited = form.apply(&policy).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edited.families.contact_phone, "01632 960 001");
        assert!(edited.families.withdrawal_takes_effect);
        assert_eq!(edited.families.wording("at_home"), Some("How are things at home?"));
        assert_eq!(edited.families.question_wording.len(), 1, "empty wordings are the default words");
        assert_eq!(form_of(&edited).apply(&edited), Ok(edited.clone()));

        let mut bad = form_of(&policy);
        bad.0.insert("families.contact_phone".into(), "call us".into());
        bad.0.insert("families.contact_email".into(), "dsr team".into());
        bad.0.insert("families.question_wording.are_you_safe".into(), "x".repeat(201));
        let errors = bad.apply(&policy).err().unwrap_or_default();
        for field in ["families.contact_phone", "families.contact_email", "families.question_wording.are_you_safe"] {
            assert!(errors.message_for(field).is_some(), "{field}: {errors}");
        }
        let unknown = AreaPolicy::from_toml("[families.question_wording]\nfavourite_colour = \"What?\"").err();
        assert!(unknown.map(|e| e.to_string()).unwrap_or_default().contains("no such question"));
    }

    #[test]
    fn the_key_lines_of_enquiry_and_papers_are_edited_as_the_next_version_the_last_kept() {
        let policy = AreaPolicy::default();
        let first = policy.kloe_prompts().clone();
        let mut form = PolicyForm::of(&policy);
        assert_eq!(form.get("kloe.0.text"), first.prompts[0].text);
        form.0.insert("kloe.0.easy_read".into(), "Has anyone hurt you or made you scared?".into());
        form.0.insert("kloe.1.text".into(), String::new());
        form.0.insert("kloe.new.question".into(), "plans_for_the_future".into());
        form.0.insert("kloe.new.text".into(), "Travel training: getting about on their own".into());
        form.0.insert("kloe.new.easy_read".into(), "Would you like to learn to travel on your own?".into());
        form.0.insert("papers.new.name".into(), "The short breaks plan".into());
        form.0.insert("papers.new.for".into(), "community".into());
        let edited = form.apply(&policy).unwrap_or_else(|e| panic!("{e}"));
        let revised = policy.revise(edited);
        assert_eq!(revised.kloe.iter().map(|k| k.version).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(revised.kloe_version(Some(1)), &first, "version 1 is kept as it was");
        let now = revised.kloe_prompts();
        assert_eq!(now.prompts[0].easy_read, "Has anyone hurt you or made you scared?");
        assert!(!now.prompts.iter().any(|p| p.key == first.prompts[1].key), "an emptied prompt is removed");
        let added = now.prompts.last().unwrap_or_else(|| panic!("no prompt"));
        assert_eq!(
            (added.key.as_str(), added.question),
            ("travel_training_getting_about", KeyQuestion::PlansForTheFuture)
        );
        let paper = now.papers.last().unwrap_or_else(|| panic!("no paper"));
        assert_eq!((paper.key.as_str(), paper.inpatient), ("the_short_breaks_plan", Some(false)));
        // Unchanged, the form leaves the version alone.
        let same = PolicyForm::of(&revised).apply(&revised).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(revised.revise(same).kloe.len(), 2);
        // A form that does not hold the prompts and papers (an older draft) leaves them as they are.
        let mut partial = PolicyForm::of(&policy);
        partial.0.retain(|k, _| !k.starts_with("kloe.") && !k.starts_with("papers."));
        let kept = partial.apply(&policy).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(kept.kloe_prompts(), policy.kloe_prompts());
        // Easy read is checked on the field it was typed in; a new prompt needs its question.
        let mut bad = PolicyForm::of(&policy);
        bad.0.insert("kloe.0.easy_read".into(), "Has anyone (anybody) hurt you?".into());
        bad.0.insert("kloe.new.text".into(), "Something new".into());
        let fields: Vec<String> = bad
            .apply(&policy)
            .err()
            .map(|e| e.into_fields().into_iter().map(|f| f.field).collect())
            .unwrap_or_default();
        assert_eq!(fields, ["kloe.0.easy_read", "kloe.new.question"]);
    }

    #[test]
    fn risk_questions_are_edited_added_and_removed() {
        let policy = AreaPolicy::default();
        let Some(tool) = policy.risk_tool(AgeBand::Under18).cloned() else { panic!("no tool") };
        let mut form = form_of(&policy);
        form.0.insert("risk.under_18.red_from".into(), "9".into());
        form.0.insert("risk.under_18.0.weight".into(), "3".into());
        // Removing a question named by the "all of these" rule takes it out of the rule.
        let in_rule = tool.items.iter().position(|i| i.key == "recent_crises").unwrap_or_else(|| panic!("no item"));
        form.0.insert(format!("risk.under_18.{in_rule}.question"), String::new());
        form.0.insert("risk.under_18.new.question".into(), "Sleeping much less than usual".into());
        // Left empty, a new question scores 1.
        let mut empty_weight = form.clone();
        empty_weight.0.insert("risk.under_18.new.weight".into(), String::new());
        let added = empty_weight.apply(&policy).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(added.risk_tool(AgeBand::Under18).and_then(|t| t.items.last()).map(|i| i.weight), Some(1));
        form.0.insert("risk.under_18.new.weight".into(), "2".into());
        let edited = form.apply(&policy).unwrap_or_else(|e| panic!("{e}"));
        let new = edited.risk_tool(AgeBand::Under18).unwrap_or_else(|| panic!("no tool"));
        assert_eq!(new.red_from, 9);
        assert_eq!(new.items[0].weight, 3);
        assert_eq!(new.items.len(), tool.items.len());
        assert!(new.items.iter().all(|i| i.key != "recent_crises"));
        assert!(new.red_if_all.iter().all(|rule| !rule.contains(&"recent_crises".to_string())));
        let added = new.items.last().unwrap_or_else(|| panic!("no items"));
        assert_eq!((added.key.as_str(), added.weight), ("sleeping_much_less_than", 2));
        // The server makes it a new version; the old one stays for old assessments.
        let revised = policy.revise(edited);
        assert_eq!(revised.risk_tool(AgeBand::Under18).map(|t| t.version), Some(2));
        assert_eq!(revised.risk_tool_version(tool.id, 1), Some(&tool));
    }

    #[test]
    fn cadences_read_back_as_written() {
        for cadence in [
            MeetingCadence::default(),
            MeetingCadence::Monthly { week: 5, weekday: Weekday::Fri },
            MeetingCadence::Every { weeks: 2, from: NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default() },
        ] {
            assert_eq!(parse_cadence(&cadence_words(&cadence)), Ok(cadence));
        }
        assert_eq!(cadence_words(&MeetingCadence::default()), "second Tuesday of the month");
        assert!(parse_cadence("every 0 weeks from 2026-12-08").is_err());
    }
}
