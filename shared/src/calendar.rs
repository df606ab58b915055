//! Working days in England: Monday to Friday, less bank holidays.
//!
//! Bank holidays follow the rules of the Banking and Financial Dealings Act 1971 and royal
//! proclamations: New Year's Day, Good Friday, Easter Monday, the early May bank holiday (first Monday
//! of May), the spring bank holiday (last Monday of May), the summer bank holiday (last Monday of
//! August), Christmas Day and Boxing Day, with a substitute weekday when one falls at a weekend; plus
//! the one-off changes below. The rules are checked against the published lists for 2020-2035 in
//! the tests. An area can add days (a newly announced one-off) through its policy.

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};

/// A day as pages and messages write it: "1 December 2026".
pub fn long_date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// Years whose bank holidays the tests check against the published lists.
pub const CHECKED_YEARS: std::ops::RangeInclusive<i32> = 2020..=2035;

/// One-off changes: (date moved from, date moved to) and extra holidays.
const MOVED: &[(NaiveDate, NaiveDate)] = &[
    // Early May bank holiday moved to Friday 8 May for the 75th anniversary of VE Day.
    (date(2020, 5, 4), date(2020, 5, 8)),
    // Spring bank holiday moved to Thursday 2 June for the Platinum Jubilee.
    (date(2022, 5, 30), date(2022, 6, 2)),
];
const EXTRA: &[NaiveDate] = &[
    date(2022, 6, 3),  // Platinum Jubilee bank holiday
    date(2022, 9, 19), // State funeral of Queen Elizabeth II
    date(2023, 5, 8),  // Coronation of King Charles III
];

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(day) => day,
        None => NaiveDate::MIN,
    }
}

/// Bank holidays in England (and Wales) in `year`, in date order.
pub fn bank_holidays(year: i32) -> Vec<NaiveDate> {
    let Some(easter) = easter_sunday(year) else { return Vec::new() };
    let mut days = vec![
        weekday_on_or_after(date(year, 1, 1)),
        easter - Days::new(2),
        easter + Days::new(1),
        nth_weekday(year, 5, Weekday::Mon, 1),
        last_weekday(year, 5, Weekday::Mon),
        last_weekday(year, 8, Weekday::Mon),
    ];
    let christmas = date(year, 12, 25);
    let (christmas_holiday, boxing_holiday) = match christmas.weekday() {
        Weekday::Fri => (christmas, date(year, 12, 28)),
        Weekday::Sat => (date(year, 12, 27), date(year, 12, 28)),
        Weekday::Sun => (date(year, 12, 27), date(year, 12, 26)),
        _ => (christmas, date(year, 12, 26)),
    };
    days.extend([christmas_holiday, boxing_holiday]);
    for (from, to) in MOVED {
        if let Some(day) = days.iter_mut().find(|d| *d == from) {
            *day = *to;
        }
    }
    days.extend(EXTRA.iter().filter(|d| d.year() == year));
    days.sort();
    days
}

/// Easter Sunday (Gregorian calendar; the anonymous algorithm of Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Mondays to Fridays after `from` up to and including `to`.
fn weekdays_between(from: NaiveDate, to: NaiveDate) -> u64 {
    let Ok(total) = u64::try_from((to - from).num_days()) else { return 0 };
    let (weeks, rest) = (total / 7, total % 7);
    // The leftover days follow `from`'s weekday: count those that are Monday to Friday.
    let start = u64::from(from.weekday().num_days_from_monday());
    weeks * 5 + (1..=rest).filter(|i| (start + i) % 7 < 5).count() as u64
}

fn weekday_on_or_after(mut day: NaiveDate) -> NaiveDate {
    while is_weekend(day) {
        day = day.succ_opt().unwrap_or(day);
    }
    day
}

fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n).unwrap_or(NaiveDate::MIN)
}

fn last_weekday(year: i32, month: u32, weekday: Weekday) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, 5)
        .unwrap_or_else(|| nth_weekday(year, month, weekday, 4))
}

/// The date in England at the instant `now`: British Summer Time (UTC+1) runs from 01:00 UTC on the
/// last Sunday of March to 01:00 UTC on the last Sunday of October; otherwise UTC.
pub fn date_in_england(now: DateTime<Utc>) -> NaiveDate {
    let year = now.year();
    let change = |month: u32| last_weekday(year, month, Weekday::Sun).and_hms_opt(1, 0, 0).map(|t| t.and_utc());
    let summer = matches!((change(3), change(10)), (Some(start), Some(end)) if now >= start && now < end);
    if summer { (now + TimeDelta::hours(1)).date_naive() } else { now.date_naive() }
}

/// The working-day calendar of an area: England's bank holidays plus any days the area adds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Calendar {
    /// Extra non-working days (a newly announced one-off bank holiday).
    #[serde(default)]
    pub extra_holidays: Vec<NaiveDate>,
}

impl Calendar {
    pub fn england() -> Self {
        Self::default()
    }

    pub fn is_bank_holiday(&self, day: NaiveDate) -> bool {
        self.extra_holidays.contains(&day) || bank_holidays(day.year()).contains(&day)
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        !is_weekend(day) && !self.is_bank_holiday(day)
    }

    /// The working day `n` working days after `day` (`day` itself is not counted). With n = 0, `day`.
    /// Whole weeks at a time, so a long period costs its weeks, not its days.
    pub fn add_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let (mut day, mut left) = (day, u64::from(n));
        // Jump whole weeks while more than a week is left, keeping at least one working day to find
        // one day at a time (the last may not fall at the end of a week).
        while left > 5 {
            let weeks = (left - 1) / 5;
            let Some(next) = day.checked_add_days(Days::new(weeks * 7)) else { return NaiveDate::MAX };
            left -= weeks * 5 - self.weekday_holidays(day, next);
            day = next;
        }
        self.step_working_days(day, left, |d| d.succ_opt())
    }

    /// The working day `n` working days before `day`.
    pub fn sub_working_days(&self, day: NaiveDate, n: u32) -> NaiveDate {
        let (mut day, mut left) = (day, u64::from(n));
        while left > 5 {
            let weeks = (left - 1) / 5;
            let Some(earlier) = day.checked_sub_days(Days::new(weeks * 7)) else { return NaiveDate::MIN };
            // Walking back counts the days from `earlier` up to the day before `day`.
            let (Some(from), Some(to)) = (earlier.pred_opt(), day.pred_opt()) else { return NaiveDate::MIN };
            left -= weeks * 5 - self.weekday_holidays(from, to);
            day = earlier;
        }
        self.step_working_days(day, left, |d| d.pred_opt())
    }

    fn step_working_days(&self, mut day: NaiveDate, n: u64, step: fn(NaiveDate) -> Option<NaiveDate>) -> NaiveDate {
        let mut left = n;
        while left > 0 {
            let Some(next) = step(day) else { return day };
            day = next;
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// The holidays after `from` up to and including `to` that fall on a weekday (each once).
    fn weekday_holidays(&self, from: NaiveDate, to: NaiveDate) -> u64 {
        if to <= from {
            return 0;
        }
        let mut days: Vec<NaiveDate> = (from.year()..=to.year()).flat_map(bank_holidays).collect();
        days.extend(self.extra_holidays.iter().copied());
        days.retain(|d| (from + Days::new(1)..=to).contains(d) && !is_weekend(*d));
        days.sort_unstable();
        days.dedup();
        days.len() as u64
    }

    /// `day` if it is a working day, otherwise the working day before it: a deadline never falls on a day
    /// nobody works (papers due on a Sunday are due on the Friday).
    pub fn working_day_on_or_before(&self, mut day: NaiveDate) -> NaiveDate {
        while !self.is_working_day(day) {
            let Some(earlier) = day.pred_opt() else { return day };
            day = earlier;
        }
        day
    }

    /// `day` if it is a working day, otherwise the working day after it.
    pub fn working_day_on_or_after(&self, mut day: NaiveDate) -> NaiveDate {
        while !self.is_working_day(day) {
            let Some(later) = day.succ_opt() else { return day };
            day = later;
        }
        day
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`), counted by
    /// arithmetic on weeks and the holidays between.
    pub fn count_working_days(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let weekdays = weekdays_between(from, to);
        u32::try_from(weekdays.saturating_sub(self.weekday_holidays(from, to))).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// The published lists (GOV.UK, England and Wales), 2020-2027.
    const PUBLISHED: &[(i32, &[(u32, u32)])] = &[
        (2020, &[(1, 1), (4, 10), (4, 13), (5, 8), (5, 25), (8, 31), (12, 25), (12, 28)]),
        (2021, &[(1, 1), (4, 2), (4, 5), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)]),
        (2022, &[(1, 3), (4, 15), (4, 18), (5, 2), (6, 2), (6, 3), (8, 29), (9, 19), (12, 26), (12, 27)]),
        (2023, &[(1, 2), (4, 7), (4, 10), (5, 1), (5, 8), (5, 29), (8, 28), (12, 25), (12, 26)]),
        (2024, &[(1, 1), (3, 29), (4, 1), (5, 6), (5, 27), (8, 26), (12, 25), (12, 26)]),
        (2025, &[(1, 1), (4, 18), (4, 21), (5, 5), (5, 26), (8, 25), (12, 25), (12, 26)]),
        (2026, &[(1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)]),
        (2027, &[(1, 1), (3, 26), (3, 29), (5, 3), (5, 31), (8, 30), (12, 27), (12, 28)]),
    ];

    #[test]
    fn bank_holidays_match_the_published_lists() {
        for (year, days) in PUBLISHED {
            let expected: Vec<NaiveDate> = days.iter().map(|(m, d)| date(*year, *m, *d)).collect();
            assert_eq!(bank_holidays(*year), expected, "{year}");
        }
    }

    #[test]
    fn easter_dates_2028_to_2035() {
        let known = [
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2031, 4, 13),
            (2032, 3, 28),
            (2033, 4, 17),
            (2034, 4, 9),
            (2035, 3, 25),
        ];
        for (y, m, d) in known {
            assert_eq!(easter_sunday(y), Some(date(y, m, d)), "{y}");
        }
    }

    #[test]
    fn substitute_days_for_christmas_and_new_year_at_a_weekend() {
        // 2032: Christmas on a Saturday, so Monday 27 and Tuesday 28 are the holidays.
        let h2032 = bank_holidays(2032);
        assert!(h2032.contains(&date(2032, 12, 27)) && h2032.contains(&date(2032, 12, 28)));
        // 2033: New Year's Day on a Saturday, so Monday 3 January.
        assert!(bank_holidays(2033).contains(&date(2033, 1, 3)));
        // 2033: Christmas on a Sunday: Boxing Day Monday 26, Christmas substitute Tuesday 27.
        let h2033 = bank_holidays(2033);
        assert!(h2033.contains(&date(2033, 12, 26)) && h2033.contains(&date(2033, 12, 27)));
        for year in CHECKED_YEARS {
            let days = bank_holidays(year);
            assert!(days.len() >= 8, "{year}");
            assert!(days.iter().all(|d| !is_weekend(*d)), "{year}: {days:?}");
        }
    }

    #[test]
    fn ten_working_days_after_an_admission_skip_weekends_and_easter() {
        let calendar = Calendar::england();
        // Admitted Wednesday 1 April 2026; Good Friday 3 April and Easter Monday 6 April are holidays.
        assert_eq!(calendar.add_working_days(date(2026, 4, 1), 10), date(2026, 4, 17));
        assert_eq!(calendar.count_working_days(date(2026, 4, 1), date(2026, 4, 17)), 10);
        assert_eq!(calendar.sub_working_days(date(2026, 4, 17), 10), date(2026, 4, 1));
    }

    #[test]
    fn the_date_in_england_follows_british_summer_time() {
        let utc = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).single().unwrap_or_default();
        // Summer: 23:30 UTC is already tomorrow in England.
        assert_eq!(date_in_england(utc(2026, 7, 1, 23, 30)), date(2026, 7, 2));
        // Winter: England is on UTC.
        assert_eq!(date_in_england(utc(2026, 12, 1, 23, 30)), date(2026, 12, 1));
        // BST 2026 starts 01:00 UTC on Sunday 29 March and ends 01:00 UTC on Sunday 25 October.
        assert_eq!(date_in_england(utc(2026, 3, 28, 23, 30)), date(2026, 3, 28));
        assert_eq!(date_in_england(utc(2026, 3, 29, 23, 30)), date(2026, 3, 30));
        assert_eq!(date_in_england(utc(2026, 10, 24, 23, 30)), date(2026, 10, 25));
        assert_eq!(date_in_england(utc(2026, 10, 25, 23, 30)), date(2026, 10, 25));
    }

    #[test]
    fn an_area_can_add_a_holiday() {
        let mut calendar = Calendar::england();
        assert!(calendar.is_working_day(date(2030, 6, 3)));
        calendar.extra_holidays.push(date(2030, 6, 3));
        assert!(!calendar.is_working_day(date(2030, 6, 3)));
    }

    #[test]
    fn a_deadline_on_a_day_nobody_works_moves_to_the_working_day_before() {
        let calendar = Calendar::england();
        // Christmas 2026: Friday 25 and Monday 28 (Boxing Day's substitute) are holidays.
        assert_eq!(calendar.working_day_on_or_before(date(2026, 12, 28)), date(2026, 12, 24));
        assert_eq!(calendar.working_day_on_or_after(date(2026, 12, 25)), date(2026, 12, 29));
        // Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        assert_eq!(calendar.working_day_on_or_before(date(2027, 3, 29)), date(2027, 3, 25));
        // A leap day that is a Saturday (2020) moves to Friday 28 February.
        assert_eq!(calendar.working_day_on_or_before(date(2020, 2, 29)), date(2020, 2, 28));
        // New Year 2028 is a Saturday: Monday 3 January is its substitute.
        assert_eq!(calendar.working_day_on_or_after(date(2028, 1, 1)), date(2028, 1, 4));
        assert_eq!(calendar.working_day_on_or_before(date(2027, 12, 1)), date(2027, 12, 1));
    }

    #[test]
    fn a_period_of_billions_of_working_days_is_worked_out_at_once() {
        let calendar = Calendar::england();
        let started = std::time::Instant::now();
        assert_eq!(calendar.add_working_days(date(2026, 1, 1), 4_000_000_000), NaiveDate::MAX);
        assert_eq!(calendar.sub_working_days(date(2026, 1, 1), 4_000_000_000), NaiveDate::MIN);
        // 1,305 working days (the longest a policy allows): about five years on.
        let five_years = calendar.add_working_days(date(2026, 1, 1), 1305);
        assert_eq!(five_years, date(2031, 2, 27));
        // Not a timing assertion: printed, for the record.
        println!("billions of working days: {:?}", started.elapsed());
    }

    fn any_day() -> impl Strategy<Value = NaiveDate> {
        (0u64..(16 * 366)).prop_map(|n| date(2020, 1, 1) + Days::new(n))
    }

    proptest! {
        #[test]
        fn adding_working_days_never_lands_on_a_weekend_or_holiday(day in any_day(), n in 1u32..200) {
            let calendar = Calendar::england();
            let end = calendar.add_working_days(day, n);
            prop_assert!(calendar.is_working_day(end));
            prop_assert!(end > day);
            prop_assert_eq!(calendar.count_working_days(day, end), n);
        }

        #[test]
        fn moved_deadlines_are_working_days_and_never_later(day in any_day()) {
            let calendar = Calendar::england();
            let before = calendar.working_day_on_or_before(day);
            prop_assert!(calendar.is_working_day(before) && before <= day && (day - before).num_days() < 7);
            prop_assert_eq!(before == day, calendar.is_working_day(day));
            let after = calendar.working_day_on_or_after(day);
            prop_assert!(calendar.is_working_day(after) && after >= day && (after - day).num_days() < 7);
        }

        /// The week-at-a-time arithmetic agrees with counting one day at a time, extra holidays included.
        #[test]
        fn working_days_by_weeks_agree_with_counting_each_day(
            day in any_day(),
            n in 0u32..1500,
            extra in proptest::collection::vec(any_day(), 0..12),
            to in any_day(),
        ) {
            let calendar = Calendar { extra_holidays: extra };
            let slow = |mut d: NaiveDate, n: u32, forward: bool| {
                let mut left = n;
                while left > 0 {
                    d = if forward { d.succ_opt().unwrap_or(d) } else { d.pred_opt().unwrap_or(d) };
                    if calendar.is_working_day(d) { left -= 1; }
                }
                d
            };
            prop_assert_eq!(calendar.add_working_days(day, n), slow(day, n, true));
            prop_assert_eq!(calendar.sub_working_days(day, n), slow(day, n, false));
            let counted = day.iter_days().skip(1).take_while(|d| *d <= to).filter(|d| calendar.is_working_day(*d)).count();
            prop_assert_eq!(calendar.count_working_days(day, to) as usize, counted);
        }

        #[test]
        fn counting_back_inverts_adding(day in any_day(), n in 0u32..200) {
            let calendar = Calendar::england();
            prop_assume!(calendar.is_working_day(day));
            prop_assert_eq!(calendar.sub_working_days(calendar.add_working_days(day, n), n), day);
        }
    }
}
