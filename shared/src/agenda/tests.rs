use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::action::{Action, ActionStatus};
use crate::admission::Admission;
use crate::consent::{Consent, ConsentScope, GivenBy};
use crate::meeting::MeetingItem;
use crate::person::{LeaveReason, Person, PersonName};
use crate::rating::{RatingChange, RatingSource};
use crate::referral::{Referral, ReferralRoute};
use crate::test_support::{day, long, short};
use crate::{ActionId, AdmissionId, ConsentId, DsrMeetingId, RatingChangeId, ReviewId};

/// The meeting: Tuesday 8 December 2026 (the area's second Tuesday).
const MEETING: (i32, u32, u32) = (2026, 12, 8);

fn meeting_day() -> NaiveDate {
    day(MEETING.0, MEETING.1, MEETING.2)
}

fn at(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(10, 0, 0).unwrap_or_default())
}

fn pid(n: u8) -> PersonId {
    PersonId::from_time_and_random(u64::from(n), [n; 10])
}

/// Person `n`, on the register since 1 September 2026 with consent, born in 2012.
fn on_register(n: u8) -> PersonFile {
    let name = |s: &str| PersonName::parse(s).unwrap_or_else(|e| panic!("{e}"));
    let mut person = Person::new(pid(n), name("Alex"), name(&format!("Person{n}")), day(2012, 3, 4), None);
    person.register_status = RegisterStatus::OnRegister { since: day(2026, 9, 1) };
    person.keyworker_referral_offered = Some(day(2026, 9, 1));
    let mut file = PersonFile::new(person);
    file.consents.push(Consent {
        id: ConsentId::from_time_and_random(u64::from(n), [n; 10]),
        person_id: pid(n),
        scope: ConsentScope::Register,
        review_id: None,
        given_by: GivenBy::ThePerson { gillick_competent: true },
        given_on: day(2026, 9, 1),
        withdrawn_on: None,
        withdrawal_asked_by: None,
        withdrawal_reason: None,
        withdrawal_requested_on: None,
        recorded_by: short("Coordinator"),
    });
    file
}

fn rated(file: &mut PersonFile, to: Rating, on: NaiveDate) {
    let from = file.ratings.last().map(|r| r.to);
    file.ratings.push(RatingChange {
        id: RatingChangeId::from_time_and_random(file.ratings.len() as u64 + 100, [7; 10]),
        person_id: file.person.id,
        from,
        to,
        reason: long("Discussed"),
        by: short("DSR meeting"),
        at: at(on),
        source: if to == Rating::Blue { RatingSource::Admission } else { RatingSource::DsrMeeting },
    });
}

fn admitted(file: &mut PersonFile, on: NaiveDate) {
    file.admissions.push(Admission {
        id: AdmissionId::from_time_and_random(1, [9; 10]),
        person_id: file.person.id,
        hospital: short("Example Hospital"),
        admitted_on: on,
        secure: false,
        out_of_area: false,
        community_review_before: false,
        discharged_on: None,
        oversight_visits: Vec::new(),
    });
    rated(file, Rating::Blue, on);
}

fn referred(n: u8, on: NaiveDate) -> PersonFile {
    let mut file = on_register(n);
    file.person.register_status = RegisterStatus::Referred;
    file.referrals.push(Referral {
        id: crate::ReferralId::from_time_and_random(u64::from(n), [n; 10]),
        person_id: pid(n),
        route: ReferralRoute::SelfReferral { by: short("Pat Example"), relationship: short("Mother"), contact: None },
        reason: long("We are frightened he will be sent away"),
        submitted_on: on,
        contacted_on: Some(on),
        triage: None,
        family_told_on: None,
    });
    file
}

fn overdue_action(file: &mut PersonFile, due_on: NaiveDate) {
    file.actions.push(Action {
        id: ActionId::from_time_and_random(1, [8; 10]),
        review_id: Some(ReviewId::from_time_and_random(1, [8; 10])),
        meeting_id: None,
        person_id: file.person.id,
        recommendation_id: None,
        description: long("Request an EHC needs assessment"),
        owner: short("School SENCo"),
        due_on,
        status: ActionStatus::Open,
        updates: Vec::new(),
        family_disagreement: None,
    });
}

fn meeting(date: NaiveDate, discussed: &[(PersonId, bool)]) -> DsrMeeting {
    let mut meeting =
        DsrMeeting::scheduled(DsrMeetingId::from_time_and_random(date.to_epoch_days() as u64, [3; 10]), date);
    meeting.status = crate::meeting::MeetingStatus::Open;
    meeting.attendees = vec![crate::meeting::MeetingAttendee {
        name: short("Jo Coordinator"),
        role: Some(short("DSR coordinator")),
        agency: Some(short("ICB")),
        present: true,
    }];
    meeting.items = discussed
        .iter()
        .map(|(person_id, deferred)| MeetingItem {
            person_id: *person_id,
            discussion: long("Discussed"),
            decision: None,
            new_rating: None,
            deferred: *deferred,
        })
        .collect();
    meeting
}

/// A small area on 8 December 2026, one person for each way onto (or off) the agenda.
fn area() -> Vec<PersonFile> {
    let mut red = on_register(1);
    rated(&mut red, Rating::Red, day(2026, 11, 20));
    let mut amber = on_register(2);
    rated(&mut amber, Rating::Amber, day(2026, 11, 10));
    let mut green_due = on_register(3);
    rated(&mut green_due, Rating::Green, day(2026, 8, 1));
    let mut green_recent = on_register(4);
    rated(&mut green_recent, Rating::Green, day(2026, 11, 10));
    let mut in_hospital = on_register(5);
    rated(&mut in_hospital, Rating::Amber, day(2026, 10, 1));
    admitted(&mut in_hospital, day(2026, 11, 30));
    let referral = referred(6, day(2026, 11, 16));
    let not_rated = on_register(7);
    let mut follow_up = on_register(8);
    rated(&mut follow_up, Rating::Green, day(2026, 11, 10));
    overdue_action(&mut follow_up, day(2026, 11, 30));
    let mut no_consent = on_register(9);
    rated(&mut no_consent, Rating::Green, day(2026, 11, 10));
    no_consent.consents.clear();
    let mut leaving = on_register(10);
    rated(&mut leaving, Rating::Green, day(2026, 11, 10));
    leaving.consents[0].withdrawn_on = Some(day(2026, 12, 1));
    let mut left = on_register(11);
    rated(&mut left, Rating::Red, day(2026, 6, 1));
    left.person.register_status = RegisterStatus::Left { on: day(2026, 10, 1), reason: LeaveReason::RiskGone };
    vec![red, amber, green_due, green_recent, in_hospital, referral, not_rated, follow_up, no_consent, leaving, left]
}

fn sections(items: &[AgendaItem]) -> Vec<(Section, PersonId)> {
    items.iter().map(|i| (i.section, i.person_id)).collect()
}

#[test]
fn the_agenda_takes_each_section_in_turn_with_the_reason_each_person_is_there() {
    let items = agenda(&area(), &[], &AreaPolicy::default(), meeting_day());
    assert_eq!(
        sections(&items),
        vec![
            (Section::Referrals, pid(6)),
            (Section::NotRated, pid(7)),
            (Section::Red, pid(1)),
            (Section::Amber, pid(2)),
            (Section::Blue, pid(5)),
            (Section::GreenDue, pid(3)),
            (Section::FollowUp, pid(8)),
            (Section::Consent, pid(9)),
            (Section::Leaving, pid(10)),
        ],
        "{items:#?}"
    );
    let why = |n: u8| items.iter().find(|i| i.person_id == pid(n)).map(|i| i.reasons.join("; ")).unwrap_or_default();
    assert!(why(6).starts_with("Referred on 16 November 2026, waiting for a decision"), "{}", why(6));
    assert!(
        why(1).starts_with("Rated Red") && why(1).contains("Treatment Review must take place"),
        "the Red review due: {}",
        why(1)
    );
    assert!(why(5).starts_with("In hospital") && why(5).contains("review"), "post-admission review: {}", why(5));
    assert!(why(3).contains("last rated or discussed: 1 August 2026"), "{}", why(3));
    assert!(why(8).starts_with("1 overdue action(s)") && why(8).contains("Overdue since"), "{}", why(8));
    assert!(items.iter().find(|i| i.person_id == pid(6)).and_then(|i| i.referral_id).is_some());
    // Green people discussed lately and people who have left are not on it.
    assert!(!items.iter().any(|i| i.person_id == pid(4) || i.person_id == pid(11)));
}

#[test]
fn a_person_on_several_sections_is_on_the_agenda_once_with_every_reason() {
    let mut files = area();
    // Red, with an overdue action and missing consent.
    overdue_action(&mut files[0], day(2026, 11, 20));
    files[0].consents.clear();
    let items = agenda(&files, &[], &AreaPolicy::default(), meeting_day());
    let red: Vec<&AgendaItem> = items.iter().filter(|i| i.person_id == pid(1)).collect();
    assert_eq!(red.len(), 1);
    assert_eq!(red[0].section, Section::Red);
    let why = red[0].reasons.join("; ");
    assert!(why.contains("overdue action") && why.contains("Consent to be recorded"), "{why}");
}

#[test]
fn a_deferred_person_comes_back_first_at_the_next_meeting_and_then_as_usual() {
    let files = area();
    let previous = meeting(day(2026, 11, 10), &[(pid(4), true), (pid(2), false)]);
    let items = agenda(&files, std::slice::from_ref(&previous), &AreaPolicy::default(), meeting_day());
    assert_eq!(sections(&items)[0], (Section::Deferred, pid(4)));
    // Discussed on 8 December (not deferred again): at January's meeting, Green and recent, not on it.
    let december = meeting(meeting_day(), &[(pid(4), false)]);
    let january = agenda(&files, &[previous, december], &AreaPolicy::default(), day(2027, 1, 12));
    assert!(!january.iter().any(|i| i.person_id == pid(4)), "{january:#?}");
}

#[test]
fn how_often_amber_and_green_come_back_is_the_areas_policy() {
    let files = area();
    let mut policy = AreaPolicy::default();
    policy.agenda.amber_back_after = Some(crate::period::Period::Months(2));
    policy.agenda.green_back_after = crate::period::Period::Months(6);
    let items = agenda(&files, &[], &policy, meeting_day());
    // Amber rated on 10 November: not back yet. Green rated 1 August: not yet 6 months.
    assert!(!items.iter().any(|i| i.person_id == pid(2) || i.person_id == pid(3)), "{items:#?}");
    // Red comes to every meeting whatever the policy.
    assert!(items.iter().any(|i| i.person_id == pid(1) && i.section == Section::Red));
}

#[test]
fn the_agenda_is_as_of_the_meeting_date() {
    // A rating made after the meeting's date does not count for it.
    let mut files = area();
    rated(&mut files[1], Rating::Red, day(2026, 12, 20));
    let items = agenda(&files, &[], &AreaPolicy::default(), meeting_day());
    assert!(items.iter().any(|i| i.person_id == pid(2) && i.section == Section::Amber));
    // Before the referral was made, it is not waiting.
    let earlier = agenda(&files, &[], &AreaPolicy::default(), day(2026, 11, 10));
    assert!(!earlier.iter().any(|i| i.person_id == pid(6)));
}

fn any_area() -> impl Strategy<Value = Vec<PersonFile>> {
    let person = (0u8..5, 0u32..200, any::<bool>(), any::<bool>(), 0u8..4);
    proptest::collection::vec(person, 0..25).prop_map(|people| {
        people
            .into_iter()
            .enumerate()
            .map(|(n, (rating, days_ago, hospital, action, status))| {
                let n = n as u8 + 1;
                let mut file = if status == 0 { referred(n, day(2026, 11, 1)) } else { on_register(n) };
                if status == 3 {
                    file.person.register_status =
                        RegisterStatus::Left { on: day(2026, 10, 1), reason: LeaveReason::RiskGone };
                }
                let on = meeting_day() - chrono::Days::new(u64::from(days_ago));
                match rating {
                    0 => rated(&mut file, Rating::Red, on),
                    1 => rated(&mut file, Rating::Amber, on),
                    2 => rated(&mut file, Rating::Green, on),
                    3 => {
                        rated(&mut file, Rating::Red, on);
                        rated(&mut file, Rating::Green, on + chrono::Days::new(1));
                    }
                    _ => {}
                }
                if hospital {
                    admitted(&mut file, on);
                }
                if action {
                    overdue_action(&mut file, on);
                }
                file
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn every_red_person_is_on_every_agenda_and_nobody_appears_twice(
        files in any_area(),
        meetings_ago in proptest::collection::vec((1u64..120, any::<bool>()), 0..3),
    ) {
        let meetings: Vec<DsrMeeting> = meetings_ago
            .iter()
            .map(|(ago, deferred)| {
                let people: Vec<(PersonId, bool)> = files.iter().map(|f| (f.person.id, *deferred)).collect();
                meeting(meeting_day() - chrono::Days::new(*ago), &people)
            })
            .collect();
        let items = agenda(&files, &meetings, &AreaPolicy::default(), meeting_day());
        let mut seen = BTreeSet::new();
        for item in &items {
            prop_assert!(seen.insert(item.person_id), "{} twice", item.person_id);
            prop_assert!(!item.reasons.is_empty());
        }
        for file in &files {
            let red = rating_on(&file.ratings, meeting_day()).map(|r| r.to) == Some(Rating::Red);
            let on = matches!(file.person.register_status, RegisterStatus::OnRegister { .. });
            if red && on {
                prop_assert!(seen.contains(&file.person.id), "Red person {} left off", file.person.id);
            }
        }
        // Sections come in order.
        prop_assert!(items.windows(2).all(|w| w[0].section <= w[1].section));
    }
}

#[test]
fn the_chair_reorders_the_agenda_and_adds_people_by_hand() {
    let files = area();
    let mut this = meeting(meeting_day(), &[]);
    // Leaving first, then Red; the rest as the agenda has them. Person 4 (Green, recent) added by hand.
    this.order = vec![pid(10), pid(1)];
    this.added = vec![
        crate::meeting::AddedItem { person_id: pid(4), reason: short("School exclusion last week") },
        crate::meeting::AddedItem { person_id: pid(2), reason: short("Family asked") },
    ];
    let items = this.arrange(agenda(&files, &[], &AreaPolicy::default(), meeting_day()));
    let order: Vec<PersonId> = items.iter().map(|i| i.person_id).collect();
    assert_eq!(order[..3], [pid(10), pid(1), pid(6)]);
    let added = items.iter().find(|i| i.person_id == pid(4)).unwrap_or_else(|| panic!("{items:#?}"));
    assert_eq!(
        (added.section, added.reasons[0].as_str()),
        (Section::AddedByHand, "Added by hand: School exclusion last week")
    );
    let amber = items.iter().find(|i| i.person_id == pid(2)).unwrap_or_else(|| panic!("{items:#?}"));
    assert_eq!(amber.section, Section::Amber);
    assert!(amber.reasons.iter().any(|r| r == "Added by hand: Family asked"));
    assert_eq!(items.iter().filter(|i| i.person_id == pid(2)).count(), 1);
}

#[test]
fn a_person_deferred_in_a_meeting_decision_comes_back_first() {
    let mut files = area();
    let previous = meeting(day(2026, 11, 10), &[]);
    let mut deferred =
        crate::meeting::MeetingDecision::blank(previous.id, previous.date, pid(4), short("Jo Coordinator"));
    deferred.deferred = true;
    files[3].meeting_decisions.push(deferred);
    let items = agenda(&files, std::slice::from_ref(&previous), &AreaPolicy::default(), meeting_day());
    assert_eq!(sections(&items)[0], (Section::Deferred, pid(4)));
}

#[test]
fn the_meetings_own_decisions_do_not_move_anyone_on_its_agenda() {
    use crate::referral::{Triage, TriageOutcome};
    let mut red = on_register(1);
    rated(&mut red, Rating::Red, day(2026, 11, 1));
    let mut waiting = referred(2, day(2026, 11, 20));
    let before = agenda(&[red.clone(), waiting.clone()], &[], &AreaPolicy::default(), meeting_day());
    // At the meeting: Red re-rated Amber, the referral accepted, both dated by the meeting.
    rated(&mut red, Rating::Amber, meeting_day());
    waiting.referrals[0].triage =
        Some(Triage { outcome: TriageOutcome::Accepted, decided_on: meeting_day(), by: short("DSR meeting") });
    let during = agenda(&[red.clone(), waiting.clone()], &[], &AreaPolicy::default(), meeting_day());
    assert_eq!(sections(&during), sections(&before));
    assert_eq!(sections(&before), [(Section::Referrals, pid(2)), (Section::Red, pid(1))]);
    // The next meeting sees them as decided: Amber, and the referral no longer waiting.
    let next = agenda(&[red, waiting], &[], &AreaPolicy::default(), day(2027, 1, 12));
    assert!(next.iter().any(|i| i.person_id == pid(1) && i.section == Section::Amber), "{next:?}");
    assert!(!next.iter().any(|i| i.section == Section::Referrals), "{next:?}");
}
