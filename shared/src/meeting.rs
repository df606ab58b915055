//! DSR meetings: when they happen (monthly in most areas, fortnightly in some) and what they decide.
//! Self-referrals are considered at the next meeting (seed 001).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::rating::{Rating, RatingChange, RatingSource};
use crate::referral::{Triage, TriageOutcome};
use crate::text::{LongText, ShortText};
use crate::{
    DsrMeetingId, MeetingDecisionId, PersonId, RatingChangeId, ReferralId, Validate, ValidationErrors, validated,
};

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

/// The attendees typed one per line as `name, role, agency` (role and agency optional); a line starting
/// `Apologies:` is someone who sent apologies.
pub fn parse_meeting_attendees(text: &str) -> Result<Vec<MeetingAttendee>, String> {
    let mut attendees = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let line = line.trim();
        let (present, rest) = match line.get(..10) {
            Some(head) if head.eq_ignore_ascii_case("apologies:") => (false, &line[10..]),
            _ => (true, line),
        };
        let mut parts = rest.split(',').map(str::trim);
        let part = |what: &str, text: Option<&str>| -> Result<Option<ShortText>, String> {
            match text.filter(|t| !t.is_empty()) {
                None => Ok(None),
                Some(t) => ShortText::parse(t).map(Some).map_err(|e| format!("Line {}: the {what} {e}", n + 1)),
            }
        };
        let Some(name) = part("name", parts.next())? else {
            return Err(format!("Line {}: write the name first (for example: Kim Health, nurse, NHS trust)", n + 1));
        };
        let role = part("role", parts.next())?;
        let agency = part("agency", Some(&parts.collect::<Vec<_>>().join(", ")))?;
        attendees.push(MeetingAttendee { name, role, agency, present });
    }
    Ok(attendees)
}

/// The attendees as [`parse_meeting_attendees`] reads them.
pub fn meeting_attendees_text(attendees: &[MeetingAttendee]) -> String {
    attendees
        .iter()
        .map(|a| {
            let mut line = if a.present { String::new() } else { "Apologies: ".to_string() };
            line.push_str(a.name.as_str());
            for part in [&a.role, &a.agency] {
                line.push_str(", ");
                line.push_str(part.as_ref().map_or("", ShortText::as_str));
            }
            line.trim_end_matches([',', ' ']).to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
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

    /// `new`, this meeting as changed by someone: once the minutes are final, the change is recorded as
    /// an amendment (on, by, what changed) rather than silently; before, `new` as it is.
    pub fn amended(&self, mut new: DsrMeeting, on: NaiveDate, by: ShortText, what: Option<&str>) -> DsrMeeting {
        if self.status != MeetingStatus::Final {
            return new;
        }
        let mut changed: Vec<&str> = Vec::new();
        for (name, differs) in [
            ("time", self.time != new.time),
            ("place", self.place != new.place || self.video != new.video),
            ("chair", self.chair != new.chair),
            ("attendees", self.attendees != new.attendees),
            ("agenda order", self.order != new.order || self.added != new.added),
        ] {
            if differs {
                changed.push(name);
            }
        }
        let what = match (what, changed.is_empty()) {
            (Some(what), _) => what.to_string(),
            (None, true) => return new,
            (None, false) => format!("Changed after the minutes were final: {}", changed.join(", ")),
        };
        if let Ok(what) = LongText::parse(&what) {
            new.amendments.push(Amendment { on, by, what });
        }
        new.status = MeetingStatus::Final;
        new
    }

    /// This meeting with `person` moved one place up (or down) among the people of their section on the
    /// arranged agenda `items` (as [`DsrMeeting::arrange`] gives it); unchanged at the section's end.
    /// The whole agenda's order is kept, so later moves build on it.
    pub fn moved(&self, items: &[crate::agenda::AgendaItem], person: PersonId, up: bool) -> DsrMeeting {
        let mut order: Vec<PersonId> = items.iter().map(|i| i.person_id).collect();
        let mut moved = self.clone();
        let Some(at) = items.iter().position(|i| i.person_id == person) else { return moved };
        let section = items[at].section;
        let neighbour = if up {
            items[..at].iter().rposition(|i| i.section == section)
        } else {
            items[at + 1..].iter().position(|i| i.section == section).map(|n| at + 1 + n)
        };
        if let Some(other) = neighbour {
            order.swap(at, other);
            moved.order = order;
        }
        moved
    }

    /// This meeting with `person` added to its agenda by hand, and why (once: adding again changes the
    /// reason).
    pub fn with_added(&self, person: PersonId, reason: ShortText) -> DsrMeeting {
        let mut added = self.clone();
        match added.added.iter_mut().find(|a| a.person_id == person) {
            Some(item) => item.reason = reason,
            None => added.added.push(AddedItem { person_id: person, reason }),
        }
        added
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

/// The rating a meeting agreed for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RatingDecision {
    /// The rating stands (it counts as re-rated on the meeting's date).
    Confirmed {
        rating: Rating,
    },
    Changed {
        to: Rating,
        reason: LongText,
    },
}

/// A referral decided at the meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralDecision {
    pub referral_id: ReferralId,
    pub accepted: bool,
    /// Why (required when declined).
    #[serde(default)]
    pub reason: Option<LongText>,
    /// When the family is to be told by.
    pub tell_family_by: NaiveDate,
}

/// An action as the first decisions stored it, inside the decision. Actions a meeting agrees are now
/// [`crate::action::Action`]s naming the meeting ([`MeetingDecision::new_action`]), so they join the
/// follow-up; these are still read and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeetingAction {
    pub description: LongText,
    pub owner: ShortText,
    pub due_on: NaiveDate,
}

validated! {
    /// What a DSR meeting decided about one person. Its id follows from the meeting's and the person's
    /// ([`MeetingDecision::id_for`]), so two devices recording the same person's decision offline make
    /// one record (their fields merge or clash as any record's do).
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct MeetingDecision (unchecked MeetingDecisionUnchecked) {
        pub id: MeetingDecisionId,
        pub meeting_id: DsrMeetingId,
        /// The meeting's date: the decision's date.
        pub meeting_on: NaiveDate,
        pub person_id: PersonId,
        /// A summary of the discussion, for the minutes.
        #[serde(default)]
        pub discussion: Option<LongText>,
        #[serde(default)]
        pub rating: Option<RatingDecision>,
        #[serde(default)]
        pub referral: Option<ReferralDecision>,
        /// Actions stored inside the decision before they joined the follow-up (read only).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        pub actions: Vec<MeetingAction>,
        /// A C(E)TR to be requested.
        #[serde(default)]
        pub review_requested: bool,
        /// A keyworker referral to be made.
        #[serde(default)]
        pub keyworker_referral_requested: bool,
        #[serde(default)]
        pub note: Option<LongText>,
        /// Not reached, or put off: back at the top of the next meeting's agenda.
        #[serde(default)]
        pub deferred: bool,
        pub recorded_by: ShortText,
    }
}

impl Validate for MeetingDecision {
    fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(
            self.id != MeetingDecision::id_for(self.meeting_id, self.person_id),
            "id",
            "A meeting's decision about a person has the id that follows from the meeting and the person",
        );
        errors.require(
            matches!(
                self.rating,
                Some(
                    RatingDecision::Changed { to: Rating::Blue, .. }
                        | RatingDecision::Confirmed { rating: Rating::Blue }
                )
            ),
            "rating",
            "A meeting does not make someone Blue: record their admission",
        );
        if let Some(referral) = &self.referral {
            errors.require(
                !referral.accepted && referral.reason.is_none(),
                "referral",
                "Say why the referral is declined",
            );
            errors.require(
                referral.tell_family_by < self.meeting_on,
                "referral",
                "The family is told on or after the meeting",
            );
        }
        errors.require(
            self.actions.iter().any(|a| a.due_on < self.meeting_on),
            "actions",
            "An action is due on or after the meeting",
        );
        errors.into_result()
    }
}

impl MeetingDecision {
    /// Nothing decided yet about `person` at the meeting with `id` on `on`, recorded by `by`.
    pub fn blank(id: DsrMeetingId, on: NaiveDate, person: PersonId, by: ShortText) -> MeetingDecision {
        MeetingDecision {
            id: MeetingDecision::id_for(id, person),
            meeting_id: id,
            meeting_on: on,
            person_id: person,
            discussion: None,
            rating: None,
            referral: None,
            actions: Vec::new(),
            review_requested: false,
            keyworker_referral_requested: false,
            note: None,
            deferred: false,
            recorded_by: by,
        }
    }

    /// An action the meeting agrees about the person: it joins the follow-up as an action naming the
    /// meeting, due on or after the meeting's date.
    pub fn new_action(
        &self,
        id: crate::ActionId,
        description: LongText,
        owner: ShortText,
        due_on: NaiveDate,
    ) -> Result<crate::action::Action, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        errors.require(due_on < self.meeting_on, "action_due", "An action is due on or after the meeting");
        errors.into_result()?;
        let action = crate::action::Action {
            id,
            review_id: None,
            meeting_id: Some(self.meeting_id),
            person_id: self.person_id,
            recommendation_id: None,
            description,
            owner,
            due_on,
            status: crate::action::ActionStatus::Open,
            updates: Vec::new(),
            family_disagreement: None,
        };
        action.validate()?;
        Ok(action)
    }

    /// The C(E)TR the meeting asked for, as a request dated by the meeting: in hospital, the review after
    /// admission (or the next in-hospital one when that was held); otherwise a community review, named
    /// C(E)TR or CTR as the area's policy says for the person's age and education. `None` when none was
    /// asked for, or one is already requested or arranged (the meeting's wish is met by it).
    pub fn requested_review(
        &self,
        id: crate::ReviewId,
        file: &crate::due::PersonFile,
        policy: &crate::policy::AreaPolicy,
    ) -> Option<crate::review::Review> {
        use crate::review::{Review, ReviewKind, ReviewStatus, review_name};
        if !self.review_requested
            || file.reviews.iter().any(|r| matches!(r.status, ReviewStatus::Requested | ReviewStatus::Arranged))
        {
            return None;
        }
        let admission = crate::admission::current_admission(&file.admissions, self.meeting_on);
        let kind = match admission {
            None => ReviewKind::Community,
            Some(a) if file.reviews.iter().any(|r| r.admission_id == Some(a.id) && r.was_held()) => {
                ReviewKind::Inpatient
            }
            Some(_) => ReviewKind::PostAdmission,
        };
        let person = &file.person;
        let age = person.age_on(self.meeting_on);
        let name = review_name(age, person.in_education, person.education_placement_broken_down, policy);
        let mut review = Review::requested(id, self.person_id, kind, name, self.meeting_on);
        review.admission_id = admission.map(|a| a.id);
        Some(review)
    }

    /// The id of `meeting`'s decision about `person`: the same on every device.
    pub fn id_for(meeting: DsrMeetingId, person: PersonId) -> MeetingDecisionId {
        let (m, p) = (meeting.as_uuid().into_bytes(), person.as_uuid().into_bytes());
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            // Mixed so that (a, b) and (b, a) differ; version 8 (custom) and the RFC variant.
            *byte = m[i] ^ p[15 - i].rotate_left(3) ^ (i as u8).wrapping_mul(0x9d);
        }
        bytes[6] = (bytes[6] & 0x0f) | 0x80;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        MeetingDecisionId::from_uuid(uuid::Uuid::from_bytes(bytes))
    }

    /// The rating history's entry for a changed rating: source "DSR meeting", dated by the meeting.
    pub fn rating_change(&self, id: RatingChangeId, from: Option<Rating>, by: ShortText) -> Option<RatingChange> {
        let Some(RatingDecision::Changed { to, reason }) = &self.rating else { return None };
        let at = self.meeting_on.and_hms_opt(12, 0, 0).unwrap_or_default().and_utc();
        Some(RatingChange {
            id,
            person_id: self.person_id,
            from,
            to: *to,
            reason: reason.clone(),
            by,
            at,
            source: RatingSource::DsrMeeting,
        })
    }

    /// The referral's triage, dated by the meeting.
    pub fn triage(&self) -> Option<(ReferralId, Triage)> {
        let referral = self.referral.as_ref()?;
        let outcome = if referral.accepted {
            TriageOutcome::Accepted
        } else {
            TriageOutcome::Declined { reason: referral.reason.clone()? }
        };
        let by = ShortText::constant("DSR meeting");
        Some((referral.referral_id, Triage { outcome, decided_on: self.meeting_on, by }))
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

    #[test]
    fn changes_after_the_minutes_are_final_are_recorded_as_amendments() {
        let mut meeting = DsrMeeting::scheduled(DsrMeetingId::from_time_and_random(2, [2; 10]), day(2026, 12, 8));
        let by = ShortText::constant("Jo Coordinator");
        let mut open = meeting.clone();
        open.place = Some(ShortText::constant("Room 2"));
        // Before the minutes are final: no amendment.
        assert!(meeting.amended(open.clone(), day(2026, 12, 8), by.clone(), None).amendments.is_empty());
        meeting = open;
        meeting.status = MeetingStatus::Final;
        let mut changed = meeting.clone();
        changed.place = Some(ShortText::constant("Room 3"));
        let amended = meeting.amended(changed, day(2026, 12, 10), by.clone(), None);
        assert_eq!(amended.amendments.len(), 1);
        assert_eq!(amended.amendments[0].what.as_str(), "Changed after the minutes were final: place");
        assert_eq!((amended.amendments[0].on, amended.status), (day(2026, 12, 10), MeetingStatus::Final));
        // A decision changed afterwards is said in words.
        let said =
            meeting.amended(meeting.clone(), day(2026, 12, 11), by, Some("The decision about Robin Agenda changed"));
        assert_eq!(said.amendments[0].what.as_str(), "The decision about Robin Agenda changed");
        // Nothing changed, nothing said.
        assert!(
            meeting.amended(meeting.clone(), day(2026, 12, 11), ShortText::constant("x"), None).amendments.is_empty()
        );
    }

    #[test]
    fn the_chair_moves_people_within_their_section_and_adds_people_by_hand() {
        use crate::agenda::{AgendaItem, Section};
        let p = |n: u8| PersonId::from_time_and_random(u64::from(n), [n; 10]);
        let item =
            |section, n| AgendaItem { section, person_id: p(n), referral_id: None, reasons: vec![], due: vec![] };
        let meeting = DsrMeeting::scheduled(DsrMeetingId::from_time_and_random(1, [1; 10]), day(2026, 12, 8));
        let items =
            vec![item(Section::Red, 1), item(Section::Red, 2), item(Section::Amber, 3), item(Section::Amber, 4)];
        let order = |m: &DsrMeeting| m.arrange(items.clone()).iter().map(|i| i.person_id).collect::<Vec<_>>();
        // Up within Red: 2 before 1.
        let moved = meeting.moved(&items, p(2), true);
        assert_eq!(order(&moved), [p(2), p(1), p(3), p(4)]);
        // The first of a section does not move up into the one before; the last of Red does not move down.
        let arranged = moved.arrange(items.clone());
        assert_eq!(moved.moved(&arranged, p(3), true).order, moved.order, "first of Amber stays");
        assert_eq!(order(&moved.moved(&arranged, p(1), false)), [p(2), p(1), p(3), p(4)], "last of Red stays");
        // Down within Amber builds on the earlier move.
        let again = moved.moved(&arranged, p(3), false);
        assert_eq!(order(&again), [p(2), p(1), p(4), p(3)]);
        // Added by hand, once; again changes the reason.
        let added = again.with_added(p(9), ShortText::constant("School asked"));
        let added = added.with_added(p(9), ShortText::constant("School and family asked"));
        assert_eq!(added.added.len(), 1);
        let last = added.arrange(items.clone()).pop().unwrap_or_else(|| panic!("empty"));
        assert_eq!((last.person_id, last.section), (p(9), Section::AddedByHand));
        assert_eq!(last.reasons, ["Added by hand: School and family asked"]);
    }

    #[test]
    fn attendees_are_typed_one_per_line_with_apologies_marked() {
        let typed = "Jo Coordinator, DSR coordinator, ICB\n\nApologies: Kim Health, nurse, NHS trust\nLee Education";
        let attendees = parse_meeting_attendees(typed).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(attendees.len(), 3);
        assert!(attendees[0].present && !attendees[1].present && attendees[2].present);
        assert_eq!(attendees[1].agency.as_ref().map(ShortText::as_str), Some("NHS trust"));
        assert!(attendees[2].role.is_none() && attendees[2].agency.is_none());
        assert_eq!(parse_meeting_attendees(&meeting_attendees_text(&attendees)), Ok(attendees));
        assert!(parse_meeting_attendees(", nurse").is_err_and(|e| e.starts_with("Line 1")));
    }

    fn decision(meeting: DsrMeetingId, person: PersonId) -> MeetingDecision {
        MeetingDecision::blank(meeting, day(2026, 12, 8), person, ShortText::constant("Jo Coordinator"))
    }

    #[test]
    fn a_decision_about_a_person_has_one_id_per_meeting_on_every_device() {
        let (m1, m2) = (DsrMeetingId::from_time_and_random(1, [1; 10]), DsrMeetingId::from_time_and_random(2, [2; 10]));
        let (p1, p2) = (PersonId::from_time_and_random(3, [3; 10]), PersonId::from_time_and_random(4, [4; 10]));
        assert_eq!(MeetingDecision::id_for(m1, p1), MeetingDecision::id_for(m1, p1));
        let ids: std::collections::BTreeSet<MeetingDecisionId> =
            [(m1, p1), (m1, p2), (m2, p1), (m2, p2)].into_iter().map(|(m, p)| MeetingDecision::id_for(m, p)).collect();
        assert_eq!(ids.len(), 4);
        let mut wrong = decision(m1, p1);
        wrong.id = MeetingDecision::id_for(m2, p1);
        assert!(wrong.validate().is_err_and(|e| e.fields()[0].field == "id"));
    }

    #[test]
    fn a_decision_re_rates_with_the_meetings_source_and_date_and_decides_referrals_with_reasons() {
        let long = |t: &str| LongText::parse(t).unwrap_or_else(|e| panic!("{e}"));
        let (meeting, person) =
            (DsrMeetingId::from_time_and_random(1, [1; 10]), PersonId::from_time_and_random(3, [3; 10]));
        let mut d = decision(meeting, person);
        d.rating = Some(RatingDecision::Changed { to: Rating::Red, reason: long("School placement breaking down") });
        let change = d
            .rating_change(
                RatingChangeId::from_time_and_random(9, [9; 10]),
                Some(Rating::Amber),
                ShortText::constant("Jo Coordinator"),
            )
            .unwrap_or_else(|| panic!("no change"));
        assert_eq!(
            (change.to, change.from, change.source),
            (Rating::Red, Some(Rating::Amber), RatingSource::DsrMeeting)
        );
        assert_eq!(crate::calendar::date_in_england(change.at), day(2026, 12, 8));
        assert!(change.validate().is_ok());
        d.rating = Some(RatingDecision::Confirmed { rating: Rating::Amber });
        assert!(
            d.rating_change(RatingChangeId::from_time_and_random(9, [9; 10]), None, ShortText::constant("x")).is_none()
        );
        d.rating = Some(RatingDecision::Changed { to: Rating::Blue, reason: long("In hospital") });
        assert!(d.validate().is_err_and(|e| e.fields()[0].field == "rating"));
        d.rating = None;

        let referral = ReferralId::from_time_and_random(5, [5; 10]);
        d.referral = Some(ReferralDecision {
            referral_id: referral,
            accepted: false,
            reason: None,
            tell_family_by: day(2026, 12, 15),
        });
        assert!(d.validate().is_err_and(|e| e.fields()[0].field == "referral"), "declined without a reason");
        d.referral = Some(ReferralDecision {
            referral_id: referral,
            accepted: false,
            reason: Some(long("Needs are met by the school's plan")),
            tell_family_by: day(2026, 12, 15),
        });
        assert!(d.validate().is_ok());
        let (id, triage) = d.triage().unwrap_or_else(|| panic!("no triage"));
        assert_eq!((id, triage.decided_on), (referral, day(2026, 12, 8)));
        assert!(matches!(triage.outcome, TriageOutcome::Declined { .. }));
        d.actions.push(MeetingAction {
            description: long("Call the school"),
            owner: ShortText::constant("Keyworker"),
            due_on: day(2026, 12, 1),
        });
        assert!(d.validate().is_err_and(|e| e.fields()[0].field == "actions"), "an action due before the meeting");
    }

    #[test]
    fn an_action_the_meeting_agrees_joins_the_follow_up_naming_the_meeting() {
        let long = |t: &str| LongText::parse(t).unwrap_or_else(|e| panic!("{e}"));
        let (meeting, person) =
            (DsrMeetingId::from_time_and_random(1, [1; 10]), PersonId::from_time_and_random(3, [3; 10]));
        let d = decision(meeting, person);
        let id = crate::ActionId::from_time_and_random(5, [5; 10]);
        let action = d
            .new_action(id, long("Call the school"), ShortText::constant("Sam Keyworker"), day(2026, 12, 15))
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((action.meeting_id, action.review_id, action.person_id), (Some(meeting), None, person));
        assert!(action.is_open() && action.validate().is_ok());
        let early = d.new_action(id, long("Call"), ShortText::constant("Sam"), day(2026, 12, 1));
        assert!(early.is_err_and(|e| e.fields()[0].field == "action_due"), "due before the meeting");
    }

    #[test]
    fn a_review_asked_for_at_the_meeting_is_requested_on_its_date_unless_one_is_under_way() {
        use crate::review::{ReviewKind, ReviewStatus};
        let person: crate::Person = serde_json::from_value(serde_json::json!({
            "id": PersonId::from_time_and_random(3, [3; 10]), "given_name": "Robin", "family_name": "Agenda",
            "date_of_birth": "2012-05-06" }))
        .unwrap_or_else(|e| panic!("{e}"));
        let mut file = crate::due::PersonFile::new(person.clone());
        let policy = crate::policy::AreaPolicy::default();
        let mut d = decision(DsrMeetingId::from_time_and_random(1, [1; 10]), person.id);
        let id = crate::ReviewId::from_time_and_random(7, [7; 10]);
        assert!(d.requested_review(id, &file, &policy).is_none(), "none asked for");
        d.review_requested = true;
        let review = d.requested_review(id, &file, &policy).unwrap_or_else(|| panic!("no review"));
        assert_eq!(
            (review.status, review.kind, review.requested_on),
            (ReviewStatus::Requested, ReviewKind::Community, day(2026, 12, 8))
        );
        assert_eq!(review.name, crate::review::ReviewName::Cetr, "a child's is a C(E)TR");
        assert!(review.validate().is_ok(), "{:?}", review.validate());
        file.reviews.push(review);
        assert!(d.requested_review(id, &file, &policy).is_none(), "one is requested already");
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
