//! Risk stratification: an area's risk tool (data: versioned, per age band) and a filled-in
//! checklist. The score suggests a rating; a person always confirms it, and overriding the suggestion
//! needs a reason. Source: seed 002 (Cambridgeshire & Peterborough: 0-4 Green, 5-7 Amber, 8+ Red;
//! separate checklists for under-18s and adults), seed 001 (the factors considered).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::rating::Rating;
use crate::text::{LongText, ShortText};
use crate::{PersonId, RiskAssessmentId, RiskToolId, Validate, ValidationErrors, validated};

/// Which checklist applies: under-18s and adults have different ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    Under18,
    Adult,
}

impl AgeBand {
    /// The band for someone of `age`, where adulthood starts at `adult_age` (18).
    pub fn for_age(age: i32, adult_age: u8) -> Self {
        if age < i32::from(adult_age) { AgeBand::Under18 } else { AgeBand::Adult }
    }
}

/// One question of a checklist, answered yes or no; a yes adds its weight to the score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskItem {
    /// Stable key for answers (`admission_history`): letters, digits and underscores.
    pub key: String,
    pub question: ShortText,
    #[serde(default)]
    pub hint: Option<LongText>,
    pub weight: u32,
}

validated! {
    /// One version of an area's risk tool for one age band. A changed tool is a new version; old
    /// assessments keep the version they were made with.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RiskTool (unchecked RiskToolUnchecked) {
        pub id: RiskToolId,
        pub name: ShortText,
        pub version: u32,
        pub age_band: AgeBand,
        pub items: Vec<RiskItem>,
        /// Scores from here up suggest Amber.
        pub amber_from: u32,
        /// Scores from here up suggest Red.
        pub red_from: u32,
        /// Each set: when every item in it is answered yes, the suggestion is Red whatever the score.
        #[serde(default)]
        pub red_if_all: Vec<Vec<String>>,
    }
}

impl Validate for RiskTool {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(self.version == 0, "version", "The version starts at 1");
        errors.require(self.items.is_empty(), "items", "A risk tool needs at least one question");
        let mut keys = BTreeSet::new();
        for item in &self.items {
            let well_formed = !item.key.is_empty()
                && item.key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            errors.require(
                !well_formed,
                "items",
                &format!("'{}' is not a key: use lower-case letters, digits and _", item.key),
            );
            errors.require(!keys.insert(item.key.as_str()), "items", &format!("The key '{}' is used twice", item.key));
            errors.require(item.weight == 0, "items", &format!("'{}' needs a weight of 1 or more", item.key));
        }
        errors.require(self.amber_from == 0, "amber_from", "Amber must start above a score of 0");
        errors.require(self.red_from <= self.amber_from, "red_from", "Red must start at a higher score than Amber");
        for rule in &self.red_if_all {
            errors.require(rule.is_empty(), "red_if_all", "An 'all of these' rule needs at least one question");
            for key in rule {
                errors.require(
                    !keys.contains(key.as_str()),
                    "red_if_all",
                    &format!("'{key}' is not a question of this tool"),
                );
            }
        }
        errors.into_result()
    }
}

/// Answers to a checklist: item key to yes (true) or no (false).
pub type RiskAnswers = BTreeMap<String, bool>;

impl RiskTool {
    /// The sum of the weights of the questions answered yes.
    pub fn score(&self, answers: &RiskAnswers) -> u32 {
        self.items.iter().filter(|item| answers.get(&item.key) == Some(&true)).map(|item| item.weight).sum()
    }

    /// The rating the answers suggest: Red when an "all of these" rule is met or the score reaches
    /// `red_from`; Amber from `amber_from`; otherwise Green. Never Blue: Blue follows an admission.
    pub fn suggest(&self, answers: &RiskAnswers) -> Rating {
        let all_yes = |rule: &Vec<String>| rule.iter().all(|key| answers.get(key) == Some(&true));
        let score = self.score(answers);
        if self.red_if_all.iter().any(all_yes) || score >= self.red_from {
            Rating::Red
        } else if score >= self.amber_from {
            Rating::Amber
        } else {
            Rating::Green
        }
    }

    /// Questions of this tool with no answer.
    pub fn unanswered(&self, answers: &RiskAnswers) -> Vec<&str> {
        self.items.iter().filter(|i| !answers.contains_key(&i.key)).map(|i| i.key.as_str()).collect()
    }
}

validated! {
    /// A completed checklist: its answers, score and suggestion, and the rating a person confirmed.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RiskAssessment (unchecked RiskAssessmentUnchecked) {
        pub id: RiskAssessmentId,
        pub person_id: PersonId,
        pub tool_id: RiskToolId,
        pub tool_version: u32,
        pub answers: RiskAnswers,
        pub score: u32,
        pub suggested: Rating,
        pub confirmed: Rating,
        /// Required when the confirmed rating differs from the suggestion.
        #[serde(default)]
        pub override_reason: Option<LongText>,
        pub by: ShortText,
        pub at: DateTime<Utc>,
    }
}

impl Validate for RiskAssessment {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(self.confirmed == Rating::Blue, "confirmed", "Blue is not scored: it follows an admission");
        errors.require(
            self.confirmed != self.suggested && self.override_reason.is_none(),
            "override_reason",
            "Say why the rating differs from the one the checklist suggests",
        );
        errors.into_result()
    }
}

/// What the person filling in the checklist chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskDecision {
    pub confirmed: Rating,
    pub override_reason: Option<LongText>,
    pub by: ShortText,
    pub at: DateTime<Utc>,
}

impl RiskAssessment {
    /// Scores `answers` with `tool` and records the decision. Every question must be answered.
    pub fn complete(
        id: RiskAssessmentId,
        person_id: PersonId,
        tool: &RiskTool,
        answers: RiskAnswers,
        decision: RiskDecision,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        for key in tool.unanswered(&answers) {
            errors.add("answers", format!("Answer the question '{key}'"));
        }
        for key in answers.keys().filter(|k| !tool.items.iter().any(|i| &i.key == *k)) {
            errors.add("answers", format!("'{key}' is not a question of this tool"));
        }
        errors.into_result()?;
        let assessment = RiskAssessment {
            id,
            person_id,
            tool_id: tool.id,
            tool_version: tool.version,
            score: tool.score(&answers),
            suggested: tool.suggest(&answers),
            answers,
            confirmed: decision.confirmed,
            override_reason: decision.override_reason,
            by: decision.by,
            at: decision.at,
        };
        assessment.validate()?;
        Ok(assessment)
    }
}

/// The factors the seeds name, as an example tool for each age band. Not any area's official tool:
/// each area loads its own (items, weights, thresholds) into its policy.
pub fn example_tools() -> Vec<RiskTool> {
    let item = |key: &str, question: &'static str, weight: u32| RiskItem {
        key: key.into(),
        question: ShortText::constant(question),
        hint: None,
        weight,
    };
    let shared = |education: RiskItem, justice: RiskItem| {
        vec![
            item(
                "significant_life_events",
                "Significant life events recently (bereavement, moving home, family breakdown)",
                1,
            ),
            item("mental_physical_health", "Mental or physical health getting worse", 1),
            item("admission_history", "Has been admitted to a mental health hospital before", 2),
            item("transition", "Moving between children's and adults' services", 1),
            education,
            item("behaviours_that_challenge", "Behaviours that challenge are increasing or new", 2),
            item("support_staff_changes", "Changes in support staff or carers", 1),
            justice,
            item("alcohol_substance_misuse", "Alcohol or substance misuse", 1),
            item("recent_crises", "Recent crises: A&E attendance or emergency social care", 2),
        ]
    };
    let red_rule = || {
        vec![vec![
            "admission_history".to_string(),
            "behaviours_that_challenge".into(),
            "recent_crises".into(),
            "mental_physical_health".into(),
        ]]
    };
    vec![
        RiskTool {
            id: RiskToolId::from_time_and_random(1_704_067_200_000, [0x18; 10]),
            name: ShortText::constant("Example risk checklist: under 18"),
            version: 1,
            age_band: AgeBand::Under18,
            items: shared(
                item(
                    "education_breakdown",
                    "Education placement at risk or broken down (including residential or 52-week school)",
                    1,
                ),
                item("youth_justice", "Contact with youth offending services or the police", 1),
            ),
            amber_from: 5,
            red_from: 8,
            red_if_all: red_rule(),
        },
        RiskTool {
            id: RiskToolId::from_time_and_random(1_704_067_200_000, [0xad; 10]),
            name: ShortText::constant("Example risk checklist: adults"),
            version: 1,
            age_band: AgeBand::Adult,
            items: shared(
                item("placement_breakdown", "Home, tenancy or placement at risk of breaking down", 1),
                item("criminal_justice", "Contact with the criminal justice system", 1),
            ),
            amber_from: 5,
            red_from: 8,
            red_if_all: red_rule(),
        },
    ]
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn tool() -> RiskTool {
        example_tools().into_iter().next().unwrap_or_else(|| panic!("no tool"))
    }

    fn answers(yes: &[&str]) -> RiskAnswers {
        tool().items.iter().map(|i| (i.key.clone(), yes.contains(&i.key.as_str()))).collect()
    }

    fn decision(confirmed: Rating, reason: Option<&str>) -> RiskDecision {
        RiskDecision {
            confirmed,
            override_reason: reason.map(|r| LongText::parse(r).unwrap_or_else(|e| panic!("{e}"))),
            by: ShortText::parse("Keyworker").unwrap_or_else(|e| panic!("{e}")),
            at: Utc.with_ymd_and_hms(2026, 11, 2, 10, 0, 0).single().unwrap_or_default(),
        }
    }

    #[test]
    fn example_tools_are_valid_and_use_the_seed_thresholds() {
        for tool in example_tools() {
            assert_eq!(tool.validate(), Ok(()), "{}", tool.name);
            assert_eq!((tool.amber_from, tool.red_from), (5, 8));
            for text in tool.items.iter().map(|i| &i.question).chain([&tool.name]) {
                assert_eq!(ShortText::parse(text.as_str()).as_ref(), Ok(text));
            }
        }
    }

    #[test]
    fn scores_map_to_green_amber_red_as_in_the_seed() {
        let tool = tool();
        // weights: admission_history 2, recent_crises 2, behaviours 2, others 1
        assert_eq!(tool.suggest(&answers(&[])), Rating::Green);
        let four = answers(&["admission_history", "recent_crises"]);
        assert_eq!((tool.score(&four), tool.suggest(&four)), (4, Rating::Green));
        let five = answers(&["admission_history", "recent_crises", "transition"]);
        assert_eq!((tool.score(&five), tool.suggest(&five)), (5, Rating::Amber));
        let seven =
            answers(&["admission_history", "recent_crises", "transition", "support_staff_changes", "youth_justice"]);
        assert_eq!((tool.score(&seven), tool.suggest(&seven)), (7, Rating::Amber));
        let eight = answers(&[
            "admission_history",
            "recent_crises",
            "behaviours_that_challenge",
            "transition",
            "youth_justice",
        ]);
        assert_eq!((tool.score(&eight), tool.suggest(&eight)), (8, Rating::Red));
    }

    #[test]
    fn all_of_these_rule_makes_red_whatever_the_score() {
        let mut tool = tool();
        tool.red_from = 100;
        let all_four =
            answers(&["admission_history", "behaviours_that_challenge", "recent_crises", "mental_physical_health"]);
        assert_eq!(tool.suggest(&all_four), Rating::Red);
        let three = answers(&["admission_history", "behaviours_that_challenge", "recent_crises"]);
        assert_eq!(tool.suggest(&three), Rating::Amber);
    }

    #[test]
    fn overriding_the_suggestion_needs_a_reason() {
        let tool = tool();
        let id = RiskAssessmentId::from_time_and_random(1, [1; 10]);
        let person = PersonId::from_time_and_random(1, [2; 10]);
        let five = answers(&["admission_history", "recent_crises", "transition"]);
        let agreed = RiskAssessment::complete(id, person, &tool, five.clone(), decision(Rating::Amber, None));
        assert_eq!(agreed.map(|a| (a.score, a.suggested, a.tool_version)), Ok((5, Rating::Amber, 1)));
        let errors = RiskAssessment::complete(id, person, &tool, five.clone(), decision(Rating::Red, None)).err();
        assert!(errors.is_some_and(|e| e.message_for("override_reason").is_some()));
        assert!(
            RiskAssessment::complete(id, person, &tool, five.clone(), decision(Rating::Red, Some("Crisis last night")))
                .is_ok()
        );
        assert!(RiskAssessment::complete(id, person, &tool, five, decision(Rating::Blue, Some("x"))).is_err());
    }

    #[test]
    fn every_question_must_be_answered_and_only_the_tools_questions() {
        let tool = tool();
        let id = RiskAssessmentId::from_time_and_random(1, [1; 10]);
        let person = PersonId::from_time_and_random(1, [2; 10]);
        let mut partial = answers(&[]);
        partial.remove("transition");
        let errors = RiskAssessment::complete(id, person, &tool, partial, decision(Rating::Green, None))
            .err()
            .unwrap_or_default();
        assert_eq!(errors.message_for("answers"), Some("Answer the question 'transition'"));
        let mut extra = answers(&[]);
        extra.insert("made_up".into(), true);
        assert!(RiskAssessment::complete(id, person, &tool, extra, decision(Rating::Green, None)).is_err());
    }

    #[test]
    fn broken_tools_are_refused_even_from_json() {
        let mut tool = tool();
        tool.red_from = 3;
        tool.red_if_all = vec![vec!["no_such_question".into()]];
        let errors = tool.validate().err().unwrap_or_default();
        assert!(errors.message_for("red_from").is_some() && errors.message_for("red_if_all").is_some());
        let json = serde_json::to_string(&tool).unwrap_or_default();
        assert!(serde_json::from_str::<RiskTool>(&json).is_err());
        let good = serde_json::to_string(&self::tool()).unwrap_or_default();
        assert_eq!(serde_json::from_str::<RiskTool>(&good).ok(), Some(self::tool()));
    }

    proptest! {
        #[test]
        fn more_yes_answers_never_lower_the_suggestion(yes in proptest::collection::vec(any::<bool>(), 10), extra in 0usize..10) {
            let tool = tool();
            let mut a: RiskAnswers = tool.items.iter().zip(&yes).map(|(i, y)| (i.key.clone(), *y)).collect();
            let before = tool.suggest(&a);
            let key = tool.items[extra].key.clone();
            a.insert(key, true);
            prop_assert!(tool.suggest(&a) >= before || before == Rating::Red);
            prop_assert!(tool.suggest(&a) != Rating::Blue);
        }
    }
}
