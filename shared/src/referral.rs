//! Referrals to the register: by a professional (with consent) or by the family or young person
//! themselves. Self-referrals are considered at the next DSR meeting and the family is told the
//! decision (seed 001). Deadlines to triage and to contact a self-referrer are policy.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::person::Professional;
use crate::policy::AreaPolicy;
use crate::text::{LongText, ShortText};
use crate::{PersonId, ReferralId, Validate, ValidationErrors, validated};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "route")]
pub enum ReferralRoute {
    /// CAMHS, social care, a school SENCo, an EHCP coordinator, a GP... Needs consent.
    Professional { referrer: Professional, consent_confirmed: bool },
    /// The family or the young person.
    SelfReferral { by: ShortText, relationship: ShortText },
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
            policy.meetings.next_on_or_after(self.submitted_on)
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

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::{day, short as text};

    pub(crate) fn self_referral(submitted_on: NaiveDate) -> Referral {
        Referral {
            id: ReferralId::from_time_and_random(1, [1; 10]),
            person_id: PersonId::from_time_and_random(1, [2; 10]),
            route: ReferralRoute::SelfReferral { by: text("Pat Example"), relationship: text("Mother") },
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
}
