//! DSR meetings: when they happen (monthly in most areas, fortnightly in some) and what they decide.
//! Self-referrals are considered at the next meeting (seed 001).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::rating::Rating;
use crate::text::{LongText, ShortText};
use crate::{DsrMeetingId, PersonId, Validate, ValidationErrors, validated};

/// When an area's DSR meetings are held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingCadence {
    /// The `week`th `weekday` of every month (week 5 means the last).
    Monthly { week: u8, weekday: Weekday },
    /// Every `weeks` weeks from a known meeting date.
    Every { weeks: u32, from: NaiveDate },
}

impl Default for MeetingCadence {
    /// Monthly, on the second Tuesday (an example: each area sets its own).
    fn default() -> Self {
        MeetingCadence::Monthly { week: 2, weekday: Weekday::Tue }
    }
}

impl MeetingCadence {
    /// The first meeting on or after `day`.
    pub fn next_on_or_after(&self, day: NaiveDate) -> NaiveDate {
        match *self {
            MeetingCadence::Monthly { week, weekday } => {
                let in_month = |first: NaiveDate| {
                    let n = week.clamp(1, 5);
                    NaiveDate::from_weekday_of_month_opt(first.year(), first.month(), weekday, n)
                        .or_else(|| NaiveDate::from_weekday_of_month_opt(first.year(), first.month(), weekday, 4))
                };
                let first_of_month = day.with_day(1).unwrap_or(day);
                match in_month(first_of_month) {
                    Some(meeting) if meeting >= day => meeting,
                    _ => first_of_month.checked_add_months(Months::new(1)).and_then(in_month).unwrap_or(NaiveDate::MAX),
                }
            }
            MeetingCadence::Every { weeks, from } => {
                let step = i64::from(weeks.max(1)) * 7;
                let behind = (day - from).num_days();
                let steps = if behind <= 0 { 0 } else { (behind + step - 1) / step };
                from.checked_add_days(Days::new((steps * step) as u64)).unwrap_or(NaiveDate::MAX)
            }
        }
    }
}

/// One person discussed at a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingItem {
    pub person_id: PersonId,
    pub discussion: LongText,
    #[serde(default)]
    pub decision: Option<LongText>,
    /// The rating the meeting agreed, when it changed.
    #[serde(default)]
    pub new_rating: Option<Rating>,
}

validated! {
    /// A DSR meeting: who came, who was discussed, what was decided.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DsrMeeting (unchecked DsrMeetingUnchecked) {
        pub id: DsrMeetingId,
        pub date: NaiveDate,
        pub attendees: Vec<ShortText>,
        #[serde(default)]
        pub items: Vec<MeetingItem>,
    }
}

impl Validate for DsrMeeting {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(self.attendees.is_empty(), "attendees", "Record who attended the meeting");
        errors.require(
            self.items.iter().any(|i| i.new_rating == Some(Rating::Blue)),
            "items",
            "A meeting does not make someone Blue: record their admission",
        );
        errors.into_result()
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::day;
    use proptest::prelude::*;

    #[test]
    fn monthly_meetings_fall_on_the_chosen_weekday() {
        let second_tuesday = MeetingCadence::default();
        assert_eq!(second_tuesday.next_on_or_after(day(2026, 11, 1)), day(2026, 11, 10));
        assert_eq!(second_tuesday.next_on_or_after(day(2026, 11, 10)), day(2026, 11, 10));
        assert_eq!(second_tuesday.next_on_or_after(day(2026, 11, 11)), day(2026, 12, 8));
        let last_friday = MeetingCadence::Monthly { week: 5, weekday: Weekday::Fri };
        assert_eq!(last_friday.next_on_or_after(day(2026, 11, 1)), day(2026, 11, 27));
        assert_eq!(last_friday.next_on_or_after(day(2026, 12, 1)), day(2026, 12, 25));
    }

    #[test]
    fn fortnightly_meetings_count_from_a_known_date() {
        let fortnightly = MeetingCadence::Every { weeks: 2, from: day(2026, 1, 6) };
        assert_eq!(fortnightly.next_on_or_after(day(2026, 1, 1)), day(2026, 1, 6));
        assert_eq!(fortnightly.next_on_or_after(day(2026, 1, 7)), day(2026, 1, 20));
        assert_eq!(fortnightly.next_on_or_after(day(2026, 1, 20)), day(2026, 1, 20));
    }

    proptest! {
        #[test]
        fn the_next_meeting_is_never_before_the_day_nor_more_than_a_cadence_away(
            offset in 0u64..3000, week in 1u8..=5, weekday in 0u8..7, weeks in 1u32..6,
        ) {
            let d = day(2024, 1, 1) + Days::new(offset);
            let monthly = MeetingCadence::Monthly { week, weekday: Weekday::try_from(weekday).unwrap_or(Weekday::Mon) };
            let m = monthly.next_on_or_after(d);
            prop_assert!(m >= d && (m - d).num_days() <= 62);
            prop_assert_eq!(m.weekday(), Weekday::try_from(weekday).unwrap_or(Weekday::Mon));
            let every = MeetingCadence::Every { weeks, from: day(2024, 1, 2) };
            let e = every.next_on_or_after(d);
            prop_assert!(e >= d && (e - d).num_days() < i64::from(weeks) * 7);
        }
    }
}
