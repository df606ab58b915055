//! The risk checklist on a tablet: the score and suggestion follow the answers, answers survive a
//! reload, the user confirms or overrides (with a reason), and the result enters the rating history
//! and reaches the server with its checklist version.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use dsr_e2e_tests::{Browser, Server, ids};
use serde_json::{Value, json};

const PERSON: &str = "0193d000-0000-7000-8000-000000000031";

async fn score(browser: &Browser) -> (String, String) {
    let card = browser.element(ids::RISK_SCORE).await;
    let score = card.attr("data-score").await.ok().flatten().unwrap_or_default();
    let suggested = card.attr("data-suggested").await.ok().flatten().unwrap_or_default();
    (score, suggested)
}

async fn answer(browser: &Browser, key: &str, yes: bool) {
    browser.click(&ids::risk_answer(key, yes)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_checklist_suggests_a_rating_the_user_confirms_or_overrides_with_a_reason() {
    let server = Server::start().await;
    let body = json!({ "client_id": "0193d000-0000-7000-8000-0000000d0031", "mutations": [
        { "seq": 1, "record_id": PERSON, "kind": "person", "changes": {
            "given_name": { "new": "Sam" }, "family_name": { "new": "Checklist" }, "date_of_birth": { "new": "2012-03-04" },
            "register_status": { "new": { "status": "on_register", "since": "2026-09-01" } } } },
        { "seq": 2, "record_id": "0193d000-0000-7000-8000-000000000032", "kind": "rating_change", "changes": {
            "person_id": { "new": PERSON }, "to": { "new": "green" }, "reason": { "new": "Discussed at the DSR meeting" },
            "by": { "new": "Jo Coordinator" }, "at": { "new": "2026-10-01T10:00:00Z" }, "source": { "new": "dsr_meeting" } } } ] });
    server.post_json("/api/sync/push", &body).await;

    let browser = Browser::start().await;
    browser.resize(768, 1024).await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(&ids::person_link(PERSON)).await;
    browser.wait_for_text(ids::PERSON_NAME, "Green").await;
    browser.click(ids::ADD_RISK_ASSESSMENT).await;
    // The under-18 checklist; nothing answered yet.
    assert_eq!(score(&browser).await, ("0".to_string(), "Green".to_string()));
    answer(&browser, "admission_history", true).await;
    answer(&browser, "behaviours_that_challenge", true).await;
    browser.wait_until("the score follows", "done(document.getElementById('risk-score').dataset.score === '4')").await;
    assert_eq!(score(&browser).await.1, "Green");
    answer(&browser, "recent_crises", true).await;
    browser
        .wait_until("Amber from 5", "done(document.getElementById('risk-score').dataset.suggested === 'Amber')")
        .await;
    assert_eq!(score(&browser).await.0, "6");
    for key in [
        "significant_life_events",
        "mental_physical_health",
        "transition",
        "education_breakdown",
        "support_staff_changes",
    ] {
        answer(&browser, key, false).await;
    }
    // Wait for a draft holding every answer given (the first draft already names every question, with
    // empty answers: waiting for a name alone could pass before the last answers were written).
    let answered = [
        "admission_history",
        "behaviours_that_challenge",
        "recent_crises",
        "significant_life_events",
        "mental_physical_health",
        "transition",
        "education_breakdown",
        "support_staff_changes",
    ];
    browser
        .wait_until(
            "the draft holds every answer",
            &format!(
                "const v = JSON.parse(document.getElementById('{}')?.dataset.values || '{{}}'); done({:?}.every(k => v[k]))",
                ids::DRAFT_SAVED,
                answered
            ),
        )
        .await;
    // The tablet sleeps and the page reloads: the answers are put back.
    browser.reload().await;
    browser.unlock(dsr_e2e_tests::PASSWORD).await;
    browser.element(ids::DRAFT_RESTORED).await;
    browser.wait_until("answers restored", "done(document.getElementById('risk-score')?.dataset.score === '6')").await;
    assert!(browser.element(&ids::risk_answer("recent_crises", true)).await.is_selected().await.unwrap_or(false));

    // Two questions left unanswered, nothing chosen: both are named.
    browser.click(ids::SAVE_RISK).await;
    let errors = browser.wait_for_text(ids::ERROR_SUMMARY, "Confirm the suggested rating").await;
    assert!(errors.contains("Answer every question (2 left)"), "{errors}");
    answer(&browser, "youth_justice", false).await;
    answer(&browser, "alcohol_substance_misuse", false).await;
    browser.screenshot("risk-checklist").await;
    // Red instead of the suggested Amber: a reason is needed.
    browser.click(&ids::risk_confirm("Red")).await;
    browser.click(ids::SAVE_RISK).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "Say why the rating differs").await;
    browser.type_into(ids::RISK_REASON, "Placement ends next week with nothing in place").await;
    browser.click(ids::SAVE_RISK).await;
    browser.wait_for_text(ids::NOTICE, "The risk checklist was saved on this device: Red").await;
    browser.wait_for_text(ids::PERSON_NAME, "Red").await;
    let history = browser.wait_for_text(ids::RATING_HISTORY, "Placement ends next week").await;
    assert!(history.contains("Risk tool") && history.contains("suggests Amber"), "{history}");
    browser.screenshot("risk-in-history").await;

    // On the server: the assessment with its version, score and suggestion, and the rating change.
    browser.wait_for_text(ids::UNSYNCED, "Everything saved on this device has been sent").await;
    let page = server.get_json(&format!("/api/sync/pull?client_id={}&cursor=0", dsr_e2e_tests::HARNESS_CLIENT)).await;
    let of_kind = |kind: &str| -> Vec<Value> {
        page["changes"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c["record"]["kind"] == kind)
            .collect()
    };
    let assessment = of_kind("risk_assessment").pop().unwrap_or_else(|| panic!("no assessment on the server: {page}"));
    let fields = &assessment["record"]["fields"];
    assert_eq!((fields["tool_version"].clone(), fields["score"].clone()), (json!(1), json!(6)));
    assert_eq!((fields["suggested"].clone(), fields["confirmed"].clone()), (json!("amber"), json!("red")));
    let change = of_kind("rating_change").pop().unwrap_or_else(|| panic!("no rating change"));
    assert_eq!(change["record"]["fields"]["source"], "risk_tool");
    assert_eq!(change["record"]["fields"]["from"], "green");
    browser.quit().await;
}
