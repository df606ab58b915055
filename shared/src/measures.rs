//! The figures commissioners answer for (issue 18), worked out from the people's files a device or the
//! server holds: the register by rating now and at each month end (from the rating history), admissions
//! and discharges, inpatients and their length of stay, referrals and how fast they were answered,
//! community C(E)TRs before admission, post-admission reviews, reports and oversight visits on time,
//! open and overdue actions, keyworker referrals. Pure: `today` and the filters are arguments.
//!
//! Each measure has a written definition and its source ([`Measure::definition`], [`Measure::source`]):
//! the dashboard shows them one tap from the figure, and this module's tests hold the figures to them.
//! The deadlines are the area policy's, read exactly as the due engine reads them ([`crate::due`]), so
//! "on time" here and "due" on the register never disagree.

pub mod aggregate;
pub mod chart;
pub mod export;

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::action::Action;
use crate::admission::Admission;
use crate::due::PersonFile;
use crate::person::{RegisterStatus, age_on};
use crate::policy::AreaPolicy;
use crate::rating::{Rating, rating_on};
use crate::referral::TriageOutcome;
use crate::register::AgeGroup;
use crate::review::ReviewKind;
use crate::validation::ValidationErrors;

/// Which people and which days the figures are about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Filters {
    /// Only this age band (the age on the day each figure is about: the month end, the admission, the
    /// referral); `None` for everyone.
    pub age: Option<AgeGroup>,
    /// The first day counted.
    pub from: NaiveDate,
    /// The last day counted (a day after today counts as today: nothing has happened yet).
    pub to: NaiveDate,
}

/// The longest range the figures are worked out for (the rating history of ten years is plenty).
pub const LONGEST_RANGE_DAYS: i64 = 3_660;

impl Filters {
    /// The dashboard's first view: the twelve months to today (from the first of the month eleven
    /// months ago), everyone.
    pub fn last_twelve_months(today: NaiveDate) -> Filters {
        let first = today.with_day(1).unwrap_or(today);
        Filters { age: None, from: first.checked_sub_months(Months::new(11)).unwrap_or(first), to: today }
    }

    /// Filters from a form or a query string: `from` and `to` as YYYY-MM-DD, `age` an age band's name or
    /// empty for everyone. Errors are on the fields.
    pub fn parse(from: &str, to: &str, age: &str) -> Result<Filters, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let date = |text: &str, field: &str, errors: &mut ValidationErrors| {
            let parsed = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok();
            if parsed.is_none() {
                errors.add(field, format!("Enter the {} as a date, for example 2026-04-01", field_words(field)));
            }
            parsed
        };
        let from = date(from, "from", &mut errors);
        let to = date(to, "to", &mut errors);
        let age = match age.trim() {
            "" | "all" => None,
            name => {
                let band = AgeGroup::from_name(name);
                if band.is_none() {
                    errors.add("age", "Choose an age band: children, young people or adults, or everyone");
                }
                band
            }
        };
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                errors.add("to", "The last day must be on or after the first day");
            } else if (to - from).num_days() > LONGEST_RANGE_DAYS {
                errors.add("from", "Choose a range of ten years or less");
            }
        }
        match (from, to) {
            (Some(from), Some(to)) if errors.is_empty() => Ok(Filters { age, from, to }),
            _ => Err(errors),
        }
    }

    /// The filters in words, for a heading and the audit trail ("All ages, 1 January 2026 to 31 March 2026").
    pub fn describe(&self) -> String {
        let ages = self.age.map_or("All ages", AgeGroup::label);
        format!("{ages}, {} to {}", self.from.format("%-d %B %Y"), self.to.format("%-d %B %Y"))
    }

    /// For a query string: `from=...&to=...&age=...`.
    pub fn query(&self) -> String {
        format!("from={}&to={}&age={}", self.from, self.to, self.age.map_or("", AgeGroup::name))
    }

    fn in_range(&self, day: NaiveDate) -> bool {
        day >= self.from && day <= self.to
    }

    /// The person born on `born` is in the age band on `day`.
    fn of_age(&self, born: NaiveDate, day: NaiveDate) -> bool {
        self.age.is_none_or(|band| AgeGroup::of(age_on(born, day)) == band)
    }

    /// The last day that has happened: `to`, or today if `to` is later.
    fn last_day(&self, today: NaiveDate) -> NaiveDate {
        self.to.min(today)
    }
}

fn field_words(field: &str) -> &'static str {
    match field {
        "from" => "first day",
        _ => "last day",
    }
}

/// Every measure on the dashboard, with its definition and its source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    RegisterByRating,
    AdmissionsAndDischarges,
    Inpatients,
    Referrals,
    CommunityReviewBeforeAdmission,
    PostAdmissionReviewsOnTime,
    ReportsOnTime,
    OversightVisitsOnTime,
    OpenActions,
    KeyworkerReferrals,
}

impl Measure {
    pub const ALL: [Measure; 10] = [
        Measure::RegisterByRating,
        Measure::AdmissionsAndDischarges,
        Measure::Inpatients,
        Measure::Referrals,
        Measure::CommunityReviewBeforeAdmission,
        Measure::PostAdmissionReviewsOnTime,
        Measure::ReportsOnTime,
        Measure::OversightVisitsOnTime,
        Measure::OpenActions,
        Measure::KeyworkerReferrals,
    ];

    /// Its name in ids and links.
    pub fn name(self) -> &'static str {
        match self {
            Measure::RegisterByRating => "register_by_rating",
            Measure::AdmissionsAndDischarges => "admissions_and_discharges",
            Measure::Inpatients => "inpatients",
            Measure::Referrals => "referrals",
            Measure::CommunityReviewBeforeAdmission => "community_review_before_admission",
            Measure::PostAdmissionReviewsOnTime => "post_admission_reviews_on_time",
            Measure::ReportsOnTime => "reports_on_time",
            Measure::OversightVisitsOnTime => "oversight_visits_on_time",
            Measure::OpenActions => "open_actions",
            Measure::KeyworkerReferrals => "keyworker_referrals",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Measure::RegisterByRating => "People on the register by rating",
            Measure::AdmissionsAndDischarges => "Admissions and discharges",
            Measure::Inpatients => "People in hospital now and their length of stay",
            Measure::Referrals => "Referrals received and how fast they were answered",
            Measure::CommunityReviewBeforeAdmission => "Community C(E)TR before admission",
            Measure::PostAdmissionReviewsOnTime => "Post-admission reviews on time",
            Measure::ReportsOnTime => "C(E)TR reports sent on time",
            Measure::OversightVisitsOnTime => "Oversight visits on time",
            Measure::OpenActions => "Open and overdue actions",
            Measure::KeyworkerReferrals => "Keyworker referrals offered and accepted",
        }
    }

    /// What is counted, exactly.
    pub fn definition(self) -> &'static str {
        match self {
            Measure::RegisterByRating => {
                "People on the register at the end of each day shown, by the rating in force that day (the latest rating change made on or before it, from the rating history). On the register: accepted (the referral's acceptance or their first rating, whichever came first) on or before the day, and not left by then. The age band is their age on that day."
            }
            Measure::AdmissionsAndDischarges => {
                "Admissions to a mental health hospital with an admission date in each month, and discharges with a discharge date in it. The age band is the person's age on admission."
            }
            Measure::Inpatients => {
                "People in hospital on the last day of the range (admitted on or before it and not discharged by then), with how long they have been in hospital that day: the median, the longest, and how many in each band. The age band is their age on that day."
            }
            Measure::Referrals => {
                "Referrals submitted in the range, by month. Time to first contact: days from submission to the first contact recorded; time to decision: days from submission to the DSR meeting's decision (the median of those answered). Still waiting: not contacted, or not decided, by the last day of the range. The age band is the person's age when the referral was submitted."
            }
            Measure::CommunityReviewBeforeAdmission => {
                "Admissions in the range after which a community C(E)TR had been held within the area's window before the admission (an LAEP does not count, nor a review requested but not held), as a share of all admissions in the range. Worked out from the reviews on record, never from a tick box. National target: 90%."
            }
            Measure::PostAdmissionReviewsOnTime => {
                "Admissions in the range with no community C(E)TR before them, whose post-admission review was due by the last day of the range or has been held: on time when the post-admission review was held by its deadline (the area's period after admission: children and adults apart). One held after the deadline, or not held by then, is late. Those not yet due are left out."
            }
            Measure::ReportsOnTime => {
                "C(E)TRs held in the range whose report was due by the last day of the range or has been sent: on time when it first went to someone on or before its due day (the area's period after the meeting, two weeks by default). One sent later, or not sent by then, is late."
            }
            Measure::OversightVisitsOnTime => {
                "Commissioner oversight visits that fell due in the range, for people in hospital who need them (placed out of area, or everyone if the area says so): each falls due the area's period (6 weeks for children, 8 for adults by default) after the admission or the visit before. On time when made by that day; late when made later or not made by the last day of the range. Visits not yet due are left out."
            }
            Measure::OpenActions => {
                "Actions from C(E)TR action plans and DSR meetings not done and not dropped, today, by owner and by their agency (the team or agency recorded for that owner in the person's professionals or C(E)TR partners; \"Not recorded\" otherwise). Overdue: its due day has passed. The age band is the person's age today; the date range does not apply."
            }
            Measure::KeyworkerReferrals => {
                "People whose latest keyworker referral offer was made in the range: offered, accepted (the family did not decline it), declined, and those who now have a keyworker. The age band is their age on the day of the offer."
            }
        }
    }

    /// Where the measure comes from.
    pub fn source(self) -> &'static str {
        match self {
            Measure::RegisterByRating | Measure::AdmissionsAndDischarges | Measure::Inpatients => {
                "NHS England, Dynamic support register and Care (Education) and Treatment Review policy and guide (2023): the ICB keeps the register and reports on it; Assuring Transformation collection for inpatients."
            }
            Measure::Referrals => {
                "The area's referral policy (the seeds: contact within 5 working days, a decision at the next DSR meeting)."
            }
            Measure::CommunityReviewBeforeAdmission => {
                "NHS England, C(E)TR policy (2023): a community C(E)TR before any admission; NHS Long Term Plan measure, 90% target."
            }
            Measure::PostAdmissionReviewsOnTime | Measure::ReportsOnTime | Measure::OversightVisitsOnTime => {
                "NHS England, C(E)TR policy and guide (2023) and the area's policy: the deadlines shown on the policy page."
            }
            Measure::OpenActions => {
                "The C(E)TR action plan and the DSR meeting's decisions: every action has an owner and a due date."
            }
            Measure::KeyworkerReferrals => {
                "NHS Long Term Plan: keyworkers for children and young people with a learning disability, autism or both at risk of admission."
            }
        }
    }
}

/// The national target for community C(E)TRs before admission, in per cent (NHS Long Term Plan).
pub const COMMUNITY_REVIEW_TARGET_PERCENT: f64 = 90.0;

/// People counted by rating.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByRating {
    pub red: usize,
    pub amber: usize,
    pub green: usize,
    pub blue: usize,
    pub not_rated: usize,
}

impl ByRating {
    pub fn add(&mut self, rating: Option<Rating>) {
        match rating {
            Some(Rating::Red) => self.red += 1,
            Some(Rating::Amber) => self.amber += 1,
            Some(Rating::Green) => self.green += 1,
            Some(Rating::Blue) => self.blue += 1,
            None => self.not_rated += 1,
        }
    }

    pub fn get(&self, rating: Option<Rating>) -> usize {
        match rating {
            Some(Rating::Red) => self.red,
            Some(Rating::Amber) => self.amber,
            Some(Rating::Green) => self.green,
            Some(Rating::Blue) => self.blue,
            None => self.not_rated,
        }
    }

    pub fn total(&self) -> usize {
        self.red + self.amber + self.green + self.blue + self.not_rated
    }
}

/// The ratings in the order the figures show them (the register's order of urgency), then "not rated".
pub const RATING_ORDER: [Option<Rating>; 5] =
    [Some(Rating::Red), Some(Rating::Amber), Some(Rating::Green), Some(Rating::Blue), None];

/// The day a person joined the register: the earliest of the day their referral was accepted and their
/// first rating (for someone who left, the status no longer says), or the day the status gives.
pub fn joined_on(file: &PersonFile) -> Option<NaiveDate> {
    let accepted = file
        .referrals
        .iter()
        .filter_map(|r| r.triage.as_ref())
        .filter(|t| matches!(t.outcome, TriageOutcome::Accepted))
        .map(|t| t.decided_on);
    let first_rated = file.ratings.iter().map(|c| crate::calendar::date_in_england(c.at));
    let since = match file.person.register_status {
        RegisterStatus::OnRegister { since } => Some(since),
        _ => None,
    };
    accepted.chain(first_rated).chain(since).min()
}

/// On the register at the end of `day`: joined on or before it and not left by then (a referral that
/// was declined never joined).
pub fn on_register_on(file: &PersonFile, day: NaiveDate) -> bool {
    let left_by = match file.person.register_status {
        // A declined referral was never on the register, whatever was recorded while it waited.
        RegisterStatus::Left { reason: crate::person::LeaveReason::ReferralDeclined, .. }
        | RegisterStatus::Referred => {
            return false;
        }
        RegisterStatus::Left { on, .. } => on <= day,
        RegisterStatus::OnRegister { .. } => false,
    };
    !left_by && joined_on(file).is_some_and(|joined| joined <= day)
}

/// The people on the register at the end of `day`, by the rating in force then.
pub fn register_by_rating<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    age: Option<AgeGroup>,
    day: NaiveDate,
) -> ByRating {
    let mut counts = ByRating::default();
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        let born = file.person.date_of_birth;
        if on_register_on(file, day) && age.is_none_or(|band| AgeGroup::of(age_on(born, day)) == band) {
            counts.add(rating_on(&file.ratings, day).map(|c| c.to));
        }
    }
    counts
}

/// The last day of each month that ends in the range (a range ending mid-month adds nothing for that
/// month: the dashboard shows "now" apart).
pub fn month_ends(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut ends = Vec::new();
    let mut first = from.with_day(1).unwrap_or(from);
    while let Some(next) = first.checked_add_months(Months::new(1)) {
        let end = next.pred_opt().unwrap_or(next);
        if end > to {
            break;
        }
        if end >= from {
            ends.push(end);
        }
        first = next;
    }
    ends
}

/// The first day of each month the range touches.
pub fn months(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    let mut months = Vec::new();
    let mut first = from.with_day(1).unwrap_or(from);
    while first <= to {
        months.push(first);
        match first.checked_add_months(Months::new(1)) {
            Some(next) => first = next,
            None => break,
        }
    }
    months
}

/// One month's admissions and discharges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthOfAdmissions {
    /// The month's first day.
    pub month: NaiveDate,
    pub admissions: usize,
    pub discharges: usize,
}

fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Admissions and discharges in each month of the range (only days inside the range count).
pub fn admissions_by_month<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    filters: &Filters,
) -> Vec<MonthOfAdmissions> {
    let mut by_month: BTreeMap<NaiveDate, MonthOfAdmissions> = months(filters.from, filters.to)
        .into_iter()
        .map(|month| (month, MonthOfAdmissions { month, admissions: 0, discharges: 0 }))
        .collect();
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        let born = file.person.date_of_birth;
        for admission in file.admissions.iter().filter(|a| filters.of_age(born, a.admitted_on)) {
            if filters.in_range(admission.admitted_on)
                && let Some(month) = by_month.get_mut(&month_of(admission.admitted_on))
            {
                month.admissions += 1;
            }
            if let Some(discharged) = admission.discharged_on.filter(|d| filters.in_range(*d))
                && let Some(month) = by_month.get_mut(&month_of(discharged))
            {
                month.discharges += 1;
            }
        }
    }
    by_month.into_values().collect()
}

/// Bands of length of stay.
pub const STAY_BANDS: [&str; 4] = ["Under 3 months", "3 months to a year", "1 to 2 years", "Over 2 years"];

/// People in hospital on a day.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inpatients {
    pub on: Option<NaiveDate>,
    pub count: usize,
    pub out_of_area: usize,
    /// Days in hospital: the median and the longest.
    pub median_days: Option<f64>,
    pub longest_days: Option<i64>,
    /// How many in each of [`STAY_BANDS`].
    pub bands: [usize; 4],
}

fn stay_band(admitted: NaiveDate, day: NaiveDate) -> usize {
    let after = |months: u32| admitted.checked_add_months(Months::new(months)).unwrap_or(admitted);
    if day < after(3) {
        0
    } else if day < after(12) {
        1
    } else if day < after(24) {
        2
    } else {
        3
    }
}

/// The people in hospital at the end of `day` (one stay each: the latest open admission).
pub fn inpatients<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    age: Option<AgeGroup>,
    day: NaiveDate,
) -> Inpatients {
    let mut days = Vec::new();
    let mut found = Inpatients { on: Some(day), ..Inpatients::default() };
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        let born = file.person.date_of_birth;
        if age.is_some_and(|band| AgeGroup::of(age_on(born, day)) != band) {
            continue;
        }
        let Some(stay) = crate::admission::current_admission(&file.admissions, day) else { continue };
        found.count += 1;
        found.out_of_area += usize::from(stay.out_of_area);
        found.bands[stay_band(stay.admitted_on, day)] += 1;
        days.push((day - stay.admitted_on).num_days());
    }
    found.longest_days = days.iter().copied().max();
    found.median_days = median(&mut days);
    found
}

/// The median of whole days (the mean of the middle two for an even count).
pub fn median(values: &mut [i64]) -> Option<f64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2] as f64),
        _ => Some((values[n / 2 - 1] + values[n / 2]) as f64 / 2.0),
    }
}

/// Referrals received in the range and how fast they were answered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Referrals {
    /// (the month's first day, referrals submitted in it).
    pub by_month: Vec<(NaiveDate, usize)>,
    pub received: usize,
    pub contacted: usize,
    pub waiting_for_contact: usize,
    pub median_days_to_contact: Option<f64>,
    pub accepted: usize,
    pub declined: usize,
    pub waiting_for_decision: usize,
    pub median_days_to_decision: Option<f64>,
}

pub fn referrals<F: std::borrow::Borrow<PersonFile>>(files: &[F], filters: &Filters, today: NaiveDate) -> Referrals {
    let last = filters.last_day(today);
    let mut by_month: BTreeMap<NaiveDate, usize> =
        months(filters.from, filters.to).into_iter().map(|m| (m, 0)).collect();
    let mut found = Referrals::default();
    let (mut to_contact, mut to_decision) = (Vec::new(), Vec::new());
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        let born = file.person.date_of_birth;
        for referral in &file.referrals {
            let on = referral.submitted_on;
            if !filters.in_range(on) || !filters.of_age(born, on) {
                continue;
            }
            found.received += 1;
            *by_month.entry(month_of(on)).or_default() += 1;
            match referral.contacted_on.filter(|c| *c <= last) {
                Some(contacted) => {
                    found.contacted += 1;
                    to_contact.push((contacted - on).num_days().max(0));
                }
                None => found.waiting_for_contact += 1,
            }
            match referral.triage.as_ref().filter(|t| t.decided_on <= last) {
                Some(triage) => {
                    match triage.outcome {
                        TriageOutcome::Accepted => found.accepted += 1,
                        TriageOutcome::Declined { .. } => found.declined += 1,
                    }
                    to_decision.push((triage.decided_on - on).num_days().max(0));
                }
                None => found.waiting_for_decision += 1,
            }
        }
    }
    found.by_month = by_month.into_iter().collect();
    found.median_days_to_contact = median(&mut to_contact);
    found.median_days_to_decision = median(&mut to_decision);
    found
}

/// How many met a rule and how many did not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub met: usize,
    pub missed: usize,
}

impl Share {
    pub fn total(&self) -> usize {
        self.met + self.missed
    }

    /// The share met, in per cent (`None` when nothing was counted: no figure, not 0% or 100%).
    pub fn percent(&self) -> Option<f64> {
        (self.total() > 0).then(|| self.met as f64 * 100.0 / self.total() as f64)
    }

    /// "9 of 10 (90%)", or "None in this range".
    pub fn words(&self) -> String {
        match self.percent() {
            Some(p) => format!("{} of {} ({p:.0}%)", self.met, self.total()),
            None => "None in this range".to_string(),
        }
    }

    /// Something due by `deadline`, done on `done` (if by `last`, the range's last day): met when done
    /// by the deadline; missed when done later, or not done and the deadline passed before `last`; not
    /// counted while its deadline has not passed.
    fn count_by(&mut self, done: Option<NaiveDate>, deadline: NaiveDate, last: NaiveDate) {
        match done {
            Some(done) => self.count(done <= deadline),
            None if deadline < last => self.count(false),
            None => {}
        }
    }

    fn count(&mut self, met: bool) {
        if met {
            self.met += 1;
        } else {
            self.missed += 1;
        }
    }
}

/// The admissions in the range whose person is in the age band on admission.
fn admissions_in<'a>(file: &'a PersonFile, filters: &'a Filters) -> impl Iterator<Item = &'a Admission> + 'a {
    let born = file.person.date_of_birth;
    file.admissions.iter().filter(move |a| filters.in_range(a.admitted_on) && filters.of_age(born, a.admitted_on))
}

/// Admissions in the range with a community C(E)TR held before them (met) or not (missed).
pub fn community_review_before_admission<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    policy: &AreaPolicy,
    filters: &Filters,
) -> Share {
    let mut share = Share::default();
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        for admission in admissions_in(file, filters) {
            let window = policy.reviews.community_review_counts_for;
            share.count(file.community_review_before(admission.admitted_on, window, &policy.calendar).is_some());
        }
    }
    share
}

/// Post-admission reviews due by the end of the range (or held): held by the deadline (met) or not.
pub fn post_admission_reviews_on_time<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    policy: &AreaPolicy,
    filters: &Filters,
    today: NaiveDate,
) -> Share {
    let last = filters.last_day(today);
    let reviews = &policy.reviews;
    let mut share = Share::default();
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        for admission in admissions_in(file, filters) {
            let window = reviews.community_review_counts_for;
            if file.community_review_before(admission.admitted_on, window, &policy.calendar).is_some() {
                continue;
            }
            let child = file.child_when_admitted(admission, policy);
            let within = if child { reviews.post_admission_child } else { reviews.post_admission_adult };
            let deadline = within.after(admission.admitted_on, &policy.calendar);
            let held = file
                .reviews
                .iter()
                .filter(|r| r.kind == ReviewKind::PostAdmission && r.admission_id == Some(admission.id))
                .filter(|r| r.was_held())
                .filter_map(|r| r.meeting_on)
                .filter(|m| *m <= last)
                .min();
            share.count_by(held, deadline, last);
        }
    }
    share
}

/// Reports of C(E)TRs held in the range, due by the end of the range (or sent): sent by the due day or not.
pub fn reports_on_time<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    policy: &AreaPolicy,
    filters: &Filters,
    today: NaiveDate,
) -> Share {
    let last = filters.last_day(today);
    let mut share = Share::default();
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        let born = file.person.date_of_birth;
        for review in file.reviews.iter().filter(|r| r.was_held()) {
            let (Some(meeting), Some(due)) = (review.meeting_on, review.report_due(policy)) else { continue };
            if !filters.in_range(meeting) || !filters.of_age(born, meeting) {
                continue;
            }
            let sent = review.report_shared.iter().map(|s| s.on).filter(|on| *on <= last).min();
            share.count_by(sent, due, last);
        }
    }
    share
}

/// Oversight visits that fell due in the range: made by their due day or not.
pub fn oversight_visits_on_time<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    policy: &AreaPolicy,
    filters: &Filters,
    today: NaiveDate,
) -> Share {
    let last = filters.last_day(today);
    let visits = &policy.oversight_visits;
    let mut share = Share::default();
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        let born = file.person.date_of_birth;
        for admission in file.admissions.iter().filter(|a| a.out_of_area || !visits.out_of_area_only) {
            let child = file.child_when_admitted(admission, policy);
            let every = if child { visits.child_every } else { visits.adult_every };
            let mut made: Vec<NaiveDate> = admission
                .oversight_visits
                .iter()
                .copied()
                .filter(|v| *v > admission.admitted_on && *v <= last)
                .collect();
            made.sort_unstable();
            let mut since = admission.admitted_on;
            loop {
                let due = every.after(since, &policy.calendar);
                // Discharged before the visit fell due: none was needed.
                if due > last || admission.discharged_on.is_some_and(|d| d < due) {
                    break;
                }
                let next = made.iter().copied().find(|v| *v > since);
                if due >= filters.from && filters.of_age(born, due) {
                    share.count(next.is_some_and(|v| v <= due));
                }
                match next {
                    Some(visit) => since = visit,
                    None => break,
                }
            }
        }
    }
    share
}

/// Open actions for one owner or agency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionTally {
    pub name: String,
    pub open: usize,
    pub overdue: usize,
}

/// What an agency is called when the owner's agency is not recorded.
pub const AGENCY_NOT_RECORDED: &str = "Not recorded";

/// The agency of an action's owner: the team of the professional of that name in the person's file
/// (their keyworker, care coordinator or professionals), or the agency of the C(E)TR partner of that
/// name; [`AGENCY_NOT_RECORDED`] otherwise.
pub fn agency_of(file: &PersonFile, action: &Action) -> String {
    let same = |name: &str| name.trim().eq_ignore_ascii_case(action.owner.as_str().trim());
    let person = &file.person;
    let professional = person
        .keyworker
        .iter()
        .chain(&person.care_coordinator)
        .chain(&person.professionals)
        .find(|p| same(p.name.as_str()))
        .and_then(|p| p.team.as_ref().map(|t| t.as_str().to_string()));
    let partner = || {
        person
            .cetr_partners
            .iter()
            .find(|p| p.name.as_ref().is_some_and(|n| same(n.as_str())))
            .map(|p| p.agency.as_str().to_string())
    };
    professional.or_else(partner).unwrap_or_else(|| AGENCY_NOT_RECORDED.to_string())
}

/// Open actions today, by owner and by agency (most overdue first, then most open, then by name).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenActions {
    pub open: usize,
    pub overdue: usize,
    pub by_owner: Vec<ActionTally>,
    pub by_agency: Vec<ActionTally>,
}

pub fn open_actions<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    age: Option<AgeGroup>,
    today: NaiveDate,
) -> OpenActions {
    let mut owners: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut agencies: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut found = OpenActions::default();
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        if age.is_some_and(|band| AgeGroup::of(file.person.age_on(today)) != band) {
            continue;
        }
        for action in file.actions.iter().filter(|a| a.is_open()) {
            let overdue = usize::from(action.is_overdue(today));
            found.open += 1;
            found.overdue += overdue;
            let owner = owners.entry(action.owner.as_str().trim().to_string()).or_default();
            owner.0 += 1;
            owner.1 += overdue;
            let agency = agencies.entry(agency_of(file, action)).or_default();
            agency.0 += 1;
            agency.1 += overdue;
        }
    }
    let tallies = |map: BTreeMap<String, (usize, usize)>| {
        let mut list: Vec<ActionTally> =
            map.into_iter().map(|(name, (open, overdue))| ActionTally { name, open, overdue }).collect();
        list.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.open.cmp(&a.open)).then(a.name.cmp(&b.name)));
        list
    };
    found.by_owner = tallies(owners);
    found.by_agency = tallies(agencies);
    found
}

/// Keyworker referrals whose latest offer was in the range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyworkerReferrals {
    pub offered: usize,
    pub accepted: usize,
    pub declined: usize,
    /// Of those offered, how many have a keyworker now.
    pub with_keyworker: usize,
}

pub fn keyworker_referrals<F: std::borrow::Borrow<PersonFile>>(files: &[F], filters: &Filters) -> KeyworkerReferrals {
    let mut found = KeyworkerReferrals::default();
    for file in files.iter().map(std::borrow::Borrow::borrow) {
        let person = &file.person;
        let Some(offered) = person.keyworker_referral_offered else { continue };
        if !filters.in_range(offered) || !filters.of_age(person.date_of_birth, offered) {
            continue;
        }
        found.offered += 1;
        if person.keyworker_referral_declined.is_some_and(|declined| declined >= offered) {
            found.declined += 1;
        } else {
            found.accepted += 1;
        }
        found.with_keyworker += usize::from(person.keyworker.is_some());
    }
    found
}

/// Every figure the dashboard shows, for one set of filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub filters: Filters,
    /// Today (or the range's last day, if earlier), by rating.
    pub now: (NaiveDate, ByRating),
    pub month_ends: Vec<(NaiveDate, ByRating)>,
    pub admissions: Vec<MonthOfAdmissions>,
    pub inpatients: Inpatients,
    pub referrals: Referrals,
    pub community_review_before_admission: Share,
    pub post_admission_reviews: Share,
    pub reports: Share,
    pub oversight_visits: Share,
    pub actions: OpenActions,
    pub keyworker: KeyworkerReferrals,
}

/// Works out every figure (the dashboard's one call).
pub fn dashboard<F: std::borrow::Borrow<PersonFile>>(
    files: &[F],
    policy: &AreaPolicy,
    filters: &Filters,
    today: NaiveDate,
) -> Dashboard {
    let last = filters.last_day(today);
    Dashboard {
        filters: *filters,
        now: (last, register_by_rating(files, filters.age, last)),
        month_ends: month_ends(filters.from, last)
            .into_iter()
            .map(|day| (day, register_by_rating(files, filters.age, day)))
            .collect(),
        admissions: admissions_by_month(files, filters),
        inpatients: inpatients(files, filters.age, last),
        referrals: referrals(files, filters, today),
        community_review_before_admission: community_review_before_admission(files, policy, filters),
        post_admission_reviews: post_admission_reviews_on_time(files, policy, filters, today),
        reports: reports_on_time(files, policy, filters, today),
        oversight_visits: oversight_visits_on_time(files, policy, filters, today),
        actions: open_actions(files, filters.age, today),
        keyworker: keyworker_referrals(files, filters),
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests;
