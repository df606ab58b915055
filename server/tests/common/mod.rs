//! A fresh server per test: `app()` over a new database, a fixed clock and a small built app. The
//! database is a new SQLite file, or, when `DSR_TEST_POSTGRES` names a PostgreSQL server
//! (`postgres://USER@HOST:PORT`, such as the throw-away cluster `scripts/test.sh` starts), a new
//! database there: the same tests run against both backends.

#![allow(dead_code, reason = "each test file uses part of this")]
#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use dsr_server::{AppState, Clock, Store, app};
use dsr_shared::UserId;
use dsr_shared::access::Role;
use dsr_shared::accounts::{SessionInfo, UserSummary};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub struct TestServer {
    pub app: Router,
    pub store: Store,
    pub dir: tempfile::TempDir,
    /// The test's own database (`sqlite://...` or `postgres://...`).
    pub database_url: String,
    /// The test area's coordinator, signed in: requests carry this cookie unless they have their own.
    pub coordinator: UserId,
    pub cookie: String,
    pub area: String,
}

/// Every test account's password.
pub const PASSWORD: &str = "a long test password";
pub const AREA: &str = "Test area";

pub const INDEX_HTML: &str = "<!doctype html><html><head><title>DSR</title>\
    <script type=\"module\">import init from '/app.js'; init();</script></head><body></body></html>";

pub async fn test_server() -> TestServer {
    test_server_at(Clock::Fixed(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default())).await
}

/// A fresh server whose clock says `clock`.
pub async fn test_server_at(clock: Clock) -> TestServer {
    test_server_with(clock, |state| state).await
}

/// A fresh server whose state `configure` changes first (its password budget, say).
pub async fn test_server_with(clock: Clock, configure: impl FnOnce(AppState) -> AppState) -> TestServer {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let static_dir = dir.path().join("dist");
    std::fs::create_dir_all(&static_dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(static_dir.join("index.html"), INDEX_HTML).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(static_dir.join("app.js"), "export default function init() {}").unwrap_or_else(|e| panic!("{e}"));
    let database_url = new_database(dir.path()).await;
    let store = Store::open_url(&database_url).await.unwrap_or_else(|e| panic!("open {database_url}: {e}"));
    let state = configure(AppState::new(store.clone(), clock, static_dir, false));
    dsr_server::admin::create_coordinator(&store, &clock, AREA, "coordinator", "Jo Coordinator", PASSWORD)
        .await
        .unwrap_or_else(|e| panic!("coordinator: {e}"));
    let mut server = TestServer {
        app: app(state),
        store,
        dir,
        database_url,
        coordinator: UserId::from_time_and_random(0, [0; 10]),
        cookie: String::new(),
        area: String::new(),
    };
    let (session, cookie) = server.login("coordinator", PASSWORD).await;
    server.coordinator = session.user.id;
    server.area = session.area.id;
    server.cookie = cookie;
    server
}

/// The PostgreSQL server the tests run against, if any (`DSR_TEST_POSTGRES`).
pub fn test_postgres() -> Option<String> {
    std::env::var("DSR_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
        .map(|url| url.trim_end_matches('/').to_string())
}

/// A new, empty database for one test: a SQLite file in `dir`, or a new database on the test
/// PostgreSQL server.
pub async fn new_database(dir: &std::path::Path) -> String {
    let Some(server) = test_postgres() else {
        return format!("sqlite://{}", dir.join("dsr.sqlite3").display());
    };
    let name = format!("dsr_test_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(&format!("{server}/postgres")).await.unwrap_or_else(|e| panic!("{server}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap_or_else(|e| panic!("{e}"));
    admin.close().await;
    format!("{server}/{name}")
}

/// A connection pool of its own to a database, whichever its backend, for looking at tables directly.
pub async fn connect(database_url: &str) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(database_url).await.unwrap_or_else(|e| panic!("{database_url}: {e}"))
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not the expected JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl TestServer {
    /// A connection pool of its own to the test's database (see [`connect`]).
    pub async fn db(&self) -> sqlx::AnyPool {
        connect(&self.database_url).await
    }

    /// Whether the test runs against PostgreSQL.
    pub fn on_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }

    /// Sends a request as the test coordinator (unless it carries a cookie of its own).
    pub async fn send(&self, mut request: Request<Body>) -> Reply {
        if !request.headers().contains_key(header::COOKIE)
            && let Ok(value) = header::HeaderValue::from_str(&self.cookie)
        {
            request.headers_mut().insert(header::COOKIE, value);
        }
        self.send_raw(request).await
    }

    /// Sends a request as it is (no cookie added).
    pub async fn send_raw(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
        Reply { status, headers, body }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap_or_default()).await
    }

    /// Signs in; returns the session and the `Cookie` header value to send.
    pub async fn login(&self, username: &str, password: &str) -> (SessionInfo, String) {
        let body = serde_json::json!({ "username": username, "password": password });
        let request = Request::post("/api/session/login")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap_or_default();
        let reply = self.send_raw(request).await;
        assert_eq!(reply.status, StatusCode::OK, "login {username}: {}", reply.text());
        let set_cookie = reply.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default();
        let cookie = set_cookie.split(';').next().unwrap_or_default().to_string();
        (reply.json(), cookie)
    }

    /// A staff account made by the coordinator through the API, signed in: (id, cookie).
    pub async fn staff(&self, username: &str, role: Role) -> (UserId, String) {
        let body = serde_json::json!({
            "username": username, "display_name": format!("Test {username}"), "role": role, "password": PASSWORD
        });
        let reply = self.post_json("/api/users", &body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
        let user: UserSummary = reply.json();
        let (_, cookie) = self.login(username, PASSWORD).await;
        (user.id, cookie)
    }

    /// Another area, `area`, with its own coordinator `username`, signed in: their cookie.
    pub async fn other_area_coordinator(&self, area: &str, username: &str) -> String {
        dsr_server::admin::create_coordinator(&self.store, &Clock::System, area, username, "Bo Coordinator", PASSWORD)
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.login(username, PASSWORD).await.1
    }

    /// The coordinator acting through the store (as the server does for the demo area).
    pub async fn coordinator_user(&self) -> dsr_server::CurrentUser {
        self.store.acting_as(self.coordinator).await.unwrap_or_else(|e| panic!("{e}"))
    }

    pub async fn get_as(&self, cookie: &str, uri: &str) -> Reply {
        self.send_raw(Request::get(uri).header(header::COOKIE, cookie).body(Body::empty()).unwrap_or_default()).await
    }

    pub async fn post_json_as(&self, cookie: &str, uri: &str, body: &Value) -> Reply {
        self.send_raw(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .header(header::COOKIE, cookie)
                .body(Body::from(body.to_string()))
                .unwrap_or_default(),
        )
        .await
    }

    pub async fn post_json(&self, uri: &str, body: &Value) -> Reply {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap_or_default(),
        )
        .await
    }
}

/// `request` as if it came from `addr` (`192.0.2.7:4000`): the connection's address the real server
/// records, which the sign-in and form limits count by.
pub fn from_client(mut request: Request<Body>, addr: &str) -> Request<Body> {
    let addr: std::net::SocketAddr = addr.parse().unwrap_or_else(|e| panic!("{addr}: {e}"));
    request.extensions_mut().insert(axum::extract::ConnectInfo(addr));
    request
}

/// A JSON request from `addr` (see [`from_client`]).
pub fn json_from(addr: &str, method: axum::http::Method, uri: &str, body: &Value) -> Request<Body> {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default();
    from_client(request, addr)
}

/// The `n`th test record id (and the same as a person id, and a device id).
pub fn id(n: u8) -> dsr_shared::RecordId {
    dsr_shared::RecordId::from_time_and_random(1_764_000_000_000 + u64::from(n), [n; 10])
}

pub fn person(n: u8) -> dsr_shared::PersonId {
    dsr_shared::PersonId::from_uuid(id(n).as_uuid())
}

pub fn client(n: u8) -> dsr_shared::ClientId {
    dsr_shared::ClientId::from_time_and_random(1_764_000_000_000 + u64::from(n), [n; 10])
}
