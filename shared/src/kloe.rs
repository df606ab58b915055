//! The meeting: findings against the key lines of enquiry (KLOE), organised under four questions,
//! with child/adult and community/inpatient templates. Sources: seed 000 and 001 (the four
//! questions; "plans for the future" includes education for children).

use serde::{Deserialize, Serialize};

use crate::review::ReviewKind;
use crate::risk::AgeBand;
use crate::text::LongText;
use crate::{KloeFindingId, PersonId, ReviewId, Validate, ValidationErrors, validated};

pub mod prompts;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyQuestion {
    IsThePersonSafe,
    GoodCareNow,
    PlansForTheFuture,
    CareInTheCommunity,
}

/// Which set of key lines of enquiry the panel works from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KloeTemplate {
    ChildCommunity,
    ChildInpatient,
    AdultCommunity,
    AdultInpatient,
}

impl KloeTemplate {
    pub const ALL: [KloeTemplate; 4] = [
        KloeTemplate::ChildCommunity,
        KloeTemplate::ChildInpatient,
        KloeTemplate::AdultCommunity,
        KloeTemplate::AdultInpatient,
    ];

    /// Its name on a page ("Child or young person, in the community").
    pub fn label(self) -> &'static str {
        match self {
            KloeTemplate::ChildCommunity => "Child or young person, in the community",
            KloeTemplate::ChildInpatient => "Child or young person, in hospital",
            KloeTemplate::AdultCommunity => "Adult, in the community",
            KloeTemplate::AdultInpatient => "Adult, in hospital",
        }
    }

    pub fn for_review(band: AgeBand, kind: ReviewKind) -> Self {
        match (band, kind.is_inpatient()) {
            (AgeBand::Under18, false) => KloeTemplate::ChildCommunity,
            (AgeBand::Under18, true) => KloeTemplate::ChildInpatient,
            (AgeBand::Adult, false) => KloeTemplate::AdultCommunity,
            (AgeBand::Adult, true) => KloeTemplate::AdultInpatient,
        }
    }

    pub(crate) fn inpatient(&self) -> bool {
        matches!(self, KloeTemplate::ChildInpatient | KloeTemplate::AdultInpatient)
    }

    pub(crate) fn child(&self) -> bool {
        matches!(self, KloeTemplate::ChildCommunity | KloeTemplate::ChildInpatient)
    }
}

impl KeyQuestion {
    pub const ALL: [KeyQuestion; 4] = [
        KeyQuestion::IsThePersonSafe,
        KeyQuestion::GoodCareNow,
        KeyQuestion::PlansForTheFuture,
        KeyQuestion::CareInTheCommunity,
    ];

    /// Its name in JSON (`is_the_person_safe`).
    pub fn name(self) -> &'static str {
        match self {
            KeyQuestion::IsThePersonSafe => "is_the_person_safe",
            KeyQuestion::GoodCareNow => "good_care_now",
            KeyQuestion::PlansForTheFuture => "plans_for_the_future",
            KeyQuestion::CareInTheCommunity => "care_in_the_community",
        }
    }

    /// The question as the template words it.
    pub fn text(&self, template: KloeTemplate) -> &'static str {
        match (self, template.child(), template.inpatient()) {
            (KeyQuestion::IsThePersonSafe, _, _) => "Is the person safe?",
            (KeyQuestion::GoodCareNow, _, false) => "Are they getting good care now?",
            (KeyQuestion::GoodCareNow, _, true) => "Are they getting good care and treatment in hospital now?",
            (KeyQuestion::PlansForTheFuture, true, _) => "What are the plans for the future, including education?",
            (KeyQuestion::PlansForTheFuture, false, _) => "What are the plans for the future?",
            (KeyQuestion::CareInTheCommunity, _, false) => "Can care and treatment be provided in the community?",
            (KeyQuestion::CareInTheCommunity, _, true) => {
                "Could care and treatment be provided in the community? What is needed for discharge?"
            }
        }
    }
}

validated! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct KloeFinding (unchecked KloeFindingUnchecked) {
        pub id: KloeFindingId,
        pub review_id: ReviewId,
        /// The person the review is about (so access is decided per person, like every other record).
        pub person_id: PersonId,
        pub question: KeyQuestion,
        pub finding: LongText,
        #[serde(default)]
        pub concerns: Option<LongText>,
    }
}

impl Validate for KloeFinding {
    fn validate(&self) -> Result<(), ValidationErrors> {
        Ok(())
    }
}

/// The key questions with no finding yet.
pub fn questions_without_findings(findings: &[KloeFinding]) -> Vec<KeyQuestion> {
    KeyQuestion::ALL.into_iter().filter(|q| !findings.iter().any(|f| f.question == *q)).collect()
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn templates_word_the_four_questions_for_children_and_inpatients() {
        let child = KloeTemplate::for_review(AgeBand::Under18, ReviewKind::Community);
        assert_eq!(child, KloeTemplate::ChildCommunity);
        assert!(KeyQuestion::PlansForTheFuture.text(child).contains("education"));
        let adult_inpatient = KloeTemplate::for_review(AgeBand::Adult, ReviewKind::PostAdmission);
        assert_eq!(adult_inpatient, KloeTemplate::AdultInpatient);
        assert!(KeyQuestion::CareInTheCommunity.text(adult_inpatient).contains("discharge"));
        assert!(!KeyQuestion::PlansForTheFuture.text(adult_inpatient).contains("education"));
    }

    #[test]
    fn each_question_is_named_as_in_json() {
        for q in KeyQuestion::ALL {
            assert_eq!(serde_json::to_value(q).ok(), Some(serde_json::Value::from(q.name())));
        }
    }

    #[test]
    fn questions_without_findings_are_listed() {
        let finding = KloeFinding {
            id: KloeFindingId::from_time_and_random(1, [1; 10]),
            review_id: ReviewId::from_time_and_random(1, [2; 10]),
            person_id: PersonId::from_time_and_random(1, [3; 10]),
            question: KeyQuestion::IsThePersonSafe,
            finding: LongText::parse("Safe at home with two-to-one support").unwrap_or_else(|e| panic!("{e}")),
            concerns: None,
        };
        assert_eq!(questions_without_findings(&[finding]).len(), 3);
    }
}
