//! DSR meetings: when they happen (monthly in most areas, fortnightly in some) and what they decide.
//! Self-referrals are considered at the next meeting (seed 001).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
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

/// Where a DSR meeting goes when the cadence puts it on a bank holiday (or any day nobody works).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayMove {
    /// The working day before (the default: a decision is never later than the cadence promised).
    #[default]
    WorkingDayBefore,
    /// The working day after.
    WorkingDayAfter,
}

impl HolidayMove {
    pub const ALL: [HolidayMove; 2] = [HolidayMove::WorkingDayBefore, HolidayMove::WorkingDayAfter];

    pub fn words(self) -> &'static str {
        match self {
            HolidayMove::WorkingDayBefore => "the working day before",
            HolidayMove::WorkingDayAfter => "the working day after",
        }
    }

    pub fn from_words(text: &str) -> Option<HolidayMove> {
        let text = text.trim().to_lowercase();
        HolidayMove::ALL.into_iter().find(|m| m.words() == text || m.words().trim_start_matches("the ") == text)
    }
}

impl MeetingCadence {
    /// The first meeting held on or after `day`: the cadence's dates, each moved off a bank holiday (or
    /// any other day nobody works) as `on_holiday` says.
    pub fn next_meeting_on_or_after(&self, day: NaiveDate, calendar: &Calendar, on_holiday: HolidayMove) -> NaiveDate {
        let mut from = day;
        // A moved meeting can fall before `day` (moved back from after it): then the one after counts.
        for _ in 0..4 {
            let planned = self.next_on_or_after(from);
            let held = if calendar.is_working_day(planned) {
                planned
            } else {
                match on_holiday {
                    HolidayMove::WorkingDayBefore => calendar.working_day_on_or_before(planned),
                    HolidayMove::WorkingDayAfter => calendar.working_day_on_or_after(planned),
                }
            };
            if held >= day {
                return held;
            }
            let Some(next) = planned.succ_opt() else { return planned };
            from = next;
        }
        self.next_on_or_after(from)
    }

    /// The first date the cadence gives on or after `day`, before any move off a holiday.
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
    /// Not reached, or put off: the person comes back at the top of the next meeting's agenda.
    #[serde(default)]
    pub deferred: bool,
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

    #[test]
    fn a_meeting_on_a_bank_holiday_moves_as_the_policy_says() {
        let calendar = Calendar::england();
        let last_friday = MeetingCadence::Monthly { week: 5, weekday: Weekday::Fri };
        // Christmas Day 2026 is the last Friday of December.
        let before = HolidayMove::WorkingDayBefore;
        let after = HolidayMove::WorkingDayAfter;
        assert_eq!(last_friday.next_meeting_on_or_after(day(2026, 12, 1), &calendar, before), day(2026, 12, 24));
        // Boxing Day's substitute is Monday 28 December: the day after is Tuesday 29.
        assert_eq!(last_friday.next_meeting_on_or_after(day(2026, 12, 1), &calendar, after), day(2026, 12, 29));
        // Moved back to the 24th, the December meeting is past on the 25th: the next is January's.
        assert_eq!(last_friday.next_meeting_on_or_after(day(2026, 12, 25), &calendar, before), day(2027, 1, 29));
        // First Monday of May is the early May bank holiday.
        let first_monday = MeetingCadence::Monthly { week: 1, weekday: Weekday::Mon };
        assert_eq!(first_monday.next_meeting_on_or_after(day(2027, 4, 6), &calendar, before), day(2027, 4, 30));
        assert_eq!(first_monday.next_meeting_on_or_after(day(2027, 4, 6), &calendar, after), day(2027, 5, 4));
        // Fortnightly Mondays meet Easter Monday 2027 (29 March).
        let fortnightly = MeetingCadence::Every { weeks: 2, from: day(2027, 3, 15) };
        assert_eq!(fortnightly.next_meeting_on_or_after(day(2027, 3, 16), &calendar, before), day(2027, 3, 25));
        assert_eq!(HolidayMove::from_words("The working day after"), Some(after));
        assert_eq!(HolidayMove::from_words(before.words()), Some(before));
    }

    proptest! {
        #[test]
        fn meetings_are_held_on_working_days_on_or_after_the_day(
            offset in 0u64..3000, week in 1u8..=5, weekday in 0u8..5, later in any::<bool>(),
        ) {
            let calendar = Calendar::england();
            let d = day(2024, 1, 1) + Days::new(offset);
            let cadence = MeetingCadence::Monthly { week, weekday: Weekday::try_from(weekday).unwrap_or(Weekday::Mon) };
            let on_holiday = if later { HolidayMove::WorkingDayAfter } else { HolidayMove::WorkingDayBefore };
            let m = cadence.next_meeting_on_or_after(d, &calendar, on_holiday);
            prop_assert!(m >= d && calendar.is_working_day(m) && (m - d).num_days() <= 70, "{d} -> {m}");
        }

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
