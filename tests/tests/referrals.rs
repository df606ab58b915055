//! Referrals on a tablet: a family refers themselves on the public form (no account); a professional
//! refers someone with consent, entirely offline, and it is sent later; the coordinator's triage queue
//! shows both with their deadlines, and accepting or declining moves the person on or off the register
//! with the family told.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use dsr_e2e_tests::{Browser, PASSWORD, Server, ids};
use serde_json::Value;

async fn records_of(server: &Server, kind: &str) -> Vec<Value> {
    let page = server.get_json(&format!("/api/sync/pull?client_id={}&cursor=0", dsr_e2e_tests::HARNESS_CLIENT)).await;
    let mut latest: Vec<Value> = Vec::new();
    for change in page["changes"].as_array().cloned().unwrap_or_default() {
        if change["record"]["kind"] == kind {
            latest.retain(|r| r["id"] != change["record"]["id"]);
            latest.push(change["record"].clone());
        }
    }
    latest
}

#[tokio::test(flavor = "multi_thread")]
async fn a_family_refers_themselves_and_the_coordinator_accepts_at_the_meeting() {
    let server = Server::start().await;
    // The family's own phone or tablet: no account.
    let family = Browser::start().await;
    family.resize(768, 1024).await;
    family.goto(&server.url).await;
    family.click(ids::SELF_REFERRAL_LINK).await;
    family.type_into(ids::GIVEN_NAME, "Kai").await;
    family.type_into(ids::FAMILY_NAME, "Selfreferred").await;
    family.type_into(ids::DATE_OF_BIRTH_DAY, "4").await;
    family.type_into(ids::DATE_OF_BIRTH_MONTH, "3").await;
    family.type_into(ids::DATE_OF_BIRTH_YEAR, "2012").await;
    family.type_into(ids::SELF_REASON, "He has stopped going to school and we are scared he will be sent away").await;
    family.type_into(ids::SELF_BY, "Pat Selfreferred").await;
    family.type_into(ids::SELF_RELATIONSHIP, "Mum").await;
    family.click(ids::SEND_SELF_REFERRAL).await;
    let errors = family.wait_for_text(ids::ERROR_SUMMARY, "Enter a phone number or email address").await;
    assert!(errors.contains("Tick the box"), "{errors}");
    family.screenshot("self-referral-form").await;
    // The page reloads before sending: what they typed is still there.
    family
        .wait_until(
            "the draft is written",
            &format!("done((document.getElementById('{}')?.dataset.values || '').includes('Mum'))", ids::DRAFT_SAVED),
        )
        .await;
    // Kept in clear (no account, no key) by the draft writer, off the page's main thread.
    let writers = family.drafts_written_by().await;
    assert!(!writers.is_empty() && writers.iter().all(|w| w == "draft writer"), "{writers:?}");
    family.reload().await;
    assert_eq!(family.input_value(ids::SELF_RELATIONSHIP).await, "Mum");
    family.type_into(ids::SELF_CONTACT, "07700 900123").await;
    family.click(ids::SELF_AGREED).await;
    family.click(ids::SEND_SELF_REFERRAL).await;
    let sent = family.wait_for_text(ids::SELF_REFERRAL_SENT, "We have your referral").await;
    assert!(sent.contains("Your reference"), "{sent}");
    let reference = family.element(ids::SELF_REFERRAL_REFERENCE).await.text().await.unwrap_or_default();
    assert!(reference.starts_with("DSR-") && reference.len() == 8, "a short reference: {reference}");
    let next = family.wait_for_text(ids::MAIN, "What happens next").await;
    assert!(next.contains("will contact you by") && next.contains("meeting on"), "{next}");
    family.screenshot("self-referral-sent").await;
    // Later, they check what happened to it: a wrong date of birth finds nothing, the right one does.
    family.click(ids::SELF_REFERRAL_STATUS_LINK).await;
    family.type_into(ids::STATUS_REFERENCE, &reference.to_lowercase()).await;
    for (id, value) in [(ids::STATUS_DOB_DAY, "5"), (ids::STATUS_DOB_MONTH, "3"), (ids::STATUS_DOB_YEAR, "2012")] {
        family.type_into(id, value).await;
    }
    family.click(ids::CHECK_SELF_REFERRAL).await;
    family
        .wait_for_text(ids::ERROR_SUMMARY, "We could not find a referral with that reference and date of birth")
        .await;
    family.element(ids::STATUS_DOB_DAY).await.clear().await.ok();
    family.type_into(ids::STATUS_DOB_DAY, "4").await;
    family.click(ids::CHECK_SELF_REFERRAL).await;
    let status = family.wait_for_text(ids::SELF_REFERRAL_STATUS, "We received it today").await;
    assert!(status.contains("at their meeting on") && !status.contains("Kai"), "{status}");
    family.screenshot("self-referral-status").await;

    // The coordinator's triage queue.
    let browser = Browser::start().await;
    browser.resize(1024, 768).await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(ids::REFERRALS_LINK).await;
    let queue = browser.wait_for_text(ids::TRIAGE_QUEUE, "Kai Selfreferred").await;
    assert!(queue.contains("Self-referral by Pat Selfreferred (Mum, 07700 900123)"), "{queue}");
    assert!(queue.contains("A decision by") && queue.contains("Contact the family by"), "{queue}");
    browser.screenshot("triage-queue").await;
    let referral = records_of(&server, "referral").await.pop().unwrap_or_else(|| panic!("no referral"));
    let referral_id = referral["id"].as_str().unwrap_or_default().to_string();
    browser.css(&format!("#{} a", ids::queue_row(&referral_id))).await.click().await.unwrap_or_else(|e| panic!("{e}"));
    browser.wait_for_text(ids::REFERRAL_DETAILS, "scared he will be sent away").await;
    browser.click(ids::RECORD_CONTACT).await;
    browser.wait_for_text(ids::NOTICE, "first contact with the family was recorded").await;
    browser.css(&format!("#{} a", ids::queue_row(&referral_id))).await.click().await.unwrap_or_else(|e| panic!("{e}"));
    browser.click(ids::SAVE_DECISION).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "Choose whether the person goes on the register").await;
    browser.click(ids::DECISION_ACCEPT).await;
    browser.click(ids::FAMILY_TOLD).await;
    browser.screenshot("referral-decision").await;
    browser.click(ids::SAVE_DECISION).await;
    browser.wait_for_text(ids::NOTICE, "Kai Selfreferred is on the register").await;
    browser.wait_for_text(ids::TRIAGE_QUEUE, "No referrals are waiting").await;
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let referral = records_of(&server, "referral").await.pop().unwrap_or_else(|| panic!("no referral"));
    assert_eq!(referral["fields"]["triage"]["outcome"]["outcome"], "accepted", "{referral}");
    assert!(referral["fields"]["family_told_on"].is_string() && referral["fields"]["contacted_on"].is_string());
    let person = records_of(&server, "person").await.pop().unwrap_or_else(|| panic!("no person"));
    assert_eq!(person["fields"]["register_status"]["status"], "on_register", "{person}");
    browser.quit().await;
    // The family checks again: the decision, in plain words.
    family.click(ids::CHECK_SELF_REFERRAL).await;
    family.wait_for_text(ids::SELF_REFERRAL_STATUS, "to add them to the Dynamic Support Register").await;
    family.quit().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_professional_refers_with_consent_offline_and_the_coordinator_declines() {
    let server = Server::start().await;
    server.staff("sam.camhs", "referrer").await;
    let browser = Browser::start().await;
    browser.resize(768, 1024).await;
    browser.sign_in(&server, "sam.camhs", PASSWORD).await;
    // No signal in the clinic.
    browser.set_offline(true).await;
    browser.wait_for_text(ids::CONNECTION, "Offline").await;
    browser.click(ids::REFERRALS_LINK).await;
    browser.type_into(ids::GIVEN_NAME, "Robin").await;
    browser.type_into(ids::FAMILY_NAME, "Referred").await;
    browser.type_into(ids::DATE_OF_BIRTH_DAY, "23").await;
    browser.type_into(ids::DATE_OF_BIRTH_MONTH, "4").await;
    browser.type_into(ids::DATE_OF_BIRTH_YEAR, "2011").await;
    browser.type_into(ids::REFERRAL_REASON, "Two A&E attendances this month; placement at risk").await;
    browser.type_into(ids::REFERRER_ROLE, "CAMHS clinician").await;
    browser.type_into(ids::REFERRER_CONTACT, "sam@example.nhs.uk").await;
    browser.wait_for_text(ids::WHO_MAY_CONSENT, "parental responsibility").await;
    browser.click(ids::SAVE_REFERRAL).await;
    let errors = browser.wait_for_text(ids::ERROR_SUMMARY, "needs consent").await;
    assert!(errors.contains("Say who gave consent"), "{errors}");
    browser.click(ids::CONSENT_BY_PARENT).await;
    browser.type_into(ids::CONSENT_PARENT_NAME, "Alex Referred").await;
    browser.type_into(ids::CONSENT_PARENT_RELATIONSHIP, "Father").await;
    // Robin is 15: by default (seed 002) the young person agrees to the register as well.
    browser.click(ids::CONSENT_CHILD_AGREED).await;
    browser.click("referral-consent-confirmed").await;
    browser.screenshot("professional-referral").await;
    browser.click(ids::SAVE_REFERRAL).await;
    browser.wait_for_text(ids::NOTICE, "The referral for Robin Referred was saved on this device").await;
    browser.wait_for_text(ids::UNSYNCED, "3 changes saved on this device, not sent yet").await;
    // The referrer sees what they referred, on the register.
    browser.wait_for_text(ids::REGISTER_COUNT, "1 person").await;
    browser.set_offline(false).await;
    browser.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let consent = records_of(&server, "consent").await.pop().unwrap_or_else(|| panic!("no consent on the server"));
    assert_eq!(consent["fields"]["given_by"]["name"], "Alex Referred");
    let referral = records_of(&server, "referral").await.pop().unwrap_or_else(|| panic!("no referral"));
    assert_eq!(referral["fields"]["route"]["referrer"]["name"], "Test sam.camhs");
    assert_eq!(referral["fields"]["route"]["consent_confirmed"], true);
    browser.quit().await;

    // The coordinator declines it, with a reason the family is told.
    let coordinator = Browser::start().await;
    coordinator.sign_in_as_coordinator(&server).await;
    coordinator.click(ids::REFERRALS_LINK).await;
    let queue = coordinator.wait_for_text(ids::TRIAGE_QUEUE, "Robin Referred").await;
    assert!(queue.contains("Test sam.camhs (CAMHS clinician)"), "{queue}");
    let referral_id = referral["id"].as_str().unwrap_or_default().to_string();
    coordinator
        .css(&format!("#{} a", ids::queue_row(&referral_id)))
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    coordinator.click(ids::DECISION_DECLINE).await;
    coordinator.click(ids::SAVE_DECISION).await;
    coordinator.wait_for_text(ids::ERROR_SUMMARY, "Say why the referral is declined").await;
    coordinator.type_into(ids::DECLINE_REASON, "Needs are being met by the community team").await;
    coordinator.click(ids::SAVE_DECISION).await;
    coordinator.wait_for_text(ids::NOTICE, "was declined").await;
    // Still in the queue until the family is told.
    coordinator.wait_for_text(ids::TRIAGE_QUEUE, "Telling the family").await;
    coordinator
        .css(&format!("#{} a", ids::queue_row(&referral_id)))
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    coordinator.click(ids::RECORD_FAMILY_TOLD).await;
    coordinator.wait_for_text(ids::TRIAGE_QUEUE, "No referrals are waiting").await;
    coordinator.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let person = records_of(&server, "person").await.pop().unwrap_or_else(|| panic!("no person"));
    assert_eq!(person["fields"]["register_status"]["status"], "left", "{person}");
    assert_eq!(person["fields"]["register_status"]["reason"], "referral_declined");
    coordinator.quit().await;
}
