//! A person on the register: who they are. (Referral, consent, rating and the rest come with the
//! domain model; this is the part every other record hangs from.)

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::text::{LongText, ShortText};
use crate::{NhsNumber, PersonId, ValidationErrors};

/// The longest name the register keeps, in characters.
pub const NAME_MAX_CHARS: usize = 100;
/// How far back a date of birth may go, in years.
pub const OLDEST_AGE_YEARS: i32 = 125;

/// A given or family name: trimmed, not empty, at most [`NAME_MAX_CHARS`], no control characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, example = "Alex"))]
#[serde(try_from = "String", into = "String")]
pub struct PersonName(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PersonNameError {
    #[error("is empty")]
    Empty,
    #[error("is longer than {NAME_MAX_CHARS} characters")]
    TooLong,
    #[error("contains a line break, tab or other control character")]
    ControlCharacter,
}

impl PersonName {
    pub fn parse(text: &str) -> Result<Self, PersonNameError> {
        let text = text.trim();
        if text.is_empty() {
            Err(PersonNameError::Empty)
        } else if text.chars().count() > NAME_MAX_CHARS {
            Err(PersonNameError::TooLong)
        } else if text.chars().any(char::is_control) {
            Err(PersonNameError::ControlCharacter)
        } else {
            Ok(Self(text.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The message shown under a name field labelled `label` ("given name", "family name").
    fn message(error: PersonNameError, label: &str) -> String {
        match error {
            PersonNameError::Empty => format!("Enter the {label}"),
            PersonNameError::TooLong => format!("The {label} must be {NAME_MAX_CHARS} characters or fewer"),
            PersonNameError::ControlCharacter => format!("The {label} must not include line breaks or tabs"),
        }
    }
}

impl std::fmt::Display for PersonName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PersonName {
    type Error = PersonNameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PersonName> for String {
    fn from(value: PersonName) -> Self {
        value.0
    }
}

/// A person on the register, as stored and as sent by the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Person {
    pub id: PersonId,
    pub given_name: PersonName,
    pub family_name: PersonName,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date, example = "2011-04-23"))]
    pub date_of_birth: NaiveDate,
    /// Unknown at some self-referrals.
    #[serde(default)]
    pub nhs_number: Option<NhsNumber>,
    /// Learning disability, autism or both; may be pending, or made in hospital.
    #[serde(default)]
    pub diagnosis: Option<Diagnosis>,
    /// The local authority, or a postcode.
    #[serde(default)]
    pub local_authority_or_postcode: Option<ShortText>,
    /// Why enhanced support may be needed.
    #[serde(default)]
    pub why_support_may_be_needed: Option<LongText>,
    #[serde(default)]
    pub what_has_been_tried: Option<LongText>,
    #[serde(default)]
    pub what_could_reduce_risk: Option<LongText>,
    /// Teams and key professionals involved, with contacts.
    #[serde(default)]
    pub professionals: Vec<Professional>,
    #[serde(default)]
    pub keyworker: Option<Professional>,
    #[serde(default)]
    pub care_coordinator: Option<Professional>,
    /// When a referral to the keyworker service was last offered.
    #[serde(default)]
    pub keyworker_referral_offered: Option<NaiveDate>,
    /// When the family (or young person) last declined a keyworker referral.
    #[serde(default)]
    pub keyworker_referral_declined: Option<NaiveDate>,
    /// The partners who would need to be involved in a C(E)TR (Green's required action, seed 002).
    #[serde(default)]
    pub cetr_partners: Vec<Partner>,
    #[serde(default)]
    pub ehc_plan: EhcPlan,
    #[serde(default)]
    pub education_placement: Option<ShortText>,
    /// In education now (decides CTR or CETR for adults); None when not known.
    #[serde(default)]
    pub in_education: Option<bool>,
    /// The education placement has broken down (a CETR, not a CTR, up to the policy's age).
    #[serde(default)]
    pub education_placement_broken_down: bool,
    #[serde(default)]
    pub register_status: RegisterStatus,
    /// Who asked for them to be taken off the register, and why in their words (the leaving page asks;
    /// kept while they are off it).
    #[serde(default)]
    pub leaving_asked_by: Option<ShortText>,
    #[serde(default)]
    pub leaving_note: Option<LongText>,
}

/// Learning disability, autism, both, or a diagnosis not yet made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Diagnosis {
    LearningDisability,
    Autism,
    Both,
    Pending,
}

impl Diagnosis {
    /// As people say it (a pending diagnosis is "not yet known").
    pub const fn label(self) -> &'static str {
        match self {
            Diagnosis::LearningDisability => "Learning disability",
            Diagnosis::Autism => "Autism",
            Diagnosis::Both => "Learning disability and autism",
            Diagnosis::Pending => "Diagnosis not yet known",
        }
    }
}

/// Education, Health and Care plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EhcPlan {
    #[default]
    NotKnown,
    Yes,
    No,
    Requested,
}

impl EhcPlan {
    pub fn label(self) -> &'static str {
        match self {
            EhcPlan::NotKnown => "Not known",
            EhcPlan::Yes => "Yes",
            EhcPlan::No => "No",
            EhcPlan::Requested => "Requested",
        }
    }
}

/// A professional in the person's care network.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Professional {
    pub name: ShortText,
    /// For example "CAMHS clinician", "School SENCo", "Social worker".
    pub role: ShortText,
    #[serde(default)]
    pub team: Option<ShortText>,
    /// Phone or email.
    #[serde(default)]
    pub contact: Option<ShortText>,
}

/// A partner who would need to be involved in a C(E)TR: their role and agency, and a name when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Partner {
    /// For example "Educational psychologist", "Social worker", "CAMHS clinician".
    pub role: ShortText,
    /// For example "Example County Council", "CAMHS".
    pub agency: ShortText,
    #[serde(default)]
    pub name: Option<ShortText>,
}

impl Partner {
    /// One line as people read it: "Social worker, Example County Council (Sam Smith)".
    pub fn line(&self) -> String {
        let name = self.name.as_ref().map(|n| format!(" ({})", n.as_str())).unwrap_or_default();
        format!("{}, {}{name}", self.role.as_str(), self.agency.as_str())
    }
}

/// Partners typed one per line as "role, agency" or "role, agency, name". Blank lines are skipped; a line
/// without an agency is refused with its number.
pub fn parse_partners(text: &str) -> Result<Vec<Partner>, String> {
    let mut partners = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let mut parts = line.splitn(3, ',');
        let (Some(role), Some(agency)) = (parts.next(), parts.next()) else {
            return Err(format!(
                "Line {}: write the role, a comma, then the agency (for example: Social worker, Example Council)",
                n + 1
            ));
        };
        let role = ShortText::parse(role).map_err(|e| format!("Line {}: the role {e}", n + 1))?;
        let agency = ShortText::parse(agency).map_err(|e| format!("Line {}: the agency {e}", n + 1))?;
        let name = match parts.next().map(str::trim).filter(|t| !t.is_empty()) {
            Some(name) => Some(ShortText::parse(name).map_err(|e| format!("Line {}: the name {e}", n + 1))?),
            None => None,
        };
        partners.push(Partner { role, agency, name });
    }
    Ok(partners)
}

/// The partners as [`parse_partners`] reads them.
pub fn partners_text(partners: &[Partner]) -> String {
    partners
        .iter()
        .map(|p| {
            let name = p.name.as_ref().map(|n| format!(", {}", n.as_str())).unwrap_or_default();
            format!("{}, {}{name}", p.role.as_str(), p.agency.as_str())
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Where the person is in the register's life cycle.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum RegisterStatus {
    /// Referred, waiting for the DSR meeting's decision.
    #[default]
    Referred,
    OnRegister {
        since: NaiveDate,
    },
    Left {
        on: NaiveDate,
        reason: LeaveReason,
    },
}

/// Why a person left the register (seed 001: risk gone, or on request at any time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    RiskGone,
    ConsentWithdrawn,
    MovedAway,
    ReferralDeclined,
    Died,
}

impl LeaveReason {
    /// The reasons a coordinator chooses from when someone leaves (a declined referral is recorded
    /// by the triage decision).
    pub const CHOSEN: [LeaveReason; 4] =
        [LeaveReason::RiskGone, LeaveReason::ConsentWithdrawn, LeaveReason::MovedAway, LeaveReason::Died];

    pub fn label(self) -> &'static str {
        match self {
            LeaveReason::RiskGone => "The risk has gone",
            LeaveReason::ConsentWithdrawn => "Consent was withdrawn (on request)",
            LeaveReason::MovedAway => "Moved out of the area",
            LeaveReason::ReferralDeclined => "The referral was declined",
            LeaveReason::Died => "Died",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LeaveReason::RiskGone => "risk_gone",
            LeaveReason::ConsentWithdrawn => "consent_withdrawn",
            LeaveReason::MovedAway => "moved_away",
            LeaveReason::ReferralDeclined => "referral_declined",
            LeaveReason::Died => "died",
        }
    }
}

impl Person {
    /// A newly referred person with only the details every record has.
    pub fn new(
        id: PersonId,
        given_name: PersonName,
        family_name: PersonName,
        date_of_birth: NaiveDate,
        nhs_number: Option<NhsNumber>,
    ) -> Self {
        Self {
            id,
            given_name,
            family_name,
            date_of_birth,
            nhs_number,
            diagnosis: None,
            local_authority_or_postcode: None,
            why_support_may_be_needed: None,
            what_has_been_tried: None,
            what_could_reduce_risk: None,
            professionals: Vec::new(),
            keyworker: None,
            care_coordinator: None,
            keyworker_referral_offered: None,
            keyworker_referral_declined: None,
            cetr_partners: Vec::new(),
            ehc_plan: EhcPlan::NotKnown,
            education_placement: None,
            in_education: None,
            education_placement_broken_down: false,
            register_status: RegisterStatus::Referred,
            leaving_asked_by: None,
            leaving_note: None,
        }
    }

    /// What taking them off the register does, in plain words, with the area's retention period (the
    /// leaving page says it before anyone confirms).
    pub fn leaving_effects(retention: crate::period::Period) -> [String; 3] {
        [
            "They are no longer on the register: nothing is due for them, and they leave the DSR meeting's agenda."
                .into(),
            format!("Their details are removed {retention} after the day they leave, as your area's policy says."),
            "Until then the record stays, and they can be put back on the register if things change.".into(),
        ]
    }

    /// On the register on `day` (since on or before it, and not left).
    pub fn on_register(&self, day: NaiveDate) -> bool {
        matches!(self.register_status, RegisterStatus::OnRegister { since } if since <= day)
    }

    /// When this person's details are to be removed: the policy's retention period after they left
    /// the register (seed 001: 12 months). `None` while they are on it or referred.
    pub fn purge_due(&self, policy: &crate::policy::AreaPolicy) -> Option<NaiveDate> {
        match self.register_status {
            RegisterStatus::Left { on, .. } => Some(policy.retention_after_leaving.after(on, &policy.calendar)),
            _ => None,
        }
    }

    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_name, self.family_name)
    }

    /// Age in whole years on `day`. Someone born on 29 February turns a year older on 1 March in
    /// other years.
    pub fn age_on(&self, day: NaiveDate) -> i32 {
        age_on(self.date_of_birth, day)
    }
}

/// Why two records may be the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SamePerson {
    /// The same NHS number.
    NhsNumber,
    /// The same given and family names (ignoring case and spacing) and date of birth.
    NameAndDateOfBirth,
}

impl SamePerson {
    /// The field of the person form the problem is shown on.
    pub fn field(self) -> &'static str {
        match self {
            SamePerson::NhsNumber => "nhs_number",
            SamePerson::NameAndDateOfBirth => "given_name",
        }
    }

    /// What was found, in a sentence.
    pub fn finding(self) -> &'static str {
        match self {
            SamePerson::NhsNumber => "Someone with this NHS number is already on the register",
            SamePerson::NameAndDateOfBirth => "Someone with this name and date of birth is already on the register",
        }
    }

    /// What the person adding them is told.
    pub fn message(self) -> String {
        format!("{}: open their record instead of adding them again", self.finding())
    }
}

fn name_key(name: &PersonName) -> String {
    name.as_str().split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// The keys under which two records are the same person: the NHS number, and the names with the date
/// of birth. Two people share a key exactly when [`same_person`] says they may be the same.
pub fn match_keys(person: &Person) -> Vec<(String, SamePerson)> {
    let mut keys = Vec::with_capacity(2);
    if let Some(nhs) = person.nhs_number {
        keys.push((format!("nhs:{}", String::from(nhs)), SamePerson::NhsNumber));
    }
    let names = format!("{}|{}", name_key(&person.given_name), name_key(&person.family_name));
    keys.push((format!("name:{names}|{}", person.date_of_birth), SamePerson::NameAndDateOfBirth));
    keys
}

/// Whether `a` and `b` (two different records) may be the same person: the same NHS number, or the same
/// names and date of birth.
pub fn same_person(a: &Person, b: &Person) -> Option<SamePerson> {
    shared_key(&match_keys(a), &match_keys(b))
}

/// Why two people with these keys may be the same: the first of `ours` that `theirs` has too.
fn shared_key(ours: &[(String, SamePerson)], theirs: &[(String, SamePerson)]) -> Option<SamePerson> {
    ours.iter().find(|(key, _)| theirs.iter().any(|(k, _)| k == key)).map(|(_, why)| *why)
}

/// The people among `others` that `candidate` may be (never itself; not those who have left the
/// register, whose details are going), NHS number matches first. Adding a person or accepting a
/// referral stops on the first, offline on the device and again on the server.
pub fn find_duplicates<'a>(
    candidate: &Person,
    others: impl IntoIterator<Item = &'a Person>,
) -> Vec<(&'a Person, SamePerson)> {
    let keys = match_keys(candidate);
    let mut found: Vec<(&Person, SamePerson)> = others
        .into_iter()
        .filter(|other| other.id != candidate.id && !matches!(other.register_status, RegisterStatus::Left { .. }))
        // Only these can share a key (each key ends with the NHS number or the date of birth): the keys
        // of ten thousand others are not worked out while someone types.
        .filter(|other| {
            other.date_of_birth == candidate.date_of_birth
                || (other.nhs_number.is_some() && other.nhs_number == candidate.nhs_number)
        })
        .filter_map(|other| shared_key(&keys, &match_keys(other)).map(|why| (other, why)))
        .collect();
    found.sort_by_key(|(_, why)| *why != SamePerson::NhsNumber);
    found
}

/// People looked up by what makes two records the same person, so checking a push of thousands of
/// people is one lookup each, not a comparison with everyone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PeopleIndex {
    people: std::collections::BTreeMap<PersonId, Person>,
    by_key: std::collections::BTreeMap<String, std::collections::BTreeSet<PersonId>>,
}

impl PeopleIndex {
    pub fn new(people: impl IntoIterator<Item = Person>) -> PeopleIndex {
        let mut index = PeopleIndex::default();
        for person in people {
            index.insert(person);
        }
        index
    }

    /// Adds a person, or replaces what was known of them.
    pub fn insert(&mut self, person: Person) {
        if let Some(old) = self.people.remove(&person.id) {
            for (key, _) in match_keys(&old) {
                if let Some(ids) = self.by_key.get_mut(&key) {
                    ids.remove(&old.id);
                }
            }
        }
        for (key, _) in match_keys(&person) {
            self.by_key.entry(key).or_default().insert(person.id);
        }
        self.people.insert(person.id, person);
    }

    /// The person `candidate` may be, as [`find_duplicates`] finds them.
    pub fn find(&self, candidate: &Person) -> Option<(&Person, SamePerson)> {
        let ids = match_keys(candidate).into_iter().flat_map(|(key, _)| self.by_key.get(&key).into_iter().flatten());
        let others: Vec<&Person> = ids.filter_map(|id| self.people.get(id)).collect();
        find_duplicates(candidate, others).into_iter().next()
    }
}

/// Age in whole years on `day` of someone born on `born`.
pub fn age_on(born: NaiveDate, day: NaiveDate) -> i32 {
    let had_birthday = (day.month(), day.day()) >= (born.month(), born.day());
    day.year() - born.year() - if had_birthday { 0 } else { 1 }
}

/// The day someone born on `born` turns `age` (a 29 February birthday counts from 1 March).
pub fn birthday(born: NaiveDate, age: i32) -> NaiveDate {
    let year = born.year() + age;
    NaiveDate::from_ymd_opt(year, born.month(), born.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(NaiveDate::MAX)
}

/// Checks a date of birth against `today`: not in the future and not more than
/// [`OLDEST_AGE_YEARS`] years ago.
pub fn check_date_of_birth(born: NaiveDate, today: NaiveDate) -> Result<NaiveDate, String> {
    if born > today {
        return Err("Date of birth must be today or in the past".into());
    }
    if age_on(born, today) > OLDEST_AGE_YEARS {
        return Err(format!("Date of birth must be within the last {OLDEST_AGE_YEARS} years"));
    }
    Ok(born)
}

/// Reads a date typed in three fields (day, month, year) with the NHS design system's messages.
/// `label` names the date in messages ("Date of birth").
pub fn date_from_parts(day: &str, month: &str, year: &str, label: &str) -> Result<NaiveDate, String> {
    let (day, month, year) = (day.trim(), month.trim(), year.trim());
    let missing: Vec<&str> = [("day", day), ("month", month), ("year", year)]
        .iter()
        .filter(|(_, v)| v.is_empty())
        .map(|(name, _)| *name)
        .collect();
    match missing.len() {
        3 => return Err(format!("Enter the {}", label.to_lowercase())),
        2 => return Err(format!("{label} must include a {} and {}", missing[0], missing[1])),
        1 => return Err(format!("{label} must include a {}", missing[0])),
        _ => {}
    }
    let real_date = || format!("{label} must be a real date");
    let number = |text: &str| text.parse::<u32>().map_err(|_| real_date());
    if year.len() != 4 || !year.chars().all(|c| c.is_ascii_digit()) {
        return Err("Year must include 4 numbers".into());
    }
    let (d, m, y) = (number(day)?, number(month)?, number(year)?);
    i32::try_from(y).ok().and_then(|y| NaiveDate::from_ymd_opt(y, m, d)).ok_or_else(real_date)
}

/// What the "Add person" form holds while it is filled in: text exactly as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonForm {
    pub given_name: String,
    pub family_name: String,
    pub dob_day: String,
    pub dob_month: String,
    pub dob_year: String,
    pub nhs_number: String,
}

impl PersonForm {
    /// The person this form describes, or every problem with it (field by field, in form order).
    pub fn validate(&self, id: PersonId, today: NaiveDate) -> Result<Person, ValidationErrors> {
        let born = date_from_parts(&self.dob_day, &self.dob_month, &self.dob_year, "Date of birth");
        build_person(id, &self.given_name, &self.family_name, born, &self.nhs_number, today)
    }
}

/// The one place a person's typed fields are checked.
fn build_person(
    id: PersonId,
    given_name: &str,
    family_name: &str,
    born: Result<NaiveDate, String>,
    nhs_number: &str,
    today: NaiveDate,
) -> Result<Person, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    let given_name =
        errors.check("given_name", PersonName::parse(given_name).map_err(|e| PersonName::message(e, "given name")));
    let family_name =
        errors.check("family_name", PersonName::parse(family_name).map_err(|e| PersonName::message(e, "family name")));
    let date_of_birth = errors.check("date_of_birth", born.and_then(|d| check_date_of_birth(d, today)));
    let nhs_number = if nhs_number.trim().is_empty() {
        Some(None)
    } else {
        errors.check("nhs_number", NhsNumber::parse(nhs_number)).map(Some)
    };
    match (given_name, family_name, date_of_birth, nhs_number) {
        (Some(given_name), Some(family_name), Some(date_of_birth), Some(nhs_number)) if errors.is_empty() => {
            Ok(Person::new(id, given_name, family_name, date_of_birth, nhs_number))
        }
        _ => Err(errors),
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::day;
    use proptest::prelude::*;

    fn id() -> PersonId {
        PersonId::from_time_and_random(1_700_000_000_000, [1; 10])
    }

    fn form() -> PersonForm {
        PersonForm {
            given_name: "  Alex ".into(),
            family_name: "Example".into(),
            dob_day: "23".into(),
            dob_month: "4".into(),
            dob_year: "2011".into(),
            nhs_number: "943 476 5919".into(),
        }
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 25);

    fn today() -> NaiveDate {
        day(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn a_complete_form_makes_a_person() {
        let person = form().validate(id(), today()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(person.full_name(), "Alex Example");
        assert_eq!(person.date_of_birth, day(2011, 4, 23));
        assert_eq!(person.nhs_number.map(|n| n.to_string()).as_deref(), Some("943 476 5919"));
        assert_eq!(person.age_on(today()), 15);
    }

    #[test]
    fn nhs_number_may_be_left_blank() {
        let person = PersonForm { nhs_number: "  ".into(), ..form() }.validate(id(), today());
        assert_eq!(person.map(|p| p.nhs_number), Ok(None));
    }

    #[test]
    fn wrong_nhs_number_names_the_field() {
        let errors = PersonForm { nhs_number: "943 476 5918".into(), ..form() }
            .validate(id(), today())
            .err()
            .unwrap_or_default();
        assert_eq!(errors.fields().len(), 1);
        assert_eq!(
            errors.message_for("nhs_number"),
            Some("This is not a valid NHS number: check each digit and try again")
        );
    }

    #[test]
    fn an_empty_form_lists_every_missing_field_in_order() {
        let errors = PersonForm::default().validate(id(), today()).err().unwrap_or_default();
        let fields: Vec<&str> = errors.fields().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["given_name", "family_name", "date_of_birth"]);
        assert_eq!(errors.message_for("given_name"), Some("Enter the given name"));
        assert_eq!(errors.message_for("date_of_birth"), Some("Enter the date of birth"));
    }

    #[test]
    fn date_parts_get_the_design_system_messages() {
        let l = "Date of birth";
        assert_eq!(date_from_parts("", "4", "2011", l), Err("Date of birth must include a day".into()));
        assert_eq!(date_from_parts("1", "", "", l), Err("Date of birth must include a month and year".into()));
        assert_eq!(date_from_parts("31", "2", "2011", l), Err("Date of birth must be a real date".into()));
        assert_eq!(date_from_parts("a", "2", "2011", l), Err("Date of birth must be a real date".into()));
        assert_eq!(date_from_parts("1", "2", "11", l), Err("Year must include 4 numbers".into()));
        assert_eq!(date_from_parts("29", "2", "2012", l), Ok(day(2012, 2, 29)));
    }

    #[test]
    fn date_of_birth_cannot_be_in_the_future_or_too_long_ago() {
        assert!(check_date_of_birth(today(), today()).is_ok());
        assert!(check_date_of_birth(day(2026, 11, 26), today()).is_err());
        assert!(check_date_of_birth(day(1900, 1, 1), today()).is_err());
    }

    #[test]
    fn details_are_removed_the_policys_retention_period_after_leaving() {
        let mut person = form().validate(id(), today()).unwrap_or_else(|e| panic!("{e}"));
        let mut policy = crate::policy::AreaPolicy::default();
        assert_eq!(person.purge_due(&policy), None);
        person.register_status = RegisterStatus::Left { on: day(2025, 11, 30), reason: LeaveReason::RiskGone };
        assert_eq!(person.purge_due(&policy), Some(day(2026, 11, 30)));
        policy.retention_after_leaving = crate::period::Period::Months(24);
        assert_eq!(person.purge_due(&policy), Some(day(2027, 11, 30)));
    }

    #[test]
    fn leap_day_birthdays_count_from_the_first_of_march() {
        let born = day(2012, 2, 29);
        assert_eq!(age_on(born, day(2013, 2, 28)), 0);
        assert_eq!(age_on(born, day(2013, 3, 1)), 1);
        assert_eq!(age_on(born, day(2016, 2, 29)), 4);
        assert_eq!(birthday(born, 1), day(2013, 3, 1));
        assert_eq!(birthday(born, 4), day(2016, 2, 29));
    }

    #[test]
    fn partners_are_typed_one_per_line_as_role_agency_and_name() {
        let partners = parse_partners("Social worker, Example Council\n\nCAMHS clinician, CAMHS, Dr Lee\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(partners.len(), 2);
        assert_eq!(partners[1].line(), "CAMHS clinician, CAMHS (Dr Lee)");
        assert_eq!(parse_partners(&partners_text(&partners)), Ok(partners));
        assert!(parse_partners("Social worker").is_err_and(|e| e.starts_with("Line 1")));
        assert!(parse_partners("ok, fine\n, Council").is_err_and(|e| e.starts_with("Line 2: the role")));
    }

    #[test]
    fn the_same_person_is_found_by_nhs_number_or_by_name_and_date_of_birth() {
        let alex = form().validate(id(), today()).unwrap_or_else(|e| panic!("{e}"));
        let other_id = PersonId::from_time_and_random(1_700_000_000_001, [2; 10]);
        // Another record, same NHS number, another name: the same person.
        let renamed = PersonForm { given_name: "Alexandra".into(), ..form() }.validate(other_id, today());
        let renamed = renamed.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(same_person(&renamed, &alex), Some(SamePerson::NhsNumber));
        // No NHS number, the same names with other case and spacing, the same birthday.
        let typed = PersonForm {
            given_name: "ALEX".into(),
            family_name: " example ".into(),
            nhs_number: String::new(),
            ..form()
        };
        let typed = typed.validate(other_id, today()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(same_person(&typed, &alex), Some(SamePerson::NameAndDateOfBirth));
        // Twins: the same birthday and family name, other given names, no NHS numbers: not the same.
        let twin =
            PersonForm { given_name: "Sam".into(), nhs_number: String::new(), ..form() }.validate(other_id, today());
        let twin = twin.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(same_person(&twin, &alex), None);
        // Itself, and someone who has left, are never duplicates; NHS number matches come first.
        let mut left = renamed.clone();
        assert_eq!(find_duplicates(&alex, [&alex]), Vec::new());
        assert_eq!(
            find_duplicates(&alex, [&typed, &renamed]).first().map(|(_, why)| *why),
            Some(SamePerson::NhsNumber)
        );
        // The same NHS number with another birthday (a typing slip) is found too, and find_duplicates
        // agrees with same_person on every pair.
        let born_elsewhere = Person { date_of_birth: day(2011, 3, 4), ..renamed.clone() };
        assert_eq!(find_duplicates(&alex, [&born_elsewhere]).first().map(|(_, why)| *why), Some(SamePerson::NhsNumber));
        let everyone = [&alex, &renamed, &typed, &born_elsewhere, &twin];
        for a in everyone {
            let found: Vec<_> = find_duplicates(a, everyone).into_iter().map(|(p, why)| (p.id, why)).collect();
            let mut expected: Vec<_> = everyone
                .iter()
                .filter(|b| b.id != a.id)
                .filter_map(|b| same_person(a, b).map(|why| (b.id, why)))
                .collect();
            expected.sort_by_key(|(_, why)| *why != SamePerson::NhsNumber);
            assert_eq!(found, expected);
        }
        left.register_status = RegisterStatus::Left { on: day(2026, 1, 1), reason: LeaveReason::MovedAway };
        assert_eq!(find_duplicates(&alex, [&left]), Vec::new());
        assert_eq!(SamePerson::NhsNumber.field(), "nhs_number");
        // The index finds the same, and follows a person's changes.
        let typed_elsewhere =
            Person { id: PersonId::from_time_and_random(1_700_000_000_002, [3; 10]), ..typed.clone() };
        let mut index = PeopleIndex::new([renamed.clone(), typed_elsewhere]);
        assert_eq!(index.find(&alex).map(|(_, why)| why), Some(SamePerson::NhsNumber));
        let mut moved = renamed.clone();
        moved.nhs_number = None;
        index.insert(moved);
        assert_eq!(index.find(&alex).map(|(_, why)| why), Some(SamePerson::NameAndDateOfBirth));
        index.insert(left);
        assert_eq!(index.find(&alex).map(|(_, why)| why), Some(SamePerson::NameAndDateOfBirth));
        assert!(PeopleIndex::new([twin_of(&alex)]).find(&alex).is_none());
    }

    fn twin_of(person: &Person) -> Person {
        Person {
            given_name: PersonName::parse("Sam").unwrap_or_else(|e| panic!("{e}")),
            nhs_number: None,
            ..person.clone()
        }
    }

    #[test]
    fn names_are_trimmed_and_checked() {
        assert_eq!(PersonName::parse("  Sam ").map(|n| n.to_string()), Ok("Sam".into()));
        assert_eq!(PersonName::parse("Sam\nJones"), Err(PersonNameError::ControlCharacter));
        assert_eq!(PersonName::parse(&"x".repeat(NAME_MAX_CHARS + 1)), Err(PersonNameError::TooLong));
    }

    #[test]
    fn a_person_from_the_form_round_trips_through_json() {
        let person = form().validate(id(), today()).unwrap_or_else(|e| panic!("{e}"));
        let json = serde_json::to_value(&person).unwrap_or_default();
        assert_eq!(serde_json::from_value::<Person>(json).ok(), Some(person));
    }

    #[test]
    fn person_json_refuses_an_invalid_nhs_number_or_empty_name() {
        let good = serde_json::json!({"id": id(), "given_name": "Alex", "family_name": "Example",
            "date_of_birth": "2011-04-23", "nhs_number": "9434765919"});
        assert!(serde_json::from_value::<Person>(good.clone()).is_ok());
        let mut bad = good.clone();
        bad["nhs_number"] = "9434765918".into();
        assert!(serde_json::from_value::<Person>(bad).is_err());
        let mut bad = good;
        bad["given_name"] = " ".into();
        assert!(serde_json::from_value::<Person>(bad).is_err());
    }

    proptest! {
        #[test]
        fn age_is_never_negative_and_grows_by_one_each_birthday(
            y in 1920i32..2026, m in 1u32..=12, d in 1u32..=28, later in 0i32..90,
        ) {
            let born = day(y, m, d);
            let birthday = day(y + later, m, d);
            prop_assert_eq!(age_on(born, birthday), later);
            if let Some(eve) = birthday.pred_opt() {
                prop_assert_eq!(age_on(born, eve), (later - 1).max(-1));
            }
        }

        #[test]
        fn any_form_either_validates_or_names_each_bad_field(
            given in ".{0,5}", family in ".{0,5}", dd in "[0-9a]{0,2}", mm in "[0-9]{0,2}",
            yyyy in "[0-9]{0,4}", nhs in "[0-9 ]{0,12}",
        ) {
            let form = PersonForm { given_name: given, family_name: family, dob_day: dd, dob_month: mm, dob_year: yyyy, nhs_number: nhs };
            match form.validate(id(), today()) {
                Ok(person) => {
                    let json = serde_json::to_value(&person).unwrap_or_default();
                    prop_assert_eq!(serde_json::from_value::<Person>(json).ok(), Some(person));
                }
                Err(errors) => {
                    prop_assert!(!errors.is_empty());
                    for e in errors.fields() {
                        prop_assert!(["given_name", "family_name", "date_of_birth", "nhs_number"].contains(&e.field.as_str()));
                        prop_assert!(!e.message.is_empty());
                    }
                }
            }
        }
    }
}
