//! A multi-agency meeting about one person: the professionals around them (health, education, social
//! care...) meet to plan. For someone rated Amber, NHS England's table (seed 002) asks for "a
//! multi-agency meeting and/or a C(E)TR"; this is how the first is recorded.

use chrono::NaiveDate;

use crate::text::{LongText, ShortText};
use crate::{MultiAgencyMeetingId, PersonId, Validate, ValidationErrors, validated};

validated! {
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct MultiAgencyMeeting (unchecked MultiAgencyMeetingUnchecked) {
        pub id: MultiAgencyMeetingId,
        pub person_id: PersonId,
        pub held_on: NaiveDate,
        /// The agencies that took part ("CAMHS", "School", "Children's social care").
        pub agencies: Vec<ShortText>,
        /// What was agreed.
        pub agreed: LongText,
        pub recorded_by: ShortText,
    }
}

impl Validate for MultiAgencyMeeting {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.agencies.len() < 2,
            "agencies",
            "A multi-agency meeting has at least two agencies: name each one on its own line",
        );
        errors.into_result()
    }
}

impl MultiAgencyMeeting {
    /// A meeting cannot be recorded for a day that has not happened yet.
    pub fn check_date(&self, today: NaiveDate) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(self.held_on > today, "held_on", "The meeting date must be today or in the past");
        errors.into_result()
    }
}

/// The agencies typed one per line (blank lines skipped); a line that is not one line of text is
/// refused with its number.
pub fn parse_agencies(text: &str) -> Result<Vec<ShortText>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, line)| ShortText::parse(line).map_err(|e| format!("Line {}: the agency {e}", n + 1)))
        .collect()
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::{day, long, short};

    #[test]
    fn a_multi_agency_meeting_names_two_agencies_and_has_happened() {
        let mut meeting = MultiAgencyMeeting {
            id: MultiAgencyMeetingId::from_time_and_random(1, [1; 10]),
            person_id: PersonId::from_time_and_random(1, [2; 10]),
            held_on: day(2026, 11, 20),
            agencies: vec![short("CAMHS")],
            agreed: long("Daily check-ins from school"),
            recorded_by: short("Kim Keyworker"),
        };
        assert!(meeting.validate().is_err());
        meeting.agencies = parse_agencies("CAMHS\n\n  School SENCo \n").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(meeting.validate(), Ok(()));
        assert!(meeting.check_date(day(2026, 11, 19)).is_err());
        assert!(meeting.check_date(day(2026, 11, 20)).is_ok());
        assert!(parse_agencies("CAMHS\n\tx\u{7}").is_err_and(|e| e.starts_with("Line 2")));
    }
}
