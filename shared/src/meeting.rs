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

/// Someone at (or invited to) a DSR meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "AttendeeStored")]
pub struct MeetingAttendee {
    pub name: ShortText,
    #[serde(default)]
    pub role: Option<ShortText>,
    #[serde(default)]
    pub agency: Option<ShortText>,
    /// Present; `false`: sent apologies.
    #[serde(default = "yes")]
    pub present: bool,
}

fn yes() -> bool {
    true
}

/// Attendees as stored before roles and agencies: a name (present).
#[derive(Deserialize)]
#[serde(untagged)]
enum AttendeeStored {
    Name(ShortText),
    Full {
        name: ShortText,
        #[serde(default)]
        role: Option<ShortText>,
        #[serde(default)]
        agency: Option<ShortText>,
        #[serde(default = "yes")]
        present: bool,
    },
}

impl From<AttendeeStored> for MeetingAttendee {
    fn from(stored: AttendeeStored) -> Self {
        match stored {
            AttendeeStored::Name(name) => MeetingAttendee { name, role: None, agency: None, present: true },
            AttendeeStored::Full { name, role, agency, present } => MeetingAttendee { name, role, agency, present },
        }
    }
}

/// Where a meeting is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    /// Planned: the agenda follows the register until the meeting opens.
    #[default]
    Scheduled,
    /// Under way: decisions are being recorded.
    Open,
    /// The chair marked the minutes final: later changes are amendments.
    Final,
}

/// A person put on the agenda by hand, and why (a member brings someone the register does not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedItem {
    pub person_id: PersonId,
    pub reason: ShortText,
}

/// A change to final minutes: what changed, why, who and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amendment {
    pub on: NaiveDate,
    pub by: ShortText,
    pub what: LongText,
}

validated! {
    /// A DSR meeting: when and where, who came, who was discussed, what was decided.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct DsrMeeting (unchecked DsrMeetingUnchecked) {
        pub id: DsrMeetingId,
        pub date: NaiveDate,
        /// Start time, `HH:MM` (24-hour).
        #[serde(default)]
        pub time: Option<ShortText>,
        /// A room, or "Video call" with the link kept elsewhere.
        #[serde(default)]
        pub place: Option<ShortText>,
        #[serde(default)]
        pub video: bool,
        #[serde(default)]
        pub chair: Option<ShortText>,
        #[serde(default)]
        pub attendees: Vec<MeetingAttendee>,
        #[serde(default)]
        pub status: MeetingStatus,
        #[serde(default)]
        pub items: Vec<MeetingItem>,
        /// The agenda's people in the order the chair set (the others follow in the agenda's order).
        #[serde(default)]
        pub order: Vec<PersonId>,
        #[serde(default)]
        pub added: Vec<AddedItem>,
        #[serde(default)]
        pub amendments: Vec<Amendment>,
    }
}

/// Whether `text` is a time of day written `HH:MM`.
pub fn is_time_of_day(text: &str) -> bool {
    let Some((h, m)) = text.split_once(':') else { return false };
    let two_digits = |t: &str| t.len() == 2 && t.chars().all(|c| c.is_ascii_digit());
    two_digits(h) && two_digits(m) && h.parse::<u8>().is_ok_and(|h| h < 24) && m.parse::<u8>().is_ok_and(|m| m < 60)
}

impl Validate for DsrMeeting {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.status != MeetingStatus::Scheduled && !self.attendees.iter().any(|a| a.present),
            "attendees",
            "Record who attended the meeting",
        );
        errors.require(
            self.time.as_ref().is_some_and(|t| !is_time_of_day(t.as_str())),
            "time",
            "Enter the time as hours and minutes, like 10:00 or 14:30",
        );
        errors.require(
            self.status == MeetingStatus::Final && self.chair.is_none(),
            "chair",
            "Name the chair, who marks the minutes final",
        );
        errors.require(
            self.items.iter().any(|i| i.new_rating == Some(Rating::Blue)),
            "items",
            "A meeting does not make someone Blue: record their admission",
        );
        let mut people: Vec<PersonId> = self.items.iter().map(|i| i.person_id).collect();
        people.sort_unstable();
        errors.require(people.windows(2).any(|w| w[0] == w[1]), "items", "Each person is discussed once per meeting");
        errors.into_result()
    }
}

impl DsrMeeting {
    /// A meeting scheduled on `date`, nothing recorded yet.
    pub fn scheduled(id: DsrMeetingId, date: NaiveDate) -> DsrMeeting {
        DsrMeeting {
            id,
            date,
            time: None,
            place: None,
            video: false,
            chair: None,
            attendees: Vec::new(),
            status: MeetingStatus::Scheduled,
            items: Vec::new(),
            order: Vec::new(),
            added: Vec::new(),
            amendments: Vec::new(),
        }
    }

    /// The agenda in the chair's order: people the chair moved come first in that order, the rest in
    /// the agenda's; anyone added by hand and not already on it comes last.
    pub fn arrange(&self, mut items: Vec<crate::agenda::AgendaItem>) -> Vec<crate::agenda::AgendaItem> {
        for added in &self.added {
            match items.iter_mut().find(|i| i.person_id == added.person_id) {
                Some(item) => item.reasons.push(format!("Added by hand: {}", added.reason)),
                None => items.push(crate::agenda::AgendaItem {
                    section: crate::agenda::Section::AddedByHand,
                    person_id: added.person_id,
                    referral_id: None,
                    reasons: vec![format!("Added by hand: {}", added.reason)],
                    due: Vec::new(),
                }),
            }
        }
        let place = |person: &PersonId| self.order.iter().position(|p| p == person).unwrap_or(usize::MAX);
        // A stable sort keeps the agenda's own order among those the chair did not move.
        items.sort_by_key(|item| place(&item.person_id));
        items
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

    #[test]
    fn a_meeting_records_where_when_and_who_and_old_records_still_read() {
        let old = serde_json::json!({ "id": DsrMeetingId::from_time_and_random(1, [1; 10]), "date": "2026-11-10",
            "attendees": ["Jo Coordinator"], "items": [] });
        let meeting: DsrMeeting = serde_json::from_value(old).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(meeting.attendees[0].name.as_str(), "Jo Coordinator");
        assert!(meeting.attendees[0].present && meeting.attendees[0].role.is_none());
        assert_eq!(meeting.status, MeetingStatus::Scheduled);

        let mut open = DsrMeeting::scheduled(DsrMeetingId::from_time_and_random(2, [2; 10]), day(2026, 12, 8));
        assert!(open.validate().is_ok(), "a scheduled meeting needs nobody yet");
        open.status = MeetingStatus::Open;
        let fields =
            |m: &DsrMeeting| m.validate().err().map(|e| e.fields().iter().map(|f| f.field.clone()).collect::<Vec<_>>());
        assert_eq!(fields(&open), Some(vec!["attendees".to_string()]));
        open.attendees.push(MeetingAttendee {
            name: ShortText::parse("Kim Health").unwrap_or_else(|e| panic!("{e}")),
            role: None,
            agency: None,
            present: false,
        });
        assert_eq!(fields(&open), Some(vec!["attendees".to_string()]), "apologies are not attendance");
        open.attendees[0].present = true;
        open.time = Some(ShortText::parse("9.30am").unwrap_or_else(|e| panic!("{e}")));
        open.status = MeetingStatus::Final;
        assert_eq!(fields(&open), Some(vec!["time".to_string(), "chair".to_string()]));
        assert!(
            is_time_of_day("09:30") && is_time_of_day("23:59") && !is_time_of_day("24:00") && !is_time_of_day("9:30")
        );
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
