//! A fresh server per test: `app()` over a new SQLite file, a fixed clock and a small built app.

#![allow(dead_code, reason = "each test file uses part of this")]
#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::{TimeZone, Utc};
use dsr_server::{AppState, Clock, Store, app};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub struct TestServer {
    pub app: Router,
    pub store: Store,
    pub dir: tempfile::TempDir,
}

pub const INDEX_HTML: &str = "<!doctype html><html><head><title>DSR</title>\
    <script type=\"module\">import init from '/app.js'; init();</script></head><body></body></html>";

pub async fn test_server() -> TestServer {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temp dir: {e}"));
    let static_dir = dir.path().join("dist");
    std::fs::create_dir_all(&static_dir).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(static_dir.join("index.html"), INDEX_HTML).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(static_dir.join("app.js"), "export default function init() {}").unwrap_or_else(|e| panic!("{e}"));
    let store = Store::open(&dir.path().join("dsr.sqlite3")).await.unwrap_or_else(|e| panic!("open: {e}"));
    let clock = Clock::Fixed(Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).single().unwrap_or_default());
    let state = AppState::new(store.clone(), clock, static_dir, false);
    TestServer { app: app(state), store, dir }
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
    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.app.clone().oneshot(request).await.unwrap_or_else(|e| match e {});
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.map(|b| b.to_bytes().to_vec()).unwrap_or_default();
        Reply { status, headers, body }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap_or_default()).await
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
