//! The API against its own description (issue 13): requests generated from `/api/openapi.json` (valid
//! ones from each operation's schemas, and broken ones: a field missing or of the wrong type, another
//! body altogether, not JSON, ids that do not exist or cannot), sent signed in as the coordinator, as a
//! keyworker and as nobody. Every answer must be a status the description lists for the operation,
//! never a server error, and a JSON answer must match the schema described for its status. A seeded
//! generator, so a failure repeats: `DSR_CONTRACT_SEED=<n>` runs another seed, `DSR_CONTRACT_CASES` more
//! cases per operation.

#![allow(clippy::panic, reason = "a failed step fails the test")]

mod common;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Method, Request, header};
use common::*;
use dsr_shared::access::Role;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

/// Generates values from the description's schemas.
struct Generator {
    rng: StdRng,
    doc: Value,
    /// Ids that exist (people, users, records), so generated requests reach past "not found".
    ids: Vec<String>,
}

impl Generator {
    fn chance(&mut self, percent: u32) -> bool {
        self.rng.random_range(0..100) < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.rng.random_range(0..items.len())]
    }

    fn resolve<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let name = reference.trim_start_matches("#/components/schemas/");
                &self.doc["components"]["schemas"][name]
            }
            None => schema,
        }
    }

    fn text(&mut self) -> String {
        let texts = [
            "Alex",
            "Sam Parent",
            "",
            " ",
            "Ward 3, Northtown hospital",
            "2026-11-25",
            "=1+1",
            "Ünïcödé ✓ 测试",
            "line one\nline two",
            "nul \u{0} inside",
        ];
        let text = (*self.pick(&texts)).to_string();
        if self.chance(5) { "x".repeat(self.rng.random_range(200..30_000)) } else { text }
    }

    fn uuid(&mut self) -> String {
        if !self.ids.is_empty() && self.chance(70) {
            let ids = self.ids.clone();
            self.pick(&ids).clone()
        } else {
            uuid::Uuid::from_u128(self.rng.random()).to_string()
        }
    }

    fn string_of(&mut self, schema: &Value) -> Value {
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        Value::String(match format {
            "uuid" => self.uuid(),
            "date" => {
                let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
                    + chrono::Days::new(self.rng.random_range(0..60));
                if self.chance(50) {
                    day.to_string()
                } else {
                    (day - chrono::Days::new(self.rng.random_range(0..9000))).to_string()
                }
            }
            "date-time" => "2026-11-25T10:00:00Z".to_string(),
            _ => self.text(),
        })
    }

    /// A value the schema allows (mostly: free text may still break a domain rule).
    fn valid(&mut self, schema: &Value, depth: u32) -> Value {
        let schema = self.resolve(schema).clone();
        if depth > 7 {
            return Value::Null;
        }
        if let Some(options) = schema.get("enum").and_then(Value::as_array) {
            return self.pick(options).clone();
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(options) = schema.get(key).and_then(Value::as_array).filter(|o| !o.is_empty()) {
                let option = self.pick(options).clone();
                return self.valid(&option, depth + 1);
            }
        }
        if let Some(parts) = schema.get("allOf").and_then(Value::as_array) {
            let mut merged = serde_json::Map::new();
            for part in parts.clone() {
                match self.valid(&part, depth + 1) {
                    Value::Object(map) => merged.extend(map),
                    other => return other,
                }
            }
            return Value::Object(merged);
        }
        let types: Vec<String> = match &schema["type"] {
            Value::String(t) => vec![t.clone()],
            Value::Array(ts) => ts.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        };
        let chosen = if types.is_empty() {
            if schema.get("properties").is_some() { "object".to_string() } else { "any".to_string() }
        } else {
            // Null where allowed, sometimes.
            let non_null: Vec<String> = types.iter().filter(|t| *t != "null").cloned().collect();
            if non_null.is_empty() || (types.len() > non_null.len() && self.chance(25)) {
                "null".to_string()
            } else {
                self.pick(&non_null).clone()
            }
        };
        match chosen.as_str() {
            "null" => Value::Null,
            "boolean" => Value::Bool(self.chance(50)),
            "integer" => {
                let low = schema.get("minimum").and_then(Value::as_i64).unwrap_or(-5);
                let n = if self.chance(10) {
                    i64::from(u32::MAX) * 3
                } else {
                    self.rng.random_range(low.max(-5)..=low.max(0) + 40)
                };
                json!(n)
            }
            "number" => json!(self.rng.random_range(-10.0..1000.0)),
            "string" => self.string_of(&schema),
            "array" => {
                let items = schema.get("items").cloned().unwrap_or(json!({}));
                let n = self.rng.random_range(0..3);
                Value::Array((0..n).map(|_| self.valid(&items, depth + 1)).collect())
            }
            "object" => {
                let mut map = serde_json::Map::new();
                let required: Vec<String> = schema["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                    for (name, property) in properties.clone() {
                        if required.contains(&name) || self.chance(60) {
                            let value = self.valid(&property, depth + 1);
                            map.insert(name, value);
                        }
                    }
                } else if self.chance(50) {
                    let key = self.text();
                    let value = self.any(depth + 1);
                    map.insert(key, value);
                }
                Value::Object(map)
            }
            _ => self.any(depth + 1),
        }
    }

    fn any(&mut self, depth: u32) -> Value {
        match self.rng.random_range(0..6) {
            0 => Value::Null,
            1 => json!(self.rng.random_range(-3..100_000)),
            2 => Value::String(self.text()),
            3 => Value::Bool(self.chance(50)),
            4 if depth < 6 => json!([self.any(depth + 1)]),
            _ => json!({ "a": self.text() }),
        }
    }

    /// A value the schema does not allow, or a valid one with one part broken.
    fn broken(&mut self, schema: &Value) -> Value {
        let mut value = self.valid(schema, 0);
        match (self.rng.random_range(0..4), value.as_object_mut()) {
            (0, Some(map)) if !map.is_empty() => {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = self.pick(&keys).clone();
                map.remove(&key);
            }
            (1, Some(map)) if !map.is_empty() => {
                let keys: Vec<String> = map.keys().cloned().collect();
                let key = self.pick(&keys).clone();
                let wrong = match &map[&key] {
                    Value::String(_) => json!(12345),
                    Value::Number(_) => json!("twelve"),
                    Value::Array(_) => json!({ "not": "a list" }),
                    _ => json!(["a", "list"]),
                };
                map.insert(key, wrong);
            }
            _ => value = self.any(0),
        }
        value
    }
}

struct Operation {
    method: Method,
    path: String,
    spec: Value,
}

fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().cloned().unwrap_or_default() {
        for (method, spec) in item.as_object().cloned().unwrap_or_default() {
            if let Ok(method) = method.to_uppercase().parse::<Method>() {
                found.push(Operation { method, path: path.clone(), spec });
            }
        }
    }
    found
}

/// The schema of the JSON answer documented for `status`, if any.
fn response_schema(doc: &Value, operation: &Operation, status: u16) -> Option<Value> {
    let response = &operation.spec["responses"][status.to_string()];
    let response = match response.get("$ref").and_then(Value::as_str) {
        Some(r) => doc["components"]["responses"][r.trim_start_matches("#/components/responses/")].clone(),
        None => response.clone(),
    };
    response["content"]["application/json"].get("schema").cloned()
}

#[tokio::test]
async fn generated_requests_get_only_documented_answers_that_match_their_schemas() {
    let server = test_server().await;
    // The announcement stream ends at once when the server is stopping: its answer can be read whole.
    server.store.changes().stop();
    let doc = serde_json::to_value(dsr_server::openapi()).unwrap_or_default();
    let seed: u64 = std::env::var("DSR_CONTRACT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(13);
    let cases: u32 = std::env::var("DSR_CONTRACT_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(40);

    // Something to reach: two people, a keyworker with one of them, their devices' records.
    let create = |seq: u64, n: u8| {
        json!({ "seq": seq, "record_id": id(n), "kind": "person", "changes": {
            "given_name": { "new": "Alex" }, "family_name": { "new": format!("Example{n}") }, "date_of_birth": { "new": "2012-03-04" } } })
    };
    let reply = server
        .post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": [create(1, 1), create(2, 2)] }))
        .await;
    assert!(reply.text().matches("\"applied\"").count() == 2, "{}", reply.text());
    // And a conflict, whose values are strings (any JSON value, as described).
    let rename = |seq: u64, to: &str| {
        json!({ "seq": seq, "record_id": id(1), "kind": "person", "base_version": 1,
            "changes": { "given_name": { "old": "Alex", "new": to } } })
    };
    server.post_json("/api/sync/push", &json!({ "client_id": client(1), "mutations": [rename(3, "Alexa")] })).await;
    let reply =
        server.post_json("/api/sync/push", &json!({ "client_id": client(2), "mutations": [rename(1, "Sasha")] })).await;
    assert!(reply.text().contains("conflict"), "{}", reply.text());
    let (keyworker, keyworker_cookie) = server.staff("keyworker", Role::Keyworker).await;
    let reply = server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person(1) })).await;
    assert_eq!(reply.status, axum::http::StatusCode::OK);
    let ids = vec![
        person(1).to_string(),
        person(2).to_string(),
        keyworker.to_string(),
        server.coordinator.to_string(),
        client(1).to_string(),
    ];
    let mut generator = Generator { rng: StdRng::seed_from_u64(seed), doc: doc.clone(), ids };
    let mut coordinator_cookie = server.cookie.clone();

    let mut sent = 0u32;
    let mut by_status: BTreeMap<u16, u32> = BTreeMap::new();
    let mut violations: Vec<String> = Vec::new();
    let mut validators: BTreeMap<String, Result<jsonschema::Validator, String>> = BTreeMap::new();
    let schema_options = {
        let mut options = jsonschema::options();
        options = options.with_draft(jsonschema::Draft::Draft202012).should_validate_formats(true);
        options
    };
    // The validator catches what it should: an error answer with a number for its code.
    let mut error_schema = json!({ "$ref": "#/components/schemas/ApiError" });
    error_schema["components"] = doc["components"].clone();
    let checker = schema_options.build(&error_schema).unwrap_or_else(|e| panic!("{e}"));
    assert!(!checker.is_valid(&json!({ "code": 5, "message": "m", "fields": [] })));
    assert!(checker.is_valid(&json!({ "code": "c", "message": "m", "fields": [] })));

    for operation in operations(&doc) {
        for case in 0..cases {
            // The address, with path parameters filled in.
            let mut path = operation.path.clone();
            let mut query = Vec::new();
            for parameter in operation.spec["parameters"].as_array().cloned().unwrap_or_default() {
                let name = parameter["name"].as_str().unwrap_or_default().to_string();
                let value = if generator.chance(12) {
                    Value::String(generator.pick(&["not-an-id", "-1", "%00", "1e999"]).to_string())
                } else {
                    generator.valid(&parameter["schema"], 0)
                };
                let text = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                let encoded: String = text
                    .bytes()
                    .map(|b| {
                        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                            (b as char).to_string()
                        } else {
                            format!("%{b:02X}")
                        }
                    })
                    .collect();
                match parameter["in"].as_str() {
                    Some("path") => path = path.replace(&format!("{{{name}}}"), &encoded),
                    Some("query") if parameter["required"] == true || generator.chance(60) => {
                        query.push(format!("{name}={encoded}"));
                    }
                    _ => {}
                }
            }
            if !query.is_empty() {
                path = format!("{path}?{}", query.join("&"));
            }
            let mut request = Request::builder().method(operation.method.clone()).uri(&path);
            // Who asks.
            let who = generator.rng.random_range(0..100);
            if who < 80 {
                request = request.header(header::COOKIE, &coordinator_cookie);
            } else if who < 90 {
                request = request.header(header::COOKIE, &keyworker_cookie);
            }
            // The body.
            let body = match operation.spec["requestBody"]["content"]["application/json"].get("schema") {
                Some(schema) => {
                    let schema = schema.clone();
                    match generator.rng.random_range(0..100) {
                        0..60 => {
                            request = request.header(header::CONTENT_TYPE, "application/json");
                            Body::from(generator.valid(&schema, 0).to_string())
                        }
                        60..85 => {
                            request = request.header(header::CONTENT_TYPE, "application/json");
                            Body::from(generator.broken(&schema).to_string())
                        }
                        85..92 => {
                            request = request.header(header::CONTENT_TYPE, "application/json");
                            Body::from("{\"not json")
                        }
                        92..96 => Body::from(generator.valid(&schema, 0).to_string()),
                        _ => {
                            request = request.header(header::CONTENT_TYPE, "application/json");
                            Body::from(format!("{{\"pad\": \"{}\"}}", "x".repeat(300 * 1024)))
                        }
                    }
                }
                None => Body::empty(),
            };
            let address = format!("10.9.{}.{}:4000", case % 250, generator.rng.random_range(1..250));
            let request = from_client(request.body(body).unwrap_or_default(), &address);
            let reply = server.send_raw(request).await;
            sent += 1;
            let status = reply.status.as_u16();
            *by_status.entry(status).or_default() += 1;
            let what = format!("{} {path} (seed {seed}, case {case})", operation.method);
            if reply.status.is_server_error() && status != 503 {
                violations.push(format!("{what}: server error {status}: {}", reply.text()));
                continue;
            }
            if operation.spec["responses"].get(status.to_string()).is_none() {
                violations.push(format!("{what}: undocumented status {status}: {}", reply.text()));
                continue;
            }
            let is_json = reply
                .headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.starts_with("application/json"));
            if let (true, Some(schema)) = (is_json, response_schema(&doc, &operation, status)) {
                let body: Value = serde_json::from_slice(&reply.body).unwrap_or(Value::Null);
                // Compiled once per schema: the description's components travel with it for its `$ref`s.
                let key = schema.to_string();
                if !validators.contains_key(&key) {
                    let mut root = schema.clone();
                    root["components"] = doc["components"].clone();
                    validators.insert(key.clone(), schema_options.build(&root).map_err(|e| e.to_string()));
                }
                match &validators[&key] {
                    Ok(validator) => {
                        let problems: Vec<String> = validator
                            .iter_errors(&body)
                            .map(|e| format!("{} at {}", e, e.instance_path))
                            .take(3)
                            .collect();
                        if !problems.is_empty() {
                            violations.push(format!("{what}: {status} answer does not match its schema: {problems:?}"));
                        }
                    }
                    Err(error) => violations.push(format!("{what}: the described schema does not compile: {error}")),
                }
            }
            // Signed out by a generated request: sign in again for the next ones.
            if operation.path == "/api/session/logout" {
                let login = json!({ "username": "coordinator", "password": PASSWORD });
                let reply =
                    server.send_raw(json_from("10.200.0.1:1", Method::POST, "/api/session/login", &login)).await;
                if let Some(cookie) = reply.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()) {
                    coordinator_cookie = cookie.split(';').next().unwrap_or_default().to_string();
                }
            }
        }
    }
    println!(
        "{sent} generated requests (seed {seed}); answers by status: {by_status:?}; {} violations",
        violations.len()
    );
    assert!(violations.is_empty(), "{} violations:\n{}", violations.len(), violations.join("\n"));
    assert!(by_status.keys().any(|s| (200..300).contains(s)), "no request got past validation: {by_status:?}");
}
