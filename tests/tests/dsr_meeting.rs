//! The DSR meeting (issue 14, begun): a coordinator schedules the next meeting from the area's cadence,
//! records when and where it is and who chairs it, and reads its agenda, built from the register on the
//! device as of the meeting's date: everyone Red is on it, with why.

#![allow(clippy::panic, reason = "a failed step fails the test")]

use dsr_e2e_tests::{Browser, Server, ids, squeeze};
use serde_json::json;

const PERSON: &str = "0193d000-0000-7000-8000-0000000e0001";

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_schedules_the_next_meeting_and_its_agenda_lists_everyone_red_with_why() {
    let server = Server::start().await;
    // Robin, on the register with consent, rated Red a week ago with no review arranged.
    let rated = (chrono::Local::now() - chrono::Duration::days(7)).format("%Y-%m-%dT10:00:00Z").to_string();
    server
        .post_json(
            "/api/sync/push",
            &json!({ "client_id": "0193d000-0000-7000-8000-0000000e0f00", "mutations": [
                { "seq": 1, "record_id": PERSON, "kind": "person", "changes": {
                    "given_name": { "new": "Robin" }, "family_name": { "new": "Agenda" }, "date_of_birth": { "new": "2012-05-06" },
                    "keyworker_referral_offered": { "new": "2026-09-01" },
                    "register_status": { "new": { "status": "on_register", "since": "2026-09-01" } } } },
                { "seq": 2, "record_id": "0193d000-0000-7000-8000-0000000e0002", "kind": "rating_change", "changes": {
                    "person_id": { "new": PERSON }, "to": { "new": "red" }, "reason": { "new": "Placement breaking down" },
                    "by": { "new": "Jo Coordinator" }, "at": { "new": rated }, "source": { "new": "dsr_meeting" } } },
                { "seq": 3, "record_id": "0193d000-0000-7000-8000-0000000e0003", "kind": "consent", "changes": {
                    "person_id": { "new": PERSON }, "scope": { "new": "register" }, "given_on": { "new": "2026-09-01" },
                    "given_by": { "new": { "kind": "the_person", "gillick_competent": true } },
                    "recorded_by": { "new": "Jo Coordinator" } } } ] }),
        )
        .await;

    let browser = Browser::start().await;
    browser.resize(1024, 768).await;
    browser.sign_in_as_coordinator(&server).await;
    browser.click(ids::MEETINGS_LINK).await;
    browser.wait_for_text(ids::UPCOMING_MEETINGS, "No meeting is scheduled").await;
    browser.click(ids::SCHEDULE_NEXT_MEETING).await;
    browser.wait_for_text(ids::NOTICE, "was scheduled on this device").await;
    let link = browser.css(&format!("#{} a", ids::UPCOMING_MEETINGS)).await;
    link.click().await.unwrap_or_else(|e| panic!("{e}"));
    browser.wait_for_text(ids::DSR_MEETING_HEADING, "DSR meeting").await;

    // When, where, who chairs: a time that is not one is refused with the field named.
    browser.type_into(ids::DSR_MEETING_TIME, "half nine").await;
    browser.type_into(ids::DSR_MEETING_PLACE, "Room 2, County Hall").await;
    browser.type_into(ids::DSR_MEETING_CHAIR, "Jo Coordinator").await;
    browser.click(ids::SAVE_DSR_MEETING).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "Enter the time as hours and minutes").await;
    browser.type_into(ids::DSR_MEETING_TIME, "09:30").await;
    browser
        .type_into(
            ids::DSR_MEETING_ATTENDEES,
            "Jo Coordinator, DSR coordinator, ICB\nLee Education, SEND lead, council\nApologies: Kim Health, nurse, NHS trust",
        )
        .await;
    browser.click(ids::SAVE_DSR_MEETING).await;
    browser.wait_for_text(ids::DSR_MEETING_HEADING, "09:30, Room 2, County Hall").await;
    // Opened for decisions.
    browser.click(ids::OPEN_DSR_MEETING).await;
    browser.wait_for_text(ids::NOTICE, "The meeting is open").await;
    browser.element(ids::FINAL_DSR_MEETING).await;

    // The agenda: Robin under Red, with why (the C(E)TR a Red rating asks for).
    let red = browser.wait_for_text(&ids::agenda_section("red"), "Robin Agenda").await;
    assert!(red.contains("Rated Red"), "{red}");
    assert!(red.contains("Treatment Review must take place"), "{red}");
    browser
        .driver
        .execute(&format!("document.getElementById('{}').scrollIntoView()", ids::AGENDA), Vec::new())
        .await
        .ok();
    browser.screenshot("dsr-meeting-agenda").await;
    assert_eq!(browser.sideways_overflow().await, Vec::<String>::new(), "the agenda on a tablet");

    // The decision on a tablet: re-rated Amber with a reason, an action with its owner and date.
    browser.click(&ids::decision_link(PERSON)).await;
    browser.wait_for_text(ids::DECISION_HEADING, "Decision: Robin Agenda").await;
    browser.click("rating-amber").await;
    browser.click(ids::SAVE_MEETING_DECISION).await;
    browser.wait_for_text(ids::ERROR_SUMMARY, "Say why the rating changes").await;
    browser.type_into(ids::DECISION_RATING_REASON, "A school place is agreed; crisis plan in place").await;
    browser.type_into(ids::DECISION_DISCUSSION, "School confirmed a place from January").await;
    browser.type_into(ids::DECISION_ACTION, "Arrange a multi-agency meeting").await;
    browser.type_into(ids::DECISION_ACTION_OWNER, "Social worker").await;
    let due = chrono::Local::now().date_naive() + chrono::Days::new(60);
    browser.type_into(ids::DECISION_ACTION_DUE_DAY, &due.format("%-d").to_string()).await;
    browser.type_into(ids::DECISION_ACTION_DUE_MONTH, &due.format("%-m").to_string()).await;
    browser.type_into(ids::DECISION_ACTION_DUE_YEAR, &due.format("%Y").to_string()).await;
    browser.screenshot("dsr-meeting-decision").await;
    browser.click(ids::SAVE_MEETING_DECISION).await;
    browser.wait_for_text(ids::NOTICE, "The decision was saved on this device").await;
    // Back on the agenda, the person's decision is recorded.
    browser.wait_for_text(&ids::decision_link(PERSON), "Change the decision").await;
    // The chair marks the minutes final; a later change to the meeting is recorded as an amendment.
    browser.click(ids::FINAL_DSR_MEETING).await;
    browser.wait_for_text(ids::NOTICE, "The minutes are final").await;
    browser.css("#dsr-meeting-heading ~ details summary, details.nhsuk-details summary").await.click().await.ok();
    browser.type_into(ids::DSR_MEETING_PLACE, "Room 3, County Hall").await;
    browser.click(ids::SAVE_DSR_MEETING).await;
    browser.wait_for_text(ids::DSR_MEETING_AMENDMENTS, "Changed after the minutes were final: place").await;

    // The meeting, the decision and the new rating reached the server; the rating's source is the
    // meeting, dated by it.
    browser.all_sent().await;
    let records = server.people().await;
    let meeting = records.iter().find(|r| r["place"] == "Room 3, County Hall").unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!((meeting["time"].as_str(), meeting["status"].as_str()), (Some("09:30"), Some("final")));
    assert_eq!(meeting["amendments"].as_array().map(Vec::len), Some(1), "{meeting}");
    assert_eq!(meeting["attendees"][2]["present"], false, "apologies: {meeting}");
    assert_eq!(meeting["attendees"][1]["agency"], "council");
    let decision = records.iter().find(|r| r.get("meeting_on").is_some()).unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(decision["rating"]["to"], "amber");
    // The action joined the follow-up, naming the meeting.
    let action = records
        .iter()
        .find(|r| r["owner"] == "Social worker")
        .unwrap_or_else(|| panic!("no action from the meeting: {records:?}"));
    assert_eq!((&action["meeting_id"], &action["status"]), (&decision["meeting_id"], &json!("open")), "{action}");
    browser.click(ids::FOLLOW_UP_LINK).await;
    let follow_up = browser.wait_for_text(ids::FOLLOW_UP, "Arrange a multi-agency meeting").await;
    assert!(follow_up.contains("DSR meeting") && follow_up.contains("Social worker"), "{follow_up}");
    let rating = records
        .iter()
        .find(|r| r["to"] == "amber" && r["source"] == "dsr_meeting")
        .unwrap_or_else(|| panic!("no rating from the meeting: {records:?}"));
    let meeting_date = meeting["date"].as_str().unwrap_or_default();
    assert!(rating["at"].as_str().is_some_and(|at| at.starts_with(meeting_date)), "{rating} dated {meeting_date}");
    browser.quit().await;
}

const ROBIN: &str = "0193d000-0000-7000-8000-0000000e0101";
const SAM: &str = "0193d000-0000-7000-8000-0000000e0102";
const MEETING: &str = "0193d000-0000-7000-8000-0000000e0150";
const KAI: &str = "0193d000-0000-7000-8000-0000000e0103";

/// A person on the register with consent, rated Red a week ago: the mutations that make them.
fn red_person(seq: u64, id: &str, given: &str, n: u8) -> Vec<serde_json::Value> {
    let rated = (chrono::Local::now() - chrono::Duration::days(7)).format("%Y-%m-%dT10:00:00Z").to_string();
    vec![
        json!({ "seq": seq, "record_id": id, "kind": "person", "changes": {
            "given_name": { "new": given }, "family_name": { "new": "Live" }, "date_of_birth": { "new": "2012-05-06" },
            "keyworker_referral_offered": { "new": "2026-09-01" },
            "register_status": { "new": { "status": "on_register", "since": "2026-09-01" } } } }),
        json!({ "seq": seq + 1, "record_id": format!("0193d000-0000-7000-8000-0000000e02{n:02}"), "kind": "rating_change", "changes": {
            "person_id": { "new": id }, "to": { "new": "red" }, "reason": { "new": "Placement breaking down" },
            "by": { "new": "Jo Coordinator" }, "at": { "new": rated }, "source": { "new": "dsr_meeting" } } }),
        json!({ "seq": seq + 2, "record_id": format!("0193d000-0000-7000-8000-0000000e03{n:02}"), "kind": "consent", "changes": {
            "person_id": { "new": id }, "scope": { "new": "register" }, "given_on": { "new": "2026-09-01" },
            "given_by": { "new": { "kind": "the_person", "gillick_competent": true } },
            "recorded_by": { "new": "Jo Coordinator" } } }),
    ]
}

/// Opens the meeting from the header's link, as a user would.
async fn open_meeting(browser: &Browser) {
    browser.click(ids::MEETINGS_LINK).await;
    browser.click(&ids::dsr_meeting_link(MEETING)).await;
    browser.wait_for_text(ids::DSR_MEETING_HEADING, "DSR meeting").await;
    browser.wait_for_text(&ids::agenda_section("red"), "Robin Live").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_coordinator_and_a_panel_member_see_each_others_decisions_at_once_and_an_offline_one_later() {
    let server = Server::start().await;
    let today = chrono::Local::now().date_naive().to_string();
    let mut mutations = red_person(1, ROBIN, "Robin", 1);
    mutations.extend(red_person(4, SAM, "Sam", 2));
    // Kai, Green and rated lately: not on the agenda until someone adds him by hand.
    let mut kai = red_person(7, KAI, "Kai", 3);
    kai[1]["changes"]["to"] = json!({ "new": "green" });
    let lately = chrono::Local::now() - chrono::Duration::days(2);
    kai[1]["changes"]["at"] = json!({ "new": lately.format("%Y-%m-%dT10:00:00Z").to_string() });
    mutations.extend(kai);
    mutations.push(json!({ "seq": 10, "record_id": MEETING, "kind": "dsr_meeting", "changes": {
        "date": { "new": today }, "time": { "new": "10:00" }, "place": { "new": "Room 2, County Hall" },
        "chair": { "new": "Jo Coordinator" }, "status": { "new": "open" },
        "attendees": { "new": [
            { "name": "Jo Coordinator", "role": "DSR coordinator", "agency": "ICB", "present": true },
            { "name": "Lee Education", "role": "SEND lead", "agency": "council", "present": true },
            { "name": "Kim Health", "role": "nurse", "agency": "NHS trust", "present": false } ] } } }));
    server
        .post_json(
            "/api/sync/push",
            &json!({ "client_id": "0193d000-0000-7000-8000-0000000e0f01", "mutations": mutations }),
        )
        .await;
    server.staff("dsr.panel", "dsr_panel").await;

    let coordinator = Browser::start().await;
    coordinator.sign_in_as_coordinator(&server).await;
    open_meeting(&coordinator).await;
    let panel = Browser::start().await;
    panel.sign_in(&server, "dsr.panel", dsr_e2e_tests::PASSWORD).await;
    open_meeting(&panel).await;
    // The panel member attends: the arrangements and the chair's buttons are the coordinator's.
    panel.wait_for_text(ids::DSR_MEETING_ARRANGEMENTS, "Chair: Jo Coordinator. 2 attending.").await;
    for absent in [ids::SAVE_DSR_MEETING, ids::FINAL_DSR_MEETING] {
        assert!(panel.driver.find_all(thirtyfour::By::Id(absent)).await.unwrap_or_default().is_empty(), "{absent}");
    }

    // The chair moves the second Red person up, and adds Kai by hand; the panel member's agenda follows.
    let red_order =
        "return Array.from(document.querySelectorAll('#agenda-red li.dsr-agenda-item')).map(e => e.dataset.person)";
    let order = |v: thirtyfour::prelude::ScriptRet| -> Vec<String> {
        serde_json::from_value(v.json().clone()).unwrap_or_default()
    };
    let before = order(coordinator.driver.execute(red_order, Vec::new()).await.unwrap_or_else(|e| panic!("{e}")));
    assert_eq!(before.len(), 2, "{before:?}");
    coordinator.click(&ids::move_up(&before[1])).await;
    let flipped = format!(
        "done(Array.from(document.querySelectorAll('#agenda-red li.dsr-agenda-item')).map(e => e.dataset.person).join() === '{},{}')",
        before[1], before[0]
    );
    coordinator.wait_until("the chair's order", &flipped).await;
    panel.wait_until("the chair's order on the other tablet", &flipped).await;
    coordinator
        .element(ids::AGENDA_ADD_PERSON)
        .await
        .find(thirtyfour::By::Css(format!("option[value='{KAI}']")))
        .await
        .unwrap_or_else(|e| panic!("Kai is not offered: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    coordinator.type_into(ids::AGENDA_ADD_REASON, "School asked for him to be discussed").await;
    coordinator.click(ids::AGENDA_ADD).await;
    let added = panel.wait_for_text(&ids::agenda_section("added_by_hand"), "Kai Live").await;
    assert!(added.contains("Added by hand: School asked for him to be discussed"), "{added}");

    // The panel member re-rates Robin; the coordinator's agenda shows it without anyone touching it.
    panel.click(&ids::decision_link(ROBIN)).await;
    panel.wait_for_text(ids::DECISION_HEADING, "Decision: Robin Live").await;
    panel.type_into(ids::DECISION_DISCUSSION, "Crisis plan working; school place agreed").await;
    panel.click("rating-amber").await;
    panel.type_into(ids::DECISION_RATING_REASON, "Support in place at home and school").await;
    panel.click(ids::DECISION_REVIEW_REQUESTED).await;
    panel.click(ids::DECISION_KEYWORKER_REQUESTED).await;
    panel.type_into(ids::DECISION_ACTION, "Confirm the school place in writing").await;
    panel.type_into(ids::DECISION_ACTION_OWNER, "Lee Education").await;
    let due = chrono::Local::now().date_naive() + chrono::Days::new(14);
    panel.type_into(ids::DECISION_ACTION_DUE_DAY, &due.format("%-d").to_string()).await;
    panel.type_into(ids::DECISION_ACTION_DUE_MONTH, &due.format("%-m").to_string()).await;
    panel.type_into(ids::DECISION_ACTION_DUE_YEAR, &due.format("%Y").to_string()).await;
    let saved = std::time::Instant::now();
    panel.click(ids::SAVE_MEETING_DECISION).await;
    panel.wait_for_text(ids::NOTICE, "The decision was saved on this device").await;
    let seen = coordinator.wait_for_text(&ids::agenda_decision(ROBIN), "Rating changed to Amber").await;
    println!("a decision on one tablet shown on the other: {} ms after saving", saved.elapsed().as_millis());
    assert!(seen.contains("Support in place at home and school"), "{seen}");
    coordinator
        .wait_for_text(&ids::agenda_decision(ROBIN), "Action: Confirm the school place in writing: Lee Education")
        .await;

    // Offline, the panel member records Sam's decision; it reaches the coordinator once back online.
    panel.set_offline(true).await;
    panel.click(&ids::decision_link(SAM)).await;
    panel.wait_for_text(ids::DECISION_HEADING, "Decision: Sam Live").await;
    panel.click(ids::DECISION_DEFERRED).await;
    panel.type_into(ids::DECISION_NOTE, "Not reached: first at the next meeting").await;
    panel.click(ids::SAVE_MEETING_DECISION).await;
    panel.wait_for_text(ids::NOTICE, "The decision was saved on this device").await;
    panel.wait_for_text(&ids::agenda_decision(SAM), "Deferred to the next meeting").await;
    panel.set_offline(false).await;
    panel.all_sent().await;
    coordinator.wait_for_text(&ids::agenda_decision(SAM), "Deferred to the next meeting").await;
    coordinator
        .driver
        .execute(&format!("document.getElementById('{}').scrollIntoView()", ids::agenda_section("red")), Vec::new())
        .await
        .ok();
    coordinator.screenshot("dsr-meeting-live-agenda").await;

    // The minutes, printed: the area, the confidential marking and page numbers on every page, who
    // came, each decision.
    coordinator.click(ids::DSR_MINUTES_LINK).await;
    coordinator.wait_for_text(ids::MINUTES, "Robin Live").await;
    coordinator.screenshot("dsr-meeting-minutes").await;
    assert_eq!(coordinator.sideways_overflow().await, Vec::<String>::new(), "the minutes on a tablet");
    let (text, flat) = coordinator.printed("dsr-meeting-minutes").await;
    for expected in [
        "DSR meeting minutes: Test area",
        "Confidential: Dynamic Support Register",
        "Page 1 of",
        "Lee Education (SEND lead, council)",
        "Kim Health (nurse, NHS trust)",
        "Crisis plan working; school place agreed",
        "Rating changed to Amber: Support in place at home and school.",
        "Deferred to the next meeting.",
        "Not reached: first at the next meeting.",
        "Confirm the school place in writing: Lee Education, by",
    ] {
        assert!(flat.contains(&squeeze(expected)), "{expected:?} missing from the minutes' PDF: {text}");
    }
    assert!(!flat.contains(&squeeze("Print or save as PDF")), "the button is not printed: {text}");

    // The re-rating is in Robin's history, from the meeting; the panel member's reads are audited.
    coordinator.goto(&format!("{}/people/{ROBIN}", server.url)).await;
    coordinator.unlock(dsr_e2e_tests::PASSWORD).await;
    let history = coordinator.wait_for_text(ids::RATING_HISTORY, "Support in place at home and school").await;
    assert!(history.contains("DSR meeting"), "{history}");
    panel.all_sent().await;
    // What the meeting asked for exists: a C(E)TR requested on the meeting's date, the keyworker
    // referral offered on it.
    let records = server.people().await;
    let review = records
        .iter()
        .find(|r| r["status"] == "requested" && r["person_id"] == ROBIN)
        .unwrap_or_else(|| panic!("no C(E)TR requested: {records:?}"));
    assert_eq!(review["requested_on"].as_str(), Some(today.as_str()), "{review}");
    let robin = records.iter().find(|r| r["id"] == ROBIN).unwrap_or_else(|| panic!("{records:?}"));
    assert_eq!(robin["keyworker_referral_offered"].as_str(), Some(today.as_str()), "{robin}");
    let audit = server.get_json(&format!("/api/audit?person_id={ROBIN}")).await.to_string();
    assert!(audit.contains("DSR meeting agenda") && audit.contains("Test dsr.panel"), "{audit}");
    panel.quit().await;
    coordinator.quit().await;
}
