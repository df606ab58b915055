//! The panel's key lines of enquiry on tablets (issue 17): the papers stay closed until consent for the
//! review is recorded; two panel members, each on their own tablet with no network, record findings on
//! different lines of enquiry (and both on one), then sync: every finding is on the server, nobody's
//! was written over, each tablet shows the other's, the lines not covered are listed, and the report
//! is built from them.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use dsr_e2e_tests::{Browser, PASSWORD, Server, ids};
use serde_json::json;
use thirtyfour::By;

const PERSON: &str = "0193d000-0000-7000-8000-000000000171";
const REVIEW: &str = "0193d000-0000-7000-8000-000000000174";

/// Opens a page of the app on this browser after a full load (which asks for the password again).
async fn open(browser: &Browser, server: &Server, path: &str) {
    browser.goto(&format!("{}{path}", server.url)).await;
    browser.unlock(PASSWORD).await;
}

async fn present(browser: &Browser, id: &str) -> bool {
    browser.driver.find(By::Id(id)).await.is_ok()
}

/// Brings an element to the top of the window (for a screenshot of it).
async fn scroll_to(browser: &Browser, id: &str) {
    let script = format!("document.getElementById('{id}').scrollIntoView()");
    browser.driver.execute(&script, Vec::new()).await.unwrap_or_else(|e| panic!("scroll to #{id}: {e}"));
}

#[tokio::test(flavor = "multi_thread")]
async fn two_panel_members_record_the_lines_of_enquiry_offline_and_the_papers_wait_for_consent() {
    let server = Server::start().await;
    let today = chrono::Local::now().date_naive();
    let born = today.checked_sub_signed(chrono::TimeDelta::days(14 * 366)).unwrap_or(today).to_string();
    // Alex, 14, on the register; a community CETR arranged for today; no consent for it yet.
    let pushed = server
        .post_json(
            "/api/sync/push",
            &json!({ "client_id": "0193d000-0000-7000-8000-0000000d0171", "mutations": [
                { "seq": 1, "record_id": PERSON, "kind": "person", "changes": {
                    "given_name": { "new": "Alex" }, "family_name": { "new": "Enquiry" }, "date_of_birth": { "new": born },
                    "register_status": { "new": { "status": "on_register", "since": "2026-09-01" } } } },
                { "seq": 2, "record_id": "0193d000-0000-7000-8000-000000000173", "kind": "consent", "changes": {
                    "person_id": { "new": PERSON }, "scope": { "new": "register" }, "given_on": { "new": "2026-09-01" },
                    "given_by": { "new": { "kind": "parental_responsibility", "name": "Sam Parent", "relationship": "Mother", "child_agreed": true } },
                    "recorded_by": { "new": "Jo Coordinator" } } },
                { "seq": 3, "record_id": REVIEW, "kind": "review", "changes": {
                    "person_id": { "new": PERSON }, "kind": { "new": "community" }, "name": { "new": "cetr" },
                    "status": { "new": "arranged" }, "requested_on": { "new": today.to_string() },
                    "meeting_on": { "new": today.to_string() }, "kloe_version": { "new": 1 } } } ] }),
        )
        .await;
    assert_eq!(pushed.to_string().matches("\"applied\"").count(), 3, "{pushed}");
    for panel in ["kim.panel", "lee.panel"] {
        let id = server.staff(panel, "panel_member").await;
        server.post_json(&format!("/api/users/{id}/people"), &json!({ "person_id": PERSON })).await;
    }
    let papers = format!("/people/{PERSON}/reviews/{REVIEW}/papers");
    let meeting = format!("/people/{PERSON}/reviews/{REVIEW}/meeting");

    // 1. The coordinator records the papers as they come. Without consent, none opens.
    let coordinator = Browser::start().await;
    coordinator.resize(1024, 768).await;
    coordinator.sign_in_as_coordinator(&server).await;
    coordinator.wait_for_text(ids::REGISTER_TABLE, "Alex Enquiry").await;
    open(&coordinator, &server, &papers).await;
    coordinator.wait_for_text(ids::PAPERS_CLOSED, "opens none of the papers").await;
    let list = coordinator.wait_for_text(ids::PAPERS, "The crisis plan").await;
    assert!(list.contains("Closed until consent") && !list.contains("restraint"), "a community review's list: {list}");
    assert!(!present(&coordinator, &ids::paper_open("planner")).await);
    coordinator.click(&ids::paper_received("planner")).await;
    coordinator.type_into(&ids::paper_from("planner"), "Alex, with Ali Advocate").await;
    coordinator.click(&ids::paper_received("crisis_plan")).await;
    coordinator.type_into(&ids::paper_from("crisis_plan"), "Community learning disability team").await;
    coordinator.click(ids::SAVE_PAPERS).await;
    coordinator.wait_for_text(ids::NOTICE, "The papers were saved on this device").await;
    coordinator.all_sent().await;
    let records = server.people().await;
    let review = records.iter().find(|r| r["id"] == REVIEW).unwrap_or_else(|| panic!("{records:?}"));
    let received: Vec<(&str, &str)> = review["papers"]
        .as_array()
        .map(|p| p.iter().map(|p| (p["paper"].as_str().unwrap_or(""), p["from"].as_str().unwrap_or(""))).collect())
        .unwrap_or_default();
    assert_eq!(
        received,
        [("planner", "Alex, with Ali Advocate"), ("crisis_plan", "Community learning disability team")],
        "{review}"
    );

    // 2. A panel member's tablet holds nothing of Alex's before consent for the review: not even who
    // Alex is, let alone the papers.
    let kim = Browser::start().await;
    kim.resize(1024, 768).await;
    kim.sign_in(&server, "kim.panel", PASSWORD).await;
    let before_consent = server.latest_change().await;
    kim.wait_for_cursor(before_consent).await;
    let held = kim.record_ids().await;
    assert!(!held.contains(PERSON), "the panel holds Alex's record before consent: {held:?}");

    // 3. Consent for the review is recorded: the papers open.
    server
        .post_json(
            "/api/sync/push",
            &json!({ "client_id": "0193d000-0000-7000-8000-0000000d0171", "mutations": [
                { "seq": 4, "record_id": "0193d000-0000-7000-8000-000000000175", "kind": "consent", "changes": {
                    "person_id": { "new": PERSON }, "scope": { "new": "review" }, "review_id": { "new": REVIEW },
                    "given_on": { "new": today.to_string() },
                    "given_by": { "new": { "kind": "parental_responsibility", "name": "Sam Parent", "relationship": "Mother", "child_agreed": true } },
                    "recorded_by": { "new": "Jo Coordinator" } } } ] }),
        )
        .await;
    let latest = server.latest_change().await;
    kim.wait_for_cursor(latest).await;
    kim.wait_for_text(ids::REGISTER_TABLE, "Alex Enquiry").await;
    open(&kim, &server, &papers).await;
    let list = kim.wait_for_text(ids::PAPERS, "Received from Alex, with Ali Advocate").await;
    assert!(!list.contains("Closed until consent"), "{list}");
    kim.element(&ids::paper_open("planner")).await;
    assert!(!present(&kim, ids::PAPERS_CLOSED).await);
    assert!(!present(&kim, ids::SAVE_PAPERS).await, "the panel records no papers");
    assert_eq!(kim.sideways_overflow().await, Vec::<String>::new(), "the papers on a tablet");

    // 4. The meeting: each on their own tablet, with no network.
    let lee = Browser::start().await;
    lee.resize(1024, 768).await;
    lee.sign_in(&server, "lee.panel", PASSWORD).await;
    lee.wait_for_cursor(latest).await;
    for tablet in [&kim, &lee] {
        tablet.wait_for_offline_shell().await;
        open(tablet, &server, &meeting).await;
        tablet.element(&ids::prompt_words("medication")).await;
        tablet.set_offline(true).await;
    }
    let recorded = [
        (&kim, "medication", "concern", "Three medicines, none reviewed this year"),
        (&lee, "family", "good_practice", "Mum is at every planning meeting"),
        (&kim, "risk", "finding", "Kim: the crisis plan is out of date"),
        (&lee, "risk", "finding", "Lee: risks at home are managed well"),
    ];
    for (tablet, prompt, mark, words) in recorded {
        tablet.click(&ids::prompt_mark(prompt, mark)).await;
        tablet.type_into(&ids::prompt_words(prompt), words).await;
        tablet.click(&ids::save_prompt(prompt)).await;
        tablet.wait_for_text(&ids::prompt_recorded(prompt), words).await;
    }
    kim.wait_for_text(&ids::coverage("is_the_person_safe"), "2 of 5 covered").await;
    lee.wait_for_text(&ids::coverage("good_care_now"), "1 of 7 covered").await;
    scroll_to(&kim, ids::KLOE_COVERAGE).await;
    kim.screenshot("kloe-tablet-offline").await;

    // 5. Both back online: everything is on the server, nobody's words written over, no conflict.
    for tablet in [&kim, &lee] {
        tablet.set_offline(false).await;
        tablet.all_sent().await;
    }
    let records = server.people().await;
    let findings: Vec<(String, String, String)> = records
        .iter()
        .filter(|r| r["review_id"] == REVIEW && r.get("mark").is_some())
        .map(|r| {
            let text = |f: &str| r[f].as_str().unwrap_or_default().to_string();
            (text("prompt"), text("mark"), text("finding"))
        })
        .collect();
    assert_eq!(findings.len(), 4, "{findings:?}");
    for (_, prompt, mark, words) in recorded {
        assert!(findings.contains(&(prompt.into(), mark.into(), words.into())), "{prompt}: {findings:?}");
    }
    let conflicts = server.get_json("/api/sync/conflicts").await;
    assert_eq!(conflicts.as_array().map(Vec::len), Some(0), "{conflicts}");

    // Each tablet shows what the other recorded, and what is left to cover.
    let latest = server.latest_change().await;
    for tablet in [&kim, &lee] {
        tablet.wait_for_cursor(latest).await;
    }
    kim.wait_for_text(&ids::prompt_recorded("family"), "Mum is at every planning meeting").await;
    let risk = lee.wait_for_text(&ids::prompt_recorded("risk"), "Kim: the crisis plan is out of date").await;
    assert!(risk.contains("Lee: risks at home are managed well"), "{risk}");
    let safe = lee.wait_for_text(&ids::coverage("is_the_person_safe"), "2 of 5 covered").await;
    assert!(safe.contains("Not covered yet: Safeguarding, Restrictive practices, Physical health"), "{safe}");
    scroll_to(&lee, &ids::prompt("risk")).await;
    lee.screenshot("kloe-after-sync").await;
    lee.resize(768, 1024).await;
    assert_eq!(lee.sideways_overflow().await, Vec::<String>::new(), "the meeting page on a tablet held upright");

    // 6. The report's findings come from the lines of enquiry, in the template's order.
    open(&coordinator, &server, &format!("/people/{PERSON}/reviews/{REVIEW}/report")).await;
    coordinator.wait_for_cursor(latest).await;
    open(&coordinator, &server, &format!("/people/{PERSON}/reviews/{REVIEW}/report")).await;
    let report = coordinator.wait_for_text(ids::REPORT, "Concern: Three medicines, none reviewed this year").await;
    for expected in [
        "Good practice: Mum is at every planning meeting",
        "Kim: the crisis plan is out of date",
        "Lee: risks at home are managed well",
        "Not covered at this review: Safeguarding, Restrictive practices, Physical health.",
    ] {
        assert!(report.contains(expected), "{expected:?} missing from the report: {report}");
    }
    let medication = report.find("Three medicines").unwrap_or_default();
    let risk = report.find("Kim: the crisis plan").unwrap_or_default();
    assert!(medication < risk, "medication comes before risk in the template: {report}");
    coordinator
        .driver
        .execute(
            "[...document.querySelectorAll('h2')].find(h => h.textContent === 'What the panel found').scrollIntoView()",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    coordinator.screenshot("kloe-report").await;
    for browser in [coordinator, kim, lee] {
        browser.quit().await;
    }
}
