//! A DSR meeting's minutes (issue 14, point 4), produced from the decisions recorded at it: the area,
//! when and where, who chaired, who came and who sent apologies, then for each person discussed (in the
//! agenda's order) why they were there, the discussion, what was decided and the actions agreed; the
//! people on the agenda with no decision; the amendments made after the minutes were final.
//!
//! Each reader's copy holds only the people that reader may see: the minutes are built from the files
//! on the reader's device, which holds only those ([`crate::access`]). A person not there is left out,
//! not named.

use std::collections::{BTreeMap, BTreeSet};

use crate::PersonId;
use crate::agenda::AgendaItem;
use crate::calendar::long_date;
use crate::due::PersonFile;
use crate::meeting::{DsrMeeting, MeetingAttendee, MeetingDecision, MeetingStatus, RatingDecision};

/// The minutes, as the page and its PDF show them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minutes {
    /// "DSR meeting minutes: Northshire".
    pub title: String,
    /// "Tuesday 8 December 2026, 09:30, Room 2 and by video".
    pub when: String,
    /// Draft, or final (marked so by the chair).
    pub status: String,
    pub chair: Option<String>,
    /// "Jo Coordinator (DSR coordinator, ICB)".
    pub present: Vec<String>,
    pub apologies: Vec<String>,
    pub items: Vec<MinutesItem>,
    /// On the agenda, no decision recorded (not reached).
    pub not_reached: Vec<String>,
    /// "10 December 2026, Jo Coordinator: the decision about Robin Agenda changed".
    pub amendments: Vec<String>,
}

/// One person discussed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesItem {
    pub person_id: PersonId,
    pub name: String,
    /// The agenda's section ("Red: at risk of admission without urgent support"); `None` when the
    /// person was decided about without being on the agenda.
    pub section: Option<String>,
    /// Why they were on the agenda.
    pub why: Vec<String>,
    pub discussion: Option<String>,
    /// What was decided, one sentence each.
    pub decisions: Vec<String>,
    /// "Call the school: Sam Keyworker, by 15 December 2026".
    pub actions: Vec<String>,
}

fn attendee(a: &MeetingAttendee) -> String {
    let about: Vec<&str> = [&a.role, &a.agency].into_iter().flatten().map(|t| t.as_str()).collect();
    if about.is_empty() { a.name.to_string() } else { format!("{} ({})", a.name, about.join(", ")) }
}

/// "Tuesday 8 December 2026, 09:30, Room 2 and by video".
pub fn when_and_where(meeting: &DsrMeeting) -> String {
    let mut text = meeting.date.format("%A %-d %B %Y").to_string();
    if let Some(time) = &meeting.time {
        text.push_str(&format!(", {time}"));
    }
    match (&meeting.place, meeting.video) {
        (Some(place), true) => text.push_str(&format!(", {place} and by video")),
        (Some(place), false) => text.push_str(&format!(", {place}")),
        (None, true) => text.push_str(", by video"),
        (None, false) => {}
    }
    text
}

/// What a decision decided, one sentence each, in the order the minutes give them.
pub fn decision_words(decision: &MeetingDecision) -> Vec<String> {
    let mut words = Vec::new();
    match &decision.rating {
        Some(RatingDecision::Confirmed { rating }) => words.push(format!("Rating confirmed: {}.", rating.label())),
        Some(RatingDecision::Changed { to, reason }) => {
            words.push(format!("Rating changed to {}: {}", to.label(), sentence(reason.as_str())))
        }
        None => {}
    }
    if let Some(referral) = &decision.referral {
        let told = format!("The family is told by {}.", long_date(referral.tell_family_by));
        match (&referral.accepted, &referral.reason) {
            (true, None) => words.push(format!("Referral accepted onto the register. {told}")),
            (true, Some(why)) => {
                words.push(format!("Referral accepted onto the register: {} {told}", sentence(why.as_str())))
            }
            (false, why) => words.push(format!(
                "Referral declined: {} {told}",
                sentence(why.as_ref().map_or("no reason recorded", |w| w.as_str()))
            )),
        }
    }
    if decision.review_requested {
        words.push("A Care (Education) and Treatment Review is to be requested.".to_string());
    }
    if decision.keyworker_referral_requested {
        words.push("A keyworker referral is to be made.".to_string());
    }
    if decision.deferred {
        words.push("Deferred to the next meeting.".to_string());
    }
    if let Some(note) = &decision.note {
        words.push(format!("Note: {}", sentence(note.as_str())));
    }
    words
}

/// The actions `meeting` agreed about `file`'s person, as the minutes give them: those in the
/// follow-up (with where they stand) and any stored inside the decision before that, `decided`.
pub fn action_lines(meeting: &DsrMeeting, file: &PersonFile, decided: &[crate::meeting::MeetingAction]) -> Vec<String> {
    let mut lines: Vec<String> =
        decided.iter().map(|a| format!("{}: {}, by {}", a.description, a.owner, long_date(a.due_on))).collect();
    let mut followed: Vec<&crate::action::Action> =
        file.actions.iter().filter(|a| a.meeting_id == Some(meeting.id)).collect();
    followed.sort_by_key(|a| (a.due_on, a.id));
    lines.extend(followed.into_iter().map(|a| {
        let standing = match a.status {
            crate::action::ActionStatus::Open => String::new(),
            status => format!(" ({})", status.label().to_lowercase()),
        };
        format!("{}: {}, by {}{standing}", a.description, a.owner, long_date(a.due_on))
    }));
    lines
}

/// `text` ending with a full stop (or its own ending).
fn sentence(text: &str) -> String {
    let text = text.trim();
    if text.ends_with(['.', '!', '?']) { text.to_string() } else { format!("{text}.") }
}

/// The minutes of `meeting` in `area`, from its arranged agenda and the files on the reader's device.
pub fn minutes(area: &str, meeting: &DsrMeeting, agenda: &[AgendaItem], files: &[PersonFile]) -> Minutes {
    let decisions: BTreeMap<PersonId, &MeetingDecision> = files
        .iter()
        .flat_map(|f| f.meeting_decisions.iter())
        .filter(|d| d.meeting_id == meeting.id)
        .map(|d| (d.person_id, d))
        .collect();
    let names: BTreeMap<PersonId, String> = files.iter().map(|f| (f.person.id, f.person.full_name())).collect();
    let agreed: BTreeMap<PersonId, Vec<String>> = files
        .iter()
        .map(|f| {
            let decided = decisions.get(&f.person.id).map(|d| d.actions.as_slice()).unwrap_or_default();
            (f.person.id, action_lines(meeting, f, decided))
        })
        .collect();
    let item = |person: PersonId, on_agenda: Option<&AgendaItem>| -> Option<MinutesItem> {
        let decision = decisions.get(&person)?;
        Some(MinutesItem {
            person_id: person,
            name: names.get(&person)?.clone(),
            section: on_agenda.map(|a| a.section.title().to_string()),
            why: on_agenda.map(|a| a.reasons.clone()).unwrap_or_default(),
            discussion: decision.discussion.as_ref().map(ToString::to_string),
            decisions: decision_words(decision),
            actions: agreed.get(&person).cloned().unwrap_or_default(),
        })
    };
    let mut items: Vec<MinutesItem> = agenda.iter().filter_map(|a| item(a.person_id, Some(a))).collect();
    let on_agenda: BTreeSet<PersonId> = agenda.iter().map(|a| a.person_id).collect();
    let mut others: Vec<MinutesItem> =
        decisions.keys().filter(|p| !on_agenda.contains(p)).filter_map(|p| item(*p, None)).collect();
    others.sort_by(|a, b| a.name.cmp(&b.name));
    items.extend(others);
    let not_reached = agenda
        .iter()
        .filter(|a| !decisions.contains_key(&a.person_id))
        .filter_map(|a| names.get(&a.person_id).cloned())
        .collect();
    Minutes {
        title: format!("DSR meeting minutes: {area}"),
        when: when_and_where(meeting),
        status: match meeting.status {
            MeetingStatus::Final => "Final: marked final by the chair. Later changes are listed as amendments.",
            MeetingStatus::Open | MeetingStatus::Scheduled => "Draft: not yet marked final by the chair.",
        }
        .to_string(),
        chair: meeting.chair.as_ref().map(ToString::to_string),
        present: meeting.attendees.iter().filter(|a| a.present).map(attendee).collect(),
        apologies: meeting.attendees.iter().filter(|a| !a.present).map(attendee).collect(),
        items,
        not_reached,
        amendments: meeting
            .amendments
            .iter()
            .map(|a| format!("{}, {}: {}", long_date(a.on), a.by, sentence(a.what.as_str())))
            .collect(),
    }
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;
    use crate::agenda::Section;
    use crate::meeting::{MeetingAction, ReferralDecision, parse_meeting_attendees};
    use crate::rating::Rating;
    use crate::test_support::day;
    use crate::text::{LongText, ShortText};
    use crate::{DsrMeetingId, Person, ReferralId};

    fn file(n: u8, given: &str) -> PersonFile {
        let person: Person = serde_json::from_value(serde_json::json!({
            "id": PersonId::from_time_and_random(u64::from(n), [n; 10]),
            "given_name": given, "family_name": "Minuted", "date_of_birth": "2012-05-06" }))
        .unwrap_or_else(|e| panic!("{e}"));
        PersonFile::new(person)
    }

    fn long(text: &str) -> LongText {
        LongText::parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    fn on_agenda(section: Section, file: &PersonFile, why: &str) -> AgendaItem {
        AgendaItem { section, person_id: file.person.id, referral_id: None, reasons: vec![why.into()], due: Vec::new() }
    }

    #[test]
    fn the_minutes_give_each_decision_in_the_agendas_order_and_leave_out_who_the_reader_cannot_see() {
        let mut meeting = DsrMeeting::scheduled(DsrMeetingId::from_time_and_random(1, [1; 10]), day(2026, 12, 8));
        meeting.time = Some(ShortText::constant("09:30"));
        meeting.place = Some(ShortText::constant("Room 2"));
        meeting.video = true;
        meeting.chair = Some(ShortText::constant("Jo Coordinator"));
        meeting.attendees =
            parse_meeting_attendees("Jo Coordinator, DSR coordinator, ICB\nApologies: Kim Health, nurse")
                .unwrap_or_else(|e| panic!("{e}"));
        let by = ShortText::constant("Jo Coordinator");
        let (mut robin, mut sam, quiet, unseen) =
            (file(1, "Robin"), file(2, "Sam"), file(3, "Quiet"), file(4, "Hidden"));
        let mut decided = MeetingDecision::blank(meeting.id, meeting.date, robin.person.id, by.clone());
        decided.discussion = Some(long("School placement breaking down"));
        decided.rating = Some(RatingDecision::Changed { to: Rating::Red, reason: long("Two exclusions this month") });
        decided.review_requested = true;
        decided.actions.push(MeetingAction {
            description: long("Call the school"),
            owner: ShortText::constant("Sam Keyworker"),
            due_on: day(2026, 12, 15),
        });
        let mut agreed = decided
            .new_action(
                crate::ActionId::from_time_and_random(8, [8; 10]),
                long("Arrange respite"),
                ShortText::constant("Social worker"),
                day(2026, 12, 20),
            )
            .unwrap_or_else(|e| panic!("{e:?}"));
        agreed.status = crate::action::ActionStatus::InProgress;
        robin.actions.push(agreed);
        robin.meeting_decisions.push(decided);
        let referral = ReferralId::from_time_and_random(9, [9; 10]);
        let mut triaged = MeetingDecision::blank(meeting.id, meeting.date, sam.person.id, by.clone());
        triaged.referral = Some(ReferralDecision {
            referral_id: referral,
            accepted: false,
            reason: Some(long("Needs met at school")),
            tell_family_by: day(2026, 12, 11),
        });
        triaged.deferred = true;
        sam.meeting_decisions.push(triaged);
        // Another meeting's decision is not this meeting's.
        let mut elsewhere = quiet.clone();
        let other = DsrMeetingId::from_time_and_random(2, [2; 10]);
        elsewhere.meeting_decisions.push(MeetingDecision::blank(other, day(2026, 11, 10), quiet.person.id, by.clone()));
        let agenda = vec![
            on_agenda(Section::Referrals, &sam, "Referral waiting"),
            on_agenda(Section::Red, &robin, "Rated Red"),
            on_agenda(Section::Amber, &quiet, "Rated Amber"),
            on_agenda(Section::Amber, &unseen, "Rated Amber"),
        ];
        // The reader's device holds Robin, Sam and Quiet, not Hidden.
        let m = minutes("Northshire", &meeting, &agenda, &[robin, sam, elsewhere]);
        assert_eq!(m.title, "DSR meeting minutes: Northshire");
        assert_eq!(m.when, "Tuesday 8 December 2026, 09:30, Room 2 and by video");
        assert!(m.status.starts_with("Draft"));
        assert_eq!(m.present, ["Jo Coordinator (DSR coordinator, ICB)"]);
        assert_eq!(m.apologies, ["Kim Health (nurse)"]);
        assert_eq!(m.items.iter().map(|i| i.name.as_str()).collect::<Vec<_>>(), ["Sam Minuted", "Robin Minuted"]);
        assert_eq!(
            m.items[0].decisions,
            [
                "Referral declined: Needs met at school. The family is told by 11 December 2026.",
                "Deferred to the next meeting."
            ]
        );
        assert_eq!(
            m.items[1].decisions,
            [
                "Rating changed to Red: Two exclusions this month.",
                "A Care (Education) and Treatment Review is to be requested."
            ]
        );
        assert_eq!(
            m.items[1].actions,
            [
                "Call the school: Sam Keyworker, by 15 December 2026",
                "Arrange respite: Social worker, by 20 December 2026 (in progress)"
            ]
        );
        assert_eq!(m.items[1].discussion.as_deref(), Some("School placement breaking down"));
        assert_eq!(m.items[1].section.as_deref(), Some(Section::Red.title()));
        assert_eq!(m.not_reached, ["Quiet Minuted"], "Hidden is not on the reader's device: not named");
        let everything = format!("{m:?}");
        assert!(!everything.contains("Hidden"), "{everything}");

        let mut final_minutes = meeting.clone();
        final_minutes.status = MeetingStatus::Final;
        let amended = final_minutes.amended(
            final_minutes.clone(),
            day(2026, 12, 10),
            by,
            Some("The decision about Robin Minuted changed"),
        );
        let m = minutes("Northshire", &amended, &[], &[]);
        assert!(m.status.starts_with("Final"));
        assert_eq!(m.amendments, ["10 December 2026, Jo Coordinator: The decision about Robin Minuted changed."]);
        assert!(m.items.is_empty() && m.not_reached.is_empty());
    }
}
