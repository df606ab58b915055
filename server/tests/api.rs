//! The API through `app()`, each test with a fresh SQLite file, and one test on a real listener.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use common::test_server;
use dsr_server::{AppState, Clock, PullRequest, Store};
use dsr_shared::api::{ApiError, Health};
use dsr_shared::sync::{PushOutcome, PushResponse};
use dsr_shared::{ClientId, PersonId};
use serde_json::{Value, json};

fn person_id(n: u8) -> PersonId {
    PersonId::from_time_and_random(1_764_000_000_000 + u64::from(n), [n; 10])
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

/// Readiness: with its database gone, the server says so (503, with when to ask again), on health and
/// on every other request, never a 500 nor a hang.
#[tokio::test]
async fn without_its_database_the_server_is_not_ready_and_says_so() {
    let server = test_server().await;
    server.store.close().await;
    for uri in ["/api/health", "/api/users", "/api/sync/conflicts"] {
        let reply = server.get(uri).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE, "{uri}: {}", reply.text());
        let error: ApiError = reply.json();
        assert_eq!(error.code, "database_unavailable", "{uri}");
        assert!(error.message.contains("Nothing was lost"), "{uri}: {}", error.message);
        assert_eq!(reply.headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("5"), "{uri}");
    }
}

#[tokio::test]
async fn bad_bodies_get_clear_4xx_json_errors_never_500() {
    let server = test_server().await;
    let json_post = |body: String| {
        Request::post("/api/sync/push").header(header::CONTENT_TYPE, "application/json").body(Body::from(body))
    };
    let too_large = format!(r#"{{"pad": "{}"}}"#, "x".repeat(dsr_server::MAX_PUSH_BYTES));
    let cases = vec![
        (json_post("{not json".into()), StatusCode::BAD_REQUEST, "malformed_json"),
        (
            Request::post("/api/sync/push").body(Body::from("{}")),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
        ),
        (json_post(r#"{"client_id": 5}"#.into()), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
        (json_post(too_large), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
        (Request::get("/api/sync/pull?cursor=-1").body(Body::empty()), StatusCode::BAD_REQUEST, "invalid_query"),
        (Request::get("/api/no-such-thing").body(Body::empty()), StatusCode::NOT_FOUND, "no_such_route"),
        (Request::delete("/api/sync/push").body(Body::empty()), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
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
        ("/api/sync/push", "post"),
        ("/api/sync/pull", "get"),
        ("/api/sync/conflicts", "get"),
        ("/api/sync/events", "get"),
        ("/api/session/login", "post"),
        ("/api/session", "get"),
        ("/api/session/logout", "post"),
        ("/api/users", "get"),
        ("/api/users", "post"),
        ("/api/users/{id}/disable", "post"),
        ("/api/users/{id}/people", "post"),
        ("/api/users/{id}/people/{person_id}", "delete"),
        ("/api/invites", "post"),
        ("/api/invites/accept", "post"),
        ("/api/users/{id}/reset-code", "post"),
        ("/api/password-reset", "post"),
        ("/api/devices/{client_id}/recovery", "put"),
        ("/api/devices/{client_id}/recovery", "get"),
        ("/api/audit", "get"),
        ("/api/audit/export", "get"),
        ("/api/audit/views", "post"),
        ("/api/exports/register", "get"),
        ("/api/exports/follow-up", "get"),
        ("/api/exports/return", "get"),
        ("/api/area/policy", "get"),
        ("/api/area/policy", "put"),
        ("/api/areas", "get"),
        ("/api/referrals/self", "post"),
        ("/api/referrals/self/status", "post"),
        ("/api/people/{person_id}/erase", "post"),
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
    // The announcement stream ends at once when the server is stopping: its answer can be read whole.
    server.store.changes().stop();
    for (path, method) in &described {
        let uri = path.replace("{id}", &person_id(1).to_string()).replace("{person_id}", &person_id(2).to_string());
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

/// A GET with `Accept-Encoding` (none when empty), as the test coordinator.
async fn get_accepting(server: &common::TestServer, uri: &str, encodings: &str) -> common::Reply {
    let mut request = Request::get(uri);
    if !encodings.is_empty() {
        request = request.header(header::ACCEPT_ENCODING, encodings);
    }
    server.send(request.body(Body::empty()).unwrap_or_default()).await
}

#[tokio::test]
async fn built_files_go_precompressed_as_the_browser_accepts_and_are_cached_by_their_name() {
    let server = test_server().await;
    let dist = server.dir.path().join("dist");
    let wasm = "dsr-app-0123456789abcdef_bg.wasm";
    for (suffix, body) in [("", "plain wasm"), (".br", "brotli wasm"), (".gz", "gzip wasm")] {
        std::fs::write(dist.join(format!("{wasm}{suffix}")), body).unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(dist.join("index.html.br"), "brotli index").unwrap_or_else(|e| panic!("{e}"));
    let header_of = |reply: &common::Reply, name: header::HeaderName| {
        reply.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string()
    };
    // The variant the browser prefers, as it was written at build time; the file itself to one that
    // accepts neither.
    for (accepts, body, encoding) in [
        ("gzip, deflate, br, zstd", "brotli wasm", "br"),
        ("gzip", "gzip wasm", "gzip"),
        ("", "plain wasm", ""),
        ("identity", "plain wasm", ""),
    ] {
        let reply = get_accepting(&server, &format!("/{wasm}"), accepts).await;
        assert_eq!(reply.status, StatusCode::OK, "{accepts}");
        assert_eq!(reply.text(), body, "{accepts}");
        assert_eq!(header_of(&reply, header::CONTENT_ENCODING), encoding, "{accepts}");
        assert_eq!(header_of(&reply, header::CONTENT_TYPE), "application/wasm", "{accepts}");
        // Hashed: kept a year without asking.
        assert_eq!(header_of(&reply, header::CACHE_CONTROL), "public, max-age=31536000, immutable");
        assert!(header_of(&reply, header::VARY).to_lowercase().contains("accept-encoding"), "{accepts}");
        assert!(!header_of(&reply, header::LAST_MODIFIED).is_empty(), "{accepts}");
    }
    // index.html, for the root and for app routes alike: its compressed variant, and asked about on every use.
    for uri in ["/", "/people/new"] {
        let reply = get_accepting(&server, uri, "br").await;
        assert_eq!((reply.status, reply.text()), (StatusCode::OK, "brotli index".to_string()), "{uri}");
        assert_eq!(header_of(&reply, header::CONTENT_ENCODING), "br", "{uri}");
        assert_eq!(header_of(&reply, header::CACHE_CONTROL), "no-cache", "{uri}");
    }
    // Unchanged since the browser's copy: 304, no body.
    let first = get_accepting(&server, "/app.js", "").await;
    let modified = header_of(&first, header::LAST_MODIFIED);
    let again = server
        .send(
            Request::get("/app.js")
                .header(header::IF_MODIFIED_SINCE, modified.as_str())
                .body(Body::empty())
                .unwrap_or_default(),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    // A file of an older build: 404 with words, never index.html under the script's name (which a cache
    // would keep as that script for a year).
    for missing in ["/dsr-app-fedcba9876543210.js", "/pictures/nothing.svg"] {
        let reply = get_accepting(&server, missing, "br").await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{missing}");
        assert!(!reply.text().contains("<title>"), "{missing}");
        assert_eq!(header_of(&reply, header::CACHE_CONTROL), "no-cache", "{missing}");
    }
}

#[tokio::test]
async fn api_answers_above_a_kilobyte_go_compressed_and_small_ones_and_the_event_stream_do_not() {
    use std::io::Read;
    let server = test_server().await;
    let plain = get_accepting(&server, "/api/openapi.json", "").await;
    assert_eq!(plain.status, StatusCode::OK);
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(plain.body.len() > 10_000, "{}", plain.body.len());
    let gzipped = get_accepting(&server, "/api/openapi.json", "gzip").await;
    assert_eq!(gzipped.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("gzip"));
    assert!(gzipped.body.len() * 3 < plain.body.len(), "{} of {}", gzipped.body.len(), plain.body.len());
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(gzipped.body.as_slice()).read_to_end(&mut unzipped).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(unzipped, plain.body, "the same answer once decompressed");
    let brotli = get_accepting(&server, "/api/openapi.json", "br, gzip").await;
    assert_eq!(brotli.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("br"));
    assert!(brotli.body.len() * 3 < plain.body.len());
    // Chromium accepts zstd too, which goes first (the quickest to make and to undo).
    let zstd = get_accepting(&server, "/api/openapi.json", "gzip, deflate, br, zstd").await;
    assert_eq!(zstd.headers.get(header::CONTENT_ENCODING).and_then(|v| v.to_str().ok()), Some("zstd"));
    assert!(zstd.body.len() * 3 < plain.body.len());
    // Every API answer still says: no cache keeps it.
    assert_eq!(brotli.headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-store"));
    // A small answer goes as it is.
    let health = get_accepting(&server, "/api/health", "br, gzip").await;
    assert!(health.headers.get(header::CONTENT_ENCODING).is_none());
    assert!(health.body.len() < 1024);
    // The announcement stream is never compressed: each event must reach the browser at once.
    let request = Request::get("/api/sync/events").header(header::ACCEPT_ENCODING, "br, gzip").body(Body::empty());
    let mut request = request.unwrap_or_default();
    if let Ok(cookie) = header::HeaderValue::from_str(&server.cookie) {
        request.headers_mut().insert(header::COOKIE, cookie);
    }
    let response = tower::ServiceExt::oneshot(server.app.clone(), request).await.unwrap_or_else(|e| match e {});
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers().get(header::CONTENT_ENCODING).is_none());
}

#[tokio::test]
async fn database_is_wal_with_full_sync() {
    let server = test_server().await;
    if server.on_postgres() {
        // A commit returns once it is on disk.
        assert_eq!(server.store.setting("synchronous_commit").await.ok().as_deref(), Some("on"));
        assert_eq!(server.store.setting("fsync").await.ok().as_deref(), Some("on"));
        return;
    }
    assert_eq!(server.store.setting("journal_mode").await.ok().as_deref(), Some("wal"));
    // 2 = FULL: an answered write is on disk.
    assert_eq!(server.store.setting("synchronous").await.ok().as_deref(), Some("2"));
}

#[tokio::test]
async fn demo_area_loads_once_through_the_sync_engine() {
    let server = test_server().await;
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default();
    let me = server.coordinator_user().await;
    let first =
        server.store.push(&me, dsr_server::demo_push(today), Utc::now(), today).await.unwrap_or_else(|e| panic!("{e}"));
    let demo = dsr_server::demo_push(today);
    assert!(first.results.iter().all(|r| matches!(r.outcome, PushOutcome::Applied { .. })), "{first:?}");
    assert_eq!(first.results.len(), demo.mutations.len());
    assert_eq!(demo.mutations.iter().filter(|m| m.kind == dsr_shared::sync::RecordKind::Person).count(), 50);
    let again =
        server.store.push(&me, dsr_server::demo_push(today), Utc::now(), today).await.unwrap_or_else(|e| panic!("{e}"));
    assert!(again.results.iter().all(|r| r.repeated));
    let request =
        PullRequest { client: ClientId::from_time_and_random(9, [9; 10]), cursor: 0, view_no: 0, limit: 1000 };
    let page = server.store.pull(&me, request, Utc::now(), today).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.changes.len(), demo.mutations.len());
}

#[tokio::test]
async fn people_from_the_skeletons_table_become_records() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    // A database as the walking skeleton left it: only the first migration, with two people.
    let first = dir.path().join("first");
    std::fs::create_dir_all(&first).unwrap_or_else(|e| panic!("{e}"));
    let migrations = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/sqlite");
    std::fs::copy(migrations.join("0001_people.sql"), first.join("0001_people.sql")).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("dsr.sqlite3");
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path).create_if_missing(true);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap_or_else(|e| panic!("{e}"));
    sqlx::migrate::Migrator::new(first.as_path())
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .run(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let alex = person_id(1).to_string();
    let sam = person_id(2).to_string();
    sqlx::query("INSERT INTO people VALUES (?, 'Alex', 'Example', '2011-04-23', '9434765919', '2026-11-01T10:00:00Z'), (?, 'Sam', 'Sample', '2012-01-02', NULL, '2026-11-02T10:00:00Z')")
        .bind(&alex)
        .bind(&sam)
        .execute(&pool)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    pool.close().await;

    let store = Store::open(&path).await.unwrap_or_else(|e| panic!("{e}"));
    // The first area made adopts them.
    dsr_server::admin::create_coordinator(&store, &Clock::System, "First area", "first", "Jo First", "a long password")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let first = store.user_by_username("first").await.ok().flatten().unwrap_or_else(|| panic!("no user"));
    let me = store.acting_as(first.id).await.unwrap_or_else(|e| panic!("{e}"));
    let request = PullRequest { client: ClientId::from_time_and_random(9, [9; 10]), cursor: 0, view_no: 0, limit: 10 };
    let page = store.pull(&me, request, Utc::now(), Utc::now().date_naive()).await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.changes.len(), 2);
    assert_eq!(page.changes[0].record.id.to_string(), alex);
    assert_eq!(page.changes[0].record.field("nhs_number"), &json!("9434765919"));
    assert_eq!(page.changes[1].record.field("nhs_number"), &Value::Null);
    let record = store.record(page.changes[1].record.id).await.ok().flatten().unwrap_or_else(|| panic!("no record"));
    assert_eq!((record.version, record.field("given_name")), (1, &json!("Sam")));
}

#[tokio::test]
async fn real_listener_serves_and_shuts_down_gracefully() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open_url(&common::new_database(dir.path()).await).await.unwrap_or_else(|e| panic!("{e}"));
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
    // 23:30 UTC on 1 July is 00:30 on 2 July in England (British Summer Time).
    let clock = Clock::Fixed(Utc.with_ymd_and_hms(2026, 7, 1, 23, 30, 0).single().unwrap_or_default());
    let server = common::test_server_at(clock).await;
    let born = |seq: u64, id: PersonId, date: &str| {
        json!({ "seq": seq, "record_id": id, "kind": "person", "changes": {
            "given_name": { "new": "Baby" }, "family_name": { "new": "Example" }, "date_of_birth": { "new": date } } })
    };
    let body = json!({ "client_id": person_id(9), "mutations": [born(1, person_id(7), "2026-07-02"), born(2, person_id(8), "2026-07-03")] });
    let reply = server.post_json("/api/sync/push", &body).await;
    let response: PushResponse = reply.json();
    assert!(matches!(response.results[0].outcome, PushOutcome::Applied { .. }), "{response:?}");
    assert!(matches!(response.results[1].outcome, PushOutcome::Rejected { .. }), "{response:?}");
}
