//! After the review: recommendations and the action plan. Every action has an owner in the care
//! network and a due date; the coordinator follows up; families can disagree (seed 001). A DSR meeting
//! agrees actions too: they join the same follow-up, but they are the meeting's, seen only by those who
//! may read its decisions ([`crate::access::View::holds_record`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::kloe::KeyQuestion;
use crate::planner::Disagreement;
use crate::text::{LongText, ShortText};
use crate::{ActionId, DsrMeetingId, PersonId, RecommendationId, ReviewId, Validate, ValidationErrors, validated};

validated! {
    /// A review's recommendation, SMART so it can be followed up: what is to happen (specific), who is
    /// responsible, by when, how we will know it has happened (measurable), and the key question and
    /// lines of enquiry it answers. Actions hang off it (`Action::recommendation_id`). One recorded
    /// before recommendations were SMART has only its words; a new one has every part.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Recommendation (unchecked RecommendationUnchecked) {
        pub id: RecommendationId,
        pub review_id: ReviewId,
        /// The person the review is about (so access is decided per person, like every other record).
        pub person_id: PersonId,
        /// What is to happen.
        pub text: LongText,
        /// Who is responsible for it (a person or a role in the care network).
        #[serde(default)]
        pub responsible: Option<ShortText>,
        #[serde(default)]
        pub by_when: Option<NaiveDate>,
        /// How we will know it has happened.
        #[serde(default)]
        pub measure: Option<LongText>,
        /// The key question it answers.
        #[serde(default)]
        pub question: Option<KeyQuestion>,
        /// The lines of enquiry (prompts' keys, in the review's version) it answers.
        #[serde(default)]
        pub prompts: Vec<String>,
    }
}

impl Validate for Recommendation {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let started = self.responsible.is_some() || self.by_when.is_some() || self.measure.is_some();
        if started || self.question.is_some() || !self.prompts.is_empty() {
            errors.require(self.responsible.is_none(), "responsible", "Say who is responsible for it");
            errors.require(self.by_when.is_none(), "by_when", "Say by when it is to happen");
            errors.require(self.measure.is_none(), "measure", "Say how we will know it has happened");
            errors.require(self.question.is_none(), "question", "Choose the key question it answers");
        }
        for key in &self.prompts {
            errors.require(
                !crate::kloe::is_key(key),
                "prompts",
                "A line of enquiry is named by its key (lower-case letters, digits and _)",
            );
        }
        errors.into_result()
    }
}

impl Recommendation {
    /// Recorded with every part (what, who, by when, how we will know, the question it answers): a
    /// recommendation from before SMART has only its words.
    pub fn is_smart(&self) -> bool {
        self.responsible.is_some() && self.by_when.is_some() && self.measure.is_some() && self.question.is_some()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
    /// No longer needed; an update says why.
    Dropped,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 4] =
        [ActionStatus::Open, ActionStatus::InProgress, ActionStatus::Done, ActionStatus::Dropped];

    pub fn name(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }

    pub fn from_name(name: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|s| s.name() == name)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Open => "Not started",
            ActionStatus::InProgress => "In progress",
            ActionStatus::Done => "Done",
            ActionStatus::Dropped => "No longer needed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionUpdate {
    pub on: NaiveDate,
    pub by: ShortText,
    pub note: LongText,
    pub status: ActionStatus,
}

validated! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Action (unchecked ActionUnchecked) {
        pub id: ActionId,
        /// The review whose action plan it is in (or, for an action a DSR meeting agreed, none).
        #[serde(default)]
        pub review_id: Option<ReviewId>,
        /// The DSR meeting that agreed it.
        #[serde(default)]
        pub meeting_id: Option<DsrMeetingId>,
        /// The person the review is about (so access is decided per person, like every other record).
        pub person_id: PersonId,
        #[serde(default)]
        pub recommendation_id: Option<RecommendationId>,
        pub description: LongText,
        /// The person in the care network responsible for it.
        pub owner: ShortText,
        pub due_on: NaiveDate,
        pub status: ActionStatus,
        #[serde(default)]
        pub updates: Vec<ActionUpdate>,
        #[serde(default)]
        pub family_disagreement: Option<Disagreement>,
    }
}

impl Validate for Action {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.review_id.is_some() == self.meeting_id.is_some(),
            "review_id",
            "An action comes from one review's action plan or one DSR meeting",
        );
        errors.require(
            self.updates.last().is_some_and(|u| u.status != self.status),
            "status",
            "The status is the one the latest update gives",
        );
        errors.require(
            self.status == ActionStatus::Dropped
                && self.updates.last().is_none_or(|u| u.status != ActionStatus::Dropped),
            "updates",
            "Say why the action was dropped",
        );
        errors.require(self.updates.windows(2).any(|w| w[1].on < w[0].on), "updates", "Updates are in date order");
        errors.into_result()
    }
}

impl Action {
    pub fn is_open(&self) -> bool {
        matches!(self.status, ActionStatus::Open | ActionStatus::InProgress)
    }

    /// Still open after its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && self.due_on < today
    }

    /// Adds an update and takes its status.
    pub fn update(&mut self, update: ActionUpdate) -> Result<(), ValidationErrors> {
        let mut next = self.clone();
        next.status = update.status;
        next.updates.push(update);
        next.validate()?;
        *self = next;
        Ok(())
    }
}

/// One owner's open actions across the area, earliest due first (the coordinator's follow-up).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerActions<T> {
    pub owner: String,
    /// Each open action with what the caller attached to it (the person's name, say).
    pub actions: Vec<(Action, T)>,
    pub overdue: usize,
}

/// The open actions grouped by owner (owners in name order, ignoring case and spaces around), each
/// owner's actions by due date; with `only_overdue`, only those past their date.
pub fn open_actions_by_owner<T: Clone>(
    actions: &[(Action, T)],
    today: NaiveDate,
    only_overdue: bool,
) -> Vec<OwnerActions<T>> {
    let mut by_owner: std::collections::BTreeMap<String, OwnerActions<T>> = std::collections::BTreeMap::new();
    for (action, extra) in actions {
        if !action.is_open() || (only_overdue && !action.is_overdue(today)) {
            continue;
        }
        let owner = action.owner.as_str().trim().to_string();
        let group = by_owner.entry(owner.to_lowercase()).or_insert_with(|| OwnerActions {
            owner,
            actions: Vec::new(),
            overdue: 0,
        });
        group.overdue += usize::from(action.is_overdue(today));
        group.actions.push((action.clone(), extra.clone()));
    }
    by_owner
        .into_values()
        .map(|mut group| {
            group.actions.sort_by_key(|(a, _)| (a.due_on, a.id));
            group
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
pub(crate) mod tests {
    use super::*;
    use crate::test_support::day;

    pub(crate) fn action(due_on: NaiveDate) -> Action {
        Action {
            id: ActionId::from_time_and_random(1, [1; 10]),
            review_id: Some(ReviewId::from_time_and_random(1, [2; 10])),
            meeting_id: None,
            person_id: PersonId::from_time_and_random(1, [3; 10]),
            recommendation_id: None,
            description: LongText::parse("Request an EHC needs assessment").unwrap_or_else(|e| panic!("{e}")),
            owner: ShortText::parse("School SENCo").unwrap_or_else(|e| panic!("{e}")),
            due_on,
            status: ActionStatus::Open,
            updates: Vec::new(),
            family_disagreement: None,
        }
    }

    fn update(on: NaiveDate, status: ActionStatus) -> ActionUpdate {
        ActionUpdate {
            on,
            by: ShortText::parse("Coordinator").unwrap_or_else(|e| panic!("{e}")),
            note: LongText::parse("Chased by phone").unwrap_or_else(|e| panic!("{e}")),
            status,
        }
    }

    #[test]
    fn a_new_recommendation_is_smart_and_one_from_before_keeps_its_words() {
        let mut r = Recommendation {
            id: RecommendationId::from_time_and_random(1, [1; 10]),
            review_id: ReviewId::from_time_and_random(1, [2; 10]),
            person_id: PersonId::from_time_and_random(1, [3; 10]),
            text: LongText::parse("A STOMP medication review").unwrap_or_else(|e| panic!("{e}")),
            responsible: None,
            by_when: None,
            measure: None,
            question: None,
            prompts: Vec::new(),
        };
        assert!(r.validate().is_ok() && !r.is_smart(), "recorded before SMART: its words only");
        r.responsible = ShortText::parse("GP").ok();
        let fields: Vec<String> =
            r.validate().err().map(|e| e.into_fields().into_iter().map(|f| f.field).collect()).unwrap_or_default();
        assert_eq!(fields, ["by_when", "measure", "question"], "begun SMART: every part");
        r.by_when = Some(day(2027, 1, 31));
        r.measure = LongText::parse("The review is in the GP record").ok();
        r.question = Some(KeyQuestion::IsThePersonSafe);
        r.prompts = vec!["medication".into()];
        assert!(r.validate().is_ok() && r.is_smart());
        r.prompts.push("Not a key".into());
        assert!(r.validate().is_err());
    }

    #[test]
    fn an_open_action_past_its_date_is_overdue_until_done() {
        let mut a = action(day(2026, 12, 1));
        assert!(!a.is_overdue(day(2026, 12, 1)));
        assert!(a.is_overdue(day(2026, 12, 2)));
        assert_eq!(a.update(update(day(2026, 12, 3), ActionStatus::Done)), Ok(()));
        assert!(!a.is_overdue(day(2026, 12, 4)));
    }

    #[test]
    fn follow_up_groups_open_actions_by_owner_earliest_first() {
        let mut a = action(day(2026, 12, 10));
        a.owner = ShortText::parse("school SENCo").unwrap_or_else(|e| panic!("{e}"));
        let mut b = action(day(2026, 11, 20));
        b.id = ActionId::from_time_and_random(2, [2; 10]);
        let mut c = action(day(2026, 11, 1));
        c.id = ActionId::from_time_and_random(3, [3; 10]);
        c.owner = ShortText::parse("CAMHS").unwrap_or_else(|e| panic!("{e}"));
        let mut done = action(day(2026, 10, 1));
        done.status = ActionStatus::Done;
        let all = [(a, "Alex"), (b, "Sam"), (c, "Kim"), (done, "Lee")];
        let groups = open_actions_by_owner(&all, day(2026, 12, 1), false);
        assert_eq!(groups.iter().map(|g| g.owner.as_str()).collect::<Vec<_>>(), ["CAMHS", "school SENCo"]);
        assert_eq!(groups[1].actions.iter().map(|(_, who)| *who).collect::<Vec<_>>(), ["Sam", "Alex"]);
        assert_eq!((groups[0].overdue, groups[1].overdue), (1, 1));
        let overdue = open_actions_by_owner(&all, day(2026, 12, 1), true);
        assert_eq!(overdue.iter().map(|g| g.actions.len()).sum::<usize>(), 2);
        assert_eq!(ActionStatus::from_name("in_progress"), Some(ActionStatus::InProgress));
    }

    #[test]
    fn updates_keep_order_and_dropping_needs_a_reason() {
        let mut a = action(day(2026, 12, 1));
        assert_eq!(a.update(update(day(2026, 12, 3), ActionStatus::InProgress)), Ok(()));
        assert!(a.update(update(day(2026, 12, 2), ActionStatus::Done)).is_err());
        assert_eq!(a.status, ActionStatus::InProgress, "a refused update changes nothing");
        let mut dropped = action(day(2026, 12, 1));
        dropped.status = ActionStatus::Dropped;
        assert!(dropped.validate().is_err());
    }

    #[test]
    fn an_action_comes_from_one_review_or_one_meeting() {
        let mut a = action(day(2026, 12, 1));
        assert!(a.validate().is_ok());
        a.meeting_id = Some(DsrMeetingId::from_time_and_random(1, [4; 10]));
        assert!(a.validate().is_err_and(|e| e.fields()[0].field == "review_id"), "both");
        a.review_id = None;
        assert!(a.validate().is_ok(), "a meeting's");
        a.meeting_id = None;
        assert!(a.validate().is_err(), "neither");
        // Stored before meetings agreed actions: a review's, as it was.
        let old = serde_json::json!({ "id": a.id, "review_id": ReviewId::from_time_and_random(1, [2; 10]),
            "person_id": a.person_id, "description": "Call", "owner": "School", "due_on": "2026-12-01", "status": "open" });
        let read: Action = serde_json::from_value(old).unwrap_or_else(|e| panic!("{e}"));
        assert!(read.review_id.is_some() && read.meeting_id.is_none() && read.validate().is_ok());
    }
}
