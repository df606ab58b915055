//! The rating (RAG + Blue) and its history. Source: seeds 001 (NEL), 002 (Cambridgeshire &
//! Peterborough, NHS England's table of required actions).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::text::{LongText, ShortText};
use crate::{PersonId, RatingChangeId, Validate, ValidationErrors, validated};

/// A person's rating on the register. Always shown with its word, never by colour alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rating {
    /// Some risks, managed well at present.
    Green,
    /// Immediate risk of admission without urgent intervention; risk rising.
    Amber,
    /// Immediate risk of admission; crisis; risks cannot be managed in the community.
    Red,
    /// In a mental health hospital now. Not scored: it follows an admission.
    Blue,
}

impl Rating {
    pub const ALL: [Rating; 4] = [Rating::Red, Rating::Amber, Rating::Green, Rating::Blue];

    /// The word shown on the tag.
    pub fn label(&self) -> &'static str {
        match self {
            Rating::Red => "Red",
            Rating::Amber => "Amber",
            Rating::Green => "Green",
            Rating::Blue => "Blue",
        }
    }

    /// What the rating means, in plain words.
    pub fn meaning(&self) -> &'static str {
        match self {
            Rating::Red => "Immediate risk of admission to a mental health hospital",
            Rating::Amber => "At risk of admission without urgent help",
            Rating::Green => "Some risks, managed well at the moment",
            Rating::Blue => "In a mental health hospital now",
        }
    }

    /// What must happen for someone with this rating (NHS England's table, seed 002). The keyworker
    /// referral applies to children and young people only: see [`crate::policy::KeyworkerPolicy`].
    pub fn required_actions(&self) -> &'static [RequiredAction] {
        match self {
            Rating::Red => &[RequiredAction::CetrMustTakePlace, RequiredAction::KeyworkerReferral],
            Rating::Amber => &[RequiredAction::MultiAgencyMeetingOrCetr, RequiredAction::KeyworkerReferral],
            Rating::Green => &[RequiredAction::IdentifyCetrPartners],
            Rating::Blue => &[RequiredAction::InpatientCetr, RequiredAction::CommissionerOversightVisits],
        }
    }
}

/// An action a rating requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequiredAction {
    CetrMustTakePlace,
    MultiAgencyMeetingOrCetr,
    KeyworkerReferral,
    IdentifyCetrPartners,
    InpatientCetr,
    CommissionerOversightVisits,
}

impl RequiredAction {
    /// The due rule that raises this action for a person, where one does.
    pub fn rule(&self) -> Option<crate::due::DueRule> {
        use crate::due::DueRule;
        match self {
            RequiredAction::CetrMustTakePlace => Some(DueRule::CetrForRed),
            RequiredAction::MultiAgencyMeetingOrCetr => Some(DueRule::AmberMeeting),
            RequiredAction::KeyworkerReferral => Some(DueRule::KeyworkerReferral),
            RequiredAction::IdentifyCetrPartners => Some(DueRule::GreenPartners),
            RequiredAction::InpatientCetr => Some(DueRule::InpatientReview),
            RequiredAction::CommissionerOversightVisits => Some(DueRule::OversightVisit),
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            RequiredAction::CetrMustTakePlace => "A Care (Education) and Treatment Review must take place",
            RequiredAction::MultiAgencyMeetingOrCetr => {
                "A multi-agency meeting and/or a Care (Education) and Treatment Review must take place"
            }
            RequiredAction::KeyworkerReferral => "Referral to the keyworker service (children and young people)",
            RequiredAction::IdentifyCetrPartners => {
                "Identify the partners who would need to be involved in a Care (Education) and Treatment Review"
            }
            RequiredAction::InpatientCetr => "Inpatient Care (Education) and Treatment Reviews",
            RequiredAction::CommissionerOversightVisits => "Commissioner oversight visits",
        }
    }
}

/// Where a rating change came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RatingSource {
    DsrMeeting,
    Review,
    RiskTool,
    Admission,
    Discharge,
}

validated! {
    /// One change of a person's rating: the history keeps every one (who, when, why, previous value).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct RatingChange (unchecked RatingChangeUnchecked) {
        pub id: RatingChangeId,
        pub person_id: PersonId,
        /// None for the first rating.
        pub from: Option<Rating>,
        pub to: Rating,
        pub reason: LongText,
        pub by: ShortText,
        pub at: DateTime<Utc>,
        pub source: RatingSource,
    }
}

impl Validate for RatingChange {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.to == Rating::Blue && self.source != RatingSource::Admission,
            "to",
            "Blue follows an admission: record the admission to make the person Blue",
        );
        errors.require(
            self.source == RatingSource::Admission && self.to != Rating::Blue,
            "to",
            "An admission makes the person Blue",
        );
        errors.require(
            self.from == Some(Rating::Blue) && self.source != RatingSource::Discharge,
            "source",
            "A person leaves Blue when they are discharged: record the discharge and the new rating",
        );
        errors.require(
            self.source == RatingSource::Discharge && self.from != Some(Rating::Blue),
            "source",
            "A discharge follows a Blue rating",
        );
        errors.require(self.from == Some(self.to), "to", "The new rating is the same as the current one");
        errors.into_result()
    }
}

/// The current rating: the latest change in a person's history.
pub fn current_rating(history: &[RatingChange]) -> Option<&RatingChange> {
    history.iter().max_by_key(|change| (change.at, change.id))
}

/// The rating in force on `day` in England: the latest change made on or before it.
pub fn rating_on(history: &[RatingChange], day: chrono::NaiveDate) -> Option<&RatingChange> {
    history
        .iter()
        .filter(|change| crate::calendar::date_in_england(change.at) <= day)
        .max_by_key(|change| (change.at, change.id))
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use chrono::TimeZone;

    pub(crate) fn change(from: Option<Rating>, to: Rating, source: RatingSource, minute: u32) -> RatingChange {
        RatingChange {
            id: RatingChangeId::from_time_and_random(u64::from(minute), [minute as u8; 10]),
            person_id: PersonId::from_time_and_random(1, [1; 10]),
            from,
            to,
            reason: LongText::parse("Discussed at the DSR meeting").unwrap_or_else(|e| panic!("{e}")),
            by: ShortText::parse("DSR coordinator").unwrap_or_else(|e| panic!("{e}")),
            at: Utc.with_ymd_and_hms(2026, 11, 1, 9, minute, 0).single().unwrap_or_default(),
            source,
        }
    }

    #[test]
    fn red_requires_a_review_and_a_keyworker_referral() {
        assert_eq!(
            Rating::Red.required_actions(),
            [RequiredAction::CetrMustTakePlace, RequiredAction::KeyworkerReferral]
        );
        assert!(Rating::Blue.required_actions().contains(&RequiredAction::CommissionerOversightVisits));
        assert_eq!(Rating::Green.required_actions(), [RequiredAction::IdentifyCetrPartners]);
    }

    #[test]
    fn blue_comes_only_with_an_admission_and_ends_with_a_discharge() {
        assert!(change(Some(Rating::Red), Rating::Blue, RatingSource::Admission, 1).validate().is_ok());
        assert!(change(Some(Rating::Red), Rating::Blue, RatingSource::DsrMeeting, 1).validate().is_err());
        assert!(change(Some(Rating::Blue), Rating::Amber, RatingSource::Discharge, 1).validate().is_ok());
        assert!(change(Some(Rating::Blue), Rating::Amber, RatingSource::Review, 1).validate().is_err());
        assert!(change(Some(Rating::Amber), Rating::Amber, RatingSource::Review, 1).validate().is_err());
    }

    #[test]
    fn invalid_changes_cannot_be_deserialised() {
        let bad = change(Some(Rating::Green), Rating::Blue, RatingSource::RiskTool, 1);
        let json = serde_json::to_string(&bad).unwrap_or_default();
        let error = serde_json::from_str::<RatingChange>(&json).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.contains("Blue follows an admission"), "{error}");
        let good = change(None, Rating::Amber, RatingSource::DsrMeeting, 2);
        let json = serde_json::to_string(&good).unwrap_or_default();
        assert_eq!(serde_json::from_str::<RatingChange>(&json).ok(), Some(good));
    }

    #[test]
    fn current_rating_is_the_latest_change() {
        let history = vec![
            change(None, Rating::Green, RatingSource::DsrMeeting, 1),
            change(Some(Rating::Amber), Rating::Red, RatingSource::Review, 3),
            change(Some(Rating::Green), Rating::Amber, RatingSource::RiskTool, 2),
        ];
        assert_eq!(current_rating(&history).map(|c| c.to), Some(Rating::Red));
        assert_eq!(current_rating(&[]).map(|c| c.to), None);
    }
}
