//! End-to-end harness: the real `dsr-server` binary on a free port with a temporary data directory,
//! and headless Chromium driven through chromedriver.
//!
//! Needs the app built into `dist/` and the server built (`scripts/test.sh` does both), and
//! `chromium` and `chromedriver` on the PATH (Debian's `chromium` and `chromium-driver`).

#![allow(clippy::panic, reason = "a test harness: a step that cannot be done fails the test, with the reason")]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub mod bench;

/// The element ids the app uses, from the app's own source.
#[path = "../../app/src/element_ids.rs"]
pub mod ids;

/// How long any wait for the page may take before a test fails.
pub const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(100);

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"))
}

/// Where tests save screenshots (`target/e2e-screenshots/`).
pub fn screenshot_path(name: &str) -> PathBuf {
    let dir = target_dir().join("e2e-screenshots");
    std::fs::create_dir_all(&dir).ok();
    dir.join(format!("{name}.png"))
}

/// The test area's coordinator, made with the server's `create-coordinator` command.
pub const COORDINATOR: &str = "coordinator";
/// Every test account's password (and the demo accounts' in demo mode).
pub const PASSWORD: &str = "a long test password";
pub const DEMO_PASSWORD: &str = "dsr-demo-password";

/// The built app the tests serve: `dist/`, or the app built into `DSR_E2E_DIST` when set (a benchmark
/// of an earlier build beside this one, in the same hour).
pub fn dist_dir() -> PathBuf {
    std::env::var_os("DSR_E2E_DIST").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("dist"))
}

/// A new, empty database on the test PostgreSQL server named by `DSR_TEST_POSTGRES`
/// (`postgres://USER@HOST:PORT`); its URL.
pub async fn new_postgres_database() -> String {
    let server = std::env::var("DSR_TEST_POSTGRES").ok().filter(|url| !url.is_empty()).unwrap_or_else(|| {
        panic!("DSR_TEST_POSTGRES names no PostgreSQL server: run scripts/test.sh, which starts a throw-away one")
    });
    let server = server.trim_end_matches('/');
    let name = format!("dsr_e2e_{}_{}", std::process::id(), chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0));
    let admin = sqlx::PgPool::connect(&format!("{server}/postgres")).await.unwrap_or_else(|e| panic!("{server}: {e}"));
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap_or_else(|e| panic!("{e}"));
    admin.close().await;
    format!("{server}/{name}")
}

/// The real server binary, started on a free port with its own data directory.
pub struct Server {
    child: Option<Child>,
    pub url: String,
    pub addr: String,
    args: Vec<String>,
    static_dir: PathBuf,
    data_dir: tempfile::TempDir,
    /// The database, when not the SQLite file in the data directory (`--database-url`).
    database_url: Option<String>,
    /// The coordinator's session, for the test's own API calls (`Cookie` header value).
    pub cookie: String,
    /// The coordinator's password (the demo's in demo mode).
    pub password: String,
}

impl Server {
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts with extra command-line arguments (`--demo`), serving [`dist_dir`].
    pub async fn start_with(args: &[&str]) -> Self {
        Self::start_serving(&dist_dir(), args).await
    }

    /// Starts on a new, empty database of the test PostgreSQL server (`DSR_TEST_POSTGRES`, which
    /// scripts/test.sh sets to the throw-away cluster it starts) instead of a SQLite file.
    pub async fn start_on_postgres() -> Self {
        let url = new_postgres_database().await;
        Self::start_on(&dist_dir(), &[], Some(url)).await
    }

    /// Starts serving the app from `static_dir` (a copy of `dist/` a test can change).
    pub async fn start_serving(static_dir: &Path, args: &[&str]) -> Self {
        Self::start_on(static_dir, args, None).await
    }

    async fn start_on(static_dir: &Path, args: &[&str], database_url: Option<String>) -> Self {
        let data_dir = tempfile::tempdir().unwrap_or_else(|e| panic!("temporary data directory: {e}"));
        let static_dir = static_dir.to_path_buf();
        let demo = args.contains(&"--demo");
        let args = args.iter().map(|a| a.to_string()).collect();
        let password = if demo { DEMO_PASSWORD } else { PASSWORD }.to_string();
        let mut server = Self {
            child: None,
            url: String::new(),
            addr: "127.0.0.1:0".into(),
            args,
            static_dir,
            data_dir,
            database_url,
            cookie: String::new(),
            password,
        };
        if !demo {
            server.create_coordinator().await;
        }
        server.launch().await;
        server.cookie = server.login(COORDINATOR, &server.password.clone()).await;
        server
    }

    fn binary() -> PathBuf {
        // The benchmarks point this at a release build.
        std::env::var_os("DSR_SERVER_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| target_dir().join("debug").join("dsr-server"))
    }

    /// The first coordinator, made as an administrator would: `dsr-server create-coordinator`.
    async fn create_coordinator(&self) {
        let output = Command::new(Self::binary())
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .args(self.database_url.iter().flat_map(|url| ["--database-url", url.as_str()]))
            .args(["create-coordinator", "--area", "Test area", "--username", COORDINATOR, "--name", "Jo Coordinator"])
            .env("DSR_NEW_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .output()
            .await
            .unwrap_or_else(|e| panic!("create-coordinator: {e}"));
        assert!(output.status.success(), "create-coordinator failed: {}", String::from_utf8_lossy(&output.stderr));
        assert!(String::from_utf8_lossy(&output.stdout).contains("Created DSR coordinator coordinator for Test area"));
    }

    /// Signs in through the API; returns the `Cookie` header value.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/api/session/login", self.url))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("login {username}: {e}"));
        assert!(response.status().is_success(), "login {username}: {}", response.status());
        let set_cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or_default();
        set_cookie.split(';').next().unwrap_or_default().to_string()
    }

    /// `POST` JSON to an API path as the coordinator; the JSON answer.
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> serde_json::Value {
        let response = reqwest::Client::new()
            .post(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        assert!(response.status().is_success(), "POST {path}: {}", response.status());
        response.json().await.unwrap_or_else(|e| panic!("POST {path}: not JSON: {e}"))
    }

    /// A staff account made by the coordinator; its id.
    pub async fn staff(&self, username: &str, role: &str) -> String {
        let body = serde_json::json!({ "username": username, "display_name": format!("Test {username}"), "role": role, "password": PASSWORD });
        self.post_json("/api/users", &body).await["id"].as_str().unwrap_or_default().to_string()
    }

    /// The server process's id (to read its memory in /proc).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().and_then(Child::id)
    }

    /// Stops the process at once (SIGKILL), as a power cut or crash would.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().await.ok();
        }
    }

    /// Starts the binary again on the same address and data directory.
    pub async fn restart(&mut self) {
        self.kill().await;
        self.launch().await;
    }

    async fn launch(&mut self) {
        let binary = Self::binary();
        let dist = self.static_dir.clone();
        assert!(binary.is_file(), "no server binary at {}: run scripts/test.sh (it builds it)", binary.display());
        assert!(dist.join("index.html").is_file(), "no built app in {}: run scripts/test.sh", dist.display());
        let mut child = Command::new(&binary)
            .arg("--listen")
            .arg(&self.addr)
            .arg("--data-dir")
            .arg(self.data_dir.path())
            .args(self.database_url.iter().flat_map(|url| ["--database-url", url.as_str()]))
            .arg("--static-dir")
            .arg(&dist)
            .args(&self.args)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let stdout = child.stdout.take().unwrap_or_else(|| panic!("no stdout"));
        let mut lines = BufReader::new(stdout).lines();
        // Demo mode prints its accounts first; the line that says where it listens comes last.
        let url = tokio::time::timeout(WAIT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("listening on") {
                    return line.split_whitespace().find(|w| w.starts_with("http://")).map(str::to_owned);
                }
            }
            None
        })
        .await
        .unwrap_or_else(|_| panic!("the server did not say where it listens within {WAIT:?}"))
        .unwrap_or_else(|| panic!("the server stopped before saying where it listens"));
        self.addr = url.trim_start_matches("http://").to_string();
        self.url = url;
        self.child = Some(child);
    }

    /// `GET` an API path as the coordinator and parse the JSON answer.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.unwrap_or_else(|e| panic!("GET {path}: not JSON: {e}"))
    }

    /// `GET` an API path as the coordinator; the answer's text (a CSV export, say).
    pub async fn get_text(&self, path: &str) -> String {
        let response = reqwest::Client::new()
            .get(format!("{}{path}", self.url))
            .header("cookie", &self.cookie)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.text().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// The newest change the server holds (what a device that has pulled everything has as its cursor).
    pub async fn latest_change(&self) -> u64 {
        self.pull_everything().await.1
    }

    /// Every change the coordinator's harness device is sent from the start, and the last cursor.
    async fn pull_everything(&self) -> (Vec<serde_json::Value>, u64) {
        let (mut changes, mut cursor, mut view) = (Vec::new(), 0, 0);
        loop {
            let page = self
                .get_json(&format!("/api/sync/pull?client_id={HARNESS_CLIENT}&cursor={cursor}&view={view}&limit=1000"))
                .await;
            assert_ne!(page["reset"], true, "a pull with the view the server gave was answered with a reset");
            view = page["view"].as_u64().unwrap_or(0);
            changes.extend(page["changes"].as_array().cloned().unwrap_or_default());
            cursor = page["cursor"].as_u64().unwrap_or(0);
            if page["more"] != true {
                return (changes, cursor);
            }
        }
    }

    /// Every record the server holds, as it stands now: `(kind, id, fields)`, by id.
    pub async fn records(&self) -> Vec<(String, String, serde_json::Value)> {
        let mut latest: std::collections::BTreeMap<String, (String, serde_json::Value)> =
            std::collections::BTreeMap::new();
        for change in self.pull_everything().await.0 {
            let record = &change["record"];
            let id = record["id"].as_str().unwrap_or("").to_string();
            latest.insert(id, (record["kind"].as_str().unwrap_or("").to_string(), record["fields"].clone()));
        }
        latest.into_iter().map(|(id, (kind, fields))| (kind, id, fields)).collect()
    }

    /// The people the server holds (each record's fields with its `id` and `version`), by family name.
    pub async fn people(&self) -> Vec<serde_json::Value> {
        let mut records: std::collections::BTreeMap<String, serde_json::Value> = std::collections::BTreeMap::new();
        for change in self.pull_everything().await.0 {
            let record = &change["record"];
            let mut person = record["fields"].clone();
            person["id"] = record["id"].clone();
            person["version"] = record["version"].clone();
            records.insert(record["id"].as_str().unwrap_or("").to_string(), person);
        }
        let mut people: Vec<serde_json::Value> = records.into_values().collect();
        people.sort_by_key(|p| p["family_name"].as_str().unwrap_or("").to_lowercase());
        people
    }
}

/// `text` without whitespace (to compare text taken out of a PDF).
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The device id the harness pulls with (as the coordinator).
pub const HARNESS_CLIENT: &str = "00000000-0000-7000-8000-00000000e2e0";

/// Copies a directory tree (the built app) to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap_or_else(|e| panic!("{}: {e}", to.display()));
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())).flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        }
    }
}

/// A first load measured by [`Browser::first_load_over`]: when the page first showed something and when
/// it was there to use (milliseconds from the start of navigation), the bytes that came over the
/// wire (compressed, with headers) and the files they were.
#[derive(Debug)]
pub struct FirstLoad {
    pub first_paint_ms: f64,
    pub usable_ms: f64,
    pub bytes: u64,
    pub files: Vec<String>,
}

/// Headless Chromium with a fresh profile, through its own chromedriver.
pub struct Browser {
    pub driver: WebDriver,
    _chromedriver: Child,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// A tablet-sized window (1024 by 768, landscape).
    pub async fn start() -> Self {
        let port = free_port();
        let mut chromedriver = Command::new("chromedriver");
        // In a process group of its own, with the Chromium it starts: a test that fails ends them all (Drop).
        chromedriver
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .process_group(0);
        let chromedriver = chromedriver
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start chromedriver ({e}): install Debian's chromium-driver"));
        let driver_url = format!("http://127.0.0.1:{port}");
        wait_for_chromedriver(&driver_url).await;

        let profile = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let mut caps = DesiredCapabilities::chrome();
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--window-size=1024,768".into(),
        ];
        args.push(format!("--user-data-dir={}", profile.path().display()));
        // More flags for a tool run by hand (e.g. a trace: `--trace-startup=... --trace-startup-file=...`).
        if let Ok(more) = std::env::var("DSR_CHROMIUM_FLAGS") {
            args.extend(more.split_whitespace().map(String::from));
        }
        for arg in &args {
            caps.add_arg(arg).unwrap_or_else(|e| panic!("{e}"));
        }
        if let Some(binary) = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].iter().find(|p| Path::new(p).exists())
        {
            caps.set_binary(binary).unwrap_or_else(|e| panic!("{e}"));
        }
        let driver = WebDriver::new(&driver_url, caps).await.unwrap_or_else(|e| panic!("cannot start Chromium: {e}"));
        Self { driver, _chromedriver: chromedriver, _profile: profile }
    }

    /// Opens the app and signs in (a fresh device: the sign-in page), then waits for the register.
    pub async fn sign_in(&self, server: &Server, username: &str, password: &str) {
        self.goto(&server.url).await;
        self.type_into(ids::SIGN_IN_USERNAME, username).await;
        self.type_into(ids::SIGN_IN_PASSWORD, password).await;
        self.click(ids::SIGN_IN_BUTTON).await;
        // The home page: the register for staff, their own home for a family.
        self.wait_until(
            "the home page after signing in",
            &format!(
                "done(!!(document.getElementById('{}') || document.getElementById('{}')))",
                ids::REGISTER_COUNT,
                ids::FAMILY_HOME_HEADING
            ),
        )
        .await;
    }

    /// Signs in as the server's coordinator.
    pub async fn sign_in_as_coordinator(&self, server: &Server) {
        self.sign_in(server, COORDINATOR, &server.password).await;
    }

    /// Unlocks the device's data (the app asks after every page load) and waits for the app.
    pub async fn unlock(&self, password: &str) {
        self.type_into(ids::UNLOCK_PASSWORD, password).await;
        self.click(ids::UNLOCK_BUTTON).await;
        self.wait_until("the app is unlocked", &format!("done(!document.getElementById('{}'))", ids::UNLOCK_PASSWORD))
            .await;
    }

    pub async fn goto(&self, url: &str) {
        self.driver.goto(url).await.unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    /// Waits until the element with this id is on the page.
    pub async fn element(&self, id: &str) -> WebElement {
        self.driver
            .query(By::Id(id))
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap_or_else(|e| panic!("element #{id} did not appear: {e}"))
    }

    /// Waits until an element matching the CSS selector is on the page.
    pub async fn css(&self, selector: &str) -> WebElement {
        self.driver
            .query(By::Css(selector))
            .wait(WAIT, POLL)
            .first()
            .await
            .unwrap_or_else(|e| panic!("nothing matched {selector} in time: {e}"))
    }

    /// Waits until the element with this id shows `text` somewhere in its text.
    pub async fn wait_for_text(&self, id: &str, text: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let current = match self.driver.find(By::Id(id)).await {
                Ok(element) => element.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            if current.contains(text) {
                return current;
            }
            if Instant::now() >= deadline {
                // What the page was, for whoever reads the failure.
                let path = self.path().await;
                let shot = self.screenshot(&format!("failed-{id}")).await;
                let main = match self.driver.find(By::Tag("main")).await {
                    Ok(main) => main.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                let main: String = main.chars().take(600).collect();
                panic!(
                    "#{id} never showed {text:?}; it shows {current:?}. The page was {path} ({}): {main}",
                    shot.display()
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Clears and types into the input with this id.
    pub async fn type_into(&self, id: &str, text: &str) {
        let input = self.element(id).await;
        input.clear().await.unwrap_or_else(|e| panic!("clear #{id}: {e}"));
        input.send_keys(text).await.unwrap_or_else(|e| panic!("type into #{id}: {e}"));
    }

    pub async fn click(&self, id: &str) {
        self.element(id).await.click().await.unwrap_or_else(|e| panic!("click #{id}: {e}"));
    }

    pub async fn path(&self) -> String {
        self.driver.current_url().await.map(|u| u.path().to_string()).unwrap_or_default()
    }

    pub async fn reload(&self) {
        self.driver.refresh().await.unwrap_or_else(|e| panic!("reload: {e}"));
    }

    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let path = screenshot_path(name);
        self.driver.screenshot(&path).await.unwrap_or_else(|e| panic!("screenshot {name}: {e}"));
        path
    }

    /// Every value in an IndexedDB object store of the app's database, read in the page.
    pub async fn indexeddb_values(&self, store: &str) -> Vec<serde_json::Value> {
        let script = r#"
            const [dbName, storeName, done] = arguments;
            const open = indexedDB.open(dbName);
            open.onerror = () => done({ error: 'open failed' });
            open.onsuccess = () => {
                const db = open.result;
                if (!db.objectStoreNames.contains(storeName)) { db.close(); done({ error: 'no store ' + storeName }); return; }
                const all = db.transaction(storeName, 'readonly').objectStore(storeName).getAll();
                all.onsuccess = () => { db.close(); done({ values: all.result }); };
                all.onerror = () => { db.close(); done({ error: 'getAll failed' }); };
            };
        "#;
        let args = vec![serde_json::json!("dsr"), serde_json::json!(store)];
        let answer = self.driver.execute_async(script, args).await.unwrap_or_else(|e| panic!("IndexedDB read: {e}"));
        let answer = answer.json().clone();
        assert!(answer.get("error").is_none(), "IndexedDB read failed: {answer}");
        answer["values"].as_array().cloned().unwrap_or_default()
    }

    /// Everything in the app's IndexedDB, as text: each store's values as JSON, with byte arrays
    /// (sealed data) as their raw bytes, so a test can look for a name in what is stored.
    pub async fn indexeddb_dump(&self) -> String {
        let script = r#"
            const done = arguments[arguments.length - 1];
            const open = indexedDB.open('dsr');
            open.onerror = () => done('');
            open.onsuccess = () => {
                const db = open.result;
                const names = Array.from(db.objectStoreNames);
                if (names.length === 0) { db.close(); done(''); return; }
                const tx = db.transaction(names, 'readonly');
                const parts = [];
                const bytes = (k, v) => v instanceof Uint8Array ? String.fromCharCode(...v) : v;
                for (const name of names) {
                    const all = tx.objectStore(name).getAll();
                    all.onsuccess = () => parts.push(name + ':' + JSON.stringify(all.result, bytes));
                }
                tx.oncomplete = () => { db.close(); done(parts.join('\n')); };
                tx.onerror = () => { db.close(); done(''); };
            };
        "#;
        let answer =
            self.driver.execute_async(script, Vec::new()).await.unwrap_or_else(|e| panic!("IndexedDB dump: {e}"));
        answer.json().as_str().unwrap_or_default().to_string()
    }

    /// Resizes the window to `width` by `height` CSS pixels (a tablet: 1024 by 768, 768 by 1024).
    pub async fn resize(&self, width: u32, height: u32) {
        self.driver
            .set_window_rect(0, 0, width, height)
            .await
            .unwrap_or_else(|e| panic!("resize to {width}x{height}: {e}"));
    }

    /// Elements wider than the viewport, which would make the page scroll sideways (empty when none).
    pub async fn sideways_overflow(&self) -> Vec<String> {
        let script = r#"
            const width = document.documentElement.clientWidth;
            const wide = [];
            for (const e of document.querySelectorAll('body *')) {
                const box = e.getBoundingClientRect();
                if (box.width > 0 && box.right > width + 0.5 && getComputedStyle(e).position !== 'absolute') {
                    wide.push(`${e.tagName.toLowerCase()}#${e.id}.${e.className} right=${box.right} viewport=${width}`);
                }
            }
            if (document.documentElement.scrollWidth > width) wide.push(`page scrollWidth=${document.documentElement.scrollWidth}`);
            for (const e of document.querySelectorAll('body *')) {
                const style = getComputedStyle(e);
                if ((style.overflowX === 'auto' || style.overflowX === 'scroll') && e.scrollWidth > e.clientWidth) {
                    wide.push(`scrolls sideways: ${e.tagName.toLowerCase()}.${e.className}`);
                }
            }
            return wide;
        "#;
        let answer = self.driver.execute(script, Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_value(answer.json().clone()).unwrap_or_default()
    }

    /// Cuts this browser's network (or gives it back), as a tablet losing signal: `navigator.onLine`
    /// follows, and the `online` and `offline` events fire.
    pub async fn set_offline(&self, offline: bool) {
        let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(self.driver.handle.clone());
        let conditions = serde_json::json!({
            "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1
        });
        devtools
            .execute_cdp_with_params("Network.emulateNetworkConditions", conditions)
            .await
            .unwrap_or_else(|e| panic!("network emulation: {e}"));
    }

    /// Opens `url` in this fresh browser over a tablet's slow connection (Chromium's network emulation:
    /// `kbit_per_s` down, `latency_ms` each way) and measures the first load until the element `ready`
    /// is there to use: [`FirstLoad`].
    pub async fn first_load_over(&self, url: &str, ready: &str, kbit_per_s: u64, latency_ms: u64) -> FirstLoad {
        let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(self.driver.handle.clone());
        devtools.execute_cdp("Network.enable").await.unwrap_or_else(|e| panic!("{e}"));
        let bytes_per_s = kbit_per_s * 1000 / 8;
        let conditions = serde_json::json!({
            "offline": false, "latency": latency_ms, "downloadThroughput": bytes_per_s, "uploadThroughput": bytes_per_s
        });
        devtools
            .execute_cdp_with_params("Network.emulateNetworkConditions", conditions)
            .await
            .unwrap_or_else(|e| panic!("network emulation: {e}"));
        // When the page is there to use, noted by the page itself from its first moment.
        let watch = format!(
            "new MutationObserver((_, observer) => {{ if (document.getElementById('{ready}')) {{
                 window.dsrUsableAt = performance.now(); observer.disconnect(); }} }})
               .observe(document, {{ childList: true, subtree: true }});"
        );
        devtools
            .execute_cdp_with_params("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": watch }))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.goto(url).await;
        self.wait_until(&format!("#{ready} is there"), "done(typeof window.dsrUsableAt === 'number')").await;
        let figures = self
            .driver
            .execute(
                "const paint = performance.getEntriesByName('first-contentful-paint')[0];
                 const files = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
                 return [paint ? paint.startTime : -1, window.dsrUsableAt, files.reduce((sum, f) => sum + f.transferSize, 0),
                   files.map(f => new URL(f.name).pathname)];",
                Vec::new(),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let (first_paint_ms, usable_ms, bytes, files): (f64, f64, u64, Vec<String>) =
            serde_json::from_value(figures.json().clone()).unwrap_or_else(|e| panic!("first load figures: {e}"));
        devtools
            .execute_cdp_with_params(
                "Network.emulateNetworkConditions",
                serde_json::json!({ "offline": false, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 }),
            )
            .await
            .ok();
        FirstLoad { first_paint_ms, usable_ms, bytes, files }
    }

    /// Makes this browser's clock run `days` ahead from the next page load (a tablet with a wrong clock).
    pub async fn shift_clock_days(&self, days: i64) {
        let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(self.driver.handle.clone());
        let source = format!(
            "(() => {{ const Real = Date; const shift = {days} * 86400000;
               class Shifted extends Real {{ constructor(...a) {{ if (a.length === 0) {{ super(Real.now() + shift); }} else {{ super(...a); }} }}
                 static now() {{ return Real.now() + shift; }} }}
               window.Date = Shifted; }})();"
        );
        devtools
            .execute_cdp_with_params("Page.addScriptToEvaluateOnNewDocument", serde_json::json!({ "source": source }))
            .await
            .unwrap_or_else(|e| panic!("clock shift: {e}"));
    }

    /// Runs `script` (which calls `done(value)` when it has an answer) until it answers `true`.
    pub async fn wait_until(&self, what: &str, script: &str) {
        let deadline = Instant::now() + WAIT;
        let script = format!("const done = arguments[arguments.length - 1]; {script}");
        loop {
            let answer = self.driver.execute_async(script.as_str(), Vec::new()).await.map(|a| a.json().clone());
            if answer.as_ref().is_ok_and(|v| v == &serde_json::Value::Bool(true)) {
                return;
            }
            assert!(Instant::now() < deadline, "never true: {what} (last answer {answer:?})");
            tokio::time::sleep(POLL).await;
        }
    }

    /// Who wrote each draft this page wrote, in order: "draft writer" (the worker) or "page" (the
    /// main thread, where the worker could not be started), as the `dsr-draft-tx` measures say.
    pub async fn drafts_written_by(&self) -> Vec<String> {
        let answer = self
            .driver
            .execute("return performance.getEntriesByName('dsr-draft-tx').map(m => String(m.detail))", Vec::new())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_value(answer.json().clone()).unwrap_or_default()
    }

    /// Waits until this browser has sent everything it saved (told it is online, so it tries now).
    pub async fn all_sent(&self) {
        self.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
        self.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    }

    /// Waits until this device has pulled everything up to `change_seq` (its stored cursor).
    pub async fn wait_for_cursor(&self, change_seq: u64) {
        self.wait_until(
            &format!("the device has pulled up to change {change_seq}"),
            &format!(
                "const r = indexedDB.open('dsr'); r.onerror = () => done(false);
                 r.onsuccess = e => {{ const db = e.target.result;
                   const g = db.transaction('meta').objectStore('meta').get('cursor');
                   g.onsuccess = () => {{ db.close(); done(Number(g.result) >= {change_seq}); }};
                   g.onerror = () => {{ db.close(); done(false); }}; }};"
            ),
        )
        .await;
    }

    /// The ids of the records this device holds (stored in the clear beside the sealed fields).
    pub async fn record_ids(&self) -> std::collections::BTreeSet<String> {
        self.indexeddb_values("records").await.iter().filter_map(|r| r["id"].as_str().map(str::to_owned)).collect()
    }

    /// Waits until the service worker controls the page and has cached the app shell (the door, with
    /// the easy-read pictures), and the rest of the app once it has started in this page (after a
    /// sign-in or an unlock).
    pub async fn wait_for_offline_shell(&self) {
        self.wait_until(
            "the service worker controls the page and has cached the app",
            "navigator.serviceWorker.ready.then(() => caches.open('dsr-shell-v1')).then(c => c.keys())
                .then(keys => { const paths = keys.map(k => new URL(k.url).pathname);
                    done(!!navigator.serviceWorker.controller
                    && paths.some(p => p.startsWith('/dsr-door-') && p.endsWith('.wasm')) && paths.includes('/')
                    && paths.some(p => p.startsWith('/pictures/'))
                    && (!window.dsrAppStarted || paths.some(p => p.startsWith('/dsr-app-') && p.endsWith('.wasm')))); })
                .catch(() => done(false));",
        )
        .await;
    }

    /// The page printed to PDF (as "Print or save as PDF" would), kept beside the screenshots as
    /// `name.pdf`; its text, and the text with all whitespace taken out (bold text comes out of a PDF
    /// with spaces inside words: compare with [`squeeze`]).
    pub async fn printed(&self, name: &str) -> (String, String) {
        let pdf = self
            .driver
            .print_page(thirtyfour::common::print::PrintParameters::default())
            .await
            .unwrap_or_else(|e| panic!("print to PDF: {e}"));
        std::fs::write(screenshot_path(name).with_extension("pdf"), &pdf).ok();
        let text = pdf_extract::extract_text_from_mem(&pdf).unwrap_or_else(|e| panic!("reading the PDF: {e}"));
        let flat = squeeze(&text);
        (text, flat)
    }

    /// The value of the input with this id.
    pub async fn input_value(&self, id: &str) -> String {
        self.element(id).await.prop("value").await.ok().flatten().unwrap_or_default()
    }

    pub async fn quit(self) {
        self.driver.clone().quit().await.ok();
    }
}

/// A test that fails (panics) drops its browser without `quit`: chromedriver, Chromium and Chromium's
/// helpers are ended here, so no Chromium outlives its test.
impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(group) = self._chromedriver.id() {
            std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{group}")])
                .stderr(Stdio::null())
                .status()
                .ok();
        }
        // Anything that left the group still names this test's own profile folder.
        std::process::Command::new("pkill")
            .args(["-KILL", "-f", &self._profile.path().display().to_string()])
            .status()
            .ok();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port: {e}"))
}

async fn wait_for_chromedriver(url: &str) {
    let deadline = Instant::now() + WAIT;
    let status = format!("{url}/status");
    loop {
        if reqwest::get(&status).await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        assert!(Instant::now() < deadline, "chromedriver did not start at {url}");
        tokio::time::sleep(POLL).await;
    }
}
