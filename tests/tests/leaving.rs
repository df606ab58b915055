//! Leaving the register on a tablet: a keyworker referral offered where the rules say, taking someone
//! off the register with a reason and date (and when their details will be removed), and an erasure
//! request that removes them from the server and from the device.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use dsr_e2e_tests::{Browser, Server, ids};
use serde_json::json;

const PERSON: &str = "0193d000-0000-7000-8000-000000000041";

#[tokio::test(flavor = "multi_thread")]
async fn a_person_is_offered_a_keyworker_leaves_the_register_and_is_erased_on_request() {
    let server = Server::start().await;
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0041", "mutations": [
        { "seq": 1, "record_id": PERSON, "kind": "person", "changes": {
            "given_name": { "new": "Morgan" }, "family_name": { "new": "Leaver" }, "date_of_birth": { "new": "2012-03-04" },
            "register_status": { "new": { "status": "on_register", "since": "2026-09-01" } } } },
        { "seq": 2, "record_id": "0193d000-0000-7000-8000-000000000042", "kind": "rating_change", "changes": {
            "person_id": { "new": PERSON }, "to": { "new": "amber" }, "reason": { "new": "Discussed at the DSR meeting" },
            "by": { "new": "Jo Coordinator" }, "at": { "new": "2026-10-01T10:00:00Z" }, "source": { "new": "dsr_meeting" } } } ] });
    server.post_json("/api/sync/push", &body).await;

    let browser = Browser::start().await;
    browser.resize(768, 1024).await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(&ids::person_link(PERSON)).await;
    // Aged 14 and Amber: a keyworker referral is offered (the area's policy says so for every rating under 25).
    browser.wait_for_text(ids::PERSON_DUE, "keyworker service").await;
    browser.click(ids::KEYWORKER_OFFERED).await;
    browser
        .wait_until(
            "the offer is no longer due",
            "done(!document.getElementById('person-due').textContent.includes('keyworker service'))",
        )
        .await;

    // Never by one tap: the page says what will happen, and asks why and who asked.
    browser.click(ids::LEAVE_REGISTER).await;
    let effects = browser.wait_for_text(ids::LEAVE_EFFECTS, "Their details are removed 12 months after").await;
    assert!(effects.contains("put back on the register"), "{effects}");
    browser.click(ids::SAVE_LEAVE).await;
    let errors = browser.wait_for_text(ids::ERROR_SUMMARY, "Choose why they are leaving").await;
    assert!(errors.contains("Say who asked for them to be taken off the register"), "{errors}");
    assert_eq!(
        server
            .people()
            .await
            .iter()
            .find(|r| r["given_name"] == "Morgan")
            .map(|m| m["register_status"]["status"].clone()),
        Some(json!("on_register"))
    );
    browser.click(&ids::leave_reason("risk_gone")).await;
    browser.type_into(ids::LEAVE_ASKED_BY, "The DSR meeting of 1 December").await;
    browser.type_into(ids::LEAVE_NOTE, "No incidents for six months; school placement stable").await;
    browser.screenshot("leave-register").await;
    browser.click(ids::SAVE_LEAVE).await;
    browser.wait_for_text(ids::NOTICE, "Morgan Leaver is off the register").await;
    let status = browser.wait_for_text(ids::PERSON_STATUS, "Left the register on").await;
    assert!(status.contains("the risk has gone") && status.contains("Their details are removed on"), "{status}");
    assert!(status.contains("at the request of The DSR meeting of 1 December"), "{status}");
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let records = server.people().await;
    let morgan = records.iter().find(|r| r["given_name"] == "Morgan").unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(morgan["register_status"]["status"], "left", "{morgan}");
    assert!(morgan["keyworker_referral_offered"].is_string(), "{morgan}");
    assert_eq!(morgan["leaving_asked_by"], "The DSR meeting of 1 December", "{morgan}");
    assert_eq!(morgan["leaving_note"], "No incidents for six months; school placement stable", "{morgan}");

    // The family asks for everything to be erased now.
    browser.click(ids::ERASE_PERSON).await;
    browser.wait_for_text(ids::ERASE_EFFECTS, "It cannot be undone").await;
    browser.click(ids::CONFIRM_ERASE).await;
    let errors = browser.wait_for_text(ids::ERROR_SUMMARY, "Say who asked for their details to be erased").await;
    assert!(errors.contains("Say why, and how they asked"), "{errors}");
    browser.type_into(ids::ERASE_ASKED_BY, "Alex Leaver, Morgan's father").await;
    browser.type_into(ids::ERASE_REASON, "Email on 1 December: they are moving abroad").await;
    browser.screenshot("erasure-request").await;
    browser.click(ids::CONFIRM_ERASE).await;
    browser.wait_for_text(ids::NOTICE, "details were erased (2 records)").await;
    browser.wait_for_text(ids::REGISTER_COUNT, "0 people").await;
    let records = server.people().await;
    assert!(records.iter().all(|r| r.get("given_name").is_none() && r.get("note").is_none()), "{records:?}");
    let audit = server.get_text(&format!("/api/audit/export?person_id={PERSON}")).await;
    assert!(
        audit.contains("Asked by Alex Leaver, Morgan's father: Email on 1 December: they are moving abroad"),
        "{audit}"
    );
    browser
        .wait_until(
            "the device holds nothing of them",
            "indexedDB.open('dsr').onsuccess = e => { const r = e.target.result.transaction('records').objectStore('records').getAll(); r.onsuccess = () => done(r.result.every(x => !x.fields || Object.keys(x.fields).length <= 1)); }",
        )
        .await;
    browser.quit().await;
}
