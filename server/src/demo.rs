//! The demo area: about fifty clearly fictional people, with NHS numbers from the 999 range that
//! the NHS keeps for testing (valid check digits, never issued to a patient). Deterministic, so
//! loading it twice adds nobody twice.

use chrono::{Days, NaiveDate};
use dsr_shared::access::Role;
use dsr_shared::action::{Action, ActionStatus, ActionUpdate, Recommendation};
use dsr_shared::consent::{ConsentScope, who_may_consent};
use dsr_shared::kloe::papers::PaperReceived;
use dsr_shared::kloe::{FindingMark, KeyQuestion, KloeFinding};
use dsr_shared::nhs_number::check_digit;
use dsr_shared::person::{LeaveReason, RegisterStatus};
use dsr_shared::planner::{FamilyViews, Helper, HelperRole, Planner, TakePart};
use dsr_shared::policy::AreaPolicy;
use dsr_shared::review::{Attendee, MeetingFormat, Panel, ReportShare, Review, ReviewKind, ReviewStatus, review_name};
use dsr_shared::sync::{FieldChange, Fields, Mutation, PushRequest, RecordKind, fields_of};
use dsr_shared::text::{LongText, ShortText, TextError};
use dsr_shared::{
    ActionId, AdmissionId, ClientId, KloeFindingId, NhsNumber, Person, PersonId, PersonName, RecommendationId,
    RecordId, ReviewId,
};
use serde_json::{Value, json};

use crate::accounts_store::NewUser;
use crate::passwords::hash_password;
use crate::{AppError, Clock, Store};

/// The demo area's own device id: its mutations have fixed seqs, so loading it again is answered
/// from the store and changes nothing.
pub const DEMO_CLIENT: &str = "00000000-0000-7000-8000-0000000de300";

/// The demo people as a push from the demo device: one create each (seq 1 to 50), then their other
/// records (seq 51 on): so the area shows every state: Red, Amber, Green and Blue people on the register
/// with consent, ratings and an admission; referrals waiting for the triage queue; people who left.
pub fn demo_push(today: NaiveDate) -> PushRequest {
    let client_id = DEMO_CLIENT.parse().unwrap_or_else(|_| ClientId::from_time_and_random(0, [0xde; 10]));
    let people = demo_people(today);
    let create = |seq: u64, id: RecordId, kind: RecordKind, fields: Fields| Mutation {
        seq,
        record_id: id,
        kind,
        base_version: None,
        changes: fields.into_iter().map(|(name, new)| (name, FieldChange { old: Value::Null, new })).collect(),
        delete: false,
        reason: None,
    };
    let mut mutations: Vec<Mutation> = people
        .iter()
        .enumerate()
        .map(|(i, person)| {
            create(i as u64 + 1, RecordId::from_uuid(person.id.as_uuid()), RecordKind::Person, fields_of(person))
        })
        .collect();
    for (i, person) in people.iter().enumerate() {
        let record = |n: u8| RecordId::from_time_and_random(1_704_067_200_000 + i as u64, [n; 10]);
        let mut add = |id: RecordId, kind: RecordKind, fields: Value| {
            let fields: Fields = serde_json::from_value(fields).unwrap_or_default();
            mutations.push(create(mutations.len() as u64 + 1, id, kind, fields));
        };
        let days_ago = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
        let person_id = person.id;
        if i < DEMO_ON_REGISTER {
            // Who consented follows their age on the day they did, by the area's policy.
            let ages = AreaPolicy::default().consent.ages(ConsentScope::Register);
            let who = who_may_consent(person.date_of_birth, days_ago(200), ages);
            let given_by = if who.the_person {
                json!({ "kind": "the_person", "gillick_competent": false })
            } else {
                json!({ "kind": "parental_responsibility", "name": format!("Parent of {}", person.given_name),
                        "relationship": "Parent", "child_agreed": who.child_must_agree.then_some(true) })
            };
            add(
                record(0xc0),
                RecordKind::Consent,
                json!({ "person_id": person_id, "scope": "register",
                "given_by": given_by, "given_on": days_ago(200), "recorded_by": "Jo Coordinator (demo)" }),
            );
            let (rating, why) = DEMO_RATINGS[i % DEMO_RATINGS.len()];
            let at = format!("{}T10:00:00Z", days_ago(30 + (i as u64 % 20)));
            if rating == "blue" {
                add(
                    record(0xad),
                    RecordKind::Admission,
                    json!({ "person_id": person_id, "hospital": "Northfield Hospital (fictional)",
                    "admitted_on": days_ago(30 + (i as u64 % 20)), "secure": false, "out_of_area": i % 2 == 0 }),
                );
                add(
                    record(0xab),
                    RecordKind::RatingChange,
                    json!({ "person_id": person_id, "from": "amber", "to": "blue",
                    "reason": why, "by": "Jo Coordinator (demo)", "at": at, "source": "admission" }),
                );
            } else {
                add(
                    record(0xab),
                    RecordKind::RatingChange,
                    json!({ "person_id": person_id, "to": rating,
                    "reason": why, "by": "Jo Coordinator (demo)", "at": at, "source": "dsr_meeting" }),
                );
            }
            let admission = (rating == "blue").then(|| AdmissionId::from_uuid(record(0xad).as_uuid()));
            for (kind, id, fields) in demo_review(person, i, admission, record, today).unwrap_or_default() {
                mutations.push(create(mutations.len() as u64 + 1, id, kind, fields));
            }
        } else if i < DEMO_ON_REGISTER + DEMO_REFERRED {
            let route = if i % 2 == 0 {
                json!({ "route": "self_referral", "by": format!("Parent of {}", person.given_name), "relationship": "Parent",
                        "contact": "07700 900000 (fictional)" })
            } else {
                json!({ "route": "professional", "consent_confirmed": true,
                        "referrer": { "name": "Rae Referrer (demo)", "role": "CAMHS clinician", "team": "Demo CAMHS" } })
            };
            add(
                record(0x7e),
                RecordKind::Referral,
                json!({ "person_id": person_id, "route": route,
                "reason": "Placement at risk; two crisis calls this month (fictional)", "submitted_on": days_ago(3 + i as u64 % 10) }),
            );
        }
    }
    PushRequest { client_id, mutations }
}

/// A review in a different state for some of the first people on the register, with what goes with it:
/// 0 held three weeks ago (planner, family views, findings, recommendations, actions, one overdue; the
/// report overdue); 1 arranged for three weeks' time (consent, a planner started); 3 (in hospital) a
/// post-admission review requested; 4 held two months ago, report shared, actions under way.
fn demo_review(
    person: &Person,
    index: usize,
    admission: Option<AdmissionId>,
    record: impl Fn(u8) -> RecordId,
    today: NaiveDate,
) -> Result<Vec<(RecordKind, RecordId, Fields)>, TextError> {
    let ago = |n: u64| today.checked_sub_days(Days::new(n)).unwrap_or(today);
    let ahead = |n: u64| today.checked_add_days(Days::new(n)).unwrap_or(today);
    let short = ShortText::parse;
    let long = LongText::parse;
    let policy = AreaPolicy::default();
    let (status, requested, meeting) = match index {
        0 => (ReviewStatus::Held, ago(40), Some(ago(21))),
        1 => (ReviewStatus::Arranged, ago(5), Some(ahead(21))),
        3 => (ReviewStatus::Requested, ago(2), None),
        4 => (ReviewStatus::ReportShared, ago(80), Some(ago(60))),
        _ => return Ok(Vec::new()),
    };
    let kind = if admission.is_some() { ReviewKind::PostAdmission } else { ReviewKind::Community };
    let review_id = ReviewId::from_uuid(record(0xe0).as_uuid());
    let held = matches!(status, ReviewStatus::Held | ReviewStatus::ReportShared);
    let review = Review {
        id: review_id,
        person_id: person.id,
        kind,
        name: review_name(person.age_on(today), person.in_education, person.education_placement_broken_down, &policy),
        status,
        requested_on: requested,
        admission_id: admission.filter(|_| kind.is_inpatient()),
        meeting_on: meeting,
        place: meeting.map(|_| short("Riverside Family Centre (fictional)")).transpose()?,
        format: meeting.map(|_| MeetingFormat::Both),
        panel: Panel {
            chair: meeting.map(|_| short("Dr Morgan Chair (demo)")).transpose()?,
            clinical_expert: meeting.map(|_| short("Kim Clinical (demo)")).transpose()?,
            expert_by_experience: meeting.map(|_| short("Lee Experience (demo)")).transpose()?,
        },
        attendees: vec![
            Attendee {
                name: short(&format!("Parent of {}", person.given_name))?,
                role: short("Parent")?,
                attended: held.then_some(true),
            },
            Attendee { name: short("Ali Advocate (demo)")?, role: short("Advocate")?, attended: held.then_some(true) },
            Attendee {
                name: short("Sam Keyworker (demo)")?,
                role: short("Keyworker")?,
                attended: held.then_some(false),
            },
        ],
        papers_sent_on: held.then(|| ago(if index == 0 { 22 } else { 61 })),
        verbal_feedback_given: held,
        report_shared: if status == ReviewStatus::ReportShared {
            vec![ReportShare { to: short("The family and everyone who took part")?, on: ago(50) }]
        } else {
            Vec::new()
        },
        // Shared before versions were kept: read as the live report.
        report_versions: Vec::new(),
        kloe_version: Some(1),
        // The papers the coordinator has had back (the rest still awaited).
        papers: match meeting {
            Some(_) => vec![
                PaperReceived {
                    paper: "planner".into(),
                    received: true,
                    from: Some(short(&format!("{} and Ali Advocate (demo)", person.given_name))?),
                    on: Some(requested),
                },
                PaperReceived {
                    paper: "crisis_plan".into(),
                    received: held,
                    from: Some(short("Community team (demo)")?),
                    on: held.then_some(requested),
                },
            ],
            None => Vec::new(),
        },
    };
    let mut records = vec![(RecordKind::Review, record(0xe0), fields_of(&review))];
    if index == 3 {
        return Ok(records);
    }
    // Who consented follows their age on the day, as for the register.
    let given_by = if person.age_on(requested) >= 16 {
        json!({ "kind": "the_person", "gillick_competent": false })
    } else {
        json!({ "kind": "parental_responsibility", "name": format!("Parent of {}", person.given_name),
                "relationship": "Parent", "child_agreed": null })
    };
    let consent = json!({ "person_id": person.id, "scope": "review", "review_id": review_id,
        "given_by": given_by, "given_on": requested, "recorded_by": "Jo Coordinator (demo)" });
    records.push((RecordKind::Consent, record(0xe1), serde_json::from_value(consent).unwrap_or_default()));
    // A review's planner and family views have ids that follow from the review's.
    let mut planner = Planner::new(Planner::id_for(review_id), review_id, person.id);
    planner.are_you_safe = Some(long("I feel safe at home. School is too loud.")?);
    planner.what_is_working = Some(long("Swimming on Saturdays helps. Waiting rooms do not.")?);
    planner.take_part = Some(TakePart::PartOnly);
    planner.who_with = Some(long("My mum and Ali")?);
    planner.communication_needs = Some(long("Pictures, short sentences, and time to answer")?);
    planner.helped_by = Some(Helper { name: short("Ali Advocate (demo)")?, role: HelperRole::Advocate });
    records.push((RecordKind::Planner, RecordId::from_uuid(planner.id.as_uuid()), fields_of(&planner)));
    if !held {
        return Ok(records);
    }
    let mut views = FamilyViews::new(
        FamilyViews::id_for(review_id),
        review_id,
        person.id,
        short(&format!("Parent of {}", person.given_name))?,
        short("Parent")?,
    );
    views.at_home = Some(long("Mornings before school are the hardest; evenings are calmer (fictional)")?);
    views.worries = Some(long("That another crisis ends in hospital again (fictional)")?);
    views.anything_else = Some(long("We are exhausted; we need a break at weekends (fictional)")?);
    records.push((RecordKind::FamilyViews, RecordId::from_uuid(views.id.as_uuid()), fields_of(&views)));
    // What the panel recorded against the lines of enquiry (the default set's keys).
    let found = [
        (
            KeyQuestion::IsThePersonSafe,
            "risk",
            FindingMark::Finding,
            "Safe at home with support; incidents at school (fictional)",
        ),
        (
            KeyQuestion::GoodCareNow,
            "adjustments",
            FindingMark::Concern,
            "No autism-informed plan at school (fictional)",
        ),
        (
            KeyQuestion::GoodCareNow,
            "family",
            FindingMark::GoodPractice,
            "A parent at every planning meeting (fictional)",
        ),
        (KeyQuestion::PlansForTheFuture, "good_life", FindingMark::Finding, "No agreed plan for next year (fictional)"),
        (
            KeyQuestion::CareInTheCommunity,
            "community_support",
            FindingMark::Finding,
            "Yes, with respite and an EHC needs assessment (fictional)",
        ),
    ];
    for (n, (question, prompt, mark, text)) in found.into_iter().enumerate() {
        let id = record(0xf0 + n as u8);
        let finding = KloeFinding {
            id: KloeFindingId::from_uuid(id.as_uuid()),
            review_id,
            person_id: person.id,
            question,
            prompt: Some(prompt.into()),
            mark,
            finding: Some(long(text)?),
            concerns: None,
            by: Some(short("Dr Morgan Chair (demo)")?),
        };
        records.push((RecordKind::KloeFinding, id, fields_of(&finding)));
    }
    let meeting_on = meeting.unwrap_or(today);
    let recommendation = Recommendation {
        id: RecommendationId::from_uuid(record(0xe4).as_uuid()),
        review_id,
        person_id: person.id,
        text: long("Request an EHC needs assessment and arrange weekend respite (fictional)")?,
        responsible: Some(short("Sam Keyworker (demo)")?),
        by_when: meeting_on.checked_add_days(Days::new(42)),
        measure: Some(long("The assessment is under way and respite has started (fictional)")?),
        question: Some(KeyQuestion::CareInTheCommunity),
        prompts: vec!["community_support".into()],
    };
    records.push((RecordKind::Recommendation, record(0xe4), fields_of(&recommendation)));
    let actions = [
        (0xe5, "Request an EHC needs assessment", "School SENCo (demo)", meeting_on.checked_add_days(Days::new(14))),
        (0xe6, "Arrange weekend respite", "Social worker (demo)", today.checked_add_days(Days::new(30 + index as u64))),
    ];
    for (n, description, owner, due) in actions {
        let mut action = Action {
            id: ActionId::from_uuid(record(n).as_uuid()),
            review_id: Some(review_id),
            meeting_id: None,
            person_id: person.id,
            recommendation_id: Some(recommendation.id),
            description: long(description)?,
            owner: short(owner)?,
            due_on: due.unwrap_or(today),
            status: ActionStatus::Open,
            updates: Vec::new(),
            family_disagreement: None,
        };
        if index == 4 {
            let update = ActionUpdate {
                on: ago(45),
                by: short("Jo Coordinator (demo)")?,
                note: long("Referral made (fictional)")?,
                status: ActionStatus::InProgress,
            };
            let _ = action.update(update);
        }
        records.push((RecordKind::Action, record(n), fields_of(&action)));
    }
    Ok(records)
}

/// How many demo people are on the register (the first), referred and waiting (the next); the rest left.
const DEMO_ON_REGISTER: usize = 40;
const DEMO_REFERRED: usize = 5;

/// The demo ratings in turn, with why.
const DEMO_RATINGS: [(&str, &str); 4] = [
    ("red", "Crisis at home; placement breaking down (fictional)"),
    ("amber", "Risk rising after a change of school (fictional)"),
    ("green", "Risks managed well with the current support (fictional)"),
    ("blue", "Admitted after a crisis (fictional)"),
];

/// The demo area's name.
pub const DEMO_AREA: &str = "Demo area (fictional)";
/// Every demo account's password (the demo is fictional; never use demo mode for real people).
pub const DEMO_PASSWORD: &str = "dsr-demo-password";

/// One demo account per role: username, name, role, and the demo people (by index) assigned to it.
pub const DEMO_ACCOUNTS: &[(&str, &str, Role, &[usize])] = &[
    ("coordinator", "Jo Coordinator (demo)", Role::Coordinator, &[]),
    ("keyworker", "Sam Keyworker (demo)", Role::Keyworker, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
    ("advocate", "Ali Advocate (demo)", Role::Advocate, &[0, 2, 4]),
    ("panel", "Pat Panel (demo)", Role::PanelMember, &[0, 1]),
    ("referrer", "Rae Referrer (demo)", Role::Referrer, &[]),
    ("family", "Chris Family (demo)", Role::Family, &[0]),
    // The young person's own account (a family account that says "your review").
    ("young.person", "Young person (demo)", Role::Family, &[0]),
    // Assigned to nobody: a DSR panel member reads what the meetings need of everyone.
    ("dsr.panel", "Lee Panel (demo)", Role::DsrPanel, &[]),
];

/// Loads the demo area: its accounts (once) and its people (pushed by the demo coordinator's fixed
/// device, so loading again changes nothing). Returns how many people were added.
pub async fn load_demo(store: &Store, clock: &Clock) -> Result<usize, AppError> {
    let now = clock.now();
    let area = match store.area_by_name(DEMO_AREA).await? {
        Some(area) => area,
        None => store.create_area(DEMO_AREA, now).await?,
    };
    let mut ids = Vec::new();
    for (username, name, role, _) in DEMO_ACCOUNTS {
        let id = match store.user_by_username(username).await? {
            Some(user) => user.id,
            None => {
                let hash = hash_password(DEMO_PASSWORD.to_string()).await?;
                let user = NewUser {
                    area_id: &area.id,
                    username: Some(username),
                    display_name: name,
                    role: *role,
                    password_hash: Some(&hash),
                    created_by: None,
                    young_person: *username == "young.person",
                };
                store.create_user(&user, now).await?
            }
        };
        ids.push(id);
    }
    let coordinator = store.acting_as(ids[0]).await?;
    // Who families contact (fictional, an Ofcom drama number), so a family's home shows it.
    let policy = store.policy_of(&coordinator).await?;
    if policy.version == 0 {
        let mut demo_policy = policy.policy.clone();
        demo_policy.families.contact_name = "The DSR team (demo)".into();
        demo_policy.families.contact_phone = "01632 960 001".into();
        demo_policy.families.contact_email = "dsr.team@example.org".into();
        store
            .change_policy(&coordinator, 0, demo_policy, Some("The demo area's contact for families".into()), now)
            .await?;
    }
    let response = store.push(&coordinator, demo_push(clock.today()), now, clock.today()).await?;
    let people = demo_people(clock.today());
    for ((_, _, _, assigned), user) in DEMO_ACCOUNTS.iter().zip(&ids) {
        for index in *assigned {
            if let Some(person) = people.get(*index)
                && store.assign(*user, person.id, ids[0], now).await?
                && store.user_in_area(&area.id, *user).await?.role == Role::Keyworker
            {
                store.keyworker_follows_caseload(&coordinator, person.id, None, now, clock.today()).await?;
            }
        }
    }
    Ok(response.results.iter().filter(|r| !r.repeated).count())
}

/// How many demo people there are.
pub const DEMO_PEOPLE: usize = 50;

const GIVEN: &[&str] = &[
    "Alex", "Sam", "Jordan", "Riley", "Morgan", "Casey", "Taylor", "Jamie", "Robin", "Charlie", "Frankie", "Ashley",
    "Kai", "Rowan", "Skye", "Quinn", "Ellis", "Harper", "Logan", "Remy",
];
const FAMILY: &[&str] = &[
    "Testwood",
    "Samplefield",
    "Demoford",
    "Exampleton",
    "Mockridge",
    "Fictionby",
    "Placeholme",
    "Pretendale",
    "Madeupworth",
    "Notreal-Smith",
];

/// The demo people, with dates of birth spread over ages 4 to 45 on `today`.
pub fn demo_people(today: NaiveDate) -> Vec<Person> {
    let mut seed: u64 = 0x5eed_d5a0;
    let mut next = move || {
        // A small linear congruential generator: fixed output, no dependency.
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as u32
    };
    let mut people = Vec::with_capacity(DEMO_PEOPLE);
    let mut serial: u32 = 0;
    while people.len() < DEMO_PEOPLE {
        let i = people.len();
        serial += 1;
        let Some(nhs_number) = test_range_number(serial) else { continue };
        let age_days = 365 * 4 + u64::from(next() % (365 * 41));
        let Some(date_of_birth) = today.checked_sub_days(Days::new(age_days)) else { continue };
        let (Ok(given_name), Ok(family_name)) = (
            PersonName::parse(GIVEN[next() as usize % GIVEN.len()]),
            PersonName::parse(FAMILY[next() as usize % FAMILY.len()]),
        ) else {
            continue;
        };
        let mut person = Person::new(
            // Fixed ids (1 January 2024 plus i milliseconds) so a second load finds them already there.
            PersonId::from_time_and_random(1_704_067_200_000 + i as u64, [0xd5; 10]),
            given_name,
            family_name,
            date_of_birth,
            // One in five without an NHS number, as at some self-referrals.
            if i % 5 == 4 { None } else { Some(nhs_number) },
        );
        let since = today.checked_sub_days(Days::new(200)).unwrap_or(today);
        person.register_status = match i {
            i if i < DEMO_ON_REGISTER => RegisterStatus::OnRegister { since },
            i if i < DEMO_ON_REGISTER + DEMO_REFERRED => RegisterStatus::Referred,
            _ => RegisterStatus::Left {
                on: today.checked_sub_days(Days::new(60)).unwrap_or(today),
                reason: LeaveReason::RiskGone,
            },
        };
        people.push(person);
    }
    people
}

/// The `serial`th NHS number of the 999 test range, if its check digit exists.
fn test_range_number(serial: u32) -> Option<NhsNumber> {
    let text = format!("999{serial:06}");
    let nine: [u8; 9] = std::array::from_fn(|i| text.as_bytes()[i] - b'0');
    let check = check_digit(nine)?;
    NhsNumber::parse(&format!("{text}{check}")).ok()
}

#[cfg(test)]
#[allow(clippy::panic, reason = "a failed step fails the test")]
mod tests {
    use super::*;

    #[test]
    fn demo_area_has_fifty_fictional_people_with_test_range_numbers() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let people = demo_people(today);
        assert_eq!(people.len(), DEMO_PEOPLE);
        assert!(people.iter().filter_map(|p| p.nhs_number).all(|n| n.is_test_number()));
        assert_eq!(people.iter().filter(|p| p.nhs_number.is_none()).count(), DEMO_PEOPLE / 5);
        assert!(people.iter().all(|p| (4..=45).contains(&p.age_on(today))));
        let mut ids: Vec<_> = people.iter().map(|p| p.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), DEMO_PEOPLE);
        assert_eq!(demo_people(today), people, "the same every time");
    }

    #[test]
    fn every_demo_record_passes_the_rules_and_every_state_is_there() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let push = demo_push(today);
        let seqs: Vec<u64> = push.mutations.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=push.mutations.len() as u64).collect::<Vec<_>>(), "one device, no gaps");
        // With the rules of an area with the handbook's policy, as the server loads it.
        let rules = dsr_shared::sync::validate::AreaRules {
            policy: dsr_shared::policy::AreaPolicy::default(),
            born: demo_people(today).iter().map(|p| (p.id, p.date_of_birth)).collect(),
            // Nobody in the demo is there twice.
            people: Some(dsr_shared::person::PeopleIndex::default()),
        };
        let mut batch = dsr_shared::sync::push::Batch { rules: Some(rules), next_change_seq: 1, ..Default::default() };
        let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 25, 10, 0, 0).single().unwrap_or_default();
        let results = dsr_shared::sync::push::process(&mut batch, push.client_id, &push.mutations, now, today);
        for result in &results {
            assert!(matches!(result.outcome, dsr_shared::sync::PushOutcome::Applied { .. }), "{result:?}");
        }
        let kinds: std::collections::BTreeSet<RecordKind> = push.mutations.iter().map(|m| m.kind).collect();
        for kind in [
            RecordKind::Person,
            RecordKind::Consent,
            RecordKind::RatingChange,
            RecordKind::Admission,
            RecordKind::Referral,
            RecordKind::Review,
            RecordKind::Planner,
            RecordKind::FamilyViews,
            RecordKind::KloeFinding,
            RecordKind::Recommendation,
            RecordKind::Action,
        ] {
            assert!(kinds.contains(&kind), "{kind}");
        }
    }

    /// The demo area's files as a device holds them, on `today` (from the demo push, applied).
    fn demo_files(today: NaiveDate) -> Vec<dsr_shared::due::PersonFile> {
        use dsr_shared::due::PersonFile;
        let push = demo_push(today);
        let mut batch = dsr_shared::sync::push::Batch { next_change_seq: 1, ..Default::default() };
        let now = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 25, 10, 0, 0).single().unwrap_or_default();
        dsr_shared::sync::push::process(&mut batch, push.client_id, &push.mutations, now, today);
        PersonFile::gather(batch.records.values().map(|r| (r.kind, r.id, &r.fields)))
    }

    /// The agenda of the demo area's next meeting (Tuesday 8 December 2026, its second Tuesday, with the
    /// demo loaded on 25 November), section by section.
    #[test]
    fn the_demo_areas_agenda_on_a_fixed_date_section_by_section() {
        use dsr_shared::agenda::{Section, agenda};
        let today = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
        let files = demo_files(today);
        let policy = AreaPolicy::default();
        let meeting = policy.meetings.next_meeting_on_or_after(today, &policy.calendar, policy.meeting_on_bank_holiday);
        assert_eq!(meeting, NaiveDate::from_ymd_opt(2026, 12, 8).unwrap_or_default());
        let items = agenda(&files, &[], &policy, meeting);
        let names = |section: Section| -> Vec<String> {
            let mut names: Vec<String> = items
                .iter()
                .filter(|i| i.section == section)
                .filter_map(|i| files.iter().find(|f| f.person.id == i.person_id).map(|f| f.person.full_name()))
                .collect();
            names.sort();
            names
        };
        let people = demo_people(today);
        let expected = |range: std::ops::Range<usize>, rating: usize| -> Vec<String> {
            let mut names: Vec<String> =
                range.filter(|i| i % DEMO_RATINGS.len() == rating).map(|i| people[i].full_name()).collect();
            names.sort();
            names
        };
        let on_register = 0..DEMO_ON_REGISTER;
        // The five referrals waiting for a decision.
        let mut referred: Vec<String> =
            people[DEMO_ON_REGISTER..DEMO_ON_REGISTER + DEMO_REFERRED].iter().map(|p| p.full_name()).collect();
        referred.sort();
        assert_eq!(names(Section::Referrals), referred);
        // Everyone Red, everyone Amber (the default brings Amber back every meeting), everyone in hospital.
        assert_eq!(names(Section::Red), expected(on_register.clone(), 0));
        assert_eq!(names(Section::Amber), expected(on_register.clone(), 1));
        assert_eq!(names(Section::Blue), expected(on_register.clone(), 3));
        // Green people were rated 30 to 49 days before; they come back after the policy's period.
        let back_after = policy.agenda.green_back_after;
        let greens_due: Vec<String> = {
            let mut names: Vec<String> = on_register
                .clone()
                .filter(|i| i % DEMO_RATINGS.len() == 2)
                .filter(|i| {
                    let rated = today - chrono::Days::new(30 + (*i as u64 % 20));
                    back_after.after(rated, &policy.calendar) <= meeting
                })
                .map(|i| people[i].full_name())
                .collect();
            names.sort();
            names
        };
        assert_eq!(names(Section::GreenDue), greens_due);
        assert!(greens_due.is_empty(), "rated 43 to 62 days before the meeting: not due back yet (3 months)");
        // At the March meeting, three months on, every Green person is due to be re-rated.
        let march = NaiveDate::from_ymd_opt(2027, 3, 9).unwrap_or_default();
        let later = agenda(&files, &[], &policy, march);
        let mut greens: Vec<String> = later
            .iter()
            .filter(|i| i.section == Section::GreenDue)
            .filter_map(|i| files.iter().find(|f| f.person.id == i.person_id).map(|f| f.person.full_name()))
            .collect();
        greens.sort();
        assert_eq!(greens, expected(on_register.clone(), 2));
        // Nobody who left, nobody twice, nobody without a reason.
        for left in &people[DEMO_ON_REGISTER + DEMO_REFERRED..] {
            assert!(!items.iter().any(|i| i.person_id == left.id), "{} left", left.full_name());
        }
        let mut ids: Vec<PersonId> = items.iter().map(|i| i.person_id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), items.len());
        assert!(items.iter().all(|i| !i.reasons.is_empty()));
        println!(
            "demo agenda on {meeting}: {} items: {:?}",
            items.len(),
            Section::ALL.map(|s| (s, items.iter().filter(|i| i.section == s).count()))
        );
    }
}
