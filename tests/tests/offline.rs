//! The sync engine end to end: the app opens and works with the server down, a half-typed form
//! survives a reload, two devices editing the same field meet a conflict a person resolves, and data
//! from the previous version of the app's storage keeps working.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use dsr_e2e_tests::{Browser, PASSWORD, Server, copy_tree, ids, workspace_root};

/// Waits until the add-person draft written to IndexedDB holds `value` for `field` (the form says what
/// it wrote: the stored draft is encrypted), and the store has it.
async fn wait_for_draft(browser: &Browser, field: &str, value: &str) {
    let script = format!(
        "const saved = document.getElementById('{}'); const values = saved ? JSON.parse(saved.dataset.values) : {{}};
         if (values['{field}'] !== '{value}') {{ done(false); }} else {{
         const open = indexedDB.open('dsr'); open.onsuccess = () => {{ const db = open.result;
           const get = db.transaction('drafts').objectStore('drafts').get('add-person');
           get.onsuccess = () => {{ db.close(); done(!!get.result && get.result.sealed instanceof Uint8Array); }};
           get.onerror = () => done(false); }}; open.onerror = () => done(false); }}",
        ids::DRAFT_SAVED
    );
    browser.wait_until("the draft is in IndexedDB", &script).await;
}

async fn fill_person(browser: &Browser, given: &str, family: &str, nhs: &str) {
    browser.type_into(ids::GIVEN_NAME, given).await;
    browser.type_into(ids::FAMILY_NAME, family).await;
    browser.type_into(ids::DATE_OF_BIRTH_DAY, "9").await;
    browser.type_into(ids::DATE_OF_BIRTH_MONTH, "12").await;
    browser.type_into(ids::DATE_OF_BIRTH_YEAR, "2010").await;
    browser.type_into(ids::NHS_NUMBER, nhs).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_server_stopped_the_app_opens_adds_and_edits_then_syncs_when_it_is_back() {
    let mut server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.element(ids::ADD_PERSON_LINK).await;
    browser.wait_for_offline_shell().await;

    server.kill().await;
    // A cold start with no server: the service worker serves the app, the password unlocks it.
    browser.goto(&server.url).await;
    browser.unlock(PASSWORD).await;
    browser.element(ids::ADD_PERSON_LINK).await;
    browser.click(ids::ADD_PERSON_LINK).await;
    fill_person(&browser, "Riley", "Offline", "943 476 5919").await;
    // The draft writer (a worker) started with no server: its file came from the service worker's cache.
    wait_for_draft(&browser, "nhs_number", "943 476 5919").await;
    let writers = browser.drafts_written_by().await;
    assert!(!writers.is_empty() && writers.iter().all(|w| w == "draft writer"), "{writers:?}");
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::NOTICE, "Riley Offline was saved on this device").await;

    // Edit it, still with no server.
    let row = browser.css("tr[data-on-server='false'] a[id^='edit-']").await;
    row.click().await.unwrap_or_else(|e| panic!("{e}"));
    browser.element(ids::GIVEN_NAME).await;
    assert_eq!(browser.input_value(ids::GIVEN_NAME).await, "Riley");
    browser.type_into(ids::GIVEN_NAME, "Rowan").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::NOTICE, "Rowan Offline was saved on this device").await;

    browser.reload().await;
    browser.unlock(PASSWORD).await;
    let row = browser.css("tr[data-on-server='false']").await;
    assert!(row.text().await.unwrap_or_default().contains("Rowan Offline"));
    browser.wait_for_text(ids::UNSYNCED, "2 changes saved on this device, not sent yet").await;
    browser.wait_for_text(ids::CONNECTION, "Server not reachable").await;
    browser.screenshot("offline-register").await;

    // The server is back; the network "comes back" too, which wakes the sync loop.
    server.restart().await;
    browser
        .driver
        .execute("window.dispatchEvent(new Event('online'))", Vec::new())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.css("tr[data-on-server='true']").await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let people = server.people().await;
    assert_eq!(people.len(), 1);
    assert_eq!((people[0]["given_name"].as_str(), people[0]["version"].as_u64()), (Some("Rowan"), Some(2)));
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_half_typed_form_survives_a_reload() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.type_into(ids::GIVEN_NAME, "Half").await;
    browser.type_into(ids::FAMILY_NAME, "Typed").await;
    browser.type_into(ids::DATE_OF_BIRTH_DAY, "3").await;
    wait_for_draft(&browser, "dob_day", "3").await;
    let writers = browser.drafts_written_by().await;
    assert!(
        !writers.is_empty() && writers.iter().all(|w| w == "draft writer"),
        "written off the main thread: {writers:?}"
    );
    browser.reload().await;
    browser.unlock(PASSWORD).await;
    browser.element(ids::DRAFT_RESTORED).await;
    assert_eq!(browser.input_value(ids::GIVEN_NAME).await, "Half");
    assert_eq!(browser.input_value(ids::FAMILY_NAME).await, "Typed");
    assert_eq!(browser.input_value(ids::DATE_OF_BIRTH_DAY).await, "3");
    browser.screenshot("draft-restored").await;

    // Finished and saved, the draft is gone: the form opens empty next time.
    browser.type_into(ids::DATE_OF_BIRTH_MONTH, "4").await;
    browser.type_into(ids::DATE_OF_BIRTH_YEAR, "2013").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::NOTICE, "Half Typed was saved").await;
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.element(ids::GIVEN_NAME).await;
    assert_eq!(browser.input_value(ids::GIVEN_NAME).await, "");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_devices_change_the_same_field_and_a_person_resolves_the_conflict() {
    let server = Server::start().await;
    let first = Browser::start().await;
    let second = Browser::start().await;

    first.sign_in_as_coordinator(&server).await;
    first.click(ids::ADD_PERSON_LINK).await;
    fill_person(&first, "Alex", "Clash", "").await;
    first.click(ids::SAVE_PERSON).await;
    first.css("tr[data-on-server='true']").await;
    let id = server.people().await[0]["id"].as_str().unwrap_or_default().to_string();

    second.sign_in_as_coordinator(&server).await;
    second.element(&ids::person_row(&id)).await;
    second.set_offline(true).await;
    second.wait_for_text(ids::CONNECTION, "Offline").await;

    // The first device renames Alex to Alexander and it reaches the server.
    first.click(&ids::edit_person_link(&id)).await;
    first.type_into(ids::GIVEN_NAME, "Alexander").await;
    first.click(ids::SAVE_PERSON).await;
    first.wait_for_text(ids::NOTICE, "Alexander Clash was saved").await;
    first.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;

    // The second device, offline, renames Alex to Ali.
    second.click(&ids::edit_person_link(&id)).await;
    second.type_into(ids::GIVEN_NAME, "Ali").await;
    second.click(ids::SAVE_PERSON).await;
    second.wait_for_text(ids::NOTICE, "Ali Clash was saved on this device").await;

    // Back online: the clash is reported, not overwritten.
    second.set_offline(false).await;
    second.wait_for_text(ids::CONFLICTS_LINK, "1 change clashes").await;
    let people = server.people().await;
    assert_eq!(people[0]["given_name"], "Alexander", "the server kept the first change");
    second.click(ids::CONFLICTS_LINK).await;
    let card = second.css("[id^='conflict-']").await;
    let text = card.text().await.unwrap_or_default();
    assert!(text.contains("Alex") && text.contains("Alexander") && text.contains("Ali"), "{text}");
    second.screenshot("conflict").await;
    let conflict_id = card.id().await.ok().flatten().unwrap_or_default().trim_start_matches("conflict-").to_string();
    second.click(&ids::use_mine(&conflict_id)).await;
    second.element(ids::CONFLICTS_NONE).await;
    second.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;

    // Both converge on the person's choice.
    let people = server.people().await;
    assert_eq!(people[0]["given_name"], "Ali");
    first.reload().await;
    first.unlock(PASSWORD).await;
    let row = first.wait_for_text(&ids::person_row(&id), "Ali Clash").await;
    assert!(row.contains("Sent"), "{row}");
    first.quit().await;
    second.quit().await;
}

/// A reload 50 ms after the last keystroke (sooner than any autosave timer could have fired) keeps
/// every keystroke: a change starts its draft write at once, and leaving the page starts what waits.
#[tokio::test(flavor = "multi_thread")]
async fn a_reload_right_after_typing_keeps_the_last_keystrokes() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.type_into(ids::GIVEN_NAME, "Quick").await;
    let field = browser.element(ids::FAMILY_NAME).await;
    field.send_keys("Reloader").await.unwrap_or_else(|e| panic!("{e}"));
    // Not a wait for a state: the scenario itself (the reload comes 50 ms after the last keystroke).
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    browser.reload().await;
    browser.unlock(PASSWORD).await;
    browser.element(ids::DRAFT_RESTORED).await;
    assert_eq!(browser.input_value(ids::GIVEN_NAME).await, "Quick");
    assert_eq!(browser.input_value(ids::FAMILY_NAME).await, "Reloader");
    browser.quit().await;
}

/// Where the draft writer (a worker) cannot start (its file is missing), or fails with a draft asked of
/// it and not yet answered (its script throws at the first draft to store), drafts are written on the
/// page's main thread instead: nothing typed is lost for want of it, not even the draft it failed on.
#[tokio::test(flavor = "multi_thread")]
async fn a_draft_is_kept_where_the_draft_writer_cannot_start_or_fails() {
    draft_kept_without_the_writer("missing", |path| std::fs::remove_file(path)).await;
    draft_kept_without_the_writer("failing", |path| {
        std::fs::write(
            path,
            "self.onmessage = (e) => { if (e.data.op === 'put') throw new Error('a failing draft writer');
               self.postMessage({ id: e.data.id, ok: true }); };",
        )
    })
    .await;
}

/// A half-typed form in a copy of the app whose draft writer's files `spoil` has changed: the draft is
/// written on the page and put back after a reload.
async fn draft_kept_without_the_writer(how: &str, spoil: impl Fn(&std::path::Path) -> std::io::Result<()>) {
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_tree(&workspace_root().join("dist"), dist.path());
    let mut spoiled = 0;
    for entry in std::fs::read_dir(dist.path()).unwrap_or_else(|e| panic!("{e}")).flatten() {
        if entry.file_name().to_string_lossy().starts_with("draft-writer-") {
            // Its compressed copies go: the server would send them in place of the file.
            let compressed = [".br", ".gz"].iter().any(|ext| entry.file_name().to_string_lossy().ends_with(ext));
            if compressed { std::fs::remove_file(entry.path()) } else { spoil(&entry.path()) }
                .unwrap_or_else(|e| panic!("{e}"));
            spoiled += 1;
        }
    }
    assert!(spoiled > 0, "the build has no draft writer to spoil");
    let server = Server::start_serving(dist.path(), &[]).await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(ids::ADD_PERSON_LINK).await;
    // One keystroke: its draft, the one a failing worker fails on, is the last (no later one hides it).
    browser.type_into(ids::GIVEN_NAME, "W").await;
    wait_for_draft(&browser, "given_name", "W").await;
    browser.element(ids::GIVEN_NAME).await.send_keys("ithout").await.unwrap_or_else(|e| panic!("{e}"));
    browser.type_into(ids::FAMILY_NAME, "Worker").await;
    wait_for_draft(&browser, "family_name", "Worker").await;
    let writers = browser.drafts_written_by().await;
    assert!(!writers.is_empty() && writers.iter().all(|w| w == "page"), "{how}: written on the page: {writers:?}");
    browser.reload().await;
    browser.unlock(PASSWORD).await;
    browser.element(ids::DRAFT_RESTORED).await;
    assert_eq!(browser.input_value(ids::GIVEN_NAME).await, "Without", "{how}");
    assert_eq!(browser.input_value(ids::FAMILY_NAME).await, "Worker", "{how}");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn data_saved_by_the_previous_storage_version_is_kept_and_sent() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    // Same origin, but not the app: write the database exactly as version 1 of the app did.
    browser.goto(&format!("{}/api/health", server.url)).await;
    browser
        .wait_until(
            "a version 1 database exists",
            "const open = indexedDB.open('dsr', 1);
             open.onupgradeneeded = () => { const db = open.result;
               db.createObjectStore('records', { keyPath: 'id' }); db.createObjectStore('meta'); };
             open.onsuccess = () => { const db = open.result;
               const tx = db.transaction('records', 'readwrite');
               tx.objectStore('records').put({ id: '0193a000-0000-7000-8000-0000000000a1', on_server: false, refused: null,
                 person: { id: '0193a000-0000-7000-8000-0000000000a1', given_name: 'Older', family_name: 'Version',
                           date_of_birth: '2009-05-06', nhs_number: '9434765919' } });
               tx.oncomplete = () => { db.close(); done(true); }; tx.onerror = () => done(false); };
             open.onerror = () => done(false);",
        )
        .await;
    // Signing in seals the older data and sends it.
    browser.sign_in_as_coordinator(&server).await;
    let row = browser.css("tr[data-on-server='true']").await;
    assert!(row.text().await.unwrap_or_default().contains("Older Version"));
    assert!(!browser.indexeddb_dump().await.contains("Older"), "the older data is encrypted now");
    let people = server.people().await;
    assert_eq!((people.len(), people[0]["given_name"].as_str()), (1, Some("Older")));
    browser.quit().await;
}

/// A tab keeps one connection to the device's storage open, and its draft writer (a worker) another; a
/// newer version of the app opening the storage in another tab is blocked by neither: each closes on
/// the version change and the newer version's upgrade goes ahead (were one kept open, the open would
/// never succeed and the script would time out).
#[tokio::test(flavor = "multi_thread")]
async fn a_newer_version_opening_in_another_tab_is_not_blocked_by_this_one() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_text(ids::LAST_SYNC, "Last sync").await;
    // The draft writer's connection open too.
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.type_into(ids::GIVEN_NAME, "Open").await;
    wait_for_draft(&browser, "given_name", "Open").await;
    assert!(browser.drafts_written_by().await.iter().any(|w| w == "draft writer"));
    // What a newer version does in its own tab.
    let answer = browser
        .driver
        .execute_async(
            "const done = arguments[arguments.length - 1];
             const request = indexedDB.open('dsr', 99);
             request.onupgradeneeded = () => request.result.createObjectStore('from-a-newer-version');
             request.onsuccess = () => { const names = Array.from(request.result.objectStoreNames); request.result.close(); done(names); };
             request.onerror = () => done('error: ' + request.error);",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("the newer version's open never finished: {e}"));
    let names = answer.json().to_string();
    assert!(names.contains("from-a-newer-version") && names.contains("outbox"), "{names}");
    browser.quit().await;
}

/// Version 3's stores: (name, key path; `meta` keyed apart).
const VERSION_3_STORES: [(&str, Option<&str>); 6] = [
    ("records", Some("id")),
    ("outbox", Some("seq")),
    ("drafts", Some("key")),
    ("conflicts", Some("id")),
    ("meta", None),
    ("views", Some("id")),
];

/// Rewrites the browser's database (away from the app, its connections closed) as an older storage
/// `version` left it: `stores` only, holding what today's version (5) holds once `prepare` has turned
/// it into what that version wrote. `prepare` is JavaScript changing `dump` (`{ store: { keys, values } }`)
/// in place; it returns whether the dump is as the test expects (else nothing is rewritten, and it is
/// read again).
async fn rewrite_as_version(browser: &Browser, version: u32, stores: &[(&str, Option<&str>)], prepare: &str) {
    let names: Vec<String> = stores.iter().map(|(name, _)| format!("'{name}'")).collect();
    let creates: Vec<String> = stores
        .iter()
        .map(|(name, key)| match key {
            Some(key) => format!("d.createObjectStore('{name}', {{ keyPath: '{key}' }});"),
            None => format!("d.createObjectStore('{name}');"),
        })
        .collect();
    let script = format!(
        "const stores = [{names}];
         const open = indexedDB.open('dsr');
         open.onsuccess = () => {{ const db = open.result;
           if (db.version !== 5 || !db.objectStoreNames.contains('pages')) {{ db.close(); done(false); return; }}
           const tx = db.transaction(stores); const dump = {{}};
           for (const s of stores) {{ const st = tx.objectStore(s); dump[s] = {{}};
             st.getAllKeys().onsuccess = e => {{ dump[s].keys = e.target.result; }};
             st.getAll().onsuccess = e => {{ dump[s].values = e.target.result; }}; }}
           tx.oncomplete = () => {{ db.close();
             if (!(() => {{ {prepare} }})()) {{ done(false); return; }}
             const del = indexedDB.deleteDatabase('dsr');
             del.onsuccess = () => {{ const old = indexedDB.open('dsr', {version});
               old.onupgradeneeded = () => {{ const d = old.result; {creates} }};
               old.onsuccess = () => {{ const d = old.result; const w = d.transaction(stores, 'readwrite');
                 for (const s of stores) {{ dump[s].values.forEach((v, i) =>
                   s === 'meta' ? w.objectStore(s).put(v, dump[s].keys[i]) : w.objectStore(s).put(v)); }}
                 w.oncomplete = () => {{ d.close(); done(true); }};
                 w.onerror = () => done(false); }}; }};
             del.onerror = () => done(false); }}; }};
         open.onerror = () => done(false);",
        names = names.join(", "),
        creates = creates.join(" ")
    );
    browser.wait_until(&format!("the database is as version {version} left it"), &script).await;
}

/// The device's storage as version 3 of the app left it (records one by one, no pages): everything a
/// device held, sent and unsent, opens after the upgrade and the unsent change is sent.
#[tokio::test(flavor = "multi_thread")]
async fn data_written_by_storage_version_3_opens_after_the_upgrade() {
    let server = Server::start().await;
    server
        .post_json(
            "/api/sync/push",
            &serde_json::json!({ "client_id": "0193c000-0000-7000-8000-0000000c0003", "mutations": [
                { "seq": 1, "record_id": "0193c000-0000-7000-8000-0000000000b1", "kind": "person", "changes": {
                    "given_name": { "new": "Pulled" }, "family_name": { "new": "Before" }, "date_of_birth": { "new": "2012-02-02" } } } ] }),
        )
        .await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_text(ids::REGISTER_TABLE, "Pulled Before").await;
    browser.wait_for_offline_shell().await;
    // An unsent change and a draft, with no signal.
    browser.set_offline(true).await;
    browser.click(ids::ADD_PERSON_LINK).await;
    fill_person(&browser, "Unsent", "Before", "").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.css("tr[data-on-server='false']").await;
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.type_into(ids::GIVEN_NAME, "Drafted").await;
    wait_for_draft(&browser, "given_name", "Drafted").await;

    // Away from the app (its connections close), the database is rewritten as version 3 with the same
    // values: version 3's stores, no pages.
    browser.set_offline(false).await;
    browser.goto(&format!("{}/api/health", server.url)).await;
    rewrite_as_version(
        &browser,
        3,
        &VERSION_3_STORES,
        "return dump.records.values.length === 2 && dump.outbox.values.length === 1;",
    )
    .await;

    // The new version opens it: both people listed, the draft put back, the unsent change sent.
    browser.goto(&server.url).await;
    browser.unlock(PASSWORD).await;
    browser.wait_for_text(ids::REGISTER_TABLE, "Pulled Before").await;
    browser.wait_for_text(ids::REGISTER_TABLE, "Unsent Before").await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let people = server.people().await;
    assert!(people.iter().any(|p| p["given_name"] == "Unsent"), "{people:?}");
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.element(ids::DRAFT_RESTORED).await;
    assert_eq!(browser.input_value(ids::GIVEN_NAME).await, "Drafted");
    browser
        .wait_until(
            "the database is version 5 with pages",
            "const open = indexedDB.open('dsr'); open.onsuccess = () => { const db = open.result;
               const ok = db.version === 5 && db.objectStoreNames.contains('pages'); db.close(); done(ok); };",
        )
        .await;
    browser.quit().await;
}

/// The device's storage as version 4 of the app left it: pulled records in pages with their ids in
/// clear as text (version 5 packs them as bytes and writes what the device shows once when it is the
/// server's; the records sealed inside, version 4's way, are read by the unit tests of `pages`). Opens
/// after the upgrade: everyone listed, and a save among them works.
#[tokio::test(flavor = "multi_thread")]
async fn data_written_by_storage_version_4_opens_after_the_upgrade() {
    let server = Server::start().await;
    dsr_e2e_tests::bench::push_people(&server, 500).await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_text(ids::REGISTER_COUNT, "500 people").await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved").await;
    browser.goto(&format!("{}/api/health", server.url)).await;
    // Version 4 wrote the pages' ids as text.
    rewrite_as_version(
        &browser,
        4,
        &[VERSION_3_STORES.as_slice(), &[("pages", Some("page"))]].concat(),
        "const text = b => { const h = [...b].map(x => x.toString(16).padStart(2, '0')).join('');
           return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`; };
         const pages = dump.pages.values;
         if (pages.length === 0 || !pages.every(p => p.ids instanceof Uint8Array)) return false;
         for (const p of pages) { const ids = [];
           for (let i = 0; i < p.ids.length; i += 16) ids.push(text(p.ids.subarray(i, i + 16)));
           p.ids = ids; }
         return true;",
    )
    .await;

    // The new version opens it: everyone listed from the old pages, and a save works among them.
    browser.goto(&server.url).await;
    browser.unlock(PASSWORD).await;
    browser.wait_for_text(ids::REGISTER_COUNT, "500 people").await;
    browser.click(ids::ADD_PERSON_LINK).await;
    fill_person(&browser, "After", "Upgrade", "").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::REGISTER_COUNT, "501 people").await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    assert!(server.people().await.iter().any(|p| p["given_name"] == "After"));
    browser
        .wait_until(
            "the database is version 5",
            "const open = indexedDB.open('dsr'); open.onsuccess = () => { const db = open.result;
               const ok = db.version === 5; db.close(); done(ok); };",
        )
        .await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_version_of_the_app_keeps_drafts_and_unsent_changes() {
    let dist = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    copy_tree(&workspace_root().join("dist"), dist.path());
    let mut server = Server::start_serving(dist.path(), &[]).await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.element(ids::ADD_PERSON_LINK).await;
    browser.wait_for_offline_shell().await;

    // An unsent change and a half-typed form, with the server down.
    server.kill().await;
    browser.click(ids::ADD_PERSON_LINK).await;
    fill_person(&browser, "Kept", "Change", "").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.css("tr[data-on-server='false']").await;
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.type_into(ids::GIVEN_NAME, "Unfinished").await;
    wait_for_draft(&browser, "given_name", "Unfinished").await;

    // A new version is deployed and the server comes back.
    let index = dist.path().join("index.html");
    let html = std::fs::read_to_string(&index).unwrap_or_default();
    std::fs::write(&index, html.replace("<head>", "<head>\n    <meta name=\"dsr-version\" content=\"new\">"))
        .unwrap_or_else(|e| panic!("{e}"));
    // The build's compressed copies of the page are of the old one: a deployment writes them anew.
    for copy in ["index.html.br", "index.html.gz"] {
        std::fs::remove_file(dist.path().join(copy)).ok();
    }
    server.restart().await;
    browser.reload().await;
    browser.wait_until("the new version is running", "done(!!document.querySelector('meta[name=dsr-version]'))").await;
    browser.unlock(PASSWORD).await;
    browser.element(ids::DRAFT_RESTORED).await;
    assert_eq!(browser.input_value(ids::GIVEN_NAME).await, "Unfinished");
    browser.goto(&server.url).await;
    browser.unlock(PASSWORD).await;
    browser.css("tr[data-on-server='true']").await;
    let people = server.people().await;
    assert_eq!((people.len(), people[0]["given_name"].as_str()), (1, Some("Kept")));
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_the_server_refuses_is_shown_and_can_be_fixed() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    // This tablet's clock is two days fast: its own checks accept a birth "today", the server's do not.
    browser.shift_clock_days(2).await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.element(ids::GIVEN_NAME).await;
    let tablet_today: String = browser
        .driver
        .execute("const d = new Date(); return [d.getDate(), d.getMonth() + 1, d.getFullYear()].join('/')", Vec::new())
        .await
        .map(|v| v.json().as_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    let parts: Vec<&str> = tablet_today.split('/').collect();
    browser.type_into(ids::GIVEN_NAME, "Newborn").await;
    browser.type_into(ids::FAMILY_NAME, "Fastclock").await;
    browser.type_into(ids::DATE_OF_BIRTH_DAY, parts[0]).await;
    browser.type_into(ids::DATE_OF_BIRTH_MONTH, parts[1]).await;
    browser.type_into(ids::DATE_OF_BIRTH_YEAR, parts[2]).await;
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::NOTICE, "Newborn Fastclock was saved on this device").await;

    // Read in the page: the list may re-render (a sync, the area's policy arriving) between two calls.
    browser
        .wait_until("a row not yet on the server", "done(!!document.querySelector(\"tr[data-on-server='false']\")?.id)")
        .await;
    let id = browser
        .driver
        .execute("return document.querySelector(\"tr[data-on-server='false']\").id", Vec::new())
        .await
        .map(|v| v.json().as_str().unwrap_or_default().trim_start_matches("person-").to_string())
        .unwrap_or_default();
    let text = browser.wait_for_text(&ids::person_row(&id), "Refused by the server").await;
    assert!(text.contains("Date of birth must be today or in the past"), "{text}");
    assert!(server.people().await.is_empty());
    browser.screenshot("refused").await;

    // Fixed: the person is created again with the right date, and the refusal goes.
    browser.click(&ids::edit_person_link(&id)).await;
    browser.type_into(ids::DATE_OF_BIRTH_YEAR, "2020").await;
    browser.click(ids::SAVE_PERSON).await;
    let text = browser.wait_for_text(&ids::person_row(&id), "Sent").await;
    assert!(!text.contains("Refused by the server"), "{text}");
    let people = server.people().await;
    assert_eq!((people.len(), people[0]["given_name"].as_str()), (1, Some("Newborn")));
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn only_one_sync_runs_per_browser_and_refused_persistent_storage_is_told() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.element(ids::ADD_PERSON_LINK).await;
    // The app asked for persistent storage; where the browser refused, the user is told.
    browser
        .wait_until(
            "persistent storage granted, or its refusal shown",
            "navigator.storage.persisted().then(p => done(p || !!document.getElementById('storage-warning')))",
        )
        .await;

    // Another tab holds the browser-wide sync lock: this tab must not sync meanwhile.
    browser
        .driver
        .execute(
            "navigator.locks.request('dsr-sync', () => new Promise(release => { window.releaseSyncLock = release; }));",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser
        .wait_until(
            "the lock is held",
            "navigator.locks.query().then(q => done(q.held.some(l => l.name === 'dsr-sync')))",
        )
        .await;
    browser.click(ids::ADD_PERSON_LINK).await;
    fill_person(&browser, "Locked", "Out", "").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::NOTICE, "Locked Out was saved on this device").await;
    // Watch for a while: the change stays unsent while the lock is held elsewhere.
    for _ in 0..10 {
        browser.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let text = browser.wait_for_text(ids::UNSYNCED, "saved on this device").await;
        assert!(text.contains("not sent yet"), "synced while another tab held the lock: {text}");
    }
    assert!(server.people().await.is_empty());

    // The other tab finishes: the next wake-up syncs.
    browser.driver.execute("window.releaseSyncLock()", Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
    browser.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    browser.css("tr[data-on-server='true']").await;
    assert_eq!(server.people().await.len(), 1);
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_long_first_sync_shows_its_progress() {
    let server = Server::start().await;
    // 4,500 people from another device: three pull pages.
    let client = reqwest::Client::new();
    for first in (1..=4500u64).step_by(500) {
        let mutations: Vec<serde_json::Value> = (first..first + 500)
            .map(|n| {
                serde_json::json!({ "seq": n, "record_id": format!("0193c000-0000-7000-8000-{n:012}"), "kind": "person",
                    "changes": { "given_name": { "new": format!("Many{n}") }, "family_name": { "new": "Progress" },
                                 "date_of_birth": { "new": "2012-02-02" } } })
            })
            .collect();
        let body = serde_json::json!({ "client_id": "0193c000-0000-7000-8000-0000000c0001", "mutations": mutations });
        let response = client
            .post(format!("{}/api/sync/push", server.url))
            .header("cookie", &server.cookie)
            .json(&body)
            .send()
            .await;
        assert!(response.is_ok_and(|r| r.status().is_success()));
    }
    let browser = Browser::start().await;
    let devtools = thirtyfour::extensions::cdp::ChromeDevTools::new(browser.driver.handle.clone());
    devtools
        .execute_cdp_with_params(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": "new MutationObserver(() => { const p = document.getElementById('sync-progress');
                if (p) { window.progressSeen = p.textContent; } }).observe(document, { childList: true, subtree: true, characterData: true });" }),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.sign_in_as_coordinator(&server).await;
    browser
        .wait_until("4,500 people listed", "done(document.getElementById('register-count')?.dataset.count === '4500')")
        .await;
    let seen = browser.driver.execute("return window.progressSeen || ''", Vec::new()).await.map(|v| v.json().clone());
    let seen = seen.ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    assert!(seen.starts_with("Received") && seen.contains("changes so far"), "progress was never shown: {seen:?}");
    // The first 100 are drawn a few at a time (the register opens in one short task), then 100 more.
    let rows = "document.querySelectorAll('#register-table tbody tr').length";
    browser.wait_until("the first 100 rows drawn", &format!("done({rows} === 100)")).await;
    browser.click(ids::SHOW_MORE).await;
    browser.wait_until("200 rows drawn", &format!("done({rows} === 200)")).await;
    browser.quit().await;
}
