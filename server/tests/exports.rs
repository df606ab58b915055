//! Downloads (issue 18): the register, the follow-up list and the anonymised aggregate return, as CSV and
//! XLSX, for DSR coordinators only, each audited with who, which filters and how many rows; the return
//! holds no identifying field (checked by reading it back) and hides small numbers as the area says; its
//! figures are the ones `shared` works out from the same records.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::http::StatusCode;
use chrono::{NaiveDate, TimeZone, Utc};
use common::{TestServer, client, id, test_server};
use dsr_shared::access::Role;
use dsr_shared::action::{Action, ActionStatus};
use dsr_shared::due::PersonFile;
use dsr_shared::measures::aggregate::aggregate_return;
use dsr_shared::measures::export::{FOLLOW_UP_COLUMNS, REGISTER_COLUMNS};
use dsr_shared::person::{Diagnosis, Person, PersonName, RegisterStatus};
use dsr_shared::policy::ReturnPolicy;
use dsr_shared::rating::{Rating, RatingChange, RatingSource};
use dsr_shared::sync::{RecordKind, fields_of};
use dsr_shared::text::{LongText, ShortText};
use dsr_shared::{ActionId, NhsNumber, PersonId, RatingChangeId};
use serde_json::{Value, json};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_else(|| panic!("{y}-{m}-{d}"))
}

fn short(s: &str) -> ShortText {
    ShortText::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

fn long(s: &str) -> LongText {
    LongText::parse(s).unwrap_or_else(|e| panic!("{e}"))
}

/// Six people on the register since January: three Red, two Amber, one Green (two children), with NHS
/// numbers; the first has two actions (one overdue on 25 November, one not).
fn area() -> Vec<PersonFile> {
    let names = ["Ava", "Ben", "Cara", "Dev", "Eli", "Fay"];
    let ratings = [Rating::Red, Rating::Red, Rating::Red, Rating::Amber, Rating::Amber, Rating::Green];
    let nhs = ["9434765919", "9434765870", "9434765846", "9434765838", "9434765811", "9434765803"];
    (0..6)
        .map(|i| {
            let id = id(i as u8 + 1);
            let born = if i < 2 { day(2015, 3, 1 + i as u32) } else { day(1995, 6, 1 + i as u32) };
            let name = |s: &str| PersonName::parse(s).unwrap_or_else(|e| panic!("{e}"));
            let mut person = Person::new(
                PersonId::from_uuid(id.as_uuid()),
                name(names[i]),
                name(&format!("{}son", names[i])),
                born,
                NhsNumber::parse(nhs[i]).ok(),
            );
            person.register_status = RegisterStatus::OnRegister { since: day(2026, 1, 5) };
            person.diagnosis = Some(if i % 2 == 0 { Diagnosis::Autism } else { Diagnosis::Both });
            let mut file = PersonFile::new(person);
            file.ratings.push(RatingChange {
                id: RatingChangeId::from_uuid(id_n(20 + i as u8)),
                person_id: file.person.id,
                from: None,
                to: ratings[i],
                reason: long("Discussed at the DSR meeting"),
                by: short("DSR meeting"),
                at: Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).single().unwrap_or_default(),
                source: RatingSource::DsrMeeting,
            });
            if i == 0 {
                for (n, (owner, due)) in
                    [("Sam Social", day(2026, 11, 1)), ("Dr Lee", day(2026, 12, 20))].into_iter().enumerate()
                {
                    file.actions.push(Action {
                        id: ActionId::from_uuid(id_n(40 + n as u8)),
                        review_id: None,
                        meeting_id: Some(dsr_shared::DsrMeetingId::from_uuid(id_n(60))),
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
            }
            file
        })
        .collect()
}

fn id_n(n: u8) -> uuid::Uuid {
    id(n).as_uuid()
}

fn create(seq: u64, kind: RecordKind, record: uuid::Uuid, fields: dsr_shared::sync::Fields) -> Value {
    let changes: serde_json::Map<String, Value> =
        fields.into_iter().map(|(field, value)| (field, json!({ "new": value }))).collect();
    json!({ "seq": seq, "record_id": record, "kind": kind.name(), "changes": changes })
}

/// The area's records pushed by the coordinator's device.
async fn push_area(server: &TestServer, files: &[PersonFile]) {
    let mut mutations = Vec::new();
    let mut seq = 0;
    let mut next = || {
        seq += 1;
        seq
    };
    for file in files {
        mutations.push(create(next(), RecordKind::Person, file.person.id.as_uuid(), fields_of(&file.person)));
        for rating in &file.ratings {
            mutations.push(create(next(), RecordKind::RatingChange, rating.id.as_uuid(), fields_of(rating)));
        }
        for action in &file.actions {
            mutations.push(create(next(), RecordKind::Action, action.id.as_uuid(), fields_of(action)));
        }
    }
    let reply = server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": mutations })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let answers: Value = reply.json();
    for result in answers["results"].as_array().into_iter().flatten() {
        assert_eq!(result["status"], "applied", "{result}");
    }
}

fn csv_rows(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap_or_else(|e| panic!("{e}")).iter().map(str::to_string).collect())
        .collect()
}

fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx};
    let mut workbook: Xlsx<_> =
        Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap_or_else(|e| panic!("not a workbook: {e}"));
    let sheet = workbook.sheet_names().first().cloned().unwrap_or_default();
    let range = workbook.worksheet_range(&sheet).unwrap_or_else(|e| panic!("{e}"));
    range.rows().map(|row| row.iter().map(ToString::to_string).collect()).collect()
}

async fn audit_details(server: &TestServer) -> Vec<(String, String, String)> {
    let pool = server.db().await;
    let rows: Vec<(String, Option<String>, Option<String>)> =
        sqlx::query_as("SELECT action, user_id, detail FROM audit WHERE action LIKE 'export.%' ORDER BY id")
            .fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    pool.close().await;
    rows.into_iter().map(|(a, u, d)| (a, u.unwrap_or_default(), d.unwrap_or_default())).collect()
}

#[tokio::test]
async fn coordinators_download_the_register_and_follow_up_as_csv_and_xlsx_and_each_download_is_audited() {
    let server = test_server().await;
    let files = area();
    push_area(&server, &files).await;

    let reply = server.get("/api/exports/register").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    assert_eq!(reply.headers.get("content-type").and_then(|v| v.to_str().ok()), Some("text/csv; charset=utf-8"));
    assert_eq!(reply.headers.get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    let disposition = reply.headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert_eq!(disposition, "attachment; filename=\"register-2026-11-25.csv\"");
    let rows = csv_rows(&reply.text());
    assert_eq!(rows[0], REGISTER_COLUMNS);
    let families: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(families, ["Avason", "Benson", "Carason", "Devson", "Elison", "Fayson"]);
    assert_eq!(rows[1][2], "943 476 5919");
    assert_eq!(rows[1][10], "Red");

    // Filtered: the Red children; as a workbook, read back.
    let reply = server.get("/api/exports/register?format=xlsx&rating=red&age=child").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let rows = xlsx_rows(&reply.body);
    assert_eq!(rows[0], REGISTER_COLUMNS);
    let names: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[0].as_str(), r[10].as_str())).collect();
    assert_eq!(names, [("Avason", "Red"), ("Benson", "Red")]);

    // The follow-up: both open actions by owner; only the overdue one when asked.
    let reply = server.get("/api/exports/follow-up").await;
    let rows = csv_rows(&reply.text());
    assert_eq!(rows[0], FOLLOW_UP_COLUMNS);
    let owners: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[0].as_str(), r[7].as_str())).collect();
    assert_eq!(owners, [("Dr Lee", "No"), ("Sam Social", "Yes")]);
    let reply = server.get("/api/exports/follow-up?format=xlsx&overdue=yes").await;
    let rows = xlsx_rows(&reply.body);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1][0], "Sam Social");

    let coordinator = server.coordinator.to_string();
    let details = audit_details(&server).await;
    assert_eq!(
        details,
        vec![
            ("export.register".to_string(), coordinator.clone(), "format=csv; all people; 6 rows".to_string()),
            (
                "export.register".to_string(),
                coordinator.clone(),
                "format=xlsx; rating=red; age=child; 2 rows".to_string()
            ),
            ("export.follow_up".to_string(), coordinator.clone(), "format=csv; all people; 2 rows".to_string()),
            ("export.follow_up".to_string(), coordinator.clone(), "format=xlsx; overdue=yes; 1 rows".to_string()),
        ]
    );

    // Bad filters: a clear 4xx, nothing downloaded, nothing audited.
    for (uri, status) in [
        ("/api/exports/register?rating=purple", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/exports/register?age=elderly", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/exports/register?format=pdf", StatusCode::BAD_REQUEST),
        ("/api/exports/register?ratings=red", StatusCode::BAD_REQUEST),
        ("/api/exports/follow-up?overdue=maybe", StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let reply = server.get(uri).await;
        assert_eq!(reply.status, status, "{uri}: {}", reply.text());
        let error: Value = reply.json();
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "{uri}: {error}");
    }
    assert_eq!(audit_details(&server).await.len(), 4);
}

#[tokio::test]
async fn only_coordinators_download_and_only_their_own_areas_people() {
    let server = test_server().await;
    push_area(&server, &area()).await;
    let paths = ["/api/exports/register", "/api/exports/follow-up", "/api/exports/return?month_end=2026-10-31"];
    for path in paths {
        let reply =
            server.send_raw(axum::http::Request::get(path).body(axum::body::Body::empty()).unwrap_or_default()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path} signed out");
    }
    for (n, role) in [Role::Keyworker, Role::Advocate, Role::PanelMember, Role::DsrPanel].into_iter().enumerate() {
        let (_, cookie) = server.staff(&format!("staff{n}"), role).await;
        for path in paths {
            let reply = server.get_as(&cookie, path).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{path} as {role}: {}", reply.text());
            assert!(!reply.text().contains("Avason"), "{path} as {role} leaked");
        }
    }
    assert!(audit_details(&server).await.is_empty(), "a refused download is not a download");
    // Another area's coordinator downloads their own (empty) register, none of this area's people.
    let clock = dsr_server::Clock::Fixed(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default());
    dsr_server::admin::create_coordinator(
        &server.store,
        &clock,
        "Other area",
        "other",
        "Other Coordinator",
        common::PASSWORD,
    )
    .await
    .unwrap_or_else(|e| panic!("{e}"));
    let (_, other) = server.login("other", common::PASSWORD).await;
    let reply = server.get_as(&other, "/api/exports/register").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(csv_rows(&reply.text()).len(), 1, "{}", reply.text());
}

#[tokio::test]
async fn the_aggregate_return_names_nobody_hides_small_numbers_and_matches_the_shared_figures() {
    let server = test_server().await;
    let files = area();
    push_area(&server, &files).await;
    let reply = server.get("/api/exports/return?month_end=2026-10-31").await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let rows = csv_rows(&reply.text());
    assert_eq!(rows[0], dsr_shared::measures::aggregate::COLUMNS);
    // No identifying field: only the fixed columns, and no cell holds a name, an NHS number, a date of
    // birth or the words of a record.
    for row in &rows {
        assert_eq!(row.len(), 4);
        for cell in row {
            for file in &files {
                let person = &file.person;
                for private in [
                    person.given_name.as_str().to_string(),
                    person.family_name.as_str().to_string(),
                    person.date_of_birth.to_string(),
                    person.nhs_number.as_ref().map(|n| n.to_string()).unwrap_or_default(),
                    person.nhs_number.as_ref().map(|n| n.to_string().replace(' ', "")).unwrap_or_default(),
                ] {
                    assert!(!cell.contains(&private), "{cell:?} holds {private:?}");
                }
            }
            assert!(!cell.contains("Discussed"), "free text in {cell:?}");
        }
    }
    let figure = |rows: &[Vec<String>], breakdown: &str, category: &str| -> String {
        rows.iter()
            .find(|r| r[1] == breakdown && r[2] == category)
            .map(|r| r[3].clone())
            .unwrap_or_else(|| panic!("no {breakdown} / {category} in {rows:?}"))
    };
    // Six people: the total rounded to 5; 3 Red and 2 Amber hidden; no Blue shown as 0.
    assert_eq!(figure(&rows, "All", "People on the register"), "5");
    assert_eq!(figure(&rows, "Rating", "Red"), "*");
    assert_eq!(figure(&rows, "Rating", "Blue"), "0");
    assert_eq!(figure(&rows, "Inpatient status", "In the community"), "6");
    // The same figures as shared works out from the same records.
    let expected = aggregate_return(&files, day(2026, 10, 31), &ReturnPolicy::default());
    let expected: Vec<Vec<String>> = expected.table().into_iter().map(|r| r.to_vec()).collect();
    assert_eq!(rows[1..=expected.len()].to_vec(), expected);

    // The area shows exact figures once its policy says so; the workbook holds the same.
    let document: Value = server.get("/api/area/policy").await.json();
    let mut policy = document["policy"].clone();
    policy["returns"] = json!({ "suppress_below": 1, "round_totals_to": 1 });
    let reply = server
        .send(
            axum::http::Request::put("/api/area/policy")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    json!({ "base_version": document["version"], "policy": policy, "reason": "Exact figures for the ICB's own use" })
                        .to_string(),
                ))
                .unwrap_or_default(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let reply = server.get("/api/exports/return?month_end=2026-10-31&format=xlsx").await;
    let rows = xlsx_rows(&reply.body);
    assert_eq!(figure(&rows, "All", "People on the register"), "6");
    assert_eq!(figure(&rows, "Rating", "Red"), "3");

    for (uri, status) in [
        ("/api/exports/return?month_end=2026-10-30", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/exports/return?month_end=2026-11-30", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/exports/return?month_end=October", StatusCode::UNPROCESSABLE_ENTITY),
        ("/api/exports/return", StatusCode::BAD_REQUEST),
        ("/api/exports/return?month_end=2026-10-31&name=yes", StatusCode::BAD_REQUEST),
    ] {
        let reply = server.get(uri).await;
        assert_eq!(reply.status, status, "{uri}: {}", reply.text());
    }
    let details: Vec<String> = audit_details(&server).await.into_iter().map(|(a, _, d)| format!("{a}: {d}")).collect();
    assert_eq!(
        details,
        [
            "export.return: format=csv; month_end=2026-10-31; 15 rows",
            "export.return: format=xlsx; month_end=2026-10-31; 15 rows"
        ]
    );
}
