//! The meeting: findings against the key lines of enquiry (KLOE), organised under four questions,
//! with child/adult and community/inpatient templates. Sources: seed 000 and 001 (the four
//! questions; "plans for the future" includes education for children).

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::review::ReviewKind;
use crate::risk::AgeBand;
use crate::text::{LongText, ShortText};
use crate::{KloeFindingId, PersonId, ReviewId, UserId, Validate, ValidationErrors, validated};

pub mod papers;
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

/// Whether `key` is a key of a prompt or paper: lower-case letters, digits and `_`, not empty.
pub fn is_key(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What a panel member made of a line of enquiry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingMark {
    /// What the panel found, neither a concern nor good practice.
    #[default]
    Finding,
    Concern,
    GoodPractice,
    /// Not looked into at the meeting (said on purpose, with why if known).
    NotCovered,
}

impl FindingMark {
    pub const ALL: [FindingMark; 4] =
        [FindingMark::Finding, FindingMark::Concern, FindingMark::GoodPractice, FindingMark::NotCovered];

    pub fn name(self) -> &'static str {
        match self {
            FindingMark::Finding => "finding",
            FindingMark::Concern => "concern",
            FindingMark::GoodPractice => "good_practice",
            FindingMark::NotCovered => "not_covered",
        }
    }

    pub fn from_name(name: &str) -> Option<FindingMark> {
        FindingMark::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Its name on a page and in the report ("Good practice").
    pub fn label(self) -> &'static str {
        match self {
            FindingMark::Finding => "Finding",
            FindingMark::Concern => "Concern",
            FindingMark::GoodPractice => "Good practice",
            FindingMark::NotCovered => "Not covered",
        }
    }

    /// How the easy-read report introduces it.
    pub fn easy_read(self) -> &'static str {
        match self {
            FindingMark::Finding => "The panel found",
            FindingMark::Concern => "The panel is worried about this",
            FindingMark::GoodPractice => "This is going well",
            FindingMark::NotCovered => "The panel did not talk about this",
        }
    }
}

validated! {
    /// What one panel member recorded about one line of enquiry (a prompt) of a review: one record per
    /// prompt and member ([`KloeFinding::id_for`]), so members recording at once on their own tablets
    /// never write over each other. A record with no prompt is a finding on a whole key question, as
    /// recorded before the prompts.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct KloeFinding (unchecked KloeFindingUnchecked) {
        pub id: KloeFindingId,
        pub review_id: ReviewId,
        /// The person the review is about (so access is decided per person, like every other record).
        pub person_id: PersonId,
        pub question: KeyQuestion,
        /// The prompt's key (`restrictive_practice`), in the review's version of the area's prompts.
        #[serde(default)]
        pub prompt: Option<String>,
        #[serde(default)]
        pub mark: FindingMark,
        /// What the panel found; for "not covered", why (if said).
        #[serde(default)]
        pub finding: Option<LongText>,
        /// Concerns on a whole question (recorded before prompts; a prompt's concern is its mark).
        #[serde(default)]
        pub concerns: Option<LongText>,
        /// The panel member who recorded it.
        #[serde(default)]
        pub by: Option<ShortText>,
    }
}

impl Validate for KloeFinding {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.finding.is_none() && self.mark != FindingMark::NotCovered,
            "finding",
            "Write what the panel found",
        );
        if let Some(key) = &self.prompt {
            errors.require(!is_key(key), "prompt", "The prompt is named by its key (lower-case letters, digits and _)");
        } else {
            errors.require(
                self.mark != FindingMark::Finding,
                "mark",
                "Only a finding on a line of enquiry is marked as a concern, good practice or not covered",
            );
        }
        errors.into_result()
    }
}

impl KloeFinding {
    /// The id of what `user` records about `prompt` at `review`: the same on each of their devices (two
    /// of their tablets write one record, merged field by field), different for every prompt and
    /// member (members never write over each other).
    pub fn id_for(review: ReviewId, prompt: &str, user: UserId) -> KloeFindingId {
        KloeFindingId::from_uuid(crate::ids::derived_from_parts(
            review.as_uuid(),
            &[b"kloe_finding", prompt.as_bytes(), user.as_uuid().as_bytes()],
        ))
    }
}

/// The keys of the prompts with something recorded (what [`prompts::KloePrompts::coverage`] counts).
pub fn recorded_prompts(findings: &[KloeFinding]) -> BTreeSet<&str> {
    findings.iter().filter_map(|f| f.prompt.as_deref()).collect()
}

/// The findings in the order they are read: by the name of the member who recorded them, then as
/// they were made (on the meeting page and in the report alike).
pub fn in_reading_order(findings: &[KloeFinding]) -> Vec<&KloeFinding> {
    let mut sorted: Vec<&KloeFinding> = findings.iter().collect();
    sorted.sort_by(|a, b| {
        (a.by.as_ref().map(ShortText::as_str), a.id).cmp(&(b.by.as_ref().map(ShortText::as_str), b.id))
    });
    sorted
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
    fn a_finding_on_a_prompt_is_one_record_per_prompt_and_member_and_says_something() {
        let review = ReviewId::from_time_and_random(1, [2; 10]);
        let (kim, jo) = (UserId::from_time_and_random(1, [4; 10]), UserId::from_time_and_random(1, [5; 10]));
        let kims = KloeFinding::id_for(review, "medication", kim);
        assert_eq!(kims, KloeFinding::id_for(review, "medication", kim), "the same on each of Kim's tablets");
        assert_ne!(kims, KloeFinding::id_for(review, "medication", jo), "Jo never writes over Kim");
        assert_ne!(kims, KloeFinding::id_for(review, "risk", kim));
        let finding = |prompt: Option<&str>, mark, words: Option<&str>| KloeFinding {
            id: kims,
            review_id: review,
            person_id: PersonId::from_time_and_random(1, [3; 10]),
            question: KeyQuestion::IsThePersonSafe,
            prompt: prompt.map(str::to_string),
            mark,
            finding: words.map(|w| LongText::parse(w).unwrap_or_else(|e| panic!("{e}"))),
            concerns: None,
            by: None,
        };
        assert!(finding(Some("medication"), FindingMark::Concern, Some("Not reviewed")).validate().is_ok());
        assert!(finding(Some("medication"), FindingMark::NotCovered, None).validate().is_ok(), "why is optional");
        assert!(finding(Some("medication"), FindingMark::GoodPractice, None).validate().is_err(), "say what");
        assert!(finding(Some("Medication!"), FindingMark::Finding, Some("x")).validate().is_err());
        assert!(finding(None, FindingMark::Concern, Some("x")).validate().is_err(), "a whole question is not marked");
        let recorded = [
            finding(Some("medication"), FindingMark::Finding, Some("x")),
            finding(Some("risk"), FindingMark::NotCovered, None),
        ];
        assert_eq!(recorded_prompts(&recorded).into_iter().collect::<Vec<_>>(), ["medication", "risk"]);
        // A finding stored before prompts reads as a finding on its question.
        let stored = serde_json::json!({
            "id": kims, "review_id": review, "person_id": PersonId::from_time_and_random(1, [3; 10]),
            "question": "good_care_now", "finding": "Good care", "concerns": null
        });
        let old: KloeFinding = serde_json::from_value(stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((old.prompt, old.mark), (None, FindingMark::Finding));
        for mark in FindingMark::ALL {
            assert_eq!(FindingMark::from_name(mark.name()), Some(mark));
        }
    }

    #[test]
    fn findings_are_read_by_member_name_then_as_made() {
        let by = |seed: u8, name: Option<&str>| KloeFinding {
            id: KloeFindingId::from_time_and_random(1, [seed; 10]),
            review_id: ReviewId::from_time_and_random(1, [2; 10]),
            person_id: PersonId::from_time_and_random(1, [3; 10]),
            question: KeyQuestion::IsThePersonSafe,
            prompt: Some("risk".into()),
            mark: FindingMark::Finding,
            finding: LongText::parse("Seen").ok(),
            concerns: None,
            by: name.and_then(|n| ShortText::parse(n).ok()),
        };
        let found = [by(4, Some("Lee")), by(3, Some("Kim")), by(2, None), by(1, Some("Lee"))];
        let order: Vec<KloeFindingId> = in_reading_order(&found).iter().map(|f| f.id).collect();
        let expected = [found[2].id, found[1].id, found[3].id, found[0].id];
        assert_eq!(order, expected, "no name first, then Kim, then Lee's two as made");
    }
}
