//! Accounts and device protection end to end: sign in, go offline, reload, unlock with the password,
//! work, sign out (warned about unsent changes) and the device's storage is wiped; a family invited with
//! a one-time code sees only their child; a keyworker's device deletes a person when their caseload
//! changes; the coordinator's accounts and audit pages.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use dsr_e2e_tests::{Browser, PASSWORD, Server, ids};
use serde_json::json;

async fn add_person(browser: &Browser, given: &str, family: &str) {
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.type_into(ids::GIVEN_NAME, given).await;
    browser.type_into(ids::FAMILY_NAME, family).await;
    browser.type_into(ids::DATE_OF_BIRTH_DAY, "9").await;
    browser.type_into(ids::DATE_OF_BIRTH_MONTH, "12").await;
    browser.type_into(ids::DATE_OF_BIRTH_YEAR, "2012").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::NOTICE, &format!("{given} {family} was saved on this device")).await;
}

/// The stores the app keeps, each empty (or missing).
async fn every_store_is_empty(browser: &Browser) -> bool {
    let dump = browser.indexeddb_dump().await;
    dump.lines().all(|line| line.ends_with(":[]"))
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_offline_reload_unlock_work_and_sign_out_wipes_the_device() {
    let server = Server::start().await;
    let browser = Browser::start().await;
    browser.goto(&server.url).await;
    browser.element(ids::SIGN_IN_USERNAME).await;
    browser.screenshot("sign-in").await;
    // A wrong password is refused by the server.
    browser.type_into(ids::SIGN_IN_USERNAME, "coordinator").await;
    browser.type_into(ids::SIGN_IN_PASSWORD, "not my password").await;
    browser.click(ids::SIGN_IN_BUTTON).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "The username or password is not right").await;
    browser.type_into(ids::SIGN_IN_PASSWORD, PASSWORD).await;
    browser.click(ids::SIGN_IN_BUTTON).await;
    browser.wait_for_text(ids::SIGNED_IN_AS, "Jo Coordinator").await;
    add_person(&browser, "Riley", "Knownname").await;
    browser.css("tr[data-on-server='true']").await;
    browser.wait_for_offline_shell().await;
    // What is stored is encrypted: the name is nowhere in the stored bytes.
    let stored = browser.indexeddb_dump().await;
    assert!(stored.contains("records:[{"), "{stored}");
    assert!(!stored.contains("Riley") && !stored.contains("Knownname"), "a name is stored in clear: {stored}");

    // No signal: reload; the app opens from the service worker and asks for the password.
    browser.set_offline(true).await;
    browser.reload().await;
    browser.element(ids::UNLOCK_PASSWORD).await;
    browser.screenshot("unlock").await;
    browser.type_into(ids::UNLOCK_PASSWORD, "wrong password").await;
    browser.click(ids::UNLOCK_BUTTON).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "not the password this device was locked with").await;
    browser.unlock(PASSWORD).await;
    browser.wait_for_text(ids::CONNECTION, "Offline").await;
    browser.wait_for_text(ids::REGISTER_TABLE, "Riley Knownname").await;
    // Work offline.
    add_person(&browser, "Morgan", "Offlineadd").await;
    browser.wait_for_text(ids::UNSYNCED, "1 change saved on this device, not sent yet").await;
    // A half-typed form: its draft is kept sealed, and wiped with the rest at sign-out.
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.type_into(ids::GIVEN_NAME, "Halfway").await;
    browser
        .wait_until(
            "the draft is written",
            &format!(
                "done((document.getElementById('{}')?.dataset.values || '').includes('Halfway'))",
                ids::DRAFT_SAVED
            ),
        )
        .await;
    let stored = browser.indexeddb_dump().await;
    assert!(stored.contains("drafts:[{"), "the draft is stored: {stored}");
    assert!(!stored.contains("Halfway"), "a draft is stored in clear: {stored}");

    // Signing out warns about the unsent change.
    browser.click(ids::SIGN_OUT_LINK).await;
    let warning = browser.wait_for_text(ids::SIGN_OUT_WARNING, "would be lost").await;
    assert!(warning.contains("1 change") && warning.contains("cannot sign out yet"), "{warning}");
    // Refused while the change is only on this device: no way to sign out is offered.
    assert!(browser.driver.find(thirtyfour::By::Id(ids::SIGN_OUT_BUTTON)).await.is_err());
    browser.screenshot("sign-out-warning").await;
    // Back online, it is sent; then signing out deletes everything on the device.
    browser.set_offline(false).await;
    browser.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    assert!(server.people().await.iter().any(|p| p["given_name"] == "Morgan"));
    browser.click(ids::SIGN_OUT_BUTTON).await;
    browser.wait_for_text(ids::SIGN_IN_MESSAGE, "Nothing from the register is left on this device").await;
    browser.element(ids::SIGN_IN_USERNAME).await;
    browser
        .wait_until(
            "every store is empty",
            "const open = indexedDB.open('dsr'); open.onsuccess = () => { const db = open.result;
               const names = [...db.objectStoreNames]; if (!names.length) { db.close(); done(true); return; }
               const tx = db.transaction(names); let total = 0;
               for (const n of names) tx.objectStore(n).count().onsuccess = e => { total += e.target.result; };
               tx.oncomplete = () => { db.close(); done(total === 0); }; }; open.onerror = () => done(false);",
        )
        .await;
    assert!(every_store_is_empty(&browser).await, "{}", browser.indexeddb_dump().await);
    let stored = browser.indexeddb_dump().await;
    assert!(!stored.contains("Riley") && !stored.contains("Morgan"), "{stored}");
    // The server's session ended too.
    let session = reqwest::Client::new().get(format!("{}/api/session", server.url)).send().await;
    assert_eq!(session.map(|r| r.status().as_u16()).unwrap_or(0), 401);
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_family_invited_with_a_code_sees_only_their_child_and_a_keyworker_loses_a_reassigned_person() {
    let server = Server::start().await;
    let coordinator = Browser::start().await;
    coordinator.sign_in_as_coordinator(&server).await;
    add_person(&coordinator, "Alex", "Ownchild").await;
    add_person(&coordinator, "Sam", "Otherchild").await;
    coordinator.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let people = server.people().await;
    let alex = people
        .iter()
        .find(|p| p["given_name"] == "Alex")
        .map(|p| p["id"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();
    let sam = people
        .iter()
        .find(|p| p["given_name"] == "Sam")
        .map(|p| p["id"].as_str().unwrap_or("").to_string())
        .unwrap_or_default();

    // The coordinator invites Alex's parent on the accounts page; the code is shown once.
    coordinator.click(ids::ACCOUNTS_LINK).await;
    coordinator.type_into(ids::FAMILY_DISPLAY_NAME, "Chris Parent").await;
    coordinator
        .element(ids::FAMILY_PERSON)
        .await
        .find(thirtyfour::By::Css(format!("option[value='{alex}']")))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    coordinator.click(ids::INVITE_BUTTON).await;
    coordinator.wait_for_text(ids::ERROR_SUMMARY, "Say whether this is the young person or their family").await;
    coordinator.click(&ids::family_who("family")).await;
    coordinator.click(ids::INVITE_BUTTON).await;
    let code = coordinator.element(ids::INVITE_CODE_SHOWN).await.text().await.unwrap_or_default();
    assert_eq!(code.len(), 14, "{code}");
    // A keyworker, through the same page.
    coordinator.type_into(ids::STAFF_NAME, "Sam Keyworker").await;
    coordinator.type_into(ids::STAFF_USERNAME, "sam.keyworker").await;
    coordinator.type_into(ids::STAFF_PASSWORD, PASSWORD).await;
    coordinator.click(ids::ADD_STAFF_BUTTON).await;
    coordinator.wait_for_text(ids::ACCOUNTS_NOTICE, "Account made for Sam Keyworker").await;
    let row = coordinator.css("tr[data-username='sam.keyworker']").await;
    let keyworker = row.id().await.ok().flatten().unwrap_or_default().trim_start_matches("user-").to_string();
    for person in [&alex, &sam] {
        server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person })).await;
    }
    coordinator.reload().await;
    coordinator.unlock(PASSWORD).await;
    coordinator.wait_for_text(ids::USERS_TABLE, "Alex Ownchild").await;
    coordinator.screenshot("accounts").await;

    // The family sets up their account with the code, on their own device.
    let family = Browser::start().await;
    family.goto(&server.url).await;
    family.click(ids::INVITATION_LINK).await;
    family.type_into(ids::INVITE_CODE, &code.to_lowercase()).await;
    family.type_into(ids::INVITE_USERNAME, "chris.parent").await;
    family.type_into(ids::INVITE_PASSWORD, "our family password").await;
    family.screenshot("invitation").await;
    family.click(ids::ACCEPT_INVITE_BUTTON).await;
    family.wait_for_text(ids::SIGNED_IN_AS, "Chris Parent").await;
    // Their home is about Alex alone.
    family.wait_for_text(ids::FAMILY_HOME_HEADING, "Your child's review").await;
    let text = family.wait_for_text(&ids::family_home(&alex), "There is no review planned for Alex").await;
    let page = family.element(ids::MAIN).await.text().await.unwrap_or_default();
    assert!(!page.contains("Otherchild") && !text.contains("Otherchild"), "{page}");

    // The keyworker sees both; then Sam is reassigned away and the keyworker's device deletes Sam.
    let kw = Browser::start().await;
    kw.sign_in(&server, "sam.keyworker", PASSWORD).await;
    kw.wait_for_text(ids::REGISTER_COUNT, "2 people").await;
    let request = reqwest::Client::new()
        .delete(format!("{}/api/users/{keyworker}/people/{sam}", server.url))
        .header("cookie", &server.cookie)
        .send()
        .await;
    assert!(request.is_ok_and(|r| r.status().is_success()));
    kw.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    kw.wait_for_text(ids::REGISTER_COUNT, "1 person").await;
    assert!(!kw.indexeddb_dump().await.contains(&sam), "the record's id is gone from the device too");

    // The coordinator reads the audit trail about Alex: the family's and keyworker's reads are there.
    coordinator.goto(&format!("{}/audit?person={alex}", server.url)).await;
    coordinator.unlock(PASSWORD).await;
    let table = coordinator.wait_for_text(ids::AUDIT_TABLE, "Record sent to their device").await;
    assert!(table.contains("Chris Parent") && table.contains("Sam Keyworker"), "{table}");
    coordinator.screenshot("audit-person").await;
    let export = server.get_text(&format!("/api/audit/export?person_id={alex}")).await;
    assert!(export.starts_with("id,at,happened_at,user_id,user_name,action"), "{export}");
    assert!(export.contains("person.sent") && export.contains("Chris Parent"), "{export}");

    // The keyworker's account is closed: their device deletes its copy at the next sync.
    let closed = reqwest::Client::new()
        .post(format!("{}/api/users/{keyworker}/disable", server.url))
        .header("cookie", &server.cookie)
        .json(&json!({ "asked_by": "Sam Lee, team manager", "reason": "Left the team" }))
        .send()
        .await;
    assert!(closed.is_ok_and(|r| r.status().is_success()));
    kw.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    kw.wait_for_text(ids::SIGN_IN_MESSAGE, "Your account has been closed").await;
    assert!(every_store_is_empty(&kw).await, "{}", kw.indexeddb_dump().await);
    for browser in [coordinator, family, kw] {
        browser.quit().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn closing_an_account_asks_who_asked_and_why_and_says_what_will_happen() {
    let server = Server::start().await;
    let keyworker = server.staff("leaving", "keyworker").await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(ids::ACCOUNTS_LINK).await;
    browser.click(&ids::disable_user(&keyworker)).await;
    // A tap opens the page; nothing is closed yet.
    let effects = browser.wait_for_text(ids::CLOSE_ACCOUNT_EFFECTS, "can no longer sign in").await;
    assert!(effects.contains("not yet sent"), "{effects}");
    browser.wait_for_text(ids::CLOSE_ACCOUNT_WHOSE, "Test leaving · Keyworker").await;
    let users = server.get_json("/api/users").await;
    let open = users.as_array().into_iter().flatten().find(|u| u["id"] == keyworker.as_str()).cloned();
    assert_eq!(open.map(|u| u["disabled"].clone()), Some(json!(false)));
    browser.screenshot("close-account").await;
    // Who asked and why are required.
    browser.click(ids::CONFIRM_CLOSE_ACCOUNT).await;
    let errors = browser.wait_for_text(ids::ERROR_SUMMARY, "Say who asked for the account to be closed").await;
    assert!(errors.contains("Say why the account is being closed"), "{errors}");
    browser.type_into(ids::CLOSE_ACCOUNT_ASKED_BY, "Sam Lee, team manager").await;
    browser.type_into(ids::CLOSE_ACCOUNT_REASON, "Left the team on 30 November").await;
    browser.click(ids::CONFIRM_CLOSE_ACCOUNT).await;
    browser.wait_for_text(ids::USERS_TABLE, "Closed").await;
    assert_eq!(browser.path().await, "/accounts");
    // The audit trail keeps who asked and why.
    let audit = server.get_json("/api/audit").await;
    let text = audit.to_string();
    assert!(text.contains("Asked by Sam Lee, team manager: Left the team on 30 November"), "{text}");
    browser.quit().await;
}
