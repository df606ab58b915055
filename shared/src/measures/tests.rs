//! Each measure on a hand-built history of five people over the first half of 2026, and property tests:
//! the counts by rating add up to the register and split exactly by age band; month ends reconcile
//! with who joined and left between them; today's counts are the register list's.

use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::action::{Action, ActionStatus};
use crate::admission::Admission;
use crate::person::{LeaveReason, Person, PersonName, Professional, RegisterStatus};
use crate::rating::{Rating, RatingChange, RatingSource};
use crate::referral::{Referral, ReferralRoute, Triage, TriageOutcome};
use crate::review::{Panel, ReportShare, Review, ReviewKind, ReviewName, ReviewStatus};
use crate::test_support::{day, long, short};
use crate::{ActionId, AdmissionId, PersonId, RatingChangeId, ReferralId, ReviewId};

fn at(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(10, 0, 0).unwrap_or_default())
}

fn person(n: u64, born: NaiveDate, status: RegisterStatus) -> PersonFile {
    let name = |s: &str| PersonName::parse(s).unwrap_or_else(|e| panic!("{e}"));
    let mut person = Person::new(
        PersonId::from_time_and_random(n, [n as u8; 10]),
        name("Alex"),
        name(&format!("Person{n}")),
        born,
        None,
    );
    person.register_status = status;
    PersonFile::new(person)
}

fn rated(file: &mut PersonFile, to: Rating, on: NaiveDate) {
    let from = crate::rating::current_rating(&file.ratings).map(|c| c.to);
    file.ratings.push(RatingChange {
        id: RatingChangeId::from_time_and_random(file.ratings.len() as u64 + 100, [7; 10]),
        person_id: file.person.id,
        from,
        to,
        reason: long("Discussed at the DSR meeting"),
        by: short("DSR meeting"),
        at: at(on),
        source: RatingSource::DsrMeeting,
    });
}

fn admitted(file: &mut PersonFile, on: NaiveDate, out_of_area: bool) -> AdmissionId {
    let id = AdmissionId::from_time_and_random(file.admissions.len() as u64 + 200, [8; 10]);
    file.admissions.push(Admission {
        id,
        person_id: file.person.id,
        hospital: short("Example Hospital"),
        admitted_on: on,
        secure: false,
        out_of_area,
        community_review_before: false,
        discharged_on: None,
        oversight_visits: Vec::new(),
    });
    id
}

fn held(file: &mut PersonFile, kind: ReviewKind, on: NaiveDate, admission: Option<AdmissionId>, shared_on: NaiveDate) {
    file.reviews.push(Review {
        id: ReviewId::from_time_and_random(file.reviews.len() as u64 + 300, [9; 10]),
        person_id: file.person.id,
        kind,
        name: ReviewName::Cetr,
        status: ReviewStatus::ReportShared,
        requested_on: on - chrono::Days::new(21),
        admission_id: admission,
        meeting_on: Some(on),
        place: None,
        format: None,
        panel: Panel::default(),
        attendees: Vec::new(),
        papers_sent_on: None,
        verbal_feedback_given: true,
        report_shared: vec![ReportShare { to: short("Family"), on: shared_on }],
        report_versions: Vec::new(),
        kloe_version: None,
        papers: Vec::new(),
    });
}

fn referred(file: &mut PersonFile, on: NaiveDate, contacted: Option<NaiveDate>, accepted: Option<NaiveDate>) {
    file.referrals.push(Referral {
        id: ReferralId::from_time_and_random(file.referrals.len() as u64 + 400, [10; 10]),
        person_id: file.person.id,
        route: ReferralRoute::SelfReferral { by: short("Mum"), relationship: short("Mother"), contact: None },
        reason: long("Struggling at school"),
        submitted_on: on,
        contacted_on: contacted,
        triage: accepted.map(|d| Triage { outcome: TriageOutcome::Accepted, decided_on: d, by: short("DSR meeting") }),
        family_told_on: None,
    });
}

fn action(file: &mut PersonFile, owner: &str, due: NaiveDate) {
    file.actions.push(Action {
        id: ActionId::from_time_and_random(file.actions.len() as u64 + 500, [11; 10]),
        review_id: None,
        meeting_id: None,
        person_id: file.person.id,
        recommendation_id: None,
        description: long("Arrange a sensory assessment"),
        owner: short(owner),
        due_on: due,
        status: ActionStatus::Open,
        updates: Vec::new(),
        family_disagreement: None,
    });
}

/// Five people over the first half of 2026 (see each's comment); the figures are for January to June,
/// looked at on 15 July.
fn area() -> Vec<PersonFile> {
    // A: a child, self-referred on 2 January, contacted on the 5th, accepted on the 10th (Amber), Red on
    // 15 March, admitted out of area on 1 April with no community review before; the post-admission
    // review held on 8 April and its report sent on the 20th; an oversight visit on 10 May, none after.
    let mut a = person(1, day(2014, 5, 1), RegisterStatus::OnRegister { since: day(2026, 1, 10) });
    referred(&mut a, day(2026, 1, 2), Some(day(2026, 1, 5)), Some(day(2026, 1, 10)));
    rated(&mut a, Rating::Amber, day(2026, 1, 10));
    rated(&mut a, Rating::Red, day(2026, 3, 15));
    rated(&mut a, Rating::Blue, day(2026, 4, 1));
    let stay = admitted(&mut a, day(2026, 4, 1), true);
    a.admissions[0].oversight_visits.push(day(2026, 5, 10));
    held(&mut a, ReviewKind::PostAdmission, day(2026, 4, 8), Some(stay), day(2026, 4, 20));
    // B: an adult on the register since June 2025 (Green), Amber on 10 February; a community review held
    // on 20 February (its report sent a month later: late); admitted near home on 1 March, discharged on
    // 15 May (Amber); two open actions: the social worker's overdue, the doctor's not.
    let mut b = person(2, day(1990, 2, 1), RegisterStatus::OnRegister { since: day(2025, 6, 1) });
    rated(&mut b, Rating::Green, day(2025, 6, 1));
    rated(&mut b, Rating::Amber, day(2026, 2, 10));
    held(&mut b, ReviewKind::Community, day(2026, 2, 20), None, day(2026, 3, 20));
    admitted(&mut b, day(2026, 3, 1), false);
    b.admissions[0].discharged_on = Some(day(2026, 5, 15));
    rated(&mut b, Rating::Blue, day(2026, 3, 1));
    rated(&mut b, Rating::Amber, day(2026, 5, 15));
    b.person.professionals.push(Professional {
        name: short("Sam Social"),
        role: short("Social worker"),
        team: Some(short("Council social care")),
        contact: None,
    });
    action(&mut b, "Sam Social", day(2026, 7, 1));
    action(&mut b, "Dr Lee", day(2026, 8, 1));
    // C: a young person referred on 10 June, not contacted or decided yet; a keyworker referral offered on
    // 12 June and declined on the 20th.
    let mut c = person(3, day(2011, 9, 1), RegisterStatus::Referred);
    referred(&mut c, day(2026, 6, 10), None, None);
    c.person.keyworker_referral_offered = Some(day(2026, 6, 12));
    c.person.keyworker_referral_declined = Some(day(2026, 6, 20));
    // D: a child on the register from 1 February (Green), offered a keyworker on 1 March who now has one;
    // left the register on 31 May.
    let mut d =
        person(4, day(2016, 1, 1), RegisterStatus::Left { on: day(2026, 5, 31), reason: LeaveReason::RiskGone });
    rated(&mut d, Rating::Green, day(2026, 2, 1));
    d.person.keyworker_referral_offered = Some(day(2026, 3, 1));
    d.person.keyworker =
        Some(Professional { name: short("Kim Keyworker"), role: short("Keyworker"), team: None, contact: None });
    // E: an adult on the register from 1 January (Red), admitted on 1 May with no community review before,
    // and no post-admission review held (it was due within 4 weeks).
    let mut e = person(5, day(1985, 1, 1), RegisterStatus::OnRegister { since: day(2026, 1, 1) });
    rated(&mut e, Rating::Red, day(2026, 1, 1));
    admitted(&mut e, day(2026, 5, 1), false);
    rated(&mut e, Rating::Blue, day(2026, 5, 1));
    vec![a, b, c, d, e]
}

const TODAY: (i32, u32, u32) = (2026, 7, 15);

fn first_half(age: Option<AgeGroup>) -> Filters {
    Filters { age, from: day(2026, 1, 1), to: day(2026, 6, 30) }
}

fn counts(red: usize, amber: usize, green: usize, blue: usize) -> ByRating {
    ByRating { red, amber, green, blue, not_rated: 0 }
}

#[test]
fn the_register_by_rating_at_each_month_end_follows_the_rating_history() {
    let files = area();
    let today = day(TODAY.0, TODAY.1, TODAY.2);
    let board = dashboard(&files, &AreaPolicy::default(), &first_half(None), today);
    let ends: Vec<(NaiveDate, ByRating)> = vec![
        (day(2026, 1, 31), counts(1, 1, 1, 0)),
        (day(2026, 2, 28), counts(1, 2, 1, 0)),
        (day(2026, 3, 31), counts(2, 0, 1, 1)),
        (day(2026, 4, 30), counts(1, 0, 1, 2)),
        // D left on 31 May: not on the register at the end of that day.
        (day(2026, 5, 31), counts(0, 1, 0, 2)),
        (day(2026, 6, 30), counts(0, 1, 0, 2)),
    ];
    assert_eq!(board.month_ends, ends);
    // A referral declined after a rating was recorded while it waited was never on the register.
    let mut declined =
        person(6, day(2012, 1, 1), RegisterStatus::Left { on: day(2026, 3, 1), reason: LeaveReason::ReferralDeclined });
    rated(&mut declined, Rating::Amber, day(2026, 2, 1));
    assert_eq!(register_by_rating(&[declined], None, day(2026, 2, 28)).total(), 0);
    // The range ends before today: "now" is its last day.
    assert_eq!(board.now, (day(2026, 6, 30), counts(0, 1, 0, 2)));
    // Children only: A and D.
    let children = dashboard(&files, &AreaPolicy::default(), &first_half(Some(AgeGroup::Child)), today);
    let ends: Vec<ByRating> = children.month_ends.iter().map(|(_, c)| *c).collect();
    assert_eq!(
        ends,
        vec![
            counts(0, 1, 0, 0),
            counts(0, 1, 1, 0),
            counts(1, 0, 1, 0),
            counts(0, 0, 1, 1),
            counts(0, 0, 0, 1),
            counts(0, 0, 0, 1)
        ]
    );
}

#[test]
fn admissions_discharges_and_who_is_in_hospital() {
    let files = area();
    let today = day(TODAY.0, TODAY.1, TODAY.2);
    let board = dashboard(&files, &AreaPolicy::default(), &first_half(None), today);
    let months: Vec<(u32, usize, usize)> =
        board.admissions.iter().map(|m| (m.month.month(), m.admissions, m.discharges)).collect();
    assert_eq!(months, vec![(1, 0, 0), (2, 0, 0), (3, 1, 0), (4, 1, 0), (5, 1, 1), (6, 0, 0)]);
    // On 30 June: A since 1 April (90 days), E since 1 May (60 days); A out of area.
    assert_eq!(
        board.inpatients,
        Inpatients {
            on: Some(day(2026, 6, 30)),
            count: 2,
            out_of_area: 1,
            median_days: Some(75.0),
            longest_days: Some(90),
            bands: [2, 0, 0, 0],
        }
    );
    // A stay of three months to the day moves to the next band.
    assert_eq!(inpatients(&files, None, day(2026, 7, 1)).bands, [1, 1, 0, 0]);
    // Adults only: E's admission and B's (with its discharge).
    let adults = admissions_by_month(&files, &first_half(Some(AgeGroup::Adult)));
    let totals: (usize, usize) = adults.iter().fold((0, 0), |t, m| (t.0 + m.admissions, t.1 + m.discharges));
    assert_eq!(totals, (2, 1));
}

#[test]
fn referrals_and_how_fast_they_were_answered() {
    let files = area();
    let found = referrals(&files, &first_half(None), day(TODAY.0, TODAY.1, TODAY.2));
    assert_eq!(found.received, 2);
    assert_eq!((found.contacted, found.waiting_for_contact, found.median_days_to_contact), (1, 1, Some(3.0)));
    assert_eq!(
        (found.accepted, found.declined, found.waiting_for_decision, found.median_days_to_decision),
        (1, 0, 1, Some(8.0))
    );
    let by_month: Vec<usize> = found.by_month.iter().map(|(_, n)| *n).collect();
    assert_eq!(by_month, vec![1, 0, 0, 0, 0, 1]);
    // Looked at on 4 January: A was contacted but not yet decided.
    let early = Filters { age: None, from: day(2026, 1, 1), to: day(2026, 1, 31) };
    let then = referrals(&files, &early, day(2026, 1, 6));
    assert_eq!((then.contacted, then.waiting_for_decision), (1, 1));
}

#[test]
fn reviews_reports_and_visits_on_time_follow_the_area_policy() {
    let files = area();
    let policy = AreaPolicy::default();
    let today = day(TODAY.0, TODAY.1, TODAY.2);
    let filters = first_half(None);
    // B's admission came after a community review; A's and E's did not.
    assert_eq!(community_review_before_admission(&files, &policy, &filters), Share { met: 1, missed: 2 });
    // A's post-admission review was held in time; E's never was (due within 4 weeks of 1 May).
    assert_eq!(post_admission_reviews_on_time(&files, &policy, &filters, today), Share { met: 1, missed: 1 });
    // A's report went 12 days after the meeting; B's a month after.
    assert_eq!(reports_on_time(&files, &policy, &filters, today), Share { met: 1, missed: 1 });
    // A (out of area): the visit due 13 May came on 10 May; the next, due six weeks later, never came.
    // B and E were in hospital near home: no visits due under the default policy.
    assert_eq!(oversight_visits_on_time(&files, &policy, &filters, today), Share { met: 1, missed: 1 });
    // An area visiting everyone in hospital counts E's and B's stays too: B's first visit fell due on
    // 26 April (8 weeks) before the discharge; E's on 26 June.
    let everyone = AreaPolicy {
        oversight_visits: crate::policy::OversightPolicy { out_of_area_only: false, ..Default::default() },
        ..AreaPolicy::default()
    };
    assert_eq!(oversight_visits_on_time(&files, &everyone, &filters, today), Share { met: 1, missed: 3 });
    // A deadline not passed yet is left out: looked at on 3 May, E's review is not yet due.
    let to_may = Filters { age: None, from: day(2026, 1, 1), to: day(2026, 5, 3) };
    assert_eq!(post_admission_reviews_on_time(&files, &policy, &to_may, day(2026, 5, 3)), Share { met: 1, missed: 0 });
    assert_eq!(Share { met: 9, missed: 1 }.words(), "9 of 10 (90%)");
    assert_eq!(Share::default().percent(), None);
}

#[test]
fn open_actions_by_owner_and_agency_and_keyworker_referrals() {
    let files = area();
    let today = day(TODAY.0, TODAY.1, TODAY.2);
    let found = open_actions(&files, None, today);
    assert_eq!((found.open, found.overdue), (2, 1));
    let owners: Vec<(&str, usize, usize)> =
        found.by_owner.iter().map(|t| (t.name.as_str(), t.open, t.overdue)).collect();
    assert_eq!(owners, vec![("Sam Social", 1, 1), ("Dr Lee", 1, 0)]);
    let agencies: Vec<(&str, usize, usize)> =
        found.by_agency.iter().map(|t| (t.name.as_str(), t.open, t.overdue)).collect();
    assert_eq!(agencies, vec![("Council social care", 1, 1), (AGENCY_NOT_RECORDED, 1, 0)]);
    // Children only: nobody's.
    assert_eq!(open_actions(&files, Some(AgeGroup::Child), today).open, 0);
    let keyworker = keyworker_referrals(&files, &first_half(None));
    assert_eq!(keyworker, KeyworkerReferrals { offered: 2, accepted: 1, declined: 1, with_keyworker: 1 });
}

#[test]
fn filters_are_read_from_a_form_and_refused_when_they_make_no_sense() {
    let ok = Filters::parse("2026-01-01", "2026-06-30", "young_person").unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(ok, Filters { age: Some(AgeGroup::YoungPerson), from: day(2026, 1, 1), to: day(2026, 6, 30) });
    assert_eq!(ok.describe(), "Young people (13 to 17), 1 January 2026 to 30 June 2026");
    assert_eq!(Filters::parse("2026-01-01", "2026-06-30", "").map(|f| f.age), Ok(None));
    for (from, to, age, field) in [
        ("1 Jan", "2026-06-30", "", "from"),
        ("2026-07-01", "2026-06-30", "", "to"),
        ("2010-01-01", "2026-06-30", "", "from"),
        ("2026-01-01", "2026-06-30", "elderly", "age"),
    ] {
        let errors = Filters::parse(from, to, age).err().unwrap_or_else(|| panic!("{from} {to} {age} accepted"));
        assert!(errors.message_for(field).is_some(), "{field}: {errors:?}");
    }
    assert_eq!(
        Filters::last_twelve_months(day(2026, 12, 3)),
        Filters { age: None, from: day(2026, 1, 1), to: day(2026, 12, 3) }
    );
    assert_eq!(month_ends(day(2026, 1, 15), day(2026, 3, 30)), vec![day(2026, 1, 31), day(2026, 2, 28)]);
    assert_eq!(months(day(2026, 1, 15), day(2026, 3, 1)), vec![day(2026, 1, 1), day(2026, 2, 1), day(2026, 3, 1)]);
}

#[test]
fn every_measure_has_a_title_a_definition_and_a_source() {
    for measure in Measure::ALL {
        assert!(!measure.title().is_empty() && measure.definition().len() > 80 && !measure.source().is_empty());
    }
}

#[test]
fn the_aggregate_return_counts_without_identifying_anyone_and_hides_small_numbers() {
    let files = area();
    let figures = aggregate::aggregate_return(&files, day(2026, 3, 31), &crate::policy::ReturnPolicy::default());
    let row = |breakdown: &str, category: &str| -> String {
        figures
            .rows
            .iter()
            .find(|r| r.breakdown == breakdown && r.category == category)
            .map(|r| r.figure.clone())
            .unwrap_or_else(|| panic!("no {breakdown} / {category}"))
    };
    // Four people at the end of March: a total of 4 is hidden like any count below 5.
    assert_eq!(row("All", "People on the register"), "*");
    assert_eq!(row("Rating", "Red"), "*");
    assert_eq!(row("Rating", "Amber"), "0");
    assert_eq!(row("Inpatient status", "In a mental health hospital"), "*");
    let exact = crate::policy::ReturnPolicy { suppress_below: 1, round_totals_to: 1 };
    let exact = aggregate::aggregate_return(&files, day(2026, 3, 31), &exact);
    let figure = |breakdown: &str, category: &str| -> String {
        exact
            .rows
            .iter()
            .find(|r| r.breakdown == breakdown && r.category == category)
            .map(|r| r.figure.clone())
            .unwrap_or_default()
    };
    assert_eq!(figure("All", "People on the register"), "4");
    assert_eq!(figure("Rating", "Red"), "2");
    assert_eq!(figure("Age band", "Children (under 13)"), "2");
    assert_eq!(figure("Diagnosis", "Diagnosis not yet known"), "4");
    assert_eq!(figure("Inpatient status", "In a mental health hospital"), "1");
    assert_eq!(figure("Inpatient status", "In the community"), "3");
    // Nothing in it names anyone: no name, date of birth or NHS number of anyone in the area.
    let text = format!("{:?}", export::return_table(&exact).to_csv());
    for file in &files {
        assert!(!text.contains(file.person.family_name.as_str()));
        assert!(!text.contains(&file.person.date_of_birth.to_string()));
    }
}

#[test]
fn the_register_and_follow_up_downloads_hold_the_filtered_people_and_their_actions() {
    let files = area();
    let policy = AreaPolicy::default();
    let today = day(TODAY.0, TODAY.1, TODAY.2);
    let all = export::register_table(&files, &policy, &export::ExportFilters::default(), today);
    assert_eq!(all.rows.len(), 5);
    assert_eq!(all.columns.len(), all.rows[0].len());
    let on_register = export::ExportFilters {
        status: Some(crate::register::StatusFilter::OnRegister),
        ratings: vec![Some(Rating::Blue)],
        ..Default::default()
    };
    let blue = export::register_table(&files, &policy, &on_register, today);
    let names: Vec<String> = blue.rows.iter().map(|r| r[0].csv()).collect();
    assert_eq!(names, vec!["Person1", "Person5"]);
    let csv = blue.to_csv().unwrap_or_default();
    assert!(csv.starts_with("Family name,Given name,NHS number,Date of birth,Age,"), "{csv}");
    assert!(csv.contains("Person1,Alex,,2014-05-01,12,Children (under 13)"), "{csv}");
    let follow_up = export::follow_up_table(&files, &policy, &export::ExportFilters::default(), today);
    let lines: Vec<(String, String, String)> =
        follow_up.rows.iter().map(|r| (r[0].csv(), r[1].csv(), r[7].csv())).collect();
    assert_eq!(
        lines,
        vec![
            ("Dr Lee".into(), AGENCY_NOT_RECORDED.into(), "No".into()),
            ("Sam Social".into(), "Council social care".into(), "Yes".into())
        ]
    );
    let overdue = export::ExportFilters { overdue_only: true, ..Default::default() };
    assert_eq!(export::follow_up_table(&files, &policy, &overdue, today).rows.len(), 1);
}

/// A person with a random history: born in 1980-2024, joined (accepted, then rated) somewhere in
/// 2024-2026, rated again a few times, perhaps left, perhaps admitted.
fn any_file() -> impl Strategy<Value = PersonFile> {
    (
        0u64..1_000_000,
        0i64..16_000,
        0i64..1_000,
        proptest::collection::vec((0i64..120, 0usize..4), 0..5),
        proptest::option::of(0i64..600),
        proptest::option::of((0i64..900, proptest::option::of(0i64..200))),
    )
        .prop_map(|(n, born, joined, changes, left_after, stay)| {
            let start = day(2024, 1, 1);
            let born = day(1980, 1, 1) + chrono::Days::new(born as u64);
            let joined = start + chrono::Days::new(joined as u64);
            let status = match left_after {
                Some(after) => RegisterStatus::Left {
                    on: joined + chrono::Days::new(after as u64 + 1),
                    reason: LeaveReason::RiskGone,
                },
                None => RegisterStatus::OnRegister { since: joined },
            };
            let mut file = person(n, born.min(day(2024, 12, 31)), status);
            let mut on = joined;
            rated(&mut file, Rating::Green, on);
            for (gap, rating) in changes {
                on = on + chrono::Days::new(gap as u64);
                rated(&mut file, Rating::ALL[rating], on);
            }
            if let Some((after, length)) = stay {
                let admitted_on = start + chrono::Days::new(after as u64);
                admitted(&mut file, admitted_on, after % 2 == 0);
                file.admissions[0].discharged_on = length.map(|l| admitted_on + chrono::Days::new(l as u64 + 1));
            }
            file
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Per-rating counts add up to the people on the register at every month end, and the age bands split
    /// them exactly.
    #[test]
    fn counts_by_rating_add_up_to_the_register_and_split_by_age(files in proptest::collection::vec(any_file(), 0..40)) {
        for end in month_ends(day(2024, 1, 1), day(2026, 12, 31)) {
            let all = register_by_rating(&files, None, end);
            let on = files.iter().filter(|f| on_register_on(f, end)).count();
            prop_assert_eq!(all.total(), on);
            let mut bands = ByRating::default();
            for band in AgeGroup::ALL {
                let some = register_by_rating(&files, Some(band), end);
                for rating in RATING_ORDER {
                    for _ in 0..some.get(rating) { bands.add(rating); }
                }
            }
            prop_assert_eq!(bands, all);
        }
    }

    /// From one month end to the next, the register grows by those who joined in between and shrinks
    /// by those who left (someone who joined and left in the same month is in neither).
    #[test]
    fn month_end_counts_reconcile_with_joining_and_leaving(files in proptest::collection::vec(any_file(), 0..40)) {
        let ends = month_ends(day(2024, 1, 1), day(2026, 12, 31));
        for pair in ends.windows(2) {
            let (before, after) = (pair[0], pair[1]);
            let left_on = |f: &PersonFile| match f.person.register_status {
                RegisterStatus::Left { on, .. } => Some(on),
                _ => None,
            };
            let joined = files.iter().filter(|f| {
                joined_on(f).is_some_and(|j| j > before && j <= after) && left_on(f).is_none_or(|l| l > after)
            }).count();
            let left = files.iter().filter(|f| {
                joined_on(f).is_some_and(|j| j <= before) && left_on(f).is_some_and(|l| l > before && l <= after)
            }).count();
            let change = register_by_rating(&files, None, after).total() as i64 - register_by_rating(&files, None, before).total() as i64;
            prop_assert_eq!(change, joined as i64 - left as i64);
        }
    }

    /// Today's counts are the register list's: the same people, the same current ratings.
    #[test]
    fn todays_counts_are_the_register_lists(files in proptest::collection::vec(any_file(), 0..40)) {
        let today = day(2029, 1, 1);
        let policy = AreaPolicy::default();
        let rows: Vec<crate::register::RegisterRow> = files
            .iter()
            .map(|f| crate::register::RegisterRow::of(f, &policy, today))
            .filter(|r| r.status == crate::register::StatusFilter::OnRegister)
            .collect();
        let list = crate::register::RatingCounts::of(&rows);
        let counted = register_by_rating(&files, None, today);
        for rating in RATING_ORDER {
            prop_assert_eq!(counted.get(rating), list.get(rating));
        }
        // In hospital on a day: never more than on the register or than admissions open that day.
        let inpatients = inpatients(&files, None, today);
        prop_assert!(inpatients.bands.iter().sum::<usize>() == inpatients.count);
    }
}
