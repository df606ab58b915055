//! What the benchmarks (`tests/tests/bench_sync.rs`) and the profile (`tests/tests/profile_sync.rs`)
//! share: people of about 1 KB pushed as another device, an initial sync timed in the page, a raw
//! IndexedDB write for comparison, and a CPU profile of the page summed per function.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Browser, COORDINATOR, PASSWORD, Server, ids};

/// People pushed per request by [`push_people`].
pub const BATCH: u64 = 500;

pub fn record_id(n: u64) -> String {
    format!("0193b000-0000-7000-8000-{n:012}")
}

pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(0.0)
}

/// Pushes `count` people of about 1 KB to `server`, as another device, in batches: (seconds, bytes sent).
/// The seconds are those spent sending the batches and reading the answers: each batch's body is made
/// (and written as JSON, once) before its clock starts, as a device's outbox is written before it is sent.
pub async fn push_people(server: &Server, count: u64) -> (f64, usize) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap_or_else(|e| panic!("{e}"));
    let mut sending = Duration::ZERO;
    let mut bytes = 0;
    for first in (1..=count).step_by(BATCH as usize) {
        let mutations: Vec<Value> = (first..first + BATCH).map(create).collect();
        let body = json!({ "client_id": "0193b000-0000-7000-8000-0000000be4c1", "mutations": mutations }).to_string();
        bytes += body.len();
        let started = Instant::now();
        push_body(&client, server, body).await;
        sending += started.elapsed();
    }
    (sending.as_secs_f64(), bytes)
}

/// Pushes a body already written as JSON, checking every mutation in it was applied.
async fn push_body(client: &reqwest::Client, server: &Server, body: String) {
    let response = client
        .post(format!("{}/api/sync/push", server.url))
        .header("cookie", &server.cookie)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(response.status().is_success());
    let answer: Value = response.json().await.unwrap_or_else(|e| panic!("{e}"));
    let refused = answer["results"].as_array().into_iter().flatten().find(|r| r["status"] != "applied");
    assert!(refused.is_none(), "{refused:?}");
}

/// Pushes an area of `count` people on the register, each with a rating (Red, Amber, Green, Blue in turn,
/// rated in the past year; the Blue admitted to hospital) and an action for every fourth, as another device: what the dashboard's
/// figures are worked out from. Returns the number of records pushed.
pub async fn push_area(server: &Server, count: u64) -> u64 {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap_or_else(|e| panic!("{e}"));
    let mut mutations = Vec::new();
    let mut seq = 0;
    let ratings = ["red", "amber", "green", "blue"];
    let diagnoses = ["learning_disability", "autism", "both"];
    for n in 1..=count {
        let person = record_id(n);
        let diagnosis = diagnoses[(n % 3) as usize];
        seq += 1;
        mutations.push(json!({ "seq": seq, "record_id": person, "kind": "person", "changes": {
            "given_name": { "new": format!("Area{n}") }, "family_name": { "new": "Figures" },
            "date_of_birth": { "new": format!("{}-01-01", 1990 + n % 30) },
            "diagnosis": { "new": diagnosis },
            "register_status": { "new": { "status": "on_register", "since": "2025-12-01" } } } }));
        let rating = ratings[(n % 4) as usize];
        let month = 1 + n % 11;
        // Blue follows an admission.
        if rating == "blue" {
            seq += 1;
            mutations.push(
                json!({ "seq": seq, "record_id": record_id(4_000_000 + n), "kind": "admission", "changes": {
                "person_id": { "new": person }, "hospital": { "new": "Example Hospital" },
                "admitted_on": { "new": format!("2026-{month:02}-15") }, "out_of_area": { "new": n % 8 == 3 },
                "secure": { "new": false }, "community_review_before": { "new": false } } }),
            );
        }
        let source = if rating == "blue" { "admission" } else { "dsr_meeting" };
        seq += 1;
        mutations.push(
            json!({ "seq": seq, "record_id": record_id(1_000_000 + n), "kind": "rating_change", "changes": {
            "person_id": { "new": person }, "to": { "new": rating },
            "reason": { "new": "Discussed at the DSR meeting" }, "by": { "new": "DSR meeting" },
            "at": { "new": format!("2026-{month:02}-15T10:00:00Z") }, "source": { "new": source } } }),
        );
        if n % 4 == 0 {
            seq += 1;
            mutations.push(json!({ "seq": seq, "record_id": record_id(2_000_000 + n), "kind": "action", "changes": {
                "person_id": { "new": person }, "meeting_id": { "new": record_id(3_000_000) },
                "description": { "new": "Arrange a sensory assessment" }, "owner": { "new": format!("Owner {}", n % 40) },
                "due_on": { "new": format!("2026-{:02}-01", 1 + n % 12) }, "status": { "new": "open" } } }));
        }
    }
    let pushed = mutations.len() as u64;
    for batch in mutations.chunks(BATCH as usize) {
        let body = json!({ "client_id": "0193b000-0000-7000-8000-0000000be4c3", "mutations": batch });
        push_body(&client, server, body.to_string()).await;
    }
    pushed
}

/// Signs in on a fresh browser and waits until `count` people are listed; returns (seconds from the
/// sign-in click, milliseconds from the first pull request to listed, the progress seen, long tasks
/// from the sign-in click on: how many over 50 ms and the longest).
pub async fn initial_sync(browser: &Browser, server: &Server, count: u64) -> (f64, f64, String, usize, f64) {
    let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(browser.driver.handle.clone());
    devtools
        .execute_cdp_with_params(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": "window.longTasks = [];
                new PerformanceObserver(l => { for (const e of l.getEntries()) window.longTasks.push([e.startTime, e.duration]); })
                  .observe({ type: 'longtask', buffered: true });
                new MutationObserver(() => { const p = document.getElementById('sync-progress');
                  if (p) { window.progressSeen = p.textContent; } }).observe(document, { childList: true, subtree: true, characterData: true });" }),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.goto(&server.url).await;
    browser.type_into(ids::SIGN_IN_USERNAME, COORDINATOR).await;
    browser.type_into(ids::SIGN_IN_PASSWORD, PASSWORD).await;
    let started = Instant::now();
    // Long tasks are counted from here (the page's own start is another matter: issue of first load).
    browser.driver.execute("window.signInAt = performance.now();", Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
    browser.click(ids::SIGN_IN_BUTTON).await;
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const check = () => {{
           if (document.getElementById('register-count')?.dataset.count === '{count}') {{
             const listed = performance.now();
             const pulls = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/sync/pull'));
             const first = pulls.length ? pulls[0].startTime : listed;
             const tasks = (window.longTasks || []).filter(([start, d]) => d > 50 && start >= window.signInAt).map(([, d]) => d);
             done({{ ms: listed - first, progress: window.progressSeen || '', long: tasks.length, longest: Math.max(0, ...tasks) }});
           }} else {{ setTimeout(check, 5); }}
         }};
         check();"
    );
    let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
    let seconds = started.elapsed().as_secs_f64();
    let v = answer.json().clone();
    (
        seconds,
        v["ms"].as_f64().unwrap_or(0.0),
        v["progress"].as_str().unwrap_or("").to_string(),
        v["long"].as_u64().unwrap_or(0) as usize,
        v["longest"].as_f64().unwrap_or(0.0),
    )
}

/// Milliseconds for a raw one-transaction IndexedDB write of `count` records like the bench's (~1 KB,
/// not sealed) into a scratch database in this browser: the floor any storage scheme stands on.
pub async fn raw_indexeddb_write(browser: &Browser, count: u64) -> f64 {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const story = 'Finding school very hard since the move; sleep is poor and meltdowns are more frequent. '.repeat(9);
         const rows = []; for (let i = 0; i < {count}; i++) rows.push({{ id: 'raw-' + i, given_name: 'Bench' + i, family_name: 'Loadtest', date_of_birth: '2010-01-01', story }});
         const open = indexedDB.open('bench-raw-' + Math.random(), 1);
         open.onupgradeneeded = () => open.result.createObjectStore('r', {{ keyPath: 'id' }});
         open.onsuccess = () => {{ const db = open.result; const t0 = performance.now();
           const tx = db.transaction('r', 'readwrite'); const st = tx.objectStore('r'); for (const r of rows) st.put(r);
           tx.oncomplete = () => {{ const ms = performance.now() - t0; db.close(); indexedDB.deleteDatabase(db.name); done(ms); }}; }};"
    );
    let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
    answer.json().as_f64().unwrap_or(0.0)
}

/// A person of about 1 KB.
pub fn create(seq: u64) -> Value {
    let story = "Finding school very hard since the move; sleep is poor and meltdowns are more frequent. ".repeat(9);
    json!({ "seq": seq, "record_id": record_id(seq), "kind": "person", "changes": {
        "given_name": { "new": format!("Bench{seq}") }, "family_name": { "new": "Loadtest" },
        "date_of_birth": { "new": "2010-01-01" }, "why_support_may_be_needed": { "new": story } } })
}

/// Another device's change to person 1's given name, the `round`th (from "Bench1 v{round - 1}", or
/// "Bench1" first, to "Bench1 v{round}"): the push's body, and the new name.
pub fn rename_person_1(round: u64) -> (Value, String) {
    let old = if round == 1 { "Bench1".to_string() } else { format!("Bench1 v{}", round - 1) };
    let new = format!("Bench1 v{round}");
    let change = json!({ "client_id": "0193b000-0000-7000-8000-0000000be4c2", "mutations": [
        { "seq": round, "record_id": record_id(1), "kind": "person", "base_version": round,
          "changes": { "given_name": { "old": old, "new": new } } } ] });
    (change, new)
}

/// Opens the add-person form from the register and fills it in for "Aaron{round} Aardvark".
pub async fn fill_in_aaron(browser: &Browser, round: u32) {
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.type_into(ids::GIVEN_NAME, &format!("Aaron{round}")).await;
    browser.type_into(ids::FAMILY_NAME, "Aardvark").await;
    browser.type_into(ids::DATE_OF_BIRTH_DAY, "9").await;
    browser.type_into(ids::DATE_OF_BIRTH_MONTH, "12").await;
    browser.type_into(ids::DATE_OF_BIRTH_YEAR, "2010").await;
}

/// Starts sampling the page's main thread (Chrome DevTools' profiler, every 100 microseconds).
pub async fn start_profile(browser: &Browser) {
    let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(browser.driver.handle.clone());
    devtools.execute_cdp("Profiler.enable").await.unwrap_or_else(|e| panic!("{e}"));
    devtools
        .execute_cdp_with_params("Profiler.setSamplingInterval", json!({ "interval": 100 }))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    devtools.execute_cdp("Profiler.start").await.unwrap_or_else(|e| panic!("{e}"));
}

/// A profile summed per function: `top` by self time, `top` by total time (name, self ms, total ms),
/// and for the first few by self time, who called them (the callers' chain, with its ms).
pub struct ProfileSummary {
    pub by_self: Vec<(String, f64, f64)>,
    pub by_total: Vec<(String, f64, f64)>,
    pub callers: Vec<(String, Vec<(String, f64)>)>,
    /// Stretches of at least [`STRETCH_MS`] with no idle sample (a task, or tasks back to back): each
    /// one's milliseconds and the functions it spent most in (name, ms), most first.
    pub stretches: Vec<(f64, Vec<(String, f64)>)>,
}

/// The shortest busy stretch [`ProfileSummary`] lists.
pub const STRETCH_MS: f64 = 8.0;

/// Stops the profiler and sums its samples per function (see [`ProfileSummary`]).
pub async fn stop_profile(browser: &Browser, top: usize) -> ProfileSummary {
    let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(browser.driver.handle.clone());
    let answer = devtools.execute_cdp("Profiler.stop").await.unwrap_or_else(|e| panic!("{e}"));
    let profile = &answer["profile"];
    let empty = Vec::new();
    let nodes = profile["nodes"].as_array().unwrap_or(&empty);
    let (start, end) = (profile["startTime"].as_f64().unwrap_or(0.0), profile["endTime"].as_f64().unwrap_or(0.0));
    let samples: usize = nodes.iter().map(|n| n["hitCount"].as_u64().unwrap_or(0) as usize).sum();
    // Milliseconds per sample.
    let per = (end - start) / 1000.0 / samples.max(1) as f64;
    let name_of = |n: &Value| {
        let frame = &n["callFrame"];
        let name = frame["functionName"].as_str().unwrap_or("");
        let url = frame["url"].as_str().unwrap_or("");
        let file = url.rsplit('/').next().unwrap_or("");
        if name.is_empty() { format!("(anonymous) {file}:{}", frame["lineNumber"]) } else { format!("{name} {file}") }
    };
    let by_id: BTreeMap<u64, &Value> = nodes.iter().map(|n| (n["id"].as_u64().unwrap_or(0), n)).collect();
    let mut parent: BTreeMap<u64, u64> = BTreeMap::new();
    for n in nodes {
        for child in n["children"].as_array().unwrap_or(&empty) {
            parent.insert(child.as_u64().unwrap_or(0), n["id"].as_u64().unwrap_or(0));
        }
    }
    let mut own: BTreeMap<String, f64> = BTreeMap::new();
    let mut total: BTreeMap<String, f64> = BTreeMap::new();
    // Per function, the chains of (up to four) callers its own samples came from.
    let mut chains: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
    for n in nodes {
        let ms = n["hitCount"].as_u64().unwrap_or(0) as f64 * per;
        if ms == 0.0 {
            continue;
        }
        *own.entry(name_of(n)).or_default() += ms;
        let mut chain = Vec::new();
        let mut at = n["id"].as_u64().unwrap_or(0);
        while let Some(p) = parent.get(&at).filter(|_| chain.len() < 4) {
            chain.push(by_id.get(p).map(|n| name_of(n)).unwrap_or_default());
            at = *p;
        }
        *chains.entry(name_of(n)).or_default().entry(chain.join(" < ")).or_default() += ms;
        // Counted once per function on the stack (recursion is not counted twice).
        let mut seen = std::collections::BTreeSet::new();
        let mut at = n["id"].as_u64().unwrap_or(0);
        loop {
            let name = by_id.get(&at).map(|n| name_of(n)).unwrap_or_default();
            if seen.insert(name.clone()) {
                *total.entry(name).or_default() += ms;
            }
            match parent.get(&at) {
                Some(p) => at = *p,
                None => break,
            }
        }
    }
    let rows = |by: &BTreeMap<String, f64>| {
        let mut list: Vec<(String, f64, f64)> = by
            .keys()
            .map(|k| (k.clone(), own.get(k).copied().unwrap_or(0.0), total.get(k).copied().unwrap_or(0.0)))
            .collect();
        list.sort_by(|a, b| {
            let key = |r: &(String, f64, f64)| if std::ptr::eq(by, &own) { r.1 } else { r.2 };
            key(b).total_cmp(&key(a))
        });
        list.truncate(top);
        list
    };
    let by_self = rows(&own);
    let callers = by_self
        .iter()
        .take(8)
        .map(|(name, _, _)| {
            let mut list: Vec<(String, f64)> = chains.get(name).cloned().unwrap_or_default().into_iter().collect();
            list.sort_by(|a, b| b.1.total_cmp(&a.1));
            list.truncate(3);
            (name.clone(), list)
        })
        .collect();
    ProfileSummary { by_self, by_total: rows(&total), callers, stretches: stretches(profile, &by_id, &name_of) }
}

/// Busy stretches (see [`ProfileSummary::stretches`]) from a profile's samples and their time deltas.
fn stretches(
    profile: &Value,
    by_id: &BTreeMap<u64, &Value>,
    name_of: &dyn Fn(&Value) -> String,
) -> Vec<(f64, Vec<(String, f64)>)> {
    let empty = Vec::new();
    let samples = profile["samples"].as_array().unwrap_or(&empty);
    let deltas = profile["timeDeltas"].as_array().unwrap_or(&empty);
    let mut found = Vec::new();
    let mut busy = 0.0;
    let mut spent: BTreeMap<String, f64> = BTreeMap::new();
    let mut close = |busy: &mut f64, spent: &mut BTreeMap<String, f64>| {
        if *busy >= STRETCH_MS {
            let mut list: Vec<(String, f64)> = std::mem::take(spent).into_iter().collect();
            list.sort_by(|a, b| b.1.total_cmp(&a.1));
            list.truncate(4);
            found.push((*busy, list));
        }
        *busy = 0.0;
        spent.clear();
    };
    for (sample, delta) in samples.iter().zip(deltas.iter().skip(1).chain(std::iter::once(&json!(0)))) {
        let name = by_id.get(&sample.as_u64().unwrap_or(0)).map(|n| name_of(n)).unwrap_or_default();
        let ms = delta.as_f64().unwrap_or(0.0) / 1000.0;
        if name.starts_with("(idle)") {
            close(&mut busy, &mut spent);
        } else {
            busy += ms;
            *spent.entry(name).or_default() += ms;
        }
    }
    close(&mut busy, &mut spent);
    found
}

/// Prints a profile's summary under `title`.
pub fn print_profile(title: &str, summary: &ProfileSummary) {
    println!("profile {title}: by self time (ms self / total)");
    for (name, s, t) in &summary.by_self {
        println!("  {s:8.1} {t:8.1}  {name}");
    }
    println!("profile {title}: by total time");
    for (name, s, t) in &summary.by_total {
        println!("  {s:8.1} {t:8.1}  {name}");
    }
    let over = |ms: f64| summary.stretches.iter().filter(|(d, _)| *d >= ms).count();
    println!(
        "profile {title}: busy stretches (no idle sample) of {STRETCH_MS} ms or more: {}, of 10 ms or more: {}, of 20: {}, of 50: {}; the longest:",
        over(STRETCH_MS),
        over(10.0),
        over(20.0),
        over(50.0)
    );
    let mut longest = summary.stretches.clone();
    longest.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (ms, spent) in longest.iter().take(15) {
        let spent: Vec<String> = spent.iter().map(|(n, ms)| format!("{n} {ms:.1}")).collect();
        println!("  {ms:6.1} ms: {}", spent.join(" | "));
    }
    println!("profile {title}: who called the first by self time");
    for (name, chains) in &summary.callers {
        println!("  {name}");
        for (chain, ms) in chains {
            println!("    {ms:8.1}  < {chain}");
        }
    }
}
