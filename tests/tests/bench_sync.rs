//! Benchmarks of sync. They print figures and assert no timings; run them with `./scripts/bench.sh`
//! (a release build of the server). Targets from the sync-engine and device-storage issues:
//! - server push throughput with synchronous=FULL, batched: >= 5,000 mutations/s on 2 cores;
//! - initial sync of 10,000 records (~1 KB each) to the listed register: <= 1.0 s and within 2x a raw
//!   one-transaction IndexedDB write of the same records in the same browser (printed beside it);
//! - 100,000 records: <= 8 s, progress shown, no main-thread task over 50 ms;
//! - one pulled change shown: <= 20 ms median; a save on a device holding 10,000 shown: <= 50 ms;
//! - draft autosave latency in the browser: p95 < 10 ms, also during an initial sync (measured during
//!   the sync of 100,000 records, long enough for every keystroke to fall within it);
//! - the dashboard of an area of 10,000 people worked out in the browser: < 200 ms (issue 18);
//! - the first load at 1.6 Mbit/s with 150 ms latency: at most 400 KB on the wire, usable in under 4 s;
//!   the sizes, a repeat load and an offline cold start (issue 19).

#![allow(clippy::panic, reason = "a benchmark that cannot run fails with a message")]

use std::time::Duration;

use dsr_e2e_tests::bench::{BATCH, fill_in_aaron, initial_sync, median, push_people, raw_indexeddb_write, record_id};
use dsr_e2e_tests::{Browser, COORDINATOR, PASSWORD, Server, ids};
use serde_json::{Value, json};

const RECORDS: u64 = 10_000;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run with ./scripts/bench.sh"]
async fn sync_benchmarks() {
    // DSR_BENCH_ONLY=dashboard: that figure alone (to compare two builds several times over).
    if std::env::var("DSR_BENCH_ONLY").is_ok_and(|only| only == "dashboard") {
        dashboard(RECORDS).await;
        return;
    }
    // DSR_BENCH_ONLY=drafts: draft autosave during and after a sync of 100,000 records, alone.
    if std::env::var("DSR_BENCH_ONLY").is_ok_and(|only| only == "drafts") {
        let big = Server::start().await;
        push_people(&big, 100_000).await;
        draft_autosave(&big).await;
        return;
    }
    let server = Server::start().await;
    // 1. Server push throughput.
    let (seconds, bytes) = push_people(&server, RECORDS).await;
    println!(
        "bench push: {RECORDS} mutations in batches of {BATCH} in {seconds:.2} s = {:.0} mutations/s ({:.1} MB sent; target >= 5,000/s)",
        RECORDS as f64 / seconds,
        bytes as f64 / 1e6
    );

    // 2. Initial sync into a fresh browser, beside a raw IndexedDB write of the same records.
    let browser = Browser::start().await;
    let (seconds, ms, _, long, longest) = initial_sync(&browser, &server, RECORDS).await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved").await;
    let raw = raw_indexeddb_write(&browser, RECORDS).await;
    println!(
        "bench initial sync: {RECORDS} records, first pull request to all listed: {ms:.0} ms (target <= 1,000 ms and within 2x the raw write); a raw one-transaction IndexedDB write of the same records in this browser: {raw:.0} ms ({:.1}x); from the sign-in click (with the device key's 600,000 PBKDF2 rounds): {seconds:.2} s; main-thread tasks over 50 ms from the sign-in click: {long} (longest {longest:.0} ms)",
        ms / raw.max(1.0)
    );
    let phases = browser
        .driver
        .execute(
            "const sum = n => performance.getEntriesByName(n).reduce((t, e) => t + e.duration, 0);
             return { fetch: sum('dsr-pull-fetch'), parse: sum('dsr-pull-parse'), store: sum('dsr-pull-store'), reload: sum('dsr-list-reload'),
                      pages: performance.getEntriesByName('dsr-pull-fetch').length };",
            Vec::new(),
        )
        .await
        .map(|v| v.json().clone())
        .unwrap_or_default();
    println!(
        "bench initial sync phases: {} pull pages fetched and parsed {:.0} ms (of which parsing {:.0} ms), stored in IndexedDB {:.0} ms (the next page is fetched meanwhile), list built and redrawn {:.0} ms",
        phases["pages"],
        phases["fetch"].as_f64().unwrap_or(0.0),
        phases["parse"].as_f64().unwrap_or(0.0),
        phases["store"].as_f64().unwrap_or(0.0),
        phases["reload"].as_f64().unwrap_or(0.0)
    );

    // The storage notice said once after the first sign-in is read and put away, as its reader would:
    // the figures below are of the register as it is used from then on. (While the notice is on the
    // screen, above the register, a pulled change showed about 10 ms later in this benchmark.)
    browser
        .driver
        .execute(&format!("document.getElementById('{}')?.click()", ids::STORAGE_NOTICE_DISMISS), Vec::new())
        .await
        .ok();

    // 3. Incremental sync: another device changes one record; the server announces it and this device
    // pulls and shows it. Timed in the page from the other device's push (sent from here, as another
    // device id) to the row showing the change; seven times, the median printed.
    // Record 1 sorts first, so its row is on the first page of the register.
    let row_id = ids::person_row(&record_id(1));
    let mut shown = Vec::new();
    let mut live = Vec::new();
    let mut last = Value::Null;
    for round in 1..=7u64 {
        let (old, new) = (format!("Bench1 v{}", round - 1), format!("Bench1 v{round}"));
        let old = if round == 1 { "Bench1".to_string() } else { old };
        let change = json!({ "client_id": "0193b000-0000-7000-8000-0000000be4c2", "mutations": [
            { "seq": round, "record_id": record_id(1), "kind": "person", "base_version": round,
              "changes": { "given_name": { "old": old, "new": new } } } ] });
        let script = format!(
            "const done = arguments[arguments.length - 1];
             performance.clearResourceTimings();
             let pushed = null;
             const t0 = performance.now();
             fetch('/api/sync/push', {{ method: 'POST', headers: {{ 'content-type': 'application/json' }}, body: JSON.stringify({change}) }})
               .then(() => {{ pushed = performance.now() - t0; }});
             const check = () => {{
               const row = document.getElementById('{row_id}');
               if (row && row.textContent.includes('{new}') && pushed !== null) {{
                 const pulls = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/sync/pull'));
                 const last = pulls[pulls.length - 1] || {{}};
                 done({{ ms: performance.now() - t0, push_ms: pushed, transfer: last.transferSize || 0, body: last.encodedBodySize || 0, pull_ms: last.duration || 0 }});
               }} else {{ setTimeout(check, 1); }}
             }};
             check();"
        );
        let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
        let figures = answer.json().clone();
        let (ms, push_ms) = (figures["ms"].as_f64().unwrap_or(0.0), figures["push_ms"].as_f64().unwrap_or(0.0));
        shown.push(ms - push_ms);
        live.push(ms);
        last = figures;
    }
    println!(
        "bench incremental sync: 1 change among {RECORDS}: median {:.1} ms from the push answered to shown (7 rounds: {}; last pull request {:.1} ms), {} bytes on the wire ({} body) (targets <= 20 ms median, < 2 KB)",
        median(shown.clone()),
        shown.iter().map(|m| format!("{m:.0}")).collect::<Vec<_>>().join(", "),
        last["pull_ms"].as_f64().unwrap_or(0.0),
        last["transfer"],
        last["body"]
    );
    println!(
        "bench incremental sync, live: another device's push to shown here, median {:.1} ms (woken by the server's announcement)",
        median(live)
    );

    // 4. A save on a device holding 10,000 records: from the click to the register showing the new
    // person (saved on this device), five times.
    let mut saves = Vec::new();
    for round in 0..5 {
        fill_in_aaron(&browser, round).await;
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const t0 = performance.now();
             document.getElementById('{}').click();
             const check = () => {{
               const notice = document.getElementById('{}');
               if (notice && notice.textContent.includes('Aaron{round} Aardvark was saved') && document.body.textContent.includes('Aaron{round}')) {{
                 done(performance.now() - t0);
               }} else {{ setTimeout(check, 1); }}
             }};
             check();",
            ids::SAVE_PERSON,
            ids::NOTICE
        );
        let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
        saves.push(answer.json().as_f64().unwrap_or(0.0));
    }
    println!(
        "bench save: a person added on a device holding {RECORDS} records, click to shown as saved: median {:.0} ms ({}) (target <= 50 ms)",
        median(saves.clone()),
        saves.iter().map(|m| format!("{m:.0}")).collect::<Vec<_>>().join(", ")
    );
    browser.quit().await;

    // 5. The dashboard of an area of 10,000 people (each rated, a quarter with an action), worked out in
    // the browser from the device's copy: the first time the page opens, and again for each age band.
    dashboard(RECORDS).await;

    // 6. The first load on a tablet's slow connection, a repeat load, an offline cold start.
    first_load().await;

    // 7. 100,000 records into a fresh browser (a second server, so the figures above stand alone); left
    // out with DSR_BENCH_QUICK=1 (comparing two builds' other figures, several times in the same hour).
    if std::env::var("DSR_BENCH_QUICK").is_ok_and(|q| q == "1") {
        return;
    }
    let big = Server::start().await;
    let (pushed, _) = push_people(&big, 100_000).await;
    let browser = Browser::start().await;
    let (seconds, ms, progress, long, longest) = initial_sync(&browser, &big, 100_000).await;
    println!(
        "bench initial sync of 100,000 records: first pull request to all listed {:.2} s (target <= 8 s), from the sign-in click {seconds:.2} s; progress shown: {:?}; main-thread tasks over 50 ms from the sign-in click: {long} (longest {longest:.0} ms) (target: none); pushed by another device in {pushed:.1} s",
        ms / 1000.0,
        progress
    );
    browser.quit().await;

    // 8. Draft autosave latency: while two fresh browsers' initial syncs of 100,000 records run (about
    // five seconds each: most keystrokes fall within them; a sync of 10,000 ends before a quarter of
    // them), then after.
    draft_autosave(&big).await;
}

/// The app's sizes as built (raw and brotli: the door, what a first visit downloads, and the rest of
/// the app); the first load of the sign-in and self-referral pages at 1.6 Mbit/s with 150 ms each way;
/// a repeat load; and an offline cold start (a signed-in device with no connection, opened afresh, to
/// its unlock page).
async fn first_load() {
    let dist = dsr_e2e_tests::dist_dir();
    let size = |prefix: &str, ext: &str| {
        std::fs::read_dir(&dist)
            .into_iter()
            .flatten()
            .flatten()
            .find(|e| e.file_name().to_str().is_some_and(|n| n.starts_with(prefix) && n.ends_with(ext)))
            .and_then(|e| e.metadata().ok())
            .map_or(0, |m| m.len())
    };
    println!(
        "bench app size: the door {} bytes raw, {} brotli; the rest of the app {} raw, {} brotli; styles {} brotli",
        size("dsr-door-", "_bg.wasm"),
        size("dsr-door-", "_bg.wasm.br"),
        size("dsr-app-", "_bg.wasm"),
        size("dsr-app-", "_bg.wasm.br"),
        size("nhsuk-frontend", ".css.br") + size("app-", ".css.br"),
    );
    let server = Server::start().await;
    for (page, ready) in [("/", ids::SIGN_IN_USERNAME), ("/self-referral", ids::SEND_SELF_REFERRAL)] {
        let browser = Browser::start().await;
        let load = browser.first_load_over(&format!("{}{page}", server.url), ready, 1600, 150).await;
        println!(
            "bench first load of {page} at 1.6 Mbit/s and 150 ms: {} bytes on the wire in {} files (target <= 400 KB); something shown at {:.0} ms (target < 1 s); usable at {:.0} ms (target < 4 s)",
            load.bytes,
            load.files.len(),
            load.first_paint_ms,
            load.usable_ms
        );
        browser.quit().await;
    }
    // A repeat load and an offline cold start, on a device signed in (its app kept for offline use).
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_offline_shell().await;
    browser.reload().await;
    browser.element(ids::UNLOCK_PASSWORD).await;
    let repeat = page_figure(
        &browser,
        "return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].reduce((s, e) => s + e.transferSize, 0);",
    )
    .await;
    browser.set_offline(true).await;
    browser.reload().await;
    browser.element(ids::UNLOCK_PASSWORD).await;
    let cold = page_figure(
        &browser,
        "const t = performance.getEntriesByType('navigation')[0]; return performance.now() - t.startTime;",
    )
    .await;
    println!(
        "bench repeat load (signed in, online): {repeat:.0} bytes on the wire; offline cold start to the unlock page: at most {cold:.0} ms"
    );
    browser.quit().await;
}

/// A number the page works out (`script` returns it).
async fn page_figure(browser: &Browser, script: &str) -> f64 {
    browser.driver.execute(script, Vec::new()).await.ok().and_then(|v| v.json().as_f64()).unwrap_or(0.0)
}

/// The dashboard's figures for an area of `people`: how long working them out takes in the page
/// (`dsr-dashboard`), when it opens and for each age band chosen after.
async fn dashboard(people: u64) {
    let server = Server::start().await;
    let records = dsr_e2e_tests::bench::push_area(&server, people).await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_cursor(server.latest_change().await).await;
    browser.click(ids::DASHBOARD_LINK).await;
    browser.wait_for_text(ids::DASHBOARD_NOW, &format!("{people} people on the register on")).await;
    for band in ["child", "young_person", "adult", ""] {
        browser
            .driver
            .execute(
                &format!("const s = document.getElementById('{}'); s.value = '{band}'; s.dispatchEvent(new Event('change'));", ids::DASHBOARD_AGE),
                Vec::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }
    browser.wait_for_text(ids::DASHBOARD, "All ages,").await;
    let times: Vec<f64> = serde_json::from_value(
        browser
            .driver
            .execute("return performance.getEntriesByName('dsr-dashboard').map(e => e.duration)", Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
            .json()
            .clone(),
    )
    .unwrap_or_default();
    println!(
        "bench dashboard: the figures of an area of {people} people ({records} records) worked out in the browser: {} ms on opening, then {} for each age band and back (target < 200 ms)",
        times.first().map_or("?".to_string(), |t| format!("{t:.0}")),
        times.iter().skip(1).map(|t| format!("{t:.0} ms")).collect::<Vec<_>>().join(", ")
    );
    browser.quit().await;
}

/// Draft autosave latency: in each of two fresh browsers, 20 keys 200 ms apart while its initial sync
/// runs (two syncs pooled: a p95 of 20 writes is their second longest, which one slow write moves);
/// then, in the second, 40 keys 300 ms apart after its sync ended. Each phase's median, p95 and
/// maximum printed, with every time in the order typed.
async fn draft_autosave(server: &Server) {
    const SYNCS: usize = 2;
    let mut during: Vec<f64> = Vec::new();
    let mut in_order: Vec<String> = Vec::new();
    let mut ended_early = 0;
    for round in 1..=SYNCS {
        let browser = Browser::start().await;
        browser.goto(&server.url).await;
        browser.type_into(ids::SIGN_IN_USERNAME, COORDINATOR).await;
        browser.type_into(ids::SIGN_IN_PASSWORD, PASSWORD).await;
        browser.click(ids::SIGN_IN_BUTTON).await;
        browser.click(ids::ADD_PERSON_LINK).await;
        let field = browser.element(ids::GIVEN_NAME).await;
        let type_keys = |keys: usize, gap: u64| {
            let field = field.clone();
            async move {
                for i in 0..keys {
                    field
                        .send_keys(char::from(b'a' + (i % 26) as u8).to_string())
                        .await
                        .unwrap_or_else(|e| panic!("{e}"));
                    tokio::time::sleep(Duration::from_millis(gap)).await;
                }
            }
        };
        type_keys(20, 200).await;
        // Only the writes begun before the sync ended (its exchange measured: `dsr-sync-exchange`).
        let (samples, after_it) = draft_times_during_sync(&browser).await;
        ended_early += usize::from(after_it > 0);
        in_order.push(samples.iter().map(|ms| format!("{ms:.0}")).collect::<Vec<_>>().join(" "));
        during.extend(samples);
        if round == SYNCS {
            browser.wait_for_text(ids::LAST_SYNC, "Last sync").await;
            let parts_during = draft_parts(&browser).await;
            browser
                .driver
                .execute(
                    "for (const name of ['dsr-draft-save', 'dsr-draft-seal', 'dsr-draft-tx']) performance.clearMeasures(name)",
                    Vec::new(),
                )
                .await
                .ok();
            type_keys(40, 300).await;
            let after = draft_times(&browser).await;
            let order = after.iter().map(|ms| format!("{ms:.0}")).collect::<Vec<_>>().join(" ");
            print_drafts(
                "during the initial sync of 100,000 records",
                &during,
                &format!(
                    "keys 200 ms apart, in {SYNCS} fresh browsers' syncs; in the order typed: {}; writes begun after the sync ended left out; the sync ended before the last key in {ended_early} of {SYNCS}",
                    in_order.join(" | ")
                ),
            );
            print_drafts("afterwards", &after, &format!("keys 300 ms apart; in the order typed: {order}"));
            println!(
                "bench draft autosave's parts: in the second browser's sync (and the writes after it) {parts_during}; afterwards {}; a raw 1 KB IndexedDB write in this page meanwhile: {}",
                draft_parts(&browser).await,
                raw_small_writes(&browser).await
            );
        }
        browser.quit().await;
    }
}

/// The draft writes begun while the browser's first sync ran, in the order typed, and how many
/// came after it ended.
async fn draft_times_during_sync(browser: &Browser) -> (Vec<f64>, usize) {
    let timings = browser
        .driver
        .execute(
            "const sync = performance.getEntriesByName('dsr-sync-exchange')[0];
             const end = sync ? sync.startTime + sync.duration : Infinity;
             const drafts = performance.getEntriesByName('dsr-draft-save');
             return [drafts.filter(d => d.startTime < end).map(d => d.duration), drafts.filter(d => d.startTime >= end).length];",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_value(timings.json().clone()).unwrap_or_default()
}

/// Where this browser's draft writes' time went: sealing (`dsr-draft-seal`) and the IndexedDB
/// transaction (`dsr-draft-tx`), each's median and p95.
async fn draft_parts(browser: &Browser) -> String {
    let answer = browser
        .driver
        .execute(
            "const stats = name => { const d = performance.getEntriesByName(name).map(m => m.duration).sort((a, b) => a - b);
               const at = p => d[Math.max(0, Math.ceil(d.length * p) - 1)] || 0;
               return `${name} median ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms (${d.length})`; };
             return ['dsr-draft-seal', 'dsr-draft-tx'].map(stats).join(', ');",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    answer.json().as_str().unwrap_or("").to_string()
}

/// What the browser's IndexedDB itself takes for a draft-sized write in this page, now: 40 values of
/// 1 KB written one transaction each, 50 ms apart, to a scratch database and then to the app's own
/// database's drafts (under a key no form uses, deleted after); median and p95 of each.
async fn raw_small_writes(browser: &Browser) -> String {
    let answer = browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const writes = async (db, store, key) => {
               const times = [];
               for (let i = 0; i < 40; i++) {
                 const t = performance.now();
                 await new Promise((ok, fail) => {
                   const tx = db.transaction(store, 'readwrite');
                   const value = { key, sealed: new Uint8Array(1024), i };
                   if (db.transaction(store).objectStore(store).keyPath) tx.objectStore(store).put(value);
                   else tx.objectStore(store).put(value, key);
                   tx.oncomplete = ok; tx.onerror = fail;
                 });
                 times.push(performance.now() - t);
                 await new Promise(ok => setTimeout(ok, 50));
               }
               await new Promise(ok => { const tx = db.transaction(store, 'readwrite'); tx.objectStore(store).delete(key); tx.oncomplete = ok; });
               times.sort((a, b) => a - b);
               return `median ${times[19].toFixed(1)} ms, p95 ${times[37].toFixed(1)} ms`;
             };
             const opened = (name, upgrade) => new Promise((ok, fail) => {
               const open = upgrade ? indexedDB.open(name, 1) : indexedDB.open(name);
               if (upgrade) open.onupgradeneeded = () => open.result.createObjectStore('p');
               open.onsuccess = () => ok(open.result); open.onerror = fail;
             });
             (async () => {
               const scratch = await opened('bench-raw-' + Math.random(), true);
               const fresh = await writes(scratch, 'p', 'bench');
               scratch.close(); indexedDB.deleteDatabase(scratch.name);
               const app = await opened('dsr', false);
               const own = await writes(app, 'drafts', 'bench:raw');
               app.close();
               done(`to a scratch database ${fresh}; to the app's drafts ${own}`);
             })().catch(e => done(String(e)));",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    answer.json().as_str().unwrap_or("").to_string()
}

/// Every draft write's time this browser measured (`dsr-draft-save`), in the order typed.
async fn draft_times(browser: &Browser) -> Vec<f64> {
    let timings = browser
        .driver
        .execute("return performance.getEntriesByName('dsr-draft-save').map(e => e.duration)", Vec::new())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_value(timings.json().clone()).unwrap_or_default()
}

/// One phase's draft writes: how many, median, p95, maximum.
fn print_drafts(phase: &str, samples: &[f64], how: &str) {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let pct =
        |p: f64| sorted.get(((sorted.len() as f64 * p).ceil() as usize).saturating_sub(1)).copied().unwrap_or(0.0);
    println!(
        "bench draft autosave {phase}: {} writes, median {:.1} ms, p95 {:.1} ms, max {:.1} ms (a sealed IndexedDB write as the field changes; target p95 < 10 ms; {how})",
        sorted.len(),
        pct(0.5),
        pct(0.95),
        pct(1.0),
    );
}
