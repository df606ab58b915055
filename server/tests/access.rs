//! Accounts and need-to-know through the API: sign-in, every endpoint × every role × own person /
//! another person / another area's person, access ending, and the audit trail's completeness.

#![allow(clippy::panic, reason = "test helpers fail the test with a message")]

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{PASSWORD, TestServer, client, id, person, test_server};
use dsr_shared::access::Role;
use dsr_shared::accounts::{InviteCreated, SessionInfo, UserSummary};
use dsr_shared::api::ApiError;
use dsr_shared::sync::{PullResponse, PushOutcome, PushResponse};
use dsr_shared::{ClientId, RecordId, UserId};
use serde_json::{Value, json};

fn create_person(seq: u64, n: u8, given: &str) -> Value {
    json!({ "seq": seq, "record_id": id(n), "kind": "person", "changes": {
        "given_name": { "new": given }, "family_name": { "new": "Example" }, "date_of_birth": { "new": "2011-04-23" } } })
}

fn consent(seq: u64, n: u8, of: u8, scope: &str, withdrawn_on: Option<&str>) -> Value {
    let mut changes = json!({
        "person_id": { "new": id(of) }, "scope": { "new": scope },
        "given_by": { "new": { "kind": "the_person", "gillick_competent": true } },
        "given_on": { "new": "2026-01-05" }, "recorded_by": { "new": "Jo Coordinator" } });
    if scope == "review" {
        changes["review_id"] = json!({ "new": id(99) });
    }
    if let Some(day) = withdrawn_on {
        changes["withdrawn_on"] = json!({ "new": day });
    }
    json!({ "seq": seq, "record_id": id(n), "kind": "consent", "changes": changes })
}

fn visit_note(seq: u64, n: u8, of: u8) -> Value {
    visit_note_with_id(seq, id(n), of)
}

fn visit_note_with_id(seq: u64, record_id: RecordId, of: u8) -> Value {
    json!({ "seq": seq, "record_id": record_id, "kind": "visit_note", "changes": {
        "person_id": { "new": id(of) }, "visited_on": { "new": "2026-11-20" }, "by": { "new": "Sam" },
        "note": { "new": "Visited at home" } } })
}

async fn push_as(
    server: &TestServer,
    cookie: &str,
    client: ClientId,
    mutations: Vec<Value>,
) -> (StatusCode, Option<PushResponse>) {
    let reply =
        server.post_json_as(cookie, "/api/sync/push", &json!({ "client_id": client, "mutations": mutations })).await;
    let body = (reply.status == StatusCode::OK).then(|| reply.json());
    (reply.status, body)
}

async fn pull_as(
    server: &TestServer,
    cookie: &str,
    client: ClientId,
    cursor: u64,
    view: u64,
) -> (StatusCode, Option<PullResponse>) {
    let uri = format!("/api/sync/pull?client_id={client}&cursor={cursor}&view={view}&limit=2000");
    let reply = server.get_as(cookie, &uri).await;
    let body = (reply.status == StatusCode::OK).then(|| reply.json());
    (reply.status, body)
}

/// The test area's people: 1 (assigned to everyone, with register and review consent), 2 (assigned to
/// nobody); and area B's person 3. Users of every role in area A, signed in.
struct World {
    server: TestServer,
    /// Role, user id, cookie.
    users: Vec<(Role, UserId, String)>,
    other_coordinator: String,
}

async fn world() -> World {
    let server = test_server().await;
    let (status, _) = push_as(
        &server,
        &server.cookie,
        client(1),
        vec![
            create_person(1, 1, "Own"),
            create_person(2, 2, "Other"),
            consent(3, 11, 1, "register", None),
            consent(4, 12, 1, "review", None),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Area B, its coordinator and its person.
    let other_coordinator = server.other_area_coordinator("Area B", "coordinator.b").await;
    let (status, body) = push_as(&server, &other_coordinator, client(2), vec![create_person(1, 3, "Foreign")]).await;
    assert!(
        status == StatusCode::OK
            && matches!(body.map(|b| b.results[0].outcome.clone()), Some(PushOutcome::Applied { .. }))
    );

    let mut users = vec![(Role::Coordinator, server.coordinator, server.cookie.clone())];
    for (role, username) in [
        (Role::Keyworker, "keyworker"),
        (Role::Advocate, "advocate"),
        (Role::PanelMember, "panel"),
        (Role::Referrer, "referrer"),
    ] {
        let (user, cookie) = server.staff(username, role).await;
        let reply = server.post_json(&format!("/api/users/{user}/people"), &json!({ "person_id": person(1) })).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        users.push((role, user, cookie));
    }
    // The family: invited with a one-time code, they choose their own username and password.
    let reply =
        server.post_json("/api/invites", &json!({ "display_name": "Chris Parent", "person_id": person(1) })).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let invite: InviteCreated = reply.json();
    assert!(invite.user.invite_pending && invite.user.username.is_none());
    let accept = json!({ "code": invite.code.to_lowercase().replace('-', " "), "username": "chris.parent", "password": "our own long password" });
    let reply = server.send_raw(json_request(Method::POST, "/api/invites/accept", &accept)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
    let session: SessionInfo = reply.json();
    assert_eq!((session.user.role, session.user.people.clone()), (Role::Family, vec![person(1)]));
    assert!(!session.user.young_person, "a parent's account unless the invitation says otherwise");
    // The young person's own account: a family account that says so.
    let reply = server
        .post_json("/api/invites", &json!({ "display_name": "Alex", "person_id": person(1), "young_person": true }))
        .await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text());
    let young: InviteCreated = reply.json();
    assert!(young.user.young_person && young.user.role == Role::Family, "{:?}", young.user);
    let (_, family_cookie) = server.login("chris.parent", "our own long password").await;
    users.push((Role::Family, session.user.id, family_cookie));
    // The code works once.
    let again = server
        .send_raw(json_request(
            Method::POST,
            "/api/invites/accept",
            &json!({ "code": invite.code, "username": "someone.else", "password": "another long password" }),
        ))
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", again.text());
    // A DSR panel member is assigned to nobody: they read what the meetings need of everyone.
    let (user, cookie) = server.staff("dsr.panel", Role::DsrPanel).await;
    let reply = server.post_json(&format!("/api/users/{user}/people"), &json!({ "person_id": person(1) })).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    users.push((Role::DsrPanel, user, cookie));
    World { server, users, other_coordinator }
}

fn json_request(method: Method, uri: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

fn with_cookie(mut request: Request<Body>, cookie: &str) -> Request<Body> {
    if let Ok(value) = header::HeaderValue::from_str(cookie) {
        request.headers_mut().insert(header::COOKIE, value);
    }
    request
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Own,
    Other,
    OtherArea,
}

impl Target {
    fn n(self) -> u8 {
        match self {
            Target::Own => 1,
            Target::Other => 2,
            Target::OtherArea => 3,
        }
    }
}

/// What the rules say: may `role` do `endpoint` to `target`?
fn allowed(endpoint: &str, role: Role, target: Target) -> bool {
    let coordinator = role == Role::Coordinator;
    let area_wide = role.reads_whole_area();
    let in_area = target != Target::OtherArea;
    match endpoint {
        // Sees the person's record: a coordinator anyone in the area; others their own person, if
        // their role reads person records (all do, the panel once consent is recorded, as here).
        // A DSR panel member reads everyone in the area (what the agenda needs of them).
        "pull sends the person" => (area_wide && in_area) || target == Target::Own,
        "push changes the person" => (coordinator && in_area) || (target == Target::Own && role == Role::Keyworker),
        "push adds a visit note" => (coordinator && in_area) || (target == Target::Own && role == Role::Keyworker),
        // A read reported by a device is recorded only if it could have happened: of someone the user
        // may read (or was sent before, read while assigned: see the audit tests).
        "report a read" => (area_wide && in_area) || target == Target::Own,
        "audit by person" | "audit export by person" | "assign" | "unassign" | "invite" => coordinator && in_area,
        other => panic!("no rule for {other}"),
    }
}

const PERSON_ENDPOINTS: [&str; 9] = [
    "pull sends the person",
    "push changes the person",
    "push adds a visit note",
    "report a read",
    "audit by person",
    "audit export by person",
    "assign",
    "unassign",
    "invite",
];

/// Does it, and says whether it was allowed (2xx and the effect), or refused (401/403/404, or a
/// refused mutation) with nothing leaked.
async fn attempt(
    w: &World,
    endpoint: &str,
    role: Role,
    cookie: &str,
    target: Target,
    seq: &mut u64,
    device: ClientId,
) -> bool {
    let server = &w.server;
    let n = target.n();
    let keyworker =
        w.users.iter().find(|(r, _, _)| *r == Role::Keyworker).map(|(_, id, _)| *id).unwrap_or(w.server.coordinator);
    let denied = |status: StatusCode, what: &str| {
        assert!(
            matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{endpoint} by {role} on {target:?}: {status} is neither success nor a refusal ({what})"
        );
        false
    };
    match endpoint {
        "pull sends the person" => {
            let (status, page) = pull_as(server, cookie, device, 0, 0).await;
            assert_eq!(status, StatusCode::OK);
            let page = page.unwrap_or_else(|| panic!("no page"));
            page.changes.iter().any(|c| c.record.id == id(n))
        }
        "push changes the person" | "push adds a visit note" => {
            *seq += 1;
            let mutation = if endpoint == "push changes the person" {
                // The person's current version, as the coordinator of its area sees it.
                let record = server.store.record(id(n)).await.ok().flatten().unwrap_or_else(|| panic!("no person"));
                let given = record.field("given_name").clone();
                json!({ "seq": *seq, "record_id": id(n), "kind": "person", "base_version": record.version,
                        "changes": { "given_name": { "old": given, "new": format!("Changed{seq}{}", role.name()) } } })
            } else {
                let note = RecordId::from_time_and_random(
                    *seq,
                    device.as_uuid().as_bytes()[6..16].try_into().unwrap_or([0; 10]),
                );
                visit_note_with_id(*seq, note, n)
            };
            let (status, body) = push_as(server, cookie, device, vec![mutation]).await;
            assert_eq!(status, StatusCode::OK);
            match &body.unwrap_or_else(|| panic!("no answer")).results[0].outcome {
                PushOutcome::Applied { .. } => true,
                PushOutcome::Rejected { reasons } if reasons[0].field == "record" => false,
                other => panic!("{endpoint} by {role} on {target:?}: {other:?}"),
            }
        }
        "report a read" => {
            let event = json!({ "client_id": device, "events": [{ "id": uuid::Uuid::now_v7(), "person_id": person(n), "at": "2026-11-25T10:00:00Z", "screen": "person page" }] });
            let reply = server.post_json_as(cookie, "/api/audit/views", &event).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
            reply.json::<Value>()["recorded"] == 1
        }
        "audit by person" | "audit export by person" => {
            let path = if endpoint == "audit by person" { "/api/audit" } else { "/api/audit/export" };
            let reply = server.get_as(cookie, &format!("{path}?person_id={}", person(n))).await;
            if reply.status == StatusCode::OK {
                assert!(reply.text().contains(&person(n).to_string()) || reply.text().len() > 2, "{}", reply.text());
                true
            } else {
                denied(reply.status, &reply.text())
            }
        }
        "assign" => {
            let reply = server
                .post_json_as(cookie, &format!("/api/users/{keyworker}/people"), &json!({ "person_id": person(n) }))
                .await;
            reply.status == StatusCode::OK || denied(reply.status, &reply.text())
        }
        "unassign" => {
            // Assigned first by the coordinator of the person's area where possible, so only access decides.
            if target != Target::OtherArea {
                server.store.assign(keyworker, person(n), server.coordinator, chrono::Utc::now()).await.ok();
            }
            let request = with_cookie(
                Request::delete(format!("/api/users/{keyworker}/people/{}", person(n)))
                    .body(Body::empty())
                    .unwrap_or_default(),
                cookie,
            );
            let reply = server.send_raw(request).await;
            // Keep the world as it was: the keyworker keeps their own person.
            server.store.assign(keyworker, person(1), server.coordinator, chrono::Utc::now()).await.ok();
            reply.status == StatusCode::OK || denied(reply.status, &reply.text())
        }
        "invite" => {
            let reply = server
                .post_json_as(
                    cookie,
                    "/api/invites",
                    &json!({ "display_name": "Another Parent", "person_id": person(n) }),
                )
                .await;
            reply.status == StatusCode::CREATED || denied(reply.status, &reply.text())
        }
        other => panic!("no way to do {other}"),
    }
}

#[tokio::test]
async fn every_endpoint_for_every_role_on_own_other_and_other_area_people_follows_the_rules() {
    let w = world().await;
    let mut cases = 0;
    for (i, (role, _, cookie)) in w.users.iter().enumerate() {
        let mut seq = 0;
        let device = client(10 + i as u8);
        for endpoint in PERSON_ENDPOINTS {
            for target in [Target::Own, Target::Other, Target::OtherArea] {
                let done = attempt(&w, endpoint, *role, cookie, target, &mut seq, device).await;
                assert_eq!(done, allowed(endpoint, *role, target), "{endpoint} by {role} on {target:?}");
                cases += 1;
            }
        }
    }
    // Endpoints about the area, not one person: coordinators only (their own area's users).
    let keyworker = w.users[1].1;
    for (role, _, cookie) in &w.users {
        let coordinator = *role == Role::Coordinator;
        let reply = w.server.get_as(cookie, "/api/users").await;
        assert_eq!(reply.status == StatusCode::OK, coordinator, "list users by {role}");
        if coordinator {
            let users: Vec<UserSummary> = reply.json();
            assert!(
                users.iter().all(|u| u.username.as_deref() != Some("coordinator.b")),
                "another area's users listed"
            );
        }
        let new = json!({ "username": format!("new.{}", role.name()), "display_name": "New Person", "role": "keyworker", "password": PASSWORD });
        let reply = w.server.post_json_as(cookie, "/api/users", &new).await;
        assert_eq!(reply.status == StatusCode::CREATED, coordinator, "create user by {role}: {}", reply.text());
        let reply = w.server.get_as(cookie, "/api/audit").await;
        assert_eq!(reply.status == StatusCode::OK, coordinator, "audit by {role}");
        let reply = w.server.get_as(cookie, &format!("/api/audit?user_id={keyworker}")).await;
        assert_eq!(reply.status == StatusCode::OK, coordinator, "audit by user, by {role}");
        let reply = w.server.get_as(cookie, "/api/session").await;
        assert_eq!(reply.status, StatusCode::OK, "session of {role}");
        let reply = w.server.get_as(cookie, "/api/sync/conflicts").await;
        assert_eq!(reply.status, StatusCode::OK, "conflicts for {role}");
        // Everyone follows the area's policy; only coordinators change it.
        let reply = w.server.get_as(cookie, "/api/area/policy").await;
        assert_eq!(reply.status, StatusCode::OK, "policy read by {role}");
        let mut document: Value = reply.json();
        document["policy"]["reviews"]["report_within"] = json!(format!("{} weeks", 3 + cases % 5));
        let update = json!({ "base_version": document["version"], "policy": document["policy"] });
        let request = with_cookie(json_request(Method::PUT, "/api/area/policy", &update), cookie);
        let reply = w.server.send_raw(request).await;
        assert_eq!(reply.status == StatusCode::OK, coordinator, "policy change by {role}: {}", reply.text());
        if !coordinator {
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.text());
        }
        // Only a coordinator carries out an erasure request (here of person 2, whom nobody else sees).
        let erase = with_cookie(
            json_request(
                Method::POST,
                &format!("/api/people/{}/erase", person(2)),
                &json!({ "asked_by": "Sam Parent, her mother", "reason": "Asked in writing" }),
            ),
            cookie,
        );
        let reply = w.server.send_raw(erase).await;
        assert_eq!(reply.status == StatusCode::OK, coordinator, "erasure by {role}: {}", reply.text());
        cases += 9;
    }
    // A malformed id in the address: a clear JSON 400, not a plain-text one.
    let reply = w.server.post_json("/api/users/not-an-id/disable", &json!({})).await;
    assert_eq!((reply.status, reply.json::<ApiError>().code), (StatusCode::BAD_REQUEST, "invalid_path".to_string()));
    cases += 1;
    // Another area's coordinator: none of area A's users or people.
    let reply = w.server.get_as(&w.other_coordinator, &format!("/api/audit?user_id={keyworker}")).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    let request = with_cookie(
        json_request(Method::POST, &format!("/api/users/{keyworker}/disable"), &json!({})),
        &w.other_coordinator,
    );
    assert_eq!(w.server.send_raw(request).await.status, StatusCode::NOT_FOUND);
    let erase = with_cookie(
        json_request(
            Method::POST,
            &format!("/api/people/{}/erase", person(1)),
            &json!({ "asked_by": "Their mother", "reason": "Asked" }),
        ),
        &w.other_coordinator,
    );
    assert_eq!(w.server.send_raw(erase).await.status, StatusCode::NOT_FOUND);
    cases += 3;
    // Nobody signed in: 401 from every route but health, the description, sign-in and invite acceptance.
    let spec: Value = w.server.get("/api/openapi.json").await.json();
    let open = [
        "/api/health",
        "/api/openapi.json",
        "/api/session/login",
        "/api/session/logout",
        "/api/invites/accept",
        "/api/password-reset",
        "/api/areas",
        "/api/referrals/self",
        "/api/referrals/self/status",
    ];
    for (path, item) in spec["paths"].as_object().cloned().unwrap_or_default() {
        for method in item.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default() {
            let uri = path
                .replace("{id}", &keyworker.to_string())
                .replace("{person_id}", &person(1).to_string())
                .replace("{client_id}", &client(1).to_string());
            let request = json_request(
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap_or(Method::GET),
                &uri,
                &json!({}),
            );
            let reply = w.server.send_raw(request).await;
            if open.contains(&path.as_str()) {
                assert_ne!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}");
            } else {
                assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{method} {path}: {}", reply.text());
                assert_eq!(reply.json::<ApiError>().code, "not_signed_in");
            }
            cases += 1;
        }
    }
    println!("access matrix: {cases} cases");
    assert!(cases >= 200, "{cases}");
}

#[tokio::test]
async fn pull_sends_only_what_each_role_may_read() {
    let w = world().await;
    // A visit note about person 1: keyworkers see it, families and advocates do not.
    let (status, _) = push_as(&w.server, &w.server.cookie, client(1), vec![visit_note(5, 30, 1)]).await;
    assert_eq!(status, StatusCode::OK);
    for (i, (role, _, cookie)) in w.users.iter().enumerate() {
        let (_, page) = pull_as(&w.server, cookie, client(40 + i as u8), 0, 0).await;
        let ids: Vec<RecordId> =
            page.unwrap_or_else(|| panic!("no page")).changes.iter().map(|c| c.record.id).collect();
        let sees_note = ids.contains(&id(30));
        assert_eq!(sees_note, matches!(role, Role::Coordinator | Role::Keyworker), "{role}: {ids:?}");
        assert_eq!(ids.contains(&id(2)), role.reads_whole_area(), "{role}");
        assert!(!ids.contains(&id(3)), "{role} sees another area");
    }
}

/// A note's text changed from `old` to `new` at `version` (a push's mutation).
fn edit_note(seq: u64, n: u8, version: u64, old: &str, new: &str) -> Value {
    json!({ "seq": seq, "record_id": id(n), "kind": "visit_note", "base_version": version,
        "changes": { "note": { "old": old, "new": new } } })
}

/// A keyworker's device pulling after its cursor gets every later change about its caseload's people
/// once, in order and in pages: of records new since the cursor and of records written before it (a
/// page is read from the records changed since the cursor), a record changed twice giving both; and
/// nothing about anyone else.
#[tokio::test]
async fn a_keyworkers_pull_sends_each_later_change_of_their_people_once() {
    let w = world().await;
    let (_, _, keyworker) = w.users[1].clone();
    assert_eq!(w.users[1].0, Role::Keyworker);
    let coordinator = w.server.cookie.clone();
    let push = async |mutations: Vec<Value>| {
        let (status, answer) = push_as(&w.server, &coordinator, client(7), mutations).await;
        let answer = answer.unwrap_or_else(|| panic!("{status}"));
        assert!(answer.results.iter().all(|r| matches!(r.outcome, PushOutcome::Applied { .. })), "{answer:?}");
    };
    // Before the cursor: a note about person 1, written twice.
    push(vec![visit_note(1, 21, 1), edit_note(2, 21, 1, "Visited at home", "Visited at home; calmer")]).await;
    let device = client(8);
    let (_, first) = pull_as(&w.server, &keyworker, device, 0, 0).await;
    let first = first.unwrap_or_else(|| panic!("no page"));
    assert!(!first.more);
    let versions = |changes: &[dsr_shared::sync::Change]| -> Vec<(RecordId, u64)> {
        changes.iter().map(|c| (c.record.id, c.record.version)).collect()
    };
    assert!(versions(&first.changes).contains(&(id(21), 2)), "{:?}", versions(&first.changes));

    // After it: note 21 again, a new note 22 (then changed), person 2's note 23, a new note 24.
    push(vec![
        edit_note(3, 21, 2, "Visited at home; calmer", "Visited at home; calmer, slept well"),
        visit_note(4, 22, 1),
        visit_note(5, 23, 2),
        edit_note(6, 22, 1, "Visited at home", "Visited at school"),
        visit_note(7, 24, 1),
    ])
    .await;
    let (mut cursor, mut got, mut pages) = (first.cursor, Vec::new(), 0);
    loop {
        let uri = format!("/api/sync/pull?client_id={device}&cursor={cursor}&view={}&limit=2", first.view);
        let reply = w.server.get_as(&keyworker, &uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text());
        let page: PullResponse = reply.json();
        assert!(page.changes.len() <= 2 && page.removed.is_empty() && !page.reset, "{page:?}");
        assert!(page.changes.iter().all(|c| c.change_seq > cursor), "{page:?}");
        got.extend(page.changes.iter().map(|c| (c.change_seq, c.record.id, c.record.version)));
        (cursor, pages) = (page.cursor, pages + 1);
        if !page.more {
            break;
        }
        assert!(pages < 10, "pages without end");
    }
    let sent: Vec<(RecordId, u64)> = got.iter().map(|(_, id, version)| (*id, *version)).collect();
    assert_eq!(sent, [(id(21), 3), (id(22), 1), (id(22), 2), (id(24), 1)]);
    assert!(got.windows(2).all(|w| w[0].0 < w[1].0), "in the log's order: {got:?}");
    assert!(pages >= 2, "a page holds at most two: {pages} page(s)");
}

#[tokio::test]
async fn when_access_ends_the_device_is_told_to_delete_its_copy() {
    let w = world().await;
    let (_, keyworker, cookie) = w.users[1].clone();
    let (_, page) = pull_as(&w.server, &cookie, client(50), 0, 0).await;
    let page = page.unwrap_or_else(|| panic!("no page"));
    assert!(page.changes.iter().any(|c| c.record.id == id(1)));
    // Reassigned: person 2 instead of person 1.
    let request =
        Request::delete(format!("/api/users/{keyworker}/people/{}", person(1))).body(Body::empty()).unwrap_or_default();
    assert_eq!(w.server.send(request).await.status, StatusCode::OK);
    let reply = w.server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person(2) })).await;
    assert_eq!(reply.status, StatusCode::OK);
    let (_, next) = pull_as(&w.server, &cookie, client(50), page.cursor, page.view).await;
    let next = next.unwrap_or_else(|| panic!("no page"));
    for gone in [id(1), id(11), id(12)] {
        assert!(next.removed.contains(&gone), "{gone} not removed: {next:?}");
    }
    assert!(next.changes.iter().any(|c| c.record.id == id(2)), "the new person's record is sent: {next:?}");
    assert!(next.view > page.view);
    // The answer was lost: asking again with the old view gets the same instructions.
    let (_, again) = pull_as(&w.server, &cookie, client(50), page.cursor, page.view).await;
    let again = again.unwrap_or_else(|| panic!("no page"));
    assert_eq!((again.removed.len(), again.changes.len()), (next.removed.len(), next.changes.len()));

    // Consent withdrawn: the advocate loses person 1; the family keeps them.
    let (_, advocate_page) = pull_as(&w.server, &w.users[2].2, client(51), 0, 0).await;
    let advocate_page = advocate_page.unwrap_or_else(|| panic!("no page"));
    let dsr_panel = &w.users[6].2;
    let (_, panel_page) = pull_as(&w.server, dsr_panel, client(53), 0, 0).await;
    let panel_page = panel_page.unwrap_or_else(|| panic!("no page"));
    assert!(panel_page.changes.iter().any(|c| c.record.id == id(1)));
    let record = w.server.store.record(id(11)).await.ok().flatten().unwrap_or_else(|| panic!("no consent"));
    let withdraw = json!({ "seq": 5, "record_id": id(11), "kind": "consent", "base_version": record.version,
        "changes": { "withdrawn_on": { "old": null, "new": "2026-11-24" } }, "reason": "The family asked to leave the register" });
    let (_, answer) = push_as(&w.server, &w.server.cookie, client(1), vec![withdraw]).await;
    assert!(matches!(answer.map(|a| a.results[0].outcome.clone()), Some(PushOutcome::Applied { .. })));
    let (_, after) = pull_as(&w.server, &w.users[2].2, client(51), advocate_page.cursor, advocate_page.view).await;
    assert!(after.unwrap_or_else(|| panic!("no page")).removed.contains(&id(1)));
    // The DSR panel member too, though they read everyone else in the area.
    let (_, after) = pull_as(&w.server, dsr_panel, client(53), panel_page.cursor, panel_page.view).await;
    let after = after.unwrap_or_else(|| panic!("no page"));
    assert!(after.removed.contains(&id(1)) && after.removed.contains(&id(11)), "{after:?}");
    assert!(!after.removed.contains(&id(2)), "{after:?}");
    let (_, family) = pull_as(&w.server, &w.users[5].2, client(52), 0, 0).await;
    assert!(family.unwrap_or_else(|| panic!("no page")).changes.iter().any(|c| c.record.id == id(1)));

    // Disabled: the next sync is refused with a code that tells the device to delete its copy.
    // Never by one tap: who asked for it and why are required.
    let reply = w.server.post_json(&format!("/api/users/{keyworker}/disable"), &json!({})).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reply.text());
    let fields: Vec<String> = reply.json::<ApiError>().fields.iter().map(|f| f.field.clone()).collect();
    assert_eq!(fields, ["asked_by", "reason"]);
    let close = json!({ "asked_by": "Sam Lee, team manager", "reason": "Left the team" });
    let reply = w.server.post_json(&format!("/api/users/{keyworker}/disable"), &close).await;
    assert_eq!(reply.status, StatusCode::OK);
    let reply = w.server.get_as(&cookie, &format!("/api/sync/pull?client_id={}&cursor=0", client(50))).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.json::<ApiError>().code, "account_disabled");
    // Signing in to a closed account: the right password is answered as a wrong one is.
    let right = json!({ "username": "keyworker", "password": PASSWORD });
    let reply = w.server.send_raw(json_request(Method::POST, "/api/session/login", &right)).await;
    let wrong = json!({ "username": "keyworker", "password": "not the password at all" });
    let wrong = w.server.send_raw(json_request(Method::POST, "/api/session/login", &wrong)).await;
    assert_eq!((reply.status, reply.text()), (wrong.status, wrong.text()));
    assert_eq!(reply.json::<ApiError>().code, "wrong_credentials");
}

#[tokio::test]
async fn a_referrer_sees_only_the_people_they_referred_and_a_device_keeps_to_one_user() {
    let w = world().await;
    let (_, _, cookie) = w.users[4].clone();
    let (_, answer) = push_as(&w.server, &cookie, client(60), vec![create_person(1, 20, "Referred")]).await;
    assert!(matches!(answer.map(|a| a.results[0].outcome.clone()), Some(PushOutcome::Applied { .. })));
    let (_, page) = pull_as(&w.server, &cookie, client(60), 0, 0).await;
    let ids: Vec<RecordId> = page.unwrap_or_else(|| panic!("no page")).changes.iter().map(|c| c.record.id).collect();
    assert!(ids.contains(&id(20)) && !ids.contains(&id(2)), "{ids:?}");
    // Another user on the same device id: refused, so one person's copy never reaches another.
    let reply = w.server.get_as(&w.users[1].2, &format!("/api/sync/pull?client_id={}&cursor=0", client(60))).await;
    assert_eq!(
        (reply.status, reply.json::<ApiError>().code),
        (StatusCode::FORBIDDEN, "device_of_another_user".to_string())
    );
}

#[tokio::test]
async fn sign_in_is_throttled_sessions_end_and_cookies_are_strict() {
    let server = test_server().await;
    let (_, cookie) = server.staff("keyworker.x", Role::Keyworker).await;
    let wrong = json!({ "username": "coordinator", "password": "not the password" });
    for _ in 0..5 {
        let reply = server.send_raw(json_request(Method::POST, "/api/session/login", &wrong)).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.json::<ApiError>().code, "wrong_credentials");
    }
    let right = json!({ "username": "Coordinator", "password": PASSWORD });
    let reply = server.send_raw(json_request(Method::POST, "/api/session/login", &right)).await;
    assert_eq!(reply.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    assert!(reply.headers.get(header::RETRY_AFTER).is_some());
    // Unknown usernames answer like wrong passwords.
    let unknown = json!({ "username": "nobody", "password": "whatever it is" });
    let reply = server.send_raw(json_request(Method::POST, "/api/session/login", &unknown)).await;
    assert_eq!(
        (reply.status, reply.json::<ApiError>().code),
        (StatusCode::UNAUTHORIZED, "wrong_credentials".to_string())
    );
    let empty = json!({ "username": "", "password": "" });
    let reply = server.send_raw(json_request(Method::POST, "/api/session/login", &empty)).await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(reply.json::<ApiError>().fields.len(), 2);

    // Sessions end: the same database 13 hours later (sessions last 12).
    assert_eq!(server.get_as(&cookie, "/api/session").await.status, StatusCode::OK);
    let later = chrono::DateTime::parse_from_rfc3339("2026-11-25T23:00:01Z").map(|t| t.to_utc()).unwrap_or_default();
    let state = dsr_server::AppState::new(
        server.store.clone(),
        dsr_server::Clock::Fixed(later),
        server.dir.path().join("dist"),
        false,
    );
    let request = with_cookie(Request::get("/api/session").body(Body::empty()).unwrap_or_default(), &cookie);
    let reply = tower::ServiceExt::oneshot(dsr_server::app(state), request).await.unwrap_or_else(|e| match e {});
    assert_eq!(reply.status(), StatusCode::UNAUTHORIZED);
    // Signing out ends the session on the server and removes the cookie.
    let set_cookie = server.login("keyworker.x", PASSWORD).await.1;
    assert!(set_cookie.starts_with("dsr_session="));
    let request = with_cookie(Request::post("/api/session/logout").body(Body::empty()).unwrap_or_default(), &cookie);
    let reply = server.send_raw(request).await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT);
    let cleared = reply.headers.get(header::SET_COOKIE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let reply = server.get_as(&cookie, "/api/session").await;
    assert_eq!((reply.status, reply.json::<ApiError>().code), (StatusCode::UNAUTHORIZED, "not_signed_in".to_string()));
}
