//! The attack suite's part that needs the real binary (issue 13): the memory an anonymous burst of
//! sign-ins costs the server process, measured from /proc (peak resident set, `VmHWM`). The rest of the
//! suite is in `server/tests/attacks.rs`.

#![allow(clippy::panic, reason = "a failed step fails the test")]

use dsr_e2e_tests::Server;

/// A field of /proc/<pid>/status, in KiB.
fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_else(|e| panic!("{e}"));
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {status}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_burst_of_anonymous_sign_ins_stays_within_the_memory_budget() {
    // Behind a proxy, each request says it comes from its own address: no per-client limit helps, only
    // the hashing budget.
    let server = Server::start_with(&["--behind-proxy"]).await;
    let pid = server.pid().unwrap_or_else(|| panic!("no server process"));
    let before = status_kib(pid, "VmHWM:");
    let client = reqwest::Client::new();
    let mut burst = Vec::new();
    for n in 0..60 {
        let request = client
            .post(format!("{}/api/session/login", server.url))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .json(&serde_json::json!({ "username": format!("nobody{n}"), "password": format!("guess number {n}") }));
        burst.push(tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) }));
    }
    let mut statuses = std::collections::BTreeMap::new();
    for task in burst {
        let status = task.await.unwrap_or_else(|e| panic!("{e}")).unwrap_or_else(|e| panic!("{e}"));
        *statuses.entry(status).or_insert(0) += 1;
    }
    let peak = status_kib(pid, "VmHWM:");
    let grew_mib = peak.saturating_sub(before) / 1024;
    println!(
        "60 parallel anonymous sign-ins: peak resident {} MiB (before {} MiB, +{grew_mib} MiB); answers {statuses:?}",
        peak / 1024,
        before / 1024
    );
    // Each answer is a wrong password (checked) or busy (not checked); nothing else.
    assert!(statuses.keys().all(|s| [401, 503].contains(s)), "{statuses:?}");
    // Without the budget the burst took 60 × 19 MiB (1.1 GB); with it a few checks at a time.
    assert!(grew_mib < 200, "the burst grew the server by {grew_mib} MiB");
}
