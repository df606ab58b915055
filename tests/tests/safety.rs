//! Clinical safety (issue 12), as people see it: a Red person with only a requested review stays
//! overdue on the register (and an LAEP does not count); an advocate and a family member looking at a
//! Red person are told the rating is not shown on their account, never "Not rated"; and the same NHS
//! number twice is stopped offline, with a link to the person already on the register.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use chrono::NaiveDate;
use dsr_e2e_tests::{Browser, Server, ids};
use serde_json::{Value, json};

const PERSON: &str = "0193d000-0000-7000-8000-000000000121";

fn days_ago(days: i64) -> NaiveDate {
    let today = chrono::Local::now().date_naive();
    today.checked_sub_signed(chrono::TimeDelta::days(days)).unwrap_or(today)
}

/// Pushes `body` as a device would, and checks every change in it was applied.
async fn push_all_applied(server: &Server, body: &Value) {
    let answer = server.post_json("/api/sync/push", body).await;
    let results = answer["results"].as_array().cloned().unwrap_or_default();
    assert!(!results.is_empty() && results.iter().all(|r| r["status"] == "applied"), "{answer}");
}

/// Robin, 14, on the register with consent, rated Red three weeks ago; a community review requested
/// since, with no meeting date (consent for it recorded); an LAEP meeting held a week ago.
async fn red_with_only_a_request(server: &Server) {
    let born = days_ago(14 * 366).to_string();
    let mutation = |seq: u64, id: &str, kind: &str, changes: Value| json!({ "seq": seq, "record_id": id, "kind": kind, "changes": changes });
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0121", "mutations": [
        mutation(1, PERSON, "person", json!({
            "given_name": { "new": "Robin" }, "family_name": { "new": "Redrated" }, "date_of_birth": { "new": born },
            "nhs_number": { "new": "9434765919" }, "keyworker_referral_offered": { "new": days_ago(20) },
            "register_status": { "new": { "status": "on_register", "since": days_ago(60) } } })),
        mutation(2, "0193d000-0000-7000-8000-000000000122", "consent", json!({
            "person_id": { "new": PERSON }, "scope": { "new": "register" }, "given_on": { "new": days_ago(60) },
            "given_by": { "new": { "kind": "parental_responsibility", "name": "Sam Redrated", "relationship": "Mother", "child_agreed": true } },
            "recorded_by": { "new": "Jo Coordinator" } })),
        mutation(3, "0193d000-0000-7000-8000-000000000123", "rating_change", json!({
            "person_id": { "new": PERSON }, "to": { "new": "red" }, "reason": { "new": "Placement breaking down; two A&E visits" },
            "by": { "new": "Jo Coordinator" }, "at": { "new": format!("{}T10:00:00Z", days_ago(21)) }, "source": { "new": "dsr_meeting" } })),
        mutation(4, "0193d000-0000-7000-8000-000000000124", "review", json!({
            "person_id": { "new": PERSON }, "kind": { "new": "community" }, "name": { "new": "cetr" },
            "status": { "new": "requested" }, "requested_on": { "new": days_ago(20) } })),
        mutation(5, "0193d000-0000-7000-8000-000000000125", "review", json!({
            "person_id": { "new": PERSON }, "kind": { "new": "laep" }, "name": { "new": "cetr" },
            "status": { "new": "held" }, "requested_on": { "new": days_ago(8) }, "meeting_on": { "new": days_ago(7) },
            "panel": { "new": { "chair": "Commissioner (LAEP)" } } })),
        // Consent for the requested review is in: what is left is the review itself.
        mutation(6, "0193d000-0000-7000-8000-000000000126", "consent", json!({
            "person_id": { "new": PERSON }, "scope": { "new": "review" }, "review_id": { "new": "0193d000-0000-7000-8000-000000000124" },
            "given_on": { "new": days_ago(19) },
            "given_by": { "new": { "kind": "parental_responsibility", "name": "Sam Redrated", "relationship": "Mother" } },
            "recorded_by": { "new": "Jo Coordinator" } })) ] });
    push_all_applied(server, &body).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_red_person_with_only_a_requested_review_stays_overdue_and_hidden_ratings_are_said_to_be_hidden() {
    let server = Server::start().await;
    red_with_only_a_request(&server).await;

    // The coordinator's register: Robin is overdue, and the row says why.
    let coordinator = Browser::start().await;
    coordinator.resize(1024, 768).await;
    coordinator.sign_in_as_coordinator(&server).await;
    let row = coordinator.wait_for_text(&ids::person_row(PERSON), "Overdue").await;
    assert!(row.contains("Red") && row.contains("has no meeting date yet"), "{row}");
    assert!(row.contains("is not a community C(E)TR and does not count"), "{row}");
    coordinator.click(ids::FILTER_OVERDUE).await;
    coordinator.wait_for_text(ids::REGISTER_SHOWING, "Showing 1 of 1").await;
    coordinator.screenshot("safety-red-overdue-register").await;
    // The person page: what Red asks for, overdue.
    coordinator.click(&ids::person_link(PERSON)).await;
    let required = coordinator.wait_for_text(ids::REQUIRED_ACTIONS, "Overdue since").await;
    assert!(required.contains("A Care (Education) and Treatment Review must take place"), "{required}");
    coordinator.resize(1024, 2400).await;
    coordinator.screenshot("safety-red-person").await;

    // An advocate and a family member working with Robin: the rating is not shown on their accounts,
    // and nothing says "Not rated" or "Nothing due".
    let advocate_id = server.staff("ash.advocate", "advocate").await;
    server.post_json(&format!("/api/users/{advocate_id}/people"), &json!({ "person_id": PERSON })).await;
    let invite =
        server.post_json("/api/invites", &json!({ "display_name": "Sam Redrated", "person_id": PERSON })).await;
    let code = invite["code"].as_str().unwrap_or_default().to_string();
    let accepted = reqwest::Client::new()
        .post(format!("{}/api/invites/accept", server.url))
        .json(&json!({ "code": code, "username": "sam.redrated", "password": "our family password" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(accepted.status().is_success(), "{}", accepted.status());
    for (username, password, shot) in [
        ("ash.advocate", dsr_e2e_tests::PASSWORD, "safety-advocate"),
        ("sam.redrated", "our family password", "safety-family"),
    ] {
        let browser = Browser::start().await;
        browser.resize(768, 1024).await;
        browser.sign_in(&server, username, password).await;
        if username == "ash.advocate" {
            let row = browser.wait_for_text(&ids::person_row(PERSON), "Not shown on this account").await;
            assert!(!row.contains("Not rated") && !row.contains("Nothing due"), "{username}: {row}");
            browser.wait_for_text(ids::RATINGS_HIDDEN, "The rating of 1 person is not shown on this account").await;
            browser.click(&ids::person_link(PERSON)).await;
        } else {
            // The family's home says nothing of ratings or what is due, so nothing false either.
            let home = browser.wait_for_text(&ids::family_home(PERSON), "Robin").await;
            assert!(!home.contains("rated") && !home.contains("Red") && !home.contains("due"), "{home}");
            browser.goto(&format!("{}/people/{PERSON}", server.url)).await;
            browser.unlock(password).await;
        }
        browser.wait_for_text(ids::PERSON_RATING, "The rating is not shown on this account").await;
        let due = browser.wait_for_text(ids::PERSON_DUE, "not shown on this account").await;
        assert!(!due.contains("Nothing is due"), "{username}: {due}");
        let history = browser.element(ids::RATING_HISTORY).await.text().await.unwrap_or_default();
        assert!(history.contains("not shown on this account"), "{username}: {history}");
        let name = browser.element(ids::PERSON_NAME).await.text().await.unwrap_or_default();
        assert!(!name.contains("Not rated"), "{username}: {name}");
        browser.screenshot(shot).await;
        browser.quit().await;
    }
    coordinator.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_nhs_number_twice_is_stopped_offline_with_a_link_to_the_person() {
    let server = Server::start().await;
    red_with_only_a_request(&server).await;
    let browser = Browser::start().await;
    browser.resize(768, 1024).await;
    browser.sign_in_as_coordinator(&server).await;
    browser.wait_for_text(&ids::person_row(PERSON), "Robin").await;
    // No signal: the device's own copy of the register is what is checked.
    browser.set_offline(true).await;
    browser.wait_for_text(ids::CONNECTION, "Offline").await;
    browser.click(ids::ADD_PERSON_LINK).await;
    browser.type_into(ids::GIVEN_NAME, "Robyn").await;
    browser.type_into(ids::FAMILY_NAME, "Red").await;
    browser.type_into(ids::DATE_OF_BIRTH_DAY, "1").await;
    browser.type_into(ids::DATE_OF_BIRTH_MONTH, "2").await;
    browser.type_into(ids::DATE_OF_BIRTH_YEAR, "2013").await;
    browser.type_into(ids::NHS_NUMBER, "943 476 5919").await;
    browser.click(ids::SAVE_PERSON).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "Someone with this NHS number is already on the register").await;
    let notice = browser.wait_for_text(ids::POSSIBLE_DUPLICATE, "Robin Redrated").await;
    assert!(notice.contains("the same NHS number"), "{notice}");
    browser.screenshot("safety-duplicate-offline").await;
    // Nothing was saved: no record, nothing waiting to be sent.
    let waiting = browser.indexeddb_values("outbox").await;
    assert!(waiting.is_empty(), "{waiting:?}");
    assert_eq!(browser.indexeddb_values("records").await.len(), 6, "only Robin's six records");
    // The link opens the person already on the register.
    browser.click(ids::DUPLICATE_LINK).await;
    browser.wait_for_text(ids::PERSON_NAME, "Robin Redrated").await;
    browser.quit().await;
}

/// Sam, 15, on the register with consent (the child agreed), rated Amber a week ago; a keyworker
/// referral offered before the rise.
async fn amber_sam(server: &Server) -> &'static str {
    const SAM: &str = "0193d000-0000-7000-8000-000000000131";
    let born = days_ago(15 * 366).to_string();
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0131", "mutations": [
        { "seq": 1, "record_id": SAM, "kind": "person", "changes": {
            "given_name": { "new": "Sam" }, "family_name": { "new": "Amberly" }, "date_of_birth": { "new": born },
            "keyworker_referral_offered": { "new": days_ago(40) },
            "register_status": { "new": { "status": "on_register", "since": days_ago(60) } } } },
        { "seq": 2, "record_id": "0193d000-0000-7000-8000-000000000132", "kind": "consent", "changes": {
            "person_id": { "new": SAM }, "scope": { "new": "register" }, "given_on": { "new": days_ago(60) },
            "given_by": { "new": { "kind": "parental_responsibility", "name": "Kim Amberly", "relationship": "Father", "child_agreed": true } },
            "recorded_by": { "new": "Jo Coordinator" } } },
        { "seq": 3, "record_id": "0193d000-0000-7000-8000-000000000133", "kind": "rating_change", "changes": {
            "person_id": { "new": SAM }, "to": { "new": "amber" }, "reason": { "new": "Risk rising at school" },
            "by": { "new": "Jo Coordinator" }, "at": { "new": format!("{}T10:00:00Z", days_ago(7)) }, "source": { "new": "dsr_meeting" } } } ] });
    push_all_applied(server, &body).await;
    SAM
}

#[tokio::test(flavor = "multi_thread")]
async fn amber_asks_for_a_multi_agency_meeting_and_a_keyworker_offer_which_a_keyworker_records_with_no_signal() {
    let server = Server::start().await;
    let sam = amber_sam(&server).await;
    let keyworker = server.staff("kim.keyworker", "keyworker").await;
    server.post_json(&format!("/api/users/{keyworker}/people"), &json!({ "person_id": sam })).await;
    let people = server.people().await;
    let named = people.iter().find(|p| p["id"] == sam).map(|p| p["keyworker"]["name"].clone()).unwrap_or_default();
    assert_eq!(named, "Test kim.keyworker", "the caseload names the keyworker: {people:?}");

    // The keyworker, on a sofa with no signal: Amber asks for a multi-agency meeting (or a C(E)TR).
    let browser = Browser::start().await;
    browser.resize(768, 1024).await;
    browser.sign_in(&server, "kim.keyworker", dsr_e2e_tests::PASSWORD).await;
    browser.click(&ids::person_link(sam)).await;
    browser.wait_for_text(ids::PERSON_CONTACTS, "Test kim.keyworker").await;
    let required = browser.wait_for_text(ids::REQUIRED_ACTIONS, "multi-agency meeting").await;
    assert!(required.contains("Due by"), "{required}");
    browser.set_offline(true).await;
    browser.wait_for_text(ids::CONNECTION, "Offline").await;
    browser.click(ids::ADD_MULTI_AGENCY_MEETING).await;
    browser.type_into(ids::MAM_AGENCIES, "CAMHS").await;
    browser.type_into(ids::MAM_AGREED, "Daily check-in with the school's SENCo").await;
    browser.click(ids::SAVE_MULTI_AGENCY_MEETING).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "at least two agencies").await;
    browser.type_into(ids::MAM_AGENCIES, "CAMHS\nSchool").await;
    browser.click(ids::SAVE_MULTI_AGENCY_MEETING).await;
    browser.wait_for_text(ids::NOTICE, "The multi-agency meeting was saved on this device").await;
    browser.wait_for_text(ids::PERSON_MEETINGS, "CAMHS, School").await;
    let required = browser.wait_for_text(ids::REQUIRED_ACTIONS, "Nothing outstanding").await;
    assert!(!required.contains("Due by"), "{required}");
    browser.screenshot("safety-amber-meeting").await;

    // Back online, it reaches the server.
    browser.set_offline(false).await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let page = server.get_json(&format!("/api/sync/pull?client_id={}&cursor=0", dsr_e2e_tests::HARNESS_CLIENT)).await;
    let meeting =
        page["changes"].as_array().and_then(|c| c.iter().find(|c| c["record"]["kind"] == "multi_agency_meeting"));
    let meeting = meeting.unwrap_or_else(|| panic!("no multi-agency meeting on the server: {page}"));
    assert_eq!(meeting["record"]["fields"]["agencies"], json!(["CAMHS", "School"]));
    browser.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn green_asks_for_the_partners_of_a_review_and_they_are_recorded() {
    let server = Server::start().await;
    let sam = amber_sam(&server).await;
    let green = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0141", "mutations": [
        { "seq": 1, "record_id": "0193d000-0000-7000-8000-000000000141", "kind": "rating_change", "changes": {
            "person_id": { "new": sam }, "from": { "new": "amber" }, "to": { "new": "green" }, "reason": { "new": "Settled at school" },
            "by": { "new": "Jo Coordinator" }, "at": { "new": format!("{}T11:00:00Z", days_ago(1)) }, "source": { "new": "dsr_meeting" } } } ] });
    server.post_json("/api/sync/push", &green).await;
    let browser = Browser::start().await;
    browser.resize(768, 1024).await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(&ids::person_link(sam)).await;
    browser.wait_for_text(ids::REQUIRED_ACTIONS, "Identify the partners").await;
    browser.wait_for_text(ids::PERSON_PARTNERS, "None identified yet").await;
    browser.click(ids::CHANGE_PARTNERS).await;
    browser.type_into(ids::PARTNERS_TEXT, "Social worker").await;
    browser.click(ids::SAVE_PARTNERS).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "Line 1: write the role, a comma, then the agency").await;
    browser
        .type_into(
            ids::PARTNERS_TEXT,
            "Social worker, Example Council, Sam Smith\nEducational psychologist, Example Council",
        )
        .await;
    browser.click(ids::SAVE_PARTNERS).await;
    browser.wait_for_text(ids::NOTICE, "The partners were saved on this device").await;
    browser.wait_for_text(ids::PERSON_PARTNERS, "Social worker, Example Council (Sam Smith)").await;
    browser.wait_for_text(ids::REQUIRED_ACTIONS, "Nothing outstanding").await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let people = server.people().await;
    let partners = people.iter().find(|p| p["id"] == sam).map(|p| p["cetr_partners"].clone()).unwrap_or_default();
    assert_eq!(partners.as_array().map(Vec::len), Some(2), "{people:?}");
    browser.quit().await;
}
