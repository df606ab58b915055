//! A Care, Education and Treatment Review from end to end, on tablet-sized windows: the coordinator
//! arranges it and records consent for it; the family fills in the planner and their views on their own
//! account; the panel records its findings, who came and the feedback with no network; recommendations
//! and actions follow and the review re-rates the person; the report prints to a PDF that says it all
//! (and none of the app around it), is shared and is read by the family; and an action left open past
//! its date shows as overdue on the register, the person page and the follow-up list.

#![allow(clippy::panic, reason = "a failed step fails the test with a message")]

use chrono::{Datelike, NaiveDate};
use dsr_e2e_tests::{Browser, PASSWORD, Server, ids, squeeze};
use serde_json::json;
use thirtyfour::By;

const PERSON: &str = "0193d000-0000-7000-8000-000000000071";

/// Today on this machine (as the app in the browser sees it) plus `days`.
fn day_from_today(days: i64) -> NaiveDate {
    let today = chrono::Local::now().date_naive();
    today.checked_add_signed(chrono::TimeDelta::days(days)).unwrap_or(today)
}

async fn type_date(browser: &Browser, parts: [&str; 3], days: i64) {
    let day = day_from_today(days);
    for (id, value) in parts
        .into_iter()
        .zip([day.day(), day.month()].map(|n| n.to_string()).into_iter().chain([day.year().to_string()]))
    {
        browser.element(id).await.clear().await.ok();
        browser.type_into(id, &value).await;
    }
}

async fn click_if_present(browser: &Browser, id: &str) {
    if let Ok(element) = browser.driver.find(By::Id(id)).await {
        element.click().await.unwrap_or_else(|e| panic!("{id}: {e}"));
    }
}

async fn text_of(browser: &Browser, id: &str) -> String {
    browser.element(id).await.text().await.unwrap_or_default()
}

/// Opens a page of the app on this browser after a full load (which asks for the password again).
async fn open(browser: &Browser, server: &Server, path: &str, password: &str) {
    browser.goto(&format!("{}{path}", server.url)).await;
    browser.unlock(password).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_review_is_arranged_prepared_held_offline_reported_and_followed_up() {
    let server = Server::start().await;
    // Alex, 15, on the register with consent and a keyworker, rated Amber.
    let born = day_from_today(-15 * 366).to_string();
    server
        .post_json(
            "/api/sync/push",
            &json!({ "client_id": "0193d000-0000-7000-8000-0000000d0071", "mutations": [
                { "seq": 1, "record_id": PERSON, "kind": "person", "changes": {
                    "given_name": { "new": "Alex" }, "family_name": { "new": "Reviewed" }, "date_of_birth": { "new": born },
                    "keyworker_referral_offered": { "new": "2026-09-01" },
                    "keyworker": { "new": { "name": "Kim Keyworker", "role": "Keyworker" } },
                    "register_status": { "new": { "status": "on_register", "since": "2026-09-01" } } } },
                { "seq": 2, "record_id": "0193d000-0000-7000-8000-000000000072", "kind": "rating_change", "changes": {
                    "person_id": { "new": PERSON }, "to": { "new": "amber" }, "reason": { "new": "Discussed at the DSR meeting" },
                    "by": { "new": "Jo Coordinator" }, "at": { "new": "2026-10-01T10:00:00Z" }, "source": { "new": "dsr_meeting" } } },
                { "seq": 3, "record_id": "0193d000-0000-7000-8000-000000000073", "kind": "consent", "changes": {
                    "person_id": { "new": PERSON }, "scope": { "new": "register" }, "given_on": { "new": "2026-09-01" },
                    "given_by": { "new": { "kind": "parental_responsibility", "name": "Sam Parent", "relationship": "Mother", "child_agreed": true } },
                    "recorded_by": { "new": "Jo Coordinator" } } } ] }),
        )
        .await;
    // The panel member, and the family's account (invited by the coordinator, accepted by the family).
    let panel_id = server.staff("pat.panel", "panel_member").await;
    server.post_json(&format!("/api/users/{panel_id}/people"), &json!({ "person_id": PERSON })).await;
    let invite = server.post_json("/api/invites", &json!({ "display_name": "Sam Parent", "person_id": PERSON })).await;
    let code = invite["code"].as_str().unwrap_or_default().to_string();
    let accepted = reqwest::Client::new()
        .post(format!("{}/api/invites/accept", server.url))
        .json(&json!({ "code": code, "username": "sam.parent", "password": "our family password" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(accepted.status().is_success(), "{}", accepted.status());

    // 1. Arranging: the coordinator requests the review from Alex's page.
    let coordinator = Browser::start().await;
    coordinator.resize(768, 1024).await;
    coordinator.sign_in_as_coordinator(&server).await;
    coordinator.click(&ids::person_link(PERSON)).await;
    coordinator.click(ids::ARRANGE_REVIEW).await;
    coordinator.wait_for_text(ids::REVIEW_NAME, "Care, Education and Treatment Review (CETR)").await;
    // A date three weeks ahead: the dates that follow are shown as it is typed.
    type_date(&coordinator, [ids::REVIEW_DAY, ids::REVIEW_MONTH, ids::REVIEW_YEAR], 21).await;
    let dates = coordinator.wait_for_text(ids::REVIEW_DATES, "Arrangements start by").await;
    assert!(dates.contains("Papers to the panel by") && !dates.contains("less than the usual notice"), "{dates}");
    // The meeting is today after all: the page says the notice is short.
    type_date(&coordinator, [ids::REVIEW_DAY, ids::REVIEW_MONTH, ids::REVIEW_YEAR], 0).await;
    coordinator.wait_for_text(ids::REVIEW_DATES, "less than the usual notice").await;
    coordinator.type_into(ids::REVIEW_PLACE, "Riverside School").await;
    coordinator.click(&ids::review_format("both")).await;
    coordinator.type_into(ids::REVIEW_CHAIR, "Dr Chair Commissioner").await;
    coordinator.type_into(ids::REVIEW_CLINICAL_EXPERT, "Kim Clinical").await;
    coordinator.type_into(ids::REVIEW_EXPERT_BY_EXPERIENCE, "Lee Experience").await;
    coordinator.type_into(ids::REVIEW_ATTENDEES, "Sam Parent, mother\nJo Advocate, advocate\nRiley Teacher").await;
    coordinator.click(ids::SAVE_REVIEW).await;
    coordinator.wait_for_text(ids::ERROR_SUMMARY, "Line 3").await;
    coordinator.element(ids::REVIEW_ATTENDEES).await.clear().await.ok();
    coordinator
        .type_into(ids::REVIEW_ATTENDEES, "Sam Parent, mother\nJo Advocate, advocate\nRiley Teacher, school SENCo")
        .await;
    coordinator.screenshot("review-arrange").await;
    coordinator.click(ids::SAVE_REVIEW).await;
    coordinator.wait_for_text(ids::NOTICE, "The CETR was saved on this device").await;
    coordinator.wait_for_text(ids::REVIEW_STATUS, "Arranged").await;
    coordinator.wait_for_text(ids::REVIEW_CONSENT, "Not recorded yet").await;
    let review_path = coordinator.path().await;
    let review_id = review_path.rsplit('/').next().unwrap_or_default().to_string();
    // Consent for this review, so the panel may open the papers.
    coordinator.click(ids::RECORD_REVIEW_CONSENT).await;
    assert_eq!(
        coordinator.element(ids::CONSENT_SCOPE_REVIEW).await.prop("checked").await.ok().flatten().as_deref(),
        Some("true")
    );
    coordinator.click(ids::CONSENT_BY_PARENT).await;
    coordinator.type_into(ids::CONSENT_PARENT_NAME, "Sam Parent").await;
    coordinator.type_into(ids::CONSENT_PARENT_RELATIONSHIP, "Mother").await;
    click_if_present(&coordinator, ids::CONSENT_CHILD_AGREED).await;
    coordinator.click(ids::SAVE_CONSENT).await;
    coordinator.wait_for_text(ids::REVIEW_CONSENT, "the panel can open the papers").await;
    coordinator.click(ids::PAPERS_SENT).await;
    coordinator.wait_for_text(ids::REVIEW_DATES, "Papers went to the panel on").await;
    coordinator.screenshot("review-page").await;
    coordinator.all_sent().await;
    let records = server.people().await;
    let review = records.iter().find(|r| r["id"] == review_id.as_str()).unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(review["name"], "cetr", "{review}");
    assert_eq!(review["status"], "arranged", "{review}");
    // The panel will work from the area's key lines of enquiry as they are now (version 1).
    assert_eq!(review["kloe_version"], 1, "{review}");
    assert!(review["papers_sent_on"].is_string(), "{review}");
    assert_eq!(review["attendees"].as_array().map(Vec::len), Some(3), "{review}");
    assert!(records.iter().any(|r| r["scope"] == "review" && r["review_id"] == review_id.as_str()), "{records:?}");

    // 2. The coordinator, with no signal, starts the planner with something the young person said on
    // the phone; meanwhile the family starts it too, on their own account. One planner comes of it.
    coordinator.set_offline(true).await;
    coordinator.click(ids::OPEN_PLANNER).await;
    coordinator.type_into(&ids::planner_answer("other_support"), "Respite at weekends, Alex said on the phone").await;
    coordinator.click(ids::SAVE_PLANNER).await;
    coordinator.wait_for_text(ids::NOTICE, "The planner was saved on this device").await;

    // The family fills in the planner on their own account; the draft survives a reload.
    let family = Browser::start().await;
    family.resize(768, 1024).await;
    family.sign_in(&server, "sam.parent", "our family password").await;
    // Their own home, not the staff register: what is happening, in plain words, and what they can do.
    family.wait_for_text(ids::FAMILY_HOME_HEADING, "Your child's review").await;
    let home = family.wait_for_text(&ids::family_home(PERSON), "Alex's review meeting (CETR) is today").await;
    assert!(home.contains("at Riverside School") && home.contains("Help Alex fill in their planner"), "{home}");
    assert!(family.driver.find(thirtyfour::By::Id(ids::REGISTER_TABLE)).await.is_err(), "no register for a family");
    family.screenshot("family-home").await;
    family.click(&ids::family_task("planner")).await;
    family.element(&ids::planner_answer("are_you_safe")).await;
    // The meeting is today: the planner does not say "before the meeting".
    let intro = family.wait_for_text(ids::PLANNER_INTRO, "Your meeting is today").await;
    assert!(!intro.contains("before"), "{intro}");
    // Easy read: one question to a screen, in short words.
    family.click(ids::EASY_READ).await;
    family.wait_for_text(ids::EASY_READ_STEP, "Question 1 of 12").await;
    let shown = |id: &str| format!("document.getElementById('{id}').offsetParent !== null");
    family
        .wait_until(
            "only the first question is shown",
            &format!("done({} && !({}))", shown("answer-current_situation"), shown("answer-are_you_safe")),
        )
        .await;
    family.click(ids::EASY_READ_NEXT).await;
    family.click(ids::EASY_READ_NEXT).await;
    family.wait_for_text(ids::EASY_READ_STEP, "Question 3 of 12").await;
    family
        .wait_until(
            "the third question, in easy read",
            &format!(
                "done(document.querySelector(\"label[for='answer-are_you_safe']\").textContent === 'Do you feel safe?' && {})",
                shown("answer-are_you_safe")
            ),
        )
        .await;
    family.type_into(&ids::planner_answer("are_you_safe"), "I feel safe at home with Mum.\nNot at school.").await;
    // A picture beside every screen, each its own, served with the app (and kept for offline use).
    family
        .wait_until(
            "a picture for each of the 12 screens, every one served as SVG",
            "const pics = [...document.querySelectorAll('.dsr-easy-step .dsr-easy-question .dsr-picture')];
             Promise.all(pics.map(p => fetch(p.src).then(r => r.ok && r.headers.get('content-type').startsWith('image/svg'))))
               .then(ok => done(pics.length === 12 && new Set(pics.map(p => p.src)).size === 12 && ok.every(Boolean)))
               .catch(() => done(false));",
        )
        .await;
    family
        .wait_until(
            "the shield beside 'Do you feel safe?', shown and loaded, with large buttons",
            "const p = document.getElementById('answer-are_you_safe').closest('.dsr-easy-step').querySelector('.dsr-easy-question .dsr-picture');
             const next = document.getElementById('easy-read-next').getBoundingClientRect();
             done(p.complete && p.naturalWidth > 0 && p.offsetParent !== null && p.getAttribute('alt') === ''
                  && p.src.endsWith('/pictures/1F6E1.svg') && next.height >= 48 && next.width >= 120);",
        )
        .await;
    // "Read this to me" reads the screen and what was written, in English (UK) (speak is stubbed to
    // record what it is given: the test machine has no voices).
    family
        .driver
        .execute(
            "window.spoken = []; speechSynthesis.speak = u => window.spoken.push({ text: u.text, lang: u.lang });",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("stub speechSynthesis.speak: {e}"));
    family.click(&ids::read_aloud(2)).await;
    family
        .wait_until(
            "the question and the answer read aloud in en-GB",
            "done(window.spoken.length === 1 && window.spoken[0].lang === 'en-GB'
                  && window.spoken[0].text.startsWith('Safe means nobody hurts you.')
                  && window.spoken[0].text.includes('Do you feel safe? You wrote: I feel safe at home with Mum.'))",
        )
        .await;
    family.wait_for_text(&ids::read_aloud(2), "Stop reading").await;
    // The introduction too.
    family.click(&format!("{}-read", ids::EASY_READ_INTRO)).await;
    family
        .wait_until(
            "the easy-read introduction read aloud",
            "done(window.spoken.length === 2 && window.spoken[1].text.startsWith('This is your planner. It is your chance'))",
        )
        .await;
    family.element(ids::PICTURES_CREDIT).await;
    family.screenshot("planner-easy-read").await;
    // The last screens are the rest of the planner, one at a time, each with its picture.
    for _ in 3..12 {
        family.click(ids::EASY_READ_NEXT).await;
    }
    family.wait_for_text(ids::EASY_READ_STEP, "Question 12 of 12").await;
    family
        .wait_until(
            "the last screen: anything you do not agree with",
            &format!("done({} && !({}))", shown(ids::DISAGREEMENT), shown(ids::PLANNER_WHO_WITH)),
        )
        .await;
    family.screenshot("planner-easy-read-last").await;
    // Every question on one page again.
    family.click(ids::EASY_READ).await;
    family.type_into(&ids::planner_answer("what_is_working"), "Drawing helps me calm down").await;
    family.click(&ids::take_part("video")).await;
    family.type_into(ids::PLANNER_WHO_WITH, "Mum and Jo").await;
    family.type_into(ids::PLANNER_COMMUNICATION, "Pictures, and time to answer").await;
    family.type_into(ids::DISAGREEMENT, "I do not want to go to a residential school").await;
    family.wait_until("the draft is saved", "done(!!document.querySelector('[data-values*=\"residential\"]'))").await;
    family.reload().await;
    family.unlock("our family password").await;
    family.element(ids::DRAFT_RESTORED).await;
    assert_eq!(
        family.input_value(&ids::planner_answer("are_you_safe")).await,
        "I feel safe at home with Mum.\nNot at school."
    );
    family.click(ids::SAVE_PLANNER).await;
    family.wait_for_text(ids::NOTICE, "The planner was saved on this device").await;
    // Back on their home: the planner is started; their views next.
    family.wait_for_text(&ids::family_home(PERSON), "Started").await;
    family.click(&ids::family_task("family-views")).await;
    // The family's own questions, not the young person's.
    family
        .wait_until(
            "the family's own questions",
            "done(document.querySelector(\"label[for='answer-worries']\")?.textContent === 'What worries you most at the moment?' && !document.getElementById('answer-are_you_safe'))",
        )
        .await;
    family.type_into(&ids::planner_answer("worries"), "That school breaks down again").await;
    family.type_into(ids::VIEWS_RELATIONSHIP, "Mother").await;
    family.type_into(ids::VIEWS_ANYTHING_ELSE, "We need respite at weekends").await;
    family.click(ids::SAVE_FAMILY_VIEWS).await;
    family.wait_for_text(ids::NOTICE, "Your views were saved on this device").await;
    family.all_sent().await;
    coordinator.set_offline(false).await;
    coordinator.all_sent().await;
    let records = server.records().await;
    let of_kind = |kind: &str| -> Vec<&serde_json::Value> {
        records
            .iter()
            .filter(|(k, _, f)| k == kind && f["review_id"] == review_id.as_str())
            .map(|(_, _, f)| f)
            .collect()
    };
    let planners = of_kind("planner");
    assert_eq!(planners.len(), 1, "one planner for the review: {planners:?}");
    assert_eq!(planners[0]["other_support"], "Respite at weekends, Alex said on the phone", "{}", planners[0]);
    assert_eq!(planners[0]["are_you_safe"], "I feel safe at home with Mum.\nNot at school.", "{}", planners[0]);
    let views = of_kind("family_views");
    assert_eq!((views.len(), &views[0]["worries"]), (1, &json!("That school breaks down again")), "{views:?}");
    let conflicts = server.get_json("/api/sync/conflicts").await;
    assert_eq!(conflicts.as_array().map(Vec::len), Some(0), "{conflicts}");

    // 3. The panel, in a meeting room with no network: the meeting page opens and saves offline.
    let panel = Browser::start().await;
    panel.resize(1024, 768).await;
    panel.sign_in(&server, "pat.panel", PASSWORD).await;
    panel.wait_for_text(ids::REGISTER_TABLE, "Alex Reviewed").await;
    panel.wait_for_offline_shell().await;
    panel.click(&ids::person_link(PERSON)).await;
    panel.click(&ids::review_link(&review_id)).await;
    panel.click(ids::OPEN_MEETING).await;
    panel.element(&ids::prompt_words("risk")).await;
    panel.set_offline(true).await;
    panel.reload().await;
    panel.unlock(PASSWORD).await;
    panel.element(&ids::prompt_words("education")).await;
    let page = panel
        .driver
        .execute("return document.getElementById('maincontent').textContent", Vec::new())
        .await
        .map(|v| v.json().as_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    assert!(page.contains("What are the plans for the future, including education?"), "{page}");
    assert!(page.contains("I feel safe at home with Mum."), "the planner is there to read: {page}");
    // The panel works through the lines of enquiry: each saved on the tablet as it is recorded, and the
    // page goes on to the next one not covered.
    for (prompt, mark, words) in [
        ("risk", "finding", "Safe at home; two incidents at school this term"),
        ("adjustments", "concern", "No autism-informed support at school"),
        ("family", "good_practice", "CAMHS sees Alex fortnightly and involves Mum"),
        ("education", "finding", "No school place agreed for next year"),
        ("transition", "concern", "Transition to college not planned"),
        ("community_support", "finding", "Yes, with an EHC plan and respite at weekends"),
    ] {
        panel.click(&ids::prompt_mark(prompt, mark)).await;
        panel.type_into(&ids::prompt_words(prompt), words).await;
        panel.click(&ids::save_prompt(prompt)).await;
        panel.wait_for_text(&ids::prompt_recorded(prompt), words).await;
    }
    // "Not covered" needs no words; the question's count and the list of what is left follow.
    panel.click(&ids::prompt_mark("medication", "not_covered")).await;
    panel.click(&ids::save_prompt("medication")).await;
    panel.wait_for_text(&ids::prompt_recorded("medication"), "not covered").await;
    let safe = panel.wait_for_text(&ids::coverage("is_the_person_safe"), "2 of 5 covered").await;
    assert!(safe.contains("Not covered yet: Safeguarding, Restrictive practices, Physical health"), "{safe}");
    // The next not covered after the last saved (medication) is physical health, then round the list.
    panel.click(ids::NEXT_UNCOVERED).await;
    panel
        .wait_until(
            "the cursor is in the next line of enquiry not covered",
            "done(document.activeElement && document.activeElement.id === 'words-physical_health')",
        )
        .await;
    panel.screenshot("review-meeting-lines-of-enquiry").await;
    panel.click(&ids::attended(0)).await;
    panel.click(&ids::attended(2)).await;
    panel.click(ids::VERBAL_FEEDBACK).await;
    panel.click(ids::MEETING_HELD).await;
    panel.screenshot("review-meeting-offline").await;
    panel.click(ids::SAVE_MEETING).await;
    panel.wait_for_text(ids::NOTICE, "The meeting's record was saved on this device").await;
    panel.wait_for_text(ids::REVIEW_STATUS, "Meeting held").await;
    // Recommendations and actions, still offline.
    panel.click(ids::OPEN_ACTION_PLAN).await;
    // A recommendation is SMART: each part is asked for.
    panel.type_into(ids::RECOMMENDATION_TEXT, "Agree a school place with autism-informed support").await;
    panel.click(ids::ADD_RECOMMENDATION).await;
    let missing = panel.wait_for_text(ids::ERROR_SUMMARY, "Choose the key question it answers").await;
    assert!(missing.contains("Say who is responsible") && missing.contains("how we will know"), "{missing}");
    panel.click(&ids::recommendation_question("plans_for_the_future")).await;
    panel.click(&ids::recommendation_prompt("education")).await;
    panel.type_into(ids::RECOMMENDATION_RESPONSIBLE, "SEND case officer").await;
    type_date(&panel, [ids::RECOMMENDATION_BY_DAY, ids::RECOMMENDATION_BY_MONTH, ids::RECOMMENDATION_BY_YEAR], 42)
        .await;
    panel.type_into(ids::RECOMMENDATION_MEASURE, "Alex has a named school place in the EHC plan").await;
    panel.click(ids::ADD_RECOMMENDATION).await;
    let recommended = panel.wait_for_text(ids::RECOMMENDATIONS, "Agree a school place").await;
    assert!(recommended.contains("SEND case officer") && recommended.contains("Lines of enquiry"), "{recommended}");
    panel.click(ids::ADD_ACTION).await;
    let missing = panel.wait_for_text(ids::ERROR_SUMMARY, "Say what is to be done").await;
    assert!(missing.contains("Choose the recommendation the action is for"), "{missing}");
    let recommendation = panel
        .driver
        .execute(
            &format!("return document.getElementById('{}').options[1].value", ids::ACTION_RECOMMENDATION),
            Vec::new(),
        )
        .await
        .map(|v| v.json().as_str().unwrap_or_default().to_string())
        .unwrap_or_default();
    let choose = format!(
        "const s = document.getElementById('{}'); s.value = '{recommendation}'; s.dispatchEvent(new Event('change'));",
        ids::ACTION_RECOMMENDATION
    );
    panel.driver.execute(&choose, Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
    panel.type_into(ids::ACTION_DESCRIPTION, "Request an EHC needs assessment").await;
    panel.type_into(ids::ACTION_OWNER, "School SENCo").await;
    type_date(&panel, [ids::ACTION_DUE_DAY, ids::ACTION_DUE_MONTH, ids::ACTION_DUE_YEAR], 7).await;
    panel.click(ids::ADD_ACTION).await;
    panel.wait_for_text(ids::ACTION_PLAN, "Request an EHC needs assessment").await;
    panel.driver.execute(&choose, Vec::new()).await.unwrap_or_else(|e| panic!("{e}"));
    panel.type_into(ids::ACTION_DESCRIPTION, "Arrange weekend respite").await;
    panel.type_into(ids::ACTION_OWNER, "Social worker").await;
    type_date(&panel, [ids::ACTION_DUE_DAY, ids::ACTION_DUE_MONTH, ids::ACTION_DUE_YEAR], 60).await;
    panel.click(ids::ADD_ACTION).await;
    panel.wait_for_text(ids::ACTION_PLAN, "Arrange weekend respite").await;
    panel.screenshot("review-action-plan").await;
    assert_eq!(panel.sideways_overflow().await, Vec::<String>::new(), "the action plan on a tablet");
    panel.wait_for_text(ids::UNSYNCED, "not sent yet").await;
    panel.set_offline(false).await;
    panel.all_sent().await;
    let records = server.people().await;
    let findings: Vec<&serde_json::Value> =
        records.iter().filter(|r| r["review_id"] == review_id.as_str() && r.get("mark").is_some()).collect();
    assert_eq!(findings.len(), 7, "one record per line of enquiry: {findings:?}");
    assert!(findings.iter().all(|f| f["by"].is_string() && f["prompt"].is_string()), "{findings:?}");
    let smart = records
        .iter()
        .find(|r| r["review_id"] == review_id.as_str() && r.get("measure").is_some())
        .unwrap_or_else(|| panic!("no recommendation: {records:?}"));
    assert_eq!((&smart["question"], &smart["prompts"]), (&json!("plans_for_the_future"), &json!(["education"])));
    assert!(
        records.iter().filter(|r| r["recommendation_id"] == smart["id"]).count() == 2,
        "both actions hang off the recommendation"
    );
    let held = records.iter().find(|r| r["id"] == review_id.as_str()).unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(held["status"], "held", "{held}");
    assert_eq!(held["verbal_feedback_given"], true, "{held}");
    assert_eq!(held["attendees"][1]["attended"], false, "{held}");

    // The family does not see the report before it is shared with everyone, and their device does not
    // hold the panel's draft: no finding, recommendation or action is sent to it (issue 13).
    let outcome: Vec<String> = records
        .iter()
        .filter(|r| r["review_id"] == review_id.as_str())
        .filter(|r| r.get("mark").is_some() || r.get("owner").is_some() || r.get("measure").is_some())
        .filter_map(|r| r["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(outcome.len(), 7 + 1 + 2, "seven findings, a recommendation, two actions: {outcome:?}");
    let latest = server.latest_change().await;
    open(&family, &server, &format!("/people/{PERSON}/reviews/{review_id}/report"), "our family password").await;
    family.wait_for_text(ids::REPORT_NOT_YET, "It is due by").await;
    family.wait_for_cursor(latest).await;
    let held = family.record_ids().await;
    assert!(held.contains(&review_id), "the review itself is there: {held:?}");
    assert!(outcome.iter().all(|id| !held.contains(id)), "the draft outcome reached the family's device: {held:?}");

    // 4. The coordinator: the review re-rates Alex; an action is updated; the report prints to PDF.
    open(&coordinator, &server, &format!("/people/{PERSON}/reviews/{review_id}/actions"), PASSWORD).await;
    coordinator.wait_for_text(ids::ACTION_PLAN, "Arrange weekend respite").await;
    coordinator.click(&ids::rerate_to("red")).await;
    coordinator.type_into(ids::RERATE_REASON, "No school place; placement at risk of breaking down").await;
    coordinator.click(ids::SAVE_RERATE).await;
    coordinator.wait_for_text(ids::NOTICE, "The new rating was saved").await;
    coordinator
        .driver
        .find(By::XPath("//table[@id='action-plan']//a[contains(., 'weekend respite')]"))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    coordinator.click(&ids::action_status("in_progress")).await;
    coordinator.type_into(ids::ACTION_NOTE, "Referral made to the short breaks team").await;
    coordinator.click(ids::SAVE_ACTION_UPDATE).await;
    coordinator.wait_for_text(ids::ACTION_UPDATES, "Referral made to the short breaks team").await;
    coordinator.type_into(ids::ACTION_DISAGREEMENT, "Weekend respite should start before the summer").await;
    coordinator.click(ids::SAVE_ACTION_DISAGREEMENT).await;
    coordinator.wait_for_text(ids::ACTION_STATUS, "In progress").await;
    open(&coordinator, &server, &format!("/people/{PERSON}/reviews/{review_id}/report"), PASSWORD).await;
    let report = coordinator.wait_for_text(ids::REPORT, "What the panel found").await;
    for expected in [
        "Care, Education and Treatment Review (CETR) for Alex Reviewed",
        "I feel safe at home with Mum.",
        "We need respite at weekends",
        "No school place agreed for next year",
        "Concern: Transition to college not planned",
        "Good practice: CAMHS sees Alex fortnightly and involves Mum",
        "Not covered at this review: Safeguarding, Restrictive practices, Medication, Physical health.",
        "Agree a school place with autism-informed support",
        "Who is responsible",
        "SEND case officer",
        "Alex has a named school place in the EHC plan",
        "School SENCo",
        "I do not want to go to a residential school",
        "Weekend respite should start before the summer",
        "Could not come Jo Advocate",
    ] {
        assert!(report.contains(expected), "{expected:?} missing from the report: {report}");
    }
    coordinator.wait_for_text(ids::REPORT_DUE, "The report is due by").await;
    coordinator.type_into(ids::SHARED_WITH, "Sam Parent and everyone who took part").await;
    coordinator.click(ids::SAVE_SHARED).await;
    coordinator.wait_for_text(ids::ERROR_SUMMARY, "Say how it went to them").await;
    coordinator.click(&ids::shared_how("email")).await;
    coordinator.click(ids::SAVE_SHARED).await;
    coordinator.wait_for_text(ids::REPORT_SHARED, "Sam Parent and everyone who took part on").await;
    coordinator
        .wait_for_text(ids::REPORT_VERSIONS, "Version 1, shared with Sam Parent and everyone who took part by email")
        .await;
    coordinator.screenshot("review-report").await;
    assert_eq!(coordinator.sideways_overflow().await, Vec::<String>::new(), "the report on a tablet");
    let (text, flat) = coordinator.printed("review-report").await;
    for expected in [
        "Care, Education and Treatment Review (CETR) for Alex Reviewed",
        "Is the person safe?",
        "Safe at home; two incidents at school this term",
        "Drawing helps me calm down",
        "Request an EHC needs assessment",
        "Sam Parent and everyone who took part on",
    ] {
        assert!(flat.contains(&squeeze(expected)), "{expected:?} missing from the PDF: {text}");
    }
    for app_only in ["Print or save as PDF", "Record that it was shared", "Sign out", "Back to the review"] {
        assert!(!flat.contains(&squeeze(app_only)), "the printed report shows the app's {app_only:?}: {text}");
    }
    coordinator.all_sent().await;

    // 5. The family reads the same report in their account.
    // Their home says the report was sent, and opens it.
    open(&family, &server, "/", "our family password").await;
    family.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    family.wait_for_text(&ids::family_home(PERSON), "The report was sent today").await;
    family.click(&ids::family_task("report")).await;
    family.wait_for_text(ids::REPORT_VERSION, "This is version 1 of the report. It was sent to you on").await;
    family.wait_for_text(ids::REPORT_SHARED, "Sam Parent and everyone who took part by email on").await;
    let family_report = text_of(&family, ids::REPORT).await;
    assert!(family_report.contains("Yes, with an EHC plan and respite at weekends"), "{family_report}");
    let held = family.record_ids().await;
    assert!(outcome.iter().all(|id| held.contains(id)), "the shared outcome is on the family's device: {held:?}");
    family.screenshot("review-report-family").await;
    // The report in easy read: the same version, in short parts with a picture each, read aloud.
    family.click(ids::EASY_READ_REPORT_LINK).await;
    let easy = family.wait_for_text(ids::EASY_READ_REPORT, "Alex's report in easy read").await;
    for expected in [
        "This is version 1 of your report.",
        "This is the report from Alex's review meeting.",
        "What Alex told us",
        "Yes, with an EHC plan and respite at weekends",
        "Who will do what",
        "By when:",
        "If you have questions",
    ] {
        assert!(easy.contains(expected), "{expected:?} missing from the easy-read report: {easy}");
    }
    family
        .wait_until(
            "a loaded picture for every part of the easy-read report",
            "const parts = [...document.querySelectorAll('.dsr-easy-section')];
             done(parts.length >= 4 && parts.every(s => { const p = s.querySelector('.dsr-picture'); return p && p.complete && p.naturalWidth > 0; }));",
        )
        .await;
    family
        .driver
        .execute(
            "window.spoken = []; speechSynthesis.speak = u => window.spoken.push({ text: u.text, lang: u.lang });",
            Vec::new(),
        )
        .await
        .unwrap_or_else(|e| panic!("stub speechSynthesis.speak: {e}"));
    family.click(&ids::read_aloud_section(0)).await;
    family
        .wait_until(
            "the first part read aloud",
            "done(window.spoken.length === 1 && window.spoken[0].text.startsWith('About this report This is the report from Alex'))",
        )
        .await;
    assert_eq!(family.sideways_overflow().await, Vec::<String>::new(), "the easy-read report on a tablet");
    family.screenshot("review-report-easy-read").await;

    // A shared report never changes: a recommendation added afterwards is not in the family's version
    // until the report is shared again, as version 2.
    open(&coordinator, &server, &format!("/people/{PERSON}/reviews/{review_id}/actions"), PASSWORD).await;
    coordinator.type_into(ids::RECOMMENDATION_TEXT, "Respite at weekends, from January").await;
    coordinator.click(&ids::recommendation_question("care_in_the_community")).await;
    coordinator.type_into(ids::RECOMMENDATION_RESPONSIBLE, "Social worker").await;
    type_date(
        &coordinator,
        [ids::RECOMMENDATION_BY_DAY, ids::RECOMMENDATION_BY_MONTH, ids::RECOMMENDATION_BY_YEAR],
        45,
    )
    .await;
    coordinator.type_into(ids::RECOMMENDATION_MEASURE, "Alex has had two weekends of respite").await;
    coordinator.click(ids::ADD_RECOMMENDATION).await;
    coordinator.wait_for_text(ids::RECOMMENDATIONS, "Respite at weekends, from January").await;
    coordinator.all_sent().await;
    open(&family, &server, &format!("/people/{PERSON}/reviews/{review_id}/report"), "our family password").await;
    family.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    family.wait_for_cursor(server.latest_change().await).await;
    family.wait_for_text(ids::REPORT_VERSION, "This is version 1").await;
    assert!(
        !text_of(&family, ids::REPORT).await.contains("Respite at weekends, from January"),
        "version 1 is as it was"
    );
    open(&coordinator, &server, &format!("/people/{PERSON}/reviews/{review_id}/report"), PASSWORD).await;
    coordinator.wait_for_text(ids::REPORT_CHANGED, "different now from version 1").await;
    coordinator.type_into(ids::SHARED_WITH, "Sam Parent").await;
    coordinator.click(&ids::shared_how("post")).await;
    coordinator.click(ids::SAVE_SHARED).await;
    coordinator.wait_for_text(ids::REPORT_VERSIONS, "Version 2, shared with Sam Parent by post").await;
    coordinator.all_sent().await;
    family.reload().await;
    family.unlock("our family password").await;
    family.driver.execute("window.dispatchEvent(new Event('online'))", Vec::new()).await.ok();
    family.wait_for_text(ids::REPORT_VERSION, "This is version 2 of the report. It was sent to you on").await;
    family.wait_for_text(ids::REPORT, "Respite at weekends, from January").await;

    // 6. A week and more later, the EHC action is still open: overdue on the register, the person page
    //    and the follow-up list.
    coordinator.shift_clock_days(10).await;
    open(&coordinator, &server, "/", PASSWORD).await;
    let row = coordinator.wait_for_text(&ids::person_row(PERSON), "Overdue").await;
    assert!(row.contains("Action for School SENCo"), "{row}");
    assert!(row.contains("Red"), "the review's rating is on the register: {row}");
    coordinator
        .driver
        .execute(&format!("document.getElementById('{}').scrollIntoView()", ids::person_row(PERSON)), Vec::new())
        .await
        .ok();
    coordinator.screenshot("review-register-overdue").await;
    coordinator.click(&ids::person_link(PERSON)).await;
    let actions = coordinator.wait_for_text(ids::PERSON_ACTIONS, "Overdue").await;
    assert!(actions.contains("Request an EHC needs assessment"), "{actions}");
    coordinator.click(ids::FOLLOW_UP_LINK).await;
    let follow_up = coordinator.wait_for_text(ids::FOLLOW_UP, "School SENCo").await;
    assert!(follow_up.contains("1 overdue") && follow_up.contains("Social worker"), "{follow_up}");
    coordinator.click(ids::FOLLOW_UP_OVERDUE_ONLY).await;
    coordinator
        .wait_until(
            "only overdue actions",
            "done(!document.getElementById('follow-up').textContent.includes('Social worker'))",
        )
        .await;
    coordinator.screenshot("follow-up").await;
    assert_eq!(coordinator.sideways_overflow().await, Vec::<String>::new(), "the follow-up list on a tablet");

    // Every review page read is in the audit trail, the panel's offline reads included.
    let export = server.get_text(&format!("/api/audit/export?person_id={PERSON}")).await;
    let read = |who: &str, screen: &str| {
        export.lines().any(|l| l.contains("person.viewed") && l.contains(who) && l.contains(screen))
    };
    assert!(read("Sam Parent", "planner") && read("Sam Parent", "review report"), "{export}");
    assert!(read("Test pat.panel", "review meeting") && read("Jo Coordinator", "action plan"), "{export}");

    for browser in [coordinator, family, panel] {
        browser.quit().await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_area_shows_reviews_in_every_state() {
    let server = Server::start_with(&["--demo"]).await;
    let records = server.people().await;
    let reviews: Vec<&serde_json::Value> = records.iter().filter(|r| r.get("requested_on").is_some()).collect();
    let statuses: std::collections::BTreeSet<&str> = reviews.iter().filter_map(|r| r["status"].as_str()).collect();
    assert_eq!(statuses, ["arranged", "held", "report_shared", "requested"].into_iter().collect(), "{reviews:?}");
    let held = reviews.iter().find(|r| r["status"] == "held").unwrap_or_else(|| panic!("{reviews:?}"));
    let (person, review) = (held["person_id"].as_str().unwrap_or_default(), held["id"].as_str().unwrap_or_default());

    // The demo's first person's family: the meeting was three weeks ago and the report is overdue; they
    // are told it comes when it is shared (never a draft).
    let family = Browser::start().await;
    family.resize(768, 1024).await;
    family.sign_in(&server, "family", &server.password).await;
    // Their home says so gently: no red "Overdue", and who to ask.
    let home = family.wait_for_text(&ids::family_home(person), "should have reached you by").await;
    assert!(!home.to_lowercase().contains("overdue"), "{home}");
    family.goto(&format!("{}/people/{person}/reviews/{review}/report", server.url)).await;
    family.unlock(&server.password).await;
    family.wait_for_text(ids::REPORT_NOT_YET, "when the review team shares it").await;

    // The young person's own account: "your review", in the young person's words.
    let young = Browser::start().await;
    young.resize(768, 1024).await;
    young.sign_in(&server, "young.person", &server.password).await;
    young.wait_for_text(ids::FAMILY_HOME_HEADING, "Your review").await;
    young.wait_for_text(&ids::family_home(person), "The report should have reached you").await;
    // Who to contact, from the area's policy.
    young.wait_for_text(ids::FAMILY_CONTACT, "01632 960 001").await;
    young.screenshot("young-person-home").await;
    young.quit().await;

    // The coordinator sees it overdue; the follow-up lists the demo's open actions, overdue ones marked.
    let coordinator = Browser::start().await;
    coordinator.sign_in_as_coordinator(&server).await;
    coordinator.goto(&format!("{}/people/{person}/reviews/{review}/report", server.url)).await;
    coordinator.unlock(&server.password).await;
    coordinator.wait_for_text(ids::REPORT, "Request an EHC needs assessment").await;
    coordinator.wait_for_text(ids::REPORT_DUE, "Overdue").await;
    coordinator.screenshot("demo-review-report").await;
    // The arranged review, three weeks away, cannot be marked as held yet.
    let arranged = reviews.iter().find(|r| r["status"] == "arranged").unwrap_or_else(|| panic!("{reviews:?}"));
    let path = format!(
        "{}/people/{}/reviews/{}/meeting",
        server.url,
        arranged["person_id"].as_str().unwrap_or_default(),
        arranged["id"].as_str().unwrap_or_default()
    );
    coordinator.goto(&path).await;
    coordinator.unlock(&server.password).await;
    coordinator.click(ids::MEETING_HELD).await;
    coordinator.click(ids::SAVE_MEETING).await;
    coordinator.wait_for_text(ids::ERROR_SUMMARY, "mark it as held on the day").await;
    coordinator.goto(&server.url).await;
    coordinator.unlock(&server.password).await;
    coordinator.click(ids::FOLLOW_UP_LINK).await;
    let follow_up = coordinator.wait_for_text(ids::FOLLOW_UP, "School SENCo (demo)").await;
    assert!(follow_up.contains("overdue") && follow_up.contains("Social worker (demo)"), "{follow_up}");
    coordinator.screenshot("demo-follow-up").await;
    // Two devices, one planner: the family and the advocate open it at the same time and each answer a
    // different question. Both answers are kept, and the earlier ones too.
    let advocate = Browser::start().await;
    advocate.sign_in(&server, "advocate", &server.password).await;
    let planner_path = format!("{}/people/{person}/reviews/{review}/planner", server.url);
    for browser in [&family, &advocate] {
        browser.goto(&planner_path).await;
        browser.unlock(&server.password).await;
        browser.element(&ids::planner_answer("education")).await;
    }
    family.type_into(&ids::planner_answer("education"), "A college with a quiet room").await;
    advocate.type_into(&ids::planner_answer("other_support"), "Someone to talk to after school").await;
    for browser in [&family, &advocate] {
        browser.click(ids::SAVE_PLANNER).await;
        browser.wait_for_text(ids::NOTICE, "The planner was saved on this device").await;
        browser.all_sent().await;
    }
    let records = server.people().await;
    let planner = records
        .iter()
        .find(|r| r["review_id"] == review && r.get("take_part").is_some())
        .unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(planner["education"], "A college with a quiet room", "{planner}");
    assert_eq!(planner["other_support"], "Someone to talk to after school", "{planner}");
    assert_eq!(planner["are_you_safe"], "I feel safe at home. School is too loud.", "{planner}");
    let conflicts = server.get_json("/api/sync/conflicts").await;
    assert_eq!(conflicts.as_array().map(Vec::len), Some(0), "{conflicts}");
    for browser in [family, coordinator, advocate] {
        browser.quit().await;
    }
}
