//! Consent: to be on the register, to share information, and separately for each review. Who gives
//! it depends on age (policy); a recorded best-interests decision replaces it when the person lacks
//! capacity; it can be withdrawn at any time. Sources: seed 000 (parents for children, 16+ the young
//! person, best interests under the Mental Capacity Act), seed 002 (under 14 parents; from 14 the
//! person must agree), the handbook (Gillick competence).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::person::{age_on, birthday};
use crate::policy::{ConsentAges, ConsentPolicy};
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
        /// Who asked for it to be withdrawn, as recorded on the confirmation page ("Pat, his mother").
        #[serde(default)]
        pub withdrawal_asked_by: Option<ShortText>,
        /// Why, when they said.
        #[serde(default)]
        pub withdrawal_reason: Option<LongText>,
        /// The family asked to withdraw it on this day, and the area's policy makes that a request to
        /// the DSR coordinator (who confirms it by withdrawing): nothing changes until then.
        #[serde(default)]
        pub withdrawal_requested_on: Option<NaiveDate>,
        pub recorded_by: ShortText,
    }
}

/// A withdrawal as its confirmation page records it: who asked for it (required) and why (when they
/// said).
pub type Withdrawal = crate::text::WhoAsked;

/// The withdrawal from what was typed, or what to fix, field by field (`asked_by`, `reason`).
pub fn withdrawal(asked_by: &str, reason: &str) -> Result<Withdrawal, ValidationErrors> {
    let empty = "Say who asked for consent to be withdrawn: their name and who they are";
    crate::text::WhoAsked::parse(asked_by, empty, reason, None)
}

/// What asking to withdraw a consent does where the area makes a family's withdrawal a request
/// ([`crate::policy::FamilyPolicy::withdrawal_takes_effect`] is no): said before they confirm.
pub fn withdrawal_request_effects(scope: ConsentScope) -> Vec<String> {
    let mut effects = vec![
        "Your request goes to the DSR coordinator. They will contact you to check, and then withdraw it.".to_string(),
        "Until then, nothing changes.".to_string(),
    ];
    effects.extend(withdrawal_effects(scope).iter().map(|e| format!("Then, {}", lower_first(e))));
    effects
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// What a consent is for, after "consent": "to be on the register".
pub fn scope_words(scope: ConsentScope) -> &'static str {
    match scope {
        ConsentScope::Register => "to be on the register",
        ConsentScope::InformationSharing => "to share information",
        ConsentScope::Review => "for the review",
    }
}

/// What withdrawing a consent of `scope` does, in plain words: the confirmation page says it before
/// anyone confirms (nothing irreversible by one tap).
pub fn withdrawal_effects(scope: ConsentScope) -> &'static [&'static str] {
    match scope {
        ConsentScope::Register => &[
            "They will be taken off the register: the DSR coordinator is asked to do it now.",
            "Only the DSR coordinator and the family will see their record from today. Everyone else working with them loses it from their devices at their next sync.",
            "Their details are removed when the area's retention period after leaving has passed.",
        ],
        ConsentScope::InformationSharing => &[
            "The services on the register stop sharing information about them from today.",
            "What was shared before stays in the record.",
        ],
        ConsentScope::Review => &[
            "This review cannot go ahead without consent or a best-interests decision.",
            "The review's panel can no longer open its papers.",
        ],
    }
}

impl Validate for Consent {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.withdrawal_requested_on.is_some_and(|w| w < self.given_on),
            "withdrawal_requested_on",
            "A withdrawal cannot be asked for before consent was given",
        );
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

/// Who may consent for someone born on `born`, on `day`, with the ages for what is consented to
/// ([`ConsentPolicy::ages`]: the register's and a review's differ).
pub fn who_may_consent(born: NaiveDate, day: NaiveDate, ages: ConsentAges) -> WhoMayConsent {
    let age = age_on(born, day);
    let adult = age >= i32::from(ages.themselves_from);
    WhoMayConsent {
        age,
        the_person: adult,
        parental_responsibility: !adult,
        child_must_agree: !adult && ages.child_agrees_from.is_some_and(|from| age >= i32::from(from)),
        child_if_gillick_competent: !adult,
    }
}

impl Consent {
    /// Checks that whoever gave this consent could, for someone born on `born`, on the day it was given.
    pub fn check_giver(&self, born: NaiveDate, policy: &ConsentPolicy) -> Result<(), ValidationErrors> {
        self.check_giver_on(born, self.given_on, policy)
    }

    /// Checks that whoever gave this consent could give it on `day`: a parent's consent given for a
    /// child of 12 is not enough once the child is old enough to agree, or to consent themselves.
    pub fn check_giver_on(
        &self,
        born: NaiveDate,
        day: NaiveDate,
        policy: &ConsentPolicy,
    ) -> Result<(), ValidationErrors> {
        let ages = policy.ages(self.scope);
        let who = who_may_consent(born, day, ages);
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
                    who.age, ages.themselves_from
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

/// Consent of `scope` (for `review`) is in force on `day`, but none in force was given by someone who may
/// give it at the person's age that day: the child has since reached the age at which their own
/// agreement, or their own consent, is needed. The birthday on which that happened, and what is needed.
pub fn consent_outgrown(
    consents: &[Consent],
    scope: ConsentScope,
    review: Option<ReviewId>,
    born: NaiveDate,
    policy: &ConsentPolicy,
    day: NaiveDate,
) -> Option<(NaiveDate, String)> {
    let in_force: Vec<&Consent> = consents
        .iter()
        .filter(|c| c.scope == scope && c.in_force(day) && (scope != ConsentScope::Review || c.review_id == review))
        .collect();
    if in_force.is_empty() || in_force.iter().any(|c| c.check_giver_on(born, day, policy).is_ok()) {
        return None;
    }
    let ages = policy.ages(scope);
    let who = who_may_consent(born, day, ages);
    let what = match scope {
        ConsentScope::Review => "this review",
        ConsentScope::Register => "being on the register",
        ConsentScope::InformationSharing => "sharing information",
    };
    let (turned, needed) = if who.the_person {
        (
            ages.themselves_from,
            format!("they now consent to {what} themselves (or a best-interests decision is recorded)"),
        )
    } else {
        let from = ages.child_agrees_from.unwrap_or(ages.themselves_from);
        (from, format!("ask for their own agreement to {what}"))
    };
    Some((birthday(born, i32::from(turned)), format!("Turned {turned}: {needed}")))
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
            withdrawal_asked_by: None,
            withdrawal_reason: None,
            withdrawal_requested_on: None,
            recorded_by: text("DSR coordinator"),
        }
    }

    fn parent(child_agreed: Option<bool>) -> GivenBy {
        GivenBy::ParentalResponsibility { name: text("Pat Example"), relationship: text("Mother"), child_agreed }
    }

    const BORN: (i32, u32, u32) = (2012, 6, 1);

    #[test]
    fn under_sixteen_a_parent_consents_or_a_gillick_competent_child() {
        let policy = ConsentPolicy::default();
        let who = who_may_consent(day(BORN.0, BORN.1, BORN.2), day(2026, 11, 25), policy.ages(ConsentScope::Review));
        assert_eq!(who.age, 14);
        assert!(
            who.parental_responsibility && who.child_if_gillick_competent && !who.the_person && !who.child_must_agree
        );
        assert!(who.explain().contains("Gillick competent"));
    }

    #[test]
    fn from_sixteen_the_young_person_consents() {
        let who =
            who_may_consent(day(2010, 6, 1), day(2026, 6, 1), ConsentPolicy::default().ages(ConsentScope::Register));
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
        let policy = ConsentPolicy { child_must_agree_from: Some(14), ..ConsentPolicy::default() };
        let born = day(BORN.0, BORN.1, BORN.2);
        let register = policy.ages(ConsentScope::Register);
        assert!(!who_may_consent(born, day(2026, 5, 31), register).child_must_agree);
        assert!(who_may_consent(born, day(2026, 6, 1), register).child_must_agree);
        // A review's consent is set on its own: by default a parent consents until 16.
        assert!(!who_may_consent(born, day(2026, 6, 1), policy.ages(ConsentScope::Review)).child_must_agree);
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
    fn a_parents_consent_is_outgrown_at_fourteen_for_the_register_and_sixteen_for_a_review() {
        let policy = ConsentPolicy::default();
        // Born on a leap day: 14 on 1 March 2026 (not 28 February); 16 on 29 February 2028, a leap year.
        let born = day(2012, 2, 29);
        let mut register = consent(ConsentScope::Register, parent(None), day(2024, 3, 1));
        let review_id = ReviewId::from_time_and_random(5, [5; 10]);
        let mut review = consent(ConsentScope::Review, parent(None), day(2026, 1, 5));
        review.review_id = Some(review_id);
        let consents = vec![register.clone(), review.clone()];
        let outgrown = |c: &[Consent], scope, r, on| consent_outgrown(c, scope, r, born, &policy, on);
        assert_eq!(outgrown(&consents, ConsentScope::Register, None, day(2026, 2, 28)), None);
        let (since, why) = outgrown(&consents, ConsentScope::Register, None, day(2026, 3, 1))
            .unwrap_or_else(|| panic!("agreement at 14"));
        assert_eq!(since, day(2026, 3, 1));
        assert!(why.contains("Turned 14") && why.contains("agreement"), "{why}");
        // The review's own ages: nothing at 14, their own consent at 16.
        assert_eq!(outgrown(&consents, ConsentScope::Review, Some(review_id), day(2026, 3, 1)), None);
        let (since, why) = outgrown(&consents, ConsentScope::Review, Some(review_id), day(2028, 3, 2))
            .unwrap_or_else(|| panic!("own consent at 16"));
        assert_eq!(since, day(2028, 2, 29));
        assert!(why.contains("Turned 16") && why.contains("themselves"), "{why}");
        // The child's agreement recorded: the register is settled until 16, then their own consent.
        register.given_by = parent(Some(true));
        register.given_on = day(2026, 3, 2);
        let agreed = vec![register.clone()];
        assert_eq!(outgrown(&agreed, ConsentScope::Register, None, day(2027, 12, 25)), None);
        assert!(outgrown(&agreed, ConsentScope::Register, None, day(2028, 3, 1)).is_some());
        let own = consent(ConsentScope::Register, GivenBy::ThePerson { gillick_competent: false }, day(2028, 3, 1));
        assert_eq!(outgrown(&[register, own], ConsentScope::Register, None, day(2028, 3, 1)), None);
        // No consent at all is another rule's business (missing consent), not this one's.
        assert_eq!(outgrown(&[], ConsentScope::Register, None, day(2028, 3, 1)), None);
    }

    #[test]
    fn a_withdrawal_needs_who_asked_and_may_say_why() {
        let w = withdrawal(" Pat Fourteen, his mother ", "").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((w.asked_by.as_str(), w.reason), ("Pat Fourteen, his mother", None));
        let w = withdrawal("Pat", "Moving away").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.reason.map(|r| r.as_str().to_owned()), Some("Moving away".to_owned()));
        let missing = withdrawal(" ", "").err().unwrap_or_default();
        assert_eq!(
            missing.message_for("asked_by"),
            Some("Say who asked for consent to be withdrawn: their name and who they are")
        );
        let long = withdrawal("Pat", &"x".repeat(crate::text::LONG_TEXT_MAX + 1)).err().unwrap_or_default();
        assert_eq!(long.message_for("reason"), Some("Why is longer than 20000 characters"));
    }

    #[test]
    fn withdrawing_says_what_it_does_for_each_kind_of_consent() {
        let register = withdrawal_effects(ConsentScope::Register).join(" ");
        assert!(
            register.contains("taken off the register") && register.contains("Only the DSR coordinator"),
            "{register}"
        );
        assert!(withdrawal_effects(ConsentScope::Review).join(" ").contains("papers"));
        assert!(withdrawal_effects(ConsentScope::InformationSharing).join(" ").contains("stop sharing"));
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
