//! Referrals to the register: by a professional (with consent) or by the family or young person
//! themselves. Self-referrals are considered at the next DSR meeting and the family is told the
//! decision (seed 001). Deadlines to triage and to contact a self-referrer are policy.

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
    /// Their reference, to quote if they call.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub reference: ReferralId,
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
}
