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

    /// Its name in JSON: the name of the record field that holds its answer.
    pub fn name(self) -> &'static str {
        match self {
            PlannerQuestion::CurrentSituation => "current_situation",
            PlannerQuestion::HowYouAndYourFamilyFeel => "how_you_and_your_family_feel",
            PlannerQuestion::AreYouSafe => "are_you_safe",
            PlannerQuestion::CareAndTreatment => "care_and_treatment",
            PlannerQuestion::Education => "education",
            PlannerQuestion::WhatIsWorking => "what_is_working",
            PlannerQuestion::OtherSupport => "other_support",
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
        /// Their own words for each question, kept exactly as given: one record field per question, so
        /// two people answering different questions at once never clash (sync merges field by field).
        #[serde(default)]
        pub current_situation: Option<LongText>,
        #[serde(default)]
        pub how_you_and_your_family_feel: Option<LongText>,
        #[serde(default)]
        pub are_you_safe: Option<LongText>,
        #[serde(default)]
        pub care_and_treatment: Option<LongText>,
        #[serde(default)]
        pub education: Option<LongText>,
        #[serde(default)]
        pub what_is_working: Option<LongText>,
        #[serde(default)]
        pub other_support: Option<LongText>,
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
    /// A planner with nothing in it yet.
    pub fn new(id: PlannerId, review_id: ReviewId, person_id: PersonId) -> Planner {
        Planner {
            id,
            review_id,
            person_id,
            current_situation: None,
            how_you_and_your_family_feel: None,
            are_you_safe: None,
            care_and_treatment: None,
            education: None,
            what_is_working: None,
            other_support: None,
            take_part: None,
            who_with: None,
            communication_needs: None,
            helped_by: None,
            disagreements: Vec::new(),
        }
    }

    /// Questions not answered yet.
    pub fn unanswered(&self) -> Vec<PlannerQuestion> {
        PlannerQuestion::ALL.into_iter().filter(|q| self.answer(*q).is_none()).collect()
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
        /// Their own words for each question, kept exactly as given: one record field per question, so
        /// two people answering different questions at once never clash (sync merges field by field).
        #[serde(default)]
        pub current_situation: Option<LongText>,
        #[serde(default)]
        pub how_you_and_your_family_feel: Option<LongText>,
        #[serde(default)]
        pub are_you_safe: Option<LongText>,
        #[serde(default)]
        pub care_and_treatment: Option<LongText>,
        #[serde(default)]
        pub education: Option<LongText>,
        #[serde(default)]
        pub what_is_working: Option<LongText>,
        #[serde(default)]
        pub other_support: Option<LongText>,
        #[serde(default)]
        pub anything_else: Option<LongText>,
        #[serde(default)]
        pub disagreements: Vec<Disagreement>,
    }
}

impl FamilyViews {
    /// Views with nothing in them yet, given by `by` (their `relationship` to the person).
    pub fn new(
        id: FamilyViewsId,
        review_id: ReviewId,
        person_id: PersonId,
        by: ShortText,
        relationship: ShortText,
    ) -> Self {
        FamilyViews {
            id,
            review_id,
            person_id,
            by,
            relationship,
            current_situation: None,
            how_you_and_your_family_feel: None,
            are_you_safe: None,
            care_and_treatment: None,
            education: None,
            what_is_working: None,
            other_support: None,
            anything_else: None,
            disagreements: Vec::new(),
        }
    }
}

impl Validate for FamilyViews {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.answers().is_empty() && self.anything_else.is_none() && self.disagreements.is_empty(),
            "answers",
            "Write at least one view",
        );
        errors.into_result()
    }
}

/// The answers of a record with one field per planner question: read one, all, or set one.
macro_rules! answers_by_question {
    ($type:ty) => {
        impl $type {
            /// The answer to `question`, if given.
            pub fn answer(&self, question: PlannerQuestion) -> Option<&LongText> {
                match question {
                    PlannerQuestion::CurrentSituation => self.current_situation.as_ref(),
                    PlannerQuestion::HowYouAndYourFamilyFeel => self.how_you_and_your_family_feel.as_ref(),
                    PlannerQuestion::AreYouSafe => self.are_you_safe.as_ref(),
                    PlannerQuestion::CareAndTreatment => self.care_and_treatment.as_ref(),
                    PlannerQuestion::Education => self.education.as_ref(),
                    PlannerQuestion::WhatIsWorking => self.what_is_working.as_ref(),
                    PlannerQuestion::OtherSupport => self.other_support.as_ref(),
                }
            }

            /// Every answer given, in the questions' order.
            pub fn answers(&self) -> BTreeMap<PlannerQuestion, LongText> {
                PlannerQuestion::ALL.into_iter().filter_map(|q| self.answer(q).map(|a| (q, a.clone()))).collect()
            }

            /// Sets (or, with `None`, clears) the answer to `question`.
            pub fn set_answer(&mut self, question: PlannerQuestion, answer: Option<LongText>) {
                let field = match question {
                    PlannerQuestion::CurrentSituation => &mut self.current_situation,
                    PlannerQuestion::HowYouAndYourFamilyFeel => &mut self.how_you_and_your_family_feel,
                    PlannerQuestion::AreYouSafe => &mut self.are_you_safe,
                    PlannerQuestion::CareAndTreatment => &mut self.care_and_treatment,
                    PlannerQuestion::Education => &mut self.education,
                    PlannerQuestion::WhatIsWorking => &mut self.what_is_working,
                    PlannerQuestion::OtherSupport => &mut self.other_support,
                };
                *field = answer;
            }

            /// Sets every answer from `answers` (questions missing from it are cleared).
            pub fn set_answers(&mut self, answers: &BTreeMap<PlannerQuestion, LongText>) {
                for question in PlannerQuestion::ALL {
                    self.set_answer(question, answers.get(&question).cloned());
                }
            }
        }
    };
}

answers_by_question!(Planner);
answers_by_question!(FamilyViews);

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::{long as words, short};

    fn planner() -> Planner {
        Planner::new(
            PlannerId::from_time_and_random(1, [1; 10]),
            ReviewId::from_time_and_random(1, [2; 10]),
            PersonId::from_time_and_random(1, [3; 10]),
        )
    }

    #[test]
    fn a_planner_is_complete_when_every_question_is_answered_and_taking_part_is_chosen() {
        let mut planner = planner();
        planner.communication_needs = Some(words("I like pictures. Give me time to answer."));
        planner.helped_by = Some(Helper { name: short("Jo"), role: HelperRole::Advocate });
        assert_eq!(planner.unanswered().len(), 7);
        for q in PlannerQuestion::ALL {
            planner.set_answer(q, Some(words("my own words   kept as I said them")));
        }
        assert!(!planner.is_complete());
        planner.take_part = Some(TakePart::PartOnly);
        assert!(planner.is_complete());
        let json = serde_json::to_string(&planner).unwrap_or_default();
        let back: Planner = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            back.answer(PlannerQuestion::AreYouSafe).map(LongText::as_str),
            Some("my own words   kept as I said them")
        );
        assert_eq!(back, planner);
    }

    #[test]
    fn each_answer_is_its_own_record_field_named_as_its_question() {
        let mut planner = planner();
        for q in PlannerQuestion::ALL {
            planner.set_answer(q, Some(words(q.text())));
            let fields = crate::sync::fields_of(&planner);
            assert_eq!(fields.get(q.name()).and_then(|v| v.as_str()), Some(q.text()), "{q:?}");
            assert_eq!(
                serde_json::to_value(q).ok().and_then(|v| v.as_str().map(str::to_owned)).as_deref(),
                Some(q.name())
            );
            assert!(Planner::FIELDS.contains(&q.name()) && FamilyViews::FIELDS.contains(&q.name()));
        }
        let mut some = BTreeMap::new();
        some.insert(PlannerQuestion::Education, words("College in September"));
        planner.set_answers(&some);
        assert_eq!(planner.answers(), some);
    }

    #[test]
    fn every_question_has_plain_and_easy_read_words() {
        for q in PlannerQuestion::ALL {
            assert!(q.text().ends_with('?') && q.easy_read().len() <= q.text().len() + 10, "{q:?}");
        }
    }

    #[test]
    fn family_views_need_at_least_one_view() {
        let mut views = FamilyViews::new(
            FamilyViewsId::from_time_and_random(1, [1; 10]),
            ReviewId::from_time_and_random(1, [2; 10]),
            PersonId::from_time_and_random(1, [3; 10]),
            short("Pat Example"),
            short("Mother"),
        );
        assert!(views.validate().is_err());
        views.set_answer(PlannerQuestion::OtherSupport, Some(words("Respite")));
        assert_eq!(views.validate(), Ok(()));
    }
}
