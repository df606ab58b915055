//! Consent: to be on the register, to share information, and separately for each review. Who gives
//! it depends on age (policy); a recorded best-interests decision replaces it when the person lacks
//! capacity; it can be withdrawn at any time. Sources: seed 000 (parents for children, 16+ the young
//! person, best interests under the Mental Capacity Act), seed 002 (under 14 parents; from 14 the
//! person must agree), the handbook (Gillick competence).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::person::age_on;
use crate::policy::ConsentPolicy;
use crate::text::{LongText, ShortText};
use crate::{ConsentId, PersonId, ReviewId, Validate, ValidationErrors, validated};

/// What the consent is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    /// Being on the register.
    Register,
    /// Sharing information between the services on the register.
    InformationSharing,
    /// One review going ahead (and its panel reading the papers).
    Review,
}

/// Who gave the consent, or who made the decision in its place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum GivenBy {
    /// The person themselves. Under the age they consent for themselves, only when Gillick competent.
    ThePerson { gillick_competent: bool },
    /// Someone with parental responsibility; `child_agreed` records the child's agreement where the
    /// policy asks for it.
    ParentalResponsibility { name: ShortText, relationship: ShortText, child_agreed: Option<bool> },
    /// The person lacks capacity: a best-interests decision (who, why) replaces consent.
    BestInterests { decision_maker: ShortText, reason: LongText },
}

validated! {
    /// One consent (or best-interests decision), with the date it was given and, if so, withdrawn.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Consent (unchecked ConsentUnchecked) {
        pub id: ConsentId,
        pub person_id: PersonId,
        pub scope: ConsentScope,
        /// The review a review consent is for.
        #[serde(default)]
        pub review_id: Option<ReviewId>,
        pub given_by: GivenBy,
        pub given_on: NaiveDate,
        #[serde(default)]
        pub withdrawn_on: Option<NaiveDate>,
        pub recorded_by: ShortText,
    }
}

impl Validate for Consent {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.withdrawn_on.is_some_and(|w| w < self.given_on),
            "withdrawn_on",
            "Consent cannot be withdrawn before it was given",
        );
        errors.require(
            self.scope == ConsentScope::Review && self.review_id.is_none(),
            "review_id",
            "Say which review this consent is for",
        );
        errors.require(
            self.scope != ConsentScope::Review && self.review_id.is_some(),
            "review_id",
            "Only a review consent names a review",
        );
        errors.into_result()
    }
}

/// Who may consent for someone on a day, by the area's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhoMayConsent {
    pub age: i32,
    /// The person consents for themselves (or, lacking capacity, a best-interests decision is made).
    pub the_person: bool,
    /// Someone with parental responsibility consents.
    pub parental_responsibility: bool,
    /// With a parent's consent, the child must agree too.
    pub child_must_agree: bool,
    /// The child may consent themselves if Gillick competent.
    pub child_if_gillick_competent: bool,
}

impl WhoMayConsent {
    /// Plain words for the form: who to ask.
    pub fn explain(&self) -> String {
        if self.the_person {
            format!(
                "At {} the young person gives consent themselves. If they lack capacity to decide, record a best-interests decision.",
                self.age
            )
        } else if self.child_must_agree {
            format!(
                "At {} a person with parental responsibility gives consent, and the young person must agree too.",
                self.age
            )
        } else {
            format!(
                "At {} a person with parental responsibility gives consent, or the child if they are Gillick competent.",
                self.age
            )
        }
    }
}

/// Who may consent for someone born on `born`, on `day`.
pub fn who_may_consent(born: NaiveDate, day: NaiveDate, policy: &ConsentPolicy) -> WhoMayConsent {
    let age = age_on(born, day);
    let adult = age >= i32::from(policy.consents_for_themselves_from);
    WhoMayConsent {
        age,
        the_person: adult,
        parental_responsibility: !adult,
        child_must_agree: !adult && policy.child_must_agree_from.is_some_and(|from| age >= i32::from(from)),
        child_if_gillick_competent: !adult,
    }
}

impl Consent {
    /// Checks that whoever gave this consent could, for someone born on `born`.
    pub fn check_giver(&self, born: NaiveDate, policy: &ConsentPolicy) -> Result<(), ValidationErrors> {
        let who = who_may_consent(born, self.given_on, policy);
        let mut errors = ValidationErrors::new();
        match &self.given_by {
            GivenBy::ThePerson { gillick_competent } => errors.require(
                !who.the_person && !gillick_competent,
                "given_by",
                &format!("At {} the child consents themselves only if Gillick competent", who.age),
            ),
            GivenBy::ParentalResponsibility { child_agreed, .. } => {
                errors.require(
                    !who.parental_responsibility,
                    "given_by",
                    &format!(
                        "At {} the young person consents for themselves, or a best-interests decision is recorded",
                        who.age
                    ),
                );
                errors.require(
                    who.child_must_agree && *child_agreed != Some(true),
                    "given_by",
                    &format!("At {} the young person must agree as well as the parent", who.age),
                );
            }
            GivenBy::BestInterests { .. } => errors.require(
                !who.the_person,
                "given_by",
                &format!(
                    "At {} a person with parental responsibility consents; a best-interests decision applies from {}",
                    who.age, policy.consents_for_themselves_from
                ),
            ),
        }
        errors.into_result()
    }

    /// In force on `day`: given on or before it and not withdrawn by then.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.given_on <= day && self.withdrawn_on.is_none_or(|w| w > day)
    }
}

/// True when a consent for `scope` (and `review`, for a review) is in force on `day`.
pub fn has_consent(consents: &[Consent], scope: ConsentScope, review: Option<ReviewId>, day: NaiveDate) -> bool {
    consents
        .iter()
        .any(|c| c.scope == scope && c.in_force(day) && (scope != ConsentScope::Review || c.review_id == review))
}

/// The day the latest register consent was withdrawn, when none is in force on `day`.
pub fn register_consent_withdrawn(consents: &[Consent], day: NaiveDate) -> Option<NaiveDate> {
    if has_consent(consents, ConsentScope::Register, None, day) {
        return None;
    }
    consents
        .iter()
        .filter(|c| c.scope == ConsentScope::Register)
        .filter_map(|c| c.withdrawn_on)
        .filter(|w| *w <= day)
        .max()
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::{day, short as text};

    pub(crate) fn consent(scope: ConsentScope, given_by: GivenBy, given_on: NaiveDate) -> Consent {
        Consent {
            id: ConsentId::from_time_and_random(1, [1; 10]),
            person_id: PersonId::from_time_and_random(1, [2; 10]),
            scope,
            review_id: None,
            given_by,
            given_on,
            withdrawn_on: None,
            recorded_by: text("DSR coordinator"),
        }
    }

    fn parent(child_agreed: Option<bool>) -> GivenBy {
        GivenBy::ParentalResponsibility { name: text("Pat Example"), relationship: text("Mother"), child_agreed }
    }

    const BORN: (i32, u32, u32) = (2012, 6, 1);

    #[test]
    fn under_sixteen_a_parent_consents_or_a_gillick_competent_child() {
        let who = who_may_consent(day(BORN.0, BORN.1, BORN.2), day(2026, 11, 25), &ConsentPolicy::default());
        assert_eq!(who.age, 14);
        assert!(
            who.parental_responsibility && who.child_if_gillick_competent && !who.the_person && !who.child_must_agree
        );
        assert!(who.explain().contains("Gillick competent"));
    }

    #[test]
    fn from_sixteen_the_young_person_consents() {
        let who = who_may_consent(day(2010, 6, 1), day(2026, 6, 1), &ConsentPolicy::default());
        assert!(who.the_person && !who.parental_responsibility);
        let born = day(2010, 6, 1);
        let by_parent = consent(ConsentScope::Register, parent(None), day(2026, 6, 1));
        assert!(by_parent.check_giver(born, &ConsentPolicy::default()).is_err());
        let best_interests = GivenBy::BestInterests {
            decision_maker: text("Dr Example"),
            reason: LongText::parse("Lacks capacity to decide about the register").unwrap_or_else(|e| panic!("{e}")),
        };
        assert!(
            consent(ConsentScope::Register, best_interests, day(2026, 6, 1))
                .check_giver(born, &ConsentPolicy::default())
                .is_ok()
        );
    }

    #[test]
    fn where_the_policy_says_so_a_child_of_fourteen_must_agree() {
        // Seed 002: "Under 14 parents may consent, after 14 the person needs to agree".
        let policy = ConsentPolicy { consents_for_themselves_from: 16, child_must_agree_from: Some(14) };
        let born = day(BORN.0, BORN.1, BORN.2);
        assert!(!who_may_consent(born, day(2026, 5, 31), &policy).child_must_agree);
        assert!(who_may_consent(born, day(2026, 6, 1), &policy).child_must_agree);
        let without = consent(ConsentScope::Register, parent(None), day(2026, 11, 25));
        assert!(without.check_giver(born, &policy).is_err());
        let with = consent(ConsentScope::Register, parent(Some(true)), day(2026, 11, 25));
        assert!(with.check_giver(born, &policy).is_ok());
    }

    #[test]
    fn a_child_consents_alone_only_if_gillick_competent() {
        let born = day(BORN.0, BORN.1, BORN.2);
        let policy = ConsentPolicy::default();
        let not = consent(ConsentScope::Review, GivenBy::ThePerson { gillick_competent: false }, day(2026, 11, 25));
        assert!(not.check_giver(born, &policy).is_err());
        let competent =
            consent(ConsentScope::Register, GivenBy::ThePerson { gillick_competent: true }, day(2026, 11, 25));
        assert!(competent.check_giver(born, &policy).is_ok());
    }

    #[test]
    fn withdrawn_consent_stops_counting_from_that_day() {
        let mut c = consent(ConsentScope::Register, parent(None), day(2026, 1, 10));
        assert!(has_consent(std::slice::from_ref(&c), ConsentScope::Register, None, day(2026, 1, 10)));
        assert!(!has_consent(std::slice::from_ref(&c), ConsentScope::Register, None, day(2026, 1, 9)));
        c.withdrawn_on = Some(day(2026, 3, 1));
        assert!(has_consent(std::slice::from_ref(&c), ConsentScope::Register, None, day(2026, 2, 28)));
        assert!(!has_consent(std::slice::from_ref(&c), ConsentScope::Register, None, day(2026, 3, 1)));
        assert_eq!(register_consent_withdrawn(std::slice::from_ref(&c), day(2026, 3, 2)), Some(day(2026, 3, 1)));
    }

    #[test]
    fn review_consent_counts_only_for_its_review_and_is_checked_in_json() {
        let review = ReviewId::from_time_and_random(5, [5; 10]);
        let mut c = consent(ConsentScope::Review, parent(None), day(2026, 1, 10));
        assert!(c.validate().is_err(), "a review consent names its review");
        c.review_id = Some(review);
        assert!(has_consent(std::slice::from_ref(&c), ConsentScope::Review, Some(review), day(2026, 2, 1)));
        let other = ReviewId::from_time_and_random(6, [6; 10]);
        assert!(!has_consent(std::slice::from_ref(&c), ConsentScope::Review, Some(other), day(2026, 2, 1)));
        c.withdrawn_on = Some(day(2025, 1, 1));
        let json = serde_json::to_string(&c).unwrap_or_default();
        assert!(serde_json::from_str::<Consent>(&json).is_err());
    }
}
