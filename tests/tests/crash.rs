//! Promise 7 (durability) with the real binary: kill the server with SIGKILL at random moments while a
//! device pushes, restart it on the same data, resend whatever was not answered. Every change the
//! server acknowledged must be there, and every resend must apply once. On SQLite and on PostgreSQL.

#![allow(clippy::panic, reason = "a broken promise fails the test with a message")]

use std::collections::BTreeMap;
use std::time::Duration;

use dsr_e2e_tests::Server;
use serde_json::{Value, json};

const CHANGES: u64 = 480;
const BATCH: u64 = 6;
const KILLS: u32 = 40;

fn create(seq: u64) -> Value {
    let id = format!("0193a000-0000-7000-8000-{seq:012}");
    json!({ "seq": seq, "record_id": id, "kind": "person", "base_version": null, "changes": {
        "given_name": { "old": null, "new": format!("Person{seq}") },
        "family_name": { "old": null, "new": "Crashtest" },
        "date_of_birth": { "old": null, "new": "2010-01-01" } } })
}

async fn push(url: &str, cookie: &str, from: u64, to: u64) -> Option<Value> {
    let mutations: Vec<Value> = (from..=to).map(create).collect();
    let body = json!({ "client_id": "0193a000-0000-7000-8000-00000000c1a5", "mutations": mutations });
    let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build().ok()?;
    let response =
        client.post(format!("{url}/api/sync/push")).header("cookie", cookie).json(&body).send().await.ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json().await.ok()
}

#[tokio::test(flavor = "multi_thread")]
async fn acknowledged_changes_survive_sigkill_and_resends_apply_once() {
    survives_sigkills(Server::start().await).await;
}

/// The same on PostgreSQL: the server killed, the database going on; what it acknowledged was
/// committed, what it had not was rolled back with its connection.
#[tokio::test(flavor = "multi_thread")]
async fn on_postgres_acknowledged_changes_survive_sigkill_and_resends_apply_once() {
    survives_sigkills(Server::start_on_postgres().await).await;
}

async fn survives_sigkills(mut server: Server) {
    let mut acknowledged: BTreeMap<u64, Value> = BTreeMap::new();
    let mut next = 1; // the first seq not yet acknowledged
    let mut seed: u64 = 0x5eed;
    let mut kills = 0;
    let mut repeated = 0;

    while next <= CHANGES {
        let to = (next + BATCH - 1).min(CHANGES);
        let (url, cookie) = (server.url.clone(), server.cookie.clone());
        let in_flight = tokio::spawn(async move { push(&url, &cookie, next, to).await });
        if kills < KILLS && next > u64::from(kills) * (CHANGES / u64::from(KILLS)) {
            // Kill somewhere between before the request arrives and after it is answered.
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            tokio::time::sleep(Duration::from_micros((seed >> 33) % 4000)).await;
            server.kill().await;
            kills += 1;
        }
        let answer = in_flight.await.ok().flatten();
        if let Some(answer) = answer {
            for result in answer["results"].as_array().cloned().unwrap_or_default() {
                let seq = result["seq"].as_u64().unwrap_or(0);
                let status = result["status"].as_str().unwrap_or("");
                assert!(status == "applied", "seq {seq}: {result}");
                if result["repeated"] == true {
                    repeated += 1;
                }
                acknowledged.insert(seq, result.clone());
            }
            next = to + 1;
        }
        if kills > 0 && !server_answers(&server.url).await {
            server.restart().await;
        }
    }
    println!("crash test: {CHANGES} changes, {kills} kills, {repeated} resent changes answered from the store");
    assert_eq!(kills, KILLS);

    // Restart once more and read everything back.
    server.restart().await;
    let mut records: BTreeMap<String, Value> = BTreeMap::new();
    let (mut cursor, mut view) = (0, 0);
    let mut log_entries = 0;
    loop {
        let page = server
            .get_json(&format!(
                "/api/sync/pull?client_id={}&cursor={cursor}&view={view}&limit=100",
                dsr_e2e_tests::HARNESS_CLIENT
            ))
            .await;
        assert_ne!(page["reset"], true);
        view = page["view"].as_u64().unwrap_or(0);
        for change in page["changes"].as_array().cloned().unwrap_or_default() {
            log_entries += 1;
            records.insert(change["record"]["id"].as_str().unwrap_or("").to_string(), change["record"].clone());
        }
        cursor = page["cursor"].as_u64().unwrap_or(0);
        if page["more"] != true {
            break;
        }
    }
    assert_eq!(acknowledged.len() as u64, CHANGES, "every change was acknowledged in the end");
    assert_eq!(log_entries, CHANGES, "each change applied exactly once (no duplicates from resends)");
    for (seq, result) in &acknowledged {
        let id = format!("0193a000-0000-7000-8000-{seq:012}");
        let record = records.get(&id).unwrap_or_else(|| panic!("acknowledged seq {seq} is missing after the crashes"));
        assert_eq!(record["fields"]["given_name"], format!("Person{seq}"));
        assert_eq!(record["version"], 1);
        assert!(result["change_seq"].as_u64().is_some());
    }
}

async fn server_answers(url: &str) -> bool {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(2)).build();
    match client {
        Ok(client) => client.get(format!("{url}/api/health")).send().await.is_ok_and(|r| r.status().is_success()),
        Err(_) => false,
    }
}
