//! The first load on a tablet's connection, and the app as an installed app: what goes over the wire
//! (compressed, as the browser accepts), what a repeat load takes from the cache, the web app manifest
//! and Chromium's own installability check, and the storage notice said once.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use dsr_e2e_tests::{Browser, Server, ids};
use serde_json::Value;

/// What the sign-in and self-referral pages may take over the wire on a first visit (issue 19).
const FIRST_LOAD_BUDGET: u64 = 400_000;

/// What the page's resource timing says of each file it loaded: (path, bytes on the wire with
/// headers, body bytes as sent, body bytes once decoded), the page itself first.
async fn loaded(browser: &Browser) -> Vec<(String, u64, u64, u64)> {
    let answer = browser
        .driver
        .execute(
            "return [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
               .filter(e => new URL(e.name).origin === location.origin && !new URL(e.name).pathname.startsWith('/api/'))
               .map(e => [new URL(e.name).pathname, e.transferSize, e.encodedBodySize, e.decodedBodySize]);",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_value(answer.json().clone()).unwrap_or_else(|e| panic!("resource timing: {e}"))
}

/// The size of `name` in the served folder, and of its brotli copy.
fn served_sizes(dist: &std::path::Path, path: &str) -> (u64, u64) {
    let file = dist.join(path.trim_start_matches('/'));
    let size = |p: std::path::PathBuf| std::fs::metadata(&p).map(|m| m.len()).unwrap_or_else(|e| panic!("{p:?}: {e}"));
    (size(file.clone()), size(file.with_file_name(format!("{}.br", path.rsplit('/').next().unwrap_or(path)))))
}

#[tokio::test]
async fn the_first_load_goes_compressed_and_a_repeat_load_comes_from_the_cache() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.goto(&server.url).await;
    browser.element(ids::SIGN_IN_USERNAME).await;
    let first = loaded(&browser).await;
    let dist = dsr_e2e_tests::dist_dir();
    let built = |ext: &str| {
        first
            .iter()
            .find(|(path, ..)| path.ends_with(ext))
            .unwrap_or_else(|| panic!("no {ext} loaded: {first:?}"))
            .clone()
    };
    // The app's WebAssembly, its script and styles went as their brotli copies written at build time.
    for ext in ["_bg.wasm", ".js", ".css"] {
        let (path, wire, body, decoded) = built(ext);
        let (plain, brotli) = served_sizes(&dist, &path);
        assert_eq!((body, decoded), (brotli, plain), "{path}: sent as its brotli copy, decoded to the file");
        assert!(wire >= body, "{path}: {wire} on the wire");
    }
    let total: u64 = first.iter().map(|(_, wire, ..)| wire).sum();
    let decoded: u64 = first.iter().map(|(.., d)| d).sum();
    // Only the door: the rest of the app is not fetched for a page that does not need it.
    assert!(first.iter().any(|(path, ..)| path.starts_with("/dsr-door-")), "{first:?}");
    assert!(!first.iter().any(|(path, ..)| path.starts_with("/dsr-app-")), "{first:?}");
    assert!(total <= FIRST_LOAD_BUDGET, "{total} bytes on the wire for the sign-in page: {first:?}");
    println!(
        "first load of the sign-in page: {total} bytes on the wire ({decoded} decoded) in {} files: {}",
        first.len(),
        first.iter().map(|(p, w, ..)| format!("{p} {w}")).collect::<Vec<_>>().join(", ")
    );

    // A repeat load: the hashed files come from a cache (nothing over the wire for them); only the page
    // itself is asked about.
    browser.wait_for_offline_shell().await;
    browser.reload().await;
    browser.element(ids::SIGN_IN_USERNAME).await;
    let again = loaded(&browser).await;
    for (path, wire, ..) in &again {
        if path.ends_with(".wasm") || path.ends_with(".js") || path.ends_with(".css") {
            assert_eq!(*wire, 0, "{path} came over the wire again: {again:?}");
        }
    }
    assert!(again.iter().any(|(p, ..)| p.ends_with("_bg.wasm")), "{again:?}");
    let total_again: u64 = again.iter().map(|(_, wire, ..)| wire).sum();
    println!("repeat load: {total_again} bytes on the wire");
    assert!(total_again < 5_000, "{total_again} bytes on a repeat load: {again:?}");
    browser.quit().await;
}

#[tokio::test]
async fn the_app_is_installable_with_a_valid_manifest() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.goto(&server.url).await;
    browser.element(ids::SIGN_IN_USERNAME).await;
    browser.wait_for_offline_shell().await;
    let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(browser.driver.handle.clone());
    let manifest = devtools.execute_cdp("Page.getAppManifest").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(manifest["errors"], Value::Array(Vec::new()), "manifest errors: {manifest}");
    assert!(manifest["url"].as_str().is_some_and(|u| u.ends_with("/manifest.webmanifest")), "{manifest}");
    let text: Value = serde_json::from_str(manifest["data"].as_str().unwrap_or("")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(text["name"], "Dynamic Support Register");
    assert_eq!(text["display"], "standalone");
    assert_eq!(text["theme_color"], "#005eb8");
    // Every icon the manifest names is served.
    for icon in text["icons"].as_array().unwrap_or(&Vec::new()) {
        let src = icon["src"].as_str().unwrap_or("");
        let reply = reqwest::get(format!("{}{src}", server.url)).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(reply.status().is_success(), "{src}: {}", reply.status());
    }
    // Chromium's own check, the one that decides whether it offers to install.
    let check = devtools.execute_cdp("Page.getInstallabilityErrors").await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(check["installabilityErrors"], Value::Array(Vec::new()), "not installable: {check}");
    browser.quit().await;
}

/// A coordinator signed in on a browser that refuses to keep this site's storage: the browser's
/// decision, which here depends on how much the site was used, made for the test.
async fn signed_in_where_storage_may_be_cleared() -> (Server, Browser) {
    let server = Server::start().await;
    let browser = Browser::start().await;
    let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(browser.driver.handle.clone());
    devtools
        .execute_cdp_with_params(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": "navigator.storage.persist = () => Promise.resolve(false);" }),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.sign_in_as_coordinator(&server).await;
    (server, browser)
}

#[tokio::test]
async fn the_storage_notice_says_what_to_do_once_and_offers_to_install() {
    let (server, browser) = signed_in_where_storage_may_be_cleared().await;
    let notice = browser.wait_for_text(ids::STORAGE_WARNING, "install the app").await;
    assert!(notice.contains("a change is safe once it is sent"), "{notice}");
    // Chromium offers its install prompt here (the app is installable): the notice's button shows it,
    // and the words about the browser's menu (for a browser that offers none) are left out.
    browser.element(ids::INSTALL_APP).await;
    assert!(!notice.contains("Add to Home screen"), "{notice}");
    browser.screenshot("storage-notice").await;
    // The browser's offer, stood in for so the test sees the prompt shown and answers it.
    browser
        .driver
        .execute(
            "window.promptShown = 0;
             const offer = new Event('beforeinstallprompt', { cancelable: true });
             offer.prompt = () => { window.promptShown += 1; return Promise.resolve(); };
             offer.userChoice = Promise.resolve({ outcome: 'accepted', platform: 'web' });
             window.dispatchEvent(offer);
             window.offerHeldBack = offer.defaultPrevented;",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.click(ids::INSTALL_APP).await;
    browser
        .wait_until(
            "the install prompt was shown and the notice went",
            &format!(
                "done(window.promptShown === 1 && window.offerHeldBack && !document.getElementById('{}'))",
                ids::STORAGE_WARNING
            ),
        )
        .await;
    // Said once: not on the next screen, nor after the page is opened again.
    let link = browser.element(ids::ADD_PERSON_LINK).await;
    link.click().await.unwrap_or_else(|e| panic!("{e}"));
    browser.element(ids::GIVEN_NAME).await;
    assert!(browser.driver.find(thirtyfour::By::Id(ids::STORAGE_WARNING)).await.is_err());
    browser.reload().await;
    browser.unlock(&server.password).await;
    browser.element(ids::GIVEN_NAME).await;
    assert!(browser.driver.find(thirtyfour::By::Id(ids::STORAGE_WARNING)).await.is_err());
    browser.quit().await;
}

#[tokio::test]
async fn the_storage_notice_goes_at_the_next_screen_when_not_acted_on() {
    // The server kept running to the end.
    let (_server, browser) = signed_in_where_storage_may_be_cleared().await;
    browser.element(ids::STORAGE_WARNING).await;
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.element(ids::GIVEN_NAME).await;
    assert!(browser.driver.find(thirtyfour::By::Id(ids::STORAGE_WARNING)).await.is_err());
    browser.quit().await;
}

#[tokio::test]
async fn the_self_referral_page_loads_within_the_budget_and_shows_something_at_once_on_a_slow_connection() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    // 1.6 Mbit/s with 150 ms each way: a tablet on a poor mobile connection.
    let load =
        browser.first_load_over(&format!("{}/self-referral", server.url), ids::SEND_SELF_REFERRAL, 1600, 150).await;
    println!(
        "first load at 1.6 Mbit/s and 150 ms: something shown at {:.0} ms, the form there at {:.0} ms, {} bytes in {} files",
        load.first_paint_ms,
        load.usable_ms,
        load.bytes,
        load.files.len()
    );
    assert!(load.bytes <= FIRST_LOAD_BUDGET, "{load:?}");
    assert!(!load.files.iter().any(|f| f.starts_with("/dsr-app-")), "{load:?}");
    // The page showed something (the static shell) before the door's WebAssembly had arrived.
    assert!(load.first_paint_ms > 0.0 && load.first_paint_ms < load.usable_ms, "{load:?}");
    browser.quit().await;
}

#[tokio::test]
async fn a_failed_load_of_the_rest_of_the_app_is_shown_and_a_second_try_opens_it() {
    let built = dsr_e2e_tests::dist_dir();
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    dsr_e2e_tests::copy_tree(&built, dist.path());
    let server = Server::start_serving(dist.path(), &[]).await;
    // The app's WebAssembly (and its compressed copies) gone, as when the connection drops mid-load.
    let wasm: Vec<std::path::PathBuf> = std::fs::read_dir(dist.path())
        .unwrap_or_else(|e| panic!("{e}"))
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("dsr-app-") && n.contains("_bg.wasm"))
        })
        .collect();
    assert!(!wasm.is_empty());
    let away = |file: &std::path::PathBuf| std::path::PathBuf::from(format!("{}.away", file.display()));
    for file in &wasm {
        std::fs::rename(file, away(file)).unwrap_or_else(|e| panic!("{e}"));
    }
    let browser = Browser::start().await;
    browser.goto(&server.url).await;
    browser.type_into(ids::SIGN_IN_USERNAME, dsr_e2e_tests::COORDINATOR).await;
    browser.type_into(ids::SIGN_IN_PASSWORD, &server.password).await;
    browser.click(ids::SIGN_IN_BUTTON).await;
    let problem = browser.wait_for_text(ids::APP_LOAD_FAILED, "could not be loaded").await;
    assert!(problem.contains("Nothing you saved is lost"), "{problem}");
    browser.screenshot("app-load-failed").await;
    // The connection is back: trying again opens the register, signed in, without the password again.
    for file in &wasm {
        std::fs::rename(away(file), file).unwrap_or_else(|e| panic!("{e}"));
    }
    browser.click(ids::APP_LOAD_AGAIN).await;
    browser.element(ids::REGISTER_COUNT).await;
    assert_eq!(browser.path().await, "/");
    browser.quit().await;
}
