use chrono::{DateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::action::ActionStatus;
use crate::consent::GivenBy;
use crate::person::{LeaveReason, PersonName, Professional};
use crate::rating::RatingSource;
use crate::referral::{ReferralRoute, Triage, TriageOutcome};
use crate::review::{Panel, ReviewName};
use crate::test_support::{day, long, short};
use crate::{ConsentId, PersonId, RatingChangeId};

fn at(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(10, 0, 0).unwrap_or_default())
}

fn id_bytes(n: u8) -> [u8; 10] {
    [n; 10]
}

/// Someone on the register since 1 September 2026, with register consent, born on `born`.
fn file(born: NaiveDate) -> PersonFile {
    let name = |s: &str| PersonName::parse(s).unwrap_or_else(|e| panic!("{e}"));
    let mut person =
        Person::new(PersonId::from_time_and_random(1, id_bytes(1)), name("Alex"), name("Example"), born, None);
    person.register_status = RegisterStatus::OnRegister { since: day(2026, 9, 1) };
    let mut file = PersonFile::new(person);
    file.consents.push(consent(ConsentScope::Register, None, day(2026, 9, 1)));
    file
}

fn consent(scope: ConsentScope, review_id: Option<ReviewId>, given_on: NaiveDate) -> Consent {
    Consent {
        id: ConsentId::from_time_and_random(2, id_bytes(2)),
        person_id: PersonId::from_time_and_random(1, id_bytes(1)),
        scope,
        review_id,
        given_by: GivenBy::ThePerson { gillick_competent: true },
        given_on,
        withdrawn_on: None,
        recorded_by: short("Coordinator"),
    }
}

fn rated(file: &mut PersonFile, to: Rating, on: NaiveDate, source: RatingSource) {
    let from = current_rating(&file.ratings).map(|c| c.to);
    file.ratings.push(RatingChange {
        id: RatingChangeId::from_time_and_random(file.ratings.len() as u64 + 10, id_bytes(3)),
        person_id: file.person.id,
        from,
        to,
        reason: long("Discussed at the DSR meeting"),
        by: short("DSR meeting"),
        at: at(on),
        source,
    });
}

fn admitted(
    file: &mut PersonFile,
    on: NaiveDate,
    out_of_area: bool,
    secure: bool,
    community_review_before: bool,
) -> AdmissionId {
    let id = AdmissionId::from_time_and_random(file.admissions.len() as u64 + 20, id_bytes(4));
    file.admissions.push(Admission {
        id,
        person_id: file.person.id,
        hospital: short("Example Hospital"),
        admitted_on: on,
        secure,
        out_of_area,
        community_review_before,
        discharged_on: None,
        oversight_visits: Vec::new(),
    });
    id
}

fn review(kind: ReviewKind, status: ReviewStatus, requested_on: NaiveDate, meeting_on: Option<NaiveDate>) -> Review {
    Review {
        id: ReviewId::from_time_and_random(requested_on.to_epoch_days() as u64, id_bytes(5)),
        person_id: PersonId::from_time_and_random(1, id_bytes(1)),
        kind,
        name: ReviewName::Cetr,
        status,
        requested_on,
        admission_id: None,
        meeting_on,
        place: None,
        format: None,
        panel: Panel {
            chair: Some(short("Chair")),
            clinical_expert: Some(short("CE")),
            expert_by_experience: Some(short("EbE")),
        },
        attendees: Vec::new(),
        papers_sent_on: None,
        verbal_feedback_given: true,
        report_shared: Vec::new(),
    }
}

fn rules(items: &[DueItem]) -> Vec<DueRule> {
    items.iter().map(|i| i.rule).collect()
}

fn item(items: &[DueItem], rule: DueRule) -> DueItem {
    items.iter().find(|i| i.rule == rule).cloned().unwrap_or_else(|| panic!("no {rule:?} in {items:#?}"))
}

const CHILD: (i32, u32, u32) = (2012, 3, 1);
const ADULT: (i32, u32, u32) = (1995, 3, 1);

#[test]
fn a_settled_person_with_consent_has_nothing_due() {
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    f.person.keyworker = Some(Professional { name: short("Kim"), role: short("Keyworker"), team: None, contact: None });
    rated(&mut f, Rating::Green, day(2026, 9, 8), RatingSource::DsrMeeting);
    assert_eq!(due_items(&f, &AreaPolicy::default(), day(2026, 11, 25)), Vec::new());
}

#[test]
fn red_without_a_review_needs_a_cetr_until_one_is_requested() {
    let policy = AreaPolicy::default();
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    f.person.keyworker_referral_offered = Some(day(2026, 9, 2));
    rated(&mut f, Rating::Red, day(2026, 11, 2), RatingSource::DsrMeeting);
    let items = due_items(&f, &policy, day(2026, 11, 25));
    let red = item(&items, DueRule::CetrForRed);
    assert_eq!((red.since, red.due_on, red.overdue), (day(2026, 11, 2), day(2026, 11, 16), true));
    f.reviews.push(review(ReviewKind::Community, ReviewStatus::Requested, day(2026, 11, 20), None));
    assert!(!rules(&due_items(&f, &policy, day(2026, 11, 25))).contains(&DueRule::CetrForRed));
}

#[test]
fn keyworker_referral_is_offered_to_under_25s_at_the_policys_ratings() {
    let mut policy = AreaPolicy::default();
    let mut child = file(day(CHILD.0, CHILD.1, CHILD.2));
    rated(&mut child, Rating::Amber, day(2026, 10, 1), RatingSource::RiskTool);
    assert!(rules(&due_items(&child, &policy, day(2026, 11, 25))).contains(&DueRule::KeyworkerReferral));
    let mut adult = file(day(1990, 1, 1));
    rated(&mut adult, Rating::Amber, day(2026, 10, 1), RatingSource::RiskTool);
    assert!(!rules(&due_items(&adult, &policy, day(2026, 11, 25))).contains(&DueRule::KeyworkerReferral));
    // Some areas: Red, Amber or Blue only.
    policy.keyworker.ratings = vec![Rating::Red, Rating::Amber, Rating::Blue];
    let mut green = file(day(CHILD.0, CHILD.1, CHILD.2));
    rated(&mut green, Rating::Green, day(2026, 10, 1), RatingSource::RiskTool);
    assert!(!rules(&due_items(&green, &policy, day(2026, 11, 25))).contains(&DueRule::KeyworkerReferral));
}

#[test]
fn a_child_admitted_without_a_community_review_has_one_within_ten_working_days() {
    let policy = AreaPolicy::default();
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    admitted(&mut f, day(2026, 4, 1), false, false, false);
    let items = due_items(&f, &policy, day(2026, 4, 2));
    // Good Friday 3 April and Easter Monday 6 April are not working days.
    assert_eq!(item(&items, DueRule::PostAdmissionReview).due_on, day(2026, 4, 17));
    assert!(!rules(&items).contains(&DueRule::OversightVisit), "in area: no oversight visits by default");
    assert!(!rules(&items).contains(&DueRule::InpatientReview), "the post-admission review comes first");
}

#[test]
fn an_adult_has_a_post_admission_review_within_four_weeks() {
    let mut f = file(day(ADULT.0, ADULT.1, ADULT.2));
    admitted(&mut f, day(2026, 4, 1), false, false, false);
    let items = due_items(&f, &AreaPolicy::default(), day(2026, 4, 2));
    assert_eq!(item(&items, DueRule::PostAdmissionReview).due_on, day(2026, 4, 29));
}

#[test]
fn an_area_can_use_the_interim_five_working_days() {
    let policy =
        AreaPolicy::from_toml("[reviews]\npost_admission_child = \"5 working days\"").unwrap_or_else(|e| panic!("{e}"));
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    admitted(&mut f, day(2026, 4, 1), false, false, false);
    assert_eq!(item(&due_items(&f, &policy, day(2026, 4, 2)), DueRule::PostAdmissionReview).due_on, day(2026, 4, 10));
}

#[test]
fn inpatient_reviews_repeat_every_three_months_for_children_and_yearly_for_secure_adults() {
    let policy = AreaPolicy::default();
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    let admission = admitted(&mut f, day(2026, 4, 1), false, false, false);
    let mut post =
        review(ReviewKind::PostAdmission, ReviewStatus::ReportShared, day(2026, 4, 2), Some(day(2026, 4, 14)));
    post.admission_id = Some(admission);
    f.reviews.push(post);
    let items = due_items(&f, &policy, day(2026, 5, 1));
    assert!(!rules(&items).contains(&DueRule::PostAdmissionReview));
    assert_eq!(item(&items, DueRule::InpatientReview).due_on, day(2026, 7, 14));

    let mut secure = file(day(ADULT.0, ADULT.1, ADULT.2));
    let admission = admitted(&mut secure, day(2026, 4, 1), false, true, false);
    let mut post = review(ReviewKind::PostAdmission, ReviewStatus::Held, day(2026, 4, 2), Some(day(2026, 4, 20)));
    post.admission_id = Some(admission);
    secure.reviews.push(post);
    assert_eq!(item(&due_items(&secure, &policy, day(2026, 5, 1)), DueRule::InpatientReview).due_on, day(2027, 4, 20));
}

#[test]
fn a_child_admitted_after_a_community_review_has_a_repeat_within_six_weeks() {
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    admitted(&mut f, day(2026, 4, 1), false, false, true);
    let items = due_items(&f, &AreaPolicy::default(), day(2026, 4, 2));
    assert!(!rules(&items).contains(&DueRule::PostAdmissionReview));
    assert_eq!(item(&items, DueRule::InpatientReview).due_on, day(2026, 5, 13));
}

#[test]
fn oversight_visits_for_out_of_area_inpatients_every_six_or_eight_weeks() {
    let policy = AreaPolicy::default();
    let mut child = file(day(CHILD.0, CHILD.1, CHILD.2));
    admitted(&mut child, day(2026, 4, 1), true, false, true);
    assert_eq!(item(&due_items(&child, &policy, day(2026, 4, 2)), DueRule::OversightVisit).due_on, day(2026, 5, 13));
    child.admissions[0].oversight_visits.push(day(2026, 5, 10));
    assert_eq!(item(&due_items(&child, &policy, day(2026, 5, 11)), DueRule::OversightVisit).due_on, day(2026, 6, 21));
    let mut adult = file(day(ADULT.0, ADULT.1, ADULT.2));
    admitted(&mut adult, day(2026, 4, 1), true, false, true);
    assert_eq!(item(&due_items(&adult, &policy, day(2026, 4, 2)), DueRule::OversightVisit).due_on, day(2026, 5, 27));
}

#[test]
fn a_discharged_person_has_no_inpatient_items() {
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    admitted(&mut f, day(2026, 4, 1), true, false, false);
    f.admissions[0].discharged_on = Some(day(2026, 4, 20));
    let items = due_items(&f, &AreaPolicy::default(), day(2026, 5, 1));
    assert!(items.iter().all(|i| i.admission_id.is_none()), "{items:#?}");
}

#[test]
fn an_arranged_review_needs_consent_and_papers_then_a_report_within_two_weeks() {
    let policy = AreaPolicy::default();
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    let r = review(ReviewKind::Community, ReviewStatus::Requested, day(2026, 11, 2), Some(day(2026, 12, 10)));
    let review_id = r.id;
    f.reviews.push(r);
    let items = due_items(&f, &policy, day(2026, 11, 25));
    assert_eq!(item(&items, DueRule::ReviewArrangements).due_on, day(2026, 11, 26));
    assert_eq!(item(&items, DueRule::ReviewConsent).due_on, day(2026, 12, 9));
    assert_eq!(item(&items, DueRule::PapersToPanel).due_on, day(2026, 12, 9));

    f.consents.push(consent(ConsentScope::Review, Some(review_id), day(2026, 11, 20)));
    f.reviews[0].status = ReviewStatus::Arranged;
    f.reviews[0].papers_sent_on = Some(day(2026, 12, 8));
    assert_eq!(due_items(&f, &policy, day(2026, 12, 9)), Vec::new());

    f.reviews[0].status = ReviewStatus::Held;
    let report = item(&due_items(&f, &policy, day(2026, 12, 28)), DueRule::ReportToFamily);
    assert_eq!((report.due_on, report.overdue), (day(2026, 12, 24), true));
}

#[test]
fn arrangements_made_late_are_due_from_the_request_not_before_it() {
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    f.reviews.push(review(ReviewKind::Community, ReviewStatus::Requested, day(2026, 12, 5), Some(day(2026, 12, 10))));
    let arrangements = item(&due_items(&f, &AreaPolicy::default(), day(2026, 12, 5)), DueRule::ReviewArrangements);
    assert_eq!(
        (arrangements.since, arrangements.due_on, arrangements.overdue),
        (day(2026, 12, 5), day(2026, 12, 5), false)
    );
}

#[test]
fn referrals_are_triaged_and_families_told() {
    let policy = AreaPolicy::default();
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    f.person.register_status = RegisterStatus::Referred;
    f.referrals.push(Referral {
        id: ReferralId::from_time_and_random(1, id_bytes(6)),
        person_id: f.person.id,
        route: ReferralRoute::SelfReferral { by: short("Pat Example"), relationship: short("Mother"), contact: None },
        reason: long("We are frightened he will be sent away"),
        submitted_on: day(2026, 11, 11),
        contacted_on: None,
        triage: None,
        family_told_on: None,
    });
    let items = due_items(&f, &policy, day(2026, 11, 25));
    assert_eq!(item(&items, DueRule::ReferralTriage).due_on, day(2026, 12, 8));
    let contact = item(&items, DueRule::SelfReferralContact);
    assert_eq!((contact.due_on, contact.overdue), (day(2026, 11, 18), true));

    f.referrals[0].contacted_on = Some(day(2026, 11, 12));
    f.referrals[0].triage =
        Some(Triage { outcome: TriageOutcome::Accepted, decided_on: day(2026, 12, 8), by: short("DSR meeting") });
    assert_eq!(rules(&due_items(&f, &policy, day(2026, 12, 9))), vec![DueRule::FamilyToldOfDecision]);
}

#[test]
fn missing_or_withdrawn_register_consent_is_due_at_once() {
    let policy = AreaPolicy::default();
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    f.person.keyworker_referral_offered = Some(day(2026, 9, 1));
    f.consents.clear();
    let missing = item(&due_items(&f, &policy, day(2026, 11, 25)), DueRule::RegisterConsent);
    assert_eq!((missing.due_on, missing.overdue), (day(2026, 9, 1), true));
    let mut withdrawn = consent(ConsentScope::Register, None, day(2026, 9, 1));
    withdrawn.withdrawn_on = Some(day(2026, 11, 20));
    f.consents.push(withdrawn);
    assert_eq!(rules(&due_items(&f, &policy, day(2026, 11, 25))), vec![DueRule::ConsentWithdrawn]);
}

#[test]
fn leaving_the_register_sets_the_purge_date_twelve_months_on() {
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    f.person.register_status = RegisterStatus::Left { on: day(2026, 3, 31), reason: LeaveReason::RiskGone };
    let items = due_items(&f, &AreaPolicy::default(), day(2026, 11, 25));
    assert_eq!(rules(&items), vec![DueRule::RetentionPurge]);
    assert_eq!(items[0].due_on, day(2027, 3, 31));
}

#[test]
fn open_actions_show_when_overdue_and_leave_when_done() {
    let mut f = file(day(CHILD.0, CHILD.1, CHILD.2));
    f.person.keyworker_referral_offered = Some(day(2026, 9, 1));
    let mut held = review(ReviewKind::Community, ReviewStatus::ReportShared, day(2026, 10, 1), Some(day(2026, 10, 20)));
    held.report_shared.push(crate::review::ReportShare { to: short("Family"), on: day(2026, 10, 30) });
    let review_id = held.id;
    f.reviews.push(held);
    f.actions.push(Action {
        id: ActionId::from_time_and_random(1, id_bytes(7)),
        review_id,
        person_id: f.person.id,
        recommendation_id: None,
        description: long("Request an EHC needs assessment"),
        owner: short("School SENCo"),
        due_on: day(2026, 11, 20),
        status: ActionStatus::Open,
        updates: Vec::new(),
        family_disagreement: None,
    });
    let action = item(&due_items(&f, &AreaPolicy::default(), day(2026, 11, 25)), DueRule::ActionDue);
    assert!(action.overdue && action.reason.contains("School SENCo"));
    f.actions[0].status = ActionStatus::Done;
    assert!(due_items(&f, &AreaPolicy::default(), day(2026, 11, 25)).is_empty());
}

#[test]
fn every_rule_names_its_source() {
    for rule in [DueRule::CetrForRed, DueRule::PostAdmissionReview, DueRule::RetentionPurge, DueRule::ActionDue] {
        assert!(rule.source().contains("eed") || rule.source().contains("andbook"), "{rule:?}");
    }
}

/// A random but valid person file: ratings, an admission, a review and an action at random dates.
fn any_file() -> impl Strategy<Value = (PersonFile, NaiveDate)> {
    (
        0u64..(40 * 365),
        0u64..400,
        proptest::option::of((0u64..300, any::<bool>(), any::<bool>(), any::<bool>())),
        proptest::option::of((0u64..300, 0u64..60, 0usize..5)),
        proptest::option::of(0u64..400),
        0usize..4,
        0u64..500,
    )
        .prop_map(|(born, rated_days, admission, review_spec, action_due, rating, today_days)| {
            let start = day(2025, 1, 1);
            let mut f = file(start - chrono::Days::new(born + 365 * 4));
            let r = [Rating::Red, Rating::Amber, Rating::Green, Rating::Green][rating];
            rated(&mut f, r, start + chrono::Days::new(rated_days), RatingSource::DsrMeeting);
            if let Some((on, out_of_area, secure, before)) = admission {
                let id = admitted(&mut f, start + chrono::Days::new(on), out_of_area, secure, before);
                if let Some((req, gap, _)) = review_spec {
                    let requested = start + chrono::Days::new(req.max(on));
                    let mut rv = review(
                        ReviewKind::PostAdmission,
                        ReviewStatus::Held,
                        requested,
                        Some(requested + chrono::Days::new(gap)),
                    );
                    rv.admission_id = Some(id);
                    f.reviews.push(rv);
                }
            }
            if let Some((req, gap, status)) = review_spec {
                let statuses = [
                    ReviewStatus::Requested,
                    ReviewStatus::Arranged,
                    ReviewStatus::Held,
                    ReviewStatus::Cancelled,
                    ReviewStatus::Requested,
                ];
                let requested = start + chrono::Days::new(req);
                let mut rv = review(
                    ReviewKind::Community,
                    statuses[status],
                    requested,
                    Some(requested + chrono::Days::new(gap)),
                );
                rv.id = ReviewId::from_time_and_random(req + 1000, id_bytes(9));
                if let Some(due) = action_due {
                    f.actions.push(Action {
                        id: ActionId::from_time_and_random(due, id_bytes(8)),
                        review_id: rv.id,
                        person_id: f.person.id,
                        recommendation_id: None,
                        description: long("Do the thing"),
                        owner: short("Owner"),
                        due_on: requested + chrono::Days::new(gap + due),
                        status: ActionStatus::Open,
                        updates: Vec::new(),
                        family_disagreement: None,
                    });
                }
                f.reviews.push(rv);
            }
            (f, start + chrono::Days::new(today_days))
        })
}

proptest! {
    #[test]
    fn nothing_is_due_before_the_event_it_follows_and_overdue_means_before_today((f, today) in any_file()) {
        let items = due_items(&f, &AreaPolicy::default(), today);
        for i in &items {
            prop_assert!(i.due_on >= i.since, "{i:?}");
            prop_assert_eq!(i.overdue, i.due_on < today);
            prop_assert!(!i.reason.is_empty());
        }
        prop_assert!(items.windows(2).all(|w| w[0].due_on <= w[1].due_on), "soonest first");
    }

    #[test]
    fn person_files_round_trip_through_json((f, _today) in any_file()) {
        let json = serde_json::to_string(&f).unwrap_or_default();
        let back: PersonFile = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}"));
        prop_assert_eq!(back, f);
    }
}
