//! The register list on a tablet: counts per rating, each rating as a tag with its word, filters by
//! rating, status and overdue, search by name or NHS number, the next due item from the due engine.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use dsr_e2e_tests::{Browser, Server, ids, squeeze};
use serde_json::{Value, json};

fn person_id(n: u64) -> String {
    format!("0193d000-0000-7000-8000-{n:012}")
}

fn person(seq: u64, n: u64, given: &str, family: &str, nhs: Option<&str>, status: Value) -> Value {
    let mut changes = json!({
        "given_name": { "new": given }, "family_name": { "new": family }, "date_of_birth": { "new": "2012-03-04" },
        "register_status": { "new": status },
        "keyworker": { "new": { "name": format!("Keyworker of {given}"), "role": "Keyworker" } } });
    if let Some(nhs) = nhs {
        changes["nhs_number"] = json!({ "new": nhs });
    }
    json!({ "seq": seq, "record_id": person_id(n), "kind": "person", "changes": changes })
}

fn rating(seq: u64, n: u64, to: &str) -> Value {
    json!({ "seq": seq, "record_id": format!("0193d000-0000-7000-8000-{:012}", 100 + n), "kind": "rating_change", "changes": {
        "person_id": { "new": person_id(n) }, "to": { "new": to }, "reason": { "new": "Discussed at the DSR meeting" },
        "by": { "new": "Jo Coordinator" }, "at": { "new": "2026-10-01T10:00:00Z" }, "source": { "new": "dsr_meeting" } } })
}

async fn count(browser: &Browser, label: &str) -> String {
    browser.element(&ids::rating_count(label)).await.attr("data-count").await.ok().flatten().unwrap_or_default()
}

async fn showing(browser: &Browser) -> String {
    browser.element(ids::REGISTER_SHOWING).await.attr("data-count").await.ok().flatten().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_register_counts_filters_searches_and_shows_what_is_due() {
    let server = Server::start().await;
    let on = json!({ "status": "on_register", "since": "2026-09-01" });
    let mutations = vec![
        person(1, 1, "Alex", "Redperson", Some("9434765919"), on.clone()),
        person(2, 2, "Sam", "Amberperson", None, on.clone()),
        person(3, 3, "Kai", "Greenperson", None, on.clone()),
        person(4, 4, "Robin", "Referredperson", None, json!({ "status": "referred" })),
        rating(5, 1, "red"),
        rating(6, 2, "amber"),
        rating(7, 3, "green"),
    ];
    let answer = server
        .post_json(
            "/api/sync/push",
            &json!({ "client_id": "0193d000-0000-7000-8000-0000000d0001", "mutations": mutations }),
        )
        .await;
    for result in answer["results"].as_array().cloned().unwrap_or_default() {
        assert_eq!(result["status"], "applied", "{result}");
    }

    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_text(ids::REGISTER_COUNT, "4 people").await;
    browser
        .wait_until("the ratings are counted", "done(document.getElementById('count-red')?.dataset.count === '1')")
        .await;
    for (label, expected) in [("Red", "1"), ("Amber", "1"), ("Green", "1"), ("Blue", "0"), ("Not rated", "1")] {
        assert_eq!(count(&browser, label).await, expected, "{label}");
    }
    // Each rating is a tag with its word; keyworkers and what is due show on the row.
    let row = browser.wait_for_text(&ids::person_row(&person_id(1)), "Red").await;
    assert!(row.contains("Keyworker of Alex") && row.contains("943 476 5919") && row.contains("Overdue"), "{row}");
    browser.screenshot("register-list").await;
    browser.driver.execute("document.getElementById('register-table').scrollIntoView()", Vec::new()).await.ok();
    browser.screenshot("register-list-rows").await;

    // Only the Reds.
    browser.click(&ids::rating_count("Red")).await;
    browser
        .wait_until("one person shown", "done(document.getElementById('register-showing').dataset.count === '1')")
        .await;
    browser.element(&ids::person_row(&person_id(1))).await;
    browser.click(&ids::rating_count("Red")).await;
    assert_eq!(showing(&browser).await, "4");

    // Search by NHS number (spaces ignored) and by name.
    browser.type_into(ids::REGISTER_SEARCH, "943 476").await;
    browser
        .wait_until("the search applies", "done(document.getElementById('register-showing').dataset.count === '1')")
        .await;
    browser.type_into(ids::REGISTER_SEARCH, "kai").await;
    browser
        .wait_until("the search applies", "done(document.getElementById('register-showing').dataset.count === '1')")
        .await;
    browser.element(&ids::person_row(&person_id(3))).await;
    // A blank search (clearing alone fires no input event) shows everyone again.
    browser.type_into(ids::REGISTER_SEARCH, " ").await;

    // Status: the referral waiting for a decision.
    browser
        .element(ids::FILTER_STATUS)
        .await
        .find(thirtyfour::By::Css("option[value='referred']"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    browser.wait_until("one referral", "done(document.getElementById('register-showing').dataset.count === '1')").await;
    browser.element(&ids::person_row(&person_id(4))).await;
    browser
        .element(ids::FILTER_STATUS)
        .await
        .find(thirtyfour::By::Css("option[value='']"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));

    // Overdue only: every row shown has something overdue.
    browser.click(ids::FILTER_OVERDUE).await;
    browser.wait_until("the overdue filter applies", "done(document.getElementById('filter-overdue').checked)").await;
    let overdue: Vec<String> = browser
        .driver
        .execute(
            "return Array.from(document.querySelectorAll('#register-table [data-overdue]')).map(e => e.dataset.overdue)",
            Vec::new(),
        )
        .await
        .map(|v| serde_json::from_value(v.json().clone()).unwrap_or_default())
        .unwrap_or_default();
    assert!(!overdue.is_empty() && overdue.iter().all(|n| n != "0"), "{overdue:?}");

    // The person page: rating with its history, what is due, consent, contacts.
    browser.click(ids::FILTER_OVERDUE).await;
    browser.click(&ids::person_link(&person_id(1))).await;
    let name = browser.wait_for_text(ids::PERSON_NAME, "Alex Redperson").await;
    assert!(name.contains("Red"), "{name}");
    let history = browser.wait_for_text(ids::RATING_HISTORY, "Discussed at the DSR meeting").await;
    assert!(history.contains("Jo Coordinator") && history.contains("DSR meeting"), "{history}");
    browser.wait_for_text(ids::PERSON_DUE, "Overdue").await;
    browser.wait_for_text(ids::PERSON_CONSENT, "No consent").await;
    browser.wait_for_text(ids::PERSON_CONTACTS, "Keyworker of Alex").await;
    for (width, height, name) in [(1024, 768, "person-landscape"), (768, 1024, "person-portrait")] {
        browser.resize(width, height).await;
        assert_eq!(browser.sideways_overflow().await, Vec::<String>::new(), "{width}x{height}");
        browser.screenshot(name).await;
    }
    browser.click(ids::AUDIT_LINK).await;
    browser.wait_for_text(ids::AUDIT_TABLE, "Jo Coordinator").await;
    browser.driver.back().await.ok();
    browser.driver.back().await.ok();
    browser.element(ids::REGISTER_TABLE).await;

    // A tablet either way up: nothing scrolls sideways.
    for (width, height, name) in [(1024, 768, "register-list-landscape"), (768, 1024, "register-list-portrait")] {
        browser.resize(width, height).await;
        browser.element(ids::REGISTER_TABLE).await;
        assert_eq!(browser.sideways_overflow().await, Vec::<String>::new(), "{width}x{height}");
        browser.screenshot(name).await;
    }
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_keyworker_writes_a_visit_note_with_no_signal_and_it_is_sent_later() {
    let server = Server::start().await;
    let on = json!({ "status": "on_register", "since": "2026-09-01" });
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0002", "mutations": [person(1, 7, "Jamie", "Visited", None, on)] });
    server.post_json("/api/sync/push", &body).await;
    let keyworker = server.staff("sam.keyworker", "keyworker").await;
    server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person_id(7) })).await;

    let browser = Browser::start().await;
    browser.sign_in(&server, "sam.keyworker", dsr_e2e_tests::PASSWORD).await;
    browser.wait_for_text(ids::MAIN, "Your caseload").await;
    browser.element(&ids::person_row(&person_id(7))).await;
    browser.wait_for_offline_shell().await;

    // In the living room, no signal.
    browser.set_offline(true).await;
    browser.wait_for_text(ids::CONNECTION, "Offline").await;
    browser.click(&ids::person_link(&person_id(7))).await;
    browser.click(ids::ADD_VISIT_NOTE).await;
    browser.type_into(ids::VISIT_PLACE, "At home").await;
    browser.type_into(ids::VISIT_NOTE, "Jamie showed me the new visual timetable; mornings are calmer.").await;
    browser.type_into(ids::VISIT_YOUNG_PERSON, "I like the pictures").await;
    browser
        .wait_until(
            "the draft is written",
            &format!(
                "done((document.getElementById('{}')?.dataset.values || '').includes('I like the pictures'))",
                ids::DRAFT_SAVED
            ),
        )
        .await;
    browser.screenshot("visit-note").await;
    // The tablet sleeps and the page reloads: the password opens it, the note is still there.
    browser.reload().await;
    browser.unlock(dsr_e2e_tests::PASSWORD).await;
    browser.element(ids::DRAFT_RESTORED).await;
    assert_eq!(browser.input_value(ids::VISIT_YOUNG_PERSON).await, "I like the pictures");
    browser.click(ids::SAVE_VISIT_NOTE).await;
    browser.wait_for_text(ids::NOTICE, "The visit note was saved on this device").await;
    browser.wait_for_text(ids::VISIT_NOTES, "visual timetable").await;
    browser.wait_for_text(ids::UNSYNCED, "1 change saved on this device, not sent yet").await;

    // Back in signal: it is sent, and the server holds it as the keyworker's.
    browser.set_offline(false).await;
    browser.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let page = server.get_json(&format!("/api/sync/pull?client_id={}&cursor=0", dsr_e2e_tests::HARNESS_CLIENT)).await;
    let note = page["changes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .find(|c| c["record"]["kind"] == "visit_note")
        .unwrap_or_else(|| panic!("no visit note on the server: {page}"));
    assert_eq!(note["record"]["fields"]["young_persons_views"], "I like the pictures");
    assert_eq!(note["record"]["fields"]["by"], "Test sam.keyworker");
    assert_eq!(note["record"]["fields"]["person_id"], person_id(7));
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_locked_out_keyworker_gets_back_in_with_a_reset_code_and_keeps_their_unsent_note() {
    let server = Server::start().await;
    let on = json!({ "status": "on_register", "since": "2026-09-01" });
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0002", "mutations": [person(1, 8, "Robin", "Reset", None, on)] });
    server.post_json("/api/sync/push", &body).await;
    let keyworker = server.staff("kai.keyworker", "keyworker").await;
    server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": person_id(8) })).await;

    let browser = Browser::start().await;
    browser.sign_in(&server, "kai.keyworker", dsr_e2e_tests::PASSWORD).await;
    browser.element(&ids::person_row(&person_id(8))).await;
    browser.wait_for_offline_shell().await;
    // A note written with no signal, saved on the device, not sent.
    browser.set_offline(true).await;
    browser.wait_for_text(ids::CONNECTION, "Offline").await;
    browser.click(&ids::person_link(&person_id(8))).await;
    browser.click(ids::ADD_VISIT_NOTE).await;
    browser.type_into(ids::VISIT_PLACE, "At home").await;
    browser.type_into(ids::VISIT_NOTE, "Robin's new bedtime routine is working; two calm weeks.").await;
    browser.click(ids::SAVE_VISIT_NOTE).await;
    browser.wait_for_text(ids::NOTICE, "The visit note was saved on this device").await;
    browser.wait_for_text(ids::UNSYNCED, "1 change saved on this device, not sent yet").await;
    // The tablet locks; the keyworker has forgotten the password.
    browser.reload().await;
    browser.element(ids::UNLOCK_PASSWORD).await;
    browser.type_into(ids::UNLOCK_PASSWORD, "what was it again").await;
    browser.click(ids::UNLOCK_BUTTON).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "not the password this device was locked with").await;

    // The coordinator gives a reset code on the accounts page.
    let coordinator = Browser::start().await;
    coordinator.sign_in_as_coordinator(&server).await;
    coordinator.click(ids::ACCOUNTS_LINK).await;
    coordinator.click(&ids::reset_code_button(&keyworker)).await;
    let code = coordinator.wait_for_text(ids::RESET_CODE_SHOWN, "-").await;
    coordinator.screenshot("accounts-reset-code").await;
    coordinator.quit().await;

    // Back in signal, the keyworker chooses a new password with the code on the unlock page.
    browser.set_offline(false).await;
    browser
        .css(&format!("#{} summary", ids::FORGOTTEN_PASSWORD))
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("open 'Forgotten your password?': {e}"));
    browser.type_into(ids::RESET_CODE, code.trim()).await;
    browser.type_into(ids::RESET_PASSWORD, "a brand new password").await;
    browser.screenshot("unlock-reset-code").await;
    browser.click(ids::RESET_BUTTON).await;
    // The device opens with everything it held (on the page it was locked on), and the unsent note
    // goes to the server.
    browser.wait_for_text(ids::VISIT_NOTES, "two calm weeks").await;
    browser.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let records = server.records().await;
    assert!(
        records.iter().any(|(kind, _, f)| kind == "visit_note"
            && f["note"] == "Robin's new bedtime routine is working; two calm weeks."),
        "the unsent note reached the server: {records:?}"
    );
    // From now on the device opens with the new password, not the old.
    browser.reload().await;
    browser.type_into(ids::UNLOCK_PASSWORD, dsr_e2e_tests::PASSWORD).await;
    browser.click(ids::UNLOCK_BUTTON).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "not the password this device was locked with").await;
    browser.unlock("a brand new password").await;
    browser.wait_for_text(ids::VISIT_NOTES, "two calm weeks").await;
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn consent_is_recorded_by_who_the_policy_says_and_withdrawn() {
    let server = Server::start().await;
    let on = json!({ "status": "on_register", "since": "2026-09-01" });
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0003", "mutations": [person(1, 8, "Jo", "Fourteen", None, on)] });
    server.post_json("/api/sync/push", &body).await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(&ids::person_link(&person_id(8))).await;
    browser.wait_for_text(ids::PERSON_CONSENT, "No consent").await;
    browser.click(ids::ADD_CONSENT).await;
    // Born March 2012: 14, so a parent consents and, by the default policy (seed 002), the young person
    // must agree to being on the register too.
    let who = browser.wait_for_text(ids::WHO_MAY_CONSENT, "parental responsibility").await;
    assert!(who.contains("At 14") && who.contains("must agree too"), "{who}");
    browser.click(ids::SAVE_CONSENT).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "Enter the name of the person with parental responsibility").await;
    // The child alone, not Gillick competent: the policy's rule refuses it.
    browser.click(ids::CONSENT_BY_PERSON).await;
    browser.click(ids::SAVE_CONSENT).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "only if Gillick competent").await;
    browser.screenshot("consent-form").await;
    browser.click(ids::CONSENT_BY_PARENT).await;
    browser.type_into(ids::CONSENT_PARENT_NAME, "Pat Fourteen").await;
    browser.type_into(ids::CONSENT_PARENT_RELATIONSHIP, "Mother").await;
    browser.click(ids::SAVE_CONSENT).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "must agree as well as the parent").await;
    browser.click(ids::CONSENT_CHILD_AGREED).await;
    browser.click(ids::SAVE_CONSENT).await;
    browser.wait_for_text(ids::NOTICE, "Consent was recorded on this device").await;
    browser.wait_for_text(ids::PERSON_CONSENT, "Consent to be on the register is recorded").await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;

    // Withdrawn, never by one tap: a page says what will happen and asks who asked for it; then it
    // is recorded, with who asked and why, and removal starts.
    let withdraw = browser.css("[id^='withdraw-']").await;
    withdraw.click().await.unwrap_or_else(|e| panic!("{e}"));
    let effects = browser.wait_for_text(ids::WITHDRAWAL_EFFECTS, "taken off the register").await;
    assert!(effects.contains("Only the DSR coordinator and the family"), "{effects}");
    browser.screenshot("consent-withdrawal").await;
    // The tap saved nothing.
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    browser.click(ids::CONFIRM_WITHDRAWAL).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "Say who asked for consent to be withdrawn").await;
    browser.type_into(ids::WITHDRAWAL_ASKED_BY, "Pat Fourteen, his mother").await;
    browser.type_into(ids::WITHDRAWAL_REASON, "They are moving out of the area").await;
    browser.click(ids::CONFIRM_WITHDRAWAL).await;
    browser.wait_for_text(ids::PERSON_CONSENT, "Consent was withdrawn").await;
    browser
        .wait_until(
            "the consent listed with who asked",
            "done(document.getElementById('maincontent').textContent.includes('at the request of Pat Fourteen, his mother'))",
        )
        .await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let page = server.get_json(&format!("/api/sync/pull?client_id={}&cursor=0", dsr_e2e_tests::HARNESS_CLIENT)).await;
    let consents: Vec<Value> = page["changes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c["record"]["kind"] == "consent")
        .collect();
    let last = consents.last().unwrap_or_else(|| panic!("no consent on the server"));
    assert_eq!(last["record"]["fields"]["given_by"]["name"], "Pat Fourteen");
    assert!(last["record"]["fields"]["withdrawn_on"].is_string(), "{last}");
    assert_eq!(last["record"]["fields"]["withdrawal_asked_by"], "Pat Fourteen, his mother");
    assert_eq!(last["record"]["fields"]["withdrawal_reason"], "They are moving out of the area");
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_familys_withdrawal_reaches_the_coordinator_as_a_request_who_confirms_it() {
    let server = Server::start().await;
    let on = json!({ "status": "on_register", "since": "2026-09-01" });
    let consent_id = "0193d000-0000-7000-8000-000000000310";
    let consent = json!({ "seq": 2, "record_id": consent_id, "kind": "consent", "changes": {
        "person_id": { "new": person_id(31) }, "scope": { "new": "register" }, "given_on": { "new": "2026-09-01" },
        "given_by": { "new": { "kind": "parental_responsibility", "name": "Pat Asking", "relationship": "Mother", "child_agreed": true } },
        "recorded_by": { "new": "Jo Coordinator" } } });
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0031",
        "mutations": [person(1, 31, "Kit", "Asking", None, on), consent] });
    server.post_json("/api/sync/push", &body).await;
    let invite =
        server.post_json("/api/invites", &json!({ "display_name": "Pat Asking", "person_id": person_id(31) })).await;
    let accepted = reqwest::Client::new()
        .post(format!("{}/api/invites/accept", server.url))
        .json(&json!({ "code": invite["code"], "username": "pat.asking", "password": "our family password" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(accepted.status().is_success(), "{}", accepted.status());

    // The family asks: the page says it goes to the coordinator and nothing changes until then.
    let family = Browser::start().await;
    family.resize(768, 1024).await;
    family.sign_in(&server, "pat.asking", "our family password").await;
    family.goto(&format!("{}/people/{}", server.url, person_id(31))).await;
    family.unlock("our family password").await;
    family.click(&ids::withdraw_consent(consent_id)).await;
    let effects = family.wait_for_text(ids::WITHDRAWAL_EFFECTS, "Your request goes to the DSR coordinator").await;
    assert!(effects.contains("Until then, nothing changes"), "{effects}");
    family.type_into(ids::WITHDRAWAL_ASKED_BY, "Pat Asking, Kit's mother").await;
    family.type_into(ids::WITHDRAWAL_REASON, "We are moving to Scotland").await;
    family.screenshot("consent-withdrawal-request").await;
    assert_eq!(family.sideways_overflow().await, Vec::<String>::new(), "the request page on a tablet");
    family.click(ids::CONFIRM_WITHDRAWAL).await;
    family.wait_for_text(ids::NOTICE, "Your request to withdraw consent to be on the register was saved").await;
    family.all_sent().await;
    let consent_of = |records: Vec<(String, String, Value)>| {
        records.into_iter().find(|(_, id, _)| id == consent_id).map(|(_, _, f)| f).unwrap_or_default()
    };
    let stored = consent_of(server.records().await);
    assert!(stored["withdrawal_requested_on"].is_string() && stored["withdrawn_on"].is_null(), "{stored}");
    family.quit().await;

    // The coordinator sees it due at once, and confirms it from what the family said.
    let coordinator = Browser::start().await;
    coordinator.sign_in_as_coordinator(&server).await;
    coordinator.click(&ids::person_link(&person_id(31))).await;
    coordinator.wait_for_text(ids::PERSON_DUE, "The family asked on").await;
    coordinator.click(&ids::withdraw_consent(consent_id)).await;
    coordinator.wait_for_text(ids::WITHDRAWAL_ASKED, "The family asked on").await;
    assert_eq!(coordinator.input_value(ids::WITHDRAWAL_ASKED_BY).await, "Pat Asking, Kit's mother");
    coordinator.click(ids::CONFIRM_WITHDRAWAL).await;
    coordinator.wait_for_text(ids::PERSON_CONSENT, "Consent was withdrawn").await;
    coordinator.all_sent().await;
    let stored = consent_of(server.records().await);
    assert!(stored["withdrawn_on"].is_string(), "{stored}");
    assert_eq!(stored["withdrawal_reason"], "We are moving to Scotland");
    coordinator.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_admission_makes_the_person_blue_and_a_discharge_asks_for_the_new_rating() {
    let server = Server::start().await;
    let on = json!({ "status": "on_register", "since": "2026-09-01" });
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0004",
        "mutations": [person(1, 9, "Riley", "Admitted", None, on), rating(2, 9, "amber")] });
    server.post_json("/api/sync/push", &body).await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(&ids::person_link(&person_id(9))).await;
    browser.wait_for_text(ids::PERSON_NAME, "Amber").await;
    browser.click(ids::ADD_ADMISSION).await;
    browser.click(ids::SAVE_ADMISSION).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "Enter the hospital").await;
    browser.type_into(ids::ADMISSION_HOSPITAL, "Northfield Hospital").await;
    browser.click(ids::ADMISSION_OUT_OF_AREA).await;
    browser.click(ids::SAVE_ADMISSION).await;
    browser.wait_for_text(ids::NOTICE, "the person is Blue").await;
    browser.wait_for_text(ids::PERSON_NAME, "Blue").await;
    // The inpatient clock: a post-admission review is due.
    let due = browser.wait_for_text(ids::PERSON_DUE, "review").await;
    assert!(due.to_lowercase().contains("admi"), "{due}");
    browser.screenshot("person-admitted").await;

    browser.click(ids::ADD_DISCHARGE).await;
    browser.click(ids::SAVE_DISCHARGE).await;
    let errors = browser.wait_for_text(ids::ERROR_SUMMARY, "Choose the rating after discharge").await;
    assert!(errors.contains("Say why this rating"), "{errors}");
    browser.click(ids::DISCHARGE_GREEN).await;
    browser.type_into(ids::DISCHARGE_REASON, "Home with a new support package").await;
    browser.click(ids::SAVE_DISCHARGE).await;
    browser.wait_for_text(ids::NOTICE, "The discharge was recorded").await;
    browser.wait_for_text(ids::PERSON_NAME, "Green").await;
    let history = browser.wait_for_text(ids::RATING_HISTORY, "Home with a new support package").await;
    assert!(history.contains("Admitted to Northfield Hospital"), "{history}");
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let page = server.get_json(&format!("/api/sync/pull?client_id={}&cursor=0", dsr_e2e_tests::HARNESS_CLIENT)).await;
    let admissions: Vec<Value> = page["changes"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|c| c["record"]["kind"] == "admission")
        .collect();
    let last = admissions.last().unwrap_or_else(|| panic!("no admission on the server"));
    assert_eq!(last["record"]["fields"]["hospital"], "Northfield Hospital");
    assert_eq!(last["record"]["fields"]["out_of_area"], true);
    assert!(last["record"]["fields"]["discharged_on"].is_string(), "{last}");
    browser.quit().await;
}

/// The ids of the register's rows, in the order shown.
async fn row_order(browser: &Browser) -> Vec<String> {
    browser
        .driver
        .execute(
            "return Array.from(document.querySelectorAll('#register-table tbody tr')).map(r => r.id.replace('person-', ''))",
            Vec::new(),
        )
        .await
        .map(|v| serde_json::from_value(v.json().clone()).unwrap_or_default())
        .unwrap_or_default()
}

async fn choose(browser: &Browser, select: &str, value: &str) {
    browser
        .element(select)
        .await
        .find(thirtyfour::By::Css(format!("option[value='{value}']")))
        .await
        .unwrap_or_else(|e| panic!("{select} has no option {value}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

async fn wait_showing(browser: &Browser, n: usize) {
    browser
        .wait_until(
            &format!("{n} people shown"),
            &format!("done(document.getElementById('register-showing').dataset.count === '{n}')"),
        )
        .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_coordinators_register_sorts_by_any_column_filters_by_what_is_due_keyworker_and_age_and_prints() {
    let server = Server::start().await;
    let on = json!({ "status": "on_register", "since": "2026-09-01" });
    let mut adult = person(4, 4, "Lee", "Adultperson", None, on.clone());
    adult["changes"]["date_of_birth"] = json!({ "new": "1990-01-01" });
    adult["changes"]["keyworker"] = json!({ "new": null });
    let mut child = person(3, 3, "Kai", "Greenperson", None, on.clone());
    child["changes"]["date_of_birth"] = json!({ "new": "2017-06-01" });
    let mutations = vec![
        person(1, 1, "Alex", "Redperson", None, on.clone()),
        person(2, 2, "Sam", "Amberperson", None, on.clone()),
        child,
        adult,
        rating(5, 1, "red"),
        rating(6, 2, "amber"),
        rating(7, 3, "green"),
        rating(8, 4, "amber"),
    ];
    server
        .post_json(
            "/api/sync/push",
            &json!({ "client_id": "0193d000-0000-7000-8000-0000000d0003", "mutations": mutations }),
        )
        .await;
    let browser = Browser::start().await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_text(ids::REGISTER_COUNT, "4 people").await;

    // Sorted by the rating column, most at risk first; again, the other way round.
    browser.click(&ids::sort_by("rating")).await;
    browser
        .wait_until("sorted by rating", "done(document.querySelector('th[aria-sort=ascending] #sort-rating') !== null)")
        .await;
    let order = row_order(&browser).await;
    assert_eq!(order.first(), Some(&person_id(1)), "Red first: {order:?}");
    assert_eq!(order.last(), Some(&person_id(3)), "Green last: {order:?}");
    browser.click(&ids::sort_by("rating")).await;
    browser
        .wait_until("turned round", "done(document.querySelector('th[aria-sort=descending] #sort-rating') !== null)")
        .await;
    assert_eq!(row_order(&browser).await.first(), Some(&person_id(3)));
    // By age, youngest first.
    browser.click(&ids::sort_by("age")).await;
    browser
        .wait_until("sorted by age", "done(document.querySelector('th[aria-sort=ascending] #sort-age') !== null)")
        .await;
    let order = row_order(&browser).await;
    assert_eq!((order.first(), order.last()), (Some(&person_id(3)), Some(&person_id(4))), "{order:?}");

    // Every due item of a person, not only the next.
    let more = browser.element(&ids::due_more(&person_id(1))).await;
    more.find(thirtyfour::By::Css("summary")).await.unwrap_or_else(|e| panic!("{e}")).click().await.ok();
    browser.wait_for_text(&ids::due_more(&person_id(1)), "more due").await;
    let all = browser.wait_for_text(&ids::person_row(&person_id(1)), "Treatment Review").await;
    assert!(all.contains("No consent"), "the consent and the C(E)TR are both there: {all}");

    // What is due: Red without a C(E)TR.
    choose(&browser, ids::FILTER_DUE, "cetr_for_red").await;
    wait_showing(&browser, 1).await;
    assert_eq!(row_order(&browser).await, [person_id(1)]);
    choose(&browser, ids::FILTER_DUE, "").await;
    // By keyworker, and nobody's.
    choose(&browser, ids::FILTER_KEYWORKER, "Keyworker of Sam").await;
    wait_showing(&browser, 1).await;
    assert_eq!(row_order(&browser).await, [person_id(2)]);
    choose(&browser, ids::FILTER_KEYWORKER, "__nobody__").await;
    wait_showing(&browser, 1).await;
    assert_eq!(row_order(&browser).await, [person_id(4)]);
    choose(&browser, ids::FILTER_KEYWORKER, "").await;
    // By age group.
    choose(&browser, ids::FILTER_AGE, "child").await;
    wait_showing(&browser, 1).await;
    assert_eq!(row_order(&browser).await, [person_id(3)]);
    choose(&browser, ids::FILTER_AGE, "").await;
    wait_showing(&browser, 4).await;
    browser.screenshot("register-sorted-filtered").await;
    assert_eq!(browser.sideways_overflow().await, Vec::<String>::new(), "the register's columns on a tablet");

    // Printed for the meeting: the Reds and Ambers, with every due item and none of the controls.
    browser.click(&ids::rating_count("Amber")).await;
    wait_showing(&browser, 2).await;
    browser.driver.execute("window.print = () => { window.dsrPrinted = true; }", Vec::new()).await.ok();
    browser.click(ids::PRINT_REGISTER).await;
    browser.wait_until("the print was asked for", "done(window.dsrPrinted === true)").await;
    let (text, flat) = browser.printed("register-printed").await;
    for expected in [
        "Dynamic Support Register: Test area",
        "Showing: Rated Amber",
        "Sam Amberperson",
        "Lee Adultperson",
        "Confidential",
    ] {
        assert!(flat.contains(&squeeze(expected)), "{expected:?} missing from the printed register: {text}");
    }
    for absent in ["Alex Redperson", "Sent to the server", "Search by name", "Print the register"] {
        assert!(!flat.contains(&squeeze(absent)), "{absent:?} printed: {text}");
    }
    browser.quit().await;
}
