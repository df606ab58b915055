//! Load benchmark (issue 20, point 6): many devices pushing and pulling at once against the release
//! server, then the sync promises checked on what they were told. Prints figures; asserts no timing
//! (only the invariants, which are not about time). Run with `./scripts/bench.sh`.
//!
//! 1. Batched push: one device sends 20,000 new people of about 1 KB in batches of 500
//!    (target >= 10,000 mutations/s on SQLite with `synchronous=FULL`).
//! 2. Devices at once: each device is a keyworker's tablet (its own account and session, one person
//!    on its caseload) that, in a loop for 60 s, pushes 10 new visit notes of about 1 KB then pulls
//!    until it has everything (target with 200 devices: 0 errors, push p99 < 100 ms). Printed:
//!    mutations/s, push and pull p50/p99/max, a whole cycle's p50/p99 (the push and its pulls), errors.
//! 3. Then checked: the whole change log read from the start has every number once, with no gap;
//!    every change a device was told was applied is in it under the number it was told; every device
//!    received its caseload's changes in order, each once, none skipped (a change committed after a
//!    later-numbered one was read would be skipped: the gap the log's numbering must never allow).
//!
//! Two kinds of round. **Saturation** (`20`, `200`): no pause, each device as busy as it can be, so
//! the server is never idle and the figures are its throughput; a device waits for its answers before
//! sending again (a closed loop), so a whole cycle (a push and its pulls) lasts about devices ÷ cycles
//! per second (200 devices at 230 cycles a second: ~0.87 s) whatever the server does with it, and a
//! push p99 under 100 ms without pause would take some 2,000 cycles (20,000 mutations) a second. How a
//! cycle divides between push and pull only says where devices queue: a pull made quicker leaves them
//! queueing at the push instead, so compare saturation rounds by mutations/s and the cycle.
//! **Paced** (`200@2000`): each device pauses between its cycles, a mean of that many milliseconds
//! (each pause drawn between half and one and a half times it, the first one too, so the devices are
//! not in step), the load offered at a rate rather than as fast as the server answers: the latency a
//! device sees at that load. Even paced, 200 devices each sending 10 changes every 2 s (~1,000
//! mutations/s) are hundreds of times busier than 200 keyworkers saving a form now and then.
//!
//! **Capacity** (`200@capacity`): paced rounds of that many devices, from a mean pause of 2 s; while a
//! round's push p99 stays under 100 ms with no error, the pause a quarter shorter each round until it
//! does not (should the first round miss it, half as long again each round, up to 10 s, until one meets
//! it): the highest rate at which the devices were answered within the target, and the nearest at
//! which they were not.
//!
//! Each round also prints the CPU it took, from `/proc`: the server process's, the database's on
//! PostgreSQL (every `postgres` process), and the devices' (this process), each in cores and in ms a
//! cycle. A saturation round then says what its target would take: in a closed loop a cycle lasts
//! devices ÷ cycles a second, so a push p99 under 100 ms takes at least devices ÷ (0.1 s + the pulls'
//! mean a cycle) cycles a second; at the round's CPU a cycle, that many cycles need so many cores, of
//! the machine's.
//!
//! `DSR_LOAD_DEVICES=20,200,200@2000,200@1000,200@capacity` (default) chooses the rounds, `DSR_LOAD_SECONDS`
//! their length (default 60, 20 for each capacity round; 15 with `DSR_BENCH_QUICK`), `DSR_LOAD_PAUSE_MS` a
//! pause for the rounds that name none (default 0).
//!
//! Against each backend: SQLite (the server's own file), then PostgreSQL when `DSR_TEST_POSTGRES` names
//! a server (`scripts/bench.sh` starts a throw-away cluster for it); `DSR_LOAD_BACKENDS=sqlite` or
//! `=postgres` runs one. Each line says which.

#![allow(clippy::panic, reason = "a benchmark that cannot run fails with a message")]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dsr_e2e_tests::bench::{BATCH, push_people};
use dsr_e2e_tests::{PASSWORD, Server};
use serde_json::{Value, json};
use tokio::sync::Mutex;

const BATCHED: u64 = 20_000;
const NOTES_PER_PUSH: u64 = 10;

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "a benchmark: run by scripts/bench.sh"]
async fn load() {
    let chosen = std::env::var("DSR_LOAD_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let postgres = std::env::var("DSR_TEST_POSTGRES").ok().filter(|url| !url.is_empty()).is_some();
    for backend in chosen.split(',').map(str::trim) {
        let server = match backend {
            "sqlite" => Server::start().await,
            "postgres" if postgres => Server::start_on_postgres().await,
            "postgres" => {
                println!("bench load on postgres: not run (no DSR_TEST_POSTGRES; scripts/bench.sh starts one)");
                continue;
            }
            other => panic!("DSR_LOAD_BACKENDS: {other} is not sqlite or postgres"),
        };
        measure(Arc::new(server), backend).await;
    }
}

async fn measure(server: Arc<Server>, backend: &str) {
    let (seconds, bytes) = push_people(&server, BATCHED).await;
    println!(
        "bench load on {backend}, batched push: {BATCHED} mutations in batches of {BATCH} in {seconds:.2} s = {:.0} mutations/s ({:.1} MB sent; target >= 10,000/s)",
        BATCHED as f64 / seconds,
        bytes as f64 / 1e6
    );

    let batched = BATCHED as f64 / seconds;
    let quick = std::env::var_os("DSR_BENCH_QUICK").is_some();
    let seconds = env_number("DSR_LOAD_SECONDS").unwrap_or(if quick { 15 } else { 60 });
    let capacity_seconds = env_number("DSR_LOAD_SECONDS").unwrap_or(if quick { 15 } else { 20 });
    let default_pause = env_number("DSR_LOAD_PAUSE_MS").unwrap_or(0);
    let rounds: Vec<Round> = std::env::var("DSR_LOAD_DEVICES")
        .unwrap_or_else(|_| "20,200,200@2000,200@1000,200@capacity".into())
        .split(',')
        .map(|round| Round::parse(round.trim(), default_pause))
        .collect();
    let mut made = 0;
    for round in rounds {
        match round {
            Round::Paced { devices, pause } => {
                let tablets = keyworkers(&server, made, devices).await;
                made += devices;
                let figures = run(&server, backend, tablets, Duration::from_secs(seconds), pause).await;
                figures.print(backend, devices, seconds, pause);
                if pause.is_zero() {
                    figures.print_closed_loop(backend, devices, batched);
                }
                check_the_log(&server, &figures, backend).await;
            }
            Round::Capacity { devices } => {
                let (met, missed) = capacity(&server, backend, devices, capacity_seconds, &mut made).await;
                let met = match met {
                    Some(step) => format!(
                        "push p99 < 100 ms and no error up to {:.0} mutations/s offered ({:.0} pushes/s, a mean pause of {} ms: push p99 {:.0} ms)",
                        step.rate,
                        step.rate / NOTES_PER_PUSH as f64,
                        step.pause.as_millis(),
                        step.p99
                    ),
                    None => format!(
                        "push p99 < 100 ms and no error not met even with a mean pause of {} ms",
                        LONGEST_PAUSE.as_millis()
                    ),
                };
                let missed = match missed {
                    Some(step) => format!(
                        "; missed at {:.0} mutations/s (a mean pause of {} ms: push p99 {:.0} ms, {} errors)",
                        step.rate,
                        step.pause.as_millis(),
                        step.p99,
                        step.errors
                    ),
                    None => String::new(),
                };
                println!("bench load on {backend}, {devices} devices, capacity: {met}{missed}");
            }
        }
    }
}

/// A capacity search's first pause, and the longest and shortest it tries.
const FIRST_PAUSE: Duration = Duration::from_millis(2000);
const LONGEST_PAUSE: Duration = Duration::from_millis(10_000);
const SHORTEST_PAUSE: Duration = Duration::from_millis(100);

/// One paced round of a capacity search.
struct Step {
    pause: Duration,
    rate: f64,
    p99: f64,
    errors: u64,
}

/// Paced rounds of `devices` from [`FIRST_PAUSE`]: while the target is met, the pause a quarter shorter
/// each round until it is missed; if it is missed at first, half as long again each round until it is
/// met. The round at the highest rate that met the target, and the one nearest it that missed it.
async fn capacity(
    server: &Arc<Server>,
    backend: &str,
    devices: usize,
    seconds: u64,
    made: &mut usize,
) -> (Option<Step>, Option<Step>) {
    let mut pause = FIRST_PAUSE;
    let (mut met, mut missed): (Option<Step>, Option<Step>) = (None, None);
    loop {
        let tablets = keyworkers(server, *made, devices).await;
        *made += devices;
        let figures = run(server, backend, tablets, Duration::from_secs(seconds), pause).await;
        figures.print(backend, devices, seconds, pause);
        check_the_log(server, &figures, backend).await;
        let step = Step {
            pause,
            rate: figures.applied as f64 / figures.elapsed,
            p99: percentile(&figures.push_ms, 0.99),
            errors: figures.errors,
        };
        if step.errors > 0 || step.p99 >= TARGET_P99_MS {
            missed = Some(step);
            // Missed after a round that met it (or at the longest pause): the search is over.
            if met.is_some() || pause >= LONGEST_PAUSE {
                return (met, missed);
            }
            pause = pause.mul_f64(1.5).min(LONGEST_PAUSE);
        } else {
            let lengthening = missed.is_some();
            met = Some(step);
            // Met after rounds that missed it (lengthening the pause), or at the shortest pause: over.
            if lengthening || pause <= SHORTEST_PAUSE {
                return (met, missed);
            }
            pause = pause.mul_f64(0.75);
        }
    }
}

/// The target for a push of 10 mutations with 200 devices (issue 20).
const TARGET_P99_MS: f64 = 100.0;

/// A round of `DSR_LOAD_DEVICES`: `N` (saturation, or `DSR_LOAD_PAUSE_MS`), `N@MS` (paced), `N@capacity`.
enum Round {
    Paced { devices: usize, pause: Duration },
    Capacity { devices: usize },
}

impl Round {
    fn parse(round: &str, default_pause: u64) -> Round {
        let wrong = || -> ! { panic!("DSR_LOAD_DEVICES: {round} is not N, N@MS or N@capacity") };
        let (devices, pause) = round.split_once('@').unwrap_or((round, ""));
        let devices = devices.parse().unwrap_or_else(|_| wrong());
        match pause {
            "capacity" => Round::Capacity { devices },
            "" => Round::Paced { devices, pause: Duration::from_millis(default_pause) },
            ms => Round::Paced { devices, pause: Duration::from_millis(ms.parse().unwrap_or_else(|_| wrong())) },
        }
    }
}

fn percentile(samples: &[f64], p: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted.get(((sorted.len() as f64 - 1.0) * p).round() as usize).copied().unwrap_or(0.0)
}

/// CPU time used so far (user and system, seconds) by a process, from `/proc/PID/stat` (all its
/// threads); `None` if it cannot be read. Counted in clock ticks of 1/100 s (`USER_HZ`, 100 in Linux's
/// ABI on the machines this runs on).
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // After the command name (in brackets, which may hold spaces): state is field 3, utime 14, stime 15.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(ticks as f64 / 100.0)
}

/// CPU time used so far by every `postgres` process on the machine (the throw-away cluster's).
fn postgres_cpu_seconds() -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else { return 0.0 };
    entries
        .flatten()
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|pid| pid.bytes().all(|b| b.is_ascii_digit()))
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|comm| comm.trim() == "postgres"))
        .filter_map(|pid| cpu_seconds(&pid))
        .sum()
}

/// CPU used during a round, in seconds.
#[derive(Default, Clone, Copy)]
struct Cpu {
    server: f64,
    database: Option<f64>,
    devices: f64,
}

impl Cpu {
    fn now(server: &Server, backend: &str) -> Cpu {
        Cpu {
            server: server.pid().and_then(|pid| cpu_seconds(&pid.to_string())).unwrap_or(0.0),
            database: (backend == "postgres").then(postgres_cpu_seconds),
            devices: cpu_seconds("self").unwrap_or(0.0),
        }
    }

    fn since(self, before: Cpu) -> Cpu {
        Cpu {
            server: self.server - before.server,
            database: self.database.zip(before.database).map(|(after, before)| after - before),
            devices: self.devices - before.devices,
        }
    }

    /// Seconds of CPU the server's side used: the server process's and the database's.
    fn serving(&self) -> f64 {
        self.server + self.database.unwrap_or(0.0)
    }
}

/// A keyworker's tablet: its session, its device id, its one person.
struct Tablet {
    n: usize,
    cookie: String,
    client_id: String,
    person: String,
}

fn person_id(n: usize) -> String {
    format!("0193e000-0000-7000-8000-{n:012}")
}

fn note_id(device: usize, n: u64) -> String {
    format!("0193e001-{device:04x}-7000-8000-{n:012}")
}

/// `count` keyworkers (numbered from `first`), each with a person on their caseload (on the register,
/// consent given), signed in.
async fn keyworkers(server: &Arc<Server>, first: usize, count: usize) -> Vec<Tablet> {
    // The coordinator's setup device (its own id per round) numbers its changes from 1.
    let mut mutations = Vec::new();
    for (i, n) in (first..first + count).enumerate() {
        let seq = 2 * i as u64 + 1;
        mutations.push(json!({ "seq": seq, "record_id": person_id(n), "kind": "person", "changes": {
            "given_name": { "new": format!("Load{n}") }, "family_name": { "new": "Keyworker" },
            "date_of_birth": { "new": "2011-03-04" },
            "register_status": { "new": { "status": "on_register", "since": "2026-09-01" } } } }));
        mutations.push(json!({ "seq": seq + 1, "record_id": format!("0193e002-0000-7000-8000-{n:012}"),
            "kind": "consent", "changes": {
            "person_id": { "new": person_id(n) }, "scope": { "new": "register" }, "given_on": { "new": "2026-09-01" },
            "given_by": { "new": { "kind": "the_person", "gillick_competent": true } },
            "recorded_by": { "new": "Jo Coordinator" } } }));
    }
    let setup = format!("0193e0ff-0000-7000-8000-{first:012}");
    let answer = server.post_json("/api/sync/push", &json!({ "client_id": setup, "mutations": mutations })).await;
    let refused: Vec<&Value> =
        answer["results"].as_array().into_iter().flatten().filter(|r| r["status"] != "applied").collect();
    assert!(refused.is_empty(), "setting up the people: {refused:?}");

    let mut tablets = Vec::with_capacity(count);
    let mut made = tokio::task::JoinSet::new();
    for n in first..first + count {
        let server = server.clone();
        made.spawn(async move {
            let username = format!("keyworker{n}");
            let id = server.staff(&username, "keyworker").await;
            server.post_json(&format!("/api/users/{id}/people"), &json!({ "person_id": person_id(n) })).await;
            let cookie = server.login(&username, PASSWORD).await;
            Tablet { n, cookie, client_id: format!("0193e003-0000-7000-8000-{n:012}"), person: person_id(n) }
        });
        // A few at a time: each costs two password hashes.
        if made.len() >= 4
            && let Some(tablet) = made.join_next().await
        {
            tablets.push(tablet.unwrap_or_else(|e| panic!("{e}")));
        }
    }
    while let Some(tablet) = made.join_next().await {
        tablets.push(tablet.unwrap_or_else(|e| panic!("{e}")));
    }
    tablets
}

/// What a round measured and what the devices were told.
#[derive(Default)]
struct Figures {
    elapsed: f64,
    applied: u64,
    push_ms: Vec<f64>,
    pull_ms: Vec<f64>,
    /// A whole cycle: the push and the pulls after it until nothing more (a device in step again).
    cycle_ms: Vec<f64>,
    errors: u64,
    first_errors: Vec<String>,
    /// Every change a device was told was applied: record id -> change number.
    acknowledged: BTreeMap<String, u64>,
    /// CPU used during the round.
    cpu: Cpu,
}

impl Figures {
    fn print(&self, backend: &str, devices: usize, seconds: u64, pause: Duration) {
        let kind = if pause.is_zero() {
            "saturation, no pause".to_string()
        } else {
            format!("paced, a mean pause of {} ms", pause.as_millis())
        };
        println!(
            "bench load on {backend}, {devices} devices for {seconds} s ({kind}): {:.0} mutations/s ({} applied, {} pushes, {:.0} cycles/s); push p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; pull p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms; cycle p50 {:.0} ms, p99 {:.0} ms; {} errors{} (target with 200 devices: 0 errors, push p99 < 100 ms); CPU: {}",
            self.applied as f64 / self.elapsed,
            self.applied,
            self.push_ms.len(),
            self.cycles_per_second(),
            percentile(&self.push_ms, 0.5),
            percentile(&self.push_ms, 0.99),
            percentile(&self.push_ms, 1.0),
            percentile(&self.pull_ms, 0.5),
            percentile(&self.pull_ms, 0.99),
            percentile(&self.pull_ms, 1.0),
            percentile(&self.cycle_ms, 0.5),
            percentile(&self.cycle_ms, 0.99),
            self.errors,
            if self.first_errors.is_empty() {
                String::new()
            } else {
                format!(" (first: {})", self.first_errors.join("; "))
            },
            self.cpu_used(),
        );
    }

    fn cycles_per_second(&self) -> f64 {
        self.cycle_ms.len() as f64 / self.elapsed
    }

    /// Milliseconds of CPU a cycle.
    fn per_cycle(&self, seconds: f64) -> f64 {
        seconds * 1000.0 / self.cycle_ms.len().max(1) as f64
    }

    fn cpu_used(&self) -> String {
        let part = |name: &str, seconds: f64| {
            format!("{name} {:.2} cores ({:.2} ms a cycle)", seconds / self.elapsed, self.per_cycle(seconds))
        };
        let mut parts = vec![part("the server", self.cpu.server)];
        if let Some(database) = self.cpu.database {
            parts.push(part("the database", database));
        }
        parts.push(part("the devices", self.cpu.devices));
        format!("{}, of {} on the machine", parts.join(", "), cores())
    }

    /// What a saturation round's target would take (see the module's words).
    fn print_closed_loop(&self, backend: &str, devices: usize, batched: f64) {
        let pull_seconds = self.pull_ms.iter().sum::<f64>() / 1000.0 / self.cycle_ms.len().max(1) as f64;
        let needed = devices as f64 / (TARGET_P99_MS / 1000.0 + pull_seconds);
        let cores_needed = needed * self.per_cycle(self.cpu.serving() + self.cpu.devices) / 1000.0;
        println!(
            "bench load on {backend}, {devices} devices in a closed loop: a cycle lasts devices ÷ cycles a second ({:.0} ms here); a push p99 < 100 ms would take at least {needed:.0} cycles ({:.0} mutations) a second, {:.1}x this round's, and at its CPU a cycle {cores_needed:.1} cores of the machine's {} (the batched push, the fastest way in, carried {batched:.0} mutations/s)",
            devices as f64 * 1000.0 / self.cycles_per_second().max(f64::MIN_POSITIVE),
            needed * NOTES_PER_PUSH as f64,
            needed / self.cycles_per_second().max(f64::MIN_POSITIVE),
            cores(),
        );
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map(usize::from).unwrap_or(1)
}

/// One device's loop: push 10 notes, pull until nothing more, until `deadline`; then a last pull.
async fn device(
    url: String,
    tablet: Tablet,
    deadline: Instant,
    pause: Duration,
    figures: Arc<Mutex<Figures>>,
) -> (Tablet, BTreeMap<String, u64>, Vec<u64>) {
    let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build().unwrap_or_else(|e| panic!("{e}"));
    let mut seq = 1;
    let mut cursor = 0;
    let mut view = 0;
    // What this device pulled: record id -> change number, and the numbers in the order received.
    let mut pulled = BTreeMap::new();
    let mut order = Vec::new();
    let error = |figures: &mut Figures, what: String| {
        figures.errors += 1;
        if figures.first_errors.len() < 3 {
            figures.first_errors.push(what);
        }
    };
    let story = "Calmer this week; went to the park with mum and managed the shop. ".repeat(14);
    let mut pauses = Pauses::new(tablet.n, pause);
    if !pause.is_zero() {
        tokio::time::sleep(pauses.next()).await;
    }
    let mut last_round = false;
    loop {
        let cycle_started = Instant::now();
        if !last_round {
            let mutations: Vec<Value> = (seq..seq + NOTES_PER_PUSH)
                .map(|s| {
                    json!({ "seq": s, "record_id": note_id(tablet.n, s), "kind": "visit_note", "changes": {
                        "person_id": { "new": tablet.person }, "visited_on": { "new": "2026-11-30" },
                        "by": { "new": format!("Keyworker {}", tablet.n) }, "note": { "new": story } } })
                })
                .collect();
            let body = json!({ "client_id": tablet.client_id, "mutations": mutations });
            let started = Instant::now();
            let answer =
                client.post(format!("{url}/api/sync/push")).header("cookie", &tablet.cookie).json(&body).send().await;
            let answer = match answered(answer).await {
                Ok(value) => value,
                Err(what_went_wrong) => {
                    error(&mut *figures.lock().await, format!("push {what_went_wrong}"));
                    None
                }
            };
            let ms = started.elapsed().as_secs_f64() * 1000.0;
            let mut figures = figures.lock().await;
            figures.push_ms.push(ms);
            for result in answer.iter().flat_map(|a| a["results"].as_array().cloned().unwrap_or_default()) {
                let n = result["seq"].as_u64().unwrap_or(0);
                match (result["status"].as_str(), result["change_seq"].as_u64()) {
                    (Some("applied"), Some(change)) => {
                        figures.applied += 1;
                        figures.acknowledged.insert(note_id(tablet.n, n), change);
                        seq = seq.max(n + 1);
                    }
                    _ => error(&mut figures, format!("push answered {result}")),
                }
            }
        }
        // Pull until nothing more waits.
        loop {
            let started = Instant::now();
            let response = client
                .get(format!("{url}/api/sync/pull?client_id={}&cursor={cursor}&view={view}", tablet.client_id))
                .header("cookie", &tablet.cookie)
                .send()
                .await;
            let page = match answered(response).await {
                Ok(value) => value,
                Err(what_went_wrong) => {
                    error(&mut *figures.lock().await, format!("pull {what_went_wrong}"));
                    None
                }
            };
            figures.lock().await.pull_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            let Some(page) = page else { break };
            if page["reset"] == json!(true) {
                // Nothing in this benchmark changes who sees what: a device is never told to start again.
                error(&mut *figures.lock().await, "pull told the device to start again".into());
                break;
            }
            for change in page["changes"].as_array().into_iter().flatten() {
                let number = change["change_seq"].as_u64().unwrap_or(0);
                let id = change["record"]["id"].as_str().unwrap_or_default().to_string();
                order.push(number);
                pulled.insert(id, number);
            }
            cursor = page["cursor"].as_u64().unwrap_or(cursor);
            view = page["view"].as_u64().unwrap_or(view);
            if page["more"] != json!(true) {
                break;
            }
        }
        if last_round {
            break;
        }
        figures.lock().await.cycle_ms.push(cycle_started.elapsed().as_secs_f64() * 1000.0);
        if Instant::now() >= deadline {
            last_round = true;
            continue;
        }
        if !pause.is_zero() {
            tokio::time::sleep(pauses.next()).await;
        }
    }
    (tablet, pulled, order)
}

/// A device's pauses: each between half and one and a half times the mean, drawn from a generator
/// seeded by the device's number (the same each run; no two devices in step).
struct Pauses {
    draw: fastrand::Rng,
    mean: Duration,
}

impl Pauses {
    fn new(device: usize, mean: Duration) -> Self {
        Pauses { draw: fastrand::Rng::with_seed(device as u64), mean }
    }

    fn next(&mut self) -> Duration {
        self.mean.mul_f64(0.5 + self.draw.f64())
    }
}

/// A JSON answer (`None` if it is not JSON), or what went wrong: the status and body, or the transport error.
async fn answered(response: reqwest::Result<reqwest::Response>) -> Result<Option<Value>, String> {
    match response {
        Ok(response) if response.status().is_success() => Ok(response.json::<Value>().await.ok()),
        Ok(response) => {
            let status = response.status();
            Err(format!("{status}: {}", response.text().await.unwrap_or_default()))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// Every device at once for `length`; then each device's own view of the log checked.
async fn run(server: &Server, backend: &str, tablets: Vec<Tablet>, length: Duration, pause: Duration) -> Figures {
    let figures = Arc::new(Mutex::new(Figures::default()));
    let cpu = Cpu::now(server, backend);
    let started = Instant::now();
    let deadline = started + length;
    let mut running = tokio::task::JoinSet::new();
    for tablet in tablets {
        running.spawn(device(server.url.clone(), tablet, deadline, pause, figures.clone()));
    }
    let mut seen = Vec::new();
    while let Some(done) = running.join_next().await {
        seen.push(done.unwrap_or_else(|e| panic!("{e}")));
    }
    let mut figures = std::mem::take(&mut *figures.lock().await);
    figures.elapsed = started.elapsed().as_secs_f64();
    figures.cpu = Cpu::now(server, backend).since(cpu);
    for (tablet, pulled, order) in seen {
        // In order, each once.
        assert!(order.windows(2).all(|w| w[0] < w[1]), "device {} received changes out of order or twice", tablet.n);
        // Nothing it was told was applied is missing from what it pulled, under the same number.
        let own = figures.acknowledged.range(note_id(tablet.n, 0)..note_id(tablet.n + 1, 0));
        for (id, number) in own {
            assert_eq!(pulled.get(id), Some(number), "device {} never pulled its own change {id} ({number})", tablet.n);
        }
    }
    figures
}

/// The whole log, read from the start by the coordinator: every number once, no gap, and every
/// acknowledged change in it under the number the device was told.
async fn check_the_log(server: &Server, figures: &Figures, backend: &str) {
    let reader = "0193e0ff-0000-7000-8000-0000000000ff";
    let (mut cursor, mut view) = (0, 0);
    let mut numbers = Vec::new();
    let mut log: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    loop {
        let page =
            server.get_json(&format!("/api/sync/pull?client_id={reader}&cursor={cursor}&view={view}&limit=2000")).await;
        assert_ne!(page["reset"], json!(true), "the reader was told to start again");
        for change in page["changes"].as_array().into_iter().flatten() {
            let number = change["change_seq"].as_u64().unwrap_or(0);
            numbers.push(number);
            log.entry(change["record"]["id"].as_str().unwrap_or_default().to_string()).or_default().insert(number);
        }
        cursor = page["cursor"].as_u64().unwrap_or(cursor);
        view = page["view"].as_u64().unwrap_or(view);
        if page["more"] != json!(true) {
            break;
        }
    }
    let expected: Vec<u64> = (1..=numbers.len() as u64).collect();
    assert!(numbers == expected, "the change log is not 1..={} without gaps or repeats", numbers.len());
    for (id, number) in &figures.acknowledged {
        assert!(
            log.get(id).is_some_and(|n| n.contains(number)),
            "acknowledged change {id} ({number}) is not in the log"
        );
    }
    println!(
        "bench load on {backend}, checked: the log holds {} changes numbered 1..={} with no gap or repeat; all {} acknowledged changes are in it; every device pulled its own, in order",
        numbers.len(),
        numbers.len(),
        figures.acknowledged.len()
    );
}
