//! Where the page's time goes during the benchmarks' phases: a CPU profile of the main thread, summed
//! per function, for an initial sync of 10,000 records, one pulled change and a save. Not a test and
//! not a benchmark (the profiler slows the page): a tool, run by hand with a release server and app,
//!   DSR_SERVER_BIN=$PWD/target/release/dsr-server cargo test --release -p dsr-e2e-tests --test profile_sync -- --ignored --nocapture
//! For function names, build the app with `data-keep-debug="true" data-wasm-opt="0"` on its rust link
//! in `app/index.html` first (and put it back after).
//! `profile_tasks` (add `profile_tasks` after `--nocapture`) finds what holds the main thread without
//! the profiler's cost: the gaps between a probe's turns, the app's measures within them, and what a
//! draft's write waited for during a sync (`DSR_PROBE=0` leaves the probe out of that second part,
//! for a trace of the page's own tasks). `tests/tools/draft_trace.py` reads such a trace: what each
//! draft's transaction waited for (the first frame after it, the database's commit, the answer).

#![allow(clippy::panic, reason = "a tool that cannot run fails with a message")]

use dsr_e2e_tests::bench::{
    fill_in_aaron, initial_sync, print_profile, push_people, record_id, rename_person_1, start_profile, stop_profile,
};
use dsr_e2e_tests::{Browser, Server, ids};

/// How many records the initial sync's profile holds: 10,000 unless `DSR_PROFILE_RECORDS` says otherwise
/// (e.g. 100000 for the benchmark's large case).
fn records() -> u64 {
    std::env::var("DSR_PROFILE_RECORDS").ok().and_then(|n| n.parse().ok()).unwrap_or(10_000)
}
const TOP: usize = 40;

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a tool: run by hand (see the file's comment)"]
async fn profile_sync() {
    let records = records();
    let server = Server::start().await;
    push_people(&server, records).await;
    let browser = Browser::start().await;

    start_profile(&browser).await;
    let (_, ms, _, long, longest) = initial_sync(&browser, &server, records).await;
    let profile = stop_profile(&browser, TOP).await;
    println!("initial sync: {ms:.0} ms, {long} tasks over 50 ms (longest {longest:.0} ms)");
    print_profile("initial sync", &profile);
    let steps = browser
        .driver
        .execute(
            "const list = n => performance.getEntriesByName(n).map(e => e.duration.toFixed(0)).join(' ');
             return `long tasks: ${(window.longTasks || []).map(([, d]) => d.toFixed(0)).join(' ')}
list redraws: ${list('dsr-list-reload')}
parses: ${list('dsr-pull-parse')}
stores: ${list('dsr-pull-store')}
sums: ${['dsr-pull-fetch', 'dsr-pull-parse', 'dsr-pull-store', 'dsr-list-reload'].map(n => n + ' ' + performance.getEntriesByName(n).reduce((t, e) => t + e.duration, 0).toFixed(0)).join(', ')}`;",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!("initial sync steps (ms):\n{}", steps.json().as_str().unwrap_or(""));
    browser.wait_for_text(ids::UNSYNCED, "Everything saved").await;

    // One pulled change, seven times, as the benchmark makes them.
    let row_id = ids::person_row(&record_id(1));
    start_profile(&browser).await;
    let mut shown = Vec::new();
    for round in 1..=7u64 {
        let (change, new) = rename_person_1(round);
        let script = format!(
            "const done = arguments[arguments.length - 1];
             let pushed = null; const t0 = performance.now();
             fetch('/api/sync/push', {{ method: 'POST', headers: {{ 'content-type': 'application/json' }}, body: JSON.stringify({change}) }})
               .then(() => {{ pushed = performance.now(); }});
             const check = () => {{
               const row = document.getElementById('{row_id}');
               if (row && row.textContent.includes('{new}') && pushed !== null) {{ done(performance.now() - pushed); }}
               else {{ requestAnimationFrame(check); }}
             }};
             check();"
        );
        let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
        shown.push(answer.json().as_f64().unwrap_or(0.0));
    }
    let profile = stop_profile(&browser, TOP).await;
    println!("pulled change: push answered to shown {shown:.0?} ms");
    print_profile("pulled change", &profile);

    // The same without the profiler, each step's User Timing measures printed against the push
    // answered (ms): where a pulled change's time goes.
    for round in 8..=12u64 {
        let (change, new) = rename_person_1(round);
        let script = format!(
            "const done = arguments[arguments.length - 1];
             let pushed = null; const t0 = performance.now();
             fetch('/api/sync/push', {{ method: 'POST', headers: {{ 'content-type': 'application/json' }}, body: JSON.stringify({change}) }})
               .then(() => {{ pushed = performance.now(); }});
             const check = () => {{
               const row = document.getElementById('{row_id}');
               if (row && row.textContent.includes('{new}') && pushed !== null) {{
                 const shown = performance.now();
                 const steps = performance.getEntriesByType('measure').filter(e => e.startTime >= t0)
                   .map(e => `${{e.name}} ${{(e.startTime - pushed).toFixed(1)}}..${{(e.startTime + e.duration - pushed).toFixed(1)}}`);
                 const pulls = performance.getEntriesByType('resource').filter(e => e.name.includes('/api/sync/') && e.startTime >= t0)
                   .map(e => `${{e.name.split('?')[0].split('/').pop()}} ${{(e.startTime - pushed).toFixed(1)}}..${{(e.responseEnd - pushed).toFixed(1)}}`);
                 done(`shown ${{(shown - pushed).toFixed(1)}}: ` + steps.concat(pulls).join(', '));
               }} else {{ setTimeout(check, 0); }}
             }};
             check();"
        );
        let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
        println!("pulled change timeline: {}", answer.json().as_str().unwrap_or(""));
    }

    // The browser's own share: style and layout after one row's text changes (as a pulled change
    // makes), forced at once and timed, five times.
    let layout = browser
        .driver
        .execute(
            &format!(
                "const row = document.getElementById('{row_id}'); const cell = row.querySelector('a');
                 const time = () => {{ const times = [];
                   for (let i = 0; i < 5; i++) {{
                     document.body.offsetHeight;
                     const t0 = performance.now();
                     cell.textContent = cell.textContent + 'x';
                     document.body.offsetHeight;
                     times.push((performance.now() - t0).toFixed(1));
                   }}
                   return times.join(', '); }};
                 const table = row.closest('table');
                 const t1 = time();
                 table.style.tableLayout = 'fixed';
                 const t2 = time();
                 table.style.tableLayout = '';
                 const t3 = time();
                 const old = row.textContent;
                 const t0 = performance.now(); row.remove(); document.body.offsetHeight; const removed = (performance.now() - t0).toFixed(1);
                 const rows = table.querySelectorAll('tr').length;
                 const t4 = performance.now(); document.body.style.display = 'none'; document.body.offsetHeight; const hidden = (performance.now() - t4).toFixed(1);
                 const t5 = performance.now(); document.body.style.display = ''; document.body.offsetHeight; const whole = (performance.now() - t5).toFixed(1);
                 return `auto: ${{t1}}; fixed: ${{t2}}; auto again: ${{t3}}; a row removed: ${{removed}}; whole page laid out: ${{whole}} (${{rows}} rows)`;"
            ),
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!("style and layout after one row changes: {} ms", layout.json());

    // Which part of the register costs the browser most to lay out from nothing: the whole page
    // laid out again with each part left out in turn (three times each).
    let parts = browser
        .driver
        .execute(
            "const relayout = () => { const times = []; for (let i = 0; i < 3; i++) {
                 document.body.style.display = 'none'; document.body.offsetHeight;
                 const t0 = performance.now(); document.body.style.display = ''; document.body.offsetHeight;
                 times.push((performance.now() - t0).toFixed(1)); } return times.join(' '); };
             const out = [`whole: ${relayout()}`];
             for (const sel of ['table', '.dsr-filters', 'header', '.dsr-rating-counts', 'tbody', 'thead']) {
               const el = document.querySelector(sel); if (!el) { out.push(`${sel}: missing`); continue; }
               el.style.display = 'none'; out.push(`without ${sel}: ${relayout()}`); el.style.display = '';
             }
             out.push(`rows: ${document.querySelectorAll('tbody tr').length}, elements: ${document.querySelectorAll('*').length}`);
             return out.join('; ');",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!("the register laid out from nothing (ms): {}", parts.json());

    // Opening the form, and a save from the click to the register showing it, three times (the
    // profiles of the third).
    for round in 0..3 {
        start_profile(&browser).await;
        browser.click(ids::ADD_PERSON_LINK).await;
        browser.element(ids::GIVEN_NAME).await;
        let opening = stop_profile(&browser, TOP).await;
        browser.type_into(ids::GIVEN_NAME, &format!("Aaron{round}")).await;
        browser.type_into(ids::FAMILY_NAME, "Aardvark").await;
        browser.type_into(ids::DATE_OF_BIRTH_DAY, "9").await;
        browser.type_into(ids::DATE_OF_BIRTH_MONTH, "12").await;
        browser.type_into(ids::DATE_OF_BIRTH_YEAR, "2010").await;
        start_profile(&browser).await;
        browser.click(ids::SAVE_PERSON).await;
        browser.wait_for_text(ids::NOTICE, &format!("Aaron{round} Aardvark was saved")).await;
        let saving = stop_profile(&browser, TOP).await;
        if round == 2 {
            print_profile("opening the add-person form from the register", &opening);
            print_profile("save, from the click", &saving);
        }
    }

    // A save's steps against the click, without the profiler.
    for round in 3..6 {
        fill_in_aaron(&browser, round).await;
        let script = format!(
            "const done = arguments[arguments.length - 1];
             const t0 = performance.now();
             window.noticeAt = null;
             const mo = new MutationObserver(() => {{ if (window.noticeAt === null && document.getElementById('{1}')) {{ window.noticeAt = performance.now(); document.body.offsetHeight; window.laidOut = performance.now(); }} }});
             mo.observe(document.body, {{ childList: true, subtree: true }});
             document.getElementById('{0}').click();
             const clicked = performance.now();
             const check = () => {{
               const notice = document.getElementById('{1}');
               if (notice && notice.textContent.includes('Aaron{round} Aardvark was saved') && document.body.textContent.includes('Aaron{round}')) {{
                 const shown = performance.now(); mo.disconnect();
                 const steps = performance.getEntriesByType('measure').filter(e => e.startTime >= t0)
                   .map(e => `${{e.name}} ${{(e.startTime - t0).toFixed(1)}}..${{(e.startTime + e.duration - t0).toFixed(1)}}`);
                 done(`shown ${{(shown - t0).toFixed(1)}} (notice inserted ${{(window.noticeAt - t0).toFixed(1)}}, laid out ${{(window.laidOut - t0).toFixed(1)}}, click handler ${{(clicked - t0).toFixed(1)}}): ` + steps.join(', '));
               }} else {{ setTimeout(check, 0); }}
             }};
             check();",
            ids::SAVE_PERSON,
            ids::NOTICE,
            round = round
        );
        let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(browser.driver.handle.clone());
        devtools.execute_cdp("Performance.enable").await.unwrap_or_else(|e| panic!("{e}"));
        let metrics = || async {
            let m = devtools.execute_cdp("Performance.getMetrics").await.unwrap_or_else(|e| panic!("{e}"));
            m["metrics"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|e| Some((e["name"].as_str()?.to_string(), e["value"].as_f64()?)))
                        .collect::<std::collections::BTreeMap<_, _>>()
                })
                .unwrap_or_default()
        };
        let before = metrics().await;
        let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
        let after = metrics().await;
        let delta: Vec<String> = [
            "TaskDuration",
            "ScriptDuration",
            "RecalcStyleDuration",
            "LayoutDuration",
            "RecalcStyleCount",
            "LayoutCount",
            "Nodes",
        ]
        .iter()
        .map(|k| {
            let d = after.get(*k).copied().unwrap_or(0.0) - before.get(*k).copied().unwrap_or(0.0);
            if k.ends_with("Duration") { format!("{k} {:.1} ms", d * 1000.0) } else { format!("{k} {d}") }
        })
        .collect();
        println!("save timeline: {}; browser: {}", answer.json().as_str().unwrap_or(""), delta.join(", "));
    }
    browser.quit().await;
}

/// The server's side of an initial sync alone: pages of 1,000 pulled over HTTP, each timed.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a tool: run by hand (see the file's comment)"]
async fn profile_server_pull() {
    let server = Server::start().await;
    push_people(&server, records()).await;
    let client = reqwest::Client::new();
    for attempt in 0..2 {
        let device = format!("0193b000-0000-7000-8000-00000000d0{attempt:02}");
        let (mut cursor, mut view, mut times, mut bytes) = (0u64, 0u64, Vec::new(), 0usize);
        loop {
            let started = std::time::Instant::now();
            let response = client
                .get(format!("{}/api/sync/pull?client_id={device}&cursor={cursor}&view={view}&limit=1000", server.url))
                .header("cookie", &server.cookie)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let body = response.bytes().await.unwrap_or_else(|e| panic!("{e}"));
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            bytes += body.len();
            let page: serde_json::Value = serde_json::from_slice(&body).unwrap_or_else(|e| panic!("{e}"));
            cursor = page["cursor"].as_u64().unwrap_or(0);
            view = page["view"].as_u64().unwrap_or(0);
            if page["more"] != serde_json::Value::Bool(true) {
                break;
            }
        }
        let pages: Vec<String> = times.iter().map(|t| format!("{t:.0}")).collect();
        println!(
            "server pull of {}: {:.0} ms in all, {bytes} B, pages (ms): {}",
            records(),
            times.iter().sum::<f64>(),
            pages.join(" ")
        );
    }
}

/// What an IndexedDB transaction's durability costs here: eleven values of 1 MB (a first sync's
/// sealed pages; `DSR_PROFILE_KB` for another size, e.g. 1 for a draft) written one transaction each,
/// in turn, with each durability hint.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a tool: run by hand (see the file's comment)"]
async fn profile_indexeddb_durability() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.goto(&server.url).await;
    let kb = std::env::var("DSR_PROFILE_KB").ok().and_then(|kb| kb.parse().ok()).unwrap_or(1024);
    for _ in 0..2 {
        for durability in ["default", "relaxed", "strict"] {
            println!("{durability}: {}", indexeddb_writes(&browser, kb, 11, durability).await);
        }
    }
    browser.quit().await;
}

/// Writes `count` values of `kb` KB into a scratch IndexedDB database, one transaction each, in turn,
/// with this durability hint ("default": none); says how long it took in all and each write's time.
async fn indexeddb_writes(browser: &Browser, kb: usize, count: usize, durability: &str) -> String {
    let options = if durability == "default" { "{}".to_string() } else { format!("{{ durability: '{durability}' }}") };
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const open = indexedDB.open('writes-' + Math.random(), 1);
         open.onupgradeneeded = () => open.result.createObjectStore('p');
         open.onsuccess = async () => {{
           const db = open.result; const times = []; const t0 = performance.now();
           for (let i = 0; i < {count}; i++) {{
             const bytes = new Uint8Array(Math.max({kb} * 1024 - 200, 16)); crypto.getRandomValues(bytes.subarray(0, 65536));
             const t = performance.now();
             await new Promise((ok, fail) => {{
               const tx = db.transaction('p', 'readwrite', {options});
               tx.objectStore('p').put({{ sealed: bytes, ids: new Uint8Array(16) }}, i);
               tx.oncomplete = ok; tx.onerror = fail;
             }});
             times.push((performance.now() - t).toFixed(1));
           }}
           const all = performance.now() - t0; db.close(); indexedDB.deleteDatabase(db.name);
           done(`${{all.toFixed(0)}} ms, ${{(all / {count}).toFixed(1)}} ms each (${{times.slice(0, 12).join(' ')}})`);
         }};"
    );
    let answer = browser.driver.execute_async(script.as_str(), Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
    answer.json().as_str().unwrap_or("").to_string()
}

/// What holds the main thread during an initial sync, without the profiler's cost: a probe posts
/// itself a message after every task, so a gap between two of its turns is the task (or tasks) that
/// ran between; the gaps of 5 ms or more are counted, and the longest listed with the app's own
/// measures (`performance.measure`) that fell within them. Then draft autosave during a second sync.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a tool: run by hand (see the file's comment)"]
async fn profile_tasks() {
    let records = records();
    let server = Server::start().await;
    push_people(&server, records).await;
    let browser = Browser::start().await;
    let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(browser.driver.handle.clone());
    devtools
        .execute_cdp_with_params("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": PROBE }))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (_, ms, _, long, longest) = initial_sync(&browser, &server, records).await;
    println!("initial sync of {records}: {ms:.0} ms, {long} tasks over 50 ms (longest {longest:.0} ms)");
    let answer = browser
        .driver
        .execute(
            "window.stopProbe = true;
             const gaps = window.gaps;
             const over = ms => gaps.filter(g => g[1] >= ms).length;
             const measures = performance.getEntriesByType('measure');
             const longest = [...gaps].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([start, ms]) => {
               const inside = measures.filter(m => m.startTime >= start - 0.5 && m.startTime + m.duration <= start + ms + 0.5 && m.duration >= 0.5);
               const sums = {}; for (const m of inside) sums[m.name] = (sums[m.name] || 0) + m.duration;
               return `${ms.toFixed(1)} ms at ${start.toFixed(0)}: ` + Object.entries(sums).map(([n, d]) => `${n} ${d.toFixed(1)}`).join(', ');
             });
             const stats = name => { const d = measures.filter(m => m.name === name).map(m => m.duration).sort((a, b) => a - b);
               return d.length ? `${name}: ${d.length}, median ${d[d.length >> 1].toFixed(1)}, max ${d[d.length - 1].toFixed(1)}` : `${name}: none`; };
             return `gaps of 5 ms or more: ${over(5)}, 10: ${over(10)}, 20: ${over(20)}, 50: ${over(50)}
${['dsr-pull-parse', 'dsr-written', 'dsr-rows-step', 'dsr-rows-show'].map(stats).join('\\n')}
longest:
${longest.join('\\n')}`;",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!("{}", answer.json().as_str().unwrap_or(""));
    browser.quit().await;

    // Draft autosave during a second browser's initial sync: each write's time, and what ran meanwhile.
    let browser = Browser::start().await;
    // The probe keeps the page busy: leave it out (`DSR_PROBE=0`) for a trace of the page's own tasks
    // (`DSR_CHROMIUM_FLAGS="--trace-startup=devtools.timeline --trace-startup-format=json
    // --trace-startup-file=/tmp/trace.json"`: each task's length and what ran in it).
    let probe = if std::env::var("DSR_PROBE").is_ok_and(|p| p == "0") { "window.gaps = [];" } else { PROBE };
    let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(browser.driver.handle.clone());
    devtools
        .execute_cdp_with_params("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": probe }))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.goto(&server.url).await;
    browser.type_into(ids::SIGN_IN_USERNAME, dsr_e2e_tests::COORDINATOR).await;
    browser.type_into(ids::SIGN_IN_PASSWORD, dsr_e2e_tests::PASSWORD).await;
    browser.click(ids::SIGN_IN_BUTTON).await;
    browser.click(ids::ADD_PERSON_LINK).await;
    let field = browser.element(ids::GIVEN_NAME).await;
    for i in 0..20u8 {
        field.send_keys(char::from(b'a' + i % 26).to_string()).await.unwrap_or_else(|e| panic!("{e}"));
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let answer = browser
        .driver
        .execute(
            "window.stopProbe = true;
             const measures = performance.getEntriesByType('measure');
             return measures.filter(m => m.name === 'dsr-draft-save').map(d => {
               const end = d.startTime + d.duration;
               const slow = ['dsr-draft-save', 'dsr-pull-store', 'dsr-pull-fetch', 'dsr-list-reload', 'dsr-sync-exchange'];
               const gaps = window.gaps.filter(g => g[0] < end && g[0] + g[1] > d.startTime).map(([start, ms]) =>
                 ms.toFixed(1) + ' [' + measures.filter(m => !slow.includes(m.name) && m.startTime < start + ms && m.startTime + m.duration > start)
                   .map(m => `${m.name} ${m.duration.toFixed(1)}`).join(', ') + ']');
               const during = measures.filter(m => m.name !== 'dsr-draft-save' && m.startTime < end && m.startTime + m.duration > d.startTime && m.duration >= 0.5)
                 .map(m => `${m.name} ${m.duration.toFixed(1)}`);
               return `draft ${d.duration.toFixed(1)} ms: gaps ${gaps.join(' ')}; ${during.join(', ')}`;
             }).join('\\n');",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    println!("{}", answer.json().as_str().unwrap_or(""));
    browser.quit().await;
}

/// The probe of [`profile_tasks`]: `window.gaps`, [start, ms] of each gap of 5 ms or more between its
/// turns, until `window.stopProbe`.
const PROBE: &str = "window.gaps = [];
    const channel = new MessageChannel(); let last = performance.now();
    channel.port1.onmessage = () => { const now = performance.now();
      if (now - last >= 5) window.gaps.push([last, now - last]);
      last = now; if (!window.stopProbe) channel.port2.postMessage(0); };
    channel.port2.postMessage(0);";

/// What the size of a stored value costs here: 10 MB written as values of 16 KB to 1 MB, one
/// transaction per value, in turn (Chromium keeps a value over 64 KB apart from its database, as a
/// file of its own).
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a tool: run by hand (see the file's comment)"]
async fn profile_indexeddb_value_size() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.goto(&server.url).await;
    for _ in 0..2 {
        for kb in [16, 32, 60, 64, 100, 250, 1000] {
            println!("{kb} KB values: {}", indexeddb_writes(&browser, kb, 10_000 / kb, "default").await);
        }
    }
    browser.quit().await;
}

/// Two builds of the app compared on the initial sync alone, in turns (the machine's noise falls on
/// both): `DSR_AB_A` and `DSR_AB_B` name their dist folders; `DSR_AB_ROUNDS` syncs each (default 6) of
/// `DSR_PROFILE_RECORDS` records. Prints every time and each build's median.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a tool: run by hand (see the file's comment)"]
async fn profile_ab_initial_sync() {
    let dist = |name: &str| std::path::PathBuf::from(std::env::var(name).unwrap_or_else(|_| panic!("set {name}")));
    let rounds: usize = std::env::var("DSR_AB_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(6);
    let records = records();
    let servers =
        [Server::start_serving(&dist("DSR_AB_A"), &[]).await, Server::start_serving(&dist("DSR_AB_B"), &[]).await];
    for server in &servers {
        push_people(server, records).await;
    }
    let mut times = [Vec::new(), Vec::new()];
    for round in 0..rounds * 2 {
        // A B B A A B ...: neither build always goes first.
        let which = [0, 1, 1, 0][round % 4];
        let browser = Browser::start().await;
        let (_, ms, _, _, _) = initial_sync(&browser, &servers[which], records).await;
        browser.quit().await;
        times[which].push(ms);
    }
    for (name, times) in ["A", "B"].iter().zip(times) {
        let list: Vec<String> = times.iter().map(|t| format!("{t:.0}")).collect();
        println!("{name}: median {:.0} ms ({})", dsr_e2e_tests::bench::median(times.clone()), list.join(" "));
    }
}
