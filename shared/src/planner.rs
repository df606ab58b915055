//! Before a review: the young person's planner (their own words, with help if they want it), the
//! family's views, and disagreements an advocate records. Sources: seed 003 (the planner's
//! questions), seed 000 (booklet and planner, support to fill it in), seed 001 (advocates record
//! disagreement with interventions).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::long_date;
use crate::policy::FamilyPolicy;
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
    pub const fn text(&self) -> &'static str {
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
    pub const fn easy_read(&self) -> &'static str {
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

impl PlannerQuestion {
    /// The question as the area's planner words it (its policy), or [`PlannerQuestion::text`].
    pub fn wording<'a>(&self, families: &'a FamilyPolicy) -> &'a str {
        families.wording(self.name()).unwrap_or(self.text())
    }
}

/// The family's own questions (what they see, not what the young person is asked): what life is like
/// at home, what helps, what worries them, and what they want from the review. Seed 003: "everyone at
/// the meeting is asked to give their point of view"; handbook: "the family fills in their own views".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FamilyQuestion {
    AtHome,
    WhatHelps,
    Worries,
    FromTheReview,
}

impl FamilyQuestion {
    pub const ALL: [FamilyQuestion; 4] =
        [FamilyQuestion::AtHome, FamilyQuestion::WhatHelps, FamilyQuestion::Worries, FamilyQuestion::FromTheReview];

    /// The question in plain words.
    pub const fn text(&self) -> &'static str {
        match self {
            FamilyQuestion::AtHome => "What do you see at home? How are things from day to day?",
            FamilyQuestion::WhatHelps => "What helps, and what has worked well?",
            FamilyQuestion::Worries => "What worries you most at the moment?",
            FamilyQuestion::FromTheReview => "What do you want the review to do?",
        }
    }

    /// Its name in JSON: the name of the record field that holds its answer.
    pub fn name(self) -> &'static str {
        match self {
            FamilyQuestion::AtHome => "at_home",
            FamilyQuestion::WhatHelps => "what_helps",
            FamilyQuestion::Worries => "worries",
            FamilyQuestion::FromTheReview => "from_the_review",
        }
    }

    /// Easy read: short words, one idea.
    pub const fn easy_read(&self) -> &'static str {
        match self {
            FamilyQuestion::AtHome => "What is it like at home?",
            FamilyQuestion::WhatHelps => "What helps?",
            FamilyQuestion::Worries => "What worries you?",
            FamilyQuestion::FromTheReview => "What do you want from the meeting?",
        }
    }

    /// The question as the area's planner words it (its policy), or [`FamilyQuestion::text`].
    pub fn wording<'a>(&self, families: &'a FamilyPolicy) -> &'a str {
        families.wording(self.name()).unwrap_or(self.text())
    }
}

/// Every question's name (the young person's, then the family's): the names an area may word its own way.
pub fn question_names() -> impl Iterator<Item = (&'static str, &'static str)> {
    PlannerQuestion::ALL
        .into_iter()
        .map(|q| (q.name(), q.text()))
        .chain(FamilyQuestion::ALL.into_iter().map(|q| (q.name(), q.text())))
}

/// Where a review's meeting is in time, for the words of the planner and the family's views: "before
/// the meeting" is said only before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingTime {
    /// No date is set yet.
    NotSet,
    Before(NaiveDate),
    Today,
    After(NaiveDate),
}

impl MeetingTime {
    pub fn of(meeting_on: Option<NaiveDate>, today: NaiveDate) -> MeetingTime {
        match meeting_on {
            None => MeetingTime::NotSet,
            Some(day) if day > today => MeetingTime::Before(day),
            Some(day) if day == today => MeetingTime::Today,
            Some(day) => MeetingTime::After(day),
        }
    }

    /// What the young person's planner says at the top.
    pub fn planner_intro(self) -> String {
        let rest = "You can answer as much or as little as you like, and come back to it.";
        match self {
            MeetingTime::NotSet => format!(
                "This is your chance to say what matters to you, in your own words, before your meeting. The date is not set yet. {rest}"
            ),
            MeetingTime::Before(day) => format!(
                "This is your chance to say what matters to you, in your own words, before your meeting on {}. {rest}",
                long_date(day)
            ),
            MeetingTime::Today => {
                format!("Your meeting is today. You can still say what matters to you, in your own words. {rest}")
            }
            MeetingTime::After(day) => format!(
                "Your meeting was on {}. You can still add what matters to you, in your own words: the person who chairs the review reads it, and it stays with your review.",
                long_date(day)
            ),
        }
    }

    /// What the family's views say at the top.
    pub fn family_intro(self) -> String {
        match self {
            MeetingTime::NotSet => "What you think, before the meeting (its date is not set yet). The panel reads it, and it goes in the report.".to_string(),
            MeetingTime::Before(day) => format!(
                "What you think, before the meeting on {}. The panel reads it, and it goes in the report.",
                long_date(day)
            ),
            MeetingTime::Today => "The meeting is today. You can still write what you think: the panel reads it, and it goes in the report.".to_string(),
            MeetingTime::After(day) => format!(
                "The meeting was on {}. You can still write what you think: the person who chairs the review reads it, and it stays with the review.",
                long_date(day)
            ),
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
        /// Planners of the same review made before a review had one planner (two devices offline each
        /// started one), merged into this one: they are read as part of it no longer.
        #[serde(default)]
        pub merged_from: Vec<PlannerId>,
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
            merged_from: Vec::new(),
        }
    }

    /// The id of `review`'s planner: the same on every device, so two devices that start it offline
    /// write to one record (their words merge field by field when they sync).
    pub fn id_for(review: ReviewId) -> PlannerId {
        PlannerId::from_uuid(crate::ids::derived(review.as_uuid(), 1))
    }

    /// The review's one planner, from every planner record of it this device holds: the one with the
    /// review's own id ([`Planner::id_for`]) with the words of any others (made before a review had one
    /// planner) not yet merged into it. `None` when there is none.
    pub fn one_for(review: ReviewId, person: PersonId, planners: &[Planner]) -> Option<Planner> {
        let (mut one, others) = canonical(Planner::id_for(review), planners, |p| p.id, |p| &p.merged_from)?;
        let one = one.get_or_insert_with(|| Planner::new(Planner::id_for(review), review, person));
        for other in others {
            for question in PlannerQuestion::ALL {
                let joined = join(one.answer(question), other.answer(question));
                one.set_answer(question, joined);
            }
            one.take_part = one.take_part.or(other.take_part);
            one.who_with = join(one.who_with.as_ref(), other.who_with.as_ref());
            one.communication_needs = join(one.communication_needs.as_ref(), other.communication_needs.as_ref());
            if one.helped_by.is_none() {
                one.helped_by.clone_from(&other.helped_by);
            }
            add_disagreements(&mut one.disagreements, &other.disagreements);
            one.merged_from.push(other.id);
        }
        Some(one.clone())
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
        /// The family's own questions ([`FamilyQuestion`]), one record field each. (The young person's
        /// questions above were asked of families before they had their own; kept and shown as given.)
        #[serde(default)]
        pub at_home: Option<LongText>,
        #[serde(default)]
        pub what_helps: Option<LongText>,
        #[serde(default)]
        pub worries: Option<LongText>,
        #[serde(default)]
        pub from_the_review: Option<LongText>,
        #[serde(default)]
        pub anything_else: Option<LongText>,
        #[serde(default)]
        pub disagreements: Vec<Disagreement>,
        /// Views of the same review made before a review had one record of them (each family member,
        /// or each device offline, started one), merged into this one.
        #[serde(default)]
        pub merged_from: Vec<FamilyViewsId>,
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
            at_home: None,
            what_helps: None,
            worries: None,
            from_the_review: None,
            anything_else: None,
            disagreements: Vec::new(),
            merged_from: Vec::new(),
        }
    }

    /// The id of `review`'s family views: the same on every device (see [`Planner::id_for`]).
    pub fn id_for(review: ReviewId) -> FamilyViewsId {
        FamilyViewsId::from_uuid(crate::ids::derived(review.as_uuid(), 2))
    }

    /// The review's one record of the family's views (see [`Planner::one_for`]): who gave them and
    /// how they are related are listed together; the words of each are kept.
    pub fn one_for(review: ReviewId, planners: &[FamilyViews]) -> Option<FamilyViews> {
        let (one, others) = canonical(FamilyViews::id_for(review), planners, |v| v.id, |v| &v.merged_from)?;
        let mut others = others.into_iter();
        let mut one = match one {
            Some(one) => one,
            // None has the review's id yet: the first made becomes it.
            None => {
                let first = others.next()?.clone();
                FamilyViews { id: FamilyViews::id_for(review), merged_from: vec![first.id], ..first }
            }
        };
        for other in others {
            one.by = join_short(&one.by, &other.by);
            one.relationship = join_short(&one.relationship, &other.relationship);
            for question in PlannerQuestion::ALL {
                let joined = join(one.answer(question), other.answer(question));
                one.set_answer(question, joined);
            }
            for question in FamilyQuestion::ALL {
                let joined = join(one.family_answer(question), other.family_answer(question));
                one.set_family_answer(question, joined);
            }
            one.anything_else = join(one.anything_else.as_ref(), other.anything_else.as_ref());
            add_disagreements(&mut one.disagreements, &other.disagreements);
            one.merged_from.push(other.id);
        }
        Some(one)
    }
}

/// Of a review's records of one kind: the one with the review's own id (if held), and the others not
/// merged into it yet, oldest first. `None` when there are none at all.
fn canonical<T: Clone, Id: PartialEq + Ord + Copy>(
    own: Id,
    all: &[T],
    id: impl Fn(&T) -> Id,
    merged: impl Fn(&T) -> &Vec<Id>,
) -> Option<(Option<T>, Vec<&T>)> {
    if all.is_empty() {
        return None;
    }
    let one = all.iter().find(|r| id(r) == own).cloned();
    let done: &[Id] = one.as_ref().map_or(&[], |o| merged(o).as_slice());
    let mut others: Vec<&T> = all.iter().filter(|r| id(r) != own && !done.contains(&id(r))).collect();
    others.sort_by_key(|r| id(r));
    Some((one, others))
}

/// Two people's words for one answer, both kept: the same words (or words already in the first) once.
/// A merge may make an answer longer than a saved answer may be: the next save asks to shorten it.
fn join(first: Option<&LongText>, second: Option<&LongText>) -> Option<LongText> {
    match (first, second) {
        (Some(a), Some(b)) if a.as_str().contains(b.as_str()) => Some(a.clone()),
        (Some(a), Some(b)) => Some(LongText::joined(a, b)),
        (a, b) => a.or(b).cloned(),
    }
}

/// Two names (or relationships) as one: "Pat Example, Sam Example"; the first alone when both do not fit.
fn join_short(first: &ShortText, second: &ShortText) -> ShortText {
    if first.as_str().split(", ").any(|part| part == second.as_str()) {
        return first.clone();
    }
    ShortText::parse(&format!("{}, {}", first.as_str(), second.as_str())).unwrap_or_else(|_| first.clone())
}

fn add_disagreements(to: &mut Vec<Disagreement>, from: &[Disagreement]) {
    for d in from {
        if !to.contains(d) {
            to.push(d.clone());
        }
    }
}

impl Validate for FamilyViews {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.answers().is_empty()
                && self.family_answers().is_empty()
                && self.anything_else.is_none()
                && self.disagreements.is_empty(),
            "answers",
            "Write at least one view",
        );
        errors.into_result()
    }
}

/// The answers of a record with one field per question of `$question`: read one, all, or set one, by
/// the methods named (`answer`, `answers`, `set_answer`, `set_answers` for the young person's questions).
macro_rules! answers_by_question {
    ($type:ty, $question:ident, $answer:ident, $answers:ident, $set:ident, $set_all:ident,
     { $($q:ident => $field:ident),* $(,)? }) => {
        impl $type {
            /// The answer to `question`, if given.
            pub fn $answer(&self, question: $question) -> Option<&LongText> {
                match question {
                    $($question::$q => self.$field.as_ref(),)*
                }
            }

            /// Every answer given, in the questions' order.
            pub fn $answers(&self) -> BTreeMap<$question, LongText> {
                $question::ALL.into_iter().filter_map(|q| self.$answer(q).map(|a| (q, a.clone()))).collect()
            }

            /// Sets (or, with `None`, clears) the answer to `question`.
            pub fn $set(&mut self, question: $question, answer: Option<LongText>) {
                let field = match question {
                    $($question::$q => &mut self.$field,)*
                };
                *field = answer;
            }

            /// Sets every answer from `answers` (questions missing from it are cleared).
            pub fn $set_all(&mut self, answers: &BTreeMap<$question, LongText>) {
                for question in $question::ALL {
                    self.$set(question, answers.get(&question).cloned());
                }
            }
        }
    };
}

macro_rules! young_persons_answers {
    ($type:ty) => {
        answers_by_question!($type, PlannerQuestion, answer, answers, set_answer, set_answers, {
            CurrentSituation => current_situation,
            HowYouAndYourFamilyFeel => how_you_and_your_family_feel,
            AreYouSafe => are_you_safe,
            CareAndTreatment => care_and_treatment,
            Education => education,
            WhatIsWorking => what_is_working,
            OtherSupport => other_support,
        });
    };
}

young_persons_answers!(Planner);
young_persons_answers!(FamilyViews);
answers_by_question!(FamilyViews, FamilyQuestion, family_answer, family_answers, set_family_answer, set_family_answers, {
    AtHome => at_home,
    WhatHelps => what_helps,
    Worries => worries,
    FromTheReview => from_the_review,
});

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

    fn review() -> ReviewId {
        ReviewId::from_time_and_random(1, [2; 10])
    }

    fn person() -> PersonId {
        PersonId::from_time_and_random(1, [3; 10])
    }

    #[test]
    fn a_reviews_planner_and_family_views_have_ids_that_follow_from_the_review() {
        assert_eq!(Planner::id_for(review()), Planner::id_for(review()));
        assert_ne!(Planner::id_for(review()).as_uuid(), FamilyViews::id_for(review()).as_uuid());
        assert_ne!(Planner::id_for(review()), Planner::id_for(ReviewId::from_time_and_random(1, [4; 10])));
    }

    #[test]
    fn two_planners_made_before_a_review_had_one_are_read_as_one_and_nothing_is_dropped() {
        let made = |n: u8| Planner::new(PlannerId::from_time_and_random(u64::from(n), [n; 10]), review(), person());
        let mut older = made(1);
        older.are_you_safe = Some(words("Yes"));
        older.education = Some(words("College on Mondays"));
        older.disagreements = vec![Disagreement {
            about: words("No new school"),
            recorded_by: short("Jo"),
            on: crate::test_support::day(2026, 12, 1),
        }];
        let mut newer = made(2);
        newer.are_you_safe = Some(words("Mostly, not on the bus"));
        newer.education = Some(words("College on Mondays"));
        newer.take_part = Some(TakePart::Video);
        newer.disagreements = older.disagreements.clone();
        assert_eq!(Planner::one_for(review(), person(), &[]), None);
        let one =
            Planner::one_for(review(), person(), &[newer.clone(), older.clone()]).unwrap_or_else(|| panic!("one"));
        assert_eq!(one.id, Planner::id_for(review()));
        assert_eq!(
            one.answer(PlannerQuestion::AreYouSafe).map(LongText::as_str),
            Some("Yes\n\nMostly, not on the bus")
        );
        assert_eq!(one.answer(PlannerQuestion::Education).map(LongText::as_str), Some("College on Mondays"));
        assert_eq!((one.take_part, one.disagreements.len()), (Some(TakePart::Video), 1));
        assert_eq!(one.merged_from, vec![older.id, newer.id]);
        // Saved under the review's id, it is the planner: the old ones are read as part of it no more,
        // so the merged words do not double.
        let all = [older.clone(), newer.clone(), one.clone()];
        assert_eq!(Planner::one_for(review(), person(), &all), Some(one.clone()));
        // One made afterwards on a device not yet updated is merged in again, its words kept.
        let mut late = made(3);
        late.other_support = Some(words("Respite"));
        let again =
            Planner::one_for(review(), person(), &[older, newer, one, late.clone()]).unwrap_or_else(|| panic!("one"));
        assert_eq!(again.answer(PlannerQuestion::OtherSupport).map(LongText::as_str), Some("Respite"));
        assert_eq!(again.merged_from.last(), Some(&late.id));
    }

    #[test]
    fn the_family_views_of_two_relatives_become_one_record_listing_both() {
        let views = |n: u8, by: &str, relation: &str| {
            let mut v = FamilyViews::new(
                FamilyViewsId::from_time_and_random(u64::from(n), [n; 10]),
                review(),
                person(),
                short(by),
                short(relation),
            );
            v.set_family_answer(FamilyQuestion::Worries, Some(words(&format!("{by} worries"))));
            v
        };
        let (mum, dad) = (views(1, "Pat Example", "Mother"), views(2, "Sam Example", "Father"));
        let one = FamilyViews::one_for(review(), &[dad.clone(), mum.clone()]).unwrap_or_else(|| panic!("one"));
        assert_eq!(one.id, FamilyViews::id_for(review()));
        assert_eq!((one.by.as_str(), one.relationship.as_str()), ("Pat Example, Sam Example", "Mother, Father"));
        assert_eq!(
            one.family_answer(FamilyQuestion::Worries).map(LongText::as_str),
            Some("Pat Example worries\n\nSam Example worries")
        );
        assert_eq!(one.merged_from, vec![mum.id, dad.id]);
        assert_eq!(FamilyViews::one_for(review(), &[mum, dad, one.clone()]), Some(one));
    }

    #[test]
    fn the_family_answers_their_own_questions_and_an_area_may_word_them_its_way() {
        let mut views =
            FamilyViews::new(FamilyViews::id_for(review()), review(), person(), short("Pat"), short("Mother"));
        assert!(views.validate().is_err());
        views.set_family_answer(FamilyQuestion::FromTheReview, Some(words("A plan for school")));
        assert_eq!(views.validate(), Ok(()));
        let fields = crate::sync::fields_of(&views);
        for q in FamilyQuestion::ALL {
            assert!(FamilyViews::FIELDS.contains(&q.name()) && !Planner::FIELDS.contains(&q.name()), "{q:?}");
            assert!(q.text().ends_with('?') && q.easy_read().ends_with('?'), "{q:?}");
        }
        assert_eq!(fields.get("from_the_review").and_then(|v| v.as_str()), Some("A plan for school"));
        let mut families = crate::policy::FamilyPolicy::default();
        assert_eq!(FamilyQuestion::AtHome.wording(&families), FamilyQuestion::AtHome.text());
        families.question_wording.insert("at_home".into(), "How are things at home?".into());
        families.question_wording.insert("are_you_safe".into(), "   ".into());
        assert_eq!(FamilyQuestion::AtHome.wording(&families), "How are things at home?");
        assert_eq!(PlannerQuestion::AreYouSafe.wording(&families), "Are you safe?");
    }

    #[test]
    fn before_the_meeting_is_said_only_before_it() {
        let day = crate::test_support::day;
        let on = day(2026, 12, 10);
        assert_eq!(MeetingTime::of(Some(on), day(2026, 12, 9)), MeetingTime::Before(on));
        assert_eq!(MeetingTime::of(Some(on), on), MeetingTime::Today);
        assert_eq!(MeetingTime::of(Some(on), day(2026, 12, 11)), MeetingTime::After(on));
        assert_eq!(MeetingTime::of(None, on), MeetingTime::NotSet);
        assert!(MeetingTime::Before(on).planner_intro().contains("before your meeting on 10 December 2026"));
        assert!(MeetingTime::Before(on).family_intro().contains("before the meeting on 10 December 2026"));
        for after in [MeetingTime::Today, MeetingTime::After(on)] {
            assert!(!after.planner_intro().contains("before"), "{after:?}");
            assert!(!after.family_intro().contains("before"), "{after:?}");
        }
        assert!(MeetingTime::After(on).planner_intro().contains("was on 10 December 2026"));
    }
}
