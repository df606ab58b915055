//! The API through `app()`, each test with a fresh SQLite file, and one test on a real listener.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use common::{TestServer, test_server};
use dsr_server::{AppState, Clock, Store, app};
use dsr_shared::api::{ApiError, Health, PeopleList};
use dsr_shared::{Person, PersonId};
use serde_json::{Value, json};

fn person_id(n: u8) -> PersonId {
    PersonId::from_time_and_random(1_764_000_000_000 + u64::from(n), [n; 10])
}

fn alex(id: PersonId) -> Value {
    json!({ "id": id, "given_name": "Alex", "family_name": "Example",
            "date_of_birth": "2011-04-23", "nhs_number": "943 476 5919" })
}

#[tokio::test]
async fn health_answers_ok() {
    let server = test_server().await;
    let reply = server.get("/api/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    let health: Health = reply.json();
    assert_eq!(health.status, "ok");
    assert!(!health.demo);
}

#[tokio::test]
async fn created_person_is_listed_and_readable() {
    let server = test_server().await;
    let id = person_id(1);
    let reply = server.post_json("/api/people", &alex(id)).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let created: Person = reply.json();
    assert_eq!(created.full_name(), "Alex Example");
    assert_eq!(created.nhs_number.map(|n| n.digits()).as_deref(), Some("9434765919"));

    let list: PeopleList = server.get("/api/people").await.json();
    assert_eq!(list.people, vec![created.clone()]);

    let one = server.get(&format!("/api/people/{id}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json::<Person>(), created);
}

#[tokio::test]
async fn people_are_listed_by_family_name() {
    let server = test_server().await;
    for (n, family) in [(1, "Zephyr"), (2, "adams"), (3, "Morgan")] {
        let mut body = alex(person_id(n));
        body["family_name"] = family.into();
        assert_eq!(server.post_json("/api/people", &body).await.status, StatusCode::CREATED);
    }
    let list: PeopleList = server.get("/api/people").await.json();
    let names: Vec<String> = list.people.iter().map(|p| p.family_name.to_string()).collect();
    assert_eq!(names, ["adams", "Morgan", "Zephyr"]);
}

#[tokio::test]
async fn sending_the_same_person_again_changes_nothing() {
    let server = test_server().await;
    let id = person_id(2);
    assert_eq!(server.post_json("/api/people", &alex(id)).await.status, StatusCode::CREATED);
    let again = server.post_json("/api/people", &alex(id)).await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(server.get("/api/people").await.json::<PeopleList>().people.len(), 1);
}

#[tokio::test]
async fn a_different_person_under_a_used_id_is_a_conflict_and_overwrites_nothing() {
    let server = test_server().await;
    let id = person_id(3);
    assert_eq!(server.post_json("/api/people", &alex(id)).await.status, StatusCode::CREATED);
    let mut other = alex(id);
    other["given_name"] = "Sam".into();
    let reply = server.post_json("/api/people", &other).await;
    assert_eq!(reply.status, StatusCode::CONFLICT);
    assert_eq!(reply.json::<ApiError>().code, "conflict");
    let stored = server.store.get_person(id).await.ok().flatten().map(|p| p.given_name.to_string());
    assert_eq!(stored.as_deref(), Some("Alex"));
}

#[tokio::test]
async fn invalid_nhs_number_is_refused_field_by_field_and_stores_nothing() {
    let server = test_server().await;
    let mut body = alex(person_id(4));
    body["nhs_number"] = "943 476 5918".into();
    body["family_name"] = "  ".into();
    body["date_of_birth"] = "2030-01-01".into();
    let reply = server.post_json("/api/people", &body).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let error: ApiError = reply.json();
    assert_eq!(error.code, "validation_failed");
    let fields: Vec<&str> = error.fields.iter().map(|f| f.field.as_str()).collect();
    assert_eq!(fields, ["family_name", "date_of_birth", "nhs_number"]);
    assert!(error.fields[2].message.contains("not a valid NHS number"));
    assert!(server.store.list_people().await.unwrap_or_else(|e| panic!("{e}")).is_empty());
}

#[tokio::test]
async fn bad_bodies_get_clear_4xx_json_errors_never_500() {
    let server = test_server().await;
    let json_post = |body: String| {
        Request::post("/api/people").header(header::CONTENT_TYPE, "application/json").body(Body::from(body))
    };
    let too_large = format!(r#"{{"pad": "{}"}}"#, "x".repeat(dsr_server::MAX_BODY_BYTES));
    let unknown = format!("/api/people/{}", person_id(6));
    let cases = vec![
        (json_post("{not json".into()), StatusCode::BAD_REQUEST, "malformed_json"),
        (
            Request::post("/api/people").body(Body::from(alex(person_id(5)).to_string())),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (json_post(r#"{"id": 5}"#.into()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (json_post(too_large), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        (Request::get("/api/people/not-a-uuid").body(Body::empty()), StatusCode::BAD_REQUEST, "invalid_path"),
        (Request::get(unknown.as_str()).body(Body::empty()), StatusCode::NOT_FOUND, "not_found"),
        (Request::get("/api/no-such-thing").body(Body::empty()), StatusCode::NOT_FOUND, "no_such_route"),
        (Request::delete("/api/people").body(Body::empty()), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
    ];
    for (request, status, code) in cases {
        let request = request.unwrap_or_default();
        let what = format!("{} {}", request.method(), request.uri());
        let reply = server.send(request).await;
        assert_eq!(reply.status, status, "{what}: {}", reply.text());
        let error: ApiError = reply.json();
        assert_eq!(error.code, code, "{what}");
        assert!(!error.message.is_empty(), "{what}");
    }
}

#[tokio::test]
async fn every_api_route_is_in_the_openapi_description_and_every_described_route_answers() {
    let server = test_server().await;
    let reply = server.get("/api/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let spec: Value = reply.json();
    assert_eq!(spec, serde_json::to_value(dsr_server::openapi()).unwrap_or_default());
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    // The API's routes: a route added without a description, or described without a handler, fails here.
    let served = [
        ("/api/health", "get"),
        ("/api/openapi.json", "get"),
        ("/api/people", "get"),
        ("/api/people", "post"),
        ("/api/people/{id}", "get"),
        ("/api/sync/push", "post"),
        ("/api/sync/pull", "get"),
        ("/api/sync/conflicts", "get"),
    ];
    let mut described: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(path, item)| {
            item.as_object().into_iter().flat_map(|ops| ops.keys()).map(move |m| (path.clone(), m.clone()))
        })
        .collect();
    described.sort();
    let mut expected: Vec<(String, String)> = served.iter().map(|(p, m)| (p.to_string(), m.to_string())).collect();
    expected.sort();
    assert_eq!(described, expected);
    for (path, method) in &described {
        let uri = path.replace("{id}", &person_id(9).to_string());
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap_or(Method::GET);
        let request = Request::builder().method(method).uri(uri).header(header::CONTENT_TYPE, "application/json");
        let reply = server.send(request.body(Body::from("{}")).unwrap_or_default()).await;
        let code = serde_json::from_slice::<ApiError>(&reply.body).map(|e| e.code).unwrap_or_default();
        assert!(code != "no_such_route" && code != "method_not_allowed", "{path}: {}", reply.text());
    }
}

#[tokio::test]
async fn responses_carry_security_headers_and_the_csp_allows_only_the_hashed_inline_script() {
    let server = test_server().await;
    for uri in ["/api/health", "/", "/people/new"] {
        let reply = server.get(uri).await;
        let h = |name: &str| reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        assert_eq!(h("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(h("x-frame-options"), "DENY", "{uri}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{uri}");
        let csp = h("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        // The one inline script in INDEX_HTML, by its hash.
        assert_eq!(csp.matches("'sha256-").count(), 1, "{csp}");
    }
}

#[tokio::test]
async fn app_routes_get_index_html_and_files_are_served() {
    let server = test_server().await;
    for uri in ["/", "/people/new", "/people/0193/anything"] {
        let reply = server.get(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(reply.text().contains("<title>DSR</title>"), "{uri}");
        assert_eq!(reply.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-cache"));
    }
    let js = server.get("/app.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert!(js.text().contains("export default"));
}

#[tokio::test]
async fn database_is_wal_with_full_sync() {
    let server = test_server().await;
    assert_eq!(server.store.pragma("journal_mode").await.ok().as_deref(), Some("wal"));
    // 2 = FULL: an answered write is on disk.
    assert_eq!(server.store.pragma("synchronous").await.ok().as_deref(), Some("2"));
}

#[tokio::test]
async fn demo_area_loads_once() {
    let server = test_server().await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    let people = dsr_server::demo_people(today);
    assert_eq!(server.store.add_demo_people(&people, Utc::now()).await.ok(), Some(50));
    assert_eq!(server.store.add_demo_people(&people, Utc::now()).await.ok(), Some(0));
    let list: PeopleList = server.get("/api/people").await.json();
    assert_eq!(list.people.len(), 50);
}

#[tokio::test]
async fn real_listener_serves_and_shuts_down_gracefully() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("dsr.sqlite3")).await.unwrap_or_else(|e| panic!("{e}"));
    let state = AppState::new(store, Clock::System, dir.path().join("dist"), false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("{e}"));
    let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(dsr_server::serve(listener, state, async move {
        stopped.await.ok();
    }));

    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap_or_else(|e| panic!("{e}"));
    stream
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"status\":\"ok\""), "{response}");

    stop.send(()).ok();
    let finished = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
    assert!(matches!(finished, Ok(Ok(Ok(())))), "server did not stop cleanly: {finished:?}");
}

#[tokio::test]
async fn today_is_the_date_in_england_so_a_birth_today_is_accepted_late_on_a_summer_evening() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("dsr.sqlite3")).await.unwrap_or_else(|e| panic!("{e}"));
    // 23:30 UTC on 1 July is 00:30 on 2 July in England (British Summer Time).
    let clock = Clock::Fixed(Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).single().unwrap_or_default());
    let server =
        TestServer { app: app(AppState::new(store.clone(), clock, dir.path().join("dist"), false)), store, dir };
    let mut body = alex(person_id(7));
    body["date_of_birth"] = "2026-07-02".into();
    let reply = server.post_json("/api/people", &body).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    body["id"] = json!(person_id(8));
    body["date_of_birth"] = "2026-07-03".into();
    assert_eq!(server.post_json("/api/people", &body).await.status, StatusCode::UNPROCESSABLE_ENTITY);
}
