//! Lengths of time as the policies write them: "10 working days", "2 weeks", "3 months",
//! "24 hours". Stored and shown in these words, so an area's policy reads as plain English.

use chrono::{Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Period {
    Days(u32),
    WorkingDays(u32),
    Weeks(u32),
    Months(u32),
    /// Whole hours; on dates it counts as whole days, rounded up (24 hours before a meeting is the day before).
    Hours(u32),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a length of time: write a number and a unit, such as '10 working days', '2 weeks', '3 months' or '24 hours'"
)]
pub struct PeriodError(String);

impl Period {
    pub fn parse(text: &str) -> Result<Self, PeriodError> {
        let error = || PeriodError(text.to_string());
        let mut words = text.split_whitespace();
        let n: u32 = words.next().and_then(|w| w.parse().ok()).ok_or_else(error)?;
        let unit: Vec<String> = words.map(str::to_lowercase).collect();
        let unit: Vec<&str> = unit.iter().map(String::as_str).collect();
        let period = match unit.as_slice() {
            ["day" | "days"] => Period::Days(n),
            ["working", "day" | "days"] => Period::WorkingDays(n),
            ["week" | "weeks"] => Period::Weeks(n),
            ["month" | "months"] => Period::Months(n),
            ["hour" | "hours"] => Period::Hours(n),
            _ => return Err(error()),
        };
        Ok(period)
    }

    /// The date this period after `day`.
    pub fn after(&self, day: NaiveDate, calendar: &Calendar) -> NaiveDate {
        match *self {
            Period::Days(n) => day.checked_add_days(Days::new(n.into())),
            Period::WorkingDays(n) => Some(calendar.add_working_days(day, n)),
            Period::Weeks(n) => day.checked_add_days(Days::new(u64::from(n) * 7)),
            Period::Months(n) => day.checked_add_months(Months::new(n)),
            Period::Hours(n) => day.checked_add_days(Days::new(u64::from(n).div_ceil(24))),
        }
        .unwrap_or(NaiveDate::MAX)
    }

    /// The date this period before `day`.
    pub fn before(&self, day: NaiveDate, calendar: &Calendar) -> NaiveDate {
        match *self {
            Period::Days(n) => day.checked_sub_days(Days::new(n.into())),
            Period::WorkingDays(n) => Some(calendar.sub_working_days(day, n)),
            Period::Weeks(n) => day.checked_sub_days(Days::new(u64::from(n) * 7)),
            Period::Months(n) => day.checked_sub_months(Months::new(n)),
            Period::Hours(n) => day.checked_sub_days(Days::new(u64::from(n).div_ceil(24))),
        }
        .unwrap_or(NaiveDate::MIN)
    }

    /// Whether this period is longer than `years` years (a setting's sane maximum).
    pub fn longer_than_years(&self, years: u32) -> bool {
        let y = u64::from(years);
        match *self {
            Period::Days(n) => u64::from(n) > y * 366,
            Period::WorkingDays(n) => u64::from(n) > y * 262,
            Period::Weeks(n) => u64::from(n) > y * 53,
            Period::Months(n) => u64::from(n) > y * 12,
            Period::Hours(n) => u64::from(n) > y * 366 * 24,
        }
    }

    pub fn is_zero(&self) -> bool {
        matches!(
            self,
            Period::Days(0) | Period::WorkingDays(0) | Period::Weeks(0) | Period::Months(0) | Period::Hours(0)
        )
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (n, one, many) = match *self {
            Period::Days(n) => (n, "day", "days"),
            Period::WorkingDays(n) => (n, "working day", "working days"),
            Period::Weeks(n) => (n, "week", "weeks"),
            Period::Months(n) => (n, "month", "months"),
            Period::Hours(n) => (n, "hour", "hours"),
        };
        write!(f, "{n} {}", if n == 1 { one } else { many })
    }
}

impl TryFrom<String> for Period {
    type Error = PeriodError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Period> for String {
    fn from(value: Period) -> Self {
        value.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::test_support::day;
    use proptest::prelude::*;

    #[test]
    fn a_period_knows_when_it_is_longer_than_some_years() {
        assert!(!Period::Months(60).longer_than_years(5) && Period::Months(61).longer_than_years(5));
        assert!(!Period::WorkingDays(1305).longer_than_years(5));
        assert!(Period::WorkingDays(4_000_000_000).longer_than_years(5));
        assert!(Period::Hours(u32::MAX).longer_than_years(30) && !Period::Hours(48).longer_than_years(1));
    }

    #[test]
    fn periods_read_as_written_in_a_policy() {
        assert_eq!(Period::parse("10 working days"), Ok(Period::WorkingDays(10)));
        assert_eq!(Period::parse("2 Weeks"), Ok(Period::Weeks(2)));
        assert_eq!(Period::parse("1 month"), Ok(Period::Months(1)));
        assert_eq!(Period::parse("24 hours"), Ok(Period::Hours(24)));
        assert!(Period::parse("two weeks").is_err());
        assert!(Period::parse("3 fortnights").is_err());
        assert_eq!(Period::WorkingDays(1).to_string(), "1 working day");
    }

    #[test]
    fn periods_move_dates() {
        let calendar = Calendar::england();
        assert_eq!(Period::Months(3).after(day(2026, 11, 30), &calendar), day(2027, 2, 28));
        assert_eq!(Period::Hours(24).before(day(2026, 12, 10), &calendar), day(2026, 12, 9));
        assert_eq!(Period::Weeks(2).after(day(2026, 12, 21), &calendar), day(2027, 1, 4));
        // Christmas 2026: Friday 25 and Monday 28 are holidays.
        assert_eq!(Period::WorkingDays(2).after(day(2026, 12, 24), &calendar), day(2026, 12, 30));
    }

    proptest! {
        #[test]
        fn text_round_trips(n in 0u32..1000, unit in 0usize..5) {
            let period = [Period::Days(n), Period::WorkingDays(n), Period::Weeks(n), Period::Months(n), Period::Hours(n)][unit];
            prop_assert_eq!(Period::parse(&period.to_string()), Ok(period));
        }
    }
}
