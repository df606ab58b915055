//! Referrals to the register: by a professional (with consent) or by the family or young person
//! themselves. Self-referrals are considered at the next DSR meeting and the family is told the
//! decision (seed 001). Deadlines to triage and to contact a self-referrer are policy.

use crate::calendar::long_date;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::person::{LeaveReason, Person, PersonForm, Professional, RegisterStatus};
use crate::policy::AreaPolicy;
use crate::text::{LongText, ShortText};
use crate::{PersonId, ReferralId, Validate, ValidationErrors, validated};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "route")]
pub enum ReferralRoute {
    /// CAMHS, social care, a school SENCo, an EHCP coordinator, a GP... Needs consent.
    Professional { referrer: Professional, consent_confirmed: bool },
    /// The family or the young person, with how to reach them.
    SelfReferral {
        by: ShortText,
        relationship: ShortText,
        #[serde(default)]
        contact: Option<ShortText>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum TriageOutcome {
    /// The person goes on the register.
    Accepted,
    Declined {
        reason: LongText,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    pub outcome: TriageOutcome,
    pub decided_on: NaiveDate,
    pub by: ShortText,
}

validated! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Referral (unchecked ReferralUnchecked) {
        pub id: ReferralId,
        pub person_id: PersonId,
        pub route: ReferralRoute,
        pub reason: LongText,
        pub submitted_on: NaiveDate,
        /// When a self-referring family was first contacted.
        #[serde(default)]
        pub contacted_on: Option<NaiveDate>,
        #[serde(default)]
        pub triage: Option<Triage>,
        /// When the family was told the decision.
        #[serde(default)]
        pub family_told_on: Option<NaiveDate>,
    }
}

impl Validate for Referral {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            matches!(self.route, ReferralRoute::Professional { consent_confirmed: false, .. }),
            "route",
            "A professional referral needs the person's (or their parent's) consent",
        );
        errors.require(
            self.triage.as_ref().is_some_and(|t| t.decided_on < self.submitted_on),
            "triage",
            "The decision cannot be before the referral",
        );
        errors.require(
            self.contacted_on.is_some_and(|c| c < self.submitted_on),
            "contacted_on",
            "Contact cannot be before the referral",
        );
        errors.require(
            self.family_told_on.is_some() && self.triage.is_none(),
            "family_told_on",
            "Record the decision before recording that the family was told",
        );
        errors.require(
            self.family_told_on.zip(self.triage.as_ref()).is_some_and(|(told, t)| told < t.decided_on),
            "family_told_on",
            "The family is told after the decision",
        );
        errors.into_result()
    }
}

impl Referral {
    pub fn is_self_referral(&self) -> bool {
        matches!(self.route, ReferralRoute::SelfReferral { .. })
    }

    /// When the referral must be decided: self-referrals at the next DSR meeting, professional ones
    /// within the policy's triage time.
    pub fn triage_due(&self, policy: &AreaPolicy) -> NaiveDate {
        if self.is_self_referral() {
            policy.next_dsr_meeting(self.submitted_on)
        } else {
            policy.referrals.triage_within.after(self.submitted_on, &policy.calendar)
        }
    }

    /// When a self-referrer must be contacted, where the policy sets a deadline.
    pub fn contact_due(&self, policy: &AreaPolicy) -> Option<NaiveDate> {
        let within = policy.referrals.self_referral_contact_within?;
        self.is_self_referral().then(|| within.after(self.submitted_on, &policy.calendar))
    }
}

impl TriageOutcome {
    /// Where the person stands on the register after this decision on `day`: on it from that day, or
    /// off it (the referral declined).
    pub fn register_status(&self, day: NaiveDate) -> RegisterStatus {
        match self {
            TriageOutcome::Accepted => RegisterStatus::OnRegister { since: day },
            TriageOutcome::Declined { .. } => RegisterStatus::Left { on: day, reason: LeaveReason::ReferralDeclined },
        }
    }
}

/// What a referral in the triage queue waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriageStep {
    /// The decision: at the next DSR meeting (self-referrals) or within the triage time.
    Decide,
    /// The family to be told the decision.
    TellFamily,
}

/// One referral in the coordinators' triage queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    pub referral: Referral,
    pub step: TriageStep,
    /// By when the step is due (the policy's deadline).
    pub due_on: NaiveDate,
    pub overdue: bool,
    /// For a self-referral not yet contacted: the contact deadline.
    pub contact_due: Option<NaiveDate>,
}

/// Every referral waiting for a decision or for the family to be told, soonest due first.
pub fn triage_queue<'a>(
    referrals: impl IntoIterator<Item = &'a Referral>,
    policy: &AreaPolicy,
    today: NaiveDate,
) -> Vec<QueueEntry> {
    let mut queue: Vec<QueueEntry> = referrals
        .into_iter()
        .filter_map(|referral| {
            let (step, due_on) = match &referral.triage {
                None => (TriageStep::Decide, referral.triage_due(policy)),
                Some(triage) if referral.family_told_on.is_none() => (TriageStep::TellFamily, triage.decided_on),
                Some(_) => return None,
            };
            let contact_due =
                referral.contact_due(policy).filter(|_| referral.contacted_on.is_none() && step == TriageStep::Decide);
            Some(QueueEntry { referral: referral.clone(), step, due_on, overdue: due_on < today, contact_due })
        })
        .collect();
    queue.sort_by_key(|e| (e.due_on, e.step, e.referral.submitted_on, e.referral.id));
    queue
}

/// `POST /api/referrals/self`: a family or young person refers themselves from the public form, with
/// no account. The person's details are as typed (checked by the same rules as every form).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfReferralRequest {
    /// The area (ICB) whose register this is for (`GET /api/areas`).
    pub area_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub person: PersonForm,
    /// Their postcode or council.
    #[serde(default)]
    pub where_they_live: String,
    /// What is worrying the family, in their words.
    pub reason: String,
    /// Who is filling in the form.
    pub by: String,
    /// Who they are to the person ("Mother", "I am the young person").
    pub relationship: String,
    /// A phone number or email address to reach them.
    pub contact: String,
    /// They agree to the DSR team contacting them and looking at what services know, to decide.
    pub agreed: bool,
}

/// What the family is told once their self-referral is received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfReferralReceived {
    /// Their reference (`DSR-7K4Q`), to quote if they call, and to check what happened to it with the
    /// child's date of birth (`POST /api/referrals/self/status`).
    pub reference: String,
    /// The DSR meeting that will consider it.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub considered_on: NaiveDate,
    /// The area promises to contact them by then (where its policy sets a deadline).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub contact_by: Option<NaiveDate>,
}

impl SelfReferralRequest {
    /// The person (referred, not yet on the register) and their self-referral, or every field that
    /// needs attention, named as in this request (`given_name`, `reason`, `contact`...).
    pub fn to_records(
        &self,
        person_id: PersonId,
        referral_id: ReferralId,
        today: NaiveDate,
    ) -> Result<(Person, Referral), ValidationErrors> {
        let person = self.person.validate(person_id, today);
        let mut errors = person.as_ref().err().cloned().unwrap_or_default();
        let short = |errors: &mut ValidationErrors, field: &str, text: &str, missing: &str| {
            if text.trim().is_empty() {
                errors.add(field, missing);
                None
            } else {
                errors.check(field, ShortText::parse(text))
            }
        };
        let by = short(&mut errors, "by", &self.by, "Enter your name");
        let relationship =
            short(&mut errors, "relationship", &self.relationship, "Say who you are to them (or that it is you)");
        let contact =
            short(&mut errors, "contact", &self.contact, "Enter a phone number or email address we can reach you on");
        let reason = if self.reason.trim().is_empty() {
            errors.add("reason", "Tell us what is worrying you");
            None
        } else {
            errors.check("reason", LongText::parse(&self.reason))
        };
        let place = if self.where_they_live.trim().is_empty() {
            None
        } else {
            errors.check("where_they_live", ShortText::parse(&self.where_they_live))
        };
        errors.require(!self.agreed, "agreed", "Tick the box to say you agree, so we can look at the referral");
        let (Ok(mut person), Some(by), Some(relationship), Some(contact), Some(reason)) =
            (person, by, relationship, contact, reason)
        else {
            return Err(errors);
        };
        errors.into_result()?;
        person.local_authority_or_postcode = place;
        person.why_support_may_be_needed = Some(reason.clone());
        let referral = Referral {
            id: referral_id,
            person_id,
            route: ReferralRoute::SelfReferral { by, relationship, contact: Some(contact) },
            reason,
            submitted_on: today,
            contacted_on: None,
            triage: None,
            family_told_on: None,
        };
        referral.validate()?;
        Ok((person, referral))
    }
}

/// The characters of a self-referral reference: no 0 or O, 1, I or L, U or V-alikes, so it can be read
/// out on the phone and typed without doubt.
const REFERENCE_CHARACTERS: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A self-referral's reference from four random bytes: `DSR-` and four characters (810,000 of them).
pub fn self_referral_reference(random: [u8; 4]) -> String {
    let mut n = u32::from_le_bytes(random);
    let mut code = String::from("DSR-");
    for _ in 0..4 {
        code.push(char::from(REFERENCE_CHARACTERS[(n % 30) as usize]));
        n /= 30;
    }
    code
}

/// A reference as someone typed it (any case, spaces, with or without `DSR-`), as it is stored; `None`
/// when it cannot be one.
pub fn normalise_reference(typed: &str) -> Option<String> {
    let plain: String = typed.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase();
    let code = plain.strip_prefix("DSR").unwrap_or(&plain);
    (code.len() == 4 && code.bytes().all(|b| REFERENCE_CHARACTERS.contains(&b))).then(|| format!("DSR-{code}"))
}

/// `POST /api/referrals/self/status`: a family checks what happened to their self-referral, with no
/// account: its reference and the child's date of birth (as three fields, like every date).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfReferralStatusRequest {
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub dob_day: String,
    #[serde(default)]
    pub dob_month: String,
    #[serde(default)]
    pub dob_year: String,
}

impl SelfReferralStatusRequest {
    /// The reference as stored and the date of birth, or what needs attention (`reference`,
    /// `date_of_birth`). A well-made reference that is not found is another answer (404), the same
    /// whether the reference or the date is wrong.
    pub fn parse(&self) -> Result<(String, NaiveDate), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let reference = if self.reference.trim().is_empty() {
            errors.add("reference", "Enter the reference you were given, like DSR-7K4Q");
            None
        } else {
            let found = normalise_reference(&self.reference);
            if found.is_none() {
                errors.add("reference", "A reference is DSR- and four letters or numbers, like DSR-7K4Q");
            }
            found
        };
        let born = crate::person::date_from_parts(&self.dob_day, &self.dob_month, &self.dob_year, "Date of birth")
            .map_err(|message| errors.add("date_of_birth", message))
            .ok();
        match (reference, born) {
            (Some(reference), Some(born)) if errors.is_empty() => Ok((reference, born)),
            _ => Err(errors),
        }
    }
}

/// What a family is told about their self-referral: plain sentences, nothing they did not give (not
/// the reason for a decision, which someone tells them in person).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SelfReferralStatus {
    pub reference: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub received_on: NaiveDate,
    /// Whether the team has decided.
    pub decided: bool,
    pub lines: Vec<String>,
}

impl Referral {
    /// What the family who sent this self-referral is told when they check it, on `today`.
    pub fn status_for_family(&self, reference: &str, policy: &AreaPolicy, today: NaiveDate) -> SelfReferralStatus {
        let day = |d: NaiveDate| crate::family_home::plain_day(d, today);
        let mut lines = vec![format!("We received it {}.", day(self.submitted_on))];
        let decided = self.triage.is_some();
        match &self.triage {
            None => {
                match (self.contacted_on, self.contact_due(policy)) {
                    (Some(on), _) => lines.push(format!("Someone from the team contacted you {}.", day(on))),
                    (None, Some(by)) if by >= today => {
                        lines.push(format!("Someone from the team will contact you by {}.", long_date(by)))
                    }
                    (None, Some(_)) => lines.push(
                        "Someone from the team should have contacted you by now. If they have not, please phone them."
                            .into(),
                    ),
                    (None, None) => {}
                }
                let meeting = self.triage_due(policy);
                if meeting >= today {
                    lines.push(format!("The team will talk about it at their meeting {}.", day(meeting)));
                } else {
                    lines.push("The team is looking at it. They will tell you what they decide.".into());
                }
            }
            Some(triage) => {
                lines.push(match triage.outcome {
                    TriageOutcome::Accepted => format!(
                        "The team decided {} to add them to the Dynamic Support Register, so that support can be planned with you.",
                        day(triage.decided_on)
                    ),
                    TriageOutcome::Declined { .. } => format!(
                        "The team decided {} not to add them to the register.",
                        day(triage.decided_on)
                    ),
                });
                lines.push(match self.family_told_on {
                    Some(on) => format!("They told you {}. If anything is not clear, please phone them.", day(on)),
                    None => "Someone from the team will contact you to explain what this means and what happens next."
                        .into(),
                });
            }
        }
        SelfReferralStatus { reference: reference.to_string(), received_on: self.submitted_on, decided, lines }
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::{day, short as text};

    pub(crate) fn self_referral(submitted_on: NaiveDate) -> Referral {
        Referral {
            id: ReferralId::from_time_and_random(1, [1; 10]),
            person_id: PersonId::from_time_and_random(1, [2; 10]),
            route: ReferralRoute::SelfReferral {
                by: text("Pat Example"),
                relationship: text("Mother"),
                contact: Some(text("07700 900123")),
            },
            reason: LongText::parse("We are worried he will be sent to hospital").unwrap_or_else(|e| panic!("{e}")),
            submitted_on,
            contacted_on: None,
            triage: None,
            family_told_on: None,
        }
    }

    #[test]
    fn a_self_referral_is_decided_at_the_next_meeting_and_contacted_within_five_working_days() {
        let policy = AreaPolicy::default(); // meetings on the second Tuesday
        let r = self_referral(day(2026, 11, 11));
        assert_eq!(r.triage_due(&policy), day(2026, 12, 8));
        assert_eq!(r.contact_due(&policy), Some(day(2026, 11, 18)));
    }

    #[test]
    fn a_professional_referral_needs_consent_and_is_triaged_within_four_weeks() {
        let policy = AreaPolicy::default();
        let referrer =
            Professional { name: text("Sam Smith"), role: text("CAMHS clinician"), team: None, contact: None };
        let mut r = self_referral(day(2026, 11, 2));
        r.route = ReferralRoute::Professional { referrer, consent_confirmed: false };
        assert!(r.validate().is_err());
        if let ReferralRoute::Professional { consent_confirmed, .. } = &mut r.route {
            *consent_confirmed = true;
        }
        assert_eq!(r.validate(), Ok(()));
        assert_eq!(r.triage_due(&policy), day(2026, 11, 30));
        assert_eq!(r.contact_due(&policy), None);
    }

    #[test]
    fn the_family_is_told_after_the_decision() {
        let mut r = self_referral(day(2026, 11, 2));
        r.family_told_on = Some(day(2026, 11, 3));
        assert!(r.validate().is_err());
        r.triage =
            Some(Triage { outcome: TriageOutcome::Accepted, decided_on: day(2026, 11, 10), by: text("DSR meeting") });
        assert!(r.validate().is_err());
        r.family_told_on = Some(day(2026, 11, 11));
        assert_eq!(r.validate(), Ok(()));
    }

    #[test]
    fn a_self_referral_from_the_public_form_makes_a_referred_person_and_names_each_missing_answer() {
        let request = SelfReferralRequest {
            area_id: "area".into(),
            person: PersonForm {
                given_name: "Kai".into(),
                family_name: "Example".into(),
                dob_day: "4".into(),
                dob_month: "3".into(),
                dob_year: "2012".into(),
                nhs_number: String::new(),
            },
            where_they_live: "Northtown council".into(),
            reason: "He has stopped going to school and we are scared he will be sent away".into(),
            by: "Pat Example".into(),
            relationship: "Mother".into(),
            contact: "07700 900123".into(),
            agreed: true,
        };
        let (person, referral) = request
            .to_records(
                PersonId::from_time_and_random(1, [1; 10]),
                ReferralId::from_time_and_random(1, [2; 10]),
                day(2026, 11, 11),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(person.register_status, crate::person::RegisterStatus::Referred);
        assert!(referral.is_self_referral() && referral.person_id == person.id);
        assert_eq!(person.why_support_may_be_needed.as_ref().map(LongText::as_str), Some(request.reason.as_str()));
        let empty = SelfReferralRequest { area_id: "area".into(), ..SelfReferralRequest::default() };
        let errors = empty
            .to_records(
                PersonId::from_time_and_random(1, [1; 10]),
                ReferralId::from_time_and_random(1, [2; 10]),
                day(2026, 11, 11),
            )
            .err()
            .unwrap_or_default();
        for field in ["given_name", "family_name", "date_of_birth", "by", "relationship", "contact", "reason", "agreed"]
        {
            assert!(errors.message_for(field).is_some(), "{field}: {errors}");
        }
    }

    #[test]
    fn the_triage_queue_holds_undecided_referrals_and_untold_families_soonest_first() {
        let policy = AreaPolicy::default();
        let waiting = self_referral(day(2026, 11, 11)); // decide at the meeting on 8 December
        let mut decided = self_referral(day(2026, 10, 1));
        decided.id = ReferralId::from_time_and_random(2, [3; 10]);
        decided.triage =
            Some(Triage { outcome: TriageOutcome::Accepted, decided_on: day(2026, 10, 13), by: text("DSR meeting") });
        let mut done = decided.clone();
        done.id = ReferralId::from_time_and_random(3, [4; 10]);
        done.family_told_on = Some(day(2026, 10, 14));
        let queue = triage_queue([&waiting, &decided, &done], &policy, day(2026, 11, 25));
        let steps: Vec<(TriageStep, NaiveDate, bool)> = queue.iter().map(|e| (e.step, e.due_on, e.overdue)).collect();
        assert_eq!(
            steps,
            vec![(TriageStep::TellFamily, day(2026, 10, 13), true), (TriageStep::Decide, day(2026, 12, 8), false)]
        );
        assert_eq!(queue[1].contact_due, Some(day(2026, 11, 18)));
        assert_eq!(
            TriageOutcome::Accepted.register_status(day(2026, 12, 8)),
            RegisterStatus::OnRegister { since: day(2026, 12, 8) }
        );
        let declined = TriageOutcome::Declined {
            reason: LongText::parse("Needs are met by CAMHS").unwrap_or_else(|e| panic!("{e}")),
        };
        assert_eq!(
            declined.register_status(day(2026, 12, 8)),
            RegisterStatus::Left { on: day(2026, 12, 8), reason: LeaveReason::ReferralDeclined }
        );
    }

    #[test]
    fn a_reference_is_short_unambiguous_and_read_back_however_it_is_typed() {
        let made = self_referral_reference([7, 200, 13, 99]);
        assert!(made.starts_with("DSR-") && made.len() == 8, "{made}");
        assert!(!made[4..].contains(['0', 'O', '1', 'I', 'L', 'U']), "{made}");
        assert_ne!(made, self_referral_reference([8, 200, 13, 99]));
        let typed = made[4..].to_lowercase();
        for variant in [made.clone(), typed.clone(), format!("dsr {typed}"), format!(" DSR-{} ", &made[4..])] {
            assert_eq!(normalise_reference(&variant), Some(made.clone()), "{variant}");
        }
        for wrong in ["", "DSR-", "DSR-7K4", "DSR-7K4QQ", "DSR-0O1I", "hello"] {
            assert_eq!(normalise_reference(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn checking_a_self_referral_needs_a_reference_and_a_date_of_birth() {
        let request = |reference: &str, d: &str, m: &str, y: &str| SelfReferralStatusRequest {
            reference: reference.into(),
            dob_day: d.into(),
            dob_month: m.into(),
            dob_year: y.into(),
        };
        assert_eq!(request("dsr-7k4q", "4", "3", "2012").parse(), Ok(("DSR-7K4Q".to_string(), day(2012, 3, 4))));
        let errors = request("", "", "", "").parse().err().unwrap_or_default();
        assert!(errors.message_for("reference").is_some() && errors.message_for("date_of_birth").is_some(), "{errors}");
        let errors = request("12345", "31", "2", "2012").parse().err().unwrap_or_default();
        assert!(errors.message_for("reference").is_some_and(|m| m.contains("like DSR-7K4Q")), "{errors}");
        assert!(errors.message_for("date_of_birth").is_some(), "{errors}");
    }

    #[test]
    fn a_family_checking_their_self_referral_is_told_where_it_is_in_plain_words() {
        let policy = AreaPolicy::default();
        let mut r = self_referral(day(2026, 11, 25));
        let waiting = r.status_for_family("DSR-7K4Q", &policy, day(2026, 11, 30));
        assert!(!waiting.decided);
        let said = waiting.lines.join(" ");
        assert!(
            said.contains("We received it on Wednesday 25 November") && said.contains("contact you by 2 December 2026"),
            "{said}"
        );
        assert!(said.contains("at their meeting on Tuesday 8 December, in 8 days"), "{said}");
        r.contacted_on = Some(day(2026, 11, 27));
        let said = r.status_for_family("DSR-7K4Q", &policy, day(2026, 11, 30)).lines.join(" ");
        assert!(said.contains("contacted you on Friday 27 November"), "{said}");
        r.triage = Some(Triage {
            outcome: TriageOutcome::Declined {
                reason: LongText::parse("Internal: needs CAMHS first").unwrap_or_else(|e| panic!("{e}")),
            },
            decided_on: day(2026, 12, 8),
            by: text("Jo Coordinator"),
        });
        let declined = r.status_for_family("DSR-7K4Q", &policy, day(2026, 12, 9));
        let said = declined.lines.join(" ");
        assert!(
            declined.decided && said.contains("not to add them to the register") && said.contains("will contact you"),
            "{said}"
        );
        assert!(!said.contains("CAMHS") && !said.contains("Jo Coordinator"), "the reason is told in person: {said}");
        r.triage =
            Some(Triage { outcome: TriageOutcome::Accepted, decided_on: day(2026, 12, 8), by: text("Jo Coordinator") });
        r.family_told_on = Some(day(2026, 12, 9));
        let said = r.status_for_family("DSR-7K4Q", &policy, day(2026, 12, 10)).lines.join(" ");
        assert!(
            said.contains("to add them to the Dynamic Support Register") && !said.contains("told you yesterday"),
            "{said}"
        );
        assert!(said.contains("They told you on Wednesday 9 December"), "{said}");
    }
}
