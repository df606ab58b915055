//! The area's policy on a tablet: a coordinator reads it, changes it (a wrong value is named on its
//! field, a changed risk checklist or set of key lines of enquiry becomes a new version), and the app's
//! forms follow the new policy.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use dsr_e2e_tests::{Browser, Server, ids};
use serde_json::json;

const REVIEW: &str = "0193d000-0000-7000-8000-000000000022";

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_changes_the_areas_policy_and_the_forms_follow_it() {
    let server = Server::start().await;
    // Jo, 14 (born March 2012), on the register.
    let person = "0193d000-0000-7000-8000-000000000021";
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0021", "mutations": [
        { "seq": 1, "record_id": person, "kind": "person", "changes": {
            "given_name": { "new": "Jo" }, "family_name": { "new": "Fourteen" }, "date_of_birth": { "new": "2012-03-04" },
            "register_status": { "new": { "status": "on_register", "since": "2026-09-01" } } } },
        { "seq": 2, "record_id": REVIEW, "kind": "review", "changes": {
            "person_id": { "new": person }, "kind": { "new": "community" }, "name": { "new": "cetr" },
            "status": { "new": "requested" }, "requested_on": { "new": "2026-11-01" } } } ] });
    server.post_json("/api/sync/push", &body).await;

    let browser = Browser::start().await;
    browser.resize(768, 1024).await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(ids::POLICY_LINK).await;
    browser.wait_for_text(ids::POLICY_VERSION, "The handbook's defaults").await;
    // The strictest of the sources, and where it comes from.
    browser.wait_for_text(&ids::policy_value("reviews.post_admission_child"), "5 working days").await;
    browser.wait_for_text(&ids::policy_source("reviews.post_admission_child"), "interim national measure").await;
    browser.wait_for_text(&ids::policy_risk_tool("under_18"), "version 1").await;
    browser.screenshot("policy").await;

    browser.click(ids::CHANGE_POLICY).await;
    let field = |name: &str| ids::policy_field(name);
    browser.element(&field("reviews.post_admission_child")).await.clear().await.ok();
    browser.type_into(&field("reviews.post_admission_child"), "soon").await;
    browser.element(&field("consent.child_must_agree_from")).await.clear().await.ok();
    browser.type_into(&field("consent.child_must_agree_from"), "15").await;
    browser.element(&field("risk.under_18.red_from")).await.clear().await.ok();
    browser.type_into(&field("risk.under_18.red_from"), "9").await;
    browser.type_into(&field("risk.under_18.new.question"), "Sleeping much less than usual").await;
    // Who families contact, and a planner question as the area's own planner words it.
    browser.type_into(&field("families.contact_name"), "The DSR team").await;
    browser.type_into(&field("families.contact_phone"), "01632 960 001").await;
    browser
        .type_into(&field("families.question_wording.are_you_safe"), "Do you feel safe at home and at school?")
        .await;
    // The panel's key lines of enquiry: a prompt of the area's own (its easy read checked), a paper.
    browser.click(&field("kloe.new.question.plans_for_the_future")).await;
    browser.type_into(&field("kloe.new.text"), "Travel training: getting about on their own").await;
    browser
        .type_into(&field("kloe.new.easy_read"), "Would you like to learn to travel on your own (bus, train)?")
        .await;
    browser.type_into(&field("papers.new.name"), "The short breaks plan").await;
    browser.type_into(&field("papers.new.for"), "community").await;
    browser.type_into(ids::POLICY_REASON, "Agreed at the November DSR meeting").await;
    browser.click(ids::SAVE_POLICY).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "'soon' is not a length of time").await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "no brackets").await;
    browser.type_into(&field("kloe.new.easy_read"), "Would you like to learn to travel on your own?").await;
    browser.screenshot("policy-edit-error").await;
    browser.element(&field("reviews.post_admission_child")).await.clear().await.ok();
    browser.type_into(&field("reviews.post_admission_child"), "10 working days").await;
    browser.click(ids::SAVE_POLICY).await;
    browser.wait_for_text(ids::NOTICE, "saved as version 1").await;
    browser.wait_for_text(&ids::policy_value("reviews.post_admission_child"), "10 working days").await;
    browser.wait_for_text(&ids::policy_value("consent.child_must_agree_from"), "15").await;
    let tool = browser.wait_for_text(&ids::policy_risk_tool("under_18"), "version 2").await;
    assert!(tool.contains("Red 9 or more") && tool.contains("Sleeping much less than usual"), "{tool}");
    assert!(tool.contains("Earlier versions are kept") && tool.contains("version 1"), "{tool}");
    let kloe = browser.wait_for_text(ids::POLICY_KLOE, "Key lines of enquiry (version 2)").await;
    assert!(kloe.contains("Travel training: getting about on their own"), "{kloe}");
    assert!(kloe.contains("The short breaks plan") && kloe.contains("For everyone, in the community"), "{kloe}");
    let version = browser.element(ids::POLICY_VERSION).await.text().await.unwrap_or_default();
    assert!(version.contains("Version 1") && version.contains("Jo Coordinator"), "{version}");

    // The server holds it, with the reason in the audit trail.
    let stored = server.get_json("/api/area/policy").await;
    assert_eq!(stored["policy"]["consent"]["child_must_agree_from"], 15);
    assert_eq!(stored["policy"]["families"]["contact_phone"], "01632 960 001");
    // Every version of the key lines of enquiry is kept: the first as it was, the edit as the second.
    let kloe = stored["policy"]["kloe"].as_array().cloned().unwrap_or_default();
    assert_eq!(kloe.iter().map(|k| k["version"].as_u64().unwrap_or(0)).collect::<Vec<_>>(), [1, 2]);
    assert!(!kloe[0].to_string().contains("Travel training") && kloe[1].to_string().contains("Travel training"));
    let audit = server.get_json("/api/audit").await;
    assert!(audit.to_string().contains("Agreed at the November DSR meeting"), "{audit}");

    // The consent form follows the new policy: at 14 the young person no longer has to agree as well.
    // Also after the tablet reloads: the policy is kept on the device.
    browser.reload().await;
    browser.unlock(dsr_e2e_tests::PASSWORD).await;
    browser.css(".nhsuk-header__service-logo").await.click().await.unwrap_or_else(|e| panic!("{e}"));
    browser.click(&ids::person_link(person)).await;
    browser.click(ids::ADD_CONSENT).await;
    browser.wait_for_text(ids::WHO_MAY_CONSENT, "or the child if they are Gillick competent").await;
    // The planner asks in the area's words.
    browser.goto(&format!("{}/people/{person}/reviews/{REVIEW}/planner", server.url)).await;
    browser.unlock(dsr_e2e_tests::PASSWORD).await;
    browser
        .wait_until(
            "the area's wording of the question",
            "done(document.querySelector(\"label[for='answer-are_you_safe']\")?.textContent === 'Do you feel safe at home and at school?')",
        )
        .await;
    browser.quit().await;
}
