//! Before a review: the young person's planner (their own words, with help if they want it), the
//! family's views, and disagreements an advocate records. Sources: seed 003 (the planner's
//! questions), seed 000 (booklet and planner, support to fill it in), seed 001 (advocates record
//! disagreement with interventions).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::text::{LongText, ShortText};
use crate::{FamilyViewsId, PersonId, PlannerId, ReviewId, Validate, ValidationErrors, validated};

/// The planner's questions, in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlannerQuestion {
    CurrentSituation,
    HowYouAndYourFamilyFeel,
    AreYouSafe,
    CareAndTreatment,
    Education,
    WhatIsWorking,
    OtherSupport,
}

impl PlannerQuestion {
    pub const ALL: [PlannerQuestion; 7] = [
        PlannerQuestion::CurrentSituation,
        PlannerQuestion::HowYouAndYourFamilyFeel,
        PlannerQuestion::AreYouSafe,
        PlannerQuestion::CareAndTreatment,
        PlannerQuestion::Education,
        PlannerQuestion::WhatIsWorking,
        PlannerQuestion::OtherSupport,
    ];

    /// The question in plain words (seed 003).
    pub fn text(&self) -> &'static str {
        match self {
            PlannerQuestion::CurrentSituation => "What is your current situation?",
            PlannerQuestion::HowYouAndYourFamilyFeel => "How do you and your family feel about it?",
            PlannerQuestion::AreYouSafe => "Are you safe?",
            PlannerQuestion::CareAndTreatment => "What is your current care and treatment?",
            PlannerQuestion::Education => "Are you going to school or college?",
            PlannerQuestion::WhatIsWorking => "What is working well, and what is not?",
            PlannerQuestion::OtherSupport => "Is there any other support that would help you stay at home?",
        }
    }

    /// Easy read: short words, one idea.
    pub fn easy_read(&self) -> &'static str {
        match self {
            PlannerQuestion::CurrentSituation => "What is happening for you now?",
            PlannerQuestion::HowYouAndYourFamilyFeel => "How do you feel? How does your family feel?",
            PlannerQuestion::AreYouSafe => "Do you feel safe?",
            PlannerQuestion::CareAndTreatment => "Who helps you now?",
            PlannerQuestion::Education => "Do you go to school or college?",
            PlannerQuestion::WhatIsWorking => "What is good? What is not good?",
            PlannerQuestion::OtherSupport => "What else would help you stay at home?",
        }
    }
}

/// How the young person wants to take part in the meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TakePart {
    InPerson,
    Video,
    PartOnly,
    NotAtAll,
}

impl TakePart {
    pub const ALL: [TakePart; 4] = [TakePart::InPerson, TakePart::Video, TakePart::PartOnly, TakePart::NotAtAll];

    pub fn name(self) -> &'static str {
        match self {
            TakePart::InPerson => "in_person",
            TakePart::Video => "video",
            TakePart::PartOnly => "part_only",
            TakePart::NotAtAll => "not_at_all",
        }
    }

    pub fn from_name(name: &str) -> Option<TakePart> {
        TakePart::ALL.into_iter().find(|t| t.name() == name)
    }

    /// In plain words, as the young person would say it.
    pub fn label(self) -> &'static str {
        match self {
            TakePart::InPerson => "I want to be in the room",
            TakePart::Video => "I want to join by video",
            TakePart::PartOnly => "I want to join for part of it",
            TakePart::NotAtAll => "I do not want to join; someone can tell them what I think",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelperRole {
    Advocate,
    Family,
    Keyworker,
    Other,
}

impl HelperRole {
    pub const ALL: [HelperRole; 4] =
        [HelperRole::Advocate, HelperRole::Family, HelperRole::Keyworker, HelperRole::Other];

    pub fn name(self) -> &'static str {
        match self {
            HelperRole::Advocate => "advocate",
            HelperRole::Family => "family",
            HelperRole::Keyworker => "keyworker",
            HelperRole::Other => "other",
        }
    }

    pub fn from_name(name: &str) -> Option<HelperRole> {
        HelperRole::ALL.into_iter().find(|r| r.name() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            HelperRole::Advocate => "An advocate",
            HelperRole::Family => "Someone in the family",
            HelperRole::Keyworker => "The keyworker",
            HelperRole::Other => "Someone else",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Helper {
    pub name: ShortText,
    pub role: HelperRole,
}

/// A disagreement with a proposed intervention or action, recorded (usually by the advocate) in the
/// person's or family's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disagreement {
    pub about: LongText,
    pub recorded_by: ShortText,
    pub on: NaiveDate,
}

validated! {
    /// The young person's planner. Answers may be partial while it is being filled in.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Planner (unchecked PlannerUnchecked) {
        pub id: PlannerId,
        pub review_id: ReviewId,
        /// The person the review is about (so access is decided per person, like every other record).
        pub person_id: PersonId,
        /// Their own words, kept exactly as given.
        #[serde(default)]
        pub answers: BTreeMap<PlannerQuestion, LongText>,
        #[serde(default)]
        pub take_part: Option<TakePart>,
        #[serde(default)]
        pub who_with: Option<LongText>,
        #[serde(default)]
        pub communication_needs: Option<LongText>,
        #[serde(default)]
        pub helped_by: Option<Helper>,
        #[serde(default)]
        pub disagreements: Vec<Disagreement>,
    }
}

impl Validate for Planner {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.take_part == Some(TakePart::NotAtAll) && self.who_with.is_some(),
            "who_with",
            "Who comes with them applies only when they take part",
        );
        errors.into_result()
    }
}

impl Planner {
    /// Questions not answered yet.
    pub fn unanswered(&self) -> Vec<PlannerQuestion> {
        PlannerQuestion::ALL.into_iter().filter(|q| !self.answers.contains_key(q)).collect()
    }

    pub fn is_complete(&self) -> bool {
        self.unanswered().is_empty() && self.take_part.is_some()
    }
}

validated! {
    /// The family's own views for a review.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct FamilyViews (unchecked FamilyViewsUnchecked) {
        pub id: FamilyViewsId,
        pub review_id: ReviewId,
        /// The person the review is about (so access is decided per person, like every other record).
        pub person_id: PersonId,
        pub by: ShortText,
        pub relationship: ShortText,
        #[serde(default)]
        pub answers: BTreeMap<PlannerQuestion, LongText>,
        #[serde(default)]
        pub anything_else: Option<LongText>,
        #[serde(default)]
        pub disagreements: Vec<Disagreement>,
    }
}

impl Validate for FamilyViews {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.answers.is_empty() && self.anything_else.is_none() && self.disagreements.is_empty(),
            "answers",
            "Write at least one view",
        );
        errors.into_result()
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::long as words;

    #[test]
    fn a_planner_is_complete_when_every_question_is_answered_and_taking_part_is_chosen() {
        let mut planner = Planner {
            id: PlannerId::from_time_and_random(1, [1; 10]),
            review_id: ReviewId::from_time_and_random(1, [2; 10]),
            person_id: PersonId::from_time_and_random(1, [3; 10]),
            answers: BTreeMap::new(),
            take_part: None,
            who_with: None,
            communication_needs: Some(words("I like pictures. Give me time to answer.")),
            helped_by: Some(Helper {
                name: ShortText::parse("Jo").unwrap_or_else(|e| panic!("{e}")),
                role: HelperRole::Advocate,
            }),
            disagreements: Vec::new(),
        };
        assert_eq!(planner.unanswered().len(), 7);
        for q in PlannerQuestion::ALL {
            planner.answers.insert(q, words("my own words   kept as I said them"));
        }
        assert!(!planner.is_complete());
        planner.take_part = Some(TakePart::PartOnly);
        assert!(planner.is_complete());
        let json = serde_json::to_string(&planner).unwrap_or_default();
        let back: Planner = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.answers[&PlannerQuestion::AreYouSafe].as_str(), "my own words   kept as I said them");
    }

    #[test]
    fn every_question_has_plain_and_easy_read_words() {
        for q in PlannerQuestion::ALL {
            assert!(q.text().ends_with('?') && q.easy_read().len() <= q.text().len() + 10, "{q:?}");
        }
    }

    #[test]
    fn family_views_need_at_least_one_view() {
        let views = FamilyViews {
            id: FamilyViewsId::from_time_and_random(1, [1; 10]),
            review_id: ReviewId::from_time_and_random(1, [2; 10]),
            person_id: PersonId::from_time_and_random(1, [3; 10]),
            by: ShortText::parse("Pat Example").unwrap_or_else(|e| panic!("{e}")),
            relationship: ShortText::parse("Mother").unwrap_or_else(|e| panic!("{e}")),
            answers: BTreeMap::new(),
            anything_else: None,
            disagreements: Vec::new(),
        };
        assert!(views.validate().is_err());
    }
}
